//! `/events/list` and `/events/get`: what happened to access codes, oldest first.

use axum::{extract::State, response::Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::command::{self, EventFilter};
use crate::domain::event::Event;
use crate::domain::event::EventType;
use crate::error::{Error, Result};
use crate::http::openapi::{ErrorResponse, OkTrue};
use crate::http::{AppState, input::Input, ok_fields};
use crate::store::Caller;

use super::{MAX_PAGE, PAYLOAD_TOO_LARGE};

/// `{"event": …, "message": "", "ok": true}`.
#[derive(ToSchema)]
pub struct EventResponse {
    pub event: Event,
    /// Always empty.
    pub message: String,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// `{"events": […], "ok": true}`.
#[derive(ToSchema)]
pub struct EventsResponse {
    pub events: Vec<Event>,
    #[schema(inline)]
    pub ok: OkTrue,
}

/// Merges a singular filter into its plural list.
fn one_or_many(input: &mut Input, one: &str, many: &str) -> Option<Vec<String>> {
    let mut list = input.opt_string_array(many);
    if let Some(v) = input.opt_string(one) {
        list.get_or_insert_with(Vec::new).push(v);
    }
    list
}

/// The fields `/events/list` reads: filters (all must match) and `limit`.
#[derive(ToSchema)]
pub struct ListEventsRequest {
    /// Only events of this access code (joins `access_code_ids`).
    pub access_code_id: Option<String>,
    pub access_code_ids: Option<Vec<String>>,
    /// Only events of this device (joins `device_ids`).
    pub device_id: Option<String>,
    pub device_ids: Option<Vec<String>>,
    /// Only events of this type (joins `event_types`).
    pub event_type: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// Only events that occurred at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only events that occurred in this window: `[from, until]`.
    #[schema(min_items = 2, max_items = 2)]
    pub between: Option<Vec<DateTime<Utc>>>,
    #[schema(schema_with = super::limit_schema)]
    pub limit: Option<u64>,
}

/// The workspace's events, oldest first.
#[utoipa::path(
    method(get, post),
    path = "/events/list",
    tag = "events",
    request_body = ListEventsRequest,
    responses(
        (status = 200, description = "The matching events.", body = EventsResponse),
        (status = 400, description = bad_request!(""), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let access_code_ids = one_or_many(&mut input, "access_code_id", "access_code_ids");
    let device_ids = one_or_many(&mut input, "device_id", "device_ids");
    let event_types = one_or_many(&mut input, "event_type", "event_types");
    let since = input.opt_timestamp("since");
    let between = input.opt_string_array("between");
    let limit = input.opt_limit("limit", MAX_PAGE).unwrap_or(500);
    let (from, until) = match between.as_deref() {
        None => (None, None),
        Some([a, b]) => {
            let (a, b) = (
                crate::domain::timestamp::parse(a),
                crate::domain::timestamp::parse(b),
            );
            if a.is_none() || b.is_none() {
                input.issue("between", "Invalid datetime");
            }
            (a, b)
        }
        Some(_) => {
            input.issue("between", "Array must contain exactly 2 element(s)");
            (None, None)
        }
    };
    input.finish()?;
    let filter = EventFilter {
        access_code_ids: command::filter_ids(access_code_ids),
        device_ids: command::filter_ids(device_ids),
        event_types: event_types.map(|l| l.iter().filter_map(|t| EventType::parse(t)).collect()),
        since: since.max(from),
        until,
    };
    let events = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.events_matching(&filter, limit)
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    })?;
    let mut m = Map::new();
    m.insert("events".into(), json!(events));
    Ok(ok_fields(m))
}

/// The fields `/events/get` reads: `event_id`, or `device_id` and/or `event_type`.
#[derive(ToSchema)]
pub struct GetEventRequest {
    pub event_id: Option<Uuid>,
    /// The latest event of this device, when `event_id` is absent.
    pub device_id: Option<String>,
    /// The latest event of this type, when `event_id` is absent.
    pub event_type: Option<String>,
}

/// One event: by `event_id`, or the latest of a `device_id` and/or `event_type`.
#[utoipa::path(
    method(get, post),
    path = "/events/get",
    tag = "events",
    request_body = GetEventRequest,
    responses(
        (status = 200, description = "The event.", body = EventResponse),
        (status = 400, description = bad_request!("Also when none of `event_id`, `device_id`, `event_type` is given."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`event_not_found`.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let event_id = input.opt_string("event_id");
    let device_id = input.opt_string("device_id");
    let event_type = input.opt_string("event_type");
    if event_id.is_none() && device_id.is_none() && event_type.is_none() {
        input.issue("event_id", "Required");
    }
    input.finish()?;
    let event = app
        .store
        .with_workspace(caller.workspace_id, |ws| match &event_id {
            Some(id) => ws
                .event(command::id_or(id, || Error::EventNotFound)?)
                .cloned(),
            None => {
                let f = EventFilter {
                    device_ids: command::filter_ids(device_id.clone().map(|d| vec![d])),
                    event_types: event_type
                        .as_deref()
                        .map(|t| EventType::parse(t).into_iter().collect()),
                    ..EventFilter::default()
                };
                ws.events_matching(&f, usize::MAX)
                    .last()
                    .map(|e| (*e).clone())
                    .ok_or(Error::EventNotFound)
            }
        })??;
    let mut m = Map::new();
    m.insert("event".into(), json!(event));
    m.insert("message".into(), json!(""));
    Ok(ok_fields(m))
}
