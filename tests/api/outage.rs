//! `/_fake/simulate_workspace_outage`: the named routes answer 503 with an empty body for that
//! workspace only, after authentication, until reset.

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn named_routes_answer_503_with_an_empty_body_for_that_workspace() {
    let app = TestApp::spawn().await;
    app.post_open(
        "/_fake/simulate_workspace_outage",
        json!({ "workspace_id": seed::WORKSPACE_1, "routes": ["/devices/list"] }),
    )
    .await
    .ok();
    let down = app.get("/devices/list").await;
    assert_eq!(down.status, 503);
    assert!(down.text.is_empty());
    assert!(
        down.header("seam-request-id")
            .unwrap()
            .starts_with("request")
    );
    app.post("/devices/list", json!({})).await;
    assert_eq!(app.post("/devices/list", json!({})).await.status, 503);
    // Other routes, other workspaces, and bad credentials are unaffected.
    app.get("/devices/get?name=Front%20Door").await.ok();
    app.post_as(seed::API_KEY_2, "/devices/list", json!({}))
        .await
        .ok();
    let r = app.send(app.raw(Method::GET, "/devices/list")).await;
    r.err(401, "unauthorized");

    app.post_open(
        "/_fake/simulate_workspace_outage",
        json!({ "workspace_id": "5ea10001-0000-4000-8000-000000000099", "routes": [] }),
    )
    .await
    .err(404, "workspace_not_found");
    app.post_open(
        "/_fake/simulate_workspace_outage",
        json!({ "workspace_id": seed::WORKSPACE_1 }),
    )
    .await
    .err(400, "invalid_input");
    app.post_open(
        "/_fake/simulate_workspace_outage",
        json!({ "workspace_id": seed::WORKSPACE_1, "routes": [] }),
    )
    .await
    .ok();
    app.get("/devices/list").await.ok();

    app.post_open(
        "/_fake/simulate_workspace_outage",
        json!({ "workspace_id": seed::WORKSPACE_1, "routes": ["/devices/list"] }),
    )
    .await
    .ok();
    app.post_open("/_fake/reset", json!({})).await.ok();
    app.get("/devices/list").await.ok();
}
