//! The request log (issue 13): the compiled binary writes one INFO line per request with its
//! method, path, status, latency, request id and workspace — JSON fields under
//! `--log-format json`, no ANSI colour when the output is not a terminal, and never a token.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::KEY_1;

const WS1: &str = "5ea10001-0000-4000-8000-000000000001";

/// A running binary and every line it wrote to stdout or stderr so far.
struct Logged {
    _child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Logged {
    async fn start(extra: &[&str]) -> Logged {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_seam-mock"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start seam-mock");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        for reader in [
            Box::new(out) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
            Box::new(err),
        ] {
            let lines = lines.clone();
            tokio::spawn(async move {
                let mut r = BufReader::new(reader).lines();
                while let Ok(Some(line)) = r.next_line().await {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let app = Logged {
            _child: child,
            port,
            lines,
        };
        for _ in 0..200 {
            if reqwest::get(app.url("/health")).await.is_ok() {
                return app;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("seam-mock never answered on port {port}");
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Sends `/devices/list` authenticated and not; returns the two request ids.
    async fn traffic(&self) -> (String, String) {
        let client = reqwest::Client::new();
        let id =
            |r: &reqwest::Response| r.headers()["seam-request-id"].to_str().unwrap().to_string();
        let ok = client
            .post(self.url("/devices/list"))
            .bearer_auth(KEY_1)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let denied = client
            .post(self.url("/access_codes/list"))
            .bearer_auth("seam_apikey_not_a_key")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(denied.status(), 401);
        (id(&ok), id(&denied))
    }

    /// Waits until a line contains both ids; returns every line.
    async fn lines_with(&self, ids: &[&str]) -> Vec<String> {
        for _ in 0..100 {
            let lines = self.lines.lock().unwrap().clone();
            if ids.iter().all(|id| lines.iter().any(|l| l.contains(id))) {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no log line names {ids:?}: {:#?}",
            self.lines.lock().unwrap()
        );
    }
}

fn assert_clean(lines: &[String]) {
    for l in lines {
        assert!(!l.contains('\u{1b}'), "ANSI escape in a piped log: {l:?}");
        for secret in [KEY_1, "seam_apikey_not_a_key"] {
            assert!(!l.contains(secret), "the log leaks a token: {l}");
        }
    }
}

#[tokio::test]
async fn json_log_lines_carry_the_request_fields() {
    let app = Logged::start(&["--log-format", "json"]).await;
    let (ok, denied) = app.traffic().await;
    let lines = app.lines_with(&[&ok, &denied]).await;
    assert_clean(&lines);
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let line_of = |id: &str| -> &Value {
        let mine: Vec<&Value> = events
            .iter()
            .filter(|e| e["span"]["request_id"] == id && e.get("status").is_some())
            .collect();
        assert_eq!(mine.len(), 1, "one line per request: {mine:?}");
        mine[0]
    };
    let l = line_of(&ok);
    assert_eq!(l["level"], "INFO");
    assert_eq!(l["span"]["method"], "POST");
    assert_eq!(l["span"]["path"], "/devices/list");
    assert_eq!(l["status"], 200);
    assert!(l["latency_ms"].as_f64().is_some(), "{l}");
    assert_eq!(l["workspace_id"], WS1);
    let l = line_of(&denied);
    assert_eq!(l["span"]["path"], "/access_codes/list");
    assert_eq!(l["status"], 401);
    assert_eq!(l["workspace_id"], "-");
}

#[tokio::test]
async fn pretty_log_lines_are_plain_text_when_piped() {
    let app = Logged::start(&[]).await;
    let (ok, _) = app.traffic().await;
    let lines = app.lines_with(&[&ok]).await;
    assert_clean(&lines);
    let line = lines
        .iter()
        .find(|l| l.contains(&ok) && l.contains("status="))
        .expect("the request's line");
    for part in [
        "INFO",
        "method=POST",
        "path=/devices/list",
        "status=200",
        "latency_ms=",
        &format!("workspace_id={WS1}"),
    ] {
        assert!(line.contains(part), "{part:?} missing from {line}");
    }
}

#[tokio::test]
async fn the_line_of_a_faulted_request_names_its_rule() {
    let app = Logged::start(&["--log-format", "json"]).await;
    let client = reqwest::Client::new();
    let rule: Value = client
        .post(app.url("/_fake/faults/create"))
        .json(&json!({"match": {"path": "/devices/list"},
                      "effect": {"respond": {"status": 503, "empty_body": true}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fault_id = rule["fault"]["fault_id"].as_str().unwrap().to_string();
    let (ok, denied) = app.traffic().await;
    let lines = app.lines_with(&[&ok, &denied]).await;
    let line = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|e| e["span"]["request_id"] == ok && e.get("status").is_some())
        .expect("the faulted request's line");
    assert_eq!(line["status"], 503);
    assert_eq!(line["fault_id"], fault_id.as_str());
    assert_eq!(line["workspace_id"], WS1);
}
