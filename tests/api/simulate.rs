//! Devices and accounts that drop and come back (contract §12, `/devices/simulate/*`,
//! `/connected_accounts/simulate/disconnect`, `/_fake/reconnect_connected_account`): the
//! device's errors and flags, the events with the fields their spec variants require, codes
//! waiting with the same error while the cause lasts and programmed when it clears, removal,
//! the 400s naming the flag, and the state kept by `/_fake/database`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, dev};

async fn device(app: &TestApp, id: &str) -> Value {
    app.post("/devices/get", json!({ "device_id": id }))
        .await
        .ok()["device"]
        .clone()
}

async fn code(app: &TestApp, id: &Value) -> Value {
    app.post("/access_codes/get", json!({ "access_code_id": id }))
        .await
        .ok()["access_code"]
        .clone()
}

async fn new_code(app: &TestApp, device: &str) -> Value {
    app.post("/access_codes/create", json!({ "device_id": device }))
        .await
        .ok()["access_code"]
        .clone()
}

/// The events of `types`, oldest first.
async fn events(app: &TestApp, types: &[&str]) -> Vec<Value> {
    app.post(
        "/events/list",
        json!({ "event_types": types, "limit": 1000 }),
    )
    .await
    .ok()["events"]
        .as_array()
        .unwrap()
        .clone()
}

fn error_codes(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["error_code"].as_str())
        .collect()
}

#[tokio::test]
async fn seeded_locks_carry_the_flags_of_the_contract() {
    let app = TestApp::spawn().await;
    for name in [
        "august_device_1",
        "schlage_device_1",
        "nuki_device_1",
        "salto_device_1",
    ] {
        let d = device(&app, &dev(name)).await;
        for flag in [
            "can_simulate_connection",
            "can_simulate_disconnection",
            "can_simulate_removal",
            "can_unlock_with_code",
        ] {
            assert_eq!(d[flag], true, "{name} {flag}");
        }
    }
    for (name, hub, paid) in [
        ("august_device_1", true, false),
        ("ttlock_device_1", true, false),
        ("igloohome_device_1", true, false),
        ("schlage_device_1", false, false),
        ("nuki_device_1", false, true),
    ] {
        let d = device(&app, &dev(name)).await;
        assert_eq!(d["can_simulate_hub_connection"], hub, "{name}");
        assert_eq!(d["can_simulate_hub_disconnection"], hub, "{name}");
        assert_eq!(d["can_simulate_paid_subscription"], paid, "{name}");
    }
    let thermostat = device(&app, &dev("ecobee_device_1")).await;
    assert_eq!(thermostat["can_unlock_with_code"], false);
}

#[tokio::test]
async fn a_disconnected_lock_holds_new_codes_keeps_set_ones_and_programs_them_when_back() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_1");
    let before = new_code(&app, &lock).await;
    app.advance(1).await;
    app.post("/devices/simulate/disconnect", json!({ "device_id": lock }))
        .await
        .ok();
    let d = device(&app, &lock).await;
    assert_eq!(d["properties"]["online"], false);
    assert_eq!(error_codes(&d["errors"]), ["device_offline"]);
    assert_eq!(d["errors"][0]["is_device_error"], true);
    let gone = &events(&app, &["device.disconnected"]).await[0];
    assert_eq!(gone["error_code"], "device_disconnected");
    assert_eq!(error_codes(&gone["device_errors"]), ["device_offline"]);

    let waiting = new_code(&app, &lock).await;
    app.advance(3600).await;
    let w = code(&app, &waiting["access_code_id"]).await;
    assert_eq!(w["status"], "setting");
    assert_eq!(error_codes(&w["errors"]), ["device_offline"]);
    assert_eq!(code(&app, &before["access_code_id"]).await["status"], "set");

    app.post("/devices/simulate/connect", json!({ "device_id": lock }))
        .await
        .ok();
    let d = device(&app, &lock).await;
    assert_eq!(
        (d["properties"]["online"].clone(), d["errors"].clone()),
        (json!(true), json!([]))
    );
    let w = code(&app, &waiting["access_code_id"]).await;
    assert_eq!(
        (w["status"].clone(), w["errors"].clone()),
        (json!("set"), json!([]))
    );
    assert_eq!(events(&app, &["device.connected"]).await.len(), 1);
}

