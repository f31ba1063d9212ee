//! Command-line and environment configuration (`seam-mock --help`).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::store::records::Database;
use crate::store::seed;

/// How log lines look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line.
    Json,
}

/// seam-mock's settings; every flag can also come from the environment.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "seam-mock",
    version,
    about = "A faithful mock of Seam Connect's access-code API"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "SEAM_MOCK_HOST",
        default_value = "127.0.0.1",
        global = true
    )]
    pub host: String,

    /// Port to listen on (0 picks a free one). Once listening, the binary prints one line on
    /// stdout, `{"event":"listening","url":"http://127.0.0.1:PORT"}`; logs go to stderr.
    #[arg(long, env = "PORT", default_value_t = 8080, global = true)]
    pub port: u16,

    /// Start with the default seed (the default; accepted for compatibility with Seam's fake).
    #[arg(long, env = "SEAM_MOCK_SEED", conflicts_with_all = ["empty", "seed_file"])]
    pub seed: bool,

    /// Start with no data at all (load some with `PUT /_fake/database`).
    #[arg(long, env = "SEAM_MOCK_EMPTY", conflicts_with = "seed_file")]
    pub empty: bool,

    /// Start from a JSON fixture in the shape `GET /_fake/database` returns.
    #[arg(long, env = "SEAM_MOCK_SEED_FILE", value_name = "FILE")]
    pub seed_file: Option<PathBuf>,

    /// Keep the state in this SQLite file: read at start (made from the seed when missing),
    /// every change written within 250 ms, so a restart finds everything where it was.
    #[arg(long, env = "SEAM_MOCK_STATE_FILE", value_name = "PATH")]
    pub state_file: Option<PathBuf>,

    /// Seed for every random choice (PINs, keys, ids), for reproducible runs.
    #[arg(long, env = "SEAM_MOCK_RNG_SEED", value_name = "N")]
    pub rng_seed: Option<u64>,

    /// Seconds a device takes to program a new code (0: the next read already says `set`).
    #[arg(
        long,
        env = "SEAM_MOCK_PROGRAMMING_DELAY",
        default_value_t = 0,
        value_name = "SECONDS"
    )]
    pub programming_delay: u32,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "SEAM_MOCK_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// The HS256 secret console-session JWTs (`{user_id, key}`) must be signed with.
    #[arg(
        long,
        env = "SEAM_MOCK_CONSOLE_JWT_SECRET",
        default_value = "secret",
        hide_env_values = true
    )]
    pub console_jwt_secret: String,
    /// How many Seam-API requests the journal (`/_fake/requests`) keeps; 0 keeps none.
    #[arg(
        long,
        env = "SEAM_MOCK_JOURNAL_SIZE",
        default_value_t = 10_000,
        value_name = "N"
    )]
    pub journal_size: usize,

    /// Log line format.
    #[arg(long, env = "SEAM_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
}

/// The whole command line: the server's settings and, optionally, a subcommand. With no
/// subcommand the binary serves; `healthcheck` lets a container probe its own server with the
/// same `--host`/`--port` (or `SEAM_MOCK_HOST`/`PORT`) the server was started with.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "seam-mock",
    version,
    about = "A faithful mock of Seam Connect's access-code API"
)]
pub struct Cli {
    /// The server's settings.
    #[command(flatten)]
    pub config: Config,

    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands; none means "serve".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// GET /health on the configured host and port (0.0.0.0 and :: probe loopback); exit 0
    /// when it answers 200, 1 otherwise. For container HEALTHCHECKs: no shell or curl needed.
    Healthcheck,
}

impl Default for Config {
    fn default() -> Self {
        Config::parse_from(["seam-mock"])
    }
}

impl Config {
    /// The database the server starts from (and `/_fake/reset` returns to).
    pub fn initial_database(&self) -> Result<Database, String> {
        if self.empty {
            return Ok(Database::default());
        }
        if let Some(path) = &self.seed_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read seed file {}: {e}", path.display()))?;
            let db: Database = serde_json::from_str(&text).map_err(|e| {
                format!("seed file {} is not a valid database: {e}", path.display())
            })?;
            db.check()
                .map_err(|e| format!("seed file {}: {e}", path.display()))?;
            return Ok(db);
        }
        Ok(seed::database())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let c = Config::parse_from(["seam-mock"]);
        assert_eq!(
            (c.host.as_str(), c.port, c.programming_delay),
            ("127.0.0.1", 8080, 0)
        );
        assert_eq!(c.journal_size, 10_000);
        assert_eq!(c.initial_database().unwrap().workspaces.len(), 2);
        let c = Config::parse_from([
            "seam-mock",
            "--empty",
            "--port",
            "0",
            "--rng-seed",
            "7",
            "--log-format",
            "json",
            "--journal-size",
            "5",
        ]);
        assert_eq!(c.journal_size, 5);
        assert!(c.initial_database().unwrap().workspaces.is_empty());
        assert_eq!(
            (c.port, c.rng_seed, c.log_format),
            (0, Some(7), LogFormat::Json)
        );
        assert_eq!(c.console_jwt_secret, "secret");
        let c = Config::parse_from(["seam-mock", "--console-jwt-secret", "s3"]);
        assert_eq!(c.console_jwt_secret, "s3");
        assert!(Config::try_parse_from(["seam-mock", "--empty", "--seed-file", "x.json"]).is_err());
    }

    #[test]
    fn no_subcommand_serves_and_healthcheck_takes_host_and_port_on_either_side() {
        let cli = Cli::parse_from(["seam-mock", "--port", "9001", "--empty"]);
        assert_eq!((cli.command, cli.config.port), (None, 9001));
        assert!(cli.config.empty);
        for args in [
            &[
                "seam-mock",
                "healthcheck",
                "--host",
                "0.0.0.0",
                "--port",
                "9002",
            ][..],
            &[
                "seam-mock",
                "--host",
                "0.0.0.0",
                "--port",
                "9002",
                "healthcheck",
            ][..],
        ] {
            let cli = Cli::parse_from(args);
            assert_eq!(cli.command, Some(Command::Healthcheck));
            assert_eq!(
                (cli.config.host.as_str(), cli.config.port),
                ("0.0.0.0", 9002)
            );
        }
        assert!(Cli::try_parse_from(["seam-mock", "healthcheck", "--empty"]).is_err());
        assert!(Cli::try_parse_from(["seam-mock", "nonsense"]).is_err());
    }

    #[test]
    fn seed_file_must_exist_and_be_consistent() {
        let dir = std::env::temp_dir().join(format!("seam-mock-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        std::fs::write(&good, serde_json::to_string(&seed::database()).unwrap()).unwrap();
        let c = Config::parse_from(["seam-mock", "--seed-file", good.to_str().unwrap()]);
        assert_eq!(c.initial_database().unwrap(), seed::database());
        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"{"api_keys":[{"token":"seam_x","workspace_id":"5ea10001-0000-4000-8000-000000000009"}]}"#).unwrap();
        let c = Config::parse_from(["seam-mock", "--seed-file", bad.to_str().unwrap()]);
        assert!(
            c.initial_database()
                .unwrap_err()
                .contains("unknown workspace_id")
        );
        let c = Config::parse_from([
            "seam-mock",
            "--seed-file",
            dir.join("missing.json").to_str().unwrap(),
        ]);
        assert!(c.initial_database().unwrap_err().contains("cannot read"));
    }
}
