//! The rest of the access-code surface over HTTP (the "lifecycle" issue): `/access_codes/create`,
//! `update`, `update_multiple`, `delete`, `generate_code`, the unmanaged routes, action attempts,
//! status over time on the server clock, and `/events/*` — ending with a linked group's whole
//! life told by its events.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn code_of(res: &Res) -> Value {
    res.ok()["access_code"].clone()
}

fn id_of(code: &Value) -> String {
    code["access_code_id"]
        .as_str()
        .expect("access_code_id")
        .to_string()
}

async fn get_code(app: &TestApp, id: &str) -> Res {
    app.get(&format!("/access_codes/get?access_code_id={id}"))
        .await
}

async fn events_of(app: &TestApp, id: &str) -> Vec<String> {
    app.get(&format!("/events/list?access_code_id={id}"))
        .await
        .ok()["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["event_type"].as_str().unwrap_or_default().to_string())
        .collect()
}

// ----- /access_codes/create -------------------------------------------------------------------

#[tokio::test]
async fn create_generates_a_pin_that_fits_the_lock_and_returns_an_action_attempt() {
    let app = TestApp::spawn().await;
    let nuki = dev("nuki_device_1");
    let device = app
        .get(&format!("/devices/get?device_id={nuki}"))
        .await
        .ok()["device"]
        .clone();
    for _ in 0..10 {
        let res = app
            .post(
                "/access_codes/create",
                json!({ "device_id": nuki, "name": "Guest" }),
            )
            .await;
        let body = res.ok();
        let code = &body["access_code"];
        assert_pin_fits(code["code"].as_str().unwrap(), &device);
        assert_eq!(code["common_code_key"], Value::Null);
        assert_eq!(code["name"], "Guest");
        assert_eq!(code["status"], "setting");
        let attempt = &body["action_attempt"];
        assert_eq!(attempt["action_type"], "CREATE_ACCESS_CODE");
        assert_eq!(attempt["status"], "success");
        assert_eq!(
            attempt["result"]["access_code"]["access_code_id"],
            code["access_code_id"]
        );
    }
    let pins = app.pins_on(&nuki).await;
    let mut distinct = pins.clone();
    distinct.dedup();
    assert_eq!(
        (pins.len(), distinct.len()),
        (10, 10),
        "no PIN twice: {pins:?}"
    );
}

#[tokio::test]
async fn create_uses_the_preferred_length_when_the_lock_takes_it() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    let body = json!({ "device_id": august, "preferred_code_length": 7 });
    let code = code_of(&app.post("/access_codes/create", body).await);
    assert_eq!(code["code"].as_str().unwrap().len(), 7);
    let body = json!({ "device_id": august, "preferred_code_length": 12 });
    let code = code_of(&app.post("/access_codes/create", body).await);
    assert_eq!(
        code["code"].as_str().unwrap().len(),
        4,
        "falls back to the shortest"
    );
}

#[tokio::test]
async fn create_refuses_a_pin_already_on_the_lock_with_409() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    app.post(
        "/access_codes/create",
        json!({ "device_id": august, "code": "2580" }),
    )
    .await
    .ok();
    app.unmanaged(&august, "1470").await;
    let before = app.snapshot(&[&august]).await;
    for pin in ["2580", "1470"] {
        let res = app
            .post(
                "/access_codes/create",
                json!({ "device_id": august, "code": pin }),
            )
            .await;
        assert_eq!(
            res.err(409, "duplicate_access_code")["data"]["device_id"],
            json!(august)
        );
    }
    assert_eq!(app.snapshot(&[&august]).await, before);
    // The same PIN on another lock is fine.
    app.post(
        "/access_codes/create",
        json!({ "device_id": dev("august_device_2"), "code": "2580" }),
    )
    .await
    .ok();
}

