//! `/webhooks/*` (contract §11): the endpoints a workspace registers to receive its events,
//! each with the `whsec_` secret its deliveries are signed with. Delivery itself runs off the
//! request path (`crate::webhooks`).

use axum::extract::State;

use crate::domain::webhook::Webhook;
use crate::error::{Error, Result};
use crate::http::{
    input::Input,
    params::{LookupId, Params},
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

crate::response! {
    /// `{"webhook": …, "ok": true}`.
    pub struct WebhookResponse {
        pub webhook: Webhook,
    }
}

crate::response! {
    /// `{"webhooks": […], "ok": true}`.
    pub struct WebhooksResponse {
        pub webhooks: Vec<Webhook>,
    }
}

crate::request! {
    /// The fields `/webhooks/create` reads.
    #[schema(example = json!({"url": "http://127.0.0.1:9000/seam", "event_types": ["access_code.set_on_device"]}))]
    pub struct CreateWebhookRequest {
        /// Where to POST events: an absolute `http` or `https` URL.
        #[schema(example = "http://127.0.0.1:9000/seam")]
        pub url: String,
        /// Only these event types; absent or empty: every event.
        pub event_types: Option<Vec<String>>,
    }
}

/// Registers a URL to receive the workspace's events, signed with the returned `secret`.
#[utoipa::path(
    post,
    path = "/webhooks/create",
    tag = "webhooks",
    request_body = CreateWebhookRequest,
    responses(
        (status = 200, description = "The new webhook, with its secret.", body = WebhookResponse),
        (status = 400, description = bad_request!("`invalid_input` also when `url` is not an absolute http(s) URL."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<CreateWebhookRequest>,
) -> Result<WebhookResponse> {
    let (webhook, wake) = app.store.create_webhook(
        caller.workspace_id,
        r.url,
        r.event_types.unwrap_or_default(),
    )?;
    crate::webhooks::start(&app.store, webhook.webhook_id, wake);
    Ok(WebhookResponse::new(webhook))
}

crate::request! {
    /// The fields `/webhooks/get` and `/webhooks/delete` read.
    pub struct WebhookIdRequest {
        #[schema(value_type = Uuid)]
        pub webhook_id: LookupId,
    }
}

/// One webhook of the workspace.
#[utoipa::path(
    method(get, post),
    path = "/webhooks/get",
    tag = "webhooks",
    request_body = WebhookIdRequest,
    responses(
        (status = 200, description = "The webhook.", body = WebhookResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`webhook_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<WebhookIdRequest>,
) -> Result<WebhookResponse> {
    let id = r.webhook_id.or(|_| Error::WebhookNotFound)?;
    let webhook = app.store.webhooks().get(caller.workspace_id, id)?;
    Ok(WebhookResponse::new(webhook))
}

/// The workspace's webhooks, oldest first.
#[utoipa::path(
    method(get, post),
    path = "/webhooks/list",
    tag = "webhooks",
    responses(
        (status = 200, description = "The webhooks.", body = WebhooksResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    // Read for its checks (a body must be a JSON object); there are no fields.
    _input: Input,
) -> WebhooksResponse {
    WebhooksResponse::new(app.store.webhooks().list(caller.workspace_id))
}

crate::request! {
    /// The fields `/webhooks/update` reads.
    pub struct UpdateWebhookRequest {
        #[schema(value_type = Uuid)]
        pub webhook_id: LookupId,
        /// The event types to deliver from now on; empty: every event.
        pub event_types: Vec<String>,
    }
}

/// Changes which events a webhook receives; messages already queued still go out.
#[utoipa::path(
    method(post, put, patch),
    path = "/webhooks/update",
    tag = "webhooks",
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "Updated.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`webhook_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<UpdateWebhookRequest>,
) -> Result<OkResponse> {
    let id = r.webhook_id.or(|_| Error::WebhookNotFound)?;
    app.store
        .webhooks()
        .update(caller.workspace_id, id, r.event_types)?;
    Ok(OkResponse::new())
}

/// Removes a webhook: nothing more is sent to it, and its pending messages are failed.
#[utoipa::path(
    method(post, delete),
    path = "/webhooks/delete",
    tag = "webhooks",
    request_body = WebhookIdRequest,
    responses(
        (status = 200, description = "Deleted.", body = OkResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`webhook_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<WebhookIdRequest>,
) -> Result<OkResponse> {
    let id = r.webhook_id.or(|_| Error::WebhookNotFound)?;
    app.store.webhooks().delete(caller.workspace_id, id)?;
    Ok(OkResponse::new())
}
