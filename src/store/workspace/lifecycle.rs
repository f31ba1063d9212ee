//! The scheduler: every managed code's next transition in time order, and what happens when it
//! is due — programmed (`set`), left `setting` while something holds it off its lock (one
//! question, `Workspace::try_program` in `jobs`, over the model of `domain::hold`), or removed
//! when its window ends — with the events each step records. Also the provider picking a PIN for a lock
//! that assigns its own, and a device whose state changed (`refresh_device`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::access_code::{AccessCode, Status, Window};
use crate::domain::device::Device;
use crate::domain::event::{
    CodeEvent, CodePinEvent, DeviceDisconnectedEvent, DeviceEvent, DisconnectCause, Event,
    EventKind,
};
use crate::domain::hold::Hold;
use crate::domain::pin::{self, LockRules, PinSet};
use crate::domain::pindigits::PinDigits;

use super::Workspace;
use super::jobs::Tried;

impl Workspace {
    /// Replaces a device's state (the fake control surface). A lock taken offline this way
    /// carries the `device_offline` error like one disconnected by `/devices/simulate/*`;
    /// brought back online, its offline errors go and its waiting codes are programmed now.
    pub fn replace_device(&mut self, mut d: Device) -> &Device {
        let id = d.device_id;
        let was_online = self.devices.get(&id).map(|old| old.properties.online);
        let online = d.properties.online;
        if online {
            d.errors
                .retain(|e| !Hold::of_device_error(e).is_some_and(Hold::takes_device_offline));
        } else if !Hold::of_device(&d).contains(&Hold::HubDisconnected)
            && !d
                .errors
                .iter()
                .any(|e| Hold::of_device_error(e) == Some(Hold::DeviceOffline))
        {
            d.errors.push(Hold::DeviceOffline.device_entry(self.now));
        }
        let change = was_online
            .is_some_and(|was| was != online)
            .then(|| match online {
                true => EventKind::DeviceConnected(DeviceEvent::of(&d)),
                false => self.disconnected_event(&d, DisconnectCause::DeviceDisconnected),
            });
        self.devices.insert(id, d);
        if let Some(kind) = change {
            self.record(kind, self.now);
        }
        // Its room may have changed (`max_active_codes_supported`).
        self.refresh_capacity(id, self.now);
        self.refresh_device(id);
        &self.devices[&id]
    }

