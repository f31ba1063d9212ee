//! Fault rules (contract §14): which requests a rule matches ([`FaultMatch`]), what it does to
//! them ([`Effect`]), and the limits on how often ([`Rule`]: `times`, `after`, `probability`),
//! parsed from the JSON of `/_fake/faults/create` with every problem named by its field. Also
//! the per-workspace window of a rate limit ([`RateWindow`]). Pure: the store keeps the rules
//! and their counters, the HTTP layer carries out what they decide, and a workspace asks for
//! the device outcomes ([`DeviceOutcome`]) when one of its locks takes on a job ([`Job`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use globset::GlobMatcher;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::credential::CredentialKind;
use crate::domain::hold::SetFailure;

/// The longest delay a rule may hold an answer (ten minutes): longer than any client waits.
pub const MAX_DELAY_MS: u64 = 600_000;

/// The methods a rule can name (the verbs the server answers).
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The effect keys that change what a device does rather than the HTTP answer (contract §14,
/// "Device outcomes").
pub const DEVICE_OUTCOMES: [&str; 4] = [
    "access_code_error",
    "access_code_delay_s",
    "remove_error",
    "action_attempt_error",
];

/// What the matchers of a rule look at in one request.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestFacts<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub credential: Option<CredentialKind>,
    /// The workspace the credential opens; worked out only when a rule asks for it.
    pub workspace_id: Option<Uuid>,
    /// The request's `device_id`, `device_ids` and the device of its `access_code_id`;
    /// worked out only when a rule asks for them.
    pub device_ids: &'a [Uuid],
}

/// A path to match: exact, or a glob whose `*` stays within one segment and `**` spans any.
#[derive(Clone, Debug)]
pub enum PathPattern {
    Exact(String),
    /// `prefix`: the literal text before the first glob character, compared first (a glob's
    /// regex costs more than the whole table's other matchers; most paths differ early).
    Glob {
        text: String,
        prefix: String,
        glob: GlobMatcher,
    },
}

impl PathPattern {
    fn text(&self) -> &str {
        match self {
            PathPattern::Exact(t) | PathPattern::Glob { text: t, .. } => t,
        }
    }

    fn matches(&self, path: &str) -> bool {
        match self {
            PathPattern::Exact(t) => t == path,
            PathPattern::Glob { prefix, glob, .. } => {
                path.starts_with(prefix.as_str()) && glob.is_match(path)
            }
        }
    }
}

/// Which requests a rule applies to: every matcher given must hold.
#[derive(Clone, Debug, Default)]
pub struct FaultMatch {
    pub path: Option<PathPattern>,
    /// Upper-case.
    pub method: Option<&'static str>,
    pub workspace_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub credential: Option<CredentialKind>,
}

impl FaultMatch {
    /// The matchers that need nothing but the request line and headers.
    pub fn matches_cheaply(&self, r: &RequestFacts) -> bool {
        self.method.is_none_or(|m| m.eq_ignore_ascii_case(r.method))
            && self.credential.is_none_or(|c| r.credential == Some(c))
            && self.path.as_ref().is_none_or(|p| p.matches(r.path))
    }

    /// Whether a device outcome's matchers (`workspace_id`, `device_id`: the only ones it
    /// takes) hold for a lock of a workspace.
    pub fn matches_device(&self, workspace_id: Uuid, device_id: Uuid) -> bool {
        self.workspace_id.is_none_or(|w| w == workspace_id)
            && self.device_id.is_none_or(|d| d == device_id)
    }

    /// Whether every matcher holds.
    pub fn matches(&self, r: &RequestFacts) -> bool {
        self.matches_cheaply(r)
            && self.workspace_id.is_none_or(|w| r.workspace_id == Some(w))
            && self.device_id.is_none_or(|d| r.device_ids.contains(&d))
    }

    /// Whether matching needs the workspace the credential opens.
    pub fn needs_workspace(&self) -> bool {
        self.workspace_id.is_some() || self.device_id.is_some()
    }

    /// Whether matching needs the devices the request names.
    pub fn needs_devices(&self) -> bool {
        self.device_id.is_some()
    }

    /// The matchers as given, for `/_fake/faults/list`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(p) = &self.path {
            m.insert("path".into(), json!(p.text()));
        }
        if let Some(v) = self.method {
            m.insert("method".into(), json!(v));
        }
        if let Some(v) = self.workspace_id {
            m.insert("workspace_id".into(), json!(v));
        }
        if let Some(v) = self.device_id {
            m.insert("device_id".into(), json!(v));
        }
        if let Some(v) = self.credential {
            m.insert("credential".into(), json!(v));
        }
        Value::Object(m)
    }
}

/// Whether a delay or a dropped connection comes before the request runs or after it
/// committed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum When {
    #[default]
    Before,
    After,
}

impl When {
    fn as_str(self) -> &'static str {
        match self {
            When::Before => "before",
            When::After => "after",
        }
    }
}

/// The answer a `respond` rule gives in place of the request's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Respond {
    pub status: u16,
    /// `None`: an empty body (an outage, as Seam's own fake answers one).
    pub envelope: Option<Envelope>,
}

