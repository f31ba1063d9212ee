//! Access codes and their life (contract §3): the wire shape with every field always present,
//! and the status transitions a code goes through as the server clock passes its times.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thin_vec::ThinVec;
use utoipa::ToSchema;
use uuid::Uuid;

use super::hold::{self, Hold};
use super::pindigits::{PinDigits, PinText};
use super::timestamp;

crate::wire_enum! {
    /// `type`: a code with a window is `time_bound`, one without is `ongoing`.
    pub enum CodeType {
        Ongoing = "ongoing",
        TimeBound = "time_bound",
    }
}

crate::wire_enum! {
    /// `status`: where the code stands on the lock.
    #[schema(as = AccessCodeStatus)]
    pub enum Status {
        Setting = "setting",
        Set = "set",
        Unset = "unset",
        Removing = "removing",
        Unknown = "unknown",
    }
}

/// A managed access code, as Seam returns it and the store keeps it. Every field is always
/// present; the nullable ones are `null` when unset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccessCode {
    pub access_code_id: Uuid,
    pub device_id: Uuid,
    pub workspace_id: Uuid,
    #[schema(required = true)]
    pub name: Option<String>,
    /// The PIN; `null` while the provider has yet to assign one.
    // Packed in 11 bytes: a `String` took 24 and an allocation for every stored code
    // (docs/performance.md). `pin()` reads it as text.
    #[schema(required = true, value_type = Option<String>)]
    pub code: Option<PinDigits>,
    /// Shared by the codes `create_multiple` linked with one PIN.
    // One allocation for the whole group: each code (and each copy of a code in an answer)
    // holds a reference to it.
    #[schema(required = true, value_type = Option<String>)]
    pub common_code_key: Option<Arc<str>>,
    #[serde(rename = "type")]
    pub kind: CodeType,
    pub status: Status,
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// Start of the window of a `time_bound` code; `null` for an `ongoing` one.
    #[serde(with = "timestamp::optional", default)]
    #[schema(required = true)]
    pub starts_at: Option<DateTime<Utc>>,
    /// End of the window of a `time_bound` code; `null` for an `ongoing` one.
    #[serde(with = "timestamp::optional", default)]
    #[schema(required = true)]
    pub ends_at: Option<DateTime<Utc>>,
    // The three lists are nearly always empty: as `ThinVec`s they take 8 bytes each instead of
    // 24, 48 bytes less for every stored code (docs/performance.md).
    /// Problems with the code, each `{error_code, message, ...}` (e.g. `device_offline`).
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub errors: ThinVec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub warnings: ThinVec<Value>,
    pub is_managed: bool,
    pub is_backup_access_code_available: bool,
    pub is_external_modification_allowed: bool,
    pub is_one_time_use: bool,
    pub is_offline_access_code: bool,
    pub is_backup: bool,
    #[schema(required = true)]
    pub pulled_backup_access_code_id: Option<Uuid>,
    pub is_scheduled_on_device: bool,
    pub is_waiting_for_code_assignment: bool,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub pending_mutations: ThinVec<Value>,
}

/// A time window, `starts_at` strictly before `ends_at`, both to the millisecond. The fields
/// are private so that every window is one [`Window::new`] checked (or a stored code's, which
/// was).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

impl Window {
    /// Checks Seam's window rules: `ends_at` after `starts_at` and in the future.
    pub fn new(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Self, String> {
        if ends_at <= starts_at {
            return Err("ends_at must be after starts_at".into());
        }
        if ends_at <= now {
            return Err("ends_at must be in the future".into());
        }
        Ok(Self {
            starts_at: timestamp::millis(starts_at),
            ends_at: timestamp::millis(ends_at),
        })
    }

    /// The window a code already has (`None` for an `ongoing` one). No check against the
    /// clock: the window was checked when it was set.
    pub fn of(code: &AccessCode) -> Option<Self> {
        let (starts_at, ends_at) = code.starts_at.zip(code.ends_at)?;
        Some(Self { starts_at, ends_at })
    }

    pub fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }

