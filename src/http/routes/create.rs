//! The create routes: `/access_codes/create_multiple` (one PIN across several locks) and
//! `/access_codes/create` (one code on one lock), with their request fields and what both
//! share (the settings every new code takes). Reads and changes are in
//! [`super::access_codes`].

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::access_code::AccessCode;
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::command::{CodeSettings, CreateMultiple, CreateOne, DeviceIds};
use crate::domain::create_multiple::{Behavior, Request as PlanRequest};
use crate::domain::offline::{MaxTimeRounding, Rounding};
use crate::domain::pin::Pin;
use crate::error::Result;
use crate::http::{
    params::{Params, accepted},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

crate::response! {
    /// `{"access_codes": […], "ok": true}`.
    pub struct AccessCodesResponse {
        pub access_codes: Vec<AccessCode>,
    }
    // A code is about 850 bytes of JSON.
    capacity(r) { 64 + r.access_codes.len() * 1024 }
}

crate::response! {
    /// `{"access_code": …, "action_attempt": …, "ok": true}`.
    pub struct CreatedAccessCodeResponse {
        pub access_code: AccessCode,
        #[schema(value_type = ActionAttempt)]
        pub action_attempt: Value,
    }
}

/// `allow_external_modification` / `is_external_modification_allowed`: either sets it.
pub fn external_modification(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(false) || b.unwrap_or(false)),
    }
}

/// `device_ids` of create_multiple: at least one, no repeats.
fn device_ids_schema() -> utoipa::openapi::schema::ArrayBuilder {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
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
        .examples([serde_json::json!([
            "5ea10003-0000-4000-8000-000000000001",
            "5ea10003-0000-4000-8000-000000000007"
        ])])
}

crate::request! {
    /// The fields both create routes read besides the lock and the PIN: the settings every new
    /// code takes, documented after each route's own fields.
    pub struct SettingsFields {
        pub name: Option<String>,
        /// With `ends_at`: the start of a `time_bound` code's window.
        pub starts_at: Option<DateTime<Utc>>,
        /// With `starts_at`: the end of the window, after it and in the future.
        pub ends_at: Option<DateTime<Utc>>,
        /// Sets `is_external_modification_allowed`.
        pub allow_external_modification: Option<bool>,
        pub is_external_modification_allowed: Option<bool>,
        /// Only with a time-bound code: activates the backup pool of a lock that supports one.
        pub use_backup_access_code_pool: Option<bool>,
        /// An offline (algoPIN) code, on a lock with `can_program_offline_access_codes`: no
        /// `code`, a window rounded by `max_time_rounding`, never shared between locks.
        pub is_offline_access_code: Option<bool>,
        /// The older name of `is_offline_access_code`.
        #[schema(deprecated)]
        pub use_offline_access_code: Option<bool>,
        /// An offline code's window: `1hour`/`1h` (the default) or `1day`/`1d`.
        pub max_time_rounding: Option<MaxTimeRounding>,
        /// An offline code usable once, for 24 hours from `starts_at`.
        pub is_one_time_use: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub attempt_for_offline_device: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub prefer_native_scheduling: Option<bool>,
        #[schema(schema_with = accepted::<bool>)]
        pub sync: Option<bool>,
    }
}

/// What every new code takes besides its lock and PIN, the same for both create routes.
impl From<SettingsFields> for CodeSettings {
    fn from(f: SettingsFields) -> Self {
        let offline = f
            .is_offline_access_code
            .or(f.use_offline_access_code)
            .unwrap_or(false);
        CodeSettings {
            name: f.name,
            starts_at: f.starts_at,
            ends_at: f.ends_at,
            is_external_modification_allowed: external_modification(
                f.allow_external_modification,
                f.is_external_modification_allowed,
            )
            .unwrap_or(false),
            use_backup_access_code_pool: f.use_backup_access_code_pool.unwrap_or(false),
            offline: offline
                .then(|| Rounding::of(f.max_time_rounding, f.is_one_time_use.unwrap_or(false))),
        }
    }
}

