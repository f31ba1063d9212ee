//! Wire conventions (contract §1): POST with JSON everywhere, GET with SDK-style query strings,
//! the content type, the success and error envelopes with zod-style `validation_errors`, the
//! `seam-request-id` header, CORS, JSON 404/405, authentication before method and validation,
//! bodies that are empty, malformed, not JSON, or too large — and never a text/plain answer.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{JSON_UTF8, TestApp, dev, ids};

#[tokio::test]
async fn every_route_answers_post_with_a_json_body() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let a2 = dev("august_device_2");
    let created = app
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": [a1, a2] }),
        )
        .await;
    let code = created.ok()["access_codes"][0].clone();
    let id = code["access_code_id"].as_str().unwrap();
    let calls = [
        ("/devices/get", json!({ "device_id": a1 }), "device"),
        ("/devices/list", json!({}), "devices"),
        (
            "/access_codes/get",
            json!({ "access_code_id": id }),
            "access_code",
        ),
        (
            "/access_codes/list",
            json!({ "access_code_ids": [id] }),
            "access_codes",
        ),
        (
            "/access_codes/unmanaged/list",
            json!({ "device_id": a1 }),
            "access_codes",
        ),
        (
            "/access_codes/simulate/create_unmanaged_access_code",
            json!({ "device_id": a1, "name": "keypad", "code": "97531" }),
            "access_code",
        ),
    ];
    for (path, body, key) in calls {
        let res = app.post(path, body).await;
        assert!(!res.ok()[key].is_null(), "{path} lacks {key}: {}", res.text);
    }
}

#[tokio::test]
async fn get_reads_repeated_keys_empty_arrays_and_text_numbers_from_the_query() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let s1 = dev("schlage_device_1");

    let res = app.get(&format!("/devices/get?device_id={a1}")).await;
    assert_eq!(res.ok()["device"]["device_id"], json!(a1));

    let res = app
        .get(&format!("/devices/list?device_ids={a1}&device_ids={s1}"))
        .await;
    let mut got = ids(res.ok()["devices"].as_array().unwrap(), "device_id");
    got.sort();
    let mut want = vec![a1.clone(), s1.clone()];
    want.sort();
    assert_eq!(got, want);

    // One value is a one-item list.
    let res = app.get(&format!("/devices/list?device_ids={s1}")).await;
    assert_eq!(
        ids(res.ok()["devices"].as_array().unwrap(), "device_id"),
        vec![s1.clone()]
    );

    // `device_ids=` is the empty list: zero devices, not "no filter".
    let res = app.get("/devices/list?device_ids=").await;
    assert_eq!(res.ok()["devices"], json!([]));

    // An empty scalar is null: no filter at all.
    let res = app.get("/devices/list?device_type=").await;
    assert_eq!(
        res.ok()["devices"].as_array().unwrap().len(),
        seed::DEVICES.len()
    );

    // `_strict=true` and unknown keys are dropped; numbers come as text.
    let res = app
        .get("/devices/list?limit=3&_strict=true&some_unknown_key=x")
        .await;
    assert_eq!(res.ok()["devices"].as_array().unwrap().len(), 3);
    assert_eq!(res.json["pagination"]["has_next_page"], json!(true));

    // A number that is not one is a type error.
    let res = app.get("/devices/list?limit=lots").await;
    res.err(400, "invalid_input");
}

#[tokio::test]
async fn success_and_error_envelopes_are_json_utf8() {
    let app = TestApp::spawn().await;
    let res = app.post("/devices/list", json!({})).await;
    let body = res.ok();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "devices, pagination, ok: {keys:?}");
    assert!(body["devices"].is_array());

    let res = app
        .post("/devices/get", json!({ "device_id": "nope" }))
        .await;
    assert_eq!(res.header("content-type"), Some(JSON_UTF8));
    let e = res.err(404, "device_not_found");
    assert_eq!(e["data"]["device_id"], json!("nope"));
    assert!(!res.text.contains("panicked") && !res.text.contains("src/"));
}

#[tokio::test]
async fn a_number_for_device_ids_is_expected_array_received_number() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/devices/list", json!({ "device_ids": 4242 }))
        .await;
    let e = res.err(400, "invalid_input");
    assert_eq!(
        e["validation_errors"]["device_ids"]["_errors"],
        json!(["Expected array, received number"])
    );
    assert_eq!(e["validation_errors"]["_errors"], json!([]));
    assert_eq!(
        e["message"],
        json!("Expected array, received number for \"device_ids\"")
    );
}

