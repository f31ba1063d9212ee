//! `/access_codes/*` for managed codes once they exist: reads and lists, update,
//! update_multiple, delete and generate_code. The create routes are in [`super::create`],
//! unmanaged codes in [`super::unmanaged`].

use axum::extract::State;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::access_code::{AccessCode, CodeType};
use crate::domain::command::{Update, UpdateMultiple};
use crate::domain::pin::Pin;
use crate::error::{Error, Issue, Result};
use crate::http::{
    pagination::{DEFAULT_PAGE, Limit, PageArgs, PageCursor, Pagination, limit_schema},
    params::{LookupId, Params, WithInput, accepted},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, workspace::paginate};

use super::action_attempts::ActionAttemptResponse;
use super::create::external_modification;

crate::response! {
    /// `{"access_code": …, "ok": true}`.
    pub struct AccessCodeResponse {
        pub access_code: AccessCode,
    }
}

crate::response! {
    /// `{"access_codes": […], "pagination": …, "ok": true}`.
    pub struct AccessCodePageResponse {
        pub access_codes: Vec<AccessCode>,
        pub pagination: Pagination,
    }
}

crate::response! {
    /// `{"generated_code": …, "ok": true}`: an access code that is not stored.
    pub struct GeneratedCodeResponse {
        pub generated_code: AccessCode,
    }
}

