//! Offline (algoPIN) access codes over HTTP (contract §8): rounded windows echoed back, the
//! PIN known at once, the length ranges and per-lock limits, no custom PIN, no update or
//! delete, and create_multiple never sharing an algoPIN.

use chrono::{DateTime, Duration, Timelike, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, parse_time, wire_time};

/// A time `h` hours and `m` minutes after the next whole hour of the server clock.
async fn at(app: &TestApp, h: i64, m: i64) -> DateTime<Utc> {
    let now = app.now().await;
    let hour = now
        - Duration::minutes(i64::from(now.minute()))
        - Duration::seconds(i64::from(now.second()))
        - Duration::nanoseconds(i64::from(now.nanosecond()));
    hour + Duration::hours(1 + h) + Duration::minutes(m)
}

async fn create(app: &TestApp, body: Value) -> crate::helpers::Res {
    app.post("/access_codes/create", body).await
}

#[tokio::test]
async fn an_hourly_offline_code_on_the_seeded_igloohome_is_rounded_with_a_pin() {
    let app = TestApp::spawn().await;
    let igloo = dev("igloohome_device_1");
    let device = app
        .post("/devices/get", json!({ "device_id": igloo }))
        .await
        .ok()["device"]
        .clone();
    assert_eq!(device["can_program_offline_access_codes"], json!(true));
    let (s, e) = (at(&app, 1, 20).await, at(&app, 3, 10).await);
    for flag in ["is_offline_access_code", "use_offline_access_code"] {
        let res = create(
            &app,
            json!({ "device_id": igloo, flag: true, "max_time_rounding": "1h",
                    "starts_at": wire_time(s), "ends_at": wire_time(e) }),
        )
        .await;
        let c = res.ok()["access_code"].clone();
        assert_eq!(c["is_offline_access_code"], json!(true), "{flag}");
        assert_eq!(c["is_one_time_use"], json!(false));
        assert_eq!(c["type"], json!("time_bound"));
        assert_eq!(c["starts_at"], json!(wire_time(at(&app, 1, 0).await)));
        assert_eq!(c["ends_at"], json!(wire_time(at(&app, 4, 0).await)));
        assert_eq!(c["code"].as_str().unwrap().len(), 6);
        assert_eq!(c["is_waiting_for_code_assignment"], json!(false));
        assert_eq!(c["common_code_key"], Value::Null);
    }
    let pins = app.pins_on(&igloo).await;
    assert_eq!(pins.len(), 2);
    assert_ne!(pins[0], pins[1]);
}

