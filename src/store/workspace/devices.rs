//! Devices as a caller reaches them: one by id (404 outside the workspace, 401 outside the
//! caller's connected accounts), one that takes access codes ([`Workspace::lock`]), lists with
//! their filters, and the door locks of `/locks/*` with their door actions (attempt,
//! `properties.locked` and event in one locked call).

use serde_json::Value;
use uuid::Uuid;

use crate::domain::action_attempt::ActionAttempt;
use crate::domain::command::DeviceFilter;
use crate::domain::device::Device;
use crate::domain::event::DeviceEvent;
use crate::domain::lock::{self, DoorAction};
use crate::error::{Error, Result};

use super::{Page, Scope, Workspace, paginate};

impl Workspace {
    /// A device the caller may see: 404 when it is not in this workspace, 401 when it is
    /// outside the caller's connected accounts.
    pub fn device(&self, id: Uuid, scope: &Scope) -> Result<&Device> {
        self.device_managed(id, true, scope)
    }

    /// An unmanaged device the caller may see (`/devices/unmanaged/*`): a managed one is not
    /// found there, as an unmanaged one is not found by [`Workspace::device`].
    pub fn unmanaged_device(&self, id: Uuid, scope: &Scope) -> Result<&Device> {
        self.device_managed(id, false, scope)
    }

    /// A device, managed or not, the caller may see.
    pub(super) fn any_device(&self, id: Uuid, scope: &Scope) -> Result<&Device> {
        let d = self
            .devices
            .get(&id)
            .ok_or_else(|| Error::DeviceNotFound(id.to_string()))?;
        if scope.allows(d) {
            Ok(d)
        } else {
            Err(Error::DeviceNotAccessible(d.device_id))
        }
    }

    fn device_managed(&self, id: Uuid, managed: bool, scope: &Scope) -> Result<&Device> {
        match self.any_device(id, scope) {
            Ok(d) if d.is_managed != managed => Err(Error::DeviceNotFound(id.to_string())),
            other => other,
        }
    }

    /// A device that takes access codes.
    pub(super) fn lock(&self, id: Uuid, scope: &Scope) -> Result<&Device> {
        let d = self.device(id, scope)?;
        if d.supports_access_codes() {
            Ok(d)
        } else {
            Err(Error::DeviceDoesNotSupportAccessCodes(d.device_id))
        }
    }

    /// Managed devices matching `f` that the caller may see, in creation order.
    pub fn devices(
        &self,
        f: &DeviceFilter,
        scope: &Scope,
        offset: usize,
        limit: usize,
    ) -> Page<&Device> {
        self.devices_managed(true, f, scope, offset, limit)
    }

    /// Unmanaged devices matching `f` that the caller may see, in creation order.
    pub fn unmanaged_devices(
        &self,
        f: &DeviceFilter,
        scope: &Scope,
        offset: usize,
        limit: usize,
    ) -> Page<&Device> {
        self.devices_managed(false, f, scope, offset, limit)
    }

    fn devices_managed(
        &self,
        managed: bool,
        f: &DeviceFilter,
        scope: &Scope,
        offset: usize,
        limit: usize,
    ) -> Page<&Device> {
        let it = self.devices.values().filter(move |d| {
            d.is_managed == managed
                && scope.allows(d)
                && f.device_ids
                    .as_ref()
                    .is_none_or(|l| l.contains(&d.device_id))
                && f.device_types
                    .as_ref()
                    .is_none_or(|l| l.contains(&d.device_type))
                && f.connected_account_ids
                    .as_ref()
                    .is_none_or(|l| l.contains(&d.connected_account_id))
                && f.manufacturer
                    .as_ref()
                    .is_none_or(|m| d.properties.manufacturer.as_deref() == Some(m))
        });
        paginate(it, offset, limit)
    }

