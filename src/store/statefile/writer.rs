//! The state file's writer: a thread that owns the SQLite connection and, every
//! [`EVERY`], takes what changed in the store and commits it as one transaction.
//!
//! What changed is found without looking at everything: each workspace's [`Tracked`]
//! collections note the ids they wrote (`Workspace::take_changes`), so do the webhook hub's
//! (`Hub::take_changes`) and the snapshot shelf; the registry (credentials, outages), small
//! and rarely written, is counted by `Store::write` and compared row by row with what was
//! last written when the count moved. Records are cloned under their lock and turned into
//! JSON on this thread, after the lock is let go.
//!
//! [`Tracked`]: crate::store::tracked::Tracked

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use indexmap::IndexMap;
use rusqlite::Connection;
use uuid::Uuid;

use super::rows::{Key, OutageRecord, Record, SandboxRecord};
use super::sqlite::{self, Op};
use crate::store::faults::Faults;
use crate::store::records::WorkspaceRecord;
use crate::store::snapshots::ShelfChange;
use crate::store::webhooks::persist::HubChanges;
use crate::store::workspace::Changes;
use crate::store::{Registry, Store, WeakStore, lock};

/// How often the writer commits: with the time a commit takes, well within the 250 ms a
/// change may wait before it is in the file (contract §15).
pub const EVERY: Duration = Duration::from_millis(100);

/// What the writer last wrote of the state that is compared rather than tracked.
#[derive(Debug, Default)]
pub(super) struct Memo {
    /// `registry_writes` and the fault table's version when the registry was last read.
    registry_writes: Option<(u64, u64)>,
    /// The registry's rows as last written, in the file's order.
    registry: IndexMap<Key, String>,
    /// The workspaces that have rows, with their record as last written.
    workspaces: HashMap<Uuid, WorkspaceRecord>,
    /// The sandboxes whose seed is written.
    pub(super) sandboxes: HashSet<Uuid>,
    clock_offset_ms: Option<i64>,
}

/// Everything that changed, taken from the store in one pass.
struct Batch {
    registry: Option<Vec<Record>>,
    gone: Vec<Uuid>,
    sandboxes: Vec<Result<SandboxRecord, Uuid>>,
    hub: HubChanges,
    shelf: Vec<ShelfChange>,
    workspaces: Vec<(WorkspaceRecord, Changes)>,
    clock_offset_ms: i64,
}

/// The records of the registry (credentials, users, outages) and the fault rules.
fn registry_records(reg: &Registry, faults: &Faults) -> Vec<Record> {
    let mut out = Vec::new();
    out.extend(reg.api_keys.iter().cloned().map(Record::ApiKey));
    out.extend(
        reg.client_sessions
            .iter()
            .cloned()
            .map(Record::ClientSession),
    );
    out.extend(
        reg.personal_access_tokens
            .iter()
            .cloned()
            .map(Record::PersonalAccessToken),
    );
    out.extend(reg.users.iter().cloned().map(Record::User));
    for (id, paths) in &reg.outages {
        let mut paths: Vec<String> = paths.iter().cloned().collect();
        paths.sort();
        out.push(Record::Outage(OutageRecord {
            workspace_id: *id,
            paths,
        }));
    }
    out.extend(
        faults
            .records()
            .into_iter()
            .map(|f| Record::Fault(Box::new(f))),
    );
    out
}

