//! `/connected_accounts/*`: the provider logins that own the devices — read one, a page at a
//! time (the SDK paginators' test subject), updated, synced, and deleted with their devices
//! and codes.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Issue, Result};
use crate::http::{
    metadata::{MetadataUpdate, metadata_schema},
    pagination::{DEFAULT_PAGE, Limit, PageArgs, PageCursor, Pagination, limit_schema},
    params::{LookupId, Params, WithInput},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, records::ConnectedAccount, workspace::AccountChanges};

/// A connected account as Seam returns it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConnectedAccountView {
    pub connected_account_id: Uuid,
    #[serde(with = "crate::domain::timestamp::required")]
    pub created_at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub user_identifier: Map<String, Value>,
    pub account_type: String,
    pub account_type_display_name: String,
    /// The name `/connected_accounts/update` gave, else the login (`user_identifier`'s email,
    /// phone or username), else the provider's name.
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub customer_key: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Value>,
    #[schema(value_type = Object)]
    pub custom_metadata: Map<String, Value>,
    pub automatically_manage_new_devices: bool,
    pub accepted_capabilities: Vec<String>,
}

impl From<&ConnectedAccount> for ConnectedAccountView {
    fn from(a: &ConnectedAccount) -> Self {
        let login = ["email", "phone", "username"]
            .iter()
            .find_map(|k| a.user_identifier.get(*k).and_then(Value::as_str));
        ConnectedAccountView {
            connected_account_id: a.connected_account_id,
            created_at: a.created_at,
            user_identifier: a.user_identifier.clone(),
            account_type: a.account_type.clone(),
            account_type_display_name: a.account_type_display_name.clone(),
            display_name: a
                .display_name
                .as_deref()
                .or(login)
                .unwrap_or(&a.account_type_display_name)
                .to_string(),
            customer_key: a.customer_key.clone(),
            errors: a.errors.clone(),
            warnings: a.warnings.clone(),
            custom_metadata: a.custom_metadata.clone(),
            automatically_manage_new_devices: a.automatically_manage_new_devices,
            accepted_capabilities: a.accepted_capabilities.clone(),
        }
    }
}

crate::response! {
    /// `{"connected_account": …, "ok": true}`.
    pub struct ConnectedAccountResponse {
        pub connected_account: ConnectedAccountView,
    }
}

crate::response! {
    /// `{"connected_accounts": […], "pagination": …, "ok": true}`.
    pub struct ConnectedAccountPageResponse {
        pub connected_accounts: Vec<ConnectedAccountView>,
        pub pagination: Pagination,
    }
}

crate::request! {
    /// The fields `/connected_accounts/get` reads: `connected_account_id` or `email`.
    pub struct GetConnectedAccountRequest {
        #[schema(value_type = Option<Uuid>, example = "5ea10002-0000-4000-8000-000000000001")]
        pub connected_account_id: Option<LookupId>,
        /// The account's `user_identifier.email`, when `connected_account_id` is absent.
        pub email: Option<String>,
    }
    check(req, issues) {
        if req.connected_account_id.is_none() && req.email.is_none() {
            issues.push(Issue::new(vec!["connected_account_id".into()], "Required"));
        }
    }
}

