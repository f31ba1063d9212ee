//! The records the store keeps besides devices and codes, and [`Database`]: the whole state as
//! one JSON document (`GET`/`PUT /_fake/database`, `--seed-file`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::access_code::AccessCode;
use crate::domain::device::Device;
use crate::domain::event::Event;
use crate::domain::pindigits::{self, PinDigits};
use crate::domain::timestamp;

use crate::domain::access_code::UnmanagedAccessCode;
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::backup::BackupPool;
use crate::domain::customization::CustomizationProfile;
use crate::domain::door::Keypad;

/// A workspace: the unit every credential resolves to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceRecord {
    pub workspace_id: Uuid,
    pub name: String,
    #[serde(default = "yes")]
    pub is_sandbox: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishable_key: Option<String>,
    #[serde(with = "timestamp::required", default = "epoch")]
    pub created_at: DateTime<Utc>,
    /// The company shown in Connect Webviews; `name` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Deprecated by Seam in favour of `company_name`, still returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_partner_name: Option<String>,
    /// Set by `/workspaces/update`: what the workspace asks of Connect Webviews, and whether it
    /// is suspended and takes its publishable key.
    #[serde(flatten)]
    pub settings: WorkspaceSettings,
}

/// What `/workspaces/update` changes besides the names; all absent in a fresh workspace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceSettings {
    /// `logo_shape`, `primary_button_color`, ... as given.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[schema(value_type = Object)]
    pub connect_webview_customization: Map<String, Value>,
    /// Recorded and shown; the mock keeps answering a suspended workspace.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_suspended: bool,
    /// `false` stops the publishable key opening client sessions; absent: it works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_publishable_key_auth_enabled: Option<bool>,
}

fn yes() -> bool {
    true
}

fn epoch() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// An API key (`seam_…`), good for one workspace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    #[serde(default)]
    pub name: String,
    pub token: String,
    pub workspace_id: Uuid,
}

/// A client session (`seam_cst…`): one workspace, optionally limited to some connected accounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClientSession {
    pub client_session_id: Uuid,
    pub token: String,
    pub workspace_id: Uuid,
    /// Empty: every connected account of the workspace.
    #[serde(default)]
    pub connected_account_ids: Vec<Uuid>,
    #[serde(default)]
    pub user_identifier_key: Option<String>,
    #[serde(with = "timestamp::required", default = "epoch")]
    pub created_at: DateTime<Utc>,
    /// When the token stops working; absent: never.
    #[serde(
        with = "timestamp::optional",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A personal access token (`seam_at…`), member of some workspaces; picked with `seam-workspace`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PersonalAccessToken {
    pub token: String,
    pub workspace_ids: Vec<Uuid>,
}

/// A Seam Console user, whose console-session JWT (`{user_id, key}`) works as a credential in
/// the workspaces it belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConsoleUser {
    pub user_id: Uuid,
    /// The session key the JWT must carry next to `user_id`.
    pub key: String,
    pub workspace_ids: Vec<Uuid>,
}

/// A connected account (a provider login), owner of devices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConnectedAccount {
    pub connected_account_id: Uuid,
    pub workspace_id: Uuid,
    pub account_type: String,
    #[serde(default)]
    pub account_type_display_name: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub user_identifier: Map<String, Value>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_metadata: Map<String, Value>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<Value>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Value>,
    #[serde(default = "yes")]
    pub automatically_manage_new_devices: bool,
    /// The name `/connected_accounts/update` gave; absent: the login is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The customer the account belongs to (`/connected_accounts/update`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_key: Option<String>,
    /// What the account was connected for (`lock`, `thermostat`, `noise_sensor`, ...).
    #[serde(default)]
    pub accepted_capabilities: Vec<String>,
    #[serde(with = "timestamp::required", default = "epoch")]
    pub created_at: DateTime<Utc>,
}

/// The whole state. Every list may be omitted in a fixture.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Database {
    pub workspaces: Vec<WorkspaceRecord>,
    pub api_keys: Vec<ApiKey>,
    pub client_sessions: Vec<ClientSession>,
    pub personal_access_tokens: Vec<PersonalAccessToken>,
    pub users: Vec<ConsoleUser>,
    pub connected_accounts: Vec<ConnectedAccount>,
    pub devices: Vec<Device>,
    pub access_codes: Vec<AccessCode>,
    pub unmanaged_access_codes: Vec<UnmanagedAccessCode>,
    /// Active backup access code pools, one per lock at most.
    pub backup_access_code_pools: Vec<BackupPool>,
    pub action_attempts: Vec<ActionAttempt>,
    pub events: Vec<Event>,
    /// `/workspaces/customization_profiles/*`.
    pub customization_profiles: Vec<CustomizationProfile>,
    /// What locks' keypads remember (ended PINs, wrong entries, a lockout), one per lock at
    /// most.
    pub keypads: Vec<Keypad>,
}

