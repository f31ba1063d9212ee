//! Access codes after creation (contract §3, §5): the status over time (`setting` in the
//! creating response, `set` on the next read, held at `setting` with a `device_offline` error
//! while the lock is offline, time-bound windows on the server clock, a programming delay),
//! `/access_codes/get` by id or by device and PIN, `/access_codes/list` by device or by ids,
//! and unmanaged codes.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, ids, wire_time};

async fn get_code(app: &TestApp, id: &Value) -> Value {
    app.post("/access_codes/get", json!({ "access_code_id": id }))
        .await
        .ok()["access_code"]
        .clone()
}

#[tokio::test]
async fn a_new_code_is_setting_then_set_on_the_next_read() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let created = app.create_ok(json!({ "device_ids": [a1, a2] })).await;
    for c in &created {
        assert_eq!(c["status"], json!("setting"));
        let now = get_code(&app, &c["access_code_id"]).await;
        assert_eq!(now["status"], json!("set"));
        assert_eq!(now["errors"], json!([]));
        assert_eq!(now["code"], c["code"]);
        assert_eq!(now["common_code_key"], c["common_code_key"]);
    }
}

#[tokio::test]
async fn an_offline_lock_keeps_codes_setting_with_an_error_until_it_is_back() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let d = app.update_device(&a1, json!({ "online": false })).await;
    assert_eq!(d["properties"]["online"], json!(false));

    let c = app.create_ok(json!({ "device_ids": [a1] })).await[0].clone();
    assert_eq!(c["status"], json!("setting"));
    for _ in 0..2 {
        let now = get_code(&app, &c["access_code_id"]).await;
        assert_eq!(now["status"], json!("setting"));
        assert_eq!(
            now["errors"][0]["error_code"],
            json!("device_offline"),
            "{now}"
        );
        app.advance(3600).await;
    }

    app.update_device(&a1, json!({ "online": true })).await;
    let now = get_code(&app, &c["access_code_id"]).await;
    assert_eq!(now["status"], json!("set"));
    assert_eq!(now["errors"], json!([]));
    assert_eq!(now["code"], c["code"]);
}

#[tokio::test]
async fn a_time_bound_code_follows_its_window_on_the_server_clock() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let now = app.now().await;
    let c = app
        .create_ok(json!({
            "device_ids": [a1],
            "starts_at": wire_time(now + Duration::hours(1)),
            "ends_at": wire_time(now + Duration::hours(2)),
        }))
        .await[0]
        .clone();
    assert_eq!(c["type"], json!("time_bound"));
    assert_eq!(c["status"], json!("unset"));
    assert_eq!(
        get_code(&app, &c["access_code_id"]).await["status"],
        json!("unset")
    );

    app.advance(3600 + 60).await;
    assert_eq!(
        get_code(&app, &c["access_code_id"]).await["status"],
        json!("set")
    );

    app.advance(3600).await;
    app.post(
        "/access_codes/get",
        json!({ "access_code_id": c["access_code_id"] }),
    )
    .await
    .err(404, "access_code_not_found");
    assert_eq!(app.codes_on(&a1).await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_programming_delay_keeps_codes_setting_until_it_passes() {
    let app = TestApp::spawn_with(&["--programming-delay", "120"]).await;
    let a1 = dev("august_device_1");
    let c = app.create_ok(json!({ "device_ids": [a1] })).await[0].clone();
    assert_eq!(
        get_code(&app, &c["access_code_id"]).await["status"],
        json!("setting")
    );
    app.advance(60).await;
    assert_eq!(
        get_code(&app, &c["access_code_id"]).await["status"],
        json!("setting")
    );
    app.advance(61).await;
    assert_eq!(
        get_code(&app, &c["access_code_id"]).await["status"],
        json!("set")
    );
}

#[tokio::test]
async fn get_finds_a_code_by_id_or_by_device_and_pin() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let c = app
        .create_ok(json!({ "device_ids": [a1, a2], "name": "Guest" }))
        .await;
    let id = c[1]["access_code_id"].as_str().unwrap();
    let pin = c[1]["code"].as_str().unwrap();

    let by_post = get_code(&app, &json!(id)).await;
    let by_get = app
        .get(&format!("/access_codes/get?access_code_id={id}"))
        .await;
    assert_eq!(by_get.ok()["access_code"], by_post);
    assert_eq!(by_post["device_id"], json!(a2));
    assert_eq!(by_post["name"], json!("Guest"));

    let by_pin = app
        .post("/access_codes/get", json!({ "device_id": a2, "code": pin }))
        .await;
    assert_eq!(by_pin.ok()["access_code"]["access_code_id"], json!(id));
    let by_pin = app
        .get(&format!("/access_codes/get?device_id={a1}&code={pin}"))
        .await;
    assert_eq!(
        by_pin.ok()["access_code"]["access_code_id"],
        c[0]["access_code_id"]
    );

    for unknown in [
        json!({ "access_code_id": "5ea10005-0000-4000-8000-0000000000aa" }),
        json!({ "access_code_id": "not-a-code" }),
        json!({ "device_id": a1, "code": "00000000" }),
    ] {
        app.post("/access_codes/get", unknown)
            .await
            .err(404, "access_code_not_found");
    }
    app.post("/access_codes/get", json!({}))
        .await
        .err(400, "invalid_input");
}

