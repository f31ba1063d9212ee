//! Events: the record of what happened to access codes, locks and devices, in time order
//! (`/events/list`, webhooks, timelines).
//!
//! Every event has the same frame ([`Event`]: id, workspace, times) around its kind
//! ([`EventKind`]): one variant per `event_type`, each holding the fields Seam's schema gives
//! that kind — a code event names its code and lock, `lock.locked` says how it was locked,
//! `device.disconnected` says why and carries the errors at that moment. A new kind is one line
//! in [`event_kinds!`]'s list (its wire name, written once) and, if no payload fits, a payload
//! struct implementing [`Subject`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access_code::AccessCode;
use super::device::Device;
use super::pindigits::PinDigits;
use super::timestamp;

/// What an event is about, for the reads that filter or index events (by lock, by code) and
/// for the timeline. A payload that lacks one answers `None`.
pub trait Subject {
    fn device_id(&self) -> Option<Uuid> {
        None
    }
    fn access_code_id(&self) -> Option<Uuid> {
        None
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        None
    }
    /// The PIN, on the kinds whose schema carries it.
    fn pin(&self) -> Option<String> {
        None
    }
}

impl<T: Subject> Subject for Box<T> {
    fn device_id(&self) -> Option<Uuid> {
        (**self).device_id()
    }
    fn access_code_id(&self) -> Option<Uuid> {
        (**self).access_code_id()
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        (**self).connected_account_id()
    }
    fn pin(&self) -> Option<String> {
        (**self).pin()
    }
}

