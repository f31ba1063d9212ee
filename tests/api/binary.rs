//! The compiled `seam-mock` binary: started the way SDK suites start Seam's fake (`--seed`,
//! a port of its own), or the way the Python and npm helpers start it (`--port 0`), it prints
//! one `{"event":"listening","url":...}` line on stdout once it listens (logs go to stderr),
//! serves `/health` at that URL, and SIGTERM stops it cleanly with exit status 0.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// A port that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local address").port()
}

/// Starts the binary with `args`, stdout and stderr piped.
pub(crate) fn start(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_seam-mock"))
        .args(args)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start seam-mock")
}

/// Reads stdout's first line, which must be the listening line; returns its URL and the rest
/// of stdout.
pub(crate) async fn listening_url(child: &mut Child) -> (String, Lines<BufReader<ChildStdout>>) {
    let mut out = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), out.next_line())
        .await
        .expect("no listening line within 20 s")
        .expect("read stdout")
        .expect("stdout closed before the listening line");
    let v: serde_json::Value = serde_json::from_str(&line).expect("the line is JSON");
    assert_eq!(v["event"], "listening", "{line}");
    let url = v["url"].as_str().expect("a url").to_string();
    assert_eq!(
        line,
        format!(r#"{{"event":"listening","url":"{url}"}}"#),
        "exactly the two fields"
    );
    (url, out)
}

/// SIGTERM; the binary must exit 0 within 10 s.
pub(crate) async fn stop(child: &mut Child) {
    let pid = child.id().expect("a running child").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("seam-mock did not stop within 10 s of SIGTERM")
        .expect("wait for seam-mock");
    assert!(status.success(), "seam-mock exited with {status}");
}

#[tokio::test]
async fn the_binary_announces_its_port_serves_and_stops_cleanly_on_sigterm() {
    let port = free_port();
    let mut child = start(&["--seed", "--host", "127.0.0.1", "--port", &port.to_string()]);
    let (url, _) = listening_url(&mut child).await;
    // A fixed port is announced too.
    assert_eq!(url, format!("http://127.0.0.1:{port}"));

    // Ready means ready: the first request after the line is answered, no retry.
    let client = reqwest::Client::new();
    let res = client.get(format!("{url}/health")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = res.json().await.expect("JSON health");
    assert_eq!(body["ok"], serde_json::json!(true));
    let res = client
        .post(format!("{url}/devices/list"))
        .bearer_auth("seam_apikey1_token")
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("devices/list");
    assert_eq!(res.status().as_u16(), 200);
    drop(client);
    stop(&mut child).await;
}

#[tokio::test]
async fn port_zero_binds_a_free_port_and_stdout_carries_only_the_listening_line() {
    let mut child = start(&["--port", "0", "--host", "0.0.0.0"]);
    let mut err = child.stderr.take().expect("stderr");
    let (url, mut rest) = listening_url(&mut child).await;
    // Bound on every interface, announced as the loopback address a client can reach.
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("not a loopback URL: {url}"))
        .parse()
        .expect("a port number");
    assert_ne!(port, 0);
    let res = reqwest::Client::new()
        .post(format!("{url}/devices/list"))
        .bearer_auth("seam_apikey1_token")
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("devices/list");
    assert_eq!(res.status().as_u16(), 200);
    stop(&mut child).await;

    assert_eq!(
        rest.next_line().await.unwrap(),
        None,
        "stdout had more lines"
    );
    let mut logs = String::new();
    err.read_to_string(&mut logs).await.unwrap();
    for logged in ["seam-mock listening", "path=/devices/list", "shutting down"] {
        assert!(logs.contains(logged), "{logged:?} not on stderr: {logs}");
    }
}