#[tokio::test]
async fn create_refuses_a_pin_the_lock_cannot_take() {
    let app = TestApp::spawn().await;
    let nuki = dev("nuki_device_1");
    let before = app.snapshot(&[&nuki]).await;
    for pin in ["1234", "120456", "345078"] {
        let res = app
            .post(
                "/access_codes/create",
                json!({ "device_id": nuki, "code": pin }),
            )
            .await;
        assert_eq!(
            res.err(400, "invalid_access_code")["data"]["device_id"],
            json!(nuki)
        );
    }
    let res = app
        .post(
            "/access_codes/create",
            json!({ "device_id": nuki, "code": "12a456" }),
        )
        .await;
    res.err(400, "invalid_input");
    let res = app
        .post(
            "/access_codes/create",
            json!({ "device_id": dev("ecobee_device_1") }),
        )
        .await;
    res.err(400, "device_does_not_support_access_codes");
    let res = app.post("/access_codes/create", json!({})).await;
    assert_eq!(
        res.err(400, "invalid_input")["message"],
        "device_id is required"
    );
    assert_eq!(app.snapshot(&[&nuki]).await, before);
    let put = app
        .put("/access_codes/create", json!({ "device_id": nuki }))
        .await;
    put.err(405, "method_not_allowed");
}

#[tokio::test]
async fn create_with_a_common_code_key_joins_that_groups_pin() {
    let app = TestApp::spawn().await;
    let codes = app
        .create_ok(json!({ "device_ids": [dev("august_device_1"), dev("nuki_device_1")] }))
        .await;
    let key = codes[0]["common_code_key"].clone();
    let pin = codes[0]["code"].clone();
    let joined = code_of(
        &app.post(
            "/access_codes/create",
            json!({ "device_id": dev("igloohome_device_1"), "common_code_key": key }),
        )
        .await,
    );
    assert_eq!((&joined["code"], &joined["common_code_key"]), (&pin, &key));
    let listed = app
        .get(&format!(
            "/access_codes/list?device_id={}",
            dev("igloohome_device_1")
        ))
        .await;
    assert_eq!(listed.ok()["access_codes"][0]["common_code_key"], key);

    // A lock that cannot take the group's PIN is refused, and so is a different PIN.
    let res = app
        .post(
            "/access_codes/create",
            json!({ "device_id": dev("schlage_device_1"), "common_code_key": key }),
        )
        .await;
    res.err(400, "invalid_access_code");
    let res = app
        .post(
            "/access_codes/create",
            json!({ "device_id": dev("august_device_2"), "common_code_key": key, "code": "97531" }),
        )
        .await;
    res.err(400, "invalid_input");

    // A new key starts a group.
    let first = code_of(
        &app.post(
            "/access_codes/create",
            json!({ "device_id": dev("tedee_device_1"), "common_code_key": "mine" }),
        )
        .await,
    );
    let second = code_of(
        &app.post(
            "/access_codes/create",
            json!({ "device_id": dev("august_device_2"), "common_code_key": "mine" }),
        )
        .await,
    );
    assert_eq!(first["code"], second["code"]);
    assert_eq!(second["common_code_key"], "mine");
}

#[tokio::test]
async fn list_by_device_pages_and_narrows_by_ids_in_any_spelling() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(id_of(&code_of(
            &app.post("/access_codes/create", json!({ "device_id": august }))
                .await,
        )));
    }
    let first = app
        .get(&format!("/access_codes/list?device_id={august}&limit=2"))
        .await;
    let body = first.ok();
    assert_eq!(ids_of(&body["access_codes"]), ids[..2]);
    let cursor = body["pagination"]["next_page_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let next = app
        .get(&format!(
            "/access_codes/list?device_id={august}&limit=2&page_cursor={cursor}"
        ))
        .await;
    assert_eq!(ids_of(&next.ok()["access_codes"]), ids[2..4]);

    let narrowed = app
        .post(
            "/access_codes/list",
            json!({ "device_id": august, "access_code_ids": [ids[3].to_uppercase(), ids[1]] }),
        )
        .await;
    assert_eq!(
        ids_of(&narrowed.ok()["access_codes"]),
        [ids[1].clone(), ids[3].clone()]
    );
}

fn ids_of(codes: &Value) -> Vec<String> {
    codes
        .as_array()
        .expect("a list")
        .iter()
        .map(id_of)
        .collect()
}

