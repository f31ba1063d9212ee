//! The one input extractor. A request's parameters come from its JSON body (POST, PUT, PATCH)
//! or its query string (GET, DELETE) and land in [`Input`], whose typed accessors parse each
//! field and collect zod-style issues (`Expected array, received number`, `Required`, …) so a
//! handler turns the request into domain types and reports every problem at once.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request, rejection::BytesRejection},
    http::{Method, header},
};
use serde_json::{Map, Value};

use super::params::{Cx, Param, expected};
use crate::error::{Error, Issue};

/// The parameters of one request, consumed field by field.
#[derive(Debug)]
pub struct Input {
    fields: Map<String, Value>,
    /// From a query string: every value is text and is read leniently (`"true"`, `"4"`, `k=`).
    from_query: bool,
    issues: Vec<Issue>,
    /// The query string as sent (for `next_page_url`).
    pub raw_query: Option<String>,
    /// The path (for `next_page_url`).
    pub path: String,
    /// `Host` header, if any (for `next_page_url`).
    pub host: Option<String>,
}

/// Parses a query string into fields: repeated keys (and `key[]`) become arrays, dotted keys
/// nested objects, `_strict` is dropped.
pub fn parse_query(q: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in form_urlencoded::parse(q.as_bytes()) {
        let (key, forced_array) = match k.strip_suffix("[]") {
            Some(base) => (base.to_string(), true),
            None => (k.to_string(), false),
        };
        if key == "_strict" {
            continue;
        }
        let mut path: Vec<&str> = key.split('.').collect();
        let last = path.pop().unwrap_or_default().to_string();
        let mut cur = &mut out;
        for seg in path {
            let entry = cur
                .entry(seg.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            cur = entry.as_object_mut().expect("just made an object");
        }
        let v = Value::String(v.into_owned());
        match cur.get_mut(&last) {
            Some(Value::Array(a)) => a.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
            None if forced_array => {
                let items = match v.as_str() {
                    Some("") => vec![],
                    _ => vec![v],
                };
                cur.insert(last, Value::Array(items));
            }
            None => {
                cur.insert(last, v);
            }
        }
    }
    out
}

impl<S: Send + Sync> FromRequest<S> for Input {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = req.method().clone();
        let raw_query = req.uri().query().map(str::to_string);
        let path = req.uri().path().to_string();
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|h| h.to_str().ok())
            .map(|s| s.to_ascii_lowercase());
        let query_fields = raw_query.as_deref().map(parse_query).unwrap_or_default();

        let body = Bytes::from_request(req, state)
            .await
            .map_err(|rej| match rej {
                BytesRejection::FailedToBufferBody(_) if rej.status().as_u16() == 413 => {
                    Error::PayloadTooLarge
                }
                other => Error::InvalidRequest(format!(
                    "Could not read the request body: {}",
                    other.body_text()
                )),
            })?;
        let body_empty = body.iter().all(u8::is_ascii_whitespace);

        let uses_query = matches!(method, Method::GET | Method::DELETE | Method::HEAD)
            && (body_empty || !query_fields.is_empty());
        let mut input = Input {
            fields: Map::new(),
            from_query: uses_query,
            issues: Vec::new(),
            raw_query,
            path,
            host,
        };
        if uses_query {
            input.fields = query_fields;
            return Ok(input);
        }
        if body_empty {
            return Ok(input);
        }
        if let Some(ct) = &content_type {
            let essence = ct.split(';').next().unwrap_or("").trim();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(Error::InvalidContentType(format!(
                    "Content-Type must be application/json, not {essence}"
                )));
            }
        }
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| Error::field_root(format!("Malformed JSON body: {e}")))?;
        match value {
            Value::Object(fields) => {
                input.fields = fields;
                Ok(input)
            }
            other => Err(Error::field_root(expected("object", &other))),
        }
    }
}

impl Error {
    /// An `invalid_input` about the whole body rather than a field.
    pub fn field_root(message: String) -> Self {
        Error::InvalidInput(vec![Issue::new(Vec::new(), message)])
    }
}

impl Input {
    /// An input from a JSON object (tests and internal callers).
    pub fn from_json(fields: Map<String, Value>) -> Self {
        Input {
            fields,
            from_query: false,
            issues: Vec::new(),
            raw_query: None,
            path: String::new(),
            host: None,
        }
    }

    /// Reads field `key` as `T`: its absent value when missing or null (an empty query value
    /// is null for scalars), else the parsed value; `None` when a problem was recorded.
    pub fn field<T: Param>(&mut self, key: &str) -> Option<T> {
        let value = match self.fields.remove(key) {
            None => None,
            Some(Value::Null) => Some(Value::Null),
            Some(Value::String(s)) if self.from_query && s.is_empty() && T::EMPTY_QUERY_IS_NULL => {
                Some(Value::Null)
            }
            Some(v) => Some(v),
        };
        let mut cx = Cx {
            from_query: self.from_query,
            issues: &mut self.issues,
            path: vec![key.to_string()],
        };
        match value {
            Some(Value::Null) => T::absent().or_else(|| cx.expected(T::EXPECTED, &Value::Null)),
            None => T::absent().or_else(|| {
                cx.issue("Required");
                None
            }),
            Some(v) => T::parse(v, &mut cx),
        }
    }

    /// The problems recorded so far, for rules across fields.
    pub fn issues_mut(&mut self) -> &mut Vec<Issue> {
        &mut self.issues
    }

