//! `/workspaces/get`, `/workspaces/list`, `/workspaces/create`. A personal access token or a
//! console session without `seam-workspace` may list its workspaces and create one (it
//! becomes a member); every other route needs a workspace.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::{
    params::Params,
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, Principal, records::WorkspaceRecord, sessions::NewWorkspace};

/// A workspace as Seam returns it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WorkspaceView {
    pub workspace_id: Uuid,
    pub name: String,
    /// `company_name` as given, else `connect_partner_name`, else `name`.
    pub company_name: String,
    #[schema(required = true)]
    pub connect_partner_name: Option<String>,
    pub is_sandbox: bool,
    /// Never true here.
    pub is_suspended: bool,
    /// Whether the workspace has a publishable key.
    pub is_publishable_key_auth_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub publishable_key: Option<String>,
    /// Always `{}` here.
    #[schema(value_type = Object)]
    pub connect_webview_customization: Map<String, Value>,
    /// Always `null` here: the mock has no organizations.
    #[schema(required = true, value_type = Option<Uuid>)]
    pub organization_id: Option<Uuid>,
    #[serde(with = "crate::domain::timestamp::required")]
    pub created_at: DateTime<Utc>,
}

impl From<WorkspaceRecord> for WorkspaceView {
    fn from(w: WorkspaceRecord) -> Self {
        WorkspaceView {
            workspace_id: w.workspace_id,
            company_name: w
                .company_name
                .clone()
                .or_else(|| w.connect_partner_name.clone())
                .unwrap_or_else(|| w.name.clone()),
            name: w.name,
            connect_partner_name: w.connect_partner_name,
            is_sandbox: w.is_sandbox,
            is_suspended: false,
            is_publishable_key_auth_enabled: w.publishable_key.is_some(),
            publishable_key: w.publishable_key,
            connect_webview_customization: Map::new(),
            organization_id: None,
            created_at: w.created_at,
        }
    }
}

crate::response! {
    /// `{"workspace": …, "ok": true}`.
    pub struct WorkspaceResponse {
        pub workspace: WorkspaceView,
    }
}

crate::response! {
    /// `{"workspaces": […], "ok": true}`.
    pub struct WorkspaceListResponse {
        pub workspaces: Vec<WorkspaceView>,
    }
}

/// The caller's workspace. Reads no input.
#[utoipa::path(
    method(get, post),
    path = "/workspaces/get",
    tag = "workspaces",
    responses(
        (status = 200, description = "The workspace.", body = WorkspaceResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(State(app): State<AppState>, caller: Caller) -> Result<WorkspaceResponse> {
    let record = app.store.workspace_record(caller.workspace_id)?;
    Ok(WorkspaceResponse::new(record.into()))
}

/// The workspaces the credential reaches: every workspace of a personal access token's or
/// console user's, with or without `seam-workspace` (this route and `/workspaces/create` take
/// them without); an API key's or client session's own. Reads no input.
#[utoipa::path(
    method(get, post),
    path = "/workspaces/list",
    tag = "workspaces",
    responses(
        (status = 200, description = "The workspaces.", body = WorkspaceListResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = "`unauthorized`: no credential, a malformed or unknown one, or a `seam-workspace` the credential is not a member of; `client_session_not_found`: an unknown client session token.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    principal: Principal,
) -> Result<WorkspaceListResponse> {
    let all = app
        .store
        .visible_workspaces(&principal)
        .into_iter()
        .map(WorkspaceView::from)
        .collect();
    Ok(WorkspaceListResponse::new(all))
}

crate::request! {
    /// The fields `/workspaces/create` reads.
    pub struct CreateWorkspaceRequest {
        #[schema(example = "Test Workspace")]
        pub name: String,
        pub company_name: Option<String>,
        /// Deprecated by Seam in favour of `company_name`; kept and returned.
        pub connect_partner_name: Option<String>,
        /// Default true.
        pub is_sandbox: Option<bool>,
    }
}

/// Creates an empty workspace, with its own publishable key; the personal access token or
/// console user that asked becomes a member (so `seam-workspace` may name it at once). Takes a
/// personal access token or console session with or without `seam-workspace`, nothing else.
#[utoipa::path(
    post,
    path = "/workspaces/create",
    tag = "workspaces",
    request_body = CreateWorkspaceRequest,
    responses(
        (status = 200, description = "The new workspace.", body = WorkspaceResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = "`unauthorized`: no credential, a malformed or unknown one, or a credential that is not a personal access token or console session; `client_session_not_found`: an unknown client session token.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    principal: Principal,
    Params(req): Params<CreateWorkspaceRequest>,
) -> Result<WorkspaceResponse> {
    let member = principal.member().ok_or_else(|| {
        Error::Unauthorized(
            "Unauthorized: only a personal access token or console session creates workspaces"
                .into(),
        )
    })?;
    let record = app.store.create_workspace(
        member,
        NewWorkspace {
            name: req.name,
            company_name: req.company_name,
            connect_partner_name: req.connect_partner_name,
            is_sandbox: req.is_sandbox.unwrap_or(true),
        },
    )?;
    Ok(WorkspaceResponse::new(record.into()))
}