// ----- /access_codes/update ------------------------------------------------------------------

#[tokio::test]
async fn update_takes_post_put_and_patch_and_changes_the_name() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    let id = id_of(&code_of(
        &app.post("/access_codes/create", json!({ "device_id": august }))
            .await,
    ));
    for (i, method) in [Method::POST, Method::PUT, Method::PATCH]
        .into_iter()
        .enumerate()
    {
        let name = format!("name {i}");
        let res = app
            .send(
                app.authed(method, "/access_codes/update")
                    .json(&json!({ "access_code_id": id, "name": name })),
            )
            .await;
        assert_eq!(
            res.ok()["action_attempt"]["action_type"],
            "UPDATE_ACCESS_CODE"
        );
        assert_eq!(code_of(&get_code(&app, &id).await)["name"], json!(name));
    }
    let del = app
        .send(app.authed(Method::DELETE, "/access_codes/update"))
        .await;
    del.err(405, "method_not_allowed");
}

#[tokio::test]
async fn update_with_a_new_pin_checks_it_and_takes_the_code_out_of_its_group() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let codes = app.create_ok(json!({ "device_ids": [a1, a2] })).await;
    let key = codes[0]["common_code_key"].as_str().unwrap().to_string();
    let id = id_of(&codes[0]);
    app.unmanaged(&a1, "86420").await;
    let before = app.snapshot(&[&a1, &a2]).await;

    let res = app
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "code": "86420" }),
        )
        .await;
    res.err(409, "duplicate_access_code");
    let res = app
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "code": "123" }),
        )
        .await;
    res.err(400, "invalid_input");
    assert_eq!(
        app.snapshot(&[&a1, &a2]).await,
        before,
        "a refused update changes nothing"
    );

    app.post(
        "/access_codes/update",
        json!({ "access_code_id": id, "code": "97531" }),
    )
    .await
    .ok();
    let changed = code_of(&get_code(&app, &id).await);
    assert_eq!(
        (&changed["code"], &changed["common_code_key"]),
        (&json!("97531"), &Value::Null)
    );
    let other = code_of(&get_code(&app, &id_of(&codes[1])).await);
    assert_eq!(
        other["common_code_key"],
        json!(key),
        "the other code keeps its key"
    );
    assert_eq!(other["code"], codes[1]["code"]);
}

#[tokio::test]
async fn update_moves_the_window_and_type_ongoing_clears_it() {
    let app = TestApp::spawn().await;
    let now = app.now().await;
    let august = dev("august_device_1");
    let body = json!({
        "device_id": august,
        "starts_at": wire_time(now + chrono::Duration::hours(1)),
        "ends_at": wire_time(now + chrono::Duration::hours(2)),
    });
    let code = code_of(&app.post("/access_codes/create", body).await);
    assert_eq!(
        (&code["type"], &code["status"]),
        (&json!("time_bound"), &json!("unset"))
    );
    let id = id_of(&code);

    let later = wire_time(now + chrono::Duration::hours(5));
    app.send(
        app.authed(Method::PATCH, "/access_codes/update")
            .json(&json!({ "access_code_id": id, "ends_at": later })),
    )
    .await
    .ok();
    assert_eq!(code_of(&get_code(&app, &id).await)["ends_at"], json!(later));

    let bad =
        json!({ "access_code_id": id, "ends_at": wire_time(now - chrono::Duration::hours(1)) });
    app.post("/access_codes/update", bad)
        .await
        .err(400, "invalid_input");
    assert_eq!(code_of(&get_code(&app, &id).await)["ends_at"], json!(later));

    app.post(
        "/access_codes/update",
        json!({ "access_code_id": id, "type": "ongoing" }),
    )
    .await
    .ok();
    let ongoing = code_of(&get_code(&app, &id).await);
    assert_eq!(
        (&ongoing["type"], &ongoing["starts_at"], &ongoing["ends_at"]),
        (&json!("ongoing"), &Value::Null, &Value::Null)
    );
    let res = app
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "type": "sometimes" }),
        )
        .await;
    res.err(400, "invalid_input");
    let res = app
        .post(
            "/access_codes/update",
            json!({ "access_code_id": "5ea1ffff-0000-4000-8000-000000000000" }),
        )
        .await;
    res.err(404, "access_code_not_found");
}

