//! `/access_codes/create_multiple` (contract §4, §7), through both PUT (what the SDKs send) and
//! POST: the shared PIN and `common_code_key`, length choice, request order, the full code
//! shape, custom codes, PINs already on a lock, locks that cannot share under `throw` and
//! `create_random_code`, provider-assigned PINs, unsupported and unknown devices, input
//! validation, constraint-heavy locks, and one `access_code.created` event per code. Every
//! failure is checked to leave nothing behind.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};

use crate::helpers::{
    Res, TestApp, assert_generated_key, assert_pin_fits, code_fields, dev, ids, is_js_iso,
    wire_time,
};

const VERBS: [Method; 2] = [Method::PUT, Method::POST];

async fn create(app: &TestApp, method: Method, body: &Value) -> Res {
    app.send(
        app.authed(method, "/access_codes/create_multiple")
            .json(body),
    )
    .await
}

async fn device(app: &TestApp, id: &str) -> Value {
    app.post("/devices/get", json!({ "device_id": id }))
        .await
        .ok()["device"]
        .clone()
}

fn codes(res: &Res) -> Vec<Value> {
    res.ok()["access_codes"].as_array().unwrap().clone()
}

fn pin(code: &Value) -> String {
    code["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no PIN on {code}"))
        .to_string()
}

#[tokio::test]
async fn two_augusts_share_a_four_digit_pin_and_one_key() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    for verb in VERBS {
        let res = create(&app, verb.clone(), &json!({ "device_ids": [a1, a2] })).await;
        let c = codes(&res);
        assert_eq!(c.len(), 2, "{verb}");
        assert_eq!(pin(&c[0]), pin(&c[1]), "{verb}");
        assert_eq!(pin(&c[0]).len(), 4, "{verb}");
        assert!(pin(&c[0]).bytes().all(|b| b.is_ascii_digit()));
        assert_generated_key(&c[0]["common_code_key"]);
        assert_eq!(c[0]["common_code_key"], c[1]["common_code_key"], "{verb}");
    }
}

#[tokio::test]
async fn august_and_nuki_share_six_digits_without_zeros_or_a_leading_12() {
    let app = TestApp::spawn().await;
    let (a1, nuki) = (dev("august_device_1"), dev("nuki_device_1"));
    let nuki_device = device(&app, &nuki).await;
    for i in 0..16 {
        let res = create(
            &app,
            VERBS[i % 2].clone(),
            &json!({ "device_ids": [a1, nuki] }),
        )
        .await;
        let c = codes(&res);
        let p = pin(&c[0]);
        assert_eq!(p, pin(&c[1]));
        assert_eq!(p.len(), 6, "{p}");
        assert!(!p.contains('0') && !p.starts_with("12"), "{p}");
        assert_pin_fits(&p, &nuki_device);
        assert_generated_key(&c[0]["common_code_key"]);
        assert_eq!(c[0]["common_code_key"], c[1]["common_code_key"]);
    }
}

#[tokio::test]
async fn preferred_code_length_is_used_when_common_else_the_shortest() {
    let app = TestApp::spawn().await;
    let (a1, a2, nuki) = (
        dev("august_device_1"),
        dev("august_device_2"),
        dev("nuki_device_1"),
    );
    let cases = [
        (json!([a1, a2]), json!(7), 7),
        (json!([a1, a2]), json!(8), 8),
        (json!([a1, a2]), json!(30), 4),
        (json!([a1, a2]), json!(4.5), 4),
        (json!([a1, nuki]), json!(4), 6),
    ];
    for verb in VERBS {
        for (device_ids, preferred, want) in &cases {
            let res = create(
                &app,
                verb.clone(),
                &json!({ "device_ids": device_ids, "preferred_code_length": preferred }),
            )
            .await;
            let c = codes(&res);
            assert_eq!(pin(&c[0]).len(), *want, "{verb} preferred {preferred}");
            assert_eq!(pin(&c[0]), pin(&c[1]));
            assert_generated_key(&c[0]["common_code_key"]);
        }
    }
}

#[tokio::test]
async fn keys_differ_between_calls() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let mut keys = BTreeSet::new();
    for i in 0..12 {
        let c = codes(
            &create(
                &app,
                VERBS[i % 2].clone(),
                &json!({ "device_ids": [a1, a2] }),
            )
            .await,
        );
        assert!(keys.insert(c[0]["common_code_key"].as_str().unwrap().to_string()));
    }
}

