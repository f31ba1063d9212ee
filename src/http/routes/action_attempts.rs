//! `/action_attempts/get` and `/action_attempts/list`: receipts of access-code actions.

use axum::extract::State;
use serde_json::Value;

use crate::domain::action_attempt::ActionAttempt;
use crate::error::{Error, Result};
use crate::http::{
    pagination::Pagination,
    params::{LookupId, Params, WithInput, accepted},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, workspace::Page};

crate::response! {
    /// `{"action_attempt": …, "ok": true}`.
    pub struct ActionAttemptResponse {
        #[schema(value_type = ActionAttempt)]
        pub action_attempt: Value,
    }
}

crate::response! {
    /// `{"action_attempts": […], "pagination": …, "ok": true}`.
    pub struct ActionAttemptPageResponse {
        #[schema(value_type = Vec<ActionAttempt>)]
        pub action_attempts: Vec<Value>,
        pub pagination: Pagination,
    }
}

crate::request! {
    /// The fields `/action_attempts/get` reads.
    pub struct GetActionAttemptRequest {
        #[schema(value_type = Uuid)]
        pub action_attempt_id: LookupId,
    }
}

/// One action attempt.
#[utoipa::path(
    method(get, post),
    path = "/action_attempts/get",
    tag = "action_attempts",
    request_body = GetActionAttemptRequest,
    responses(
        (status = 200, description = "The action attempt.", body = ActionAttemptResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`action_attempt_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GetActionAttemptRequest>,
) -> Result<ActionAttemptResponse> {
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.action_attempt(req.action_attempt_id.or(|_| Error::ActionAttemptNotFound)?)
                .map(|a| a.to_wire())
        })
        .await?;
    Ok(ActionAttemptResponse::new(attempt))
}

crate::request! {
    /// The fields `/action_attempts/list` reads.
    pub struct ListActionAttemptsRequest {
        /// The attempts to list; unknown ids are left out.
        #[schema(value_type = Vec<String>)]
        pub action_attempt_ids: Vec<LookupId>,
        #[schema(schema_with = accepted::<String>)]
        pub device_id: Option<String>,
    }
}

/// Action attempts by id, in the order asked (one page: every match).
#[utoipa::path(
    method(get, post),
    path = "/action_attempts/list",
    tag = "action_attempts",
    request_body = ListActionAttemptsRequest,
    responses(
        (status = 200, description = "The attempts found.", body = ActionAttemptPageResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    WithInput { params: req, input }: WithInput<ListActionAttemptsRequest>,
) -> Result<ActionAttemptPageResponse> {
    let ids = LookupId::valid(&req.action_attempt_ids);
    let attempts: Vec<Value> = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            Ok(ws
                .action_attempts(&ids)
                .into_iter()
                .map(|a| a.to_wire())
                .collect())
        })
        .await?;
    // Every named attempt comes back at once: always the last page.
    let last = Page::<()> {
        items: Vec::new(),
        next_offset: None,
    };
    Ok(ActionAttemptPageResponse::new(
        attempts,
        Pagination::of(&last, &input),
    ))
}