// ----- /access_codes/update_multiple ---------------------------------------------------------

#[tokio::test]
async fn update_multiple_renames_and_moves_every_code_of_the_key() {
    let app = TestApp::spawn().await;
    let now = app.now().await;
    let devices = [
        dev("august_device_1"),
        dev("nuki_device_1"),
        dev("tedee_device_1"),
    ];
    let codes = app.create_ok(json!({ "device_ids": devices })).await;
    let key = codes[0]["common_code_key"].clone();
    let (s, e) = (
        wire_time(now + chrono::Duration::hours(1)),
        wire_time(now + chrono::Duration::hours(9)),
    );
    let res = app
        .send(
            app.authed(Method::PATCH, "/access_codes/update_multiple")
                .json(&json!({ "common_code_key": key, "name": "Week", "starts_at": s, "ends_at": e })),
        )
        .await;
    assert_eq!(res.ok(), &json!({ "ok": true }));
    for c in &codes {
        let now = code_of(&get_code(&app, &id_of(c)).await);
        assert_eq!(
            (
                &now["name"],
                &now["starts_at"],
                &now["ends_at"],
                &now["type"],
                &now["status"]
            ),
            (
                &json!("Week"),
                &json!(s),
                &json!(e),
                &json!("time_bound"),
                &json!("unset")
            )
        );
        assert_eq!(now["common_code_key"], key);
    }
}

#[tokio::test]
async fn update_multiple_refuses_unknown_keys_and_bad_windows_changing_nothing() {
    let app = TestApp::spawn().await;
    let now = app.now().await;
    let res = app
        .post(
            "/access_codes/update_multiple",
            json!({ "common_code_key": "nope", "name": "x" }),
        )
        .await;
    res.err(404, "access_code_not_found");
    let res = app
        .post("/access_codes/update_multiple", json!({ "name": "x" }))
        .await;
    assert_eq!(
        res.err(400, "invalid_input")["message"],
        "common_code_key is required"
    );

    let codes = app
        .create_ok(json!({ "device_ids": [dev("august_device_1"), dev("august_device_2")] }))
        .await;
    let key = codes[0]["common_code_key"].clone();
    let before = app.snapshot(&[&dev("august_device_1")]).await;
    let bad = json!({
        "common_code_key": key,
        "starts_at": wire_time(now + chrono::Duration::hours(3)),
        "ends_at": wire_time(now + chrono::Duration::hours(2)),
    });
    app.post("/access_codes/update_multiple", bad)
        .await
        .err(400, "invalid_input");
    let half =
        json!({ "common_code_key": key, "starts_at": wire_time(now + chrono::Duration::hours(3)) });
    app.post("/access_codes/update_multiple", half)
        .await
        .err(400, "invalid_input");
    assert_eq!(app.snapshot(&[&dev("august_device_1")]).await, before);
    // Another workspace cannot see the key.
    let res = app
        .post_as(
            KEY_2,
            "/access_codes/update_multiple",
            json!({ "common_code_key": key, "name": "x" }),
        )
        .await;
    res.err(404, "access_code_not_found");
}

// ----- /access_codes/delete ------------------------------------------------------------------

