//! `seam-mock healthcheck`, the container HEALTHCHECK: the real binary probes a real server
//! started from the same binary and exits 0, reading the server's own `PORT`/`SEAM_MOCK_HOST`
//! (with `0.0.0.0` probed on loopback, as inside a container); it exits 1 against a closed port.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_seam-mock");

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local address").port()
}

/// Runs `seam-mock <args>` with `env`, and nothing from the test's own environment that the
/// binary reads.
async fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("PORT")
        .env_remove("SEAM_MOCK_HOST")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    tokio::time::timeout(Duration::from_secs(20), cmd.output())
        .await
        .expect("healthcheck did not finish within 20 s")
        .expect("run seam-mock healthcheck")
}

/// The server, started the way the container starts it: settings from the environment.
async fn start_server(port: u16) -> Child {
    let mut child = Command::new(BIN)
        .env("PORT", port.to_string())
        .env("SEAM_MOCK_HOST", "127.0.0.1")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start seam-mock");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Some(status) = child.try_wait().expect("child status") {
            panic!("seam-mock exited early: {status}");
        }
        if let Ok(res) = client
            .get(format!("http://127.0.0.1:{port}/health"))
            .send()
            .await
            && res.status().is_success()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("seam-mock never answered /health on port {port}");
}

#[tokio::test]
async fn healthcheck_exits_0_against_a_running_server() {
    let port = free_port();
    let p = port.to_string();
    let _server = start_server(port).await;

    // The container's way: the server's own environment, with the wildcard host.
    let out = run(
        &["healthcheck"],
        &[("PORT", &p), ("SEAM_MOCK_HOST", "0.0.0.0")],
    )
    .await;
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("http://127.0.0.1:{port}/health")),
        "{stdout}"
    );

    // Flags, on either side of the subcommand.
    for args in [
        &["healthcheck", "--port", &p][..],
        &["--host", "127.0.0.1", "--port", &p, "healthcheck"][..],
    ] {
        let out = run(args, &[]).await;
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
    }
}

#[tokio::test]
async fn healthcheck_exits_1_against_a_closed_port() {
    let port = free_port().to_string();
    let started = Instant::now();
    let out = run(
        &["healthcheck"],
        &[("PORT", &port), ("SEAM_MOCK_HOST", "0.0.0.0")],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("unhealthy: http://127.0.0.1:{port}/health")),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a refused connection should fail at once, took {:?}",
        started.elapsed()
    );
}
