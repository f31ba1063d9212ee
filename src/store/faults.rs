//! The fault rules in force (contract §14) and their counters: how many matching requests each
//! has seen, how many it affected (`hits`), its own random stream for `probability`, and its
//! rate-limit windows. One table behind its own mutex, beside the registry: deciding never
//! waits for a workspace (a leaf lock: a workspace asks it about its locks' jobs under its own
//! lock, and nothing here takes another). With no live HTTP rule the HTTP layer reads one
//! atomic and goes on; with no live device outcome, so does a workspace's lifecycle.
//!
//! Repeatable: with `--rng-seed`, rule ids come from a stream seeded by it, and each rule draws
//! its `probability` from a stream seeded by the seed and its id, so the same requests meet the
//! same faults on every run, whatever other rules see.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::fault::{
    DeviceOutcome, Effect, HttpEffect, Job, RateWindow, RequestFacts, Respond, Rule, RuleInput,
    When,
};

/// A rule as `/_fake/faults/create` and `/_fake/faults/list` show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FaultView {
    pub fault_id: Uuid,
    /// The matchers as given (`path`, `method`, `workspace_id`, `device_id`, `credential`).
    #[serde(rename = "match")]
    #[schema(value_type = Object)]
    pub matcher: Value,
    /// The effect, with its defaults written out.
    #[schema(value_type = Object)]
    pub effect: Value,
    /// How many requests (jobs, for a device outcome) it affects before it retires; `null`:
    /// no limit.
    #[schema(required = true)]
    pub times: Option<u64>,
    /// The chance that a matching request past `after` is affected; `null`: always.
    #[schema(required = true)]
    pub probability: Option<f64>,
    /// How many matching requests pass untouched before it starts.
    pub after: u64,
    /// How many requests (jobs, for a device outcome) it affected.
    pub hits: u64,
    /// When it was made, by the server clock.
    #[serde(with = "crate::domain::timestamp::required")]
    pub created_at: DateTime<Utc>,
}

/// A rule as the state file keeps it: as listed, with its place in the table and how many
/// matching requests or jobs it has seen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRecord {
    #[serde(flatten)]
    pub view: FaultView,
    pub position: usize,
    pub seen: u64,
}

/// What the HTTP layer is to do with a request a rule applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Answer with this after `delay_ms`; the request does not run.
    Respond { respond: Respond, delay_ms: u64 },
    /// Run the request, its answer held `ms` before or after.
    Delay { ms: u64, when: When },
    /// Close the connection without an answer, after `delay_ms`, before or after it runs.
    Drop { delay_ms: u64, when: When },
    /// 429 `rate_limited`, with `Retry-After` seconds.
    RateLimited { retry_after_s: u64 },
}

impl Action {
    /// The effect's name, for the log.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Respond { .. } => "respond",
            Action::Delay { .. } => "delay_ms",
            Action::Drop { .. } => "drop_connection",
            Action::RateLimited { .. } => "rate_limit",
        }
    }
}

/// The rule that applied to a request, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub fault_id: Uuid,
    pub action: Action,
}

/// Put on a response a rule shaped, so the journal and the log line name the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultMark {
    pub fault_id: Uuid,
    /// The `error.type` a `respond` or rate-limit answer carries.
    pub error_type: Option<Arc<str>>,
}

/// What the rules that could match a request need to know beyond its line and headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub workspace: bool,
    pub devices: bool,
}

struct Entry {
    fault_id: Uuid,
    rule: Rule,
    created_at: DateTime<Utc>,
    /// Matching requests seen while live (those under `after` included).
    seen: u64,
    hits: u64,
    rng: StdRng,
    /// Per workspace (`None`: requests that opened none).
    windows: HashMap<Option<Uuid>, RateWindow>,
}

impl Entry {
    fn live(&self) -> bool {
        self.rule.times.is_none_or(|t| self.hits < t)
    }

    fn is_device(&self) -> bool {
        self.rule.device_outcome().is_some()
    }