/// Declares [`EventType`] (the bare `event_type`, for filters and subscriptions) and
/// [`EventKind`] (the type with its payload) from one list, so each wire name is written once.
macro_rules! event_kinds {
    ($( $(#[$doc:meta])* $variant:ident = $wire:tt ($payload:ty) ),+ $(,)?) => {
        crate::wire_enum! {
            /// `event_type`: what happened to an access code, a lock or a device.
            pub enum EventType {
                $( $(#[$doc])* $variant = $wire ),+
            }
        }

        /// What happened, with the fields Seam's schema gives that kind of event; on the
        /// wire, `event_type` and those fields.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
        #[serde(tag = "event_type")]
        pub enum EventKind {
            $( $(#[$doc])* #[serde(rename = $wire)] $variant($payload) ),+
        }

        impl EventKind {
            /// The bare `event_type`.
            pub fn event_type(&self) -> EventType {
                match self {
                    $( EventKind::$variant(_) => EventType::$variant ),+
                }
            }

            /// What the event is about.
            pub fn subject(&self) -> &dyn Subject {
                match self {
                    $( EventKind::$variant(p) => p ),+
                }
            }
        }
    };
}

// The enum is as large as its largest payload, and every code stores two code events: the
// rarer kinds whose payload is larger than `CodePinEvent` are boxed (docs/performance.md).
event_kinds! {
    /// One per code a create call makes.
    AccessCodeCreated = "access_code.created" (CodeEvent),
    /// Name, PIN or window changed.
    AccessCodeChanged = "access_code.changed" (CodeEvent),
    /// The device now has the PIN.
    AccessCodeSetOnDevice = "access_code.set_on_device" (CodePinEvent),
    /// The device no longer has the PIN.
    AccessCodeRemovedFromDevice = "access_code.removed_from_device" (CodeEvent),
    /// The code is gone from Seam.
    AccessCodeDeleted = "access_code.deleted" (CodePinEvent),
    /// An unmanaged code became managed, keeping its id and PIN.
    AccessCodeConvertedToManaged = "access_code.unmanaged.converted_to_managed" (CodeEvent),
    /// A backup code was pulled from the lock's pool for this code.
    AccessCodeBackupAccessCodePulled = "access_code.backup_access_code_pulled" (Box<BackupPulledEvent>),
    /// A lock reported itself locked.
    LockLocked = "lock.locked" (Box<LockEvent>),
    /// A lock reported itself unlocked.
    LockUnlocked = "lock.unlocked" (Box<LockEvent>),
    /// The device came back online.
    DeviceConnected = "device.connected" (DeviceEvent),
    /// The device went offline.
    DeviceDisconnected = "device.disconnected" (Box<DeviceDisconnectedEvent>),
    /// The device was given a new name through Seam (`/devices/update`).
    DeviceNameChanged = "device.name_changed" (DeviceNameChangedEvent),
    /// Seam stopped managing the device (`/devices/update` `is_managed: false`).
    DeviceConvertedToUnmanaged = "device.converted_to_unmanaged" (DeviceEvent),
    /// Seam manages the device again (`/devices/unmanaged/update` `is_managed: true`).
    DeviceConvertedToManaged = "device.unmanaged.converted_to_managed" (DeviceEvent),
    /// The device was deleted from Seam (`/devices/delete`, or with its connected account).
    DeviceDeleted = "device.deleted" (DeviceEvent),
    /// The connected account was deleted from Seam, with its devices and their codes.
    ConnectedAccountDeleted = "connected_account.deleted" (AccountEvent),
    /// Someone changed the code's PIN at the lock, outside Seam.
    AccessCodeModifiedExternalToSeam = "access_code.modified_external_to_seam" (CodeEvent),
    /// Someone deleted the code's PIN at the lock, outside Seam.
    AccessCodeDeletedExternalToSeam = "access_code.deleted_external_to_seam" (CodeEvent),
    /// Someone at the keypad was refused, and why.
    LockAccessDenied = "lock.access_denied" (Box<AccessDeniedEvent>),
    /// The device left the workspace.
    DeviceRemoved = "device.removed" (DeviceEvent),
    /// The device's provider wants a paid subscription.
    DeviceErrorSubscriptionRequired = "device.error.subscription_required" (Box<DeviceErrorsEvent>),
    /// The device's subscription is paid again.
    DeviceErrorSubscriptionRequiredResolved = "device.error.subscription_required.resolved" (DeviceEvent),
    /// A connected account lost its connection.
    ConnectedAccountDisconnected = "connected_account.disconnected" (Box<AccountDisconnectedEvent>),
    /// A connected account is connected again.
    ConnectedAccountConnected = "connected_account.connected" (AccountEvent),
    /// The lock refused to program the code (it stays `setting`; Seam tries again).
    AccessCodeFailedToSetOnDevice = "access_code.failed_to_set_on_device" (Box<CodeErrorsEvent>),
    /// The lock is slow to program the code.
    AccessCodeDelayInSettingOnDevice = "access_code.delay_in_setting_on_device" (Box<CodeErrorsEvent>),
    /// The lock refused to take the code off (it stays `removing`; Seam tries again).
    AccessCodeFailedToRemoveFromDevice = "access_code.failed_to_remove_from_device" (Box<CodeErrorsEvent>),
}

impl EventType {
    /// The event of a device whose `properties.online` became `online`.
    pub fn device_online(online: bool) -> Self {
        if online {
            EventType::DeviceConnected
        } else {
            EventType::DeviceDisconnected
        }
    }
}

/// One event, as `/events/get` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub event_id: Uuid,
    /// `event_type` and the fields of that kind.
    #[serde(flatten)]
    pub kind: EventKind,
    pub workspace_id: Uuid,
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "timestamp::required")]
    pub occurred_at: DateTime<Utc>,
}

impl Event {
    pub fn event_type(&self) -> EventType {
        self.kind.event_type()
    }
    pub fn device_id(&self) -> Option<Uuid> {
        self.kind.subject().device_id()
    }
    pub fn access_code_id(&self) -> Option<Uuid> {
        self.kind.subject().access_code_id()
    }
    pub fn connected_account_id(&self) -> Option<Uuid> {
        self.kind.subject().connected_account_id()
    }
    pub fn pin(&self) -> Option<String> {
        self.kind.subject().pin()
    }
}

/// An event about a managed access code on a lock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CodeEvent {
    pub device_id: Uuid,
    pub access_code_id: Uuid,
    /// The lock's account (absent only if the lock is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub connected_account_id: Option<Uuid>,
}

impl CodeEvent {
    /// About `code`, on a lock of `account`.
    pub fn of(code: &AccessCode, account: Option<Uuid>) -> Self {
        CodeEvent {
            device_id: code.device_id,
            access_code_id: code.access_code_id,
            connected_account_id: account,
        }
    }
}

impl Subject for CodeEvent {
    fn device_id(&self) -> Option<Uuid> {
        Some(self.device_id)
    }
    fn access_code_id(&self) -> Option<Uuid> {
        Some(self.access_code_id)
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        self.connected_account_id
    }
}

/// A code event whose schema carries the PIN (`set_on_device`, `deleted`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CodePinEvent {
    #[serde(flatten)]
    pub about: CodeEvent,
    /// The PIN (absent only for a code whose provider never assigned one).
    // Packed: this event is stored for every code, and a `String` here made every event
    // 24 bytes larger (docs/performance.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>)]
    pub code: Option<PinDigits>,
}

impl CodePinEvent {
    /// About `code` and its PIN, on a lock of `account`.
    pub fn of(code: &AccessCode, account: Option<Uuid>) -> Self {
        CodePinEvent {
            about: CodeEvent::of(code, account),
            code: code.code,
        }
    }
}

impl Subject for CodePinEvent {
    fn device_id(&self) -> Option<Uuid> {
        self.about.device_id()
    }
    fn access_code_id(&self) -> Option<Uuid> {
        self.about.access_code_id()
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        self.about.connected_account_id()
    }
    fn pin(&self) -> Option<String> {
        self.code.map(|p| p.to_string())
    }
}

/// `access_code.backup_access_code_pulled`: on the original code, naming the backup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupPulledEvent {
    #[serde(flatten)]
    pub about: CodeEvent,
    pub backup_access_code_id: Uuid,
}

