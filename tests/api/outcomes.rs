//! Device outcomes on demand (issue 21, contract §14): fault rules that change what a lock does
//! rather than the HTTP answer — a code the lock will not set (`failed_to_set_on_device`,
//! `duplicate_code_on_device`, `no_space_for_access_code_on_device`), one it is slow to set
//! (`delay_in_setting_on_device`), one it will not remove (`failed_to_remove_from_device`),
//! an action attempt that ends in error — each shown as Seam shows it and cleared the way the
//! model of why a code is not on its lock clears; and `max_active_codes_supported` enforced.

use serde_json::{Value, json};

use crate::helpers::{TestApp, dev};

/// Makes a rule that must be accepted; returns it.
async fn fault(app: &TestApp, rule: Value) -> Value {
    app.post_open("/_fake/faults/create", rule).await.ok()["fault"].clone()
}

/// A rule's `hits`, as listed.
async fn hits(app: &TestApp, fault_id: &Value) -> u64 {
    let list = app.post_open("/_fake/faults/list", json!({})).await;
    let all = list.ok()["faults"].as_array().unwrap().clone();
    let f = all.iter().find(|f| &f["fault_id"] == fault_id).unwrap();
    f["hits"].as_u64().unwrap()
}

/// A device as `/devices/get` reads it.
async fn device(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/devices/get?device_id={id}")).await.ok()["device"].clone()
}

/// One new ongoing code on `device`; its id.
async fn code_on(app: &TestApp, device: &str) -> String {
    let codes = app.create_ok(json!({ "device_ids": [device] })).await;
    assert_eq!(codes[0]["status"], "setting");
    codes[0]["access_code_id"].as_str().unwrap().to_string()
}

/// The code as `/access_codes/get` reads it (each read is a tick of the lifecycle).
async fn code(app: &TestApp, id: &str) -> Value {
    app.post("/access_codes/get", json!({ "access_code_id": id }))
        .await
        .ok()["access_code"]
        .clone()
}

fn codes_of(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.get("error_code")
                .or_else(|| e.get("warning_code"))
                .and_then(Value::as_str)
                .unwrap()
        })
        .collect()
}

/// The events of one type about one code.
async fn events_about(app: &TestApp, event_type: &str, id: &str) -> Vec<Value> {
    let all = app.events_of(event_type).await;
    all.into_iter()
        .filter(|e| e["access_code_id"] == id)
        .collect()
}

#[tokio::test]
async fn failed_to_set_holds_the_code_setting_until_the_rule_retires() {
    let app = TestApp::spawn().await;
    let (lock, other) = (dev("august_device_1"), dev("august_device_2"));
    let rule = fault(
        &app,
        json!({"match": {"device_id": lock},
               "effect": {"access_code_error": "failed_to_set_on_device"}, "times": 3}),
    )
    .await;
    assert_eq!(
        rule["effect"],
        json!({"access_code_error": "failed_to_set_on_device"})
    );
    // Every request ticks the lifecycle: each tick is one programming attempt of the code.
    let id = code_on(&app, &lock).await;
    let c = code(&app, &id).await;
    assert_eq!(c["status"], "setting");
    assert_eq!(codes_of(&c["errors"]), ["failed_to_set_on_device"]);
    let e = &c["errors"][0];
    assert_eq!(e["is_access_code_error"], true);
    assert!(
        e["message"].is_string() && e["created_at"].is_string(),
        "{e}"
    );
    assert_eq!(hits(&app, &rule["fault_id"]).await, 1);
    let failed = events_about(&app, "access_code.failed_to_set_on_device", &id).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["device_id"], json!(lock));
    assert_eq!(
        codes_of(&failed[0]["access_code_errors"]),
        ["failed_to_set_on_device"]
    );
    assert_eq!(failed[0]["device_errors"], json!([]));
    assert_eq!(code(&app, &id).await["status"], "setting");
    assert_eq!(hits(&app, &rule["fault_id"]).await, 3);
    // Retired: the next tick programs the code and clears the error; the event is not repeated.
    let set = code(&app, &id).await;
    assert_eq!(
        (set["status"].as_str(), set["errors"].clone()),
        (Some("set"), json!([]))
    );
    let failed = events_about(&app, "access_code.failed_to_set_on_device", &id).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(
        events_about(&app, "access_code.set_on_device", &id)
            .await
            .len(),
        1
    );
    let untouched = code_on(&app, &other).await;
    assert_eq!(code(&app, &untouched).await["status"], "set");
}

