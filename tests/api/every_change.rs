//! Every kind of state change the API makes, driven in one server: what
//! `state_file_changes` restarts and compares. A new route that changes state gets a call
//! here.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, s, wire_time};

/// What the driven server made that the reads below name.
pub(crate) struct Made {
    pub(crate) sandbox_key: String,
}

/// `POST` with the default key that must succeed: the body.
pub(crate) async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    app.post(path, body).await.ok().clone()
}

/// An unauthenticated `/_fake/*` call that must succeed.
pub(crate) async fn fake(app: &TestApp, path: &str, body: Value) -> Value {
    app.post_open(path, body).await.ok().clone()
}

/// Codes: managed (ongoing, time-bound, shared, changed, deleted, changed at the lock),
/// unmanaged (made, converted, deleted), a backup pool and its pulled code.
async fn change_codes(app: &TestApp) {
    let (a1, a2, s1) = (
        dev("august_device_1"),
        dev("august_device_2"),
        dev("schlage_device_1"),
    );
    let now = app.now().await;
    let window = |h: i64| json!({ "starts_at": wire_time(now), "ends_at": wire_time(now + chrono::Duration::hours(h)) });
    ok(
        app,
        "/access_codes/create",
        json!({ "device_id": a1, "name": "Front", "code": "1357" }),
    )
    .await;
    let mut short = json!({ "device_id": a1, "name": "Short", "code": "4826" });
    short
        .as_object_mut()
        .unwrap()
        .extend(window(1).as_object().unwrap().clone());
    ok(app, "/access_codes/create", short).await;
    let shared = app
        .create_ok(json!({ "device_ids": [a2, s1], "name": "Shared" }))
        .await;
    ok(
        app,
        "/access_codes/update_multiple",
        json!({ "common_code_key": shared[0]["common_code_key"], "name": "Shared, renamed" }),
    )
    .await;
    let doomed = ok(app, "/access_codes/create", json!({ "device_id": a2 })).await;
    let doomed = &doomed["access_code"]["access_code_id"];
    ok(
        app,
        "/access_codes/update",
        json!({ "access_code_id": doomed, "name": "Doomed" }),
    )
    .await;
    ok(
        app,
        "/access_codes/delete",
        json!({ "access_code_id": doomed }),
    )
    .await;
    for (pin, allowed, change) in [("6183", true, "modified"), ("7294", false, "removed")] {
        let c = ok(
            app,
            "/access_codes/create",
            json!({ "device_id": a2, "code": pin, "allow_external_modification": allowed }),
        )
        .await;
        fake(
            app,
            "/_fake/simulate_external_modification",
            json!({ "access_code_id": c["access_code"]["access_code_id"], "change_type": change,
                    "code": "9182" }),
        )
        .await;
    }
    app.unmanaged(&a2, "2468").await;
    let converted = app.unmanaged(&a1, "3692").await;
    ok(
        app,
        "/access_codes/unmanaged/convert_to_managed",
        json!({ "access_code_id": converted["access_code_id"] }),
    )
    .await;
    let gone = app.unmanaged(&a1, "4703").await;
    ok(
        app,
        "/access_codes/unmanaged/delete",
        json!({ "access_code_id": gone["access_code_id"] }),
    )
    .await;
    let mut guest =
        json!({ "device_id": a1, "use_backup_access_code_pool": true, "name": "Guest" });
    guest
        .as_object_mut()
        .unwrap()
        .extend(window(5).as_object().unwrap().clone());
    let guest = ok(app, "/access_codes/create", guest).await;
    ok(
        app,
        "/access_codes/pull_backup_access_code",
        json!({ "access_code_id": guest["access_code"]["access_code_id"] }),
    )
    .await;
    ok(
        app,
        "/devices/update",
        json!({ "device_id": a2, "backup_access_code_pool_enabled": true }),
    )
    .await;
}

