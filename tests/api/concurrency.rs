//! Atomicity under concurrency (contract §4.5): many create_multiple calls at once on the same
//! locks never put a PIN twice on a lock (nor, on a Schlage, the same first four digits),
//! never leave a partial `common_code_key` group, and calls that must fail leave nothing.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Res, TestApp, assert_generated_key, dev};

async fn create_via(app: &TestApp, i: usize, body: Value) -> Res {
    let method = if i.is_multiple_of(2) {
        Method::PUT
    } else {
        Method::POST
    };
    app.send(
        app.authed(method, "/access_codes/create_multiple")
            .json(&body),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_parallel_creates_never_collide() {
    let app = TestApp::spawn().await;
    let locks = [
        dev("schlage_device_1"),
        dev("august_device_1"),
        dev("august_device_2"),
    ];
    // PINs already at the keypads.
    app.unmanaged(&locks[0], "1357").await;
    app.unmanaged(&locks[1], "2468").await;

    let calls = (0..50).map(|i| create_via(&app, i, json!({ "device_ids": locks })));
    let results = join_all(calls).await;
    let mut keys = BTreeSet::new();
    for res in &results {
        let c = res.ok()["access_codes"].as_array().unwrap();
        assert_eq!(c.len(), 3);
        assert_generated_key(&c[0]["common_code_key"]);
        assert!(keys.insert(c[0]["common_code_key"].as_str().unwrap().to_string()));
    }

    for (lock, unmanaged) in locks.iter().zip([1, 1, 0]) {
        let pins = app.pins_on(lock).await;
        let unique: BTreeSet<&String> = pins.iter().collect();
        assert_eq!(unique.len(), pins.len(), "a PIN twice on {lock}: {pins:?}");
        assert_eq!(pins.len(), 50 + unmanaged, "{lock}");
    }
    let firsts: Vec<String> = app
        .pins_on(&locks[0])
        .await
        .iter()
        .map(|p| p[..4].to_string())
        .collect();
    assert_eq!(
        firsts.iter().collect::<BTreeSet<_>>().len(),
        firsts.len(),
        "two Schlage codes start alike"
    );

    // Every group is whole: one code per lock, one PIN.
    let db = app.database().await;
    let mut groups: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for c in db["access_codes"].as_array().unwrap() {
        let key = c["common_code_key"]
            .as_str()
            .expect("every code here is keyed");
        groups.entry(key.to_string()).or_default().push(c);
    }
    assert_eq!(groups.len(), 50);
    for (key, codes) in groups {
        let devices: BTreeSet<&str> = codes
            .iter()
            .map(|c| c["device_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            devices,
            locks.iter().map(String::as_str).collect::<BTreeSet<_>>(),
            "{key}"
        );
        assert_eq!(codes.len(), 3, "{key}");
        assert!(codes.iter().all(|c| c["code"] == codes[0]["code"]), "{key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_calls_that_must_fail_leave_nothing_behind() {
    let app = TestApp::spawn().await;
    let (schlage, nuki) = (dev("schlage_device_1"), dev("nuki_device_1"));
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let ecobee = dev("ecobee_device_1");

    let calls = (0..60).map(|i| {
        let body = match i % 4 {
            0 => json!({ "device_ids": [schlage, nuki] }),
            1 => json!({ "device_ids": [a1, a2] }),
            2 => json!({ "device_ids": [a1, nuki, ecobee] }),
            _ => json!({ "device_ids": [nuki, a2, "5ea10003-0000-4000-8000-0000000000ee"] }),
        };
        create_via(&app, i, body)
    });
    let results = join_all(calls).await;
    for (i, res) in results.iter().enumerate() {
        match i % 4 {
            0 => {
                res.err(400, "code_cannot_be_shared");
            }
            1 => {
                res.ok();
            }
            2 => {
                res.err(400, "device_does_not_support_access_codes");
            }
            _ => {
                res.err(404, "device_not_found");
            }
        }
    }
    assert_eq!(app.codes_on(&schlage).await, Vec::<Value>::new());
    assert_eq!(app.codes_on(&nuki).await, Vec::<Value>::new());
    assert_eq!(app.codes_on(&a1).await.len(), 15);
    assert_eq!(app.codes_on(&a2).await.len(), 15);
    let db = app.database().await;
    let created = db["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == json!("access_code.created"))
        .count();
    assert_eq!(created, 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_custom_pin_raced_onto_the_same_locks_lands_once() {
    let app = TestApp::spawn().await;
    let locks = [dev("august_device_1"), dev("igloohome_device_1")];
    let calls =
        (0..24).map(|i| create_via(&app, i, json!({ "device_ids": locks, "code": "461372" })));
    let results = join_all(calls).await;
    let won = results.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 1, "exactly one call can put 461372 on both locks");
    for res in results.iter().filter(|r| r.status != 200) {
        res.err(400, "code_cannot_be_shared");
    }
    for lock in &locks {
        let pins = app.pins_on(lock).await;
        assert_eq!(pins, vec!["461372".to_string()], "{lock}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_random_fallbacks_keep_every_lock_unique() {
    let app = TestApp::spawn().await;
    // A four-digit lock with digits 1-6 only, a Schlage, and a Nuki that shares with neither.
    let small = app
        .fake_lock(json!({
            "supported_code_lengths": [4],
            "code_constraints": [{ "constraint_type": "cannot_contain_0789" }, { "constraint_type": "no_all_same_digits" }],
        }))
        .await;
    let (schlage, nuki) = (dev("schlage_device_1"), dev("nuki_device_1"));
    let calls = (0..40).map(|i| {
        create_via(
            &app,
            i,
            json!({
                "device_ids": [small, schlage, nuki],
                "behavior_when_code_cannot_be_shared": "create_random_code",
            }),
        )
    });
    for res in join_all(calls).await {
        let c = res.ok()["access_codes"].as_array().unwrap().clone();
        // The two 4-digit locks share; the Nuki is on its own.
        assert_eq!(c[0]["code"], c[1]["code"]);
        assert_eq!(c[0]["common_code_key"], c[1]["common_code_key"]);
        assert_eq!(c[2]["common_code_key"], Value::Null);
    }
    for lock in [&small, &schlage, &nuki] {
        let pins = app.pins_on(lock).await;
        assert_eq!(pins.len(), 40);
        assert_eq!(pins.iter().collect::<BTreeSet<_>>().len(), 40, "{lock}");
    }
}
