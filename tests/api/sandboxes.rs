//! `/_fake/sandboxes/create` (contract §15): a workspace per test with the default seed's
//! accounts and locks under fresh ids and its own API key; sandboxes share nothing, work for
//! every route the default workspace does, and travel through `/_fake/database`.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{KEY_1, TestApp, dev};

/// A sandbox: `(workspace_id, api_key, seed)`.
async fn sandbox(app: &TestApp, body: Value) -> (String, String, Value) {
    let r = app.post_open("/_fake/sandboxes/create", body).await;
    let b = r.ok();
    (
        b["workspace_id"].as_str().unwrap().to_string(),
        b["api_key"].as_str().unwrap().to_string(),
        b["seed"].clone(),
    )
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[tokio::test]
async fn a_sandbox_holds_the_default_seed_under_fresh_ids_with_its_own_key() {
    let app = TestApp::spawn().await;
    let (ws, key, names) = sandbox(&app, json!({ "name": "test one" })).await;
    assert!(key.starts_with("seam_"), "{key}");
    for other in ["seam_cst", "seam_at", "seam_pk"] {
        assert!(!key.starts_with(other), "{key}");
    }
    assert_eq!(s(&names["seed_workspace_1"]), ws);
    assert_eq!(s(&names["seam_apikey1_token"]), key);
    assert!(names.get("seed_workspace_2").is_none());

    let listed = app.post_as(&key, "/workspaces/list", json!({})).await;
    let listed = listed.ok()["workspaces"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(s(&listed[0]["workspace_id"]), ws);
    assert_eq!(listed[0]["name"], "test one");
    assert_eq!(listed[0]["is_sandbox"], true);

    let mine = app.post_as(&key, "/devices/list", json!({})).await;
    let mine = mine.ok()["devices"].as_array().unwrap().clone();
    let seeded = app.post("/devices/list", json!({})).await;
    let seeded = seeded.ok()["devices"].as_array().unwrap().clone();
    assert_eq!(mine.len(), seed::DEVICES.len());
    for (name, ..) in seed::DEVICES {
        let id = s(&names[*name]);
        assert_ne!(id, dev(name), "{name} kept the seed's id");
        let d = mine.iter().find(|d| d["device_id"] == id).unwrap();
        let o = seeded.iter().find(|d| d["device_id"] == dev(name)).unwrap();
        assert_eq!(s(&d["workspace_id"]), ws);
        for same in ["display_name", "device_type", "capabilities_supported"] {
            assert_eq!(d[same], o[same], "{name}: {same}");
        }
        for same in ["supported_code_lengths", "code_constraints", "name"] {
            assert_eq!(
                d["properties"][same], o["properties"][same],
                "{name}: {same}"
            );
        }
    }
    let accounts = app
        .post_as(&key, "/connected_accounts/list", json!({}))
        .await;
    let accounts = accounts.ok()["connected_accounts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(accounts.len(), 3);
    assert!(
        accounts
            .iter()
            .any(|a| a["connected_account_id"] == names["john_connected_account_id"])
    );
    // The sandbox's client session works, limited to John's locks as the seed's is.
    let cst = s(&names["seam_cst1_token"]);
    assert!(cst.starts_with("seam_cst"));
    let johns = app.post_as(cst, "/devices/list", json!({})).await;
    assert!(
        johns.ok()["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["connected_account_id"] == names["john_connected_account_id"])
    );

    let (_, _, _) = sandbox(&app, json!({})).await;
    let named = app.post_open("/_fake/sandboxes/create", json!({})).await;
    assert_ne!(named.ok()["api_key"], json!(key));
    let listed = app
        .post_as(s(&named.json["api_key"]), "/workspaces/list", json!({}))
        .await;
    assert_eq!(listed.ok()["workspaces"][0]["name"], "Sandbox");
    app.post_open("/_fake/sandboxes/create", json!({ "name": 4 }))
        .await
        .err(400, "invalid_input");
}

#[tokio::test]
async fn sandboxes_side_by_side_share_nothing() {
    let app = TestApp::spawn().await;
    let (a_ws, a, a_names) = sandbox(&app, json!({})).await;
    let (_, b, b_names) = sandbox(&app, json!({})).await;
    let front = |n: &Value| s(&n["august_device_1"]).to_string();

    let made = app
        .post_as(
            &a,
            "/access_codes/create",
            json!({ "device_id": front(&a_names), "code": "1234", "name": "a's" }),
        )
        .await;
    let code_id = s(&made.ok()["access_code"]["access_code_id"]).to_string();
    let group = app
        .send(
            app.as_token(&a, Method::PUT, "/access_codes/create_multiple")
                .json(&json!({ "device_ids": [front(&a_names), s(&a_names["august_device_2"])] })),
        )
        .await;
    assert_eq!(group.ok()["access_codes"].as_array().unwrap().len(), 2);

    // B sees none of it: not the codes, not A's devices, not A's events.
    let on_b = app
        .post_as(
            &b,
            "/access_codes/list",
            json!({ "device_id": front(&b_names) }),
        )
        .await;
    assert_eq!(on_b.ok()["access_codes"], json!([]));
    app.post_as(
        &b,
        "/access_codes/get",
        json!({ "access_code_id": code_id }),
    )
    .await
    .err(404, "access_code_not_found");
    app.post_as(&b, "/devices/get", json!({ "device_id": front(&a_names) }))
        .await
        .err(404, "device_not_found");
    let events = app
        .post_as(
            &b,
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00.000Z" }),
        )
        .await;
    assert_eq!(events.ok()["events"], json!([]));
    // The same PIN is free on B's lock, and on the default workspace's.
    app.post_as(
        &b,
        "/access_codes/create",
        json!({ "device_id": front(&b_names), "code": "1234" }),
    )
    .await
    .ok();
    app.post(
        "/access_codes/create",
        json!({ "device_id": dev("august_device_1"), "code": "1234" }),
    )
    .await
    .ok();
    let on_default = app
        .post(
            "/access_codes/list",
            json!({ "device_id": dev("august_device_1") }),
        )
        .await;
    assert_eq!(on_default.ok()["access_codes"].as_array().unwrap().len(), 1);

    // A's lifecycle runs on the shared clock, in A only.
    app.advance(60).await;
    let got = app
        .post_as(
            &a,
            "/access_codes/get",
            json!({ "access_code_id": code_id }),
        )
        .await;
    assert_eq!(got.ok()["access_code"]["status"], "set");
    let a_events = app
        .post_as(
            &a,
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00.000Z" }),
        )
        .await;
    let a_events = a_events.ok()["events"].as_array().unwrap().clone();
    assert!(!a_events.is_empty());
    assert!(a_events.iter().all(|e| s(&e["workspace_id"]) == a_ws));

    // A's key does not reach B's workspace or the default one.
    let listed = app.post_as(&a, "/devices/list", json!({})).await;
    assert!(
        listed.ok()["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| s(&d["workspace_id"]) == a_ws)
    );
    assert_ne!(KEY_1, a);
}

#[tokio::test]
async fn a_seeded_server_makes_the_same_sandboxes_again() {
    let first = TestApp::spawn_with(&["--rng-seed", "7"]).await;
    let second = TestApp::spawn_with(&["--rng-seed", "7"]).await;
    let one = sandbox(&first, json!({})).await;
    let two = sandbox(&second, json!({})).await;
    assert_eq!(one, two);
    let other = sandbox(&first, json!({})).await;
    assert_ne!(one.1, other.1);
}

#[tokio::test]
async fn sandboxes_and_their_keys_travel_through_the_database() {
    let app = TestApp::spawn().await;
    let (ws, key, names) = sandbox(&app, json!({})).await;
    app.post_as(
        &key,
        "/access_codes/create",
        json!({ "device_id": s(&names["august_device_1"]), "code": "4321" }),
    )
    .await
    .ok();
    let db = app.database().await;
    assert!(
        db["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["workspace_id"] == ws)
    );
    assert!(
        db["api_keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["token"] == key)
    );

    app.post_open("/_fake/reset", json!({})).await.ok();
    app.post_as(&key, "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    app.put_database(&db).await.ok();
    let codes = app
        .post_as(
            &key,
            "/access_codes/list",
            json!({ "device_id": s(&names["august_device_1"]) }),
        )
        .await;
    assert_eq!(codes.ok()["access_codes"][0]["code"], "4321");
}
