//! An access code's timeline (`/access_codes/get_timeline`): its events retold in the shape of
//! Seam's reference spec — who did it (`actor`), a sentence saying what happened, and the ids
//! of the resources it touched.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::event::{Event, EventKind, EventType};
use super::timestamp;

/// Who or what caused a timeline event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Actor {
    /// `api_key` for what a request did, `system` for what the lock or the clock did.
    #[serde(rename = "type")]
    #[schema(example = "api_key")]
    pub kind: &'static str,
}

/// The ids a timeline event is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RelatedResourceIds {
    pub event_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub device_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub connected_account_id: Option<Uuid>,
}

/// One entry of `timeline_events`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct TimelineEvent {
    /// The id of the event it retells.
    pub timeline_event_id: Uuid,
    pub event_type: EventType,
    #[serde(with = "timestamp::required")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: DateTime<Utc>,
    pub description: String,
    pub actor: Actor,
    pub related_resource_ids: RelatedResourceIds,
}

impl TimelineEvent {
    /// Retells `e`.
    pub fn of(e: &Event) -> Self {
        use EventKind::*;
        let (actor, description) = match &e.kind {
            AccessCodeCreated(_) => ("api_key", "The access code was created.".to_string()),
            AccessCodeChanged(_) => ("api_key", "The access code was changed.".to_string()),
            AccessCodeSetOnDevice(_) => (
                "system",
                "The access code was set on the device.".to_string(),
            ),
            AccessCodeRemovedFromDevice(_) => (
                "system",
                "The access code was removed from the device.".to_string(),
            ),
            AccessCodeDeleted(_) => ("system", "The access code was deleted.".to_string()),
            AccessCodeConvertedToManaged(_) => (
                "api_key",
                "The unmanaged access code was converted to a managed one.".to_string(),
            ),
            LockLocked(_) => ("system", "The lock was locked.".to_string()),
            LockUnlocked(_) => ("system", "The lock was unlocked.".to_string()),
            DeviceConnected(_) => ("system", "The device came back online.".to_string()),
            DeviceDisconnected(_) => ("system", "The device went offline.".to_string()),
            DeviceNameChanged(n) => (
                "api_key",
                format!("The device was renamed {:?}.", n.device_name),
            ),
            DeviceConvertedToUnmanaged(_) => (
                "api_key",
                "The device was converted to unmanaged.".to_string(),
            ),
            DeviceConvertedToManaged(_) => (
                "api_key",
                "The unmanaged device was converted to managed.".to_string(),
            ),
            DeviceDeleted(_) => ("api_key", "The device was deleted.".to_string()),
            ConnectedAccountDeleted(_) => {
                ("api_key", "The connected account was deleted.".to_string())
            }
            AccessCodeModifiedExternalToSeam(_) => (
                "system",
                "The access code was changed at the lock, outside Seam.".to_string(),
            ),
            AccessCodeDeletedExternalToSeam(_) => (
                "system",
                "The access code was deleted at the lock, outside Seam.".to_string(),
            ),
            LockAccessDenied(_) => ("system", "The keypad refused a PIN.".to_string()),
            DeviceRemoved(_) => ("system", "The device was removed.".to_string()),
            DeviceErrorSubscriptionRequired(_) => (
                "system",
                "The device needs a paid subscription.".to_string(),
            ),
            DeviceErrorSubscriptionRequiredResolved(_) => (
                "system",
                "The device's subscription is paid again.".to_string(),
            ),
            ConnectedAccountDisconnected(_) => (
                "system",
                "The connected account was disconnected.".to_string(),
            ),
            ConnectedAccountConnected(_) => (
                "system",
                "The connected account was connected again.".to_string(),
            ),
            AccessCodeFailedToSetOnDevice(_) => (
                "system",
                "The device failed to set the access code.".to_string(),
            ),
            AccessCodeDelayInSettingOnDevice(_) => (
                "system",
                "The device is slow to set the access code.".to_string(),
            ),
            AccessCodeFailedToRemoveFromDevice(_) => (
                "system",
                "The device failed to remove the access code.".to_string(),
            ),
            AccessCodeBackupAccessCodePulled(p) => (
                "api_key",
                format!(
                    "Backup access code {} was pulled for the access code.",
                    p.backup_access_code_id
                ),
            ),
        };
        TimelineEvent {
            timeline_event_id: e.event_id,
            event_type: e.event_type(),
            occurred_at: e.occurred_at,
            description,
            actor: Actor { kind: actor },
            related_resource_ids: RelatedResourceIds {
                event_id: e.event_id,
                device_id: e.device_id(),
                connected_account_id: e.connected_account_id(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_event_type_is_retold_with_an_actor_and_a_sentence() {
        for &t in EventType::ALL {
            let at = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
            let e = Event {
                event_id: Uuid::from_u128(1),
                kind: EventKind::sample(t),
                workspace_id: Uuid::from_u128(2),
                created_at: at,
                occurred_at: at,
            };
            let v = serde_json::to_value(TimelineEvent::of(&e)).unwrap();
            assert_eq!(v["event_type"], t.as_str());
            assert_eq!(v["occurred_at"], "2030-01-01T00:00:00.000Z");
            assert!(["api_key", "system"].contains(&v["actor"]["type"].as_str().unwrap()));
            assert!(!v["description"].as_str().unwrap().is_empty());
            if e.device_id().is_none() {
                // An account's event names no device.
                continue;
            }
            assert_eq!(
                v["related_resource_ids"]["device_id"],
                Uuid::from_u128(3).to_string()
            );
            assert_eq!(
                v["related_resource_ids"]["connected_account_id"],
                Uuid::from_u128(5).to_string()
            );
        }
    }
}