    pub fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }
}

/// What a new code is made from. Callers name the fields they set and take the rest from
/// `Default` (`NewCode { device_id, code, ..NewCode::default() }`), so a new field touches
/// this struct, [`AccessCode::new`] and the one request path that names every field
/// (`Workspace::create_code`, where the compiler asks for it).
#[derive(Clone, Debug, Default)]
pub struct NewCode {
    pub access_code_id: Uuid,
    pub device_id: Uuid,
    pub workspace_id: Uuid,
    pub name: Option<String>,
    /// `None`: the provider will assign the PIN.
    pub code: Option<PinDigits>,
    pub common_code_key: Option<Arc<str>>,
    pub window: Option<Window>,
    pub is_external_modification_allowed: bool,
    pub use_backup_access_code_pool: bool,
    pub device_supports_backup_pool: bool,
}

impl AccessCode {
    /// The PIN as text (`None` while the provider has yet to assign one).
    pub fn pin(&self) -> Option<PinText> {
        self.code.map(|p| p.text())
    }

    /// A code as it is right after creation: `setting` (or `unset` before its window).
    pub fn new(n: NewCode, now: DateTime<Utc>) -> Self {
        let now = timestamp::millis(now);
        let waiting = n.code.is_none();
        let mut code = AccessCode {
            access_code_id: n.access_code_id,
            device_id: n.device_id,
            workspace_id: n.workspace_id,
            name: n.name,
            code: n.code,
            common_code_key: n.common_code_key,
            kind: CodeType::Ongoing,
            status: Status::Setting,
            created_at: now,
            starts_at: None,
            ends_at: None,
            errors: ThinVec::new(),
            warnings: ThinVec::new(),
            is_managed: true,
            is_backup_access_code_available: n.use_backup_access_code_pool
                && n.device_supports_backup_pool,
            is_external_modification_allowed: n.is_external_modification_allowed,
            is_one_time_use: false,
            is_offline_access_code: false,
            is_backup: false,
            pulled_backup_access_code_id: None,
            is_scheduled_on_device: false,
            is_waiting_for_code_assignment: waiting,
            pending_mutations: ThinVec::new(),
        };
        code.set_window(n.window, now);
        code
    }

    /// Sets or clears the window, and with it `type` and the status before programming.
    pub fn set_window(&mut self, window: Option<Window>, now: DateTime<Utc>) {
        self.starts_at = window.map(|w| w.starts_at);
        self.ends_at = window.map(|w| w.ends_at);
        self.kind = if window.is_some() {
            CodeType::TimeBound
        } else {
            CodeType::Ongoing
        };
        self.status = match window {
            Some(w) if w.starts_at > now => Status::Unset,
            _ => Status::Setting,
        };
        self.is_scheduled_on_device = false;
    }

    /// When the next transition is due, given the programming delay; `None` when the code is
    /// at rest (an ongoing code that is set).
    pub fn next_transition(&self, delay: Duration) -> Option<DateTime<Utc>> {
        match self.status {
            Status::Set => self.ends_at,
            Status::Unset => self.starts_at.map(|s| s.max(self.created_at + delay)),
            Status::Setting => Some(match self.starts_at {
                Some(s) => s.max(self.created_at + delay),
                None => self.created_at + delay,
            }),
            // A removal the lock refused is tried again at once.
            Status::Removing => Some(self.created_at),
            Status::Unknown => self.ends_at,
        }
    }

