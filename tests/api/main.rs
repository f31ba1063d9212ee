//! The integration-test binary of seam-mock: every test starts a real server in-process on
//! `127.0.0.1:0` (see [`helpers::TestApp`]) and talks HTTP to it, proving the "core server"
//! issue point by point against the contract in `seam-api.md`.

mod access_codes;
mod account_changes;
mod auth;
mod backup_pool;
mod binary;
mod client_sessions;
mod concurrency;
mod config;
mod connected_accounts;
mod create_multiple;
mod dashboard;
mod device_changes;
mod devices;
mod door;
mod every_change;
mod external;
mod fake;
mod faults;
mod fixtures;
mod healthcheck;
mod helpers;
mod journal;
mod lifecycle;
mod locks;
mod logs;
mod offline;
mod outage;
mod outcomes;
mod readme;
mod sandboxes;
mod schema;
mod simulate;
mod snapshots;
mod state_file;
mod state_file_changes;
mod timeline;
mod ui;
mod webhooks;
mod wire;
mod workspace_changes;
mod workspace_reset;
mod workspaces;