    /// Ends parsing: `invalid_input` listing every problem, or `Ok`.
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidInput(std::mem::take(&mut self.issues)))
        }
    }

    /// The fields as one JSON object (endpoints that take a whole document).
    pub fn into_value(self) -> Value {
        Value::Object(self.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use serde_json::json;

    use crate::domain::create_multiple::Behavior;
    use crate::http::pagination::Limit;

    fn q(s: &str) -> Input {
        Input {
            fields: parse_query(s),
            from_query: true,
            issues: Vec::new(),
            raw_query: Some(s.into()),
            path: String::new(),
            host: None,
        }
    }

    fn j(v: Value) -> Input {
        Input::from_json(v.as_object().unwrap().clone())
    }

    #[test]
    fn query_strings_follow_the_sdk_conventions() {
        let m = parse_query(
            "device_ids=a&device_ids=b&limit=2&_strict=true&custom_metadata.foo=bar&x[]=1",
        );
        assert_eq!(m["device_ids"], json!(["a", "b"]));
        assert_eq!(m["custom_metadata"], json!({"foo": "bar"}));
        assert_eq!(m["x"], json!(["1"]));
        assert!(!m.contains_key("_strict"));

        let mut i = q("device_ids=&device_type=&limit=3&is_x=true&one=a");
        assert_eq!(
            i.field::<Option<Vec<String>>>("device_ids"),
            Some(Some(vec![]))
        );
        assert_eq!(i.field::<Option<String>>("device_type"), Some(None));
        assert_eq!(i.field::<Option<Limit>>("limit"), Some(Some(Limit(3))));
        assert_eq!(i.field::<Option<bool>>("is_x"), Some(Some(true)));
        assert_eq!(
            i.field::<Option<Vec<String>>>("one"),
            Some(Some(vec!["a".to_string()]))
        );
        i.finish().unwrap();
    }

    #[test]
    fn type_mismatches_read_like_zod() {
        let mut i = j(json!({"device_ids": 4242, "name": 5, "flag": "yes", "code": null}));
        assert_eq!(i.field::<Option<Vec<String>>>("device_ids"), None);
        assert_eq!(i.field::<Option<String>>("name"), None);
        assert_eq!(i.field::<Option<bool>>("flag"), None);
        assert_eq!(i.field::<Option<String>>("code"), Some(None));
        assert_eq!(i.field::<String>("device_id"), None);
        let err = i.finish().unwrap_err();
        let body = err.body();
        assert_eq!(
            body["validation_errors"]["device_ids"]["_errors"],
            json!(["Expected array, received number"])
        );
        assert_eq!(
            body["validation_errors"]["name"]["_errors"],
            json!(["Expected string, received number"])
        );
        assert_eq!(
            body["validation_errors"]["flag"]["_errors"],
            json!(["Expected boolean, received string"])
        );
        assert_eq!(
            body["validation_errors"]["device_id"]["_errors"],
            json!(["Required"])
        );
        assert!(err.to_string().starts_with("4 Input Errors: "), "{err}");
    }

    #[test]
    fn a_required_field_sent_as_null_names_its_type() {
        let mut i = j(json!({"device_ids": null, "name": null}));
        assert_eq!(i.field::<Vec<String>>("device_ids"), None);
        assert_eq!(i.field::<String>("name"), None);
        let body = i.finish().unwrap_err().body();
        assert_eq!(
            body["validation_errors"]["device_ids"]["_errors"],
            json!(["Expected array, received null"])
        );
        assert_eq!(
            body["validation_errors"]["name"]["_errors"],
            json!(["Expected string, received null"])
        );
    }

    #[test]
    fn array_items_are_checked_one_by_one() {
        let mut i = j(json!({"device_ids": ["a", 1, null]}));
        assert_eq!(i.field::<Option<Vec<String>>>("device_ids"), None);
        let body = i.finish().unwrap_err().body();
        assert_eq!(
            body["validation_errors"]["device_ids"]["1"]["_errors"],
            json!(["Expected string, received number"])
        );
        assert_eq!(
            body["validation_errors"]["device_ids"]["2"]["_errors"],
            json!(["Expected string, received null"])
        );
    }

    #[test]
    fn enums_timestamps_and_limits() {
        let mut i = j(json!({"b": "sometimes", "t": "soon", "l": 0, "m": 2.5, "ok": "throw"}));
        assert_eq!(i.field::<Option<Behavior>>("b"), None);
        assert_eq!(i.field::<Option<DateTime<Utc>>>("t"), None);
        assert_eq!(i.field::<Option<Limit>>("l"), None);
        assert_eq!(i.field::<Option<Limit>>("m"), None);
        assert_eq!(i.field::<Behavior>("ok"), Some(Behavior::Throw));
        let body = i.finish().unwrap_err().body();
        assert_eq!(
            body["validation_errors"]["b"]["_errors"],
            json!([
                "Invalid enum value. Expected 'throw' | 'create_random_code', received 'sometimes'"
            ])
        );
        assert_eq!(
            body["validation_errors"]["t"]["_errors"],
            json!(["Invalid datetime"])
        );
        assert_eq!(
            body["validation_errors"]["l"]["_errors"],
            json!(["Number must be greater than 0"])
        );
        assert_eq!(
            body["validation_errors"]["m"]["_errors"],
            json!(["Expected integer, received float"])
        );
    }
}
