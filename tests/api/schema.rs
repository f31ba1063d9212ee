//! Seam's reference spec as a judge of answers: every 2xx JSON answer of a route that the
//! reference OpenAPI document (`shared/reference/seam-openapi.json`) lists is checked against
//! that route's 200 schema there ([`check`]), and every event in it against its own variant of
//! the spec's `event` schema, picked by `event_type`.
//!
//! The document is OpenAPI 3.0: before it is handed to a draft-4 JSON Schema validator,
//! `nullable: true` becomes "or null" ([`allow_null`]). Refs (`#/components/schemas/…`) resolve
//! against the whole document, registered once; each route's and each event kind's validator is
//! compiled once, on first use, and kept.
//!
//! The same file is the judge of the SDK tests' answers (`examples/schema_proxy.rs` includes it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Map, Value, json};

/// The URI the reference document is registered under.
const DOC: &str = "urn:seam-reference";
/// Where the original `event` schema (a oneOf of one variant per kind) is kept in the
/// registered document; `components/schemas/event` itself becomes a placeholder, so that an
/// answer's events are judged one by one against their own variant, not by a 114-way oneOf
/// whose errors name no variant.
const EVENT_VARIANTS: &str = "x_seam_mock_event_variants";
/// Where the reference spec is found: this variable, else `shared/reference/seam-openapi.json`
/// in the checkout's folder or one above it.
pub const SPEC_ENV: &str = "SEAM_REFERENCE_SPEC";

/// The compiled reference: the registered document and the validators made so far.
struct Reference {
    registry: Registry<'static>,
    doc: Value,
    /// Each event kind's `(index in the oneOf, variant)`.
    event_kinds: HashMap<String, usize>,
    /// Compiled validators by pointer into the document.
    compiled: Mutex<HashMap<String, Arc<Validator>>>,
}

/// The reference spec's path, from [`SPEC_ENV`] or by looking above `start`.
pub fn spec_path(start: &Path) -> PathBuf {
    if let Some(p) = std::env::var_os(SPEC_ENV) {
        return PathBuf::from(p);
    }
    start
        .ancestors()
        .map(|dir| dir.join("shared/reference/seam-openapi.json"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "Seam's reference spec (shared/reference/seam-openapi.json) is not beside or \
                 above {}; set {SPEC_ENV} to its path",
                start.display()
            )
        })
}

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let path = spec_path(Path::new(env!("CARGO_MANIFEST_DIR")));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        Reference::new(doc)
    })
}

impl Reference {
    fn new(mut doc: Value) -> Reference {
        allow_null(&mut doc);
        let schemas = doc["components"]["schemas"]
            .as_object_mut()
            .expect("the reference has components.schemas");
        let event = schemas
            .insert(
                "event".into(),
                json!({
                    "type": "object",
                    "required": ["event_type"],
                    "properties": { "event_type": { "type": "string" } },
                }),
            )
            .expect("the reference has an event schema");
        let event_kinds = event["oneOf"]
            .as_array()
            .expect("the event schema is a oneOf")
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let kind = v["properties"]["event_type"]["enum"][0]
                    .as_str()
                    .expect("each event variant names its event_type");
                (kind.to_string(), i)
            })
            .collect();
        schemas.insert(EVENT_VARIANTS.into(), event);
        let registry = Registry::new()
            .draft(Draft::Draft4)
            .add(DOC, doc.clone())
            .and_then(|r| r.prepare())
            .expect("the reference document registers");
        Reference {
            registry,
            doc,
            event_kinds,
            compiled: Mutex::new(HashMap::new()),
        }
    }

    /// The validator of the schema at `pointer` in the document, compiled once.
    fn validator(&'static self, pointer: &str) -> Arc<Validator> {
        let mut compiled = self.compiled.lock().unwrap_or_else(|e| e.into_inner());
        compiled
            .entry(pointer.to_string())
            .or_insert_with(|| {
                let schema = json!({ "$ref": format!("{DOC}#{pointer}") });
                let v = jsonschema::options()
                    .with_draft(Draft::Draft4)
                    .with_registry(&self.registry)
                    .should_validate_formats(true)
                    .with_format("uuid", |s: &str| uuid::Uuid::try_parse(s).is_ok())
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("the reference schema at {pointer} compiles: {e}"));
                Arc::new(v)
            })
            .clone()
    }

    /// The pointer to a route's 200 JSON schema: its own method's, else its `post`'s (the spec
    /// writes every path's `post`; the SDKs' other verbs answer the same). `None` for a path
    /// the spec does not have, or whose 200 it leaves without a schema (`/workspaces/update`).
    fn route_pointer(&self, method: &str, path: &str) -> Option<String> {
        let ops = self.doc["paths"].get(path)?;
        let method = method.to_ascii_lowercase();
        let verb = if ops.get(&method).is_some() {
            method
        } else {
            "post".into()
        };
        let escaped = path.replace('~', "~0").replace('/', "~1");
        let pointer =
            format!("/paths/{escaped}/{verb}/responses/200/content/application~1json/schema");
        self.doc.pointer(&pointer).is_some().then_some(pointer)
    }
}

/// Each way `instance` breaks `validator`, one line each: where and which rule.
fn breaches(validator: &Validator, instance: &Value, at: &str) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| {
            format!(
                "at {at}{}: {e} (rule {})",
                e.instance_path(),
                e.schema_path()
            )
        })
        .collect()
}

