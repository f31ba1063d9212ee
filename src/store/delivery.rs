//! Webhook delivery off the request path: one tokio task per webhook POSTs its messages,
//! signed as Svix signs them, and one task per store keeps the lifecycle moving while anyone
//! listens (so `access_code.set_on_device` arrives without another API call).
//!
//! Requests only queue messages ([`super::webhooks::Hub::publish`], a quick locked call); the
//! tasks do the waiting. A receiver that hangs costs its own task up to
//! [`ANSWER_TIMEOUT`] per attempt and nothing else. Retries are due on the server clock, so
//! `/_fake/advance_time` (which wakes every task) moves them along; the `svix-timestamp` in
//! each signature is wall-clock time, since receivers check it against their own clock.

use std::sync::{Arc, Weak, atomic::Ordering};
use std::time::Duration as StdDuration;

use chrono::Utc;
use rand::RngExt;
use tokio::sync::Notify;
use uuid::Uuid;

use super::webhooks::{Job, Next, Outcome};
use super::{Inner, Store, Workspace};
use crate::domain::webhook::{self, ANSWER_TIMEOUT, Webhook};
use crate::error::{Error, Result};

/// How often the store's lifecycle task runs due transitions in workspaces with webhooks.
const PUMP_EVERY: StdDuration = StdDuration::from_millis(250);
/// The longest a delivery task sleeps without looking at the clock again.
const MAX_NAP: StdDuration = StdDuration::from_secs(60);

impl Store {
    /// Hands the events a locked call recorded to the webhooks (call with the lock held, so
    /// messages queue in the order events happened).
    pub(super) fn publish_outbox(&self, ws: &mut Workspace) {
        let events = ws.take_outbox();
        self.inner
            .webhooks
            .publish(ws.record.workspace_id, &events, ws.now);
    }

    /// Registers a webhook in the workspace and starts its delivery task.
    pub fn create_webhook(
        &self,
        workspace_id: Uuid,
        url: String,
        event_types: Vec<String>,
    ) -> Result<Webhook> {
        webhook::check_url(&url).map_err(|m| Error::field("url", m))?;
        let key: [u8; 24] = rand::rng().random();
        let (created, wake) = self.inner.webhooks.create(
            workspace_id,
            Webhook {
                webhook_id: Uuid::new_v4(),
                url,
                event_types,
                secret: webhook::secret_from_key(&key),
            },
        );
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(deliver(
                Arc::downgrade(&self.inner),
                created.webhook_id,
                wake,
            ));
            if !self.inner.pump_started.swap(true, Ordering::SeqCst) {
                rt.spawn(pump(Arc::downgrade(&self.inner)));
            }
        }
        Ok(created)
    }

    /// The webhook registry and queue.
    pub fn webhooks(&self) -> &super::webhooks::Hub {
        &self.inner.webhooks
    }
}

/// Runs due lifecycle transitions in every workspace a webhook listens to, so their events go
/// out without waiting for the next request. Ends when the store is gone.
async fn pump(inner: Weak<Inner>) {
    loop {
        tokio::time::sleep(PUMP_EVERY).await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let store = Store { inner };
        for id in store.inner.webhooks.workspaces() {
            // A workspace removed meanwhile has nothing to tick.
            let _ = store.with_workspace(id, |_| ());
        }
    }
}

/// One webhook's delivery task: sends its due messages one at a time, sleeps until the next is
/// due or something wakes it, and ends when the webhook (or the store) is gone.
async fn deliver(inner: Weak<Inner>, webhook_id: Uuid, wake: Arc<Notify>) {
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
            let Some(inner) = inner.upgrade() else {
                return;
            };
            inner.webhooks.next(webhook_id, inner.clock.now())
        };
        match next {
            Next::Gone => return,
            Next::Wait(due) => {
                let nap = due
                    .and_then(|d| {
                        let now = inner.upgrade()?.clock.now();
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
                let Some(inner) = inner.upgrade() else {
                    return;
                };
                tracing::debug!(message_id = %job.message_id, ?outcome, "webhook attempt");
                inner
                    .webhooks
                    .record(&job.message_id, outcome, inner.clock.now());
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
