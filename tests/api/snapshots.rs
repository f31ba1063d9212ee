//! `/_fake/snapshots/*` (contract §15): save one workspace or all under a name, restore it
//! (rewinding devices, codes, events, customization profiles, keypads, webhooks and pending
//! deliveries of those workspaces only, never the clock, never reusing an id), list and delete.

use std::collections::HashSet;

use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, new_sandbox, s, sandbox_code};

async fn save(app: &TestApp, body: Value) -> Value {
    app.post_open("/_fake/snapshots/save", body).await.ok()["snapshot"].clone()
}

async fn restore(app: &TestApp, name: &str) -> Value {
    app.post_open("/_fake/snapshots/restore", json!({ "name": name }))
        .await
        .ok()["snapshot"]
        .clone()
}

async fn sandbox_pins(app: &TestApp, key: &str, names: &Value) -> Vec<String> {
    let r = app
        .post_as(
            key,
            "/access_codes/list",
            json!({ "device_id": names["august_device_1"] }),
        )
        .await;
    r.ok()["access_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["code"]))
        .collect()
}

/// The default workspace's content as `/_fake/database` shows it.
async fn content(app: &TestApp) -> Value {
    let db = app.database().await;
    let mine = |list: &str| -> Vec<Value> {
        db[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["workspace_id"] == json!(seed::WORKSPACE_1))
            .cloned()
            .collect()
    };
    json!({
        "devices": mine("devices"),
        "access_codes": mine("access_codes"),
        "unmanaged_access_codes": mine("unmanaged_access_codes"),
        "action_attempts": mine("action_attempts"),
        "events": mine("events"),
        "connected_accounts": mine("connected_accounts"),
        "backup_access_code_pools": mine("backup_access_code_pools"),
        "customization_profiles": mine("customization_profiles"),
        "keypads": mine("keypads"),
    })
}

/// The events of the default workspace's pending webhook messages, sorted.
async fn pending(app: &TestApp) -> Vec<String> {
    let r = app
        .post_open(
            "/_fake/webhook_deliveries",
            json!({ "workspace_id": seed::WORKSPACE_1, "status": "pending" }),
        )
        .await;
    let mut ids: Vec<String> = r.ok()["webhook_deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| s(&d["event_id"]))
        .collect();
    ids.sort();
    ids
}

/// The snapshots' names, as listed.
async fn listed(app: &TestApp) -> Vec<String> {
    let r = app.get("/_fake/snapshots/list").await;
    r.ok()["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(&x["name"]))
        .collect()
}

#[tokio::test]
async fn restoring_one_workspace_rewinds_it_and_leaves_the_others() {
    let app = TestApp::spawn().await;
    let (b, b_names) = new_sandbox(&app).await;
    let a1 = dev("august_device_1");
    app.create_ok(json!({ "device_ids": [a1, dev("august_device_2")] }))
        .await;
    app.unmanaged(&dev("schlage_device_1"), "9876").await;
    app.advance(60).await;
    let saved_content = content(&app).await;
    let info = save(
        &app,
        json!({ "name": "before", "workspace_id": seed::WORKSPACE_1 }),
    )
    .await;
    assert_eq!(info["name"], "before");
    assert_eq!(info["all_workspaces"], false);
    assert_eq!(info["workspace_ids"], json!([seed::WORKSPACE_1]));

    // Change the default workspace and the sandbox after the save.
    app.create_ok(json!({ "device_ids": [a1] })).await;
    app.unmanaged(&dev("august_device_2"), "5555").await;
    app.fake_lock(json!({ "supported_code_lengths": [4] }))
        .await;
    app.update_device(&dev("schlage_device_2"), json!({ "online": false }))
        .await;
    sandbox_code(&app, &b, &b_names, "2468").await;
    let now = app.advance(600).await;
    assert_ne!(content(&app).await, saved_content);

    restore(&app, "before").await;
    assert_eq!(content(&app).await, saved_content);
    assert_eq!(sandbox_pins(&app, &b, &b_names).await, vec!["2468"]);
    assert!(app.now().await >= now, "the clock went back");
}

#[tokio::test]
async fn profiles_keypads_and_device_changes_are_rewound() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let profile = app
        .post(
            "/workspaces/customization_profiles/create",
            json!({ "name": "Brand", "primary_color": "#112233" }),
        )
        .await;
    let profile_id = profile.ok()["customization_profile"]["customization_profile_id"].clone();
    let entry = |d: &str, pin: &str| json!({ "device_id": d, "code": pin });
    app.post("/locks/simulate/keypad_code_entry", entry(&a1, "0000"))
        .await
        .ok();
    let profiles = || app.post("/workspaces/customization_profiles/list", json!({}));
    let saved_profiles = profiles().await.ok().clone();
    let saved_content = content(&app).await;
    assert_eq!(saved_content["keypads"].as_array().unwrap().len(), 1);
    save(
        &app,
        json!({ "name": "before", "workspace_id": seed::WORKSPACE_1 }),
    )
    .await;

    app.post(
        "/workspaces/customization_profiles/update",
        json!({ "customization_profile_id": profile_id, "name": "Changed" }),
    )
    .await
    .ok();
    app.post(
        "/workspaces/customization_profiles/create",
        json!({ "name": "Later" }),
    )
    .await
    .ok();
    for pin in ["1111", "2222"] {
        app.post("/locks/simulate/keypad_code_entry", entry(&a1, pin))
            .await
            .ok();
    }
    app.post("/locks/simulate/keypad_code_entry", entry(&a2, "3333"))
        .await
        .ok();
    app.post(
        "/devices/update",
        json!({ "device_id": a2, "name": "Renamed", "custom_metadata": { "unit": "4B" } }),
    )
    .await
    .ok();
    app.post(
        "/devices/delete",
        json!({ "device_id": dev("schlage_device_2") }),
    )
    .await
    .ok();
    assert_ne!(content(&app).await, saved_content);

    restore(&app, "before").await;
    assert_eq!(content(&app).await, saved_content);
    assert_eq!(profiles().await.ok(), &saved_profiles);
    let d = app.post("/devices/get", json!({ "device_id": a2 })).await;
    assert_eq!(d.ok()["device"]["display_name"], "Back Door");
}

#[tokio::test]
async fn a_restore_never_hands_out_an_id_again() {
    let app = TestApp::spawn_with(&["--rng-seed", "5"]).await;
    let (key, names) = new_sandbox(&app).await;
    save(
        &app,
        json!({ "name": "clean", "workspace_id": names["seed_workspace_1"] }),
    )
    .await;
    let mut seen = HashSet::new();
    for round in 0..3 {
        let id = sandbox_code(&app, &key, &names, "1357").await;
        assert!(
            seen.insert(id.clone()),
            "round {round}: {id} handed out twice"
        );
        let events = app
            .post_as(
                &key,
                "/events/list",
                json!({ "since": "2000-01-01T00:00:00.000Z" }),
            )
            .await;
        for e in events.ok()["events"].as_array().unwrap() {
            seen.insert(s(&e["event_id"]));
        }
        restore(&app, "clean").await;
        assert!(sandbox_pins(&app, &key, &names).await.is_empty());
    }
}

#[tokio::test]
async fn a_snapshot_of_all_rewinds_every_workspace_it_held_and_no_other() {
    let app = TestApp::spawn().await;
    let (a, a_names) = new_sandbox(&app).await;
    sandbox_code(&app, &a, &a_names, "1111").await;
    let info = save(&app, json!({ "name": "all" })).await;
    assert_eq!(info["all_workspaces"], true);
    assert_eq!(info["workspace_ids"].as_array().unwrap().len(), 3);

    sandbox_code(&app, &a, &a_names, "2222").await;
    app.create_ok(json!({ "device_ids": [dev("august_device_1")] }))
        .await;
    let (later, later_names) = new_sandbox(&app).await;
    sandbox_code(&app, &later, &later_names, "3333").await;

    restore(&app, "all").await;
    assert_eq!(sandbox_pins(&app, &a, &a_names).await, vec!["1111"]);
    assert!(app.codes_on(&dev("august_device_1")).await.is_empty());
    assert_eq!(sandbox_pins(&app, &later, &later_names).await, vec!["3333"]);
}

#[tokio::test]
async fn webhooks_and_pending_deliveries_are_rewound() {
    let app = TestApp::spawn().await;
    // Nothing listens on port 9: every attempt fails and its message stays pending.
    let kept = app
        .post(
            "/webhooks/create",
            json!({ "url": "http://127.0.0.1:9/kept" }),
        )
        .await;
    let kept = s(&kept.ok()["webhook"]["webhook_id"]);
    app.create_ok(json!({ "device_ids": [dev("august_device_1")] }))
        .await;
    save(
        &app,
        json!({ "name": "hooks", "workspace_id": seed::WORKSPACE_1 }),
    )
    .await;

    // What was pending when it was saved (the save brings the lifecycle up to the clock).
    let before = pending(&app).await;
    assert!(!before.is_empty());
    app.create_ok(json!({ "device_ids": [dev("august_device_2")] }))
        .await;
    app.post("/webhooks/delete", json!({ "webhook_id": kept }))
        .await
        .ok();
    app.post(
        "/webhooks/create",
        json!({ "url": "http://127.0.0.1:9/new" }),
    )
    .await
    .ok();

    restore(&app, "hooks").await;
    let hooks = app.post("/webhooks/list", json!({})).await;
    let hooks = hooks.ok()["webhooks"].as_array().unwrap().clone();
    assert_eq!(hooks.len(), 1);
    assert_eq!(s(&hooks[0]["webhook_id"]), kept);
    assert_eq!(pending(&app).await, before);
}

#[tokio::test]
async fn snapshots_are_listed_replaced_deleted_and_checked() {
    let app = TestApp::spawn().await;
    assert!(listed(&app).await.is_empty());
    save(&app, json!({ "name": "one" })).await;
    save(
        &app,
        json!({ "name": "two", "workspace_id": seed::WORKSPACE_2 }),
    )
    .await;
    let replaced = save(
        &app,
        json!({ "name": "one", "workspace_id": seed::WORKSPACE_1 }),
    )
    .await;
    assert_eq!(replaced["workspace_ids"], json!([seed::WORKSPACE_1]));
    assert_eq!(listed(&app).await, vec!["one", "two"]);
    let by_post = app.post_open("/_fake/snapshots/list", json!({})).await;
    assert_eq!(
        by_post.ok()["snapshots"][1]["workspace_ids"],
        json!([seed::WORKSPACE_2])
    );

    app.post_open("/_fake/snapshots/delete", json!({ "name": "one" }))
        .await
        .ok();
    assert_eq!(listed(&app).await, vec!["two"]);
    for route in ["/_fake/snapshots/delete", "/_fake/snapshots/restore"] {
        let r = app.post_open(route, json!({ "name": "one" })).await;
        assert_eq!(r.err(404, "snapshot_not_found")["data"]["name"], "one");
    }

    let field = |r: &crate::helpers::Res, name: &str| {
        assert!(
            r.err(400, "invalid_input")["validation_errors"][name].is_object(),
            "{}",
            r.text
        );
    };
    for body in [
        json!({}),
        json!({ "name": "" }),
        json!({ "name": 7 }),
        json!({ "name": "x".repeat(201) }),
    ] {
        field(
            &app.post_open("/_fake/snapshots/save", body.clone()).await,
            "name",
        );
        field(
            &app.post_open("/_fake/snapshots/restore", body.clone())
                .await,
            "name",
        );
        field(
            &app.post_open("/_fake/snapshots/delete", body).await,
            "name",
        );
    }
    let r = app
        .post_open(
            "/_fake/snapshots/save",
            json!({ "name": "x", "workspace_id": "nope" }),
        )
        .await;
    field(&r, "workspace_id");
    let unknown = "5ea10001-0000-4000-8000-000000000099";
    app.post_open(
        "/_fake/snapshots/save",
        json!({ "name": "x", "workspace_id": unknown }),
    )
    .await
    .err(404, "workspace_not_found");
    assert_eq!(listed(&app).await, vec!["two"]);
}

#[tokio::test]
async fn restoring_a_workspace_that_is_gone_changes_nothing() {
    let app = TestApp::spawn().await;
    let (key, names) = new_sandbox(&app).await;
    save(&app, json!({ "name": "all" })).await;
    app.create_ok(json!({ "device_ids": [dev("august_device_1")] }))
        .await;
    // A full reset drops the sandbox.
    app.post_open("/_fake/reset", json!({})).await.ok();
    app.create_ok(json!({ "device_ids": [dev("august_device_1")] }))
        .await;
    let r = app
        .post_open("/_fake/snapshots/restore", json!({ "name": "all" }))
        .await;
    assert_eq!(
        r.err(404, "workspace_not_found")["data"]["workspace_id"],
        names["seed_workspace_1"]
    );
    assert_eq!(app.codes_on(&dev("august_device_1")).await.len(), 1);
    app.post_as(&key, "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
}