/// The door: keypad entries (accepted, denied, a lockout, an ended PIN), door actions and
/// their attempts, and the device simulations.
async fn change_the_door(app: &TestApp) {
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let entry = |d: &str, pin: &str| json!({ "device_id": d, "code": pin });
    ok(app, "/locks/simulate/keypad_code_entry", entry(&a1, "1357")).await;
    ok(app, "/locks/simulate/keypad_code_entry", entry(&a1, "0000")).await;
    for _ in 0..5 {
        ok(app, "/locks/simulate/keypad_code_entry", entry(&a2, "1111")).await;
    }
    ok(
        app,
        "/locks/simulate/manual_lock_via_keypad",
        json!({ "device_id": a1 }),
    )
    .await;
    // "Short" (1 h) ends: its PIN is remembered by the keypad.
    app.advance(2 * 3600).await;
    ok(app, "/locks/simulate/keypad_code_entry", entry(&a1, "4826")).await;
    let unlock = ok(app, "/locks/unlock_door", json!({ "device_id": a1 })).await;
    ok(app, "/locks/lock_door", json!({ "device_id": a1 })).await;
    ok(
        app,
        "/locks/configure_auto_lock",
        json!({ "device_id": a1, "auto_lock_enabled": true, "auto_lock_delay_seconds": 45 }),
    )
    .await;
    fake(
        app,
        "/_fake/update_action_attempt",
        json!({ "action_attempt_id": unlock["action_attempt"]["action_attempt_id"],
                "status": "error", "error": { "type": "lock_jammed", "message": "Jammed" } }),
    )
    .await;
    let d = |name: &str| json!({ "device_id": dev(name) });
    ok(app, "/devices/simulate/disconnect", d("schlage_device_1")).await;
    ok(app, "/devices/simulate/disconnect", d("august_device_2")).await;
    ok(app, "/devices/simulate/connect", d("august_device_2")).await;
    ok(
        app,
        "/devices/simulate/disconnect_from_hub",
        d("ttlock_device_1"),
    )
    .await;
    ok(
        app,
        "/devices/simulate/paid_subscription",
        json!({ "device_id": dev("nuki_device_1"), "is_expired": true }),
    )
    .await;
    ok(app, "/devices/simulate/remove", d("salto_device_1")).await;
}

/// Devices, accounts, client sessions, profiles, webhooks and the workspace itself.
async fn change_the_rest(app: &TestApp) {
    ok(
        app,
        "/workspaces/update",
        json!({ "name": "Renamed", "connect_webview_customization": { "logo_shape": "square" } }),
    )
    .await;
    let p = ok(
        app,
        "/workspaces/customization_profiles/create",
        json!({ "name": "Brand", "primary_color": "#112233",
                "customer_portal_theme": { "font_family": "Inter" } }),
    )
    .await;
    ok(
        app,
        "/workspaces/customization_profiles/create",
        json!({ "name": "Other" }),
    )
    .await;
    ok(
        app,
        "/workspaces/customization_profiles/update",
        json!({ "customization_profile_id": p["customization_profile"]["customization_profile_id"],
                "secondary_color": "#445566" }),
    )
    .await;
    ok(
        app,
        "/devices/update",
        json!({ "device_id": dev("schlage_device_2"), "name": "Side Gate, renamed" }),
    )
    .await;
    ok(
        app,
        "/devices/update",
        json!({ "device_id": dev("august_device_2"), "custom_metadata": { "unit": "4B" } }),
    )
    .await;
    ok(
        app,
        "/devices/update",
        json!({ "device_id": dev("tedee_device_1"), "is_managed": false }),
    )
    .await;
    ok(
        app,
        "/devices/unmanaged/update",
        json!({ "device_id": dev("tedee_device_1"), "custom_metadata": { "floor": "2" } }),
    )
    .await;
    // A lock whose keypad remembers an entry leaves with its keypad.
    let gone = json!({ "device_id": dev("kwikset_device_1"), "code": "0000" });
    ok(app, "/locks/simulate/keypad_code_entry", gone.clone()).await;
    ok(app, "/devices/delete", gone).await;
    ok(
        app,
        "/devices/report_provider_metadata",
        json!({ "devices": [{ "device_id": dev("schlage_device_1"),
                              "schlage_metadata": { "time_zone": "Europe/Paris" } }] }),
    )
    .await;
    ok(
        app,
        "/access_codes/report_device_constraints",
        json!({ "device_id": dev("igloohome_device_2"), "min_code_length": 5, "max_code_length": 7 }),
    )
    .await;
    let added = app
        .fake_device(
            json!({ "workspace_id": seed::WORKSPACE_1, "device_type": "august_lock",
                             "display_name": "Added" }),
        )
        .await;
    fake(
        app,
        "/_fake/update_device",
        json!({ "device_id": added["device_id"], "display_name": "Added, renamed" }),
    )
    .await;
    ok(
        app,
        "/connected_accounts/update",
        json!({ "connected_account_id": seed::JOHN, "display_name": "John's",
                "custom_metadata": { "tier": "gold" } }),
    )
    .await;
    ok(
        app,
        "/connected_accounts/sync",
        json!({ "connected_account_id": seed::JOHN }),
    )
    .await;
    let jane = json!({ "connected_account_id": seed::JANE });
    ok(app, "/connected_accounts/simulate/disconnect", jane.clone()).await;
    fake(app, "/_fake/reconnect_connected_account", jane.clone()).await;
    ok(app, "/connected_accounts/simulate/disconnect", jane).await;
    ok(
        app,
        "/client_sessions/grant_access",
        json!({ "client_session_id": seed::CLIENT_SESSION_1,
                "connected_account_ids": [seed::JANE] }),
    )
    .await;
    for (key, path) in [
        ("revoked", "/client_sessions/revoke"),
        ("deleted", "/client_sessions/delete"),
    ] {
        let c = ok(
            app,
            "/client_sessions/create",
            json!({ "user_identifier_key": key, "connected_account_ids": [seed::JOHN] }),
        )
        .await;
        let id = json!({ "client_session_id": c["client_session"]["client_session_id"] });
        ok(app, path, id).await;
    }
    // Nothing listens on port 9: messages stay pending.
    let hooks: Vec<Value> = two_webhooks(app).await;
    ok(
        app,
        "/webhooks/update",
        json!({ "webhook_id": hooks[0]["webhook_id"], "event_types": ["access_code.created"] }),
    )
    .await;
    ok(
        app,
        "/webhooks/delete",
        json!({ "webhook_id": hooks[1]["webhook_id"] }),
    )
    .await;
    let made = app
        .send(
            app.as_token(
                seed::PERSONAL_ACCESS_TOKEN_1,
                Method::POST,
                "/workspaces/create",
            )
            .json(&json!({ "name": "Made later" })),
        )
        .await;
    made.ok();
    fake(
        app,
        "/_fake/simulate_workspace_outage",
        json!({ "workspace_id": seed::WORKSPACE_2, "routes": ["/devices/list"] }),
    )
    .await;
    // Fault rules that wait far longer than the test runs: kept, never fired.
    fake(
        app,
        "/_fake/faults/create",
        json!({ "match": { "path": "/locks/**" }, "effect": { "delay_ms": 5 }, "after": 1_000_000 }),
    )
    .await;
    fake(
        app,
        "/_fake/faults/create",
        json!({
            "match": { "device_id": dev("august_device_2") },
            "effect": { "access_code_error": "failed_to_set_on_device" },
            "after": 1_000_000,
            "times": 2,
        }),
    )
    .await;
}

