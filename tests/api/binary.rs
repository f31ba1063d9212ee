//! The compiled `seam-mock` binary: started the way SDK suites start Seam's fake (`--seed`,
//! a port of its own), it serves `/health`, and SIGTERM stops it cleanly with exit status 0.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local address").port()
}

#[tokio::test]
async fn the_binary_serves_and_stops_cleanly_on_sigterm() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_seam-mock"))
        .args(["--seed", "--host", "127.0.0.1", "--port", &port.to_string()])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start seam-mock");
    let pid = child.id().expect("a running child").to_string();

    let client = reqwest::Client::new();
    let health = format!("http://127.0.0.1:{port}/health");
    let mut up = false;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().expect("child status") {
            panic!("seam-mock exited early: {status}");
        }
        if let Ok(res) = client.get(&health).send().await
            && res.status().is_success()
        {
            let body: serde_json::Value = res.json().await.expect("JSON health");
            assert_eq!(body["ok"], serde_json::json!(true));
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "seam-mock never answered /health on port {port}");

    let res = client
        .post(format!("http://127.0.0.1:{port}/devices/list"))
        .bearer_auth("seam_apikey1_token")
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("devices/list");
    assert_eq!(res.status().as_u16(), 200);
    drop(client);

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
