//! What every handler can reach: a leaf, so route modules and the router assembly both use it
//! without using each other.

use super::openapi::DocumentJson;
use crate::store::Store;

/// The state behind every request: the store, and the OpenAPI document the router was built
/// with (served at `/openapi.json`).
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub openapi_json: DocumentJson,
}