#[tokio::test]
async fn delete_by_post_body_and_by_delete_query() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    let a = id_of(&code_of(
        &app.post(
            "/access_codes/create",
            json!({ "device_id": august, "code": "3579" }),
        )
        .await,
    ));
    let b = id_of(&code_of(
        &app.post("/access_codes/create", json!({ "device_id": august }))
            .await,
    ));

    let res = app
        .post("/access_codes/delete", json!({ "access_code_id": a }))
        .await;
    assert_eq!(
        res.ok()["action_attempt"]["action_type"],
        "DELETE_ACCESS_CODE"
    );
    let res = app
        .delete(&format!("/access_codes/delete?access_code_id={b}"))
        .await;
    assert_eq!(res.ok()["action_attempt"]["status"], "success");
    for id in [&a, &b] {
        get_code(&app, id).await.err(404, "access_code_not_found");
        app.post("/access_codes/delete", json!({ "access_code_id": id }))
            .await
            .err(404, "access_code_not_found");
    }
    assert!(app.codes_on(&august).await.is_empty());
    // The PIN is free again.
    app.post(
        "/access_codes/create",
        json!({ "device_id": august, "code": "3579" }),
    )
    .await
    .ok();
    let deleted = app
        .get(&format!(
            "/events/list?access_code_id={a}&event_type=access_code.deleted"
        ))
        .await;
    assert_eq!(deleted.ok()["events"][0]["code"], "3579");
}

// ----- /access_codes/generate_code -----------------------------------------------------------

#[tokio::test]
async fn generate_code_gives_a_valid_unused_pin_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let schlage = dev("schlage_device_1");
    let device = app
        .get(&format!("/devices/get?device_id={schlage}"))
        .await
        .ok()["device"]
        .clone();
    app.unmanaged(&schlage, "1234").await;
    for i in 0..20 {
        let res = if i % 2 == 0 {
            app.get(&format!("/access_codes/generate_code?device_id={schlage}"))
                .await
        } else {
            app.post(
                "/access_codes/generate_code",
                json!({ "device_id": schlage }),
            )
            .await
        };
        let generated = &res.ok()["generated_code"];
        let pin = generated["code"].as_str().unwrap();
        assert_pin_fits(pin, &device);
        assert_ne!(
            &pin[..4],
            "1234",
            "unique_first_four_digits against the unmanaged code"
        );
        assert_eq!(generated["device_id"], json!(schlage));
    }
    assert!(app.codes_on(&schlage).await.is_empty());
    app.get("/access_codes/generate_code?device_id=nope")
        .await
        .err(404, "device_not_found");
    let thermostat = dev("ecobee_device_1");
    app.get(&format!(
        "/access_codes/generate_code?device_id={thermostat}"
    ))
    .await
    .err(400, "device_does_not_support_access_codes");
}

// ----- unmanaged codes -----------------------------------------------------------------------

#[tokio::test]
async fn unmanaged_codes_can_be_read_converted_and_deleted() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    let u = app.unmanaged(&august, "4826").await;
    let id = id_of(&u);
    assert_eq!(u["is_managed"], false);

    let by_id = app
        .get(&format!("/access_codes/unmanaged/get?access_code_id={id}"))
        .await;
    assert_eq!(by_id.ok()["access_code"]["code"], "4826");
    let by_pin = app
        .post(
            "/access_codes/unmanaged/get",
            json!({ "device_id": august, "code": "4826" }),
        )
        .await;
    assert_eq!(by_pin.ok()["access_code"]["access_code_id"], json!(id));
    app.post("/access_codes/unmanaged/get", json!({}))
        .await
        .err(400, "invalid_input");

    let res = app
        .send(
            app.authed(Method::PATCH, "/access_codes/unmanaged/convert_to_managed")
                .json(&json!({ "access_code_id": id, "is_external_modification_allowed": true })),
        )
        .await;
    res.ok();
    let managed = code_of(&get_code(&app, &id).await);
    assert_eq!(
        (
            &managed["code"],
            &managed["is_managed"],
            &managed["status"],
            &managed["is_external_modification_allowed"]
        ),
        (&json!("4826"), &json!(true), &json!("set"), &json!(true))
    );
    app.get(&format!("/access_codes/unmanaged/get?access_code_id={id}"))
        .await
        .err(404, "access_code_not_found");
    assert_eq!(
        events_of(&app, &id).await,
        ["access_code.unmanaged.converted_to_managed"]
    );

    let gone = id_of(&app.unmanaged(&august, "5937").await);
    let res = app
        .delete(&format!(
            "/access_codes/unmanaged/delete?access_code_id={gone}"
        ))
        .await;
    assert_eq!(
        res.ok()["action_attempt"]["action_type"],
        "DELETE_ACCESS_CODE"
    );
    assert!(app.unmanaged_on(&august).await.is_empty());
    app.post(
        "/access_codes/unmanaged/delete",
        json!({ "access_code_id": gone }),
    )
    .await
    .err(404, "access_code_not_found");
}

