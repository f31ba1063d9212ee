//! The `seam-mock` binary: parse the configuration, set up logging, bind, serve until
//! Ctrl-C or SIGTERM.

use clap::Parser;
use seam_mock::{Config, config::LogFormat};

#[tokio::main]
async fn main() {
    let config = Config::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
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