impl Store {
    /// Takes what changed since the last call. The registry, the sandboxes, the webhooks and
    /// the snapshots are read under the registry's lock, so they agree with each other (an API
    /// key never without its workspace); then each workspace under its own lock.
    fn take_batch(&self, memo: &mut Memo) -> Batch {
        let reg = self.read();
        let writes = (
            self.inner.registry_writes.load(Ordering::SeqCst),
            self.inner.faults.version(),
        );
        let registry = (memo.registry_writes != Some(writes)).then(|| {
            memo.registry_writes = Some(writes);
            registry_records(&reg, &self.inner.faults)
        });
        let list: Vec<_> = reg
            .workspaces
            .iter()
            .map(|(id, ws)| (*id, ws.clone()))
            .collect();
        let gone: Vec<Uuid> = memo
            .workspaces
            .keys()
            .filter(|id| !reg.workspaces.contains_key(*id))
            .copied()
            .collect();
        let sandboxes = {
            let seeds = lock(&self.inner.sandboxes);
            let mut out: Vec<_> = memo
                .sandboxes
                .iter()
                .filter(|id| !seeds.contains_key(*id))
                .map(|id| Err(*id))
                .collect();
            out.extend(
                seeds
                    .iter()
                    .filter(|(id, _)| !memo.sandboxes.contains(*id))
                    .map(|(id, seed)| {
                        Ok(SandboxRecord {
                            workspace_id: *id,
                            seed: seed.clone(),
                        })
                    }),
            );
            out
        };
        let hub = self.inner.webhooks.take_changes();
        let shelf = self.take_shelf_changes();
        drop(reg);
        let workspaces = list
            .into_iter()
            .map(|(_, shared)| {
                let mut ws = shared.lock();
                let changes = ws.take_changes();
                (ws.record.clone(), changes)
            })
            .collect();
        Batch {
            registry,
            gone,
            sandboxes,
            hub,
            shelf,
            workspaces,
            clock_offset_ms: self.inner.clock.offset_ms(),
        }
    }

    /// Takes what changed and writes it, as one transaction.
    pub(super) fn commit_changes(
        &self,
        conn: &mut Connection,
        memo: &mut Memo,
    ) -> Result<(), String> {
        let batch = self.take_batch(memo);
        let ops = to_ops(batch, memo)?;
        if ops.is_empty() {
            return Ok(());
        }
        sqlite::apply(conn, ops).map_err(|e| e.to_string())
    }
}

fn put(r: &Record) -> Result<Op, String> {
    let (k, json) = sqlite::row(r)?;
    Ok(Op::Put(k, json))
}

/// Whether the file, holding `old`'s rows in that order, reads back `now`'s records of each
/// kind in `now`'s order once the new ones are written after them.
fn keeps_order(old: &IndexMap<Key, String>, now: &IndexMap<Key, String>) -> bool {
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, k) in now.keys().enumerate() {
        let at = old.get_index_of(k).unwrap_or(old.len() + i);
        if last.insert(k.kind, at).is_some_and(|before| before > at) {
            return false;
        }
    }
    true
}

