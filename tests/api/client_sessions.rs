//! `/client_sessions/*`: made with an API key or a publishable key (+ `user_identifier_key`),
//! tokens that work at once and stop when deleted; an unknown token is a 401.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{Res, TestApp, dev, ids, is_js_iso};

async fn with_pk(app: &TestApp, method: Method, path: &str, pk: &str, body: Value) -> Res {
    app.send(
        app.raw(method, path)
            .header("seam-publishable-key", pk)
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn a_publishable_key_gets_or_creates_a_session_that_works_at_once() {
    let app = TestApp::spawn().await;
    let pk = seed::PUBLISHABLE_KEY_1;
    // John's key already has the seed's session.
    let r = with_pk(
        &app,
        Method::POST,
        "/client_sessions/get_or_create",
        pk,
        json!({ "user_identifier_key": seed::JOHN_USER_IDENTIFIER_KEY }),
    )
    .await;
    let s = r.ok()["client_session"].clone();
    assert_eq!(s["token"], seed::CLIENT_SESSION_TOKEN_1);
    assert_eq!(s["connected_account_ids"], json!([seed::JOHN]));
    assert!(s["device_count"].as_u64().unwrap() > 0);

    let r = with_pk(
        &app,
        Method::PUT,
        "/client_sessions/get_or_create",
        pk,
        json!({ "user_identifier_key": "new-user" }),
    )
    .await;
    let s = r.ok()["client_session"].clone();
    let token = s["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("seam_cst"));
    assert_eq!(s["workspace_id"], json!(seed::WORKSPACE_1));
    assert_eq!(s["user_identifier_key"], "new-user");
    for k in [
        "connect_webview_ids",
        "user_identity_ids",
        "connected_account_ids",
    ] {
        assert_eq!(s[k], json!([]), "{k}");
    }
    assert!(is_js_iso(s["created_at"].as_str().unwrap()));
    assert!(is_js_iso(s["expires_at"].as_str().unwrap()));
    let d = app
        .post_as(
            &token,
            "/devices/get",
            json!({ "device_id": dev("august_device_1") }),
        )
        .await;
    d.ok();
    // Asking again gives the same session.
    let again = with_pk(
        &app,
        Method::POST,
        "/client_sessions/get_or_create",
        pk,
        json!({ "user_identifier_key": "new-user" }),
    )
    .await;
    assert_eq!(again.ok()["client_session"]["token"], json!(token));

    with_pk(
        &app,
        Method::POST,
        "/client_sessions/get_or_create",
        pk,
        json!({}),
    )
    .await
    .err(400, "publishable_key_requires_user_identifier_key");
    with_pk(
        &app,
        Method::POST,
        "/client_sessions/create",
        pk,
        json!({ "user_identifier_key": "u2", "connected_account_ids": [seed::JOHN] }),
    )
    .await
    .err(403, "publishable_keys_must_create_empty_client_sessions");
    with_pk(
        &app,
        Method::POST,
        "/client_sessions/get_or_create",
        "seam_pk_unknown",
        json!({ "user_identifier_key": "u" }),
    )
    .await
    .err(401, "unauthorized");
    // A publishable key opens client sessions, nothing else.
    with_pk(&app, Method::POST, "/devices/list", pk, json!({}))
        .await
        .err(401, "unauthorized");
}

#[tokio::test]
async fn an_api_key_creates_gets_lists_and_deletes_sessions() {
    let app = TestApp::spawn().await;
    let key2 = seed::API_KEY_2;
    let r = app
        .post_as(
            key2,
            "/client_sessions/create",
            json!({ "user_identifier_key": "k" }),
        )
        .await;
    let s = r.ok()["client_session"].clone();
    let (id, token) = (
        s["client_session_id"].clone(),
        s["token"].as_str().unwrap().to_string(),
    );
    assert_eq!(s["workspace_id"], json!(seed::WORKSPACE_2));
    let devices = app.post_as(&token, "/devices/list", json!({})).await;
    assert_eq!(devices.ok()["devices"], json!([]));

    app.post_as(
        key2,
        "/client_sessions/create",
        json!({ "user_identifier_key": "k" }),
    )
    .await
    .err(400, "client_session_token_already_exists");
    let put = app
        .send(
            app.as_token(key2, Method::PUT, "/client_sessions/create")
                .json(&json!({ "user_identifier_key": "k" })),
        )
        .await;
    assert_eq!(put.ok()["client_session"]["client_session_id"], id);

    let got = app
        .post_as(
            key2,
            "/client_sessions/get",
            json!({ "client_session_id": id }),
        )
        .await;
    assert_eq!(got.ok()["client_session"]["token"], json!(token));
    let got = app
        .post_as(
            key2,
            "/client_sessions/get",
            json!({ "user_identifier_key": "k" }),
        )
        .await;
    assert_eq!(got.ok()["client_session"]["client_session_id"], id);
    let own = app.post_as(&token, "/client_sessions/get", json!({})).await;
    assert_eq!(own.ok()["client_session"]["client_session_id"], id);
    app.post_as(key2, "/client_sessions/get", json!({}))
        .await
        .err(400, "invalid_input");
    // Another workspace's session is not found from here.
    app.post("/client_sessions/get", json!({ "client_session_id": id }))
        .await
        .err(404, "client_session_not_found");

    let listed = app.post_as(key2, "/client_sessions/list", json!({})).await;
    assert_eq!(
        ids(
            listed.ok()["client_sessions"].as_array().unwrap(),
            "client_session_id"
        ),
        [id.as_str().unwrap().to_string()]
    );
    let w1 = app.get("/client_sessions/list").await;
    assert_eq!(w1.ok()["client_sessions"].as_array().unwrap().len(), 1);
    app.post_as(&token, "/client_sessions/list", json!({}))
        .await
        .err(401, "unauthorized");
    app.post_as(&token, "/client_sessions/create", json!({}))
        .await
        .err(401, "unauthorized");
    app.post(
        "/client_sessions/create",
        json!({ "connected_account_ids": ["5ea10002-0000-4000-8000-000000000099"] }),
    )
    .await
    .err(404, "connected_account_not_found");

    let del = app
        .send(app.as_token(
            key2,
            Method::DELETE,
            &format!(
                "/client_sessions/delete?client_session_id={}",
                id.as_str().unwrap()
            ),
        ))
        .await;
    del.ok();
    app.post_as(&token, "/devices/list", json!({}))
        .await
        .err(401, "client_session_not_found");
    app.post_as(
        key2,
        "/client_sessions/delete",
        json!({ "client_session_id": id }),
    )
    .await
    .err(404, "client_session_not_found");
    app.post_as("seam_cst_unknown", "/devices/list", json!({}))
        .await
        .err(401, "client_session_not_found");
}

#[tokio::test]
async fn a_limited_session_sees_its_accounts_devices_only() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/client_sessions/create",
            json!({ "connected_account_ids": [seed::JANE] }),
        )
        .await;
    let s = r.ok()["client_session"].clone();
    assert_eq!(s["user_identifier_key"], Value::Null);
    let token = s["token"].as_str().unwrap();
    let devices = app.post_as(token, "/devices/list", json!({})).await;
    let devices = devices.ok()["devices"].as_array().unwrap().clone();
    assert_eq!(devices.len() as u64, s["device_count"].as_u64().unwrap());
    assert!(
        devices
            .iter()
            .all(|d| d["connected_account_id"] == json!(seed::JANE))
    );
}
