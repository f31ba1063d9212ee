//! `/workspaces/find_anything`: whatever in the caller's workspace has the id searched for —
//! a device (managed or not), an access code (managed or not), a connected account, an action
//! attempt, an event, a customization profile, a client session, or the workspace itself —
//! each kind under its own key of `batch`, in the shape its own route returns it.

use axum::extract::State;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::access_code::{AccessCode, UnmanagedAccessCode};
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::customization::CustomizationProfile;
use crate::domain::device::Device;
use crate::domain::event::Event;
use crate::error::Result;
use crate::http::{
    params::Params,
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, Via, sessions::ClientSessionFilter};

use super::client_sessions::{ClientSessionView, view};
use super::connected_accounts::ConnectedAccountView;
use super::devices_unmanaged::UnmanagedDeviceView;
use super::workspaces::WorkspaceView;

/// What one id names, by kind (empty lists where it names nothing of that kind).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Batch {
    pub devices: Vec<Device>,
    pub unmanaged_devices: Vec<UnmanagedDeviceView>,
    pub access_codes: Vec<AccessCode>,
    pub unmanaged_access_codes: Vec<UnmanagedAccessCode>,
    pub connected_accounts: Vec<ConnectedAccountView>,
    #[schema(value_type = Vec<ActionAttempt>)]
    pub action_attempts: Vec<Value>,
    pub events: Vec<Event>,
    pub customization_profiles: Vec<CustomizationProfile>,
    pub client_sessions: Vec<ClientSessionView>,
    pub workspaces: Vec<WorkspaceView>,
}

crate::response! {
    /// `{"batch": …, "ok": true}`.
    pub struct FindAnythingResponse {
        pub batch: Batch,
    }
}

crate::request! {
    /// The fields `/workspaces/find_anything` reads.
    pub struct FindAnythingRequest {
        /// The id to look for.
        pub search: Uuid,
    }
}

/// Everything in the caller's workspace, within what the caller may see, whose id is `search`.
#[utoipa::path(
    method(get, post),
    path = "/workspaces/find_anything",
    tag = "workspaces",
    request_body = FindAnythingRequest,
    responses(
        (status = 200, description = "What the id names (empty lists when nothing).", body = FindAnythingResponse),
        (status = 400, description = bad_request!("Also a `search` that is not a UUID."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn find_anything(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<FindAnythingRequest>,
) -> Result<FindAnythingResponse> {
    let id = req.search;
    let found = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            Ok(ws.find_anything(id, &caller.scope))
        })
        .await?;
    // A client session sees only itself among the sessions.
    let own = match caller.via {
        Via::ClientSession(own) => own == id,
        _ => true,
    };
    let sessions = if own {
        let f = ClientSessionFilter {
            client_session_id: Some(id),
            ..ClientSessionFilter::default()
        };
        app.store.client_sessions(caller.workspace_id, &f)
    } else {
        Vec::new()
    };
    let workspaces = if id == caller.workspace_id {
        vec![app.store.workspace_record(id)?.into()]
    } else {
        Vec::new()
    };
    let batch = Batch {
        devices: found.devices,
        unmanaged_devices: found.unmanaged_devices.iter().map(Into::into).collect(),
        access_codes: found.access_codes,
        unmanaged_access_codes: found.unmanaged_access_codes,
        connected_accounts: found.connected_accounts.iter().map(Into::into).collect(),
        action_attempts: found
            .action_attempts
            .iter()
            .map(ActionAttempt::to_wire)
            .collect(),
        events: found.events,
        customization_profiles: found.customization_profiles,
        client_sessions: sessions
            .into_iter()
            .map(|s| view(&app, s))
            .collect::<Result<_>>()?,
        workspaces,
    };
    Ok(FindAnythingResponse::new(batch))
}
