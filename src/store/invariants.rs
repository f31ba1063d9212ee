//! The invariants the API keeps, checked on a whole fixture (`PUT /_fake/database`,
//! `--seed-file`) before it replaces anything: a state the API could never have produced is
//! refused whole, naming the first problem. [`Database::check`](super::records::Database::check)
//! checks references first; this checks what the access-code rules promise.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use crate::domain::access_code::{AccessCode, CodeType};
use crate::domain::backup;
use crate::domain::device::Device;
use crate::domain::pindigits::PinDigits;

use super::records::Database;

/// The first invariant `db` breaks, or `Ok`. References (workspaces, accounts, devices of
/// codes) have been checked already.
pub fn check(db: &Database) -> Result<(), String> {
    unique_ids(db)?;
    let devices: HashMap<Uuid, &Device> = db.devices.iter().map(|d| (d.device_id, d)).collect();
    let takes_codes = |what: &str, id: Uuid| match devices.get(&id) {
        Some(d) if d.supports_access_codes() => Ok(*d),
        _ => Err(format!("{what}: device {id} does not take access codes")),
    };

    // Every PIN on every lock, whoever holds it.
    let mut pins: HashSet<(Uuid, String)> = HashSet::new();
    let mut put = |what: &str, device_id: Uuid, pin: &Option<String>| match pin {
        Some(p) if !pins.insert((device_id, p.clone())) => Err(format!(
            "{what}: PIN {p} is on device {device_id} twice (managed, unmanaged or backup pool PINs must differ)"
        )),
        _ => Ok(()),
    };
    let mut keys: HashMap<(Uuid, &str), Option<PinDigits>> = HashMap::new();
    let managed: HashMap<Uuid, &AccessCode> = db
        .access_codes
        .iter()
        .map(|c| (c.access_code_id, c))
        .collect();
    for c in &db.access_codes {
        let what = format!("access_codes: {}", c.access_code_id);
        let d = takes_codes(&what, c.device_id)?;
        put(&what, c.device_id, &c.code.map(|p| p.to_string()))?;
        window(&what, c)?;
        if let Some(k) = &c.common_code_key {
            let first = keys.entry((c.workspace_id, &**k)).or_insert(c.code);
            if let (Some(a), Some(b)) = (first.as_ref(), c.code.as_ref())
                && a != b
            {
                return Err(format!(
                    "{what}: the codes of common_code_key {k} have different PINs"
                ));
            }
        }
        if c.is_offline_access_code {
            if !d.can_program_offline_access_codes {
                return Err(format!(
                    "{what}: an offline access code on device {} that cannot program them",
                    d.device_id
                ));
            }
            if c.kind != CodeType::TimeBound || c.common_code_key.is_some() {
                return Err(format!(
                    "{what}: an offline access code must be time-bound and unshared"
                ));
            }
        } else if c.is_one_time_use {
            return Err(format!("{what}: only offline access codes are one-time"));
        }
        if c.is_backup && c.kind != CodeType::TimeBound {
            return Err(format!("{what}: a backup access code must be time-bound"));
        }
        if let Some(b) = c.pulled_backup_access_code_id {
            match managed.get(&b) {
                Some(b) if b.is_backup && b.device_id == c.device_id => {}
                _ => {
                    return Err(format!(
                        "{what}: pulled_backup_access_code_id {b} is not a backup code on the same device"
                    ));
                }
            }
        }
    }
    for u in &db.unmanaged_access_codes {
        let what = format!("unmanaged_access_codes: {}", u.access_code_id);
        takes_codes(&what, u.device_id)?;
        put(&what, u.device_id, &u.code)?;
    }
    let mut pooled = HashSet::new();
    for p in &db.backup_access_code_pools {
        let what = format!("backup_access_code_pools: device {}", p.device_id);
        let d = takes_codes(&what, p.device_id)?;
        if d.workspace_id != p.workspace_id {
            return Err(format!("{what}: not in workspace {}", p.workspace_id));
        }
        if !backup::supported(d) {
            return Err(format!("{what}: the device does not support a backup pool"));
        }
        if !pooled.insert(p.device_id) {
            return Err(format!("{what}: more than one pool"));
        }
        for pin in &p.codes {
            if pin.is_empty() || !pin.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{what}: {pin:?} is not a PIN (digits only)"));
            }
            put(&what, p.device_id, &Some(pin.clone()))?;
        }
    }
    Ok(())
}

/// `type` agrees with the window: `time_bound` has both ends in order, `ongoing` none.
fn window(what: &str, c: &AccessCode) -> Result<(), String> {
    match (c.kind, c.starts_at, c.ends_at) {
        (CodeType::TimeBound, Some(s), Some(e)) if s < e => Ok(()),
        (CodeType::Ongoing, None, None) => Ok(()),
        _ => Err(format!(
            "{what}: type {} does not match starts_at/ends_at (time_bound needs both, in order; ongoing neither)",
            match c.kind {
                CodeType::TimeBound => "time_bound",
                CodeType::Ongoing => "ongoing",
            }
        )),
    }
}

