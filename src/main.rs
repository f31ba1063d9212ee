//! The `seam-mock` binary: parse the command line; with no subcommand set up logging (on
//! stderr), bind, print one `{"event":"listening","url":...}` line on stdout and serve until
//! Ctrl-C or SIGTERM; with `healthcheck` probe that server's `/health` and exit 0/1.

use std::process::ExitCode;
use std::time::Duration;

use std::io::{IsTerminal, Write};

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
    // Transparent huge pages off for the whole process, before anything is allocated: mimalloc
    // asks for them, and the first touch of each zeroes 2 MB (after compacting memory when the
    // kernel has none free), which stalled requests behind a growing table for tens of ms and
    // some starts too (docs/performance.md).
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
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
    // Logs go to stderr so that stdout carries only the listening line a launcher reads.
    // Colour only for a person at a terminal; CI logs and files get plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
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
    // The store first: a state file it refuses stops the start (exit 2) before anything
    // listens.
    let store = match seam_mock::build_store(&config) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("seam-mock: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    let addr = format!("{}:{}", config.host, config.port);
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("seam-mock: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Printed for every port, not only 0: whoever started the binary learns from this one
    // line, flushed, that it is ready and where, without polling /health.
    let announce = |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", seam_mock::listening_line(addr));
        let _ = out.flush();
    };
    let shutdown = seam_mock::shutdown_signal();
    if let Err(e) =
        seam_mock::serve(listener, store, config.max_body_bytes, shutdown, announce).await
    {
        eprintln!("seam-mock: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
