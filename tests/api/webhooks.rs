//! Webhooks (contract §11) against a real receiver: an axum server on `127.0.0.1:0` inside the
//! test that records every POST. Signatures are checked here with `hmac` + `sha2`, apart from
//! the server's signer; bodies are compared with `/events/get`. Also ordering, `event_types`
//! filters, retries moved along by `/_fake/advance_time`, a hanging receiver that leaves
//! request latency alone, deletion, workspace isolation and `/_fake/webhook_deliveries`.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};
use std::time::{Duration, Instant};

use axum::{Router, body::Bytes, extract::State, http::HeaderMap, http::StatusCode};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{KEY_2, TestApp, dev, parse_time};

/// How the receiver answers.
#[derive(Clone, Copy)]
enum Mode {
    /// 200 to everything.
    Ok,
    /// This status to the first `n` posts, then 200.
    FailFirst(u16, usize),
    /// Never answers.
    Hang,
}

/// One POST the receiver got.
#[derive(Clone, Debug)]
struct Got {
    headers: HeaderMap,
    body: String,
}

#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Got>>>,
}

#[derive(Clone)]
struct RxState {
    mode: Mode,
    seen: Arc<AtomicUsize>,
    got: Arc<Mutex<Vec<Got>>>,
}

async fn receive(State(s): State<RxState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = s.seen.fetch_add(1, Ordering::SeqCst);
    s.got.lock().unwrap().push(Got {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    match s.mode {
        Mode::Ok => StatusCode::OK,
        Mode::FailFirst(code, k) if n < k => StatusCode::from_u16(code).unwrap(),
        Mode::FailFirst(..) => StatusCode::NO_CONTENT,
        Mode::Hang => std::future::pending().await,
    }
}

impl Receiver {
    async fn start(mode: Mode) -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let state = RxState {
            mode,
            seen: Arc::new(AtomicUsize::new(0)),
            got: got.clone(),
        };
        let app = Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, got }
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until at least `n` posts arrived; returns them.
    async fn wait_for(&self, n: usize) -> Vec<Got> {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.got();
            if got.len() >= n || Instant::now() > until {
                assert!(got.len() >= n, "expected {n} posts, got {}", got.len());
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Checks a delivery as Svix's verifier would, with our own HMAC: both header sets, the
/// timestamp near the wall clock, the `v1,` signature over `{id}.{timestamp}.{body}`.
#[track_caller]
fn verify(secret: &str, got: &Got) -> Value {
    let h = |n: &str| {
        got.headers
            .get(n)
            .unwrap_or_else(|| panic!("no {n} header"))
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(h("content-type"), "application/json");
    let (id, ts, sig) = (h("svix-id"), h("svix-timestamp"), h("svix-signature"));
    assert_eq!(h("webhook-id"), id);
    assert_eq!(h("webhook-timestamp"), ts);
    assert_eq!(h("webhook-signature"), sig);
    let ts_n: i64 = ts.parse().expect("unix seconds");
    assert!(
        (Utc::now().timestamp() - ts_n).abs() < 300,
        "timestamp {ts}"
    );
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ secret"))
        .expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{}", got.body).as_bytes());
    let want = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(sig, want, "signature");
    serde_json::from_str(&got.body).expect("JSON body")
}

async fn create_webhook(app: &TestApp, url: &str, event_types: Option<Value>) -> Value {
    let mut body = json!({ "url": url });
    if let Some(t) = event_types {
        body["event_types"] = t;
    }
    app.post("/webhooks/create", body).await.ok()["webhook"].clone()
}

async fn create_code(app: &TestApp, device: &str, name: &str) -> Value {
    app.post(
        "/access_codes/create",
        json!({ "device_id": dev(device), "name": name }),
    )
    .await
    .ok()["access_code"]
        .clone()
}

async fn deliveries(app: &TestApp, filter: Value) -> Vec<Value> {
    app.post_open("/_fake/webhook_deliveries", filter)
        .await
        .ok()["webhook_deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (up to 10 s) until the one message matching `filter` has `n` attempts; returns it.
async fn message_with_attempts(app: &TestApp, filter: Value, n: usize) -> Value {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let all = deliveries(app, filter.clone()).await;
        assert_eq!(all.len(), 1, "{all:?}");
        let m = all[0].clone();
        if m["attempts"].as_array().unwrap().len() >= n {
            return m;
        }
        assert!(Instant::now() < until, "no attempt {n}: {m}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn types(got: &[Got]) -> Vec<String> {
    got.iter()
        .map(|g| {
            serde_json::from_str::<Value>(&g.body).unwrap()["event_type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn webhooks_are_created_read_updated_and_deleted_in_their_workspace() {
    let app = TestApp::spawn().await;
    let w = create_webhook(&app, "http://127.0.0.1:9/hook", None).await;
    let id = w["webhook_id"].as_str().unwrap().to_string();
    assert_eq!(w["url"], "http://127.0.0.1:9/hook");
    assert_eq!(w["event_types"], json!([]));
    let secret = w["secret"].as_str().unwrap();
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    assert!(key.len() >= 24, "a secret of {} bytes", key.len());
    let other = create_webhook(
        &app,
        "https://example.com/seam",
        Some(json!(["device.connected"])),
    )
    .await;
    assert_ne!(other["secret"], w["secret"]);

    let got = app.get(&format!("/webhooks/get?webhook_id={id}")).await;
    assert_eq!(got.ok()["webhook"], w);
    let list = app.get("/webhooks/list").await;
    assert_eq!(list.ok()["webhooks"], json!([w, other]));

    // Workspace 2 sees none of them.
    let res = app
        .post_as(KEY_2, "/webhooks/get", json!({ "webhook_id": id }))
        .await;
    res.err(404, "webhook_not_found");
    let res = app.post_as(KEY_2, "/webhooks/list", json!({})).await;
    assert_eq!(res.ok()["webhooks"], json!([]));
    let res = app
        .post_as(KEY_2, "/webhooks/delete", json!({ "webhook_id": id }))
        .await;
    res.err(404, "webhook_not_found");

    let res = app
        .send(app.authed(Method::PUT, "/webhooks/update").json(&json!({
            "webhook_id": id, "event_types": ["access_code.set_on_device"]
        })))
        .await;
    res.ok();
    let got = app.post("/webhooks/get", json!({ "webhook_id": id })).await;
    assert_eq!(
        got.ok()["webhook"]["event_types"],
        json!(["access_code.set_on_device"])
    );

    let res = app
        .delete(&format!("/webhooks/delete?webhook_id={id}"))
        .await;
    res.ok();
    app.post("/webhooks/get", json!({ "webhook_id": id }))
        .await
        .err(404, "webhook_not_found");
    app.post("/webhooks/get", json!({ "webhook_id": "nope" }))
        .await
        .err(404, "webhook_not_found");

    // Reset forgets webhooks with the rest of the state.
    app.post_open("/_fake/reset", json!({})).await.ok();
    assert_eq!(app.get("/webhooks/list").await.ok()["webhooks"], json!([]));
}

#[tokio::test]
async fn a_webhook_url_must_be_absolute_http() {
    let app = TestApp::spawn().await;
    for url in [
        "",
        "/hook",
        "localhost:8080/hook",
        "ftp://example.com/x",
        "http://",
    ] {
        let res = app.post("/webhooks/create", json!({ "url": url })).await;
        let e = res.err(400, "invalid_input");
        assert!(
            e["validation_errors"]["url"]["_errors"][0].is_string(),
            "{url}: {e}"
        );
    }
    app.post("/webhooks/create", json!({}))
        .await
        .err(400, "invalid_input");
    app.post(
        "/webhooks/create",
        json!({ "url": "http://x/", "event_types": "a" }),
    )
    .await
    .err(400, "invalid_input");
    assert_eq!(app.get("/webhooks/list").await.ok()["webhooks"], json!([]));
}

#[tokio::test]
async fn a_linked_pair_arrives_signed_in_order_as_events_get_shows_it() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Mode::Ok).await;
    let w = create_webhook(&app, &rx.url, None).await;
    let secret = w["secret"].as_str().unwrap();
    let res = app
        .create_multiple(json!({
            "device_ids": [dev("august_device_1"), dev("nuki_device_1")],
            "name": "Guest",
        }))
        .await;
    res.ok();
    // No further request: the server programs the codes and delivers on its own.
    let got = rx.wait_for(4).await;
    assert_eq!(
        types(&got),
        [
            "access_code.created",
            "access_code.created",
            "access_code.set_on_device",
            "access_code.set_on_device"
        ]
    );
    let events = app.get("/events/list").await.ok()["events"].clone();
    let mut ids = Vec::new();
    for g in &got {
        let body = verify(secret, g);
        let id = body["event_id"].as_str().unwrap().to_string();
        let shown = app.get(&format!("/events/get?event_id={id}")).await;
        assert_eq!(
            body,
            shown.ok()["event"],
            "the body is the event as /events/get shows it"
        );
        ids.push(id);
    }
    let listed: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, listed, "in the order they happened");
    // Each message has its own id.
    let mut msg_ids: Vec<_> = got.iter().map(|g| g.headers["svix-id"].clone()).collect();
    msg_ids.dedup();
    assert_eq!(msg_ids.len(), 4);
    let all = deliveries(&app, json!({ "webhook_id": w["webhook_id"] })).await;
    assert!(
        all.iter()
            .all(|d| d["status"] == "delivered" && d["attempts"][0]["status_code"] == 200),
        "{all:?}"
    );
}

#[tokio::test]
async fn event_types_choose_what_a_webhook_receives() {
    let app = TestApp::spawn().await;
    let only = Receiver::start(Mode::Ok).await;
    let all = Receiver::start(Mode::Ok).await;
    let w_only = create_webhook(&app, &only.url, Some(json!(["access_code.set_on_device"]))).await;
    let w_all = create_webhook(&app, &all.url, Some(json!([]))).await;
    create_code(&app, "august_device_1", "A").await;
    all.wait_for(2).await;
    let got = only.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(types(&only.got()), ["access_code.set_on_device"]);
    verify(w_only["secret"].as_str().unwrap(), &got[0]);
    assert_eq!(
        types(&all.got()),
        ["access_code.created", "access_code.set_on_device"]
    );

    // Filters of the inspection route.
    let by_hook = deliveries(&app, json!({ "webhook_id": w_all["webhook_id"] })).await;
    assert_eq!(by_hook.len(), 2);
    let created = deliveries(&app, json!({ "event_type": "access_code.created" })).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["webhook_id"], w_all["webhook_id"]);
    assert_eq!(
        deliveries(&app, json!({ "status": "delivered" }))
            .await
            .len(),
        3
    );
    assert_eq!(
        deliveries(&app, json!({ "status": "pending" })).await.len(),
        0
    );
    let res = app
        .send(app.raw(
            Method::GET,
            "/_fake/webhook_deliveries?status=failed&event_type=access_code.created",
        ))
        .await;
    assert_eq!(res.ok()["webhook_deliveries"], json!([]));
    app.post_open("/_fake/webhook_deliveries", json!({ "status": "lost" }))
        .await
        .err(400, "invalid_input");

    // An update narrows what comes next.
    app.post(
        "/webhooks/update",
        json!({ "webhook_id": w_all["webhook_id"], "event_types": ["access_code.deleted"] }),
    )
    .await
    .ok();
    let code = create_code(&app, "august_device_2", "B").await;
    app.post(
        "/access_codes/delete",
        json!({ "access_code_id": code["access_code_id"] }),
    )
    .await
    .ok();
    let got = all.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(types(&all.got())[2..], ["access_code.deleted"]);
    assert_eq!(got.len(), 3);
}

#[tokio::test]
async fn failed_attempts_are_retried_on_seams_schedule_by_the_server_clock() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Mode::FailFirst(500, 2)).await;
    let w = create_webhook(&app, &rx.url, Some(json!(["access_code.created"]))).await;
    create_code(&app, "august_device_1", "Retry").await;
    let f = json!({ "event_type": "access_code.created" });
    let m = message_with_attempts(&app, f.clone(), 1).await;
    let a = &m["attempts"][0];
    assert_eq!(a["status_code"], 500);
    assert_eq!(m["status"], "pending");
    let at = parse_time(a["attempted_at"].as_str().unwrap());
    let next = parse_time(a["next_attempt_at"].as_str().unwrap());
    assert_eq!(next - at, chrono::Duration::seconds(5));
    assert_eq!(m["next_attempt_at"], a["next_attempt_at"]);

    // Real time alone does not bring the retry forward.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.got().len(), 1);

    app.advance(5).await;
    let m = message_with_attempts(&app, f.clone(), 2).await;
    let a = &m["attempts"][1];
    assert_eq!(a["status_code"], 500);
    let at = parse_time(a["attempted_at"].as_str().unwrap());
    let next = parse_time(a["next_attempt_at"].as_str().unwrap());
    assert_eq!(next - at, chrono::Duration::minutes(5));

    app.advance(299).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.got().len(), 2, "not before five minutes");
    app.advance(1).await;
    let m = message_with_attempts(&app, f.clone(), 3).await;
    assert_eq!(m["status"], "delivered");
    assert_eq!(m["attempts"][2]["status_code"], 204);
    assert!(m["attempts"][2]["next_attempt_at"].is_null());
    assert!(m["next_attempt_at"].is_null());

    let got = rx.got();
    assert_eq!(got.len(), 3);
    let secret = w["secret"].as_str().unwrap();
    let bodies: Vec<Value> = got.iter().map(|g| verify(secret, g)).collect();
    assert!(
        got.iter()
            .all(|g| g.headers["svix-id"] == got[0].headers["svix-id"]),
        "one message id for every try"
    );
    assert!(bodies.iter().all(|b| *b == bodies[0]));
}

#[tokio::test]
async fn a_message_fails_after_the_last_try_of_the_schedule() {
    let app = TestApp::spawn().await;
    // A port nobody listens on: every attempt is refused.
    let url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    create_webhook(&app, &url, Some(json!(["access_code.created"]))).await;
    create_code(&app, "august_device_1", "Doomed").await;
    let f = json!({ "event_type": "access_code.created" });
    let waits: [u64; 7] = [5, 300, 1800, 7200, 18000, 36000, 36000];
    for (i, wait) in waits.iter().enumerate() {
        let m = message_with_attempts(&app, f.clone(), i + 1).await;
        let a = &m["attempts"][i];
        assert!(a["status_code"].is_null());
        assert!(a["error"].as_str().is_some_and(|e| !e.is_empty()), "{a}");
        let at = parse_time(a["attempted_at"].as_str().unwrap());
        let next = parse_time(a["next_attempt_at"].as_str().unwrap());
        assert_eq!((next - at).num_seconds(), *wait as i64);
        app.advance(*wait).await;
    }
    let m = message_with_attempts(&app, f, 8).await;
    let until = Instant::now() + Duration::from_secs(5);
    let mut m = m;
    while m["status"] == "pending" && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
        m = deliveries(&app, json!({})).await[0].clone();
    }
    assert_eq!(m["status"], "failed");
    assert_eq!(m["attempts"].as_array().unwrap().len(), 8);
    assert!(m["attempts"][7]["next_attempt_at"].is_null());
    assert!(m["failure_reason"].as_str().unwrap().contains("8 attempts"));
    app.advance(100_000).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        deliveries(&app, json!({})).await[0]["attempts"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
}

#[tokio::test]
async fn a_hanging_receiver_never_slows_a_request() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Mode::Hang).await;
    // Baseline: the same requests with no webhook.
    let time = |n: usize| {
        let app = &app;
        async move {
            let mut worst = Duration::ZERO;
            for i in 0..n {
                let t = Instant::now();
                create_code(app, "august_device_1", &format!("code {i}")).await;
                app.get("/devices/list").await.ok();
                worst = worst.max(t.elapsed());
            }
            worst
        }
    };
    let base = time(5).await;
    create_webhook(&app, &rx.url, None).await;
    let t = Instant::now();
    let worst = time(20).await;
    assert!(
        worst < base + Duration::from_millis(500),
        "worst request {worst:?} with a hanging receiver (baseline {base:?})"
    );
    assert!(t.elapsed() < Duration::from_secs(10));
    rx.wait_for(1).await;
    assert_eq!(rx.got().len(), 1, "one message at a time per webhook");
    // The hung attempt times out after 15 s and is scheduled again.
    let until = Instant::now() + Duration::from_secs(25);
    loop {
        let all = deliveries(&app, json!({})).await;
        if let Some(a) = all.iter().find_map(|m| m["attempts"].get(0)) {
            assert!(a["error"].as_str().unwrap().contains("timeout"), "{a}");
            assert!(a["next_attempt_at"].is_string());
            break;
        }
        assert!(Instant::now() < until, "no timeout recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn deleting_a_webhook_stops_its_deliveries() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Mode::FailFirst(503, usize::MAX)).await;
    let w = create_webhook(&app, &rx.url, Some(json!(["access_code.created"]))).await;
    create_code(&app, "august_device_1", "A").await;
    message_with_attempts(&app, json!({}), 1).await;
    app.post("/webhooks/delete", json!({ "webhook_id": w["webhook_id"] }))
        .await
        .ok();
    let m = deliveries(&app, json!({})).await[0].clone();
    assert_eq!(m["status"], "failed");
    assert_eq!(m["failure_reason"], "webhook deleted");
    create_code(&app, "august_device_2", "B").await;
    app.advance(3600).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.got().len(), 1, "nothing after the delete");
    assert_eq!(deliveries(&app, json!({})).await.len(), 1);
}

#[tokio::test]
async fn workspaces_hear_only_their_own_events() {
    let app = TestApp::spawn().await;
    let rx1 = Receiver::start(Mode::Ok).await;
    let rx2 = Receiver::start(Mode::Ok).await;
    create_webhook(&app, &rx1.url, None).await;
    let res = app
        .post_as(KEY_2, "/webhooks/create", json!({ "url": rx2.url }))
        .await;
    let w2 = res.ok()["webhook"].clone();
    create_code(&app, "august_device_1", "A").await;
    rx1.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx2.got().is_empty());
    let ws2 = deliveries(&app, json!({ "workspace_id": seed::WORKSPACE_2 })).await;
    assert!(ws2.is_empty());
    let ws1 = deliveries(&app, json!({ "workspace_id": seed::WORKSPACE_1 })).await;
    assert_eq!(ws1.len(), 2);
    app.post("/webhooks/get", json!({ "webhook_id": w2["webhook_id"] }))
        .await
        .err(404, "webhook_not_found");
}

#[tokio::test]
async fn devices_going_offline_and_online_are_delivered() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Mode::Ok).await;
    let w = create_webhook(&app, &rx.url, None).await;
    let lock = dev("schlage_device_1");
    app.update_device(&lock, json!({ "online": false })).await;
    app.update_device(&lock, json!({ "online": false })).await;
    app.update_device(&lock, json!({ "online": true })).await;
    let got = rx.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        types(&rx.got()),
        ["device.disconnected", "device.connected"]
    );
    let body = verify(w["secret"].as_str().unwrap(), &got[0]);
    assert_eq!(body["device_id"], lock.as_str());
    assert_eq!(body["workspace_id"], json!(seed::WORKSPACE_1));
    assert!(body["connected_account_id"].is_string());
    assert_eq!(body["error_code"], "device_disconnected");
    for list in [
        "device_errors",
        "device_warnings",
        "connected_account_errors",
        "connected_account_warnings",
    ] {
        assert!(body[list].is_array(), "{list}: {body}");
    }
    let listed = app
        .post(
            "/events/list",
            json!({ "event_types": ["device.connected", "device.disconnected"] }),
        )
        .await;
    assert_eq!(listed.ok()["events"].as_array().unwrap().len(), 2);
}
