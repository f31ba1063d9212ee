//! Webhook delivery, the outbound edge: one tokio task per webhook POSTs its messages, signed
//! as Svix signs them, and one task per store keeps the lifecycle moving while anyone listens
//! (so `access_code.set_on_device` arrives without another API call).
//!
//! Requests only queue messages (`store::webhooks::Hub::publish`, a quick locked call); these
//! tasks do the waiting. A receiver that hangs costs its own task up to [`ANSWER_TIMEOUT`] per
//! attempt and nothing else. Retries are due on the server clock, so `/_fake/advance_time`
//! (which wakes every task) moves them along; the `svix-timestamp` in each signature is
//! wall-clock time, since receivers check it against their own clock. Tasks hold a
//! [`WeakStore`] and end with the store, or when their webhook is deleted.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Utc;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::domain::webhook::{self, ANSWER_TIMEOUT};
use crate::store::webhooks::{Job, Next, Outcome};
use crate::store::{Store, WeakStore};

/// How often the store's lifecycle task runs due transitions in workspaces with webhooks.
const PUMP_EVERY: StdDuration = StdDuration::from_millis(250);
/// The longest a delivery task sleeps without looking at the clock again.
const MAX_NAP: StdDuration = StdDuration::from_secs(60);

/// Starts the delivery task of a webhook just created (and, the first time, the store's
/// lifecycle task). Needs a tokio runtime; without one (plain unit tests) nothing is sent.
pub fn start(store: &Store, webhook_id: Uuid, wake: Arc<Notify>) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    rt.spawn(deliver(store.downgrade(), webhook_id, wake));
    if store.webhooks().claim_pump() {
        rt.spawn(pump(store.downgrade()));
    }
}

/// Runs due lifecycle transitions in every workspace a webhook listens to, so their events go
/// out without waiting for the next request. Ends when the store is gone.
async fn pump(store: WeakStore) {
    loop {
        tokio::time::sleep(PUMP_EVERY).await;
        let Some(store) = store.upgrade() else {
            return;
        };
        for id in store.webhooks().workspaces() {
            // A workspace removed meanwhile has nothing to tick.
            let _ = store.with_workspace(id, |_| Ok(())).await;
        }
    }
}

/// One webhook's delivery task: sends its due messages one at a time, sleeps until the next is
/// due or something wakes it, and ends when the webhook (or the store) is gone.
async fn deliver(store: WeakStore, webhook_id: Uuid, wake: Arc<Notify>) {
    let client = match reqwest::Client::builder()
        .timeout(ANSWER_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery: no HTTP client");
            return;
        }
    };
    loop {
        let next = {
            let Some(store) = store.upgrade() else {
                return;
            };
            store.webhooks().next_for(webhook_id, &wake, store.now())
        };
        match next {
            Next::Gone => return,
            Next::Wait(due) => {
                let nap = due
                    .and_then(|d| {
                        let now = store.upgrade()?.now();
                        (d - now).to_std().ok()
                    })
                    .map_or(MAX_NAP, |d| d.min(MAX_NAP));
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(nap) => {}
                }
            }
            Next::Send(job) => {
                let outcome = attempt(&client, &job).await;
                let Some(store) = store.upgrade() else {
                    return;
                };
                tracing::debug!(message_id = %job.message_id, ?outcome, "webhook attempt");
                store
                    .webhooks()
                    .record(&job.message_id, outcome, store.now());
            }
        }
    }
}

/// POSTs one message with fresh Svix headers (wall-clock timestamp) and says how it went.
async fn attempt(client: &reqwest::Client, job: &Job) -> Outcome {
    let timestamp = Utc::now().timestamp();
    let Some(signature) =
        webhook::sign(&job.secret, &job.message_id, timestamp, job.body.as_bytes())
    else {
        return Outcome::NoAnswer("the webhook secret is not valid base64".into());
    };
    let ts = timestamp.to_string();
    let res = client
        .post(&job.url)
        .header("content-type", "application/json")
        .header("svix-id", &job.message_id)
        .header("svix-timestamp", &ts)
        .header("svix-signature", &signature)
        .header("webhook-id", &job.message_id)
        .header("webhook-timestamp", &ts)
        .header("webhook-signature", &signature)
        .body(job.body.to_string())
        .send()
        .await;
    match res {
        Ok(r) => Outcome::Answered(r.status().as_u16()),
        Err(e) if e.is_timeout() => Outcome::NoAnswer(format!(
            "timeout: no answer within {} s",
            ANSWER_TIMEOUT.as_secs()
        )),
        Err(e) => Outcome::NoAnswer(describe(&e)),
    }
}

/// The error and its causes on one line (reqwest's top-level message alone is vague).
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}
