//! Fault rules (contract §14): which requests a rule matches ([`FaultMatch`]), what it does to
//! them ([`Effect`]), and the limits on how often ([`Rule`]: `times`, `after`, `probability`),
//! parsed from the JSON of `/_fake/faults/create` with every problem named by its field. Also
//! the per-workspace window of a rate limit ([`RateWindow`]). Pure: the store keeps the rules
//! and their counters, the HTTP layer carries out what they decide.

use std::sync::Arc;
use std::time::{Duration, Instant};

use globset::{GlobBuilder, GlobMatcher};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::credential::CredentialKind;
use crate::error::Issue;

/// The longest delay a rule may hold an answer (ten minutes): longer than any client waits.
pub const MAX_DELAY_MS: u64 = 600_000;

/// The methods a rule can name (the verbs the server answers).
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The effect keys that change what a device does rather than the HTTP answer: reserved for
/// the device model (contract §14, "Device outcomes"); a rule naming one is refused until the
/// model serves it, so a test that relies on one fails loudly instead of passing untouched.
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
    Glob { text: String, glob: GlobMatcher },
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
            PathPattern::Glob { glob, .. } => glob.is_match(path),
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
        self.path.as_ref().is_none_or(|p| p.matches(r.path))
            && self.method.is_none_or(|m| m.eq_ignore_ascii_case(r.method))
            && self.credential.is_none_or(|c| r.credential == Some(c))
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

/// What a rule does. HTTP effects only for now; the device outcomes of contract §14
/// ([`DEVICE_OUTCOMES`]) join as variants beside `Http`, matched where the device programs a
/// code, so every `match` on an effect must name them when they come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Http(HttpEffect),
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
        }
    }
}

/// One rule as asked for.
#[derive(Clone, Debug)]
pub struct Rule {
    pub matcher: FaultMatch,
    pub effect: Effect,
    /// How many requests it affects before it retires; `None`: no limit.
    pub times: Option<u64>,
    /// The chance (0–1) that a matching request past `after` is affected; `None`: always.
    pub probability: Option<f64>,
    /// How many matching requests pass untouched before it starts.
    pub after: u64,
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

impl Rule {
    /// Parses a rule, or says what is wrong with it, each problem under its field's path.
    pub fn parse(input: RuleInput) -> Result<Rule, Vec<Issue>> {
        let mut p = Problems::default();
        let matcher = parse_match(&mut p, input.matcher.unwrap_or_default());
        let effect = parse_effect(&mut p, input.effect);
        let times = input.times.and_then(|n| p.count(&["times"], n, 1));
        let after = input.after.and_then(|n| p.count(&["after"], n, 0));
        let probability = input.probability.filter(|&x| {
            let ok = (0.0..=1.0).contains(&x);
            if !ok {
                p.at(&["probability"], "Number must be between 0 and 1");
            }
            ok
        });
        match (p.0.is_empty(), effect) {
            (true, Some(effect)) => Ok(Rule {
                matcher,
                effect,
                times,
                probability,
                after: after.unwrap_or(0),
            }),
            _ => Err(p.0),
        }
    }
}

/// The problems found so far.
#[derive(Default)]
struct Problems(Vec<Issue>);

impl Problems {
    fn at(&mut self, path: &[&str], message: impl Into<String>) {
        self.0.push(Issue::new(
            path.iter().map(|s| s.to_string()).collect(),
            message,
        ));
    }

    fn expected<T>(&mut self, path: &[&str], what: &str, got: &Value) -> Option<T> {
        let kind = match got {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        self.at(path, format!("Expected {what}, received {kind}"));
        None
    }

    /// A whole number of at least `min`.
    fn count(&mut self, path: &[&str], n: f64, min: u64) -> Option<u64> {
        if n.fract() != 0.0 {
            self.at(path, "Expected integer, received float");
            None
        } else if n < min as f64 {
            self.at(
                path,
                format!("Number must be greater than or equal to {min}"),
            );
            None
        } else {
            Some(n as u64)
        }
    }

    fn number(&mut self, path: &[&str], v: &Value, min: u64, max: u64) -> Option<u64> {
        let n = match v.as_f64() {
            Some(n) => n,
            None => return self.expected(path, "number", v),
        };
        let n = self.count(path, n, min)?;
        if n > max {
            self.at(path, format!("Number must be less than or equal to {max}"));
            return None;
        }
        Some(n)
    }

    fn string<'v>(&mut self, path: &[&str], v: &'v Value) -> Option<&'v str> {
        match v {
            Value::String(s) => Some(s),
            other => self.expected(path, "string", other),
        }
    }

