//! The records the store keeps besides devices and codes, and [`Database`]: the whole state as
//! one JSON document (`GET`/`PUT /_fake/database`, `--seed-file`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::access_code::AccessCode;
use crate::domain::device::Device;
use crate::domain::event::Event;
use crate::domain::timestamp;

use crate::domain::access_code::UnmanagedAccessCode;
use crate::domain::action_attempt::ActionAttempt;

/// A workspace: the unit every credential resolves to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceRecord {
    pub workspace_id: Uuid,
    pub name: String,
    #[serde(default = "yes")]
    pub is_sandbox: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishable_key: Option<String>,
    #[serde(with = "timestamp::required", default = "epoch")]
    pub created_at: DateTime<Utc>,
}

fn yes() -> bool {
    true
}

fn epoch() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// An API key (`seam_…`), good for one workspace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    #[serde(default)]
    pub name: String,
    pub token: String,
    pub workspace_id: Uuid,
}

/// A client session (`seam_cst…`): one workspace, optionally limited to some connected accounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientSession {
    pub client_session_id: Uuid,
    pub token: String,
    pub workspace_id: Uuid,
    /// Empty: every connected account of the workspace.
    #[serde(default)]
    pub connected_account_ids: Vec<Uuid>,
    #[serde(default)]
    pub user_identifier_key: Option<String>,
}

/// A personal access token (`seam_at…`), member of some workspaces; picked with `seam-workspace`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonalAccessToken {
    pub token: String,
    pub workspace_ids: Vec<Uuid>,
}

/// A connected account (a provider login), owner of devices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectedAccount {
    pub connected_account_id: Uuid,
    pub workspace_id: Uuid,
    pub account_type: String,
    #[serde(default)]
    pub account_type_display_name: String,
    #[serde(default)]
    pub user_identifier: Map<String, Value>,
    #[serde(default)]
    pub custom_metadata: Map<String, Value>,
    #[serde(default)]
    pub errors: Vec<Value>,
    #[serde(default)]
    pub warnings: Vec<Value>,
    #[serde(default = "yes")]
    pub automatically_manage_new_devices: bool,
    #[serde(with = "timestamp::required", default = "epoch")]
    pub created_at: DateTime<Utc>,
}

/// The whole state. Every list may be omitted in a fixture.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Database {
    pub workspaces: Vec<WorkspaceRecord>,
    pub api_keys: Vec<ApiKey>,
    pub client_sessions: Vec<ClientSession>,
    pub personal_access_tokens: Vec<PersonalAccessToken>,
    pub connected_accounts: Vec<ConnectedAccount>,
    pub devices: Vec<Device>,
    pub access_codes: Vec<AccessCode>,
    pub unmanaged_access_codes: Vec<UnmanagedAccessCode>,
    pub action_attempts: Vec<ActionAttempt>,
    pub events: Vec<Event>,
}

impl Database {
    /// Checks that every record points at things that exist, so a loaded fixture cannot leave
    /// the store inconsistent. Returns the first problem found.
    pub fn check(&self) -> Result<(), String> {
        use std::collections::HashSet;
        let ws: HashSet<Uuid> = self.workspaces.iter().map(|w| w.workspace_id).collect();
        if ws.len() != self.workspaces.len() {
            return Err("workspaces: duplicate workspace_id".into());
        }
        let need_ws = |what: &str, id: Uuid| {
            if ws.contains(&id) {
                Ok(())
            } else {
                Err(format!("{what}: unknown workspace_id {id}"))
            }
        };
        for k in &self.api_keys {
            need_ws("api_keys", k.workspace_id)?;
        }
        for s in &self.client_sessions {
            need_ws("client_sessions", s.workspace_id)?;
        }
        for p in &self.personal_access_tokens {
            for w in &p.workspace_ids {
                need_ws("personal_access_tokens", *w)?;
            }
        }
        let mut accounts = HashSet::new();
        for a in &self.connected_accounts {
            need_ws("connected_accounts", a.workspace_id)?;
            if !accounts.insert((a.workspace_id, a.connected_account_id)) {
                return Err(format!(
                    "connected_accounts: duplicate {}",
                    a.connected_account_id
                ));
            }
        }
        let mut devices = HashSet::new();
        for d in &self.devices {
            need_ws("devices", d.workspace_id)?;
            if !accounts.contains(&(d.workspace_id, d.connected_account_id)) {
                return Err(format!(
                    "devices: unknown connected_account_id {}",
                    d.connected_account_id
                ));
            }
            if !devices.insert((d.workspace_id, d.device_id)) {
                return Err(format!("devices: duplicate device_id {}", d.device_id));
            }
        }
        let mut codes = HashSet::new();
        for c in &self.access_codes {
            if !devices.contains(&(c.workspace_id, c.device_id)) {
                return Err(format!("access_codes: unknown device_id {}", c.device_id));
            }
            if !codes.insert(c.access_code_id) {
                return Err(format!(
                    "access_codes: duplicate access_code_id {}",
                    c.access_code_id
                ));
            }
        }
        for c in &self.unmanaged_access_codes {
            if !devices.contains(&(c.workspace_id, c.device_id)) {
                return Err(format!(
                    "unmanaged_access_codes: unknown device_id {}",
                    c.device_id
                ));
            }
            if !codes.insert(c.access_code_id) {
                return Err(format!(
                    "unmanaged_access_codes: duplicate access_code_id {}",
                    c.access_code_id
                ));
            }
        }
        for a in &self.action_attempts {
            need_ws("action_attempts", a.workspace_id)?;
        }
        for e in &self.events {
            need_ws("events", e.workspace_id)?;
        }
        Ok(())
    }
}