    /// Whether the window has ended at `now`: the code is then removed from the device.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.ends_at.is_some_and(|e| e <= now)
    }

    /// Programs the code: `set`, with every entry the model of [`hold`] put on it cleared.
    pub fn program(&mut self) {
        self.status = Status::Set;
        self.errors.retain(|e| !hold::owns(e));
        self.warnings.retain(|e| !hold::owns(e));
        self.is_scheduled_on_device = self.kind == CodeType::TimeBound;
    }

    /// Leaves the code waiting on `holds`: `setting`, with one entry per cause — the
    /// device-level entries and the refusals of an earlier attempt made to match `holds` (a
    /// cause that cleared goes), the others added. Returns the causes that are new to the code.
    pub fn wait_on(&mut self, holds: &[Hold], now: DateTime<Utc>) -> Vec<Hold> {
        self.status = Status::Setting;
        let shown =
            |list: &[Value], h: Hold| list.iter().any(|e| hold::code_of(e) == Some(h.code()));
        let stale = |e: &Value| {
            let device = Hold::of_device_error(e).is_some_and(|h| !holds.contains(&h))
                && e.get("is_access_code_error").is_none();
            let refused = hold::code_of(e).is_some_and(|c| {
                Hold::refusals().any(|r| r.code() == c) && !holds.iter().any(|h| h.code() == c)
            });
            device || refused
        };
        self.errors.retain(|e| !stale(e));
        let mut new = Vec::new();
        for &h in holds {
            let list = if h.is_warning() {
                &mut self.warnings
            } else {
                &mut self.errors
            };
            if !shown(list, h) {
                list.push(h.code_entry(now));
                new.push(h);
            }
        }
        new
    }
}

impl AccessCode {
    /// The lock refused to take the code off: it stays on it, `removing`, with the error.
    /// Whether the error is new to the code.
    pub fn fail_removal(&mut self, now: DateTime<Utc>) -> bool {
        self.status = Status::Removing;
        let code = Hold::RemovalFailed.code();
        if self.errors.iter().any(|e| hold::code_of(e) == Some(code)) {
            return false;
        }
        self.errors.push(Hold::RemovalFailed.code_entry(now));
        true
    }

    /// Whether the code takes one of its lock's slots: on it, or being taken off it.
    pub fn on_lock(&self) -> bool {
        matches!(self.status, Status::Set | Status::Removing)
    }
}

/// A PIN on a lock that Seam does not manage (set at the keypad or in the provider's app).
/// New managed codes must not collide with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnmanagedAccessCode {
    pub access_code_id: Uuid,
    pub device_id: Uuid,
    pub workspace_id: Uuid,
    #[schema(required = true)]
    pub name: Option<String>,
    #[schema(required = true)]
    pub code: Option<String>,
    #[serde(rename = "type")]
    pub kind: CodeType,
    pub status: Status,
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "timestamp::optional", default)]
    #[schema(required = true)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(with = "timestamp::optional", default)]
    #[schema(required = true)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub errors: Vec<Value>,
    #[serde(default)]
    #[schema(required = true, value_type = Vec<Object>)]
    pub warnings: Vec<Value>,
    pub is_managed: bool,
}

