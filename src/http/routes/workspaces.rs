//! `/workspaces/get`, `/workspaces/list`, `/workspaces/create`, `/workspaces/update`,
//! `/workspaces/reset_sandbox` and `/workspaces/find_anything`. A personal access token or a
//! console session without `seam-workspace` may list its workspaces and create one (it
//! becomes a member); every other route needs a workspace.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::action_attempt::ActionType;
use crate::error::{Error, Issue, Result};
use crate::http::{
    params::{Params, accepted},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, Principal, Via, records::WorkspaceRecord, sessions::NewWorkspace};

use super::action_attempts::ActionAttemptResponse;

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
    /// As `/workspaces/update` last set it (false until then); the mock keeps answering.
    pub is_suspended: bool,
    /// As `/workspaces/update` set it, else whether the workspace has a publishable key.
    pub is_publishable_key_auth_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub publishable_key: Option<String>,
    /// As `/workspaces/update` set it (`logo_shape`, `primary_button_color`, ...).
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
            is_suspended: w.settings.is_suspended,
            is_publishable_key_auth_enabled: w
                .settings
                .is_publishable_key_auth_enabled
                .unwrap_or(w.publishable_key.is_some()),
            publishable_key: w.publishable_key,
            connect_webview_customization: w.settings.connect_webview_customization,
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

/// The keys of `connect_webview_customization` a workspace keeps.
const CUSTOMIZATION_KEYS: [&str; 5] = [
    "logo_shape",
    "primary_button_color",
    "primary_button_text_color",
    "success_message",
    "inviter_logo_url",
];

crate::request! {
    /// The fields `/workspaces/update` reads; each one given changes.
    pub struct UpdateWorkspaceRequest {
        pub name: Option<String>,
        pub connect_partner_name: Option<String>,
        /// Keys to set (strings; `logo_shape` is `circle` or `square`) or, with null, remove.
        #[schema(value_type = Option<Object>)]
        pub connect_webview_customization: Option<Map<String, Value>>,
        pub is_suspended: Option<bool>,
        /// `false`: the publishable key stops opening client sessions.
        pub is_publishable_key_auth_enabled: Option<bool>,
        #[schema(schema_with = accepted::<String>)]
        pub organization_id: Option<Uuid>,
    }
    check(req, issues) {
        for (k, v) in req.connect_webview_customization.iter().flatten() {
            let at = || vec!["connect_webview_customization".to_string(), k.clone()];
            match (k.as_str(), v) {
                (_, Value::Null) => {}
                ("logo_shape", Value::String(s)) if s != "circle" && s != "square" => {
                    issues.push(Issue::new(
                        at(),
                        format!("Invalid enum value. Expected 'circle' | 'square', received '{s}'"),
                    ));
                }
                (_, Value::String(_)) => {}
                (_, other) => issues.push(Issue::new(at(), crate::http::input::expected("string", other))),
            }
        }
    }
}

/// Changes the caller's workspace: its names, Connect Webview customization (merged; null
/// removes a key), whether it is suspended, and whether its publishable key works.
#[utoipa::path(
    method(post, patch),
    path = "/workspaces/update",
    tag = "workspaces",
    request_body = UpdateWorkspaceRequest,
    responses(
        (status = 200, description = "Updated.", body = OkResponse),
        (status = 400, description = bad_request!("Also a customization value that is not a string, or a `logo_shape` other than `circle` or `square`."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a client session."), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<UpdateWorkspaceRequest>,
) -> Result<OkResponse> {
    not_a_client_session(&caller)?;
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            let w = &mut ws.record;
            if let Some(n) = req.name {
                w.name = n;
            }
            if req.connect_partner_name.is_some() {
                w.connect_partner_name = req.connect_partner_name;
            }
            for (k, v) in req.connect_webview_customization.unwrap_or_default() {
                let custom = &mut w.settings.connect_webview_customization;
                if v.is_null() {
                    custom.remove(&k);
                } else if CUSTOMIZATION_KEYS.contains(&k.as_str()) {
                    custom.insert(k, v);
                }
            }
            if let Some(s) = req.is_suspended {
                w.settings.is_suspended = s;
            }
            if req.is_publishable_key_auth_enabled.is_some() {
                w.settings.is_publishable_key_auth_enabled = req.is_publishable_key_auth_enabled;
            }
            Ok(())
        })
        .await?;
    Ok(OkResponse::new())
}

/// A client session acts for one end user; workspace-wide changes are not its to make.
fn not_a_client_session(caller: &Caller) -> Result<()> {
    match caller.via {
        Via::ClientSession(_) => Err(Error::Unauthorized(
            "Unauthorized: a client session cannot change the workspace".into(),
        )),
        _ => Ok(()),
    }
}

/// Returns the caller's sandbox workspace to its seeded content (as `/_fake/reset
/// {workspace_id}` does: devices, codes, events, client sessions and webhooks as seeded; its
/// record, API keys and settings stay). The `RESET_SANDBOX_WORKSPACE` attempt is answered
/// `pending` and reads `success` from then on. Reads no input.
#[utoipa::path(
    post,
    path = "/workspaces/reset_sandbox",
    tag = "workspaces",
    responses(
        (status = 200, description = "The action attempt.", body = ActionAttemptResponse),
        (status = 400, description = bad_request!("`workspace_not_sandbox`: the workspace is not a sandbox."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a client session."), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn reset_sandbox(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<ActionAttemptResponse> {
    not_a_client_session(&caller)?;
    if !app.store.workspace_record(caller.workspace_id)?.is_sandbox {
        return Err(Error::WorkspaceNotSandbox);
    }
    app.store.reset_workspace(caller.workspace_id)?;
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            Ok(ws.record_attempt(ActionType::ResetSandboxWorkspace, serde_json::json!({})))
        })
        .await?;
    Ok(ActionAttemptResponse::new(attempt.as_pending().to_wire()))
}
