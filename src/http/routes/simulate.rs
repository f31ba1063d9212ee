//! Seam's sandbox routes for the door (contract §12): `/locks/simulate/*` (a PIN typed at the
//! keypad, the door locked there), `/devices/simulate/*` (a device or its hub dropping off and
//! coming back, a lapsed subscription, removal) and `/connected_accounts/simulate/disconnect`;
//! and the fake routes that finish the story, `/_fake/reconnect_connected_account` and
//! `/_fake/simulate_external_modification`.

use axum::extract::State;
use uuid::Uuid;

use crate::domain::hold::ChangeType;
use crate::domain::pin::Pin;
use crate::error::{Error, Result};
use crate::http::{
    params::{LookupId, Params, WireEnum},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, Scope, workspace::Simulate};

use super::locks::DoorActionResponse;

impl WireEnum for ChangeType {}

crate::request! {
    /// The fields `/locks/simulate/keypad_code_entry` reads.
    pub struct KeypadCodeEntryRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: LookupId,
        /// The PIN typed at the keypad.
        #[schema(example = "1234")]
        pub code: String,
    }
}

/// Someone types a PIN at the lock's keypad now, on the server clock.
///
/// Accepted when a code with that PIN works on the lock at this instant (a managed code that
/// is `set`, a pulled backup or an offline code inside its window, an unmanaged code): the
/// door unlocks and `lock.unlocked` (`method: keycode`, the code's id) is recorded. Otherwise
/// `lock.access_denied` says why (`expired_code`, `unknown_code`, `too_many_attempts` after
/// five denied entries within 60 s, for 60 s). The attempt answers `pending` and reads
/// `success` either way. Seam's own sandbox does this on August locks only; seam-mock on every
/// lock with `can_unlock_with_code`.
#[utoipa::path(
    post,
    path = "/locks/simulate/keypad_code_entry",
    tag = "locks",
    request_body = KeypadCodeEntryRequest,
    responses(
        (status = 200, description = "The action attempt.", body = DoorActionResponse),
        (status = 400, description = bad_request!("Also `invalid_input` (`data.device_id`) for a lock whose `can_unlock_with_code` is false, and `device_offline` for a lock that is offline."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such device, or it is not a lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn keypad_code_entry(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<KeypadCodeEntryRequest>,
) -> Result<DoorActionResponse> {
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let id = req.device_id.or(Error::DeviceNotFound)?;
            ws.keypad_entry(id, &req.code, &caller.scope)
        })
        .await?;
    Ok(DoorActionResponse::new(attempt.to_wire()))
}

crate::request! {
    /// The fields of the routes that act on one device.
    pub struct SimulateDeviceRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: LookupId,
    }
}

/// Someone locks the door at its keypad: `properties.locked` true, `lock.locked` by `keycode`.
#[utoipa::path(
    post,
    path = "/locks/simulate/manual_lock_via_keypad",
    tag = "locks",
    request_body = SimulateDeviceRequest,
    responses(
        (status = 200, description = "The action attempt.", body = DoorActionResponse),
        (status = 400, description = bad_request!("Also `invalid_input` (`data.device_id`) for a lock whose `can_unlock_with_code` is false, and `device_offline` for a lock that is offline."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such device, or it is not a lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn manual_lock_via_keypad(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<SimulateDeviceRequest>,
) -> Result<DoorActionResponse> {
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let id = req.device_id.or(Error::DeviceNotFound)?;
            ws.manual_lock_via_keypad(id, &caller.scope)
        })
        .await?;
    Ok(DoorActionResponse::new(attempt.to_wire()))
}

async fn connection(
    app: &AppState,
    caller: &Caller,
    id: LookupId,
    what: Simulate,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            let id = id.or(Error::DeviceNotFound)?;
            match what {
                Simulate::Remove => ws.simulate_removal(id, &caller.scope),
                // `paid_subscription` has its own route; `simulate_connection` refuses it.
                Simulate::Connect
                | Simulate::Disconnect
                | Simulate::ConnectToHub
                | Simulate::DisconnectFromHub
                | Simulate::PaidSubscription => ws.simulate_connection(id, what, &caller.scope),
            }
        })
        .await?;
    Ok(OkResponse::new())
}

