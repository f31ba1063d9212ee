//! The managed-code use cases: create (one, or one PIN on many locks), update (one code, or a
//! whole `common_code_key` group), delete, and generate a PIN without storing it. Each checks
//! everything — through the rules in `crate::domain` — before it writes anything.

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::access_code::{AccessCode, NewCode, Status, Window};
use crate::domain::action_attempt::{ActionAttempt, ActionType};
use crate::domain::backup;
use crate::domain::command::{CodeSettings, CreateMultiple, CreateOne, Update, UpdateMultiple};
use crate::domain::create_multiple::{self, Lock};
use crate::domain::event::{CodeEvent, EventKind};
use crate::domain::offline::{self, Rounding};
use crate::domain::pin::{self, LockRules, Misfit, Pin, PinSet};
use crate::domain::pindigits::PinDigits;
use crate::domain::rules;
use crate::error::{Error, Result};

use super::{Scope, Workspace};

impl Workspace {
    /// Creates a new managed code from a decided PIN (`None`: the provider will assign one)
    /// and records its `access_code.created`.
    pub(super) fn create_code(
        &mut self,
        device_id: Uuid,
        code: Option<String>,
        common_code_key: Option<Arc<str>>,
        window: Option<Window>,
        settings: &CodeSettings,
    ) -> AccessCode {
        // One look-up of the lock for what the code and its event need from it.
        let lock = &self.devices[&device_id];
        let account = Some(lock.connected_account_id);
        let supports_pool = lock
            .properties
            .supports_backup_access_code_pool
            .unwrap_or(false);
        // Every field named: the one path a caller's request creates codes through decides
        // each of them, so a new one fails to compile here until it is decided.
        let n = NewCode {
            access_code_id: self.new_id(),
            device_id,
            workspace_id: self.record.workspace_id,
            name: settings.name.clone(),
            // Every PIN made or accepted here fits: a caller's has at most 9 digits, a lock's
            // at most `MAX_CODE_LENGTH`.
            code: code.as_deref().and_then(PinDigits::new),
            common_code_key,
            window,
            is_external_modification_allowed: settings.is_external_modification_allowed,
            use_backup_access_code_pool: settings.use_backup_access_code_pool,
            device_supports_backup_pool: supports_pool,
        };
        let now = self.now;
        let mut code = AccessCode::new(n, now);
        if let Some(r) = settings.offline {
            code.is_offline_access_code = true;
            code.is_one_time_use = r == Rounding::OneTime;
        }
        let holds = self.holds_of(&code);
        let id = code.access_code_id;
        let about = CodeEvent::of(&code, account);
        let parked = !holds.is_empty() && code.status == Status::Setting;
        if settings.use_backup_access_code_pool || parked {
            // The paths that change the code once it is stored.
            self.insert_code(code);
            if settings.use_backup_access_code_pool {
                self.activate_pool(device_id);
            }
            self.refresh_backup_flag(id);
            if parked {
                self.hold_code(id, &holds, now);
            }
            self.record(EventKind::AccessCodeCreated(about), now);
            return self.codes[&id].clone();
        }
        // The common path decides everything before storing: one copy, no look-ups back.
        code.is_backup_access_code_available =
            backup::available(&code, self.pools.contains_key(&device_id));
        let out = code.clone();
        self.insert_code(code);
        self.record(EventKind::AccessCodeCreated(about), now);
        out
    }

    /// `/access_codes/create_multiple`: plans every lock's PIN and key and commits all codes,
    /// or fails with nothing written. The locks are distinct by construction
    /// ([`crate::domain::command::DeviceIds`]).
    pub fn create_multiple(
        &mut self,
        req: CreateMultiple,
        scope: &Scope,
    ) -> Result<Vec<AccessCode>> {
        if req.settings.offline.is_some() {
            return self.create_offline_multiple(req, scope);
        }
        let window = rules::new_code_window(&req.settings, self.now)?;
        for id in req.device_ids.as_slice() {
            self.lock(*id, scope)?;
        }
        let empty = PinSet::default();
        let locks: Vec<Lock<'_>> = req
            .device_ids
            .as_slice()
            .iter()
            .map(|id| Lock {
                device_id: *id,
                rules: LockRules::of(&self.devices[id], self.pins.get(id).unwrap_or(&empty)),
            })
            .collect();
        let planned = create_multiple::plan(&locks, &req.plan, &mut self.rng).map_err(|e| {
            Error::CodeCannotBeShared {
                message: e.message,
                device_ids: e.device_ids,
            }
        })?;
        drop(locks);

        let mut out = Vec::with_capacity(planned.len());
        for p in planned {
            out.push(self.create_code(
                p.device_id,
                p.code,
                p.common_code_key,
                window,
                &req.settings,
            ));
        }
        Ok(out)
    }

