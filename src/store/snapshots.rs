//! Named snapshots (contract §15): a copy of one workspace's content, or of every workspace's,
//! that a restore brings back — devices, codes (managed, unmanaged, backup pools), events,
//! action attempts, customization profiles, keypads, webhooks and their pending messages. A restore leaves everything else
//! alone: other workspaces, credentials, the server clock, outages, and each workspace's id
//! generator (no id is handed out twice).
//!
//! A snapshot holds workspaces as the store does (a clone, indexes included), so save and
//! restore copy memory rather than rebuild indexes (`Workspace::copy_content`); `Workspace::dump` and `Hub`'s records turn
//! one into plain records for anything that writes them out.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Result};

use super::records::Database;
use super::statefile::rows::{Record, records_of};
use super::webhooks::Saved;
use super::{Shared, Store, Workspace, lock};

/// What a snapshot is, as the snapshot routes describe it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotInfo {
    pub name: String,
    /// Whether it was saved without a `workspace_id`: every workspace there was.
    pub all_workspaces: bool,
    /// The workspaces it holds, which a restore rewinds.
    pub workspace_ids: Vec<Uuid>,
    /// The server clock when it was saved.
    #[serde(with = "crate::domain::timestamp::required")]
    pub created_at: DateTime<Utc>,
}

/// One saved workspace.
#[derive(Debug)]
struct SavedWorkspace {
    content: Workspace,
    webhooks: Saved,
}

/// A snapshot: what it is and what it holds.
#[derive(Debug)]
pub struct Snapshot {
    info: SnapshotInfo,
    workspaces: Vec<SavedWorkspace>,
}

/// Every snapshot, by name, in the order first saved.
#[derive(Debug, Default)]
pub struct Shelf {
    by_name: IndexMap<String, Arc<Snapshot>>,
    /// Saves and deletes the state file has yet to write (`None`: no state file).
    log: Option<Vec<ShelfChange>>,
}

/// A change to the shelf, for the state file.
#[derive(Debug)]
pub enum ShelfChange {
    Saved(Arc<Snapshot>),
    Deleted(String),
}

impl Shelf {
    fn note(&mut self, change: ShelfChange) {
        if let Some(log) = &mut self.log {
            log.push(change);
        }
    }
}

impl Snapshot {
    /// What it is, and what it holds as the state file's records.
    pub fn records(&self) -> (&SnapshotInfo, Vec<Record>) {
        let mut out = Vec::new();
        for s in &self.workspaces {
            let mut db = Database::default();
            s.content.dump(&mut db);
            out.extend(records_of(&db));
            out.extend(s.webhooks.records(s.content.record.workspace_id));
        }
        (&self.info, out)
    }
}

/// Webhooks a restore brought back without a delivery task: the caller starts one for each
/// (`crate::webhooks::start`).
pub type Restarted = Vec<(Uuid, Arc<Notify>)>;

impl Store {
    /// The workspaces `ids` names (every one when `None`), sorted by id: the order every call
    /// that locks several takes their locks in.
    fn workspaces_to_lock(&self, ids: Option<&[Uuid]>) -> Result<Vec<(Uuid, Shared)>> {
        let mut out: Vec<(Uuid, Shared)> = match ids {
            Some(ids) => ids
                .iter()
                .map(|id| Ok((*id, self.shared(*id).ok_or(Error::WorkspaceNotFound(*id))?)))
                .collect::<Result<_>>()?,
            None => self
                .read()
                .workspaces
                .iter()
                .map(|(id, ws)| (*id, ws.clone()))
                .collect(),
        };
        out.sort_by_key(|(id, _)| *id);
        Ok(out)
    }