/// Ids and secrets that name one thing each, across workspaces.
fn unique_ids(db: &Database) -> Result<(), String> {
    fn once<T: std::hash::Hash + Eq + std::fmt::Display>(
        what: &str,
        items: impl IntoIterator<Item = T>,
    ) -> Result<(), String> {
        let mut seen = HashSet::new();
        for i in items {
            if seen.contains(&i) {
                return Err(format!("{what}: duplicate {i}"));
            }
            seen.insert(i);
        }
        Ok(())
    }
    once("devices: device_id", db.devices.iter().map(|d| d.device_id))?;
    once(
        "connected_accounts: connected_account_id",
        db.connected_accounts.iter().map(|a| a.connected_account_id),
    )?;
    once(
        "client_sessions: client_session_id",
        db.client_sessions.iter().map(|s| s.client_session_id),
    )?;
    once(
        "token",
        db.api_keys
            .iter()
            .map(|k| k.token.as_str())
            .chain(db.client_sessions.iter().map(|s| s.token.as_str()))
            .chain(db.personal_access_tokens.iter().map(|p| p.token.as_str())),
    )?;
    once(
        "action_attempts: action_attempt_id",
        db.action_attempts.iter().map(|a| a.action_attempt_id),
    )?;
    once("events: event_id", db.events.iter().map(|e| e.event_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access_code::{NewCode, UnmanagedAccessCode, Window};
    use crate::domain::backup::BackupPool;
    use crate::store::seed;
    use chrono::Duration;

    fn code(db: &Database, n: u128, device: usize, pin: &str) -> AccessCode {
        AccessCode::new(
            NewCode {
                access_code_id: Uuid::from_u128(n),
                device_id: seed::device_id(device),
                workspace_id: db.devices[0].workspace_id,
                code: Some(pin.into()),
                ..NewCode::default()
            },
            seed::seeded_at(),
        )
    }

    fn refused(db: &Database, needle: &str) {
        let e = db.check().unwrap_err();
        assert!(e.contains(needle), "{e}");
    }

    #[test]
    fn one_pin_twice_on_a_lock_is_refused_whoever_holds_it() {
        let mut db = seed::database();
        db.access_codes = vec![code(&db, 1, 1, "1234"), code(&db, 2, 2, "1234")];
        db.check().unwrap();
        db.access_codes.push(code(&db, 3, 1, "1234"));
        refused(&db, "twice");

        let mut db = seed::database();
        db.access_codes = vec![code(&db, 1, 1, "1234")];
        db.unmanaged_access_codes = vec![UnmanagedAccessCode::new(
            Uuid::from_u128(2),
            seed::device_id(1),
            seed::WORKSPACE_1,
            "u".into(),
            "1234".into(),
            seed::seeded_at(),
        )];
        refused(&db, "twice");

        let mut db = seed::database();
        db.access_codes = vec![code(&db, 1, 1, "1234")];
        db.backup_access_code_pools = vec![BackupPool {
            device_id: seed::device_id(1),
            workspace_id: seed::WORKSPACE_1,
            codes: vec!["1234".into()],
        }];
        refused(&db, "twice");
    }

    #[test]
    fn groups_devices_windows_and_flags_must_be_ones_the_api_makes() {
        let mut db = seed::database();
        let mut a = code(&db, 1, 1, "1234");
        let mut b = code(&db, 2, 2, "5678");
        a.common_code_key = Some("k".into());
        b.common_code_key = Some("k".into());
        db.access_codes = vec![a, b];
        refused(&db, "common_code_key");

        let mut db = seed::database();
        db.access_codes = vec![code(&db, 1, 4, "1234")];
        refused(&db, "does not take access codes");

        let mut db = seed::database();
        let mut c = code(&db, 1, 1, "1234");
        c.kind = CodeType::TimeBound;
        db.access_codes = vec![c];
        refused(&db, "time_bound");

        let mut db = seed::database();
        let mut c = code(&db, 1, 1, "1234");
        let at = seed::seeded_at();
        c.set_window(
            Some(Window::new(at, at + Duration::hours(1), at).unwrap()),
            at,
        );
        c.is_offline_access_code = true;
        db.access_codes = vec![c.clone()];
        refused(&db, "offline");
        c.device_id = seed::device_id(10);
        db.access_codes = vec![c.clone()];
        db.check().unwrap();
        c.pulled_backup_access_code_id = Some(Uuid::from_u128(99));
        db.access_codes = vec![c];
        refused(&db, "pulled_backup_access_code_id");

        let mut db = seed::database();
        db.backup_access_code_pools = vec![BackupPool {
            device_id: seed::device_id(3),
            workspace_id: seed::WORKSPACE_1,
            codes: vec![],
        }];
        refused(&db, "backup pool");
    }

    #[test]
    fn ids_and_tokens_are_unique_across_workspaces() {
        let mut db = seed::database();
        let mut twin = db.devices[0].clone();
        twin.workspace_id = seed::WORKSPACE_2;
        db.devices.push(twin);
        assert!(db.check().is_err());
        let mut db = seed::database();
        let mut k = db.api_keys[0].clone();
        k.workspace_id = seed::WORKSPACE_2;
        db.api_keys.push(k);
        refused(&db, "token");
    }
}
