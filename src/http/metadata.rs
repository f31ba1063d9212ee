//! `custom_metadata` as an update reads it: an object whose values are strings (up to 500
//! characters), booleans, or null (remove the key); any other value is an `invalid_input`
//! naming `custom_metadata.<key>`. The merge rule is `domain::metadata`.

use serde_json::{Map, Value};
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{OneOfBuilder, RefOr};

use super::params::{Cx, Param};
use crate::domain::metadata;

/// Keys to set (a string or a boolean) or remove (null).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetadataUpdate(pub Map<String, Value>);

impl Param for MetadataUpdate {
    const EXPECTED: &'static str = "object";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let Value::Object(m) = v else {
            return cx.expected("object", &v);
        };
        let mut ok = true;
        for (k, v) in &m {
            if let Some(problem) = metadata::problem(v) {
                let mut path = cx.path();
                path.push(k.clone());
                cx.issues.push(crate::error::Issue::new(path, problem));
                ok = false;
            }
        }
        ok.then_some(MetadataUpdate(m))
    }
}

/// The document's schema of such a field: an object of strings, booleans or nulls.
pub fn metadata_schema() -> RefOr<Schema> {
    let value = OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .max_length(Some(metadata::MAX_VALUE_LENGTH)),
        )
        .item(ObjectBuilder::new().schema_type(SchemaType::Type(Type::Boolean)))
        .item(ObjectBuilder::new().schema_type(SchemaType::Type(Type::Null)));
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::OneOf(
            value.build(),
        )))))
        .description(Some(
            "Keys to set (a string of up to 500 characters, or a boolean) or, with null or \"\", to \
             remove; keys not named stay as they are.",
        ))
        .into()
}