impl Subject for BackupPulledEvent {
    fn device_id(&self) -> Option<Uuid> {
        self.about.device_id()
    }
    fn access_code_id(&self) -> Option<Uuid> {
        self.about.access_code_id()
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        self.about.connected_account_id()
    }
}

crate::wire_enum! {
    /// How a lock was locked or unlocked (`method` of `lock.locked` / `lock.unlocked`).
    pub enum LockMethod {
        /// With a PIN at the keypad.
        Keycode = "keycode",
        /// By hand, at the door.
        Manual = "manual",
        /// By the lock itself (auto-lock).
        Automatic = "automatic",
        Unknown = "unknown",
        /// Through the API (`/locks/lock_door`, `/locks/unlock_door`).
        Remote = "remote",
        Card = "card",
    }
}

/// `lock.locked` / `lock.unlocked`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LockEvent {
    pub device_id: Uuid,
    pub connected_account_id: Uuid,
    /// `unknown` for an event stored without one.
    #[serde(default = "unknown_method")]
    #[schema(required = true)]
    pub method: LockMethod,
    /// The attempt that did it, for a lock or unlock made through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub action_attempt_id: Option<Uuid>,
    /// The code typed at the keypad, for an unlock by `keycode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub access_code_id: Option<Uuid>,
    /// Whether that code is managed by Seam (present with `access_code_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub access_code_is_managed: Option<bool>,
    /// The PIN typed, for an unlock by `keycode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub code: Option<String>,
}

impl LockEvent {
    /// `lock` locked or unlocked by `method`, naming no attempt and no code.
    pub fn by(lock: DeviceEvent, method: LockMethod) -> Self {
        LockEvent {
            device_id: lock.device_id,
            connected_account_id: lock.connected_account_id,
            method,
            action_attempt_id: None,
            access_code_id: None,
            access_code_is_managed: None,
            code: None,
        }
    }
}

