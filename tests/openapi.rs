//! The OpenAPI document is in sync with the code: the committed `openapi/openapi.json` is what
//! `document()` generates (`UPDATE_OPENAPI=1 cargo test --test openapi` rewrites it), the
//! real router answers exactly the verbs it lists on every path it lists, `GET /openapi.json`
//! serves it, every operation documents the statuses the edge can answer, and every
//! documented request field is one the handler reads.

use std::collections::BTreeSet;
use std::path::PathBuf;

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Method, Request, StatusCode, header},
};
use serde_json::{Value, json};
use tower::ServiceExt;

use seam_mock::http::{self, app, openapi};
use seam_mock::store::{Settings, Store, seed};

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json")
}

fn test_app() -> Router {
    let store = Store::new(
        seed::database(),
        Settings {
            rng_seed: Some(1),
            ..Settings::default()
        },
    )
    .expect("the seed is consistent");
    app(store, 1024 * 1024)
}

/// The document as JSON, for walking it.
fn doc() -> Value {
    serde_json::from_str(&http::document_json()).expect("the document is JSON")
}

/// Sends one request through the whole app (middleware included).
async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", seed::API_KEY_1));
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let res = app
        .clone()
        .oneshot(req.body(body).expect("a valid request"))
        .await
        .expect("the app answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("a readable body");
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json, headers)
}

