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
pub mod ui_search;
pub mod unmanaged;
pub mod webhooks;
pub mod workspaces;

use utoipa::openapi::path::Paths;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::state::AppState;

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
        .routes(routes!(devices::get))
        .routes(routes!(devices::list))
        .routes(routes!(devices_manage::update))
        .routes(routes!(devices_manage::delete))
        .routes(routes!(devices_manage::list_device_providers))
        .routes(routes!(devices_manage::report_provider_metadata))
        .routes(routes!(devices_unmanaged::get))
        .routes(routes!(devices_unmanaged::list))
        .routes(routes!(devices_unmanaged::update))
        .routes(routes!(create::create_multiple))
        .routes(routes!(access_codes::get))
        .routes(routes!(access_codes::list))
        .routes(routes!(unmanaged::create_unmanaged))
        .routes(routes!(unmanaged::unmanaged_list))
        .routes(routes!(create::create))
        .routes(routes!(access_codes::update))
        .routes(routes!(access_codes::update_multiple))
        .routes(routes!(access_codes::delete))
        .routes(routes!(access_codes::generate_code))
        .routes(routes!(unmanaged::unmanaged_get))
        .routes(routes!(unmanaged::convert_to_managed))
        .routes(routes!(unmanaged::unmanaged_delete))
        .routes(routes!(unmanaged::unmanaged_update))
        .routes(routes!(backup::pull_backup_access_code))
        .routes(routes!(constraints::report_device_constraints))
        .routes(routes!(timeline::get_timeline))
        .routes(routes!(action_attempts::get))
        .routes(routes!(action_attempts::list))
        .routes(routes!(events::get))
        .routes(routes!(events::list))
        .routes(routes!(locks::get))
        .routes(routes!(locks::list))
        .routes(routes!(locks::lock_door))
        .routes(routes!(locks::unlock_door))
        .routes(routes!(locks::configure_auto_lock))
        .routes(routes!(connected_accounts::get))
        .routes(routes!(connected_accounts::list))
        .routes(routes!(connected_accounts::update))
        .routes(routes!(connected_accounts::delete))
        .routes(routes!(connected_accounts::sync))
        .routes(routes!(workspaces::get))
        .routes(routes!(workspaces::list))
        .routes(routes!(workspaces::create))
        .routes(routes!(workspaces::update))
        .routes(routes!(workspaces::reset_sandbox))
        .routes(routes!(find_anything::find_anything))
        .routes(routes!(customization_profiles::create))
        .routes(routes!(customization_profiles::get))
        .routes(routes!(customization_profiles::list))
        .routes(routes!(customization_profiles::update))
        .routes(routes!(customization_profiles::upload_images))
        .routes(routes!(
            client_sessions::create,
            client_sessions::create_put
        ))
        .routes(routes!(client_sessions::get_or_create))
        .routes(routes!(client_sessions::get))
        .routes(routes!(client_sessions::list))
        .routes(routes!(client_sessions::delete))
        .routes(routes!(client_sessions::grant_access))
        .routes(routes!(client_sessions::revoke))
        .routes(routes!(webhooks::create))
        .routes(routes!(webhooks::get))
        .routes(routes!(webhooks::list))
        .routes(routes!(webhooks::update))
        .routes(routes!(webhooks::delete))
        .routes(routes!(simulate::keypad_code_entry))
        .routes(routes!(simulate::manual_lock_via_keypad))
        .routes(routes!(simulate::connect))
        .routes(routes!(simulate::disconnect))
        .routes(routes!(simulate::connect_to_hub))
        .routes(routes!(simulate::disconnect_from_hub))
        .routes(routes!(simulate::remove))
        .routes(routes!(simulate::paid_subscription))
        .routes(routes!(simulate::disconnect_account))
}

/// Health, the OpenAPI document and the fake control surface: no credential needed, any
/// `Authorization` ignored.
pub fn open() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(meta::health))
        .routes(routes!(meta::openapi_json))
        .routes(routes!(fake::default_seed))
        .routes(routes!(fake::get_database, fake::put_database))
        .routes(routes!(fake::add_device))
        .routes(routes!(fake::update_device))
        .routes(routes!(fake::advance_time))
        .routes(routes!(fake::reset))
        .routes(routes!(sandboxes::create))
        .routes(routes!(snapshots::save))
        .routes(routes!(snapshots::restore))
        .routes(routes!(snapshots::list))
        .routes(routes!(snapshots::delete))
        .routes(routes!(fake_sdk::update_action_attempt))
        .routes(routes!(fake_sdk::simulate_workspace_outage))
        .routes(routes!(fake_faults::create))
        .routes(routes!(fake_faults::list))
        .routes(routes!(fake_faults::delete))
        .routes(routes!(fake_faults::clear))
        .routes(routes!(fake_webhooks::deliveries))
        .routes(routes!(requests::list))
        .routes(routes!(requests::clear))
        .routes(routes!(ui::dashboard))
        .routes(routes!(ui_search::search))
        .routes(routes!(simulate::reconnect_connected_account))
        .routes(routes!(simulate::simulate_external_modification))
}
