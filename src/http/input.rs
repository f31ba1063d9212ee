//! Where a request's parameters come from: its JSON body (POST, PUT, PATCH) or its query
//! string (GET, DELETE), read into [`Input`], a bag of fields with the problems found so far.
//! This module reads the request (content type, body, query-string syntax) and answers what
//! is wrong with it as a whole; turning each field into a typed value, and collecting the
//! zod-style issues (`Expected array, received number`, `Required`, …), is
//! [`params`](super::params)' work.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request, rejection::BytesRejection},
    http::{HeaderValue, Method, Uri, header},
};
use serde_json::{Map, Value};

use crate::error::{Error, Issue};

/// The parameters of one request, consumed field by field.
#[derive(Debug)]
pub struct Input {
    fields: Map<String, Value>,
    /// From a query string: every value is text and is read leniently (`"true"`, `"4"`, `k=`).
    from_query: bool,
    issues: Vec<Issue>,
    /// The request's URI, path and query string as sent (for `next_page_url`; a clone shares
    /// the request's bytes).
    uri: Uri,
    /// `Host` header, if any (for `next_page_url`).
    host: Option<HeaderValue>,
}

/// Zod's name for a JSON value's type.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `Expected <what>, received <type>`.
pub fn expected(what: &str, got: &Value) -> String {
    format!("Expected {what}, received {}", type_name(got))
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

/// The `invalid_content_type` error for a `Content-Type` that is not JSON (`application/json`
/// or `…+json`, any case, any parameters); `None` for JSON.
fn not_json(content_type: &str) -> Option<Error> {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let json = essence.eq_ignore_ascii_case("application/json")
        || essence
            .len()
            .checked_sub(5)
            .and_then(|at| essence.get(at..))
            .is_some_and(|end| end.eq_ignore_ascii_case("+json"));
    (!json).then(|| {
        Error::InvalidContentType(format!(
            "Content-Type must be application/json, not {}",
            essence.to_ascii_lowercase()
        ))
    })
}

impl<S: Send + Sync> FromRequest<S> for Input {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let host = req.headers().get(header::HOST).cloned();
        // Worked out now (the request is consumed below), applied once there is a JSON body.
        let not_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|h| h.to_str().ok())
            .and_then(not_json);
        let query_fields = uri.query().map(parse_query).unwrap_or_default();

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
            uri,
            host,
        };
        if uses_query {
            input.fields = query_fields;
            return Ok(input);
        }
        if body_empty {
            return Ok(input);
        }
        if let Some(e) = not_json {
            return Err(e);
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

impl Input {
    /// An input from a query string, as a GET would bring it (tests).
    pub fn from_query_string(q: &str) -> Self {
        Input {
            fields: parse_query(q),
            from_query: true,
            issues: Vec::new(),
            uri: format!("/?{q}").parse().unwrap_or_default(),
            host: None,
        }
    }

    /// An input from a JSON object (tests and internal callers).
    pub fn from_json(fields: Map<String, Value>) -> Self {
        Input {
            fields,
            from_query: false,
            issues: Vec::new(),
            uri: Uri::default(),
            host: None,
        }
    }

    /// Takes field `key` out of the request: `None` when absent; null, or an empty query
    /// value where `empty_is_null`, reads as `Value::Null`.
    pub fn take(&mut self, key: &str, empty_is_null: bool) -> Option<Value> {
        match self.fields.remove(key)? {
            Value::String(s) if self.from_query && s.is_empty() && empty_is_null => {
                Some(Value::Null)
            }
            v => Some(v),
        }
    }

    /// The path requested (for `next_page_url`).
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The query string as sent, if any (for `next_page_url`).
    pub fn raw_query(&self) -> Option<&str> {
        self.uri.query()
    }

    /// The `Host` header, if it is text.
    pub fn host(&self) -> Option<&str> {
        self.host.as_ref().and_then(|h| h.to_str().ok())
    }

    /// Whether the fields came from a query string (text, read leniently).
    pub fn from_query(&self) -> bool {
        self.from_query
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
    use serde_json::json;

    #[test]
    fn json_content_types_in_any_case_and_with_parameters_pass() {
        for ok in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/merge-patch+json",
            " application/vnd.api+JSON ;q=1",
        ] {
            assert!(not_json(ok).is_none(), "{ok}");
        }
        match not_json("Text/Plain; charset=utf-8") {
            Some(Error::InvalidContentType(m)) => {
                assert_eq!(m, "Content-Type must be application/json, not text/plain")
            }
            other => panic!("{other:?}"),
        }
        assert!(not_json("json").is_some());
    }

    #[test]
    fn query_strings_become_fields_the_sdk_way() {
        let m = parse_query(
            "device_ids=a&device_ids=b&limit=2&_strict=true&custom_metadata.foo=bar&x[]=1",
        );
        assert_eq!(m["device_ids"], json!(["a", "b"]));
        assert_eq!(m["custom_metadata"], json!({"foo": "bar"}));
        assert_eq!(m["x"], json!(["1"]));
        assert!(!m.contains_key("_strict"));
    }
}
