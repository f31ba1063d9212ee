//! `/client_sessions/*`: tokens for one end user of a workspace, made with an API key, a
//! member's credential with `seam-workspace`, or a publishable key (`seam-publishable-key` +
//! `user_identifier_key`, what `SeamHttp.fromPublishableKey` sends). A new token works as a
//! credential at once; a deleted or revoked one stops at once. `grant_access` widens what a
//! session sees.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Issue, Result};
use crate::http::{
    params::{LookupId, Params},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{
    Caller, Principal, Via,
    records::ClientSession,
    sessions::{ClientSessionFilter, NewClientSession, never},
};

/// A client session as Seam returns it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClientSessionView {
    pub client_session_id: Uuid,
    pub workspace_id: Uuid,
    /// Works as `Authorization: Bearer <token>` (or `client-session-token`).
    pub token: String,
    #[schema(required = true)]
    pub user_identifier_key: Option<String>,
    /// Empty: the session sees every connected account of the workspace.
    pub connected_account_ids: Vec<Uuid>,
    /// Always empty here (no Connect Webviews).
    pub connect_webview_ids: Vec<Uuid>,
    /// Always empty here (no user identities).
    pub user_identity_ids: Vec<Uuid>,
    /// How many devices the session sees.
    pub device_count: usize,
    #[serde(with = "crate::domain::timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When the token stops working (the end of year 9999 for a fixture session with none).
    #[serde(with = "crate::domain::timestamp::required")]
    pub expires_at: DateTime<Utc>,
}

/// A stored client session as Seam returns it, with the devices it sees counted.
pub fn view(app: &AppState, s: ClientSession) -> Result<ClientSessionView> {
    // Synchronous: lists map many sessions through it; a count is a short read.
    let device_count = app.store.with_workspace_sync(s.workspace_id, |ws| {
        Ok(ws.device_count(&s.connected_account_ids))
    })?;
    Ok(ClientSessionView {
        client_session_id: s.client_session_id,
        workspace_id: s.workspace_id,
        token: s.token,
        user_identifier_key: s.user_identifier_key,
        connected_account_ids: s.connected_account_ids,
        connect_webview_ids: Vec::new(),
        user_identity_ids: Vec::new(),
        device_count,
        created_at: s.created_at,
        expires_at: s.expires_at.unwrap_or_else(never),
    })
}

crate::response! {
    /// `{"client_session": …, "ok": true}`.
    pub struct ClientSessionResponse {
        pub client_session: ClientSessionView,
    }
}

crate::response! {
    /// `{"client_sessions": […], "ok": true}`.
    pub struct ClientSessionListResponse {
        pub client_sessions: Vec<ClientSessionView>,
    }
}

crate::request! {
    /// The fields `/client_sessions/create` and `/client_sessions/get_or_create` read.
    pub struct CreateClientSessionRequest {
        /// Limit the session to these connected accounts of the workspace (not with a
        /// publishable key).
        pub connected_account_ids: Option<Vec<Uuid>>,
        /// Who the session is for; required with a publishable key.
        pub user_identifier_key: Option<String>,
        /// When the token stops working (default: a year from now).
        pub expires_at: Option<DateTime<Utc>>,
    }
}

/// Who may make client sessions: API keys, members with `seam-workspace`, publishable keys
/// (with a `user_identifier_key` and nothing else); not client sessions.
fn session_maker(principal: Principal, req: &CreateClientSessionRequest) -> Result<Caller> {
    let caller = match principal {
        Principal::Workspace(c) => c,
        member => return member.into_caller(),
    };
    match caller.via {
        Via::ClientSession(_) => Err(Error::Unauthorized(
            "Unauthorized: a client session cannot make client sessions".into(),
        )),
        Via::PublishableKey if req.connected_account_ids.is_some() => {
            Err(Error::PublishableKeysMustCreateEmptyClientSessions)
        }
        Via::PublishableKey
            if req
                .user_identifier_key
                .as_deref()
                .is_none_or(|k| k.trim().is_empty()) =>
        {
            Err(Error::PublishableKeyRequiresUserIdentifierKey)
        }
        _ => Ok(caller),
    }
}

