//! `POST /_fake/reset {workspace_id}` (contract §15): one workspace back to its seed — the
//! default seed's share, a sandbox's own seed with the same ids, or empty — leaving every
//! other workspace alone and never handing out an id twice.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{KEY_2, TestApp, dev, new_sandbox, s, sandbox_code};

async fn codes(app: &TestApp, key: &str, device_id: &Value) -> Vec<Value> {
    let r = app
        .post_as(key, "/access_codes/list", json!({ "device_id": device_id }))
        .await;
    r.ok()["access_codes"].as_array().unwrap().clone()
}

async fn devices(app: &TestApp, key: &str) -> Vec<String> {
    let r = app.post_as(key, "/devices/list", json!({})).await;
    let mut ids: Vec<String> = r.ok()["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| s(&d["device_id"]))
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn resetting_one_sandbox_leaves_the_others() {
    let app = TestApp::spawn().await;
    let (a, a_names) = new_sandbox(&app).await;
    let (b, b_names) = new_sandbox(&app).await;
    let a_ws = a_names["seed_workspace_1"].clone();
    let a_devices = devices(&app, &a).await;
    sandbox_code(&app, &a, &a_names, "1111").await;
    sandbox_code(&app, &b, &b_names, "2222").await;
    app.post(
        "/access_codes/create",
        json!({ "device_id": dev("august_device_1"), "code": "3333" }),
    )
    .await
    .ok();
    app.post_open(
        "/_fake/devices",
        json!({ "workspace_id": a_ws, "device_type": "nuki_lock" }),
    )
    .await
    .ok();
    app.post_as(
        &a,
        "/webhooks/create",
        json!({ "url": "http://127.0.0.1:9/hook" }),
    )
    .await
    .ok();
    let session = app
        .post_as(
            &a,
            "/client_sessions/create",
            json!({ "user_identifier_key": "someone" }),
        )
        .await;
    let token = s(&session.ok()["client_session"]["token"]);

    app.post_open("/_fake/reset", json!({ "workspace_id": a_ws }))
        .await
        .ok();

    // A is its seed again, with the same ids; its key and seeded client session still work.
    assert!(
        codes(&app, &a, &a_names["august_device_1"])
            .await
            .is_empty()
    );
    assert_eq!(devices(&app, &a).await, a_devices);
    let hooks = app.post_as(&a, "/webhooks/list", json!({})).await;
    assert_eq!(hooks.ok()["webhooks"], json!([]));
    app.post_as(&token, "/devices/list", json!({}))
        .await
        .err(401, "client_session_not_found");
    app.post_as(&s(&a_names["seam_cst1_token"]), "/devices/list", json!({}))
        .await
        .ok();
    // B and the default workspace keep what they had.
    assert_eq!(codes(&app, &b, &b_names["august_device_1"]).await.len(), 1);
    let default = app
        .post(
            "/access_codes/list",
            json!({ "device_id": dev("august_device_1") }),
        )
        .await;
    assert_eq!(default.ok()["access_codes"][0]["code"], "3333");
}

#[tokio::test]
async fn resetting_the_default_workspace_leaves_sandboxes_and_the_clock() {
    let app = TestApp::spawn().await;
    let (a, a_names) = new_sandbox(&app).await;
    sandbox_code(&app, &a, &a_names, "1111").await;
    app.post(
        "/access_codes/create",
        json!({ "device_id": dev("august_device_1"), "code": "3333" }),
    )
    .await
    .ok();
    let extra = app
        .fake_lock(json!({ "supported_code_lengths": [4] }))
        .await;
    let now = app.advance(3600).await;

    app.post_open("/_fake/reset", json!({ "workspace_id": seed::WORKSPACE_1 }))
        .await
        .ok();
    let default = app
        .post(
            "/access_codes/list",
            json!({ "device_id": dev("august_device_1") }),
        )
        .await;
    assert_eq!(default.ok()["access_codes"], json!([]));
    app.post("/devices/get", json!({ "device_id": extra }))
        .await
        .err(404, "device_not_found");
    app.post(
        "/devices/get",
        json!({ "device_id": dev("august_device_1") }),
    )
    .await
    .ok();
    assert_eq!(codes(&app, &a, &a_names["august_device_1"]).await.len(), 1);
    assert!(app.now().await >= now);
}

#[tokio::test]
async fn a_reset_workspace_never_hands_out_an_id_twice() {
    let app = TestApp::spawn_with(&["--rng-seed", "3"]).await;
    let (a, names) = new_sandbox(&app).await;
    let first = sandbox_code(&app, &a, &names, "1111").await;
    app.post_open(
        "/_fake/reset",
        json!({ "workspace_id": names["seed_workspace_1"] }),
    )
    .await
    .ok();
    let second = sandbox_code(&app, &a, &names, "1111").await;
    assert_ne!(first, second);
}

#[tokio::test]
async fn a_seeded_empty_workspace_resets_to_empty() {
    let app = TestApp::spawn().await;
    app.post_open(
        "/_fake/devices",
        json!({ "workspace_id": seed::WORKSPACE_1, "device_type": "nuki_lock" }),
    )
    .await
    .ok();
    // Workspace 2 has no connected account: give it a device through the database.
    let mut db = app.database().await;
    let mut device = db["devices"][0].clone();
    device["device_id"] = json!("5ea10003-0000-4000-8000-0000000000aa");
    device["workspace_id"] = json!(seed::WORKSPACE_2);
    device["connected_account_id"] = json!("5ea10002-0000-4000-8000-0000000000aa");
    let mut account = db["connected_accounts"][0].clone();
    account["workspace_id"] = json!(seed::WORKSPACE_2);
    account["connected_account_id"] = json!("5ea10002-0000-4000-8000-0000000000aa");
    db["devices"].as_array_mut().unwrap().push(device);
    db["connected_accounts"]
        .as_array_mut()
        .unwrap()
        .push(account);
    app.put_database(&db).await.ok();
    assert_eq!(devices(&app, KEY_2).await.len(), 1);

    app.post_open("/_fake/reset", json!({ "workspace_id": seed::WORKSPACE_2 }))
        .await
        .ok();
    assert_eq!(devices(&app, KEY_2).await, Vec::<String>::new());
    // Workspace 1 keeps the lock added since the start.
    assert_eq!(
        app.post("/devices/list", json!({})).await.ok()["devices"]
            .as_array()
            .unwrap()
            .len(),
        seed::DEVICES.len() + 1
    );
}

#[tokio::test]
async fn an_unknown_or_malformed_workspace_changes_nothing() {
    let app = TestApp::spawn().await;
    app.post(
        "/access_codes/create",
        json!({ "device_id": dev("august_device_1"), "code": "3333" }),
    )
    .await
    .ok();
    let unknown = "5ea10001-0000-4000-8000-000000000099";
    let r = app
        .post_open("/_fake/reset", json!({ "workspace_id": unknown }))
        .await;
    assert_eq!(
        r.err(404, "workspace_not_found")["data"]["workspace_id"],
        unknown
    );
    let r = app
        .post_open("/_fake/reset", json!({ "workspace_id": "nope" }))
        .await;
    assert!(r.err(400, "invalid_input")["validation_errors"]["workspace_id"].is_object());
    let kept = app
        .post(
            "/access_codes/list",
            json!({ "device_id": dev("august_device_1") }),
        )
        .await;
    assert_eq!(kept.ok()["access_codes"].as_array().unwrap().len(), 1);
    // No body at all: everything, as before.
    app.send(app.raw(Method::POST, "/_fake/reset")).await.ok();
    let gone = app
        .post(
            "/access_codes/list",
            json!({ "device_id": dev("august_device_1") }),
        )
        .await;
    assert_eq!(gone.ok()["access_codes"], json!([]));
}
