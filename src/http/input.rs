//! The one input extractor. A request's parameters come from its JSON body (POST, PUT, PATCH)
//! or its query string (GET, DELETE) and land in [`Input`], whose typed accessors parse each
//! field and collect zod-style issues (`Expected array, received number`, `Required`, …) so a
//! handler turns the request into domain types and reports every problem at once.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request, rejection::BytesRejection},
    http::{Method, header},
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::domain::timestamp;
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

/// Zod's name for a JSON value's type.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn expected(what: &str, got: &Value) -> String {
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

    /// Records a problem with `field`.
    pub fn issue(&mut self, field: &str, message: impl Into<String>) {
        self.issues
            .push(Issue::new(vec![field.to_string()], message));
    }

    fn issue_at(&mut self, path: Vec<String>, message: impl Into<String>) {
        self.issues.push(Issue::new(path, message));
    }

    /// Whether any problem has been recorded so far.
    pub fn has_issues(&self) -> bool {
        !self.issues.is_empty()
    }

    /// Ends parsing: `invalid_input` listing every problem, or `Ok`.
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidInput(std::mem::take(&mut self.issues)))
        }
    }

    /// The remaining fields as one JSON object (endpoints that take a whole document).
    pub fn into_value(self) -> Value {
        Value::Object(self.fields)
    }

    /// Whether the field was sent at all.
    pub fn has(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    /// The raw value; `None` when absent, or null (or an empty query value) for an optional field.
    fn take(&mut self, key: &str) -> Option<Value> {
        match self.fields.remove(key)? {
            Value::Null => None,
            Value::String(s) if self.from_query && s.is_empty() => None,
            v => Some(v),
        }
    }

    fn required(&mut self, key: &str) -> Option<Value> {
        match self.fields.remove(key) {
            None => {
                self.issue(key, "Required");
                None
            }
            Some(Value::String(s)) if self.from_query && s.is_empty() => {
                self.issue(key, "Expected string, received null");
                None
            }
            Some(Value::Null) => {
                self.issue(key, "Expected string, received null");
                None
            }
            Some(v) => Some(v),
        }
    }

    fn as_string(&mut self, key: &str, v: Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s),
            other => {
                self.issue(key, expected("string", &other));
                None
            }
        }
    }

    /// An optional string.
    pub fn opt_string(&mut self, key: &str) -> Option<String> {
        let v = self.take(key)?;
        self.as_string(key, v)
    }

    /// A required string (empty string when missing; the issue is recorded).
    pub fn req_string(&mut self, key: &str) -> String {
        match self.required(key) {
            Some(v) => self.as_string(key, v).unwrap_or_default(),
            None => String::new(),
        }
    }

    /// An optional boolean (`"true"`/`"false"` in a query string).
    pub fn opt_bool(&mut self, key: &str) -> Option<bool> {
        match self.take(key)? {
            Value::Bool(b) => Some(b),
            Value::String(s) if self.from_query && (s == "true" || s == "false") => {
                Some(s == "true")
            }
            other => {
                self.issue(key, expected("boolean", &other));
                None
            }
        }
    }

    /// An optional number (text in a query string).
    pub fn opt_number(&mut self, key: &str) -> Option<f64> {
        match self.take(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if self.from_query => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n),
                _ => {
                    self.issue(key, "Expected number, received nan");
                    None
                }
            },
            other => {
                self.issue(key, expected("number", &other));
                None
            }
        }
    }

    /// An optional positive whole number at most `max` (page sizes).
    pub fn opt_limit(&mut self, key: &str, max: usize) -> Option<usize> {
        let n = self.opt_number(key)?;
        if n.fract() != 0.0 {
            self.issue(key, "Expected integer, received float");
            None
        } else if n < 1.0 {
            self.issue(key, "Number must be greater than 0");
            None
        } else {
            Some((n as usize).min(max))
        }
    }

    /// An optional value from a fixed set (zod's enum message otherwise).
    pub fn opt_enum(&mut self, key: &str, options: &[&str]) -> Option<String> {
        let s = self.opt_string(key)?;
        if options.contains(&s.as_str()) {
            Some(s)
        } else {
            let list = options
                .iter()
                .map(|o| format!("'{o}'"))
                .collect::<Vec<_>>()
                .join(" | ");
            self.issue(
                key,
                format!("Invalid enum value. Expected {list}, received '{s}'"),
            );
            None
        }
    }

    /// An optional ISO 8601 timestamp.
    pub fn opt_timestamp(&mut self, key: &str) -> Option<DateTime<Utc>> {
        let s = self.opt_string(key)?;
        let t = timestamp::parse(&s);
        if t.is_none() {
            self.issue(key, "Invalid datetime");
        }
        t
    }

    /// An optional array of strings. In a query string a single value is a one-item array
    /// and an empty value the empty array.
    pub fn opt_string_array(&mut self, key: &str) -> Option<Vec<String>> {
        let v = match self.fields.remove(key)? {
            Value::Null => return None,
            Value::String(s) if self.from_query => {
                return Some(if s.is_empty() { vec![] } else { vec![s] });
            }
            v => v,
        };
        self.string_items(key, v)
    }

    /// A required array of strings.
    pub fn req_string_array(&mut self, key: &str) -> Vec<String> {
        if !self.fields.contains_key(key) {
            self.issue(key, "Required");
            return Vec::new();
        }
        match self.fields.get(key) {
            Some(Value::Null) => {
                self.fields.remove(key);
                self.issue(key, "Expected array, received null");
                Vec::new()
            }
            _ => self.opt_string_array(key).unwrap_or_default(),
        }
    }

    fn string_items(&mut self, key: &str, v: Value) -> Option<Vec<String>> {
        let Value::Array(items) = v else {
            self.issue(key, expected("array", &v));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Value::String(s) => out.push(s),
                other => {
                    ok = false;
                    self.issue_at(
                        vec![key.to_string(), i.to_string()],
                        expected("string", &other),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    /// An optional JSON object, returned as is.
    pub fn opt_object(&mut self, key: &str) -> Option<Map<String, Value>> {
        match self.take(key)? {
            Value::Object(m) => Some(m),
            other => {
                self.issue(key, expected("object", &other));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert_eq!(i.opt_string_array("device_ids"), Some(vec![]));
        assert_eq!(i.opt_string("device_type"), None);
        assert_eq!(i.opt_limit("limit", 100), Some(3));
        assert_eq!(i.opt_bool("is_x"), Some(true));
        assert_eq!(i.opt_string_array("one"), Some(vec!["a".to_string()]));
        i.finish().unwrap();
    }

    #[test]
    fn type_mismatches_read_like_zod() {
        let mut i = j(json!({"device_ids": 4242, "name": 5, "flag": "yes", "code": null}));
        assert_eq!(i.opt_string_array("device_ids"), None);
        assert_eq!(i.opt_string("name"), None);
        assert_eq!(i.opt_bool("flag"), None);
        assert_eq!(i.opt_string("code"), None);
        let _ = i.req_string("device_id");
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
    fn array_items_are_checked_one_by_one() {
        let mut i = j(json!({"device_ids": ["a", 1, null]}));
        assert_eq!(i.opt_string_array("device_ids"), None);
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
        let mut i = j(json!({"b": "sometimes", "t": "soon", "l": 0, "m": 2.5}));
        assert_eq!(i.opt_enum("b", &["throw", "create_random_code"]), None);
        assert_eq!(i.opt_timestamp("t"), None);
        assert_eq!(i.opt_limit("l", 10), None);
        assert_eq!(i.opt_limit("m", 10), None);
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
    }
}
