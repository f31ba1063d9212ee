//! `/access_codes/get_timeline`: what happened to one access code, oldest first, in the
//! timeline shape of Seam's reference spec, paged with `has_more` / `next_cursor`.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::command::TimelineQuery;
use crate::domain::timeline::TimelineEvent;
use crate::error::{Error, Issue, Result};
use crate::http::{
    pagination::PageCursor,
    params::{LookupId, Params},
    schema::{ErrorResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::{Caller, workspace::paginate};

/// Events a page holds when `limit` is absent.
const DEFAULT_LIMIT: f64 = 50.0;
/// The most events a page holds.
const MAX_LIMIT: f64 = 200.0;

/// The timeline's `pagination`: all three keys always present.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TimelinePagination {
    pub has_more: bool,
    /// Send it as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
    /// Send it as `cursor` for the page before; `null` on the first page.
    #[schema(required = true)]
    pub prev_cursor: Option<String>,
}

crate::response! {
    /// `{"timeline_events": […], "pagination": …, "ok": true}`.
    pub struct TimelineResponse {
        pub timeline_events: Vec<TimelineEvent>,
        pub pagination: TimelinePagination,
    }
}

crate::request! {
    /// The fields `/access_codes/get_timeline` reads.
    pub struct GetTimelineRequest {
        #[schema(value_type = Uuid)]
        pub access_code_id: LookupId,
        /// Only events that occurred after this time.
        pub after: Option<DateTime<Utc>>,
        /// Only events that occurred before this time.
        pub before: Option<DateTime<Utc>>,
        /// Only events of these types.
        pub event_types: Option<Vec<String>>,
        /// From 1 to 200 (default 50).
        #[schema(minimum = 1, maximum = 200)]
        pub limit: Option<f64>,
        /// `next_cursor` or `prev_cursor` of another page.
        #[schema(value_type = Option<String>)]
        pub cursor: Option<PageCursor>,
    }
    check(req, issues) {
        if let Some(l) = req.limit
            && (l.fract() != 0.0 || !(1.0..=MAX_LIMIT).contains(&l))
        {
            issues.push(Issue::new(
                vec!["limit".into()],
                "Number must be a whole number from 1 to 200",
            ));
        }
    }
}

/// The events of one access code, oldest first.
///
/// Also the history of a code that is gone, as long as its events are.
#[utoipa::path(
    method(get, post),
    path = "/access_codes/get_timeline",
    tag = "access_codes",
    request_body = GetTimelineRequest,
    responses(
        (status = 200, description = "A page of the code's timeline.", body = TimelineResponse),
        (status = 400, description = bad_request!("Also for a `limit` outside 1–200 or a `cursor` this server did not make."), body = ErrorResponse),
        (status = 401, description = unauthorized!(""), body = ErrorResponse),
        (status = 404, description = "`access_code_not_found`: no such code (nor events of one) on a lock the caller can see.", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn get_timeline(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<GetTimelineRequest>,
) -> Result<TimelineResponse> {
    let q = TimelineQuery {
        access_code_id: r.access_code_id.or(|_| Error::AccessCodeNotFound)?,
        after: r.after,
        before: r.before,
        event_types: r.event_types,
    };
    let limit = r.limit.unwrap_or(DEFAULT_LIMIT) as usize;
    let offset = r.cursor.map_or(0, |c| c.0);
    let events = app
        .store
        .with_workspace(caller.workspace_id, |ws| {
            ws.code_timeline(&q, &caller.scope)
                .map(|all| all.into_iter().map(TimelineEvent::of).collect::<Vec<_>>())
        })
        .await?;
    let page = paginate(events.into_iter(), offset, limit);
    let pagination = TimelinePagination {
        has_more: page.next_offset.is_some(),
        next_cursor: page.next_offset.map(PageCursor::encode),
        prev_cursor: (offset > 0).then(|| PageCursor::encode(offset.saturating_sub(limit))),
    };
    Ok(TimelineResponse::new(page.items, pagination))
}
