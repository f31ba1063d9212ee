//! `GET /_fake/ui/search`: the dashboard's search box. The page shows a bounded view of each
//! workspace (`store::dashboard`); any other code is found here, on the server, by name, PIN,
//! `common_code_key`, id, or its lock's name or id. The scan reads copies of the workspaces'
//! codes that share their chunks, on a blocking thread, with no workspace lock held.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::access_code::AccessCode;
use crate::error::{Error, Issue, Result};
use crate::http::{
    params::{Params, whole},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::dashboard::{CodeQuery, search as scan};

/// Results when the request names no `limit`.
pub const DEFAULT_LIMIT: usize = 50;
/// The most results one answer carries.
pub const MAX_LIMIT: usize = 200;
/// The longest query, in characters.
const MAX_QUERY: usize = 200;

crate::request! {
    /// What to look for, and how many results at most.
    #[schema(example = json!({"q": "1234", "limit": 20}))]
    pub struct UiSearchRequest {
        /// Text found in a code's name, PIN or `common_code_key`, or in its lock's name
        /// (ASCII letters without regard to case); or a whole `access_code_id` or `device_id`.
        #[schema(min_length = 1, max_length = 200, example = "1234")]
        pub q: String,
        /// At most this many results (default 50).
        #[schema(value_type = Option<i64>, minimum = 1, maximum = 200)]
        pub limit: Option<f64>,
    }
    check(req, issues) {
        let q = req.q.trim();
        if q.is_empty() {
            issues.push(Issue::new(vec!["q".into()], "String must contain at least 1 character(s)"));
        } else if q.chars().count() > MAX_QUERY {
            issues.push(Issue::new(vec!["q".into()], format!("String must contain at most {MAX_QUERY} character(s)")));
        }
        whole(issues, "limit", req.limit, 1.0, MAX_LIMIT as f64);
    }
}

/// A code the search found.
#[derive(Debug, Serialize, ToSchema)]
pub struct FoundCode {
    /// The code, as `/access_codes/get` returns it.
    pub access_code: AccessCode,
    /// Its lock's `display_name`.
    pub device_name: String,
}

crate::response! {
    /// `{"results": […], "more": false, "ok": true}`.
    pub struct UiSearchResponse {
        /// Each workspace's newest first.
        pub results: Vec<FoundCode>,
        /// Whether more codes matched than `limit`.
        pub more: bool,
    }
}

/// The codes of every workspace that match `q`, at most `limit` (default 50, at most 200),
/// and whether there were more. For the dashboard, which shows only each lock's newest codes.
#[utoipa::path(
    get,
    path = "/_fake/ui/search",
    tag = "fake",
    request_body = UiSearchRequest,
    responses(
        (status = 200, description = "The matching codes.", body = UiSearchResponse),
        (status = 400, description = bad_input!("`invalid_input` also for an empty `q` or a `limit` outside 1–200."), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn search(
    State(app): State<AppState>,
    Params(req): Params<UiSearchRequest>,
) -> Result<UiSearchResponse> {
    let limit = req.limit.map_or(DEFAULT_LIMIT, |l| l as usize);
    let q = CodeQuery::new(&req.q);
    let copies = app.store.search_copies();
    // O(codes): off the async workers, like any long computation.
    let (hits, more) = tokio::task::spawn_blocking(move || scan(&copies, &q, limit))
        .await
        .map_err(|e| Error::Internal(format!("the search failed: {e}")))?;
    let results = hits
        .into_iter()
        .map(|h| FoundCode {
            access_code: h.code,
            device_name: h.device_name,
        })
        .collect();
    Ok(UiSearchResponse::new(results, more))
}
