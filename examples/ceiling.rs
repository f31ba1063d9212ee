//! The ceiling probe of `scripts/bench`: the least an axum server can do for a
//! `PUT /access_codes/create_multiple` — read the bearer token, parse the same JSON body into
//! typed fields, and answer a JSON document of the same shape and size as seam-mock's (one
//! access code object per device, every field present) — with none of seam-mock's rules,
//! state or middleware. seam-mock's throughput is reported as a share of this one's.
//!
//! `cargo run --release --example ceiling -- PORT` (default 8099).

use axum::{
    Json, Router,
    http::{HeaderMap, StatusCode},
    routing::put,
};
use serde::{Deserialize, Serialize};
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

/// An access code with every field seam-mock's has, filled with values of the same length.
#[derive(Serialize)]
struct Code {
    access_code_id: Uuid,
    device_id: Uuid,
    workspace_id: Uuid,
    name: Option<String>,
    code: Option<String>,
    common_code_key: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    status: &'static str,
    created_at: &'static str,
    starts_at: Option<String>,
    ends_at: Option<String>,
    errors: Vec<()>,
    warnings: Vec<()>,
    is_managed: bool,
    is_backup_access_code_available: bool,
    is_external_modification_allowed: bool,
    is_one_time_use: bool,
    is_offline_access_code: bool,
    is_backup: bool,
    pulled_backup_access_code_id: Option<Uuid>,
    is_scheduled_on_device: bool,
    is_waiting_for_code_assignment: bool,
    pending_mutations: Vec<()>,
}

#[derive(Serialize)]
struct Response {
    access_codes: Vec<Code>,
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
    let key = format!("auto_set_by_create_multiple_{}", Uuid::new_v4());
    let access_codes = req
        .device_ids
        .iter()
        .map(|d| Code {
            access_code_id: Uuid::new_v4(),
            device_id: *d,
            workspace_id: Uuid::nil(),
            name: req.name.clone(),
            code: Some("4821".into()),
            common_code_key: Some(key.clone()),
            kind: "ongoing",
            status: "setting",
            created_at: "2030-01-01T00:00:00.000Z",
            starts_at: None,
            ends_at: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            is_managed: true,
            is_backup_access_code_available: false,
            is_external_modification_allowed: false,
            is_one_time_use: false,
            is_offline_access_code: false,
            is_backup: false,
            pulled_backup_access_code_id: None,
            is_scheduled_on_device: false,
            is_waiting_for_code_assignment: false,
            pending_mutations: Vec::new(),
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
