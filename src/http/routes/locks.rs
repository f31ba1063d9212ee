//! `/locks/get`, `/locks/list`, `/locks/lock_door`, `/locks/unlock_door`,
//! `/locks/configure_auto_lock`: the devices with the `lock` capability, and the actions the
//! SDKs wait on (`wait_for_action_attempt`).

use axum::extract::State;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::action_attempt::ActionAttempt;
use crate::domain::command::DeviceFilter;
use crate::domain::device::Device;
use crate::domain::lock::DoorAction;
use crate::error::{Error, Issue, Result};
use crate::http::{
    params::{LookupId, Params, one_or_many},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

use super::devices::device_filter;

crate::response! {
    /// `{"lock": …, "device": …, "ok": true}`: the same device under both names, as Seam.
    pub struct LockResponse {
        pub lock: Device,
        pub device: Device,
    }
}

crate::response! {
    /// `{"locks": […], "devices": […], "ok": true}`.
    pub struct LockListResponse {
        pub locks: Vec<Device>,
        pub devices: Vec<Device>,
    }
}

crate::response! {
    /// `{"action_attempt": …, "ok": true}`.
    pub struct DoorActionResponse {
        #[schema(value_type = ActionAttempt)]
        pub action_attempt: Value,
    }
}

crate::request! {
    /// The fields `/locks/get` reads: `device_id` or `name`.
    pub struct GetLockRequest {
        #[schema(value_type = Option<Uuid>, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: Option<LookupId>,
        /// The display name (or `properties.name`), when `device_id` is absent.
        pub name: Option<String>,
    }
    check(req, issues) {
        if req.device_id.is_none() && req.name.is_none() {
            issues.push(Issue::new(vec!["device_id".into()], "Required"));
        }
    }
}

/// One lock, by `device_id` or by name.
#[utoipa::path(
    method(get, post),
    path = "/locks/get",
    tag = "locks",
    request_body = GetLockRequest,
    responses(
        (status = 200, description = "The lock.", body = LockResponse),
        (status = 400, description = bad_request!("Also when neither `device_id` nor `name` is given."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such device, or it is not a lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GetLockRequest>,
) -> Result<LockResponse> {
    let lock = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            match (&req.device_id, &req.name) {
                (Some(id), _) => ws
                    .door_lock(id.or(Error::DeviceNotFound)?, &caller.scope)
                    .cloned(),
                (None, Some(n)) => ws
                    .door_locks(&DeviceFilter::default(), &caller.scope)
                    .into_iter()
                    .find(|d| d.is_named(n))
                    .cloned()
                    .ok_or_else(|| Error::DeviceNotFound(n.clone())),
                (None, None) => Err(Error::DeviceNotFound(String::new())),
            }
        })
        .await?;
    Ok(LockResponse::new(lock.clone(), lock))
}

crate::request! {
    /// The fields `/locks/list` reads: filters, all of which must match.
    pub struct ListLocksRequest {
        /// Only these locks (an empty list matches none).
        #[schema(value_type = Option<Vec<String>>)]
        pub device_ids: Option<Vec<LookupId>>,
        /// Only locks of these types.
        pub device_types: Option<Vec<String>>,
        /// Only locks of this type (joins `device_types`).
        pub device_type: Option<String>,
        /// Only locks of these connected accounts.
        pub connected_account_ids: Option<Vec<Uuid>>,
        /// Only locks of this connected account (joins `connected_account_ids`).
        pub connected_account_id: Option<Uuid>,
        /// Only locks whose `properties.manufacturer` is this.
        pub manufacturer: Option<String>,
    }
}

/// The locks the caller can see, in creation order.
#[utoipa::path(
    method(get, post),
    path = "/locks/list",
    tag = "locks",
    request_body = ListLocksRequest,
    responses(
        (status = 200, description = "The locks.", body = LockListResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<ListLocksRequest>,
) -> Result<LockListResponse> {
    let filter = device_filter(
        req.device_ids,
        one_or_many(req.device_types, req.device_type),
        one_or_many(req.connected_account_ids, req.connected_account_id),
        req.manufacturer,
    );
    let locks: Vec<Device> = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            Ok(ws
                .door_locks(&filter, &caller.scope)
                .into_iter()
                .cloned()
                .collect())
        })
        .await?;
    Ok(LockListResponse::new(locks.clone(), locks))
}