#[tokio::test]
async fn daily_and_one_time_windows_are_rounded_and_bounded() {
    let app = TestApp::spawn().await;
    let igloo = dev("igloohome_device_1");
    let s = at(&app, 2, 30).await;
    let daily = create(
        &app,
        json!({ "device_id": igloo, "is_offline_access_code": true, "max_time_rounding": "1day",
                "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::days(30) + Duration::hours(1)) }),
    )
    .await;
    let c = daily.ok()["access_code"].clone();
    let start = parse_time(c["starts_at"].as_str().unwrap());
    assert_eq!(start, at(&app, 2, 0).await);
    assert_eq!(
        parse_time(c["ends_at"].as_str().unwrap()),
        start + Duration::days(31)
    );

    let one = create(
        &app,
        json!({ "device_id": igloo, "is_offline_access_code": true, "is_one_time_use": true,
                "starts_at": wire_time(s) }),
    )
    .await;
    let c = one.ok()["access_code"].clone();
    assert_eq!(c["is_one_time_use"], json!(true));
    assert_eq!(
        parse_time(c["ends_at"].as_str().unwrap()) - parse_time(c["starts_at"].as_str().unwrap()),
        Duration::days(1)
    );

    let before = app.snapshot(&[&igloo]).await;
    for bad in [
        json!({ "max_time_rounding": "1d", "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::days(10)) }),
        json!({ "max_time_rounding": "1d", "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::days(400)) }),
        json!({ "max_time_rounding": "1hour", "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::hours(700)) }),
        json!({ "is_one_time_use": true, "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::hours(25)) }),
        json!({ "is_one_time_use": true }),
        json!({}),
        json!({ "code": "135790", "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::hours(2)) }),
    ] {
        let mut body = bad.clone();
        body["device_id"] = json!(igloo);
        body["is_offline_access_code"] = json!(true);
        create(&app, body).await.err(400, "invalid_input");
    }
    let mut bad_rounding =
        json!({ "device_id": igloo, "is_offline_access_code": true, "max_time_rounding": "2h" });
    bad_rounding["starts_at"] = json!(wire_time(s));
    let e = create(&app, bad_rounding)
        .await
        .err(400, "invalid_input")
        .clone();
    assert!(
        e["validation_errors"]["max_time_rounding"]["_errors"][0]
            .as_str()
            .unwrap()
            .contains("'1hour'")
    );
    assert_eq!(app.snapshot(&[&igloo]).await, before);
}

#[tokio::test]
async fn a_lock_that_cannot_program_offline_codes_refuses_them() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let s = at(&app, 1, 0).await;
    let res = create(
        &app,
        json!({ "device_id": a1, "is_offline_access_code": true,
                "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::hours(2)) }),
    )
    .await;
    assert_eq!(
        res.err(400, "invalid_input")["data"]["device_id"],
        json!(a1)
    );
    assert!(app.codes_on(&a1).await.is_empty());
}

#[tokio::test]
async fn three_hourly_codes_per_hour_then_400() {
    let app = TestApp::spawn().await;
    let igloo = dev("igloohome_device_1");
    let s = at(&app, 1, 0).await;
    let body = json!({ "device_id": igloo, "is_offline_access_code": true,
                       "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::hours(2)) });
    for _ in 0..3 {
        create(&app, body.clone()).await.ok();
    }
    let e = create(&app, body.clone()).await;
    assert!(
        e.err(400, "invalid_input")["message"]
            .as_str()
            .unwrap()
            .contains("at most 3")
    );
    // The next hour has room.
    let mut later = body;
    later["starts_at"] = json!(wire_time(s + Duration::hours(1)));
    later["ends_at"] = json!(wire_time(s + Duration::hours(3)));
    create(&app, later).await.ok();
    assert_eq!(app.codes_on(&igloo).await.len(), 4);
}

#[tokio::test]
async fn offline_codes_cannot_be_updated_or_deleted_and_end_with_their_window() {
    let app = TestApp::spawn().await;
    let igloo = dev("igloohome_device_1");
    let s = at(&app, 0, 0).await;
    let c = create(
        &app,
        json!({ "device_id": igloo, "is_offline_access_code": true,
                "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::hours(1)) }),
    )
    .await
    .ok()["access_code"]
        .clone();
    let id = &c["access_code_id"];
    app.post(
        "/access_codes/update",
        json!({ "access_code_id": id, "name": "x" }),
    )
    .await
    .err(400, "invalid_input");
    app.post("/access_codes/delete", json!({ "access_code_id": id }))
        .await
        .err(400, "invalid_input");
    let now = app
        .post("/access_codes/get", json!({ "access_code_id": id }))
        .await
        .ok()["access_code"]
        .clone();
    assert_eq!(
        (now["name"].clone(), now["code"].clone()),
        (Value::Null, c["code"].clone())
    );
    app.advance(2 * 3600 + 60).await;
    app.post("/access_codes/get", json!({ "access_code_id": id }))
        .await
        .err(404, "access_code_not_found");
}

#[tokio::test]
async fn create_multiple_never_shares_an_offline_pin() {
    let app = TestApp::spawn().await;
    let (i1, i2) = (dev("igloohome_device_1"), dev("igloohome_device_2"));
    let s = at(&app, 1, 0).await;
    let body = |behavior: &str| {
        json!({ "device_ids": [i1, i2], "is_offline_access_code": true,
                "behavior_when_code_cannot_be_shared": behavior,
                "starts_at": wire_time(s), "ends_at": wire_time(s + Duration::hours(5)) })
    };
    let e = app.create_multiple(body("throw")).await;
    assert_eq!(
        e.err(400, "code_cannot_be_shared")["data"]["device_ids"],
        json!([i1, i2])
    );
    assert!(app.codes_on(&i1).await.is_empty());
    let codes = app.create_ok(body("create_random_code")).await;
    assert_eq!(codes.len(), 2);
    for c in &codes {
        assert_eq!(c["is_offline_access_code"], json!(true));
        assert_eq!(c["common_code_key"], Value::Null);
        assert_eq!(c["code"].as_str().unwrap().len(), 6);
    }
    let mut custom = body("create_random_code");
    custom["code"] = json!("135790");
    app.create_multiple(custom).await.err(400, "invalid_input");
    let mut with_august = body("create_random_code");
    with_august["device_ids"] = json!([i1, dev("august_device_1")]);
    app.create_multiple(with_august)
        .await
        .err(400, "invalid_input");
    assert_eq!(app.codes_on(&i1).await.len(), 1);
}
