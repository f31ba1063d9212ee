//! `/locks/*` and `/_fake/update_action_attempt`: a door action answers a `pending` attempt
//! that `/action_attempts/get` reads as `success` (what the SDKs' `wait_for_action_attempt`
//! polls for), `properties.locked` follows, and the lock's events are recorded.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, ids};

async fn attempt(app: &TestApp, id: &Value) -> Value {
    app.post("/action_attempts/get", json!({ "action_attempt_id": id }))
        .await
        .ok()["action_attempt"]
        .clone()
}

async fn locked(app: &TestApp, device: &str) -> Value {
    app.get(&format!("/locks/get?device_id={device}"))
        .await
        .ok()["lock"]["properties"]["locked"]
        .clone()
}

#[tokio::test]
async fn unlock_and_lock_answer_pending_then_read_success_and_move_the_bolt() {
    let app = TestApp::spawn().await;
    let front = dev("august_device_1");
    let res = app
        .post("/locks/unlock_door", json!({ "device_id": front }))
        .await;
    let a = res.ok()["action_attempt"].clone();
    assert_eq!(a["status"], "pending");
    assert_eq!(a["action_type"], "UNLOCK_DOOR");
    assert_eq!(
        (a["result"].clone(), a["error"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(a.get("workspace_id").is_none());
    let done = attempt(&app, &a["action_attempt_id"]).await;
    assert_eq!(done["status"], "success");
    assert_eq!(done["result"], json!({"was_confirmed_by_device": true}));
    assert_eq!(locked(&app, &front).await, json!(false));

    let a = app
        .post(
            "/locks/lock_door",
            json!({ "device_id": front, "sync": true }),
        )
        .await
        .ok()["action_attempt"]
        .clone();
    assert_eq!(
        (a["status"].as_str(), a["action_type"].as_str()),
        (Some("success"), Some("LOCK_DOOR"))
    );
    assert_eq!(locked(&app, &front).await, json!(true));

    let events = app
        .post("/events/list", json!({ "device_id": front }))
        .await
        .ok()["events"]
        .clone();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["lock.unlocked", "lock.locked"]);
    assert_eq!(events[0]["connected_account_id"], json!(seed::JOHN));
    // Through the API: `remote`, naming the attempt that did it.
    assert_eq!(
        (&events[0]["method"], &events[1]["method"]),
        (&json!("remote"), &json!("remote"))
    );
    assert_eq!(events[1]["action_attempt_id"], a["action_attempt_id"]);
    assert!(events[0]["action_attempt_id"].is_string());

    // POST only; bad input changes nothing.
    let r = app
        .send(app.authed(Method::GET, "/locks/unlock_door"))
        .await;
    r.err(405, "method_not_allowed");
    app.post("/locks/unlock_door", json!({}))
        .await
        .err(400, "invalid_input");
    app.post(
        "/locks/unlock_door",
        json!({ "device_id": front, "sync": "yes" }),
    )
    .await
    .err(400, "invalid_input");
    assert_eq!(locked(&app, &front).await, json!(true));
}

#[tokio::test]
async fn only_locks_are_locks_and_scope_applies() {
    let app = TestApp::spawn().await;
    let res = app.get("/locks/list").await;
    let body = res.ok();
    assert_eq!(body["locks"], body["devices"]);
    let locks = body["locks"].as_array().unwrap().clone();
    let lock_ids = ids(&locks, "device_id");
    assert!(lock_ids.contains(&dev("august_device_1")));
    assert!(!lock_ids.contains(&dev("ecobee_device_1")));
    assert!(!lock_ids.contains(&dev("minut_device_1")));
    assert_eq!(locks.len(), seed::DEVICES.len() - 2);
    let augusts = app
        .post("/locks/list", json!({ "device_type": "august_lock" }))
        .await;
    assert_eq!(augusts.ok()["locks"].as_array().unwrap().len(), 2);

    let by_name = app
        .post("/locks/get", json!({ "name": "Garage Door" }))
        .await;
    assert_eq!(
        by_name.ok()["lock"]["device_id"],
        json!(dev("schlage_device_1"))
    );
    assert_eq!(by_name.json["lock"], by_name.json["device"]);
    let thermostat = dev("ecobee_device_1");
    app.get(&format!("/locks/get?device_id={thermostat}"))
        .await
        .err(404, "device_not_found");
    app.post("/locks/unlock_door", json!({ "device_id": thermostat }))
        .await
        .err(404, "device_not_found");
    app.post("/locks/lock_door", json!({ "device_id": "nope" }))
        .await
        .err(404, "device_not_found");
    app.post("/locks/get", json!({}))
        .await
        .err(400, "invalid_input");

    // John's client session sees John's locks only.
    let cst = seed::CLIENT_SESSION_TOKEN_1;
    let jane_lock = dev("schlage_device_1");
    app.post_as(cst, "/locks/unlock_door", json!({ "device_id": jane_lock }))
        .await
        .err(401, "unauthorized");
    let mine = app.post_as(cst, "/locks/list", json!({})).await;
    assert!(
        mine.ok()["locks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["connected_account_id"] == json!(seed::JOHN))
    );
    app.post("/locks/list", json!({})).await.ok();
    let r = app
        .send(app.raw(Method::POST, "/locks/list").json(&json!({})))
        .await;
    r.err(401, "unauthorized");
}

#[tokio::test]
async fn fake_update_action_attempt_moves_an_attempt_by_hand() {
    let app = TestApp::spawn().await;
    let a = app
        .post(
            "/locks/unlock_door",
            json!({ "device_id": dev("august_device_2") }),
        )
        .await
        .ok()["action_attempt"]
        .clone();
    let id = a["action_attempt_id"].clone();
    app.post_open(
        "/_fake/update_action_attempt",
        json!({ "action_attempt_id": id, "status": "pending" }),
    )
    .await
    .ok();
    let p = attempt(&app, &id).await;
    assert_eq!(
        (p["status"].as_str(), p["result"].clone()),
        (Some("pending"), Value::Null)
    );

    let e = json!({"type": "lock_jammed", "message": "Jammed"});
    app.post_open(
        "/_fake/update_action_attempt",
        json!({ "action_attempt_id": id, "status": "error", "error": e }),
    )
    .await
    .ok();
    let got = attempt(&app, &id).await;
    assert_eq!(
        (
            got["status"].as_str(),
            got["error"].clone(),
            got["result"].clone()
        ),
        (Some("error"), e, Value::Null)
    );

    let r = app
        .send(
            app.raw(Method::PATCH, "/_fake/update_action_attempt")
                .json(&json!({ "action_attempt_id": id, "status": "success", "result": {"x": 1} })),
        )
        .await;
    r.ok();
    let got = attempt(&app, &id).await;
    assert_eq!(
        (got["status"].as_str(), got["result"].clone()),
        (Some("success"), json!({"x": 1}))
    );

    app.post_open(
        "/_fake/update_action_attempt",
        json!({ "action_attempt_id": id, "status": "done" }),
    )
    .await
    .err(400, "invalid_input");
    app.post_open(
        "/_fake/update_action_attempt",
        json!({ "action_attempt_id": "5ea10009-0000-4000-8000-000000000001", "status": "success" }),
    )
    .await
    .err(404, "action_attempt_not_found");
    assert_eq!(attempt(&app, &id).await["status"], "success");
}

#[tokio::test]
async fn configure_auto_lock_answers_pending_and_sets_the_lock_properties() {
    let app = TestApp::spawn().await;
    let front = dev("august_device_1");
    let a = app
        .post(
            "/locks/configure_auto_lock",
            json!({ "device_id": front, "auto_lock_enabled": true, "auto_lock_delay_seconds": 30 }),
        )
        .await
        .ok()["action_attempt"]
        .clone();
    assert_eq!(
        (a["status"].as_str(), a["action_type"].as_str()),
        (Some("pending"), Some("CONFIGURE_AUTO_LOCK"))
    );
    assert_eq!(
        attempt(&app, &a["action_attempt_id"]).await["status"],
        "success"
    );
    let lock =
        app.get(&format!("/locks/get?device_id={front}")).await.ok()["lock"]["properties"].clone();
    assert_eq!(
        (&lock["auto_lock_enabled"], &lock["auto_lock_delay_seconds"]),
        (&json!(true), &json!(30.0))
    );
    app.post(
        "/locks/configure_auto_lock",
        json!({ "device_id": front, "auto_lock_enabled": false }),
    )
    .await
    .ok();
    let lock =
        app.get(&format!("/locks/get?device_id={front}")).await.ok()["lock"]["properties"].clone();
    assert_eq!(lock["auto_lock_enabled"], false);
    let e = app
        .post(
            "/locks/configure_auto_lock",
            json!({ "device_id": front, "auto_lock_enabled": true, "auto_lock_delay_seconds": 90 }),
        )
        .await;
    assert!(
        e.err(400, "invalid_input")["validation_errors"]["auto_lock_delay_seconds"].is_object()
    );
    app.post("/locks/configure_auto_lock", json!({ "device_id": front }))
        .await
        .err(400, "invalid_input");
    app.post(
        "/locks/configure_auto_lock",
        json!({ "device_id": dev("ecobee_device_1"), "auto_lock_enabled": true }),
    )
    .await
    .err(404, "device_not_found");
}