async fn make(
    app: &AppState,
    principal: Principal,
    req: CreateClientSessionRequest,
    reuse: bool,
) -> Result<ClientSessionResponse> {
    let caller = session_maker(principal, &req)?;
    let accounts = req.connected_account_ids.unwrap_or_default();
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            accounts
                .iter()
                .try_for_each(|a| ws.connected_account(*a, &caller.scope).map(|_| ()))
        })
        .await?;
    let s = app.store.create_client_session(
        caller.workspace_id,
        NewClientSession {
            connected_account_ids: accounts,
            user_identifier_key: req.user_identifier_key,
            expires_at: req.expires_at,
        },
        reuse,
    )?;
    Ok(ClientSessionResponse::new(view(app, s)?))
}

const MAKER_401: &str = "`unauthorized`: no credential, a malformed or unknown one, a client session, or a personal access token or console session without `seam-workspace`; `client_session_not_found`: an unknown client session token.";

/// Creates a client session. Also takes a `seam-publishable-key` header (no `Authorization`)
/// with a `user_identifier_key`. With a `user_identifier_key` that already has one in the
/// workspace, POST is a 400 `client_session_token_already_exists`.
#[utoipa::path(
    post,
    path = "/client_sessions/create",
    tag = "client_sessions",
    request_body = CreateClientSessionRequest,
    responses(
        (status = 200, description = "The new client session.", body = ClientSessionResponse),
        (status = 400, description = bad_request!("`client_session_token_already_exists`: the `user_identifier_key` has a session (PUT returns it); `publishable_key_requires_user_identifier_key`."), body = ErrorResponse),
        (status = 401, description = MAKER_401, body = ErrorResponse),
        (status = 403, description = "`publishable_keys_must_create_empty_client_sessions`: `connected_account_ids` with a publishable key.", body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`: a `connected_account_ids` entry the caller may not see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    principal: Principal,
    Params(req): Params<CreateClientSessionRequest>,
) -> Result<ClientSessionResponse> {
    make(&app, principal, req, false).await
}

/// Creates a client session, or returns the one its `user_identifier_key` already has. Also
/// takes a `seam-publishable-key` header (no `Authorization`) with a `user_identifier_key`.
#[utoipa::path(
    put,
    path = "/client_sessions/create",
    tag = "client_sessions",
    request_body = CreateClientSessionRequest,
    responses(
        (status = 200, description = "The new or existing client session.", body = ClientSessionResponse),
        (status = 400, description = bad_request!("`publishable_key_requires_user_identifier_key`."), body = ErrorResponse),
        (status = 401, description = MAKER_401, body = ErrorResponse),
        (status = 403, description = "`publishable_keys_must_create_empty_client_sessions`: `connected_account_ids` with a publishable key.", body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`: a `connected_account_ids` entry the caller may not see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create_put(
    State(app): State<AppState>,
    principal: Principal,
    Params(req): Params<CreateClientSessionRequest>,
) -> Result<ClientSessionResponse> {
    make(&app, principal, req, true).await
}

/// The client session of a `user_identifier_key`, made if it has none. Also takes a
/// `seam-publishable-key` header (no `Authorization`) with a `user_identifier_key`, what
/// `fromPublishableKey` sends.
#[utoipa::path(
    method(post, put),
    path = "/client_sessions/get_or_create",
    tag = "client_sessions",
    request_body = CreateClientSessionRequest,
    responses(
        (status = 200, description = "The existing or new client session.", body = ClientSessionResponse),
        (status = 400, description = bad_request!("`publishable_key_requires_user_identifier_key`."), body = ErrorResponse),
        (status = 401, description = MAKER_401, body = ErrorResponse),
        (status = 403, description = "`publishable_keys_must_create_empty_client_sessions`: `connected_account_ids` with a publishable key.", body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`: a `connected_account_ids` entry the caller may not see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get_or_create(
    State(app): State<AppState>,
    principal: Principal,
    Params(req): Params<CreateClientSessionRequest>,
) -> Result<ClientSessionResponse> {
    make(&app, principal, req, true).await
}

crate::request! {
    /// The fields `/client_sessions/get` reads: one of them, unless the caller is a client
    /// session (then it is its own).
    pub struct GetClientSessionRequest {
        #[schema(value_type = Option<Uuid>)]
        pub client_session_id: Option<LookupId>,
        pub user_identifier_key: Option<String>,
    }
}

/// One client session of the caller's workspace; a client session gets itself.
#[utoipa::path(
    method(get, post),
    path = "/client_sessions/get",
    tag = "client_sessions",
    request_body = GetClientSessionRequest,
    responses(
        (status = 200, description = "The client session.", body = ClientSessionResponse),
        (status = 400, description = bad_request!("Also when neither `client_session_id` nor `user_identifier_key` is given."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`client_session_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GetClientSessionRequest>,
) -> Result<ClientSessionResponse> {
    let mut f = ClientSessionFilter::default();
    if let Via::ClientSession(own) = caller.via {
        f.client_session_id = Some(own);
    } else if let Some(id) = &req.client_session_id {
        f.client_session_id = Some(id.id.ok_or(Error::NoSuchClientSession)?);
    } else if let Some(k) = req.user_identifier_key {
        f.user_identifier_key = Some(k);
    } else {
        return Err(Error::InvalidInput(vec![Issue::new(
            vec!["client_session_id".into()],
            "Required",
        )]));
    }
    let s = app
        .store
        .client_sessions(caller.workspace_id, &f)
        .into_iter()
        .next()
        .ok_or(Error::NoSuchClientSession)?;
    Ok(ClientSessionResponse::new(view(&app, s)?))
}

crate::request! {
    /// The fields `/client_sessions/list` reads: filters, all of which must match.
    pub struct ListClientSessionsRequest {
        pub client_session_id: Option<Uuid>,
        pub user_identifier_key: Option<String>,
        /// Only sessions made without a `user_identifier_key`.
        pub without_user_identifier_key: Option<bool>,
    }
}

fn not_a_client_session(caller: &Caller) -> Result<()> {
    match caller.via {
        Via::ClientSession(_) => Err(Error::Unauthorized(
            "Unauthorized: a client session cannot manage client sessions".into(),
        )),
        _ => Ok(()),
    }
}

/// The workspace's client sessions, oldest first.
#[utoipa::path(
    method(get, post),
    path = "/client_sessions/list",
    tag = "client_sessions",
    request_body = ListClientSessionsRequest,
    responses(
        (status = 200, description = "The client sessions.", body = ClientSessionListResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a client session (they cannot list others)."), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<ListClientSessionsRequest>,
) -> Result<ClientSessionListResponse> {
    not_a_client_session(&caller)?;
    let f = ClientSessionFilter {
        client_session_id: req.client_session_id,
        user_identifier_key: req.user_identifier_key,
        without_user_identifier_key: req.without_user_identifier_key.unwrap_or(false),
    };
    let all = app
        .store
        .client_sessions(caller.workspace_id, &f)
        .into_iter()
        .map(|s| view(&app, s))
        .collect::<Result<_>>()?;
    Ok(ClientSessionListResponse::new(all))
}

crate::request! {
    /// The fields `/client_sessions/delete` reads.
    pub struct DeleteClientSessionRequest {
        #[schema(value_type = Uuid)]
        pub client_session_id: LookupId,
    }
}

/// Deletes a client session; its token stops working at once.
#[utoipa::path(
    method(post, delete),
    path = "/client_sessions/delete",
    tag = "client_sessions",
    request_body = DeleteClientSessionRequest,
    responses(
        (status = 200, description = "Deleted.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a client session."), body = ErrorResponse),
        (status = 404, description = "`client_session_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<DeleteClientSessionRequest>,
) -> Result<OkResponse> {
    not_a_client_session(&caller)?;
    let id = req.client_session_id.id.ok_or(Error::NoSuchClientSession)?;
    app.store.delete_client_session(caller.workspace_id, id)?;
    Ok(OkResponse::new())
}

crate::request! {
    /// The fields `/client_sessions/grant_access` reads: the session (by id, else by
    /// `user_identifier_key`) and what to grant it.
    pub struct GrantAccessRequest {
        #[schema(value_type = Option<Uuid>)]
        pub client_session_id: Option<LookupId>,
        pub user_identifier_key: Option<String>,
        /// Connected accounts of the workspace the session may see from then on, besides those
        /// it already has.
        #[schema(value_type = Option<Vec<Uuid>>)]
        pub connected_account_ids: Option<Vec<LookupId>>,
        #[schema(schema_with = crate::http::params::accepted::<Vec<String>>)]
        pub connect_webview_ids: Option<Vec<String>>,
        #[schema(schema_with = crate::http::params::accepted::<String>)]
        pub user_identity_id: Option<String>,
        #[schema(schema_with = crate::http::params::accepted::<Vec<String>>)]
        pub user_identity_ids: Option<Vec<String>>,
    }
    check(req, issues) {
        if req.client_session_id.is_none() && req.user_identifier_key.is_none() {
            issues.push(Issue::new(vec!["client_session_id".into()], "Required"));
        }
    }
}

/// Grants a client session more connected accounts: it sees their devices from then on. A
/// session that saw every account (none listed) sees only those it is granted from then on.
#[utoipa::path(
    method(post, patch),
    path = "/client_sessions/grant_access",
    tag = "client_sessions",
    request_body = GrantAccessRequest,
    responses(
        (status = 200, description = "The client session as it is now.", body = ClientSessionResponse),
        (status = 400, description = bad_request!("Also when neither `client_session_id` nor `user_identifier_key` is given."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a client session."), body = ErrorResponse),
        (status = 404, description = "`client_session_not_found`; `connected_account_not_found`: a `connected_account_ids` entry not in the workspace.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn grant_access(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GrantAccessRequest>,
) -> Result<ClientSessionResponse> {
    not_a_client_session(&caller)?;
    let mut f = ClientSessionFilter::default();
    match (&req.client_session_id, req.user_identifier_key) {
        (Some(id), _) => f.client_session_id = Some(id.id.ok_or(Error::NoSuchClientSession)?),
        (None, key) => f.user_identifier_key = key,
    }
    let session = app
        .store
        .client_sessions(caller.workspace_id, &f)
        .into_iter()
        .next()
        .ok_or(Error::NoSuchClientSession)?;
    let requested = req.connected_account_ids.unwrap_or_default();
    let accounts = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            requested
                .iter()
                .map(|a| {
                    let id = a.id.ok_or(Error::ConnectedAccountNotFound)?;
                    ws.connected_account(id, &caller.scope)
                        .map(|a| a.connected_account_id)
                })
                .collect::<Result<Vec<Uuid>>>()
        })
        .await?;
    let s =
        app.store
            .change_client_session(caller.workspace_id, session.client_session_id, |s| {
                for a in accounts {
                    if !s.connected_account_ids.contains(&a) {
                        s.connected_account_ids.push(a);
                    }
                }
            })?;
    Ok(ClientSessionResponse::new(view(&app, s)?))
}

/// Revokes a client session: its token stops working now (`expires_at` becomes now); the
/// session is still read and listed until `/client_sessions/delete`.
#[utoipa::path(
    post,
    path = "/client_sessions/revoke",
    tag = "client_sessions",
    request_body = DeleteClientSessionRequest,
    responses(
        (status = 200, description = "Revoked.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a client session."), body = ErrorResponse),
        (status = 404, description = "`client_session_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn revoke(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<DeleteClientSessionRequest>,
) -> Result<OkResponse> {
    not_a_client_session(&caller)?;
    let id = req.client_session_id.id.ok_or(Error::NoSuchClientSession)?;
    app.store.revoke_client_session(caller.workspace_id, id)?;
    Ok(OkResponse::new())
}
