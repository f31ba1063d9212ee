//! `--state-file PATH` (contract §15), tried on the real binary: a restart finds everything the
//! API reads back; a file that is not a state file, or breaks an invariant, stops the start
//! with exit 2 and is left byte for byte; the file reads with SQLite while the server writes;
//! and a server killed with SIGKILL in the middle of a write-heavy load restarts every time,
//! missing at most what was answered in the last 250 ms.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use seam_mock::store::seed;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::binary::listening_url;
use crate::helpers::{KEY_2, TestApp, dev};

/// What a killed server may lose (contract §15) ...
pub(crate) const BOUND: Duration = Duration::from_millis(250);
/// ... and the slack a shared, loaded test machine gets on top (a debug build under load).
pub(crate) const MARGIN: Duration = Duration::from_millis(250);

/// A fresh folder for one test's file.
pub(crate) fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seam-mock-state-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make a temp folder");
    dir
}

/// The binary on `path`, stderr kept for a failed start.
fn command(path: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seam-mock"));
    cmd.args(["--port", "0", "--state-file"])
        .arg(path)
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// A server on `path` that must start (and so load the file).
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) app: TestApp,
}

pub(crate) async fn start(path: &Path, extra: &[&str]) -> Server {
    let mut child = command(path, extra)
        .stderr(Stdio::null())
        .spawn()
        .expect("start seam-mock");
    let (url, _) = listening_url(&mut child).await;
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    Server {
        child,
        app: TestApp::at(addr),
    }
}

