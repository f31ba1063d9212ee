//! The ceiling probe of `scripts/bench`: the least an axum server can do for a
//! `PUT /access_codes/create_multiple` — read the bearer token, parse the same JSON body into
//! typed fields, and answer a JSON document of the same shape and size as seam-mock's (one
//! access code object per device, every field present: seam-mock's own `AccessCode`) — with
//! none of seam-mock's rules, state or middleware. seam-mock's throughput is reported as a share of this one's.
//!
//! `cargo run --release --example ceiling -- PORT` (default 8099).

use axum::{
    Json, Router,
    http::{HeaderMap, StatusCode},
    routing::put,
};
use chrono::Utc;
use seam_mock::domain::access_code::{AccessCode, NewCode};
use seam_mock::domain::pindigits::PinDigits;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// The request fields seam-mock reads for create_multiple.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Request {
    device_ids: Vec<Uuid>,
    behavior_when_code_cannot_be_shared: Option<String>,
    preferred_code_length: Option<f64>,
    name: Option<String>,
    code: Option<String>,
    starts_at: Option<String>,
    ends_at: Option<String>,
    allow_external_modification: Option<bool>,
    is_external_modification_allowed: Option<bool>,
    use_backup_access_code_pool: Option<bool>,
    attempt_for_offline_device: Option<bool>,
    prefer_native_scheduling: Option<bool>,
    sync: Option<bool>,
}

#[derive(Serialize)]
struct Response {
    /// seam-mock's own type, so the answer has its shape whatever fields it gains.
    access_codes: Vec<AccessCode>,
    ok: bool,
}

async fn create_multiple(
    headers: HeaderMap,
    Json(req): Json<Request>,
) -> Result<Json<Response>, StatusCode> {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if !authorized || req.device_ids.is_empty() {
        return Err(StatusCode::BAD_REQUEST);
    }
    let key: Arc<str> = format!("auto_set_by_create_multiple_{}", Uuid::new_v4()).into();
    let now = Utc::now();
    let access_codes = req
        .device_ids
        .iter()
        .map(|d| {
            AccessCode::new(
                NewCode {
                    access_code_id: Uuid::new_v4(),
                    device_id: *d,
                    name: req.name.clone(),
                    code: PinDigits::new("4821"),
                    common_code_key: Some(key.clone()),
                    ..NewCode::default()
                },
                now,
            )
        })
        .collect();
    Ok(Json(Response {
        access_codes,
        ok: true,
    }))
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8099);
    let app = Router::new()
        .route("/access_codes/create_multiple", put(create_multiple))
        .route("/health", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind the probe's port");
    axum::serve(listener, app).await.expect("serve");
}
