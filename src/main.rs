//! The `seam-mock` binary: parse the command line; with no subcommand set up logging, bind and
//! serve until Ctrl-C or SIGTERM; with `healthcheck` probe that server's `/health` and exit 0/1.

use std::process::ExitCode;
use std::time::Duration;

use std::io::IsTerminal;

use clap::Parser;
use seam_mock::Config;
use seam_mock::config::{Cli, Command, LogFormat};

/// mimalloc instead of the system allocator: a stored code is dozens of small allocations,
/// which glibc's malloc serves more slowly and with 32 bytes at least each.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long each step of `seam-mock healthcheck` may take before the check fails.
const HEALTHCHECK_TIMEOUT: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Healthcheck) => healthcheck(&cli.config),
        None => serve(cli.config),
    }
}

fn healthcheck(config: &Config) -> ExitCode {
    match seam_mock::http::healthcheck::check(&config.host, config.port, HEALTHCHECK_TIMEOUT) {
        Ok(addr) => {
            println!("seam-mock: healthy at http://{addr}/health");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seam-mock: unhealthy: {e}");
            ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn serve(config: Config) -> ExitCode {
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
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = seam_mock::run(listener, config, seam_mock::shutdown_signal()).await {
        eprintln!("seam-mock: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
