//! `/events/list` and `/events/get`: what happened to access codes, oldest first.

use axum::extract::State;
use chrono::{DateTime, Utc};

use crate::domain::command::EventFilter;
use crate::domain::event::Event;
use crate::domain::event::EventType;
use crate::error::{Error, Issue, Result};
use crate::http::{
    pagination::{Limit, limit_schema},
    params::{LookupId, Params, one_or_many},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

crate::response! {
    /// `{"event": …, "message": "", "ok": true}`.
    pub struct EventResponse {
        pub event: Event,
        /// Always empty.
        pub message: &'static str,
    }
}

crate::response! {
    /// `{"events": […], "ok": true}`.
    pub struct EventsResponse {
        pub events: Vec<Event>,
    }
}

/// Event types as the filter compares them: an unknown one matches nothing.
fn types(list: Option<Vec<String>>) -> Option<Vec<EventType>> {
    list.map(|l| l.iter().filter_map(|t| EventType::parse(t)).collect())
}

/// Ids as the filter compares them: a malformed one matches nothing.
fn ids(list: Option<Vec<LookupId>>) -> Option<Vec<uuid::Uuid>> {
    list.map(|l| LookupId::valid(&l))
}

crate::request! {
    /// The fields `/events/list` reads: filters (all must match) and `limit`.
    pub struct ListEventsRequest {
        /// Only events of this access code (joins `access_code_ids`).
        #[schema(value_type = Option<String>)]
        pub access_code_id: Option<LookupId>,
        #[schema(value_type = Option<Vec<String>>)]
        pub access_code_ids: Option<Vec<LookupId>>,
        /// Only events of this device (joins `device_ids`).
        #[schema(value_type = Option<String>)]
        pub device_id: Option<LookupId>,
        #[schema(value_type = Option<Vec<String>>)]
        pub device_ids: Option<Vec<LookupId>>,
        /// Only events of this type (joins `event_types`).
        pub event_type: Option<String>,
        pub event_types: Option<Vec<String>>,
        /// Only events that occurred at or after this time.
        pub since: Option<DateTime<Utc>>,
        /// Only events that occurred in this window: `[from, until]`.
        #[schema(min_items = 2, max_items = 2)]
        pub between: Option<Vec<DateTime<Utc>>>,
        #[schema(schema_with = limit_schema)]
        pub limit: Option<Limit>,
    }
    check(req, issues) {
        if req.between.as_ref().is_some_and(|b| b.len() != 2) {
            issues.push(Issue::new(
                vec!["between".into()],
                "Array must contain exactly 2 element(s)",
            ));
        }
    }
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
    Params(req): Params<ListEventsRequest>,
) -> Result<EventsResponse> {
    let (from, until) = match req.between.as_deref() {
        Some([a, b]) => (Some(*a), Some(*b)),
        _ => (None, None),
    };
    let filter = EventFilter {
        access_code_ids: ids(one_or_many(req.access_code_ids, req.access_code_id)),
        device_ids: ids(one_or_many(req.device_ids, req.device_id)),
        event_types: types(one_or_many(req.event_types, req.event_type)),
        since: req.since.max(from),
        until,
    };
    let limit = req.limit.map_or(500, |l| l.0);
    let events = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            Ok(ws
                .events_matching(&filter, limit)
                .into_iter()
                .cloned()
                .collect())
        })
        .await?;
    Ok(EventsResponse::new(events))
}

crate::request! {
    /// The fields `/events/get` reads: `event_id`, or `device_id` and/or `event_type`.
    pub struct GetEventRequest {
        #[schema(value_type = Option<Uuid>)]
        pub event_id: Option<LookupId>,
        /// The latest event of this device, when `event_id` is absent.
        #[schema(value_type = Option<String>)]
        pub device_id: Option<LookupId>,
        /// The latest event of this type, when `event_id` is absent.
        pub event_type: Option<String>,
    }
    check(req, issues) {
        if req.event_id.is_none() && req.device_id.is_none() && req.event_type.is_none() {
            issues.push(Issue::new(vec!["event_id".into()], "Required"));
        }
    }
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
    Params(req): Params<GetEventRequest>,
) -> Result<EventResponse> {
    let event = app
        .store
        .with_workspace(caller.workspace_id, |ws| match &req.event_id {
            Some(id) => ws.event(id.or(|_| Error::EventNotFound)?).cloned(),
            None => {
                let f = EventFilter {
                    device_ids: ids(req.device_id.clone().map(|d| vec![d])),
                    event_types: types(req.event_type.clone().map(|t| vec![t])),
                    ..EventFilter::default()
                };
                ws.events_matching(&f, usize::MAX)
                    .last()
                    .map(|e| (*e).clone())
                    .ok_or(Error::EventNotFound)
            }
        })
        .await?;
    Ok(EventResponse::new(event, ""))
}
