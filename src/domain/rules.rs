//! The rules a managed code's change must pass before the store writes anything: its window
//! (both ends or neither, `ends_at` after `starts_at` and in the future, merged with the
//! current one on update), the backup-pool rule, and the PIN a `common_code_key` group imposes.
//! Pure: the store calls them under its lock with the server clock's now.

use chrono::{DateTime, Utc};

use super::access_code::{AccessCode, CodeType, Window};
use super::command::CodeSettings;
use super::pin::Pin;
use crate::error::{Error, Result};

/// The window a request asks for: none, or both ends checked against `now`.
pub fn window(
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<Window>> {
    match (starts_at, ends_at) {
        (None, None) => Ok(None),
        (Some(s), Some(e)) => Window::new(s, e, now)
            .map(Some)
            .map_err(Error::InvalidRequest),
        _ => Err(Error::InvalidRequest(
            "starts_at and ends_at must be given together".into(),
        )),
    }
}

/// The window of new codes, and the rule that a backup pool needs one.
pub fn new_code_window(s: &CodeSettings, now: DateTime<Utc>) -> Result<Option<Window>> {
    let window = window(s.starts_at, s.ends_at, now)?;
    if s.use_backup_access_code_pool && window.is_none() {
        return Err(Error::InvalidRequest(
            "use_backup_access_code_pool can only be used with time-bound codes (starts_at and ends_at)".into(),
        ));
    }
    Ok(window)
}

/// The window a change asks for (`kind`, `starts_at`, `ends_at`), merged with `current`'s:
/// an end not given keeps the current one; `ongoing` clears the window and takes no ends;
/// `time_bound` needs both ends after the merge.
pub fn changed_window(
    current: &AccessCode,
    kind: Option<CodeType>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<Window>> {
    if kind == Some(CodeType::Ongoing) {
        if starts_at.is_some() || ends_at.is_some() {
            return Err(Error::InvalidRequest(
                "An ongoing code cannot have starts_at or ends_at".into(),
            ));
        }
        return Ok(None);
    }
    let s = starts_at.or(current.starts_at);
    let e = ends_at.or(current.ends_at);
    if kind == Some(CodeType::TimeBound) && (s.is_none() || e.is_none()) {
        return Err(Error::InvalidRequest(
            "A time_bound code needs starts_at and ends_at".into(),
        ));
    }
    window(s, e, now)
}

/// The PIN a new code of a `common_code_key` group must have. `group` is the PINs of the
/// group's codes (`None` for one still waiting for its provider), `asked` the request's `code`.
/// A new group takes `asked` (or a fresh PIN, `None`); a group with a PIN imposes it, and an
/// `asked` PIN must be that one; a group none of whose codes has a PIN yet cannot be joined.
pub fn group_pin(group: &[Option<&str>], asked: Option<&Pin>) -> Result<Option<String>> {
    let shared = match group.iter().find_map(|p| *p) {
        Some(p) => Some(p),
        None if group.is_empty() => None,
        None => {
            return Err(Error::InvalidRequest(
                "The codes of that common_code_key have no PIN yet".into(),
            ));
        }
    };
    match (shared, asked) {
        (Some(g), Some(c)) if g != c.as_str() => Err(Error::InvalidRequest(
            "code must be the PIN the codes of common_code_key share".into(),
        )),
        (Some(g), _) => Ok(Some(g.to_string())),
        (None, Some(c)) => Ok(Some(c.as_str().to_string())),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access_code::NewCode;
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, h, 0, 0).unwrap()
    }

    fn code(window: Option<Window>) -> AccessCode {
        AccessCode::new(
            NewCode {
                access_code_id: Uuid::from_u128(1),
                device_id: Uuid::from_u128(2),
                workspace_id: Uuid::from_u128(3),
                code: Some("1234".into()),
                window,
                ..NewCode::default()
            },
            t(0),
        )
    }

    #[test]
    fn a_window_needs_both_ends_in_order_and_in_the_future() {
        assert_eq!(window(None, None, t(0)).unwrap(), None);
        assert!(window(Some(t(1)), None, t(0)).is_err());
        assert!(window(None, Some(t(1)), t(0)).is_err());
        assert!(window(Some(t(2)), Some(t(1)), t(0)).is_err());
        assert!(window(Some(t(1)), Some(t(2)), t(3)).is_err());
        assert!(window(Some(t(1)), Some(t(2)), t(0)).unwrap().is_some());
    }

    #[test]
    fn a_backup_pool_needs_a_window() {
        let pool = CodeSettings {
            use_backup_access_code_pool: true,
            ..CodeSettings::default()
        };
        assert!(matches!(
            new_code_window(&pool, t(0)),
            Err(Error::InvalidRequest(m)) if m.contains("use_backup_access_code_pool")
        ));
        let timed = CodeSettings {
            starts_at: Some(t(1)),
            ends_at: Some(t(2)),
            ..pool
        };
        assert!(new_code_window(&timed, t(0)).unwrap().is_some());
    }

    #[test]
    fn a_change_merges_with_the_current_window() {
        let current = code(Some(Window::new(t(1), t(2), t(0)).unwrap()));
        let moved = changed_window(&current, None, None, Some(t(5)), t(0)).unwrap();
        assert_eq!(
            moved.map(|w| (w.starts_at(), w.ends_at())),
            Some((t(1), t(5)))
        );
        assert!(changed_window(&current, None, None, Some(t(0)), t(0)).is_err());
        assert_eq!(
            changed_window(&current, Some(CodeType::Ongoing), None, None, t(0)).unwrap(),
            None
        );
        assert!(changed_window(&current, Some(CodeType::Ongoing), Some(t(1)), None, t(0)).is_err());
        let ongoing = code(None);
        assert!(changed_window(&ongoing, Some(CodeType::TimeBound), None, None, t(0)).is_err());
        assert!(changed_window(&ongoing, None, Some(t(1)), None, t(0)).is_err());
        let _ = Duration::zero();
    }

    #[test]
    fn a_group_imposes_its_pin() {
        let pin = |s: &str| Pin::parse(s).unwrap();
        assert_eq!(group_pin(&[], None).unwrap(), None);
        assert_eq!(
            group_pin(&[], Some(&pin("1357"))).unwrap().as_deref(),
            Some("1357")
        );
        assert_eq!(
            group_pin(&[None, Some("2468")], None).unwrap().as_deref(),
            Some("2468")
        );
        assert!(group_pin(&[Some("2468")], Some(&pin("1357"))).is_err());
        assert!(group_pin(&[None], None).is_err());
    }
}