crate::request! {
    /// The fields `create_multiple` reads (JSON body of POST and PUT).
    #[schema(example = json!({"device_ids": ["5ea10003-0000-4000-8000-000000000001", "5ea10003-0000-4000-8000-000000000007"], "name": "Guest"}))]
    pub struct CreateMultipleRequest {
        #[schema(schema_with = device_ids_schema)]
        pub device_ids: DeviceIds,
        /// A PIN for every lock; without it the server picks one they can all take.
        #[schema(value_type = Option<String>, pattern = "^[0-9]+$", min_length = 4, max_length = 9)]
        pub code: Option<Pin>,
        /// Used when `code` is absent and every lock supports that length; else the shortest
        /// common length.
        pub preferred_code_length: Option<f64>,
        /// `throw` (the default) creates nothing when some lock cannot take the shared PIN.
        pub behavior_when_code_cannot_be_shared: Option<Behavior>,
        ..pub settings: SettingsFields
    }
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
        (status = 400, description = bad_request!("`invalid_input` also for a `device_ids` entry that is not a UUID, duplicate `device_ids`, \
            a lone `starts_at` or `ends_at`, a window that is over or backwards, or a backup pool \
            without a window; `device_does_not_support_access_codes` (`data.device_id`); \
            `code_cannot_be_shared` (`data.device_ids`) under `throw`. Offline codes: `invalid_input` \
            for a `code`, no window, a rounded window outside its kind's length range; `invalid_input` \
            (`data.device_id`) for a lock that cannot program them or is at its limit; \
            `code_cannot_be_shared` for two or more locks under `throw`."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): a lock is not in the workspace.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create_multiple(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<CreateMultipleRequest>,
) -> Result<AccessCodesResponse> {
    let req = CreateMultiple {
        device_ids: r.device_ids,
        plan: PlanRequest {
            code: r.code,
            preferred_code_length: r.preferred_code_length,
            behavior: r.behavior_when_code_cannot_be_shared.unwrap_or_default(),
        },
        settings: r.settings.into(),
    };
    let codes = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.create_multiple(req, &caller.scope)
        })
        .await?;
    Ok(AccessCodesResponse::new(codes))
}

crate::request! {
    /// The fields `/access_codes/create` reads.
    #[schema(example = json!({"device_id": "5ea10003-0000-4000-8000-000000000002", "name": "Cleaner"}))]
    pub struct CreateAccessCodeRequest {
        #[schema(example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: Uuid,
        /// The PIN; without it the server picks one the lock takes.
        #[schema(value_type = Option<String>, pattern = "^[0-9]+$", min_length = 4, max_length = 9)]
        pub code: Option<Pin>,
        /// Joins the codes of that key: the new code gets their PIN (or starts the group).
        pub common_code_key: Option<String>,
        /// Used when `code` is absent and the lock supports that length.
        pub preferred_code_length: Option<f64>,
        ..pub settings: SettingsFields
    }
}

/// One code on one lock.
#[utoipa::path(
    post,
    path = "/access_codes/create",
    tag = "access_codes",
    request_body = CreateAccessCodeRequest,
    responses(
        (status = 200, description = "The code and its action attempt.", body = CreatedAccessCodeResponse),
        (status = 400, description = bad_request!("`invalid_input` also for a `device_id` that is not a UUID, a lone `starts_at` or `ends_at`, a window that is over or backwards, a backup pool without a window, or a `code` other than the PIN of `common_code_key`'s codes; offline codes: `invalid_input` for a `code` or `common_code_key`, no window, or a rounded window outside its kind's length range, and (`data.device_id`) for a lock that cannot program them or is at its limit; `device_does_not_support_access_codes` (`data.device_id`); `invalid_access_code` (`data.device_id`): the PIN does not fit the lock, or the lock has no free PIN."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 409, description = "`duplicate_access_code` (`data.device_id`): the PIN is already on the lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<CreateAccessCodeRequest>,
) -> Result<CreatedAccessCodeResponse> {
    let req = CreateOne {
        device_id: r.device_id,
        code: r.code,
        common_code_key: r.common_code_key,
        preferred_code_length: r.preferred_code_length,
        settings: r.settings.into(),
    };
    let (code, attempt) = app
        .store
        .with_workspace(caller.workspace_id, |ws| ws.create_one(req, &caller.scope))
        .await?;
    Ok(CreatedAccessCodeResponse::new(code, attempt.to_wire()))
}
