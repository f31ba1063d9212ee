//! The HTTP edge: router assembly and the middleware every response passes through
//! (CORS, request id, tracing, panic catching, body limit). Routes live one file per resource
//! under [`routes`]; they parse input into domain types, call the store, and render. The
//! OpenAPI document of all of it is assembled in [`openapi`].

pub mod auth;
pub mod error;
pub mod healthcheck;
pub mod input;
pub mod openapi;
pub mod routes;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderName, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer},
    trace::TraceLayer,
};

use crate::store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

/// The header SDKs read the request id from.
pub const REQUEST_ID: &str = "seam-request-id";

/// `{"<key>": value, "ok": true}` with status 200.
pub fn ok<T: Serialize>(key: &str, value: T) -> Response {
    let mut m = Map::new();
    m.insert(
        key.to_string(),
        serde_json::to_value(value).unwrap_or(Value::Null),
    );
    ok_fields(m)
}

/// `{...fields, "ok": true}` with status 200.
pub fn ok_fields(mut fields: Map<String, Value>) -> Response {
    fields.insert("ok".into(), Value::Bool(true));
    error::json_response(StatusCode::OK, &Value::Object(fields))
}

/// `{"ok": true}`.
pub fn ok_empty() -> Response {
    error::json_response(StatusCode::OK, &json!({ "ok": true }))
}

/// Stamps `seam-request-id` on every response and answers bare OPTIONS requests.
async fn request_id(req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return StatusCode::OK.into_response();
    }
    let mut res = next.run(req).await;
    let id = format!("request_{}", uuid::Uuid::new_v4().simple());
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), v);
    }
    res
}

fn cors() -> CorsLayer {
    let headers = [
        "authorization",
        "content-type",
        "seam-workspace",
        "client-session-token",
        "seam-client-session-token",
        "seam-publishable-key",
        "seam-sdk-name",
        "seam-sdk-version",
        "seam-lts-version",
        "user-agent",
    ]
    .map(HeaderName::from_static);
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .allow_methods(AllowMethods::list([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ]))
        .allow_headers(AllowHeaders::list(headers))
        .expose_headers([HeaderName::from_static(REQUEST_ID)])
}

/// The whole application.
pub fn app(store: Store, max_body_bytes: usize) -> Router {
    let state = AppState { store };
    let seam = routes::seam_routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::authenticate,
    ));
    Router::new()
        .merge(seam)
        .merge(routes::open_routes())
        .fallback(error::route_not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(request_id))
        .layer(cors())
}
