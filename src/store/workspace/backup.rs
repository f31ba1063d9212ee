//! Backup access code pools: activated for good on a lock by the first code that asks for one,
//! topped up to five spare PINs (counted as PINs on the lock), and drawn from by
//! `/access_codes/pull_backup_access_code`. The rules are in `crate::domain::backup`.

use uuid::Uuid;

use crate::domain::access_code::{AccessCode, NewCode, Window};
use crate::domain::backup;
use crate::domain::event::{BackupPulledEvent, CodeEvent, EventKind};
use crate::domain::pindigits::PinDigits;
use crate::error::{Error, Result};

use super::{Scope, Workspace};

impl Workspace {
    /// Activates the pool of `device_id` if the lock supports one (else nothing), fills it,
    /// and marks the lock's time-bound codes as having a backup available.
    pub(super) fn activate_pool(&mut self, device_id: Uuid) {
        let Some(device) = self.devices.get(&device_id) else {
            return;
        };
        if !backup::supported(device) || self.pools.contains_key(&device_id) {
            return;
        }
        self.pools.insert(device_id, Vec::new());
        self.refill_pool(device_id);
        let ids: Vec<Uuid> = self
            .codes_by_device
            .get(&device_id)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        for id in ids {
            self.refresh_backup_flag(id);
        }
    }

    /// `/devices/update` `backup_access_code_pool_enabled`: `true` activates the lock's pool
    /// (if it supports one); `false` ends it — its spare PINs leave the lock (pulled backups
    /// stay, they are codes of their own) and the lock's codes no longer have a backup.
    pub(super) fn set_pool(&mut self, device_id: Uuid, enabled: bool) {
        if enabled {
            return self.activate_pool(device_id);
        }
        let Some(spares) = self.pools.shift_remove(&device_id) else {
            return;
        };
        if let Some(pins) = self.pins.get_mut(&device_id) {
            spares.iter().for_each(|p| pins.remove(p));
        }
        let ids = self
            .codes_by_device
            .get(&device_id)
            .cloned()
            .unwrap_or_default();
        for id in ids {
            self.refresh_backup_flag(id);
        }
    }

    /// Tops a lock's active pool up to five PINs.
    fn refill_pool(&mut self, device_id: Uuid) {
        let (Some(device), Some(pool)) =
            (self.devices.get(&device_id), self.pools.get_mut(&device_id))
        else {
            return;
        };
        let in_use = self.pins.entry(device_id).or_default();
        backup::refill(device, in_use, pool, &mut self.rng);
    }

    /// Sets `is_backup_access_code_available` on a code from the rule.
    pub(super) fn refresh_backup_flag(&mut self, id: Uuid) {
        let Some(c) = self.codes.get(&id) else {
            return;
        };
        let active = self.pools.contains_key(&c.device_id);
        let available = backup::available(c, active);
        if let Some(c) = self.codes.get_mut(&id) {
            c.is_backup_access_code_available = available;
        }
    }

    /// `/access_codes/pull_backup_access_code`: the backup of a time-bound code (the original
    /// now names it in `pulled_backup_access_code_id`). Pulling again returns the same backup.
    pub fn pull_backup(&mut self, id: Uuid, scope: &Scope) -> Result<AccessCode> {
        let original = self.code(id, scope)?.clone();
        if let Some(b) = original
            .pulled_backup_access_code_id
            .and_then(|b| self.codes.get(&b))
        {
            return Ok(b.clone());
        }
        let (Some(ends_at), false) = (original.ends_at, original.is_backup) else {
            return Err(Error::InvalidRequest(
                "A backup access code can only be pulled for a time-bound access code that is not a backup itself".into(),
            ));
        };
        let device_id = original.device_id;
        let pin = match self.pools.get_mut(&device_id) {
            Some(pool) if !pool.is_empty() => pool.remove(0),
            _ => {
                return Err(Error::UnsupportedByDevice {
                    message: "The device has no active backup access code pool (create a time-bound code with use_backup_access_code_pool on a lock that supports one)".into(),
                    device_id,
                });
            }
        };
        // The PIN moves from the pool to the new code, which counts it again.
        if let Some(p) = self.pins.get_mut(&device_id) {
            p.remove(&pin);
        }
        let now = self.now;
        let window = Window::new(now, ends_at, now).map_err(Error::InvalidRequest)?;
        let backup_id = self.new_id();
        let mut b = AccessCode::new(
            NewCode {
                access_code_id: backup_id,
                device_id,
                workspace_id: self.record.workspace_id,
                name: original.name.clone(),
                code: PinDigits::new(&pin),
                window: Some(window),
                is_external_modification_allowed: original.is_external_modification_allowed,
                ..NewCode::default()
            },
            now,
        );
        b.is_backup = true;
        // Pool PINs are on the lock already.
        b.program();
        self.insert_code(b.clone());
        if let Some(c) = self.codes.get_mut(&id) {
            c.pulled_backup_access_code_id = Some(backup_id);
        }
        self.refresh_backup_flag(id);
        self.refill_pool(device_id);
        let original = self.codes[&id].clone();
        self.emit_pulled(&original, backup_id);
        Ok(b)
    }