/// Seam's error envelope: `{"error": {"type", "message"}, "ok": false}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub error_type: Arc<str>,
    pub message: Arc<str>,
}

/// How many requests a rate limit lets through per window, per workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u64,
    pub per_seconds: u64,
}

/// What a rule does to the HTTP exchange of a request it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpEffect {
    /// Answer with `respond` after `delay_ms`; the request does not run.
    Respond { respond: Respond, delay_ms: u64 },
    /// Run the request, holding its answer `ms` before it runs or after it committed.
    Delay { ms: u64, when: When },
    /// Close the connection without an answer, after `delay_ms`: before the request runs, or
    /// after it committed.
    Drop { delay_ms: u64, when: When },
    /// Let `requests` through per `per_seconds` of wall clock per workspace; 429 the rest.
    RateLimit(RateLimit),
}

/// The jobs a lock carries out for Seam, on which a device outcome can fall: each rule counts
/// (`times`, `after`, `probability`) the jobs of its own kind on the locks it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// Programming a code (the first try and each retry).
    Program,
    /// Taking a code off the lock (a delete, or its window's end).
    Remove,
    /// A lock, unlock, keypad or auto-lock action attempt.
    Action,
}

/// What a device does instead of its job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceOutcome {
    /// `access_code_error`: programming fails with this error.
    SetError(SetFailure),
    /// `access_code_delay_s`: programming takes this many more seconds of server clock.
    SetDelay(u64),
    /// `remove_error` (`failed_to_remove_from_device`): the code stays on the lock.
    RemoveError,
    /// `action_attempt_error`: the attempt ends `error` with this `{type, message}`.
    ActionError(Envelope),
}

impl DeviceOutcome {
    /// The job it falls on.
    pub fn job(&self) -> Job {
        match self {
            DeviceOutcome::SetError(_) | DeviceOutcome::SetDelay(_) => Job::Program,
            DeviceOutcome::RemoveError => Job::Remove,
            DeviceOutcome::ActionError(_) => Job::Action,
        }
    }
}

/// The one error a device outcome's removal fails with (the spec's access-code error).
pub const REMOVE_ERROR: &str = "failed_to_remove_from_device";

/// The longest programming delay a rule may ask for (a week of server clock).
pub const MAX_DELAY_S: u64 = 7 * 24 * 3600;

/// What a rule does: to the HTTP exchange of the requests it matches, or to what the locks it
/// matches do (every `match` on an effect names both).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Http(HttpEffect),
    Device(DeviceOutcome),
}

impl Effect {
    /// The effect in the shape `/_fake/faults/create` takes (defaults written out).
    pub fn to_json(&self) -> Value {
        match self {
            Effect::Http(HttpEffect::Respond { respond, delay_ms }) => {
                let r = match &respond.envelope {
                    None => json!({"status": respond.status, "empty_body": true}),
                    Some(e) => json!({
                        "status": respond.status,
                        "error_type": &*e.error_type,
                        "message": &*e.message,
                    }),
                };
                let mut out = json!({ "respond": r });
                if *delay_ms > 0 {
                    out["delay_ms"] = json!(delay_ms);
                }
                out
            }
            Effect::Http(HttpEffect::Delay { ms, when }) => {
                json!({"delay_ms": ms, "when": when.as_str()})
            }
            Effect::Http(HttpEffect::Drop { delay_ms, when }) => {
                let mut out = json!({"drop_connection": true, "when": when.as_str()});
                if *delay_ms > 0 {
                    out["delay_ms"] = json!(delay_ms);
                }
                out
            }
            Effect::Http(HttpEffect::RateLimit(l)) => {
                json!({"rate_limit": {"requests": l.requests, "per_seconds": l.per_seconds}})
            }
            Effect::Device(DeviceOutcome::SetError(f)) => json!({"access_code_error": f}),
            Effect::Device(DeviceOutcome::SetDelay(s)) => json!({"access_code_delay_s": s}),
            Effect::Device(DeviceOutcome::RemoveError) => json!({"remove_error": REMOVE_ERROR}),
            Effect::Device(DeviceOutcome::ActionError(e)) => json!({"action_attempt_error": {
                "type": &*e.error_type,
                "message": &*e.message,
            }}),
        }
    }
}

/// One rule as asked for.
#[derive(Clone, Debug)]
pub struct Rule {
    pub matcher: FaultMatch,
    pub effect: Effect,
    /// How many requests (or, for a device outcome, jobs) it affects before it retires;
    /// `None`: no limit.
    pub times: Option<u64>,
    /// The chance (0–1) that a matching request past `after` is affected; `None`: always.
    pub probability: Option<f64>,
    /// How many matching requests pass untouched before it starts.
    pub after: u64,
}

impl Rule {
    /// The device outcome it forces, if it is one.
    pub fn device_outcome(&self) -> Option<&DeviceOutcome> {
        match &self.effect {
            Effect::Device(o) => Some(o),
            Effect::Http(_) => None,
        }
    }
}

