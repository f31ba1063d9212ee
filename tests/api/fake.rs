//! The test-control surface (contract §6): `/health`, `/_fake/default_seed`, the database
//! round trip and its consistency check, `/_fake/devices` with custom lengths and
//! constraints, `/_fake/update_device`, `/_fake/reset`, `/_fake/advance_time` — all open
//! without credentials and deaf to a bogus `Authorization` header.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{KEY_2, TestApp, dev, parse_time};

#[tokio::test]
async fn health_answers_get_and_post() {
    let app = TestApp::spawn().await;
    for m in [Method::GET, Method::POST] {
        let res = app.send(app.raw(m, "/health")).await;
        res.ok();
    }
}

#[tokio::test]
async fn default_seed_names_every_seed_thing() {
    let app = TestApp::spawn().await;
    let res = app.send(app.raw(Method::GET, "/_fake/default_seed")).await;
    let s = res.ok().clone();
    let post = app.post_open("/_fake/default_seed", json!({})).await;
    assert_eq!(post.ok(), &s);

    let want = [
        ("seed_workspace_1", json!(seed::WORKSPACE_1)),
        ("seed_workspace_2", json!(seed::WORKSPACE_2)),
        ("seam_apikey1_token", json!("seam_apikey1_token")),
        ("seam_apikey2_token", json!("seam_apikey2_token")),
        ("seam_cst1_token", json!("seam_cst1_token")),
        ("seam_at1_token", json!("seam_at1_longtoken")),
        ("john_connected_account_id", json!(seed::JOHN)),
        ("jane_connected_account_id", json!(seed::JANE)),
    ];
    for (name, value) in want {
        assert_eq!(s[name], value, "{name}");
    }
    for name in [
        "august_device_1",
        "august_device_2",
        "schlage_device_1",
        "schlage_device_2",
        "ecobee_device_1",
        "minut_device_1",
        "nuki_device_1",
        "tedee_device_1",
        "ttlock_device_1",
        "igloohome_device_1",
        "salto_device_1",
        "kwikset_device_1",
    ] {
        let id = s[name].as_str().unwrap_or_else(|| panic!("{name} missing"));
        assert!(uuid::Uuid::try_parse(id).is_ok(), "{name}: {id}");
        assert_eq!(id, dev(name));
        app.post("/devices/get", json!({ "device_id": id }))
            .await
            .ok();
    }
    let d = app
        .post("/devices/get", json!({ "device_id": s["august_device_1"] }))
        .await;
    assert_eq!(d.ok()["device"]["display_name"], json!("Front Door"));
    let d = app
        .post("/devices/get", json!({ "device_id": s["august_device_2"] }))
        .await;
    assert_eq!(d.ok()["device"]["display_name"], json!("Back Door"));
}

