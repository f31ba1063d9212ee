//! Parsing a rule from the JSON of `/_fake/faults/create`: zod's strict objects and messages,
//! every problem under its field's path (`match.path`, `effect.respond.status`, …).

use globset::GlobBuilder;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::*;
use crate::error::Issue;
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
        if let Some(Effect::Device(_)) = &effect {
            device_matchers(&mut p, &matcher);
        }
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
        } else if n >= (1u64 << 63) as f64 {
            // The document gives these counts as int64.
            self.at(
                path,
                format!("Number must be less than or equal to {}", i64::MAX),
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
            prefix: s[..s.find(['*', '?', '[', '{']).unwrap_or(s.len())].to_string(),
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
    if let Some(first) = DEVICE_OUTCOMES.into_iter().find(|k| get(&m, k).is_some()) {
        return parse_device(p, &m, first);
    }
    let before = p.0.len();
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

/// A device outcome (`first` is its key): alone in the effect, with its value checked.
fn parse_device(p: &mut Problems, m: &Map<String, Value>, first: &str) -> Option<Effect> {
    if let Some(other) = m
        .keys()
        .find(|k| k.as_str() != first && get(m, k).is_some())
    {
        p.at(
            &["effect", other],
            format!("{first} is a device outcome: it is not combined with other effects"),
        );
        return None;
    }
    let v = get(m, first)?;
    let path = ["effect", first];
    let outcome = match first {
        "access_code_error" => {
            let s = p.string(&path, v)?;
            let Some(f) = SetFailure::parse(s) else {
                let all: Vec<&str> = SetFailure::ALL.iter().map(|f| f.as_str()).collect();
                p.at(
                    &path,
                    format!(
                        "Invalid enum value. Expected {}, received '{s}'",
                        names(&all)
                    ),
                );
                return None;
            };
            DeviceOutcome::SetError(f)
        }
        "access_code_delay_s" => DeviceOutcome::SetDelay(p.number(&path, v, 1, MAX_DELAY_S)?),
        "remove_error" => {
            let s = p.string(&path, v)?;
            if s != REMOVE_ERROR {
                p.at(
                    &path,
                    format!("Invalid enum value. Expected '{REMOVE_ERROR}', received '{s}'"),
                );
                return None;
            }
            DeviceOutcome::RemoveError
        }
        _ => {
            let e = p.object(&path, v)?;
            p.known_keys(&path, e, &["type", "message"]);
            let error_type = match get(e, "type") {
                Some(t) => p.string(&["effect", first, "type"], t),
                None => {
                    p.at(&["effect", first, "type"], "Required");
                    None
                }
            };
            let message =
                get(e, "message").and_then(|t| p.string(&["effect", first, "message"], t));
            let error_type = error_type.filter(|t| !t.is_empty())?;
            let message = message
                .filter(|t| !t.is_empty())
                .map_or_else(|| format!("Simulated {error_type}"), str::to_string);
            DeviceOutcome::ActionError(Envelope {
                error_type: error_type.into(),
                message: message.into(),
            })
        }
    };
    Some(Effect::Device(outcome))
}

/// A device outcome falls on the jobs of locks, not on requests: it names the lock (or the
/// workspace whose locks) it changes, and takes none of the request's matchers.
fn device_matchers(p: &mut Problems, m: &FaultMatch) {
    let given = [
        ("path", m.path.is_some()),
        ("method", m.method.is_some()),
        ("credential", m.credential.is_some()),
    ];
    for (key, _) in given.iter().filter(|(_, g)| *g) {
        p.at(
            &["match", key],
            "A device outcome matches locks (device_id, workspace_id), not requests",
        );
    }
    if m.device_id.is_none() && m.workspace_id.is_none() {
        p.at(
            &["match", "device_id"],
            "Required: a device outcome names its lock (device_id) or workspace (workspace_id)",
        );
    }
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
    fn counts_stay_within_int64() {
        let outage = json!({"respond": {"status": 503, "empty_body": true}});
        let mut big = input(json!({}), outage.clone());
        big.after = Some(9_223_372_036_854_775_808.0);
        big.times = Some(9_223_372_036_854_775_808.0);
        let got = problems(big);
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["times", "after"], "{got:?}");
        assert_eq!(
            got[0].1,
            "Number must be less than or equal to 9223372036854775807"
        );
        let mut largest = input(json!({}), outage);
        largest.after = Some(4_611_686_018_427_387_904.0);
        assert!(Rule::parse(largest).is_ok());
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
    fn device_outcomes_parse_alone_and_name_their_lock() {
        let d = Uuid::from_u128(7);
        let on = |effect: Value| Rule::parse(input(json!({"device_id": d}), effect));
        let e = |effect: Value| on(effect).unwrap().effect;
        assert_eq!(
            e(json!({"access_code_error": "no_space_for_access_code_on_device"})),
            Effect::Device(DeviceOutcome::SetError(
                SetFailure::NoSpaceForAccessCodeOnDevice
            ))
        );
        assert_eq!(
            e(json!({"access_code_delay_s": 600})).to_json(),
            json!({"access_code_delay_s": 600})
        );
        assert_eq!(
            e(json!({"remove_error": "failed_to_remove_from_device"})),
            Effect::Device(DeviceOutcome::RemoveError)
        );
        assert_eq!(
            e(json!({"action_attempt_error": {"type": "lock_jammed"}})).to_json(),
            json!({"action_attempt_error": {"type": "lock_jammed", "message": "Simulated lock_jammed"}})
        );
        let field = |matcher: Value, effect: Value| problems(input(matcher, effect))[0].0.clone();
        let dm = json!({"device_id": d});
        assert_eq!(
            field(dm.clone(), json!({"access_code_error": "jammed"})),
            "effect.access_code_error"
        );
        assert_eq!(
            field(dm.clone(), json!({"access_code_delay_s": 0})),
            "effect.access_code_delay_s"
        );
        assert_eq!(
            field(
                dm.clone(),
                json!({"remove_error": "failed_to_set_on_device"})
            ),
            "effect.remove_error"
        );
        assert_eq!(
            field(dm.clone(), json!({"action_attempt_error": {}})),
            "effect.action_attempt_error.type"
        );
        assert_eq!(
            field(
                dm,
                json!({"remove_error": "failed_to_remove_from_device", "delay_ms": 5})
            ),
            "effect.delay_ms"
        );
        assert_eq!(
            field(json!({}), json!({"access_code_delay_s": 5})),
            "match.device_id"
        );
        assert_eq!(
            field(
                json!({"device_id": d, "path": "/locks/lock_door"}),
                json!({"access_code_delay_s": 5})
            ),
            "match.path"
        );
        let ws = Rule::parse(input(
            json!({"workspace_id": d}),
            json!({"access_code_delay_s": 5}),
        ))
        .unwrap();
        assert!(ws.matcher.matches_device(d, Uuid::from_u128(1)));
        assert!(!ws.matcher.matches_device(Uuid::from_u128(1), d));
    }
}
