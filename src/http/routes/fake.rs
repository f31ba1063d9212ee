//! `/health` and the fake control surface (`/_fake/*`, contract §6): the seed, the whole
//! database, devices with any lengths and constraints, the server clock, and reset (of all, or
//! of one workspace). None of these need a credential.

use std::borrow::Cow;

use axum::{extract::State, response::Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        Ref, RefOr,
        schema::{AllOfBuilder, ObjectBuilder, Schema, Type},
    },
};
use uuid::Uuid;

use crate::domain::device::{
    ACCESS_CODE_CAPABILITY, DeviceProperties, DeviceTemplate, template_for,
};
use crate::domain::timestamp;
use crate::error::{Error, Issue, Result};
use crate::http::{
    error::json_ok,
    input::Input,
    params::{LookupId, Params},
    schema::{ErrorResponse, OkResponse, OkTrue, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{records::Database, seed};

use super::devices::DeviceResponse;

/// `{"<seed name>": "<id or token>", …, "ok": true}`.
pub struct SeedResponse;

impl PartialSchema for SeedResponse {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "Every well-known seed name (`seed_workspace_1`, `seam_apikey1_token`, \
                 `august_device_1`, ...) with its id or token.",
            ))
            .property("ok", OkTrue::schema())
            .required("ok")
            .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
            .into()
    }
}

impl ToSchema for SeedResponse {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SeedResponse")
    }
}

/// The whole database and `"ok": true`.
pub struct DatabaseResponse;

impl PartialSchema for DatabaseResponse {
    fn schema() -> RefOr<Schema> {
        AllOfBuilder::new()
            .item(Ref::from_schema_name(Database::name()))
            .item(
                ObjectBuilder::new()
                    .property("ok", OkTrue::schema())
                    .required("ok"),
            )
            .into()
    }
}

impl ToSchema for DatabaseResponse {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("DatabaseResponse")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((Database::name().into(), Database::schema()));
        Database::schemas(schemas);
    }
}

crate::response! {
    /// `{"now": …, "ok": true}`.
    pub struct ClockResponse {
        /// The server clock after the move.
        #[serde(with = "crate::domain::timestamp::required")]
        pub now: DateTime<Utc>,
    }
}

/// The seed's well-known names, with their ids and tokens.
#[utoipa::path(
    method(get, post),
    path = "/_fake/default_seed",
    tag = "fake",
    responses((status = 200, description = "Name to id or token.", body = SeedResponse))
)]
pub async fn default_seed() -> Response {
    let mut names = seed::names();
    names.insert("ok".into(), Value::Bool(true));
    json_ok(&names)
}

/// The whole state, in the shape `PUT /_fake/database` and `--seed-file` take.
#[utoipa::path(
    get,
    path = "/_fake/database",
    tag = "fake",
    responses((status = 200, description = "Every record of every workspace.", body = DatabaseResponse))
)]
pub async fn get_database(State(app): State<AppState>) -> Result<Response> {
    match serde_json::to_value(app.store.dump()) {
        Ok(Value::Object(mut m)) => {
            m.insert("ok".into(), Value::Bool(true));
            Ok(json_ok(&m))
        }
        _ => Err(Error::Internal(
            "the database did not serialize to an object".into(),
        )),
    }
}

