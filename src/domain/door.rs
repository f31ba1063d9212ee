//! The keypad at the door (contract §12): whether a PIN typed now, on the server clock, opens
//! the lock — judged against what the lock holds under that PIN (a managed code of any kind,
//! or an unmanaged one) and what it remembers (the PINs of its ended codes, the wrong entries
//! of the last minute) — and the receipts the simulate routes answer with.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access_code::{AccessCode, Status};
use super::action_attempt::{ActionAttempt, ActionType, AttemptStatus};
use super::event::{Denial, DenialReason};
use super::timestamp;

/// How many denied entries within [`MISS_WINDOW`] lock the keypad out.
pub const MAX_MISSES: usize = 5;

/// The span in which [`MAX_MISSES`] denied entries count together.
pub fn miss_window() -> Duration {
    Duration::seconds(60)
}

/// How long a lockout lasts.
pub fn lockout() -> Duration {
    Duration::seconds(60)
}

/// What one lock's keypad remembers between entries; kept by `/_fake/database`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Keypad {
    pub device_id: Uuid,
    pub workspace_id: Uuid,
    /// The PINs of the lock's codes whose window ended (or that were spent), each with the
    /// last such code: typed again they are `expired_code`.
    #[serde(default)]
    pub ended_codes: BTreeMap<String, Uuid>,
    /// When the denied entries of the current minute were made.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub misses: Vec<DateTime<Utc>>,
    /// Until when every entry is refused (`too_many_attempts`).
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub locked_until: Option<DateTime<Utc>>,
}

/// What the lock holds under the PIN typed.
#[derive(Clone, Copy, Debug)]
pub enum Holder<'a> {
    /// A managed code (ongoing, time-bound, a pulled backup, or an offline algoPIN).
    Managed(&'a AccessCode),
    /// A code set outside Seam: on the lock until someone removes it.
    Unmanaged(Uuid),
}

/// The keypad's answer to one entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The door opens with this code.
    Accepted {
        access_code_id: Uuid,
        is_managed: bool,
        /// A one-time offline code, spent by this entry.
        spent: bool,
    },
    /// The door stays shut.
    Denied {
        reason: Denial,
        access_code_id: Option<Uuid>,
    },
}

fn denied(reason_code: DenialReason, message: &str, access_code_id: Option<Uuid>) -> Verdict {
    Verdict::Denied {
        reason: Denial {
            reason_code,
            message: message.into(),
        },
        access_code_id,
    }
}

/// Whether a managed code opens the lock at `now`: `Some(true)` it works, `Some(false)` the
/// lock holds it but not for now (before its window), `None` the lock does not hold it (not
/// programmed yet, or being removed).
fn works(c: &AccessCode, now: DateTime<Utc>) -> Option<bool> {
    let inside = match (c.starts_at, c.ends_at) {
        (Some(s), Some(e)) => s <= now && now < e,
        _ => true,
    };
    if c.is_offline_access_code {
        // The lock derives an algoPIN by itself: it works in its window, with no programming.
        return Some(inside);
    }
    match c.status {
        Status::Set => Some(inside),
        Status::Unset => Some(false),
        Status::Setting | Status::Removing | Status::Unknown => None,
    }
}

impl Keypad {
    /// An empty keypad for a lock.
    pub fn new(device_id: Uuid, workspace_id: Uuid) -> Self {
        Keypad {
            device_id,
            workspace_id,
            ..Keypad::default()
        }
    }

    /// Remembers an ended code's PIN.
    pub fn remember(&mut self, pin: &str, access_code_id: Uuid) {
        self.ended_codes.insert(pin.to_string(), access_code_id);
    }

    /// Judges an entry of `pin` at `now`, given what the lock holds under it, and notes a
    /// denial (five within a minute lock the keypad out for a minute).
    pub fn enter(&mut self, pin: &str, holder: Option<Holder<'_>>, now: DateTime<Utc>) -> Verdict {
        if self.locked_until.is_some_and(|t| now < t) {
            return denied(
                DenialReason::TooManyAttempts,
                "The keypad is locked out after too many wrong entries.",
                None,
            );
        }
        self.locked_until = None;
        let verdict = self.judge(pin, holder, now);
        match &verdict {
            Verdict::Accepted { .. } => self.misses.clear(),
            Verdict::Denied { .. } => {
                self.misses.retain(|t| now - *t < miss_window());
                self.misses.push(now);
                if self.misses.len() >= MAX_MISSES {
                    self.misses.clear();
                    self.locked_until = Some(now + lockout());
                }
            }
        }
        verdict
    }

    fn judge(&self, pin: &str, holder: Option<Holder<'_>>, now: DateTime<Utc>) -> Verdict {
        let expired = "The code is not active at this time.";
        match holder {
            Some(Holder::Unmanaged(id)) => Verdict::Accepted {
                access_code_id: id,
                is_managed: false,
                spent: false,
            },
            Some(Holder::Managed(c)) => match works(c, now) {
                Some(true) => Verdict::Accepted {
                    access_code_id: c.access_code_id,
                    is_managed: true,
                    spent: c.is_one_time_use,
                },
                Some(false) => denied(DenialReason::ExpiredCode, expired, Some(c.access_code_id)),
                None => self.unknown_or_ended(pin, expired),
            },
            None => self.unknown_or_ended(pin, expired),
        }
    }

