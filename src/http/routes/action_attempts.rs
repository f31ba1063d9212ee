//! `/action_attempts/get` and `/action_attempts/list`: receipts of access-code actions.

use axum::{extract::State, response::Response};
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::http::{AppState, input::Input, ok, ok_fields};
use crate::store::Caller;

/// `/action_attempts/get`.
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let id = input.req_string("action_attempt_id");
    input.finish()?;
    let attempt = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.action_attempt(&id).map(|a| a.to_wire())
    })??;
    Ok(ok("action_attempt", attempt))
}

/// `/action_attempts/list`: by `action_attempt_ids`.
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let ids = input.req_string_array("action_attempt_ids");
    let _ = input.opt_string("device_id");
    input.finish()?;
    let attempts: Vec<Value> = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.action_attempts(&ids)
            .into_iter()
            .map(|a| a.to_wire())
            .collect()
    })?;
    let mut m = Map::new();
    m.insert("action_attempts".into(), json!(attempts));
    m.insert(
        "pagination".into(),
        json!({ "has_next_page": false, "next_page_cursor": null, "next_page_url": null }),
    );
    Ok(ok_fields(m))
}