// ----- action attempts -----------------------------------------------------------------------

#[tokio::test]
async fn action_attempts_can_be_read_back() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/access_codes/create",
            json!({ "device_id": dev("august_device_1") }),
        )
        .await;
    let attempt = created.ok()["action_attempt"].clone();
    let id = attempt["action_attempt_id"].as_str().unwrap().to_string();
    let got = app
        .get(&format!("/action_attempts/get?action_attempt_id={id}"))
        .await;
    assert_eq!(got.ok()["action_attempt"], attempt);
    let listed = app
        .post(
            "/action_attempts/list",
            json!({ "action_attempt_ids": [id, "nope"] }),
        )
        .await;
    assert_eq!(listed.ok()["action_attempts"], json!([attempt]));
    app.get("/action_attempts/get?action_attempt_id=5ea1ffff-0000-4000-8000-000000000000")
        .await
        .err(404, "action_attempt_not_found");
    app.post_as(
        KEY_2,
        "/action_attempts/get",
        json!({ "action_attempt_id": id }),
    )
    .await
    .err(404, "action_attempt_not_found");
}

// ----- status over time ----------------------------------------------------------------------

#[tokio::test]
async fn programming_delay_keeps_codes_setting_until_the_clock_passes_it() {
    let app = TestApp::spawn_with(&["--programming-delay", "30"]).await;
    let id = id_of(&code_of(
        &app.post(
            "/access_codes/create",
            json!({ "device_id": dev("august_device_1") }),
        )
        .await,
    ));
    assert_eq!(code_of(&get_code(&app, &id).await)["status"], "setting");
    app.advance(29).await;
    assert_eq!(code_of(&get_code(&app, &id).await)["status"], "setting");
    app.advance(1).await;
    assert_eq!(code_of(&get_code(&app, &id).await)["status"], "set");
    assert_eq!(
        events_of(&app, &id).await,
        ["access_code.created", "access_code.set_on_device"]
    );
}

#[tokio::test]
async fn a_time_bound_code_is_unset_then_set_then_removed() {
    let app = TestApp::spawn().await;
    let now = app.now().await;
    let body = json!({
        "device_id": dev("august_device_1"),
        "starts_at": wire_time(now + chrono::Duration::hours(1)),
        "ends_at": wire_time(now + chrono::Duration::hours(2)),
    });
    let id = id_of(&code_of(&app.post("/access_codes/create", body).await));
    assert_eq!(code_of(&get_code(&app, &id).await)["status"], "unset");
    app.advance(3600).await;
    assert_eq!(code_of(&get_code(&app, &id).await)["status"], "set");
    app.advance(3600).await;
    get_code(&app, &id).await.err(404, "access_code_not_found");
}

#[tokio::test]
async fn an_offline_lock_keeps_codes_setting_until_it_is_back() {
    let app = TestApp::spawn().await;
    let august = dev("august_device_1");
    app.update_device(&august, json!({ "online": false })).await;
    let code = code_of(
        &app.post("/access_codes/create", json!({ "device_id": august }))
            .await,
    );
    let id = id_of(&code);
    app.advance(600).await;
    let waiting = code_of(&get_code(&app, &id).await);
    assert_eq!(waiting["status"], "setting");
    assert_eq!(waiting["errors"][0]["error_code"], "device_offline");
    app.update_device(&august, json!({ "online": true })).await;
    let set = code_of(&get_code(&app, &id).await);
    assert_eq!(
        (&set["status"], &set["errors"]),
        (&json!("set"), &json!([]))
    );
}

// ----- events --------------------------------------------------------------------------------

