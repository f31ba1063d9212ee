//! `--state-file PATH` (contract §15): the store kept in an SQLite database that outlives the
//! process. At start an existing file is read (read-only: a file that is refused is left as
//! it was) and held to the invariants of a fixture (`Database::check`); a missing one is
//! made from the seed, whole, under another name and then renamed, so a start that is killed
//! never leaves a half-made file at PATH. While the server runs, [`Writer`] commits what
//! changed every [`EVERY`]; [`Store::close_state_file`] commits the rest.
//!
//! The layout is in [`sqlite`]; a record's row in [`rows`]; how changes are found in
//! `writer`.

pub mod rows;
mod sqlite;
mod writer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::records::Database;
use super::snapshots::{Restarted, SnapshotInfo};
use super::webhooks::Saved;
use super::{Store, lock};
use rows::{Extras, Record};
use sqlite::Op;
pub use writer::{EVERY, Writer};

/// What a state file held.
#[derive(Debug)]
pub struct Loaded {
    db: Database,
    extras: Extras,
    snapshots: Vec<(SnapshotInfo, Vec<(Database, Saved)>)>,
    clock_offset_ms: i64,
    /// How many times a server started from it before.
    pub starts: u64,
}

/// The `--rng-seed` of a run that starts from a file `starts` runs have used: another one
/// each time, so a restart does not hand out the ids of the run before.
pub fn reseed(seed: u64, starts: u64) -> u64 {
    seed ^ starts.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Records read from rows, into a database and what the export leaves out.
fn parse_rows(rows: Vec<sqlite::ReadRow>) -> Result<(Database, Extras), String> {
    let mut db = Database::default();
    let mut extras = Extras::default();
    for (kind, id, json) in rows {
        let record = Record::parse(&kind, &json).map_err(|e| format!("{kind} {id}: {e}"))?;
        rows::add(&mut db, &mut extras, record);
    }
    Ok((db, extras))
}

/// A snapshot's rows, one database and one set of webhooks per workspace, in the order of
/// `info.workspace_ids` (the order a restore locks them in).
fn parse_snapshot(
    info: &SnapshotInfo,
    rows: Vec<sqlite::ReadRow>,
) -> Result<Vec<(Database, Saved)>, String> {
    let mut by_ws: HashMap<Uuid, Vec<sqlite::ReadRow>> = HashMap::new();
    for (kind, id, json) in rows {
        let ws = match Record::parse(&kind, &json).map_err(|e| format!("{kind} {id}: {e}"))? {
            Record::Workspace(w) => w.workspace_id,
            Record::Webhook(w) => w.workspace_id,
            Record::Message(m) => m.delivery.workspace_id,
            other => match other.key().workspace_id.parse() {
                Ok(ws) => ws,
                Err(_) => return Err(format!("{kind} {id}: not part of a workspace")),
            },
        };
        by_ws.entry(ws).or_default().push((kind, id, json));
    }
    let mut out = Vec::new();
    for ws in &info.workspace_ids {
        let (db, extras) = parse_rows(by_ws.remove(ws).unwrap_or_default())?;
        if db.workspaces.len() != 1 {
            return Err(format!("workspace {ws} is missing"));
        }
        db.check()?;
        out.push((db, Saved::from_records(extras.webhooks, extras.messages)));
    }
    Ok(out)
}

/// Reads a state file, without writing to it, and checks what it holds: the message names the
/// file and the problem.
pub fn read(path: &Path) -> Result<Loaded, String> {
    let bad = |what: String| format!("state file {}: {what}", path.display());
    let not_ours = |e: rusqlite::Error| bad(format!("not a seam-mock state file ({e})"));
    let conn = sqlite::open_read_only(path).map_err(not_ours)?;
    let format = sqlite::meta(&conn, "format").map_err(not_ours)?;
    if format.as_deref() != Some(sqlite::FORMAT) {
        return Err(bad(format!(
            "layout version {format:?}; this seam-mock reads {:?}",
            sqlite::FORMAT
        )));
    }
    let number = |key: &str| -> Result<i64, String> {
        match sqlite::meta(&conn, key).map_err(not_ours)? {
            None => Ok(0),
            Some(v) => v
                .parse()
                .map_err(|_| bad(format!("meta {key}: {v:?} is not a number"))),
        }
    };
    let clock_offset_ms = number("clock_offset_ms")?;
    let starts = number("starts")?.max(0) as u64;
    let (db, extras) = parse_rows(sqlite::live_rows(&conn).map_err(not_ours)?).map_err(bad)?;
    db.check().map_err(bad)?;
    for w in &extras.webhooks {
        if !db
            .workspaces
            .iter()
            .any(|x| x.workspace_id == w.workspace_id)
        {
            return Err(bad(format!(
                "webhook {}: unknown workspace_id {}",
                w.webhook.webhook_id, w.workspace_id
            )));
        }
    }
    let mut snapshots = Vec::new();
    for (name, json) in sqlite::snapshot_infos(&conn).map_err(not_ours)? {
        let info: SnapshotInfo =
            serde_json::from_str(&json).map_err(|e| bad(format!("snapshot {name:?}: {e}")))?;
        let rows = sqlite::snapshot_rows(&conn, &name).map_err(not_ours)?;
        let saved =
            parse_snapshot(&info, rows).map_err(|e| bad(format!("snapshot {name:?}: {e}")))?;
        snapshots.push((info, saved));
    }
    Ok(Loaded {
        db,
        extras,
        snapshots,
        clock_offset_ms,
        starts,
    })
}

/// `PATH.creating`: where a new state file is made before it is renamed to PATH.
fn creating(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".creating");
    path.with_file_name(name)
}

