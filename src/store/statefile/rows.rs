//! The state file's rows: every record the store keeps, as one row of `(kind, workspace_id,
//! id, json)`, and back.
//!
//! A row's JSON is the record exactly as `GET /_fake/database` shows it (webhooks and their
//! messages, which that export leaves out, as [`WebhookRecord`] and [`MessageRecord`]), so a
//! new stored field needs no change here. [`KINDS`] names every kind once.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::access_code::{AccessCode, UnmanagedAccessCode};
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::backup::BackupPool;
use crate::domain::customization::CustomizationProfile;
use crate::domain::device::Device;
use crate::domain::door::Keypad;
use crate::domain::event::Event;
use crate::domain::webhook::{Delivery, Webhook};
use crate::store::faults::FaultRecord;
use crate::store::records::{
    ApiKey, ClientSession, ConnectedAccount, ConsoleUser, Database, PersonalAccessToken,
    WorkspaceRecord,
};

/// A webhook as the state file keeps it: the endpoint (secret included) and its workspace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookRecord {
    pub workspace_id: Uuid,
    #[serde(flatten)]
    pub webhook: Webhook,
}

/// A webhook message as the state file keeps it: its delivery record and the body every
/// attempt sends (the event's JSON, as a string).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub body: Arc<str>,
}

/// The paths of one workspace that answer 503 (`/_fake/simulate_workspace_outage`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutageRecord {
    pub workspace_id: Uuid,
    pub paths: Vec<String>,
}

/// What a sandbox's reset returns it to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SandboxRecord {
    pub workspace_id: Uuid,
    pub seed: Arc<Database>,
}

/// One record of any kind.
#[derive(Clone, Debug)]
pub enum Record {
    Workspace(WorkspaceRecord),
    ApiKey(ApiKey),
    ClientSession(ClientSession),
    PersonalAccessToken(PersonalAccessToken),
    User(ConsoleUser),
    Outage(OutageRecord),
    Sandbox(SandboxRecord),
    ConnectedAccount(ConnectedAccount),
    /// Boxed: a device is several times the size of any other record.
    Device(Box<Device>),
    AccessCode(AccessCode),
    UnmanagedAccessCode(UnmanagedAccessCode),
    BackupPool(BackupPool),
    ActionAttempt(ActionAttempt),
    Event(Event),
    CustomizationProfile(CustomizationProfile),
    Keypad(Keypad),
    Webhook(WebhookRecord),
    Message(MessageRecord),
    /// A fault rule (contract §14) with its counts.
    Fault(Box<FaultRecord>),
}

/// Every kind, as the `kind` column spells it.
pub const KINDS: &[&str] = &[
    "workspace",
    "api_key",
    "client_session",
    "personal_access_token",
    "user",
    "outage",
    "sandbox",
    "connected_account",
    "device",
    "access_code",
    "unmanaged_access_code",
    "backup_access_code_pool",
    "action_attempt",
    "event",
    "customization_profile",
    "keypad",
    "webhook",
    "webhook_message",
    "fault",
];

/// The kinds that make up a workspace's content (what a rewrite of one workspace replaces).
pub const CONTENT_KINDS: &[&str] = &[
    "connected_account",
    "device",
    "access_code",
    "unmanaged_access_code",
    "backup_access_code_pool",
    "action_attempt",
    "event",
    "customization_profile",
    "keypad",
];

/// Where a row is: its kind, its workspace (`""` for a record above workspaces) and its id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub kind: &'static str,
    pub workspace_id: String,
    pub id: String,
}

impl Key {
    pub fn new(kind: &'static str, workspace_id: Option<Uuid>, id: impl ToString) -> Key {
        Key {
            kind,
            workspace_id: workspace_id.map(|w| w.to_string()).unwrap_or_default(),
            id: id.to_string(),
        }
    }
}

