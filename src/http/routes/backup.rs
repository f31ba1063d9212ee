//! `/access_codes/pull_backup_access_code`: a spare PIN from the lock's backup pool, as a new
//! access code that stands in for a time-bound code until the original's window ends.

use axum::extract::State;

use crate::domain::access_code::AccessCode;
use crate::error::{Error, Result};
use crate::http::{
    params::{LookupId, Params},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

crate::response! {
    /// `{"access_code": …, "backup_access_code": …, "ok": true}`: both keys hold the backup
    /// (`access_code` is the spec's `x-response-key`, the code the SDKs return).
    pub struct PulledBackupResponse {
        /// The backup code.
        pub access_code: AccessCode,
        /// The backup code again.
        pub backup_access_code: AccessCode,
    }
}

crate::request! {
    /// The fields `/access_codes/pull_backup_access_code` reads.
    pub struct PullBackupRequest {
        #[schema(value_type = Uuid)]
        pub access_code_id: LookupId,
    }
}

/// Pulls a backup code for a time-bound code from its lock's backup pool.
///
/// The backup is `set` at once (pool PINs are already on the lock) and ends with the original.
/// Both `access_code` and `backup_access_code` hold it; the original, read with
/// `/access_codes/get`, names it in `pulled_backup_access_code_id`. Pulling again for the same
/// code returns the same backup; the pool refills to five PINs.
#[utoipa::path(
    post,
    path = "/access_codes/pull_backup_access_code",
    tag = "access_codes",
    request_body = PullBackupRequest,
    responses(
        (status = 200, description = "The backup code, under both keys.", body = PulledBackupResponse),
        (status = 400, description = bad_request!("`invalid_input` also for an ongoing code or a backup code; `invalid_input` (`data.device_id`) for a lock without an active backup pool."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn pull_backup_access_code(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<PullBackupRequest>,
) -> Result<PulledBackupResponse> {
    let backup = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.pull_backup(
                r.access_code_id.or(|_| Error::AccessCodeNotFound)?,
                &caller.scope,
            )
        })
        .await?;
    Ok(PulledBackupResponse::new(backup.clone(), backup))
}
