//! Fixtures obey the API's invariants (contract §10): `PUT /_fake/database` refuses, whole and
//! with a 400 naming the first problem, a state the API could never produce, and the running
//! state is untouched.

use serde_json::{Value, json};

use crate::helpers::{TestApp, dev};

/// The database with one more managed code: a copy of `template` with a new id and PIN.
fn with_code(db: &Value, template: &Value, id: &str, device: &str, pin: &str) -> Value {
    let mut db = db.clone();
    let mut c = template.clone();
    c["access_code_id"] = json!(id);
    c["device_id"] = json!(device);
    c["code"] = json!(pin);
    c["common_code_key"] = Value::Null;
    db["access_codes"].as_array_mut().unwrap().push(c);
    db
}

#[tokio::test]
async fn a_fixture_with_one_pin_twice_on_a_lock_is_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let c = app
        .create_ok(json!({ "device_ids": [a1], "code": "4321" }))
        .await[0]
        .clone();
    let db = app.database().await;
    let twice = with_code(&db, &c, "5ea10009-0000-4000-8000-000000000001", &a1, "4321");
    let res = app.put_database(&twice).await;
    let e = res.err(400, "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("4321"), "{e}");
    assert_eq!(app.database().await, db, "the running state is untouched");

    // The same PIN on another lock is fine.
    let other = with_code(
        &db,
        &c,
        "5ea10009-0000-4000-8000-000000000001",
        &dev("august_device_2"),
        "4321",
    );
    app.put_database(&other).await.ok();
    assert_eq!(app.codes_on(&dev("august_device_2")).await.len(), 1);
}

#[tokio::test]
async fn fixtures_break_no_other_invariant() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let c = app
        .create_ok(json!({ "device_ids": [a1, dev("august_device_2")] }))
        .await;
    let db = app.database().await;

    // One PIN per common_code_key.
    let mut split = db.clone();
    split["access_codes"][1]["code"] = json!("97531");
    assert!(
        app.put_database(&split).await.err(400, "invalid_input")["message"]
            .as_str()
            .unwrap()
            .contains("common_code_key")
    );

    // Codes only on devices that take them.
    let thermostat = with_code(
        &db,
        &c[0],
        "5ea10009-0000-4000-8000-000000000002",
        &dev("ecobee_device_1"),
        "1111",
    );
    app.put_database(&thermostat)
        .await
        .err(400, "invalid_input");

    // Ids unique.
    let mut dup = db.clone();
    let e = dup["events"][0].clone();
    dup["events"].as_array_mut().unwrap().push(e);
    assert!(
        app.put_database(&dup).await.err(400, "invalid_input")["message"]
            .as_str()
            .unwrap()
            .contains("event_id")
    );

    // A pool PIN equal to a code's.
    let mut pool = db.clone();
    pool["backup_access_code_pools"] =
        json!([{ "device_id": a1, "workspace_id": c[0]["workspace_id"], "codes": [c[0]["code"]] }]);
    app.put_database(&pool).await.err(400, "invalid_input");

    // An offline code on a lock that cannot program them.
    let mut offline = db.clone();
    offline["access_codes"][0]["is_offline_access_code"] = json!(true);
    app.put_database(&offline).await.err(400, "invalid_input");

    assert_eq!(app.database().await, db);
}
