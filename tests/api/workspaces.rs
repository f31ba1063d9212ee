//! `/workspaces/*`, personal access tokens without `seam-workspace`, and console-session JWTs
//! (HS256 over `{user_id, key}`, secret from `--console-jwt-secret`).

use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, ids, is_js_iso};

const PAT: &str = seed::PERSONAL_ACCESS_TOKEN_1;

fn jwt(user_id: &str, key: &str, secret: &str) -> String {
    encode(
        &Header::default(),
        &json!({ "user_id": user_id, "key": key, "iat": 1_700_000_000 }),
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn john(secret: &str) -> String {
    jwt(&seed::JOHN_USER.to_string(), seed::JOHN_USER_KEY, secret)
}

/// John's token, signed with the default secret, with `claims` added (`exp`, `nbf`).
fn john_with(claims: Value) -> String {
    let mut c = json!({ "user_id": seed::JOHN_USER, "key": seed::JOHN_USER_KEY });
    c.as_object_mut()
        .unwrap()
        .extend(claims.as_object().unwrap().clone());
    encode(
        &Header::default(),
        &c,
        &EncodingKey::from_secret(b"secret").unwrap(),
    )
    .unwrap()
}

/// A console session used at `/devices/list` in workspace 1.
async fn devices_as(app: &TestApp, token: &str) -> crate::helpers::Res {
    let ws1 = seed::WORKSPACE_1.to_string();
    call(app, token, Some(&ws1), "/devices/list", json!({})).await
}

async fn call(
    app: &TestApp,
    token: &str,
    ws: Option<&str>,
    path: &str,
    body: Value,
) -> crate::helpers::Res {
    let mut rb = app.as_token(token, Method::POST, path).json(&body);
    if let Some(ws) = ws {
        rb = rb.header("seam-workspace", ws);
    }
    app.send(rb).await
}

#[tokio::test]
async fn get_and_list_show_the_callers_workspaces() {
    let app = TestApp::spawn().await;
    let w = app.get("/workspaces/get").await;
    let w = &w.ok()["workspace"];
    assert_eq!(w["workspace_id"], json!(seed::WORKSPACE_1));
    assert_eq!(w["name"], "My Workspace");
    assert_eq!(w["company_name"], "My Workspace");
    assert_eq!(w["publishable_key"], seed::PUBLISHABLE_KEY_1);
    assert_eq!(w["is_publishable_key_auth_enabled"], json!(true));
    assert_eq!(w["is_sandbox"], json!(true));
    assert_eq!(w["is_suspended"], json!(false));
    assert_eq!(w["connect_partner_name"], Value::Null);
    assert_eq!(w["organization_id"], Value::Null);
    assert_eq!(w["connect_webview_customization"], json!({}));
    assert!(is_js_iso(w["created_at"].as_str().unwrap()));

    let mine = app.get("/workspaces/list").await;
    assert_eq!(
        ids(mine.ok()["workspaces"].as_array().unwrap(), "workspace_id"),
        [seed::WORKSPACE_1.to_string()]
    );
    // A PAT lists every workspace it belongs to, with or without seam-workspace.
    let both = [seed::WORKSPACE_1, seed::WORKSPACE_2].map(|u| u.to_string());
    let r = call(&app, PAT, None, "/workspaces/list", json!({})).await;
    assert_eq!(
        ids(r.ok()["workspaces"].as_array().unwrap(), "workspace_id"),
        both
    );
    let r = app
        .send(
            app.as_token(PAT, Method::GET, "/workspaces/list")
                .header("seam-workspace", seed::WORKSPACE_2.to_string()),
        )
        .await;
    assert_eq!(
        ids(r.ok()["workspaces"].as_array().unwrap(), "workspace_id"),
        both
    );
    // ...but every other route still needs the header.
    call(&app, PAT, None, "/workspaces/get", json!({}))
        .await
        .err(401, "unauthorized");
    call(&app, PAT, None, "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    let r = app.send(app.raw(Method::GET, "/workspaces/list")).await;
    r.err(401, "unauthorized");
}

#[tokio::test]
async fn a_pat_without_a_workspace_creates_one_it_can_use_at_once() {
    let app = TestApp::spawn().await;
    let r = call(
        &app,
        PAT,
        None,
        "/workspaces/create",
        json!({ "name": "Test Workspace", "connect_partner_name": "Example Partner", "is_sandbox": true }),
    )
    .await;
    let w = r.ok()["workspace"].clone();
    let id = w["workspace_id"].as_str().unwrap().to_string();
    assert_eq!(w["name"], "Test Workspace");
    assert_eq!(w["company_name"], "Example Partner");
    assert_eq!(w["connect_partner_name"], "Example Partner");
    assert!(
        w["publishable_key"]
            .as_str()
            .unwrap()
            .starts_with("seam_pk")
    );

    let devices = call(&app, PAT, Some(&id), "/devices/list", json!({})).await;
    assert_eq!(devices.ok()["devices"], json!([]));
    let listed = call(&app, PAT, None, "/workspaces/list", json!({})).await;
    assert_eq!(listed.ok()["workspaces"].as_array().unwrap().len(), 3);
    // Its publishable key opens client sessions there.
    let r = app
        .send(
            app.raw(Method::POST, "/client_sessions/get_or_create")
                .header(
                    "seam-publishable-key",
                    w["publishable_key"].as_str().unwrap(),
                )
                .json(&json!({ "user_identifier_key": "u" })),
        )
        .await;
    assert_eq!(r.ok()["client_session"]["workspace_id"], json!(id));

    // Only people create workspaces; name is required; nothing is made on error.
    app.post("/workspaces/create", json!({ "name": "x" }))
        .await
        .err(401, "unauthorized");
    call(&app, PAT, None, "/workspaces/create", json!({}))
        .await
        .err(400, "invalid_input");
    let after = call(&app, PAT, None, "/workspaces/list", json!({})).await;
    assert_eq!(after.ok()["workspaces"].as_array().unwrap().len(), 3);
    let r = app
        .send(app.as_token(PAT, Method::GET, "/workspaces/create"))
        .await;
    r.err(405, "method_not_allowed");
}

#[tokio::test]
async fn console_session_jwts_work_with_and_without_a_workspace() {
    let app = TestApp::spawn().await;
    let names = app.send(app.raw(Method::GET, "/_fake/default_seed")).await;
    let names = names.ok().clone();
    assert_eq!(names["john_user_id"], json!(seed::JOHN_USER));
    assert_eq!(names["john_user_key"], json!(seed::JOHN_USER_KEY));

    let token = john("secret");
    let ws1 = seed::WORKSPACE_1.to_string();
    let d = call(
        &app,
        &token,
        Some(&ws1),
        "/devices/get",
        json!({ "device_id": dev("august_device_1") }),
    )
    .await;
    assert_eq!(d.ok()["device"]["workspace_id"], json!(ws1));
    let list = call(&app, &token, None, "/workspaces/list", json!({})).await;
    assert_eq!(
        ids(list.ok()["workspaces"].as_array().unwrap(), "workspace_id"),
        vec![seed::WORKSPACE_1.to_string()]
    );
    // Not a member of workspace 2; no workspace outside list/create; wrong secret or key.
    call(
        &app,
        &token,
        Some(&seed::WORKSPACE_2.to_string()),
        "/devices/list",
        json!({}),
    )
    .await
    .err(401, "unauthorized");
    call(&app, &token, None, "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    call(&app, &john("other"), Some(&ws1), "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    let wrong_key = jwt(&seed::JOHN_USER.to_string(), "nope", "secret");
    call(&app, &wrong_key, Some(&ws1), "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    // A console user creates a workspace and becomes its member.
    let w = call(
        &app,
        &token,
        None,
        "/workspaces/create",
        json!({ "name": "Mine" }),
    )
    .await;
    let id = w.ok()["workspace"]["workspace_id"]
        .as_str()
        .unwrap()
        .to_string();
    call(&app, &token, Some(&id), "/workspaces/get", json!({}))
        .await
        .ok();
}

#[tokio::test]
async fn the_console_secret_comes_from_the_flag() {
    let app = TestApp::spawn_with(&["--console-jwt-secret", "s3cret"]).await;
    let ws1 = seed::WORKSPACE_1.to_string();
    call(
        &app,
        &john("s3cret"),
        Some(&ws1),
        "/devices/list",
        json!({}),
    )
    .await
    .ok();
    call(
        &app,
        &john("secret"),
        Some(&ws1),
        "/devices/list",
        json!({}),
    )
    .await
    .err(401, "unauthorized");
}

#[tokio::test]
async fn an_expired_console_session_is_unauthorized() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    for exp in [1000, now - 5] {
        let e = devices_as(&app, &john_with(json!({ "exp": exp }))).await;
        let e = e.err(401, "unauthorized");
        assert!(e["message"].as_str().unwrap().contains("expired"), "{e}");
    }
    devices_as(&app, &john_with(json!({ "exp": now + 3600 })))
        .await
        .ok();
}

#[tokio::test]
async fn a_console_session_before_its_nbf_is_unauthorized() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let e = devices_as(&app, &john_with(json!({ "nbf": now + 3600 }))).await;
    let e = e.err(401, "unauthorized");
    assert!(
        e["message"].as_str().unwrap().contains("not valid yet"),
        "{e}"
    );
    devices_as(&app, &john_with(json!({ "nbf": now - 5 })))
        .await
        .ok();
}
