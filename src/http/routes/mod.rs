//! Every route the server answers, one module per resource, and the pagination both list
//! endpoints share.

pub mod access_codes;
pub mod action_attempts;
pub mod devices;
pub mod events;
pub mod fake;

use axum::{Router, routing::MethodFilter};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::{AppState, input::Input, verbs};
use crate::store::workspace::Page;

const GET: MethodFilter = MethodFilter::GET;
const POST: MethodFilter = MethodFilter::POST;
const PUT: MethodFilter = MethodFilter::PUT;
const PATCH: MethodFilter = MethodFilter::PATCH;
const DELETE: MethodFilter = MethodFilter::DELETE;

/// Seam's routes: every one needs a credential.
pub fn seam_routes() -> Router<AppState> {
    Router::new()
        .route("/devices/get", verbs(GET.or(POST), devices::get))
        .route("/devices/list", verbs(GET.or(POST), devices::list))
        .route(
            "/access_codes/create_multiple",
            verbs(POST.or(PUT), access_codes::create_multiple),
        )
        .route("/access_codes/get", verbs(GET.or(POST), access_codes::get))
        .route(
            "/access_codes/list",
            verbs(GET.or(POST), access_codes::list),
        )
        .route(
            "/access_codes/simulate/create_unmanaged_access_code",
            verbs(POST, access_codes::create_unmanaged),
        )
        .route(
            "/access_codes/unmanaged/list",
            verbs(GET.or(POST), access_codes::unmanaged_list),
        )
        .route("/access_codes/create", verbs(POST, access_codes::create))
        .route(
            "/access_codes/update",
            verbs(POST.or(PUT).or(PATCH), access_codes::update),
        )
        .route(
            "/access_codes/update_multiple",
            verbs(POST.or(PATCH), access_codes::update_multiple),
        )
        .route(
            "/access_codes/delete",
            verbs(POST.or(DELETE), access_codes::delete),
        )
        .route(
            "/access_codes/generate_code",
            verbs(GET.or(POST), access_codes::generate_code),
        )
        .route(
            "/access_codes/unmanaged/get",
            verbs(GET.or(POST), access_codes::unmanaged_get),
        )
        .route(
            "/access_codes/unmanaged/convert_to_managed",
            verbs(POST.or(PATCH), access_codes::convert_to_managed),
        )
        .route(
            "/access_codes/unmanaged/delete",
            verbs(POST.or(DELETE), access_codes::unmanaged_delete),
        )
        .route(
            "/action_attempts/get",
            verbs(GET.or(POST), action_attempts::get),
        )
        .route(
            "/action_attempts/list",
            verbs(GET.or(POST), action_attempts::list),
        )
        .route("/events/get", verbs(GET.or(POST), events::get))
        .route("/events/list", verbs(GET.or(POST), events::list))
}

/// Health and the fake control surface: no credential needed, any `Authorization` ignored.
pub fn open_routes() -> Router<AppState> {
    Router::new()
        .route("/health", verbs(GET.or(POST), fake::health))
        .route(
            "/_fake/default_seed",
            verbs(GET.or(POST), fake::default_seed),
        )
        .route(
            "/_fake/database",
            axum::routing::MethodRouter::new()
                .on(GET, fake::get_database)
                .on(PUT.or(POST), fake::put_database)
                .fallback(super::error::method_not_allowed),
        )
        .route("/_fake/devices", verbs(POST, fake::add_device))
        .route("/_fake/update_device", verbs(POST, fake::update_device))
        .route("/_fake/advance_time", verbs(POST, fake::advance_time))
        .route("/_fake/reset", verbs(POST, fake::reset))
}

/// Largest page a list returns.
pub const MAX_PAGE: usize = 1000;

/// Where a page starts and how long it is, from `limit` and `page_cursor`.
pub struct PageArgs {
    pub offset: usize,
    pub limit: usize,
}

/// Reads `limit` (default `default_limit`) and the opaque `page_cursor`.
pub fn page_args(input: &mut Input, default_limit: usize) -> PageArgs {
    let limit = input.opt_limit("limit", MAX_PAGE).unwrap_or(default_limit);
    let offset = match input.opt_string("page_cursor") {
        None => 0,
        Some(c) => match decode_cursor(&c) {
            Some(o) => o,
            None => {
                input.issue("page_cursor", "Invalid page_cursor");
                0
            }
        },
    };
    PageArgs { offset, limit }
}

fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

/// Seam's `pagination` object for a page; `next_page_url` repeats the request with the next
/// cursor.
pub fn pagination<T>(page: &Page<T>, input: &Input) -> Value {
    let cursor = page.next_offset.map(encode_cursor);
    let url = cursor.as_ref().map(|c| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(raw) = &input.raw_query {
            for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
                if k != "page_cursor" {
                    q.append_pair(&k, &v);
                }
            }
        }
        q.append_pair("page_cursor", c);
        let host = input.host.as_deref().unwrap_or("localhost");
        format!("http://{host}{}?{}", input.path, q.finish())
    });
    json!({
        "has_next_page": cursor.is_some(),
        "next_page_cursor": cursor,
        "next_page_url": url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("not-a-cursor"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("offset:x")), None);
    }
}
