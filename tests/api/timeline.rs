//! The rest of the access-code surface (contract §10): `/access_codes/get_timeline`,
//! `/access_codes/report_device_constraints`, `/access_codes/unmanaged/update`, and the UUID
//! rule on the create routes' device ids.

use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, is_js_iso};

#[tokio::test]
async fn a_timeline_tells_a_codes_story_oldest_first_and_pages() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let c = app.create_ok(json!({ "device_ids": [a1] })).await[0].clone();
    let id = &c["access_code_id"];
    app.advance(1).await;
    app.post(
        "/access_codes/update",
        json!({ "access_code_id": id, "name": "renamed" }),
    )
    .await
    .ok();
    let res = app
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id }),
        )
        .await;
    let body = res.ok().clone();
    let events = body["timeline_events"].as_array().unwrap();
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "access_code.created",
            "access_code.set_on_device",
            "access_code.changed"
        ]
    );
    for e in events {
        assert!(is_js_iso(e["occurred_at"].as_str().unwrap()));
        assert!(e["timeline_event_id"].is_string());
        assert!(!e["description"].as_str().unwrap().is_empty());
        assert!(e["actor"]["type"].is_string());
        assert_eq!(e["related_resource_ids"]["device_id"], json!(a1));
    }
    assert_eq!(
        body["pagination"],
        json!({ "has_more": false, "next_cursor": null, "prev_cursor": null })
    );

    let first = app
        .get(&format!(
            "/access_codes/get_timeline?access_code_id={}&limit=2",
            id.as_str().unwrap()
        ))
        .await;
    let p1 = first.ok().clone();
    assert_eq!(p1["timeline_events"].as_array().unwrap().len(), 2);
    assert_eq!(p1["pagination"]["has_more"], json!(true));
    let cursor = p1["pagination"]["next_cursor"].clone();
    let p2 = app
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id, "limit": 2, "cursor": cursor }),
        )
        .await
        .ok()
        .clone();
    assert_eq!(
        p2["timeline_events"][0]["event_type"],
        json!("access_code.changed")
    );
    assert_eq!(p2["pagination"]["has_more"], json!(false));
    assert!(p2["pagination"]["prev_cursor"].is_string());

    let only = app
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id, "event_types": ["access_code.changed"] }),
        )
        .await
        .ok()["timeline_events"]
        .clone();
    assert_eq!(only.as_array().unwrap().len(), 1);

    // A deleted code keeps its history.
    app.post("/access_codes/delete", json!({ "access_code_id": id }))
        .await
        .ok();
    let after = app
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id }),
        )
        .await
        .ok()["timeline_events"]
        .clone();
    assert_eq!(
        after.as_array().unwrap().last().unwrap()["event_type"],
        json!("access_code.deleted")
    );
}

#[tokio::test]
async fn timeline_errors() {
    let app = TestApp::spawn().await;
    for id in [json!("5ea10003-0000-4000-8000-0000000000ee"), json!("nope")] {
        app.post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id }),
        )
        .await
        .err(404, "access_code_not_found");
    }
    app.post("/access_codes/get_timeline", json!({}))
        .await
        .err(400, "invalid_input");
    let c = app
        .create_ok(json!({ "device_ids": [dev("august_device_1")] }))
        .await[0]
        .clone();
    for bad in [
        json!({ "limit": 0 }),
        json!({ "limit": 201 }),
        json!({ "cursor": "garbage" }),
    ] {
        let mut body = bad;
        body["access_code_id"] = c["access_code_id"].clone();
        app.post("/access_codes/get_timeline", body)
            .await
            .err(400, "invalid_input");
    }
    app.post_as(
        crate::helpers::KEY_2,
        "/access_codes/get_timeline",
        json!({ "access_code_id": c["access_code_id"] }),
    )
    .await
    .err(404, "access_code_not_found");
}

#[tokio::test]
async fn reported_constraints_decide_later_pins() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    app.post(
        "/access_codes/report_device_constraints",
        json!({ "device_id": a1, "supported_code_lengths": [7, 6, 7] }),
    )
    .await
    .ok();
    let d = app
        .post("/devices/get", json!({ "device_id": a1 }))
        .await
        .ok()["device"]
        .clone();
    assert_eq!(d["properties"]["supported_code_lengths"], json!([6, 7]));
    let c = app.create_ok(json!({ "device_ids": [a1] })).await[0].clone();
    assert_eq!(c["code"].as_str().unwrap().len(), 6);

    app.post(
        "/access_codes/report_device_constraints",
        json!({ "device_id": a1, "min_code_length": 10, "max_code_length": 12 }),
    )
    .await
    .ok();
    let d = app
        .post("/devices/get", json!({ "device_id": a1 }))
        .await
        .ok()["device"]
        .clone();
    assert_eq!(
        d["properties"]["supported_code_lengths"],
        json!([10, 11, 12])
    );
    let again = app
        .post("/access_codes/create", json!({ "device_id": a1 }))
        .await;
    assert_eq!(
        again.ok()["access_code"]["code"].as_str().unwrap().len(),
        10
    );
    // The state with 10-digit lengths still round-trips as a fixture.
    let db = app.database().await;
    app.put_database(&db).await.ok();
}

