//! Fault rules (issue 21, contract §14): `/_fake/faults/*`, every HTTP effect (Seam errors,
//! empty outages, delays before and after, dropped connections before and after, rate limits)
//! and every matcher (path exact and glob, method, workspace, device, credential), `times`,
//! `after` and a seeded `probability`, and what shows of them (the journal's `fault_id`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{KEY_2, Res, TestApp, dev};

/// Makes a rule that must be accepted; returns it.
async fn fault(app: &TestApp, rule: Value) -> Value {
    app.post_open("/_fake/faults/create", rule).await.ok()["fault"].clone()
}

async fn faults(app: &TestApp) -> Vec<Value> {
    app.send(app.raw(Method::GET, "/_fake/faults/list"))
        .await
        .ok()["faults"]
        .as_array()
        .expect("faults is an array")
        .clone()
}

/// The journal, oldest first.
async fn journal(app: &TestApp) -> Vec<Value> {
    app.send(app.raw(Method::GET, "/_fake/requests")).await.ok()["requests"]
        .as_array()
        .expect("requests is an array")
        .clone()
}

fn statuses(rs: &[Res]) -> Vec<u16> {
    rs.iter().map(|r| r.status).collect()
}

async fn list_devices(app: &TestApp, n: usize) -> Vec<Res> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(app.get("/devices/list").await);
    }
    out
}

/// Sends `request` on a fresh connection and reads until the server closes it: the bytes the
/// client saw (a connection reset counts as the end).
async fn exchange(addr: SocketAddr, request: String) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(request.as_bytes()).await.expect("send");
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut seen))
        .await
        .expect("the server closes the connection");
    seen
}

/// A create_multiple on one lock as raw HTTP/1.1, closing after the answer.
fn raw_create(device: &str) -> String {
    let body = json!({ "device_ids": [device], "name": "Raw" }).to_string();
    format!(
        "PUT /access_codes/create_multiple HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        seed::API_KEY_1,
        body.len()
    )
}

#[tokio::test]
async fn rules_are_made_listed_deleted_cleared_and_reset() {
    let app = TestApp::spawn().await;
    assert!(faults(&app).await.is_empty());
    let a = fault(
        &app,
        json!({"match": {"path": "/devices/list", "method": "get"},
               "effect": {"respond": {"status": 503, "empty_body": true}}, "times": 2}),
    )
    .await;
    assert_eq!(
        a["match"],
        json!({"path": "/devices/list", "method": "GET"})
    );
    assert_eq!(
        a["effect"],
        json!({"respond": {"status": 503, "empty_body": true}})
    );
    assert_eq!(
        (a["times"].clone(), a["after"].clone(), a["hits"].clone()),
        (json!(2), json!(0), json!(0))
    );
    assert_eq!(a["probability"], Value::Null);
    assert!(crate::helpers::is_js_iso(a["created_at"].as_str().unwrap()));
    let b = fault(&app, json!({"effect": {"delay_ms": 1}})).await;
    let listed = faults(&app).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["fault_id"], a["fault_id"]);
    assert_eq!(listed[1]["match"], json!({}));
    assert_eq!(
        listed[1]["effect"],
        json!({"delay_ms": 1, "when": "before"})
    );

    app.post_open("/_fake/faults/delete", json!({"fault_id": a["fault_id"]}))
        .await
        .ok();
    app.post_open("/_fake/faults/delete", json!({"fault_id": a["fault_id"]}))
        .await
        .err(404, "fault_not_found");
    app.post_open("/_fake/faults/delete", json!({"fault_id": "nope"}))
        .await
        .err(404, "fault_not_found");
    assert_eq!(faults(&app).await[0]["fault_id"], b["fault_id"]);
    app.post_open("/_fake/faults/clear", json!({})).await.ok();
    assert!(faults(&app).await.is_empty());

    fault(
        &app,
        json!({"effect": {"respond": {"status": 503, "empty_body": true}}}),
    )
    .await;
    assert_eq!(app.get("/devices/list").await.status, 503);
    let lock = dev("august_device_1");
    fault(
        &app,
        json!({"match": {"device_id": lock}, "effect": {"access_code_delay_s": 60}}),
    )
    .await;
    app.post_open("/_fake/reset", json!({})).await.ok();
    assert!(faults(&app).await.is_empty());
    app.get("/devices/list").await.ok();
    let code = app.create_ok(json!({"device_ids": [lock]})).await[0]["access_code_id"].clone();
    let got = app
        .post("/access_codes/get", json!({"access_code_id": code}))
        .await;
    assert_eq!(got.ok()["access_code"]["status"], "set");
}