#[tokio::test]
async fn duplicate_and_no_space_show_their_error_and_clear_when_the_rule_goes() {
    let app = TestApp::spawn().await;
    let lock = dev("schlage_device_1");
    for error in [
        "duplicate_code_on_device",
        "no_space_for_access_code_on_device",
    ] {
        let rule = fault(
            &app,
            json!({"match": {"device_id": lock}, "effect": {"access_code_error": error}}),
        )
        .await;
        let id = code_on(&app, &lock).await;
        let c = code(&app, &id).await;
        assert_eq!(
            (c["status"].as_str(), codes_of(&c["errors"])),
            (Some("setting"), vec![error])
        );
        // Seam's spec has no event of their own for these.
        let failed = events_about(&app, "access_code.failed_to_set_on_device", &id).await;
        assert!(failed.is_empty());
        app.post_open(
            "/_fake/faults/delete",
            json!({"fault_id": rule["fault_id"]}),
        )
        .await
        .ok();
        let c = code(&app, &id).await;
        assert_eq!(
            (c["status"].as_str(), c["errors"].clone()),
            (Some("set"), json!([]))
        );
    }
}

#[tokio::test]
async fn a_delay_warns_and_the_code_is_set_that_many_seconds_later() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_1");
    fault(
        &app,
        json!({"match": {"device_id": lock}, "effect": {"access_code_delay_s": 600}}),
    )
    .await;
    let id = code_on(&app, &lock).await;
    let c = code(&app, &id).await;
    assert_eq!(c["status"], "setting");
    assert_eq!(codes_of(&c["warnings"]), ["delay_in_setting_on_device"]);
    assert_eq!(c["errors"], json!([]));
    let delayed = events_about(&app, "access_code.delay_in_setting_on_device", &id).await;
    assert_eq!(delayed.len(), 1);
    assert_eq!(
        codes_of(&delayed[0]["access_code_warnings"]),
        ["delay_in_setting_on_device"]
    );
    let attempted = crate::helpers::parse_time(delayed[0]["occurred_at"].as_str().unwrap());
    app.advance(599).await;
    assert_eq!(code(&app, &id).await["status"], "setting");
    app.advance(1).await;
    let set = code(&app, &id).await;
    assert_eq!(
        (set["status"].as_str(), set["warnings"].clone()),
        (Some("set"), json!([]))
    );
    let on = events_about(&app, "access_code.set_on_device", &id).await;
    let at = crate::helpers::parse_time(on[0]["occurred_at"].as_str().unwrap());
    assert_eq!(at - attempted, chrono::Duration::seconds(600));
}

#[tokio::test]
async fn remove_error_keeps_a_deleted_or_ended_code_removing_until_the_lock_lets_go() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_1");
    let id = code_on(&app, &lock).await;
    let now = app.now().await;
    let ends = crate::helpers::wire_time(now + chrono::Duration::hours(1));
    let starts = crate::helpers::wire_time(now);
    let timed = app
        .create_ok(json!({"device_ids": [lock], "starts_at": starts, "ends_at": ends}))
        .await[0]["access_code_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(code(&app, &id).await["status"], "set");
    assert_eq!(code(&app, &timed).await["status"], "set");
    fault(
        &app,
        json!({"match": {"device_id": lock},
               "effect": {"remove_error": "failed_to_remove_from_device"}}),
    )
    .await;
    app.delete(&format!("/access_codes/delete?access_code_id={id}"))
        .await
        .ok();
    app.advance(7200).await;
    for c in [&id, &timed] {
        let removing = code(&app, c).await;
        assert_eq!(removing["status"], "removing");
        assert_eq!(
            codes_of(&removing["errors"]),
            ["failed_to_remove_from_device"]
        );
        let failed = events_about(&app, "access_code.failed_to_remove_from_device", c).await;
        assert_eq!(failed.len(), 1, "{c}");
        assert!(
            events_about(&app, "access_code.deleted", c)
                .await
                .is_empty()
        );
    }
    app.post_open("/_fake/faults/clear", json!({})).await.ok();
    for c in [&id, &timed] {
        app.post("/access_codes/get", json!({ "access_code_id": c }))
            .await
            .err(404, "access_code_not_found");
        let removed = events_about(&app, "access_code.removed_from_device", c).await;
        assert_eq!(removed.len(), 1);
        assert_eq!(events_about(&app, "access_code.deleted", c).await.len(), 1);
    }
}

