//! `/connected_accounts/get` and `/connected_accounts/list`: the provider logins that own the
//! devices, a page at a time (the SDK paginators' test subject).

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Issue, Result};
use crate::http::{
    pagination::{DEFAULT_PAGE, Limit, PageArgs, PageCursor, Pagination, limit_schema},
    params::{LookupId, Params, WithInput},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, records::ConnectedAccount};

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
    /// The login (`user_identifier`'s email, phone or username), else the provider's name.
    pub display_name: String,
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
            display_name: login.unwrap_or(&a.account_type_display_name).to_string(),
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
    let account = app.store.with_workspace(caller.workspace_id, |ws| {
        match (&req.connected_account_id, &req.email) {
            (Some(id), _) => match id.id {
                Some(id) => ws.connected_account(id, &caller.scope),
                None => Err(crate::error::Error::ConnectedAccountNotFound),
            },
            (None, Some(email)) => ws.connected_account_by_email(email, &caller.scope),
            (None, None) => Err(crate::error::Error::ConnectedAccountNotFound),
        }
        .map(ConnectedAccountView::from)
    })?;
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
    let (accounts, pagination) = app.store.with_workspace(caller.workspace_id, |ws| {
        let p = ws.connected_accounts_page(&caller.scope, keep, page.offset, page.limit);
        let pg = Pagination::of(&p, &input);
        let items = p.items.into_iter().map(ConnectedAccountView::from);
        Ok((items.collect::<Vec<_>>(), pg))
    })?;
    Ok(ConnectedAccountPageResponse::new(accounts, pagination))
}
