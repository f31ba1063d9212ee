//! `/_fake/webhook_deliveries`: every webhook message and its attempts, for tests that run
//! no receiver (or want to watch retries). No credential needed, like the rest of `/_fake/*`.

use axum::extract::State;
use uuid::Uuid;

use crate::domain::webhook::{Delivery, DeliveryStatus};
use crate::error::Result;
use crate::http::{
    params::{Params, WireEnum},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::webhooks::DeliveryFilter;

impl WireEnum for DeliveryStatus {}

crate::response! {
    /// `{"webhook_deliveries": […], "ok": true}`.
    pub struct DeliveriesResponse {
        pub webhook_deliveries: Vec<Delivery>,
    }
}

crate::request! {
    /// The filters `/_fake/webhook_deliveries` reads (all must match).
    pub struct DeliveriesRequest {
        pub workspace_id: Option<Uuid>,
        pub webhook_id: Option<Uuid>,
        pub event_type: Option<String>,
        pub status: Option<DeliveryStatus>,
    }
}

/// Every webhook message still remembered, oldest first, with its attempts.
///
/// A message is `pending` until a 2xx answer (`delivered`) or until the last try of Seam's
/// retry schedule fails, its webhook is deleted, or it is dropped from a full queue
/// (`failed`, with `failure_reason`). Times are on the server clock.
#[utoipa::path(
    method(get, post),
    path = "/_fake/webhook_deliveries",
    tag = "fake",
    request_body = DeliveriesRequest,
    responses(
        (status = 200, description = "The matching messages.", body = DeliveriesResponse),
        (status = 400, description = bad_input!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn deliveries(
    State(app): State<AppState>,
    Params(r): Params<DeliveriesRequest>,
) -> Result<DeliveriesResponse> {
    let filter = DeliveryFilter {
        workspace_id: r.workspace_id,
        webhook_id: r.webhook_id,
        event_type: r.event_type,
        status: r.status,
    };
    Ok(DeliveriesResponse::new(
        app.store.webhooks().deliveries(&filter),
    ))
}
