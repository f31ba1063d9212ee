//! Webhooks as Seam delivers them (contract §11): the registered endpoint, which events it
//! wants, Seam's retry schedule, and the Svix signature the official SDKs' `SeamWebhook`
//! verifies. Pure: no clock, no network, no locks.

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

/// The prefix of every webhook secret, as Svix spells it.
pub const SECRET_PREFIX: &str = "whsec_";

/// How long a receiver has to answer one attempt before it counts as failed.
pub const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// The waits after each failed attempt before the next: Seam's (Svix's) schedule. After the
/// last failure the message is failed, so a message gets `RETRY_SCHEDULE.len() + 1` attempts.
pub const RETRY_SCHEDULE: [Duration; 7] = [
    Duration::seconds(5),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(5),
    Duration::hours(10),
    Duration::hours(10),
];

/// A registered endpoint, as `/webhooks/get` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub webhook_id: Uuid,
    /// Where events are POSTed: an absolute http(s) URL.
    pub url: String,
    /// The event types delivered; empty means every event.
    pub event_types: Vec<String>,
    /// `whsec_` + base64 of the key: what `SeamWebhook` (Svix) verifies signatures with.
    pub secret: String,
}

impl Webhook {
    /// Whether an event of this type goes to this webhook (all when `event_types` is empty).
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

crate::wire_enum! {
    /// Where a message stands: waiting for an attempt, answered with a 2xx, or given up on.
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

/// One try at delivering a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Attempt {
    /// When it was sent, on the server clock.
    #[serde(with = "super::timestamp::required")]
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why there was no answer (refused, timed out, …).
    pub error: Option<String>,
    /// When the next try is due (server clock), if this one failed and tries are left.
    #[serde(with = "super::timestamp::optional")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// One event on its way to one webhook (a Svix message) and what became of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// The `svix-id` / `webhook-id` header: the same on every attempt.
    pub message_id: String,
    pub webhook_id: Uuid,
    pub workspace_id: Uuid,
    pub url: String,
    pub event_id: Uuid,
    pub event_type: String,
    pub status: DeliveryStatus,
    /// When the event was queued for this webhook, on the server clock.
    #[serde(with = "super::timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (server clock) while `pending`.
    #[serde(with = "super::timestamp::optional")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
    /// Why a `failed` message was given up on.
    pub failure_reason: Option<String>,
}

/// A new secret from `key` (random bytes the caller drew): `whsec_` + base64.
pub fn secret_from_key(key: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// Checks a webhook URL: absolute, `http` or `https`, with a host. Says why not.
pub fn check_url(raw: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("Invalid url: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("Invalid url: the scheme must be http or https".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("Invalid url: it needs a host".into());
    }
    Ok(url)
}

/// The `v1,<base64>` signature Svix puts in `svix-signature`: HMAC-SHA256 over
/// `{msg_id}.{timestamp}.{body}`, keyed with the secret's base64 part, decoded. `None` when the
/// secret is not `whsec_` + base64 (secrets made here always are).
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The wait before the attempt after failed attempt number `failed` (1-based), or `None` when
/// that was the last one and the message is failed.
pub fn retry_after(failed: usize) -> Option<Duration> {
    failed
        .checked_sub(1)
        .and_then(|i| RETRY_SCHEDULE.get(i))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Svix's published test vector (its libraries' unit tests use the same one).
    #[test]
    fn signs_like_svix() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        // Any change to id, timestamp or body changes the signature.
        assert_ne!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJel", 1614265330, body),
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        );
        assert_ne!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body),
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        );
        assert!(sign("whsec_not base64!", "m", 1, b"").is_none());
    }

    #[test]
    fn secrets_are_whsec_and_base64_of_the_key() {
        let s = secret_from_key(&[0xfb, 0xff, 0x00, 0x01]);
        assert_eq!(s, "whsec_+/8AAQ==");
        assert!(sign(&s, "msg", 1, b"{}").is_some());
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("https://example.com/seam").is_ok());
        for bad in [
            "",
            "/hook",
            "example.com/hook",
            "ftp://example.com",
            "mailto:a@b.c",
            "http://",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn retries_follow_seams_schedule_then_stop() {
        let waits: Vec<i64> = (1..=8)
            .map_while(retry_after)
            .map(|d| d.num_seconds())
            .collect();
        assert_eq!(
            waits,
            [5, 300, 1800, 7200, 18000, 36000, 36000],
            "five seconds, five minutes, half an hour, 2 h, 5 h, 10 h, 10 h"
        );
        assert_eq!(retry_after(8), None);
        assert_eq!(retry_after(0), None);
    }

    #[test]
    fn empty_event_types_means_every_event() {
        let mut w = Webhook {
            webhook_id: Uuid::nil(),
            url: "http://x".into(),
            event_types: vec![],
            secret: secret_from_key(b"k"),
        };
        assert!(w.wants("access_code.created"));
        w.event_types = vec!["device.connected".into()];
        assert!(!w.wants("access_code.created"));
        assert!(w.wants("device.connected"));
    }
}