    fn object<'v>(&mut self, path: &[&str], v: &'v Value) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => self.expected(path, "object", other),
        }
    }

    /// zod's strict objects: a key the rule does not know is a mistake, not a no-op (a
    /// misspelt matcher would otherwise match every request).
    fn known_keys(&mut self, path: &[&str], m: &Map<String, Value>, known: &[&str]) {
        let unknown: Vec<String> = m
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| format!("'{k}'"))
            .collect();
        if !unknown.is_empty() {
            self.at(
                path,
                format!("Unrecognized key(s) in object: {}", unknown.join(", ")),
            );
        }
    }

    fn uuid(&mut self, path: &[&str], v: &Value) -> Option<Uuid> {
        let s = self.string(path, v)?;
        let id = Uuid::try_parse(s).ok();
        if id.is_none() {
            self.at(path, "Invalid uuid");
        }
        id
    }
}

/// The present, non-null value of `key`.
fn get<'m>(m: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn parse_match(p: &mut Problems, m: Map<String, Value>) -> FaultMatch {
    const KEYS: [&str; 5] = ["path", "method", "workspace_id", "device_id", "credential"];
    p.known_keys(&["match"], &m, &KEYS);
    let mut out = FaultMatch::default();
    if let Some(v) = get(&m, "path") {
        out.path = p.string(&["match", "path"], v).and_then(|s| {
            let pattern = parse_path(s);
            if let Err(msg) = &pattern {
                p.at(&["match", "path"], msg.clone());
            }
            pattern.ok()
        });
    }
    if let Some(v) = get(&m, "method") {
        out.method = p.string(&["match", "method"], v).and_then(|s| {
            let found = METHODS.iter().find(|x| x.eq_ignore_ascii_case(s)).copied();
            if found.is_none() {
                p.at(
                    &["match", "method"],
                    format!(
                        "Invalid enum value. Expected {}, received '{s}'",
                        names(&METHODS)
                    ),
                );
            }
            found
        });
    }
    if let Some(v) = get(&m, "workspace_id") {
        out.workspace_id = p.uuid(&["match", "workspace_id"], v);
    }
    if let Some(v) = get(&m, "device_id") {
        out.device_id = p.uuid(&["match", "device_id"], v);
    }
    if let Some(v) = get(&m, "credential") {
        out.credential = p.string(&["match", "credential"], v).and_then(|s| {
            let kind = CredentialKind::parse(s);
            if kind.is_none() {
                let all: Vec<&str> = CredentialKind::ALL.iter().map(|c| c.as_str()).collect();
                p.at(
                    &["match", "credential"],
                    format!(
                        "Invalid enum value. Expected {}, received '{s}'",
                        names(&all)
                    ),
                );
            }
            kind
        });
    }
    out
}