/// Takes the device offline: `properties.online` false, the device error `device_offline`,
/// `device.disconnected`. Codes due meanwhile wait (`setting` with that error); codes already
/// set stay set.
#[utoipa::path(
    post,
    path = "/devices/simulate/disconnect",
    tag = "devices",
    request_body = SimulateDeviceRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_request!("Also `invalid_input` (`data.device_id`) for a device whose `can_simulate_disconnection` is false."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn disconnect(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<SimulateDeviceRequest>,
) -> Result<OkResponse> {
    connection(&app, &caller, req.device_id, Simulate::Disconnect).await
}

/// Brings the device back online: the `device_offline` error goes, `device.connected`, and
/// waiting codes are programmed at once.
#[utoipa::path(
    post,
    path = "/devices/simulate/connect",
    tag = "devices",
    request_body = SimulateDeviceRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_request!("Also `invalid_input` (`data.device_id`) for a device whose `can_simulate_connection` is false."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn connect(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<SimulateDeviceRequest>,
) -> Result<OkResponse> {
    connection(&app, &caller, req.device_id, Simulate::Connect).await
}

/// Disconnects the device's hub: offline as for a disconnect, with the error
/// `hub_disconnected`.
#[utoipa::path(
    post,
    path = "/devices/simulate/disconnect_from_hub",
    tag = "devices",
    request_body = SimulateDeviceRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_request!("Also `invalid_input` (`data.device_id`) for a device whose `can_simulate_hub_disconnection` is false."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn disconnect_from_hub(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<SimulateDeviceRequest>,
) -> Result<OkResponse> {
    connection(&app, &caller, req.device_id, Simulate::DisconnectFromHub).await
}

/// Reconnects the device's hub: the `hub_disconnected` error goes and, with nothing else
/// keeping it offline, the device is back online with its waiting codes programmed.
#[utoipa::path(
    post,
    path = "/devices/simulate/connect_to_hub",
    tag = "devices",
    request_body = SimulateDeviceRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_request!("Also `invalid_input` (`data.device_id`) for a device whose `can_simulate_hub_connection` is false."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn connect_to_hub(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<SimulateDeviceRequest>,
) -> Result<OkResponse> {
    connection(&app, &caller, req.device_id, Simulate::ConnectToHub).await
}

/// Removes the device from the workspace (`device.removed`); its access codes leave Seam
/// (`access_code.deleted` each). Later reads are 404s.
#[utoipa::path(
    post,
    path = "/devices/simulate/remove",
    tag = "devices",
    request_body = SimulateDeviceRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_request!("Also `invalid_input` (`data.device_id`) for a device whose `can_simulate_removal` is false."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn remove(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<SimulateDeviceRequest>,
) -> Result<OkResponse> {
    connection(&app, &caller, req.device_id, Simulate::Remove).await
}

crate::request! {
    /// The fields `/devices/simulate/paid_subscription` reads.
    pub struct PaidSubscriptionRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000007")]
        pub device_id: LookupId,
        /// True: the subscription lapsed; false: it is paid again.
        pub is_expired: bool,
    }
}

/// A lapsed (`is_expired: true`) or renewed subscription with the device's provider: the
/// device error `subscription_required` and `device.error.subscription_required`, codes
/// waiting as on an offline lock; renewed, `device.error.subscription_required.resolved` and
/// the codes programmed.
#[utoipa::path(
    post,
    path = "/devices/simulate/paid_subscription",
    tag = "devices",
    request_body = PaidSubscriptionRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_request!("Also `invalid_input` (`data.device_id`) for a device whose `can_simulate_paid_subscription` is false."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn paid_subscription(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<PaidSubscriptionRequest>,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            let id = req.device_id.or(Error::DeviceNotFound)?;
            ws.simulate_paid_subscription(id, req.is_expired, &caller.scope)
        })
        .await?;
    Ok(OkResponse::new())
}

crate::request! {
    /// The fields of the routes that act on a connected account.
    pub struct AccountRequest {
        #[schema(example = "5ea10002-0000-4000-8000-000000000001")]
        pub connected_account_id: Uuid,
    }
}

/// Disconnects a connected account: the account error `account_disconnected`
/// (`connected_account.disconnected`); each of its devices gains the connected-account error
/// `account_disconnected` and records `device.disconnected`, and their codes wait.
#[utoipa::path(
    post,
    path = "/connected_accounts/simulate/disconnect",
    tag = "connected_accounts",
    request_body = AccountRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn disconnect_account(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<AccountRequest>,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            ws.simulate_account_disconnect(req.connected_account_id, &caller.scope)
        })
        .await?;
    Ok(OkResponse::new())
}

/// Reconnects a disconnected account, as a Connect Webview would: `connected_account.connected`,
/// each device's `device.connected`, and their waiting codes programmed.
#[utoipa::path(
    post,
    path = "/_fake/reconnect_connected_account",
    tag = "fake",
    request_body = AccountRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 404, description = "`connected_account_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn reconnect_connected_account(
    State(app): State<AppState>,
    Params(req): Params<AccountRequest>,
) -> Result<OkResponse> {
    let id = req.connected_account_id;
    let workspace = app
        .store
        .workspace_where(|ws| ws.has_connected_account(id))
        .ok_or(Error::ConnectedAccountNotFound)?;
    app.store
        .with_workspace(workspace, |ws| ws.reconnect_account(id))
        .await?;
    Ok(OkResponse::new())
}