    /// Whether deciding needs more than the request line and headers (its workspace or the
    /// devices it names).
    fn wants_extras(&self) -> bool {
        !self.is_device()
            && (self.rule.matcher.needs_workspace()
                || matches!(self.rule.effect, Effect::Http(HttpEffect::RateLimit(_))))
    }

    /// Counts one matching request or job: whether the rule applies to it (past `after`, and
    /// its draw hit), without counting a hit.
    fn draw(&mut self) -> bool {
        self.seen += 1;
        if self.seen <= self.rule.after {
            return false;
        }
        self.rule
            .probability
            .is_none_or(|p| self.rng.random::<f64>() < p)
    }

    fn drops(&self) -> bool {
        matches!(self.rule.effect, Effect::Http(HttpEffect::Drop { .. }))
    }

    fn view(&self) -> FaultView {
        FaultView {
            fault_id: self.fault_id,
            matcher: self.rule.matcher.to_json(),
            effect: self.rule.effect.to_json(),
            times: self.rule.times,
            probability: self.rule.probability,
            after: self.rule.after,
            hits: self.hits,
            created_at: self.created_at,
        }
    }
}

struct Table {
    entries: Vec<Entry>,
    ids: StdRng,
}

/// The rule table.
pub struct Faults {
    /// Live HTTP rules: the one number the request path reads when there are none.
    live: AtomicUsize,
    /// Live device outcomes: the one number a lock's job reads when there are none.
    devices: AtomicUsize,
    /// Moves with every change of the table (a rule made, deleted, or hit): the state file
    /// writes the rules again when it has moved.
    version: AtomicU64,
    /// Live rules that need the workspace or devices, and live rules that drop connections:
    /// read without the lock, so a table without them costs no extra pass or handle.
    extras: AtomicUsize,
    drops: AtomicUsize,
    seed: Option<u64>,
    table: Mutex<Table>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("live", &self.live)
            .field("devices", &self.devices)
            .finish_non_exhaustive()
    }
}

impl Faults {
    /// An empty table; `seed` (`--rng-seed`) makes ids and draws repeatable.
    pub fn new(seed: Option<u64>) -> Self {
        Faults {
            live: AtomicUsize::new(0),
            devices: AtomicUsize::new(0),
            version: AtomicU64::new(0),
            extras: AtomicUsize::new(0),
            drops: AtomicUsize::new(0),
            seed,
            table: Mutex::new(Table {
                entries: Vec::new(),
                ids: match seed {
                    Some(s) => StdRng::seed_from_u64(s ^ 0x6661_756c_7473),
                    None => rand::make_rng(),
                },
            }),
        }
    }

    /// Whether no HTTP rule is live: the request path's whole cost when there are none.
    pub fn is_idle(&self) -> bool {
        self.live.load(Ordering::Relaxed) == 0
    }

    /// Whether a device outcome is live: a lock's job asks [`Faults::job`] only then.
    pub fn has_device_outcomes(&self) -> bool {
        self.devices.load(Ordering::Relaxed) > 0
    }

