//! The default seed: Seam's Node fake's well-known names and tokens, with fixed UUIDs behind
//! the ids, plus locks with realistic lengths and constraints (contract §6, §7) so every
//! create_multiple path can be tried from a fresh start.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::device::{Device, template_for};

use super::records::*;

/// A fixed, readable UUID: `5ea1KKKK-0000-4000-8000-NNNNNNNNNNNN`.
const fn seed_id(kind: u32, n: u64) -> Uuid {
    Uuid::from_u128(
        (0x5ea1_0000u128 + kind as u128) << 96 | 0x0000_4000_8000_0000_0000_0000u128 | n as u128,
    )
}

pub const WORKSPACE_1: Uuid = seed_id(1, 1);
pub const WORKSPACE_2: Uuid = seed_id(1, 2);
pub const JOHN: Uuid = seed_id(2, 1);
pub const JANE: Uuid = seed_id(2, 2);
pub const JOHN_ASSA_CS: Uuid = seed_id(2, 3);
pub const CLIENT_SESSION_1: Uuid = seed_id(4, 1);
pub const JOHN_USER: Uuid = seed_id(5, 1);

pub const API_KEY_1: &str = "seam_apikey1_token";
pub const API_KEY_2: &str = "seam_apikey2_token";
pub const CLIENT_SESSION_TOKEN_1: &str = "seam_cst1_token";
pub const PUBLISHABLE_KEY_1: &str = "seam_pk1_token";
pub const PERSONAL_ACCESS_TOKEN_1: &str = "seam_at1_longtoken";
pub const JOHN_USER_IDENTIFIER_KEY: &str = "john_user_identifier_key";
pub const JOHN_USER_KEY: &str = "john_user_key";

/// The seed's devices: (seed name, device_type, display name, owner).
pub const DEVICES: &[(&str, &str, &str, Uuid)] = &[
    ("august_device_1", "august_lock", "Front Door", JOHN),
    ("august_device_2", "august_lock", "Back Door", JOHN),
    ("schlage_device_1", "schlage_lock", "Garage Door", JANE),
    (
        "ecobee_device_1",
        "ecobee_thermostat",
        "Living Room Thermostat",
        JANE,
    ),
    (
        "minut_device_1",
        "minut_sensor",
        "Living Room Noise Sensor",
        JANE,
    ),
    ("schlage_device_2", "schlage_lock", "Side Gate", JANE),
    ("nuki_device_1", "nuki_lock", "Apartment 1A", JOHN),
    ("tedee_device_1", "tedee_lock", "Apartment 1B", JOHN),
    ("ttlock_device_1", "ttlock_lock", "Storage Room", JANE),
    ("igloohome_device_1", "igloohome_lock", "Pool House", JANE),
    ("salto_device_1", "salto_lock", "Office Entrance", JOHN),
    ("kwikset_device_1", "kwikset_lock", "Cabin Door", JANE),
    (
        "igloohome_device_2",
        "igloohome_lock",
        "Garden Studio",
        JANE,
    ),
];

/// The fixed id of the `n`th seed device (1-based position in [`DEVICES`]).
pub fn device_id(n: usize) -> Uuid {
    seed_id(3, n as u64)
}

/// When every seed record was created.
pub fn seeded_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn email(e: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("email".into(), json!(e));
    m
}

