//! The dashboard (issue 13), rendered by a real headless browser: Debian's `chromium
//! --headless --dump-dom`. A PIN that `create_multiple` linked on two locks shows under both
//! locks and as one group. Without chromium the test says so and skips, unless
//! `SEAM_MOCK_REQUIRE_CHROMIUM` is set (CI sets it after installing chromium).

use std::time::Duration;

use serde_json::json;
use tokio::process::Command;

use crate::helpers::{TestApp, dev};

/// The browser to drive: `$CHROMIUM`, or `chromium` on the PATH.
fn chromium() -> Option<String> {
    let name = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = std::process::Command::new(&name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(name);
    }
    assert!(
        std::env::var_os("SEAM_MOCK_REQUIRE_CHROMIUM").is_none(),
        "SEAM_MOCK_REQUIRE_CHROMIUM is set but `{name}` does not run"
    );
    eprintln!("SKIPPED: the dashboard browser test needs chromium (apt-get install chromium)");
    None
}

/// The DOM after scripts ran.
async fn dump_dom(browser: &str, url: &str) -> String {
    let profile = std::env::temp_dir().join(format!("seam-mock-ui-{}", uuid::Uuid::new_v4()));
    let out = tokio::time::timeout(
        Duration::from_secs(90),
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                &format!("--user-data-dir={}", profile.display()),
                "--virtual-time-budget=3000",
                "--dump-dom",
                url,
            ])
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("chromium finished within 90 s")
    .expect("run chromium");
    let _ = std::fs::remove_dir_all(&profile);
    assert!(out.status.success(), "chromium failed: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8 DOM")
}

/// The markup of the lock card of `device_id`.
fn lock_card<'a>(dom: &'a str, device_id: &str) -> &'a str {
    let start = dom
        .find(&format!("data-device-id=\"{device_id}\""))
        .unwrap_or_else(|| panic!("no lock card for {device_id}"));
    let end = dom[start..].find("</section>").expect("the card ends");
    &dom[start..start + end]
}

#[tokio::test]
async fn the_dashboard_shows_a_linked_pin_under_both_locks() {
    let Some(browser) = chromium() else { return };
    let app = TestApp::spawn().await;
    let (august, nuki) = (dev("august_device_1"), dev("nuki_device_1"));
    let codes = app
        .create_ok(json!({"device_ids": [august, nuki], "name": "Guest"}))
        .await;
    let pin = codes[0]["code"].as_str().expect("a PIN").to_string();
    assert_eq!(codes[1]["code"], codes[0]["code"]);

    let dom = dump_dom(&browser, &app.url("/_fake/ui")).await;
    for lock in [&august, &nuki] {
        let card = lock_card(&dom, lock);
        assert!(
            card.contains(&pin),
            "PIN {pin} not on the card of {lock}: {card}"
        );
        assert!(card.contains("Guest"), "{card}");
        assert!(card.contains("group 1"), "{card}");
    }
    let group = dom
        .find("data-group=\"1\"")
        .map(|i| &dom[i..i + dom[i..].find("</div>").unwrap()])
        .expect("the linked group");
    assert!(group.contains(&pin), "{group}");
    assert!(
        group.contains("Front Door") && group.contains("Apartment 1A"),
        "{group}"
    );
    assert!(
        dom.contains("/access_codes/create_multiple"),
        "the latest requests list the create_multiple call"
    );
    // The page is self-contained: nothing fetched from another host.
    assert!(!dom.contains("https://"), "an external asset: {dom}");
}

#[tokio::test]
async fn the_dashboard_is_html_without_the_browser() {
    let app = TestApp::spawn().await;
    let res = reqwest::get(app.url("/_fake/ui")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("Front Door"));
    assert!(html.contains("Server clock"));
}
