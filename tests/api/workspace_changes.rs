//! The workspace changed and searched (contract §13): `/workspaces/update`,
//! `/workspaces/reset_sandbox` (back to the seed, a `RESET_SANDBOX_WORKSPACE` attempt),
//! `/workspaces/find_anything`, and `/workspaces/customization_profiles/*`.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev};

async fn workspace(app: &TestApp) -> Value {
    app.get("/workspaces/get").await.ok()["workspace"].clone()
}

#[tokio::test]
async fn an_update_shows_in_get_and_a_disabled_publishable_key_stops() {
    let app = TestApp::spawn().await;
    app.patch(
        "/workspaces/update",
        json!({
            "name": "Renamed",
            "connect_webview_customization": { "logo_shape": "square", "success_message": "Done" },
            "is_suspended": true,
        }),
    )
    .await
    .ok();
    let w = workspace(&app).await;
    assert_eq!(w["name"], "Renamed");
    assert_eq!(w["is_suspended"], true);
    assert_eq!(
        w["connect_webview_customization"],
        json!({ "logo_shape": "square", "success_message": "Done" })
    );
    app.post(
        "/workspaces/update",
        json!({ "connect_webview_customization": { "success_message": null } }),
    )
    .await
    .ok();
    assert_eq!(
        workspace(&app).await["connect_webview_customization"],
        json!({ "logo_shape": "square" })
    );
    let bad = app
        .post(
            "/workspaces/update",
            json!({ "name": "Nope", "connect_webview_customization": { "logo_shape": "star" } }),
        )
        .await;
    let e = bad.err(400, "invalid_input");
    assert!(e["validation_errors"]["connect_webview_customization"]["logo_shape"].is_object());
    assert_eq!(workspace(&app).await["name"], "Renamed");

    let by_pk = |app: &TestApp| {
        app.raw(Method::POST, "/client_sessions/get_or_create")
            .header("seam-publishable-key", seed::PUBLISHABLE_KEY_1)
            .json(&json!({ "user_identifier_key": "someone" }))
    };
    app.send(by_pk(&app)).await.ok();
    app.post(
        "/workspaces/update",
        json!({ "is_publishable_key_auth_enabled": false }),
    )
    .await
    .ok();
    assert_eq!(
        workspace(&app).await["is_publishable_key_auth_enabled"],
        false
    );
    app.send(by_pk(&app)).await.err(401, "unauthorized");
}

#[tokio::test]
async fn reset_sandbox_returns_the_seed_and_its_attempt_reads_success() {
    let app = TestApp::spawn().await;
    let front = dev("august_device_1");
    let code = app
        .post("/access_codes/create", json!({ "device_id": front }))
        .await
        .ok()["access_code"]["access_code_id"]
        .clone();
    app.post(
        "/devices/update",
        json!({ "device_id": front, "name": "Renamed" }),
    )
    .await
    .ok();
    let a = app.post("/workspaces/reset_sandbox", json!({})).await.ok()["action_attempt"].clone();
    assert_eq!(
        (a["status"].as_str(), a["action_type"].as_str()),
        (Some("pending"), Some("RESET_SANDBOX_WORKSPACE"))
    );
    let done = app
        .post(
            "/action_attempts/get",
            json!({ "action_attempt_id": a["action_attempt_id"] }),
        )
        .await;
    assert_eq!(done.ok()["action_attempt"]["status"], "success");
    app.post("/access_codes/get", json!({ "access_code_id": code }))
        .await
        .err(404, "access_code_not_found");
    let d = app.get(&format!("/devices/get?device_id={front}")).await;
    assert_eq!(d.ok()["device"]["display_name"], "Front Door");
    assert!(app.events_of("device.name_changed").await.is_empty());

    // Only a sandbox resets.
    let pat = seed::PERSONAL_ACCESS_TOKEN_1;
    let made = app
        .send(
            app.as_token(pat, Method::POST, "/workspaces/create")
                .json(&json!({ "name": "Production", "is_sandbox": false })),
        )
        .await;
    let prod = made.ok()["workspace"]["workspace_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.send(
        app.as_token(pat, Method::POST, "/workspaces/reset_sandbox")
            .header("seam-workspace", prod),
    )
    .await
    .err(400, "workspace_not_sandbox");
}

async fn find(app: &TestApp, id: impl std::fmt::Display) -> Value {
    app.get(&format!("/workspaces/find_anything?search={id}"))
        .await
        .ok()["batch"]
        .clone()
}

