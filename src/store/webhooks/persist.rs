//! The hub as the state file (`store::statefile`) sees it: what changed since it last asked,
//! webhooks and messages read back from it, and a snapshot's saved webhooks as its records.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::Notify;
use uuid::Uuid;

use super::{Endpoint, Hub, Message, Saved, SavedMessage, State};
use crate::domain::webhook::{DeliveryStatus, Webhook};
use crate::store::statefile::rows::{Key, MessageRecord, Record, WebhookRecord};

/// What changed in the hub since the state file last asked: everything (the first time, or
/// after [`Hub::clear`]), or these webhooks and messages written (`Ok`) or removed (`Err`).
pub enum HubChanges {
    Whole(Vec<Record>),
    Some(Vec<Result<Record, Key>>),
}

fn webhook_record(e: &Endpoint) -> Record {
    Record::Webhook(WebhookRecord {
        workspace_id: e.workspace_id,
        webhook: e.webhook.clone(),
    })
}

fn message_record(m: &Message) -> Record {
    Record::Message(MessageRecord {
        delivery: m.delivery.clone(),
        body: m.body.clone(),
    })
}

impl Hub {
    /// The webhooks and messages written since the last call (`store::statefile`).
    pub(crate) fn take_changes(&self) -> HubChanges {
        let mut st = self.lock();
        if !(st.endpoints.is_tracked() && st.messages.is_tracked()) {
            st.endpoints.track();
            st.messages.track();
            let webhooks = st.endpoints.values().map(webhook_record);
            let messages = st.messages.values().map(message_record);
            return HubChanges::Whole(webhooks.chain(messages).collect());
        }
        let mut out = Vec::new();
        for id in st.endpoints.take_changes().unwrap_or_default() {
            out.push(match st.endpoints.get(&id) {
                Some(e) => Ok(webhook_record(e)),
                None => Err(Key::new("webhook", None, id)),
            });
        }
        for id in st.messages.take_changes().unwrap_or_default() {
            out.push(match st.messages.get(&id) {
                Some(m) => Ok(message_record(m)),
                None => Err(Key::new("webhook_message", None, id)),
            });
        }
        HubChanges::Some(out)
    }

    /// Takes webhooks and messages read from the state file (in place of any there were) and
    /// counts them as saved. Returns the webhooks whose delivery task the caller starts.
    pub(crate) fn load(
        &self,
        webhooks: Vec<WebhookRecord>,
        messages: Vec<MessageRecord>,
    ) -> Vec<(Uuid, Arc<Notify>)> {
        let mut st = self.lock();
        *st = State::default();
        let mut start = Vec::new();
        for w in webhooks {
            let wake = Arc::new(Notify::new());
            start.push((w.webhook.webhook_id, wake.clone()));
            let endpoint = Endpoint {
                webhook: w.webhook,
                workspace_id: w.workspace_id,
                pending: VecDeque::new(),
                wake,
            };
            st.endpoints.insert(endpoint.webhook.webhook_id, endpoint);
        }
        for MessageRecord { delivery, body } in messages {
            let id = delivery.message_id.clone();
            if delivery.status == DeliveryStatus::Pending {
                let Some(e) = st.endpoints.get_mut(&delivery.webhook_id) else {
                    continue;
                };
                e.pending.push_back(id.clone());
            } else {
                st.finished.push_back(id.clone());
            }
            st.messages.insert(id, Message { delivery, body });
        }
        st.endpoints.track();
        st.messages.track();
        self.endpoints.store(st.endpoints.len(), Ordering::Release);
        start
    }
}

impl Saved {
    /// The saved webhooks and messages as the state file's records.
    pub(crate) fn records(&self, workspace_id: Uuid) -> Vec<Record> {
        let mut out = Vec::new();
        for (webhook, pending) in &self.endpoints {
            out.push(Record::Webhook(WebhookRecord {
                workspace_id,
                webhook: webhook.clone(),
            }));
            out.extend(pending.iter().map(|(delivery, body)| {
                Record::Message(MessageRecord {
                    delivery: delivery.clone(),
                    body: body.clone(),
                })
            }));
        }
        out
    }

    /// Saved webhooks and messages read back from the state file.
    pub(crate) fn from_records(
        webhooks: Vec<WebhookRecord>,
        messages: Vec<MessageRecord>,
    ) -> Saved {
        let mut endpoints: Vec<(Webhook, Vec<SavedMessage>)> = webhooks
            .into_iter()
            .map(|w| (w.webhook, Vec::new()))
            .collect();
        for m in messages {
            if let Some((_, pending)) = endpoints
                .iter_mut()
                .find(|(w, _)| w.webhook_id == m.delivery.webhook_id)
            {
                pending.push((m.delivery, m.body));
            }
        }
        Saved { endpoints }
    }
}
