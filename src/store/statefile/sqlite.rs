//! The state file's layout in SQLite, its reading, and the writing of one batch of changes as
//! one transaction.
//!
//! ```sql
//! records(kind, workspace_id, id, json)            -- the live state, one row per record
//! snapshots(name, json)                            -- each snapshot's description
//! snapshot_records(snapshot, kind, workspace_id, id, json)  -- what each snapshot holds
//! meta(key, value)                                 -- format, clock_offset_ms, starts
//! ```
//!
//! `workspace_id` is `''` for records above workspaces (personal access tokens, users). Rows
//! are read back in `rowid` order, which is the order records were first written: an update
//! (`ON CONFLICT … DO UPDATE`) keeps a row's place.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::rows::{CONTENT_KINDS, Key, Record};

/// The layout's version, in `meta.format`.
pub const FORMAT: &str = "1";

const SCHEMA: &str = "
CREATE TABLE records (
    kind TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    id TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (kind, workspace_id, id)
);
CREATE TABLE snapshots (name TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE snapshot_records (
    snapshot TEXT NOT NULL,
    kind TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    id TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (snapshot, kind, workspace_id, id)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

/// Opens the file to write: WAL, so a reader (`sqlite3 PATH`) never waits for the writer, and
/// `synchronous=NORMAL`, which in WAL mode loses nothing to a killed process (only a power
/// loss can take the last commits).
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

/// A new file's tables.
pub fn create_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('format', ?1)",
        [FORMAT],
    )?;
    Ok(())
}

/// Opens the file to read only: nothing is written to it, whatever it holds.
pub fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// One `meta` value.
pub fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

/// A row as read back: kind, id and JSON.
pub type ReadRow = (String, String, String);

/// Every live row, in the order first written.
pub fn live_rows(conn: &Connection) -> rusqlite::Result<Vec<ReadRow>> {
    let mut st = conn.prepare("SELECT kind, id, json FROM records ORDER BY rowid")?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// Every snapshot as `(name, json)`, in the order first saved.
pub fn snapshot_infos(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare("SELECT name, json FROM snapshots ORDER BY rowid")?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// One snapshot's rows, in the order written.
pub fn snapshot_rows(conn: &Connection, name: &str) -> rusqlite::Result<Vec<ReadRow>> {
    let mut st = conn.prepare(
        "SELECT kind, id, json FROM snapshot_records WHERE snapshot = ?1 ORDER BY rowid",
    )?;
    st.query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// One write to the file.
#[derive(Debug)]
pub enum Op {
    /// Writes (or rewrites) a live row.
    Put(Key, String),
    /// Removes a live row.
    Delete(Key),
    /// Removes a workspace's content rows (before its content is written whole).
    ClearContent(String),
    /// Removes every live row of a kind (before all of that kind is written again).
    ClearKind(&'static str),
    /// Stores a snapshot: its description and rows, replacing one of that name.
    SaveSnapshot {
        name: String,
        info: String,
        rows: Vec<(Key, String)>,
    },
    /// Removes a snapshot.
    DeleteSnapshot(String),
    /// Sets a `meta` value.
    Meta(&'static str, String),
}

/// Applies `ops` in one transaction: the file moves from one batch to the next, never to a
/// state between.
pub fn apply(conn: &mut Connection, ops: Vec<Op>) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut put = tx.prepare_cached(
            "INSERT INTO records(kind, workspace_id, id, json) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(kind, workspace_id, id) DO UPDATE SET json = excluded.json",
        )?;
        let mut delete = tx.prepare_cached(
            "DELETE FROM records WHERE kind = ?1 AND workspace_id = ?2 AND id = ?3",
        )?;
        let mut clear =
            tx.prepare_cached("DELETE FROM records WHERE kind = ?1 AND workspace_id = ?2")?;
        for op in ops {
            match op {
                Op::Put(k, json) => {
                    put.execute(params![k.kind, k.workspace_id, k.id, json])?;
                }
                Op::Delete(k) => {
                    delete.execute(params![k.kind, k.workspace_id, k.id])?;
                }
                Op::ClearContent(workspace_id) => {
                    for kind in CONTENT_KINDS {
                        clear.execute(params![kind, workspace_id])?;
                    }
                }
                Op::ClearKind(kind) => {
                    tx.execute("DELETE FROM records WHERE kind = ?1", [kind])?;
                }
                Op::SaveSnapshot { name, info, rows } => {
                    tx.execute("DELETE FROM snapshot_records WHERE snapshot = ?1", [&name])?;
                    tx.execute(
                        "INSERT INTO snapshots(name, json) VALUES (?1, ?2)
                         ON CONFLICT(name) DO UPDATE SET json = excluded.json",
                        [&name, &info],
                    )?;
                    let mut row = tx.prepare_cached(
                        "INSERT OR REPLACE INTO snapshot_records(snapshot, kind, workspace_id, id, json)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?;
                    for (k, json) in rows {
                        row.execute(params![name, k.kind, k.workspace_id, k.id, json])?;
                    }
                }
                Op::DeleteSnapshot(name) => {
                    tx.execute("DELETE FROM snapshot_records WHERE snapshot = ?1", [&name])?;
                    tx.execute("DELETE FROM snapshots WHERE name = ?1", [&name])?;
                }
                Op::Meta(key, value) => {
                    tx.execute(
                        "INSERT INTO meta(key, value) VALUES (?1, ?2)
                         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [key, value.as_str()],
                    )?;
                }
            }
        }
    }
    tx.commit()
}

/// A record's row: its key and its JSON.
pub fn row(r: &Record) -> Result<(Key, String), String> {
    let json = r
        .json()
        .map_err(|e| format!("{}: cannot write: {e}", r.key().kind))?;
    Ok((r.key(), json))
}
