//! `/_fake/requests`: the request journal, read and cleared. What a developer whose test
//! failed asks first — what did my code send, and what came back. No credential needed.

use axum::extract::State;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::http::{
    params::{Params, whole},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::journal::{JournalEntry, JournalFilter};

crate::request! {
    /// The filters of `/_fake/requests`: each one given narrows the list.
    #[schema(example = json!({"path": "/access_codes/create_multiple", "limit": 10}))]
    pub struct ListRequestsRequest {
        /// Only requests authenticated into this workspace.
        pub workspace_id: Option<Uuid>,
        /// Only this verb (any case).
        #[schema(example = "PUT")]
        pub method: Option<String>,
        /// Only this exact path.
        #[schema(example = "/access_codes/create_multiple")]
        pub path: Option<String>,
        /// Only answers with this HTTP status.
        #[schema(value_type = Option<i64>, minimum = 100, maximum = 599, example = 400)]
        pub status: Option<f64>,
        /// Only requests received at or after this time (server clock).
        pub since: Option<DateTime<Utc>>,
        /// At most this many: the most recent matches (still oldest first).
        #[schema(value_type = Option<i64>, minimum = 1)]
        pub limit: Option<f64>,
    }
    check(req, issues) {
        whole(issues, "status", req.status, 100.0, 599.0);
        whole(issues, "limit", req.limit, 1.0, 1e12);
    }
}

crate::response! {
    /// `{"requests": [...], "ok": true}`.
    pub struct RequestsResponse {
        /// Oldest first.
        pub requests: Vec<JournalEntry>,
    }
}

/// The recorded Seam-API requests (not `/_fake/*`, `/health`, `/openapi.json`), oldest
/// first, with what the server answered.
///
/// The journal keeps the last `--journal-size` requests (default 10,000). Entries carry the
/// kind of credential, never the credential.
#[utoipa::path(
    method(get, post),
    path = "/_fake/requests",
    tag = "fake",
    request_body = ListRequestsRequest,
    responses(
        (status = 200, description = "The matching requests.", body = RequestsResponse),
        (status = 400, description = bad_input!("`invalid_input` also for a `status` outside 100–599 or a `limit` below 1."), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    Params(req): Params<ListRequestsRequest>,
) -> RequestsResponse {
    let filter = JournalFilter {
        workspace_id: req.workspace_id,
        method: req.method,
        path: req.path,
        status: req.status.map(|s| s as u16),
        since: req.since,
        limit: req.limit.map(|l| l as usize),
    };
    RequestsResponse::new(app.store.journal().query(&filter))
}

/// Forgets every recorded request.
#[utoipa::path(
    post,
    path = "/_fake/requests/clear",
    tag = "fake",
    responses((status = 200, description = "The journal is empty.", body = OkResponse))
)]
pub async fn clear(State(app): State<AppState>) -> OkResponse {
    app.store.journal().clear();
    OkResponse::new()
}
