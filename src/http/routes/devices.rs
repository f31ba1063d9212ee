//! `/devices/get` and `/devices/list`.

use axum::{extract::State, response::Response};
use serde_json::{Map, json};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::{AppState, input::Input, ok, ok_fields};
use crate::store::{Caller, workspace::DeviceFilter};

use super::{page_args, pagination};

/// `/devices/get`: by `device_id` (or `name`, the display name).
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.opt_string("device_id");
    let name = input.opt_string("name");
    if device_id.is_none() && name.is_none() {
        input.issue("device_id", "Required");
    }
    input.finish()?;
    let device =
        app.store
            .with_workspace(caller.workspace_id, |ws| match (&device_id, &name) {
                (Some(id), _) => ws.device(id, &caller.scope).cloned(),
                (None, Some(n)) => ws
                    .devices(&DeviceFilter::default(), &caller.scope, 0, usize::MAX)
                    .items
                    .into_iter()
                    .find(|d| &d.display_name == n || &d.properties.name == n)
                    .cloned()
                    .ok_or_else(|| Error::DeviceNotFound(n.clone())),
                (None, None) => Err(Error::DeviceNotFound(String::new())),
            })??;
    Ok(ok("device", device))
}

fn uuids(input: &mut Input, key: &str, values: Option<Vec<String>>) -> Option<Vec<Uuid>> {
    let values = values?;
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        match Uuid::try_parse(&v) {
            Ok(u) => out.push(u),
            Err(_) => input.issue(key, "Invalid uuid"),
        }
    }
    Some(out)
}

/// `/devices/list`: filters `device_ids`, `device_type(s)`, `connected_account_id(s)`,
/// `manufacturer`, paginated with `limit` and `page_cursor`.
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_ids = input.opt_string_array("device_ids");
    let mut device_types = input.opt_string_array("device_types");
    if let Some(t) = input.opt_string("device_type") {
        device_types.get_or_insert_with(Vec::new).push(t);
    }
    let mut accounts = input.opt_string_array("connected_account_ids");
    if let Some(a) = input.opt_string("connected_account_id") {
        accounts.get_or_insert_with(Vec::new).push(a);
    }
    let connected_account_ids = uuids(&mut input, "connected_account_id", accounts);
    let manufacturer = input.opt_string("manufacturer");
    let page = page_args(&mut input, 500);
    input.finish()?;
    let filter = DeviceFilter {
        device_ids,
        device_types,
        connected_account_ids,
        manufacturer,
    };
    let (devices, pagination) = app.store.with_workspace(caller.workspace_id, |ws| {
        let p = ws.devices(&filter, &caller.scope, page.offset, page.limit);
        let pg = pagination(&p, &input);
        (p.items.into_iter().cloned().collect::<Vec<_>>(), pg)
    })?;
    let mut m = Map::new();
    m.insert("devices".into(), json!(devices));
    m.insert("pagination".into(), pagination);
    Ok(ok_fields(m))
}
