//! `/access_codes/*`: create_multiple (the heart), reads and lists, and unmanaged codes.

use axum::{extract::State, response::Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, json};
use utoipa::{
    ToSchema,
    openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type},
};
use uuid::Uuid;

use crate::domain::access_code::{AccessCode, CodeType, UnmanagedAccessCode};
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::command::{
    self, CodeSettings, CreateMultiple, CreateOne, DeviceIds, Update, UpdateMultiple,
};
use crate::domain::create_multiple::{Behavior, Request as PlanRequest};
use crate::domain::pin::Pin;
use crate::error::{Error, Result};
use crate::http::openapi::{ErrorResponse, OkResponse, OkTrue};
use crate::http::{AppState, input::Input, ok, ok_empty, ok_fields};
use crate::store::{Caller, workspace::paginate};

use super::{PAYLOAD_TOO_LARGE, Pagination, ok_page, page_args, pagination};

/// `{"access_code": …, "ok": true}`.
#[derive(ToSchema)]
pub struct AccessCodeResponse {
    pub access_code: AccessCode,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"access_codes": […], "ok": true}`.
#[derive(ToSchema)]
pub struct AccessCodesResponse {
    pub access_codes: Vec<AccessCode>,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"access_codes": […], "pagination": …, "ok": true}`.
#[derive(ToSchema)]
pub struct AccessCodePageResponse {
    pub access_codes: Vec<AccessCode>,
    pub pagination: Pagination,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"access_code": …, "action_attempt": …, "ok": true}`.
#[derive(ToSchema)]
pub struct CreatedAccessCodeResponse {
    pub access_code: AccessCode,
    pub action_attempt: ActionAttempt,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"action_attempt": …, "ok": true}`.
#[derive(ToSchema)]
pub struct ActionAttemptResponse {
    pub action_attempt: ActionAttempt,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"generated_code": …, "ok": true}`: an access code that is not stored.
#[derive(ToSchema)]
pub struct GeneratedCodeResponse {
    pub generated_code: AccessCode,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"access_code": …, "ok": true}` for an unmanaged code.
