//! The keypad at the door (contract §12, `/locks/simulate/keypad_code_entry` and
//! `manual_lock_via_keypad`): every kind of code judged on the server clock, the reason of
//! every denial, the lockout after five misses, the 400s, and the keypad's memory kept by
//! `/_fake/database`.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, wire_time};

/// Types `pin` at `device`'s keypad: the attempt as answered.
pub async fn keypad(app: &TestApp, device: &str, pin: &str) -> Value {
    let res = app
        .post(
            "/locks/simulate/keypad_code_entry",
            json!({ "device_id": device, "code": pin }),
        )
        .await;
    let a = res.ok()["action_attempt"].clone();
    assert_eq!(a["action_type"], "SIMULATE_KEYPAD_CODE_ENTRY");
    assert_eq!(a["status"], "pending");
    a
}

/// The last keypad outcome on `device`: its `lock.unlocked` or `lock.access_denied` event.
pub async fn last_entry(app: &TestApp, device: &str) -> Value {
    let res = app
        .post(
            "/events/list",
            json!({ "device_id": device, "event_types": ["lock.unlocked", "lock.access_denied"],
                    "limit": 1000 }),
        )
        .await;
    res.ok()["events"]
        .as_array()
        .and_then(|l| l.last())
        .cloned()
        .expect("an entry was recorded")
}

/// Types `pin` and asserts it was accepted for `code_id`; the `lock.unlocked` event.
pub async fn accepted(app: &TestApp, device: &str, pin: &str, code_id: &Value) -> Value {
    keypad(app, device, pin).await;
    let e = last_entry(app, device).await;
    assert_eq!(e["event_type"], "lock.unlocked", "{pin}: {e}");
    assert_eq!(e["method"], "keycode");
    assert_eq!(&e["access_code_id"], code_id, "{e}");
    assert_eq!(e["code"], pin);
    assert!(e.get("action_attempt_id").is_none(), "{e}");
    e
}

/// Types `pin` and asserts it was denied for `reason` (naming `code_id`, or no code).
pub async fn denied(app: &TestApp, device: &str, pin: &str, reason: &str, code_id: Option<&Value>) {
    keypad(app, device, pin).await;
    let e = last_entry(app, device).await;
    assert_eq!(e["event_type"], "lock.access_denied", "{pin}: {e}");
    assert_eq!(e["reason"]["reason_code"], reason, "{pin}: {e}");
    assert!(
        e["reason"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(e.get("access_code_id"), code_id, "{pin}: {e}");
}

async fn create(app: &TestApp, body: Value) -> Value {
    app.post("/access_codes/create", body).await.ok()["access_code"].clone()
}

/// The next whole hour of the server clock.
async fn next_hour(app: &TestApp) -> DateTime<Utc> {
    app.now().await.duration_trunc(Duration::hours(1)).unwrap() + Duration::hours(1)
}

#[tokio::test]
async fn a_time_bound_code_opens_the_door_only_inside_its_window() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_1");
    let now = app.now().await;
    let c = create(
        &app,
        json!({ "device_id": lock, "code": "4826", "name": "Guest",
                "starts_at": wire_time(now + Duration::hours(1)),
                "ends_at": wire_time(now + Duration::hours(2)) }),
    )
    .await;
    let id = &c["access_code_id"];
    denied(&app, &lock, "4826", "expired_code", Some(id)).await;

    app.advance(3600).await;
    let attempt = keypad(&app, &lock, "4826").await;
    let e = last_entry(&app, &lock).await;
    assert_eq!(e["event_type"], "lock.unlocked");
    assert_eq!(e["access_code_is_managed"], true);
    assert_eq!(&e["access_code_id"], id);
    let done = app
        .post(
            "/action_attempts/get",
            json!({ "action_attempt_id": attempt["action_attempt_id"] }),
        )
        .await;
    assert_eq!(done.ok()["action_attempt"]["status"], "success");
    let d = app.post("/devices/get", json!({ "device_id": lock })).await;
    assert_eq!(d.ok()["device"]["properties"]["locked"], false);

    // After the window the lock remembers whose PIN it was.
    app.advance(3600).await;
    denied(&app, &lock, "4826", "expired_code", Some(id)).await;
    denied(&app, &lock, "9173", "unknown_code", None).await;
}

#[tokio::test]
async fn an_ongoing_code_opens_once_it_is_on_the_lock_and_not_after_a_delete() {
    let app = TestApp::spawn_with(&["--programming-delay", "60"]).await;
    let lock = dev("august_device_2");
    let c = create(&app, json!({ "device_id": lock, "code": "3719" })).await;
    // Still `setting`: not on the lock yet.
    denied(&app, &lock, "3719", "unknown_code", None).await;
    app.advance(60).await;
    let e = accepted(&app, &lock, "3719", &c["access_code_id"]).await;
    assert_eq!(e["access_code_is_managed"], true);
    app.post(
        "/access_codes/delete",
        json!({ "access_code_id": c["access_code_id"] }),
    )
    .await
    .ok();
    denied(&app, &lock, "3719", "unknown_code", None).await;
}

#[tokio::test]
async fn unmanaged_codes_and_pulled_backups_open_the_door() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_1");
    let u = app.unmanaged(&lock, "80264").await;
    let e = accepted(&app, &lock, "80264", &u["access_code_id"]).await;
    assert_eq!(e["access_code_is_managed"], false);

    let now = app.now().await;
    let c = create(
        &app,
        json!({ "device_id": lock, "use_backup_access_code_pool": true,
                "starts_at": wire_time(now), "ends_at": wire_time(now + Duration::hours(3)) }),
    )
    .await;
    let pulled = app
        .post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": c["access_code_id"] }),
        )
        .await;
    let backup = pulled.ok()["backup_access_code"].clone();
    let pin = backup["code"].as_str().unwrap();
    accepted(&app, &lock, pin, &backup["access_code_id"]).await;
    app.advance(3 * 3600).await;
    denied(
        &app,
        &lock,
        pin,
        "expired_code",
        Some(&backup["access_code_id"]),
    )
    .await;
}

