//! Connected accounts and client sessions changed (contract §13): `/connected_accounts/update`,
//! `/connected_accounts/delete` (its devices and their codes go with it), `/connected_accounts/sync`,
//! `/client_sessions/grant_access` and `/client_sessions/revoke`, each visible to the reads and
//! the credential checks that follow.

use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, ids};

async fn account(app: &TestApp, id: impl serde::Serialize) -> Value {
    app.post(
        "/connected_accounts/get",
        json!({ "connected_account_id": id }),
    )
    .await
    .ok()["connected_account"]
        .clone()
}

#[tokio::test]
async fn an_update_changes_what_it_names_and_answers_the_account() {
    let app = TestApp::spawn().await;
    let res = app
        .patch(
            "/connected_accounts/update",
            json!({
                "connected_account_id": seed::JANE,
                "display_name": "Jane's Schlage",
                "automatically_manage_new_devices": false,
                "accepted_capabilities": ["lock"],
                "custom_metadata": { "tier": "gold" },
            }),
        )
        .await;
    let answered = res.ok()["connected_account"].clone();
    let read = account(&app, seed::JANE).await;
    assert_eq!(answered, read);
    assert_eq!(read["display_name"], "Jane's Schlage");
    assert_eq!(read["automatically_manage_new_devices"], false);
    assert_eq!(read["accepted_capabilities"], json!(["lock"]));
    assert_eq!(read["custom_metadata"], json!({ "tier": "gold" }));

    let bad = app
        .post(
            "/connected_accounts/update",
            json!({ "connected_account_id": seed::JANE, "accepted_capabilities": ["toaster"] }),
        )
        .await;
    let e = bad.err(400, "invalid_input");
    assert!(e["validation_errors"]["accepted_capabilities"]["0"].is_object());
    app.post(
        "/connected_accounts/update",
        json!({ "connected_account_id": seed::JANE, "display_name": "" }),
    )
    .await
    .err(400, "invalid_input");
    assert_eq!(account(&app, seed::JANE).await, read);
    app.post(
        "/connected_accounts/update",
        json!({ "connected_account_id": "5ea10002-0000-4000-8000-0000000000ff" }),
    )
    .await
    .err(404, "connected_account_not_found");
}

#[tokio::test]
async fn a_deleted_account_takes_its_devices_and_their_codes() {
    let app = TestApp::spawn().await;
    let garage = dev("schlage_device_1");
    let code = app
        .post(
            "/access_codes/create",
            json!({ "device_id": garage, "code": "1357" }),
        )
        .await
        .ok()["access_code"]["access_code_id"]
        .clone();
    app.delete(&format!(
        "/connected_accounts/delete?connected_account_id={}",
        seed::JANE
    ))
    .await
    .ok();
    app.post(
        "/connected_accounts/get",
        json!({ "connected_account_id": seed::JANE }),
    )
    .await
    .err(404, "connected_account_not_found");
    let left = app
        .post("/devices/list", json!({ "limit": 1000 }))
        .await
        .ok()["devices"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        left.iter()
            .all(|d| d["connected_account_id"] == json!(seed::JOHN))
    );
    assert!(!ids(&left, "device_id").contains(&garage));
    app.post("/access_codes/get", json!({ "access_code_id": code }))
        .await
        .err(404, "access_code_not_found");
    let gone = app.events_of("connected_account.deleted").await;
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0]["connected_account_id"], json!(seed::JANE));
    let devices = app.events_of("device.deleted").await;
    assert!(devices.iter().any(|e| e["device_id"] == json!(garage)));
    assert_eq!(
        app.events_of("access_code.deleted").await[0]["access_code_id"],
        code
    );
    app.post(
        "/connected_accounts/sync",
        json!({ "connected_account_id": seed::JANE }),
    )
    .await
    .err(404, "connected_account_not_found");
    app.post(
        "/connected_accounts/sync",
        json!({ "connected_account_id": seed::JOHN }),
    )
    .await
    .ok();
}

async fn session_devices(app: &TestApp, token: &str) -> Vec<String> {
    ids(
        app.post_as(token, "/devices/list", json!({ "limit": 1000 }))
            .await
            .ok()["devices"]
            .as_array()
            .unwrap(),
        "connected_account_id",
    )
}

#[tokio::test]
async fn granted_accounts_show_at_once_and_a_revoked_token_stops() {
    let app = TestApp::spawn().await;
    let token = seed::CLIENT_SESSION_TOKEN_1;
    assert!(
        !session_devices(&app, token)
            .await
            .contains(&seed::JANE.to_string())
    );
    let res = app
        .patch(
            "/client_sessions/grant_access",
            json!({
                "client_session_id": seed::CLIENT_SESSION_1,
                "connected_account_ids": [seed::JANE],
            }),
        )
        .await;
    let s = &res.ok()["client_session"];
    assert_eq!(s["connected_account_ids"], json!([seed::JOHN, seed::JANE]));
    assert!(
        session_devices(&app, token)
            .await
            .contains(&seed::JANE.to_string())
    );
    // By `user_identifier_key` too; granting twice lists an account once.
    let again = app
        .post(
            "/client_sessions/grant_access",
            json!({
                "user_identifier_key": seed::JOHN_USER_IDENTIFIER_KEY,
                "connected_account_ids": [seed::JANE],
            }),
        )
        .await;
    assert_eq!(
        again.ok()["client_session"]["connected_account_ids"],
        json!([seed::JOHN, seed::JANE])
    );
    app.post(
        "/client_sessions/grant_access",
        json!({
            "client_session_id": seed::CLIENT_SESSION_1,
            "connected_account_ids": ["5ea10002-0000-4000-8000-0000000000ff"],
        }),
    )
    .await
    .err(404, "connected_account_not_found");
    app.post("/client_sessions/grant_access", json!({}))
        .await
        .err(400, "invalid_input");

    app.post(
        "/client_sessions/revoke",
        json!({ "client_session_id": seed::CLIENT_SESSION_1 }),
    )
    .await
    .ok();
    app.post_as(token, "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    // Still there to read, until deleted.
    let s = app
        .post(
            "/client_sessions/get",
            json!({ "client_session_id": seed::CLIENT_SESSION_1 }),
        )
        .await;
    let expires = s.ok()["client_session"]["expires_at"].clone();
    assert!(crate::helpers::parse_time(expires.as_str().unwrap()) <= app.now().await);
    app.post(
        "/client_sessions/revoke",
        json!({ "client_session_id": "5ea10004-0000-4000-8000-0000000000ff" }),
    )
    .await
    .err(404, "client_session_not_found");
}
