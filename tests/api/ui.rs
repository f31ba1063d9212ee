//! The dashboard (issue 13), rendered by a real headless browser: Debian's `chromium
//! --headless --dump-dom`. A PIN that `create_multiple` linked on two locks shows under both
//! locks and as one group. As a control panel (issue 20) it is driven over the DevTools
//! protocol ([`Page`]): a guest's PIN typed at a lock's keypad before and inside its window,
//! the clock moved and the lock taken offline with the page's own buttons. Without chromium the test says so and skips, unless
//! `SEAM_MOCK_REQUIRE_CHROMIUM` is set (CI sets it after installing chromium).

use std::time::Duration;

use serde_json::{Value, json};
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

/// A page in a headless Chromium driven over the DevTools protocol: `--remote-debugging-pipe`
/// reads commands on fd 3 and writes answers on fd 4, NUL-separated JSON; `sh` hands it the
/// test's pipes there, so no WebSocket client is needed.
struct Page {
    child: tokio::process::Child,
    input: tokio::process::ChildStdin,
    output: tokio::io::BufReader<tokio::process::ChildStdout>,
    session: String,
    next: u64,
    profile: std::path::PathBuf,
}

impl Page {
    async fn open(browser: &str, url: &str) -> Page {
        use std::process::Stdio;
        let profile = std::env::temp_dir().join(format!("seam-mock-ui-{}", uuid::Uuid::new_v4()));
        let mut child = Command::new("sh")
            .args([
                "-c",
                r#"exec "$0" --headless --no-sandbox --disable-gpu --user-data-dir="$1" \
                   --remote-debugging-pipe 3<&0 4>&1 0</dev/null 1>/dev/null 2>/dev/null"#,
                browser,
                &profile.display().to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("run chromium");
        let input = child.stdin.take().expect("the command pipe");
        let output = tokio::io::BufReader::new(child.stdout.take().expect("the answer pipe"));
        let mut page = Page {
            child,
            input,
            output,
            session: String::new(),
            next: 0,
            profile,
        };
        let target = page
            .call("Target.createTarget", json!({ "url": url }))
            .await;
        let attached = page
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        page.session = attached["sessionId"]
            .as_str()
            .expect("a session")
            .to_string();
        page.wait_for("document.readyState === 'complete' && !!document.getElementById('live')")
            .await;
        page
    }

    /// Sends one command (to the page's session once attached) and returns its result.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
        self.next += 1;
        let id = self.next;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.input.write_all(&bytes).await.expect("chromium reads");
        loop {
            let mut buf = Vec::new();
            let n =
                tokio::time::timeout(Duration::from_secs(30), self.output.read_until(0, &mut buf))
                    .await
                    .expect("chromium answers within 30 s")
                    .expect("read chromium's answer");
            assert!(n > 0, "chromium closed the pipe");
            buf.pop();
            let v: Value = serde_json::from_slice(&buf).expect("a JSON message");
            if v["id"] == json!(id) {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// Evaluates `expr` in the page (awaiting a promise) and returns its value.
    async fn eval(&mut self, expr: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expr, "awaitPromise": true, "returnByValue": true }),
            )
            .await;
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {r}");
        r["result"]["value"].clone()
    }

    /// Waits (up to 20 s) until `expr` is true in the page.
    async fn wait_for(&mut self, expr: &str) {
        let until = std::time::Instant::now() + Duration::from_secs(20);
        while self.eval(&format!("!!({expr})")).await != json!(true) {
            assert!(std::time::Instant::now() < until, "never true: {expr}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn close(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Types `pin` at the keypad of `device` on the page and waits for its verdict.
async fn type_pin(page: &mut Page, device: &str, pin: &str) -> String {
    let door = format!("document.querySelector('.door[data-device-id=\"{device}\"]')");
    page.eval(&format!(
        "(() => {{ delete doorVerdicts['{device}']; {door}.querySelector('.verdict').textContent = ''; \
         const f = {door}.querySelector('form'); f.pin.value = '{pin}'; \
         f.querySelector('button').click(); }})()"
    ))
    .await;
    page.wait_for(&format!(
        "{door}.querySelector('.verdict').textContent.startsWith('{pin}:')"
    ))
    .await;
    page.eval(&format!("{door}.querySelector('.verdict').textContent"))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_keypad_on_the_dashboard_lets_a_guest_in_only_inside_their_window() {
    let Some(browser) = chromium() else { return };
    let app = TestApp::spawn().await;
    let lock = dev("august_device_1");
    let now = app.now().await;
    let window = |h: i64| {
        (now + chrono::Duration::hours(h)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    app.post(
        "/access_codes/create",
        json!({ "device_id": lock, "code": "4826", "name": "Friday guest",
                "starts_at": window(1), "ends_at": window(3) }),
    )
    .await
    .ok();

    let mut page = Page::open(&browser, &app.url("/_fake/ui")).await;
    let before = type_pin(&mut page, &lock, "4826").await;
    assert_eq!(before, "4826: denied, expired_code");

    // The clock control: one hour on.
    page.eval("document.querySelector('[data-advance=\"3600\"]').click()")
        .await;
    let later = now + chrono::Duration::hours(1);
    let mut moved = false;
    for _ in 0..100 {
        if app.now().await >= later {
            moved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(moved, "the +1 h button moved the server clock");

    let inside = type_pin(&mut page, &lock, "4826").await;
    assert_eq!(inside, "4826: accepted");

    // The event rows that follow, newest first: the unlock, and the denial before it.
    page.wait_for("document.querySelector('table.events').textContent.includes('lock.unlocked')")
        .await;
    let rows: Value = page
        .eval(
            "[...document.querySelectorAll('table.events tr')]\
             .map(r => [...r.querySelectorAll('td')].map(td => td.textContent))",
        )
        .await;
    assert_eq!(rows[0][1], "lock.unlocked", "{rows}");
    assert_eq!(rows[0][3], "4826", "{rows}");
    assert_eq!(rows[0][4], "keycode", "{rows}");
    let denied = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[1] == "lock.access_denied")
        .unwrap_or_else(|| panic!("no denial row: {rows}"));
    assert_eq!(denied[4], "expired_code", "{rows}");

    // Take the lock offline from its card: the keypad now says why it cannot be used.
    page.eval(&format!(
        "document.querySelector('.door[data-device-id=\"{lock}\"] [data-action=\"disconnect\"]').click()"
    ))
    .await;
    page.wait_for(&format!(
        "!!document.querySelector('.door[data-device-id=\"{lock}\"] [data-action=\"connect\"]')"
    ))
    .await;
    let d = app.post("/devices/get", json!({ "device_id": lock })).await;
    assert_eq!(d.ok()["device"]["properties"]["online"], false);
    let shown = page
        .eval(&format!(
            "document.querySelector('.door[data-device-id=\"{lock}\"] .device-error').textContent"
        ))
        .await;
    assert_eq!(shown, "device_offline");
    let offline = type_pin(&mut page, &lock, "4826").await;
    assert!(offline.contains("device_offline"), "{offline}");
    page.close().await;
}

#[tokio::test]
async fn a_large_state_loads_counts_the_rest_and_the_search_box_finds_an_old_code() {
    let Some(browser) = chromium() else { return };
    let app = TestApp::spawn().await;
    let locks = crate::dashboard::locks(&app, 30).await;
    let calls = crate::dashboard::fill(&app, &locks, 0, 40).await;
    // A code long off its lock's card (each card lists its lock's newest five).
    let old = &calls[3][12];
    let (id, pin) = (
        old["access_code_id"].as_str().unwrap(),
        old["code"].as_str().unwrap(),
    );

    let mut page = Page::open(&browser, &app.url("/_fake/ui")).await;
    let text = page
        .eval("document.getElementById('live').textContent")
        .await;
    let text = text.as_str().unwrap_or_default();
    assert!(text.contains("more locks — search"), "{text}");
    assert!(text.contains("and 35 more codes — search"), "{text}");
    assert!(!text.contains(id), "the old code is not on the page");

    page.eval(&format!(
        "(() => {{ const f = document.getElementById('search'); f.q.value = '{pin}'; \
         f.querySelector('button').click(); }})()"
    ))
    .await;
    page.wait_for(&format!(
        "!!document.querySelector('#results tr[data-access-code-id=\"{id}\"]')"
    ))
    .await;
    let row = page
        .eval(&format!(
            "document.querySelector('#results tr[data-access-code-id=\"{id}\"]').textContent"
        ))
        .await;
    let row = row.as_str().unwrap_or_default();
    assert!(
        row.contains(pin) && row.contains("guest-0003") && row.contains("Dashboard lock 12"),
        "{row}"
    );

    // A refresh of the unchanged state is a 304: the page keeps its DOM (a mark on it stays)
    // and the results.
    let etag = app
        .raw(reqwest::Method::GET, "/_fake/ui")
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    page.wait_for(&format!(
        "document.getElementById('live').dataset.etag === {}",
        json!(etag)
    ))
    .await;
    page.eval("document.getElementById('live').dataset.mark = 'kept'")
        .await;

    tokio::time::sleep(Duration::from_millis(2500)).await;
    let still = page
        .eval(
            "document.querySelectorAll('#results tr').length > 0 \
             && document.getElementById('conn').textContent + ' ' + document.getElementById('live').dataset.mark",
        )
        .await;
    assert_eq!(still, "live kept");
    page.close().await;
}