#[tokio::test]
async fn a_bad_rule_is_invalid_input_naming_each_field_and_makes_nothing() {
    let app = TestApp::spawn().await;
    let r = app
        .post_open(
            "/_fake/faults/create",
            json!({"match": {"path": "/a/[b", "workspace_id": "w", "credentials": "api_key"},
                   "effect": {"respond": {"status": 200, "error_type": "x"}, "when": "later"},
                   "times": 0, "probability": 2}),
        )
        .await;
    let e = r.err(400, "invalid_input");
    let v = &e["validation_errors"];
    assert_eq!(
        v["match"]["_errors"],
        json!(["Unrecognized key(s) in object: 'credentials'"])
    );
    assert!(
        v["match"]["path"]["_errors"][0]
            .as_str()
            .unwrap()
            .starts_with("Invalid glob")
    );
    assert_eq!(
        v["match"]["workspace_id"]["_errors"],
        json!(["Invalid uuid"])
    );
    assert_eq!(
        v["effect"]["respond"]["status"]["_errors"],
        json!(["Number must be greater than or equal to 400"])
    );
    assert!(
        v["effect"]["when"]["_errors"][0]
            .as_str()
            .unwrap()
            .contains("'before' | 'after'")
    );
    assert_eq!(
        v["times"]["_errors"],
        json!(["Number must be greater than or equal to 1"])
    );
    assert_eq!(
        v["probability"]["_errors"],
        json!(["Number must be between 0 and 1"])
    );
    app.post_open("/_fake/faults/create", json!({"match": {}}))
        .await
        .err(400, "invalid_input");
    let device = app
        .post_open(
            "/_fake/faults/create",
            json!({"match": {"device_id": dev("august_device_1")},
                   "effect": {"access_code_error": "jammed_on_device"}}),
        )
        .await;
    let e = device.err(400, "invalid_input");
    assert!(
        e["validation_errors"]["effect"]["access_code_error"].is_object(),
        "{e}"
    );
    assert!(faults(&app).await.is_empty());
}

#[tokio::test]
async fn respond_answers_seams_envelope_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    let before = app.snapshot(&[&august]).await;
    let rule = fault(
        &app,
        json!({"match": {"path": "/access_codes/create_multiple"},
               "effect": {"respond": {"status": 500, "error_type": "internal_server_error",
                                      "message": "Simulated"}}}),
    )
    .await;
    let r = app.create_multiple(json!({"device_ids": [august]})).await;
    let e = r.err(500, "internal_server_error");
    assert_eq!(e["message"], "Simulated");
    assert_eq!(app.snapshot(&[&august]).await, before);
    // Another path is untouched.
    app.get("/devices/list").await.ok();

    let entries = journal(&app).await;
    let faulted = entries
        .iter()
        .find(|e| e["path"] == "/access_codes/create_multiple")
        .unwrap();
    assert_eq!(faulted["fault_id"], rule["fault_id"]);
    assert_eq!(faulted["status"], 500);
    assert_eq!(faulted["error_type"], "internal_server_error");
    assert_eq!(faulted["workspace_id"], json!(seed::WORKSPACE_1));
    assert_eq!(entries.last().unwrap()["path"], "/devices/list");
    assert_eq!(entries.last().unwrap()["fault_id"], Value::Null);
    assert_eq!(faults(&app).await[0]["hits"], 1);
}

#[tokio::test]
async fn an_outage_is_an_empty_503_with_a_request_id() {
    let app = TestApp::spawn().await;
    fault(
        &app,
        json!({"match": {"path": "/devices/*"}, "effect": {"respond": {"status": 503, "empty_body": true}}}),
    )
    .await;
    for path in ["/devices/list", "/devices/get?name=Front%20Door"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 503, "{path}");
        assert!(r.text.is_empty());
        assert!(r.header("seam-request-id").unwrap().starts_with("request"));
    }
    // The glob stays within one segment, and the control surface is never faulted.
    app.get(&format!(
        "/access_codes/list?device_id={}",
        dev("august_device_1")
    ))
    .await
    .ok();
    app.send(app.raw(Method::GET, "/health")).await.ok();
    fault(&app, json!({"match": {"path": "/**"}, "effect": {"respond": {"status": 503, "empty_body": true}}})).await;
    assert_eq!(app.get("/locks/list").await.status, 503);
    app.post_open("/_fake/faults/clear", json!({})).await.ok();
    app.get("/locks/list").await.ok();
}