#[derive(ToSchema)]
pub struct UnmanagedAccessCodeResponse {
    pub access_code: UnmanagedAccessCode,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"access_codes": […], "ok": true}` for unmanaged codes.
#[derive(ToSchema)]
pub struct UnmanagedAccessCodesResponse {
    pub access_codes: Vec<UnmanagedAccessCode>,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// Reads an optional caller-chosen PIN.
fn opt_pin(input: &mut Input, key: &str) -> Option<Pin> {
    let s = input.opt_string(key)?;
    match Pin::parse(&s) {
        Ok(p) => Some(p),
        Err(msg) => {
            input.issue(key, msg);
            None
        }
    }
}

/// The fields `create_multiple` reads (JSON body of POST and PUT).
#[derive(ToSchema)]
#[schema(example = json!({"device_ids": ["5ea10003-0000-4000-8000-000000000001", "5ea10003-0000-4000-8000-000000000007"], "name": "Guest"}))]
pub struct CreateMultipleRequest {
    #[schema(schema_with = device_ids_schema)]
    pub device_ids: Vec<Uuid>,
    /// A PIN for every lock; without it the server picks one they can all take.
    #[schema(pattern = "^[0-9]+$", min_length = 4, max_length = 9)]
    pub code: Option<String>,
    /// Used when `code` is absent and every lock supports that length; else the shortest
    /// common length.
    pub preferred_code_length: Option<f64>,
    /// `throw` (the default) creates nothing when some lock cannot take the shared PIN.
    pub behavior_when_code_cannot_be_shared: Option<Behavior>,
    pub name: Option<String>,
    /// With `ends_at`: the start of a `time_bound` code's window.
    pub starts_at: Option<DateTime<Utc>>,
    /// With `starts_at`: the end of the window, after it and in the future.
    pub ends_at: Option<DateTime<Utc>>,
    /// Sets `is_external_modification_allowed`.
    pub allow_external_modification: Option<bool>,
    pub is_external_modification_allowed: Option<bool>,
    /// Only with a time-bound code.
    pub use_backup_access_code_pool: Option<bool>,
    /// Accepted; changes nothing here.
    pub attempt_for_offline_device: Option<bool>,
    /// Accepted; changes nothing here.
    pub prefer_native_scheduling: Option<bool>,
}

/// `device_ids` of create_multiple: at least one, no repeats.
fn device_ids_schema() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
        )
        .min_items(Some(1))
        .unique_items(true)
        .description(Some(
            "The locks, each once; the codes come back in this order.",
        ))
        .examples([json!([
            "5ea10003-0000-4000-8000-000000000001",
            "5ea10003-0000-4000-8000-000000000007"
        ])])
}

/// How a request names one code: by id, or by its lock and PIN.
enum CodeRef {
    Id(String),
    Pin { device_id: String, code: String },
}

/// Parses an `access_code_id`; a malformed one names no code (404 `access_code_not_found`).
fn code_id(raw: &str) -> Result<Uuid> {
    command::id_or(raw, || Error::AccessCodeNotFound)
}

/// Reads `access_code_id`, or `device_id` with `code`; `None` (with an issue recorded) when
/// neither is given.
fn parse_code_ref(input: &mut Input) -> Option<CodeRef> {
    let id = input.opt_string("access_code_id");
    let device_id = input.opt_string("device_id");
    let code = input.opt_string("code");
    match (id, device_id, code) {
        (Some(id), _, _) => Some(CodeRef::Id(id)),
        (None, Some(device_id), Some(code)) => Some(CodeRef::Pin { device_id, code }),
        _ => {
            input.issue("access_code_id", "Required");
            None
        }
    }
}

/// Parses a create_multiple body into the domain request (contract §4).
pub fn parse_create_multiple(input: &mut Input) -> Result<CreateMultiple> {
    let raw_ids = input.req_string_array("device_ids");
    // A malformed id names no lock: it is reported (404) once the input is otherwise valid.
    let parsed: Vec<Result<Uuid>> = raw_ids.iter().map(|d| command::device_id(d)).collect();
    let ok: Vec<Uuid> = parsed
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    let mut device_ids = None;
    // With a type problem, or only malformed ids (a 404 below), there is nothing to check;
    // either way the other fields' problems are still collected.
    if !input.has_issues() && (raw_ids.is_empty() || !ok.is_empty()) {
        match DeviceIds::new(ok) {
            Ok(ids) => device_ids = Some(ids),
            Err(issue) => input.issue("device_ids", issue.message),
        }
    }
    let code = opt_pin(input, "code");
    let preferred_code_length = input.opt_number("preferred_code_length");
    let behavior = input
        .opt_enum(
            "behavior_when_code_cannot_be_shared",
            &["throw", "create_random_code"],
        )
        .and_then(|b| Behavior::parse(&b))
        .unwrap_or_default();
    let settings = parse_settings(input);
    input.finish()?;
    if let Some(bad) = parsed.into_iter().find_map(Result::err) {
        return Err(bad);
    }
    let device_ids = device_ids
        .ok_or_else(|| Error::Internal("device_ids were neither checked nor refused".into()))?;
    Ok(CreateMultiple {
        device_ids,
        plan: PlanRequest {
            code,
            preferred_code_length,
            behavior,
        },
        settings,
    })
}

/// Reads what every new code takes besides its lock and PIN (both create routes), and the
/// flags Seam accepts that change nothing here.
fn parse_settings(input: &mut Input) -> CodeSettings {
    let settings = CodeSettings {
        name: input.opt_string("name"),
        starts_at: input.opt_timestamp("starts_at"),
        ends_at: input.opt_timestamp("ends_at"),
        is_external_modification_allowed: external_modification(input).unwrap_or(false),
        use_backup_access_code_pool: input
            .opt_bool("use_backup_access_code_pool")
            .unwrap_or(false),
    };
    accepted(input);
    settings
}

/// One PIN across several locks, or nothing.
///
/// Every lock gets a code with the same PIN; without `code`, the codes share one fresh
/// `common_code_key`. When some lock cannot take the shared PIN, `throw` fails with
/// `code_cannot_be_shared` and creates nothing, `create_random_code` gives those locks a PIN
/// of their own.
#[utoipa::path(
    method(post, put),
    path = "/access_codes/create_multiple",
    tag = "access_codes",
    request_body = CreateMultipleRequest,
    responses(
        (status = 200, description = "One code per lock, in request order.", body = AccessCodesResponse),
        (status = 400, description = bad_request!("`invalid_input` also for duplicate `device_ids`, \
            a lone `starts_at` or `ends_at`, a window that is over or backwards, or a backup pool \
            without a window; `device_does_not_support_access_codes` (`data.device_id`); \
            `code_cannot_be_shared` (`data.device_ids`) under `throw`."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): a lock is not in the workspace.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create_multiple(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let req = parse_create_multiple(&mut input)?;
    let codes = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.create_multiple(req, &caller.scope)
    })??;
    Ok(ok("access_codes", codes))
}

/// The fields `/access_codes/get` reads: `access_code_id`, or `device_id` with `code`.
#[derive(ToSchema)]
pub struct GetAccessCodeRequest {
    pub access_code_id: Option<Uuid>,
    /// With `code`, when `access_code_id` is absent.
    pub device_id: Option<Uuid>,
    /// With `device_id`: the PIN to look up.
    pub code: Option<String>,
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
    mut input: Input,
) -> Result<Response> {
    let which = parse_code_ref(&mut input);
    input.finish()?;
    let code = app
        .store
        .with_workspace(caller.workspace_id, |ws| match which {
            Some(CodeRef::Id(id)) => ws.code(code_id(&id)?, &caller.scope).cloned(),
            Some(CodeRef::Pin { device_id, code }) => ws
                .code_by_pin(command::device_id(&device_id)?, &code, &caller.scope)
                .cloned(),
            None => Err(Error::AccessCodeNotFound),
        })??;
    Ok(ok("access_code", code))
}

/// The fields `/access_codes/list` reads: `device_id` or `access_code_ids`, and the page.
#[derive(ToSchema)]
pub struct ListAccessCodesRequest {
    /// The lock whose codes to list.
    #[schema(example = "5ea10003-0000-4000-8000-000000000001")]
    pub device_id: Option<Uuid>,
    /// The codes to list (with `device_id`: only those on that lock); unknown ids are left out.
    pub access_code_ids: Option<Vec<String>>,
    /// Accepted; changes nothing here.
    pub user_identifier_key: Option<String>,
    #[schema(schema_with = super::limit_schema)]
    pub limit: Option<u64>,
    /// `next_page_cursor` of the previous page.
    pub page_cursor: Option<String>,
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
    mut input: Input,
) -> Result<Response> {
    let device_id = input.opt_string("device_id");
    let ids = input.opt_string_array("access_code_ids");
    let _ = input.opt_string("user_identifier_key");
    if device_id.is_none() && ids.is_none() {
        input.issue("device_id", "Required");
    }
    let page = page_args(&mut input, 500);
    input.finish()?;
    let ids = command::filter_ids(ids);
    let (codes, pagination) = app.store.with_workspace(caller.workspace_id, |ws| {
        let p = match (&device_id, &ids) {
            (Some(d), None) => ws.codes_on_device(
                command::device_id(d)?,
                &caller.scope,
                page.offset,
                page.limit,
            )?,
            (Some(d), Some(wanted)) => {
                let all =
                    ws.codes_on_device(command::device_id(d)?, &caller.scope, 0, usize::MAX)?;
                let it = all
                    .items
                    .into_iter()
                    .filter(|c| wanted.contains(&c.access_code_id));
                paginate(it, page.offset, page.limit)
            }
            (None, Some(ids)) => ws.codes_by_ids(ids, &caller.scope, page.offset, page.limit),
            (None, None) => return Err(Error::AccessCodeNotFound),
        };
        let pg = pagination(&p, &input);
        Ok((p.items.into_iter().cloned().collect::<Vec<_>>(), pg))
    })??;
    Ok(ok_page("access_codes", codes, pagination))
}

/// The fields `/access_codes/simulate/create_unmanaged_access_code` reads.
#[derive(ToSchema)]
#[schema(example = json!({"device_id": "5ea10003-0000-4000-8000-000000000002", "name": "Set at the keypad", "code": "7391"}))]
pub struct CreateUnmanagedRequest {
    #[schema(example = "5ea10003-0000-4000-8000-000000000002")]
    pub device_id: Uuid,
    pub name: String,
    #[schema(pattern = "^[0-9]+$", min_length = 4, max_length = 9)]
    pub code: String,
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
        (status = 400, description = bad_request!("`device_does_not_support_access_codes` (`data.device_id`)."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 409, description = "`duplicate_access_code` (`data.device_id`): the PIN is already on the lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create_unmanaged(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.req_string("device_id");
    let name = input.req_string("name");
    let code = match input.has("code") {
        true => opt_pin(&mut input, "code"),
        false => {
            input.issue("code", "Required");
            None
        }
    };
    input.finish()?;
    let code = code.ok_or_else(|| Error::field("code", "Required"))?;
    let created = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.create_unmanaged(command::device_id(&device_id)?, name, code, &caller.scope)
    })??;
    Ok(ok("access_code", created))
}

/// The fields `/access_codes/unmanaged/list` reads.
#[derive(ToSchema)]
pub struct ListUnmanagedRequest {
    #[schema(example = "5ea10003-0000-4000-8000-000000000001")]
    pub device_id: Uuid,
    /// Accepted; changes nothing here.
    pub user_identifier_key: Option<String>,
}

/// The unmanaged codes on a lock, in creation order.
#[utoipa::path(
    method(get, post),
    path = "/access_codes/unmanaged/list",
    tag = "access_codes",
    request_body = ListUnmanagedRequest,
    responses(
        (status = 200, description = "The unmanaged codes.", body = UnmanagedAccessCodesResponse),
        (status = 400, description = bad_request!("`device_does_not_support_access_codes` (`data.device_id`)."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn unmanaged_list(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.req_string("device_id");
    let _ = input.opt_string("user_identifier_key");
    input.finish()?;
    let codes = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.unmanaged_on_device(command::device_id(&device_id)?, &caller.scope)
            .map(|v| v.into_iter().cloned().collect::<Vec<_>>())
    })??;
    Ok(ok("access_codes", codes))
}

/// Reads `allow_external_modification` / `is_external_modification_allowed` (either sets it).
fn external_modification(input: &mut Input) -> Option<bool> {
    let a = input.opt_bool("allow_external_modification");
    let b = input.opt_bool("is_external_modification_allowed");
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(false) || b.unwrap_or(false)),
    }
}

/// Fields Seam accepts that change nothing in the mock.
fn accepted(input: &mut Input) {
    for key in [
        "attempt_for_offline_device",
        "prefer_native_scheduling",
        "sync",
        "is_one_time_use",
    ] {
        let _ = input.opt_bool(key);
    }
}

/// The fields `/access_codes/create` reads.
#[derive(ToSchema)]
#[schema(example = json!({"device_id": "5ea10003-0000-4000-8000-000000000002", "name": "Cleaner"}))]
pub struct CreateAccessCodeRequest {
    #[schema(example = "5ea10003-0000-4000-8000-000000000001")]
    pub device_id: Uuid,
    /// The PIN; without it the server picks one the lock takes.
    #[schema(pattern = "^[0-9]+$", min_length = 4, max_length = 9)]
    pub code: Option<String>,
    /// Joins the codes of that key: the new code gets their PIN (or starts the group).
    pub common_code_key: Option<String>,
    /// Used when `code` is absent and the lock supports that length.
    pub preferred_code_length: Option<f64>,
    pub name: Option<String>,
    /// With `ends_at`: the start of a `time_bound` code's window.
    pub starts_at: Option<DateTime<Utc>>,
    /// With `starts_at`: the end of the window, after it and in the future.
    pub ends_at: Option<DateTime<Utc>>,
    /// Sets `is_external_modification_allowed`.
    pub allow_external_modification: Option<bool>,
    pub is_external_modification_allowed: Option<bool>,
    /// Only with a time-bound code.
    pub use_backup_access_code_pool: Option<bool>,
    /// Accepted; changes nothing here.
    pub attempt_for_offline_device: Option<bool>,
    /// Accepted; changes nothing here.
    pub prefer_native_scheduling: Option<bool>,
    /// Accepted; changes nothing here.
    pub sync: Option<bool>,
    /// Accepted; changes nothing here.
    pub is_one_time_use: Option<bool>,
}

/// One code on one lock.
#[utoipa::path(
    post,
    path = "/access_codes/create",
    tag = "access_codes",
    request_body = CreateAccessCodeRequest,
    responses(
        (status = 200, description = "The code and its action attempt.", body = CreatedAccessCodeResponse),
        (status = 400, description = bad_request!("`invalid_input` also for a lone `starts_at` or `ends_at`, a window that is over or backwards, a backup pool without a window, or a `code` other than the PIN of `common_code_key`'s codes; `device_does_not_support_access_codes` (`data.device_id`); `invalid_access_code` (`data.device_id`): the PIN does not fit the lock, or the lock has no free PIN."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 409, description = "`duplicate_access_code` (`data.device_id`): the PIN is already on the lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.req_string("device_id");
    let code = opt_pin(&mut input, "code");
    let common_code_key = input.opt_string("common_code_key");
    let preferred_code_length = input.opt_number("preferred_code_length");
    let settings = parse_settings(&mut input);
    input.finish()?;
    let req = CreateOne {
        device_id: command::device_id(&device_id)?,
        code,
        common_code_key,
        preferred_code_length,
        settings,
    };
    let (code, attempt) = app
        .store
        .with_workspace(caller.workspace_id, |ws| ws.create_one(req, &caller.scope))??;
    let mut m = Map::new();
    m.insert("access_code".into(), json!(code));
    m.insert("action_attempt".into(), attempt.to_wire());
    Ok(ok_fields(m))
}

/// The fields `/access_codes/update` reads.
#[derive(ToSchema)]
pub struct UpdateAccessCodeRequest {
    pub access_code_id: Uuid,
    /// Accepted; changes nothing here.
    pub device_id: Option<String>,
    /// Accepted; changes nothing here.
    pub is_managed: Option<bool>,
    pub name: Option<String>,
    /// A new PIN, checked like a create's; it takes the code out of its `common_code_key` group.
    #[schema(pattern = "^[0-9]+$", min_length = 4, max_length = 9)]
    pub code: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// `ongoing` clears the window; `time_bound` needs one.
    #[schema(rename = "type")]
    pub kind: Option<CodeType>,
    /// Sets `is_external_modification_allowed`.
    pub allow_external_modification: Option<bool>,
    pub is_external_modification_allowed: Option<bool>,
    /// Accepted; changes nothing here.
    pub attempt_for_offline_device: Option<bool>,
    /// Accepted; changes nothing here.
    pub prefer_native_scheduling: Option<bool>,
    /// Accepted; changes nothing here.
    pub sync: Option<bool>,
    /// Accepted; changes nothing here.
    pub is_one_time_use: Option<bool>,
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
    mut input: Input,
) -> Result<Response> {
    let access_code_id = input.req_string("access_code_id");
    let _ = input.opt_string("device_id");
    let _ = input.opt_bool("is_managed");
    let name = input.opt_string("name");
    let code = opt_pin(&mut input, "code");
    let starts_at = input.opt_timestamp("starts_at");
    let ends_at = input.opt_timestamp("ends_at");
    let kind = input
        .opt_enum("type", &["ongoing", "time_bound"])
        .map(|t| match t.as_str() {
            "ongoing" => CodeType::Ongoing,
            _ => CodeType::TimeBound,
        });
    let ext = external_modification(&mut input);
    accepted(&mut input);
    input.finish()?;
    let req = Update {
        access_code_id: code_id(&access_code_id)?,
        name,
        code,
        starts_at,
        ends_at,
        kind,
        is_external_modification_allowed: ext,
    };
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| ws.update(req, &caller.scope))??;
    Ok(ok("action_attempt", attempt.to_wire()))
}

/// The fields `/access_codes/update_multiple` reads.
#[derive(ToSchema)]
pub struct UpdateMultipleRequest {
    pub common_code_key: String,
    pub name: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
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
    mut input: Input,
) -> Result<Response> {
    let key = input.req_string("common_code_key");
    let name = input.opt_string("name");
    let starts_at = input.opt_timestamp("starts_at");
    let ends_at = input.opt_timestamp("ends_at");
    input.finish()?;
    app.store.with_workspace(caller.workspace_id, |ws| {
        let req = UpdateMultiple {
            common_code_key: key,
            name,
            starts_at,
            ends_at,
        };
        ws.update_multiple(req, &caller.scope)
    })??;
    Ok(ok_empty())
}

/// The fields `/access_codes/delete` reads.
#[derive(ToSchema)]
pub struct DeleteAccessCodeRequest {
    pub access_code_id: Uuid,
    /// Accepted; changes nothing here.
    pub device_id: Option<String>,
    /// Accepted; changes nothing here.
    pub attempt_for_offline_device: Option<bool>,
    /// Accepted; changes nothing here.
    pub prefer_native_scheduling: Option<bool>,
    /// Accepted; changes nothing here.
    pub sync: Option<bool>,
    /// Accepted; changes nothing here.
    pub is_one_time_use: Option<bool>,
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
    mut input: Input,
) -> Result<Response> {
    let id = input.req_string("access_code_id");
    let _ = input.opt_string("device_id");
    accepted(&mut input);
    input.finish()?;
    let attempt = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.delete(code_id(&id)?, &caller.scope)
    })??;
    Ok(ok("action_attempt", attempt.to_wire()))
}

/// The fields `/access_codes/generate_code` reads.
#[derive(ToSchema)]
pub struct GenerateCodeRequest {
    #[schema(example = "5ea10003-0000-4000-8000-000000000007")]
    pub device_id: Uuid,
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
    mut input: Input,
) -> Result<Response> {
    let device_id = input.req_string("device_id");
    input.finish()?;
    let generated = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.generate_code(command::device_id(&device_id)?, &caller.scope)
    })??;
    Ok(ok("generated_code", generated))
}

/// The fields `/access_codes/unmanaged/get` reads: `access_code_id`, or `device_id` with `code`.
#[derive(ToSchema)]
pub struct GetUnmanagedRequest {
    pub access_code_id: Option<Uuid>,
    /// With `code`, when `access_code_id` is absent.
    pub device_id: Option<Uuid>,
    /// With `device_id`: the PIN to look up.
    pub code: Option<String>,
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
    mut input: Input,
) -> Result<Response> {
    let which = parse_code_ref(&mut input);
    input.finish()?;
    let found = app
        .store
        .with_workspace(caller.workspace_id, |ws| match which {
            Some(CodeRef::Id(id)) => ws.unmanaged_code(code_id(&id)?, &caller.scope).cloned(),
            Some(CodeRef::Pin { device_id, code }) => ws
                .unmanaged_by_pin(command::device_id(&device_id)?, &code, &caller.scope)
                .cloned(),
            None => Err(Error::AccessCodeNotFound),
        })??;
    Ok(ok("access_code", found))
}

/// The fields `/access_codes/unmanaged/convert_to_managed` reads.
#[derive(ToSchema)]
pub struct ConvertToManagedRequest {
    pub access_code_id: Uuid,
    /// Sets `is_external_modification_allowed`.
    pub allow_external_modification: Option<bool>,
    pub is_external_modification_allowed: Option<bool>,
    /// Accepted; changes nothing here.
    pub force: Option<bool>,
    /// Accepted; changes nothing here.
    pub attempt_for_offline_device: Option<bool>,
    /// Accepted; changes nothing here.
    pub prefer_native_scheduling: Option<bool>,
    /// Accepted; changes nothing here.
    pub sync: Option<bool>,
    /// Accepted; changes nothing here.
    pub is_one_time_use: Option<bool>,
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
    mut input: Input,
) -> Result<Response> {
    let id = input.req_string("access_code_id");
    let ext = external_modification(&mut input).unwrap_or(false);
    let _ = input.opt_bool("force");
    accepted(&mut input);
    input.finish()?;
    app.store.with_workspace(caller.workspace_id, |ws| {
        ws.convert_to_managed(code_id(&id)?, ext, &caller.scope)
    })??;
    Ok(ok_empty())
}

/// The fields `/access_codes/unmanaged/delete` reads.
#[derive(ToSchema)]
pub struct DeleteUnmanagedRequest {
    pub access_code_id: Uuid,
    /// Accepted; changes nothing here.
    pub attempt_for_offline_device: Option<bool>,
    /// Accepted; changes nothing here.
    pub prefer_native_scheduling: Option<bool>,
    /// Accepted; changes nothing here.
    pub sync: Option<bool>,
    /// Accepted; changes nothing here.
    pub is_one_time_use: Option<bool>,
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
    mut input: Input,
) -> Result<Response> {
    let id = input.req_string("access_code_id");
    accepted(&mut input);
    input.finish()?;
    let attempt = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.delete_unmanaged(code_id(&id)?, &caller.scope)
    })??;
    Ok(ok("action_attempt", attempt.to_wire()))
}
