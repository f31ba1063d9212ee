//! Changes made at the lock itself (contract §12, `/_fake/simulate_external_modification`):
//! with `is_external_modification_allowed` false Seam sets its code again; allowed, the
//! change stands.

use serde_json::{Value, json};

use crate::door::{accepted, denied};
use crate::helpers::{TestApp, dev};

async fn code(app: &TestApp, id: &Value) -> Value {
    app.post("/access_codes/get", json!({ "access_code_id": id }))
        .await
        .ok()["access_code"]
        .clone()
}

async fn modify(app: &TestApp, body: Value) -> crate::helpers::Res {
    app.post_open("/_fake/simulate_external_modification", body)
        .await
}

async fn code_events(app: &TestApp, id: &Value) -> Vec<String> {
    app.post("/events/list", json!({ "access_code_id": id }))
        .await
        .ok()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_forbidden_change_at_the_lock_is_undone_by_seam() {
    let app = TestApp::spawn_with(&["--programming-delay", "30"]).await;
    let lock = dev("august_device_1");
    let c = app
        .post(
            "/access_codes/create",
            json!({ "device_id": lock, "code": "3846" }),
        )
        .await
        .ok()["access_code"]
        .clone();
    let id = &c["access_code_id"];
    // Not on the lock yet: nothing to change there.
    let e = modify(
        &app,
        json!({ "access_code_id": id, "change_type": "removed" }),
    )
    .await;
    e.err(400, "invalid_input");
    app.advance(30).await;

    for (change, event) in [
        ("modified", "access_code.modified_external_to_seam"),
        ("removed", "access_code.deleted_external_to_seam"),
    ] {
        modify(
            &app,
            json!({ "access_code_id": id, "change_type": change, "code": "9999" }),
        )
        .await
        .ok();
        let held = code(&app, id).await;
        assert_eq!(held["status"], "setting", "{change}");
        assert_eq!(held["code"], "3846", "Seam keeps its PIN");
        let err = &held["errors"][0];
        assert_eq!(err["error_code"], "conflicting_external_modification");
        assert_eq!(err["change_type"], change);
        assert_eq!(err["is_access_code_error"], true);
        // Off the lock meanwhile.
        denied(&app, &lock, "3846", "unknown_code", None).await;
        app.advance(30).await;
        let back = code(&app, id).await;
        assert_eq!(
            (back["status"].clone(), back["errors"].clone()),
            (json!("set"), json!([]))
        );
        let events = code_events(&app, id).await;
        assert_eq!(
            events[events.len() - 2..],
            [event, "access_code.set_on_device"]
        );
        accepted(&app, &lock, "3846", id).await;
    }
}

#[tokio::test]
async fn an_allowed_change_at_the_lock_stands() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_2");
    let create = |pin: &str| json!({ "device_id": lock, "code": pin, "is_external_modification_allowed": true });
    let c = app.post("/access_codes/create", create("2719")).await.ok()["access_code"].clone();
    let other = app.post("/access_codes/create", create("6153")).await.ok()["access_code"].clone();
    app.advance(1).await;
    let id = &c["access_code_id"];

    modify(
        &app,
        json!({ "access_code_id": id, "change_type": "modified" }),
    )
    .await
    .err(400, "invalid_input");
    modify(
        &app,
        json!({ "access_code_id": id, "change_type": "modified", "code": "6153" }),
    )
    .await
    .err(409, "duplicate_access_code");
    modify(
        &app,
        json!({ "access_code_id": id, "change_type": "modified", "code": "8420" }),
    )
    .await
    .ok();
    let now = code(&app, id).await;
    assert_eq!(
        (now["code"].clone(), now["status"].clone()),
        (json!("8420"), json!("set"))
    );
    assert_eq!(
        now["warnings"][0]["warning_code"],
        "external_modification_in_effect"
    );
    assert_eq!(
        code_events(&app, id).await.last().unwrap(),
        "access_code.modified_external_to_seam"
    );
    accepted(&app, &lock, "8420", id).await;
    denied(&app, &lock, "2719", "unknown_code", None).await;

    let other_id = &other["access_code_id"];
    modify(
        &app,
        json!({ "access_code_id": other_id, "change_type": "removed" }),
    )
    .await
    .ok();
    app.post("/access_codes/get", json!({ "access_code_id": other_id }))
        .await
        .err(404, "access_code_not_found");
    let gone = app
        .post(
            "/events/list",
            json!({ "event_type": "access_code.deleted_external_to_seam" }),
        )
        .await;
    assert_eq!(gone.ok()["events"][0]["access_code_id"], *other_id);
    modify(
        &app,
        json!({ "access_code_id": "5ea10009-0000-4000-8000-0000000000ee", "change_type": "removed" }),
    )
    .await
    .err(404, "access_code_not_found");
    modify(
        &app,
        json!({ "access_code_id": id, "change_type": "renamed" }),
    )
    .await
    .err(400, "invalid_input");
}
