//! `/health` and `/openapi.json`: what a supervisor or a client generator asks before anything
//! else. Neither needs a credential.

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};

use crate::http::{error::JSON_UTF8, state::AppState};

crate::response! {
    /// `{"service": "seam-mock", "version": …, "now": …, "ok": true}`.
    pub struct HealthResponse {
        #[schema(example = "seam-mock")]
        pub service: &'static str,
        /// The server's version.
        pub version: &'static str,
        /// The server clock (moved by `/_fake/advance_time`).
        #[serde(with = "crate::domain::timestamp::required")]
        pub now: DateTime<Utc>,
    }
}

/// Liveness, with the server clock.
#[utoipa::path(
    method(get, post),
    path = "/health",
    tag = "meta",
    responses((status = 200, description = "The server is up.", body = HealthResponse))
)]
pub async fn health(State(app): State<AppState>) -> HealthResponse {
    HealthResponse::new("seam-mock", env!("CARGO_PKG_VERSION"), app.store.now())
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object))
)]
pub async fn openapi_json(State(app): State<AppState>) -> Response {
    let mut res = (StatusCode::OK, app.openapi_json.get().await.to_string()).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    res
}