/// The seeded database.
pub fn database() -> Database {
    let at = seeded_at();
    let workspace = |id, name: &str, pk: Option<&str>| WorkspaceRecord {
        workspace_id: id,
        name: name.into(),
        is_sandbox: true,
        publishable_key: pk.map(String::from),
        created_at: at,
        company_name: None,
        connect_partner_name: None,
        settings: Default::default(),
    };
    let account = |id, kind: &str, display: &str, mail: &str, caps: &[&str]| ConnectedAccount {
        connected_account_id: id,
        workspace_id: WORKSPACE_1,
        account_type: kind.into(),
        account_type_display_name: display.into(),
        user_identifier: email(mail),
        custom_metadata: Map::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        automatically_manage_new_devices: true,
        display_name: None,
        customer_key: None,
        accepted_capabilities: caps.iter().map(|c| c.to_string()).collect(),
        created_at: at,
    };
    let devices = DEVICES
        .iter()
        .enumerate()
        .filter_map(|(i, (_, kind, name, owner))| {
            let t = template_for(kind)?;
            Some(t.device(device_id(i + 1), WORKSPACE_1, *owner, kind, name, at))
        })
        .collect();
    Database {
        workspaces: vec![
            workspace(WORKSPACE_1, "My Workspace", Some(PUBLISHABLE_KEY_1)),
            workspace(WORKSPACE_2, "Empty Workspace", None),
        ],
        api_keys: vec![
            ApiKey {
                name: "Seed API Key 1".into(),
                token: API_KEY_1.into(),
                workspace_id: WORKSPACE_1,
            },
            ApiKey {
                name: "Seed API Key 2".into(),
                token: API_KEY_2.into(),
                workspace_id: WORKSPACE_2,
            },
        ],
        client_sessions: vec![ClientSession {
            client_session_id: CLIENT_SESSION_1,
            token: CLIENT_SESSION_TOKEN_1.into(),
            workspace_id: WORKSPACE_1,
            connected_account_ids: vec![JOHN],
            user_identifier_key: Some(JOHN_USER_IDENTIFIER_KEY.into()),
            created_at: at,
            expires_at: None,
        }],
        personal_access_tokens: vec![PersonalAccessToken {
            token: PERSONAL_ACCESS_TOKEN_1.into(),
            workspace_ids: vec![WORKSPACE_1, WORKSPACE_2],
        }],
        users: vec![ConsoleUser {
            user_id: JOHN_USER,
            key: JOHN_USER_KEY.into(),
            workspace_ids: vec![WORKSPACE_1],
        }],
        connected_accounts: vec![
            account(JOHN, "august", "August", "john@example.com", &["lock"]),
            account(
                JANE,
                "schlage",
                "Schlage",
                "jane@example.com",
                &["lock", "thermostat", "noise_sensor"],
            ),
            account(
                JOHN_ASSA_CS,
                "assa_abloy_credential_service",
                "ASSA ABLOY Credential Service",
                "john@example.com",
                &["lock"],
            ),
        ],
        devices,
        ..Database::default()
    }
}

/// The `/_fake/default_seed` map: well-known names to ids and tokens.
pub fn names() -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("seed_workspace_1", json!(WORKSPACE_1));
    put("seed_workspace_2", json!(WORKSPACE_2));
    put("seam_apikey1_token", json!(API_KEY_1));
    put("seam_apikey2_token", json!(API_KEY_2));
    put("seam_cst1_token", json!(CLIENT_SESSION_TOKEN_1));
    put("seam_pk1_token", json!(PUBLISHABLE_KEY_1));
    put("seam_at1_token", json!(PERSONAL_ACCESS_TOKEN_1));
    put("john_connected_account_id", json!(JOHN));
    put("jane_connected_account_id", json!(JANE));
    put("john_assa_cs_connected_account_id", json!(JOHN_ASSA_CS));
    put("john_user_identifier_key", json!(JOHN_USER_IDENTIFIER_KEY));
    put("john_user_id", json!(JOHN_USER));
    put("john_user_key", json!(JOHN_USER_KEY));
    for (i, (name, ..)) in DEVICES.iter().enumerate() {
        put(name, json!(device_id(i + 1)));
    }
    m
}

/// The credentials a sandbox gets in place of the seed's (drawn by the store's generator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxTokens {
    pub api_key: String,
    pub publishable_key: String,
    pub client_session: String,
}

/// A sandbox's seed: the default seed's `seed_workspace_1` under fresh ids.
#[derive(Clone, Debug)]
pub struct Sandbox {
    /// The workspace, its API key and client session, connected accounts and devices: what
    /// `/_fake/reset {workspace_id}` returns the sandbox to.
    pub database: Database,
    /// The `/_fake/default_seed` names this sandbox has, with its ids and tokens.
    pub names: Map<String, Value>,
}

/// The names of the default seed a sandbox has no counterpart of: the second workspace and the
/// credentials that span workspaces (a personal access token, a console user).
const NOT_IN_A_SANDBOX: &[&str] = &[
    "seed_workspace_2",
    "seam_apikey2_token",
    "seam_at1_token",
    "john_user_id",
    "john_user_key",
];