/// The fields of `/_fake/faults/create`, as the edge read them.
#[derive(Debug, Default)]
pub struct RuleInput {
    pub matcher: Option<Map<String, Value>>,
    pub effect: Map<String, Value>,
    pub times: Option<f64>,
    pub probability: Option<f64>,
    pub after: Option<f64>,
}

mod parse;

/// One workspace's fixed window of a rate limit, by the wall clock.
#[derive(Clone, Copy, Debug)]
pub struct RateWindow {
    start: Instant,
    used: u64,
}

impl RateWindow {
    /// A window opening at `now`.
    pub fn new(now: Instant) -> Self {
        RateWindow {
            start: now,
            used: 0,
        }
    }

    /// Lets one request through, or says how many whole seconds until the window turns
    /// (at least 1: what `Retry-After` carries).
    pub fn admit(&mut self, now: Instant, limit: RateLimit) -> Result<(), u64> {
        let length = Duration::from_secs(limit.per_seconds);
        if now.duration_since(self.start) >= length {
            *self = RateWindow::new(now);
        }
        if self.used < limit.requests {
            self.used += 1;
            return Ok(());
        }
        let left = length.saturating_sub(now.duration_since(self.start));
        let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        Err(seconds.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(matcher: Value, effect: Value) -> RuleInput {
        RuleInput {
            matcher: matcher.as_object().cloned(),
            effect: effect.as_object().cloned().unwrap_or_default(),
            ..RuleInput::default()
        }
    }

    fn rule(matcher: Value, effect: Value) -> Rule {
        Rule::parse(input(matcher, effect)).unwrap()
    }

    fn facts<'a>(path: &'a str, method: &'a str) -> RequestFacts<'a> {
        RequestFacts {
            path,
            method,
            ..RequestFacts::default()
        }
    }

    #[test]
    fn paths_match_exactly_or_by_glob_within_segments() {
        let exact = rule(json!({"path": "/access_codes/get"}), json!({"delay_ms": 1})).matcher;
        assert!(exact.matches(&facts("/access_codes/get", "GET")));
        assert!(!exact.matches(&facts("/access_codes/get/x", "GET")));
        let glob = rule(json!({"path": "/access_codes/*"}), json!({"delay_ms": 1})).matcher;
        assert!(glob.matches(&facts("/access_codes/create_multiple", "PUT")));
        assert!(!glob.matches(&facts("/access_codes/unmanaged/list", "GET")));
        assert!(!glob.matches(&facts("/devices/list", "GET")));
        let deep = rule(json!({"path": "/access_codes/**"}), json!({"delay_ms": 1})).matcher;
        assert!(deep.matches(&facts("/access_codes/unmanaged/list", "GET")));
        let either = rule(
            json!({"path": "/{devices,locks}/list"}),
            json!({"delay_ms": 1}),
        )
        .matcher;
        assert!(either.matches(&facts("/locks/list", "GET")));
        assert_eq!(either.to_json(), json!({"path": "/{devices,locks}/list"}));
    }

    #[test]
    fn every_matcher_given_must_hold() {
        let (w, d) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let m = rule(
            json!({"method": "put", "workspace_id": w, "device_id": d, "credential": "api_key"}),
            json!({"delay_ms": 1}),
        )
        .matcher;
        assert!(m.needs_workspace() && m.needs_devices());
        let ids = [Uuid::from_u128(9), d];
        let all = RequestFacts {
            path: "/x",
            method: "PUT",
            credential: Some(CredentialKind::ApiKey),
            workspace_id: Some(w),
            device_ids: &ids,
        };
        assert!(m.matches(&all));
        assert!(!m.matches(&RequestFacts {
            method: "POST",
            ..all
        }));
        assert!(!m.matches(&RequestFacts {
            workspace_id: None,
            ..all
        }));
        assert!(!m.matches(&RequestFacts {
            device_ids: &[],
            ..all
        }));
        assert!(!m.matches(&RequestFacts {
            credential: Some(CredentialKind::ClientSession),
            ..all
        }));
        assert!(FaultMatch::default().matches(&facts("/anything", "GET")));
    }

    #[test]
    fn a_rate_window_lets_n_through_then_counts_down_to_the_next() {
        let t0 = Instant::now();
        let limit = RateLimit {
            requests: 2,
            per_seconds: 10,
        };
        let mut w = RateWindow::new(t0);
        assert_eq!(w.admit(t0, limit), Ok(()));
        assert_eq!(w.admit(t0 + Duration::from_secs(1), limit), Ok(()));
        assert_eq!(w.admit(t0 + Duration::from_millis(1500), limit), Err(9));
        assert_eq!(w.admit(t0 + Duration::from_millis(9999), limit), Err(1));
        assert_eq!(w.admit(t0 + Duration::from_secs(10), limit), Ok(()));
        let mut none = RateWindow::new(t0);
        assert_eq!(
            none.admit(
                t0,
                RateLimit {
                    requests: 0,
                    per_seconds: 3
                }
            ),
            Err(3)
        );
    }
}
