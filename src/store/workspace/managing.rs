//! What a user changes about a device through Seam: its nickname and `custom_metadata`,
//! whether Seam manages it, its auto-lock setting, what its provider reports about it, and
//! deleting it (its codes go with it). Each change records the event Seam names for it.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::access_code::{Status, UnmanagedAccessCode};
use crate::domain::action_attempt::{ActionAttempt, ActionType};
use crate::domain::device::Device;
use crate::domain::event::{DeviceEvent, DeviceNameChangedEvent, EventKind};
use crate::domain::metadata;
use crate::error::Result;

use super::{Scope, Workspace};

/// What `/devices/update` changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceChanges {
    /// The new nickname (`display_name` shows it).
    pub name: Option<String>,
    /// Keys to set (null: remove).
    pub custom_metadata: Option<Map<String, Value>>,
    /// `false`: Seam stops managing the device.
    pub is_managed: Option<bool>,
    /// Turns the lock's backup access code pool on or off.
    pub backup_access_code_pool_enabled: Option<bool>,
}

impl Workspace {
    /// `/devices/update` on a managed device: renamed (`device.name_changed` when the name is
    /// new), metadata merged, its backup pool turned on or off, and with `is_managed: false` made unmanaged
    /// (`device.converted_to_unmanaged`): the PINs on the lock stay there as unmanaged codes
    /// (same id, name and PIN), codes not yet on it are deleted (`access_code.deleted`).
    pub fn update_device(&mut self, id: Uuid, changes: DeviceChanges, scope: &Scope) -> Result<()> {
        let mut d = self.device(id, scope)?.clone();
        let renamed = changes.name.as_deref().is_some_and(|n| d.rename(n));
        if let Some(m) = changes.custom_metadata {
            metadata::merge(&mut d.custom_metadata, m);
        }
        let unmanage = changes.is_managed == Some(false);
        if let Some(on) = changes.backup_access_code_pool_enabled {
            self.set_pool(id, on);
        }
        d.is_managed = !unmanage;
        let about = DeviceEvent::of(&d);
        let name = d.display_name.clone();
        self.devices.insert(id, d);
        let now = self.now;
        if renamed {
            let e = DeviceNameChangedEvent {
                about: about.clone(),
                device_name: name,
            };
            self.record(EventKind::DeviceNameChanged(e), now);
        }
        if unmanage {
            self.release_codes(id);
            self.record(EventKind::DeviceConvertedToUnmanaged(about), now);
        }
        Ok(())
    }

    /// The managed codes of a device Seam stops managing: those on the lock become unmanaged
    /// codes, the rest are deleted.
    fn release_codes(&mut self, device_id: Uuid) {
        let ids = self
            .codes_by_device
            .get(&device_id)
            .cloned()
            .unwrap_or_default();
        for id in ids {
            let c = &self.codes[&id];
            if c.status != Status::Set || c.code.is_none() {
                self.remove_with_events(id, self.now);
                continue;
            }
            let c = self.remove_code(id);
            self.insert_unmanaged(UnmanagedAccessCode {
                access_code_id: c.access_code_id,
                device_id: c.device_id,
                workspace_id: c.workspace_id,
                name: c.name,
                code: c.code.map(|p| p.to_string()),
                kind: c.kind,
                status: Status::Set,
                created_at: c.created_at,
                starts_at: c.starts_at,
                ends_at: c.ends_at,
                errors: Vec::new(),
                warnings: Vec::new(),
                is_managed: false,
            });
        }
    }

    /// `/devices/unmanaged/update`: metadata merged, and with `is_managed: true` the device is
    /// managed again (`device.unmanaged.converted_to_managed`); its codes stay unmanaged until
    /// converted one by one.
    pub fn update_unmanaged_device(
        &mut self,
        id: Uuid,
        custom_metadata: Option<Map<String, Value>>,
        manage: bool,
        scope: &Scope,
    ) -> Result<()> {
        let mut d = self.unmanaged_device(id, scope)?.clone();
        if let Some(m) = custom_metadata {
            metadata::merge(&mut d.custom_metadata, m);
        }
        d.is_managed = manage;
        let about = DeviceEvent::of(&d);
        self.devices.insert(id, d);
        if manage {
            self.record(EventKind::DeviceConvertedToManaged(about), self.now);
        }
        Ok(())
    }

    /// `/devices/delete`, managed or unmanaged: the device leaves Seam with its codes.
    pub fn delete_device(&mut self, id: Uuid, scope: &Scope) -> Result<()> {
        let id = self.any_device(id, scope)?.device_id;
        self.drop_device(id);
        Ok(())
    }

