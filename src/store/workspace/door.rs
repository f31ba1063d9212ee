//! The door, simulated (contract §12): PINs typed at a lock's keypad and judged on the server
//! clock (`domain::door`), the door locked at the keypad, devices that drop off the network or
//! lose their hub or subscription and come back, devices removed, and connected accounts
//! disconnected and reconnected. Each change of a device's state goes through the model of
//! `domain::hold` (`set_device_hold`), so codes wait on it and are programmed when it clears the
//! same way whatever the cause.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::access_code::Status;
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::device::Device;
use crate::domain::door::{Holder, Keypad, KeypadAction, Verdict};
use crate::domain::event::{
    AccessDeniedEvent, AccountDisconnectedEvent, AccountEvent, CodePinEvent, DeviceErrorsEvent,
    DeviceEvent, DisconnectCause, EventKind, LockEvent, LockMethod,
};
use crate::domain::hold::Hold;
use crate::domain::timestamp;
use crate::error::{Error, Result};

use super::{Scope, Workspace};

/// What a simulate route asks of a device, with the flag that allows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simulate {
    Connect,
    Disconnect,
    ConnectToHub,
    DisconnectFromHub,
    Remove,
    PaidSubscription,
}

impl Simulate {
    fn allowed(self, d: &Device) -> bool {
        match self {
            Simulate::Connect => d.can_simulate_connection,
            Simulate::Disconnect => d.can_simulate_disconnection,
            Simulate::ConnectToHub => d.can_simulate_hub_connection,
            Simulate::DisconnectFromHub => d.can_simulate_hub_disconnection,
            Simulate::Remove => d.can_simulate_removal,
            Simulate::PaidSubscription => d.can_simulate_paid_subscription,
        }
    }

    fn flag(self) -> &'static str {
        match self {
            Simulate::Connect => "can_simulate_connection",
            Simulate::Disconnect => "can_simulate_disconnection",
            Simulate::ConnectToHub => "can_simulate_hub_connection",
            Simulate::DisconnectFromHub => "can_simulate_hub_disconnection",
            Simulate::Remove => "can_simulate_removal",
            Simulate::PaidSubscription => "can_simulate_paid_subscription",
        }
    }
}

impl Workspace {
    /// A device the caller may see whose flag allows `what`: 400 `invalid_input` naming the
    /// flag otherwise.
    fn simulated(&self, id: Uuid, what: Simulate, scope: &Scope) -> Result<&Device> {
        let d = self.device(id, scope)?;
        if what.allowed(d) {
            Ok(d)
        } else {
            Err(Error::UnsupportedByDevice {
                message: format!(
                    "The device cannot simulate this: its {} is false",
                    what.flag()
                ),
                device_id: d.device_id,
            })
        }
    }

    /// A lock whose keypad takes PINs and that is reachable now.
    fn keypad_lock(&self, id: Uuid, scope: &Scope) -> Result<&Device> {
        let d = self.door_lock(id, scope)?;
        if !d.can_unlock_with_code {
            return Err(Error::UnsupportedByDevice {
                message:
                    "The lock has no keypad that takes PINs: its can_unlock_with_code is false"
                        .into(),
                device_id: d.device_id,
            });
        }
        if !d.properties.online {
            return Err(Error::DeviceOffline(d.device_id));
        }
        Ok(d)
    }

    /// Puts a device-level cause on a device (`on`) or takes it off, keeping
    /// `properties.online` in step with the causes that take it offline. Whether anything
    /// changed.
    fn set_device_hold(&mut self, device_id: Uuid, hold: Hold, on: bool) -> bool {
        let now = self.now;
        let Some(d) = self.devices.get_mut(&device_id) else {
            return false;
        };
        let has = d
            .errors
            .iter()
            .any(|e| Hold::of_device_error(e) == Some(hold));
        if has == on {
            return false;
        }
        if on {
            d.errors.push(hold.device_entry(now));
        } else {
            d.errors.retain(|e| Hold::of_device_error(e) != Some(hold));
        }
        if hold.takes_device_offline() {
            d.properties.online = !d
                .errors
                .iter()
                .any(|e| Hold::of_device_error(e).is_some_and(Hold::takes_device_offline));
        }
        true
    }

