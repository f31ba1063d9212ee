//! The fake control routes Seam's SDK suites drive besides the seed: moving an action attempt
//! by hand (`/_fake/update_action_attempt`) and taking routes down for one workspace
//! (`/_fake/simulate_workspace_outage`). No credential needed.

use axum::extract::State;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::action_attempt::AttemptStatus;
use crate::error::{Error, Result};
use crate::http::{
    params::{LookupId, Params},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};

crate::request! {
    /// The fields `/_fake/update_action_attempt` reads.
    pub struct UpdateActionAttemptRequest {
        #[schema(value_type = Uuid)]
        pub action_attempt_id: LookupId,
        pub status: AttemptStatus,
        /// The result of a `success` (default `{}`); ignored otherwise.
        #[schema(value_type = Option<Object>)]
        pub result: Option<Map<String, Value>>,
        /// The `{type, message}` of an `error` (default a generic one); ignored otherwise.
        #[schema(value_type = Option<Object>)]
        pub error: Option<Map<String, Value>>,
    }
}

/// Moves an action attempt to `success`, `error` or back to `pending`; `/action_attempts/get`
/// reads the new state at once.
#[utoipa::path(
    method(post, patch),
    path = "/_fake/update_action_attempt",
    tag = "fake",
    request_body = UpdateActionAttemptRequest,
    responses(
        (status = 200, description = "Updated.", body = OkResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 404, description = "`action_attempt_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update_action_attempt(
    State(app): State<AppState>,
    Params(req): Params<UpdateActionAttemptRequest>,
) -> Result<OkResponse> {
    let id = req
        .action_attempt_id
        .id
        .ok_or(Error::ActionAttemptNotFound)?;
    let ws = app
        .store
        .workspace_of_attempt(id)
        .ok_or(Error::ActionAttemptNotFound)?;
    app.store
        .with_workspace(ws, |w| {
            w.update_attempt(
                id,
                req.status,
                req.result.map(Value::Object),
                req.error.map(Value::Object),
            )
        })
        .await?;
    Ok(OkResponse::new())
}

crate::request! {
    /// The fields `/_fake/simulate_workspace_outage` reads.
    pub struct SimulateOutageRequest {
        pub workspace_id: Uuid,
        /// Paths (e.g. `/devices/list`) that answer 503 with an empty body for this workspace
        /// from now on; replaces the previous list (`[]` ends the outage).
        pub routes: Vec<String>,
    }
}

/// Takes routes down for one workspace: their requests answer 503 with an empty body (no
/// Seam envelope), after authentication, until `/_fake/reset` or another call.
#[utoipa::path(
    post,
    path = "/_fake/simulate_workspace_outage",
    tag = "fake",
    request_body = SimulateOutageRequest,
    responses(
        (status = 200, description = "The outage is on.", body = OkResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 404, description = "`workspace_not_found` (`data.workspace_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn simulate_workspace_outage(
    State(app): State<AppState>,
    Params(req): Params<SimulateOutageRequest>,
) -> Result<OkResponse> {
    app.store.simulate_outage(req.workspace_id, req.routes)?;
    Ok(OkResponse::new())
}
