//! `/workspaces/customization_profiles/*`: how a workspace's customer-facing pages look —
//! made, read, listed, changed field by field — and `upload_images`, which takes a logo.

use axum::extract::State;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::customization::{CustomizationProfile, ProfileFields};
use crate::error::{Error, Result};
use crate::http::{
    params::{LookupId, Params, accepted},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

crate::response! {
    /// `{"customization_profile": …, "ok": true}`.
    pub struct CustomizationProfileResponse {
        pub customization_profile: CustomizationProfile,
    }
}

crate::response! {
    /// `{"customization_profiles": […], "ok": true}`.
    pub struct CustomizationProfileListResponse {
        pub customization_profiles: Vec<CustomizationProfile>,
    }
}

crate::request! {
    /// The fields a profile takes: those `/workspaces/customization_profiles/create` sets and
    /// `update` changes (absent or null: left as it is).
    pub struct ProfileFieldsRequest {
        pub name: Option<String>,
        pub primary_color: Option<String>,
        pub secondary_color: Option<String>,
        /// `font_family`, `mono_font_family`, `primary_color`, ... of the customer portal.
        #[schema(value_type = Option<Object>)]
        pub customer_portal_theme: Option<Map<String, Value>>,
        /// Texts that replace Seam's, by page and key.
        #[schema(value_type = Option<Object>)]
        pub message_overrides: Option<Map<String, Value>>,
    }
}

impl From<ProfileFieldsRequest> for ProfileFields {
    fn from(r: ProfileFieldsRequest) -> Self {
        ProfileFields {
            name: r.name,
            primary_color: r.primary_color,
            secondary_color: r.secondary_color,
            customer_portal_theme: r.customer_portal_theme,
            message_overrides: r.message_overrides,
        }
    }
}

/// Makes a customization profile in the caller's workspace.
#[utoipa::path(
    post,
    path = "/workspaces/customization_profiles/create",
    tag = "workspaces",
    request_body = ProfileFieldsRequest,
    responses(
        (status = 200, description = "The new profile.", body = CustomizationProfileResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<ProfileFieldsRequest>,
) -> Result<CustomizationProfileResponse> {
    let p = app
        .store
        .with_workspace(caller.workspace_id, |ws| Ok(ws.create_profile(req.into())))
        .await?;
    Ok(CustomizationProfileResponse::new(p))
}

crate::request! {
    /// The fields `/workspaces/customization_profiles/get` reads.
    pub struct GetProfileRequest {
        #[schema(value_type = Uuid)]
        pub customization_profile_id: LookupId,
    }
}

/// One customization profile of the caller's workspace.
#[utoipa::path(
    method(get, post),
    path = "/workspaces/customization_profiles/get",
    tag = "workspaces",
    request_body = GetProfileRequest,
    responses(
        (status = 200, description = "The profile.", body = CustomizationProfileResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`customization_profile_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<GetProfileRequest>,
) -> Result<CustomizationProfileResponse> {
    let p = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            let id = req
                .customization_profile_id
                .id
                .ok_or(Error::CustomizationProfileNotFound)?;
            ws.profile(id).cloned()
        })
        .await?;
    Ok(CustomizationProfileResponse::new(p))
}

crate::request! {
    /// The fields `/workspaces/customization_profiles/list` reads.
    pub struct ListProfilesRequest {
        #[schema(schema_with = accepted::<String>)]
        pub customer_key: Option<String>,
    }
}

/// The caller's workspace's customization profiles, oldest first.
#[utoipa::path(
    method(get, post),
    path = "/workspaces/customization_profiles/list",
    tag = "workspaces",
    request_body = ListProfilesRequest,
    responses(
        (status = 200, description = "The profiles.", body = CustomizationProfileListResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    Params(_req): Params<ListProfilesRequest>,
) -> Result<CustomizationProfileListResponse> {
    let all = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            Ok(ws.profiles().cloned().collect())
        })
        .await?;
    Ok(CustomizationProfileListResponse::new(all))
}

crate::request! {
    /// The fields `/workspaces/customization_profiles/update` reads: the profile, then the
    /// fields to change.
    pub struct UpdateProfileRequest {
        #[schema(value_type = Uuid)]
        pub customization_profile_id: LookupId,
        ..pub fields: ProfileFieldsRequest
    }
}

/// Changes the fields given of a customization profile.
#[utoipa::path(
    method(post, patch),
    path = "/workspaces/customization_profiles/update",
    tag = "workspaces",
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, description = "Updated.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`customization_profile_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Params(req): Params<UpdateProfileRequest>,
) -> Result<OkResponse> {
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            let id: Uuid = req
                .customization_profile_id
                .id
                .ok_or(Error::CustomizationProfileNotFound)?;
            ws.update_profile(id, req.fields.into())
        })
        .await?;
    Ok(OkResponse::new())
}

/// Takes a logo upload for the workspace's customization (any body, as Seam's spec names no
/// fields); the mock keeps no images, so nothing changes. Reads no input.
#[utoipa::path(
    post,
    path = "/workspaces/customization_profiles/upload_images",
    tag = "workspaces",
    responses(
        (status = 200, description = "Taken.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn upload_images(_caller: Caller) -> Result<OkResponse> {
    Ok(OkResponse::new())
}
