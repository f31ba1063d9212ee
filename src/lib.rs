//! seam-mock: a server that speaks Seam Connect's access-code API, for local development and
//! integration tests.
//!
//! Three rooms: [`http`] (the edge: routes, auth, extractors, error mapping), [`domain`] (the
//! rules: PINs, create_multiple planning, code lifecycle — no HTTP, no locks) and [`store`]
//! (workspaces, devices, codes and events behind per-workspace locks). The edge parses each
//! request into the domain's types (commands, PINs, lock lists) and renders the domain's
//! records, but asks the store for every decision about state; the store applies the domain's
//! rules under a workspace's lock and keeps the result. Neither the domain nor the store
//! knows the edge.
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
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use store::{Settings, Store};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting or the seed is wrong.
    #[error("{0}")]
    Config(String),
    /// The state file cannot be read, or holds something the server refuses.
    #[error("{0}")]
    StateFile(String),
}

impl StartError {
    /// The binary's exit status: 2 for a state file it refuses (contract §15), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            StartError::Config(_) => 1,
            StartError::StateFile(_) => 2,
        }
    }
}

/// Builds the store `config` asks for; with `--state-file`, reads the file (or makes it) and
/// starts its writer and the delivery tasks of the webhooks it held.
pub fn build_store(config: &Config) -> std::result::Result<Store, StartError> {
    let db = config.initial_database().map_err(StartError::Config)?;
    let loaded = match &config.state_file {
        Some(path) if path.exists() => {
            Some(store::statefile::read(path).map_err(StartError::StateFile)?)
        }
        _ => None,
    };
    let rng_seed = match (&loaded, config.rng_seed) {
        (Some(l), Some(seed)) => Some(store::statefile::reseed(seed, l.starts + 1)),
        (_, seed) => seed,
    };
    let store = Store::new(
        db,
        Settings {
            programming_delay: chrono::Duration::seconds(i64::from(config.programming_delay)),
            rng_seed,
            console_jwt_secret: config.console_jwt_secret.clone(),
            journal_size: config.journal_size,
        },
    )
    .map_err(StartError::Config)?;
    if let Some(path) = &config.state_file {
        let restarted = store
            .open_state_file(path, loaded)
            .map_err(StartError::StateFile)?;
        for (webhook_id, wake) in restarted {
            webhooks::start(&store, webhook_id, wake);
        }
    }
    Ok(store)
}

/// Serves seam-mock on `listener` until `shutdown` completes. Tests bind port 0 and pass their
/// own shutdown future.
pub async fn run(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::result::Result<(), String> {
    run_announced(listener, config, shutdown, |_| {}).await
}

/// [`run`], calling `listening` with the bound address once the store is built and the server
/// accepts connections: the binary announces itself there (see [`listening_line`]), so a
/// helper that started it knows it is ready without polling.
pub async fn run_announced(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    listening: impl FnOnce(SocketAddr),
) -> std::result::Result<(), String> {
    let store = build_store(&config).map_err(|e| e.to_string())?;
    serve(listener, store, config.max_body_bytes, shutdown, listening).await
}

/// Serves a built store on `listener` until `shutdown` completes, then commits the last
/// changes to the state file (when there is one).
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    max_body_bytes: usize,
    shutdown: impl Future<Output = ()> + Send + 'static,
    listening: impl FnOnce(SocketAddr),
) -> std::result::Result<(), String> {
    let app = http::app(store.clone(), max_body_bytes);
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, "seam-mock listening");
    listening(addr);
    // Connections a fault rule can drop without a word (`http::faults`).
    let connections = http::faults::Connections {
        app,
        store: store.clone(),
    };
    let served = axum::serve(http::faults::Listener(listener), connections)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| e.to_string());
    let _ = tokio::task::spawn_blocking(move || store.close_state_file()).await;
    served
}

/// The one line the binary prints on stdout once it listens,
/// `{"event":"listening","url":"http://127.0.0.1:PORT"}`: the address a client can reach, so
/// an unspecified bind (`0.0.0.0`, `::`) names loopback.
pub fn listening_line(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let url = format!("http://{}", SocketAddr::new(ip, addr.port()));
    serde_json::json!({"event": "listening", "url": url}).to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listening_line_names_a_reachable_url() {
        let line = |a: &str| listening_line(a.parse().unwrap());
        assert_eq!(
            line("127.0.0.1:4321"),
            r#"{"event":"listening","url":"http://127.0.0.1:4321"}"#
        );
        assert_eq!(
            line("0.0.0.0:80"),
            r#"{"event":"listening","url":"http://127.0.0.1:80"}"#
        );
        assert_eq!(
            line("[::]:9"),
            r#"{"event":"listening","url":"http://[::1]:9"}"#
        );
        assert_eq!(
            line("[::1]:9"),
            r#"{"event":"listening","url":"http://[::1]:9"}"#
        );
        assert_eq!(
            line("10.1.2.3:7"),
            r#"{"event":"listening","url":"http://10.1.2.3:7"}"#
        );
    }
}