fn unknown_method() -> LockMethod {
    LockMethod::Unknown
}

// The code a keypad entry names stays out of `access_code_id()`: a code's timeline and
// event chain hold the code's own events, which lock events are not.
impl Subject for LockEvent {
    fn device_id(&self) -> Option<Uuid> {
        Some(self.device_id)
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        Some(self.connected_account_id)
    }
    fn pin(&self) -> Option<String> {
        self.code.clone()
    }
}

crate::wire_enum! {
    /// Why a keypad refused a PIN (`reason.reason_code` of `lock.access_denied`).
    pub enum DenialReason {
        /// The lock holds no code with that PIN.
        UnknownCode = "unknown_code",
        /// The PIN belongs to a code of this lock that is not active now.
        ExpiredCode = "expired_code",
        /// The keypad is locked out after too many wrong entries.
        TooManyAttempts = "too_many_attempts",
    }
}

/// `reason` of `lock.access_denied`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Denial {
    pub reason_code: DenialReason,
    pub message: String,
}

/// `lock.access_denied`: who was refused at the keypad, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccessDeniedEvent {
    pub device_id: Uuid,
    pub connected_account_id: Uuid,
    /// The code whose PIN was typed, when the lock knows one (`expired_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub access_code_id: Option<Uuid>,
    pub reason: Denial,
}

// As for `LockEvent`, the code named is not the event's subject.
impl Subject for AccessDeniedEvent {
    fn device_id(&self) -> Option<Uuid> {
        Some(self.device_id)
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        Some(self.connected_account_id)
    }
}

/// An event about a code that carries the code's, its lock's and its account's errors and
/// warnings at that moment (`access_code.failed_to_set_on_device`, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CodeErrorsEvent {
    #[serde(flatten)]
    pub about: CodeEvent,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub access_code_errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub access_code_warnings: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub device_errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub device_warnings: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub connected_account_errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub connected_account_warnings: Vec<Value>,
}

impl Subject for CodeErrorsEvent {
    fn device_id(&self) -> Option<Uuid> {
        self.about.device_id()
    }
    fn access_code_id(&self) -> Option<Uuid> {
        self.about.access_code_id()
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        self.about.connected_account_id()
    }
}

/// An event about a device and nothing more (`device.connected`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeviceEvent {
    pub device_id: Uuid,
    pub connected_account_id: Uuid,
}

impl DeviceEvent {
    pub fn of(d: &Device) -> Self {
        DeviceEvent {
            device_id: d.device_id,
            connected_account_id: d.connected_account_id,
        }
    }
}

impl Subject for DeviceEvent {
    fn device_id(&self) -> Option<Uuid> {
        Some(self.device_id)
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        Some(self.connected_account_id)
    }
}

/// `device.name_changed`: the device and its new name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeviceNameChangedEvent {
    #[serde(flatten)]
    pub about: DeviceEvent,
    /// The name the device has now.
    pub device_name: String,
}

impl Subject for DeviceNameChangedEvent {
    fn device_id(&self) -> Option<Uuid> {
        self.about.device_id()
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        self.about.connected_account_id()
    }
}

/// An event about a connected account and nothing more (`connected_account.deleted`,
/// `connected_account.connected`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountEvent {
    pub connected_account_id: Uuid,
}

impl Subject for AccountEvent {
    fn connected_account_id(&self) -> Option<Uuid> {
        Some(self.connected_account_id)
    }
}

crate::wire_enum! {
    /// Why a device went offline (`error_code` of `device.disconnected`).
    pub enum DisconnectCause {
        /// Its provider account lost its connection.
        AccountDisconnected = "account_disconnected",
        /// Its hub went offline.
        HubDisconnected = "hub_disconnected",
        /// The device itself is unreachable.
        DeviceDisconnected = "device_disconnected",
    }
}

