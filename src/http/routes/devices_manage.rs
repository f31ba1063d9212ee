//! What a user changes about devices: `/devices/update` (nickname, `custom_metadata`,
//! managed or not), `/devices/delete`, `/devices/report_provider_metadata`; and
//! `/devices/list_device_providers`, the makers seam-mock reproduces.

use axum::extract::State;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::provider::{DeviceProvider, ProviderCategory, providers};
use crate::error::{Error, Issue, Result};
use crate::http::{
    metadata::{MetadataUpdate, metadata_schema},
    params::{LookupId, Params},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, workspace::DeviceChanges};

crate::request! {
    /// The fields `/devices/update` reads.
    pub struct DeviceUpdateRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: LookupId,
        /// The device's new nickname, which `display_name` shows from then on.
        pub name: Option<String>,
        /// `{name}`: the nickname, when `name` is absent.
        #[schema(value_type = Option<Object>)]
        pub properties: Option<Map<String, Value>>,
        #[schema(schema_with = metadata_schema)]
        pub custom_metadata: Option<MetadataUpdate>,
        /// `false`: Seam stops managing the device (it moves to `/devices/unmanaged/*`).
        pub is_managed: Option<bool>,
        /// `true` starts the lock's backup access code pool; `false` ends it: its spare PINs
        /// leave the lock (pulled backups stay).
        pub backup_access_code_pool_enabled: Option<bool>,
    }
    check(req, issues) {
        let name = req.properties.as_ref().and_then(|p| p.get("name"));
        if name.is_some_and(|n| !n.is_string() && !n.is_null()) {
            issues.push(Issue::new(
                vec!["properties".into(), "name".into()],
                crate::http::input::expected("string", name.unwrap_or(&Value::Null)),
            ));
        }
    }
}

/// Renames a device (`device.name_changed`), merges its `custom_metadata`, turns its backup
/// access code pool on or off, or with
/// `is_managed: false` makes it unmanaged (`device.converted_to_unmanaged`): it leaves
/// `/devices/list` for `/devices/unmanaged/list`, the PINs on it stay there as unmanaged codes,
/// and codes not yet on it are deleted.
#[utoipa::path(
    method(post, patch),
    path = "/devices/update",
    tag = "devices",
    request_body = DeviceUpdateRequest,
    responses(
        (status = 200, description = "Updated.", body = OkResponse),
        (status = 400, description = bad_request!("Also a `custom_metadata` value that is not a string of up to 500 characters, a boolean or null."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`): no such managed device.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<DeviceUpdateRequest>,
) -> Result<OkResponse> {
    let name = req.name.or_else(|| {
        req.properties
            .as_ref()
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(String::from)
    });
    let changes = DeviceChanges {
        name,
        custom_metadata: req.custom_metadata.map(|m| m.0),
        is_managed: req.is_managed,
        backup_access_code_pool_enabled: req.backup_access_code_pool_enabled,
    };
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            ws.update_device(
                req.device_id.or(Error::DeviceNotFound)?,
                changes,
                &caller.scope,
            )
        })
        .await?;
    Ok(OkResponse::new())
}

crate::request! {
    /// The fields `/devices/delete` reads.
    pub struct DeleteDeviceRequest {
        #[schema(value_type = Uuid, example = "5ea10003-0000-4000-8000-000000000001")]
        pub device_id: LookupId,
    }
}

/// Deletes a device, managed or unmanaged: its access codes go with it (`access_code.deleted`
/// each), then `device.deleted`; later reads are 404.
#[utoipa::path(
    method(post, delete),
    path = "/devices/delete",
    tag = "devices",
    request_body = DeleteDeviceRequest,
    responses(
        (status = 200, description = "Deleted.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<DeleteDeviceRequest>,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            ws.delete_device(req.device_id.or(Error::DeviceNotFound)?, &caller.scope)
        })
        .await?;
    Ok(OkResponse::new())
}

crate::response! {
    /// `{"device_providers": […], "ok": true}`.
    pub struct DeviceProvidersResponse {
        pub device_providers: Vec<DeviceProvider>,
    }
}

crate::request! {
    /// The fields `/devices/list_device_providers` reads.
    pub struct ListDeviceProvidersRequest {
        /// Only the providers of this category.
        pub provider_category: Option<ProviderCategory>,
    }
}

/// The providers whose devices seam-mock reproduces, with their capability flags.
#[utoipa::path(
    method(get, post),
    path = "/devices/list_device_providers",
    tag = "devices",
    request_body = ListDeviceProvidersRequest,
    responses(
        (status = 200, description = "The providers.", body = DeviceProvidersResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list_device_providers(
    _caller: Caller,
    Params(req): Params<ListDeviceProvidersRequest>,
) -> Result<DeviceProvidersResponse> {
    Ok(DeviceProvidersResponse::new(providers(
        req.provider_category,
    )))
}

crate::request! {
    /// The fields `/devices/report_provider_metadata` reads.
    pub struct ReportProviderMetadataRequest {
        /// `[{device_id, omnitec_metadata?, schlage_metadata?, ultraloq_metadata?}]`, each
        /// metadata object with a `time_zone`.
        #[schema(value_type = Vec<Object>)]
        pub devices: Vec<Map<String, Value>>,
    }
}

/// The providers whose metadata `/devices/report_provider_metadata` takes.
const METADATA_KEYS: [&str; 3] = ["omnitec_metadata", "schlage_metadata", "ultraloq_metadata"];

/// Each report as `(device, time zone)`, or every problem with the list.
fn reports(devices: &[Map<String, Value>]) -> Result<Vec<(LookupId, Option<String>)>> {
    let mut issues = Vec::new();
    let mut out = Vec::new();
    for (i, d) in devices.iter().enumerate() {
        let at = |field: &str| vec!["devices".to_string(), i.to_string(), field.to_string()];
        let id = match d.get("device_id") {
            Some(Value::String(s)) => LookupId {
                raw: s.clone(),
                id: Uuid::try_parse(s).ok(),
            },
            Some(other) => {
                let msg = crate::http::input::expected("string", other);
                issues.push(Issue::new(at("device_id"), msg));
                continue;
            }
            None => {
                issues.push(Issue::new(at("device_id"), "Required"));
                continue;
            }
        };
        let mut time_zone = None;
        for key in METADATA_KEYS {
            match d.get(key).map(|m| m.get("time_zone")) {
                None | Some(None) => {}
                Some(Some(Value::String(tz))) => time_zone = Some(tz.clone()),
                Some(Some(other)) => {
                    let mut path = at(key);
                    path.push("time_zone".into());
                    let msg = crate::http::input::expected("string", other);
                    issues.push(Issue::new(path, msg));
                }
            }
        }
        out.push((id, time_zone));
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(Error::InvalidInput(issues))
    }
}

/// Takes what a provider reports about devices: a `time_zone` becomes the device's
/// `location.time_zone`. Every device must exist, or nothing changes.
#[utoipa::path(
    post,
    path = "/devices/report_provider_metadata",
    tag = "devices",
    request_body = ReportProviderMetadataRequest,
    responses(
        (status = 200, description = "Recorded.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a device outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn report_provider_metadata(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<ReportProviderMetadataRequest>,
) -> Result<OkResponse> {
    let reports = reports(&req.devices)?
        .into_iter()
        .map(|(id, tz)| Ok((id.or(Error::DeviceNotFound)?, tz)))
        .collect::<Result<Vec<_>>>()?;
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            ws.report_provider_metadata(reports, &caller.scope)
        })
        .await?;
    Ok(OkResponse::new())
}
