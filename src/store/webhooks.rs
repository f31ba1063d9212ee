//! The webhook registry and its delivery queue ([`Hub`]): which endpoints each workspace
//! registered, and every message on its way to one, with its attempts.
//!
//! Synchronous and behind one std `Mutex` that is a leaf: the store hands events over while
//! it holds a workspace lock (so messages queue in the order events happened), and nothing
//! here ever takes a workspace lock. The HTTP side of delivery lives in `crate::webhooks`;
//! it asks [`Hub::next`] what to send and reports with [`Hub::record`].
//!
//! Bounds: each webhook holds at most [`Limits::pending`] undelivered messages; past that the
//! oldest pending one is marked `failed` ("dropped: …") to make room. Finished messages are
//! kept for inspection up to [`Limits::finished`]; the oldest are forgotten first.

pub(crate) mod persist;
use std::collections::VecDeque;
use std::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::domain::event::Event;
use rand::RngExt;

use super::tracked::Tracked;
use super::{Store, WeakStore, Workspace};
use crate::domain::webhook::{
    Attempt, Delivery, DeliveryStatus, Webhook, check_url, retry_after, secret_from_key,
};
use crate::error::{Error, Result};

/// Memory bounds of the delivery queue.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Undelivered messages per webhook; past it the oldest pending message is dropped.
    pub pending: usize,
    /// Finished (delivered or failed) messages kept for `/_fake/webhook_deliveries`.
    pub finished: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            pending: 1_000,
            finished: 10_000,
        }
    }
}

/// One registered endpoint and its queue.
struct Endpoint {
    webhook: Webhook,
    workspace_id: Uuid,
    /// Ids of its pending messages, oldest first.
    pending: VecDeque<String>,
    /// Wakes its delivery task (new message, clock moved, deleted).
    wake: Arc<Notify>,
}

/// A message as the queue keeps it: its record and the body every attempt sends.
struct Message {
    delivery: Delivery,
    body: Arc<str>,
}

#[derive(Default)]
struct State {
    endpoints: Tracked<IndexMap<Uuid, Endpoint>>,
    messages: Tracked<IndexMap<String, Message>>,
    finished: VecDeque<String>,
}

/// What a delivery task should do next.
#[derive(Debug)]
pub enum Next {
    /// The webhook is gone: stop.
    Gone,
    /// Nothing due; the earliest pending message is due at this server time, if any.
    Wait(Option<DateTime<Utc>>),
    /// Send this now.
    Send(Job),
}

/// One attempt to make.
#[derive(Clone, Debug)]
pub struct Job {
    pub message_id: String,
    pub url: String,
    pub secret: String,
    pub body: Arc<str>,
}

/// How an attempt went.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The receiver answered with this status.
    Answered(u16),
    /// No answer: refused, timed out, …
    NoAnswer(String),
}

/// Filters of `/_fake/webhook_deliveries`; `None` means any.
#[derive(Clone, Debug, Default)]
pub struct DeliveryFilter {
    pub workspace_id: Option<Uuid>,
    pub webhook_id: Option<Uuid>,
    pub event_type: Option<String>,
    pub status: Option<DeliveryStatus>,
}

/// The registry and queue of one store.
#[derive(Default)]
pub struct Hub {
    state: Mutex<State>,
    limits: Limits,
    /// Whether the store's lifecycle task for listeners was started.
    pump_started: AtomicBool,
    /// How many webhooks there are in all workspaces: with none, publishing skips the lock.
    endpoints: AtomicUsize,
}

impl State {
    /// Moves a message out of its webhook's pending queue into the finished log.
    fn finish(&mut self, id: &str, status: DeliveryStatus, reason: Option<String>, limit: usize) {
        let Some(m) = self.messages.get_mut(id) else {
            return;
        };
        if m.delivery.status != DeliveryStatus::Pending {
            return;
        }
        m.delivery.status = status;
        m.delivery.next_attempt_at = None;
        m.delivery.failure_reason = reason;
        let webhook_id = m.delivery.webhook_id;
        if let Some(e) = self.endpoints.get_mut(&webhook_id) {
            e.pending.retain(|p| p != id);
        }
        self.finished.push_back(id.to_string());
        while self.finished.len() > limit {
            if let Some(old) = self.finished.pop_front() {
                self.messages.shift_remove(&old);
            }
        }
    }
}

impl Hub {
    /// An empty hub with these bounds.
    pub fn new(limits: Limits) -> Self {
        Self {
            state: Mutex::default(),
            limits,
            pump_started: AtomicBool::new(false),
            endpoints: AtomicUsize::new(0),
        }
    }