impl UnmanagedAccessCode {
    /// An unmanaged ongoing PIN, already on the lock.
    pub fn new(
        access_code_id: Uuid,
        device_id: Uuid,
        workspace_id: Uuid,
        name: String,
        code: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            access_code_id,
            device_id,
            workspace_id,
            name: Some(name),
            code: Some(code),
            kind: CodeType::Ongoing,
            status: Status::Set,
            created_at: timestamp::millis(now),
            starts_at: None,
            ends_at: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            is_managed: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, h, 0, 0).unwrap()
    }

    /// A stored code's record is kept by the million (`scripts/bench` measures the memory per
    /// code): prints its size (`cargo test --lib stored_code -- --nocapture`) and fails when
    /// it grows past what it takes today.
    #[test]
    fn stored_code_stays_small() {
        println!("AccessCode {} B", std::mem::size_of::<AccessCode>());
        assert!(std::mem::size_of::<AccessCode>() <= 192);
    }

    fn new(window: Option<Window>, now: DateTime<Utc>) -> AccessCode {
        AccessCode::new(
            NewCode {
                access_code_id: Uuid::from_u128(1),
                device_id: Uuid::from_u128(2),
                workspace_id: Uuid::from_u128(3),
                code: Some("1234".into()),
                window,
                ..NewCode::default()
            },
            now,
        )
    }

    #[test]
    fn window_rules() {
        assert!(Window::new(t(2), t(1), t(0)).is_err());
        assert!(Window::new(t(1), t(1), t(0)).is_err());
        assert!(
            Window::new(t(1), t(2), t(3))
                .unwrap_err()
                .contains("future")
        );
        let w = Window::new(t(1), t(2), t(0)).unwrap();
        assert_eq!(Window::of(&new(Some(w), t(0))), Some(w));
        assert_eq!(Window::of(&new(None, t(0))), None);
    }

    #[test]
    fn ongoing_code_is_setting_then_due_after_the_delay() {
        let c = new(None, t(0));
        assert_eq!((c.kind, c.status), (CodeType::Ongoing, Status::Setting));
        assert_eq!(
            c.next_transition(Duration::seconds(30)),
            Some(t(0) + Duration::seconds(30))
        );
        let mut c = c;
        c.program();
        assert_eq!(c.next_transition(Duration::zero()), None);
    }

    #[test]
    fn time_bound_code_is_unset_until_its_window_then_set_until_the_end() {
        let w = Window::new(t(2), t(4), t(0)).unwrap();
        let mut c = new(Some(w), t(0));
        assert_eq!((c.kind, c.status), (CodeType::TimeBound, Status::Unset));
        assert_eq!(c.next_transition(Duration::zero()), Some(t(2)));
        c.program();
        assert_eq!(c.next_transition(Duration::zero()), Some(t(4)));
        assert!(!c.expired(t(3)) && c.expired(t(4)));
        let started = new(Some(Window::new(t(0), t(4), t(1)).unwrap()), t(1));
        assert_eq!(started.status, Status::Setting);
    }

    #[test]
    fn every_hold_comes_and_goes_the_same_way() {
        use crate::domain::hold::ChangeType;
        let mut c = new(None, t(0));
        assert_eq!(
            c.wait_on(&[Hold::DeviceOffline], t(0)),
            [Hold::DeviceOffline]
        );
        assert!(c.wait_on(&[Hold::DeviceOffline], t(0)).is_empty());
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0]["error_code"], "device_offline");
        // The device's causes follow the device; a code's own cause stays until programmed.
        c.wait_on(&[Hold::ExternalModification(ChangeType::Modified)], t(0));
        c.wait_on(&[Hold::AccountDisconnected, Hold::Delayed], t(1));
        let codes: Vec<&str> = c.errors.iter().filter_map(hold::code_of).collect();
        assert_eq!(
            codes,
            ["conflicting_external_modification", "account_disconnected"]
        );
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(c.status, Status::Setting);
        c.errors.push(json!({"error_code": "provider_issue"}));
        c.program();
        assert_eq!(c.errors.len(), 1, "only the model's entries clear");
        assert!(c.warnings.is_empty());
        assert_eq!(c.status, Status::Set);
    }

    #[test]
    fn serializes_every_field_the_schema_requires_with_js_timestamps() {
        use utoipa::PartialSchema;
        let v = serde_json::to_value(new(None, t(0) + Duration::milliseconds(5))).unwrap();
        let schema = serde_json::to_value(AccessCode::schema()).unwrap();
        let fields: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let written: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(written, fields, "the wire shape and the schema disagree");
        for f in fields {
            assert!(
                schema["required"].as_array().unwrap().contains(&json!(f)),
                "{f} is always written but the schema does not require it: \
                 add #[schema(required = true)]"
            );
        }
        assert_eq!(v["created_at"], "2030-01-01T00:00:00.005Z");
        assert_eq!(v["starts_at"], Value::Null);
        assert_eq!(v["type"], "ongoing");
    }
}
