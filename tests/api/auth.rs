//! Authentication and scoping (contract §2): API keys, client session tokens in each of the
//! three places they may come, personal access tokens with `seam-workspace`, the 401/400
//! answers for bad credentials, a client session limited to one connected account, and
//! workspace isolation (another workspace's device or code is a plain 404).

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{KEY_1, KEY_2, TestApp, dev, ids};

const CST: &str = seed::CLIENT_SESSION_TOKEN_1;
const PAT: &str = seed::PERSONAL_ACCESS_TOKEN_1;

fn devices(body: &Value) -> Vec<String> {
    ids(body["devices"].as_array().expect("devices"), "device_id")
}

#[tokio::test]
async fn an_api_key_opens_its_own_workspace() {
    let app = TestApp::spawn().await;
    let res = app.post_as(KEY_1, "/devices/list", json!({})).await;
    let list = res.ok()["devices"].as_array().unwrap().clone();
    assert_eq!(list.len(), seed::DEVICES.len());
    assert!(
        list.iter()
            .all(|d| d["workspace_id"] == json!(seed::WORKSPACE_1))
    );
    let res = app.post_as(KEY_2, "/devices/list", json!({})).await;
    assert_eq!(res.ok()["devices"], json!([]));
}

#[tokio::test]
async fn missing_malformed_or_unknown_credentials_are_401_unauthorized() {
    let app = TestApp::spawn().await;
    let path = "/devices/list";
    let cases = [
        app.raw(Method::POST, path),
        app.as_token("seam_apikey9_token", Method::POST, path),
        app.raw(Method::POST, path).header("authorization", KEY_1),
        app.raw(Method::POST, path)
            .header("authorization", format!("Basic {KEY_1}")),
        app.raw(Method::POST, path)
            .header("authorization", "Bearer "),
        app.as_token("not_a_seam_token", Method::POST, path),
        // A publishable key is no API credential.
        app.as_token(seed::PUBLISHABLE_KEY_1, Method::POST, path),
    ];
    for rb in cases {
        app.send(rb.json(&json!({}))).await.err(401, "unauthorized");
    }
}

#[tokio::test]
async fn a_client_session_token_works_in_each_of_its_three_places() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let ways = [
        app.as_token(CST, Method::POST, "/devices/list"),
        app.raw(Method::POST, "/devices/list")
            .header("client-session-token", CST),
        app.raw(Method::POST, "/devices/list")
            .header("seam-client-session-token", CST),
    ];
    for rb in ways {
        let res = app.send(rb.json(&json!({}))).await;
        let got = devices(res.ok());
        assert!(got.contains(&a1), "{}: {got:?}", res.what);
        assert!(!got.contains(&dev("schlage_device_1")), "{}", res.what);
    }
}

#[tokio::test]
async fn an_unknown_client_session_is_401_client_session_not_found() {
    let app = TestApp::spawn().await;
    for rb in [
        app.as_token("seam_cst_unknown", Method::POST, "/devices/list"),
        app.raw(Method::POST, "/devices/list")
            .header("client-session-token", "seam_cst_unknown"),
        app.raw(Method::POST, "/devices/list")
            .header("seam-client-session-token", "seam_cst_unknown"),
    ] {
        app.send(rb.json(&json!({})))
            .await
            .err(401, "client_session_not_found");
    }
}

#[tokio::test]
async fn a_non_cst_value_in_a_client_session_header_is_400() {
    let app = TestApp::spawn().await;
    for header in ["client-session-token", "seam-client-session-token"] {
        app.send(
            app.raw(Method::POST, "/devices/list")
                .header(header, KEY_1)
                .json(&json!({})),
        )
        .await
        .err(400, "invalid_client_session_token");
    }
}