    /// `/devices/simulate/{connect,disconnect,connect_to_hub,disconnect_from_hub}`: the
    /// device (or its hub) drops off or comes back. Codes due meanwhile wait; codes already
    /// set stay set; back online, waiting codes are programmed at once.
    pub fn simulate_connection(&mut self, id: Uuid, what: Simulate, scope: &Scope) -> Result<()> {
        let device_id = self.simulated(id, what, scope)?.device_id;
        let (hold, on, cause) = match what {
            Simulate::Disconnect => (
                Hold::DeviceOffline,
                true,
                DisconnectCause::DeviceDisconnected,
            ),
            Simulate::Connect => (
                Hold::DeviceOffline,
                false,
                DisconnectCause::DeviceDisconnected,
            ),
            Simulate::DisconnectFromHub => (
                Hold::HubDisconnected,
                true,
                DisconnectCause::HubDisconnected,
            ),
            Simulate::ConnectToHub => (
                Hold::HubDisconnected,
                false,
                DisconnectCause::HubDisconnected,
            ),
            Simulate::Remove | Simulate::PaidSubscription => {
                return Err(Error::Internal(format!("{what:?} is not a connection")));
            }
        };
        let was_online = self.devices[&device_id].properties.online;
        if self.set_device_hold(device_id, hold, on) {
            let d = &self.devices[&device_id];
            let kind = if on {
                Some(self.disconnected_event(d, cause))
            } else {
                (!was_online && d.properties.online)
                    .then(|| EventKind::DeviceConnected(DeviceEvent::of(d)))
            };
            if let Some(kind) = kind {
                self.record(kind, self.now);
            }
            self.refresh_device(device_id);
        }
        Ok(())
    }

    /// `/devices/simulate/paid_subscription`: an expired subscription holds the device's codes
    /// as an offline lock does; paid again, they are programmed.
    pub fn simulate_paid_subscription(
        &mut self,
        id: Uuid,
        is_expired: bool,
        scope: &Scope,
    ) -> Result<()> {
        let device_id = self
            .simulated(id, Simulate::PaidSubscription, scope)?
            .device_id;
        if !self.set_device_hold(device_id, Hold::SubscriptionRequired, is_expired) {
            return Ok(());
        }
        let d = &self.devices[&device_id];
        let kind = if is_expired {
            let account = self.accounts.get(&d.connected_account_id);
            EventKind::DeviceErrorSubscriptionRequired(Box::new(DeviceErrorsEvent {
                about: DeviceEvent::of(d),
                device_errors: d.errors.clone(),
                device_warnings: d.warnings.clone(),
                connected_account_errors: account.map(|a| a.errors.clone()).unwrap_or_default(),
                connected_account_warnings: account.map(|a| a.warnings.clone()).unwrap_or_default(),
            }))
        } else {
            EventKind::DeviceErrorSubscriptionRequiredResolved(DeviceEvent::of(d))
        };
        self.record(kind, self.now);
        self.refresh_device(device_id);
        Ok(())
    }

