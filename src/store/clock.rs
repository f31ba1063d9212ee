//! The server clock: the system clock plus an offset that `/_fake/advance_time` moves forward.
//! Every lifecycle transition is judged against this clock, never against `Utc::now()`.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

use crate::domain::timestamp;

/// A clock that tests and the fake control routes can move forward.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Now, in whole milliseconds (what the wire can carry), at most [`timestamp::latest`].
    pub fn now(&self) -> DateTime<Utc> {
        timestamp::millis(
            (Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst)))
                .min(timestamp::latest()),
        )
    }

    /// How far ahead of the system clock it runs, in milliseconds (kept in the state file).
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }

    /// Sets how far ahead it runs (a state file read back).
    pub fn set_offset_ms(&self, ms: i64) {
        self.offset_ms.store(ms.max(0), Ordering::SeqCst);
    }

    /// Moves the clock forward by `by` (never back, never past [`timestamp::latest`]) and
    /// returns the new now.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let by = by.num_milliseconds().max(0);
        let _ = self
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                let room = (timestamp::latest() - Utc::now()).num_milliseconds() - offset;
                Some(offset.saturating_add(by.min(room.max(0))))
            });
        self.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let c = Clock::default();
        let before = c.now();
        let after = c.advance(Duration::hours(2));
        assert!(after - before >= Duration::hours(2));
        assert!(c.now() >= after);
        let same = c.advance(Duration::seconds(-50));
        assert!(same >= after);
    }

    #[test]
    fn the_clock_stops_at_the_end_of_year_9999() {
        let c = Clock::default();
        for _ in 0..300 {
            c.advance(Duration::days(365 * 1000));
        }
        let now = c.now();
        assert!(now <= timestamp::latest());
        assert!(now > timestamp::latest() - Duration::seconds(1));
    }
}