    /// Checks that `pin` fits `device_id` (length, constraints, not on the lock): 409
    /// `duplicate_access_code` when it is already there, 400 `invalid_access_code` otherwise.
    /// `own` is a PIN of the code being changed, left out of the comparison.
    pub(super) fn check_pin(
        &mut self,
        device_id: Uuid,
        pin: &str,
        own: Option<&str>,
    ) -> Result<()> {
        let set = self.pins.entry(device_id).or_default();
        if let Some(own) = own {
            set.remove(own);
        }
        let result = LockRules::of(&self.devices[&device_id], &self.pins[&device_id]).check(pin);
        if let Some(own) = own {
            self.pins.entry(device_id).or_default().add(own);
        }
        match result {
            Ok(()) => Ok(()),
            Err(Misfit::InUse) => Err(Error::DuplicateAccessCode(device_id)),
            Err(m) => Err(Error::InvalidAccessCode {
                message: format!("The code cannot be set on the device: {m}"),
                device_id,
            }),
        }
    }

    /// A random PIN for one lock, or `None` for a provider-assigned lock.
    fn generate_pin(&mut self, device_id: Uuid, preferred: Option<f64>) -> Result<Option<String>> {
        let device = &self.devices[&device_id];
        if device.provider_assigns_pins() {
            return Ok(None);
        }
        let empty = PinSet::default();
        let rules = LockRules::of(device, self.pins.get(&device_id).unwrap_or(&empty));
        pin::generate_for(&rules, preferred, &mut self.rng)
            .map(Some)
            .ok_or_else(|| Error::InvalidAccessCode {
                message: "The device has no free PIN of any supported length".into(),
                device_id,
            })
    }

    /// `/access_codes/create`: one code on one lock, optionally joining (or starting) the
    /// group of a `common_code_key`.
    pub fn create_one(
        &mut self,
        req: CreateOne,
        scope: &Scope,
    ) -> Result<(AccessCode, ActionAttempt)> {
        if req.settings.offline.is_some() {
            let code = self.create_offline_one(req, scope)?;
            let attempt = self.record_attempt(
                ActionType::CreateAccessCode,
                serde_json::json!({ "access_code": code }),
            );
            return Ok((code, attempt));
        }
        let window = rules::new_code_window(&req.settings, self.now)?;
        let device_id = self.lock(req.device_id, scope)?.device_id;
        let group_pin = match &req.common_code_key {
            Some(key) => {
                let group: Vec<_> = self.codes_with_key(key).iter().map(|c| c.pin()).collect();
                let group: Vec<Option<&str>> = group.iter().map(|p| p.as_deref()).collect();
                rules::group_pin(&group, req.code.as_ref())?
            }
            None => req.code.as_ref().map(|c| c.as_str().to_string()),
        };
        let pin = match group_pin {
            Some(p) => {
                self.check_pin(device_id, &p, None)?;
                Some(p)
            }
            None => self.generate_pin(device_id, req.preferred_code_length)?,
        };
        // A code joining a group shares the group's key (one allocation for all of them).
        let key = req
            .common_code_key
            .map(|k| match self.codes_by_key.get_key_value(k.as_str()) {
                Some((shared, _)) => Arc::clone(shared),
                None => Arc::from(k),
            });
        let code = self.create_code(device_id, pin, key, window, &req.settings);
        let attempt = self.record_attempt(
            ActionType::CreateAccessCode,
            serde_json::json!({ "access_code": code }),
        );
        Ok((code, attempt))
    }