    /// Takes a device out of the workspace: its managed codes (`access_code.deleted` each),
    /// unmanaged codes, backup pool and keypad, then the device (`device.deleted`).
    pub(super) fn drop_device(&mut self, id: Uuid) {
        let now = self.now;
        for code in self.codes_by_device.get(&id).cloned().unwrap_or_default() {
            self.remove_with_events(code, now);
        }
        let unmanaged: Vec<Uuid> = self
            .unmanaged_by_device
            .get(&id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for u in unmanaged {
            self.remove_unmanaged(u);
        }
        self.pools.shift_remove(&id);
        self.keypads.shift_remove(&id);
        self.pins.remove(&id);
        self.codes_by_device.remove(&id);
        self.unmanaged_by_device.remove(&id);
        if let Some(d) = self.devices.shift_remove(&id) {
            self.record(EventKind::DeviceDeleted(DeviceEvent::of(&d)), now);
        }
    }

    /// `/locks/configure_auto_lock`: `properties.auto_lock_enabled` (and the delay, when
    /// given) change at once; the attempt is answered `pending` and stored as a success.
    pub fn configure_auto_lock(
        &mut self,
        device_id: Uuid,
        enabled: bool,
        delay_seconds: Option<f64>,
        scope: &Scope,
    ) -> Result<ActionAttempt> {
        let id = self.door_lock(device_id, scope)?.device_id;
        if let Some(refused) = self.refused_action(id, ActionType::ConfigureAutoLock) {
            return Ok(refused);
        }
        if let Some(d) = self.devices.get_mut(&id) {
            let extra = &mut d.properties.extra;
            extra.insert("auto_lock_enabled".into(), Value::Bool(enabled));
            if let Some(s) = delay_seconds {
                extra.insert("auto_lock_delay_seconds".into(), json!(s));
            }
        }
        let attempt = self.record_attempt(ActionType::ConfigureAutoLock, json!({}));
        Ok(attempt.as_pending())
    }

    /// `/devices/report_provider_metadata`: each device's reported `time_zone` becomes its
    /// `location.time_zone`. Every device is checked before any changes.
    pub fn report_provider_metadata(
        &mut self,
        reports: Vec<(Uuid, Option<String>)>,
        scope: &Scope,
    ) -> Result<()> {
        for (id, _) in &reports {
            self.any_device(*id, scope)?;
        }
        for (id, time_zone) in reports {
            if let (Some(d), Some(tz)) = (self.devices.get_mut(&id), time_zone) {
                d.location
                    .get_or_insert_with(Map::new)
                    .insert("time_zone".into(), Value::String(tz));
            }
        }
        Ok(())
    }

    /// The devices of a connected account, managed or not.
    pub(super) fn devices_of_account(&self, account: Uuid) -> Vec<Uuid> {
        self.devices
            .values()
            .filter(|d: &&Device| d.connected_account_id == account)
            .map(|d| d.device_id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::domain::command::DeviceFilter;
    use crate::domain::event::EventType;
    use crate::error::Error;

    fn kinds(w: &Workspace) -> Vec<EventType> {
        w.events().iter().map(|e| e.event_type()).collect()
    }

    #[test]
    fn a_rename_shows_in_display_name_and_records_the_new_name() {
        let mut w = ws();
        let rename = |n: &str| DeviceChanges {
            name: Some(n.into()),
            ..DeviceChanges::default()
        };
        w.update_device(dev(AUGUST_1), rename("Porch"), &all())
            .unwrap();
        let d = w.device(dev(AUGUST_1), &all()).unwrap();
        assert_eq!(
            (d.display_name.as_str(), d.nickname.as_deref()),
            ("Porch", Some("Porch"))
        );
        // The same name again changes nothing worth an event.
        w.update_device(dev(AUGUST_1), rename("Porch"), &all())
            .unwrap();
        assert_eq!(kinds(&w), [EventType::DeviceNameChanged]);
    }

    #[test]
    fn unmanaging_keeps_set_pins_as_unmanaged_codes_and_hides_the_device() {
        let mut w = ws();
        let (set, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        advance(&mut w, chrono::Duration::seconds(1));
        let changes = DeviceChanges {
            is_managed: Some(false),
            ..DeviceChanges::default()
        };
        w.update_device(dev(AUGUST_1), changes, &all()).unwrap();
        assert!(matches!(
            w.device(dev(AUGUST_1), &all()),
            Err(Error::DeviceNotFound(_))
        ));
        assert!(w.unmanaged_device(dev(AUGUST_1), &all()).is_ok());
        let listed = w.unmanaged_devices(&DeviceFilter::default(), &all(), 0, 10);
        assert_eq!(listed.items.len(), 1);
        let u = w.unmanaged_code(set.access_code_id, &all()).unwrap();
        assert_eq!(u.code, set.code.map(|p| p.to_string()));
        assert!(w.code(set.access_code_id, &all()).is_err());
        w.update_unmanaged_device(dev(AUGUST_1), None, true, &all())
            .unwrap();
        assert!(w.device(dev(AUGUST_1), &all()).is_ok());
        assert_eq!(kinds(&w).last(), Some(&EventType::DeviceConvertedToManaged));
    }

    #[test]
    fn deleting_a_device_takes_its_codes_keypad_and_frees_its_pins() {
        let mut w = ws();
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        w.keypad_entry(dev(AUGUST_1), "0000", &all()).unwrap();
        w.delete_device(dev(AUGUST_1), &all()).unwrap();
        assert!(w.code(c.access_code_id, &all()).is_err());
        assert!(!pins(&w).contains_key(&dev(AUGUST_1)));
        assert_eq!(
            &kinds(&w)[kinds(&w).len() - 2..],
            [EventType::AccessCodeDeleted, EventType::DeviceDeleted]
        );
        // What is left loads again: no keypad of a lock that is gone.
        let mut db = crate::store::records::Database::default();
        w.dump(&mut db);
        assert!(db.keypads.is_empty());
        db.check().unwrap();
        assert!(matches!(
            w.delete_device(dev(AUGUST_1), &all()),
            Err(Error::DeviceNotFound(_))
        ));
    }
}