impl Record {
    /// Its row's key.
    pub fn key(&self) -> Key {
        use Record as R;
        match self {
            R::Workspace(r) => Key::new("workspace", None, r.workspace_id),
            R::ApiKey(r) => Key::new("api_key", Some(r.workspace_id), &r.token),
            R::ClientSession(r) => {
                Key::new("client_session", Some(r.workspace_id), r.client_session_id)
            }
            R::PersonalAccessToken(r) => Key::new("personal_access_token", None, &r.token),
            R::User(r) => Key::new("user", None, r.user_id),
            R::Outage(r) => Key::new("outage", Some(r.workspace_id), r.workspace_id),
            R::Sandbox(r) => Key::new("sandbox", Some(r.workspace_id), r.workspace_id),
            R::ConnectedAccount(r) => Key::new(
                "connected_account",
                Some(r.workspace_id),
                r.connected_account_id,
            ),
            R::Device(r) => Key::new("device", Some(r.workspace_id), r.device_id),
            R::AccessCode(r) => Key::new("access_code", Some(r.workspace_id), r.access_code_id),
            R::UnmanagedAccessCode(r) => Key::new(
                "unmanaged_access_code",
                Some(r.workspace_id),
                r.access_code_id,
            ),
            R::BackupPool(r) => {
                Key::new("backup_access_code_pool", Some(r.workspace_id), r.device_id)
            }
            R::ActionAttempt(r) => {
                Key::new("action_attempt", Some(r.workspace_id), r.action_attempt_id)
            }
            R::Event(r) => Key::new("event", Some(r.workspace_id), r.event_id),
            R::CustomizationProfile(r) => Key::new(
                "customization_profile",
                Some(r.workspace_id),
                r.customization_profile_id,
            ),
            R::Keypad(r) => Key::new("keypad", Some(r.workspace_id), r.device_id),
            // Webhooks and messages are found by id alone (their JSON names the workspace).
            R::Webhook(r) => Key::new("webhook", None, r.webhook.webhook_id),
            R::Message(r) => Key::new("webhook_message", None, &r.delivery.message_id),
            R::Fault(r) => Key::new("fault", None, r.view.fault_id),
        }
    }

    /// The record as JSON text.
    pub fn json(&self) -> serde_json::Result<String> {
        use Record as R;
        match self {
            R::Workspace(r) => serde_json::to_string(r),
            R::ApiKey(r) => serde_json::to_string(r),
            R::ClientSession(r) => serde_json::to_string(r),
            R::PersonalAccessToken(r) => serde_json::to_string(r),
            R::User(r) => serde_json::to_string(r),
            R::Outage(r) => serde_json::to_string(r),
            R::Sandbox(r) => serde_json::to_string(r),
            R::ConnectedAccount(r) => serde_json::to_string(r),
            R::Device(r) => serde_json::to_string(r),
            R::AccessCode(r) => serde_json::to_string(r),
            R::UnmanagedAccessCode(r) => serde_json::to_string(r),
            R::BackupPool(r) => serde_json::to_string(r),
            R::ActionAttempt(r) => serde_json::to_string(r),
            R::Event(r) => serde_json::to_string(r),
            R::CustomizationProfile(r) => serde_json::to_string(r),
            R::Keypad(r) => serde_json::to_string(r),
            R::Webhook(r) => serde_json::to_string(r),
            R::Message(r) => serde_json::to_string(r),
            R::Fault(r) => serde_json::to_string(r),
        }
    }

    /// A record of `kind` read from its JSON.
    pub fn parse(kind: &str, json: &str) -> Result<Record, String> {
        fn p<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
            serde_json::from_str(json).map_err(|e| e.to_string())
        }
        use Record as R;
        Ok(match kind {
            "workspace" => R::Workspace(p(json)?),
            "api_key" => R::ApiKey(p(json)?),
            "client_session" => R::ClientSession(p(json)?),
            "personal_access_token" => R::PersonalAccessToken(p(json)?),
            "user" => R::User(p(json)?),
            "outage" => R::Outage(p(json)?),
            "sandbox" => R::Sandbox(p(json)?),
            "connected_account" => R::ConnectedAccount(p(json)?),
            "device" => R::Device(Box::new(p(json)?)),
            "access_code" => R::AccessCode(p(json)?),
            "unmanaged_access_code" => R::UnmanagedAccessCode(p(json)?),
            "backup_access_code_pool" => R::BackupPool(p(json)?),
            "action_attempt" => R::ActionAttempt(p(json)?),
            "event" => R::Event(p(json)?),
            "customization_profile" => R::CustomizationProfile(p(json)?),
            "keypad" => R::Keypad(p(json)?),
            "webhook" => R::Webhook(p(json)?),
            "webhook_message" => R::Message(p(json)?),
            "fault" => R::Fault(Box::new(p(json)?)),
            other => return Err(format!("unknown kind {other:?}")),
        })
    }
}

