//! `/access_codes/simulate/create_unmanaged_access_code` and `/access_codes/unmanaged/*`: PINs
//! set outside Seam, which managed codes must not reuse, and their conversion to managed codes.

use axum::extract::State;

use crate::domain::access_code::UnmanagedAccessCode;
use crate::domain::pin::Pin;
use crate::error::{Error, Result};
use crate::http::{
    pagination::{Limit, PageArgs, PageCursor, Pagination, limit_schema},
    params::{LookupId, Params, WithInput, accepted},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, workspace::paginate};

use super::access_codes::{CodeRef, code_ref_required};
use super::action_attempts::ActionAttemptResponse;

crate::response! {
    /// `{"access_code": …, "ok": true}` for an unmanaged code.
    pub struct UnmanagedAccessCodeResponse {
        pub access_code: UnmanagedAccessCode,
    }
}

crate::response! {
    /// `{"access_codes": […], "pagination": …, "ok": true}` for unmanaged codes.
    pub struct UnmanagedAccessCodesResponse {
        pub access_codes: Vec<UnmanagedAccessCode>,
        pub pagination: Pagination,
    }
}

crate::request! {
    /// The fields `/access_codes/simulate/create_unmanaged_access_code` reads.
    #[schema(example = json!({"device_id": "5ea10003-0000-4000-8000-000000000002", "name": "Set at the keypad", "code": "7391"}))]
    pub struct CreateUnmanagedRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000002")]
        pub device_id: LookupId,
        pub name: String,
        #[schema(value_type = String, pattern = "^[0-9]+$", min_length = 4, max_length = 9)]
        pub code: Pin,
    }
}

/// Simulates a PIN set outside Seam (at the keypad or in the provider's app).
///
/// The unmanaged code is on the lock at once; managed codes created later must not reuse its PIN.
#[utoipa::path(
    post,
    path = "/access_codes/simulate/create_unmanaged_access_code",
    tag = "access_codes",
    request_body = CreateUnmanagedRequest,
    responses(
        (status = 200, description = "The unmanaged code.", body = UnmanagedAccessCodeResponse),
        (status = 400, description = bad_request!("Also when `page_cursor` is not one this server made; `device_does_not_support_access_codes` (`data.device_id`)."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 409, description = "`duplicate_access_code` (`data.device_id`): the PIN is already on the lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create_unmanaged(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<CreateUnmanagedRequest>,
) -> Result<UnmanagedAccessCodeResponse> {
    let created = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.create_unmanaged(
                r.device_id.or(Error::DeviceNotFound)?,
                r.name,
                r.code,
                &caller.scope,
            )
        })
        .await?;
    Ok(UnmanagedAccessCodeResponse::new(created))
}

crate::request! {
    /// The fields `/access_codes/unmanaged/list` reads.
    pub struct ListUnmanagedRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: LookupId,
        #[schema(schema_with = accepted::<String>)]
        pub user_identifier_key: Option<String>,
        #[schema(schema_with = limit_schema)]
        pub limit: Option<Limit>,
        /// `next_page_cursor` of the previous page.
        #[schema(value_type = Option<String>)]
        pub page_cursor: Option<PageCursor>,
    }
}

