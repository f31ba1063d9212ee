//! The dashboard at any size (issue 24): a store holding 1,000,000 access codes in the seed's
//! second workspace (2,000 locks, 500,000 two-lock `create_multiple` calls, so as many linked
//! groups, with their events), filled through the store's API, and a full journal (10,000
//! requests), then the whole app (router and middleware, no socket)
//! asked for `GET /_fake/ui`: the page, a refresh of an unchanged state (304), a refresh
//! after a change, and `GET /_fake/ui/search` (an early match and a scan that matches
//! nothing). Prints bytes and server time (median of the runs, and the slowest).
//!
//! `cargo bench --bench dashboard` (a plain harness; `CODES=200000` for a smaller store).
//! Targets: the page and each refresh ≤ 256 KB and ≤ 50 ms at 1M codes.

use std::time::{Duration, Instant};

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use seam_mock::domain::command::{CodeSettings, CreateMultiple, DeviceIds};
use seam_mock::domain::create_multiple;
use seam_mock::store::{Scope, Settings, Store, seed};
use tower::ServiceExt;
use uuid::Uuid;

const LOCKS: usize = 2_000;
const RUNS: usize = 20;

fn lock_id(n: usize) -> Uuid {
    Uuid::from_u128(0xda_0000 + n as u128)
}

/// Two locks, `n` and the next, in one call.
fn pair(n: usize) -> CreateMultiple {
    CreateMultiple {
        device_ids: DeviceIds::new(vec![lock_id(n % LOCKS), lock_id((n + 1) % LOCKS)])
            .expect("two distinct locks"),
        plan: create_multiple::Request::default(),
        settings: CodeSettings {
            name: Some(format!("guest {n}")),
            ..CodeSettings::default()
        },
    }
}

fn fill(codes: usize) -> Store {
    let store = Store::new(
        seed::database(),
        Settings {
            rng_seed: Some(1),
            journal_size: 10_000,
            ..Settings::default()
        },
    )
    .expect("the seed loads");
    let template = seed::database().devices[0].clone();
    store
        .with_workspace_sync(seed::WORKSPACE_2, |ws| {
            for n in 0..LOCKS {
                let mut lock = template.clone();
                lock.device_id = lock_id(n);
                lock.display_name = format!("Bench lock {n}");
                ws.add_device(lock);
            }
            Ok(())
        })
        .expect("workspace 1");
    // In batches, so the workspace's lock is let go now and then, as under real traffic.
    for batch in 0..codes / 2 / 1_000 {
        store
            .with_workspace_sync(seed::WORKSPACE_2, |ws| {
                for i in 0..1_000 {
                    ws.create_multiple(pair(batch * 1_000 + i), &Scope::default())?;
                }
                Ok(())
            })
            .expect("a free PIN");
    }
    store
}

async fn get(
    app: &Router,
    uri: &str,
    etag: Option<&str>,
) -> (StatusCode, usize, Option<String>, Duration) {
    let mut req = Request::get(uri);
    if let Some(tag) = etag {
        req = req.header(header::IF_NONE_MATCH, tag);
    }
    let start = Instant::now();
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).expect("a request"))
        .await
        .expect("an answer");
    let status = res.status();
    let tag = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let bytes = to_bytes(res.into_body(), usize::MAX).await.expect("a body");
    (status, bytes.len(), tag, start.elapsed())
}

/// Runs `uri` [`RUNS`] times; prints its status, bytes, median and slowest time.
async fn measure(app: &Router, what: &str, uri: &str, etag: Option<&str>, before: impl Fn()) {
    let mut times = Vec::new();
    let (mut status, mut bytes) = (StatusCode::OK, 0);
    for _ in 0..RUNS {
        before();
        let (s, b, _, t) = get(app, uri, etag).await;
        (status, bytes) = (s, b);
        times.push(t);
    }
    times.sort();
    println!(
        "{what:<44} {:>3} {:>9} B  median {:>8.2} ms  max {:>8.2} ms",
        status.as_u16(),
        bytes,
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let codes: usize = std::env::var("CODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let start = Instant::now();
    let store = fill(codes);
    let db_codes = store
        .with_workspace_sync(seed::WORKSPACE_2, |ws| Ok(ws.codes_len()))
        .expect("workspace 1");
    println!(
        "filled {db_codes} codes on {LOCKS} locks in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let app = seam_mock::http::app(store.clone(), 1 << 20);
    // A full journal, every entry of workspace 2: the other workspace's latest requests and
    // those without one are looked for through all of it.
    for _ in 0..10_000 {
        let req = Request::get("/workspaces/get")
            .header(header::AUTHORIZATION, format!("Bearer {}", seed::API_KEY_2))
            .body(Body::empty())
            .expect("a request");
        let res = app.clone().oneshot(req).await.expect("an answer");
        assert_eq!(res.status(), StatusCode::OK);
    }

    let (_, _, tag, _) = get(&app, "/_fake/ui", None).await;
    let tag = tag.expect("an ETag");
    measure(&app, "page (GET /_fake/ui)", "/_fake/ui", None, || {}).await;
    measure(
        &app,
        "refresh, unchanged (If-None-Match)",
        "/_fake/ui",
        Some(&tag),
        || {},
    )
    .await;
    // Each run follows a new create_multiple, so each refresh is a 200 with the new page.
    let change = || {
        store
            .with_workspace_sync(seed::WORKSPACE_2, |ws| {
                ws.create_multiple(pair(codes / 2), &Scope::default())
            })
            .expect("a code");
    };
    measure(
        &app,
        "refresh after a change",
        "/_fake/ui",
        Some(&tag),
        change,
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let copies = store.search_copies();
        held.push(start.elapsed());
        drop(copies);
    }
    held.sort();
    println!(
        "{:<44}               median {:>8.2} ms  max {:>8.2} ms",
        "search: copies taken under the locks",
        held[RUNS / 2].as_secs_f64() * 1e3,
        held[RUNS - 1].as_secs_f64() * 1e3,
    );
    measure(
        &app,
        "search, 50 of many (q=guest)",
        "/_fake/ui/search?q=guest&limit=50",
        None,
        || {},
    )
    .await;
    measure(
        &app,
        "search, 200 of many (q=guest 7)",
        "/_fake/ui/search?q=guest%207&limit=200",
        None,
        || {},
    )
    .await;
    measure(
        &app,
        "search, a full scan (q=no-such-code)",
        "/_fake/ui/search?q=no-such-code",
        None,
        || {},
    )
    .await;
}
