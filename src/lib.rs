//! seam-mock: a server that speaks Seam Connect's access-code API, for local development and
//! integration tests.
//!
//! Three rooms: [`http`] (the edge: routes, auth, extractors, error mapping), [`domain`] (the
//! rules: PINs, create_multiple planning, code lifecycle — no HTTP, no locks) and [`store`]
//! (workspaces, devices, codes and events behind per-workspace locks). The edge calls the
//! domain through the store; the domain decides; the store keeps.
//! [`webhooks`] is the outbound edge: tasks that deliver the store's events to registered URLs.

pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod store;
pub mod webhooks;

pub use config::Config;
pub use error::{Error, Result};

use std::future::Future;

use store::{Settings, Store};

/// Builds the store `config` asks for.
pub fn build_store(config: &Config) -> std::result::Result<Store, String> {
    let db = config.initial_database()?;
    Store::new(
        db,
        Settings {
            programming_delay: chrono::Duration::seconds(i64::from(config.programming_delay)),
            rng_seed: config.rng_seed,
            console_jwt_secret: config.console_jwt_secret.clone(),
            journal_size: config.journal_size,
        },
    )
}

/// Serves seam-mock on `listener` until `shutdown` completes. Tests bind port 0 and pass their
/// own shutdown future.
pub async fn run(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::result::Result<(), String> {
    let store = build_store(&config)?;
    let app = http::app(store.clone(), config.max_body_bytes);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "seam-mock listening");
    }
    // Connections a fault rule can drop without a word (`http::faults`).
    let connections = http::faults::Connections { app, store };
    axum::serve(http::faults::Listener(listener), connections)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| e.to_string())
}

/// Completes on Ctrl-C or SIGTERM (what a container runtime sends PID 1).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
