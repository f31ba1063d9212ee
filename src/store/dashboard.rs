//! The dashboard's reads over every workspace: [`Store::dashboard`], a view whose size and
//! cost do not grow with the codes or events stored (each workspace's part is
//! `Workspace::dashboard`, built under its lock), and the search ([`Store::search_copies`],
//! then [`search`]), which scans every code but reads a copy that shares the codes' chunks,
//! so no workspace lock is held while it scans.

use std::collections::HashSet;

use uuid::Uuid;

use crate::domain::access_code::AccessCode;

use super::Store;
use super::workspace::{SearchCopy, WorkspaceView};

/// How many workspaces are shown in full (in creation order).
pub const FULL: usize = 4;
/// How many more are listed by name with their counts.
pub const LISTED: usize = 50;

/// A workspace past the first [`FULL`]: its name and counts.
#[derive(Clone, Debug)]
pub struct WorkspaceBrief {
    pub workspace_id: Uuid,
    pub name: String,
    pub device_count: usize,
    pub code_count: usize,
}

/// Everything the dashboard shows of the workspaces.
#[derive(Clone, Debug, Default)]
pub struct DashboardView {
    /// The first [`FULL`] workspaces.
    pub workspaces: Vec<WorkspaceView>,
    /// The next [`LISTED`].
    pub listed: Vec<WorkspaceBrief>,
    /// How many more there are.
    pub more: usize,
}

impl Store {
    /// The dashboard's view of every workspace, each brought up to the server clock first (as
    /// any request would), with the names of the `named` devices (the fault rules'). Costs
    /// O(workspaces + devices of the shown ones), never O(codes) or O(events).
    pub fn dashboard(&self, named: &[Uuid]) -> DashboardView {
        let (all, keys) = {
            let reg = self.read();
            let all: Vec<_> = reg.workspaces.values().cloned().collect();
            let keys: Vec<(Uuid, String)> = reg
                .api_keys
                .iter()
                .map(|k| (k.workspace_id, k.token.clone()))
                .collect();
            (all, keys)
        };
        let now = self.now();
        let mut view = DashboardView {
            more: all.len().saturating_sub(FULL + LISTED),
            ..DashboardView::default()
        };
        for (i, shared) in all.iter().take(FULL + LISTED).enumerate() {
            let mut ws = shared.lock();
            ws.now = now;
            ws.tick(now);
            self.publish_outbox(&mut ws);
            if i < FULL {
                let mut w = ws.dashboard(named);
                drop(ws);
                w.key = keys
                    .iter()
                    .find(|(id, _)| *id == w.workspace_id)
                    .map(|(_, k)| k.clone())
                    .unwrap_or_default();
                view.workspaces.push(w);
            } else {
                view.listed.push(WorkspaceBrief {
                    workspace_id: ws.record.workspace_id,
                    name: ws.record.name.clone(),
                    device_count: ws.devices_len(),
                    code_count: ws.codes_len(),
                });
            }
        }
        view
    }

    /// Every workspace's codes and device names, each taken under its lock in
    /// O(chunks + devices): what [`search`] scans once the locks are let go.
    pub fn search_copies(&self) -> Vec<SearchCopy> {
        let all = self.workspaces();
        all.iter().map(|(_, ws)| ws.lock().search_copy()).collect()
    }
}

/// What the search looks for: text, compared without regard to ASCII case, and the id it is
/// when it reads as one.
#[derive(Clone, Debug)]
pub struct CodeQuery {
    text: String,
    id: Option<Uuid>,
}

impl CodeQuery {
    /// A query for `q` (trimmed).
    pub fn new(q: &str) -> Self {
        let text = q.trim().to_string();
        CodeQuery {
            id: Uuid::parse_str(&text).ok(),
            text,
        }
    }
}

/// Whether `hay` contains `needle`, ASCII letters compared without case (no allocation: it
/// runs once per code and field).
fn contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || (h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n)))
}

/// A code the search found, with its lock's name.
#[derive(Clone, Debug)]
pub struct CodeHit {
    pub code: AccessCode,
    pub device_name: String,
}

/// The codes matching `q` by name, PIN, `common_code_key`, id, or their lock's name or id:
/// at most `limit`, each workspace's newest first, and whether there were more.
pub fn search(copies: &[SearchCopy], q: &CodeQuery, limit: usize) -> (Vec<CodeHit>, bool) {
    let mut hits = Vec::new();
    for copy in copies {
        let devices: HashSet<Uuid> = copy
            .device_names
            .iter()
            .filter(|(id, name)| q.id == Some(**id) || contains(name, &q.text))
            .map(|(id, _)| *id)
            .collect();
        let matches = |c: &AccessCode| {
            q.id == Some(c.access_code_id)
                || devices.contains(&c.device_id)
                || c.name.as_deref().is_some_and(|n| contains(n, &q.text))
                || c.pin().is_some_and(|p| p.contains(&q.text))
                || c.common_code_key
                    .as_deref()
                    .is_some_and(|k| contains(k, &q.text))
        };
        for c in copy.codes.newest_first().filter(|c| matches(c)) {
            if hits.len() == limit {
                return (hits, true);
            }
            hits.push(CodeHit {
                code: c.clone(),
                device_name: copy
                    .device_names
                    .get(&c.device_id)
                    .cloned()
                    .unwrap_or_default(),
            });
        }
    }
    (hits, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_ignores_ascii_case() {
        assert!(contains("Front Door", "front"));
        assert!(contains("Front Door", "DOOR"));
        assert!(contains("x", ""));
        assert!(!contains("Door", "doors"));
    }
}