/// The default seed's first workspace (its connected accounts, devices with their lengths and
/// constraints, API key, publishable key and client session) as a new workspace: every id
/// from `fresh_id`, drawn in a fixed order (workspace, accounts, devices, client session) so a
/// seeded generator repeats, and the same names and rules.
pub fn sandbox(
    name: &str,
    created_at: DateTime<Utc>,
    tokens: SandboxTokens,
    mut fresh_id: impl FnMut() -> Uuid,
) -> Sandbox {
    let seed = database();
    let mut ids = std::collections::HashMap::new();
    let mut map = |old: Uuid| *ids.entry(old).or_insert_with(&mut fresh_id);
    let workspace_id = map(WORKSPACE_1);
    let mut db = Database {
        workspaces: vec![WorkspaceRecord {
            workspace_id,
            name: name.into(),
            is_sandbox: true,
            publishable_key: Some(tokens.publishable_key.clone()),
            created_at,
            company_name: None,
            connect_partner_name: None,
            settings: Default::default(),
        }],
        api_keys: vec![ApiKey {
            name: "Sandbox API Key".into(),
            token: tokens.api_key.clone(),
            workspace_id,
        }],
        ..Database::default()
    };
    for a in seed.connected_accounts {
        db.connected_accounts.push(ConnectedAccount {
            connected_account_id: map(a.connected_account_id),
            workspace_id,
            created_at,
            ..a
        });
    }
    for d in seed.devices {
        db.devices.push(Device {
            device_id: map(d.device_id),
            workspace_id,
            connected_account_id: map(d.connected_account_id),
            created_at,
            ..d
        });
    }
    for s in seed.client_sessions {
        db.client_sessions.push(ClientSession {
            client_session_id: map(s.client_session_id),
            token: tokens.client_session.clone(),
            workspace_id,
            connected_account_ids: s.connected_account_ids.iter().map(|a| map(*a)).collect(),
            created_at,
            ..s
        });
    }
    let token = |old: &str| match old {
        API_KEY_1 => Some(tokens.api_key.as_str()),
        PUBLISHABLE_KEY_1 => Some(tokens.publishable_key.as_str()),
        CLIENT_SESSION_TOKEN_1 => Some(tokens.client_session.as_str()),
        _ => None,
    };
    let mut names = Map::new();
    for (k, v) in self::names() {
        if NOT_IN_A_SANDBOX.contains(&k.as_str()) {
            continue;
        }
        let s = v.as_str().unwrap_or_default();
        let new = match (
            Uuid::try_parse(s).ok().and_then(|id| ids.get(&id)),
            token(s),
        ) {
            (Some(id), _) => json!(id),
            (None, Some(t)) => json!(t),
            // A value that is neither an id nor a credential (a user identifier key) stays.
            (None, None) => v,
        };
        names.insert(k, new);
    }
    Sandbox {
        database: db,
        names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_is_consistent_and_matches_the_node_fake_shape() {
        let db = database();
        db.check().unwrap();
        assert_eq!(
            db.connected_accounts
                .iter()
                .filter(|a| a.workspace_id == WORKSPACE_1)
                .count(),
            3
        );
        assert!(db.devices.iter().all(|d| d.workspace_id == WORKSPACE_1));
        assert_eq!(db.devices.len(), DEVICES.len());
        let names = names();
        assert_eq!(names["seam_at1_token"], "seam_at1_longtoken");
        assert_eq!(names["august_device_1"], json!(device_id(1)));
        assert_eq!(
            WORKSPACE_1.to_string(),
            "5ea10001-0000-4000-8000-000000000001"
        );
    }

    fn tokens() -> SandboxTokens {
        SandboxTokens {
            api_key: "seam_sbxkey".into(),
            publishable_key: "seam_pksbx".into(),
            client_session: "seam_cstsbx".into(),
        }
    }

    #[test]
    fn a_sandbox_is_the_first_workspace_under_fresh_ids() {
        let mut n = 0u128;
        let sb = sandbox("Mine", seeded_at(), tokens(), || {
            n += 1;
            Uuid::from_u128(n)
        });
        sb.database.check().unwrap();
        let seed = database();
        let ws = Uuid::from_u128(1);
        assert_eq!(sb.database.workspaces[0].workspace_id, ws);
        assert_eq!(sb.database.devices.len(), seed.devices.len());
        for (new, old) in sb.database.devices.iter().zip(&seed.devices) {
            assert_eq!(new.workspace_id, ws);
            assert_eq!(new.display_name, old.display_name);
            assert_eq!(new.properties, old.properties);
            assert_ne!(new.device_id, old.device_id);
        }
        // Every name maps to something of the sandbox: no seed id or token is left.
        let seed_values: Vec<Value> = names().into_values().collect();
        for (k, v) in &sb.names {
            if k != "john_user_identifier_key" {
                assert!(!seed_values.contains(v), "{k} kept the seed's {v}");
            }
        }
        assert_eq!(sb.names["seed_workspace_1"], json!(ws));
        assert_eq!(sb.names["seam_apikey1_token"], "seam_sbxkey");
        assert_eq!(sb.names["seam_cst1_token"], "seam_cstsbx");
        assert_eq!(
            sb.names["august_device_1"],
            json!(sb.database.devices[0].device_id)
        );
        assert!(!sb.names.contains_key("seed_workspace_2"));
        let john = sb.names["john_connected_account_id"].clone();
        assert_eq!(
            json!(sb.database.client_sessions[0].connected_account_ids),
            json!([john])
        );
    }
}