#[tokio::test]
async fn action_attempt_error_ends_every_kind_of_attempt_in_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (lock, other) = (dev("august_device_1"), dev("august_device_2"));
    let rule = fault(
        &app,
        json!({"match": {"device_id": lock},
               "effect": {"action_attempt_error": {"type": "lock_jammed", "message": "Jammed"}}}),
    )
    .await;
    let before = app.get(&format!("/locks/get?device_id={lock}")).await.ok()["lock"].clone();
    let calls = [
        (
            "/locks/unlock_door",
            json!({"device_id": lock}),
            "UNLOCK_DOOR",
        ),
        ("/locks/lock_door", json!({"device_id": lock}), "LOCK_DOOR"),
        (
            "/locks/simulate/keypad_code_entry",
            json!({"device_id": lock, "code": "1234"}),
            "SIMULATE_KEYPAD_CODE_ENTRY",
        ),
        (
            "/locks/simulate/manual_lock_via_keypad",
            json!({"device_id": lock}),
            "SIMULATE_MANUAL_LOCK_VIA_KEYPAD",
        ),
        (
            "/locks/configure_auto_lock",
            json!({"device_id": lock, "auto_lock_enabled": false}),
            "CONFIGURE_AUTO_LOCK",
        ),
    ];
    for (path, body, action_type) in calls {
        let a = app.post(path, body).await.ok()["action_attempt"].clone();
        assert_eq!(
            (a["status"].as_str(), a["action_type"].as_str()),
            (Some("pending"), Some(action_type))
        );
        let got = app
            .post(
                "/action_attempts/get",
                json!({"action_attempt_id": a["action_attempt_id"]}),
            )
            .await
            .ok()["action_attempt"]
            .clone();
        assert_eq!(got["status"], "error", "{path}");
        assert_eq!(
            got["error"],
            json!({"type": "lock_jammed", "message": "Jammed"})
        );
        assert_eq!(got["result"], Value::Null);
    }
    assert_eq!(hits(&app, &rule["fault_id"]).await, 5);
    let after = app.get(&format!("/locks/get?device_id={lock}")).await.ok()["lock"].clone();
    assert_eq!(after["properties"], before["properties"]);
    let moved: Vec<Value> = app
        .post("/events/list", json!({"device_id": lock, "event_types": ["lock.locked", "lock.unlocked", "lock.access_denied"]}))
        .await
        .ok()["events"]
        .as_array()
        .unwrap()
        .clone();
    assert!(moved.is_empty(), "{moved:?}");
    let fine = app
        .post("/locks/unlock_door", json!({"device_id": other}))
        .await;
    let id = fine.ok()["action_attempt"]["action_attempt_id"].clone();
    let got = app
        .post("/action_attempts/get", json!({"action_attempt_id": id}))
        .await;
    assert_eq!(got.ok()["action_attempt"]["status"], "success");
}

