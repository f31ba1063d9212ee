//! `/devices/get` and `/devices/list` (contract §3, §5): the device shape and the seed's
//! realistic locks (§7), 404 `device_not_found` with `data.device_id`, the list filters, and
//! pagination walked to the end.

use std::collections::BTreeSet;

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, ids, is_js_iso};

#[tokio::test]
async fn get_answers_get_with_a_query_and_post_with_a_body() {
    let app = TestApp::spawn().await;
    let id = dev("august_device_1");
    let by_get = app.get(&format!("/devices/get?device_id={id}")).await;
    let by_post = app.post("/devices/get", json!({ "device_id": id })).await;
    assert_eq!(by_get.ok()["device"], by_post.ok()["device"]);

    let d = &by_post.json["device"];
    assert_eq!(d["device_id"], json!(id));
    assert_eq!(d["workspace_id"], json!(seed::WORKSPACE_1));
    assert_eq!(d["connected_account_id"], json!(seed::JOHN));
    assert_eq!(d["device_type"], json!("august_lock"));
    assert_eq!(d["display_name"], json!("Front Door"));
    assert_eq!(d["is_managed"], json!(true));
    assert_eq!(d["can_program_online_access_codes"], json!(true));
    assert!(
        d["capabilities_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("access_code"))
    );
    assert!(
        is_js_iso(d["created_at"].as_str().unwrap()),
        "{}",
        d["created_at"]
    );
    for list in ["errors", "warnings", "space_ids"] {
        assert_eq!(d[list], json!([]), "{list}");
    }
    assert!(d["custom_metadata"].is_object());
    let p = &d["properties"];
    assert_eq!(p["online"], json!(true));
    assert_eq!(p["name"], json!("Front Door"));
    assert_eq!(p["appearance"]["name"], json!("Front Door"));
    assert_eq!(p["supported_code_lengths"], json!([4, 5, 6, 7, 8]));
    assert_eq!(p["code_constraints"], json!([]));
    assert!(p["max_active_codes_supported"].is_number());
    assert!(p["supports_backup_access_code_pool"].is_boolean());
}

#[tokio::test]
async fn seed_locks_carry_the_lengths_and_constraints_of_their_type() {
    let app = TestApp::spawn().await;
    let want = [
        ("august_device_1", json!([4, 5, 6, 7, 8]), vec![]),
        (
            "schlage_device_1",
            json!([4]),
            vec!["unique_first_four_digits"],
        ),
        (
            "schlage_device_2",
            json!([4]),
            vec!["unique_first_four_digits"],
        ),
        (
            "nuki_device_1",
            json!([6]),
            vec!["no_zeros", "cannot_start_with_12"],
        ),
        (
            "tedee_device_1",
            json!([5, 6, 7, 8]),
            vec![
                "at_least_three_unique_digits",
                "no_ascending_or_descending_sequence",
            ],
        ),
        (
            "ttlock_device_1",
            json!([4, 5, 6, 7, 8, 9]),
            vec!["cannot_contain_089"],
        ),
        ("igloohome_device_1", json!([6]), vec![]),
        (
            "salto_device_1",
            json!([6]),
            vec!["cannot_specify_pin_code"],
        ),
        (
            "kwikset_device_1",
            json!([4, 5, 6, 7, 8]),
            vec!["start_date_in_future"],
        ),
    ];
    for (name, lengths, constraints) in want {
        let res = app
            .post("/devices/get", json!({ "device_id": dev(name) }))
            .await;
        let p = &res.ok()["device"]["properties"];
        assert_eq!(p["supported_code_lengths"], lengths, "{name}");
        let got: Vec<&str> = p["code_constraints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["constraint_type"].as_str().unwrap())
            .collect();
        assert_eq!(got, constraints, "{name}");
    }
    for name in ["ecobee_device_1", "minut_device_1"] {
        let res = app
            .post("/devices/get", json!({ "device_id": dev(name) }))
            .await;
        let caps = res.ok()["device"]["capabilities_supported"].clone();
        assert!(
            !caps.as_array().unwrap().contains(&json!("access_code")),
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_unknown_device_is_404_with_its_id() {
    let app = TestApp::spawn().await;
    for id in ["5ea10003-0000-4000-8000-0000000000ff", "unknown-device"] {
        let res = app.post("/devices/get", json!({ "device_id": id })).await;
        assert_eq!(
            res.err(404, "device_not_found")["data"]["device_id"],
            json!(id)
        );
        let res = app.get(&format!("/devices/get?device_id={id}")).await;
        assert_eq!(
            res.err(404, "device_not_found")["data"]["device_id"],
            json!(id)
        );
    }
    let e = app.post("/devices/get", json!({})).await;
    e.err(400, "invalid_input");
}

#[tokio::test]
async fn list_filters_by_ids_type_and_connected_account() {
    let app = TestApp::spawn().await;
    let all = app.post("/devices/list", json!({})).await;
    let all = ids(all.ok()["devices"].as_array().unwrap(), "device_id");
    let seeded: Vec<String> = seed::DEVICES.iter().map(|(n, ..)| dev(n)).collect();
    assert_eq!(all, seeded);

    let pick = [dev("nuki_device_1"), dev("august_device_2")];
    let res = app
        .post("/devices/list", json!({ "device_ids": pick }))
        .await;
    let got: BTreeSet<String> = ids(res.ok()["devices"].as_array().unwrap(), "device_id")
        .into_iter()
        .collect();
    assert_eq!(got, BTreeSet::from(pick.clone()));

    let res = app.post("/devices/list", json!({ "device_ids": [] })).await;
    assert_eq!(res.ok()["devices"], json!([]));

    let res = app.get("/devices/list?device_type=schlage_lock").await;
    let got = ids(res.ok()["devices"].as_array().unwrap(), "device_id");
    assert_eq!(got, vec![dev("schlage_device_1"), dev("schlage_device_2")]);

    let res = app
        .post(
            "/devices/list",
            json!({ "connected_account_id": seed::JANE }),
        )
        .await;
    let list = res.ok()["devices"].as_array().unwrap().clone();
    let janes = seed::DEVICES
        .iter()
        .filter(|(.., owner)| *owner == seed::JANE)
        .count();
    assert_eq!(list.len(), janes);
    assert!(
        list.iter()
            .all(|d| d["connected_account_id"] == json!(seed::JANE))
    );

    // Filters combine.
    let res = app
        .post(
            "/devices/list",
            json!({ "connected_account_id": seed::JOHN, "device_type": "schlage_lock" }),
        )
        .await;
    assert_eq!(res.ok()["devices"], json!([]));
}

async fn walk(app: &TestApp, limit: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let mut body = json!({ "limit": limit });
        if !cursor.is_null() {
            body["page_cursor"] = cursor.clone();
        }
        let res = app.post("/devices/list", body).await;
        let body = res.ok();
        let p = &body["pagination"];
        let keys: BTreeSet<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["has_next_page", "next_page_cursor", "next_page_url"])
        );
        pages.push(ids(body["devices"].as_array().unwrap(), "device_id"));
        if p["has_next_page"] == json!(true) {
            assert!(p["next_page_cursor"].is_string());
            assert!(p["next_page_url"].is_string());
            cursor = p["next_page_cursor"].clone();
        } else {
            assert_eq!(p["next_page_cursor"], Value::Null);
            assert_eq!(p["next_page_url"], Value::Null);
            return pages;
        }
        assert!(pages.len() < 50, "pagination does not end");
    }
}

#[tokio::test]
async fn pages_walked_to_the_end_give_every_device_once() {
    let app = TestApp::spawn().await;
    let all: Vec<String> = seed::DEVICES.iter().map(|(n, ..)| dev(n)).collect();
    for limit in [1, 5, 12, 100] {
        let pages = walk(&app, limit).await;
        assert_eq!(pages.len(), all.len().div_ceil(limit), "limit {limit}");
        assert!(pages.iter().all(|p| p.len() <= limit));
        let flat: Vec<String> = pages.concat();
        let unique: BTreeSet<&String> = flat.iter().collect();
        assert_eq!(unique.len(), flat.len(), "duplicates with limit {limit}");
        assert_eq!(flat, all, "limit {limit}");
    }
}

#[tokio::test]
async fn next_page_url_repeats_the_query_with_the_cursor() {
    let app = TestApp::spawn().await;
    let first = app.get("/devices/list?limit=7").await;
    let url = first.ok()["pagination"]["next_page_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("page_cursor="), "{url}");
    assert!(url.contains("limit=7"), "{url}");
    let path = url
        .split_once("/devices/list")
        .map(|(_, rest)| format!("/devices/list{rest}"))
        .unwrap();
    let second = app.send(app.authed(Method::GET, &path)).await;
    let got = ids(second.ok()["devices"].as_array().unwrap(), "device_id");
    let all: Vec<String> = seed::DEVICES.iter().map(|(n, ..)| dev(n)).collect();
    assert_eq!(got, all[7..].to_vec());
    assert_eq!(second.json["pagination"]["has_next_page"], json!(false));
}

#[tokio::test]
async fn a_garbage_cursor_is_400() {
    let app = TestApp::spawn().await;
    app.post(
        "/devices/list",
        json!({ "limit": 2, "page_cursor": "definitely-not-a-cursor" }),
    )
    .await
    .err(400, "invalid_input");
    app.get("/devices/list?page_cursor=garbage")
        .await
        .err(400, "invalid_input");
}