#[tokio::test]
async fn a_missing_required_field_is_named() {
    let app = TestApp::spawn().await;
    let res = app.post("/access_codes/create_multiple", json!({})).await;
    let e = res.err(400, "invalid_input");
    assert_eq!(e["message"], json!("device_ids is required"));
    assert_eq!(
        e["validation_errors"]["device_ids"]["_errors"],
        json!(["Required"])
    );

    let res = app.post("/access_codes/unmanaged/list", json!({})).await;
    let e = res.err(400, "invalid_input");
    assert_eq!(e["message"], json!("device_id is required"));
}

#[tokio::test]
async fn several_problems_are_counted_in_one_message() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": "x", "name": 5, "behavior_when_code_cannot_be_shared": true }),
        )
        .await;
    let e = res.err(400, "invalid_input");
    let msg = e["message"].as_str().unwrap();
    assert!(msg.starts_with("3 Input Errors: "), "{msg}");
    let tree = &e["validation_errors"];
    assert_eq!(
        tree["device_ids"]["_errors"],
        json!(["Expected array, received string"])
    );
    assert_eq!(
        tree["name"]["_errors"],
        json!(["Expected string, received number"])
    );
    assert_eq!(
        tree["behavior_when_code_cannot_be_shared"]["_errors"],
        json!(["Expected string, received boolean"])
    );

    // Problems inside an array are nested by index.
    let res = app
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": [dev("august_device_1"), 7] }),
        )
        .await;
    let e = res.err(400, "invalid_input");
    assert_eq!(
        e["validation_errors"]["device_ids"]["1"]["_errors"],
        json!(["Expected string, received number"])
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    // `ok()` and `err()` check the header; cover success, 400, 401, 404 and 405.
    app.post("/devices/list", json!({})).await.ok();
    app.post("/devices/list", json!({ "device_ids": 1 }))
        .await
        .err(400, "invalid_input");
    app.post_open("/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    app.post("/no/such/route", json!({}))
        .await
        .err(404, "not_found");
    app.delete("/devices/list")
        .await
        .err(405, "method_not_allowed");
    let a = app.send(app.raw(Method::GET, "/health")).await;
    let b = app.send(app.raw(Method::GET, "/health")).await;
    assert_ne!(
        a.header("seam-request-id"),
        b.header("seam-request-id"),
        "request ids are per request"
    );
}

#[tokio::test]
async fn cors_preflight_needs_no_credentials_and_echoes_the_origin() {
    let app = TestApp::spawn().await;
    let origin = "http://app.example.test";
    let res = app
        .send(
            app.raw(Method::OPTIONS, "/access_codes/create_multiple")
                .header("origin", origin)
                .header("access-control-request-method", "PUT")
                .header(
                    "access-control-request-headers",
                    "authorization,content-type,seam-workspace,seam-client-session-token",
                ),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.text.is_empty(), "preflight body: {:?}", res.text);
    assert_eq!(res.header("access-control-allow-origin"), Some(origin));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    let methods = res
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        assert!(methods.contains(m), "{m} missing from {methods}");
    }
    let headers = res
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for h in [
        "authorization",
        "content-type",
        "seam-workspace",
        "client-session-token",
        "seam-client-session-token",
        "seam-publishable-key",
        "seam-sdk-name",
        "seam-sdk-version",
        "seam-lts-version",
    ] {
        assert!(headers.contains(h), "{h} missing from {headers}");
    }

    // A real request from that origin gets the origin back too.
    let res = app
        .send(
            app.authed(Method::POST, "/devices/list")
                .header("origin", origin)
                .json(&json!({})),
        )
        .await;
    res.ok();
    assert_eq!(res.header("access-control-allow-origin"), Some(origin));
}

#[tokio::test]
async fn sdk_headers_are_accepted_and_never_required() {
    let app = TestApp::spawn().await;
    let res = app
        .send(
            app.authed(Method::POST, "/devices/list")
                .header("seam-sdk-name", "seamapi/javascript-http")
                .header("seam-sdk-version", "1.0.0")
                .header("seam-lts-version", "1.0.0")
                .header("user-agent", "test")
                .json(&json!({})),
        )
        .await;
    assert_eq!(
        res.ok()["devices"].as_array().unwrap().len(),
        seed::DEVICES.len()
    );
}

#[tokio::test]
async fn an_unknown_route_is_a_json_404() {
    let app = TestApp::spawn().await;
    app.post("/devices/explode", json!({}))
        .await
        .err(404, "not_found");
    app.send(app.raw(Method::GET, "/nothing/here"))
        .await
        .err(404, "not_found");
}

