//! The scheduler: every managed code's next transition in time order, and what happens when it
//! is due — programmed (`set`), left `setting` on an offline lock, or removed when its window
//! ends — with the events each step records. Also the provider picking a PIN for a lock that
//! assigns its own, and a lock coming back online.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::access_code::{AccessCode, Status, Window};
use crate::domain::device::Device;
use crate::domain::event::{Event, EventType};
use crate::domain::pin::{self, LockRules, PinSet};

use super::Workspace;

/// What an access-code event says about its code: which code on which lock, and the PIN for
/// the event types whose schema carries it.
pub(super) struct Subject {
    access_code_id: Uuid,
    device_id: Uuid,
    pin: Option<String>,
}

impl Subject {
    /// `with_pin` for the event types whose schema carries the PIN.
    pub(super) fn of(c: &AccessCode, with_pin: bool) -> Self {
        Subject {
            access_code_id: c.access_code_id,
            device_id: c.device_id,
            pin: if with_pin { c.code.clone() } else { None },
        }
    }
}

impl Workspace {
    /// Replaces a device's state (the fake control surface). A device coming back online has
    /// its waiting codes programmed now.
    pub fn replace_device(&mut self, d: Device) -> &Device {
        let id = d.device_id;
        let was_online = self.devices.get(&id).map(|old| old.properties.online);
        let online = d.properties.online;
        let back_online = online && was_online == Some(false);
        let account = d.connected_account_id;
        self.devices.insert(id, d);
        if was_online.is_some_and(|was| was != online) {
            let event_id = self.next_event_id();
            self.push_event(Event {
                event_id,
                event_type: EventType::device_online(online),
                workspace_id: self.record.workspace_id,
                device_id: Some(id),
                access_code_id: None,
                backup_access_code_id: None,
                connected_account_id: Some(account),
                code: None,
                created_at: self.now,
                occurred_at: self.now,
            });
        }
        if back_online {
            let now = self.now;
            let waiting: Vec<Uuid> = self
                .codes_by_device
                .get(&id)
                .into_iter()
                .flatten()
                .copied()
                .filter(|c| self.codes[c].status == Status::Setting)
                .collect();
            for c in waiting {
                let due = self.codes[&c]
                    .next_transition(self.delay)
                    .map_or(now, |t| t.max(now));
                self.schedule_at(c, due);
            }
            self.tick(now);
        }
        &self.devices[&id]
    }

    pub(super) fn schedule_at(&mut self, id: Uuid, at: DateTime<Utc>) {
        if let Some(old) = self.scheduled.insert(id, at) {
            self.schedule.remove(&(old, id));
        }
        self.schedule.insert((at, id));
    }

    pub(super) fn unschedule(&mut self, id: Uuid) {
        if let Some(old) = self.scheduled.remove(&id) {
            self.schedule.remove(&(old, id));
        }
    }

    /// Leaves a code waiting on an offline lock: `setting` with a `device_offline` error, and
    /// only its window's end (if any) still scheduled.
    pub(super) fn park_offline(&mut self, id: Uuid, at: DateTime<Utc>) {
        let Some(c) = self.codes.get_mut(&id) else {
            return;
        };
        c.mark_offline(at);
        match c.ends_at {
            Some(end) => self.schedule_at(id, end.max(at)),
            None => self.unschedule(id),
        }
    }

    /// Whether the code's lock is online.
    pub(super) fn lock_online(&self, device_id: Uuid) -> bool {
        self.devices
            .get(&device_id)
            .is_some_and(|d| d.properties.online)
    }