#[tokio::test]
async fn codes_come_back_in_request_order() {
    let app = TestApp::spawn().await;
    let order = [
        dev("nuki_device_1"),
        dev("august_device_2"),
        dev("igloohome_device_1"),
        dev("august_device_1"),
    ];
    let res = app.create_multiple(json!({ "device_ids": order })).await;
    assert_eq!(ids(&codes(&res), "device_id"), order.to_vec());
    let reversed: Vec<String> = order.iter().rev().cloned().collect();
    let res = app.create_multiple(json!({ "device_ids": reversed })).await;
    assert_eq!(ids(&codes(&res), "device_id"), reversed);
}

#[track_caller]
fn assert_code_shape(c: &Value) {
    for f in code_fields() {
        assert!(c.get(&f).is_some(), "{f} missing from {c}");
    }
    assert!(uuid::Uuid::try_parse(c["access_code_id"].as_str().unwrap()).is_ok());
    assert_eq!(c["workspace_id"], json!(seed::WORKSPACE_1));
    assert!(
        is_js_iso(c["created_at"].as_str().unwrap()),
        "{}",
        c["created_at"]
    );
    for t in ["starts_at", "ends_at"] {
        assert!(
            c[t].is_null() || c[t].as_str().is_some_and(is_js_iso),
            "{t}: {}",
            c[t]
        );
    }
    assert_eq!(c["is_managed"], json!(true));
    assert_eq!(c["is_one_time_use"], json!(false));
    assert_eq!(c["is_offline_access_code"], json!(false));
    assert_eq!(c["is_backup"], json!(false));
    assert_eq!(c["pulled_backup_access_code_id"], Value::Null);
    assert_eq!(c["pending_mutations"], json!([]));
    assert!(c["errors"].is_array() && c["warnings"].is_array());
    for b in [
        "is_backup_access_code_available",
        "is_external_modification_allowed",
        "is_scheduled_on_device",
        "is_waiting_for_code_assignment",
    ] {
        assert!(c[b].is_boolean(), "{b}: {}", c[b]);
    }
}

#[tokio::test]
async fn every_code_has_every_field_and_js_timestamps() {
    let app = TestApp::spawn().await;
    let locks = [
        dev("august_device_1"),
        dev("ttlock_device_1"),
        dev("salto_device_1"),
    ];
    let res = app
        .create_multiple(json!({
            "device_ids": locks,
            "behavior_when_code_cannot_be_shared": "create_random_code",
        }))
        .await;
    for c in codes(&res) {
        assert_code_shape(&c);
        assert_eq!(c["type"], json!("ongoing"));
        assert_eq!(
            (c["starts_at"].clone(), c["ends_at"].clone()),
            (Value::Null, Value::Null)
        );
        assert_eq!(c["name"], Value::Null);
    }

    let now = app.now().await;
    let starts = wire_time(now + Duration::hours(1));
    let ends = wire_time(now + Duration::hours(5));
    let res = app
        .create_multiple(json!({
            "device_ids": [locks[0]],
            "name": "Guest stay",
            "starts_at": starts,
            "ends_at": ends,
        }))
        .await;
    let c = &codes(&res)[0];
    assert_code_shape(c);
    assert_eq!(c["type"], json!("time_bound"));
    assert_eq!(c["starts_at"], json!(starts));
    assert_eq!(c["ends_at"], json!(ends));
    assert_eq!(c["name"], json!("Guest stay"));
    assert_eq!(c["status"], json!("unset"));

    // A timestamp with an offset comes back in UTC with milliseconds.
    let res = app
        .create_multiple(json!({
            "device_ids": [locks[0]],
            "starts_at": (now + Duration::hours(1)).with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap()).to_rfc3339(),
            "ends_at": wire_time(now + Duration::hours(2)),
        }))
        .await;
    let c = &codes(&res)[0];
    assert!(
        is_js_iso(c["starts_at"].as_str().unwrap()),
        "{}",
        c["starts_at"]
    );
}

