//! The backup access code pool over HTTP (contract §9): activation by
//! `use_backup_access_code_pool`, pool PINs counted as PINs on the lock,
//! `is_backup_access_code_available`, and `/access_codes/pull_backup_access_code`.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, parse_time, wire_time};

async fn pooled_code(app: &TestApp, device: &str) -> Value {
    let now = app.now().await;
    app.post(
        "/access_codes/create",
        json!({ "device_id": device, "use_backup_access_code_pool": true, "name": "Guest",
                "starts_at": wire_time(now), "ends_at": wire_time(now + Duration::hours(3)) }),
    )
    .await
    .ok()["access_code"]
        .clone()
}

fn pool_of(db: &Value, device: &str) -> Vec<String> {
    db["backup_access_code_pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["device_id"] == json!(device))
        .map(|p| serde_json::from_value(p["codes"].clone()).unwrap())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_time_bound_code_on_an_august_with_the_pool_yields_a_backup_pin() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let d = app
        .post("/devices/get", json!({ "device_id": a1 }))
        .await
        .ok()["device"]
        .clone();
    assert_eq!(
        d["properties"]["supports_backup_access_code_pool"],
        json!(true)
    );
    let c = pooled_code(&app, &a1).await;
    assert_eq!(c["is_backup_access_code_available"], json!(true));
    let pool = pool_of(&app.database().await, &a1);
    assert_eq!(pool.len(), 5);
    // Pool PINs are not access codes.
    assert_eq!(app.codes_on(&a1).await.len(), 1);

    let before = app.advance(600).await;
    let res = app
        .post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": c["access_code_id"] }),
        )
        .await;
    let body = res.ok().clone();
    // Both keys hold the backup; the original is read back.
    let b = &body["backup_access_code"];
    assert_eq!(&body["access_code"], b);
    let orig = app
        .post(
            "/access_codes/get",
            json!({ "access_code_id": c["access_code_id"] }),
        )
        .await
        .ok()["access_code"]
        .clone();
    assert!(pool.contains(&b["code"].as_str().unwrap().to_string()));
    assert_eq!(b["is_backup"], json!(true));
    assert_eq!(b["status"], json!("set"));
    assert_eq!(b["common_code_key"], Value::Null);
    assert_eq!(b["name"], json!("Guest"));
    assert_eq!(b["ends_at"], c["ends_at"]);
    let starts = parse_time(b["starts_at"].as_str().unwrap());
    assert!(
        before <= starts && starts <= app.now().await,
        "starts_at is the server's now"
    );
    assert_eq!(orig["pulled_backup_access_code_id"], b["access_code_id"]);
    assert_eq!(orig["is_backup_access_code_available"], json!(false));
    assert_eq!(
        pool_of(&app.database().await, &a1).len(),
        5,
        "the pool refills"
    );

    let again = app
        .post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": c["access_code_id"] }),
        )
        .await;
    let again = again.ok();
    assert_eq!(
        again["backup_access_code"]["access_code_id"],
        b["access_code_id"]
    );
    assert_eq!(again["access_code"]["access_code_id"], b["access_code_id"]);
    let events = app
        .post(
            "/events/list",
            json!({ "event_type": "access_code.backup_access_code_pulled" }),
        )
        .await
        .ok()["events"]
        .clone();
    let pulled: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == json!("access_code.backup_access_code_pulled"))
        .collect();
    assert_eq!(pulled.len(), 1);
    assert_eq!(pulled[0]["access_code_id"], c["access_code_id"]);
    assert_eq!(pulled[0]["backup_access_code_id"], b["access_code_id"]);

    // The backup goes with the original's window.
    app.advance(3 * 3600).await;
    for id in [&c["access_code_id"], &b["access_code_id"]] {
        app.post("/access_codes/get", json!({ "access_code_id": id }))
            .await
            .err(404, "access_code_not_found");
    }
}

#[tokio::test]
async fn pool_pins_count_as_pins_on_the_lock() {
    let app = TestApp::spawn().await;
    let k = dev("kwikset_device_1");
    pooled_code(&app, &k).await;
    let pool = pool_of(&app.database().await, &k);
    assert_eq!(pool.len(), 5);
    let res = app
        .post(
            "/access_codes/create",
            json!({ "device_id": k, "code": pool[0] }),
        )
        .await;
    res.err(409, "duplicate_access_code");
    app.post(
        "/access_codes/simulate/create_unmanaged_access_code",
        json!({ "device_id": k, "name": "x", "code": pool[1] }),
    )
    .await
    .err(409, "duplicate_access_code");
}

#[tokio::test]
async fn pulls_need_a_time_bound_code_on_a_lock_with_an_active_pool() {
    let app = TestApp::spawn().await;
    let (a2, schlage) = (dev("august_device_2"), dev("schlage_device_1"));
    let ongoing = app.create_ok(json!({ "device_ids": [a2] })).await[0].clone();
    app.post(
        "/access_codes/pull_backup_access_code",
        json!({ "access_code_id": ongoing["access_code_id"] }),
    )
    .await
    .err(400, "invalid_input");
    let now = app.now().await;
    let timed = app
        .create_ok(json!({ "device_ids": [a2], "starts_at": wire_time(now), "ends_at": wire_time(now + Duration::hours(1)) }))
        .await[0]
        .clone();
    assert_eq!(timed["is_backup_access_code_available"], json!(false));
    let e = app
        .post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": timed["access_code_id"] }),
        )
        .await;
    assert_eq!(e.err(400, "invalid_input")["data"]["device_id"], json!(a2));
    // Schlage has no pool: the flag changes nothing there.
    let s = pooled_code(&app, &schlage).await;
    assert_eq!(s["is_backup_access_code_available"], json!(false));
    for id in [json!("5ea10003-0000-4000-8000-0000000000ee"), json!("nope")] {
        app.post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": id }),
        )
        .await
        .err(404, "access_code_not_found");
    }
    app.post("/access_codes/pull_backup_access_code", json!({}))
        .await
        .err(400, "invalid_input");
}