    /// Saves one workspace (or every one) under `name`, replacing a snapshot of that name.
    /// The workspaces are locked together, so a snapshot of all is one instant of all.
    pub fn save_snapshot(&self, name: String, workspace_id: Option<Uuid>) -> Result<SnapshotInfo> {
        let ids = workspace_id.map(|id| vec![id]);
        let targets = self.workspaces_to_lock(ids.as_deref())?;
        let now = self.now();
        let mut guards: Vec<_> = targets.iter().map(|(_, ws)| ws.lock()).collect();
        let mut workspaces = Vec::with_capacity(guards.len());
        for ((id, _), ws) in targets.iter().zip(guards.iter_mut()) {
            ws.now = now;
            ws.tick(now);
            self.publish_outbox(ws);
            workspaces.push(SavedWorkspace {
                content: ws.copy_content(),
                webhooks: self.inner.webhooks.save(*id),
            });
        }
        drop(guards);
        let info = SnapshotInfo {
            name: name.clone(),
            all_workspaces: workspace_id.is_none(),
            workspace_ids: targets.iter().map(|(id, _)| *id).collect(),
            created_at: now,
        };
        let snapshot = Arc::new(Snapshot {
            info: info.clone(),
            workspaces,
        });
        let mut shelf = lock(&self.inner.snapshots);
        shelf.by_name.insert(name, snapshot.clone());
        shelf.note(ShelfChange::Saved(snapshot));
        Ok(info)
    }

    /// Rewinds the workspaces a snapshot holds to it, all under their locks at once. Refused
    /// whole, changing nothing, when one of them no longer exists.
    pub fn restore_snapshot(&self, name: &str) -> Result<(SnapshotInfo, Restarted)> {
        let snapshot = lock(&self.inner.snapshots)
            .by_name
            .get(name)
            .cloned()
            .ok_or_else(|| Error::SnapshotNotFound(name.to_string()))?;
        let targets = self.workspaces_to_lock(Some(&snapshot.info.workspace_ids))?;
        // The copies are made before the locks are taken: only the swap happens under them.
        let copies: Vec<Workspace> = snapshot
            .workspaces
            .iter()
            .map(|s| s.content.copy_content())
            .collect();
        let mut guards: Vec<_> = targets.iter().map(|(_, ws)| ws.lock()).collect();
        let mut restarted = Vec::new();
        let mut old = Vec::with_capacity(guards.len());
        // `workspace_ids` and `workspaces` are in the same (sorted) order.
        for ((((id, _), ws), saved), copy) in targets
            .iter()
            .zip(guards.iter_mut())
            .zip(&snapshot.workspaces)
            .zip(copies)
        {
            old.push(ws.take_content(copy));
            restarted.extend(self.inner.webhooks.restore(*id, &saved.webhooks));
        }
        drop(guards);
        drop(old);
        Ok((snapshot.info.clone(), restarted))
    }

    /// Every snapshot, in the order first saved.
    pub fn snapshots(&self) -> Vec<SnapshotInfo> {
        lock(&self.inner.snapshots)
            .by_name
            .values()
            .map(|s| s.info.clone())
            .collect()
    }

    /// Forgets a snapshot.
    pub fn delete_snapshot(&self, name: &str) -> Result<()> {
        let mut shelf = lock(&self.inner.snapshots);
        shelf
            .by_name
            .shift_remove(name)
            .ok_or_else(|| Error::SnapshotNotFound(name.to_string()))?;
        shelf.note(ShelfChange::Deleted(name.to_string()));
        Ok(())
    }

    /// The saves and deletes since the last call, and notes them from now on (the state file).
    pub(super) fn take_shelf_changes(&self) -> Vec<ShelfChange> {
        let mut shelf = lock(&self.inner.snapshots);
        shelf.log.replace(Vec::new()).unwrap_or_default()
    }

    /// Puts a snapshot read from the state file on the shelf: each workspace's record, content
    /// and webhooks.
    pub(super) fn load_snapshot(&self, info: SnapshotInfo, saved: Vec<(Database, Saved)>) {
        let now = self.now();
        let workspaces = saved
            .into_iter()
            .filter_map(|(db, webhooks)| {
                let record = db.workspaces.first()?.clone();
                let mut content = self.new_workspace(record, now);
                content.load(&db);
                content.mark_published();
                Some(SavedWorkspace { content, webhooks })
            })
            .collect();
        let name = info.name.clone();
        let snapshot = Arc::new(Snapshot { info, workspaces });
        lock(&self.inner.snapshots).by_name.insert(name, snapshot);
    }
}
