//! Micro-benchmark of the fault-rule table (`store::faults`): what deciding one request costs
//! with a table of 100 rules — the 99 that miss a `PUT /access_codes/create_multiple` by path,
//! glob, verb or kind of credential, and the last that matches it and lets it through (its
//! `after` is never reached), the table `scripts/bench --fault-rules 100` loads — next to an
//! empty table (the one atomic the request path reads when there is no rule).
//!
//! `cargo bench --bench faults`. Set beside the time of a whole create_multiple request
//! (`scripts/bench`), the difference is the share a table adds.

use std::time::Instant;

use chrono::Utc;
use divan::{Bencher, black_box};
use seam_mock::domain::credential::CredentialKind;
use seam_mock::domain::fault::{RequestFacts, Rule, RuleInput};
use seam_mock::store::faults::Faults;
use serde_json::{Value, json};

fn main() {
    divan::main();
}

fn rule(matcher: Value, after: Option<f64>) -> Rule {
    Rule::parse(RuleInput {
        matcher: matcher.as_object().cloned(),
        effect: json!({"respond": {"status": 503, "empty_body": true}})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        after,
        ..RuleInput::default()
    })
    .expect("a valid rule")
}

/// The table of `scripts/bench --fault-rules n`.
fn table(n: usize) -> Faults {
    let f = Faults::new(Some(1));
    for i in 0..n.saturating_sub(1) {
        let m = match i % 4 {
            0 => json!({"path": format!("/devices/list_{i}")}),
            1 => json!({"path": format!("/locks/*/x{i}")}),
            2 => json!({"path": "/access_codes/*", "method": "GET"}),
            _ => json!({"path": "/access_codes/create_multiple", "credential": "client_session"}),
        };
        f.create(rule(m, None), Utc::now());
    }
    if n > 0 {
        f.create(
            rule(
                json!({"path": "/access_codes/*", "method": "PUT"}),
                Some(1e15),
            ),
            Utc::now(),
        );
    }
    f
}

const FACTS: RequestFacts<'static> = RequestFacts {
    path: "/access_codes/create_multiple",
    method: "PUT",
    credential: Some(CredentialKind::ApiKey),
    workspace_id: None,
    device_ids: &[],
};

#[divan::bench]
fn no_rule(b: Bencher) {
    let f = table(0);
    b.bench(|| black_box(&f).is_idle());
}

#[divan::bench(args = [1, 10, 100])]
fn decide(b: Bencher, n: usize) {
    let f = table(n);
    let now = Instant::now();
    b.bench(|| black_box(&f).decide(black_box(&FACTS), now));
}