    /// A device `/locks/*` may act on: one the caller can see that is a lock; anything else
    /// reads as not found, as Seam's fake answers.
    pub fn door_lock(&self, id: Uuid, scope: &Scope) -> Result<&Device> {
        let d = self.device(id, scope)?;
        if lock::is_lock(d) {
            Ok(d)
        } else {
            Err(Error::DeviceNotFound(id.to_string()))
        }
    }

    /// The locks matching `f` that the caller can see, in creation order.
    pub fn door_locks(&self, f: &DeviceFilter, scope: &Scope) -> Vec<&Device> {
        self.devices(f, scope, 0, usize::MAX)
            .items
            .into_iter()
            .filter(|d| lock::is_lock(d))
            .collect()
    }

    /// Locks or unlocks a door. The lock answers at once: the stored attempt is already a
    /// success, `properties.locked` follows and the lock's event is recorded; the caller gets
    /// the attempt as Seam first answers it, `pending`.
    pub fn door_action(
        &mut self,
        device_id: Uuid,
        action: DoorAction,
        scope: &Scope,
    ) -> Result<ActionAttempt> {
        let mut device = self.door_lock(device_id, scope)?.clone();
        if let Some(refused) = self.refused_action(device_id, action.action_type()) {
            return Ok(refused);
        }
        let id = self.new_id();
        let ws = self.record.workspace_id;
        self.action_attempts.insert(action.done(id, ws));
        device
            .properties
            .extra
            .insert("locked".into(), Value::Bool(action.locked()));
        let about = DeviceEvent::of(&device);
        self.replace_device(device);
        self.record(action.event(about, id), self.now);
        Ok(action.pending(id, ws))
    }

    /// How many devices a client session limited to these connected accounts sees (its
    /// `device_count`); none listed means every account, as [`Scope`] reads it.
    pub fn device_count(&self, accounts: &[Uuid]) -> usize {
        let scope = Scope {
            connected_account_ids: (!accounts.is_empty()).then(|| accounts.to_vec()),
        };
        self.devices(&DeviceFilter::default(), &scope, 0, usize::MAX)
            .items
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::action_attempt::AttemptStatus;
    use crate::store::{Settings, Store, seed};

    fn store() -> Store {
        Store::new(
            seed::database(),
            Settings {
                rng_seed: Some(3),
                ..Settings::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn a_door_action_answers_pending_and_leaves_success_state_and_event() {
        let s = store();
        let dev = seed::device_id(1);
        s.with_workspace_sync(seed::WORKSPACE_1, |ws| {
            let all = Scope::default();
            let p = ws.door_action(dev, DoorAction::Lock, &all).unwrap();
            assert_eq!(p.status, AttemptStatus::Pending);
            let stored = ws.action_attempt(p.action_attempt_id).unwrap();
            assert_eq!(
                (stored.status, stored.action_type.as_str()),
                (AttemptStatus::Success, "LOCK_DOOR")
            );
            assert_eq!(lock::locked(ws.device(dev, &all).unwrap()), Some(true));
            ws.door_action(dev, DoorAction::Unlock, &all).unwrap();
            assert_eq!(lock::locked(ws.device(dev, &all).unwrap()), Some(false));
            let kinds: Vec<&str> = ws
                .events()
                .iter()
                .map(|e| e.event_type().as_str())
                .collect();
            assert_eq!(kinds, ["lock.locked", "lock.unlocked"]);
            // A thermostat is not a lock; nothing is recorded for it.
            let ecobee = seed::device_id(4);
            assert!(matches!(
                ws.door_action(ecobee, DoorAction::Unlock, &all),
                Err(Error::DeviceNotFound(_))
            ));
            assert_eq!(ws.events().len(), 2);
            let moved = ws
                .update_attempt(p.action_attempt_id, AttemptStatus::Pending, None, None)
                .unwrap();
            assert_eq!(moved.status, AttemptStatus::Pending);
            assert!(matches!(
                ws.update_attempt(Uuid::nil(), AttemptStatus::Success, None, None),
                Err(Error::ActionAttemptNotFound)
            ));
            Ok(())
        })
        .unwrap();
    }
}
