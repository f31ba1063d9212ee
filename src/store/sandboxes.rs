//! Sandboxes and per-workspace reset (contract §15): a sandbox is a new workspace holding the
//! default seed's accounts and locks under fresh ids, with its own credentials, so parallel
//! tests never share state; `/_fake/reset {workspace_id}` returns one workspace to its seed.
//!
//! A workspace's seed is its share of the database the server started with, a sandbox's own
//! seed (kept here by workspace id), or nothing (a workspace made by `/workspaces/create`
//! or brought in by `PUT /_fake/database`).

use std::sync::Arc;

use uuid::Uuid;

use crate::error::{Error, Result};

use super::records::Database;
use super::seed::{self, SandboxTokens};
use super::{Store, lock};

/// The prefixes the official SDKs read as other kinds of credential (client session, personal
/// access token, publishable key): an API key never starts with one.
const NOT_API_KEY_PREFIXES: &[&str] = &["seam_cst", "seam_at", "seam_pk"];

/// A new sandbox: what `/_fake/sandboxes/create` answers.
#[derive(Clone, Debug)]
pub struct NewSandbox {
    pub workspace_id: Uuid,
    pub api_key: String,
    /// The default seed's names with this sandbox's ids and tokens.
    pub seed: serde_json::Map<String, serde_json::Value>,
}

impl Store {
    /// An API key shaped like Seam's (`seam_` and random characters), drawn again in the rare
    /// case it starts like another kind of credential.
    fn sandbox_api_key(&self) -> String {
        loop {
            let key = self.random_token("seam_");
            if !NOT_API_KEY_PREFIXES.iter().any(|p| key.starts_with(p)) {
                return key;
            }
        }
    }

    /// Creates a sandbox: a workspace with the default seed's connected accounts, devices and
    /// client session under fresh ids, and its own API key and publishable key, all drawn from
    /// the server's generator (so `--rng-seed` repeats them).
    pub fn create_sandbox(&self, name: Option<String>) -> NewSandbox {
        let now = self.now();
        let tokens = SandboxTokens {
            api_key: self.sandbox_api_key(),
            publishable_key: self.random_token("seam_pk"),
            client_session: self.random_token("seam_cst"),
        };
        let name = name.unwrap_or_else(|| "Sandbox".into());
        let sandbox = seed::sandbox(&name, now, tokens.clone(), || self.random_id());
        let db = sandbox.database;
        let record = db.workspaces[0].clone();
        let workspace_id = record.workspace_id;
        let mut ws = self.new_workspace(record, now);
        ws.load(&db);
        ws.mark_published();
        {
            let mut reg = self.write();
            reg.api_keys.extend(db.api_keys.iter().cloned());
            reg.client_sessions
                .extend(db.client_sessions.iter().cloned());
            reg.workspaces.insert(workspace_id, super::Slot::shared(ws));
        }
        lock(&self.inner.sandboxes).insert(workspace_id, Arc::new(db));
        NewSandbox {
            workspace_id,
            api_key: tokens.api_key,
            seed: sandbox.names,
        }
    }

    /// Returns one workspace to its seed: devices, codes, events, action attempts, webhooks
    /// (none), client sessions and outages as seeded, with the seed's ids. The workspace keeps
    /// its generator, so ids handed out since are not handed out again; the clock and the other
    /// workspaces are left alone.
    pub fn reset_workspace(&self, id: Uuid) -> Result<()> {
        let shared = self.shared(id).ok_or(Error::WorkspaceNotFound(id))?;
        let sandbox = lock(&self.inner.sandboxes).get(&id).cloned();
        let empty = Database::default();
        let seed: &Database = match &sandbox {
            Some(db) => db,
            None if self
                .inner
                .initial
                .workspaces
                .iter()
                .any(|w| w.workspace_id == id) =>
            {
                &self.inner.initial
            }
            None => &empty,
        };
        let record = shared.lock().record.clone();
        let mut fresh = self.new_workspace(record, self.now());
        fresh.load(seed);
        let old = {
            let mut ws = shared.lock();
            let old = ws.take_content(fresh);
            self.inner.webhooks.restore(id, &Default::default());
            old
        };
        drop(old);
        let mut reg = self.write();
        reg.client_sessions.retain(|s| s.workspace_id != id);
        reg.client_sessions.extend(
            seed.client_sessions
                .iter()
                .filter(|s| s.workspace_id == id)
                .cloned(),
        );
        reg.outages.remove(&id);
        Ok(())
    }
}