impl Database {
    /// Checks that every record points at things that exist and that the whole obeys the
    /// invariants the API keeps ([`super::invariants`]), so a loaded fixture cannot leave the
    /// store inconsistent. Returns the first problem found.
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
        for u in &self.users {
            for w in &u.workspace_ids {
                need_ws("users", *w)?;
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
            d.properties
                .check()
                .map_err(|e| format!("devices: {}: {e}", d.device_id))?;
        }
        let mut codes = HashSet::new();
        // The PIN rules read stored PINs digit by digit, and events keep them packed
        // (`PinDigits`): 1 to 20 digits, as long as a lock's PINs can be.
        let digits = |what: &str, id: Uuid, code: &Option<String>| match code {
            Some(c) if PinDigits::new(c).is_none() => Err(format!(
                "{what}: {id}: code {c:?} is not a PIN (1 to {} digits only)",
                pindigits::CAPACITY
            )),
            _ => Ok(()),
        };
        for c in &self.access_codes {
            if !devices.contains(&(c.workspace_id, c.device_id)) {
                return Err(format!("access_codes: unknown device_id {}", c.device_id));
            }
            // Its PIN is `PinDigits`, checked as it was read.
            if !codes.insert(c.access_code_id) {
                return Err(format!(
                    "access_codes: duplicate access_code_id {}",
                    c.access_code_id
                ));
            }
        }
        for c in &self.unmanaged_access_codes {
            digits("unmanaged_access_codes", c.access_code_id, &c.code)?;
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
        let mut profiles = HashSet::new();
        for p in &self.customization_profiles {
            need_ws("customization_profiles", p.workspace_id)?;
            if !profiles.insert(p.customization_profile_id) {
                return Err(format!(
                    "customization_profiles: duplicate customization_profile_id {}",
                    p.customization_profile_id
                ));
            }
        }
        let mut keypads = HashSet::new();
        for k in &self.keypads {
            if !devices.contains(&(k.workspace_id, k.device_id)) {
                return Err(format!("keypads: unknown device_id {}", k.device_id));
            }
            if !keypads.insert(k.device_id) {
                return Err(format!("keypads: more than one for device {}", k.device_id));
            }
            if let Some(pin) = k
                .ended_codes
                .keys()
                .find(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(format!(
                    "keypads: device {}: {pin:?} is not a PIN (digits only)",
                    k.device_id
                ));
            }
        }
        super::invariants::check(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;

    #[test]
    fn check_refuses_what_the_pin_rules_cannot_read() {
        let mut db = seed::database();
        db.devices[0].properties.supported_code_lengths = Some(vec![4, u32::MAX]);
        assert!(db.check().unwrap_err().contains("supported_code_lengths"));

        let mut db = seed::database();
        let code = crate::domain::access_code::AccessCode::new(
            crate::domain::access_code::NewCode {
                access_code_id: Uuid::from_u128(7),
                device_id: db.devices[0].device_id,
                workspace_id: db.devices[0].workspace_id,
                code: Some("1234".into()),
                ..Default::default()
            },
            seed::seeded_at(),
        );
        db.access_codes.push(code.clone());
        assert!(db.check().is_ok());
        // A managed code's PIN is read as `PinDigits`: what the PIN rules cannot read is
        // refused as the file is read; an unmanaged code's by `check`.
        let mut v = serde_json::to_value(&db).unwrap();
        for bad in ["aé4", "111111111111111111111"] {
            v["access_codes"][0]["code"] = serde_json::json!(bad);
            let e = serde_json::from_value::<Database>(v.clone()).unwrap_err();
            assert!(
                e.to_string().contains("not a PIN (1 to 20 digits only)"),
                "{e}"
            );
            let mut u = serde_json::to_value(&code).unwrap();
            u["code"] = serde_json::json!(bad);
            let mut with_unmanaged = db.clone();
            with_unmanaged.access_codes.clear();
            with_unmanaged.unmanaged_access_codes = vec![serde_json::from_value(u).unwrap()];
            let e = with_unmanaged.check().unwrap_err();
            assert!(e.contains("not a PIN (1 to 20 digits only)"), "{e}");
        }
    }
}
