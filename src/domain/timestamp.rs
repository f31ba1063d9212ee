//! Timestamps in the form Seam emits: JavaScript's `toISOString()`, e.g.
//! `2025-01-02T03:04:05.678Z` (always milliseconds, always `Z`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Formats a timestamp the way Seam (and JavaScript) does.
pub fn format(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
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
        s.serialize_str(&format(t))
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
            Some(t) => s.serialize_str(&format(t)),
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
