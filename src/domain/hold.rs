//! Why a managed code is not on its lock — or, once Seam asked for it to go, still is
//! (contract §12, §14): one list of causes, each with the entry it puts on the code (the spec's
//! access-code error or warning variant), the entry it puts on the device when it is the
//! device's state, and the event it records when a code starts waiting on it. Also the device
//! warning of a lock whose code slots are all taken ([`capacity_warning`]).
//!
//! Every cause shows the same way — the code stays `setting`, its entry is in `errors` (or
//! `warnings`) — and clears the same way: when the code is programmed, every entry this model
//! owns goes ([`owns`]). The device-level causes ([`Hold::of_device`]) are read from the device
//! itself, so the lifecycle asks one question of one place before it programs a code.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::device::Device;
use super::event::{CodeErrorsEvent, EventKind};
use super::timestamp;

crate::wire_enum! {
    /// `change_type` of an external modification: the PIN was edited, or deleted, at the lock.
    pub enum ChangeType {
        Modified = "modified",
        Removed = "removed",
    }
}

crate::wire_enum! {
    /// A programming attempt the device refused (the fault rules of contract §14 force these).
    pub enum SetFailure {
        FailedToSetOnDevice = "failed_to_set_on_device",
        DuplicateCodeOnDevice = "duplicate_code_on_device",
        NoSpaceForAccessCodeOnDevice = "no_space_for_access_code_on_device",
    }
}

/// One reason a code that is due is not on its lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// The lock itself is unreachable (`properties.online: false`).
    DeviceOffline,
    /// The lock's hub is offline.
    HubDisconnected,
    /// The provider wants a paid subscription for the lock.
    SubscriptionRequired,
    /// The lock's connected account lost its connection.
    AccountDisconnected,
    /// Someone changed the PIN at the lock; Seam is setting it again.
    ExternalModification(ChangeType),
    /// The device refused to program the code.
    Failed(SetFailure),
    /// The device is slow to program the code (a warning: the code is still on its way).
    Delayed,
    /// The device refused to take the code off (the code stays on it, `removing`).
    RemovalFailed,
}

/// The device-level causes, in the order they are shown.
const DEVICE_LEVEL: [Hold; 4] = [
    Hold::DeviceOffline,
    Hold::HubDisconnected,
    Hold::SubscriptionRequired,
    Hold::AccountDisconnected,
];

/// Every `error_code` / `warning_code` this model puts on codes: programming clears these.
const OWNED: [&str; 10] = [
    "device_offline",
    "hub_disconnected",
    "subscription_required",
    "account_disconnected",
    "conflicting_external_modification",
    "failed_to_set_on_device",
    "duplicate_code_on_device",
    "no_space_for_access_code_on_device",
    "delay_in_setting_on_device",
    "failed_to_remove_from_device",
];

/// The device warning of a lock that holds as many codes as it can (`max_access_codes_reached`).
pub const CAPACITY_WARNING: &str = "max_access_codes_reached";

/// The warning a lock holding `active` codes of at most `max` carries (the spec's
/// `max_access_codes_reached` device warning).
pub fn capacity_warning(active: u32, max: u32, at: DateTime<Utc>) -> Value {
    json!({
        "warning_code": CAPACITY_WARNING,
        "message": "The device holds as many access codes as it can: a new one waits for room.",
        "active_access_code_count": active,
        "max_active_access_code_count": max,
        "created_at": timestamp::format(&at),
    })
}

/// Whether a code's error or warning entry is one this model puts there (and so clears).
pub fn owns(entry: &Value) -> bool {
    let code = entry
        .get("error_code")
        .or_else(|| entry.get("warning_code"))
        .and_then(Value::as_str);
    code.is_some_and(|c| OWNED.contains(&c))
}

/// The `error_code` or `warning_code` of an entry.
pub fn code_of(entry: &Value) -> Option<&str> {
    entry
        .get("error_code")
        .or_else(|| entry.get("warning_code"))
        .and_then(Value::as_str)
}