#[tokio::test]
async fn name_and_external_modification_are_kept() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    let c = app
        .create_ok(json!({ "device_ids": [a1], "name": "  Cleaner — weekly " }))
        .await;
    assert_eq!(c[0]["name"], json!("  Cleaner — weekly "));
    assert_eq!(c[0]["is_external_modification_allowed"], json!(false));
    for flag in [
        "allow_external_modification",
        "is_external_modification_allowed",
    ] {
        let c = app
            .create_ok(json!({ "device_ids": [a1], flag: true }))
            .await;
        assert_eq!(
            c[0]["is_external_modification_allowed"],
            json!(true),
            "{flag}"
        );
    }
    // The backup pool is fine with a window.
    let now = app.now().await;
    let c = app
        .create_ok(json!({
            "device_ids": [a1],
            "use_backup_access_code_pool": true,
            "starts_at": wire_time(now + Duration::hours(1)),
            "ends_at": wire_time(now + Duration::hours(3)),
        }))
        .await;
    assert_eq!(c[0]["type"], json!("time_bound"));
    // Accepted and harmless.
    app.create_ok(json!({
        "device_ids": [a1],
        "attempt_for_offline_device": false,
        "prefer_native_scheduling": true,
        "some_future_field": {"x": 1},
    }))
    .await;
}

#[tokio::test]
async fn a_custom_code_goes_on_every_lock_without_a_key() {
    let app = TestApp::spawn().await;
    let locks = [
        dev("august_device_1"),
        dev("ttlock_device_1"),
        dev("kwikset_device_1"),
    ];
    for (verb, code) in VERBS.into_iter().zip(["4613", "561342"]) {
        // `preferred_code_length` only matters when no code is given.
        let res = create(
            &app,
            verb.clone(),
            &json!({ "device_ids": locks, "code": code, "preferred_code_length": 8 }),
        )
        .await;
        let c = codes(&res);
        assert_eq!(c.len(), 3);
        for x in &c {
            assert_eq!(x["code"], json!(code), "{verb}");
            assert_eq!(x["common_code_key"], Value::Null, "{verb}");
        }
    }
}