    /// True the first time only: whoever gets it starts the lifecycle task.
    pub fn claim_pump(&self) -> bool {
        !self.pump_started.swap(true, Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a webhook; returns it and the signal its delivery task waits on.
    pub fn create(&self, workspace_id: Uuid, webhook: Webhook) -> (Webhook, Arc<Notify>) {
        let wake = Arc::new(Notify::new());
        let out = webhook.clone();
        let mut st = self.lock();
        st.endpoints.insert(
            webhook.webhook_id,
            Endpoint {
                webhook,
                workspace_id,
                pending: VecDeque::new(),
                wake: wake.clone(),
            },
        );
        self.endpoints.store(st.endpoints.len(), Ordering::Release);
        (out, wake)
    }

    /// One webhook of the workspace.
    pub fn get(&self, workspace_id: Uuid, webhook_id: Uuid) -> Result<Webhook> {
        self.lock()
            .endpoints
            .get(&webhook_id)
            .filter(|e| e.workspace_id == workspace_id)
            .map(|e| e.webhook.clone())
            .ok_or(Error::WebhookNotFound)
    }

    /// The workspace's webhooks, oldest first.
    pub fn list(&self, workspace_id: Uuid) -> Vec<Webhook> {
        self.lock()
            .endpoints
            .values()
            .filter(|e| e.workspace_id == workspace_id)
            .map(|e| e.webhook.clone())
            .collect()
    }

    /// Changes which events a webhook receives from now on (queued messages still go out).
    pub fn update(
        &self,
        workspace_id: Uuid,
        webhook_id: Uuid,
        event_types: Vec<String>,
    ) -> Result<Webhook> {
        let mut st = self.lock();
        let e = st
            .endpoints
            .get_mut(&webhook_id)
            .filter(|e| e.workspace_id == workspace_id)
            .ok_or(Error::WebhookNotFound)?;
        e.webhook.event_types = event_types;
        Ok(e.webhook.clone())
    }

    /// Removes a webhook: its pending messages are failed ("webhook deleted") and its task stops.
    pub fn delete(&self, workspace_id: Uuid, webhook_id: Uuid) -> Result<()> {
        let mut st = self.lock();
        let owned = st
            .endpoints
            .get(&webhook_id)
            .is_some_and(|e| e.workspace_id == workspace_id);
        if !owned {
            return Err(Error::WebhookNotFound);
        }
        let pending: Vec<String> = st.endpoints[&webhook_id].pending.iter().cloned().collect();
        for id in pending {
            st.finish(
                &id,
                DeliveryStatus::Failed,
                Some("webhook deleted".into()),
                self.limits.finished,
            );
        }
        if let Some(e) = st.endpoints.shift_remove(&webhook_id) {
            e.wake.notify_one();
        }
        self.endpoints.store(st.endpoints.len(), Ordering::Release);
        Ok(())
    }

    /// Forgets every webhook and message (the state was replaced or reset); tasks stop.
    pub fn clear(&self) {
        let mut st = self.lock();
        for e in st.endpoints.values() {
            e.wake.notify_one();
        }
        *st = State::default();
        self.endpoints.store(0, Ordering::Release);
    }

    /// Wakes every delivery task (the server clock moved).
    pub fn wake_all(&self) {
        for e in self.lock().endpoints.values() {
            e.wake.notify_one();
        }
    }

    /// Whether any webhook listens in this workspace.
    pub fn has_webhooks(&self, workspace_id: Uuid) -> bool {
        self.lock()
            .endpoints
            .values()
            .any(|e| e.workspace_id == workspace_id)
    }

    /// The workspaces with at least one webhook.
    pub fn workspaces(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .lock()
            .endpoints
            .values()
            .map(|e| e.workspace_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Queues `events` (in the order they happened) for every webhook of the workspace that
    /// wants them. The body is the event exactly as `/events/get` shows it.
    pub fn publish<'a>(
        &self,
        workspace_id: Uuid,
        events: impl IntoIterator<Item = &'a Event>,
        now: DateTime<Utc>,
    ) {
        let mut events = events.into_iter().peekable();
        if events.peek().is_none() || self.endpoints.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut st = self.lock();
        let targets: Vec<Uuid> = st
            .endpoints
            .iter()
            .filter(|(_, e)| e.workspace_id == workspace_id)
            .map(|(id, _)| *id)
            .collect();
        if targets.is_empty() {
            return;
        }
        for event in events {
            let Ok(body) = serde_json::to_string(event) else {
                continue;
            };
            let body: Arc<str> = body.into();
            for webhook_id in &targets {
                let Some(e) = st.endpoints.get(webhook_id) else {
                    continue;
                };
                if !e.webhook.wants(event.event_type().as_str()) {
                    continue;
                }
                let message_id = format!("msg_{}", Uuid::new_v4().simple());
                let delivery = Delivery {
                    message_id: message_id.clone(),
                    webhook_id: *webhook_id,
                    workspace_id,
                    url: e.webhook.url.clone(),
                    event_id: event.event_id,
                    event_type: event.event_type().to_string(),
                    status: DeliveryStatus::Pending,
                    created_at: now,
                    next_attempt_at: Some(now),
                    attempts: Vec::new(),
                    failure_reason: None,
                };
                st.messages.insert(
                    message_id.clone(),
                    Message {
                        delivery,
                        body: body.clone(),
                    },
                );
                let e = st.endpoints.get_mut(webhook_id).expect("present above");
                e.pending.push_back(message_id);
                e.wake.notify_one();
                let over = e.pending.len().saturating_sub(self.limits.pending);
                let dropped: Vec<String> = e.pending.iter().take(over).cloned().collect();
                for id in dropped {
                    let reason = format!(
                        "dropped: more than {} messages were waiting for this webhook",
                        self.limits.pending
                    );
                    st.finish(
                        &id,
                        DeliveryStatus::Failed,
                        Some(reason),
                        self.limits.finished,
                    );
                }
            }
        }
    }

    /// The next attempt a webhook's task should make at server time `now`: the pending message
    /// due earliest (first attempts go out in event order; a retry waits for its time).
    pub fn next(&self, webhook_id: Uuid, now: DateTime<Utc>) -> Next {
        let st = self.lock();
        let Some(e) = st.endpoints.get(&webhook_id) else {
            return Next::Gone;
        };
        let mut best: Option<(&Message, DateTime<Utc>)> = None;
        for id in &e.pending {
            let Some(m) = st.messages.get(id) else {
                continue;
            };
            let due = m.delivery.next_attempt_at.unwrap_or(now);
            if best.is_none_or(|(_, b)| due < b) {
                best = Some((m, due));
            }
        }
        match best {
            Some((m, due)) if due <= now => Next::Send(Job {
                message_id: m.delivery.message_id.clone(),
                url: e.webhook.url.clone(),
                secret: e.webhook.secret.clone(),
                body: m.body.clone(),
            }),
            other => Next::Wait(other.map(|(_, due)| due)),
        }
    }

    /// Records an attempt made at server time `at`: a 2xx delivers the message; anything else
    /// schedules the next try on Seam's schedule, or fails it after the last one. Ignored when
    /// the message is no longer pending (dropped, or its webhook deleted meanwhile).
    pub fn record(&self, message_id: &str, outcome: Outcome, at: DateTime<Utc>) {
        let mut st = self.lock();
        let Some(m) = st.messages.get_mut(message_id) else {
            return;
        };
        if m.delivery.status != DeliveryStatus::Pending {
            return;
        }
        let (status_code, error) = match &outcome {
            Outcome::Answered(code) => (Some(*code), None),
            Outcome::NoAnswer(why) => (None, Some(why.clone())),
        };
        let ok = matches!(outcome, Outcome::Answered(200..=299));
        let next = if ok {
            None
        } else {
            retry_after(m.delivery.attempts.len() + 1).map(|wait| at + wait)
        };
        m.delivery.attempts.push(Attempt {
            attempted_at: at,
            status_code,
            error,
            next_attempt_at: next,
        });
        m.delivery.next_attempt_at = next;
        if ok {
            st.finish(
                message_id,
                DeliveryStatus::Delivered,
                None,
                self.limits.finished,
            );
        } else if next.is_none() {
            let reason = format!("no 2xx answer after {} attempts", retry_after_count());
            st.finish(
                message_id,
                DeliveryStatus::Failed,
                Some(reason),
                self.limits.finished,
            );
        }
    }

    /// Every message matching `f`, oldest first.
    pub fn deliveries(&self, f: &DeliveryFilter) -> Vec<Delivery> {
        self.lock()
            .messages
            .values()
            .map(|m| &m.delivery)
            .filter(|d| {
                f.workspace_id.is_none_or(|w| d.workspace_id == w)
                    && f.webhook_id.is_none_or(|w| d.webhook_id == w)
                    && f.event_type.as_ref().is_none_or(|t| &d.event_type == t)
                    && f.status.is_none_or(|s| d.status == s)
            })
            .cloned()
            .collect()
    }
}

/// A pending message as a snapshot keeps it: its record and body, to write out as they are.
type SavedMessage = (Delivery, Arc<str>);

/// One workspace's webhooks with their pending messages, oldest first, as a snapshot keeps them.
#[derive(Clone, Debug, Default)]
pub struct Saved {
    endpoints: Vec<(Webhook, Vec<SavedMessage>)>,
}

impl Hub {
    /// The workspace's webhooks and their pending messages.
    pub fn save(&self, workspace_id: Uuid) -> Saved {
        let st = self.lock();
        let endpoints = st
            .endpoints
            .values()
            .filter(|e| e.workspace_id == workspace_id)
            .map(|e| {
                let pending = e
                    .pending
                    .iter()
                    .filter_map(|id| st.messages.get(id))
                    .map(|m| (m.delivery.clone(), m.body.clone()))
                    .collect();
                (e.webhook.clone(), pending)
            })
            .collect();
        Saved { endpoints }
    }

    /// Makes the workspace's webhooks and pending messages those of `saved`: the others are
    /// gone (their tasks stop, their pending messages are forgotten), a saved message sent
    /// meanwhile is pending again. Finished messages stay in the log. Returns the webhooks
    /// that need a new delivery task (a webhook that still has one keeps it).
    pub fn restore(&self, workspace_id: Uuid, saved: &Saved) -> Vec<(Uuid, Arc<Notify>)> {
        let mut st = self.lock();
        let mine: Vec<Uuid> = st
            .endpoints
            .iter()
            .filter(|(_, e)| e.workspace_id == workspace_id)
            .map(|(id, _)| *id)
            .collect();
        let mut running = std::collections::HashMap::new();
        for id in mine {
            let Some(e) = st.endpoints.shift_remove(&id) else {
                continue;
            };
            for m in &e.pending {
                st.messages.shift_remove(m);
            }
            e.wake.notify_one();
            running.insert(id, e.wake);
        }
        let mut start = Vec::new();
        for (webhook, pending) in &saved.endpoints {
            let id = webhook.webhook_id;
            let wake = running.remove(&id).unwrap_or_else(|| {
                let wake = Arc::new(Notify::new());
                start.push((id, wake.clone()));
                wake
            });
            let mut queue = VecDeque::new();
            for (delivery, body) in pending {
                let message_id = delivery.message_id.clone();
                if st.messages.shift_remove(&message_id).is_some() {
                    st.finished.retain(|f| *f != message_id);
                }
                let (delivery, body) = (delivery.clone(), body.clone());
                st.messages
                    .insert(message_id.clone(), Message { delivery, body });
                queue.push_back(message_id);
            }
            let endpoint = Endpoint {
                webhook: webhook.clone(),
                workspace_id,
                pending: queue,
                wake,
            };
            st.endpoints.insert(id, endpoint);
        }
        self.endpoints.store(st.endpoints.len(), Ordering::Release);
        start
    }

    /// [`Hub::next`] for the task that waits on `wake`: `Gone` for a task whose webhook was
    /// removed and then brought back by a restore with a task of its own.
    pub fn next_for(&self, webhook_id: Uuid, wake: &Arc<Notify>, now: DateTime<Utc>) -> Next {
        let st = self.lock();
        let ours = st.endpoints.get(&webhook_id).map(|e| &e.wake);
        if ours.is_some_and(|w| Arc::ptr_eq(w, wake)) {
            drop(st);
            self.next(webhook_id, now)
        } else {
            Next::Gone
        }
    }
}

impl Store {
    /// Hands the events a locked call recorded to the webhooks (call with the lock held, so
    /// messages queue in the order events happened).
    pub(super) fn publish_outbox(&self, ws: &mut Workspace) {
        self.inner
            .webhooks
            .publish(ws.record.workspace_id, ws.unpublished(), ws.now);
        ws.mark_published();
    }

    /// Registers a webhook in the workspace, with a fresh secret. Returns it and the signal
    /// its delivery task (`crate::webhooks::start`) waits on.
    pub fn create_webhook(
        &self,
        workspace_id: Uuid,
        url: String,
        event_types: Vec<String>,
    ) -> Result<(Webhook, Arc<Notify>)> {
        check_url(&url).map_err(|m| Error::field("url", m))?;
        let key: [u8; 24] = rand::rng().random();
        Ok(self.inner.webhooks.create(
            workspace_id,
            Webhook {
                webhook_id: Uuid::new_v4(),
                url,
                event_types,
                secret: secret_from_key(&key),
            },
        ))
    }

    /// The webhook registry and queue.
    pub fn webhooks(&self) -> &Hub {
        &self.inner.webhooks
    }

    /// A handle for background tasks that must not keep the store alive.
    pub fn downgrade(&self) -> WeakStore {
        WeakStore(Arc::downgrade(&self.inner))
    }
}

/// How many attempts a message gets in all.
fn retry_after_count() -> usize {
    crate::domain::webhook::RETRY_SCHEDULE.len() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{EventKind, EventType};
    use crate::domain::webhook::secret_from_key;
    use chrono::Duration;

    fn event(n: u128, event_type: EventType, ws: Uuid, at: DateTime<Utc>) -> Event {
        Event {
            event_id: Uuid::from_u128(n),
            kind: EventKind::sample(event_type),
            workspace_id: ws,
            created_at: at,
            occurred_at: at,
        }
    }

    fn hub(pending: usize, finished: usize) -> (Hub, Uuid, Uuid) {
        let hub = Hub::new(Limits { pending, finished });
        let ws = Uuid::from_u128(1);
        let id = Uuid::from_u128(2);
        hub.create(
            ws,
            Webhook {
                webhook_id: id,
                url: "http://127.0.0.1:9/".into(),
                event_types: vec![],
                secret: secret_from_key(b"key"),
            },
        );
        (hub, ws, id)
    }

    fn send(next: Next) -> Job {
        match next {
            Next::Send(job) => job,
            other => panic!("expected a job, got {other:?}"),
        }
    }

    #[test]
    fn a_full_queue_drops_its_oldest_pending_message() {
        let (hub, ws, id) = hub(3, 100);
        let now = Utc::now();
        let events: Vec<Event> = (0..5)
            .map(|n| event(n, EventType::AccessCodeCreated, ws, now))
            .collect();
        hub.publish(ws, &events, now);
        let all = hub.deliveries(&DeliveryFilter::default());
        let status: Vec<_> = all.iter().map(|d| d.status).collect();
        use DeliveryStatus::*;
        assert_eq!(status, [Failed, Failed, Pending, Pending, Pending]);
        assert!(
            all[0]
                .failure_reason
                .as_deref()
                .unwrap()
                .starts_with("dropped")
        );
        // The next to go is the oldest still queued.
        let job = send(hub.next(id, now));
        assert_eq!(job.message_id, all[2].message_id);
    }

    #[test]
    fn finished_messages_are_forgotten_oldest_first_past_the_bound() {
        let (hub, ws, id) = hub(10, 2);
        let now = Utc::now();
        let events: Vec<Event> = (0..4)
            .map(|n| event(n, EventType::AccessCodeCreated, ws, now))
            .collect();
        hub.publish(ws, &events, now);
        for _ in 0..3 {
            let job = send(hub.next(id, now));
            hub.record(&job.message_id, Outcome::Answered(200), now);
        }
        let all = hub.deliveries(&DeliveryFilter::default());
        let ids: Vec<Uuid> = all.iter().map(|d| d.event_id).collect();
        assert_eq!(
            ids,
            [Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3)]
        );
    }

    #[test]
    fn first_attempts_go_in_order_and_a_retry_waits_for_its_time() {
        let (hub, ws, id) = hub(10, 10);
        let now = Utc::now();
        hub.publish(
            ws,
            &[
                event(1, EventType::AccessCodeCreated, ws, now),
                event(2, EventType::AccessCodeChanged, ws, now),
            ],
            now,
        );
        let first = send(hub.next(id, now));
        hub.record(&first.message_id, Outcome::NoAnswer("refused".into()), now);
        let second = send(hub.next(id, now));
        assert_ne!(first.message_id, second.message_id);
        hub.record(&second.message_id, Outcome::Answered(200), now);
        match hub.next(id, now) {
            Next::Wait(Some(due)) => assert_eq!(due, now + Duration::seconds(5)),
            other => panic!("{other:?}"),
        }
        let retry = send(hub.next(id, now + Duration::seconds(5)));
        assert_eq!(retry.message_id, first.message_id);
    }

    #[test]
    fn other_workspaces_and_unwanted_types_queue_nothing() {
        let (hub, ws, id) = hub(10, 10);
        let now = Utc::now();
        hub.update(ws, id, vec!["access_code.created".into()])
            .unwrap();
        hub.publish(
            Uuid::from_u128(9),
            &[event(
                1,
                EventType::AccessCodeCreated,
                Uuid::from_u128(9),
                now,
            )],
            now,
        );
        hub.publish(ws, &[event(2, EventType::AccessCodeChanged, ws, now)], now);
        assert!(hub.deliveries(&DeliveryFilter::default()).is_empty());
        assert!(matches!(hub.next(id, now), Next::Wait(None)));
        assert!(hub.update(Uuid::from_u128(9), id, vec![]).is_err());
        hub.delete(ws, id).unwrap();
        assert!(matches!(hub.next(id, now), Next::Gone));
    }
}