    /// `/access_codes/update`: name, PIN, window, type. Nothing changes on error.
    pub fn update(&mut self, req: Update, scope: &Scope) -> Result<ActionAttempt> {
        let current = self.code(req.access_code_id, scope)?.clone();
        offline::check_changeable(&current, "updated")?;
        let id = current.access_code_id;
        let window_asked = req.kind.is_some() || req.starts_at.is_some() || req.ends_at.is_some();
        let window = if window_asked {
            rules::changed_window(&current, req.kind, req.starts_at, req.ends_at, self.now)?
        } else {
            Window::of(&current)
        };
        let new_pin = req
            .code
            .map(Pin::into_string)
            .filter(|p| current.pin().as_deref() != Some(p.as_str()));
        if let Some(p) = &new_pin {
            self.check_pin(current.device_id, p, current.pin().as_deref())?;
        }

        if let Some(p) = &new_pin {
            self.set_pin(id, p);
        }
        if let Some(c) = self.codes.get_mut(&id) {
            if let Some(n) = req.name {
                c.name = Some(n);
            }
            if let Some(x) = req.is_external_modification_allowed {
                c.is_external_modification_allowed = x;
            }
        }
        if new_pin.is_some() || window_asked {
            self.reprogram(id, window);
        } else {
            self.emit_changed(id);
        }
        self.refresh_backup_flag(id);
        let code = self.codes[&id].clone();
        Ok(self.record_attempt(
            ActionType::UpdateAccessCode,
            serde_json::json!({ "access_code": code }),
        ))
    }

    /// Gives a code a new PIN in place, keeping the indexes right. A new PIN leaves the group:
    /// two codes with one key always share a PIN.
    pub(super) fn set_pin(&mut self, id: Uuid, pin: &str) {
        let Some(c) = self.codes.get_mut(&id) else {
            return;
        };
        // Every PIN given here fits (a caller's has at most 9 digits, a lock's at most 20).
        let old = std::mem::replace(&mut c.code, PinDigits::new(pin));
        let key = c.common_code_key.take();
        c.is_waiting_for_code_assignment = false;
        let device_id = c.device_id;
        let pins = self.pins.entry(device_id).or_default();
        if let Some(old) = old {
            pins.remove(&old.text());
        }
        pins.add(pin);
        if let Some(k) = key {
            self.leave_group(id, &k);
        }
    }

    /// `/access_codes/update_multiple`: a new name and/or window for every code of a group
    /// the caller can see. Every code is checked before any changes.
    pub fn update_multiple(&mut self, req: UpdateMultiple, scope: &Scope) -> Result<()> {
        let members: Vec<AccessCode> = self
            .codes_with_key(&req.common_code_key)
            .into_iter()
            .filter(|c| self.visible(c, scope).is_ok())
            .cloned()
            .collect();
        if members.is_empty() {
            return Err(Error::AccessCodeNotFound);
        }
        let window_asked = req.starts_at.is_some() || req.ends_at.is_some();
        let mut windows = Vec::with_capacity(members.len());
        for c in &members {
            windows.push(if window_asked {
                rules::changed_window(c, None, req.starts_at, req.ends_at, self.now)?
            } else {
                None
            });
        }
        for (c, w) in members.iter().zip(windows) {
            let id = c.access_code_id;
            if let (Some(n), Some(code)) = (&req.name, self.codes.get_mut(&id)) {
                code.name = Some(n.clone());
            }
            if window_asked {
                self.reprogram(id, w);
            } else {
                self.emit_changed(id);
            }
        }
        Ok(())
    }

    /// `/access_codes/delete`: the code leaves the lock and Seam — unless the lock refuses to
    /// take it off (a `remove_error` rule): it then stays, `removing`, until the lock does.
    pub fn delete(&mut self, access_code_id: Uuid, scope: &Scope) -> Result<ActionAttempt> {
        let code = self.code(access_code_id, scope)?;
        offline::check_changeable(code, "deleted")?;
        let id = code.access_code_id;
        let now = self.now;
        self.remove_from_lock(id, now, false);
        Ok(self.record_attempt(ActionType::DeleteAccessCode, serde_json::json!({})))
    }