    /// Runs every transition due at or before `now`, in time order: codes get programmed
    /// (`set`), offline locks leave them `setting` with an error, ended windows remove them.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        while self.schedule.first().is_some_and(|(due, _)| *due <= now) {
            // Taken off the schedule in one step (not found again by `unschedule`).
            let Some((due, id)) = self.schedule.pop_first() else {
                break;
            };
            self.scheduled.remove(&id);
            let Some(code) = self.codes.get(&id) else {
                continue;
            };
            if code.expired(due) {
                self.remove_with_events(id, due);
                continue;
            }
            // One look-up of the lock: whether it is online, and the account its event names.
            let lock = self.devices.get(&code.device_id);
            let online = lock.is_some_and(|d| d.properties.online);
            let account = lock.map(|d| d.connected_account_id);
            if !code.is_offline_access_code && !online {
                self.park_offline(id, due);
                continue;
            }
            if code.code.is_none() {
                self.assign_provider_pin(id);
            }
            let delay = self.delay;
            let Some(c) = self.codes.get_mut(&id) else {
                continue;
            };
            c.program();
            let about = Subject::of(c, true);
            // Unscheduled above: only a next transition (a window's end) needs scheduling.
            let next = c.next_transition(delay);
            self.emit_on(EventType::AccessCodeSetOnDevice, about, due, account);
            if let Some(at) = next {
                self.schedule_at(id, at);
            }
        }
    }

    /// Removes a code at `at`: `removed_from_device` if the lock had it, then `deleted`.
    pub(super) fn remove_with_events(&mut self, id: Uuid, at: DateTime<Utc>) {
        let was_set = self.codes[&id].status == Status::Set;
        let removed = self.remove_code(id);
        if was_set {
            self.emit(
                EventType::AccessCodeRemovedFromDevice,
                Subject::of(&removed, false),
                at,
            );
        }
        self.emit(
            EventType::AccessCodeDeleted,
            Subject::of(&removed, true),
            at,
        );
    }

    /// The provider picks a PIN for a code that waited for one.
    fn assign_provider_pin(&mut self, id: Uuid) {
        let Some(code) = self.codes.get(&id) else {
            return;
        };
        let Some(device) = self.devices.get(&code.device_id) else {
            return;
        };
        let empty = PinSet::default();
        let used = self.pins.get(&device.device_id).unwrap_or(&empty);
        let rules = LockRules::of(device, used).for_provider();
        if let Some(pin) = pin::generate_for(&rules, None, &mut self.rng) {
            let device_id = device.device_id;
            self.pins.entry(device_id).or_default().add(&pin);
            if let Some(c) = self.codes.get_mut(&id) {
                c.code = Some(pin);
                c.is_waiting_for_code_assignment = false;
            }
        }
    }

    /// Puts a changed code back through programming: `setting` (or `unset` before its
    /// window), rescheduled, and `access_code.changed` recorded.
    pub(super) fn reprogram(&mut self, id: Uuid, window: Option<Window>) {
        let now = self.now;
        let device_online = self.lock_online(self.codes[&id].device_id);
        if let Some(c) = self.codes.get_mut(&id) {
            c.set_window(window, now);
        }
        let status = self.codes[&id].status;
        if !device_online && status == Status::Setting {
            self.park_offline(id, now);
        } else if let Some(at) = self.codes[&id].next_transition(self.delay) {
            // A change made now cannot take effect in the past.
            self.schedule_at(id, at.max(now));
        } else {
            self.unschedule(id);
        }
        self.emit_changed(id);
    }

    /// Records `access_code.changed` for a code, now.
    pub(super) fn emit_changed(&mut self, id: Uuid) {
        let about = Subject::of(&self.codes[&id], false);
        let now = self.now;
        self.emit(EventType::AccessCodeChanged, about, now);
    }

    /// Records an event about a code that occurred at `at`.
    pub(super) fn emit(&mut self, event_type: EventType, code: Subject, at: DateTime<Utc>) {
        let account = self
            .devices
            .get(&code.device_id)
            .map(|d| d.connected_account_id);
        self.emit_on(event_type, code, at, account);
    }

    /// [`emit`](Self::emit) for a caller that has the lock's connected account in hand.
    pub(super) fn emit_on(
        &mut self,
        event_type: EventType,
        code: Subject,
        at: DateTime<Utc>,
        connected_account_id: Option<Uuid>,
    ) {
        let event_id = self.next_event_id();
        self.push_event(Event {
            event_id,
            event_type,
            workspace_id: self.record.workspace_id,
            device_id: Some(code.device_id),
            access_code_id: Some(code.access_code_id),
            backup_access_code_id: None,
            connected_account_id,
            code: code.pin,
            created_at: self.now.max(at),
            occurred_at: at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::domain::access_code::Status;
    use crate::domain::command::{CodeSettings, CreateOne};
    use crate::domain::event::EventType;
    use crate::error::Error;
    use chrono::Duration;

    #[test]
    fn provider_assigned_lock_gets_its_pin_when_programmed() {
        let mut w = ws();
        let (c, _) = w.create_one(one(SALTO), &all()).unwrap();
        assert_eq!(
            (c.code.as_deref(), c.is_waiting_for_code_assignment),
            (None, true)
        );
        advance(&mut w, Duration::seconds(1));
        let c = w.code(c.access_code_id, &all()).unwrap();
        assert_eq!(c.status, Status::Set);
        assert_eq!(c.code.as_ref().map(String::len), Some(6));
        assert!(!c.is_waiting_for_code_assignment);
    }

    #[test]
    fn offline_lock_keeps_codes_setting_until_back_online() {
        let mut w = ws();
        let mut d = w.device(dev(AUGUST_1), &all()).unwrap().clone();
        d.properties.online = false;
        w.replace_device(d.clone());
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        assert_eq!(c.status, Status::Setting);
        assert_eq!(c.errors[0]["error_code"], "device_offline");
        advance(&mut w, Duration::hours(1));
        let id = c.access_code_id;
        assert_eq!(w.code(id, &all()).unwrap().status, Status::Setting);
        d.properties.online = true;
        w.replace_device(d);
        let c = w.code(id, &all()).unwrap();
        assert_eq!(c.status, Status::Set);
        assert!(c.errors.is_empty());
    }

    #[test]
    fn a_window_ends_even_while_the_lock_is_offline() {
        let mut w = ws();
        let mut d = w.device(dev(AUGUST_1), &all()).unwrap().clone();
        d.properties.online = false;
        w.replace_device(d);
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
        advance(&mut w, Duration::minutes(90));
        let parked = w.code(id, &all()).unwrap();
        assert_eq!((parked.status, parked.errors.len()), (Status::Setting, 1));
        advance(&mut w, Duration::hours(1));
        assert!(matches!(w.code(id, &all()), Err(Error::AccessCodeNotFound)));
        // The code's own events (taking the lock offline is a `device.disconnected` event).
        let types: Vec<EventType> = w
            .events()
            .iter()
            .filter(|e| e.access_code_id.is_some())
            .map(|e| e.event_type)
            .collect();
        assert_eq!(
            types,
            [EventType::AccessCodeCreated, EventType::AccessCodeDeleted]
        );
    }

    #[test]
    fn programming_delay_holds_codes_in_setting() {
        let mut w = ws();
        w.delay = Duration::seconds(30);
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        let id = c.access_code_id;
        advance(&mut w, Duration::seconds(29));
        assert_eq!(w.code(id, &all()).unwrap().status, Status::Setting);
        advance(&mut w, Duration::seconds(1));
        assert_eq!(w.code(id, &all()).unwrap().status, Status::Set);
    }
}