#[tokio::test]
async fn offline_codes_work_in_their_window_and_a_one_time_code_once() {
    let app = TestApp::spawn().await;
    let igloo = dev("igloohome_device_1");
    let start = next_hour(&app).await + Duration::hours(1);
    let hourly = create(
        &app,
        json!({ "device_id": igloo, "is_offline_access_code": true, "max_time_rounding": "1hour",
                "starts_at": wire_time(start), "ends_at": wire_time(start + Duration::hours(2)) }),
    )
    .await;
    let one = create(
        &app,
        json!({ "device_id": igloo, "is_offline_access_code": true, "is_one_time_use": true,
                "starts_at": wire_time(start) }),
    )
    .await;
    let (h, o) = (
        hourly["code"].as_str().unwrap().to_string(),
        one["code"].as_str().unwrap().to_string(),
    );
    denied(
        &app,
        &igloo,
        &h,
        "expired_code",
        Some(&hourly["access_code_id"]),
    )
    .await;
    denied(
        &app,
        &igloo,
        &o,
        "expired_code",
        Some(&one["access_code_id"]),
    )
    .await;

    let until = (start - app.now().await).num_seconds() as u64 + 60;
    app.advance(until).await;
    accepted(&app, &igloo, &h, &hourly["access_code_id"]).await;
    accepted(&app, &igloo, &h, &hourly["access_code_id"]).await;
    accepted(&app, &igloo, &o, &one["access_code_id"]).await;
    // Spent: refused from now on, and gone as at the end of its window.
    denied(
        &app,
        &igloo,
        &o,
        "expired_code",
        Some(&one["access_code_id"]),
    )
    .await;
    app.post(
        "/access_codes/get",
        json!({ "access_code_id": one["access_code_id"] }),
    )
    .await
    .err(404, "access_code_not_found");
    app.advance(2 * 3600).await;
    denied(
        &app,
        &igloo,
        &h,
        "expired_code",
        Some(&hourly["access_code_id"]),
    )
    .await;
}

#[tokio::test]
async fn five_denied_entries_in_a_minute_lock_the_keypad_out_for_a_minute() {
    let app = TestApp::spawn().await;
    let lock = dev("schlage_device_1");
    let c = create(&app, json!({ "device_id": lock, "code": "5829" })).await;
    app.advance(1).await;
    for pin in ["1111", "2222", "3333", "4444", "6666"] {
        denied(&app, &lock, pin, "unknown_code", None).await;
    }
    // Locked out: even the right PIN is refused.
    denied(&app, &lock, "5829", "too_many_attempts", None).await;
    app.advance(30).await;
    denied(&app, &lock, "5829", "too_many_attempts", None).await;
    app.advance(31).await;
    accepted(&app, &lock, "5829", &c["access_code_id"]).await;
    // Misses spread over more than a minute do not add up.
    for _ in 0..4 {
        denied(&app, &lock, "1111", "unknown_code", None).await;
    }
    app.advance(61).await;
    denied(&app, &lock, "1111", "unknown_code", None).await;
    accepted(&app, &lock, "5829", &c["access_code_id"]).await;
}