#[tokio::test]
async fn a_personal_access_token_needs_a_workspace_it_belongs_to() {
    let app = TestApp::spawn().await;
    let with_ws = |ws: &str| {
        app.as_token(PAT, Method::POST, "/devices/list")
            .header("seam-workspace", ws)
            .json(&json!({}))
    };
    let res = app.send(with_ws(&seed::WORKSPACE_1.to_string())).await;
    assert_eq!(devices(res.ok()).len(), seed::DEVICES.len());
    let res = app.send(with_ws(&seed::WORKSPACE_2.to_string())).await;
    assert_eq!(devices(res.ok()), Vec::<String>::new());

    app.send(
        app.as_token(PAT, Method::POST, "/devices/list")
            .json(&json!({})),
    )
    .await
    .err(401, "unauthorized");
    app.send(with_ws("not-a-workspace"))
        .await
        .err(401, "unauthorized");

    // A third workspace that exists but the token is not a member of.
    let mut db = app.database().await;
    let ws3 = "5ea10001-0000-4000-8000-0000000000f3";
    let mut record = db["workspaces"][1].clone();
    record["workspace_id"] = json!(ws3);
    record["name"] = json!("Someone else's");
    db["workspaces"].as_array_mut().unwrap().push(record);
    db["api_keys"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "k3", "token": "seam_apikey3_token", "workspace_id": ws3 }));
    app.put_database(&db).await.ok();
    app.post_as("seam_apikey3_token", "/devices/list", json!({}))
        .await
        .ok();
    app.send(with_ws(ws3)).await.err(401, "unauthorized");
}

#[tokio::test]
async fn a_client_session_sees_only_its_connected_accounts() {
    let app = TestApp::spawn().await;
    let jane_lock = dev("schlage_device_1");
    let john_lock = dev("august_device_1");

    let res = app.post_as(CST, "/devices/list", json!({})).await;
    let seen = devices(res.ok());
    let johns: Vec<String> = seed::DEVICES
        .iter()
        .filter(|(.., owner)| *owner == seed::JOHN)
        .map(|(name, ..)| dev(name))
        .collect();
    assert_eq!(seen, johns);

    // Asked for by id, Jane's lock is still filtered out of the list ...
    let res = app
        .post_as(
            CST,
            "/devices/list",
            json!({ "device_ids": [jane_lock, john_lock] }),
        )
        .await;
    assert_eq!(devices(res.ok()), vec![john_lock.clone()]);

    // ... and a 401 on a single read, while the API key still sees it.
    app.post_as(CST, "/devices/get", json!({ "device_id": jane_lock }))
        .await
        .err(401, "unauthorized");
    app.post_as(CST, "/devices/get", json!({ "device_id": john_lock }))
        .await
        .ok();
    app.post("/devices/get", json!({ "device_id": jane_lock }))
        .await
        .ok();
}

#[tokio::test]
async fn another_workspace_is_indistinguishable_from_nothing() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let code = app.create_ok(json!({ "device_ids": [a1] })).await[0].clone();
    let code_id = code["access_code_id"].as_str().unwrap();
    let before = app.snapshot(&[&a1]).await;

    let pat_ws2 = |method: Method, path: &str| {
        app.as_token(PAT, method, path)
            .header("seam-workspace", seed::WORKSPACE_2.to_string())
    };
    let as_ws2 = [
        app.as_token(KEY_2, Method::POST, "/devices/get"),
        pat_ws2(Method::POST, "/devices/get"),
    ];
    for rb in as_ws2 {
        let res = app.send(rb.json(&json!({ "device_id": a1 }))).await;
        assert_eq!(
            res.err(404, "device_not_found")["data"]["device_id"],
            json!(a1)
        );
    }

    let res = app
        .post_as(
            KEY_2,
            "/access_codes/create_multiple",
            json!({ "device_ids": [a1] }),
        )
        .await;
    assert_eq!(
        res.err(404, "device_not_found")["data"]["device_id"],
        json!(a1)
    );

    app.post_as(
        KEY_2,
        "/access_codes/get",
        json!({ "access_code_id": code_id }),
    )
    .await
    .err(404, "access_code_not_found");
    app.post_as(
        KEY_2,
        "/access_codes/get",
        json!({ "device_id": a1, "code": code["code"] }),
    )
    .await
    .err(404, "device_not_found");
    let res = app
        .post_as(
            KEY_2,
            "/access_codes/list",
            json!({ "access_code_ids": [code_id] }),
        )
        .await;
    assert_eq!(res.ok()["access_codes"], json!([]));
    app.post_as(KEY_2, "/access_codes/list", json!({ "device_id": a1 }))
        .await
        .err(404, "device_not_found");
    app.post_as(
        KEY_2,
        "/access_codes/simulate/create_unmanaged_access_code",
        json!({ "device_id": a1, "name": "x", "code": "2468" }),
    )
    .await
    .err(404, "device_not_found");

    assert_eq!(app.snapshot(&[&a1]).await, before);
}