#[tokio::test]
async fn a_wrong_verb_is_a_json_405() {
    let app = TestApp::spawn().await;
    app.delete("/devices/list")
        .await
        .err(405, "method_not_allowed");
    app.get("/access_codes/create_multiple")
        .await
        .err(405, "method_not_allowed");
    app.send(app.authed(Method::PATCH, "/devices/get").json(&json!({})))
        .await
        .err(405, "method_not_allowed");
}

#[tokio::test]
async fn authentication_comes_before_method_and_validation() {
    let app = TestApp::spawn().await;
    app.send(app.raw(Method::DELETE, "/devices/list"))
        .await
        .err(401, "unauthorized");
    app.post_open("/devices/list", json!({ "device_ids": 4242 }))
        .await
        .err(401, "unauthorized");
    app.send(
        app.raw(Method::POST, "/access_codes/create_multiple")
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await
    .err(401, "unauthorized");
}

#[tokio::test]
async fn malformed_json_is_invalid_input() {
    let app = TestApp::spawn().await;
    app.post_raw(
        "/devices/list",
        Some("application/json"),
        "{\"device_ids\": [",
    )
    .await
    .err(400, "invalid_input");
    // A JSON value that is not an object is no parameter set either.
    app.post_raw("/devices/list", Some("application/json"), "[1, 2]")
        .await
        .err(400, "invalid_input");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_invalid_content_type() {
    let app = TestApp::spawn().await;
    app.post_raw("/devices/list", Some("text/plain"), "hello")
        .await
        .err(400, "invalid_content_type");
    app.post_raw(
        "/devices/list",
        Some("application/x-www-form-urlencoded"),
        "device_type=august_lock",
    )
    .await
    .err(400, "invalid_content_type");
}

#[tokio::test]
async fn an_empty_body_is_an_empty_object_whatever_its_content_type() {
    let app = TestApp::spawn().await;
    for ct in [
        Some("application/x-www-form-urlencoded"),
        Some("application/json"),
        Some("text/plain"),
        None,
    ] {
        let res = app.post_raw("/devices/list", ct, "").await;
        assert_eq!(
            res.ok()["devices"].as_array().unwrap().len(),
            seed::DEVICES.len(),
            "content type {ct:?}"
        );
        // `{}` for create_multiple: the required field is missing, not the body unreadable.
        let res = app.post_raw("/access_codes/create_multiple", ct, "").await;
        let e = res.err(400, "invalid_input");
        assert_eq!(e["message"], json!("device_ids is required"), "{ct:?}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_json_413() {
    let app = TestApp::spawn_with(&["--max-body-bytes", "1024"]).await;
    let big = json!({ "device_ids": [dev("august_device_1")], "name": "x".repeat(4096) });
    app.post("/access_codes/create_multiple", big)
        .await
        .err(413, "payload_too_large");
    assert_eq!(
        app.codes_on(&dev("august_device_1")).await,
        Vec::<Value>::new()
    );
    // Under the limit, the same server serves as usual.
    let small = json!({ "device_ids": [dev("august_device_1")], "name": "x" });
    app.post("/access_codes/create_multiple", small).await.ok();
}

#[tokio::test]
async fn no_failure_is_ever_text_plain() {
    let app = TestApp::spawn_with(&["--max-body-bytes", "64"]).await;
    // `send` refuses any non-JSON body; here each failure mode in turn.
    let cases = [
        app.raw(Method::GET, "/devices/list"),
        app.authed(Method::GET, "/"),
        app.authed(Method::PUT, "/devices/list").json(&json!({})),
        app.authed(Method::POST, "/devices/list")
            .header("content-type", "application/json")
            .body("nope"),
        app.authed(Method::POST, "/devices/list")
            .header("content-type", "application/xml")
            .body("<a/>"),
        app.authed(Method::POST, "/devices/list")
            .json(&json!({ "x": "y".repeat(200) })),
        app.authed(Method::POST, "/devices/list")
            .json(&json!({ "limit": -1 })),
        app.raw(Method::POST, "/devices/list")
            .header("authorization", "Token abc"),
        app.as_token("seam_unknown", Method::POST, "/devices/list"),
    ];
    for rb in cases {
        let res = app.send(rb).await;
        assert!(res.status >= 400, "{}: {}", res.what, res.status);
        assert_eq!(res.header("content-type"), Some(JSON_UTF8), "{}", res.what);
        assert_eq!(res.json["ok"], json!(false), "{}", res.what);
        assert!(res.json["error"]["type"].is_string(), "{}", res.what);
    }
    // The Bearer token is never echoed back.
    let res = app
        .send(app.as_token("seam_secret_value", Method::POST, "/devices/list"))
        .await;
    assert!(!res.text.contains("seam_secret_value"));
}