/// `'a' | 'b'`, as zod lists the values of an enum.
fn names(all: &[&str]) -> String {
    all.iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A path as given: a glob when it has a glob character (`*`, `?`, `[`, `{`), else exact.
pub fn parse_path(s: &str) -> Result<PathPattern, String> {
    if !s.starts_with('/') {
        return Err("A path starts with /".into());
    }
    if !s.contains(['*', '?', '[', '{']) {
        return Ok(PathPattern::Exact(s.to_string()));
    }
    GlobBuilder::new(s)
        .literal_separator(true)
        .build()
        .map(|g| PathPattern::Glob {
            text: s.to_string(),
            glob: g.compile_matcher(),
        })
        .map_err(|e| format!("Invalid glob: {}", e.kind()))
}

fn parse_effect(p: &mut Problems, m: Map<String, Value>) -> Option<Effect> {
    const HTTP: [&str; 5] = [
        "respond",
        "delay_ms",
        "drop_connection",
        "when",
        "rate_limit",
    ];
    let known: Vec<&str> = HTTP.iter().chain(DEVICE_OUTCOMES.iter()).copied().collect();
    p.known_keys(&["effect"], &m, &known);
    let before = p.0.len();
    for key in DEVICE_OUTCOMES {
        if m.contains_key(key) {
            p.at(
                &["effect", key],
                "Device outcomes are not served yet: use respond, delay_ms, drop_connection or rate_limit",
            );
        }
    }
    let delay_ms =
        get(&m, "delay_ms").and_then(|v| p.number(&["effect", "delay_ms"], v, 0, MAX_DELAY_MS));
    let when = get(&m, "when").and_then(|v| match p.string(&["effect", "when"], v)? {
        "before" => Some(When::Before),
        "after" => Some(When::After),
        other => {
            p.at(
                &["effect", "when"],
                format!("Invalid enum value. Expected 'before' | 'after', received '{other}'"),
            );
            None
        }
    });
    let drop = get(&m, "drop_connection").and_then(|v| match v {
        Value::Bool(true) => Some(()),
        Value::Bool(false) => {
            p.at(
                &["effect", "drop_connection"],
                "Expected true, received false",
            );
            None
        }
        other => p.expected(&["effect", "drop_connection"], "boolean", other),
    });
    let respond = get(&m, "respond").and_then(|v| parse_respond(p, v));
    let rate_limit = get(&m, "rate_limit").and_then(|v| parse_rate_limit(p, v));
    if p.0.len() > before {
        return None;
    }
    let delay = get(&m, "delay_ms").is_some();
    let effect = if let Some(limit) = rate_limit {
        if let Some(other) = ["respond", "delay_ms", "drop_connection", "when"]
            .into_iter()
            .find(|k| get(&m, k).is_some())
        {
            p.at(
                &["effect", other],
                "rate_limit is not combined with other effects",
            );
            return None;
        }
        HttpEffect::RateLimit(limit)
    } else if let Some(respond) = respond {
        if get(&m, "drop_connection").is_some() {
            p.at(
                &["effect", "drop_connection"],
                "respond and drop_connection exclude each other",
            );
            return None;
        }
        if when == Some(When::After) {
            p.at(
                &["effect", "when"],
                "A respond rule answers in place of the request: it cannot come after it",
            );
            return None;
        }
        HttpEffect::Respond {
            respond,
            delay_ms: delay_ms.unwrap_or(0),
        }
    } else if drop.is_some() {
        HttpEffect::Drop {
            delay_ms: delay_ms.unwrap_or(0),
            when: when.unwrap_or_default(),
        }
    } else if delay {
        HttpEffect::Delay {
            ms: delay_ms.unwrap_or(0),
            when: when.unwrap_or_default(),
        }
    } else {
        p.at(
            &["effect"],
            "An effect needs one of respond, delay_ms, drop_connection, rate_limit",
        );
        return None;
    };
    Some(Effect::Http(effect))
}

fn parse_respond(p: &mut Problems, v: &Value) -> Option<Respond> {
    const PATH: [&str; 2] = ["effect", "respond"];
    let m = p.object(&PATH, v)?;
    p.known_keys(&PATH, m, &["status", "error_type", "message", "empty_body"]);
    let status = match get(m, "status") {
        Some(s) => p.number(&["effect", "respond", "status"], s, 400, 599),
        None => {
            p.at(&["effect", "respond", "status"], "Required");
            None
        }
    };
    let empty = match get(m, "empty_body") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(other) => return p.expected(&["effect", "respond", "empty_body"], "boolean", other),
    };
    let error_type =
        get(m, "error_type").and_then(|v| p.string(&["effect", "respond", "error_type"], v));
    let message = get(m, "message").and_then(|v| p.string(&["effect", "respond", "message"], v));
    if empty {
        for (key, given) in [("error_type", error_type), ("message", message)] {
            if given.is_some() {
                p.at(
                    &["effect", "respond", key],
                    "An empty body has no error_type or message",
                );
            }
        }
        return Some(Respond {
            status: status? as u16,
            envelope: None,
        });
    }
    let Some(error_type) = error_type.filter(|t| !t.is_empty()) else {
        if get(m, "error_type").is_none() {
            p.at(&["effect", "respond", "error_type"], "Required");
        }
        return None;
    };
    let message = message
        .filter(|t| !t.is_empty())
        .map_or_else(|| format!("Simulated {error_type}"), str::to_string);
    Some(Respond {
        status: status? as u16,
        envelope: Some(Envelope {
            error_type: error_type.into(),
            message: message.into(),
        }),
    })
}