/// The kinds of `batch` that hold something.
fn kinds(batch: &Value) -> Vec<String> {
    batch
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()))
        .map(|(k, _)| k.clone())
        .collect()
}

#[tokio::test]
async fn find_anything_names_the_kind_of_what_an_id_is() {
    let app = TestApp::spawn().await;
    let front = dev("august_device_1");
    let created = app
        .post("/access_codes/create", json!({ "device_id": front }))
        .await;
    let code = created.ok()["access_code"].clone();
    let b = find(&app, code["access_code_id"].as_str().unwrap()).await;
    assert_eq!(kinds(&b), ["access_codes"]);
    assert_eq!(
        b["access_codes"][0]["access_code_id"],
        code["access_code_id"]
    );
    assert_eq!(kinds(&find(&app, &front).await), ["devices"]);
    assert_eq!(kinds(&find(&app, seed::JOHN).await), ["connected_accounts"]);
    assert_eq!(
        kinds(&find(&app, seed::CLIENT_SESSION_1).await),
        ["client_sessions"]
    );
    assert_eq!(kinds(&find(&app, seed::WORKSPACE_1).await), ["workspaces"]);
    let event = app.events_of("access_code.created").await[0]["event_id"].clone();
    assert_eq!(
        kinds(&find(&app, event.as_str().unwrap()).await),
        ["events"]
    );
    assert!(kinds(&find(&app, "5ea10009-0000-4000-8000-0000000000ff").await).is_empty());
    // Another workspace's device is not found from here.
    let other = app
        .post_as(
            seed::API_KEY_2,
            "/workspaces/find_anything",
            json!({ "search": front }),
        )
        .await;
    assert!(kinds(&other.ok()["batch"]).is_empty());
    let bad = app
        .post(
            "/workspaces/find_anything",
            json!({ "search": "front-door" }),
        )
        .await;
    assert!(bad.err(400, "invalid_input")["validation_errors"]["search"].is_object());
}

async fn get_profile(app: &TestApp, id: &str) -> crate::helpers::Res {
    app.get(&format!(
        "/workspaces/customization_profiles/get?customization_profile_id={id}"
    ))
    .await
}

#[tokio::test]
async fn customization_profiles_are_made_read_listed_and_changed() {
    let app = TestApp::spawn().await;
    let made = app
        .post(
            "/workspaces/customization_profiles/create",
            json!({ "name": "Brand", "primary_color": "#112233",
                    "customer_portal_theme": { "font_family": "Inter" } }),
        )
        .await;
    let p = made.ok()["customization_profile"].clone();
    let id = p["customization_profile_id"].as_str().unwrap().to_string();
    assert_eq!(p["workspace_id"], json!(seed::WORKSPACE_1));
    assert_eq!(
        get_profile(&app, &id).await.ok()["customization_profile"],
        p
    );
    app.patch(
        "/workspaces/customization_profiles/update",
        json!({ "customization_profile_id": id, "secondary_color": "#445566" }),
    )
    .await
    .ok();
    let changed = get_profile(&app, &id).await.ok()["customization_profile"].clone();
    assert_eq!(
        (
            &changed["secondary_color"],
            &changed["primary_color"],
            &changed["name"]
        ),
        (&json!("#445566"), &json!("#112233"), &json!("Brand"))
    );
    let list = app.get("/workspaces/customization_profiles/list").await;
    assert_eq!(list.ok()["customization_profiles"], json!([changed]));
    assert_eq!(kinds(&find(&app, &id).await), ["customization_profiles"]);
    // Each workspace has its own.
    let other = app
        .post_as(
            seed::API_KEY_2,
            "/workspaces/customization_profiles/list",
            json!({}),
        )
        .await;
    assert_eq!(other.ok()["customization_profiles"], json!([]));
    get_profile(&app, "5ea10009-0000-4000-8000-0000000000ff")
        .await
        .err(404, "customization_profile_not_found");
    app.post(
        "/workspaces/customization_profiles/update",
        json!({ "customization_profile_id": "nope", "name": "x" }),
    )
    .await
    .err(404, "customization_profile_not_found");
    app.post(
        "/workspaces/customization_profiles/create",
        json!({ "name": 7 }),
    )
    .await
    .err(400, "invalid_input");
    app.post(
        "/workspaces/customization_profiles/upload_images",
        json!({}),
    )
    .await
    .ok();
}
