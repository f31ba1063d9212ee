//! `/_fake/faults/*` (contract §14): fault rules made, listed, deleted and cleared. A rule
//! matches Seam-API requests by path (exact or glob), method, workspace, device and kind of
//! credential, and answers them with a Seam error or an empty outage, delays them, drops their
//! connection, or rate-limits them (`http::faults` carries it out); or it matches locks, and
//! changes what they do (the device outcomes, which a workspace's lifecycle asks about). No
//! credential needed; the control surface itself is never faulted.

use axum::extract::State;
use serde_json::{Map, Value};

use crate::domain::fault::{Rule, RuleInput};
use crate::error::{Error, Result};
use crate::http::{
    params::{LookupId, Params},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::faults::FaultView;

crate::request! {
    /// A rule: which requests (`match`), what happens to them (`effect`), and how often.
    #[schema(example = json!({
        "match": {"path": "/access_codes/*", "method": "PUT"},
        "effect": {"respond": {"status": 503, "error_type": "service_unavailable", "message": "Try again"}},
        "times": 2
    }))]
    pub struct CreateFaultRequest {
        /// Every key optional, all given must hold: `path` (exact, or a glob whose `*` stays
        /// within a segment and `**` spans any), `method`, `workspace_id`, `device_id` (the
        /// request's `device_id` or `device_ids`, or the device of its `access_code_id`),
        /// `credential` (`api_key`, `client_session`, `personal_access_token`,
        /// `console_session`, `publishable_key`). Absent: every Seam-API request.
        #[schema(value_type = Option<Object>)]
        pub r#match: Option<Map<String, Value>>,
        /// One of: `{"respond": {"status", "error_type", "message"}}` (a Seam error; nothing
        /// runs), `{"respond": {"status": 503, "empty_body": true}}` (an outage), `{"delay_ms":
        /// N}` (alone, or with `respond`), `{"drop_connection": true}` (no answer at all);
        /// `delay_ms` and `drop_connection` take `"when": "before"` (default) or `"after"` (the
        /// request runs and commits first); `{"rate_limit": {"requests", "per_seconds"}}`
        /// (per workspace, wall clock; the rest get 429 `rate_limited` with `Retry-After`).
        /// Or one device outcome, for the locks `match.device_id` or `match.workspace_id`
        /// names: `{"access_code_error": "failed_to_set_on_device" | "duplicate_code_on_device"
        /// | "no_space_for_access_code_on_device"}` (each try to program a code fails),
        /// `{"access_code_delay_s": N}` (a code is set N seconds after the try),
        /// `{"remove_error": "failed_to_remove_from_device"}` (a code being removed stays
        /// `removing`), `{"action_attempt_error": {"type", "message"}}` (lock, unlock, keypad
        /// and auto-lock attempts end `error`).
        #[schema(value_type = Object)]
        pub effect: Map<String, Value>,
        /// How many requests (for a device outcome, tries of the lock) it affects before it
        /// retires; absent: no limit.
        #[schema(value_type = Option<i64>, minimum = 1)]
        pub times: Option<f64>,
        /// The chance (0–1) that a matching request past `after` is affected, drawn from the
        /// server's random source (`--rng-seed` repeats a run).
        #[schema(minimum = 0, maximum = 1)]
        pub probability: Option<f64>,
        /// How many matching requests pass untouched first (default 0).
        #[schema(value_type = Option<i64>, minimum = 0)]
        pub after: Option<f64>,
    }
}

crate::response! {
    /// `{"fault": {...}, "ok": true}`.
    pub struct FaultResponse {
        pub fault: FaultView,
    }
}

crate::response! {
    /// `{"faults": [...], "ok": true}`.
    pub struct FaultsResponse {
        /// In matching order; retired rules stay (with `hits` equal to `times`) until deleted.
        pub faults: Vec<FaultView>,
    }
}

crate::request! {
    /// The rule to delete.
    pub struct DeleteFaultRequest {
        #[schema(value_type = Uuid)]
        pub fault_id: LookupId,
    }
}

/// Adds a rule after the others: for each Seam-API request, the first live rule that
/// matches decides (untouched while under its `after`, or when its `probability` draw misses).
#[utoipa::path(
    post,
    path = "/_fake/faults/create",
    tag = "fake",
    request_body = CreateFaultRequest,
    responses(
        (status = 200, description = "The rule, live.", body = FaultResponse),
        (status = 400, description = bad_input!("`invalid_input` also for a rule that does not parse: each problem under its field (`match.path`, `effect.respond.status`, …); a device outcome with a request matcher (`match.path`, `match.method`, `match.credential`), without `match.device_id` or `match.workspace_id`, or beside another effect."), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    Params(req): Params<CreateFaultRequest>,
) -> Result<FaultResponse> {
    let rule = Rule::parse(RuleInput {
        matcher: req.r#match,
        effect: req.effect,
        times: req.times,
        probability: req.probability,
        after: req.after,
    })
    .map_err(Error::InvalidInput)?;
    Ok(FaultResponse::new(
        app.store.faults().create(rule, app.store.now()),
    ))
}

/// Every rule with its hits, live and retired, in matching order.
#[utoipa::path(
    method(get, post),
    path = "/_fake/faults/list",
    tag = "fake",
    responses((status = 200, description = "The rules.", body = FaultsResponse))
)]
pub async fn list(State(app): State<AppState>) -> FaultsResponse {
    FaultsResponse::new(app.store.faults().list())
}

/// Deletes one rule.
#[utoipa::path(
    post,
    path = "/_fake/faults/delete",
    tag = "fake",
    request_body = DeleteFaultRequest,
    responses(
        (status = 200, description = "Deleted.", body = OkResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 404, description = "`fault_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn delete(
    State(app): State<AppState>,
    Params(req): Params<DeleteFaultRequest>,
) -> Result<OkResponse> {
    let id = req.fault_id.id.ok_or(Error::FaultNotFound)?;
    if !app.store.faults().delete(id) {
        return Err(Error::FaultNotFound);
    }
    Ok(OkResponse::new())
}

/// Deletes every rule (`/_fake/reset` does too).
#[utoipa::path(
    post,
    path = "/_fake/faults/clear",
    tag = "fake",
    responses((status = 200, description = "No rule is left.", body = OkResponse))
)]
pub async fn clear(State(app): State<AppState>) -> OkResponse {
    app.store.faults().clear();
    OkResponse::new()
}
