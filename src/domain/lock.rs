//! Locking and unlocking a door: which devices are locks, the action each request starts, and
//! what it leaves behind (`properties.locked`, a `lock.locked` / `lock.unlocked` event).

use serde_json::{Value, json};
use uuid::Uuid;

use super::action_attempt::{ActionAttempt, ActionType, AttemptStatus};
use super::device::Device;
use super::event::{DeviceEvent, EventKind, LockEvent, LockMethod};

/// The capability that makes a device a lock (what `/locks/*` see).
pub const LOCK_CAPABILITY: &str = "lock";

/// Whether `/locks/*` treat the device as a lock.
pub fn is_lock(d: &Device) -> bool {
    d.capabilities_supported
        .iter()
        .any(|c| c == LOCK_CAPABILITY)
}

/// `properties.locked` of a device, when it says.
pub fn locked(d: &Device) -> Option<bool> {
    d.properties.extra.get("locked").and_then(Value::as_bool)
}

/// What a door action asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoorAction {
    Lock,
    Unlock,
}

impl DoorAction {
    /// The attempt's `action_type`.
    pub fn action_type(self) -> ActionType {
        match self {
            DoorAction::Lock => ActionType::LockDoor,
            DoorAction::Unlock => ActionType::UnlockDoor,
        }
    }

    /// The event the lock reports when the action is done: locked or unlocked `remote`ly,
    /// by the attempt `attempt_id`.
    pub fn event(self, lock: DeviceEvent, attempt_id: Uuid) -> EventKind {
        let e = LockEvent {
            action_attempt_id: Some(attempt_id),
            ..LockEvent::by(lock, LockMethod::Remote)
        };
        match self {
            DoorAction::Lock => EventKind::LockLocked(Box::new(e)),
            DoorAction::Unlock => EventKind::LockUnlocked(Box::new(e)),
        }
    }

    /// `properties.locked` afterwards.
    pub fn locked(self) -> bool {
        self == DoorAction::Lock
    }

    /// The attempt as the request answers it: `pending`, no result yet. The stored attempt
    /// finishes at once ([`Self::done`]), so the next `/action_attempts/get` says `success`.
    pub fn pending(self, id: Uuid, workspace_id: Uuid) -> ActionAttempt {
        ActionAttempt {
            action_attempt_id: id,
            workspace_id,
            action_type: self.action_type(),
            status: AttemptStatus::Pending,
            result: None,
            error: None,
        }
    }

    /// The finished attempt: the lock confirmed the action.
    pub fn done(self, id: Uuid, workspace_id: Uuid) -> ActionAttempt {
        ActionAttempt::success(
            id,
            workspace_id,
            self.action_type(),
            json!({ "was_confirmed_by_device": true }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_name_their_attempt_event_and_state() {
        let (id, ws) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let p = DoorAction::Unlock.pending(id, ws);
        assert_eq!((p.status, p.result.clone()), (AttemptStatus::Pending, None));
        assert_eq!(p.action_type.as_str(), "UNLOCK_DOOR");
        let d = DoorAction::Lock.done(id, ws);
        assert_eq!(
            (d.status.as_str(), d.action_type.as_str()),
            ("success", "LOCK_DOOR")
        );
        assert_eq!(d.result, Some(json!({"was_confirmed_by_device": true})));
        let lock = DeviceEvent {
            device_id: Uuid::from_u128(3),
            connected_account_id: Uuid::from_u128(4),
        };
        for (action, kind) in [
            (DoorAction::Lock, "lock.locked"),
            (DoorAction::Unlock, "lock.unlocked"),
        ] {
            let e = serde_json::to_value(action.event(lock.clone(), id)).unwrap();
            assert_eq!(e["event_type"], kind);
            assert_eq!(e["method"], "remote");
            assert_eq!(e["action_attempt_id"], json!(id));
            assert_eq!(e["device_id"], json!(lock.device_id));
            assert_eq!(e["connected_account_id"], json!(lock.connected_account_id));
        }
        assert!(DoorAction::Lock.locked() && !DoorAction::Unlock.locked());
    }
}
