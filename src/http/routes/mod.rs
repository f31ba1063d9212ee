//! Every route the server answers, one module per resource. [`seam`] (routes that need a
//! credential) and [`open`] name each path once; a path's verbs, and its part of the OpenAPI
//! document, come from its handlers' `#[utoipa::path]`, so the router and the document are
//! built from the same list. Any other verb on a path is a JSON 405 (`path`).

/// The 400 description of a Seam route: the input problems every route can meet, then `$extra`.
macro_rules! bad_request {
    ($extra:literal) => {
        concat!(
            "`invalid_input`: a field is missing, null where it may not be, or of the wrong type \
             (see `validation_errors`), or the body is malformed or not a JSON object; \
             `invalid_content_type`: a non-empty body that is not JSON; \
             `invalid_client_session_token`: a client-session header that is not a `seam_cst` token. ",
            $extra
        )
    };
}

/// The 400 description of an open route that reads input, then `$extra`.
macro_rules! bad_input {
    ($extra:literal) => {
        concat!(
            "`invalid_input`: a field is missing, null where it may not be, or of the wrong type \
             (see `validation_errors`), or the body is malformed or not a JSON object; \
             `invalid_content_type`: a non-empty body that is not JSON. ",
            $extra
        )
    };
}

/// The 401 description of a Seam route, then `$extra`.
macro_rules! unauthorized {
    ($extra:literal) => {
        concat!(
            "`unauthorized`: no credential, a malformed or unknown one, or a personal access \
             token without a `seam-workspace` it belongs to; `client_session_not_found`: an \
             unknown client session token",
            $extra,
            "."
        )
    };
}

pub mod access_codes;
pub mod action_attempts;
pub mod backup;
pub mod client_sessions;
pub mod connected_accounts;
pub mod constraints;
pub mod create;
pub mod customization_profiles;
pub mod devices;
pub mod devices_manage;
pub mod devices_unmanaged;
pub mod events;
pub mod fake;
pub mod fake_faults;
pub mod fake_sdk;
pub mod fake_webhooks;
pub mod find_anything;
pub mod locks;
pub mod meta;
pub mod requests;
pub mod sandboxes;
pub mod simulate;
pub mod snapshots;
pub mod timeline;
pub mod ui;
pub mod ui_door;
pub mod unmanaged;
pub mod webhooks;
pub mod workspaces;

use axum::http::{Method, Uri};
use utoipa::openapi::path::Paths;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{error::method_not_allowed, state::AppState};

type Routes = utoipa_axum::router::UtoipaMethodRouter<AppState>;

/// One path with the verbs its handlers' `#[utoipa::path]` name; any other verb gets a JSON
/// 405 whose `Allow` lists those.
fn path((schemas, paths, router): Routes) -> Routes {
    let allow = verbs(&paths).join(", ");
    let router = router.fallback(move |method: Method, uri: Uri| {
        let allow = allow.clone();
        async move { method_not_allowed(&method, uri.path(), &allow) }
    });
    (schemas, paths, router)
}

/// The verbs of the paths, upper-case, in document order.
pub fn verbs(paths: &Paths) -> Vec<String> {
    paths
        .paths
        .values()
        .flat_map(|item| {
            [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ]
        })
        .filter(|(_, on)| *on)
        .map(|(m, _)| m.to_string())
        .collect()
}