#[tokio::test]
async fn a_hub_disconnect_holds_codes_with_its_own_error() {
    let app = TestApp::spawn().await;
    let lock = dev("ttlock_device_1");
    app.post(
        "/devices/simulate/disconnect_from_hub",
        json!({ "device_id": lock }),
    )
    .await
    .ok();
    let d = device(&app, &lock).await;
    assert_eq!(d["properties"]["online"], false);
    assert_eq!(error_codes(&d["errors"]), ["hub_disconnected"]);
    assert_eq!(
        events(&app, &["device.disconnected"]).await[0]["error_code"],
        "hub_disconnected"
    );
    let c = new_code(&app, &lock).await;
    assert_eq!(
        error_codes(&code(&app, &c["access_code_id"]).await["errors"]),
        ["hub_disconnected"]
    );
    app.post(
        "/devices/simulate/connect_to_hub",
        json!({ "device_id": lock }),
    )
    .await
    .ok();
    assert_eq!(code(&app, &c["access_code_id"]).await["status"], "set");
    assert_eq!(device(&app, &lock).await["properties"]["online"], true);

    // A Schlage lock has no hub to simulate: the 400 names the flag.
    let e = app
        .post(
            "/devices/simulate/disconnect_from_hub",
            json!({ "device_id": dev("schlage_device_1") }),
        )
        .await;
    let err = e.err(400, "invalid_input");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("can_simulate_hub_disconnection")
    );
    assert_eq!(err["data"]["device_id"], dev("schlage_device_1"));
    app.post(
        "/devices/simulate/disconnect",
        json!({ "device_id": "5ea10003-0000-4000-8000-0000000000ee" }),
    )
    .await
    .err(404, "device_not_found");
}

#[tokio::test]
async fn a_lapsed_subscription_holds_codes_until_it_is_paid() {
    let app = TestApp::spawn().await;
    let nuki = dev("nuki_device_1");
    let sub = |expired: bool| json!({ "device_id": nuki, "is_expired": expired });
    app.post("/devices/simulate/paid_subscription", sub(true))
        .await
        .ok();
    let d = device(&app, &nuki).await;
    assert_eq!(error_codes(&d["errors"]), ["subscription_required"]);
    assert_eq!(d["properties"]["online"], true);
    let e = &events(&app, &["device.error.subscription_required"]).await[0];
    assert_eq!(error_codes(&e["device_errors"]), ["subscription_required"]);
    let c = new_code(&app, &nuki).await;
    app.advance(60).await;
    let held = code(&app, &c["access_code_id"]).await;
    assert_eq!(held["status"], "setting");
    assert_eq!(error_codes(&held["errors"]), ["subscription_required"]);
    app.post("/devices/simulate/paid_subscription", sub(false))
        .await
        .ok();
    assert_eq!(code(&app, &c["access_code_id"]).await["status"], "set");
    assert_eq!(
        events(&app, &["device.error.subscription_required.resolved"])
            .await
            .len(),
        1
    );
    let e = app
        .post(
            "/devices/simulate/paid_subscription",
            json!({ "device_id": dev("august_device_1"), "is_expired": true }),
        )
        .await;
    assert!(
        e.err(400, "invalid_input")["message"]
            .as_str()
            .unwrap()
            .contains("can_simulate_paid_subscription")
    );
}