#[tokio::test]
async fn report_device_constraints_errors_change_nothing() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    for bad in [
        json!({}),
        json!({ "supported_code_lengths": [] }),
        json!({ "supported_code_lengths": [3] }),
        json!({ "supported_code_lengths": [21] }),
        json!({ "supported_code_lengths": [4.5] }),
        json!({ "supported_code_lengths": [4], "min_code_length": 4, "max_code_length": 6 }),
        json!({ "min_code_length": 4 }),
        json!({ "min_code_length": 8, "max_code_length": 6 }),
    ] {
        let mut body = bad.clone();
        body["device_id"] = json!(a1);
        app.post("/access_codes/report_device_constraints", body)
            .await
            .err(400, "invalid_input");
    }
    app.post(
        "/access_codes/report_device_constraints",
        json!({ "device_id": "nope", "supported_code_lengths": [4] }),
    )
    .await
    .err(400, "invalid_input");
    app.post(
        "/access_codes/report_device_constraints",
        json!({ "device_id": "5ea10003-0000-4000-8000-0000000000ee", "supported_code_lengths": [4] }),
    )
    .await
    .err(404, "device_not_found");
    app.post(
        "/access_codes/report_device_constraints",
        json!({ "device_id": dev("ecobee_device_1"), "supported_code_lengths": [4] }),
    )
    .await
    .err(400, "device_does_not_support_access_codes");
    let d = app
        .post("/devices/get", json!({ "device_id": a1 }))
        .await
        .ok()["device"]
        .clone();
    assert_eq!(
        d["properties"]["supported_code_lengths"],
        json!([4, 5, 6, 7, 8])
    );
}

#[tokio::test]
async fn unmanaged_update_converts_when_is_managed() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let u = app.unmanaged(&a1, "2468").await;
    let id = &u["access_code_id"];
    app.send(
        app.authed(reqwest::Method::PATCH, "/access_codes/unmanaged/update")
            .json(&json!({ "access_code_id": id, "is_managed": false })),
    )
    .await
    .ok();
    assert_eq!(app.unmanaged_on(&a1).await.len(), 1);
    app.post(
        "/access_codes/unmanaged/update",
        json!({ "access_code_id": id }),
    )
    .await
    .err(400, "invalid_input");
    app.post(
        "/access_codes/unmanaged/update",
        json!({ "access_code_id": id, "is_managed": true, "allow_external_modification": true }),
    )
    .await
    .ok();
    assert!(app.unmanaged_on(&a1).await.is_empty());
    let c = app
        .post("/access_codes/get", json!({ "access_code_id": id }))
        .await
        .ok()["access_code"]
        .clone();
    assert_eq!(c["code"], json!("2468"));
    assert_eq!(c["is_managed"], json!(true));
    assert_eq!(c["is_external_modification_allowed"], json!(true));
    app.post(
        "/access_codes/unmanaged/update",
        json!({ "access_code_id": id, "is_managed": true }),
    )
    .await
    .err(404, "access_code_not_found");
}

#[tokio::test]
async fn create_routes_take_uuids_and_name_the_field() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let before = app.snapshot(&[&a1]).await;
    let e = app
        .create_multiple(json!({ "device_ids": [a1, "unknown-device"] }))
        .await;
    let e = e.err(400, "invalid_input").clone();
    assert_eq!(
        e["validation_errors"]["device_ids"]["1"]["_errors"],
        json!(["Invalid uuid"])
    );
    assert!(e["message"].as_str().unwrap().contains("device_ids"));
    let e = app
        .post(
            "/access_codes/create",
            json!({ "device_id": "unknown-device" }),
        )
        .await;
    let e = e.err(400, "invalid_input").clone();
    assert_eq!(
        e["validation_errors"]["device_id"]["_errors"],
        json!(["Invalid uuid"])
    );
    assert_eq!(app.snapshot(&[&a1]).await, before);
    // Reads keep their 404.
    app.post("/devices/get", json!({ "device_id": "unknown-device" }))
        .await
        .err(404, "device_not_found");
    let _: Value = Value::Null;
}