#[tokio::test]
async fn a_custom_code_already_on_a_lock_cannot_be_shared_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let (a1, a2, ig) = (
        dev("august_device_1"),
        dev("august_device_2"),
        dev("igloohome_device_1"),
    );
    app.unmanaged(&a2, "482913").await;
    let locks = [a1.as_str(), a2.as_str(), ig.as_str()];
    let before = app.snapshot(&locks).await;
    for verb in VERBS {
        let res = create(
            &app,
            verb.clone(),
            &json!({ "device_ids": locks, "code": "482913" }),
        )
        .await;
        let e = res.err(400, "code_cannot_be_shared");
        assert_eq!(e["data"]["device_ids"], json!([a2]), "{verb}");
        assert_eq!(app.snapshot(&locks).await, before, "{verb}");
    }

    // A managed code clashes the same way.
    let first = app
        .create_ok(json!({ "device_ids": [ig], "code": "735146" }))
        .await;
    assert_eq!(first[0]["code"], json!("735146"));
    let before = app.snapshot(&locks).await;
    let res = app
        .create_multiple(json!({ "device_ids": locks, "code": "735146" }))
        .await;
    assert_eq!(
        res.err(400, "code_cannot_be_shared")["data"]["device_ids"],
        json!([ig])
    );
    assert_eq!(app.snapshot(&locks).await, before);

    // Under create_random_code, the lock that has it gets another PIN.
    let c = app
        .create_ok(json!({
            "device_ids": locks,
            "code": "482913",
            "behavior_when_code_cannot_be_shared": "create_random_code",
        }))
        .await;
    assert_eq!(c[0]["code"], json!("482913"));
    assert_eq!(c[2]["code"], json!("482913"));
    assert_ne!(c[1]["code"], json!("482913"));
    assert!(c.iter().all(|x| x["common_code_key"].is_null()));
    assert_eq!(
        app.pins_on(&a2)
            .await
            .iter()
            .filter(|p| *p == "482913")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_custom_code_a_lock_does_not_accept_cannot_be_shared() {
    let app = TestApp::spawn().await;
    let (a1, nuki, schlage) = (
        dev("august_device_1"),
        dev("nuki_device_1"),
        dev("schlage_device_1"),
    );
    let locks = [a1.as_str(), nuki.as_str(), schlage.as_str()];
    let before = app.snapshot(&locks).await;
    let cases = [
        (json!([a1, nuki]), "120456", json!([nuki])),
        (json!([a1, nuki]), "1234", json!([nuki])),
        (json!([a1, schlage]), "13579", json!([schlage])),
        (json!([a1, schlage]), "1123", json!([schlage])),
    ];
    for (device_ids, code, failing) in cases {
        let res = app
            .create_multiple(json!({ "device_ids": device_ids, "code": code }))
            .await;
        let e = res.err(400, "code_cannot_be_shared");
        assert_eq!(e["data"]["device_ids"], failing, "{code}");
    }
    assert_eq!(app.snapshot(&locks).await, before);
}

/// An unmanaged code like `template`, with another id and PIN.
fn unmanaged_like(template: &Value, pin: &str) -> Value {
    let mut u = template.clone();
    u["access_code_id"] = json!(uuid::Uuid::new_v4());
    u["code"] = json!(pin);
    u
}

#[tokio::test]
async fn generated_pins_never_take_a_pin_already_on_a_lock() {
    let app = TestApp::spawn_with(&["--max-body-bytes", "16000000"]).await;
    let lock = app
        .fake_lock(json!({ "supported_code_lengths": [4, 5], "code_constraints": [] }))
        .await;
    let a1 = dev("august_device_1");
    // Leave ten 4-digit PINs free on the lock; every other one is set at its keypad.
    let free: BTreeSet<String> = [
        "0417", "1358", "2090", "3141", "4826", "5555", "6020", "7391", "8642", "9703",
    ]
    .map(String::from)
    .into();
    let template = app.unmanaged(&lock, "0000").await;
    let mut db = app.database().await;
    let list = db["unmanaged_access_codes"].as_array_mut().unwrap();
    for n in 1..10_000u32 {
        let p = format!("{n:04}");
        if !free.contains(&p) {
            list.push(unmanaged_like(&template, &p));
        }
    }
    app.put_database(&db).await.ok();
    assert_eq!(app.unmanaged_on(&lock).await.len(), 10_000 - free.len());

    // Each call takes one of the free 4-digit PINs, shared with the August...
    let mut taken = BTreeSet::new();
    for i in 0..free.len() {
        let c = codes(
            &create(
                &app,
                VERBS[i % 2].clone(),
                &json!({ "device_ids": [lock, a1] }),
            )
            .await,
        );
        let p = pin(&c[0]);
        assert_eq!(pin(&c[1]), p);
        assert!(free.contains(&p), "{p} is already on the lock");
        assert!(taken.insert(p));
    }
    assert_eq!(taken, free);
    // ... and when none is left, the next common length.
    let c = app.create_ok(json!({ "device_ids": [lock, a1] })).await;
    assert_eq!(pin(&c[0]).len(), 5);
    assert_eq!(pin(&c[0]), pin(&c[1]));
    assert_generated_key(&c[0]["common_code_key"]);
    let pins = app.pins_on(&lock).await;
    assert_eq!(
        pins.len(),
        pins.iter().collect::<BTreeSet<_>>().len(),
        "a PIN is on the lock twice"
    );
}

#[tokio::test]
async fn generated_pins_avoid_pins_already_on_a_constrained_lock() {
    let app = TestApp::spawn().await;
    // Digits 1-6 only: 1296 four-digit PINs, all but five set at the keypad.
    let lock = app
        .fake_lock(json!({
            "supported_code_lengths": [4, 5],
            "code_constraints": [{ "constraint_type": "cannot_contain_0789" }],
        }))
        .await;
    let lock_d = device(&app, &lock).await;
    let mut space = Vec::new();
    for n in 0..1296u32 {
        let digits: String = [n / 216, n / 36 % 6, n / 6 % 6, n % 6]
            .iter()
            .map(|d| char::from(b'1' + *d as u8))
            .collect();
        space.push(digits);
    }
    let free: BTreeSet<String> = ["1111", "2345", "3616", "5152", "6666"]
        .map(String::from)
        .into();
    let template = app.unmanaged(&lock, "4444").await;
    let mut db = app.database().await;
    let list = db["unmanaged_access_codes"].as_array_mut().unwrap();
    for p in space.iter().filter(|p| !free.contains(*p) && *p != "4444") {
        list.push(unmanaged_like(&template, p));
    }
    app.put_database(&db).await.ok();

    let mut taken = BTreeSet::new();
    for _ in 0..free.len() {
        let c = app.create_ok(json!({ "device_ids": [lock] })).await;
        let p = pin(&c[0]);
        assert!(free.contains(&p), "{p} was not free");
        assert!(taken.insert(p));
    }
    let c = app.create_ok(json!({ "device_ids": [lock] })).await;
    let p = pin(&c[0]);
    assert_eq!(p.len(), 5);
    assert_pin_fits(&p, &lock_d);
}

#[tokio::test]
async fn schlage_and_nuki_cannot_share() {
    let app = TestApp::spawn().await;
    let (schlage, nuki) = (dev("schlage_device_1"), dev("nuki_device_1"));
    let locks = [schlage.as_str(), nuki.as_str()];
    let before = app.snapshot(&locks).await;
    for verb in VERBS {
        for body in [
            json!({ "device_ids": locks }),
            json!({ "device_ids": locks, "behavior_when_code_cannot_be_shared": "throw" }),
        ] {
            let res = create(&app, verb.clone(), &body).await;
            let e = res.err(400, "code_cannot_be_shared");
            let failed: BTreeSet<&str> = e["data"]["device_ids"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(failed, BTreeSet::from(locks), "{verb}");
            assert_eq!(app.snapshot(&locks).await, before, "{verb}");
        }
    }

    let (schlage_d, nuki_d) = (device(&app, &schlage).await, device(&app, &nuki).await);
    for verb in VERBS {
        let res = create(
            &app,
            verb.clone(),
            &json!({ "device_ids": locks, "behavior_when_code_cannot_be_shared": "create_random_code" }),
        )
        .await;
        let c = codes(&res);
        assert_eq!(ids(&c, "device_id"), locks.map(String::from).to_vec());
        let (p4, p6) = (pin(&c[0]), pin(&c[1]));
        assert_eq!((p4.len(), p6.len()), (4, 6), "{verb}");
        assert_ne!(p4, p6);
        assert_pin_fits(&p4, &schlage_d);
        assert_pin_fits(&p6, &nuki_d);
        assert!(c.iter().all(|x| x["common_code_key"].is_null()), "{verb}");
    }
}

#[tokio::test]
async fn the_largest_group_keeps_the_pin_and_key_and_the_outlier_gets_its_own() {
    let app = TestApp::spawn().await;
    let (s1, s2, nuki) = (
        dev("schlage_device_1"),
        dev("schlage_device_2"),
        dev("nuki_device_1"),
    );
    let locks = [s1.as_str(), nuki.as_str(), s2.as_str()];
    let before = app.snapshot(&locks).await;
    let res = app.create_multiple(json!({ "device_ids": locks })).await;
    assert_eq!(
        res.err(400, "code_cannot_be_shared")["data"]["device_ids"],
        json!([nuki])
    );
    assert_eq!(app.snapshot(&locks).await, before);

    let nuki_d = device(&app, &nuki).await;
    let schlage_d = device(&app, &s1).await;
    for verb in VERBS {
        let res = create(
            &app,
            verb.clone(),
            &json!({ "device_ids": locks, "behavior_when_code_cannot_be_shared": "create_random_code" }),
        )
        .await;
        let c = codes(&res);
        assert_eq!(ids(&c, "device_id"), locks.map(String::from).to_vec());
        assert_eq!(pin(&c[0]), pin(&c[2]), "{verb}");
        assert_pin_fits(&pin(&c[0]), &schlage_d);
        assert_generated_key(&c[0]["common_code_key"]);
        assert_eq!(c[0]["common_code_key"], c[2]["common_code_key"]);
        assert_eq!(c[1]["common_code_key"], Value::Null, "{verb}");
        assert_pin_fits(&pin(&c[1]), &nuki_d);
    }

    // Two Augusts and a provider-assigned Salto: the Augusts share, the Salto waits.
    let (a1, a2, salto) = (
        dev("august_device_1"),
        dev("august_device_2"),
        dev("salto_device_1"),
    );
    let c = app
        .create_ok(json!({
            "device_ids": [a1, salto, a2],
            "behavior_when_code_cannot_be_shared": "create_random_code",
        }))
        .await;
    assert_eq!(pin(&c[0]), pin(&c[2]));
    assert_generated_key(&c[0]["common_code_key"]);
    assert_eq!(c[0]["common_code_key"], c[2]["common_code_key"]);
    assert_eq!(c[1]["code"], Value::Null);
    assert_eq!(c[1]["common_code_key"], Value::Null);
    assert_eq!(c[1]["is_waiting_for_code_assignment"], json!(true));
}

#[tokio::test]
async fn a_provider_assigned_lock_never_shares() {
    let app = TestApp::spawn().await;
    let (salto, a1) = (dev("salto_device_1"), dev("august_device_1"));
    let locks = [salto.as_str(), a1.as_str()];
    let before = app.snapshot(&locks).await;
    for body in [
        json!({ "device_ids": [salto] }),
        json!({ "device_ids": [a1, salto] }),
        json!({ "device_ids": [salto], "code": "135246" }),
        json!({ "device_ids": [a1, salto], "code": "135246" }),
    ] {
        let res = app.create_multiple(body.clone()).await;
        let e = res.err(400, "code_cannot_be_shared");
        assert!(
            e["data"]["device_ids"]
                .as_array()
                .unwrap()
                .contains(&json!(salto)),
            "{body}: {e}"
        );
        assert_eq!(app.snapshot(&locks).await, before, "{body}");
    }

    for verb in VERBS {
        let res = create(
            &app,
            verb.clone(),
            &json!({ "device_ids": [salto], "behavior_when_code_cannot_be_shared": "create_random_code" }),
        )
        .await;
        let c = &codes(&res)[0];
        assert_eq!(c["code"], Value::Null, "{verb}");
        assert_eq!(c["is_waiting_for_code_assignment"], json!(true), "{verb}");
        assert_eq!(c["common_code_key"], Value::Null, "{verb}");
    }
    let c = app
        .create_ok(json!({
            "device_ids": [a1, salto],
            "behavior_when_code_cannot_be_shared": "create_random_code",
        }))
        .await;
    assert!(c[0]["code"].is_string());
    assert_eq!(c[0]["is_waiting_for_code_assignment"], json!(false));
    assert_eq!(c[1]["code"], Value::Null);
    assert_eq!(c[1]["is_waiting_for_code_assignment"], json!(true));
}

#[tokio::test]
async fn a_device_without_access_codes_is_refused_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let (a1, ecobee) = (dev("august_device_1"), dev("ecobee_device_1"));
    let locks = [a1.as_str(), ecobee.as_str()];
    let before = app.snapshot(&locks).await;
    for verb in VERBS {
        for behavior in ["throw", "create_random_code"] {
            let res = create(
                &app,
                verb.clone(),
                &json!({ "device_ids": [a1, ecobee], "behavior_when_code_cannot_be_shared": behavior }),
            )
            .await;
            let e = res.err(400, "device_does_not_support_access_codes");
            assert_eq!(e["data"]["device_id"], json!(ecobee), "{verb} {behavior}");
            assert_eq!(app.snapshot(&locks).await, before);
        }
    }
}

#[tokio::test]
async fn an_unknown_device_is_404_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    // The lock already holds PINs, managed and unmanaged, so "none added, none twice" below
    // compares against something.
    app.create_ok(json!({ "device_ids": [a1], "code": "4321" }))
        .await;
    app.unmanaged(&a1, "9876").await;
    let held = app.pins_on(&a1).await;
    assert_eq!(held, ["4321", "9876"]);
    let before = app.snapshot(&[&a1]).await;
    for verb in VERBS {
        let unknown = "5ea10003-0000-4000-8000-0000000000ee";
        let res = create(&app, verb.clone(), &json!({ "device_ids": [a1, unknown] })).await;
        let e = res.err(404, "device_not_found");
        assert_eq!(e["data"]["device_id"], json!(unknown), "{verb}");
        assert_eq!(app.snapshot(&[&a1]).await, before, "{verb} {unknown}");
        // Contract §10: a write's device_ids are UUIDs; a malformed one is a 400 naming it.
        let res = create(
            &app,
            verb.clone(),
            &json!({ "device_ids": [a1, "unknown-device"] }),
        )
        .await;
        let e = res.err(400, "invalid_input");
        assert_eq!(
            e["validation_errors"]["device_ids"]["1"]["_errors"],
            json!(["Invalid uuid"]),
            "{verb}"
        );
        assert_eq!(app.snapshot(&[&a1]).await, before, "{verb} unknown-device");
    }
}

