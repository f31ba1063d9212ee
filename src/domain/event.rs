//! Events: the record of what happened to access codes, in time order (`/events/list`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::timestamp;

/// `access_code.created`: one per code a create call makes.
pub const ACCESS_CODE_CREATED: &str = "access_code.created";
/// `access_code.changed`: name, PIN or window changed.
pub const ACCESS_CODE_CHANGED: &str = "access_code.changed";
/// `access_code.set_on_device`: the device now has the PIN.
pub const ACCESS_CODE_SET_ON_DEVICE: &str = "access_code.set_on_device";
/// `access_code.removed_from_device`: the device no longer has the PIN.
pub const ACCESS_CODE_REMOVED_FROM_DEVICE: &str = "access_code.removed_from_device";
/// `access_code.deleted`: the code is gone from Seam.
pub const ACCESS_CODE_DELETED: &str = "access_code.deleted";
/// `access_code.unmanaged.converted_to_managed`.
pub const ACCESS_CODE_CONVERTED_TO_MANAGED: &str = "access_code.unmanaged.converted_to_managed";

/// `device.connected`: the device came back online.
pub const DEVICE_CONNECTED: &str = "device.connected";
/// `device.disconnected`: the device went offline.
pub const DEVICE_DISCONNECTED: &str = "device.disconnected";

/// The event of a device whose `online` became `online`.
pub fn device_online_event(online: bool) -> &'static str {
    if online {
        DEVICE_CONNECTED
    } else {
        DEVICE_DISCONNECTED
    }
}

/// One event, as `/events/get` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub event_id: Uuid,
    /// E.g. `access_code.created`, `access_code.set_on_device`, `access_code.deleted`.
    pub event_type: String,
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
    /// The PIN, on events whose schema carries it (`set_on_device`, `deleted`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub code: Option<String>,
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "timestamp::required")]
    pub occurred_at: DateTime<Utc>,
}