/// A start that must fail: its exit status and what it printed on stderr.
async fn refused(path: &Path) -> (Option<i32>, String) {
    let out = tokio::time::timeout(Duration::from_secs(20), command(path, &[]).output())
        .await
        .expect("seam-mock did not stop within 20 s")
        .expect("run seam-mock");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// SIGTERM, and the clean exit that follows.
pub(crate) async fn term(mut s: Server) {
    crate::binary::stop(&mut s.child).await;
}

fn ids(db: &Value, list: &str, field: &str) -> HashSet<String> {
    db[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} is a list"))
        .iter()
        .map(|r| r[field].as_str().expect("an id").to_string())
        .collect()
}

/// A state file made by a server that created one code on `august_device_1`; the code's id.
async fn file_with_a_code(path: &Path) -> String {
    let s = start(path, &[]).await;
    let code = s
        .app
        .post(
            "/access_codes/create",
            json!({ "device_id": dev("august_device_1"), "code": "1357" }),
        )
        .await
        .ok()["access_code"]["access_code_id"]
        .as_str()
        .unwrap()
        .to_string();
    term(s).await;
    code
}

#[tokio::test]
async fn a_restart_finds_every_code_event_webhook_sandbox_key_and_the_clock() {
    let dir = folder("restart");
    let path = dir.join("state.db");
    assert!(!path.exists());
    let s = start(&path, &["--rng-seed", "7"]).await;
    let app = &s.app;
    let (a1, a2) = (dev("august_device_1"), dev("august_device_2"));
    let first = app
        .post(
            "/access_codes/create",
            json!({ "device_id": a1, "name": "Front", "code": "1357" }),
        )
        .await
        .ok()["access_code"]["access_code_id"]
        .clone();
    app.create_ok(json!({ "device_ids": [a1, a2], "name": "Shared" }))
        .await;
    app.unmanaged(&a2, "2468").await;
    let now = app.now().await;
    app.post(
        "/access_codes/create",
        json!({ "device_id": a1, "use_backup_access_code_pool": true, "name": "Guest",
                "starts_at": crate::helpers::wire_time(now),
                "ends_at": crate::helpers::wire_time(now + chrono::Duration::hours(3)) }),
    )
    .await
    .ok();
    let sandbox = app
        .post_open("/_fake/sandboxes/create", json!({ "name": "kept" }))
        .await
        .ok()
        .clone();
    let sandbox_key = sandbox["api_key"].as_str().unwrap().to_string();
    // Nothing listens on port 9: messages stay pending, retried on the server clock.
    let hook = app
        .post(
            "/webhooks/create",
            json!({ "url": "http://127.0.0.1:9/hook" }),
        )
        .await
        .ok()["webhook"]
        .clone();
    app.post_as(
        &sandbox_key,
        "/webhooks/create",
        json!({ "url": "http://127.0.0.1:9/sandbox" }),
    )
    .await
    .ok();
    app.post_open(
        "/_fake/simulate_workspace_outage",
        json!({ "workspace_id": seed::WORKSPACE_2, "routes": ["/devices/list"] }),
    )
    .await
    .ok();
    app.advance(3600).await;
    app.post_open("/_fake/snapshots/save", json!({ "name": "before" }))
        .await
        .ok();
    // The last change goes straight into SIGTERM: the shutdown commits it.
    let last = app
        .post(
            "/access_codes/create",
            json!({ "device_id": a2, "name": "Last", "code": "9753" }),
        )
        .await
        .ok()["access_code"]["access_code_id"]
        .clone();
    let before = app.database().await;
    let clock = app.now().await;
    let deliveries = app
        .post_open("/_fake/webhook_deliveries", json!({}))
        .await
        .ok()["webhook_deliveries"]
        .clone();
    term(s).await;

    let s = start(&path, &["--rng-seed", "7"]).await;
    let app = &s.app;
    let after = app.database().await;
    assert_eq!(after, before, "the same database after a restart");
    for id in [&first, &last] {
        assert!(ids(&after, "access_codes", "access_code_id").contains(id.as_str().unwrap()));
    }
    assert!(!after["events"].as_array().unwrap().is_empty());
    assert!(
        !after["unmanaged_access_codes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        !after["backup_access_code_pools"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The clock kept its hour ahead.
    assert!(app.now().await >= clock, "the clock went back");
    let listed = app.get("/webhooks/list").await.ok()["webhooks"].clone();
    assert_eq!(listed, json!([hook]), "the webhook, secret and all");
    let again = app
        .post_open("/_fake/webhook_deliveries", json!({}))
        .await
        .ok()["webhook_deliveries"]
        .clone();
    let message_ids = |d: &Value| -> Vec<Value> {
        d.as_array()
            .unwrap()
            .iter()
            .map(|m| m["message_id"].clone())
            .collect()
    };
    assert!(!message_ids(&deliveries).is_empty());
    assert_eq!(message_ids(&again), message_ids(&deliveries));
    // The sandbox's key and webhook, the outage and the snapshot are still there.
    let devices = app
        .send(app.as_token(&sandbox_key, Method::GET, "/devices/list"))
        .await;
    assert!(!devices.ok()["devices"].as_array().unwrap().is_empty());
    let hooks = app
        .send(app.as_token(&sandbox_key, Method::GET, "/webhooks/list"))
        .await;
    assert_eq!(hooks.ok()["webhooks"].as_array().unwrap().len(), 1);
    let outage = app
        .send(app.as_token(KEY_2, Method::GET, "/devices/list"))
        .await;
    assert_eq!(outage.status, 503);
    let snapshots = app.get("/_fake/snapshots/list").await.ok()["snapshots"].clone();
    assert_eq!(snapshots[0]["name"], "before");
    // No id is handed out twice: the same --rng-seed draws other ids after a restart.
    let fresh = app
        .post(
            "/access_codes/create",
            json!({ "device_id": a1, "code": "8642" }),
        )
        .await
        .ok()["access_code"]["access_code_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!ids(&before, "access_codes", "access_code_id").contains(&fresh));
    app.post_open("/_fake/snapshots/restore", json!({ "name": "before" }))
        .await
        .ok();
    let rewound = app.database().await;
    assert!(!ids(&rewound, "access_codes", "access_code_id").contains(&fresh));
    assert!(!ids(&rewound, "access_codes", "access_code_id").contains(last.as_str().unwrap()));
    // A reset and a replaced database reach the file too.
    app.post_open("/_fake/reset", json!({})).await.ok();
    let reset = app.database().await;
    term(s).await;
    let s = start(&path, &[]).await;
    assert_eq!(s.app.database().await, reset);
    term(s).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_file_that_is_not_a_state_file_stops_the_start_and_is_left_alone() {
    let dir = folder("garbage");
    let path = dir.join("state.db");
    let bytes = b"not a database at all\n".repeat(300);
    std::fs::write(&path, &bytes).unwrap();
    let (code, stderr) = refused(&path).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(path.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains("not a seam-mock state file"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    // A database, but someone else's.
    let other = dir.join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi');")
        .unwrap();
    drop(conn);
    let bytes = std::fs::read(&other).unwrap();
    let (code, stderr) = refused(&other).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a seam-mock state file"), "{stderr}");
    assert_eq!(std::fs::read(&other).unwrap(), bytes);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_file_that_breaks_an_invariant_stops_the_start_and_is_left_alone() {
    let dir = folder("invariant");
    let path = dir.join("state.db");
    let code = file_with_a_code(&path).await;
    let edit = |sql: &str| {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(sql, [&code]).unwrap();
        conn.close().unwrap();
    };
    // The code's lock is one that does not exist.
    edit(
        "UPDATE records SET json = json_set(json, '$.device_id', '00000000-0000-4000-8000-0000000000ff')
         WHERE kind = 'access_code' AND id = ?1",
    );
    let bytes = std::fs::read(&path).unwrap();
    let (status, stderr) = refused(&path).await;
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("access_codes: unknown device_id"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file was changed");

    // A row that is not JSON.
    edit("UPDATE records SET json = '{' WHERE kind = 'access_code' AND id = ?1");
    let bytes = std::fs::read(&path).unwrap();
    let (status, stderr) = refused(&path).await;
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("access_code {code}")), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file was changed");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_file_reads_with_sqlite_while_the_server_writes() {
    let dir = folder("reader");
    let path = dir.join("state.db");
    let s = start(&path, &[]).await;
    let reader =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let kinds: Vec<String> = reader
        .prepare("SELECT DISTINCT kind FROM records ORDER BY kind")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for k in ["api_key", "device", "workspace"] {
        assert!(kinds.iter().any(|x| x == k), "{kinds:?}");
    }
    let code = s
        .app
        .post(
            "/access_codes/create",
            json!({ "device_id": dev("august_device_1"), "code": "2244" }),
        )
        .await
        .ok()["access_code"]
        .clone();
    let id = code["access_code_id"].as_str().unwrap();
    let sent = Instant::now();
    let json: String = loop {
        let row = reader.query_row(
            "SELECT json FROM records WHERE kind = 'access_code' AND id = ?1",
            [id],
            |r| r.get(0),
        );
        match row {
            Ok(json) => break json,
            Err(rusqlite::Error::QueryReturnedNoRows) if sent.elapsed() < BOUND + MARGIN => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("the code is not in the file: {e}"),
        }
    };
    let row: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(row["access_code_id"], code["access_code_id"]);
    assert_eq!(row["code"], "2244");
    assert_eq!(row["workspace_id"], json!(seed::WORKSPACE_1));
    term(s).await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Codes whose create_multiple was answered, with when.
type Answered = Arc<Mutex<Vec<(String, Instant)>>>;

/// Until `stop`: create_multiple on two of `locks`, noting each answered code.
async fn load(app: TestApp, locks: Arc<Vec<String>>, answered: Answered, stop: Arc<AtomicBool>) {
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let pair = [&locks[n % locks.len()], &locks[(n * 7 + 3) % locks.len()]];
        if pair[0] == pair[1] {
            continue;
        }
        let req = app
            .authed(Method::PUT, "/access_codes/create_multiple")
            .json(&json!({ "device_ids": pair }));
        let Ok(res) = req.send().await else {
            return;
        };
        if !res.status().is_success() {
            continue;
        }
        let Ok(body) = res.json::<Value>().await else {
            return;
        };
        let at = Instant::now();
        let mut answered = answered.lock().unwrap();
        for c in body["access_codes"].as_array().into_iter().flatten() {
            answered.push((c["access_code_id"].as_str().unwrap().to_string(), at));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_load_restarts_and_loses_at_most_the_last_250_ms() {
    let dir = folder("sigkill");
    let path = dir.join("state.db");
    let answered: Answered = Arc::default();
    let mut killed_at: Option<Instant> = None;
    let mut required: Vec<String> = Vec::new();
    let mut locks = Vec::new();
    let rounds = 12;
    for round in 0..=rounds {
        let mut s = start(&path, &[]).await;
        let app = &s.app;
        if let Some(kill) = killed_at {
            let db = app.database().await;
            let have = ids(&db, "access_codes", "access_code_id");
            // What was answered in good time before the kill must be there, now and after
            // every later kill; the rest may be lost.
            let answered = std::mem::take(&mut *answered.lock().unwrap());
            required.extend(
                answered
                    .into_iter()
                    .filter(|(_, at)| kill.duration_since(*at) > BOUND + MARGIN)
                    .map(|(id, _)| id),
            );
            let lost: Vec<_> = required.iter().filter(|id| !have.contains(*id)).collect();
            assert!(
                lost.is_empty(),
                "round {round}: {} of {} codes answered before a kill are gone, e.g. {:?}",
                lost.len(),
                required.len(),
                lost.first()
            );
        }
        if round == rounds {
            term(s).await;
            break;
        }
        if locks.is_empty() {
            for n in 0..16 {
                let d = app
                    .fake_device(json!({ "workspace_id": seed::WORKSPACE_1,
                                         "device_type": "august_lock", "name": format!("Load {n}") }))
                    .await;
                locks.push(d["device_id"].as_str().unwrap().to_string());
            }
        }
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..3)
            .map(|_| {
                tokio::spawn(load(
                    TestApp::at(app.addr),
                    Arc::new(locks.clone()),
                    answered.clone(),
                    stop.clone(),
                ))
            })
            .collect();
        // Somewhere in the middle of the load, a different instant each round.
        tokio::time::sleep(Duration::from_millis(300 + (round as u64 * 137) % 400)).await;
        s.child.start_kill().expect("SIGKILL");
        killed_at = Some(Instant::now());
        s.child.wait().await.expect("the killed server");
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.await.expect("a load worker");
        }
    }
    assert!(
        required.len() > rounds * 10,
        "the load wrote too little to show anything: {} codes",
        required.len()
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `/_fake/faults/list`.
async fn fault_list(app: &TestApp) -> Value {
    app.send(app.raw(Method::GET, "/_fake/faults/list"))
        .await
        .ok()["faults"]
        .clone()
}

#[tokio::test]
async fn fault_rules_and_their_hits_survive_a_restart() {
    let dir = folder("faults");
    let path = dir.join("state.db");
    let lock = dev("august_device_1");
    let s = start(&path, &[]).await;
    let rules = [
        json!({"match": {"path": "/devices/list"}, "times": 3,
               "effect": {"respond": {"status": 503, "error_type": "service_unavailable"}}}),
        json!({"match": {"device_id": lock},
               "effect": {"access_code_error": "failed_to_set_on_device"}}),
    ];
    for r in &rules {
        s.app
            .post_open("/_fake/faults/create", r.clone())
            .await
            .ok();
    }
    s.app
        .get("/devices/list")
        .await
        .err(503, "service_unavailable");
    let before = fault_list(&s.app).await;
    assert_eq!(before[0]["hits"], 1);
    term(s).await;

    let s = start(&path, &[]).await;
    assert_eq!(fault_list(&s.app).await, before);
    // Both still apply: the first has two of its three hits left.
    for _ in 0..2 {
        s.app
            .get("/devices/list")
            .await
            .err(503, "service_unavailable");
    }
    s.app.get("/devices/list").await.ok();
    let code = s.app.create_ok(json!({"device_ids": [lock]})).await[0]["access_code_id"].clone();
    let got = s
        .app
        .post("/access_codes/get", json!({"access_code_id": code}))
        .await;
    assert_eq!(
        got.ok()["access_code"]["errors"][0]["error_code"],
        "failed_to_set_on_device"
    );
    s.app.post_open("/_fake/faults/clear", json!({})).await.ok();
    term(s).await;

    let s = start(&path, &[]).await;
    assert_eq!(fault_list(&s.app).await, json!([]));
    term(s).await;
    let _ = std::fs::remove_dir_all(&dir);
}