/// `device.disconnected`: why, and the device's and its account's errors and warnings at that
/// moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeviceDisconnectedEvent {
    #[serde(flatten)]
    pub about: DeviceEvent,
    /// `device_disconnected` for an event stored without one.
    #[serde(default = "device_disconnected")]
    #[schema(required = true)]
    pub error_code: DisconnectCause,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub device_errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub device_warnings: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub connected_account_errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub connected_account_warnings: Vec<Value>,
}

/// An event about a device that carries the device's and its account's errors and warnings at
/// that moment (`device.error.subscription_required`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeviceErrorsEvent {
    #[serde(flatten)]
    pub about: DeviceEvent,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub device_errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub device_warnings: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub connected_account_errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub connected_account_warnings: Vec<Value>,
}

impl Subject for DeviceErrorsEvent {
    fn device_id(&self) -> Option<Uuid> {
        self.about.device_id()
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        self.about.connected_account_id()
    }
}

/// `connected_account.disconnected`, with the account's errors and warnings at that moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountDisconnectedEvent {
    pub connected_account_id: Uuid,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub connected_account_errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub connected_account_warnings: Vec<Value>,
}

impl Subject for AccountDisconnectedEvent {
    fn connected_account_id(&self) -> Option<Uuid> {
        Some(self.connected_account_id)
    }
}

fn device_disconnected() -> DisconnectCause {
    DisconnectCause::DeviceDisconnected
}

impl Subject for DeviceDisconnectedEvent {
    fn device_id(&self) -> Option<Uuid> {
        self.about.device_id()
    }
    fn connected_account_id(&self) -> Option<Uuid> {
        self.about.connected_account_id()
    }
}

