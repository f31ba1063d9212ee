//! What a user changes about devices (contract §13): `/devices/update` (nickname, metadata,
//! unmanaging), `/devices/unmanaged/*`, `/devices/delete`, `/devices/report_provider_metadata`
//! and `/devices/list_device_providers` — each change visible to the reads that follow, with
//! the event the spec names for it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, dev, ids};

async fn device(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/devices/get?device_id={id}")).await.ok()["device"].clone()
}

async fn listed(app: &TestApp, path: &str) -> Vec<String> {
    ids(
        app.post(path, json!({ "limit": 1000 })).await.ok()["devices"]
            .as_array()
            .unwrap(),
        "device_id",
    )
}

#[tokio::test]
async fn a_new_name_is_the_nickname_display_name_event_and_dashboard() {
    let app = TestApp::spawn().await;
    let id = dev("august_device_1");
    app.patch(
        "/devices/update",
        json!({ "device_id": id, "name": "Porch Door" }),
    )
    .await
    .ok();
    let d = device(&app, &id).await;
    assert_eq!(
        (&d["display_name"], &d["nickname"]),
        (&json!("Porch Door"), &json!("Porch Door"))
    );
    // The provider's own name is untouched.
    assert_eq!(d["properties"]["name"], "Front Door");
    let events = app.events_of("device.name_changed").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (&events[0]["device_id"], &events[0]["device_name"]),
        (&json!(id), &json!("Porch Door"))
    );
    // The older form, `properties.name`, does the same.
    app.post(
        "/devices/update",
        json!({ "device_id": id, "properties": { "name": "Side Door" } }),
    )
    .await
    .ok();
    assert_eq!(device(&app, &id).await["display_name"], "Side Door");
    let ui = app.raw(Method::GET, "/_fake/ui").send().await.unwrap();
    let html = ui.text().await.unwrap();
    assert!(
        html.contains("Side Door"),
        "the dashboard shows the nickname"
    );
}

#[tokio::test]
async fn custom_metadata_is_merged_and_a_bad_value_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = dev("august_device_2");
    let update = |m: Value| json!({ "device_id": id, "custom_metadata": m });
    app.post(
        "/devices/update",
        update(json!({ "unit": "4B", "vip": true })),
    )
    .await
    .ok();
    app.post(
        "/devices/update",
        update(json!({ "vip": null, "floor": "4" })),
    )
    .await
    .ok();
    assert_eq!(
        device(&app, &id).await["custom_metadata"],
        json!({ "unit": "4B", "floor": "4" })
    );
    let e = app
        .post("/devices/update", update(json!({ "unit": 5, "name": "x" })))
        .await;
    let err = e.err(400, "invalid_input");
    assert_eq!(
        err["validation_errors"]["custom_metadata"]["unit"]["_errors"],
        json!(["Expected string | boolean, received number"])
    );
    let long = "x".repeat(501);
    app.post("/devices/update", update(json!({ "unit": long })))
        .await
        .err(400, "invalid_input");
    app.post(
        "/devices/update",
        json!({ "device_id": id, "name": "Kept", "properties": { "name": 4 } }),
    )
    .await
    .err(400, "invalid_input");
    let d = device(&app, &id).await;
    assert_eq!(d["custom_metadata"]["unit"], "4B");
    assert_eq!(d["display_name"], "Back Door");
    app.post(
        "/devices/update",
        json!({ "device_id": "5ea10003-0000-4000-8000-0000000000ff", "name": "x" }),
    )
    .await
    .err(404, "device_not_found");
}

#[tokio::test]
async fn an_unmanaged_device_moves_lists_keeps_its_pins_and_converts_back() {
    let app = TestApp::spawn().await;
    let id = dev("august_device_1");
    let set = app
        .post(
            "/access_codes/create",
            json!({ "device_id": id, "code": "4821" }),
        )
        .await
        .ok()["access_code"]
        .clone();
    app.advance(1).await;
    let code_id = set["access_code_id"].as_str().unwrap().to_string();

    app.patch(
        "/devices/update",
        json!({ "device_id": id, "is_managed": false }),
    )
    .await
    .ok();
    assert!(!listed(&app, "/devices/list").await.contains(&id));
    assert_eq!(
        listed(&app, "/devices/unmanaged/list").await,
        vec![id.clone()]
    );
    app.get(&format!("/devices/get?device_id={id}"))
        .await
        .err(404, "device_not_found");
    let u = app
        .get(&format!("/devices/unmanaged/get?device_id={id}"))
        .await;
    let u = &u.ok()["device"];
    assert_eq!(
        (&u["is_managed"], &u["display_name"]),
        (&json!(false), &json!("Front Door"))
    );
    // The PIN on the lock is now an unmanaged code, same id.
    app.get(&format!("/access_codes/get?access_code_id={code_id}"))
        .await
        .err(404, "access_code_not_found");
    let kept = app
        .post(
            "/access_codes/unmanaged/get",
            json!({ "access_code_id": code_id }),
        )
        .await;
    assert_eq!(kept.ok()["access_code"]["code"], "4821");
    // A lock Seam does not manage takes no codes.
    app.post("/access_codes/create", json!({ "device_id": id }))
        .await
        .err(404, "device_not_found");
    let ui = app.raw(Method::GET, "/_fake/ui").send().await.unwrap();
    let html = ui.text().await.unwrap();
    let card = &html[html.find(&format!("data-device-id=\"{id}\"")).unwrap()..];
    assert!(card[..card.find("</section>").unwrap()].contains("· unmanaged"));
    let e = app.events_of("device.converted_to_unmanaged").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["device_id"], json!(id));

    app.post(
        "/devices/unmanaged/update",
        json!({ "device_id": id, "is_managed": false }),
    )
    .await
    .err(400, "invalid_input")["validation_errors"]["is_managed"]
        .is_object()
        .then_some(())
        .expect("the error names is_managed");
    app.patch(
        "/devices/unmanaged/update",
        json!({ "device_id": id, "is_managed": true, "custom_metadata": { "back": true } }),
    )
    .await
    .ok();
    let d = device(&app, &id).await;
    assert_eq!(d["custom_metadata"], json!({ "back": true }));
    assert!(listed(&app, "/devices/unmanaged/list").await.is_empty());
    assert_eq!(
        app.unmanaged_on(&id).await[0]["access_code_id"],
        json!(code_id)
    );
    assert_eq!(
        app.events_of("device.unmanaged.converted_to_managed")
            .await
            .len(),
        1
    );
    app.get(&format!("/devices/unmanaged/get?device_id={id}"))
        .await
        .err(404, "device_not_found");
}