/// Two webhooks of workspace 1.
async fn two_webhooks(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    for path in ["one", "two"] {
        let h = ok(
            app,
            "/webhooks/create",
            json!({ "url": format!("http://127.0.0.1:9/{path}") }),
        )
        .await;
        out.push(h["webhook"].clone());
    }
    out
}

/// Two sandboxes changed and reset (one by `/workspaces/reset_sandbox`, one by
/// `/_fake/reset {workspace_id}`), then changed again.
async fn change_sandboxes(app: &TestApp) -> String {
    let mut keys = Vec::new();
    for name in ["reset by itself", "reset by the fake"] {
        let b = fake(app, "/_fake/sandboxes/create", json!({ "name": name })).await;
        let (key, names) = (s(&b["api_key"]), b["seed"].clone());
        let front = names["august_device_1"].clone();
        let as_it = |path: &'static str, body: Value| {
            let key = key.clone();
            async move { app.post_as(&key, path, body).await.ok().clone() }
        };
        as_it(
            "/access_codes/create",
            json!({ "device_id": front, "code": "5813" }),
        )
        .await;
        as_it(
            "/workspaces/customization_profiles/create",
            json!({ "name": "Gone" }),
        )
        .await;
        as_it(
            "/locks/simulate/keypad_code_entry",
            json!({ "device_id": front, "code": "0001" }),
        )
        .await;
        // Jane's devices leave with her, their keypads too.
        as_it(
            "/locks/simulate/keypad_code_entry",
            json!({ "device_id": names["schlage_device_1"], "code": "0000" }),
        )
        .await;
        as_it(
            "/connected_accounts/delete",
            json!({ "connected_account_id": names["jane_connected_account_id"] }),
        )
        .await;
        if keys.is_empty() {
            as_it("/workspaces/reset_sandbox", json!({})).await;
        } else {
            fake(
                app,
                "/_fake/reset",
                json!({ "workspace_id": b["workspace_id"] }),
            )
            .await;
        }
        as_it(
            "/workspaces/customization_profiles/create",
            json!({ "name": "Kept" }),
        )
        .await;
        as_it(
            "/locks/simulate/keypad_code_entry",
            json!({ "device_id": front, "code": "0002" }),
        )
        .await;
        as_it(
            "/webhooks/create",
            json!({ "url": "http://127.0.0.1:9/sandbox" }),
        )
        .await;
        keys.push(key);
    }
    keys.swap_remove(0)
}

/// Every kind of change, then a snapshot of everything named `all`.
pub(crate) async fn change_everything(app: &TestApp) -> Made {
    change_codes(app).await;
    change_the_door(app).await;
    change_the_rest(app).await;
    let sandbox_key = change_sandboxes(app).await;
    app.advance(60).await;
    fake(app, "/_fake/snapshots/save", json!({ "name": "all" })).await;
    Made { sandbox_key }
}