    fn unknown_or_ended(&self, pin: &str, expired: &str) -> Verdict {
        match self.ended_codes.get(pin) {
            Some(id) => denied(DenialReason::ExpiredCode, expired, Some(*id)),
            None => denied(
                DenialReason::UnknownCode,
                "The lock holds no code with this PIN.",
                None,
            ),
        }
    }
}

/// The simulated actions at the keypad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeypadAction {
    CodeEntry,
    ManualLock,
}

impl KeypadAction {
    pub fn action_type(self) -> ActionType {
        match self {
            KeypadAction::CodeEntry => ActionType::SimulateKeypadCodeEntry,
            KeypadAction::ManualLock => ActionType::SimulateManualLockViaKeypad,
        }
    }

    /// The attempt as the request answers it: `pending`, like a door action.
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

    /// The stored attempt: always a success, the outcome being in the events.
    pub fn done(self, id: Uuid, workspace_id: Uuid) -> ActionAttempt {
        ActionAttempt::success(id, workspace_id, self.action_type(), json!({}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access_code::{NewCode, Window};
    use chrono::TimeZone;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn code(window: Option<(i64, i64)>) -> AccessCode {
        let w = window.map(|(s, e)| Window::new(t(s), t(e), t(-100)).unwrap());
        AccessCode::new(
            NewCode {
                access_code_id: Uuid::from_u128(7),
                code: Some("1357".into()),
                window: w,
                ..NewCode::default()
            },
            t(-100),
        )
    }

    fn reason(v: &Verdict) -> Option<(DenialReason, Option<Uuid>)> {
        match v {
            Verdict::Denied {
                reason,
                access_code_id,
            } => Some((reason.reason_code, *access_code_id)),
            Verdict::Accepted { .. } => None,
        }
    }

    #[test]
    fn a_set_code_opens_and_one_being_set_is_unknown() {
        let mut k = Keypad::default();
        let mut c = code(None);
        assert_eq!(
            reason(&k.enter("1357", Some(Holder::Managed(&c)), t(0))),
            Some((DenialReason::UnknownCode, None))
        );
        c.program();
        assert!(matches!(
            k.enter("1357", Some(Holder::Managed(&c)), t(0)),
            Verdict::Accepted {
                is_managed: true,
                spent: false,
                ..
            }
        ));
        assert!(matches!(
            k.enter("1357", Some(Holder::Unmanaged(Uuid::nil())), t(0)),
            Verdict::Accepted {
                is_managed: false,
                ..
            }
        ));
    }

    #[test]
    fn a_time_bound_code_is_expired_outside_its_window() {
        let mut k = Keypad::default();
        let c = code(Some((60, 120)));
        let id = Some(c.access_code_id);
        assert_eq!(
            reason(&k.enter("1357", Some(Holder::Managed(&c)), t(0))),
            Some((DenialReason::ExpiredCode, id))
        );
        k.remember("1357", c.access_code_id);
        assert_eq!(
            reason(&k.enter("1357", None, t(200))),
            Some((DenialReason::ExpiredCode, id))
        );
        assert_eq!(
            reason(&k.enter("2468", None, t(200))),
            Some((DenialReason::UnknownCode, None))
        );
    }

    #[test]
    fn an_offline_code_works_in_its_window_without_programming_and_a_one_time_one_is_spent() {
        let mut k = Keypad::default();
        let mut c = code(Some((60, 120)));
        c.is_offline_access_code = true;
        c.is_one_time_use = true;
        assert!(reason(&k.enter("1357", Some(Holder::Managed(&c)), t(30))).is_some());
        assert_eq!(
            k.enter("1357", Some(Holder::Managed(&c)), t(61)),
            Verdict::Accepted {
                access_code_id: c.access_code_id,
                is_managed: true,
                spent: true
            }
        );
    }

    #[test]
    fn five_misses_in_a_minute_lock_the_keypad_out_for_a_minute() {
        let mut k = Keypad::default();
        let mut c = code(None);
        c.program();
        for i in 0..4 {
            let v = k.enter("0000", None, t(0) + Duration::seconds(i * 10));
            assert_eq!(reason(&v).unwrap().0, DenialReason::UnknownCode);
        }
        // Spread over more than a minute, misses do not add up.
        let spread = k.clone();
        let mut late = spread.clone();
        late.enter("0000", None, t(2));
        assert_eq!(late.locked_until, None);
        // The fifth within the minute: its own reason, then a lockout.
        assert_eq!(
            reason(&k.enter("0000", None, t(0) + Duration::seconds(45)))
                .unwrap()
                .0,
            DenialReason::UnknownCode
        );
        let right = k.enter(
            "1357",
            Some(Holder::Managed(&c)),
            t(0) + Duration::seconds(50),
        );
        assert_eq!(reason(&right).unwrap().0, DenialReason::TooManyAttempts);
        let after = t(0) + Duration::seconds(45) + lockout();
        assert!(matches!(
            k.enter("1357", Some(Holder::Managed(&c)), after),
            Verdict::Accepted { .. }
        ));
    }

    #[test]
    fn keypad_attempts_answer_pending_and_are_stored_done() {
        let (id, ws) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let p = KeypadAction::CodeEntry.pending(id, ws);
        assert_eq!(
            (p.status, p.action_type.as_str()),
            (AttemptStatus::Pending, "SIMULATE_KEYPAD_CODE_ENTRY")
        );
        let d = KeypadAction::ManualLock.done(id, ws);
        assert_eq!(
            (d.status, d.action_type.as_str()),
            (AttemptStatus::Success, "SIMULATE_MANUAL_LOCK_VIA_KEYPAD")
        );
    }
}