#[tokio::test]
async fn events_can_be_filtered_and_read_one_by_one() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let start = app.now().await;
    let codes = app.create_ok(json!({ "device_ids": [a1, a2] })).await;
    app.get(&format!(
        "/access_codes/get?access_code_id={}",
        id_of(&codes[0])
    ))
    .await
    .ok();

    let all = app.get("/events/list").await;
    let all = all.ok()["events"].as_array().unwrap().clone();
    assert_eq!(all.len(), 4, "two created, two set_on_device: {all:?}");
    let by_device = app.get(&format!("/events/list?device_id={a2}")).await;
    assert!(
        by_device.ok()["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["device_id"] == json!(a2))
    );
    let by_type = app
        .post(
            "/events/list",
            json!({ "event_types": ["access_code.set_on_device"], "device_ids": [a1, a2] }),
        )
        .await;
    let set = by_type.ok()["events"].as_array().unwrap().clone();
    assert_eq!(set.len(), 2);
    assert!(
        set.iter().all(|e| e["code"] == codes[0]["code"]),
        "set_on_device carries the PIN"
    );
    let limited = app.get("/events/list?limit=1").await;
    assert_eq!(limited.ok()["events"].as_array().unwrap().len(), 1);
    let future = wire_time(start + chrono::Duration::hours(1));
    let none = app.get(&format!("/events/list?since={future}")).await;
    assert_eq!(none.ok()["events"], json!([]));
    app.get("/events/list?since=yesterday")
        .await
        .err(400, "invalid_input");

    let event_id = all[0]["event_id"].as_str().unwrap();
    let one = app.get(&format!("/events/get?event_id={event_id}")).await;
    assert_eq!(one.ok()["event"], all[0]);
    app.get("/events/get?event_id=5ea1ffff-0000-4000-8000-000000000000")
        .await
        .err(404, "event_not_found");
    let other = app.post_as(KEY_2, "/events/list", json!({})).await;
    assert_eq!(
        other.ok()["events"],
        json!([]),
        "events stay in their workspace"
    );
}

// ----- a whole life --------------------------------------------------------------------------

#[tokio::test]
async fn a_linked_group_lives_its_whole_life() {
    let app = TestApp::spawn().await;
    let now = app.now().await;
    let devices = [dev("august_device_1"), dev("nuki_device_1")];
    let codes = app
        .create_ok(json!({
            "device_ids": devices,
            "name": "Stay",
            "starts_at": wire_time(now + chrono::Duration::hours(1)),
            "ends_at": wire_time(now + chrono::Duration::hours(3)),
        }))
        .await;
    let key = codes[0]["common_code_key"].clone();
    assert!(codes.iter().all(|c| c["status"] == "unset"));

    // The window opens: the group becomes set.
    app.advance(3600).await;
    for c in &codes {
        assert_eq!(code_of(&get_code(&app, &id_of(c)).await)["status"], "set");
    }

    // Extend the stay by two hours for the whole group.
    let new_end = wire_time(now + chrono::Duration::hours(5));
    app.send(
        app.authed(Method::PATCH, "/access_codes/update_multiple")
            .json(&json!({ "common_code_key": key, "ends_at": new_end })),
    )
    .await
    .ok();
    app.advance(3 * 3600).await;
    for c in &codes {
        let live = code_of(&get_code(&app, &id_of(c)).await);
        assert_eq!(
            (&live["status"], &live["ends_at"]),
            (&json!("set"), &json!(new_end))
        );
    }

    // Past the end: gone.
    app.advance(2 * 3600).await;
    for c in &codes {
        let id = id_of(c);
        get_code(&app, &id).await.err(404, "access_code_not_found");
        assert_eq!(
            events_of(&app, &id).await,
            [
                "access_code.created",
                "access_code.set_on_device",
                "access_code.changed",
                "access_code.set_on_device",
                "access_code.removed_from_device",
                "access_code.deleted",
            ]
        );
    }
    let all = app.get("/events/list").await;
    let times: Vec<String> = all.ok()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "events come in time order");
    for d in &devices {
        assert!(app.pins_on(d).await.is_empty());
    }
}