    /// How many changes the table has seen (the state file compares it).
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    fn changed(&self) {
        self.version.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether a live rule needs the request's workspace or devices ([`Faults::needs`]).
    pub fn wants_extras(&self) -> bool {
        self.extras.load(Ordering::Relaxed) > 0
    }

    /// Whether a live rule may drop a connection.
    pub fn may_drop(&self) -> bool {
        self.drops.load(Ordering::Relaxed) > 0
    }

    /// Counts a rule in (`+1`) or out (`-1`) of the live counters; called under the table lock.
    fn count(&self, e: &Entry, counted: bool) {
        let add = |n: &AtomicUsize| {
            if counted {
                n.fetch_add(1, Ordering::Relaxed);
            } else {
                n.fetch_sub(1, Ordering::Relaxed);
            }
        };
        if e.is_device() {
            add(&self.devices);
            return;
        }
        add(&self.live);
        if e.wants_extras() {
            add(&self.extras);
        }
        if e.drops() {
            add(&self.drops);
        }
    }

    /// The random stream of a rule's `probability`.
    fn rng_of(&self, fault_id: Uuid) -> StdRng {
        match self.seed {
            Some(s) => {
                let (hi, lo) = fault_id.as_u64_pair();
                StdRng::seed_from_u64(s ^ hi ^ lo.rotate_left(23))
            }
            None => rand::make_rng(),
        }
    }

    /// Adds a rule at the end of the table (earlier rules match first).
    pub fn create(&self, rule: Rule, now: DateTime<Utc>) -> FaultView {
        let mut t = self.table.lock();
        let fault_id = uuid::Builder::from_random_bytes(t.ids.random()).into_uuid();
        let entry = Entry {
            fault_id,
            rule,
            created_at: now,
            seen: 0,
            hits: 0,
            rng: self.rng_of(fault_id),
            windows: HashMap::new(),
        };
        let view = entry.view();
        if entry.live() {
            self.count(&entry, true);
        }
        t.entries.push(entry);
        self.changed();
        view
    }

    /// Every rule as the state file keeps it, in matching order.
    pub fn records(&self) -> Vec<FaultRecord> {
        let t = self.table.lock();
        t.entries
            .iter()
            .enumerate()
            .map(|(position, e)| FaultRecord {
                view: e.view(),
                position,
                seen: e.seen,
            })
            .collect()
    }

    /// Puts back the rules a state file kept (after the ones there are), with their counts;
    /// a rule that no longer parses is named in the error and nothing is added.
    pub fn load(&self, mut records: Vec<FaultRecord>) -> Result<(), String> {
        records.sort_by_key(|r| r.position);
        let mut entries = Vec::with_capacity(records.len());
        for r in records {
            let v = r.view;
            let number = |n: Option<u64>| n.map(|n| n as f64);
            let rule = Rule::parse(RuleInput {
                matcher: v.matcher.as_object().cloned(),
                effect: v.effect.as_object().cloned().unwrap_or_default(),
                times: number(v.times),
                probability: v.probability,
                after: Some(v.after as f64),
            })
            .map_err(|issues| format!("fault {}: {issues:?}", v.fault_id))?;
            entries.push(Entry {
                fault_id: v.fault_id,
                rule,
                created_at: v.created_at,
                seen: r.seen,
                hits: v.hits,
                rng: self.rng_of(v.fault_id),
                windows: HashMap::new(),
            });
        }
        let mut t = self.table.lock();
        for e in entries {
            if e.live() {
                self.count(&e, true);
            }
            t.entries.push(e);
        }
        self.changed();
        Ok(())
    }

    /// Every rule, retired ones too, in matching order.
    pub fn list(&self) -> Vec<FaultView> {
        self.table.lock().entries.iter().map(Entry::view).collect()
    }

    /// Removes one rule; `false` when there is none with that id.
    pub fn delete(&self, fault_id: Uuid) -> bool {
        let mut t = self.table.lock();
        let Some(i) = t.entries.iter().position(|e| e.fault_id == fault_id) else {
            return false;
        };
        let gone = t.entries.remove(i);
        if gone.live() {
            self.count(&gone, false);
        }
        self.changed();
        true
    }

    /// Removes every rule; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut t = self.table.lock();
        for n in [&self.live, &self.devices, &self.extras, &self.drops] {
            n.store(0, Ordering::Relaxed);
        }
        self.changed();
        std::mem::take(&mut t.entries).len()
    }

    /// Decides a job of a lock: the first live device outcome for that job that matches the
    /// lock counts it and decides alone, as a rule decides a request. `None`: the lock does its
    /// job.
    pub fn job(&self, job: Job, workspace_id: Uuid, device_id: Uuid) -> Option<DeviceOutcome> {
        if !self.has_device_outcomes() {
            return None;
        }
        let mut t = self.table.lock();
        let e = t.entries.iter_mut().find(|e| {
            e.live()
                && e.rule.device_outcome().is_some_and(|o| o.job() == job)
                && e.rule.matcher.matches_device(workspace_id, device_id)
        })?;
        let applies = e.draw();
        self.changed();
        if !applies {
            return None;
        }
        e.hits += 1;
        // The log line that names the rule (no request's line does: the job runs in a tick).
        tracing::info!(fault_id = %e.fault_id, %device_id, ?job, "fault rule applied to a lock's job");
        let outcome = e.rule.device_outcome().cloned();
        if !e.live() {
            self.count(e, false);
        }
        outcome
    }

