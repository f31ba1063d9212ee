//! The `seam-mock` binary: parse the configuration, set up logging, bind, serve until
//! Ctrl-C or SIGTERM.

use std::io::IsTerminal;

use clap::Parser;
use seam_mock::{Config, config::LogFormat};

#[tokio::main]
async fn main() {
    let config = Config::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    // Colour only for a person at a terminal; CI logs and files get plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    match config.log_format {
        // Event fields (status, latency_ms, workspace_id) at the top level, the request's
        // span (method, path, request_id) under `span`.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_span_list(false)
            .init(),
        LogFormat::Pretty => builder.init(),
    }
    let addr = format!("{}:{}", config.host, config.port);
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("seam-mock: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = seam_mock::run(listener, config, seam_mock::shutdown_signal()).await {
        eprintln!("seam-mock: {e}");
        std::process::exit(1);
    }
}