/// One connected account, by id or by email.
#[utoipa::path(
    method(get, post),
    path = "/connected_accounts/get",
    tag = "connected_accounts",
    request_body = GetConnectedAccountRequest,
    responses(
        (status = 200, description = "The connected account.", body = ConnectedAccountResponse),
        (status = 400, description = bad_request!("Also when neither `connected_account_id` nor `email` is given."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`: none the caller may see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GetConnectedAccountRequest>,
) -> Result<ConnectedAccountResponse> {
    let account = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            match (&req.connected_account_id, &req.email) {
                (Some(id), _) => match id.id {
                    Some(id) => ws.connected_account(id, &caller.scope),
                    None => Err(crate::error::Error::ConnectedAccountNotFound),
                },
                (None, Some(email)) => ws.connected_account_by_email(email, &caller.scope),
                (None, None) => Err(crate::error::Error::ConnectedAccountNotFound),
            }
            .map(ConnectedAccountView::from)
        })
        .await?;
    Ok(ConnectedAccountResponse::new(account))
}

crate::request! {
    /// The fields `/connected_accounts/list` reads.
    pub struct ListConnectedAccountsRequest {
        /// Only accounts whose `custom_metadata` holds every one of these pairs.
        #[schema(value_type = Option<Object>)]
        pub custom_metadata_has: Option<Map<String, Value>>,
        #[schema(schema_with = limit_schema)]
        pub limit: Option<Limit>,
        /// `next_page_cursor` of the previous page.
        #[schema(value_type = Option<String>)]
        pub page_cursor: Option<PageCursor>,
    }
}

/// The connected accounts the caller can see, in creation order, a page at a time.
#[utoipa::path(
    method(get, post),
    path = "/connected_accounts/list",
    tag = "connected_accounts",
    request_body = ListConnectedAccountsRequest,
    responses(
        (status = 200, description = "A page of connected accounts.", body = ConnectedAccountPageResponse),
        (status = 400, description = bad_request!("Also when `page_cursor` is not one this server made."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    WithInput { params: req, input }: WithInput<ListConnectedAccountsRequest>,
) -> Result<ConnectedAccountPageResponse> {
    let page = PageArgs::new(req.limit, req.page_cursor, DEFAULT_PAGE);
    let wanted = req.custom_metadata_has.unwrap_or_default();
    let keep = |a: &ConnectedAccount| {
        wanted
            .iter()
            .all(|(k, v)| a.custom_metadata.get(k) == Some(v))
    };
    let (accounts, pagination) = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let p = ws.connected_accounts_page(&caller.scope, keep, page.offset, page.limit);
            let pg = Pagination::of(&p, &input);
            let items = p.items.into_iter().map(ConnectedAccountView::from);
            Ok((items.collect::<Vec<_>>(), pg))
        })
        .await?;
    Ok(ConnectedAccountPageResponse::new(accounts, pagination))
}

/// The capabilities an account may be connected for (`accepted_capabilities`).
const CAPABILITIES: [&str; 5] = [
    "lock",
    "thermostat",
    "noise_sensor",
    "access_control",
    "camera",
];

crate::request! {
    /// The fields `/connected_accounts/update` reads; each one given changes.
    pub struct UpdateConnectedAccountRequest {
        #[schema(value_type = Uuid, example = "5ea10002-0000-4000-8000-000000000001")]
        pub connected_account_id: LookupId,
        /// Shown as `display_name` from then on (1 to 255 characters).
        pub display_name: Option<String>,
        pub customer_key: Option<String>,
        /// Of `lock`, `thermostat`, `noise_sensor`, `access_control`, `camera`.
        pub accepted_capabilities: Option<Vec<String>>,
        pub automatically_manage_new_devices: Option<bool>,
        #[schema(schema_with = metadata_schema)]
        pub custom_metadata: Option<MetadataUpdate>,
    }
    check(req, issues) {
        if req.display_name.as_ref().is_some_and(|n| n.is_empty() || n.chars().count() > 255) {
            issues.push(Issue::new(
                vec!["display_name".into()],
                "String must contain 1 to 255 character(s)",
            ));
        }
        for (i, c) in req.accepted_capabilities.iter().flatten().enumerate() {
            if !CAPABILITIES.contains(&c.as_str()) {
                let names = CAPABILITIES.map(|c| format!("'{c}'")).join(" | ");
                issues.push(Issue::new(
                    vec!["accepted_capabilities".into(), i.to_string()],
                    format!("Invalid enum value. Expected {names}, received '{c}'"),
                ));
            }
        }
        if req.customer_key.as_ref().is_some_and(String::is_empty) {
            issues.push(Issue::new(
                vec!["customer_key".into()],
                "String must contain at least 1 character(s)",
            ));
        }
    }
}

/// Changes a connected account: its name, customer, capabilities, whether new devices are
/// managed, and its `custom_metadata` (merged).
#[utoipa::path(
    method(post, patch),
    path = "/connected_accounts/update",
    tag = "connected_accounts",
    request_body = UpdateConnectedAccountRequest,
    responses(
        (status = 200, description = "The connected account as it is now.", body = ConnectedAccountResponse),
        (status = 400, description = bad_request!("Also an unknown capability, an empty or over-long `display_name`, or a `custom_metadata` value that is not a string of up to 500 characters, a boolean or null."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`: none the caller may see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<UpdateConnectedAccountRequest>,
) -> Result<ConnectedAccountResponse> {
    let changes = AccountChanges {
        display_name: req.display_name,
        customer_key: req.customer_key,
        accepted_capabilities: req.accepted_capabilities,
        automatically_manage_new_devices: req.automatically_manage_new_devices,
        custom_metadata: req.custom_metadata.map(|m| m.0),
    };
    let account = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let id = req
                .connected_account_id
                .id
                .ok_or(Error::ConnectedAccountNotFound)?;
            ws.update_connected_account(id, changes, &caller.scope)
                .map(ConnectedAccountView::from)
        })
        .await?;
    Ok(ConnectedAccountResponse::new(account))
}

crate::request! {
    /// The fields `/connected_accounts/delete` and `/connected_accounts/sync` read.
    pub struct ConnectedAccountIdRequest {
        #[schema(value_type = Uuid, example = "5ea10002-0000-4000-8000-000000000001")]
        pub connected_account_id: LookupId,
        #[schema(schema_with = crate::http::params::accepted::<bool>)]
        pub sync: Option<bool>,
    }
}

/// Deletes a connected account with everything that came through it: its devices
/// (`device.deleted`) and their codes (`access_code.deleted`), then `connected_account.deleted`.
/// Later reads of any of them are 404.
#[utoipa::path(
    method(post, delete),
    path = "/connected_accounts/delete",
    tag = "connected_accounts",
    request_body = ConnectedAccountIdRequest,
    responses(
        (status = 200, description = "Deleted.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`: none the caller may see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<ConnectedAccountIdRequest>,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            let id = req
                .connected_account_id
                .id
                .ok_or(Error::ConnectedAccountNotFound)?;
            ws.delete_connected_account(id, &caller.scope)
        })
        .await?;
    Ok(OkResponse::new())
}

/// Asks for a sync of a connected account. The mock's accounts never drift from their
/// provider, so there is nothing to fetch: an existing account answers `ok`.
#[utoipa::path(
    post,
    path = "/connected_accounts/sync",
    tag = "connected_accounts",
    request_body = ConnectedAccountIdRequest,
    responses(
        (status = 200, description = "Synced.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`: none the caller may see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn sync(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<ConnectedAccountIdRequest>,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            let id = req
                .connected_account_id
                .id
                .ok_or(Error::ConnectedAccountNotFound)?;
            ws.connected_account(id, &caller.scope).map(|_| ())
        })
        .await?;
    Ok(OkResponse::new())
}