#[tokio::test]
async fn invalid_input_is_400_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let now = app.now().await;
    let at = |h: i64| wire_time(now + Duration::hours(h));
    let cases = [
        (
            "missing device_ids",
            json!({ "name": "x" }),
            Some("device_ids"),
        ),
        (
            "empty device_ids",
            json!({ "device_ids": [] }),
            Some("device_ids"),
        ),
        (
            "null device_ids",
            json!({ "device_ids": null }),
            Some("device_ids"),
        ),
        (
            "duplicates",
            json!({ "device_ids": [a1, a2, a1] }),
            Some("device_ids"),
        ),
        (
            "non-digit code",
            json!({ "device_ids": [a1], "code": "12a4" }),
            Some("code"),
        ),
        (
            "3-digit code",
            json!({ "device_ids": [a1], "code": "123" }),
            Some("code"),
        ),
        (
            "10-digit code",
            json!({ "device_ids": [a1], "code": "1234567890" }),
            Some("code"),
        ),
        (
            "numeric code",
            json!({ "device_ids": [a1], "code": 1234 }),
            Some("code"),
        ),
        (
            "bad behavior",
            json!({ "device_ids": [a1], "behavior_when_code_cannot_be_shared": "sometimes" }),
            Some("behavior_when_code_cannot_be_shared"),
        ),
        (
            "preferred length as text",
            json!({ "device_ids": [a1], "preferred_code_length": "six" }),
            Some("preferred_code_length"),
        ),
        (
            "bad timestamp",
            json!({ "device_ids": [a1], "starts_at": "tomorrow", "ends_at": at(2) }),
            Some("starts_at"),
        ),
        (
            "starts_at alone",
            json!({ "device_ids": [a1], "starts_at": at(1) }),
            None,
        ),
        (
            "ends_at alone",
            json!({ "device_ids": [a1], "ends_at": at(1) }),
            None,
        ),
        (
            "ends before it starts",
            json!({ "device_ids": [a1], "starts_at": at(3), "ends_at": at(2) }),
            None,
        ),
        (
            "ends in the past",
            json!({ "device_ids": [a1], "starts_at": at(-3), "ends_at": at(-1) }),
            None,
        ),
        (
            "backup pool without a window",
            json!({ "device_ids": [a1, a2], "use_backup_access_code_pool": true }),
            None,
        ),
    ];
    let before = app.snapshot(&[&a1, &a2]).await;
    for verb in VERBS {
        for (what, body, field) in &cases {
            let res = create(&app, verb.clone(), body).await;
            let e = res.err(400, "invalid_input");
            if let Some(f) = field {
                let errs = &e["validation_errors"][f]["_errors"];
                assert!(
                    errs.as_array().is_some_and(|a| !a.is_empty()),
                    "{verb} {what}: no validation error under {f}: {e}"
                );
            }
            assert_eq!(app.snapshot(&[&a1, &a2]).await, before, "{verb} {what}");
        }
    }
}