/// Replaces the whole state (what `GET /_fake/database` returned, or a fixture).
///
/// Lists and fields with defaults may be left out; every record must point at records that
/// exist. `/_fake/reset` still returns to the state the server started with.
#[utoipa::path(
    method(put, post),
    path = "/_fake/database",
    tag = "fake",
    request_body = Database,
    responses(
        (status = 200, description = "Replaced.", body = OkResponse),
        (status = 400, description = bad_input!("`invalid_input` also when the document is not a database or is inconsistent (a record pointing at one that does not exist, a duplicate id)."), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn put_database(State(app): State<AppState>, input: Input) -> Result<OkResponse> {
    let mut value = input.into_value();
    if let Some(m) = value.as_object_mut() {
        m.remove("ok");
    }
    let db: Database = serde_json::from_value(value)
        .map_err(|e| Error::InvalidRequest(format!("Not a valid database: {e}")))?;
    app.store
        .replace(db)
        .map_err(|e| Error::InvalidRequest(format!("Inconsistent database: {e}")))?;
    Ok(OkResponse::new())
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
    let invalid = |e: String| {
        Error::InvalidInput(vec![Issue::new(
            vec!["properties".into()],
            format!("Invalid properties: {e}"),
        )])
    };
    let merged: DeviceProperties = serde_json::from_value(v).map_err(|e| invalid(e.to_string()))?;
    merged.check().map_err(invalid)?;
    Ok(merged)
}

const GENERIC_LOCK: DeviceTemplate = DeviceTemplate {
    manufacturer: "unknown",
    maker: "Unknown",
    model: "Lock",
    capabilities: &[ACCESS_CODE_CAPABILITY, "lock"],
    code_lengths: None,
    constraints: &[],
    offline_codes: false,
    backup_pool: false,
    hub: false,
    paid_subscription: false,
};

crate::request! {
    /// The fields `POST /_fake/devices` reads.
    #[schema(example = json!({"workspace_id": "5ea10001-0000-4000-8000-000000000001", "device_type": "nuki_lock", "display_name": "Garden Gate"}))]
    pub struct AddDeviceRequest {
        #[schema(example = "5ea10001-0000-4000-8000-000000000001")]
        pub workspace_id: Uuid,
        /// E.g. `august_lock`, `nuki_lock`; an unknown type is a generic lock.
        #[schema(example = "nuki_lock")]
        pub device_type: String,
        pub display_name: Option<String>,
        /// The owner; default: the workspace's first connected account.
        pub connected_account_id: Option<Uuid>,
        /// Default: the device type's (locks: `access_code`, `lock`).
        pub capabilities_supported: Option<Vec<String>>,
        /// Default: the device type's (`true` for `igloohome_lock`).
        pub can_program_offline_access_codes: Option<bool>,
        /// Merged over the device type's defaults (`supported_code_lengths`, `code_constraints`,
        /// `online`, ...).
        #[schema(value_type = Option<Object>)]
        pub properties: Option<Map<String, Value>>,
        #[schema(value_type = Option<Object>)]
        pub custom_metadata: Option<Map<String, Value>>,
    }
}

/// Adds a device to a workspace: any type, lengths and constraints.
///
/// Properties not given come from the device type's defaults.
#[utoipa::path(
    post,
    path = "/_fake/devices",
    tag = "fake",
    request_body = AddDeviceRequest,
    responses(
        (status = 200, description = "The new device.", body = DeviceResponse),
        (status = 400, description = bad_input!("`invalid_input` also for an unknown `connected_account_id`, a workspace with no connected account, or `properties` that do not fit a device."), body = ErrorResponse),
        (status = 404, description = "`workspace_not_found` (`data.workspace_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn add_device(
    State(app): State<AppState>,
    Params(req): Params<AddDeviceRequest>,
) -> Result<DeviceResponse> {
    let AddDeviceRequest {
        workspace_id,
        device_type,
        display_name,
        connected_account_id: account,
        capabilities_supported: capabilities,
        can_program_offline_access_codes: offline,
        properties,
        custom_metadata,
    } = req;
    let custom_metadata = custom_metadata.unwrap_or_default();
    if !app.store.has_workspace(workspace_id) {
        return Err(Error::WorkspaceNotFound(workspace_id));
    }
    let template = template_for(&device_type).unwrap_or(GENERIC_LOCK);
    let device = app
        .store
        .with_workspace(workspace_id, |ws| {
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
            let mut device = template.device(
                device_id,
                workspace_id,
                connected_account_id,
                &device_type,
                &name,
                ws.now,
            );
            device.can_program_online_access_codes = capabilities_supported
                .iter()
                .any(|c| c == ACCESS_CODE_CAPABILITY);
            device.set_simulation(template.simulation(&capabilities_supported));
            device.capabilities_supported = capabilities_supported;
            if let Some(o) = offline {
                device.can_program_offline_access_codes = o;
            }
            device.properties = props;
            device.custom_metadata = custom_metadata.clone();
            Ok(ws.add_device(device).clone())
        })
        .await?;
    Ok(DeviceResponse::new(device))
}

crate::request! {
    /// The fields `POST /_fake/update_device` reads.
    #[schema(example = json!({"device_id": "5ea10003-0000-4000-8000-00000000000c", "properties": {"online": false}}))]
    pub struct UpdateDeviceRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-00000000000c")]
        pub device_id: LookupId,
        /// Merged over the current properties (e.g. `{"online": false}`).
        #[schema(value_type = Option<Object>)]
        pub properties: Option<Map<String, Value>>,
        pub display_name: Option<String>,
        pub capabilities_supported: Option<Vec<String>>,
        pub can_program_offline_access_codes: Option<bool>,
        /// Replaces the current metadata.
        #[schema(value_type = Option<Object>)]
        pub custom_metadata: Option<Map<String, Value>>,
    }
}

/// Changes a device in any workspace: properties (e.g. takes it offline), name,
/// capabilities or metadata.
///
/// A lock coming back online has its waiting codes programmed at once.
#[utoipa::path(
    post,
    path = "/_fake/update_device",
    tag = "fake",
    request_body = UpdateDeviceRequest,
    responses(
        (status = 200, description = "The device as it is now.", body = DeviceResponse),
        (status = 400, description = bad_input!("`invalid_input` also for `properties` that do not fit a device."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update_device(
    State(app): State<AppState>,
    Params(req): Params<UpdateDeviceRequest>,
) -> Result<DeviceResponse> {
    let UpdateDeviceRequest {
        device_id,
        properties,
        display_name,
        capabilities_supported: capabilities,
        can_program_offline_access_codes: offline,
        custom_metadata,
    } = req;
    let device_id = device_id.or(Error::DeviceNotFound)?;
    let workspace_id = app
        .store
        .workspace_of_device(device_id)
        .ok_or_else(|| Error::DeviceNotFound(device_id.to_string()))?;
    let device = app
        .store
        .with_workspace(workspace_id, |ws| {
            let mut d = ws.device(device_id, &Default::default())?.clone();
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
            if let Some(o) = offline {
                d.can_program_offline_access_codes = o;
            }
            if let Some(m) = custom_metadata {
                d.custom_metadata = m;
            }
            Ok::<_, Error>(ws.replace_device(d).clone())
        })
        .await?;
    Ok(DeviceResponse::new(device))
}

crate::request! {
    /// The fields `POST /_fake/advance_time` reads.
    pub struct AdvanceTimeRequest {
        /// How far to move the clock; 0 just reads it. The clock stops at the end of year 9999.
        #[schema(minimum = 0)]
        pub seconds: f64,
    }
    check(req, issues) {
        if req.seconds < 0.0 {
            issues.push(Issue::new(
                vec!["seconds".into()],
                "Number must be greater than or equal to 0",
            ));
        }
    }
}

/// Moves the server clock forward; every code transition it passes happens.
#[utoipa::path(
    post,
    path = "/_fake/advance_time",
    tag = "fake",
    request_body = AdvanceTimeRequest,
    responses(
        (status = 200, description = "The new time.", body = ClockResponse),
        (status = 400, description = bad_input!("`invalid_input` also when `seconds` would take the clock past 9999-12-31T23:59:59.999Z."), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn advance_time(
    State(app): State<AppState>,
    Params(req): Params<AdvanceTimeRequest>,
) -> Result<ClockResponse> {
    let ms = (req.seconds * 1000.0).min(1e15) as i64;
    let room = (timestamp::latest() - app.store.now()).num_milliseconds();
    if ms > room {
        return Err(Error::field(
            "seconds",
            format!("Number must be less than or equal to {}", room / 1000),
        ));
    }
    Ok(ClockResponse::new(
        app.store.advance(Duration::milliseconds(ms)),
    ))
}

crate::request! {
    /// The fields `/_fake/reset` reads.
    #[schema(example = json!({"workspace_id": "5ea10001-0000-4000-8000-000000000001"}))]
    pub struct ResetRequest {
        /// The workspace to reset alone; absent: everything.
        pub workspace_id: Option<Uuid>,
    }
}

/// Back to the seed. With `workspace_id`, that workspace alone returns to its seeded content
/// (a sandbox to its own seed, with the same ids; a workspace made since the start to empty),
/// its webhooks and client sessions as seeded and its outage over. Without, the whole state
/// returns to what the server started with (sandboxes are gone). The clock keeps its time;
/// snapshots are kept.
#[utoipa::path(
    post,
    path = "/_fake/reset",
    tag = "fake",
    request_body = ResetRequest,
    responses(
        (status = 200, description = "Reset.", body = OkResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 404, description = "`workspace_not_found` (`data.workspace_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn reset(
    State(app): State<AppState>,
    Params(req): Params<ResetRequest>,
) -> Result<OkResponse> {
    match req.workspace_id {
        Some(id) => app.store.reset_workspace(id)?,
        None => app.store.reset(),
    }
    Ok(OkResponse::new())
}