crate::request! {
    /// The fields `/_fake/simulate_external_modification` reads.
    pub struct ExternalModificationRequest {
        #[schema(value_type = Uuid)]
        pub access_code_id: LookupId,
        /// `modified` (the PIN was edited at the lock) or `removed` (deleted there).
        pub change_type: ChangeType,
        /// The PIN set at the lock, for `modified` (needed when the code allows external
        /// modification).
        #[schema(value_type = Option<String>, example = "4821")]
        pub code: Option<Pin>,
    }
}

/// A change made at the lock itself, outside Seam, to a code that is `set`.
///
/// With `is_external_modification_allowed` false (the default): the event
/// `access_code.modified_external_to_seam` (or `deleted_external_to_seam`), the error
/// `conflicting_external_modification` and status `setting`, then Seam sets the original PIN
/// again after the programming delay. Allowed: a `modified` code takes the new PIN with the
/// warning `external_modification_in_effect`; a `removed` one leaves Seam.
#[utoipa::path(
    post,
    path = "/_fake/simulate_external_modification",
    tag = "fake",
    request_body = ExternalModificationRequest,
    responses(
        (status = 200, description = "Done.", body = OkResponse),
        (status = 400, description = bad_input!("`invalid_input` also for a code that is not `set`, or a `modified` PIN missing, not fitting the lock or already on it."), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`.", body = ErrorResponse),
        (status = 409, description = "`duplicate_access_code`: the new PIN is already on the lock.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn simulate_external_modification(
    State(app): State<AppState>,
    Params(req): Params<ExternalModificationRequest>,
) -> Result<OkResponse> {
    let id = req.access_code_id.or(|_| Error::AccessCodeNotFound)?;
    let workspace = app
        .store
        .workspace_where(|ws| ws.code(id, &Scope::default()).is_ok())
        .ok_or(Error::AccessCodeNotFound)?;
    app.store
        .with_workspace(workspace, |ws| {
            ws.external_modification(id, req.change_type, req.code)
        })
        .await?;
    Ok(OkResponse::new())
}
