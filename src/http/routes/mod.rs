//! Every route the server answers, one module per resource, and the pagination both list
//! endpoints share. The router is built from a recorded route table ([`RouteTable`]), which
//! the OpenAPI document is checked against.

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

/// The 413 description of every route that reads a body.
const PAYLOAD_TOO_LARGE: &str =
    "`payload_too_large`: the body is over the server's limit (`--max-body-bytes`).";

pub mod access_codes;
pub mod action_attempts;
pub mod devices;
pub mod events;
pub mod fake;

use axum::{
    Router,
    handler::Handler,
    http::{Method, Uri},
    routing::{MethodFilter, MethodRouter},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{AppState, input::Input};
use crate::store::workspace::Page;

/// The verbs one path answers and the handlers behind them.
pub struct Verbs {
    methods: Vec<Method>,
    router: MethodRouter<AppState>,
}

/// `methods` on a path, all answered by `handler`.
pub fn on<H, T>(methods: &[Method], handler: H) -> Verbs
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Verbs {
        methods: Vec::new(),
        router: MethodRouter::new(),
    }
    .and(methods, handler)
}

impl Verbs {
    /// Adds `methods`, answered by `handler`.
    pub fn and<H, T>(mut self, methods: &[Method], handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let routable: Vec<(Method, MethodFilter)> = methods
            .iter()
            .filter_map(|m| Some((m.clone(), MethodFilter::try_from(m.clone()).ok()?)))
            .collect();
        if let Some(filter) = routable.iter().map(|(_, f)| *f).reduce(MethodFilter::or) {
            self.router = self.router.on(filter, handler);
            self.methods.extend(routable.into_iter().map(|(m, _)| m));
        }
        self
    }
}

/// A router that records every path and verb it is given: the route table the OpenAPI
/// document is checked against, and the `Allow` header of each path's 405.
#[derive(Default)]
pub struct RouteTable {
    router: Router<AppState>,
    routes: Vec<(String, Vec<Method>)>,
}

impl RouteTable {
    /// Adds `path` answering `verbs`; any other verb gets a JSON 405 with an `Allow` header.
    pub fn route(mut self, path: &str, verbs: Verbs) -> Self {
        let allow = verbs
            .methods
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let fallback = move |method: Method, uri: Uri| {
            let allow = allow.clone();
            async move { super::error::method_not_allowed(&method, uri.path(), &allow) }
        };
        self.router = self.router.route(path, verbs.router.fallback(fallback));
        self.routes.push((path.to_string(), verbs.methods));
        self
    }

    /// The paths and verbs added so far, in order.
    pub fn routes(&self) -> &[(String, Vec<Method>)] {
        &self.routes
    }

    /// The router.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const PATCH: Method = Method::PATCH;
const DELETE: Method = Method::DELETE;

/// Seam's routes: every one needs a credential.
pub fn seam_table() -> RouteTable {
    RouteTable::default()
        .route("/devices/get", on(&[GET, POST], devices::get))
        .route("/devices/list", on(&[GET, POST], devices::list))
        .route(
            "/access_codes/create_multiple",
            on(&[POST, PUT], access_codes::create_multiple),
        )
        .route("/access_codes/get", on(&[GET, POST], access_codes::get))
        .route("/access_codes/list", on(&[GET, POST], access_codes::list))
        .route(
            "/access_codes/simulate/create_unmanaged_access_code",
            on(&[POST], access_codes::create_unmanaged),
        )
        .route(
            "/access_codes/unmanaged/list",
            on(&[GET, POST], access_codes::unmanaged_list),
        )
        .route("/access_codes/create", on(&[POST], access_codes::create))
        .route(
            "/access_codes/update",
            on(&[POST, PUT, PATCH], access_codes::update),
        )
        .route(
            "/access_codes/update_multiple",
            on(&[POST, PATCH], access_codes::update_multiple),
        )
        .route(
            "/access_codes/delete",
            on(&[POST, DELETE], access_codes::delete),
        )
        .route(
            "/access_codes/generate_code",
            on(&[GET, POST], access_codes::generate_code),
        )
        .route(
            "/access_codes/unmanaged/get",
            on(&[GET, POST], access_codes::unmanaged_get),
        )
        .route(
            "/access_codes/unmanaged/convert_to_managed",
            on(&[POST, PATCH], access_codes::convert_to_managed),
        )
        .route(
            "/access_codes/unmanaged/delete",
            on(&[POST, DELETE], access_codes::unmanaged_delete),
        )
        .route(
            "/action_attempts/get",
            on(&[GET, POST], action_attempts::get),
        )
        .route(
            "/action_attempts/list",
            on(&[GET, POST], action_attempts::list),
        )
        .route("/events/get", on(&[GET, POST], events::get))
        .route("/events/list", on(&[GET, POST], events::list))
}

/// Health, the OpenAPI document and the fake control surface: no credential needed, any
/// `Authorization` ignored.
pub fn open_table() -> RouteTable {
    RouteTable::default()
        .route("/health", on(&[GET, POST], fake::health))
        .route("/openapi.json", on(&[GET], super::openapi::serve))
        .route("/_fake/default_seed", on(&[GET, POST], fake::default_seed))
        .route(
            "/_fake/database",
            on(&[GET], fake::get_database).and(&[PUT, POST], fake::put_database),
        )
        .route("/_fake/devices", on(&[POST], fake::add_device))
        .route("/_fake/update_device", on(&[POST], fake::update_device))
        .route("/_fake/advance_time", on(&[POST], fake::advance_time))
        .route("/_fake/reset", on(&[POST], fake::reset))
}

/// Seam's routes as a router (authentication is layered on by [`super::app`]).
pub fn seam_routes() -> Router<AppState> {
    seam_table().into_router()
}

/// The open routes as a router.
pub fn open_routes() -> Router<AppState> {
    open_table().into_router()
}

/// Every route the server answers, as (path, verbs): Seam's routes, then the open ones.
/// `HEAD` (answered wherever `GET` is) and `OPTIONS` (CORS preflight, answered everywhere)
/// are implicit and not listed.
pub fn route_table() -> Vec<(String, Vec<Method>)> {
    let mut all = seam_table().routes().to_vec();
    all.extend_from_slice(open_table().routes());
    all
}

/// The schema of `limit`: a whole number from 1 (larger ones read as [`MAX_PAGE`]).
pub fn limit_schema() -> utoipa::openapi::schema::ObjectBuilder {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .minimum(Some(1))
        .description(Some(
            "How many to return at most (default 500; more than 1000 reads as 1000).",
        ))
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

/// Seam's `pagination` object: all three keys always present.
#[derive(Serialize, ToSchema)]
pub struct Pagination {
    /// Whether another page follows.
    pub has_next_page: bool,
    /// Send it as `page_cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_page_cursor: Option<String>,
    /// This request again with the next cursor; `null` on the last page.
    #[schema(required = true, format = "uri")]
    pub next_page_url: Option<String>,
}

/// A list response: `{"<key>": items, "pagination": ..., "ok": true}`.
pub fn ok_page<T: Serialize>(key: &str, items: T, pagination: Value) -> axum::response::Response {
    let mut m = serde_json::Map::new();
    m.insert(key.to_string(), json!(items));
    m.insert("pagination".into(), pagination);
    super::ok_fields(m)
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
    json!(Pagination {
        has_next_page: cursor.is_some(),
        next_page_cursor: cursor,
        next_page_url: url,
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