/// Seam's routes: every one needs a credential (layered on by [`super::app`]). Each path is
/// declared once here; its verbs and its document come from its handlers.
pub fn seam() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(path(routes!(devices::get)))
        .routes(path(routes!(devices::list)))
        .routes(path(routes!(devices_manage::update)))
        .routes(path(routes!(devices_manage::delete)))
        .routes(path(routes!(devices_manage::list_device_providers)))
        .routes(path(routes!(devices_manage::report_provider_metadata)))
        .routes(path(routes!(devices_unmanaged::get)))
        .routes(path(routes!(devices_unmanaged::list)))
        .routes(path(routes!(devices_unmanaged::update)))
        .routes(path(routes!(create::create_multiple)))
        .routes(path(routes!(access_codes::get)))
        .routes(path(routes!(access_codes::list)))
        .routes(path(routes!(unmanaged::create_unmanaged)))
        .routes(path(routes!(unmanaged::unmanaged_list)))
        .routes(path(routes!(create::create)))
        .routes(path(routes!(access_codes::update)))
        .routes(path(routes!(access_codes::update_multiple)))
        .routes(path(routes!(access_codes::delete)))
        .routes(path(routes!(access_codes::generate_code)))
        .routes(path(routes!(unmanaged::unmanaged_get)))
        .routes(path(routes!(unmanaged::convert_to_managed)))
        .routes(path(routes!(unmanaged::unmanaged_delete)))
        .routes(path(routes!(unmanaged::unmanaged_update)))
        .routes(path(routes!(backup::pull_backup_access_code)))
        .routes(path(routes!(constraints::report_device_constraints)))
        .routes(path(routes!(timeline::get_timeline)))
        .routes(path(routes!(action_attempts::get)))
        .routes(path(routes!(action_attempts::list)))
        .routes(path(routes!(events::get)))
        .routes(path(routes!(events::list)))
        .routes(path(routes!(locks::get)))
        .routes(path(routes!(locks::list)))
        .routes(path(routes!(locks::lock_door)))
        .routes(path(routes!(locks::unlock_door)))
        .routes(path(routes!(locks::configure_auto_lock)))
        .routes(path(routes!(connected_accounts::get)))
        .routes(path(routes!(connected_accounts::list)))
        .routes(path(routes!(connected_accounts::update)))
        .routes(path(routes!(connected_accounts::delete)))
        .routes(path(routes!(connected_accounts::sync)))
        .routes(path(routes!(workspaces::get)))
        .routes(path(routes!(workspaces::list)))
        .routes(path(routes!(workspaces::create)))
        .routes(path(routes!(workspaces::update)))
        .routes(path(routes!(workspaces::reset_sandbox)))
        .routes(path(routes!(find_anything::find_anything)))
        .routes(path(routes!(customization_profiles::create)))
        .routes(path(routes!(customization_profiles::get)))
        .routes(path(routes!(customization_profiles::list)))
        .routes(path(routes!(customization_profiles::update)))
        .routes(path(routes!(customization_profiles::upload_images)))
        .routes(path(routes!(
            client_sessions::create,
            client_sessions::create_put
        )))
        .routes(path(routes!(client_sessions::get_or_create)))
        .routes(path(routes!(client_sessions::get)))
        .routes(path(routes!(client_sessions::list)))
        .routes(path(routes!(client_sessions::delete)))
        .routes(path(routes!(client_sessions::grant_access)))
        .routes(path(routes!(client_sessions::revoke)))
        .routes(path(routes!(webhooks::create)))
        .routes(path(routes!(webhooks::get)))
        .routes(path(routes!(webhooks::list)))
        .routes(path(routes!(webhooks::update)))
        .routes(path(routes!(webhooks::delete)))
        .routes(path(routes!(simulate::keypad_code_entry)))
        .routes(path(routes!(simulate::manual_lock_via_keypad)))
        .routes(path(routes!(simulate::connect)))
        .routes(path(routes!(simulate::disconnect)))
        .routes(path(routes!(simulate::connect_to_hub)))
        .routes(path(routes!(simulate::disconnect_from_hub)))
        .routes(path(routes!(simulate::remove)))
        .routes(path(routes!(simulate::paid_subscription)))
        .routes(path(routes!(simulate::disconnect_account)))
}

/// Health, the OpenAPI document and the fake control surface: no credential needed, any
/// `Authorization` ignored.
pub fn open() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(path(routes!(meta::health)))
        .routes(path(routes!(meta::openapi_json)))
        .routes(path(routes!(fake::default_seed)))
        .routes(path(routes!(fake::get_database, fake::put_database)))
        .routes(path(routes!(fake::add_device)))
        .routes(path(routes!(fake::update_device)))
        .routes(path(routes!(fake::advance_time)))
        .routes(path(routes!(fake::reset)))
        .routes(path(routes!(sandboxes::create)))
        .routes(path(routes!(snapshots::save)))
        .routes(path(routes!(snapshots::restore)))
        .routes(path(routes!(snapshots::list)))
        .routes(path(routes!(snapshots::delete)))
        .routes(path(routes!(fake_sdk::update_action_attempt)))
        .routes(path(routes!(fake_sdk::simulate_workspace_outage)))
        .routes(path(routes!(fake_faults::create)))
        .routes(path(routes!(fake_faults::list)))
        .routes(path(routes!(fake_faults::delete)))
        .routes(path(routes!(fake_faults::clear)))
        .routes(path(routes!(fake_webhooks::deliveries)))
        .routes(path(routes!(requests::list)))
        .routes(path(routes!(requests::clear)))
        .routes(path(routes!(ui::dashboard)))
        .routes(path(routes!(simulate::reconnect_connected_account)))
        .routes(path(routes!(simulate::simulate_external_modification)))
}
