//! `/health` and the fake control surface (`/_fake/*`, contract §6): the seed, the whole
//! database, devices with any lengths and constraints, the server clock, and reset. None of
//! these need a credential.

use axum::{extract::State, response::Response};
use chrono::Duration;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::device::{
    ACCESS_CODE_CAPABILITY, Device, DeviceProperties, DeviceTemplate, template_for,
};
use crate::domain::timestamp;
use crate::error::{Error, Issue, Result};
use crate::http::{AppState, input::Input, ok, ok_empty, ok_fields};
use crate::store::{records::Database, seed};

/// `/health`.
pub async fn health(State(app): State<AppState>) -> Response {
    let mut m = Map::new();
    m.insert("service".into(), json!("seam-mock"));
    m.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    m.insert("now".into(), json!(timestamp::format(&app.store.now())));
    ok_fields(m)
}

/// `/_fake/default_seed`: well-known names to ids and tokens.
pub async fn default_seed() -> Response {
    ok_fields(seed::names())
}

/// `GET /_fake/database`: the whole state.
pub async fn get_database(State(app): State<AppState>) -> Result<Response> {
    match serde_json::to_value(app.store.dump()) {
        Ok(Value::Object(m)) => Ok(ok_fields(m)),
        _ => Err(Error::Internal(
            "the database did not serialize to an object".into(),
        )),
    }
}

/// `PUT /_fake/database`: replaces the whole state with a consistent database.
pub async fn put_database(State(app): State<AppState>, input: Input) -> Result<Response> {
    let mut value = input.into_value();
    if let Some(m) = value.as_object_mut() {
        m.remove("ok");
    }
    let db: Database = serde_json::from_value(value)
        .map_err(|e| Error::InvalidRequest(format!("Not a valid database: {e}")))?;
    app.store
        .replace(db)
        .map_err(|e| Error::InvalidRequest(format!("Inconsistent database: {e}")))?;
    Ok(ok_empty())
}

