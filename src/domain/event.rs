//! Events: the record of what happened to access codes and locks, in time order
//! (`/events/list`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::timestamp;

crate::wire_enum! {
    /// `event_type`: what happened to an access code, a lock or a device.
    pub enum EventType {
        /// One per code a create call makes.
        AccessCodeCreated = "access_code.created",
        /// Name, PIN or window changed.
        AccessCodeChanged = "access_code.changed",
        /// The device now has the PIN.
        AccessCodeSetOnDevice = "access_code.set_on_device",
        /// The device no longer has the PIN.
        AccessCodeRemovedFromDevice = "access_code.removed_from_device",
        /// The code is gone from Seam.
        AccessCodeDeleted = "access_code.deleted",
        /// An unmanaged code became managed, keeping its id and PIN.
        AccessCodeConvertedToManaged = "access_code.unmanaged.converted_to_managed",
        /// A backup code was pulled from the lock's pool for this code.
        AccessCodeBackupAccessCodePulled = "access_code.backup_access_code_pulled",
        /// A lock reported itself locked.
        LockLocked = "lock.locked",
        /// A lock reported itself unlocked.
        LockUnlocked = "lock.unlocked",
        /// The device came back online (`/_fake/update_device`).
        DeviceConnected = "device.connected",
        /// The device went offline (`/_fake/update_device`).
        DeviceDisconnected = "device.disconnected",
    }
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
    pub event_type: EventType,
    pub workspace_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub device_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub access_code_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub connected_account_id: Option<Uuid>,
    /// The backup pulled, on `access_code.backup_access_code_pulled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub backup_access_code_id: Option<Uuid>,
    /// The PIN, on events whose schema carries it (`set_on_device`, `deleted`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub code: Option<String>,
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "timestamp::required")]
    pub occurred_at: DateTime<Utc>,
}
