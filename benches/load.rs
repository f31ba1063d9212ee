//! Load benchmark: starts the real `seam-mock` binary on a free loopback port and drives it
//! with concurrent requests, printing throughput, latency percentiles and the server's memory.
//!
//! `cargo bench --bench load` (release build). Bounded: a fixed number of requests per scenario.
//! Knobs: `BENCH_REQUESTS` (default 4000) and `BENCH_CONCURRENCY` (default 16).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};

const KEY: &str = "Bearer seam_apikey1_token";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

async fn start() -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_seam-mock"))
        .args([
            "--port",
            &port.to_string(),
            "--rng-seed",
            "1",
            "--log-format",
            "json",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start seam-mock");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{}/health", server.base))
            .send()
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("seam-mock did not come up");
}

struct Report {
    name: &'static str,
    latencies: Vec<Duration>,
    elapsed: Duration,
    failures: usize,
}

impl Report {
    fn print(&mut self) {
        self.latencies.sort();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 * p).ceil() as usize)
                .clamp(1, self.latencies.len())
                - 1;
            self.latencies[i].as_secs_f64() * 1000.0
        };
        let n = self.latencies.len();
        println!(
            "{:<34} {:>6} req  {:>9.0} req/s  p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  failures {}",
            self.name,
            n,
            n as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.95),
            pct(0.99),
            self.failures
        );
    }
}

/// Sends `n` requests made by `make(i)` with `concurrency` in flight; a request fails unless 200.
async fn drive<F>(name: &'static str, n: usize, concurrency: usize, make: F) -> Report
where
    F: Fn(usize) -> reqwest::RequestBuilder,
{
    let started = Instant::now();
    let results: Vec<(Duration, bool)> = futures::stream::iter((0..n).map(|i| {
        let req = make(i);
        async move {
            let t = Instant::now();
            let ok = matches!(req.send().await, Ok(r) if r.status() == 200);
            (t.elapsed(), ok)
        }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    Report {
        name,
        elapsed: started.elapsed(),
        failures: results.iter().filter(|(_, ok)| !ok).count(),
        latencies: results.into_iter().map(|(d, _)| d).collect(),
    }
}

#[tokio::main]
async fn main() {
    let requests = env_usize("BENCH_REQUESTS", 4000);
    let concurrency = env_usize("BENCH_CONCURRENCY", 16);
    let server = start().await;
    let client = reqwest::Client::new();
    let base = Arc::new(server.base.clone());
    println!("seam-mock load benchmark: {requests} requests per scenario, {concurrency} in flight");
    println!("server RSS at start: {} KiB", server.rss_kib().unwrap_or(0));

    let seed: Value = client
        .get(format!("{base}/_fake/default_seed"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let workspace = seed["seed_workspace_1"].as_str().unwrap().to_string();
    // Twenty 4-8 digit locks with constraints, so PINs must be searched, not just drawn.
    let mut locks = Vec::new();
    for i in 0..20 {
        let body = json!({
            "workspace_id": workspace,
            "device_type": "august_lock",
            "display_name": format!("Bench {i}"),
            "properties": {"code_constraints": [
                {"constraint_type": "no_triple_consecutive_ints"},
                {"constraint_type": "at_least_three_unique_digits"}
            ]},
        });
        let d: Value = client
            .post(format!("{base}/_fake/devices"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        locks.push(d["device"]["device_id"].as_str().unwrap().to_string());
    }
    let locks = Arc::new(locks);

    let c = client.clone();
    let (b, l) = (base.clone(), locks.clone());
    drive("PUT create_multiple (3 locks)", requests, concurrency, move |i| {
        let ids = [&l[i % 20], &l[(i * 7 + 3) % 20], &l[(i * 13 + 11) % 20]];
        let ids: Vec<&String> = if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] { vec![ids[0]] } else { ids.to_vec() };
        c.put(format!("{b}/access_codes/create_multiple"))
            .header("authorization", KEY)
            .json(&json!({"device_ids": ids, "behavior_when_code_cannot_be_shared": "create_random_code"}))
    })
    .await
    .print();

    let listed: Value = client
        .get(format!(
            "{base}/access_codes/list?device_id={}&limit=1000",
            locks[0]
        ))
        .header("authorization", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        listed["access_codes"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "no codes listed: {listed}"
    );
    let ids: Arc<Vec<String>> = Arc::new(
        listed["access_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["access_code_id"].as_str().unwrap().to_string())
            .collect(),
    );

    let c = client.clone();
    let (b, i2) = (base.clone(), ids.clone());
    drive("GET access_codes/get", requests, concurrency, move |i| {
        c.get(format!(
            "{b}/access_codes/get?access_code_id={}",
            i2[i % i2.len()]
        ))
        .header("authorization", KEY)
    })
    .await
    .print();

    let c = client.clone();
    let (b, l) = (base.clone(), locks.clone());
    drive(
        "GET access_codes/list (1 lock)",
        requests / 4,
        concurrency,
        move |i| {
            c.get(format!(
                "{b}/access_codes/list?device_id={}&limit=100",
                l[i % 20]
            ))
            .header("authorization", KEY)
        },
    )
    .await
    .print();

    let c = client.clone();
    let b = base.clone();
    drive("GET devices/list", requests, concurrency, move |_| {
        c.get(format!("{b}/devices/list"))
            .header("authorization", KEY)
    })
    .await
    .print();

    let rss_before_dump = server.rss_kib().unwrap_or(0);
    let db: Value = client
        .get(format!("{base}/_fake/database"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    println!(
        "state: {} access codes, {} events; server RSS: {} KiB (after dumping the database: {} KiB)",
        db["access_codes"].as_array().map_or(0, Vec::len),
        db["events"].as_array().map_or(0, Vec::len),
        rss_before_dump,
        server.rss_kib().unwrap_or(0)
    );
}