    /// What the live rules whose path, method and credential match need to decide.
    pub fn needs(&self, r: &RequestFacts) -> Needs {
        let t = self.table.lock();
        let mut needs = Needs::default();
        for e in t.entries.iter().filter(|e| e.live() && !e.is_device()) {
            let m = &e.rule.matcher;
            if m.matches_cheaply(r) {
                needs.workspace |= e.wants_extras();
                needs.devices |= m.needs_devices();
            }
        }
        needs
    }

    /// Decides a request: the first live rule that matches it counts it and decides alone
    /// (untouched while under `after` or when its draw misses); `None` lets it through.
    pub fn decide(&self, r: &RequestFacts, now: Instant) -> Option<Applied> {
        let mut t = self.table.lock();
        let e = t
            .entries
            .iter_mut()
            .find(|e| e.live() && !e.is_device() && e.rule.matcher.matches(r))?;
        let applies = e.draw();
        self.changed();
        if !applies {
            return None;
        }
        let action = match &e.rule.effect {
            // Not found above: device outcomes never decide a request.
            Effect::Device(_) => return None,
            Effect::Http(HttpEffect::Respond { respond, delay_ms }) => Action::Respond {
                respond: respond.clone(),
                delay_ms: *delay_ms,
            },
            Effect::Http(HttpEffect::Delay { ms, when }) => Action::Delay {
                ms: *ms,
                when: *when,
            },
            Effect::Http(HttpEffect::Drop { delay_ms, when }) => Action::Drop {
                delay_ms: *delay_ms,
                when: *when,
            },
            Effect::Http(HttpEffect::RateLimit(limit)) => {
                let window = e
                    .windows
                    .entry(r.workspace_id)
                    .or_insert_with(|| RateWindow::new(now));
                match window.admit(now, *limit) {
                    Ok(()) => return None,
                    Err(retry_after_s) => Action::RateLimited { retry_after_s },
                }
            }
        };
        e.hits += 1;
        let fault_id = e.fault_id;
        if !e.live() {
            self.count(e, false);
        }
        Some(Applied { fault_id, action })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fault::RuleInput;
    use serde_json::json;

    fn rule(
        matcher: Value,
        effect: Value,
        times: Option<f64>,
        after: Option<f64>,
        p: Option<f64>,
    ) -> Rule {
        Rule::parse(RuleInput {
            matcher: matcher.as_object().cloned(),
            effect: effect.as_object().cloned().unwrap(),
            times,
            probability: p,
            after,
        })
        .unwrap()
    }

    fn get(path: &str) -> RequestFacts<'_> {
        RequestFacts {
            path,
            method: "GET",
            ..RequestFacts::default()
        }
    }

    fn delay() -> Value {
        json!({"delay_ms": 1})
    }

    #[test]
    fn after_passes_then_times_retires_and_the_table_goes_idle() {
        let f = Faults::new(Some(1));
        assert!(f.is_idle());
        f.create(
            rule(json!({"path": "/a"}), delay(), Some(2.0), Some(1.0), None),
            Utc::now(),
        );
        assert!(!f.is_idle());
        let now = Instant::now();
        let hits: Vec<bool> = (0..5)
            .map(|_| f.decide(&get("/a"), now).is_some())
            .collect();
        assert_eq!(hits, [false, true, true, false, false]);
        assert!(f.is_idle());
        assert_eq!(f.list()[0].hits, 2);
        assert!(f.decide(&get("/b"), now).is_none());
    }

