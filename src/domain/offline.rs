//! Offline access codes (contract §8): igloohome-style algoPINs a lock derives on its own, so
//! Seam can hand them out while the lock is unreachable. Their windows are rounded to what the
//! algorithm can express (whole hours, whole days, or 24 hours for a one-time code), each kind
//! has a length range, and a lock holds only a few codes starting in the same hour or day.
//! Pure: the store applies these under its lock.

use chrono::{DateTime, Duration, DurationRound, Utc};

use super::access_code::{AccessCode, Window};
use crate::error::{Error, Result};

crate::wire_enum! {
    /// `max_time_rounding`: how coarse the offline code's window may be. The short and long
    /// spellings mean the same.
    pub enum MaxTimeRounding {
        OneHour = "1hour",
        OneH = "1h",
        OneDay = "1day",
        OneD = "1d",
    }
}

/// The kind of algoPIN a request asks for; it decides rounding, length range and limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Hour-bound: from 1 to [`MAX_HOURS`] hours.
    Hourly,
    /// Day-bound: from [`MIN_DAYS`] to [`MAX_DAYS`] days.
    Daily,
    /// Usable once within 24 hours of its start.
    OneTime,
}

/// Longest hourly window, in hours (28 days).
pub const MAX_HOURS: i64 = 672;
/// Shortest daily window, in days.
pub const MIN_DAYS: i64 = 29;
/// Longest daily window, in days.
pub const MAX_DAYS: i64 = 367;

impl Rounding {
    /// The kind asked for: one-time wins; else `1day`/`1d` is daily and anything else
    /// (including no `max_time_rounding`) hourly.
    pub fn of(max: Option<MaxTimeRounding>, is_one_time_use: bool) -> Self {
        match (is_one_time_use, max) {
            (true, _) => Rounding::OneTime,
            (false, Some(MaxTimeRounding::OneDay | MaxTimeRounding::OneD)) => Rounding::Daily,
            _ => Rounding::Hourly,
        }
    }

    /// The kind of a stored offline code, read back from its flags and window: the hourly
    /// and daily length ranges do not overlap, so the window tells them apart. `None` for a
    /// code that is not an offline one.
    pub fn of_code(c: &AccessCode) -> Option<Self> {
        if !c.is_offline_access_code {
            return None;
        }
        if c.is_one_time_use {
            return Some(Rounding::OneTime);
        }
        let len = c.ends_at? - c.starts_at?;
        Some(if len >= Duration::days(MIN_DAYS) {
            Rounding::Daily
        } else {
            Rounding::Hourly
        })
    }

    /// How many codes of this kind one lock holds starting in the same slot.
    pub fn limit(self) -> usize {
        match self {
            Rounding::Hourly | Rounding::Daily => 3,
            Rounding::OneTime => 5,
        }
    }

    /// The slot a window's start falls in: its hour (hourly, one-time) or its day (daily).
    pub fn slot(self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        let unit = match self {
            Rounding::Daily => Duration::days(1),
            _ => Duration::hours(1),
        };
        floor(starts_at, unit)
    }

    fn name(self) -> &'static str {
        match self {
            Rounding::Hourly => "hourly",
            Rounding::Daily => "daily",
            Rounding::OneTime => "one-time",
        }
    }
}

fn floor(t: DateTime<Utc>, unit: Duration) -> DateTime<Utc> {
    t.duration_trunc(unit).unwrap_or(t)
}

fn ceil(t: DateTime<Utc>, unit: Duration) -> DateTime<Utc> {
    let f = floor(t, unit);
    if f == t { t } else { f + unit }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidRequest(msg.into())
}