crate::request! {
    /// The fields `/access_codes/get` reads: `access_code_id`, or `device_id` with `code`.
    pub struct GetAccessCodeRequest {
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

/// `access_code_id`, or `device_id` with `code`: one of them names the code.
pub fn code_ref_required(
    id: &Option<LookupId>,
    device_id: &Option<LookupId>,
    code: &Option<String>,
    issues: &mut Vec<Issue>,
) {
    if id.is_none() && (device_id.is_none() || code.is_none()) {
        issues.push(Issue::new(vec!["access_code_id".into()], "Required"));
    }
}

/// How a request names one code: by id, or by its lock and PIN.
pub enum CodeRef {
    Id(Uuid),
    Pin { device_id: Uuid, code: String },
}

impl CodeRef {
    /// From `access_code_id`, or `device_id` with `code` (checked present by
    /// [`code_ref_required`]); a malformed id is that thing's 404.
    pub fn resolve(
        id: &Option<LookupId>,
        device_id: &Option<LookupId>,
        code: &Option<String>,
    ) -> Result<Self> {
        match (id, device_id, code) {
            (Some(id), _, _) => Ok(CodeRef::Id(id.or(|_| Error::AccessCodeNotFound)?)),
            (None, Some(device_id), Some(code)) => Ok(CodeRef::Pin {
                device_id: device_id.or(Error::DeviceNotFound)?,
                code: code.clone(),
            }),
            _ => Err(Error::AccessCodeNotFound),
        }
    }
}

/// One managed access code.
///
/// By `access_code_id`, or by `device_id` and `code` (the PIN on that lock).
#[utoipa::path(
    method(get, post),
    path = "/access_codes/get",
    tag = "access_codes",
    request_body = GetAccessCodeRequest,
    responses(
        (status = 200, description = "The code.", body = AccessCodeResponse),
        (status = 400, description = bad_request!("Also when neither `access_code_id` nor `device_id` with `code` is given."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or, by `device_id`, a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`; `device_not_found` (`data.device_id`) when looking up by `device_id`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GetAccessCodeRequest>,
) -> Result<AccessCodeResponse> {
    let which = CodeRef::resolve(&req.access_code_id, &req.device_id, &req.code)?;
    let code = app
        .store
        .with_workspace(caller.workspace_id, |ws| match &which {
            CodeRef::Id(id) => ws.code(*id, &caller.scope).cloned(),
            CodeRef::Pin { device_id, code } => {
                ws.code_by_pin(*device_id, code, &caller.scope).cloned()
            }
        })
        .await?;
    Ok(AccessCodeResponse::new(code))
}

crate::request! {
    /// The fields `/access_codes/list` reads: `device_id` or `access_code_ids`, and the page.
    pub struct ListAccessCodesRequest {
        /// The lock whose codes to list.
        #[schema(value_type = Option<Uuid>, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: Option<LookupId>,
        /// The codes to list (with `device_id`: only those on that lock); unknown ids are left out.
        #[schema(value_type = Option<Vec<String>>)]
        pub access_code_ids: Option<Vec<LookupId>>,
        #[schema(schema_with = accepted::<String>)]
        pub user_identifier_key: Option<String>,
        #[schema(schema_with = limit_schema)]
        pub limit: Option<Limit>,
        /// `next_page_cursor` of the previous page.
        #[schema(value_type = Option<String>)]
        pub page_cursor: Option<PageCursor>,
    }
    check(req, issues) {
        if req.device_id.is_none() && req.access_code_ids.is_none() {
            issues.push(Issue::new(vec!["device_id".into()], "Required"));
        }
    }
}

/// Managed access codes, in creation order.
///
/// The codes of a `device_id`, or those named in `access_code_ids`, a page at a time.
#[utoipa::path(
    method(get, post),
    path = "/access_codes/list",
    tag = "access_codes",
    request_body = ListAccessCodesRequest,
    responses(
        (status = 200, description = "A page of codes.", body = AccessCodePageResponse),
        (status = 400, description = bad_request!("Also when neither `device_id` nor `access_code_ids` is given, or `page_cursor` is not one this server made."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a `device_id` outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    WithInput { params: req, input }: WithInput<ListAccessCodesRequest>,
) -> Result<AccessCodePageResponse> {
    let page = PageArgs::new(req.limit, req.page_cursor, DEFAULT_PAGE);
    let (codes, pagination) = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let p = match (&req.device_id, &req.access_code_ids) {
                (Some(d), None) => ws.codes_on_device(
                    d.or(Error::DeviceNotFound)?,
                    &caller.scope,
                    page.offset,
                    page.limit,
                )?,
                (Some(d), Some(ids)) => {
                    let wanted = LookupId::valid(ids);
                    let all = ws.codes_on_device(
                        d.or(Error::DeviceNotFound)?,
                        &caller.scope,
                        0,
                        usize::MAX,
                    )?;
                    let it = all
                        .items
                        .into_iter()
                        .filter(|c| wanted.contains(&c.access_code_id));
                    paginate(it, page.offset, page.limit)
                }
                (None, Some(ids)) => ws.codes_by_ids(
                    &LookupId::valid(ids),
                    &caller.scope,
                    page.offset,
                    page.limit,
                ),
                (None, None) => return Err(Error::AccessCodeNotFound),
            };
            let pg = Pagination::of(&p, &input);
            Ok((p.items.into_iter().cloned().collect::<Vec<_>>(), pg))
        })
        .await?;
    Ok(AccessCodePageResponse::new(codes, pagination))
}

crate::request! {
    /// The fields `/access_codes/update` reads.
    pub struct UpdateAccessCodeRequest {
        #[schema(value_type = Uuid)]
        pub access_code_id: LookupId,
        #[schema(schema_with = accepted::<String>)]
        pub device_id: Option<String>,
        #[schema(schema_with = accepted::<bool>)]
        pub is_managed: Option<bool>,
        pub name: Option<String>,
        /// A new PIN, checked like a create's; it takes the code out of its `common_code_key` group.
        #[schema(value_type = Option<String>, pattern = "^[0-9]+$", min_length = 4, max_length = 9)]
        pub code: Option<Pin>,
        pub starts_at: Option<DateTime<Utc>>,
        pub ends_at: Option<DateTime<Utc>>,
        /// `ongoing` clears the window; `time_bound` needs one.
        pub r#type: Option<CodeType>,
        /// Sets `is_external_modification_allowed`.
        pub allow_external_modification: Option<bool>,
        pub is_external_modification_allowed: Option<bool>,
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

/// Changes the name, PIN, window or type of one code.
#[utoipa::path(
    method(post, put, patch),
    path = "/access_codes/update",
    tag = "access_codes",
    request_body = UpdateAccessCodeRequest,
    responses(
        (status = 200, description = "The action attempt (its `result.access_code` is the updated code).", body = ActionAttemptResponse),
        (status = 400, description = bad_request!("`invalid_input` also for an `ongoing` code with a window, a `time_bound` one without, or a window that is over or backwards; `invalid_access_code` (`data.device_id`): the new PIN does not fit the lock."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`.", body = ErrorResponse),
        (status = 409, description = "`duplicate_access_code` (`data.device_id`): the new PIN is already on the lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<UpdateAccessCodeRequest>,
) -> Result<ActionAttemptResponse> {
    let req = Update {
        access_code_id: r.access_code_id.or(|_| Error::AccessCodeNotFound)?,
        name: r.name,
        code: r.code,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        kind: r.r#type,
        is_external_modification_allowed: external_modification(
            r.allow_external_modification,
            r.is_external_modification_allowed,
        ),
    };
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| ws.update(req, &caller.scope))
        .await?;
    Ok(ActionAttemptResponse::new(attempt.to_wire()))
}

crate::request! {
    /// The fields `/access_codes/update_multiple` reads.
    pub struct UpdateMultipleRequest {
        pub common_code_key: String,
        pub name: Option<String>,
        pub starts_at: Option<DateTime<Utc>>,
        pub ends_at: Option<DateTime<Utc>>,
    }
}

/// Changes the name and/or window of every code of a `common_code_key`.
#[utoipa::path(
    method(post, patch),
    path = "/access_codes/update_multiple",
    tag = "access_codes",
    request_body = UpdateMultipleRequest,
    responses(
        (status = 200, description = "Every code of the key changed.", body = OkResponse),
        (status = 400, description = bad_request!("`invalid_input` also for a window that is incomplete, over or backwards."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`: no code of that key that the caller can see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update_multiple(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<UpdateMultipleRequest>,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            ws.update_multiple(
                UpdateMultiple {
                    common_code_key: r.common_code_key,
                    name: r.name,
                    starts_at: r.starts_at,
                    ends_at: r.ends_at,
                },
                &caller.scope,
            )
        })
        .await?;
    Ok(OkResponse::new())
}

crate::request! {
    /// The fields `/access_codes/delete` reads.
    pub struct DeleteAccessCodeRequest {
        #[schema(value_type = Uuid)]
        pub access_code_id: LookupId,
        #[schema(schema_with = accepted::<String>)]
        pub device_id: Option<String>,
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

/// Removes a code from its lock and from Seam; a later `get` answers 404.
#[utoipa::path(
    method(post, delete),
    path = "/access_codes/delete",
    tag = "access_codes",
    request_body = DeleteAccessCodeRequest,
    responses(
        (status = 200, description = "The action attempt.", body = ActionAttemptResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<DeleteAccessCodeRequest>,
) -> Result<ActionAttemptResponse> {
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.delete(
                r.access_code_id.or(|_| Error::AccessCodeNotFound)?,
                &caller.scope,
            )
        })
        .await?;
    Ok(ActionAttemptResponse::new(attempt.to_wire()))
}

crate::request! {
    /// The fields `/access_codes/generate_code` reads.
    pub struct GenerateCodeRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000007")]
        pub device_id: LookupId,
    }
}

/// A PIN the lock would take right now, as an access code that is not stored.
#[utoipa::path(
    method(get, post),
    path = "/access_codes/generate_code",
    tag = "access_codes",
    request_body = GenerateCodeRequest,
    responses(
        (status = 200, description = "The generated code (`code` is `null` on a lock whose provider assigns PINs).", body = GeneratedCodeResponse),
        (status = 400, description = bad_request!("`device_does_not_support_access_codes` (`data.device_id`); `invalid_access_code` (`data.device_id`): the lock has no free PIN."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn generate_code(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<GenerateCodeRequest>,
) -> Result<GeneratedCodeResponse> {
    let generated = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.generate_code(r.device_id.or(Error::DeviceNotFound)?, &caller.scope)
        })
        .await?;
    Ok(GeneratedCodeResponse::new(generated))
}
