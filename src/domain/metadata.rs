//! `custom_metadata`: the caller's own key-value pairs on devices and connected accounts. An
//! update names the keys it changes: a string (up to [`MAX_VALUE_LENGTH`] characters) or a
//! boolean sets one, `null` or an empty string removes it (as Seam's SDKs document), and keys
//! it does not name stay as they are.

use serde_json::{Map, Value};

/// The longest string value Seam takes.
pub const MAX_VALUE_LENGTH: usize = 500;

/// Why a value cannot be stored, in zod's words; `None` when it can (null included: it removes
/// the key).
pub fn problem(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.chars().count() > MAX_VALUE_LENGTH => Some(format!(
            "String must contain at most {MAX_VALUE_LENGTH} character(s)"
        )),
        Value::String(_) | Value::Bool(_) | Value::Null => None,
        other => Some(format!(
            "Expected string | boolean, received {}",
            match other {
                Value::Number(_) => "number",
                Value::Array(_) => "array",
                _ => "object",
            }
        )),
    }
}

/// Applies an update to `stored`: each key of `update` is set, or removed when null or empty.
pub fn merge(stored: &mut Map<String, Value>, update: Map<String, Value>) {
    for (k, v) in update {
        if v.is_null() || v.as_str() == Some("") {
            stored.remove(&k);
        } else {
            stored.insert(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_sets_removes_and_keeps() {
        let mut m = json!({"a": "1", "b": true}).as_object().unwrap().clone();
        merge(
            &mut m,
            json!({"a": null, "b": "", "c": "3", "d": false})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(Value::Object(m), json!({"c": "3", "d": false}));
    }

    #[test]
    fn only_strings_booleans_and_null_are_values() {
        assert_eq!(problem(&json!("x")), None);
        assert_eq!(problem(&json!(false)), None);
        assert_eq!(problem(&Value::Null), None);
        assert_eq!(
            problem(&json!(4)).as_deref(),
            Some("Expected string | boolean, received number")
        );
        assert!(problem(&json!("x".repeat(501))).unwrap().contains("500"));
    }
}