    /// Records `access_code.backup_access_code_pulled` on the original, now.
    fn emit_pulled(&mut self, original: &AccessCode, backup_id: Uuid) {
        let about = CodeEvent::of(original, self.account_of(original.device_id));
        let pulled = BackupPulledEvent {
            about,
            backup_access_code_id: backup_id,
        };
        self.record(
            EventKind::AccessCodeBackupAccessCodePulled(Box::new(pulled)),
            self.now,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::domain::access_code::Status;
    use crate::domain::backup::POOL_SIZE;
    use crate::domain::command::{CodeSettings, CreateOne};
    use crate::domain::event::EventType;
    use crate::domain::pin::Pin;
    use crate::error::Error;
    use chrono::Duration;

    fn pooled(device: usize) -> CreateOne {
        CreateOne {
            settings: CodeSettings {
                starts_at: Some(t0()),
                ends_at: Some(t0() + Duration::hours(3)),
                use_backup_access_code_pool: true,
                ..CodeSettings::default()
            },
            ..one(device)
        }
    }

    #[test]
    fn a_pulled_backup_is_set_until_the_originals_end_and_the_pool_refills() {
        let mut w = ws();
        let (c, _) = w.create_one(pooled(AUGUST_1), &all()).unwrap();
        assert!(c.is_backup_access_code_available);
        let pool = w.pools[&dev(AUGUST_1)].clone();
        assert_eq!(pool.len(), POOL_SIZE);
        assert!(pool.iter().all(|p| Some(p.as_str()) != c.pin().as_deref()));
        // A pool PIN counts as a PIN on the lock.
        let clash = CreateOne {
            code: Some(Pin::parse(&pool[0]).unwrap()),
            ..one(AUGUST_1)
        };
        assert!(matches!(
            w.create_one(clash, &all()),
            Err(Error::DuplicateAccessCode(_))
        ));

        advance(&mut w, Duration::hours(1));
        let b = w.pull_backup(c.access_code_id, &all()).unwrap();
        let orig = w.code(c.access_code_id, &all()).unwrap().clone();
        assert_eq!(b.pin().as_deref(), Some(pool[0].as_str()));
        assert!(b.is_backup && b.status == Status::Set && b.common_code_key.is_none());
        assert_eq!(
            (b.starts_at, b.ends_at),
            (Some(t0() + Duration::hours(1)), orig.ends_at)
        );
        assert_eq!(orig.pulled_backup_access_code_id, Some(b.access_code_id));
        assert!(!orig.is_backup_access_code_available);
        assert_eq!(w.pools[&dev(AUGUST_1)].len(), POOL_SIZE);
        let again = w.pull_backup(c.access_code_id, &all()).unwrap();
        assert_eq!(again.access_code_id, b.access_code_id);
        let pulled = w
            .events()
            .iter()
            .filter(|e| e.event_type() == EventType::AccessCodeBackupAccessCodePulled)
            .count();
        assert_eq!(pulled, 1);
        advance(&mut w, Duration::hours(2));
        assert!(w.code(b.access_code_id, &all()).is_err());
    }

    #[test]
    fn pulls_need_a_time_bound_code_and_an_active_pool() {
        let mut w = ws();
        let (ongoing, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        assert!(matches!(
            w.pull_backup(ongoing.access_code_id, &all()),
            Err(Error::InvalidRequest(_))
        ));
        let mut no_pool = pooled(AUGUST_2);
        no_pool.settings.use_backup_access_code_pool = false;
        let (c, _) = w.create_one(no_pool, &all()).unwrap();
        assert!(!c.is_backup_access_code_available);
        assert!(matches!(
            w.pull_backup(c.access_code_id, &all()),
            Err(Error::UnsupportedByDevice { .. })
        ));
        // Schlage has no pool: asking for one changes nothing there.
        let (s, _) = w.create_one(pooled(SCHLAGE_1), &all()).unwrap();
        assert!(!s.is_backup_access_code_available && !w.pools.contains_key(&dev(SCHLAGE_1)));
        // Activating the August 2 pool later makes the earlier time-bound code eligible.
        w.create_one(pooled(AUGUST_2), &all()).unwrap();
        assert!(
            w.code(c.access_code_id, &all())
                .unwrap()
                .is_backup_access_code_available
        );
        // Kwikset supports a pool too.
        let (k, _) = w.create_one(pooled(KWIKSET), &all()).unwrap();
        assert!(k.is_backup_access_code_available && w.pools[&dev(KWIKSET)].len() == POOL_SIZE);
    }
}
