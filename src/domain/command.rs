//! The commands the store carries out, typed: the edge parses a request into one of these
//! (ids as [`Uuid`], windows as timestamps, enums as enums) and the store takes nothing else.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access_code::CodeType;
use super::create_multiple;
use super::event::EventType;
use super::offline::Rounding;
use super::pin::Pin;
use crate::error::{Issue, Result};

/// The locks of a create_multiple: at least one, none twice. The only way to build one is
/// [`DeviceIds::new`], so the duplicate-lock rule is checked once, where the ids are parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceIds(Vec<Uuid>);

impl DeviceIds {
    /// Checks that `ids` is non-empty and names each lock once (compared as UUIDs, so one
    /// lock spelled two ways is a duplicate). The issue is at `device_ids`, in zod's words.
    pub fn new(ids: Vec<Uuid>) -> Result<Self, Issue> {
        let at = || vec!["device_ids".to_string()];
        if ids.is_empty() {
            return Err(Issue::new(at(), "Array must contain at least 1 element(s)"));
        }
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        if let Some(dup) = ids.iter().find(|id| !seen.insert(**id)) {
            return Err(Issue::new(
                at(),
                format!("device_ids must not contain duplicates ({dup})"),
            ));
        }
        Ok(Self(ids))
    }

    /// The ids, in request order.
    pub fn as_slice(&self) -> &[Uuid] {
        &self.0
    }
}

/// What every new code takes besides its lock and PIN, the same for `create` and
/// `create_multiple`.
#[derive(Clone, Debug, Default)]
pub struct CodeSettings {
    pub name: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub is_external_modification_allowed: bool,
    pub use_backup_access_code_pool: bool,
    /// `Some` for an offline (algoPIN) code, with the kind of window asked for.
    pub offline: Option<Rounding>,
}

/// `/access_codes/create_multiple`.
#[derive(Clone, Debug)]
pub struct CreateMultiple {
    pub device_ids: DeviceIds,
    /// The PIN, preferred length and `behavior_when_code_cannot_be_shared` the planner takes.
    pub plan: create_multiple::Request,
    pub settings: CodeSettings,
}

/// `/access_codes/create`.
#[derive(Clone, Debug)]
pub struct CreateOne {
    pub device_id: Uuid,
    pub code: Option<Pin>,
    pub common_code_key: Option<String>,
    pub preferred_code_length: Option<f64>,
    pub settings: CodeSettings,
}

impl CreateOne {
    /// A code on `device_id` with everything else left to the defaults.
    pub fn on(device_id: Uuid) -> Self {
        Self {
            device_id,
            code: None,
            common_code_key: None,
            preferred_code_length: None,
            settings: CodeSettings::default(),
        }
    }
}

/// `/access_codes/report_device_constraints`: the PIN lengths a lock now takes.
#[derive(Clone, Debug)]
pub struct ReportConstraints {
    pub device_id: Uuid,
    /// In any order, repeats allowed: the store keeps them sorted and without repeats. Each is
    /// from 4 to 20: the edge refuses a request with any other (`routes/constraints.rs`), and
    /// no lock may take more than [`MAX_CODE_LENGTH`](super::device::MAX_CODE_LENGTH).
    pub supported_code_lengths: Vec<u32>,
}

/// `/access_codes/get_timeline`: one code's events, filtered and paged.
#[derive(Clone, Debug)]
pub struct TimelineQuery {
    pub access_code_id: Uuid,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
    /// Wire names; `None` means any.
    pub event_types: Option<Vec<String>>,
}

/// `/access_codes/update`; `None` leaves a field as it is.
#[derive(Clone, Debug)]
pub struct Update {
    pub access_code_id: Uuid,
    pub name: Option<String>,
    pub code: Option<Pin>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub kind: Option<CodeType>,
    pub is_external_modification_allowed: Option<bool>,
}

impl Update {
    /// A change of `access_code_id` that changes nothing yet.
    pub fn of(access_code_id: Uuid) -> Self {
        Self {
            access_code_id,
            name: None,
            code: None,
            starts_at: None,
            ends_at: None,
            kind: None,
            is_external_modification_allowed: None,
        }
    }
}

/// `/access_codes/update_multiple`: a new name and/or window for a whole group.
#[derive(Clone, Debug)]
pub struct UpdateMultiple {
    pub common_code_key: String,
    pub name: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// Filters of `/devices/list`; `None` means "any", an empty list matches nothing.
#[derive(Clone, Debug, Default)]
pub struct DeviceFilter {
    pub device_ids: Option<Vec<Uuid>>,
    pub device_types: Option<Vec<String>>,
    pub connected_account_ids: Option<Vec<Uuid>>,
    pub manufacturer: Option<String>,
}

/// Filters of `/events/list`; `None` means "any", an empty list matches nothing.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub access_code_ids: Option<Vec<Uuid>>,
    pub device_ids: Option<Vec<Uuid>>,
    pub event_types: Option<Vec<EventType>>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl EventFilter {
    /// Whether `e` passes every filter.
    pub fn matches(&self, e: &super::event::Event) -> bool {
        let ids = |list: &Option<Vec<Uuid>>, v: Option<Uuid>| {
            list.as_ref()
                .is_none_or(|l| v.is_some_and(|v| l.contains(&v)))
        };
        ids(&self.access_code_ids, e.access_code_id())
            && ids(&self.device_ids, e.device_id())
            && self
                .event_types
                .as_ref()
                .is_none_or(|l| l.contains(&e.event_type()))
            && self.since.is_none_or(|s| e.occurred_at >= s)
            && self.until.is_none_or(|u| e.occurred_at <= u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ids_are_non_empty_and_distinct_in_any_spelling() {
        let a = Uuid::from_u128(7);
        let upper = Uuid::try_parse(&a.to_string().to_uppercase()).unwrap();
        let e = DeviceIds::new(vec![a, upper]).unwrap_err();
        assert_eq!(e.path, ["device_ids"]);
        assert!(e.message.contains("duplicates"), "{}", e.message);
        assert!(DeviceIds::new(vec![]).is_err());
        let b = Uuid::from_u128(8);
        assert_eq!(DeviceIds::new(vec![a, b]).unwrap().as_slice(), [a, b]);
    }
}