#[tokio::test]
async fn constrained_locks_always_get_pins_that_satisfy_them() {
    let app = TestApp::spawn().await;
    let tight = app
        .fake_lock(json!({
            "supported_code_lengths": [5],
            "code_constraints": [
                { "constraint_type": "no_triple_consecutive_ints" },
                { "constraint_type": "cannot_contain_0789" },
            ],
        }))
        .await;
    let picky = app
        .fake_lock(json!({
            "supported_code_lengths": [5, 6],
            "code_constraints": [
                { "constraint_type": "no_all_same_digits" },
                { "constraint_type": "at_least_three_unique_digits" },
                { "constraint_type": "no_ascending_or_descending_sequence" },
                { "constraint_type": "cannot_start_with_12" },
                { "constraint_type": "unique_first_four_digits" },
            ],
        }))
        .await;
    let (tight_d, picky_d) = (device(&app, &tight).await, device(&app, &picky).await);
    let a1 = dev("august_device_1");
    let a1_d = device(&app, &a1).await;
    for i in 0..30 {
        let c = codes(
            &create(
                &app,
                VERBS[i % 2].clone(),
                &json!({ "device_ids": [tight] }),
            )
            .await,
        );
        assert_pin_fits(&pin(&c[0]), &tight_d);

        // Shared: the PIN satisfies the union of both locks' constraints.
        let c = codes(
            &create(
                &app,
                VERBS[i % 2].clone(),
                &json!({ "device_ids": [tight, picky, a1] }),
            )
            .await,
        );
        let p = pin(&c[0]);
        assert!(c.iter().all(|x| x["code"] == json!(p)));
        assert_pin_fits(&p, &tight_d);
        assert_pin_fits(&p, &picky_d);
        assert_pin_fits(&p, &a1_d);
    }
    for lock in [&tight, &picky] {
        let pins = app.pins_on(lock).await;
        assert_eq!(pins.len(), pins.iter().collect::<BTreeSet<_>>().len());
    }
}