impl Hold {
    /// Its `error_code` (or `warning_code`, for [`Hold::Delayed`]).
    pub fn code(self) -> &'static str {
        match self {
            Hold::DeviceOffline => "device_offline",
            Hold::HubDisconnected => "hub_disconnected",
            Hold::SubscriptionRequired => "subscription_required",
            Hold::AccountDisconnected => "account_disconnected",
            Hold::ExternalModification(_) => "conflicting_external_modification",
            Hold::Failed(f) => f.as_str(),
            Hold::Delayed => "delay_in_setting_on_device",
            Hold::RemovalFailed => crate::domain::fault::REMOVE_ERROR,
        }
    }

    /// The refusals of a programming attempt ([`Hold::is_refusal`]).
    pub fn refusals() -> impl Iterator<Item = Hold> {
        SetFailure::ALL.iter().map(|f| Hold::Failed(*f))
    }

    /// Whether it is one attempt the device refused rather than a state it is in: the device
    /// tries again (at the next tick, or when it has room), and a new refusal replaces it.
    pub fn is_refusal(self) -> bool {
        matches!(self, Hold::Failed(_) | Hold::RemovalFailed)
    }

    /// Whether it shows in `warnings` rather than `errors`.
    pub fn is_warning(self) -> bool {
        self == Hold::Delayed
    }

    /// Whether it is the state of the device (or its account) rather than of one code: read
    /// from the device by [`Hold::of_device`], and cleared there.
    pub fn is_device_level(self) -> bool {
        DEVICE_LEVEL.contains(&self)
    }

    /// Whether it keeps the lock from being reached at all (`properties.online: false`).
    pub fn takes_device_offline(self) -> bool {
        matches!(self, Hold::DeviceOffline | Hold::HubDisconnected)
    }

    fn message(self) -> &'static str {
        match self {
            Hold::DeviceOffline => {
                "The device is offline: the code will be programmed when it is back online."
            }
            Hold::HubDisconnected => {
                "The device's hub is disconnected: the code will be programmed when it is back."
            }
            Hold::SubscriptionRequired => {
                "The device needs a paid subscription with its provider before it takes codes."
            }
            Hold::AccountDisconnected => {
                "The device's connected account is disconnected: reconnect it to program codes."
            }
            Hold::ExternalModification(ChangeType::Modified) => {
                "The code was changed at the lock, outside Seam: Seam is setting it again."
            }
            Hold::ExternalModification(ChangeType::Removed) => {
                "The code was removed at the lock, outside Seam: Seam is setting it again."
            }
            Hold::Failed(SetFailure::FailedToSetOnDevice) => "The device failed to set the code.",
            Hold::Failed(SetFailure::DuplicateCodeOnDevice) => {
                "The device already holds this PIN under another code."
            }
            Hold::Failed(SetFailure::NoSpaceForAccessCodeOnDevice) => {
                "The device has no room for another code."
            }
            Hold::Delayed => "The device is taking longer than usual to set the code.",
            Hold::RemovalFailed => "The device failed to remove the code.",
        }
    }

    /// The entry it puts in a code's `errors` (or `warnings`), in the spec's shape for that
    /// variant: device-level causes as device errors, the rest as access-code errors.
    pub fn code_entry(self, at: DateTime<Utc>) -> Value {
        match self {
            Hold::Delayed => json!({
                "warning_code": self.code(),
                "message": self.message(),
                "created_at": timestamp::format(&at),
            }),
            Hold::ExternalModification(change) => json!({
                "error_code": self.code(),
                "message": self.message(),
                "is_access_code_error": true,
                "change_type": change.as_str(),
                "created_at": timestamp::format(&at),
            }),
            Hold::Failed(_) | Hold::RemovalFailed => json!({
                "error_code": self.code(),
                "message": self.message(),
                "is_access_code_error": true,
                "created_at": timestamp::format(&at),
            }),
            Hold::DeviceOffline
            | Hold::HubDisconnected
            | Hold::SubscriptionRequired
            | Hold::AccountDisconnected => self.device_entry(at),
        }
    }

    /// The entry a device-level cause puts in the device's `errors`: a device error, or for a
    /// disconnected account a connected-account error (`is_device_error: false`).
    pub fn device_entry(self, at: DateTime<Utc>) -> Value {
        let account = self == Hold::AccountDisconnected;
        let mut e = json!({
            "error_code": self.code(),
            "message": self.message(),
            "is_device_error": !account,
            "created_at": timestamp::format(&at),
        });
        if account {
            e["is_connected_account_error"] = json!(true);
        }
        e
    }

    /// The device-level cause a device error stands for.
    pub fn of_device_error(entry: &Value) -> Option<Hold> {
        let code = entry.get("error_code").and_then(Value::as_str)?;
        DEVICE_LEVEL.into_iter().find(|h| h.code() == code)
    }

    /// What keeps `d` from taking codes now, read from its errors (a lock that is offline
    /// without saying why is [`Hold::DeviceOffline`]).
    pub fn of_device(d: &Device) -> Vec<Hold> {
        let mut out: Vec<Hold> = DEVICE_LEVEL
            .into_iter()
            .filter(|h| {
                d.errors
                    .iter()
                    .any(|e| Hold::of_device_error(e) == Some(*h))
            })
            .collect();
        if !d.properties.online && !out.iter().any(|h| h.takes_device_offline()) {
            out.insert(0, Hold::DeviceOffline);
        }
        out
    }

    /// The event a code records when it starts waiting on this cause, if the spec has one for
    /// it (a device-level cause is told by the device's event instead; a duplicate PIN or a
    /// full lock has no event of its own). `state` is the code, its lock and account as they
    /// stand, which the `access_code.<error>` events carry.
    pub fn event(self, state: &CodeErrorsEvent) -> Option<EventKind> {
        let about = || state.about.clone();
        let detail = || Box::new(state.clone());
        match self {
            Hold::ExternalModification(ChangeType::Modified) => {
                Some(EventKind::AccessCodeModifiedExternalToSeam(about()))
            }
            Hold::ExternalModification(ChangeType::Removed) => {
                Some(EventKind::AccessCodeDeletedExternalToSeam(about()))
            }
            Hold::Failed(SetFailure::FailedToSetOnDevice) => {
                Some(EventKind::AccessCodeFailedToSetOnDevice(detail()))
            }
            Hold::Delayed => Some(EventKind::AccessCodeDelayInSettingOnDevice(detail())),
            Hold::RemovalFailed => Some(EventKind::AccessCodeFailedToRemoveFromDevice(detail())),
            Hold::Failed(
                SetFailure::DuplicateCodeOnDevice | SetFailure::NoSpaceForAccessCodeOnDevice,
            ) => None,
            Hold::DeviceOffline
            | Hold::HubDisconnected
            | Hold::SubscriptionRequired
            | Hold::AccountDisconnected => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
    }

    fn every() -> Vec<Hold> {
        let mut v = DEVICE_LEVEL.to_vec();
        v.extend(
            ChangeType::ALL
                .iter()
                .map(|c| Hold::ExternalModification(*c)),
        );
        v.extend(SetFailure::ALL.iter().map(|f| Hold::Failed(*f)));
        v.push(Hold::Delayed);
        v.push(Hold::RemovalFailed);
        v
    }

    #[test]
    fn every_cause_writes_an_entry_the_model_owns_and_clears() {
        for h in every() {
            let e = h.code_entry(at());
            assert!(owns(&e), "{h:?}: {e}");
            assert_eq!(code_of(&e), Some(h.code()));
            assert_eq!(e["created_at"], "2030-01-01T00:00:00.000Z");
            assert_eq!(e.get("warning_code").is_some(), h.is_warning(), "{h:?}");
        }
        assert!(!owns(&json!({"error_code": "provider_issue"})));
    }

    #[test]
    fn device_entries_say_whose_error_they_are() {
        let offline = Hold::DeviceOffline.device_entry(at());
        assert_eq!(offline["is_device_error"], true);
        assert!(offline.get("is_connected_account_error").is_none());
        let account = Hold::AccountDisconnected.device_entry(at());
        assert_eq!(account["is_device_error"], false);
        assert_eq!(account["is_connected_account_error"], true);
        let conflict = Hold::ExternalModification(ChangeType::Removed).code_entry(at());
        assert_eq!(conflict["change_type"], "removed");
        assert_eq!(conflict["is_access_code_error"], true);
    }

    #[test]
    fn a_device_says_what_holds_its_codes() {
        let mut d = Device::sample("august_lock");
        assert!(Hold::of_device(&d).is_empty());
        d.properties.online = false;
        assert_eq!(Hold::of_device(&d), [Hold::DeviceOffline]);
        d.errors.push(Hold::HubDisconnected.device_entry(at()));
        d.errors.push(Hold::AccountDisconnected.device_entry(at()));
        assert_eq!(
            Hold::of_device(&d),
            [Hold::HubDisconnected, Hold::AccountDisconnected]
        );
        d.errors.clear();
        d.properties.online = true;
        d.errors.push(Hold::SubscriptionRequired.device_entry(at()));
        assert_eq!(Hold::of_device(&d), [Hold::SubscriptionRequired]);
    }

    #[test]
    fn each_cause_records_the_event_the_spec_has_for_it() {
        let state = CodeErrorsEvent {
            about: crate::domain::event::CodeEvent {
                device_id: Uuid::from_u128(1),
                access_code_id: Uuid::from_u128(2),
                connected_account_id: None,
            },
            access_code_errors: vec![Hold::RemovalFailed.code_entry(at())],
            ..CodeErrorsEvent::default()
        };
        for h in every() {
            let e = h.event(&state).map(|k| k.event_type().as_str());
            let want = match h {
                Hold::ExternalModification(ChangeType::Modified) => {
                    Some("access_code.modified_external_to_seam")
                }
                Hold::ExternalModification(ChangeType::Removed) => {
                    Some("access_code.deleted_external_to_seam")
                }
                Hold::Failed(SetFailure::FailedToSetOnDevice) => {
                    Some("access_code.failed_to_set_on_device")
                }
                Hold::Delayed => Some("access_code.delay_in_setting_on_device"),
                Hold::RemovalFailed => Some("access_code.failed_to_remove_from_device"),
                _ => None,
            };
            assert_eq!(e, want, "{h:?}");
        }
        let w = capacity_warning(3, 3, at());
        assert_eq!(w["warning_code"], CAPACITY_WARNING);
        assert_eq!(w["active_access_code_count"], 3);
        assert!(Hold::Failed(SetFailure::FailedToSetOnDevice).is_refusal());
        assert!(!Hold::Delayed.is_refusal() && !Hold::DeviceOffline.is_refusal());
    }
}
