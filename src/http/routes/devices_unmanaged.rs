//! `/devices/unmanaged/get|list|update`: devices Seam sees but does not manage (made so by
//! `/devices/update` `is_managed: false`), in the narrower shape Seam gives them; `update`
//! with `is_managed: true` manages one again.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::command::DeviceFilter;
use crate::domain::device::{Device, DeviceModel};
use crate::error::{Error, Issue, Result};
use crate::http::{
    metadata::{MetadataUpdate, metadata_schema},
    pagination::Pagination,
    params::{LookupId, Params, WithInput},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

use super::devices::{GetDeviceRequest, ListDevicesRequest};

/// The properties Seam shows of an unmanaged device.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnmanagedProperties {
    pub name: String,
    pub online: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub manufacturer: Option<String>,
    pub model: DeviceModel,
}

/// An unmanaged device as Seam returns it: who and what it is, not what it holds.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnmanagedDeviceView {
    pub device_id: Uuid,
    pub workspace_id: Uuid,
    pub connected_account_id: Uuid,
    pub device_type: String,
    pub display_name: String,
    pub capabilities_supported: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Value>,
    #[schema(value_type = Object)]
    pub custom_metadata: Map<String, Value>,
    /// Always false.
    pub is_managed: bool,
    pub properties: UnmanagedProperties,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub location: Option<Map<String, Value>>,
    #[serde(with = "crate::domain::timestamp::required")]
    pub created_at: DateTime<Utc>,
}

impl From<&Device> for UnmanagedDeviceView {
    fn from(d: &Device) -> Self {
        UnmanagedDeviceView {
            device_id: d.device_id,
            workspace_id: d.workspace_id,
            connected_account_id: d.connected_account_id,
            device_type: d.device_type.clone(),
            display_name: d.display_name.clone(),
            capabilities_supported: d.capabilities_supported.clone(),
            errors: d.errors.clone(),
            warnings: d.warnings.clone(),
            custom_metadata: d.custom_metadata.clone(),
            is_managed: false,
            properties: UnmanagedProperties {
                name: d.properties.name.clone(),
                online: d.properties.online,
                manufacturer: d.properties.manufacturer.clone(),
                model: d.properties.model.clone(),
            },
            location: d.location.clone(),
            created_at: d.created_at,
        }
    }
}

crate::response! {
    /// `{"device": …, "ok": true}`.
    pub struct UnmanagedDeviceResponse {
        pub device: UnmanagedDeviceView,
    }
}

crate::response! {
    /// `{"devices": […], "pagination": …, "ok": true}`.
    pub struct UnmanagedDevicePageResponse {
        pub devices: Vec<UnmanagedDeviceView>,
        pub pagination: Pagination,
    }
}

/// One unmanaged device, by `device_id` or by name.
#[utoipa::path(
    method(get, post),
    path = "/devices/unmanaged/get",
    tag = "devices",
    request_body = GetDeviceRequest,
    responses(
        (status = 200, description = "The unmanaged device.", body = UnmanagedDeviceResponse),
        (status = 400, description = bad_request!("Also when neither `device_id` nor `name` is given."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such unmanaged device (a managed one included).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GetDeviceRequest>,
) -> Result<UnmanagedDeviceResponse> {
    let device = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            match (&req.device_id, &req.name) {
                (Some(id), _) => ws
                    .unmanaged_device(id.or(Error::DeviceNotFound)?, &caller.scope)
                    .map(UnmanagedDeviceView::from),
                (None, Some(n)) => ws
                    .unmanaged_devices(&DeviceFilter::default(), &caller.scope, 0, usize::MAX)
                    .items
                    .into_iter()
                    .find(|d| d.is_named(n))
                    .map(UnmanagedDeviceView::from)
                    .ok_or_else(|| Error::DeviceNotFound(n.clone())),
                (None, None) => Err(Error::DeviceNotFound(String::new())),
            }
        })
        .await?;
    Ok(UnmanagedDeviceResponse::new(device))
}

/// The unmanaged devices the caller can see, in creation order, a page at a time.
#[utoipa::path(
    method(get, post),
    path = "/devices/unmanaged/list",
    tag = "devices",
    request_body = ListDevicesRequest,
    responses(
        (status = 200, description = "A page of unmanaged devices.", body = UnmanagedDevicePageResponse),
        (status = 400, description = bad_request!("Also when `page_cursor` is not one this server made."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    WithInput { params: req, input }: WithInput<ListDevicesRequest>,
) -> Result<UnmanagedDevicePageResponse> {
    let (page, filter) = req.page_and_filter();
    let (devices, pagination) = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let p = ws.unmanaged_devices(&filter, &caller.scope, page.offset, page.limit);
            let pg = Pagination::of(&p, &input);
            let items = p.items.into_iter().map(UnmanagedDeviceView::from);
            Ok((items.collect::<Vec<_>>(), pg))
        })
        .await?;
    Ok(UnmanagedDevicePageResponse::new(devices, pagination))
}

crate::request! {
    /// The fields `/devices/unmanaged/update` reads.
    pub struct UpdateUnmanagedDeviceRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: LookupId,
        #[schema(schema_with = metadata_schema)]
        pub custom_metadata: Option<MetadataUpdate>,
        /// `true` makes Seam manage the device again; `false` is refused (it is unmanaged).
        pub is_managed: Option<bool>,
    }
    check(req, issues) {
        if req.is_managed == Some(false) {
            issues.push(Issue::new(
                vec!["is_managed".into()],
                "Invalid literal value, expected true",
            ));
        }
    }
}

/// Merges an unmanaged device's `custom_metadata`; `is_managed: true` makes it managed again
/// (`device.unmanaged.converted_to_managed`): it is back in `/devices/list`, its codes stay
/// unmanaged until converted.
#[utoipa::path(
    method(post, patch),
    path = "/devices/unmanaged/update",
    tag = "devices",
    request_body = UpdateUnmanagedDeviceRequest,
    responses(
        (status = 200, description = "Updated.", body = OkResponse),
        (status = 400, description = bad_request!("Also `is_managed: false`, or a `custom_metadata` value that is not a string of up to 500 characters, a boolean or null."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such unmanaged device.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<UpdateUnmanagedDeviceRequest>,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            ws.update_unmanaged_device(
                req.device_id.or(Error::DeviceNotFound)?,
                req.custom_metadata.map(|m| m.0),
                req.is_managed == Some(true),
                &caller.scope,
            )
        })
        .await?;
    Ok(OkResponse::new())
}