/// The rounded window of a new offline code, checked against its kind's length range and
/// `now` (the window must not be over). A rounded window always contains the one asked for.
pub fn round_window(
    rounding: Rounding,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Window> {
    let hour = Duration::hours(1);
    let day = Duration::days(1);
    let (s, e) = match (rounding, starts_at, ends_at) {
        (Rounding::OneTime, Some(s), e) => {
            if e.is_some_and(|e| e <= s) {
                return Err(invalid("ends_at must be after starts_at"));
            }
            if e.is_some_and(|e| e - s > day) {
                return Err(invalid(
                    "A one-time offline access code lasts at most 24 hours: ends_at must be within 24 hours of starts_at",
                ));
            }
            let s = floor(s, hour);
            (s, s + day)
        }
        (Rounding::OneTime, None, _) => {
            return Err(invalid("A one-time offline access code needs starts_at"));
        }
        (_, Some(s), Some(e)) => {
            if e <= s {
                return Err(invalid("ends_at must be after starts_at"));
            }
            let rs = floor(s, hour);
            match rounding {
                Rounding::Daily => {
                    let days = (e - rs)
                        .num_milliseconds()
                        .div_euclid(day.num_milliseconds())
                        + i64::from((e - rs).num_milliseconds() % day.num_milliseconds() != 0);
                    if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
                        return Err(invalid(format!(
                            "A daily-bound offline access code lasts from {MIN_DAYS} to {MAX_DAYS} days (rounded: {days} days)"
                        )));
                    }
                    (rs, rs + Duration::days(days))
                }
                _ => {
                    let re = ceil(e, hour);
                    let hours = (re - rs).num_hours();
                    if !(1..=MAX_HOURS).contains(&hours) {
                        return Err(invalid(format!(
                            "An hourly-bound offline access code lasts from 1 to {MAX_HOURS} hours (rounded: {hours} hours)"
                        )));
                    }
                    (rs, re)
                }
            }
        }
        _ => {
            return Err(invalid(
                "An offline access code is time-bound: give starts_at and ends_at",
            ));
        }
    };
    Window::new(s, e, now).map_err(Error::InvalidRequest)
}

/// Checks the per-lock limit: at most [`Rounding::limit`] codes of the new code's kind may
/// start in its slot. `existing` is the lock's managed codes.
pub fn check_limit<'a>(
    rounding: Rounding,
    window: &Window,
    existing: impl IntoIterator<Item = &'a AccessCode>,
) -> Result<()> {
    let slot = rounding.slot(window.starts_at());
    let taken = existing
        .into_iter()
        .filter(|c| Rounding::of_code(c) == Some(rounding))
        .filter(|c| c.starts_at.is_some_and(|s| rounding.slot(s) == slot))
        .count();
    if taken >= rounding.limit() {
        return Err(invalid(format!(
            "The device already has {taken} {} offline access codes starting in that {}; it holds at most {}",
            rounding.name(),
            if rounding == Rounding::Daily {
                "day"
            } else {
                "hour"
            },
            rounding.limit()
        )));
    }
    Ok(())
}

/// Refuses to change (`verb`: "updated", "deleted") an offline code through the API: the lock
/// derived its PIN and window, and nothing can reach it to take them back.
pub fn check_changeable(code: &AccessCode, verb: &str) -> Result<()> {
    if code.is_offline_access_code {
        return Err(invalid(format!(
            "An offline access code cannot be {verb}: the lock derived it and keeps it until its ends_at"
        )));
    }
    Ok(())
}