    /// After a change of a device's state: its codes waiting on a cause take the causes that
    /// hold now, and those no longer held are programmed at once.
    pub(super) fn refresh_device(&mut self, device_id: Uuid) {
        let now = self.now;
        let waiting: Vec<Uuid> = self
            .codes_by_device
            .get(&device_id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| {
                let c = &self.codes[c];
                c.status == Status::Setting
                    && c.errors.iter().any(|e| Hold::of_device_error(e).is_some())
            })
            .collect();
        for c in waiting {
            let holds = self.holds_of(&self.codes[&c]);
            if holds.is_empty() {
                let due = self.codes[&c]
                    .next_transition(self.delay)
                    .map_or(now, |t| t.max(now));
                self.schedule_at(c, due);
            } else {
                self.hold_code(c, &holds, now);
            }
        }
        self.tick(now);
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

    /// Why a code cannot be on its lock now: its lock's causes (an algoPIN needs no
    /// connection: none). The first part of what the lifecycle asks before it programs a code
    /// (`Workspace::try_program`, which adds what the lock makes of the attempt).
    pub(super) fn holds_of(&self, code: &AccessCode) -> Vec<Hold> {
        if code.is_offline_access_code {
            return Vec::new();
        }
        self.devices
            .get(&code.device_id)
            .map(Hold::of_device)
            .unwrap_or_default()
    }

    /// Leaves a code waiting on `holds`: `setting` with their entries, the event of each new
    /// cause that has one, and only its window's end (if any) still scheduled.
    pub(super) fn hold_code(&mut self, id: Uuid, holds: &[Hold], at: DateTime<Utc>) {
        let Some(c) = self.codes.get_mut(&id) else {
            return;
        };
        let was = c.on_lock();
        let new = c.wait_on(holds, at);
        let (end, device_id) = (c.ends_at, c.device_id);
        self.note_on_lock(device_id, was, false, at);
        match end {
            Some(end) => self.schedule_at(id, end.max(at)),
            None => self.unschedule(id),
        }
        if new.is_empty() {
            return;
        }
        let state = self.code_state(id);
        for h in new {
            if let Some(kind) = h.event(&state) {
                self.record(kind, at);
            }
        }
    }

    /// Runs every transition due at or before `now`, in time order: codes get programmed
    /// (`set`), offline locks leave them `setting` with an error, ended windows remove them.
    /// What a lock refused at the last tick it is asked again first.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        for id in std::mem::take(&mut self.retry) {
            if self.codes.get(&id).is_some() {
                self.schedule_at(id, now);
            }
        }
        while self.schedule.first().is_some_and(|(due, _)| *due <= now) {
            // Taken off the schedule in one step (not found again by `unschedule`).
            let Some((due, id)) = self.schedule.pop_first() else {
                break;
            };
            self.scheduled.remove(&id);
            let Some(code) = self.codes.get(&id) else {
                continue;
            };
            if code.expired(due) || code.status == Status::Removing {
                let ended = code.expired(due);
                self.remove_from_lock(id, due, ended);
                continue;
            }
            let tried = self.try_program(id);
            if tried != Tried::Done {
                self.wait_out(id, tried, due);
                continue;
            }
            let Some(code) = self.codes.get(&id) else {
                continue;
            };
            let account = self.account_of(code.device_id);
            if code.code.is_none() {
                self.assign_provider_pin(id);
            }
            let delay = self.delay;
            let Some(c) = self.codes.get_mut(&id) else {
                continue;
            };
            let was = c.on_lock();
            c.program();
            let about = CodePinEvent::of(c, account);
            let device_id = c.device_id;
            // Unscheduled above: only a next transition (a window's end) needs scheduling.
            let next = c.next_transition(delay);
            self.note_on_lock(device_id, was, true, due);
            self.record(EventKind::AccessCodeSetOnDevice(about), due);
            if let Some(at) = next {
                self.schedule_at(id, at);
            }
        }
    }

    /// Removes a code at `at`: `removed_from_device` if the lock had it, then `deleted`.
    pub(super) fn remove_with_events(&mut self, id: Uuid, at: DateTime<Utc>) {
        let was_set = self.codes[&id].on_lock();
        let removed = self.remove_code(id);
        let account = self.account_of(removed.device_id);
        if was_set {
            let about = CodeEvent::of(&removed, account);
            self.record(EventKind::AccessCodeRemovedFromDevice(about), at);
        }
        let about = CodePinEvent::of(&removed, account);
        self.record(EventKind::AccessCodeDeleted(about), at);
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
                c.code = PinDigits::new(&pin);
                c.is_waiting_for_code_assignment = false;
            }
        }
    }

    /// Puts a changed code back through programming: `setting` (or `unset` before its
    /// window), rescheduled, and `access_code.changed` recorded.
    pub(super) fn reprogram(&mut self, id: Uuid, window: Option<Window>) {
        let now = self.now;
        if let Some(c) = self.codes.get_mut(&id) {
            let was = c.on_lock();
            c.set_window(window, now);
            let (device_id, is) = (c.device_id, c.on_lock());
            self.note_on_lock(device_id, was, is, now);
        }
        let holds = self.holds_of(&self.codes[&id]);
        if !holds.is_empty() && self.codes[&id].status == Status::Setting {
            self.hold_code(id, &holds, now);
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
        let code = &self.codes[&id];
        let about = CodeEvent::of(code, self.account_of(code.device_id));
        self.record(EventKind::AccessCodeChanged(about), self.now);
    }

    /// Records an event that occurred at `at`. It is created now, or at `at` when the clock
    /// has not reached it (a transition found due is recorded as of its due time).
    pub(super) fn record(&mut self, kind: EventKind, at: DateTime<Utc>) {
        let event_id = self.next_event_id();
        self.push_event(Event {
            event_id,
            kind,
            workspace_id: self.record.workspace_id,
            created_at: self.now.max(at),
            occurred_at: at,
        });
    }

    /// The connected account of a lock, which its events name; `None` for an unknown lock.
    pub(super) fn account_of(&self, device_id: Uuid) -> Option<Uuid> {
        self.devices.get(&device_id).map(|d| d.connected_account_id)
    }

    /// `device.disconnected` for `cause`, with the errors and warnings of the device and its
    /// account as they stand.
    pub(super) fn disconnected_event(&self, d: &Device, cause: DisconnectCause) -> EventKind {
        let about = DeviceEvent::of(d);
        let account = self.accounts.get(&d.connected_account_id);
        EventKind::DeviceDisconnected(Box::new(DeviceDisconnectedEvent {
            about,
            error_code: cause,
            device_errors: d.errors.clone(),
            device_warnings: d.warnings.clone(),
            connected_account_errors: account.map(|a| a.errors.clone()).unwrap_or_default(),
            connected_account_warnings: account.map(|a| a.warnings.clone()).unwrap_or_default(),
        }))
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
            (c.pin().as_deref(), c.is_waiting_for_code_assignment),
            (None, true)
        );
        advance(&mut w, Duration::seconds(1));
        let c = w.code(c.access_code_id, &all()).unwrap();
        assert_eq!(c.status, Status::Set);
        assert_eq!(c.pin().map(|p| p.len()), Some(6));
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
            .filter(|e| e.access_code_id().is_some())
            .map(|e| e.event_type())
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