#[tokio::test]
async fn method_workspace_and_credential_narrow_a_rule() {
    let app = TestApp::spawn().await;
    let teapot = json!({"respond": {"status": 418, "error_type": "teapot"}});
    fault(
        &app,
        json!({"match": {"method": "POST", "workspace_id": seed::WORKSPACE_1,
                                  "credential": "api_key"}, "effect": teapot}),
    )
    .await;
    app.get("/devices/list").await.ok();
    app.post_as(KEY_2, "/devices/list", json!({})).await.ok();
    app.post_as(seed::CLIENT_SESSION_TOKEN_1, "/devices/list", json!({}))
        .await
        .ok();
    app.post("/devices/list", json!({}))
        .await
        .err(418, "teapot");
    // Without a valid credential no workspace opens: the rule does not match, auth answers.
    app.post_as("seam_nope", "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");

    app.post_open("/_fake/faults/clear", json!({})).await.ok();
    fault(
        &app,
        json!({"match": {"credential": "client_session"}, "effect": teapot}),
    )
    .await;
    app.post("/devices/list", json!({})).await.ok();
    app.post_as(seed::CLIENT_SESSION_TOKEN_1, "/devices/list", json!({}))
        .await
        .err(418, "teapot");
}

#[tokio::test]
async fn a_device_rule_matches_device_id_device_ids_and_the_codes_device() {
    let app = TestApp::spawn().await;
    let (august, nuki) = (dev("august_device_1"), dev("nuki_device_1"));
    let code = app
        .post(
            "/access_codes/create",
            json!({"device_id": august, "code": "4821"}),
        )
        .await
        .ok()["access_code"]["access_code_id"]
        .clone();
    let other = app
        .post("/access_codes/create", json!({"device_id": nuki}))
        .await
        .ok()["access_code"]["access_code_id"]
        .clone();
    fault(
        &app,
        json!({"match": {"device_id": august},
                       "effect": {"respond": {"status": 409, "error_type": "busy"}}}),
    )
    .await;
    app.get(&format!("/devices/get?device_id={august}"))
        .await
        .err(409, "busy");
    app.get(&format!("/devices/get?device_id={nuki}"))
        .await
        .ok();
    app.create_multiple(json!({"device_ids": [nuki, august]}))
        .await
        .err(409, "busy");
    app.create_multiple(json!({"device_ids": [nuki]}))
        .await
        .ok();
    app.delete(&format!(
        "/access_codes/delete?access_code_id={}",
        code.as_str().unwrap()
    ))
    .await
    .err(409, "busy");
    app.post("/access_codes/get", json!({"access_code_id": code}))
        .await
        .err(409, "busy");
    app.post("/access_codes/get", json!({"access_code_id": other}))
        .await
        .ok();
    // The code is still there: nothing ran.
    let db = app.database().await;
    assert!(
        db["access_codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["access_code_id"] == code)
    );
    assert_eq!(faults(&app).await[0]["hits"], 4);
}

#[tokio::test]
async fn after_passes_requests_then_times_retires_the_rule() {
    let app = TestApp::spawn().await;
    let rule = fault(
        &app,
        json!({"match": {"path": "/devices/list"}, "after": 2, "times": 2,
               "effect": {"respond": {"status": 503, "error_type": "service_unavailable"}}}),
    )
    .await;
    let got = list_devices(&app, 6).await;
    assert_eq!(statuses(&got), [200, 200, 503, 503, 200, 200]);
    let listed = faults(&app).await;
    assert_eq!(listed[0]["hits"], 2);
    assert_eq!(listed[0]["times"], 2);
    let ids: Vec<Value> = journal(&app)
        .await
        .iter()
        .map(|e| e["fault_id"].clone())
        .collect();
    let f = rule["fault_id"].clone();
    assert_eq!(
        ids,
        [
            Value::Null,
            Value::Null,
            f.clone(),
            f,
            Value::Null,
            Value::Null
        ]
    );
}

/// The statuses of 30 `/devices/list` calls under a rule with probability 0.5.
async fn drawn(seed: &str) -> Vec<u16> {
    let app = TestApp::spawn_with(&["--rng-seed", seed]).await;
    fault(
        &app,
        json!({"match": {"path": "/devices/list"}, "probability": 0.5,
               "effect": {"respond": {"status": 503, "empty_body": true}}}),
    )
    .await;
    statuses(&list_devices(&app, 30).await)
}

#[tokio::test]
async fn the_same_rng_seed_fails_the_same_requests() {
    let a = drawn("42").await;
    assert_eq!(a, drawn("42").await);
    assert_ne!(a, drawn("43").await);
    let failed = a.iter().filter(|s| **s == 503).count();
    assert!((5..=25).contains(&failed), "{a:?}");
}

#[tokio::test]
async fn a_delay_holds_one_answer_and_not_the_others() {
    let app = TestApp::spawn().await;
    fault(
        &app,
        json!({"match": {"path": "/devices/list"}, "effect": {"delay_ms": 1500}}),
    )
    .await;
    let started = Instant::now();
    let slow = tokio::spawn({
        let (client, url) = (app.client.clone(), app.url("/devices/list"));
        async move {
            client
                .get(url)
                .bearer_auth(seed::API_KEY_1)
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    // Meanwhile other requests are answered at once.
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.get("/locks/list").await.ok();
    assert!(!slow.is_finished(), "the delayed request is still held");
    assert_eq!(slow.await.unwrap(), 200);
    assert!(started.elapsed() >= Duration::from_millis(1500));
}

#[tokio::test]
async fn a_delay_after_commits_first_then_holds_the_answer() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    fault(
        &app,
        json!({"match": {"path": "/access_codes/create_multiple"},
               "effect": {"delay_ms": 3000, "when": "after"}}),
    )
    .await;
    let pending = tokio::spawn({
        let (client, url, august) = (
            app.client.clone(),
            app.url("/access_codes/create_multiple"),
            august.clone(),
        );
        async move {
            client
                .put(url)
                .bearer_auth(seed::API_KEY_1)
                .json(&json!({"device_ids": [august], "name": "Late"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    // The code shows while its answer is still held.
    let mut seen = false;
    for _ in 0..50 {
        if app
            .codes_on(&august)
            .await
            .iter()
            .any(|c| c["name"] == "Late")
        {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert!(seen, "the request committed before its answer");
    assert!(!pending.is_finished());
    assert_eq!(pending.await.unwrap(), 200);
}

#[tokio::test]
async fn a_dropped_connection_shows_no_status_line_and_runs_nothing() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    // Without a rule: a whole answer.
    let normal = exchange(app.addr, raw_create(&august)).await;
    assert!(
        normal.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&normal)
    );
    let rule = fault(
        &app,
        json!({"match": {"path": "/access_codes/create_multiple"}, "effect": {"drop_connection": true}}),
    )
    .await;
    let before = app.codes_on(&august).await.len();
    let seen = exchange(app.addr, raw_create(&august)).await;
    assert!(seen.is_empty(), "{}", String::from_utf8_lossy(&seen));
    assert_eq!(app.codes_on(&august).await.len(), before);
    let creates: Vec<Value> = journal(&app)
        .await
        .into_iter()
        .filter(|e| e["path"] == "/access_codes/create_multiple")
        .collect();
    assert_eq!(creates[0]["fault_id"], Value::Null);
    assert_eq!(creates[1]["fault_id"], rule["fault_id"]);
    // Other connections go on.
    app.get("/devices/list").await.ok();
}

#[tokio::test]
async fn a_connection_dropped_after_commits_the_request_and_loses_its_answer() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    fault(
        &app,
        json!({"match": {"path": "/access_codes/create_multiple", "method": "PUT"},
               "effect": {"drop_connection": true, "when": "after"}, "times": 1}),
    )
    .await;
    let before = app.codes_on(&august).await.len();
    let seen = exchange(app.addr, raw_create(&august)).await;
    assert!(seen.is_empty(), "{}", String::from_utf8_lossy(&seen));
    assert_eq!(app.codes_on(&august).await.len(), before + 1);
    // What a retrying SDK does next: the PUT again, answered this time — two codes.
    let again = exchange(app.addr, raw_create(&august)).await;
    assert!(again.starts_with(b"HTTP/1.1 200"));
    assert_eq!(app.codes_on(&august).await.len(), before + 2);
    assert_eq!(journal(&app).await.last().unwrap()["status"], 200);
}

#[tokio::test]
async fn a_rate_limit_answers_429_with_retry_after_per_workspace() {
    let app = TestApp::spawn().await;
    let rule = fault(
        &app,
        json!({"match": {"path": "/devices/list"},
               "effect": {"rate_limit": {"requests": 2, "per_seconds": 1}}}),
    )
    .await;
    let got = list_devices(&app, 3).await;
    assert_eq!(statuses(&got), [200, 200, 429]);
    let e = got[2].err(429, "rate_limited");
    assert!(e["message"].as_str().unwrap().contains("retry"));
    assert_eq!(got[2].header("retry-after"), Some("1"));
    // Another workspace has its own window.
    app.post_as(KEY_2, "/devices/list", json!({})).await.ok();
    // Another path is not limited.
    app.get("/locks/list").await.ok();
    assert_eq!(faults(&app).await[0]["hits"], 1);
    let last = journal(&app).await;
    assert_eq!(last[2]["fault_id"], rule["fault_id"]);
    assert_eq!(last[2]["error_type"], "rate_limited");
    // The next window lets requests through again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    app.get("/devices/list").await.ok();
}

#[tokio::test]
async fn respond_with_a_delay_waits_then_answers() {
    let app = TestApp::spawn().await;
    fault(
        &app,
        json!({"match": {"path": "/devices/list"},
               "effect": {"respond": {"status": 504, "error_type": "gateway_timeout"}, "delay_ms": 300}}),
    )
    .await;
    let started = Instant::now();
    app.get("/devices/list").await.err(504, "gateway_timeout");
    assert!(started.elapsed() >= Duration::from_millis(300));
}