#[tokio::test]
async fn after_times_and_a_seeded_probability_count_programming_attempts() {
    let app = TestApp::spawn().await;
    let lock = dev("august_device_2");
    fault(
        &app,
        json!({"match": {"workspace_id": seam_mock::store::seed::WORKSPACE_1},
               "effect": {"access_code_error": "failed_to_set_on_device"},
               "after": 1, "times": 1}),
    )
    .await;
    let first = code_on(&app, &lock).await;
    // This request's tick programs the first (under `after`), the next one's fails the second.
    let second = code_on(&app, &lock).await;
    let c = code(&app, &second).await;
    assert_eq!(codes_of(&c["errors"]), ["failed_to_set_on_device"]);
    assert_eq!(code(&app, &first).await["status"], "set");
    assert_eq!(code(&app, &second).await["status"], "set");

    async fn run() -> Vec<bool> {
        let app = TestApp::spawn_with(&["--rng-seed", "7"]).await;
        let lock = dev("august_device_1");
        fault(
            &app,
            json!({"match": {"device_id": lock}, "probability": 0.5,
                   "effect": {"access_code_error": "failed_to_set_on_device"}}),
        )
        .await;
        // Each tick tries every code that is due or was refused: which ones ever fail is the
        // seeded draw's doing.
        let mut ids = Vec::new();
        for _ in 0..12 {
            ids.push(code_on(&app, &lock).await);
        }
        let failed = app.events_of("access_code.failed_to_set_on_device").await;
        ids.iter()
            .map(|id| failed.iter().any(|e| e["access_code_id"] == id.as_str()))
            .collect()
    }
    let a = run().await;
    assert!(a.contains(&true) && a.contains(&false), "{a:?}");
    assert_eq!(a, run().await);
}

#[tokio::test]
async fn a_full_lock_holds_the_next_code_with_no_space_until_a_slot_frees() {
    let app = TestApp::spawn().await;
    let lock = app
        .fake_lock(json!({"max_active_codes_supported": 2}))
        .await;
    let a = code_on(&app, &lock).await;
    let b = code_on(&app, &lock).await;
    let warning = |d: &Value| {
        d["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["warning_code"] == "max_access_codes_reached")
            .cloned()
    };
    assert_eq!(code(&app, &b).await["status"], "set");
    let full = warning(&device(&app, &lock).await).expect("the lock says it is full");
    assert_eq!(
        (
            &full["active_access_code_count"],
            &full["max_active_access_code_count"]
        ),
        (&json!(2), &json!(2))
    );
    // One more: the create answers 200; the lock has no room for it.
    let c = code_on(&app, &lock).await;
    let waiting = code(&app, &c).await;
    assert_eq!(waiting["status"], "setting");
    assert_eq!(
        codes_of(&waiting["errors"]),
        ["no_space_for_access_code_on_device"]
    );
    // Waiting for room, not tried at every tick: still the same error entry.
    assert_eq!(code(&app, &c).await["errors"], waiting["errors"]);
    // An unmanaged code takes a slot too.
    app.unmanaged(&lock, "8642").await;
    let over = warning(&device(&app, &lock).await).unwrap();
    assert_eq!(over["active_access_code_count"], 3);
    app.delete(&format!("/access_codes/delete?access_code_id={a}"))
        .await
        .ok();
    assert_eq!(code(&app, &c).await["status"], "setting");
    let unmanaged = app.unmanaged_on(&lock).await[0]["access_code_id"].clone();
    app.post(
        "/access_codes/unmanaged/delete",
        json!({"access_code_id": unmanaged}),
    )
    .await
    .ok();
    let set = code(&app, &c).await;
    assert_eq!(
        (set["status"].as_str(), set["errors"].clone()),
        (Some("set"), json!([]))
    );
    assert!(warning(&device(&app, &lock).await).is_some());
    app.delete(&format!("/access_codes/delete?access_code_id={b}"))
        .await
        .ok();
    assert!(warning(&device(&app, &lock).await).is_none());
    // More room made on the lock lets a waiting code in at once.
    code_on(&app, &lock).await;
    let d = code_on(&app, &lock).await;
    assert_eq!(code(&app, &d).await["status"], "setting");
    app.update_device(&lock, json!({"max_active_codes_supported": 3}))
        .await;
    assert_eq!(code(&app, &d).await["status"], "set");
}