    /// `/devices/simulate/remove`: the device leaves the workspace, and its codes leave Seam
    /// (`access_code.deleted` each; nothing is taken off the lock itself).
    pub fn simulate_removal(&mut self, id: Uuid, scope: &Scope) -> Result<()> {
        let device = self.simulated(id, Simulate::Remove, scope)?.clone();
        let device_id = device.device_id;
        let now = self.now;
        let codes: Vec<Uuid> = self
            .codes_by_device
            .get(&device_id)
            .cloned()
            .unwrap_or_default();
        for c in codes {
            let removed = self.remove_code(c);
            let about = CodePinEvent::of(&removed, Some(device.connected_account_id));
            self.record(EventKind::AccessCodeDeleted(about), now);
        }
        let unmanaged: Vec<Uuid> = self
            .unmanaged_by_device
            .get(&device_id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for u in unmanaged {
            self.remove_unmanaged(u);
        }
        self.unmanaged_by_device.remove(&device_id);
        self.codes_by_device.remove(&device_id);
        self.pools.shift_remove(&device_id);
        self.pins.remove(&device_id);
        self.keypads.shift_remove(&device_id);
        self.devices.shift_remove(&device_id);
        self.record(EventKind::DeviceRemoved(DeviceEvent::of(&device)), now);
        Ok(())
    }

    /// The devices of a connected account, in creation order.
    fn devices_of(&self, account: Uuid) -> Vec<Uuid> {
        self.devices
            .values()
            .filter(|d| d.connected_account_id == account)
            .map(|d| d.device_id)
            .collect()
    }

    /// `/connected_accounts/simulate/disconnect`: the account and each of its devices carry
    /// `account_disconnected`, and the devices' codes wait until it is reconnected.
    pub fn simulate_account_disconnect(&mut self, account_id: Uuid, scope: &Scope) -> Result<()> {
        self.connected_account(account_id, scope)?;
        let now = self.now;
        let Some(account) = self.accounts.get_mut(&account_id) else {
            return Err(Error::ConnectedAccountNotFound);
        };
        if account
            .errors
            .iter()
            .any(|e| e.get("error_code") == Some(&json!("account_disconnected")))
        {
            return Ok(());
        }
        account.errors.push(json!({
            "error_code": "account_disconnected",
            "message": "The account lost its connection: reconnect it to reach its devices.",
            "is_connected_account_error": true,
            "created_at": timestamp::format(&now),
        }));
        let event = AccountDisconnectedEvent {
            connected_account_id: account_id,
            connected_account_errors: account.errors.clone(),
            connected_account_warnings: account.warnings.clone(),
        };
        self.record(
            EventKind::ConnectedAccountDisconnected(Box::new(event)),
            now,
        );
        for d in self.devices_of(account_id) {
            if self.set_device_hold(d, Hold::AccountDisconnected, true) {
                let kind = self
                    .disconnected_event(&self.devices[&d], DisconnectCause::AccountDisconnected);
                self.record(kind, now);
                self.refresh_device(d);
            }
        }
        Ok(())
    }

    /// `/_fake/reconnect_connected_account`: undoes a disconnect (as a Connect Webview would):
    /// `connected_account.connected`, each device's `device.connected`, codes programmed.
    pub fn reconnect_account(&mut self, account_id: Uuid) -> Result<()> {
        let now = self.now;
        let Some(account) = self.accounts.get_mut(&account_id) else {
            return Err(Error::ConnectedAccountNotFound);
        };
        let before = account.errors.len();
        account
            .errors
            .retain(|e| e.get("error_code") != Some(&json!("account_disconnected")));
        if account.errors.len() == before {
            return Ok(());
        }
        let about = AccountEvent {
            connected_account_id: account_id,
        };
        self.record(EventKind::ConnectedAccountConnected(about), now);
        for d in self.devices_of(account_id) {
            if self.set_device_hold(d, Hold::AccountDisconnected, false) {
                let about = DeviceEvent::of(&self.devices[&d]);
                self.record(EventKind::DeviceConnected(about), now);
                self.refresh_device(d);
            }
        }
        Ok(())
    }

    /// The keypad of a lock, made on first use.
    fn keypad(&mut self, device_id: Uuid) -> &mut Keypad {
        let ws = self.record.workspace_id;
        self.keypads
            .get_or_insert_with(device_id, || Keypad::new(device_id, ws))
    }

    /// Notes, on its lock's keypad, the PIN of a code whose window is ending.
    pub(super) fn remember_ended(&mut self, id: Uuid) {
        let Some(c) = self.codes.get(&id) else {
            return;
        };
        let (device_id, pin) = (c.device_id, c.pin());
        let keypad = self
            .devices
            .get(&device_id)
            .is_some_and(|d| d.can_unlock_with_code);
        if let (true, Some(pin)) = (keypad, pin) {
            self.keypad(device_id).remember(&pin, id);
        }
    }

    /// `/locks/simulate/keypad_code_entry`: someone types `pin` at the lock now. Accepted, the
    /// door unlocks (`lock.unlocked` by `keycode`, naming the code); denied, `lock.access_denied`
    /// says why. The attempt answers `pending` and is stored a success either way.
    pub fn keypad_entry(&mut self, id: Uuid, pin: &str, scope: &Scope) -> Result<ActionAttempt> {
        let lock = self.keypad_lock(id, scope)?;
        let (device_id, account) = (lock.device_id, lock.connected_account_id);
        if let Some(refused) = self.refused_action(device_id, KeypadAction::CodeEntry.action_type())
        {
            return Ok(refused);
        }
        let now = self.now;
        let managed = self
            .codes_by_device
            .get(&device_id)
            .into_iter()
            .flatten()
            .find(|c| self.codes[c].pin().as_deref() == Some(pin))
            .copied();
        let unmanaged = self
            .unmanaged_by_device
            .get(&device_id)
            .into_iter()
            .flatten()
            .find(|u| self.unmanaged[*u].code.as_deref() == Some(pin))
            .copied();
        let holder = match (managed, unmanaged) {
            (Some(c), _) => Some(Holder::Managed(&self.codes[&c])),
            (None, Some(u)) => Some(Holder::Unmanaged(u)),
            (None, None) => None,
        };
        let ws = self.record.workspace_id;
        let mut keypad = self
            .keypads
            .get(&device_id)
            .cloned()
            .unwrap_or_else(|| Keypad::new(device_id, ws));
        let verdict = keypad.enter(pin, holder, now);
        self.keypads.insert(device_id, keypad);
        match verdict {
            Verdict::Accepted {
                access_code_id,
                is_managed,
                spent,
            } => {
                self.set_locked(device_id, false);
                let about = DeviceEvent {
                    device_id,
                    connected_account_id: account,
                };
                let e = LockEvent {
                    access_code_id: Some(access_code_id),
                    access_code_is_managed: Some(is_managed),
                    code: Some(pin.to_string()),
                    ..LockEvent::by(about, LockMethod::Keycode)
                };
                self.record(EventKind::LockUnlocked(Box::new(e)), now);
                if spent && self.codes.get(&access_code_id).is_some() {
                    self.keypad(device_id).remember(pin, access_code_id);
                    self.remove_with_events(access_code_id, now);
                }
            }
            Verdict::Denied {
                reason,
                access_code_id,
            } => {
                let e = AccessDeniedEvent {
                    device_id,
                    connected_account_id: account,
                    access_code_id,
                    reason,
                };
                self.record(EventKind::LockAccessDenied(Box::new(e)), now);
            }
        }
        Ok(self.keypad_attempt(KeypadAction::CodeEntry))
    }

    /// `/locks/simulate/manual_lock_via_keypad`: someone locks the door at the keypad.
    pub fn manual_lock_via_keypad(&mut self, id: Uuid, scope: &Scope) -> Result<ActionAttempt> {
        let lock = self.keypad_lock(id, scope)?;
        let e = LockEvent::by(DeviceEvent::of(lock), LockMethod::Keycode);
        let manual = KeypadAction::ManualLock.action_type();
        if let Some(refused) = self.refused_action(e.device_id, manual) {
            return Ok(refused);
        }
        self.set_locked(e.device_id, true);
        self.record(EventKind::LockLocked(Box::new(e)), self.now);
        Ok(self.keypad_attempt(KeypadAction::ManualLock))
    }

    fn set_locked(&mut self, device_id: Uuid, locked: bool) {
        if let Some(d) = self.devices.get_mut(&device_id) {
            d.properties
                .extra
                .insert("locked".into(), Value::Bool(locked));
        }
    }

    /// Stores a keypad attempt as done and returns it as the request answers it, `pending`.
    fn keypad_attempt(&mut self, action: KeypadAction) -> ActionAttempt {
        let id = self.new_id();
        let ws = self.record.workspace_id;
        self.action_attempts.insert(action.done(id, ws));
        action.pending(id, ws)
    }

    /// Whether a code is `set` on its lock (what a change made at the lock needs).
    pub(super) fn is_set(&self, id: Uuid) -> bool {
        self.codes.get(&id).is_some_and(|c| c.status == Status::Set)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::domain::event::{DenialReason, EventType};
    use chrono::Duration;

    fn kinds(w: &Workspace) -> Vec<EventType> {
        w.events().iter().map(|e| e.event_type()).collect()
    }

    #[test]
    fn every_device_cause_holds_codes_and_clears_the_same_way() {
        for (on, off) in [
            (Simulate::Disconnect, Simulate::Connect),
            (Simulate::DisconnectFromHub, Simulate::ConnectToHub),
        ] {
            let mut w = ws();
            w.simulate_connection(dev(AUGUST_1), on, &all()).unwrap();
            assert!(!w.device(dev(AUGUST_1), &all()).unwrap().properties.online);
            let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
            assert_eq!(c.status, Status::Setting);
            advance(&mut w, Duration::hours(1));
            let held = w.code(c.access_code_id, &all()).unwrap();
            assert_eq!(held.status, Status::Setting, "{on:?}");
            w.simulate_connection(dev(AUGUST_1), off, &all()).unwrap();
            let set = w.code(c.access_code_id, &all()).unwrap();
            assert_eq!((set.status, set.errors.len()), (Status::Set, 0), "{off:?}");
        }
        let mut w = ws();
        w.simulate_paid_subscription(dev(NUKI), true, &all())
            .unwrap();
        let (c, _) = w.create_one(one(NUKI), &all()).unwrap();
        assert_eq!(c.errors[0]["error_code"], "subscription_required");
        w.simulate_paid_subscription(dev(NUKI), false, &all())
            .unwrap();
        assert_eq!(
            w.code(c.access_code_id, &all()).unwrap().status,
            Status::Set
        );
        assert!(matches!(
            w.simulate_paid_subscription(dev(AUGUST_1), true, &all()),
            Err(Error::UnsupportedByDevice { .. })
        ));
    }

    #[test]
    fn a_keypad_judges_entries_and_records_why() {
        let mut w = ws();
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        advance(&mut w, Duration::seconds(1));
        let pin = c.pin().unwrap().to_string();
        w.keypad_entry(dev(AUGUST_1), &pin, &all()).unwrap();
        w.keypad_entry(dev(AUGUST_1), "9999999", &all()).unwrap();
        let last = kinds(&w);
        assert_eq!(
            last[last.len() - 2..],
            [EventType::LockUnlocked, EventType::LockAccessDenied]
        );
        match &w.events().iter().last().unwrap().kind {
            EventKind::LockAccessDenied(e) => {
                assert_eq!(e.reason.reason_code, DenialReason::UnknownCode)
            }
            other => panic!("{other:?}"),
        }
        w.simulate_connection(dev(AUGUST_1), Simulate::Disconnect, &all())
            .unwrap();
        assert!(matches!(
            w.keypad_entry(dev(AUGUST_1), &pin, &all()),
            Err(Error::DeviceOffline(_))
        ));
    }

    #[test]
    fn an_account_disconnect_holds_every_device_of_the_account() {
        let mut w = ws();
        w.simulate_account_disconnect(crate::store::seed::JOHN, &all())
            .unwrap();
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        assert_eq!(c.errors[0]["error_code"], "account_disconnected");
        assert_eq!(c.errors[0]["is_connected_account_error"], true);
        w.reconnect_account(crate::store::seed::JOHN).unwrap();
        assert_eq!(
            w.code(c.access_code_id, &all()).unwrap().status,
            Status::Set
        );
        assert!(kinds(&w).contains(&EventType::ConnectedAccountConnected));
    }

    #[test]
    fn a_removed_device_takes_its_codes_out_of_seam() {
        let mut w = ws();
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        w.simulate_removal(dev(AUGUST_1), &all()).unwrap();
        assert!(w.device(dev(AUGUST_1), &all()).is_err());
        assert!(w.code(c.access_code_id, &all()).is_err());
        let k = kinds(&w);
        assert_eq!(
            k[k.len() - 2..],
            [EventType::AccessCodeDeleted, EventType::DeviceRemoved]
        );
    }
}