#[test]
fn committed_document_is_the_generated_one() {
    let generated = http::document_json();
    let path = committed_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a parent directory"))
            .expect("openapi/ can be created");
        std::fs::write(&path, &generated).expect("openapi/openapi.json can be written");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test --test openapi` \
         and commit the result"
    );
}

/// The real router, asked every verb on every documented path, answers exactly the documented
/// ones: each is routed (not a 405, not `not_found`) and carries `seam-request-id`; any other
/// verb is a 405 whose `Allow` names the documented verbs. (The document is generated from the
/// route list, so only the router's own answers can show the two apart.)
#[tokio::test]
async fn the_router_answers_exactly_the_documented_verbs() {
    let app = test_app();
    let verbs = [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::DELETE,
        Method::PATCH,
    ];
    let operations = openapi::operations(&http::document());
    assert!(operations.len() > 40, "only {} paths", operations.len());
    for (path, methods) in operations {
        let documented: BTreeSet<String> = methods.into_iter().collect();
        for method in &verbs {
            // Replacing the database with `{}` would empty it for the requests that follow.
            let body = (path == "/_fake/database" && method != Method::GET)
                .then(|| serde_json::to_value(seed::database()).expect("the seed serializes"))
                .or_else(|| (!matches!(*method, Method::GET | Method::DELETE)).then(|| json!({})));
            let (status, body, headers) = send(&app, method.clone(), &path, body).await;
            assert!(
                headers
                    .get("seam-request-id")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("request")),
                "{method} {path}: no seam-request-id"
            );
            if documented.contains(method.as_str()) {
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                assert!(
                    !(status == StatusCode::NOT_FOUND && body["error"]["type"] == "not_found"),
                    "{method} {path} is documented but not routed"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is answered but not documented (documented: {documented:?})"
                );
                // HEAD rides along with GET and is never documented on its own.
                let allow: BTreeSet<String> = headers[header::ALLOW]
                    .to_str()
                    .expect("text")
                    .split(',')
                    .map(|m| m.trim().to_string())
                    .filter(|m| m != "HEAD")
                    .collect();
                assert_eq!(allow, documented, "{method} {path}: Allow");
            }
        }
    }
}

#[tokio::test]
async fn other_verbs_get_405_with_allow() {
    let app = test_app();
    let (status, body, headers) = send(&app, Method::PATCH, "/devices/list", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["type"], "method_not_allowed");
    assert_eq!(headers[header::ALLOW], "GET,HEAD,POST");
    let (status, _, headers) = send(&app, Method::DELETE, "/_fake/database", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "GET,HEAD,PUT,POST");
}

#[tokio::test]
async fn openapi_json_is_served_without_credentials() {
    let res = test_app()
        .oneshot(
            Request::get("/openapi.json")
                .body(Body::empty())
                .expect("a valid request"),
        )
        .await
        .expect("the app answers");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let bytes = to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("a readable body");
    assert_eq!(
        String::from_utf8(bytes.to_vec()).expect("UTF-8"),
        http::document_json()
    );
}

/// Every operation documents what the edge can answer: 200 always; on Seam's routes the
/// credential (security, 401) and the input (400, 413); on open routes that read input, 400
/// and 413. Every error response is the envelope; a 304 (the dashboard's) has no body.
#[test]
fn every_operation_documents_the_statuses_the_edge_can_answer() {
    let doc = doc();
    let authenticated: BTreeSet<String> = http::authenticated_paths().into_iter().collect();
    let mut with_input = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let what = format!("{method} {path}");
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("200"), "{what}: no 200");
            let reads_input = op.get("requestBody").is_some() || op.get("parameters").is_some();
            if authenticated.contains(path) {
                assert!(
                    op["security"].as_array().is_some_and(|s| s.len() == 5),
                    "{what}"
                );
                for status in ["400", "401", "413"] {
                    assert!(responses.contains_key(status), "{what}: no {status}");
                }
            } else {
                assert!(op.get("security").is_none(), "{what} needs no credential");
                assert!(!responses.contains_key("401"), "{what}: 401");
            }
            if reads_input {
                with_input += 1;
                for status in ["400", "413"] {
                    assert!(responses.contains_key(status), "{what}: no {status}");
                }
            }
            for (status, response) in responses {
                assert!(
                    response["headers"].get("seam-request-id").is_some(),
                    "{what} {status}: no seam-request-id"
                );
                if status == "304" {
                    // Not modified: no body, by definition.
                    assert!(response.get("content").is_none(), "{what} 304 has a body");
                } else if status != "200" {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorResponse",
                        "{what} {status}"
                    );
                }
            }
            if matches!(method.as_str(), "get" | "delete") {
                assert!(op.get("requestBody").is_none(), "{what} takes a query");
            }
        }
    }
    assert!(with_input > 30, "only {with_input} operations read input");
}

/// A value of the wrong JSON type for a property schema.
fn wrong_value(schema: &Value) -> Value {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        // `$ref` or `oneOf`: every enum in the document is a string.
        _ => vec!["string"],
    };
    if types.contains(&"string") {
        json!(12345)
    } else if types.contains(&"array") || types.contains(&"object") {
        json!(42)
    } else {
        json!("not a number or boolean")
    }
}

/// Every field a request schema documents is one the handler reads: sending each with the
/// wrong type makes the handler report each one under its name.
#[tokio::test]
async fn every_documented_request_field_is_parsed() {
    let doc = doc();
    let app = test_app();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        // It takes a whole database, parsed as one document rather than field by field.
        if path == "/_fake/database" {
            continue;
        }
        let Some((method, op)) = item
            .as_object()
            .expect("a path item")
            .iter()
            .find(|(_, op)| op.get("requestBody").is_some())
        else {
            continue;
        };
        let reference = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .expect("a named request schema");
        let name = reference.rsplit('/').next().expect("a schema name");
        let schema = &doc["components"]["schemas"][name];
        let properties = schema["properties"].as_object().expect("properties");
        let body: serde_json::Map<String, Value> = properties
            .iter()
            .map(|(k, s)| (k.clone(), wrong_value(s)))
            .collect();
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("a method");
        let (status, res, _) = send(&app, method.clone(), path, Some(Value::Object(body))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}: {res}");
        assert_eq!(res["error"]["type"], "invalid_input", "{method} {path}");
        for field in properties.keys() {
            assert!(
                res["error"]["validation_errors"].get(field).is_some(),
                "{method} {path}: documents `{field}` but does not read it: {res}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} request schemas checked");
}

#[test]
fn pin_rules_in_the_document_are_the_servers() {
    use seam_mock::domain::pin::{MAX_PIN_LENGTH, MIN_PIN_LENGTH};
    let doc = doc();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut seen = 0;
    for schema in schemas.values() {
        if let Some(code) = schema["properties"].get("code")
            && code.get("pattern").is_some()
        {
            assert_eq!(code["pattern"], "^[0-9]+$");
            assert_eq!(code["minLength"], json!(MIN_PIN_LENGTH));
            assert_eq!(code["maxLength"], json!(MAX_PIN_LENGTH));
            seen += 1;
        }
    }
    assert_eq!(seen, 4, "create_multiple, create, update, create_unmanaged");
}

/// What fuzzing this document found, kept fixed: the fake routes could move the clock past
/// what a timestamp can say (then overflow it, and every request failed), and a fixture lock
/// claiming a 4294967295-digit PIN length made the server build such a PIN until it was killed.
#[tokio::test]
async fn fixtures_and_the_clock_stay_within_what_the_server_can_handle() {
    let app = test_app();
    let (status, body, _) = send(
        &app,
        Method::POST,
        "/_fake/advance_time",
        Some(json!({"seconds": 1e12})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["validation_errors"]["seconds"].is_object());
    let (status, body, _) = send(&app, Method::GET, "/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["now"].as_str().is_some_and(|t| t.len() == 24),
        "{body}"
    );

    for lengths in [json!([4294967295u32]), json!([0]), json!([4, 21])] {
        let (status, body, _) = send(
            &app,
            Method::POST,
            "/_fake/devices",
            Some(json!({
                "workspace_id": seed::WORKSPACE_1,
                "device_type": "august_lock",
                "properties": {"supported_code_lengths": lengths},
            })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{lengths}: {body}");
        assert!(body["error"]["validation_errors"]["properties"].is_object());
    }
}