fn parse_rate_limit(p: &mut Problems, v: &Value) -> Option<RateLimit> {
    const PATH: [&str; 2] = ["effect", "rate_limit"];
    let m = p.object(&PATH, v)?;
    p.known_keys(&PATH, m, &["requests", "per_seconds"]);
    let mut read = |key: &str, min: u64| match get(m, key) {
        Some(v) => p.number(&["effect", "rate_limit", key], v, min, u64::from(u32::MAX)),
        None => {
            p.at(&["effect", "rate_limit", key], "Required");
            None
        }
    };
    let requests = read("requests", 0);
    let per_seconds = read("per_seconds", 1);
    Some(RateLimit {
        requests: requests?,
        per_seconds: per_seconds?,
    })
}

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

    fn problems(i: RuleInput) -> Vec<(String, String)> {
        Rule::parse(i)
            .unwrap_err()
            .into_iter()
            .map(|i| (i.path.join("."), i.message))
            .collect()
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
    fn effects_parse_with_their_defaults() {
        let e = |v: Value| rule(json!({}), v).effect;
        assert_eq!(
            e(json!({"respond": {"status": 503, "empty_body": true}})),
            Effect::Http(HttpEffect::Respond {
                respond: Respond {
                    status: 503,
                    envelope: None
                },
                delay_ms: 0
            })
        );
        let r = e(
            json!({"respond": {"status": 500, "error_type": "internal_server_error"}, "delay_ms": 20}),
        );
        assert_eq!(
            r.to_json(),
            json!({"respond": {"status": 500, "error_type": "internal_server_error",
                   "message": "Simulated internal_server_error"}, "delay_ms": 20})
        );
        assert_eq!(
            e(json!({"delay_ms": 5})),
            Effect::Http(HttpEffect::Delay {
                ms: 5,
                when: When::Before
            })
        );
        assert_eq!(
            e(json!({"drop_connection": true, "when": "after"})),
            Effect::Http(HttpEffect::Drop {
                delay_ms: 0,
                when: When::After
            })
        );
        assert_eq!(
            e(json!({"rate_limit": {"requests": 2, "per_seconds": 60}})).to_json(),
            json!({"rate_limit": {"requests": 2, "per_seconds": 60}})
        );
    }

    #[test]
    fn a_bad_rule_names_each_field() {
        let got = problems(RuleInput {
            matcher:
                json!({"paht": "/x", "method": "FETCH", "device_id": "nope", "credential": "key"})
                    .as_object()
                    .cloned(),
            effect: json!({"respond": {"status": 200}})
                .as_object()
                .cloned()
                .unwrap(),
            times: Some(0.0),
            probability: Some(1.5),
            after: Some(1.5),
        });
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "match",
                "match.method",
                "match.device_id",
                "match.credential",
                "effect.respond.status",
                "effect.respond.error_type",
                "times",
                "after",
                "probability"
            ],
            "{got:?}"
        );
        assert_eq!(got[0].1, "Unrecognized key(s) in object: 'paht'");
        assert_eq!(got[4].1, "Number must be greater than or equal to 400");
    }

    #[test]
    fn effects_that_exclude_each_other_or_say_nothing_are_refused() {
        let field = |effect: Value| problems(input(json!({}), effect))[0].0.clone();
        assert_eq!(field(json!({})), "effect");
        assert_eq!(field(json!({"when": "after"})), "effect");
        assert_eq!(
            field(json!({"rate_limit": {"requests": 1, "per_seconds": 1}, "delay_ms": 1})),
            "effect.delay_ms"
        );
        assert_eq!(
            field(json!({"respond": {"status": 503, "empty_body": true}, "drop_connection": true})),
            "effect.drop_connection"
        );
        assert_eq!(
            field(json!({"respond": {"status": 503, "empty_body": true}, "when": "after"})),
            "effect.when"
        );
        assert_eq!(
            field(json!({"drop_connection": false})),
            "effect.drop_connection"
        );
        assert_eq!(
            field(json!({"delay_ms": MAX_DELAY_MS + 1})),
            "effect.delay_ms"
        );
        assert_eq!(
            field(json!({"respond": {"status": 503, "empty_body": true, "message": "m"}})),
            "effect.respond.message"
        );
        assert_eq!(
            field(json!({"rate_limit": {"requests": 1}})),
            "effect.rate_limit.per_seconds"
        );
        assert_eq!(field(json!({"path": "x"})), "effect");
        assert_eq!(
            problems(input(json!({"path": "devices"}), json!({"delay_ms": 1})))[0].0,
            "match.path"
        );
        assert_eq!(
            problems(input(json!({"path": "/a/[b"}), json!({"delay_ms": 1})))[0].0,
            "match.path"
        );
    }

    #[test]
    fn device_outcomes_are_reserved_and_refused_by_name() {
        for key in DEVICE_OUTCOMES {
            let got = problems(input(json!({}), json!({ key: "failed_to_set_on_device" })));
            assert_eq!(got[0].0, format!("effect.{key}"));
            assert!(got[0].1.contains("not served yet"), "{got:?}");
        }
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
