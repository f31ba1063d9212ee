//! The judge of what the SDK tests (tests/sdk) receive: a proxy between Seam's official SDKs
//! and a running seam-mock that passes every request and answer through unchanged and checks
//! each 2xx JSON answer of a route in Seam's reference spec against that route's schema there,
//! with the same checker the API tests use (`tests/api/schema.rs`). The SDK fixtures point the
//! SDK at the proxy and, when a test ends, read `GET /_schema_proxy/breaches` and fail the test
//! if any answer broke the schema.
//!
//! An answer the server never gave (a fault rule dropped the connection) is not given here
//! either: the proxy cuts its own connection to the SDK, so the SDK meets the same network
//! error it would meet without the proxy.
//!
//! `schema_proxy PORT UPSTREAM`: listens on `127.0.0.1:PORT`, forwards to `UPSTREAM`
//! (e.g. `http://127.0.0.1:8080`).

#[path = "../tests/api/schema.rs"]
mod schema;

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::{
    Extension, Json, Router,
    body::{Body, Bytes},
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, Method, Response, StatusCode, Uri, header},
    routing::get,
    serve::IncomingStream,
};
use seam_mock::http::faults::{Cut, Listener};
use serde_json::{Value, json};
use tower::Service;

#[derive(Clone)]
struct Proxy {
    upstream: String,
    client: reqwest::Client,
    breaches: Arc<Mutex<Vec<String>>>,
}

/// Headers that belong to one hop, not to the message.
fn hop_by_hop(name: &header::HeaderName) -> bool {
    [
        header::HOST,
        header::CONNECTION,
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
    ]
    .contains(name)
}

async fn forward(
    State(p): State<Proxy>,
    Extension(cut): Extension<Cut>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let target = format!(
        "{}{}",
        p.upstream,
        uri.path_and_query().map_or("/", |pq| pq.as_str())
    );
    let mut req = p.client.request(method.clone(), &target).body(body);
    for (k, v) in headers.iter().filter(|(k, _)| !hop_by_hop(k)) {
        req = req.header(k, v);
    }
    let res = match req.send().await {
        Ok(r) => r,
        Err(e) if e.is_connect() => {
            return Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .body(Body::from(format!("schema_proxy: {target}: {e}")))
                .unwrap_or_default();
        }
        // The server took the request and closed without an answer: none leaves here either.
        Err(_) => return dropped(&cut),
    };
    let status = res.status();
    let res_headers = res.headers().clone();
    let Ok(bytes) = res.bytes().await else {
        return dropped(&cut);
    };
    if status.is_success()
        && let Ok(answer) = serde_json::from_slice::<Value>(&bytes)
        && answer.is_object()
        && let Err(breach) = schema::check(method.as_str(), uri.path(), &answer)
    {
        eprintln!("schema_proxy: {breach}");
        p.breaches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(breach);
    }
    let mut out = Response::builder().status(status.as_u16());
    for (k, v) in res_headers.iter().filter(|(k, _)| !hop_by_hop(k)) {
        out = out.header(k.as_str(), v.as_bytes());
    }
    out.body(Body::from(bytes)).unwrap_or_default()
}

/// Cuts the SDK's connection: the answer returned with it is never written.
fn dropped(cut: &Cut) -> Response<Body> {
    cut.fire();
    Response::default()
}

/// Makes each connection's service: the app, with that connection's cut handle.
#[derive(Clone)]
struct Connections(Router);

impl Service<IncomingStream<'_, Listener>> for Connections {
    type Response = Router;
    type Error = Infallible;
    type Future = Ready<Result<Router, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'_, Listener>) -> Self::Future {
        ready(Ok(self.0.clone().layer(Extension(stream.io().cut()))))
    }
}

/// Every breach seen so far: `{"breaches": ["POST /devices/list: …", …]}`.
async fn breaches(State(p): State<Proxy>) -> Json<Value> {
    let seen = p.breaches.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Json(json!({ "breaches": seen }))
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(upstream)) = (args.next(), args.next()) else {
        eprintln!("usage: schema_proxy PORT UPSTREAM");
        std::process::exit(2);
    };
    let proxy = Proxy {
        upstream: upstream.trim_end_matches('/').to_string(),
        client: reqwest::Client::new(),
        breaches: Arc::default(),
    };
    let app = Router::new()
        .route("/_schema_proxy/breaches", get(breaches))
        .fallback(forward)
        .layer(DefaultBodyLimit::disable())
        .with_state(proxy);
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("schema_proxy: cannot listen on port {port}: {e}"));
    axum::serve(Listener(listener), Connections(app))
        .await
        .unwrap_or_else(|e| panic!("schema_proxy: {e}"));
}