crate::request! {
    /// The fields `/locks/lock_door` and `/locks/unlock_door` read.
    pub struct DoorActionRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: LookupId,
        /// Answer with the finished attempt (`success`) instead of the `pending` one.
        pub sync: Option<bool>,
    }
}

async fn door(
    app: &AppState,
    caller: &Caller,
    req: DoorActionRequest,
    action: DoorAction,
) -> Result<DoorActionResponse> {
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let device_id = req.device_id.or(Error::DeviceNotFound)?;
            let pending = ws.door_action(device_id, action, &caller.scope)?;
            if req.sync == Some(true) {
                ws.action_attempt(pending.action_attempt_id)
                    .map(ActionAttempt::to_wire)
            } else {
                Ok(pending.to_wire())
            }
        })
        .await?;
    Ok(DoorActionResponse::new(attempt))
}

/// Locks a door: a `pending` `LOCK_DOOR` attempt that `/action_attempts/get` reads as
/// `success` from then on; `properties.locked` becomes true and `lock.locked` is recorded.
#[utoipa::path(
    post,
    path = "/locks/lock_door",
    tag = "locks",
    request_body = DoorActionRequest,
    responses(
        (status = 200, description = "The action attempt.", body = DoorActionResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such device, or it is not a lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn lock_door(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<DoorActionRequest>,
) -> Result<DoorActionResponse> {
    door(&app, &caller, req, DoorAction::Lock).await
}

/// Unlocks a door: a `pending` `UNLOCK_DOOR` attempt that `/action_attempts/get` reads as
/// `success` from then on; `properties.locked` becomes false and `lock.unlocked` is recorded.
#[utoipa::path(
    post,
    path = "/locks/unlock_door",
    tag = "locks",
    request_body = DoorActionRequest,
    responses(
        (status = 200, description = "The action attempt.", body = DoorActionResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such device, or it is not a lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn unlock_door(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<DoorActionRequest>,
) -> Result<DoorActionResponse> {
    door(&app, &caller, req, DoorAction::Unlock).await
}

crate::request! {
    /// The fields `/locks/configure_auto_lock` reads.
    pub struct ConfigureAutoLockRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: LookupId,
        pub auto_lock_enabled: bool,
        /// Seconds from unlocking to locking again, 1 to 60; kept when absent.
        #[schema(minimum = 1, maximum = 60)]
        pub auto_lock_delay_seconds: Option<f64>,
    }
    check(req, issues) {
        match req.auto_lock_delay_seconds {
            Some(s) if s < 1.0 => issues.push(Issue::new(
                vec!["auto_lock_delay_seconds".into()],
                "Number must be greater than or equal to 1",
            )),
            Some(s) if s > 60.0 => issues.push(Issue::new(
                vec!["auto_lock_delay_seconds".into()],
                "Number must be less than or equal to 60",
            )),
            _ => {}
        }
    }
}

/// Turns a lock's auto-lock on or off: `properties.auto_lock_enabled` (and
/// `auto_lock_delay_seconds`, when given) change at once; the `CONFIGURE_AUTO_LOCK` attempt is
/// answered `pending` and reads `success` from then on.
#[utoipa::path(
    post,
    path = "/locks/configure_auto_lock",
    tag = "locks",
    request_body = ConfigureAutoLockRequest,
    responses(
        (status = 200, description = "The action attempt.", body = DoorActionResponse),
        (status = 400, description = bad_request!("Also an `auto_lock_delay_seconds` outside 1 to 60."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such device, or it is not a lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn configure_auto_lock(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<ConfigureAutoLockRequest>,
) -> Result<DoorActionResponse> {
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.configure_auto_lock(
                req.device_id.or(Error::DeviceNotFound)?,
                req.auto_lock_enabled,
                req.auto_lock_delay_seconds,
                &caller.scope,
            )
        })
        .await?;
    Ok(DoorActionResponse::new(attempt.to_wire()))
}
