//! Every kind of change the API makes reaches the state file (contract §15): a server that
//! went through all of them (`every_change`) — codes, unmanaged codes, backup pools, events,
//! action attempts, webhooks, customization profiles, keypads, workspace, device, account and
//! client-session changes, external modifications, the device simulations, sandboxes reset —
//! reads back the same after a SIGTERM and after a SIGKILL; a snapshot kept in the file
//! rewinds all of it; a reset and a replaced database reach the file whole.

use std::path::Path;
use std::time::Duration;

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::every_change::{Made, change_everything, fake, ok};
use crate::helpers::{TestApp, dev, s};
use crate::state_file::{BOUND, MARGIN, folder, start, term};
/// What the API reads back: the database export and the reads it leaves out or shapes.
async fn reads(app: &TestApp, made: &Made) -> Value {
    let get = |token: &str, path: &str| app.send(app.as_token(token, Method::POST, path));
    let mut out = serde_json::Map::new();
    out.insert("database".into(), app.database().await);
    out.insert(
        "faults".into(),
        fake(app, "/_fake/faults/list", json!({})).await,
    );
    for (name, token, path) in [
        (
            "profiles",
            seed::API_KEY_1,
            "/workspaces/customization_profiles/list",
        ),
        (
            "sandbox profiles",
            made.sandbox_key.as_str(),
            "/workspaces/customization_profiles/list",
        ),
        ("webhooks", seed::API_KEY_1, "/webhooks/list"),
        ("sandbox webhooks", &made.sandbox_key, "/webhooks/list"),
        ("client sessions", seed::API_KEY_1, "/client_sessions/list"),
        ("workspace", seed::API_KEY_1, "/workspaces/get"),
        (
            "workspaces",
            seed::PERSONAL_ACCESS_TOKEN_1,
            "/workspaces/list",
        ),
        ("accounts", seed::API_KEY_1, "/connected_accounts/list"),
        (
            "unmanaged devices",
            seed::API_KEY_1,
            "/devices/unmanaged/list",
        ),
        ("devices", seed::API_KEY_1, "/devices/list"),
    ] {
        out.insert(name.into(), get(token, path).await.ok().clone());
    }
    let side_gate = app
        .post(
            "/devices/get",
            json!({ "device_id": dev("schlage_device_2") }),
        )
        .await;
    out.insert(
        "nickname".into(),
        side_gate.ok()["device"]["nickname"].clone(),
    );
    let outage = app
        .send(app.as_token(seed::API_KEY_2, Method::GET, "/devices/list"))
        .await;
    out.insert("outage".into(), json!(outage.status));
    out.insert(
        "snapshots".into(),
        app.get("/_fake/snapshots/list").await.ok()["snapshots"].clone(),
    );
    let pending = app
        .post_open("/_fake/webhook_deliveries", json!({}))
        .await
        .ok()["webhook_deliveries"]
        .clone();
    let mut messages: Vec<String> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|m| s(&m["message_id"]))
        .collect();
    messages.sort();
    out.insert("pending messages".into(), json!(messages));
    Value::Object(out)
}

/// Where two reads differ (each place with both values), for a failure that says what was
/// lost.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (l, r) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                differences(&format!("{path}.{k}"), l, r, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (l, r)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{i}]"), l, r, out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: before {a}, after {b}")),
    }
}

fn assert_same(before: &Value, after: &Value, when: &str) {
    let mut found = Vec::new();
    differences("", before, after, &mut found);
    assert!(
        found.is_empty(),
        "{when}: {} differences:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The kinds of records that have rows in the file.
fn kinds_in(path: &Path) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut st = conn
        .prepare("SELECT DISTINCT kind FROM records ORDER BY kind")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn every_change_survives_a_sigterm_and_a_snapshot_in_the_file_rewinds_it() {
    let dir = folder("every-change-term");
    let path = dir.join("state.db");
    let s = start(&path, &[]).await;
    let made = change_everything(&s.app).await;
    let before = reads(&s.app, &made).await;
    for list in ["customization_profiles", "keypads"] {
        let n = before["database"][list].as_array().unwrap().len();
        assert!(n >= 2, "the changes made too few {list}: {n}");
    }
    term(s).await;
    for kind in ["customization_profile", "keypad"] {
        assert!(kinds_in(&path).iter().any(|k| k == kind), "no {kind} rows");
    }

    let s = start(&path, &[]).await;
    let app = &s.app;
    assert_same(&before, &reads(app, &made).await, "after a restart");
    // More changes, then the snapshot the file kept rewinds them.
    ok(
        app,
        "/workspaces/customization_profiles/create",
        json!({ "name": "After" }),
    )
    .await;
    let first = &before["profiles"]["customization_profiles"][0]["customization_profile_id"];
    ok(
        app,
        "/workspaces/customization_profiles/update",
        json!({ "customization_profile_id": first, "name": "Changed" }),
    )
    .await;
    ok(
        app,
        "/locks/simulate/keypad_code_entry",
        json!({ "device_id": dev("august_device_1"), "code": "0003" }),
    )
    .await;
    ok(
        app,
        "/devices/update",
        json!({ "device_id": dev("schlage_device_2"), "name": "Changed" }),
    )
    .await;
    fake(app, "/_fake/snapshots/restore", json!({ "name": "all" })).await;
    assert_same(
        &before["database"],
        &app.database().await,
        "restored after a restart",
    );

    // A reset of workspace 1 takes its profiles and keypads, in the file too.
    fake(
        app,
        "/_fake/reset",
        json!({ "workspace_id": seed::WORKSPACE_1 }),
    )
    .await;
    let reset = app.database().await;
    let ws1 = json!(seed::WORKSPACE_1);
    for list in ["customization_profiles", "keypads"] {
        let left = reset[list].as_array().unwrap();
        assert!(!left.iter().any(|r| r["workspace_id"] == ws1), "{list}");
    }
    term(s).await;
    let s = start(&path, &[]).await;
    assert_same(&reset, &s.app.database().await, "a reset, restarted");

    // A replaced database (with profiles and keypads) reaches the file whole.
    s.app.put_database(&before["database"]).await.ok();
    let replaced = s.app.database().await;
    assert_same(&before["database"], &replaced, "the database put");
    term(s).await;
    let s = start(&path, &[]).await;
    assert_same(
        &replaced,
        &s.app.database().await,
        "a put database, restarted",
    );
    term(s).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn every_change_survives_a_sigkill_250_ms_later() {
    let dir = folder("every-change-kill");
    let path = dir.join("state.db");
    let mut s = start(&path, &[]).await;
    let made = change_everything(&s.app).await;
    let before = reads(&s.app, &made).await;
    tokio::time::sleep(BOUND + MARGIN + Duration::from_millis(100)).await;
    s.child.start_kill().expect("SIGKILL");
    s.child.wait().await.expect("the killed server");

    let s = start(&path, &[]).await;
    assert_same(&before, &reads(&s.app, &made).await, "after a SIGKILL");
    term(s).await;
    let _ = std::fs::remove_dir_all(dir);
}