/// Checks a 2xx JSON answer of `method path` against the reference: `Ok` for a route the spec
/// does not have, else every breach, each naming the JSON path and the rule it breaks.
pub fn check(method: &str, path: &str, answer: &Value) -> Result<(), String> {
    let reference = reference();
    let Some(pointer) = reference.route_pointer(method, path) else {
        return Ok(());
    };
    let mut found = breaches(&reference.validator(&pointer), answer, "");
    for (at, event) in events(answer) {
        let kind = event["event_type"].as_str().unwrap_or_default();
        match reference.event_kinds.get(kind) {
            Some(&i) => {
                let v =
                    reference.validator(&format!("/components/schemas/{EVENT_VARIANTS}/oneOf/{i}"));
                for b in breaches(&v, event, &at) {
                    found.push(format!("{b} [event variant `{kind}`]"));
                }
            }
            None => found.push(format!(
                "at {at}/event_type: {kind:?} is no variant of the spec's `event` schema"
            )),
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{method} {path}: the answer breaks Seam's reference schema ({pointer}):\n  {}",
        found.join("\n  ")
    ))
}

/// The events an answer carries, with their JSON paths: `event`, each of `events`, and each of
/// `batch.events` (`/workspaces/find_anything`).
fn events(answer: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    if let Some(e) = answer.get("event").filter(|e| e.is_object()) {
        out.push(("/event".to_string(), e));
    }
    for (prefix, list) in [
        ("/events", answer.get("events")),
        (
            "/batch/events",
            answer.get("batch").and_then(|b| b.get("events")),
        ),
    ] {
        for (i, e) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            out.push((format!("{prefix}/{i}"), e));
        }
    }
    out
}

/// Rewrites OpenAPI 3.0's `nullable: true` into JSON Schema: `type: [t, "null"]` (and `null`
/// among an `enum`'s values) where the schema has a `type`, else "this or null" as an `anyOf`
/// (a `$ref` or a `oneOf` keeps no sibling keyword in draft 4).
pub fn allow_null(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(allow_null),
        Value::Object(o) => {
            o.values_mut().for_each(allow_null);
            if o.remove("nullable") != Some(Value::Bool(true)) {
                return;
            }
            if let Some(Value::String(t)) = o.get("type").cloned() {
                o.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = o.get_mut("enum") {
                    values.push(Value::Null);
                }
            } else if o
                .keys()
                .any(|k| matches!(k.as_str(), "$ref" | "oneOf" | "anyOf" | "allOf"))
            {
                let inner = std::mem::take(o);
                let mut wrapped = Map::new();
                wrapped.insert("anyOf".into(), json!([inner, { "type": "null" }]));
                *o = wrapped;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_or_null() {
        let mut s = json!({
            "a": { "type": "string", "nullable": true },
            "b": { "type": "string", "enum": ["x"], "nullable": true },
            "c": { "$ref": "#/x", "nullable": true },
            "d": { "nullable": true },
            "e": { "type": "string", "nullable": false },
        });
        allow_null(&mut s);
        assert_eq!(s["a"], json!({ "type": ["string", "null"] }));
        assert_eq!(
            s["b"],
            json!({ "type": ["string", "null"], "enum": ["x", null] })
        );
        assert_eq!(
            s["c"],
            json!({ "anyOf": [{ "$ref": "#/x" }, { "type": "null" }] })
        );
        assert_eq!(s["d"], json!({}));
        assert_eq!(s["e"], json!({ "type": "string" }));
    }

    /// An answer that breaks the schema fails with the route, the JSON path and the rule.
    #[test]
    fn a_breach_names_the_route_the_path_and_the_rule() {
        let answer = json!({ "ok": true, "device": { "device_id": "nope" } });
        let e = check("GET", "/devices/get", &answer).unwrap_err();
        assert!(e.starts_with("GET /devices/get:"), "{e}");
        assert!(
            e.contains("at /device/device_id: \"nope\" is not a \"uuid\""),
            "{e}"
        );
        assert!(
            e.contains("at /device: \"display_name\" is a required property"),
            "{e}"
        );
        assert!(
            e.contains("(rule /components/schemas/device/required)"),
            "{e}"
        );
        assert!(check("POST", "/_fake/devices", &answer).is_ok());
    }

    /// Each event is judged by its own variant, and a breach names it.
    #[test]
    fn each_event_is_judged_by_its_own_variant() {
        let id = "5ea10003-0000-4000-8000-000000000001";
        let at = "2025-01-02T03:04:05.678Z";
        let event = |kind: &str| {
            json!({
                "event_id": id, "workspace_id": id, "device_id": id, "connected_account_id": id,
                "event_type": kind, "created_at": at, "occurred_at": at,
            })
        };
        let mut locked = event("lock.locked");
        let answer = |e: &Value| json!({ "ok": true, "events": [event("device.connected"), e] });
        let e = check("POST", "/events/list", &answer(&locked)).unwrap_err();
        assert!(
            e.contains("at /events/1: \"method\" is a required property"),
            "{e}"
        );
        assert!(e.contains("[event variant `lock.locked`]"), "{e}");
        locked["method"] = json!("remote");
        assert_eq!(check("POST", "/events/list", &answer(&locked)), Ok(()));
        let e = check(
            "GET",
            "/events/get",
            &json!({ "ok": true, "event": event("lock.jammed") }),
        )
        .unwrap_err();
        assert!(
            e.contains("at /event/event_type: \"lock.jammed\" is no variant"),
            "{e}"
        );
    }
}