#[cfg(test)]
impl EventKind {
    /// An event of type `t` about code 4 on lock 3 of account 5 (with backup 6), for tests
    /// that need one of each kind.
    pub fn sample(t: EventType) -> EventKind {
        use EventType::*;
        let code = CodeEvent {
            device_id: Uuid::from_u128(3),
            access_code_id: Uuid::from_u128(4),
            connected_account_id: Some(Uuid::from_u128(5)),
        };
        let with_pin = CodePinEvent {
            about: code.clone(),
            code: PinDigits::new("1234"),
        };
        let device = DeviceEvent {
            device_id: Uuid::from_u128(3),
            connected_account_id: Uuid::from_u128(5),
        };
        let lock = Box::new(LockEvent::by(device.clone(), LockMethod::Remote));
        let account = Uuid::from_u128(5);
        match t {
            AccessCodeCreated => EventKind::AccessCodeCreated(code),
            AccessCodeChanged => EventKind::AccessCodeChanged(code),
            AccessCodeSetOnDevice => EventKind::AccessCodeSetOnDevice(with_pin),
            AccessCodeRemovedFromDevice => EventKind::AccessCodeRemovedFromDevice(code),
            AccessCodeDeleted => EventKind::AccessCodeDeleted(with_pin),
            AccessCodeConvertedToManaged => EventKind::AccessCodeConvertedToManaged(code),
            AccessCodeBackupAccessCodePulled => {
                EventKind::AccessCodeBackupAccessCodePulled(Box::new(BackupPulledEvent {
                    about: code,
                    backup_access_code_id: Uuid::from_u128(6),
                }))
            }
            LockLocked => EventKind::LockLocked(lock),
            LockUnlocked => EventKind::LockUnlocked(lock),
            DeviceConnected => EventKind::DeviceConnected(device),
            DeviceNameChanged => EventKind::DeviceNameChanged(DeviceNameChangedEvent {
                about: device,
                device_name: "Front Door".into(),
            }),
            DeviceConvertedToUnmanaged => EventKind::DeviceConvertedToUnmanaged(device),
            DeviceConvertedToManaged => EventKind::DeviceConvertedToManaged(device),
            DeviceDeleted => EventKind::DeviceDeleted(device),
            ConnectedAccountDeleted => EventKind::ConnectedAccountDeleted(AccountEvent {
                connected_account_id: Uuid::from_u128(5),
            }),
            DeviceDisconnected => {
                EventKind::DeviceDisconnected(Box::new(DeviceDisconnectedEvent {
                    about: device,
                    error_code: DisconnectCause::DeviceDisconnected,
                    device_errors: Vec::new(),
                    device_warnings: Vec::new(),
                    connected_account_errors: Vec::new(),
                    connected_account_warnings: Vec::new(),
                }))
            }
            AccessCodeModifiedExternalToSeam => EventKind::AccessCodeModifiedExternalToSeam(code),
            AccessCodeDeletedExternalToSeam => EventKind::AccessCodeDeletedExternalToSeam(code),
            LockAccessDenied => EventKind::LockAccessDenied(Box::new(AccessDeniedEvent {
                device_id: device.device_id,
                connected_account_id: account,
                access_code_id: None,
                reason: Denial {
                    reason_code: DenialReason::UnknownCode,
                    message: "No code with this PIN.".into(),
                },
            })),
            DeviceRemoved => EventKind::DeviceRemoved(device),
            DeviceErrorSubscriptionRequired => {
                EventKind::DeviceErrorSubscriptionRequired(Box::new(DeviceErrorsEvent {
                    about: device,
                    device_errors: Vec::new(),
                    device_warnings: Vec::new(),
                    connected_account_errors: Vec::new(),
                    connected_account_warnings: Vec::new(),
                }))
            }
            DeviceErrorSubscriptionRequiredResolved => {
                EventKind::DeviceErrorSubscriptionRequiredResolved(device)
            }
            ConnectedAccountDisconnected => {
                EventKind::ConnectedAccountDisconnected(Box::new(AccountDisconnectedEvent {
                    connected_account_id: account,
                    connected_account_errors: Vec::new(),
                    connected_account_warnings: Vec::new(),
                }))
            }
            ConnectedAccountConnected => EventKind::ConnectedAccountConnected(AccountEvent {
                connected_account_id: account,
            }),
            AccessCodeFailedToSetOnDevice => {
                EventKind::AccessCodeFailedToSetOnDevice(Box::new(CodeErrorsEvent {
                    about: code,
                    ..CodeErrorsEvent::default()
                }))
            }
            AccessCodeDelayInSettingOnDevice => {
                EventKind::AccessCodeDelayInSettingOnDevice(Box::new(CodeErrorsEvent {
                    about: code,
                    ..CodeErrorsEvent::default()
                }))
            }
            AccessCodeFailedToRemoveFromDevice => {
                EventKind::AccessCodeFailedToRemoveFromDevice(Box::new(CodeErrorsEvent {
                    about: code,
                    ..CodeErrorsEvent::default()
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    /// Every code stores two events (`access_code.created`, `access_code.set_on_device`), so
    /// their size is most of the memory a stored code takes (`scripts/bench` measures it).
    /// Prints the sizes (`cargo test --lib stored_events -- --nocapture`) and fails when a
    /// new payload makes the enum larger than a code event with its PIN.
    #[test]
    fn stored_events_stay_small() {
        use std::mem::size_of;
        println!(
            "Event {} B, EventKind {} B, CodeEvent {} B, CodePinEvent {} B",
            size_of::<Event>(),
            size_of::<EventKind>(),
            size_of::<CodeEvent>(),
            size_of::<CodePinEvent>(),
        );
        assert!(size_of::<CodePinEvent>() < 64);
        assert!(size_of::<EventKind>() <= 64, "box the new large payload");
        assert!(size_of::<Event>() <= 120);
    }

    fn frame(kind: EventKind) -> Event {
        let at = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        Event {
            event_id: Uuid::from_u128(1),
            kind,
            workspace_id: Uuid::from_u128(2),
            created_at: at,
            occurred_at: at,
        }
    }

    #[test]
    fn every_kind_round_trips_and_names_its_type() {
        for &t in EventType::ALL {
            let e = frame(EventKind::sample(t));
            assert_eq!(e.event_type(), t);
            let v = serde_json::to_value(&e).unwrap();
            assert_eq!(v["event_type"], json!(t.as_str()));
            assert_eq!(serde_json::from_value::<Event>(v).unwrap(), e);
        }
    }

    #[test]
    fn each_kind_writes_its_type_and_its_own_fields_and_reads_back() {
        let about = DeviceEvent {
            device_id: Uuid::from_u128(3),
            connected_account_id: Uuid::from_u128(4),
        };
        let lock = frame(EventKind::LockLocked(Box::new(LockEvent {
            action_attempt_id: Some(Uuid::from_u128(5)),
            ..LockEvent::by(about, LockMethod::Remote)
        })));
        let v = serde_json::to_value(&lock).unwrap();
        assert_eq!(v["event_type"], json!("lock.locked"));
        assert_eq!(v["method"], json!("remote"));
        assert_eq!(v["action_attempt_id"], json!(Uuid::from_u128(5)));
        assert_eq!(v["created_at"], json!("2030-01-01T00:00:00.000Z"));
        assert!(v.get("access_code_id").is_none());
        assert_eq!(serde_json::from_value::<Event>(v).unwrap(), lock);
        assert_eq!(lock.event_type(), EventType::LockLocked);
        assert_eq!(lock.device_id(), Some(Uuid::from_u128(3)));
        assert_eq!(lock.access_code_id(), None);

        let gone = frame(EventKind::DeviceDisconnected(Box::new(
            DeviceDisconnectedEvent {
                about: DeviceEvent {
                    device_id: Uuid::from_u128(3),
                    connected_account_id: Uuid::from_u128(4),
                },
                error_code: DisconnectCause::DeviceDisconnected,
                device_errors: vec![json!({"error_code": "device_offline"})],
                device_warnings: vec![],
                connected_account_errors: vec![],
                connected_account_warnings: vec![],
            },
        )));
        let v = serde_json::to_value(&gone).unwrap();
        assert_eq!(v["event_type"], json!("device.disconnected"));
        assert_eq!(v["error_code"], json!("device_disconnected"));
        assert_eq!(v["device_errors"][0]["error_code"], json!("device_offline"));
        assert_eq!(v["connected_account_warnings"], json!([]));
        assert_eq!(serde_json::from_value::<Event>(v).unwrap(), gone);
        assert_eq!(gone.connected_account_id(), Some(Uuid::from_u128(4)));
    }

    #[test]
    fn a_stored_event_reads_with_its_kinds_defaults_and_needs_its_subject() {
        let mut v = json!({
            "event_id": Uuid::from_u128(1), "event_type": "lock.locked",
            "workspace_id": Uuid::from_u128(2), "device_id": Uuid::from_u128(3),
            "connected_account_id": Uuid::from_u128(4),
            "created_at": "2030-01-01T00:00:00.000Z", "occurred_at": "2030-01-01T00:00:00.000Z",
        });
        let e: Event = serde_json::from_value(v.clone()).unwrap();
        assert!(matches!(
            e.kind,
            EventKind::LockLocked(ref l) if l.method == LockMethod::Unknown
        ));
        v["event_type"] = json!("device.disconnected");
        let e: Event = serde_json::from_value(v.clone()).unwrap();
        let back = serde_json::to_value(&e).unwrap();
        assert_eq!(back["error_code"], json!("device_disconnected"));
        assert_eq!(back["device_errors"], json!([]));
        v["event_type"] = json!("access_code.created");
        let e = serde_json::from_value::<Event>(v.clone())
            .unwrap_err()
            .to_string();
        assert!(e.contains("access_code_id"), "{e}");
        v["event_type"] = json!("lock.jammed");
        assert!(serde_json::from_value::<Event>(v).is_err());
    }
}