/// Shallow-merges `patch` onto `properties` and parses the result, so a fixture can set any
/// property while the typed ones stay well formed.
fn merge_properties(
    properties: &DeviceProperties,
    patch: Map<String, Value>,
) -> Result<DeviceProperties> {
    let mut v = serde_json::to_value(properties).map_err(|e| Error::Internal(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.extend(patch);
    }
    serde_json::from_value(v).map_err(|e| {
        Error::InvalidInput(vec![Issue::new(
            vec!["properties".into()],
            format!("Invalid properties: {e}"),
        )])
    })
}

fn uuid_field(input: &mut Input, key: &str, value: Option<String>) -> Option<Uuid> {
    let v = value?;
    let parsed = Uuid::try_parse(&v).ok();
    if parsed.is_none() {
        input.issue(key, "Invalid uuid");
    }
    parsed
}

const GENERIC_LOCK: DeviceTemplate = DeviceTemplate {
    manufacturer: "unknown",
    capabilities: &[ACCESS_CODE_CAPABILITY, "lock"],
    code_lengths: None,
    constraints: &[],
};

/// `POST /_fake/devices`: adds a device to a workspace. Properties not given come from the
/// device type's defaults.
pub async fn add_device(State(app): State<AppState>, mut input: Input) -> Result<Response> {
    let ws_raw = input.req_string("workspace_id");
    let workspace_id = uuid_field(
        &mut input,
        "workspace_id",
        Some(ws_raw).filter(|s| !s.is_empty()),
    );
    let device_type = input.req_string("device_type");
    let display_name = input.opt_string("display_name");
    let account_raw = input.opt_string("connected_account_id");
    let account = uuid_field(&mut input, "connected_account_id", account_raw);
    let capabilities = input.opt_string_array("capabilities_supported");
    let properties = input.opt_object("properties");
    let custom_metadata = input.opt_object("custom_metadata").unwrap_or_default();
    input.finish()?;
    let workspace_id = workspace_id.ok_or_else(|| Error::field("workspace_id", "Required"))?;
    if !app.store.has_workspace(workspace_id) {
        return Err(Error::WorkspaceNotFound(workspace_id));
    }
    let template = template_for(&device_type).unwrap_or(GENERIC_LOCK);
    let device = app.store.with_workspace(workspace_id, |ws| {
        let connected_account_id = match account {
            Some(a) if ws.has_connected_account(a) => a,
            Some(_) => {
                return Err(Error::field(
                    "connected_account_id",
                    "Unknown connected account",
                ));
            }
            None => ws.default_connected_account().ok_or_else(|| {
                Error::field(
                    "connected_account_id",
                    "The workspace has no connected account to own the device",
                )
            })?,
        };
        let name = display_name
            .clone()
            .unwrap_or_else(|| format!("{device_type} device"));
        let props = merge_properties(
            &template.properties(&name),
            properties.clone().unwrap_or_default(),
        )?;
        let capabilities_supported: Vec<String> = capabilities.clone().unwrap_or_else(|| {
            template
                .capabilities
                .iter()
                .map(|c| c.to_string())
                .collect()
        });
        let device_id = ws.new_id();
        let device = Device {
            device_id,
            workspace_id,
            connected_account_id,
            device_type: device_type.clone(),
            display_name: name,
            can_program_online_access_codes: capabilities_supported
                .iter()
                .any(|c| c == ACCESS_CODE_CAPABILITY),
            capabilities_supported,
            properties: props,
            custom_metadata: custom_metadata.clone(),
            space_ids: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            is_managed: true,
            created_at: ws.now,
        };
        Ok(ws.add_device(device).clone())
    })??;
    Ok(ok("device", device))
}

/// `POST /_fake/update_device`: changes a device's properties (e.g. takes it offline), name,
/// capabilities or metadata.
pub async fn update_device(State(app): State<AppState>, mut input: Input) -> Result<Response> {
    let device_id = input.req_string("device_id");
    let properties = input.opt_object("properties");
    let display_name = input.opt_string("display_name");
    let capabilities = input.opt_string_array("capabilities_supported");
    let custom_metadata = input.opt_object("custom_metadata");
    input.finish()?;
    let workspace_id = app
        .store
        .workspace_of_device(&device_id)
        .ok_or_else(|| Error::DeviceNotFound(device_id.clone()))?;
    let device = app.store.with_workspace(workspace_id, |ws| {
        let mut d = ws.device(&device_id, &Default::default())?.clone();
        if let Some(p) = properties {
            d.properties = merge_properties(&d.properties, p)?;
        }
        if let Some(n) = display_name {
            d.display_name = n;
        }
        if let Some(c) = capabilities {
            d.can_program_online_access_codes = c.iter().any(|x| x == ACCESS_CODE_CAPABILITY);
            d.capabilities_supported = c;
        }
        if let Some(m) = custom_metadata {
            d.custom_metadata = m;
        }
        Ok::<_, Error>(ws.replace_device(d).clone())
    })??;
    Ok(ok("device", device))
}

/// `POST /_fake/advance_time {seconds}`: moves the server clock forward; `{seconds: 0}` reads it.
pub async fn advance_time(State(app): State<AppState>, mut input: Input) -> Result<Response> {
    let seconds = input.opt_number("seconds");
    if seconds.is_none() && !input.has_issues() {
        input.issue("seconds", "Required");
    }
    if seconds.is_some_and(|s| s < 0.0) {
        input.issue("seconds", "Number must be greater than or equal to 0");
    }
    input.finish()?;
    let ms = (seconds.unwrap_or(0.0) * 1000.0).min(1e15) as i64;
    let now = app.store.advance(Duration::milliseconds(ms));
    Ok(ok("now", timestamp::format(&now)))
}

/// `POST /_fake/reset`: back to the state the server started with.
pub async fn reset(State(app): State<AppState>) -> Response {
    app.store.reset();
    ok_empty()
}
