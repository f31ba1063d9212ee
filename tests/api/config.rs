//! Start-up configuration through `seam_mock::Config` flags: `--rng-seed` makes PINs and keys
//! reproducible, `--empty` starts with no data, `--seed-file` loads a database fixture.

use serde_json::{Value, json};

use crate::helpers::{KEY_1, TestApp, dev};

async fn first_codes(app: &TestApp) -> Vec<Value> {
    let mut out = app
        .create_ok(json!({ "device_ids": [dev("august_device_1"), dev("nuki_device_1")] }))
        .await;
    out.extend(
        app.create_ok(json!({
            "device_ids": [dev("schlage_device_1"), dev("tedee_device_1")],
            "behavior_when_code_cannot_be_shared": "create_random_code",
        }))
        .await,
    );
    out
}

fn pins_and_keys(codes: &[Value]) -> Vec<(Value, Value, Value)> {
    codes
        .iter()
        .map(|c| {
            (
                c["access_code_id"].clone(),
                c["code"].clone(),
                c["common_code_key"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_same_rng_seed_gives_the_same_pins_keys_and_ids() {
    let a = TestApp::spawn_with(&["--rng-seed", "7"]).await;
    let b = TestApp::spawn_with(&["--rng-seed", "7"]).await;
    let c = TestApp::spawn_with(&["--rng-seed", "8"]).await;
    let (ca, cb, cc) = (
        first_codes(&a).await,
        first_codes(&b).await,
        first_codes(&c).await,
    );
    assert_eq!(pins_and_keys(&ca), pins_and_keys(&cb));
    assert_ne!(pins_and_keys(&ca), pins_and_keys(&cc));
}

#[tokio::test]
async fn empty_starts_with_nothing() {
    let app = TestApp::spawn_with(&["--empty"]).await;
    app.post_as(KEY_1, "/devices/list", json!({}))
        .await
        .err(401, "unauthorized");
    let db = app.database().await;
    assert_eq!(db["workspaces"], json!([]));
    assert_eq!(db["devices"], json!([]));
}

#[tokio::test]
async fn a_seed_file_is_loaded_and_reset_returns_to_it() {
    let seeded = TestApp::spawn().await;
    seeded
        .create_ok(json!({ "device_ids": [dev("august_device_1")], "code": "97531" }))
        .await;
    let fixture = seeded.database().await;
    let path = std::env::temp_dir().join(format!(
        "seam-mock-api-test-{}-{}.json",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::write(&path, serde_json::to_vec(&fixture).unwrap()).unwrap();

    let app = TestApp::spawn_with(&["--seed-file", path.to_str().unwrap()]).await;
    let got = app
        .post(
            "/access_codes/get",
            json!({ "device_id": dev("august_device_1"), "code": "97531" }),
        )
        .await;
    got.ok();
    app.create_ok(json!({ "device_ids": [dev("august_device_2")] }))
        .await;
    app.post_open("/_fake/reset", json!({})).await.ok();
    assert_eq!(
        app.database().await["access_codes"],
        fixture["access_codes"]
    );
}
