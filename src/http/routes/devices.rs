//! `/devices/get` and `/devices/list`.

use axum::{extract::State, response::Response};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::command::{self, DeviceFilter};
use crate::domain::device::Device;
use crate::error::{Error, Result};
use crate::http::openapi::{ErrorResponse, OkTrue};
use crate::http::{AppState, input::Input, ok};
use crate::store::Caller;

use super::{PAYLOAD_TOO_LARGE, Pagination, ok_page, page_args, pagination};

/// `{"device": …, "ok": true}`.
#[derive(ToSchema)]
pub struct DeviceResponse {
    pub device: Device,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"devices": […], "pagination": …, "ok": true}`.
#[derive(ToSchema)]
pub struct DevicePageResponse {
    pub devices: Vec<Device>,
    pub pagination: Pagination,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// The fields `/devices/get` reads: `device_id` or `name`.
#[derive(ToSchema)]
pub struct GetDeviceRequest {
    #[schema(example = "5ea10003-0000-4000-8000-000000000001")]
    pub device_id: Option<Uuid>,
    /// The display name (or `properties.name`), when `device_id` is absent.
    pub name: Option<String>,
}

/// One device, by `device_id` or by name.
#[utoipa::path(
    method(get, post),
    path = "/devices/get",
    tag = "devices",
    request_body = GetDeviceRequest,
    responses(
        (status = 200, description = "The device.", body = DeviceResponse),
        (status = 400, description = bad_request!("Also when neither `device_id` nor `name` is given."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
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
                (Some(id), _) => ws.device(command::device_id(id)?, &caller.scope).cloned(),
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

/// The fields `/devices/list` reads: filters (all must match) and the page.
#[derive(ToSchema)]
pub struct ListDevicesRequest {
    /// Only these devices (an empty list matches none).
    pub device_ids: Option<Vec<String>>,
    /// Only devices of these types.
    pub device_types: Option<Vec<String>>,
    /// Only devices of this type (joins `device_types`).
    pub device_type: Option<String>,
    /// Only devices of these connected accounts.
    pub connected_account_ids: Option<Vec<Uuid>>,
    /// Only devices of this connected account (joins `connected_account_ids`).
    pub connected_account_id: Option<Uuid>,
    /// Only devices whose `properties.manufacturer` is this.
    pub manufacturer: Option<String>,
    #[schema(schema_with = super::limit_schema)]
    pub limit: Option<u64>,
    /// `next_page_cursor` of the previous page.
    pub page_cursor: Option<String>,
}

/// The devices the caller can see, in creation order, a page at a time.
#[utoipa::path(
    method(get, post),
    path = "/devices/list",
    tag = "devices",
    request_body = ListDevicesRequest,
    responses(
        (status = 200, description = "A page of devices.", body = DevicePageResponse),
        (status = 400, description = bad_request!("Also when `page_cursor` is not one this server made."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
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
        device_ids: command::filter_ids(device_ids),
        device_types,
        connected_account_ids,
        manufacturer,
    };
    let (devices, pagination) = app.store.with_workspace(caller.workspace_id, |ws| {
        let p = ws.devices(&filter, &caller.scope, page.offset, page.limit);
        let pg = pagination(&p, &input);
        (p.items.into_iter().cloned().collect::<Vec<_>>(), pg)
    })?;
    Ok(ok_page("devices", devices, pagination))
}
