//! The request journal (issue 13): every Seam-API request recorded with what came back, its
//! filters, the ring bound, clearing, and no secret in it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{KEY_1, TestApp, dev, is_js_iso};

/// `GET /_fake/requests` with a query string: the entries.
async fn journal(app: &TestApp, query: &str) -> Vec<Value> {
    app.send(app.raw(Method::GET, &format!("/_fake/requests{query}")))
        .await
        .ok()["requests"]
        .as_array()
        .expect("requests is an array")
        .clone()
}

fn paths(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn records_what_was_sent_and_what_came_back() {
    let app = TestApp::spawn().await;
    let body =
        json!({"device_ids": [dev("august_device_1"), dev("nuki_device_1")], "name": "Guest"});
    let sent = std::time::Instant::now();
    let created = app.create_multiple(body.clone()).await;
    // The client's wait bounds the server's own measure from above.
    let waited_ms = sent.elapsed().as_secs_f64() * 1000.0;
    created.ok();
    let got = app
        .get(&format!("/devices/get?device_id={}", dev("nuki_device_1")))
        .await;
    got.ok();
    let bad = app
        .post("/access_codes/create", json!({"device_id": 4242}))
        .await;
    bad.err(400, "invalid_input");
    app.send(app.raw(Method::POST, "/devices/list").json(&json!({})))
        .await
        .err(401, "unauthorized");
    app.post_as("seam_cst_nope", "/devices/list", json!({}))
        .await
        .err(401, "client_session_not_found");
    // Not journaled: the fake surface, health, the document.
    app.send(app.raw(Method::GET, "/health")).await.ok();
    app.send(app.raw(Method::GET, "/_fake/default_seed"))
        .await
        .ok();

    let entries = journal(&app, "").await;
    assert_eq!(
        paths(&entries),
        [
            "/access_codes/create_multiple",
            "/devices/get",
            "/access_codes/create",
            "/devices/list",
            "/devices/list"
        ]
    );
    let e = &entries[0];
    let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "request_id",
        "received_at",
        "method",
        "path",
        "query",
        "body",
        "status",
        "error_type",
        "duration_ms",
        "workspace_id",
        "credential",
    ] {
        assert!(keys.contains(&k), "entry lacks {k}: {e}");
    }
    assert_eq!(
        e["request_id"].as_str(),
        created.header("seam-request-id"),
        "the journal names the id the response carried"
    );
    assert!(is_js_iso(e["received_at"].as_str().unwrap()), "{e}");
    assert_eq!(e["method"], "PUT");
    assert_eq!(e["query"], json!({}));
    assert_eq!(e["body"], body);
    assert_eq!(e["status"], 200);
    assert_eq!(e["error_type"], Value::Null);
    let took = e["duration_ms"].as_f64().expect("duration_ms is a number");
    assert!(
        took > 0.0 && took <= waited_ms,
        "duration_ms {took} outside (0, {waited_ms}]"
    );
    assert_eq!(e["workspace_id"], "5ea10001-0000-4000-8000-000000000001");
    assert_eq!(e["credential"], "api_key");

    let g = &entries[1];
    assert_eq!(g["method"], "GET");
    assert_eq!(g["query"], json!({"device_id": dev("nuki_device_1")}));
    assert_eq!(g["body"], Value::Null);
    assert_eq!(g["request_id"].as_str(), got.header("seam-request-id"));

    assert_eq!(entries[2]["status"], 400);
    assert_eq!(entries[2]["error_type"], "invalid_input");
    assert_eq!(entries[2]["body"], json!({"device_id": 4242}));

    assert_eq!(entries[3]["status"], 401);
    assert_eq!(entries[3]["error_type"], "unauthorized");
    assert_eq!(entries[3]["workspace_id"], Value::Null);
    assert_eq!(entries[3]["credential"], Value::Null);
    assert_eq!(entries[4]["credential"], "client_session");
    assert_eq!(entries[4]["workspace_id"], Value::Null);
}

#[tokio::test]
async fn holds_no_token_or_secret() {
    let app = TestApp::spawn().await;
    app.post("/devices/list", json!({})).await.ok();
    app.post_as("seam_cst1_token", "/devices/list", json!({}))
        .await
        .ok();
    app.send(
        app.as_token("seam_at1_longtoken", Method::POST, "/devices/list")
            .header("seam-workspace", "5ea10001-0000-4000-8000-000000000001")
            .json(&json!({})),
    )
    .await
    .ok();
    app.post_as("seam_apikey_wrong_secret", "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    let res = app.send(app.raw(Method::GET, "/_fake/requests")).await;
    let kinds: Vec<&str> = res.ok()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["credential"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "api_key",
            "client_session",
            "personal_access_token",
            "api_key"
        ]
    );
    for secret in [
        KEY_1,
        "seam_cst1_token",
        "seam_at1_longtoken",
        "seam_apikey_wrong_secret",
        "Bearer",
    ] {
        assert!(
            !res.text.contains(secret),
            "the journal leaks {secret}: {}",
            res.text
        );
    }
}