    #[test]
    fn the_first_live_match_decides_alone() {
        let f = Faults::new(Some(1));
        let first = f.create(
            rule(json!({"path": "/a"}), delay(), Some(1.0), Some(1.0), None),
            Utc::now(),
        );
        let second = f.create(rule(json!({}), delay(), None, None, None), Utc::now());
        let now = Instant::now();
        // Under the first rule's `after`: untouched, the second is not asked.
        assert_eq!(f.decide(&get("/a"), now), None);
        assert_eq!(f.decide(&get("/a"), now).unwrap().fault_id, first.fault_id);
        // Retired: the next live rule decides.
        assert_eq!(f.decide(&get("/a"), now).unwrap().fault_id, second.fault_id);
        assert!(f.delete(second.fault_id));
        assert!(!f.delete(second.fault_id));
        assert!(f.is_idle());
        assert_eq!(f.clear(), 1);
    }

    #[test]
    fn the_same_seed_draws_the_same_requests() {
        let run = |seed| {
            let f = Faults::new(Some(seed));
            f.create(rule(json!({}), delay(), None, None, Some(0.5)), Utc::now());
            let now = Instant::now();
            (0..64)
                .map(|_| f.decide(&get("/a"), now).is_some())
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let hits = a.iter().filter(|h| **h).count();
        assert!((16..=48).contains(&hits), "{hits} of 64");
    }

    #[test]
    fn rate_limits_count_per_workspace_and_needs_say_so() {
        let f = Faults::new(Some(1));
        f.create(
            rule(
                json!({"path": "/a"}),
                json!({"rate_limit": {"requests": 1, "per_seconds": 60}}),
                None,
                None,
                None,
            ),
            Utc::now(),
        );
        assert_eq!(
            f.needs(&get("/a")),
            Needs {
                workspace: true,
                devices: false
            }
        );
        assert_eq!(f.needs(&get("/b")), Needs::default());
        assert!(f.wants_extras() && !f.may_drop());
        let drop = f.create(
            rule(
                json!({}),
                json!({"drop_connection": true}),
                Some(1.0),
                None,
                None,
            ),
            Utc::now(),
        );
        assert!(f.may_drop());
        assert!(f.delete(drop.fault_id));
        assert!(!f.may_drop() && f.wants_extras());
        let (w1, w2) = (Some(Uuid::from_u128(1)), Some(Uuid::from_u128(2)));
        let now = Instant::now();
        let at = |w| RequestFacts {
            workspace_id: w,
            ..get("/a")
        };
        assert_eq!(f.decide(&at(w1), now), None);
        assert_eq!(f.decide(&at(w2), now), None);
        let refused = f.decide(&at(w1), now).unwrap();
        assert_eq!(refused.action, Action::RateLimited { retry_after_s: 60 });
        assert_eq!(f.list()[0].hits, 1);
    }

    #[test]
    fn device_outcomes_leave_requests_alone_and_count_their_own_jobs() {
        let f = Faults::new(Some(1));
        let (ws, lock) = (Uuid::from_u128(1), Uuid::from_u128(2));
        f.create(
            rule(
                json!({"device_id": lock}),
                json!({"remove_error": "failed_to_remove_from_device"}),
                Some(1.0),
                Some(1.0),
                None,
            ),
            Utc::now(),
        );
        assert!(f.is_idle() && f.has_device_outcomes());
        assert_eq!(f.decide(&get("/access_codes/delete"), Instant::now()), None);
        let version = f.version();
        assert_eq!(f.job(Job::Program, ws, lock), None);
        assert_eq!(f.job(Job::Remove, ws, Uuid::from_u128(3)), None);
        assert_eq!(
            f.version(),
            version,
            "jobs of other kinds or locks are not counted"
        );
        // The first removal passes under `after`, the second takes the one hit.
        assert_eq!(f.job(Job::Remove, ws, lock), None);
        assert_eq!(
            f.job(Job::Remove, ws, lock),
            Some(DeviceOutcome::RemoveError)
        );
        assert!(!f.has_device_outcomes());
        assert_eq!(f.job(Job::Remove, ws, lock), None);
        let kept = f.records();
        assert_eq!((kept[0].seen, kept[0].view.hits), (2, 1));
        let back = Faults::new(Some(1));
        back.load(kept.clone()).unwrap();
        assert_eq!(back.records(), kept);
        assert!(!back.has_device_outcomes());
    }
}