impl Store {
    /// Keeps the store in the file at `path` from now on: takes what `loaded` read from it,
    /// or makes the file from the store as it is when there was none. Returns the webhooks
    /// whose delivery task the caller starts.
    pub fn open_state_file(
        &self,
        path: &Path,
        loaded: Option<Loaded>,
    ) -> Result<Restarted, String> {
        let bad = |e: &dyn std::fmt::Display| format!("state file {}: {e}", path.display());
        let mut memo = writer::Memo::default();
        let (mut conn, restarted) = match loaded {
            Some(l) => {
                let starts = l.starts + 1;
                let restarted = self.load_state(l, &mut memo).map_err(|e| bad(&e))?;
                let mut conn = sqlite::open(path).map_err(|e| bad(&e))?;
                sqlite::apply(&mut conn, vec![Op::Meta("starts", starts.to_string())])
                    .map_err(|e| bad(&e))?;
                (conn, restarted)
            }
            None => {
                let tmp = creating(path);
                let _ = std::fs::remove_file(&tmp);
                let mut conn = sqlite::open(&tmp).map_err(|e| bad(&e))?;
                sqlite::create_schema(&conn).map_err(|e| bad(&e))?;
                self.commit_changes(&mut conn, &mut memo)
                    .map_err(|e| bad(&e))?;
                // Everything into the file itself before the rename: no WAL left behind.
                conn.pragma_update(None, "journal_mode", "DELETE")
                    .map_err(|e| bad(&e))?;
                conn.close().map_err(|(_, e)| bad(&e))?;
                std::fs::rename(&tmp, path).map_err(|e| bad(&e))?;
                (sqlite::open(path).map_err(|e| bad(&e))?, Vec::new())
            }
        };
        self.commit_changes(&mut conn, &mut memo)
            .map_err(|e| bad(&e))?;
        *lock(&self.inner.state_file) = Some(Writer::start(self.downgrade(), conn, memo));
        Ok(restarted)
    }

    /// Commits the last changes to the state file and stops its writer (at shutdown).
    pub fn close_state_file(&self) {
        let writer = lock(&self.inner.state_file).take();
        if let Some(w) = writer {
            w.stop();
        }
    }

    /// Takes the state a file held, and counts it as written.
    fn load_state(&self, l: Loaded, memo: &mut writer::Memo) -> Result<Restarted, String> {
        self.inner.clock.set_offset_ms(l.clock_offset_ms);
        self.replace(l.db)?;
        let Extras {
            outages,
            sandboxes,
            webhooks,
            messages,
            faults,
        } = l.extras;
        self.inner.faults.load(faults)?;
        {
            let mut reg = self.write();
            for o in outages {
                if reg.workspaces.contains_key(&o.workspace_id) {
                    reg.outages
                        .insert(o.workspace_id, o.paths.into_iter().collect());
                }
            }
            let mut seeds = lock(&self.inner.sandboxes);
            for s in sandboxes {
                if reg.workspaces.contains_key(&s.workspace_id) {
                    memo.sandboxes.insert(s.workspace_id);
                    seeds.insert(s.workspace_id, s.seed);
                }
            }
            for ws in reg.workspaces.values() {
                ws.lock().mark_saved();
            }
        }
        let restarted = self.inner.webhooks.load(webhooks, messages);
        for (info, saved) in l.snapshots {
            self.load_snapshot(info, saved);
        }
        Ok(restarted)
    }
}
