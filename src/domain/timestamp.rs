//! Timestamps in the form Seam emits: JavaScript's `toISOString()`, e.g.
//! `2025-01-02T03:04:05.678Z` (always milliseconds, always `Z`).

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Formats a timestamp the way Seam (and JavaScript) does.
pub fn format(t: &DateTime<Utc>) -> String {
    let mut buf = [0u8; 24];
    match write(t, &mut buf) {
        Some(s) => s.to_string(),
        None => by_chrono(t),
    }
}

/// The same form from chrono, for what [`write`] cannot hold.
fn by_chrono(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// [`format`] into `buf`, without allocating (every code in an answer has up to three
/// timestamps); `None` for what the fixed 24-byte form cannot hold (years outside 0–9999, a
/// leap second), which [`format`] leaves to chrono.
pub fn write<'a>(t: &DateTime<Utc>, buf: &'a mut [u8; 24]) -> Option<&'a str> {
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    let millis = t.timestamp_subsec_millis();
    if millis >= 1000 {
        return None;
    }
    let mut put = |at: usize, n: u32, width: usize| {
        let mut n = n;
        for i in (0..width).rev() {
            buf[at + i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, year, 4);
    put(5, t.month(), 2);
    put(8, t.day(), 2);
    put(11, t.hour(), 2);
    put(14, t.minute(), 2);
    put(17, t.second(), 2);
    put(20, millis, 3);
    for (at, b) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ] {
        buf[at] = b;
    }
    std::str::from_utf8(&buf[..]).ok()
}

/// Serializes a timestamp in [`format`]'s form.
fn serialize_one<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 24];
    match write(t, &mut buf) {
        Some(text) => s.serialize_str(text),
        None => s.serialize_str(&by_chrono(t)),
    }
}

/// Parses an ISO 8601 timestamp with an offset (`Z` or `+hh:mm`), as Seam accepts them.
/// A date without a time (`2025-01-02`) is taken as midnight UTC, as `new Date()` does.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc())
}

/// The latest time the server clock may show, `9999-12-31T23:59:59.999Z`: past it, ISO 8601
/// needs a sign and more than four year digits, which `Date.parse` and most clients reject.
pub fn latest() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(253_402_300_799_999).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Truncates to whole milliseconds, so stored values round-trip through their JSON form.
pub fn millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// serde `with` module for `DateTime<Utc>`.
pub mod required {
    use super::*;

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        serialize_one(t, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}")))
    }
}

/// serde `with` module for `Option<DateTime<Utc>>` (null when absent).
pub mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => serialize_one(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse(&s)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written form is chrono's, to the byte, over years 0 to 9999 (the clock
        /// stops at 9999, see [`latest`]).
        #[test]
        fn writing_matches_chrono(ms in -62_167_219_200_000i64..=253_402_300_799_999) {
            let t = DateTime::from_timestamp_millis(ms).unwrap();
            let mut buf = [0u8; 24];
            let chrono = t.to_rfc3339_opts(SecondsFormat::Millis, true);
            prop_assert_eq!(write(&t, &mut buf), Some(chrono.as_str()));
            prop_assert_eq!(format(&t), chrono);
        }
    }

    #[test]
    fn outside_four_digit_years_chrono_formats() {
        let far = Utc.with_ymd_and_hms(12_345, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(write(&far, &mut [0u8; 24]), None);
        assert_eq!(
            format(&far),
            far.to_rfc3339_opts(SecondsFormat::Millis, true)
        );
        let before = Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(write(&before, &mut [0u8; 24]), None);
        assert!(format(&before).starts_with('-'));
    }

    #[test]
    fn formats_with_millis_and_z() {
        let t = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(format(&t), "2025-01-02T03:04:05.000Z");
        let t = t + chrono::Duration::nanoseconds(678_901_234);
        assert_eq!(format(&t), "2025-01-02T03:04:05.678Z");
    }

    #[test]
    fn parses_offsets_and_bare_dates() {
        let a = parse("2025-01-02T04:04:05+01:00").unwrap();
        assert_eq!(format(&a), "2025-01-02T03:04:05.000Z");
        assert_eq!(
            format(&parse("2025-01-02").unwrap()),
            "2025-01-02T00:00:00.000Z"
        );
        assert!(parse("yesterday").is_none());
    }

    #[test]
    fn latest_is_the_last_millisecond_of_year_9999() {
        assert_eq!(format(&latest()), "9999-12-31T23:59:59.999Z");
    }
}