#[tokio::test]
async fn the_seed_is_what_sdk_suites_count_on() {
    let app = TestApp::spawn().await;
    let db = app.database().await;
    let accounts_in_ws1 = db["connected_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["workspace_id"] == json!(seed::WORKSPACE_1))
        .count();
    assert_eq!(accounts_in_ws1, 3);
    let devices = db["devices"].as_array().unwrap();
    let listed = app.post("/devices/list", json!({})).await;
    assert_eq!(
        listed.ok()["devices"].as_array().unwrap().len(),
        devices.len()
    );
    assert!(
        devices
            .iter()
            .all(|d| d["workspace_id"] == json!(seed::WORKSPACE_1))
    );
}

#[tokio::test]
async fn the_database_round_trips() {
    let app = TestApp::spawn().await;
    app.create_ok(json!({ "device_ids": [dev("august_device_1"), dev("nuki_device_1")] }))
        .await;
    app.unmanaged(&dev("august_device_2"), "24680").await;
    let before = app.database().await;
    assert_eq!(before["access_codes"].as_array().unwrap().len(), 2);
    app.put_database(&before).await.ok();
    assert_eq!(app.database().await, before);

    // What was put back is served: the PIN is still taken, the codes still readable.
    let code = &before["access_codes"][0];
    let got = app
        .post(
            "/access_codes/get",
            json!({ "access_code_id": code["access_code_id"] }),
        )
        .await;
    assert_eq!(got.ok()["access_code"], *code);
}

#[tokio::test]
async fn an_inconsistent_database_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.create_ok(json!({ "device_ids": [dev("august_device_1")] }))
        .await;
    let before = app.database().await;

    let mut orphan = before.clone();
    orphan["devices"][0]["connected_account_id"] = json!("5ea10002-0000-4000-8000-0000000000ff");
    let mut dangling = before.clone();
    dangling["access_codes"][0]["device_id"] = json!("5ea10003-0000-4000-8000-0000000000ff");
    let mut unknown_ws = before.clone();
    unknown_ws["api_keys"][0]["workspace_id"] = json!("5ea10001-0000-4000-8000-0000000000ff");
    let mut ill_typed = before.clone();
    ill_typed["devices"] = json!("not a list");
    for bad in [orphan, dangling, unknown_ws, ill_typed, json!([1, 2, 3])] {
        let res = app.put_database(&bad).await;
        res.err(400, "invalid_input");
        assert_eq!(app.database().await, before);
    }
    // Still serving the old state.
    app.post("/devices/list", json!({})).await.ok();
}

#[tokio::test]
async fn fake_devices_take_custom_lengths_and_constraints() {
    let app = TestApp::spawn().await;
    let d = app
        .fake_device(json!({
            "workspace_id": seed::WORKSPACE_1,
            "device_type": "august_lock",
            "display_name": "Shed",
            "connected_account_id": seed::JANE,
            "properties": {
                "supported_code_lengths": [7],
                "code_constraints": [{ "constraint_type": "no_zeros" }],
            },
        }))
        .await;
    assert_eq!(d["display_name"], json!("Shed"));
    assert_eq!(d["connected_account_id"], json!(seed::JANE));
    assert_eq!(d["properties"]["supported_code_lengths"], json!([7]));
    assert_eq!(
        d["properties"]["code_constraints"],
        json!([{ "constraint_type": "no_zeros" }])
    );
    // Properties not given come from the type.
    assert_eq!(d["properties"]["manufacturer"], json!("august"));
    assert_eq!(d["properties"]["online"], json!(true));

    let id = d["device_id"].as_str().unwrap();
    let got = app.post("/devices/get", json!({ "device_id": id })).await;
    assert_eq!(got.ok()["device"], d);
    let c = app.create_ok(json!({ "device_ids": [id] })).await;
    let p = c[0]["code"].as_str().unwrap();
    assert!(p.len() == 7 && !p.contains('0'), "{p}");

    // A type's defaults when nothing is given.
    let nuki = app
        .fake_device(json!({ "workspace_id": seed::WORKSPACE_1, "device_type": "nuki_lock" }))
        .await;
    assert_eq!(nuki["properties"]["supported_code_lengths"], json!([6]));
    let types: Vec<&str> = nuki["properties"]["code_constraints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["constraint_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["no_zeros", "cannot_start_with_12"]);

    // In workspace 2, seen by its key only.
    let mut db = app.database().await;
    let mut account = db["connected_accounts"][0].clone();
    account["workspace_id"] = json!(seed::WORKSPACE_2);
    account["connected_account_id"] = json!("5ea10002-0000-4000-8000-0000000000f2");
    db["connected_accounts"]
        .as_array_mut()
        .unwrap()
        .push(account);
    app.put_database(&db).await.ok();
    let other = app
        .fake_device(json!({ "workspace_id": seed::WORKSPACE_2, "device_type": "igloohome_lock" }))
        .await;
    let other_id = other["device_id"].as_str().unwrap();
    app.post_as(KEY_2, "/devices/get", json!({ "device_id": other_id }))
        .await
        .ok();
    app.post("/devices/get", json!({ "device_id": other_id }))
        .await
        .err(404, "device_not_found");
}