#[tokio::test]
async fn every_seed_lock_gets_pins_it_accepts() {
    let app = TestApp::spawn().await;
    let names = [
        "august_device_1",
        "schlage_device_1",
        "nuki_device_1",
        "tedee_device_1",
        "ttlock_device_1",
        "igloohome_device_1",
        "kwikset_device_1",
    ];
    let mut devices = BTreeMap::new();
    for n in names {
        devices.insert(dev(n), device(&app, &dev(n)).await);
    }
    for _ in 0..8 {
        for n in names {
            let c = app.create_ok(json!({ "device_ids": [dev(n)] })).await;
            assert_pin_fits(&pin(&c[0]), &devices[&dev(n)]);
        }
        // Tedee (5-8) and TTLock (4-9): five digits, both constraint sets.
        let pair = [dev("tedee_device_1"), dev("ttlock_device_1")];
        let c = app.create_ok(json!({ "device_ids": pair })).await;
        let p = pin(&c[0]);
        assert_eq!(p.len(), 5);
        assert_eq!(pin(&c[1]), p);
        for d in &pair {
            assert_pin_fits(&p, &devices[d]);
        }
    }
    // Schlage: no two codes start with the same four digits.
    let firsts: Vec<String> = app
        .pins_on(&dev("schlage_device_1"))
        .await
        .iter()
        .map(|p| p[..4].to_string())
        .collect();
    assert_eq!(firsts.len(), firsts.iter().collect::<BTreeSet<_>>().len());
}