#[tokio::test]
async fn a_removed_device_is_gone_with_its_codes() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_2");
    let c = new_code(&app, &lock).await;
    app.unmanaged(&lock, "7261").await;
    app.post("/devices/simulate/remove", json!({ "device_id": lock }))
        .await
        .ok();
    app.post("/devices/get", json!({ "device_id": lock }))
        .await
        .err(404, "device_not_found");
    app.post(
        "/access_codes/get",
        json!({ "access_code_id": c["access_code_id"] }),
    )
    .await
    .err(404, "access_code_not_found");
    let deleted = events(&app, &["access_code.deleted"]).await;
    assert_eq!(deleted[0]["access_code_id"], c["access_code_id"]);
    assert_eq!(
        events(&app, &["device.removed"]).await[0]["device_id"],
        lock
    );
    // The database stays consistent without it.
    let db = app.database().await;
    app.put_database(&db).await.ok();
}

#[tokio::test]
async fn a_disconnected_account_holds_every_lock_of_it_until_reconnected() {
    let app = TestApp::spawn().await;
    let john = seam_mock::store::seed::JOHN.to_string();
    let (august, nuki) = (dev("august_device_1"), dev("nuki_device_1"));
    app.post(
        "/connected_accounts/simulate/disconnect",
        json!({ "connected_account_id": john }),
    )
    .await
    .ok();
    let account = app
        .post(
            "/connected_accounts/get",
            json!({ "connected_account_id": john }),
        )
        .await;
    assert_eq!(
        error_codes(&account.ok()["connected_account"]["errors"]),
        ["account_disconnected"]
    );
    let d = device(&app, &nuki).await;
    assert_eq!(error_codes(&d["errors"]), ["account_disconnected"]);
    assert_eq!(d["errors"][0]["is_connected_account_error"], true);
    assert_eq!(d["errors"][0]["is_device_error"], false);
    let gone = events(&app, &["device.disconnected"]).await;
    assert!(
        gone.iter()
            .all(|e| e["error_code"] == "account_disconnected")
    );
    assert!(gone.iter().any(|e| e["device_id"] == august.as_str()));
    let acct = &events(&app, &["connected_account.disconnected"]).await[0];
    assert_eq!(
        error_codes(&acct["connected_account_errors"]),
        ["account_disconnected"]
    );

    let c = new_code(&app, &august).await;
    app.advance(60).await;
    let held = code(&app, &c["access_code_id"]).await;
    assert_eq!(held["status"], "setting");
    assert_eq!(error_codes(&held["errors"]), ["account_disconnected"]);
    // Jane's locks are untouched.
    assert_eq!(
        device(&app, &dev("schlage_device_1")).await["errors"],
        json!([])
    );

    // Kept by the database while it lasts.
    let db = app.database().await;
    app.put_database(&db).await.ok();
    app.post_open(
        "/_fake/reconnect_connected_account",
        json!({ "connected_account_id": john }),
    )
    .await
    .ok();
    assert_eq!(code(&app, &c["access_code_id"]).await["status"], "set");
    assert_eq!(device(&app, &nuki).await["errors"], json!([]));
    assert_eq!(
        events(&app, &["connected_account.connected"]).await.len(),
        1
    );
    app.post(
        "/connected_accounts/simulate/disconnect",
        json!({ "connected_account_id": "5ea10002-0000-4000-8000-0000000000ee" }),
    )
    .await
    .err(404, "connected_account_not_found");
    app.post_open(
        "/_fake/reconnect_connected_account",
        json!({ "connected_account_id": "5ea10002-0000-4000-8000-0000000000ee" }),
    )
    .await
    .err(404, "connected_account_not_found");
}

#[tokio::test]
async fn a_lock_taken_offline_by_update_device_shows_the_same_error() {
    let app = TestApp::spawn().await;
    let lock = dev("kwikset_device_1");
    let d = app.update_device(&lock, json!({ "online": false })).await;
    assert_eq!(error_codes(&d["errors"]), ["device_offline"]);
    let d = app.update_device(&lock, json!({ "online": true })).await;
    assert_eq!(d["errors"], json!([]));
}
