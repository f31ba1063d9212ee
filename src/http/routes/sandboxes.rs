//! `/_fake/sandboxes/create` (contract §15): a workspace per test, holding the default seed's
//! accounts and locks under fresh ids, with its own API key. No credential needed.

use axum::extract::State;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::Result;
use crate::http::{
    params::Params,
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};

crate::request! {
    /// The fields `/_fake/sandboxes/create` reads.
    #[schema(example = json!({"name": "test_create_code"}))]
    pub struct CreateSandboxRequest {
        /// The workspace's name (default `Sandbox`).
        pub name: Option<String>,
    }
}

crate::response! {
    /// A new sandbox.
    pub struct SandboxResponse {
        /// The sandbox's workspace.
        pub workspace_id: Uuid,
        /// Its API key (`seam_…`): every Seam route called with it sees this workspace only.
        pub api_key: String,
        /// The default seed's names (as `/_fake/default_seed` gives them) with this sandbox's
        /// ids and tokens: `seed_workspace_1`, `seam_apikey1_token`, `seam_pk1_token`,
        /// `seam_cst1_token`, the connected accounts and every device. Names of things a
        /// sandbox does not have (`seed_workspace_2`, `seam_apikey2_token`, `seam_at1_token`,
        /// the console user) are left out.
        #[schema(value_type = Object)]
        pub seed: Map<String, Value>,
    }
}

/// Creates a sandbox: a new workspace with the default seed's connected accounts, locks
/// (same names, lengths and constraints) and client session under fresh ids, and its own
/// API key. Sandboxes share nothing; `/_fake/reset {workspace_id}` returns one to this seed.
#[utoipa::path(
    post,
    path = "/_fake/sandboxes/create",
    tag = "fake",
    request_body = CreateSandboxRequest,
    responses(
        (status = 200, description = "The sandbox, its API key and its seed.", body = SandboxResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    Params(req): Params<CreateSandboxRequest>,
) -> Result<SandboxResponse> {
    let sandbox = app.store.create_sandbox(req.name);
    Ok(SandboxResponse::new(
        sandbox.workspace_id,
        sandbox.api_key,
        sandbox.seed,
    ))
}
