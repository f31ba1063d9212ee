//! `/connected_accounts/get` and `/connected_accounts/list`: the seed's three accounts of
//! workspace 1, paged (`limit=2`: two, then one), scoped for client sessions.

use seam_mock::store::seed;
use serde_json::json;

use crate::helpers::{TestApp, ids, is_js_iso};

#[tokio::test]
async fn list_pages_the_seeds_three_accounts_two_then_one() {
    let app = TestApp::spawn().await;
    let all = app.get("/connected_accounts/list").await;
    let all = all.ok()["connected_accounts"].as_array().unwrap().clone();
    assert_eq!(
        ids(&all, "connected_account_id"),
        [seed::JOHN, seed::JANE, seed::JOHN_ASSA_CS].map(|u| u.to_string())
    );
    let a = &all[0];
    assert_eq!(a["display_name"], "john@example.com");
    assert_eq!(a["account_type"], "august");
    assert_eq!(a["accepted_capabilities"], json!(["lock"]));
    assert!(is_js_iso(a["created_at"].as_str().unwrap()));
    for k in ["errors", "warnings"] {
        assert_eq!(a[k], json!([]));
    }

    let first = app.get("/connected_accounts/list?limit=2").await;
    let body = first.ok();
    assert_eq!(body["connected_accounts"].as_array().unwrap().len(), 2);
    let p = &body["pagination"];
    assert_eq!(p["has_next_page"], json!(true));
    let cursor = p["next_page_cursor"].as_str().unwrap();
    assert!(p["next_page_url"].as_str().unwrap().contains("limit=2"));
    let second = app
        .post(
            "/connected_accounts/list",
            json!({ "limit": 2, "page_cursor": cursor }),
        )
        .await;
    let body = second.ok();
    assert_eq!(
        ids(
            body["connected_accounts"].as_array().unwrap(),
            "connected_account_id"
        ),
        [seed::JOHN_ASSA_CS.to_string()]
    );
    assert_eq!(body["pagination"]["has_next_page"], json!(false));
    assert_eq!(body["pagination"]["next_page_cursor"], json!(null));

    app.post("/connected_accounts/list", json!({ "limit": 0 }))
        .await
        .err(400, "invalid_input");
    app.post(
        "/connected_accounts/list",
        json!({ "page_cursor": "garbage" }),
    )
    .await
    .err(400, "invalid_input");
    let none = app
        .post(
            "/connected_accounts/list",
            json!({ "custom_metadata_has": {"k": "v"} }),
        )
        .await;
    assert_eq!(none.ok()["connected_accounts"], json!([]));
    // Workspace 2 has none; John's client session sees John's only.
    let w2 = app
        .post_as(seed::API_KEY_2, "/connected_accounts/list", json!({}))
        .await;
    assert_eq!(w2.ok()["connected_accounts"], json!([]));
    let cst = app
        .post_as(
            seed::CLIENT_SESSION_TOKEN_1,
            "/connected_accounts/list",
            json!({}),
        )
        .await;
    assert_eq!(
        ids(
            cst.ok()["connected_accounts"].as_array().unwrap(),
            "connected_account_id"
        ),
        [seed::JOHN.to_string()]
    );
}

#[tokio::test]
async fn get_by_id_or_email_within_scope() {
    let app = TestApp::spawn().await;
    let by_id = app
        .get(&format!(
            "/connected_accounts/get?connected_account_id={}",
            seed::JANE
        ))
        .await;
    assert_eq!(by_id.ok()["connected_account"]["account_type"], "schlage");
    let by_email = app
        .post(
            "/connected_accounts/get",
            json!({ "email": "jane@example.com" }),
        )
        .await;
    assert_eq!(
        by_email.ok()["connected_account"],
        by_id.json["connected_account"]
    );
    app.post(
        "/connected_accounts/get",
        json!({ "connected_account_id": "nope" }),
    )
    .await
    .err(404, "connected_account_not_found");
    app.post_as(
        seed::API_KEY_2,
        "/connected_accounts/get",
        json!({ "connected_account_id": seed::JANE }),
    )
    .await
    .err(404, "connected_account_not_found");
    app.post_as(
        seed::CLIENT_SESSION_TOKEN_1,
        "/connected_accounts/get",
        json!({ "connected_account_id": seed::JANE }),
    )
    .await
    .err(404, "connected_account_not_found");
    app.post("/connected_accounts/get", json!({}))
        .await
        .err(400, "invalid_input");
}