#[tokio::test]
async fn list_by_access_code_ids_returns_those_codes() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let c = app.create_ok(json!({ "device_ids": [a1, a2] })).await;
    let d = app.create_ok(json!({ "device_ids": [a1] })).await;
    let want = vec![
        d[0]["access_code_id"].as_str().unwrap().to_string(),
        c[1]["access_code_id"].as_str().unwrap().to_string(),
    ];
    let res = app
        .post("/access_codes/list", json!({ "access_code_ids": want }))
        .await;
    let mut got = ids(
        res.ok()["access_codes"].as_array().unwrap(),
        "access_code_id",
    );
    got.sort();
    let mut sorted = want.clone();
    sorted.sort();
    assert_eq!(got, sorted);
    let res = app
        .get(&format!(
            "/access_codes/list?access_code_ids={}&access_code_ids={}",
            want[0], want[1]
        ))
        .await;
    let mut got = ids(
        res.ok()["access_codes"].as_array().unwrap(),
        "access_code_id",
    );
    got.sort();
    assert_eq!(got, sorted);
    assert_eq!(res.json["pagination"]["has_next_page"], json!(false));
}

#[tokio::test]
async fn list_by_device_id_returns_the_codes_on_that_lock() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let c = app.create_ok(json!({ "device_ids": [a1, a2] })).await;
    let d = app.create_ok(json!({ "device_ids": [a1] })).await;
    let res = app
        .post("/access_codes/list", json!({ "device_id": a1 }))
        .await;
    assert_eq!(
        ids(
            res.ok()["access_codes"].as_array().unwrap(),
            "access_code_id"
        ),
        vec![
            c[0]["access_code_id"].as_str().unwrap().to_string(),
            d[0]["access_code_id"].as_str().unwrap().to_string(),
        ]
    );
    let res = app.get(&format!("/access_codes/list?device_id={a2}")).await;
    assert_eq!(
        ids(
            res.ok()["access_codes"].as_array().unwrap(),
            "access_code_id"
        ),
        vec![c[1]["access_code_id"].as_str().unwrap().to_string()]
    );
    // Paginated like devices.
    let res = app
        .post("/access_codes/list", json!({ "device_id": a1, "limit": 1 }))
        .await;
    assert_eq!(res.ok()["access_codes"].as_array().unwrap().len(), 1);
    assert_eq!(res.json["pagination"]["has_next_page"], json!(true));
    // A lock with no codes lists none.
    let res = app
        .post(
            "/access_codes/list",
            json!({ "device_id": dev("kwikset_device_1") }),
        )
        .await;
    assert_eq!(res.ok()["access_codes"], json!([]));
}

#[tokio::test]
async fn list_needs_a_device_or_ids() {
    let app = TestApp::spawn().await;
    let e = app.post("/access_codes/list", json!({})).await;
    e.err(400, "invalid_input");
    app.get("/access_codes/list")
        .await
        .err(400, "invalid_input");
    app.post(
        "/access_codes/list",
        json!({ "device_id": "5ea10003-0000-4000-8000-0000000000ee" }),
    )
    .await
    .err(404, "device_not_found");
}

#[tokio::test]
async fn unmanaged_list_shows_a_simulated_code() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    assert_eq!(app.unmanaged_on(&a1).await, Vec::<Value>::new());
    let u = app.unmanaged(&a1, "86420").await;
    assert_eq!(u["is_managed"], json!(false));
    assert_eq!(u["code"], json!("86420"));

    let list = app.unmanaged_on(&a1).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["access_code_id"], u["access_code_id"]);
    assert_eq!(list[0]["name"], json!("Set at the keypad"));
    assert_eq!(list[0]["is_managed"], json!(false));
    let res = app
        .get(&format!("/access_codes/unmanaged/list?device_id={a1}"))
        .await;
    assert_eq!(res.ok()["access_codes"], json!(list));

    // It is not a managed code.
    app.post(
        "/access_codes/get",
        json!({ "access_code_id": u["access_code_id"] }),
    )
    .await
    .err(404, "access_code_not_found");
    assert_eq!(app.codes_on(&a1).await, Vec::<Value>::new());
}

#[tokio::test]
async fn unmanaged_list_comes_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let first = app.unmanaged(&a1, "86420").await;
    let second = app.unmanaged(&a1, "97531").await;
    let list = "/access_codes/unmanaged/list";
    let one = app.post(list, json!({ "device_id": a1, "limit": 1 })).await;
    let one = one.ok();
    assert_eq!(one["access_codes"], json!([first]));
    assert_eq!(one["pagination"]["has_next_page"], json!(true));
    let cursor = one["pagination"]["next_page_cursor"].clone();
    let two = app
        .post(
            list,
            json!({ "device_id": a1, "limit": 1, "page_cursor": cursor }),
        )
        .await;
    let two = two.ok();
    assert_eq!(two["access_codes"], json!([second]));
    assert_eq!(
        two["pagination"],
        json!({ "has_next_page": false, "next_page_cursor": null, "next_page_url": null })
    );
    app.post(list, json!({ "device_id": a1, "page_cursor": "junk" }))
        .await
        .err(400, "invalid_input");
}