    /// `/access_codes/generate_code`: a PIN valid for the lock, not stored.
    pub fn generate_code(&mut self, device_id: Uuid, scope: &Scope) -> Result<AccessCode> {
        let device_id = self.lock(device_id, scope)?.device_id;
        let pin = self.generate_pin(device_id, None)?;
        let id = self.new_id();
        Ok(AccessCode::new(
            NewCode {
                access_code_id: id,
                device_id,
                workspace_id: self.record.workspace_id,
                code: pin.as_deref().and_then(PinDigits::new),
                ..NewCode::default()
            },
            self.now,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::testing::*;
    use crate::domain::access_code::{AccessCode, CodeType, Status};
    use crate::domain::action_attempt::{ActionType, AttemptStatus};
    use crate::domain::command::{
        CodeSettings, CreateMultiple, CreateOne, DeviceIds, EventFilter, Update, UpdateMultiple,
    };
    use crate::domain::create_multiple::{self, Behavior};
    use crate::domain::event::EventType;
    use crate::domain::pin::{Pin, PinSet};
    use crate::error::Error;
    use chrono::Duration;

    fn pin(s: &str) -> Pin {
        Pin::parse(s).unwrap()
    }

    fn multiple(devices: &[usize]) -> CreateMultiple {
        CreateMultiple {
            device_ids: DeviceIds::new(devices.iter().map(|d| dev(*d)).collect()).unwrap(),
            plan: create_multiple::Request::default(),
            settings: CodeSettings::default(),
        }
    }

    #[test]
    fn create_one_generates_a_fitting_pin_and_rejects_taken_ones() {
        let mut w = ws();
        let (c, attempt) = w.create_one(one(NUKI), &all()).unwrap();
        let p = c.pin().unwrap().to_string();
        assert_eq!(p.len(), 6);
        assert!(!p.contains('0') && !p.starts_with("12"));
        assert_eq!(
            (attempt.action_type, attempt.status),
            (ActionType::CreateAccessCode, AttemptStatus::Success)
        );
        assert_eq!(
            (attempt.action_type.as_str(), attempt.status.as_str()),
            ("CREATE_ACCESS_CODE", "success")
        );

        let again = CreateOne {
            code: Some(pin(&p)),
            ..one(NUKI)
        };
        assert!(matches!(
            w.create_one(again, &all()),
            Err(Error::DuplicateAccessCode(_))
        ));
        let zero = CreateOne {
            code: Some(pin("345078")),
            ..one(NUKI)
        };
        assert!(matches!(
            w.create_one(zero, &all()),
            Err(Error::InvalidAccessCode { .. })
        ));
        let short = CreateOne {
            code: Some(pin("3456")),
            ..one(NUKI)
        };
        assert!(matches!(
            w.create_one(short, &all()),
            Err(Error::InvalidAccessCode { .. })
        ));
        assert_eq!(
            w.codes_on_device(dev(NUKI), &all(), 0, 100)
                .unwrap()
                .items
                .len(),
            1
        );
    }

    #[test]
    fn create_one_joins_or_starts_a_common_code_key_group() {
        let mut w = ws();
        let key = "my_group".to_string();
        let first = CreateOne {
            common_code_key: Some(key.clone()),
            ..one(AUGUST_1)
        };
        let (a, _) = w.create_one(first, &all()).unwrap();
        let second = CreateOne {
            common_code_key: Some(key.clone()),
            ..one(AUGUST_2)
        };
        let (b, _) = w.create_one(second, &all()).unwrap();
        assert_eq!(a.code, b.code);
        assert_eq!(w.codes_with_key(&key).len(), 2);
        // The joining code holds the group's key, not a copy of it.
        let (ka, kb) = (a.common_code_key.unwrap(), b.common_code_key.unwrap());
        assert!(Arc::ptr_eq(&ka, &kb), "one key for the group");
        let other = CreateOne {
            common_code_key: Some(key.clone()),
            code: Some(pin("97531")),
            ..one(SCHLAGE_1)
        };
        assert!(matches!(
            w.create_one(other, &all()),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn a_create_multiple_group_shares_one_key() {
        let mut w = ws();
        let codes = w
            .create_multiple(multiple(&[AUGUST_1, AUGUST_2, SCHLAGE_1]), &all())
            .unwrap();
        let keys: Vec<Arc<str>> = codes
            .iter()
            .map(|c| c.common_code_key.clone().unwrap())
            .collect();
        assert!(keys.iter().all(|k| Arc::ptr_eq(k, &keys[0])));
        let stored = w.codes_with_key(&keys[0]);
        assert_eq!(stored.len(), 3);
        assert!(
            stored
                .iter()
                .all(|c| Arc::ptr_eq(c.common_code_key.as_ref().unwrap(), &keys[0]))
        );
    }

    #[test]
    fn update_changes_pin_out_of_its_group_and_errors_change_nothing() {
        let mut w = ws();
        let codes = w
            .create_multiple(multiple(&[AUGUST_1, AUGUST_2]), &all())
            .unwrap();
        let key = codes[0].common_code_key.clone().unwrap();
        let id = codes[0].access_code_id;
        let taken = codes[1].code;
        // A PIN already on August 2 is fine on August 1 only if not in use there: put one there.
        let (other, _) = w
            .create_one(
                CreateOne {
                    code: Some(pin("86420")),
                    ..one(AUGUST_1)
                },
                &all(),
            )
            .unwrap();
        let clash = Update {
            code: Some(pin("86420")),
            ..Update::of(id)
        };
        assert!(matches!(
            w.update(clash, &all()),
            Err(Error::DuplicateAccessCode(_))
        ));
        assert_eq!(w.code(id, &all()).unwrap().code, taken);
        assert_eq!(w.codes_with_key(&key).len(), 2);

        let change = Update {
            code: Some(pin("13579")),
            name: Some("new".into()),
            ..Update::of(id)
        };
        let attempt = w.update(change, &all()).unwrap();
        assert_eq!(attempt.action_type, ActionType::UpdateAccessCode);
        assert_eq!(attempt.action_type.as_str(), "UPDATE_ACCESS_CODE");
        let c = w.code(id, &all()).unwrap();
        assert_eq!(
            (
                c.pin().as_deref(),
                c.common_code_key.as_deref(),
                c.name.as_deref()
            ),
            (Some("13579"), None, Some("new"))
        );
        assert_eq!(c.status, Status::Setting);
        assert_eq!(w.codes_with_key(&key).len(), 1);
        assert!(w.code_by_pin(dev(AUGUST_1), "13579", &all()).is_ok());
        assert!(
            w.code_by_pin(dev(AUGUST_1), &taken.unwrap().to_string(), &all())
                .is_err()
        );
        let _ = other;
    }

    #[test]
    fn update_type_ongoing_clears_the_window_and_bad_windows_are_refused() {
        let mut w = ws();
        let req = CreateOne {
            settings: CodeSettings {
                starts_at: Some(t0() + Duration::hours(1)),
                ends_at: Some(t0() + Duration::hours(2)),
                ..CodeSettings::default()
            },
            ..one(AUGUST_1)
        };
        let (c, _) = w.create_one(req, &all()).unwrap();
        let id = c.access_code_id;
        assert_eq!((c.kind, c.status), (CodeType::TimeBound, Status::Unset));
        let bad = Update {
            ends_at: Some(t0()),
            ..Update::of(id)
        };
        assert!(w.update(bad, &all()).is_err());
        assert_eq!(
            w.code(id, &all()).unwrap().ends_at,
            Some(t0() + Duration::hours(2))
        );
        let ongoing = Update {
            kind: Some(CodeType::Ongoing),
            ..Update::of(id)
        };
        w.update(ongoing, &all()).unwrap();
        let c = w.code(id, &all()).unwrap();
        assert_eq!(
            (c.kind, c.starts_at, c.ends_at),
            (CodeType::Ongoing, None, None)
        );
    }

    #[test]
    fn a_linked_group_lives_its_whole_life() {
        let mut w = ws();
        let req = CreateMultiple {
            settings: CodeSettings {
                starts_at: Some(t0() + Duration::hours(1)),
                ends_at: Some(t0() + Duration::hours(3)),
                ..CodeSettings::default()
            },
            ..multiple(&[AUGUST_1, NUKI])
        };
        let codes = w.create_multiple(req, &all()).unwrap();
        let key = codes[0].common_code_key.clone().unwrap();
        assert!(codes.iter().all(|c| c.status == Status::Unset));
        advance(&mut w, Duration::minutes(90));
        assert!(
            w.codes_with_key(&key)
                .iter()
                .all(|c| c.status == Status::Set)
        );
        w.update_multiple(
            UpdateMultiple {
                common_code_key: key.to_string(),
                name: Some("moved".into()),
                starts_at: None,
                ends_at: Some(t0() + Duration::hours(5)),
            },
            &all(),
        )
        .unwrap();
        advance(&mut w, Duration::minutes(1));
        assert!(
            w.codes_with_key(&key)
                .iter()
                .all(|c| c.status == Status::Set && c.name.as_deref() == Some("moved"))
        );
        advance(&mut w, Duration::hours(2));
        assert_eq!(
            w.codes_with_key(&key).len(),
            2,
            "still inside the moved window"
        );
        advance(&mut w, Duration::hours(2));
        assert!(w.codes_with_key(&key).is_empty());
        for c in &codes {
            assert!(matches!(
                w.code(c.access_code_id, &all()),
                Err(Error::AccessCodeNotFound)
            ));
            let f = EventFilter {
                access_code_ids: Some(vec![c.access_code_id]),
                ..EventFilter::default()
            };
            let story: Vec<EventType> = w
                .events_matching(&f, 100)
                .iter()
                .map(|e| e.event_type())
                .collect();
            assert_eq!(
                story,
                [
                    EventType::AccessCodeCreated,
                    EventType::AccessCodeSetOnDevice,
                    EventType::AccessCodeChanged,
                    EventType::AccessCodeSetOnDevice,
                    EventType::AccessCodeRemovedFromDevice,
                    EventType::AccessCodeDeleted,
                ]
            );
        }
        let times: Vec<_> = w.events().iter().map(|e| e.occurred_at).collect();
        assert!(
            times.windows(2).all(|p| p[0] <= p[1]),
            "events in time order"
        );
        assert!(
            pins(&w).values().all(PinSet::is_empty),
            "removed PINs free their locks"
        );
    }

    #[test]
    fn delete_frees_the_pin_and_records_events() {
        let mut w = ws();
        let (c, _) = w
            .create_one(
                CreateOne {
                    code: Some(pin("4682")),
                    ..one(SCHLAGE_1)
                },
                &all(),
            )
            .unwrap();
        advance(&mut w, Duration::seconds(1));
        let id = c.access_code_id;
        assert_eq!(
            w.delete(id, &all()).unwrap().action_type,
            ActionType::DeleteAccessCode
        );
        assert!(matches!(w.code(id, &all()), Err(Error::AccessCodeNotFound)));
        assert!(matches!(
            w.delete(id, &all()),
            Err(Error::AccessCodeNotFound)
        ));
        let last: Vec<_> = w
            .events()
            .iter()
            .rev()
            .take(2)
            .map(|e| (e.event_type(), e.pin()))
            .collect();
        assert_eq!(last[0], (EventType::AccessCodeDeleted, Some("4682".into())));
        assert_eq!(last[1].0, EventType::AccessCodeRemovedFromDevice);
        // The PIN (and its prefix, under unique_first_four_digits) is free again.
        w.create_one(
            CreateOne {
                code: Some(pin("4682")),
                ..one(SCHLAGE_1)
            },
            &all(),
        )
        .unwrap();
    }

    #[test]
    fn generate_code_fits_the_lock_and_stores_nothing() {
        let mut w = ws();
        for _ in 0..20 {
            let c: AccessCode = w.generate_code(dev(SCHLAGE_1), &all()).unwrap();
            let p = c.pin().unwrap();
            assert_eq!(p.len(), 4);
            let b = p.as_bytes();
            assert!(
                (1..4).all(|i| !b[..i].contains(&b[i])),
                "{p} repeats a digit"
            );
        }
        assert!(
            w.codes_on_device(dev(SCHLAGE_1), &all(), 0, 10)
                .unwrap()
                .items
                .is_empty()
        );
    }

    #[test]
    fn create_random_code_behavior_reaches_the_store() {
        let mut w = ws();
        let req = CreateMultiple {
            plan: create_multiple::Request {
                behavior: Behavior::CreateRandomCode,
                ..Default::default()
            },
            ..multiple(&[SCHLAGE_1, NUKI])
        };
        let codes = w.create_multiple(req, &all()).unwrap();
        assert!(codes.iter().all(|c| c.common_code_key.is_none()));
        let created = w
            .events()
            .iter()
            .filter(|e| e.event_type() == EventType::AccessCodeCreated)
            .count();
        assert_eq!(created, 2);
    }
}