#[tokio::test]
async fn a_deleted_device_takes_its_codes_and_records_each_deletion() {
    let app = TestApp::spawn().await;
    let id = dev("august_device_2");
    let code = app
        .post("/access_codes/create", json!({ "device_id": id }))
        .await
        .ok()["access_code"]["access_code_id"]
        .clone();
    app.delete(&format!("/devices/delete?device_id={id}"))
        .await
        .ok();
    app.get(&format!("/devices/get?device_id={id}"))
        .await
        .err(404, "device_not_found");
    app.post("/access_codes/get", json!({ "access_code_id": code }))
        .await
        .err(404, "access_code_not_found");
    assert!(!listed(&app, "/devices/list").await.contains(&id));
    let deleted = app.events_of("device.deleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["device_id"], json!(id));
    let codes = app.events_of("access_code.deleted").await;
    assert_eq!(codes[0]["access_code_id"], code);
    app.post("/devices/delete", json!({ "device_id": id }))
        .await
        .err(404, "device_not_found");
}

#[tokio::test]
async fn providers_list_and_filter_by_category() {
    let app = TestApp::spawn().await;
    let all = app.get("/devices/list_device_providers").await;
    let names: Vec<&str> = all.ok()["device_providers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["device_provider_name"].as_str())
        .collect();
    assert!(
        names.contains(&"august") && names.contains(&"ecobee"),
        "{names:?}"
    );
    let t = app
        .get("/devices/list_device_providers?provider_category=thermostats")
        .await;
    assert_eq!(t.ok()["device_providers"].as_array().unwrap().len(), 1);
    let e = app
        .post(
            "/devices/list_device_providers",
            json!({ "provider_category": "toasters" }),
        )
        .await;
    assert!(e.err(400, "invalid_input")["validation_errors"]["provider_category"].is_object());
}

#[tokio::test]
async fn reported_time_zones_become_the_location_and_an_unknown_device_changes_nothing() {
    let app = TestApp::spawn().await;
    let (a, b) = (dev("schlage_device_1"), dev("schlage_device_2"));
    app.post(
        "/devices/report_provider_metadata",
        json!({ "devices": [
            { "device_id": a, "schlage_metadata": { "time_zone": "Europe/Paris" } },
        ] }),
    )
    .await
    .ok();
    assert_eq!(
        device(&app, &a).await["location"]["time_zone"],
        "Europe/Paris"
    );
    app.post(
        "/devices/report_provider_metadata",
        json!({ "devices": [
            { "device_id": b, "schlage_metadata": { "time_zone": "Asia/Tokyo" } },
            { "device_id": "5ea10003-0000-4000-8000-0000000000ff" },
        ] }),
    )
    .await
    .err(404, "device_not_found");
    assert!(device(&app, &b).await.get("location").is_none());
    let e = app
        .post(
            "/devices/report_provider_metadata",
            json!({ "devices": [{}] }),
        )
        .await;
    assert!(
        e.err(400, "invalid_input")["validation_errors"]["devices"]["0"]["device_id"].is_object()
    );
}

#[tokio::test]
async fn the_backup_pool_is_turned_on_and_off_by_update() {
    let app = TestApp::spawn().await;
    let id = dev("august_device_1");
    let pool = |db: &Value| {
        db["backup_access_code_pools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["device_id"] == json!(id))
            .map(|p| p["codes"].as_array().unwrap().len())
    };
    assert_eq!(pool(&app.database().await), None);
    let set = |on: bool| json!({ "device_id": id, "backup_access_code_pool_enabled": on });
    app.patch("/devices/update", set(true)).await.ok();
    assert_eq!(pool(&app.database().await), Some(5));
    app.patch("/devices/update", set(false)).await.ok();
    assert_eq!(pool(&app.database().await), None);
    // An empty string removes a metadata key, as the SDKs document.
    let meta = |m: Value| json!({ "device_id": id, "custom_metadata": m });
    app.patch("/devices/update", meta(json!({ "a": "1", "b": "2" })))
        .await
        .ok();
    app.patch("/devices/update", meta(json!({ "a": "" })))
        .await
        .ok();
    assert_eq!(
        device(&app, &id).await["custom_metadata"],
        json!({ "b": "2" })
    );
}