#[tokio::test]
async fn fake_devices_in_an_unknown_workspace_are_404() {
    let app = TestApp::spawn().await;
    let ws = "5ea10001-0000-4000-8000-0000000000ee";
    let res = app
        .post_open(
            "/_fake/devices",
            json!({ "workspace_id": ws, "device_type": "august_lock" }),
        )
        .await;
    assert_eq!(
        res.err(404, "workspace_not_found")["data"]["workspace_id"],
        json!(ws)
    );
    app.post_open("/_fake/devices", json!({ "device_type": "august_lock" }))
        .await
        .err(400, "invalid_input");
    app.post_open(
        "/_fake/update_device",
        json!({ "device_id": "5ea10003-0000-4000-8000-0000000000ee", "properties": { "online": false } }),
    )
    .await
    .err(404, "device_not_found");
}

#[tokio::test]
async fn reset_restores_the_seed() {
    let app = TestApp::spawn().await;
    let seeded = app.database().await;
    let a1 = dev("august_device_1");
    let c = app.create_ok(json!({ "device_ids": [a1] })).await;
    let extra = app
        .fake_lock(json!({ "supported_code_lengths": [4] }))
        .await;
    app.update_device(&dev("august_device_2"), json!({ "online": false }))
        .await;
    assert_ne!(app.database().await, seeded);

    app.post_open("/_fake/reset", json!({})).await.ok();
    app.post(
        "/access_codes/get",
        json!({ "access_code_id": c[0]["access_code_id"] }),
    )
    .await
    .err(404, "access_code_not_found");
    app.post("/devices/get", json!({ "device_id": extra }))
        .await
        .err(404, "device_not_found");
    let db = app.database().await;
    assert_eq!(db["access_codes"], json!([]));
    assert_eq!(db["events"], json!([]));
    assert_eq!(db["devices"], seeded["devices"]);
    assert_eq!(db, seeded);
}

#[tokio::test]
async fn advance_time_moves_the_server_clock_forward() {
    let app = TestApp::spawn().await;
    let t0 = app.now().await;
    let t1 = app.advance(86_400).await;
    assert!(t1 - t0 >= chrono::Duration::days(1), "{t0} → {t1}");
    let t2 = app.now().await;
    assert!(t2 >= t1);
    // `/health` tells the server clock, moved with the rest.
    let health = app.send(app.raw(Method::GET, "/health")).await;
    let now = health.ok()["now"].as_str().expect("/health names the time");
    assert!(parse_time(now) >= t1, "{now} < {t1}");
    app.post_open("/_fake/advance_time", json!({ "seconds": -5 }))
        .await
        .err(400, "invalid_input");
    app.post_open("/_fake/advance_time", json!({ "seconds": "soon" }))
        .await
        .err(400, "invalid_input");
}

#[tokio::test]
async fn fake_routes_ignore_a_bogus_authorization_header() {
    let app = TestApp::spawn().await;
    let bogus = |m: Method, path: &str| app.as_token("seam_not_a_real_key", m, path);
    app.send(bogus(Method::GET, "/health")).await.ok();
    app.send(bogus(Method::GET, "/_fake/default_seed"))
        .await
        .ok();
    let db = app.send(bogus(Method::GET, "/_fake/database")).await;
    let db: Value = db.ok().clone();
    app.send(bogus(Method::PUT, "/_fake/database").json(&db))
        .await
        .ok();
    app.send(bogus(Method::POST, "/_fake/advance_time").json(&json!({ "seconds": 0 })))
        .await
        .ok();
    app.send(bogus(Method::POST, "/_fake/devices").json(&json!({
        "workspace_id": seed::WORKSPACE_1,
        "device_type": "august_lock",
    })))
    .await
    .ok();
    app.send(bogus(Method::POST, "/_fake/update_device").json(&json!({
        "device_id": dev("august_device_1"),
        "properties": { "online": true },
    })))
    .await
    .ok();
    app.send(
        app.raw(Method::POST, "/_fake/reset")
            .header("authorization", "garbage"),
    )
    .await
    .ok();
}
