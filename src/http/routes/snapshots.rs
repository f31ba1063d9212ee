//! `/_fake/snapshots/*` (contract §15): save one workspace, or all, under a name; restore,
//! list and delete. No credential needed.

use axum::extract::State;
use uuid::Uuid;

use crate::error::{Issue, Result};
use crate::http::{
    params::Params,
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::snapshots::SnapshotInfo;

/// The longest snapshot name taken.
const NAME_MAX: usize = 200;

/// The problem with a snapshot name, if any.
fn check_name(name: &str, issues: &mut Vec<Issue>) {
    let problem = if name.is_empty() {
        "String must contain at least 1 character(s)"
    } else if name.chars().count() > NAME_MAX {
        "String must contain at most 200 character(s)"
    } else {
        return;
    };
    issues.push(Issue::new(vec!["name".into()], problem));
}

crate::request! {
    /// The fields `/_fake/snapshots/save` reads.
    #[schema(example = json!({"name": "before_checkout", "workspace_id": "5ea10001-0000-4000-8000-000000000001"}))]
    pub struct SaveSnapshotRequest {
        /// Replaces a snapshot of the same name.
        #[schema(min_length = 1, max_length = 200)]
        pub name: String,
        /// The workspace to save; absent: every workspace.
        pub workspace_id: Option<Uuid>,
    }
    check(req, issues) {
        check_name(&req.name, issues);
    }
}

crate::request! {
    /// The fields `/_fake/snapshots/restore` and `/_fake/snapshots/delete` read.
    #[schema(example = json!({"name": "before_checkout"}))]
    pub struct SnapshotNameRequest {
        #[schema(min_length = 1, max_length = 200)]
        pub name: String,
    }
    check(req, issues) {
        check_name(&req.name, issues);
    }
}

crate::response! {
    /// `{"snapshot": …, "ok": true}`.
    pub struct SnapshotResponse {
        pub snapshot: SnapshotInfo,
    }
}

crate::response! {
    /// `{"snapshots": […], "ok": true}`.
    pub struct SnapshotsResponse {
        /// In the order first saved.
        pub snapshots: Vec<SnapshotInfo>,
    }
}

/// Saves the content of one workspace (or of every workspace) under a name: devices, codes
/// (managed, unmanaged, backup pools), events, action attempts, webhooks and their pending
/// deliveries. Kept in memory until deleted or the server stops.
#[utoipa::path(
    post,
    path = "/_fake/snapshots/save",
    tag = "fake",
    request_body = SaveSnapshotRequest,
    responses(
        (status = 200, description = "Saved.", body = SnapshotResponse),
        (status = 400, description = bad_input!("`invalid_input` also for an empty `name` or one over 200 characters."), body = ErrorResponse),
        (status = 404, description = "`workspace_not_found` (`data.workspace_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn save(
    State(app): State<AppState>,
    Params(req): Params<SaveSnapshotRequest>,
) -> Result<SnapshotResponse> {
    Ok(SnapshotResponse::new(
        app.store.save_snapshot(req.name, req.workspace_id)?,
    ))
}

/// Rewinds the workspace(s) a snapshot holds to it. Other workspaces, credentials, the server
/// clock and outages are left alone, and no id handed out since the save is handed out again.
#[utoipa::path(
    post,
    path = "/_fake/snapshots/restore",
    tag = "fake",
    request_body = SnapshotNameRequest,
    responses(
        (status = 200, description = "Restored.", body = SnapshotResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 404, description = "`snapshot_not_found` (`data.name`); `workspace_not_found` (`data.workspace_id`) when a workspace it holds is gone (nothing is restored).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn restore(
    State(app): State<AppState>,
    Params(req): Params<SnapshotNameRequest>,
) -> Result<SnapshotResponse> {
    let (info, restarted) = app.store.restore_snapshot(&req.name)?;
    for (webhook_id, wake) in restarted {
        crate::webhooks::start(&app.store, webhook_id, wake);
    }
    Ok(SnapshotResponse::new(info))
}

/// Every snapshot: its name, workspaces and when it was saved.
#[utoipa::path(
    method(get, post),
    path = "/_fake/snapshots/list",
    tag = "fake",
    responses((status = 200, description = "The snapshots.", body = SnapshotsResponse))
)]
pub async fn list(State(app): State<AppState>) -> SnapshotsResponse {
    SnapshotsResponse::new(app.store.snapshots())
}

/// Forgets a snapshot.
#[utoipa::path(
    post,
    path = "/_fake/snapshots/delete",
    tag = "fake",
    request_body = SnapshotNameRequest,
    responses(
        (status = 200, description = "Deleted.", body = OkResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 404, description = "`snapshot_not_found` (`data.name`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn delete(
    State(app): State<AppState>,
    Params(req): Params<SnapshotNameRequest>,
) -> Result<OkResponse> {
    app.store.delete_snapshot(&req.name)?;
    Ok(OkResponse::new())
}
