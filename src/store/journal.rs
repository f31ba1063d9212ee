//! The request journal: the last N Seam-API requests with what came back, so a developer whose
//! test failed can read what their code sent (`/_fake/requests`, the dashboard).
//!
//! A ring behind its own `Mutex`, separate from the workspace locks: recording never waits
//! for a workspace and a workspace call never waits for the journal. Entries hold no
//! credential, only its kind.

use parking_lot::{Mutex, MutexGuard};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value, value::RawValue};
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::domain::credential::CredentialKind;

/// A request's `seam-request-id`: `request_` and a random UUID without hyphens. Kept as the
/// UUID (copied, never allocated) and written out where it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestId(pub Uuid);

impl RequestId {
    /// A fresh random id.
    pub fn new() -> Self {
        RequestId(Uuid::new_v4())
    }

    /// The id as text, written into `buf` (`request_` + 32 hex digits).
    pub fn encode<'b>(&self, buf: &'b mut [u8; 40]) -> &'b str {
        buf[..8].copy_from_slice(b"request_");
        self.0.simple().encode_lower(&mut buf[8..]);
        // Only ASCII was written.
        std::str::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for RequestId {
    fn default() -> Self {
        RequestId(Uuid::nil())
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0; 40]))
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.encode(&mut [0; 40]))
    }
}

/// A method's name: the standard ones without an allocation.
pub fn method_name(m: &str) -> Cow<'static, str> {
    const STANDARD: [&str; 9] = [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE",
    ];
    match STANDARD.iter().find(|s| **s == m) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(m.to_string()),
    }
}

/// One request and its answer.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct JournalEntry {
    /// The `seam-request-id` the response carried.
    #[schema(value_type = String, example = "request_9aefb11930c14255a264192dd8a77778")]
    pub request_id: RequestId,
    /// When the request arrived, by the server clock (moved by `/_fake/advance_time`).
    #[serde(with = "crate::domain::timestamp::required")]
    pub received_at: DateTime<Utc>,
    /// The verb, upper-case.
    #[schema(value_type = String)]
    pub method: Cow<'static, str>,
    pub path: String,
    /// The query string as fields (repeated keys as arrays); `{}` when there is none.
    #[schema(value_type = Object)]
    pub query: Map<String, Value>,
    /// The body as JSON (any JSON value: an SDK may send an array); `null` when empty, not
    /// JSON, or over the body limit.
    #[schema(required = true, value_type = Value)]
    pub body: Option<RequestBody>,
    /// The response's HTTP status.
    pub status: u16,
    /// The response's `error.type`; `null` on success.
    #[schema(required = true, value_type = Option<String>)]
    pub error_type: Option<Cow<'static, str>>,
    /// Time from arrival to the response, in milliseconds.
    pub duration_ms: f64,
    /// The workspace the credential opened; `null` when the request was not authenticated.
    #[schema(required = true)]
    pub workspace_id: Option<Uuid>,
    /// The kind of credential the request presented; `null` when it presented none.
    #[schema(required = true)]
    pub credential: Option<CredentialKind>,
    /// The fault rule that shaped the answer (`/_fake/faults/list`); `null` when none did.
    #[schema(required = true)]
    pub fault_id: Option<Uuid>,
}

/// A request body as it arrived. Kept as bytes and read as JSON only when the journal is
/// read: recording a request costs no second parse of its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestBody(pub Bytes);

impl Serialize for RequestBody {
    /// The JSON as sent (validated, not rebuilt), or `null` when the body is not JSON.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match serde_json::from_slice::<&RawValue>(&self.0) {
            Ok(raw) => raw.serialize(s),
            Err(_) => s.serialize_none(),
        }
    }
}

/// Which entries to return (every field narrows; all absent returns everything).
#[derive(Clone, Debug, Default)]
pub struct JournalFilter {
    pub workspace_id: Option<Uuid>,
    /// Compared without regard to case.
    pub method: Option<String>,
    /// The exact path.
    pub path: Option<String>,
    pub status: Option<u16>,
    /// Received at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// At most this many: the most recent matches.
    pub limit: Option<usize>,
}

