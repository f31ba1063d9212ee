//! The HTTP edge: router assembly and the middleware every response passes through
//! (CORS, request id, the log line, the request journal, panic catching, fault rules, body
//! limit).
//!
//! Routes live one file per resource under [`routes`], which declares each path once: the
//! router and the OpenAPI document both come from that list. Handlers receive their request
//! struct already parsed ([`params`]), call the store, and return their documented response
//! type ([`schema`]).

pub mod auth;
pub mod error;
pub mod faults;
pub mod healthcheck;
pub mod input;
pub mod journal;
pub mod layers;
pub mod metadata;
pub mod openapi;
pub mod pagination;
pub mod params;
pub mod routes;
pub mod schema;
pub mod state;

use std::collections::HashSet;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, Method},
    response::IntoResponse,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer},
    trace::TraceLayer,
};

pub use schema::REQUEST_ID;
pub use state::AppState;

use crate::store::Store;

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

/// The two routers (Seam's, which need a credential, and the open ones) and the document of
/// both, from the one route list.
fn parts() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    let (seam, seam_doc) = routes::seam().split_for_parts();
    let (open, open_doc) = routes::open().split_for_parts();
    let authenticated: HashSet<String> = seam_doc.paths.paths.keys().cloned().collect();
    let mut doc = openapi::base();
    doc.merge(seam_doc);
    doc.merge(open_doc);
    openapi::apply_conventions(&mut doc, &authenticated);
    (seam, open, doc)
}

/// Every path the routers answer with its verbs (upper-case), Seam's routes first; HEAD
/// (answered wherever GET is) and OPTIONS (CORS preflight) are implicit.
pub fn route_table() -> Vec<(String, Vec<String>)> {
    [routes::seam(), routes::open()]
        .into_iter()
        .flat_map(|r| {
            let doc = r.into_openapi();
            doc.paths
                .paths
                .into_iter()
                .map(|(path, item)| {
                    let mut one = utoipa::openapi::path::Paths::new();
                    one.paths.insert(path.clone(), item);
                    (path, routes::verbs(&one))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The paths that need a credential.
pub fn authenticated_paths() -> HashSet<String> {
    routes::seam()
        .into_openapi()
        .paths
        .paths
        .into_keys()
        .collect()
}

/// The OpenAPI document of every route the server answers.
pub fn document() -> utoipa::openapi::OpenApi {
    parts().2
}

/// The document as the committed `openapi/openapi.json` holds it: pretty JSON and a newline.
pub fn document_json() -> String {
    openapi::to_json(&document())
}

/// The whole application.
pub fn app(store: Store, max_body_bytes: usize) -> Router {
    let (seam, open, doc) = parts();
    let state = AppState {
        store,
        openapi_json: openapi::DocumentJson::serialize(doc),
    };
    let recorder = journal::Recorder {
        store: state.store.clone(),
        max_body_bytes,
    };
    let faults = faults::FaultLayer {
        store: state.store.clone(),
        max_body_bytes,
    };
    // A wrong verb gets the JSON 405 (axum adds `Allow`); on Seam's routes only after the
    // credential is checked, since the route layer wraps that fallback too.
    let seam = seam
        .method_not_allowed_fallback(error::method_not_allowed)
        .route_layer(layers::DecideLayer(auth::Authenticate::new(state.clone())));
    let open = open.method_not_allowed_fallback(error::method_not_allowed);
    let routes = Router::new()
        .merge(seam)
        .merge(open)
        .fallback(error::route_not_found)
        .with_state(state);
    // The stack wraps the router as a whole, not each route: under `Router::layer` every
    // request would clone its route's whole boxed chain, layer by layer; around the router a
    // clone is one `Arc`.
    let stack = ServiceBuilder::new()
        .layer(cors())
        .layer(layers::DecideLayer(layers::RequestIds))
        // The trace layer wraps the body in its own type; the layers above take axum's.
        .map_response(IntoResponse::into_response)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(journal::RequestSpan)
                .on_response(journal::LogLine)
                .on_failure(()),
        )
        .layer(recorder)
        // The panic catcher answers with its own body type; the journal takes axum's.
        .map_response(IntoResponse::into_response)
        .layer(CatchPanicLayer::custom(error::panic_response))
        // Inside the journal and the log line, which name the rule it leaves on the answer.
        .layer(faults)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .service(routes);
    Router::new().fallback_service(stack)
}
