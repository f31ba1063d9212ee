//! `/devices/get` and `/devices/list`.

use axum::extract::State;
use uuid::Uuid;

use crate::domain::command::DeviceFilter;
use crate::domain::device::Device;
use crate::error::{Error, Issue, Result};
use crate::http::{
    pagination::{DEFAULT_PAGE, Limit, PageArgs, PageCursor, Pagination, limit_schema},
    params::{LookupId, Params, WithInput, one_or_many},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

crate::response! {
    /// `{"device": …, "ok": true}`.
    pub struct DeviceResponse {
        pub device: Device,
    }
}

crate::response! {
    /// `{"devices": […], "pagination": …, "ok": true}`.
    pub struct DevicePageResponse {
        pub devices: Vec<Device>,
        pub pagination: Pagination,
    }
}

crate::request! {
    /// The fields `/devices/get` and `/devices/unmanaged/get` read: `device_id` or `name`.
    pub struct GetDeviceRequest {
        #[schema(value_type = Option<Uuid>, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: Option<LookupId>,
        /// The display name (or `properties.name`), when `device_id` is absent.
        pub name: Option<String>,
    }
    check(req, issues) {
        if req.device_id.is_none() && req.name.is_none() {
            issues.push(Issue::new(vec!["device_id".into()], "Required"));
        }
    }
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
    Params(req): Params<GetDeviceRequest>,
) -> Result<DeviceResponse> {
    let device = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            match (&req.device_id, &req.name) {
                (Some(id), _) => ws
                    .device(id.or(Error::DeviceNotFound)?, &caller.scope)
                    .cloned(),
                (None, Some(n)) => ws
                    .devices(&DeviceFilter::default(), &caller.scope, 0, usize::MAX)
                    .items
                    .into_iter()
                    .find(|d| d.is_named(n))
                    .cloned()
                    .ok_or_else(|| Error::DeviceNotFound(n.clone())),
                (None, None) => Err(Error::DeviceNotFound(String::new())),
            }
        })
        .await?;
    Ok(DeviceResponse::new(device))
}

crate::request! {
    /// The fields `/devices/list` and `/devices/unmanaged/list` read: filters (all must
    /// match) and the page.
    pub struct ListDevicesRequest {
        /// Only these devices (an empty list matches none).
        #[schema(value_type = Option<Vec<String>>)]
        pub device_ids: Option<Vec<LookupId>>,
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
        #[schema(schema_with = limit_schema)]
        pub limit: Option<Limit>,
        /// `next_page_cursor` of the previous page.
        #[schema(value_type = Option<String>)]
        pub page_cursor: Option<PageCursor>,
    }
}

/// The filter of `/devices/list` and `/locks/list`: ids as sent (a malformed one matches
/// nothing), the singular fields already joined to their lists.
pub fn device_filter(
    device_ids: Option<Vec<LookupId>>,
    device_types: Option<Vec<String>>,
    connected_account_ids: Option<Vec<Uuid>>,
    manufacturer: Option<String>,
) -> DeviceFilter {
    DeviceFilter {
        device_ids: device_ids.map(|ids| LookupId::valid(&ids)),
        device_types,
        connected_account_ids,
        manufacturer,
    }
}

impl ListDevicesRequest {
    /// The page asked for and the filter, the singular fields joined to their lists.
    pub fn page_and_filter(self) -> (PageArgs, DeviceFilter) {
        let page = PageArgs::new(self.limit, self.page_cursor, DEFAULT_PAGE);
        let filter = device_filter(
            self.device_ids,
            one_or_many(self.device_types, self.device_type),
            one_or_many(self.connected_account_ids, self.connected_account_id),
            self.manufacturer,
        );
        (page, filter)
    }
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
    WithInput { params: req, input }: WithInput<ListDevicesRequest>,
) -> Result<DevicePageResponse> {
    let (page, filter) = req.page_and_filter();
    let (devices, pagination) = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let p = ws.devices(&filter, &caller.scope, page.offset, page.limit);
            let pg = Pagination::of(&p, &input);
            Ok((p.items.into_iter().cloned().collect::<Vec<_>>(), pg))
        })
        .await?;
    Ok(DevicePageResponse::new(devices, pagination))
}