/// Refuses what an offline request cannot have: a chosen PIN (the lock derives it) or a
/// `common_code_key` (each lock derives its own, so offline codes never share one).
pub fn check_request(code_given: bool, common_code_key_given: bool) -> Result<()> {
    if code_given {
        return Err(invalid(
            "An offline access code's PIN is derived by the lock: code cannot be given",
        ));
    }
    if common_code_key_given {
        return Err(invalid(
            "Offline access codes never share a PIN: common_code_key cannot be given",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access_code::NewCode;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn t(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, d, h, m, 0).unwrap()
    }

    fn now() -> DateTime<Utc> {
        t(1, 0, 0)
    }

    #[test]
    fn rounding_kind_follows_the_request() {
        assert_eq!(Rounding::of(None, false), Rounding::Hourly);
        assert_eq!(
            Rounding::of(Some(MaxTimeRounding::OneH), false),
            Rounding::Hourly
        );
        assert_eq!(
            Rounding::of(Some(MaxTimeRounding::OneHour), false),
            Rounding::Hourly
        );
        assert_eq!(
            Rounding::of(Some(MaxTimeRounding::OneD), false),
            Rounding::Daily
        );
        assert_eq!(
            Rounding::of(Some(MaxTimeRounding::OneDay), false),
            Rounding::Daily
        );
        assert_eq!(
            Rounding::of(Some(MaxTimeRounding::OneDay), true),
            Rounding::OneTime
        );
        assert_eq!(MaxTimeRounding::parse("1d"), Some(MaxTimeRounding::OneD));
        assert_eq!(MaxTimeRounding::parse("2h"), None);
    }

    #[test]
    fn hourly_rounds_start_down_and_end_up() {
        let w = round_window(
            Rounding::Hourly,
            Some(t(2, 10, 15)),
            Some(t(2, 12, 5)),
            now(),
        )
        .unwrap();
        assert_eq!((w.starts_at(), w.ends_at()), (t(2, 10, 0), t(2, 13, 0)));
        let exact = round_window(
            Rounding::Hourly,
            Some(t(2, 10, 0)),
            Some(t(2, 11, 0)),
            now(),
        )
        .unwrap();
        assert_eq!(
            (exact.starts_at(), exact.ends_at()),
            (t(2, 10, 0), t(2, 11, 0))
        );
    }

    #[test]
    fn hourly_length_is_one_to_672_hours() {
        let s = t(2, 0, 0);
        assert!(
            round_window(
                Rounding::Hourly,
                Some(s),
                Some(s + Duration::hours(672)),
                now()
            )
            .is_ok()
        );
        let e = round_window(
            Rounding::Hourly,
            Some(s),
            Some(s + Duration::hours(673)),
            now(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("672"), "{e}");
    }

    #[test]
    fn daily_ends_at_the_start_time_of_day_and_lasts_29_to_367_days() {
        let s = t(2, 10, 30);
        let w = round_window(
            Rounding::Daily,
            Some(s),
            Some(s + Duration::days(30) + Duration::hours(2)),
            now(),
        )
        .unwrap();
        assert_eq!(w.starts_at(), t(2, 10, 0));
        assert_eq!(w.ends_at(), t(2, 10, 0) + Duration::days(31));
        assert!(
            round_window(
                Rounding::Daily,
                Some(s),
                Some(s + Duration::days(27)),
                now()
            )
            .is_err()
        );
        assert!(
            round_window(
                Rounding::Daily,
                Some(s),
                Some(s + Duration::days(368)),
                now()
            )
            .is_err()
        );
        assert!(
            round_window(
                Rounding::Daily,
                Some(t(2, 10, 0)),
                Some(t(2, 10, 0) + Duration::days(367)),
                now()
            )
            .is_ok()
        );
    }

    #[test]
    fn one_time_lasts_24_hours_from_the_rounded_start() {
        let w = round_window(Rounding::OneTime, Some(t(2, 10, 45)), None, now()).unwrap();
        assert_eq!((w.starts_at(), w.ends_at()), (t(2, 10, 0), t(3, 10, 0)));
        assert!(
            round_window(
                Rounding::OneTime,
                Some(t(2, 10, 0)),
                Some(t(3, 10, 0)),
                now()
            )
            .is_ok()
        );
        assert!(
            round_window(
                Rounding::OneTime,
                Some(t(2, 10, 0)),
                Some(t(3, 10, 1)),
                now()
            )
            .is_err()
        );
        assert!(round_window(Rounding::OneTime, None, Some(t(3, 10, 0)), now()).is_err());
    }

    #[test]
    fn a_window_is_needed_in_order_and_not_over() {
        for r in [Rounding::Hourly, Rounding::Daily] {
            assert!(round_window(r, None, None, now()).is_err());
            assert!(round_window(r, Some(t(2, 0, 0)), None, now()).is_err());
        }
        assert!(round_window(Rounding::Hourly, Some(t(2, 5, 0)), Some(t(2, 4, 0)), now()).is_err());
        assert!(
            round_window(
                Rounding::Hourly,
                Some(t(1, 1, 0)),
                Some(t(1, 2, 0)),
                t(1, 3, 0)
            )
            .is_err()
        );
    }

    fn offline(starts: DateTime<Utc>, ends: DateTime<Utc>, one_time: bool) -> AccessCode {
        let mut c = AccessCode::new(
            NewCode {
                access_code_id: Uuid::from_u128(1),
                device_id: Uuid::from_u128(2),
                workspace_id: Uuid::from_u128(3),
                code: Some("123456".into()),
                window: Some(Window::new(starts, ends, now()).unwrap()),
                ..NewCode::default()
            },
            now(),
        );
        c.is_offline_access_code = true;
        c.is_one_time_use = one_time;
        c
    }

    #[test]
    fn stored_codes_are_classified_by_flags_and_length() {
        let s = t(2, 0, 0);
        assert_eq!(
            Rounding::of_code(&offline(s, s + Duration::hours(5), false)),
            Some(Rounding::Hourly)
        );
        assert_eq!(
            Rounding::of_code(&offline(s, s + Duration::days(30), false)),
            Some(Rounding::Daily)
        );
        assert_eq!(
            Rounding::of_code(&offline(s, s + Duration::days(1), true)),
            Some(Rounding::OneTime)
        );
        let mut online = offline(s, s + Duration::hours(5), false);
        online.is_offline_access_code = false;
        assert_eq!(Rounding::of_code(&online), None);
    }

    #[test]
    fn limits_count_codes_of_the_same_kind_in_the_same_slot() {
        let s = t(2, 10, 0);
        let w = Window::new(s, s + Duration::hours(2), now()).unwrap();
        let three: Vec<AccessCode> = (0..3)
            .map(|_| offline(s, s + Duration::hours(3), false))
            .collect();
        assert!(check_limit(Rounding::Hourly, &w, &three[..2]).is_ok());
        assert!(check_limit(Rounding::Hourly, &w, &three).is_err());
        // Another hour, or another kind, does not count.
        let later = Window::new(s + Duration::hours(1), s + Duration::hours(2), now()).unwrap();
        assert!(check_limit(Rounding::Hourly, &later, &three).is_ok());
        assert!(check_limit(Rounding::OneTime, &w, &three).is_ok());
        let five: Vec<AccessCode> = (0..5)
            .map(|_| offline(s, s + Duration::days(1), true))
            .collect();
        assert!(check_limit(Rounding::OneTime, &w, &five[..4]).is_ok());
        assert!(check_limit(Rounding::OneTime, &w, &five).is_err());
        // Daily codes share a slot across the whole day.
        let days: Vec<AccessCode> = (0..3)
            .map(|h| offline(t(2, h, 0), t(2, h, 0) + Duration::days(30), false))
            .collect();
        let evening = Window::new(t(2, 20, 0), t(2, 20, 0) + Duration::days(30), now()).unwrap();
        assert!(check_limit(Rounding::Daily, &evening, &days).is_err());
    }

    #[test]
    fn offline_codes_cannot_be_changed_nor_chosen() {
        let s = t(2, 0, 0);
        let c = offline(s, s + Duration::hours(2), false);
        assert!(
            check_changeable(&c, "updated")
                .unwrap_err()
                .to_string()
                .contains("updated")
        );
        let mut online = c.clone();
        online.is_offline_access_code = false;
        assert!(check_changeable(&online, "deleted").is_ok());
        assert!(check_request(true, false).is_err());
        assert!(check_request(false, true).is_err());
        assert!(check_request(false, false).is_ok());
    }

    proptest! {
        /// Rounding never shortens a window: the rounded one starts no later and ends no
        /// earlier than the one asked for.
        #[test]
        fn rounding_never_shortens_a_window(start_min in 60i64..500_000, len_min in 1i64..600_000, daily in any::<bool>()) {
            let s = now() + Duration::minutes(start_min) + Duration::seconds(start_min % 59);
            let e = s + Duration::minutes(len_min);
            let r = if daily { Rounding::Daily } else { Rounding::Hourly };
            if let Ok(w) = round_window(r, Some(s), Some(e), now()) {
                prop_assert!(w.starts_at() <= s && w.ends_at() >= e);
                prop_assert_eq!(w.starts_at(), Rounding::Hourly.slot(s));
                if daily {
                    prop_assert_eq!((w.ends_at() - w.starts_at()).num_milliseconds() % 86_400_000, 0);
                } else {
                    prop_assert_eq!(w.ends_at(), ceil(e, Duration::hours(1)));
                }
            }
            if let Ok(w) = round_window(Rounding::OneTime, Some(s), None, now()) {
                prop_assert!(w.starts_at() <= s && w.ends_at() >= s);
                prop_assert_eq!(w.ends_at() - w.starts_at(), Duration::days(1));
            }
        }
    }
}