/// The writes a batch makes, in order; `memo` learns what is written.
fn to_ops(batch: Batch, memo: &mut Memo) -> Result<Vec<Op>, String> {
    let mut ops = Vec::new();
    if let Some(records) = batch.registry {
        let mut now = IndexMap::with_capacity(records.len());
        for r in &records {
            let (k, json) = sqlite::row(r)?;
            now.insert(k, json);
        }
        // Rows are read back in the order they were first written: when the registry's order
        // is no longer the file's (a workspace reset puts its client sessions last), every
        // row is written again, in the registry's order.
        let rewrite = !keeps_order(&memo.registry, &now);
        for k in memo.registry.keys() {
            if rewrite || !now.contains_key(k) {
                ops.push(Op::Delete(k.clone()));
            }
        }
        for (k, json) in &now {
            if rewrite || memo.registry.get(k) != Some(json) {
                ops.push(Op::Put(k.clone(), json.clone()));
            }
        }
        memo.registry = now;
    }
    for id in batch.gone {
        memo.workspaces.remove(&id);
        ops.push(Op::ClearContent(id.to_string()));
        ops.push(Op::Delete(Key::new("workspace", None, id)));
    }
    for s in batch.sandboxes {
        match s {
            Ok(seed) => {
                memo.sandboxes.insert(seed.workspace_id);
                ops.push(put(&Record::Sandbox(seed))?);
            }
            Err(id) => {
                memo.sandboxes.remove(&id);
                ops.push(Op::Delete(Key::new("sandbox", Some(id), id)));
            }
        }
    }
    match batch.hub {
        HubChanges::Whole(records) => {
            ops.push(Op::ClearKind("webhook"));
            ops.push(Op::ClearKind("webhook_message"));
            for r in &records {
                ops.push(put(r)?);
            }
        }
        HubChanges::Some(rows) => {
            for r in rows {
                ops.push(match r {
                    Ok(r) => put(&r)?,
                    Err(k) => Op::Delete(k),
                });
            }
        }
    }
    for (record, changes) in batch.workspaces {
        let id = record.workspace_id;
        if memo.workspaces.get(&id) != Some(&record) {
            ops.push(put(&Record::Workspace(record.clone()))?);
            memo.workspaces.insert(id, record);
        }
        match changes {
            Changes::Whole(records) => {
                ops.push(Op::ClearContent(id.to_string()));
                for r in &records {
                    ops.push(put(r)?);
                }
            }
            Changes::Some(rows) => {
                for r in rows {
                    ops.push(match r {
                        Ok(r) => put(&r)?,
                        Err(k) => Op::Delete(k),
                    });
                }
            }
        }
    }
    for change in batch.shelf {
        ops.push(match change {
            ShelfChange::Saved(s) => {
                let (info, records) = s.records();
                let info_json = serde_json::to_string(info).map_err(|e| e.to_string())?;
                let rows = records.iter().map(sqlite::row).collect::<Result<_, _>>()?;
                Op::SaveSnapshot {
                    name: info.name.clone(),
                    info: info_json,
                    rows,
                }
            }
            ShelfChange::Deleted(name) => Op::DeleteSnapshot(name),
        });
    }
    if memo.clock_offset_ms != Some(batch.clock_offset_ms) {
        memo.clock_offset_ms = Some(batch.clock_offset_ms);
        ops.push(Op::Meta(
            "clock_offset_ms",
            batch.clock_offset_ms.to_string(),
        ));
    }
    Ok(ops)
}

/// The running writer: stopping it commits the last changes.
#[derive(Debug)]
pub struct Writer {
    stop: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Writer {
    /// Starts the thread, which commits every [`EVERY`] until told to stop or the store is
    /// gone.
    pub(super) fn start(store: WeakStore, mut conn: Connection, mut memo: Memo) -> Writer {
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("state-file".into())
            .spawn(move || {
                loop {
                    let last = !matches!(
                        stopped.recv_timeout(EVERY),
                        Err(mpsc::RecvTimeoutError::Timeout)
                    );
                    let Some(store) = store.upgrade() else {
                        return;
                    };
                    if let Err(e) = store.commit_changes(&mut conn, &mut memo) {
                        tracing::error!(error = %e, "state file: cannot write");
                    }
                    if last {
                        return;
                    }
                }
            })
            .expect("spawning the state file's writer");
        Writer { stop, thread }
    }

    /// Commits what is left and waits for the thread to end.
    pub(super) fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(keys: &[(&'static str, &str)]) -> IndexMap<Key, String> {
        keys.iter()
            .map(|(kind, id)| (Key::new(kind, None, id), String::new()))
            .collect()
    }

    #[test]
    fn records_that_changed_places_within_their_kind_rewrite_the_registry() {
        let old = rows(&[
            ("api_key", "a"),
            ("client_session", "x"),
            ("client_session", "y"),
        ]);
        // Removed, added last, and another kind in between: the file reads the same order.
        let same = rows(&[
            ("api_key", "a"),
            ("api_key", "b"),
            ("client_session", "y"),
            ("client_session", "z"),
        ]);
        assert!(keeps_order(&old, &same));
        // `x` taken out and put back last: in the file it would still come first.
        let moved = rows(&[
            ("api_key", "a"),
            ("client_session", "y"),
            ("client_session", "x"),
        ]);
        assert!(!keeps_order(&old, &moved));
        // A new one before an old one of its kind: the file would put it after.
        let before = rows(&[("api_key", "n"), ("api_key", "a")]);
        assert!(!keeps_order(&old, &before));
    }
}