#[tokio::test]
async fn a_keypad_entry_needs_a_reachable_lock_with_a_keypad() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_1");
    app.post("/devices/simulate/disconnect", json!({ "device_id": lock }))
        .await
        .ok();
    let before = app.snapshot(&[]).await;
    let e = app
        .post(
            "/locks/simulate/keypad_code_entry",
            json!({ "device_id": lock, "code": "1234" }),
        )
        .await;
    assert_eq!(e.err(400, "device_offline")["data"]["device_id"], lock);
    assert_eq!(app.snapshot(&[]).await, before, "nothing recorded");

    let keyless = app
        .fake_device(json!({ "workspace_id": seam_mock::store::seed::WORKSPACE_1,
                             "device_type": "lockly_lock", "capabilities_supported": ["lock"] }))
        .await;
    assert_eq!(keyless["can_unlock_with_code"], false);
    let e = app
        .post(
            "/locks/simulate/keypad_code_entry",
            json!({ "device_id": keyless["device_id"], "code": "1234" }),
        )
        .await;
    let err = e.err(400, "invalid_input");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("can_unlock_with_code"),
        "{err}"
    );
    for (device, status, kind) in [
        (dev("ecobee_device_1"), 404, "device_not_found"),
        (
            "5ea10003-0000-4000-8000-0000000000ee".to_string(),
            404,
            "device_not_found",
        ),
    ] {
        app.post(
            "/locks/simulate/keypad_code_entry",
            json!({ "device_id": device, "code": "1234" }),
        )
        .await
        .err(status, kind);
    }
    app.post(
        "/locks/simulate/keypad_code_entry",
        json!({ "device_id": dev("august_device_2") }),
    )
    .await
    .err(400, "invalid_input");
}

#[tokio::test]
async fn the_door_locks_at_the_keypad() {
    let app = TestApp::spawn().await;
    let lock = dev("nuki_device_1");
    let res = app
        .post(
            "/locks/simulate/manual_lock_via_keypad",
            json!({ "device_id": lock }),
        )
        .await;
    assert_eq!(
        res.ok()["action_attempt"]["action_type"],
        "SIMULATE_MANUAL_LOCK_VIA_KEYPAD"
    );
    let d = app.post("/devices/get", json!({ "device_id": lock })).await;
    assert_eq!(d.ok()["device"]["properties"]["locked"], true);
    let events = app
        .post(
            "/events/list",
            json!({ "device_id": lock, "event_type": "lock.locked" }),
        )
        .await;
    let e = &events.ok()["events"][0];
    assert_eq!(e["method"], "keycode");
    assert!(e.get("action_attempt_id").is_none());
}

#[tokio::test]
async fn the_keypad_remembers_through_the_database_and_tells_webhooks() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_1");
    app.post(
        "/webhooks/create",
        json!({ "url": "http://127.0.0.1:9/hook", "event_types": ["lock.access_denied", "lock.unlocked"] }),
    )
    .await
    .ok();
    let now = app.now().await;
    let c = create(
        &app,
        json!({ "device_id": lock, "code": "6284",
                "starts_at": wire_time(now), "ends_at": wire_time(now + Duration::hours(1)) }),
    )
    .await;
    accepted(&app, &lock, "6284", &c["access_code_id"]).await;
    app.advance(3600).await;
    for _ in 0..5 {
        denied(&app, &lock, "0000", "unknown_code", None).await;
    }

    let sent = app
        .post_open(
            "/_fake/webhook_deliveries",
            json!({ "event_type": "lock.access_denied" }),
        )
        .await;
    assert_eq!(sent.ok()["webhook_deliveries"].as_array().unwrap().len(), 5);

    let db = app.database().await;
    let keypads = db["keypads"].as_array().expect("keypads are kept");
    assert_eq!(keypads[0]["ended_codes"]["6284"], c["access_code_id"]);
    app.post_open("/_fake/reset", json!({})).await.ok();
    app.put_database(&db).await.ok();
    denied(&app, &lock, "6284", "too_many_attempts", None).await;
    app.advance(60).await;
    denied(
        &app,
        &lock,
        "6284",
        "expired_code",
        Some(&c["access_code_id"]),
    )
    .await;

    let mut broken = db.clone();
    broken["keypads"][0]["ended_codes"] = json!({ "12a4": c["access_code_id"] });
    let e = app.put_database(&broken).await;
    assert!(
        e.err(400, "invalid_input")["message"]
            .as_str()
            .unwrap()
            .contains("keypads")
    );
}