impl JournalFilter {
    fn matches(&self, e: &JournalEntry) -> bool {
        self.workspace_id.is_none_or(|w| e.workspace_id == Some(w))
            && self
                .method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&e.method))
            && self.path.as_ref().is_none_or(|p| *p == e.path)
            && self.status.is_none_or(|s| s == e.status)
            && self.since.is_none_or(|t| e.received_at >= t)
    }
}

/// How many bytes of request bodies the journal keeps in all (64 MiB): past it the oldest
/// entries go, so a flood of large bodies cannot grow the server without bound.
pub const BODY_BUDGET: usize = 64 << 20;

/// The entries, each with the size of its body, and the sum of those sizes.
#[derive(Debug, Default)]
struct Ring {
    entries: VecDeque<(JournalEntry, usize)>,
    body_bytes: usize,
}

/// The ring of the latest requests.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    body_budget: usize,
    ring: Mutex<Ring>,
}

impl Journal {
    /// A journal keeping the last `capacity` requests (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Self::with_body_budget(capacity, BODY_BUDGET)
    }

    /// A journal keeping the last `capacity` requests whose bodies sum to at most
    /// `body_budget` bytes.
    pub fn with_body_budget(capacity: usize, body_budget: usize) -> Self {
        Journal {
            capacity,
            body_budget,
            ring: Mutex::new(Ring {
                entries: VecDeque::with_capacity(capacity.min(1024)),
                body_bytes: 0,
            }),
        }
    }

    fn ring(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock()
    }

    /// How many requests it keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Appends an entry whose body took `body_bytes` bytes, dropping the oldest while the ring
    /// is full or the bodies are over budget. A body larger than the whole budget is not kept
    /// (the entry is, with `body: null`).
    pub fn record(&self, mut entry: JournalEntry, mut body_bytes: usize) {
        if self.capacity == 0 {
            return;
        }
        if body_bytes > self.body_budget {
            entry.body = None;
            body_bytes = 0;
        }
        // The entry pushed out is dropped (its strings freed) after the lock is let go.
        let mut gone = None;
        let mut ring = self.ring();
        while ring.entries.len() >= self.capacity || ring.body_bytes + body_bytes > self.body_budget
        {
            let Some(old) = ring.entries.pop_front() else {
                break;
            };
            ring.body_bytes -= old.1;
            gone.get_or_insert(old);
        }
        ring.body_bytes += body_bytes;
        ring.entries.push_back((entry, body_bytes));
        drop(ring);
        drop(gone);
    }

    /// The matching entries, oldest first; with a limit, the most recent `limit` of them.
    pub fn query(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        let ring = self.ring();
        let mut out: Vec<JournalEntry> = ring
            .entries
            .iter()
            .rev()
            .map(|(e, _)| e)
            .filter(|e| filter.matches(e))
            .take(filter.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect();
        out.reverse();
        out
    }

    /// The newest `n` entries of one workspace (`None`: of requests without one), newest
    /// first. Walks back from the newest and stops at `n` (the dashboard, every refresh), so
    /// it costs at most the ring's length, never a copy of it.
    pub fn latest(&self, n: usize, workspace_id: Option<Uuid>) -> Vec<JournalEntry> {
        self.ring()
            .entries
            .iter()
            .rev()
            .map(|(e, _)| e)
            .filter(|e| e.workspace_id == workspace_id)
            .take(n)
            .cloned()
            .collect()
    }

    /// Forgets every entry; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut ring = self.ring();
        let n = ring.entries.len();
        *ring = Ring::default();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: u16, method: &str, path: &str, ws: Option<Uuid>) -> JournalEntry {
        JournalEntry {
            request_id: RequestId(Uuid::from_u128(u128::from(i))),
            received_at: DateTime::from_timestamp_millis(1_700_000_000_000 + i64::from(i) * 1000)
                .unwrap(),
            method: method_name(method),
            path: path.into(),
            query: Map::new(),
            body: None,
            status: if i.is_multiple_of(2) { 200 } else { 400 },
            error_type: None,
            duration_ms: 0.5,
            workspace_id: ws,
            credential: None,
            fault_id: None,
        }
    }

    fn ids(v: &[JournalEntry]) -> Vec<String> {
        v.iter()
            .map(|e| format!("request_{}", e.request_id.0.as_u128()))
            .collect()
    }

    #[test]
    fn request_ids_read_as_the_header_does() {
        let id = RequestId(Uuid::from_u128(0x9aef_b119_30c1_4255_a264_192d_d8a7_7778));
        let text = "request_9aefb11930c14255a264192dd8a77778";
        assert_eq!(id.to_string(), text);
        assert_eq!(serde_json::to_value(id).unwrap(), text);
        assert_eq!(id.encode(&mut [0; 40]), text);
    }

    #[test]
    fn standard_methods_are_named_without_an_allocation() {
        assert!(matches!(method_name("PUT"), Cow::Borrowed("PUT")));
        assert!(matches!(method_name("PROPFIND"), Cow::Owned(m) if m == "PROPFIND"));
    }

    #[test]
    fn keeps_the_latest_entries_up_to_its_capacity() {
        let j = Journal::new(3);
        for i in 0..5 {
            j.record(entry(i, "GET", "/x", None), 0);
        }
        let all = j.query(&JournalFilter::default());
        assert_eq!(ids(&all), ["request_2", "request_3", "request_4"]);
        assert_eq!(j.clear(), 3);
        assert!(j.query(&JournalFilter::default()).is_empty());
        let off = Journal::new(0);
        off.record(entry(0, "GET", "/x", None), 0);
        assert!(off.query(&JournalFilter::default()).is_empty());
    }

    #[test]
    fn latest_gives_the_newest_of_one_workspace_newest_first() {
        let j = Journal::new(10);
        let w = Uuid::from_u128(7);
        for i in 0..6 {
            j.record(entry(i, "GET", "/x", (i % 2 == 0).then_some(w)), 0);
        }
        assert_eq!(ids(&j.latest(2, Some(w))), ["request_4", "request_2"]);
        assert_eq!(
            ids(&j.latest(9, None)),
            ["request_5", "request_3", "request_1"]
        );
    }

    #[test]
    fn filters_narrow_and_limit_keeps_the_most_recent() {
        let j = Journal::new(10);
        let w = Uuid::from_u128(7);
        j.record(entry(0, "POST", "/a", Some(w)), 0);
        j.record(entry(1, "GET", "/a", None), 0);
        j.record(entry(2, "PUT", "/b", Some(w)), 0);
        j.record(entry(3, "POST", "/a", Some(w)), 0);
        j.record(entry(4, "POST", "/a", Some(w)), 0);
        let q = |f: JournalFilter| ids(&j.query(&f)).join(",");
        let f = JournalFilter::default;
        assert_eq!(
            q(JournalFilter {
                workspace_id: Some(w),
                ..f()
            }),
            "request_0,request_2,request_3,request_4"
        );
        assert_eq!(
            q(JournalFilter {
                method: Some("post".into()),
                path: Some("/a".into()),
                ..f()
            }),
            "request_0,request_3,request_4"
        );
        assert_eq!(
            q(JournalFilter {
                status: Some(400),
                ..f()
            }),
            "request_1,request_3"
        );
        assert_eq!(
            q(JournalFilter {
                since: Some(entry(2, "", "", None).received_at),
                ..f()
            }),
            "request_2,request_3,request_4"
        );
        assert_eq!(
            q(JournalFilter {
                limit: Some(2),
                path: Some("/a".into()),
                ..f()
            }),
            "request_3,request_4"
        );
    }

    #[test]
    fn bodies_over_the_budget_push_out_the_oldest_and_a_huge_one_is_not_kept() {
        let j = Journal::with_body_budget(10, 100);
        let with_body = |i| JournalEntry {
            body: Some(RequestBody(Bytes::from(
                serde_json::json!({"n": i}).to_string(),
            ))),
            ..entry(i, "POST", "/x", None)
        };
        j.record(with_body(0), 40);
        j.record(with_body(1), 40);
        j.record(with_body(2), 40);
        let all = j.query(&JournalFilter::default());
        assert_eq!(ids(&all), ["request_1", "request_2"]);
        j.record(with_body(3), 500);
        let all = j.query(&JournalFilter::default());
        assert_eq!(ids(&all), ["request_1", "request_2", "request_3"]);
        assert_eq!(all[2].body, None);
        assert_eq!(
            serde_json::to_value(&all[0].body).unwrap(),
            serde_json::json!({"n": 1})
        );
    }
}
