//! The shapes every route shares, as types that are both serialized and documented: the
//! success mark `ok: true`, Seam's error envelope, and [`response!`](crate::response) for the
//! body of each operation's success. A leaf: it uses no other module of the edge but
//! [`super::error`]'s JSON writer.

use std::borrow::Cow;

use serde::{Serialize, Serializer};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        Ref, RefOr,
        schema::{ArrayBuilder, ObjectBuilder, Schema, Type},
    },
};

/// The header SDKs read the request id from.
pub const REQUEST_ID: &str = "seam-request-id";

/// The `seam-request-id` of the request being served, put in its extensions before anything
/// else runs so the log line and the journal name the id the response carries.
pub use crate::store::journal::RequestId;

/// The 413 description of every route that reads a body.
pub const PAYLOAD_TOO_LARGE: &str =
    "`payload_too_large`: the body is over the server's limit (`--max-body-bytes`).";

/// `ok: true`, the mark of every success body.
#[derive(Clone, Copy, Debug, Default)]
pub struct OkTrue;

impl Serialize for OkTrue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(true)
    }
}

impl PartialSchema for OkTrue {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .enum_values(Some([true]))
            .into()
    }
}

impl ToSchema for OkTrue {}

/// `ok: false`, the mark of every error body.
pub struct OkFalse;

impl PartialSchema for OkFalse {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .enum_values(Some([false]))
            .into()
    }
}

impl ToSchema for OkFalse {}

/// Declares the success body of an operation: the struct with `ok: true` appended, serialized
/// as the handler's 200 answer and documented as its schema, from one definition.
#[macro_export]
macro_rules! response {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $fvis:vis $field:ident : $ty:ty
            ),* $(,)?
        }
        $(capacity($s:ident) $cap:block)?
    ) => {
        #[derive(serde::Serialize, utoipa::ToSchema)]
        $(#[$meta])*
        $vis struct $name {
            $(
                $(#[$fmeta])*
                $fvis $field: $ty,
            )*
            #[schema(inline)]
            pub ok: $crate::http::schema::OkTrue,
        }

        impl $name {
            /// The body, marked `ok: true`.
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            pub fn new($($field: $ty),*) -> Self {
                Self { $($field,)* ok: $crate::http::schema::OkTrue }
            }
        }

        impl axum::response::IntoResponse for $name {
            fn into_response(self) -> axum::response::Response {
                #[allow(unused_variables)]
                let capacity = $crate::http::error::SMALL_ANSWER;
                $(let capacity = {
                    let $s = &self;
                    $cap
                };)?
                $crate::http::error::json_ok_with(&self, capacity)
            }
        }
    };
}

response! {
    /// `{"ok": true}`: a success with nothing to return.
    pub struct OkResponse {}
}

/// Seam's error envelope, the body of every answer that is not a 2xx.
#[derive(ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
    #[schema(inline)]
    pub ok: OkFalse,
}

/// What went wrong.
#[derive(ToSchema)]
pub struct ErrorBody {
    /// The kind of error in snake_case, e.g. `invalid_input`, `device_not_found`; SDKs branch
    /// on it.
    #[schema(rename = "type")]
    pub kind: String,
    /// A sentence for humans: `<field> is required`, `<problem> for "<field>"`, or
    /// `N Input Errors: ...` for several.
    pub message: String,
    /// Only on `invalid_input` about fields: each problem under its field's path.
    #[schema(nullable = false)]
    pub validation_errors: Option<ValidationErrors>,
    /// Only on some errors: the ids involved (`device_id`, `device_ids`, `workspace_id`).
    #[schema(nullable = false, value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// zod's `format()` tree: `_errors` lists the problems at this level, and each field with a
/// problem has a node of the same shape (array items under their index).
pub struct ValidationErrors;

impl PartialSchema for ValidationErrors {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "Each problem under its field's path: `_errors` lists the messages at this \
                 level, every other key is a field (or array index) with a node of the same shape.",
            ))
            .property(
                "_errors",
                ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)),
            )
            .required("_errors")
            .additional_properties(Some(Ref::from_schema_name("ValidationErrors")))
            .into()
    }
}

impl ToSchema for ValidationErrors {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ValidationErrors")
    }
}