/// Every record of a database, in the database's order.
pub fn records_of(db: &Database) -> Vec<Record> {
    let mut out = Vec::new();
    out.extend(db.workspaces.iter().cloned().map(Record::Workspace));
    out.extend(db.api_keys.iter().cloned().map(Record::ApiKey));
    out.extend(
        db.client_sessions
            .iter()
            .cloned()
            .map(Record::ClientSession),
    );
    out.extend(
        db.personal_access_tokens
            .iter()
            .cloned()
            .map(Record::PersonalAccessToken),
    );
    out.extend(db.users.iter().cloned().map(Record::User));
    out.extend(content_of(db));
    out
}

/// The workspace-content records of a database (what [`CONTENT_KINDS`] names).
pub fn content_of(db: &Database) -> impl Iterator<Item = Record> + '_ {
    let accounts = db.connected_accounts.iter().cloned();
    let devices = db.devices.iter().cloned();
    let codes = db.access_codes.iter().cloned();
    let unmanaged = db.unmanaged_access_codes.iter().cloned();
    let pools = db.backup_access_code_pools.iter().cloned();
    let attempts = db.action_attempts.iter().cloned();
    let events = db.events.iter().cloned();
    let profiles = db.customization_profiles.iter().cloned();
    let keypads = db.keypads.iter().cloned();
    accounts
        .map(Record::ConnectedAccount)
        .chain(devices.map(|d| Record::Device(Box::new(d))))
        .chain(codes.map(Record::AccessCode))
        .chain(unmanaged.map(Record::UnmanagedAccessCode))
        .chain(pools.map(Record::BackupPool))
        .chain(attempts.map(Record::ActionAttempt))
        .chain(events.map(Record::Event))
        .chain(profiles.map(Record::CustomizationProfile))
        .chain(keypads.map(Record::Keypad))
}

/// What the state file holds besides the database export.
#[derive(Debug, Default)]
pub struct Extras {
    pub outages: Vec<OutageRecord>,
    pub sandboxes: Vec<SandboxRecord>,
    pub webhooks: Vec<WebhookRecord>,
    pub messages: Vec<MessageRecord>,
    pub faults: Vec<FaultRecord>,
}

/// Adds a record read back to the database (or to what the export leaves out).
pub fn add(db: &mut Database, extras: &mut Extras, record: Record) {
    use Record as R;
    match record {
        R::Workspace(r) => db.workspaces.push(r),
        R::ApiKey(r) => db.api_keys.push(r),
        R::ClientSession(r) => db.client_sessions.push(r),
        R::PersonalAccessToken(r) => db.personal_access_tokens.push(r),
        R::User(r) => db.users.push(r),
        R::Outage(r) => extras.outages.push(r),
        R::Sandbox(r) => extras.sandboxes.push(r),
        R::ConnectedAccount(r) => db.connected_accounts.push(r),
        R::Device(r) => db.devices.push(*r),
        R::AccessCode(r) => db.access_codes.push(r),
        R::UnmanagedAccessCode(r) => db.unmanaged_access_codes.push(r),
        R::BackupPool(r) => db.backup_access_code_pools.push(r),
        R::ActionAttempt(r) => db.action_attempts.push(r),
        R::Event(r) => db.events.push(r),
        R::CustomizationProfile(r) => db.customization_profiles.push(r),
        R::Keypad(r) => db.keypads.push(r),
        R::Webhook(r) => extras.webhooks.push(r),
        R::Message(r) => extras.messages.push(r),
        R::Fault(r) => extras.faults.push(*r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;

    #[test]
    fn every_record_round_trips_through_its_row() {
        let mut db = seed::database();
        let ws = db.workspaces[0].workspace_id;
        db.customization_profiles.push(CustomizationProfile::new(
            Uuid::from_u128(9),
            ws,
            Default::default(),
            seed::seeded_at(),
        ));
        db.keypads.push(Keypad::new(db.devices[0].device_id, ws));
        let mut back = Database::default();
        let mut extras = Extras::default();
        let mut seen = std::collections::HashSet::new();
        for r in records_of(&db) {
            let key = r.key();
            assert!(KINDS.contains(&key.kind), "{}", key.kind);
            seen.insert(key.kind);
            let again = Record::parse(key.kind, &r.json().unwrap()).unwrap();
            assert_eq!(again.key(), key);
            add(&mut back, &mut extras, again);
        }
        assert_eq!(back, db);
        for kind in ["customization_profile", "keypad"] {
            assert!(seen.contains(kind), "{kind}");
        }
        assert!(CONTENT_KINDS.iter().all(|k| KINDS.contains(k)));
        assert!(Record::parse("nonsense", "{}").is_err());
    }
}