/// The unmanaged codes on a lock, in creation order, a page at a time.
#[utoipa::path(
    method(get, post),
    path = "/access_codes/unmanaged/list",
    tag = "access_codes",
    request_body = ListUnmanagedRequest,
    responses(
        (status = 200, description = "The unmanaged codes.", body = UnmanagedAccessCodesResponse),
        (status = 400, description = bad_request!("Also when `page_cursor` is not one this server made; `device_does_not_support_access_codes` (`data.device_id`)."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn unmanaged_list(
    State(app): State<AppState>,
    caller: Caller,
    WithInput { params: r, input }: WithInput<ListUnmanagedRequest>,
) -> Result<UnmanagedAccessCodesResponse> {
    // Without `limit`, every code: Seam's default (300 000) is more than any lock holds.
    let page = PageArgs::new(r.limit, r.page_cursor, usize::MAX);
    let (codes, pagination) = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let all =
                ws.unmanaged_on_device(r.device_id.or(Error::DeviceNotFound)?, &caller.scope)?;
            let p = paginate(all.into_iter().cloned(), page.offset, page.limit);
            let pagination = Pagination::of(&p, &input);
            Ok((p.items, pagination))
        })
        .await?;
    Ok(UnmanagedAccessCodesResponse::new(codes, pagination))
}

crate::request! {
    /// The fields `/access_codes/unmanaged/get` reads: `access_code_id`, or `device_id` with `code`.
    pub struct GetUnmanagedRequest {
        #[schema(value_type = Option<Uuid>)]
        pub access_code_id: Option<LookupId>,
        /// With `code`, when `access_code_id` is absent.
        #[schema(value_type = Option<Uuid>)]
        pub device_id: Option<LookupId>,
        /// With `device_id`: the PIN to look up.
        pub code: Option<String>,
    }
    check(req, issues) {
        code_ref_required(&req.access_code_id, &req.device_id, &req.code, issues);
    }
}

/// One unmanaged code.
///
/// By `access_code_id`, or by `device_id` and `code` (the PIN on that lock).
#[utoipa::path(
    method(get, post),
    path = "/access_codes/unmanaged/get",
    tag = "access_codes",
    request_body = GetUnmanagedRequest,
    responses(
        (status = 200, description = "The unmanaged code.", body = UnmanagedAccessCodeResponse),
        (status = 400, description = bad_request!("Also when neither `access_code_id` nor `device_id` with `code` is given; `device_does_not_support_access_codes` (`data.device_id`) when looking up by `device_id`."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or, by `device_id`, a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`; `device_not_found` (`data.device_id`) when looking up by `device_id`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn unmanaged_get(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GetUnmanagedRequest>,
) -> Result<UnmanagedAccessCodeResponse> {
    let which = CodeRef::resolve(&req.access_code_id, &req.device_id, &req.code)?;
    let found = app
        .store
        .with_workspace(caller.workspace_id, |ws| match &which {
            CodeRef::Id(id) => ws.unmanaged_code(*id, &caller.scope).cloned(),
            CodeRef::Pin { device_id, code } => ws
                .unmanaged_by_pin(*device_id, code, &caller.scope)
                .cloned(),
        })
        .await?;
    Ok(UnmanagedAccessCodeResponse::new(found))
}

crate::request! {
    /// The fields `/access_codes/unmanaged/convert_to_managed` reads.
    pub struct ConvertToManagedRequest {
        #[schema(value_type = Uuid)]
        pub access_code_id: LookupId,
        /// Sets `is_external_modification_allowed`.
        pub allow_external_modification: Option<bool>,
        pub is_external_modification_allowed: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub force: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub attempt_for_offline_device: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub prefer_native_scheduling: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub sync: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub is_one_time_use: Option<bool>,
    }
}

/// Makes an unmanaged code managed: same id, same PIN, now `set` and managed by Seam.
#[utoipa::path(
    method(post, patch),
    path = "/access_codes/unmanaged/convert_to_managed",
    tag = "access_codes",
    request_body = ConvertToManagedRequest,
    responses(
        (status = 200, description = "Converted.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn convert_to_managed(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<ConvertToManagedRequest>,
) -> Result<OkResponse> {
    let ext = r.allow_external_modification.unwrap_or(false)
        || r.is_external_modification_allowed.unwrap_or(false);
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            ws.convert_to_managed(
                r.access_code_id.or(|_| Error::AccessCodeNotFound)?,
                ext,
                &caller.scope,
            )
        })
        .await?;
    Ok(OkResponse::new())
}

crate::request! {
    /// The fields `/access_codes/unmanaged/delete` reads.
    pub struct DeleteUnmanagedRequest {
        #[schema(value_type = Uuid)]
        pub access_code_id: LookupId,
        #[schema(schema_with = accepted::<bool>)]
        pub attempt_for_offline_device: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub prefer_native_scheduling: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub sync: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub is_one_time_use: Option<bool>,
    }
}

/// Removes an unmanaged code from its lock.
#[utoipa::path(
    method(post, delete),
    path = "/access_codes/unmanaged/delete",
    tag = "access_codes",
    request_body = DeleteUnmanagedRequest,
    responses(
        (status = 200, description = "The action attempt.", body = ActionAttemptResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn unmanaged_delete(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<DeleteUnmanagedRequest>,
) -> Result<ActionAttemptResponse> {
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.delete_unmanaged(
                r.access_code_id.or(|_| Error::AccessCodeNotFound)?,
                &caller.scope,
            )
        })
        .await?;
    Ok(ActionAttemptResponse::new(attempt.to_wire()))
}

crate::request! {
    /// The fields `/access_codes/unmanaged/update` reads.
    pub struct UpdateUnmanagedRequest {
        #[schema(value_type = Uuid)]
        pub access_code_id: LookupId,
        /// `true` converts the code like `convert_to_managed`; `false` leaves it unmanaged.
        pub is_managed: bool,
        /// Sets `is_external_modification_allowed` of the converted code.
        pub allow_external_modification: Option<bool>,
        pub is_external_modification_allowed: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub force: Option<bool>,
    }
}

/// Updates an unmanaged code: `is_managed: true` makes it a managed code.
#[utoipa::path(
    method(post, patch),
    path = "/access_codes/unmanaged/update",
    tag = "access_codes",
    request_body = UpdateUnmanagedRequest,
    responses(
        (status = 200, description = "Updated.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn unmanaged_update(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<UpdateUnmanagedRequest>,
) -> Result<OkResponse> {
    let ext = r.allow_external_modification.unwrap_or(false)
        || r.is_external_modification_allowed.unwrap_or(false);
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            let id = r.access_code_id.or(|_| Error::AccessCodeNotFound)?;
            if r.is_managed {
                ws.convert_to_managed(id, ext, &caller.scope)
            } else {
                ws.unmanaged_code(id, &caller.scope).map(|_| ())
            }
        })
        .await?;
    Ok(OkResponse::new())
}