#[tokio::test]
async fn each_created_code_records_one_access_code_created_event() {
    let app = TestApp::spawn().await;
    let locks = [
        dev("august_device_1"),
        dev("nuki_device_1"),
        dev("salto_device_1"),
    ];
    let c = app
        .create_ok(json!({
            "device_ids": locks,
            "behavior_when_code_cannot_be_shared": "create_random_code",
        }))
        .await;
    let db = app.database().await;
    let created: Vec<&Value> = db["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == json!("access_code.created"))
        .collect();
    assert_eq!(created.len(), c.len());
    for code in &c {
        let mine: Vec<&&Value> = created
            .iter()
            .filter(|e| e["access_code_id"] == code["access_code_id"])
            .collect();
        assert_eq!(mine.len(), 1, "{code}");
        assert_eq!(mine[0]["device_id"], code["device_id"]);
        assert_eq!(mine[0]["workspace_id"], json!(seed::WORKSPACE_1));
        assert!(is_js_iso(mine[0]["created_at"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn one_lock_named_twice_in_any_spelling_is_a_duplicate() {
    let app = TestApp::spawn().await;
    let a1 = dev("august_device_1");
    // The lock already holds PINs, managed and unmanaged, so "none added, none twice" below
    // compares against something.
    app.create_ok(json!({ "device_ids": [a1], "code": "4321" }))
        .await;
    app.unmanaged(&a1, "9876").await;
    let held = app.pins_on(&a1).await;
    assert_eq!(held, ["4321", "9876"]);
    let before = app.snapshot(&[&a1]).await;
    for verb in VERBS {
        for code in [None, Some("5555")] {
            let mut body = json!({ "device_ids": [a1, a1.to_uppercase()] });
            if let Some(code) = code {
                body["code"] = json!(code);
            }
            let res = create(&app, verb.clone(), &body).await;
            res.err(400, "invalid_input");
            assert_eq!(app.snapshot(&[&a1]).await, before, "{verb} {code:?}");
        }
    }
    // The lock holds exactly the PINs it held: none added, none twice.
    assert_eq!(app.pins_on(&a1).await, held);
}
