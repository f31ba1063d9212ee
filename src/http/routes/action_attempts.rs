//! `/action_attempts/get` and `/action_attempts/list`: receipts of access-code actions.

use axum::{extract::State, response::Response};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::action_attempt::ActionAttempt;
use crate::domain::command;
use crate::error::{Error, Result};
use crate::http::openapi::{ErrorResponse, OkTrue};
use crate::http::{AppState, input::Input, ok};
use crate::store::Caller;

use super::{PAYLOAD_TOO_LARGE, Pagination, ok_page, pagination};
use crate::store::workspace::Page;

/// `{"action_attempts": […], "pagination": …, "ok": true}`.
#[derive(ToSchema)]
pub struct ActionAttemptPageResponse {
    pub action_attempts: Vec<ActionAttempt>,
    pub pagination: Pagination,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// The fields `/action_attempts/get` reads.
#[derive(ToSchema)]
pub struct GetActionAttemptRequest {
    pub action_attempt_id: Uuid,
}

/// One action attempt.
#[utoipa::path(
    method(get, post),
    path = "/action_attempts/get",
    tag = "action_attempts",
    request_body = GetActionAttemptRequest,
    responses(
        (status = 200, description = "The action attempt.", body = super::access_codes::ActionAttemptResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`action_attempt_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let id = input.req_string("action_attempt_id");
    input.finish()?;
    let attempt = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.action_attempt(command::id_or(&id, || Error::ActionAttemptNotFound)?)
            .map(|a| a.to_wire())
    })??;
    Ok(ok("action_attempt", attempt))
}

/// The fields `/action_attempts/list` reads.
#[derive(ToSchema)]
pub struct ListActionAttemptsRequest {
    /// The attempts to list; unknown ids are left out.
    pub action_attempt_ids: Vec<String>,
    /// Accepted; changes nothing here.
    pub device_id: Option<String>,
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
    mut input: Input,
) -> Result<Response> {
    let ids = input.req_string_array("action_attempt_ids");
    let _ = input.opt_string("device_id");
    input.finish()?;
    let attempts: Vec<Value> = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.action_attempts(&command::filter_ids(Some(ids)).unwrap_or_default())
            .into_iter()
            .map(|a| a.to_wire())
            .collect()
    })?;
    // Every named attempt comes back at once: always the last page.
    let last = Page::<()> {
        items: Vec::new(),
        next_offset: None,
    };
    Ok(ok_page(
        "action_attempts",
        attempts,
        pagination(&last, &input),
    ))
}
