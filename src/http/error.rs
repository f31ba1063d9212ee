//! Turns [`Error`] into Seam's JSON envelope, and every failure axum or tower might produce on
//! its own (missing route, wrong verb, panic) into an [`Error`], so no plain-text error escapes.

use axum::{
    http::{HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::error::Error;

/// The content type of every JSON response.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A JSON response with Seam's content type.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{\"ok\":false}".to_vec());
    let mut res = (status, bytes).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    res
}

/// The room a success body gets up front: growing from serde_json's 128 bytes cost a few
/// copies on every create_multiple.
pub const SMALL_ANSWER: usize = 4096;

/// A 200 answer with `body` serialized (a success body from `response!`).
pub fn json_ok<T: serde::Serialize>(body: &T) -> Response {
    json_ok_with(body, SMALL_ANSWER)
}

/// [`json_ok`] into a buffer of `capacity` bytes to start with (a long list says how long it
/// is, so a megabyte answer is not copied on every doubling).
pub fn json_ok_with<T: serde::Serialize>(body: &T, capacity: usize) -> Response {
    let mut bytes = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => {
            let mut res = (StatusCode::OK, bytes).into_response();
            res.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
            res
        }
        Err(e) => Error::Internal(e.to_string()).into_response(),
    }
}

/// The `error.type` of an error response, in its extensions, so the journal records it without
/// reading the body back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorType(pub &'static str);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let seam = self.seam();
        let status = StatusCode::from_u16(seam.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let kind = seam.kind;
        let mut res = json_response(status, &json!({ "error": self.body_of(seam), "ok": false }));
        res.extensions_mut().insert(ErrorType(kind));
        res
    }
}

/// Fallback for paths no route serves: 404 `not_found`.
pub async fn route_not_found(uri: Uri) -> Error {
    Error::RouteNotFound(uri.path().to_string())
}

/// Fallback for a served path asked with a verb it does not take: 405 `method_not_allowed`.
/// axum's method router adds the `Allow` header RFC 9110 requires (the verbs the path takes).
pub async fn method_not_allowed(method: Method, uri: Uri) -> Error {
    Error::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_string(),
    }
}

/// The response for a handler that panicked: a generic 500, the panic only in the log.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into());
    Error::Internal(detail).into_response()
}