#[tokio::test]
async fn filters_by_workspace_method_path_status_time_and_limit() {
    let app = TestApp::spawn().await;
    app.post("/devices/list", json!({})).await.ok();
    app.get("/devices/list").await.ok();
    app.post_as(crate::helpers::KEY_2, "/devices/list", json!({}))
        .await
        .ok();
    // A second on the server clock between the two halves: requests take well under a
    // millisecond, so `since` read at "now" could share its millisecond with the last one.
    let since = app.advance(1).await;
    app.post("/access_codes/get", json!({"access_code_id": "nope"}))
        .await
        .err(404, "access_code_not_found");
    app.create_multiple(json!({"device_ids": [dev("august_device_1")]}))
        .await
        .ok();

    let ws1 = "5ea10001-0000-4000-8000-000000000001";
    let ws2 = "5ea10001-0000-4000-8000-000000000002";
    assert_eq!(journal(&app, "").await.len(), 5);
    assert_eq!(
        paths(&journal(&app, &format!("?workspace_id={ws2}")).await),
        ["/devices/list"]
    );
    assert_eq!(
        journal(&app, &format!("?workspace_id={ws1}")).await.len(),
        4
    );
    let gets = journal(&app, "?method=get").await;
    assert_eq!(gets.len(), 1);
    assert_eq!(gets[0]["method"], "GET");
    assert_eq!(journal(&app, "?path=/devices/list").await.len(), 3);
    assert_eq!(
        paths(&journal(&app, "?status=404").await),
        ["/access_codes/get"]
    );
    let since = since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    assert_eq!(
        paths(&journal(&app, &format!("?since={since}")).await),
        ["/access_codes/get", "/access_codes/create_multiple"]
    );
    // The most recent matches, still oldest first.
    assert_eq!(
        paths(&journal(&app, "?limit=2").await),
        ["/access_codes/get", "/access_codes/create_multiple"]
    );
    // POST with a JSON body filters the same way.
    let res = app
        .send(
            app.raw(Method::POST, "/_fake/requests")
                .json(&json!({"path": "/devices/list", "method": "POST", "workspace_id": ws1})),
        )
        .await;
    assert_eq!(res.ok()["requests"].as_array().unwrap().len(), 1);

    // Bad filters are Seam-shaped 400s.
    let res = app
        .send(app.raw(
            Method::GET,
            "/_fake/requests?status=abc&since=yesterday&limit=0&workspace_id=x",
        ))
        .await;
    let e = res.err(400, "invalid_input");
    for field in ["status", "since", "workspace_id"] {
        assert!(
            e["validation_errors"][field]["_errors"].is_array(),
            "{field}: {e}"
        );
    }
    let res = app
        .send(app.raw(Method::GET, "/_fake/requests?limit=0&status=700"))
        .await;
    let e = res.err(400, "invalid_input");
    assert!(e["validation_errors"]["limit"]["_errors"].is_array(), "{e}");
    assert!(
        e["validation_errors"]["status"]["_errors"].is_array(),
        "{e}"
    );
}

#[tokio::test]
async fn keeps_the_last_journal_size_requests_and_clears() {
    let app = TestApp::spawn_with(&["--journal-size", "3"]).await;
    for i in 0..5 {
        app.post("/devices/list", json!({"limit": i + 1}))
            .await
            .ok();
    }
    let entries = journal(&app, "").await;
    let limits: Vec<&Value> = entries.iter().map(|e| &e["body"]["limit"]).collect();
    assert_eq!(limits, [&json!(3), &json!(4), &json!(5)]);

    app.send(app.raw(Method::POST, "/_fake/requests/clear"))
        .await
        .ok();
    assert!(journal(&app, "").await.is_empty());
    app.post("/devices/list", json!({})).await.ok();
    assert_eq!(journal(&app, "").await.len(), 1);

    let off = TestApp::spawn_with(&["--journal-size", "0"]).await;
    off.post("/devices/list", json!({})).await.ok();
    assert!(journal(&off, "").await.is_empty());
}

#[tokio::test]
async fn any_json_body_is_kept_and_an_oversized_one_gets_its_413_without_body() {
    let app = TestApp::spawn_with(&["--max-body-bytes", "64"]).await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(200));
    app.post_raw("/devices/list", Some("application/json"), &big)
        .await
        .err(413, "payload_too_large");
    app.post_raw("/devices/list", Some("application/json"), "[1, 2]")
        .await
        .err(400, "invalid_input");
    let entries = journal(&app, "").await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["status"], 413);
    assert_eq!(entries[0]["body"], Value::Null);
    assert_eq!(entries[1]["body"], json!([1, 2]));
}
