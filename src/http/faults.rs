//! Fault rules at the edge (contract §14): the layer that asks the store's rule table about
//! each Seam-API request and carries out its answer — a Seam envelope or an empty outage in
//! place of the request's, a delay before or after it runs (a `tokio` sleep here, never in the
//! store or under a lock), a dropped connection before or after, a 429 with `Retry-After` —
//! and the listener whose connections a rule can cut.
//!
//! Cost: with no live rule the layer reads one atomic and calls the router (and the
//! connection one more, for the cut handle). The rest (the credential's workspace, the devices
//! a body names) is worked out only when a live rule asks for it, for requests it could match
//! by method, credential and path.
//!
//! Dropping a connection: the client must see no status line at all, so no response head may
//! reach the socket. hyper writes whatever the service returns, so the connection's socket is
//! wrapped ([`Cuttable`], accepted by [`Listener`]): once a rule cuts it, every write fails,
//! hyper gives up on the connection and closes the socket with nothing written. The handle
//! ([`Cut`]) reaches the layer in the request's extensions, put there per connection by
//! [`Connection`] only while a rule may drop connections.

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::{
    Router,
    body::{Body, HttpBody},
    extract::Request,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    serve::IncomingStream,
};
use futures_util::future::Either;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::{Layer, Service};
use uuid::Uuid;

use super::auth::{Authenticated, credential, credential_kind};
use super::error::json_response;
use super::input::parse_query;
use super::journal::journaled;
use crate::domain::fault::{RequestFacts, Respond, When};
use crate::store::{
    Scope, Store,
    faults::{Action, FaultMark, Needs},
};

/// The fault layer: wraps the router, inside the journal and the log line (which read the
/// [`FaultMark`] it leaves on the response).
#[derive(Clone)]
pub struct FaultLayer {
    pub store: Store,
    /// Bodies up to this size are read for the devices they name (the server's body limit).
    pub max_body_bytes: usize,
}

impl<S> Layer<S> for FaultLayer {
    type Service = Faulted<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Faulted {
            layer: self.clone(),
            inner,
        }
    }
}

/// The service of [`FaultLayer`].
#[derive(Clone)]
pub struct Faulted<S> {
    layer: FaultLayer,
    inner: S,
}

type Boxed<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

impl<S> Service<Request> for Faulted<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<S::Future, Boxed<S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if self.layer.store.faults().is_idle() {
            return Either::Left(self.inner.call(req));
        }
        // The ready service goes with the request; a fresh clone waits for the next.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Either::Right(Box::pin(apply(self.layer.clone(), inner, req)))
    }
}

/// Asks the rules about `req` and carries out their answer.
async fn apply<S>(layer: FaultLayer, mut inner: S, req: Request) -> Result<Response, S::Error>
where
    S: Service<Request, Response = Response>,
{
    if !journaled(req.uri().path()) {
        return inner.call(req).await;
    }
    let faults = layer.store.faults();
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let cheap = RequestFacts {
        path: &path,
        method: method.as_str(),
        credential: credential_kind(req.headers()),
        ..RequestFacts::default()
    };
    let needs = if faults.wants_extras() {
        faults.needs(&cheap)
    } else {
        Needs::default()
    };
    let workspace_id = needs
        .workspace
        .then(|| workspace_of(&layer.store, req.headers()))
        .flatten();
    let (req, device_ids) = if needs.devices {
        devices_of(&layer, workspace_id, req).await
    } else {
        (req, Vec::new())
    };
    let facts = RequestFacts {
        workspace_id,
        device_ids: &device_ids,
        ..cheap
    };
    let Some(applied) = faults.decide(&facts, Instant::now()) else {
        return inner.call(req).await;
    };
    // Answers that do not run the request name the workspace themselves, for the journal.
    let opened = workspace_id.or_else(|| workspace_of(&layer.store, req.headers()));
    let cut = req.extensions().get::<Cut>().cloned();
    let mut error_type = None;
    let mut res = match applied.action {
        Action::Respond { respond, delay_ms } => {
            sleep(delay_ms).await;
            error_type = respond.envelope.as_ref().map(|e| e.error_type.clone());
            stamped(answer(&respond), opened)
        }
        Action::RateLimited { retry_after_s } => {
            error_type = Some(Arc::from("rate_limited"));
            stamped(rate_limited(retry_after_s), opened)
        }
        Action::Delay { ms, when } => {
            if when == When::Before {
                sleep(ms).await;
            }
            let res = inner.call(req).await?;
            if when == When::After {
                sleep(ms).await;
            }
            res
        }
        Action::Drop { delay_ms, when } => {
            let res = match when {
                When::Before => stamped(StatusCode::SERVICE_UNAVAILABLE.into_response(), opened),
                When::After => inner.call(req).await?,
            };
            sleep(delay_ms).await;
            match cut {
                Some(cut) => cut.fire(),
                None => tracing::warn!(
                    fault_id = %applied.fault_id,
                    "this connection cannot be cut (the app is not served through seam_mock::run)"
                ),
            }
            res
        }
    };
    res.extensions_mut().insert(FaultMark {
        fault_id: applied.fault_id,
        error_type,
    });
    Ok(res)
}

async fn sleep(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// The workspace a request's credential opens, if any.
fn workspace_of(store: &Store, headers: &HeaderMap) -> Option<Uuid> {
    credential(headers)
        .and_then(|c| store.principal(&c))
        .ok()
        .and_then(|p| p.workspace_id())
}

fn stamped(mut res: Response, workspace_id: Option<Uuid>) -> Response {
    if let Some(workspace_id) = workspace_id {
        res.extensions_mut().insert(Authenticated { workspace_id });
    }
    res
}

/// A `respond` rule's answer: Seam's envelope, or an empty body.
fn answer(r: &Respond) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    match &r.envelope {
        None => status.into_response(),
        Some(e) => json_response(
            status,
            &json!({"error": {"type": &*e.error_type, "message": &*e.message}, "ok": false}),
        ),
    }
}

fn rate_limited(retry_after_s: u64) -> Response {
    let mut res = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({"error": {
            "type": "rate_limited",
            "message": format!("Too many requests: retry after {retry_after_s} s"),
        }, "ok": false}),
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
    res
}

/// The devices a request names: its `device_id`, its `device_ids` and the device of its
/// `access_code_id`, from the query string and the JSON body (read when within the body
/// limit, and handed on unchanged).
async fn devices_of(
    layer: &FaultLayer,
    workspace_id: Option<Uuid>,
    req: Request,
) -> (Request, Vec<Uuid>) {
    let mut fields: Vec<Map<String, Value>> =
        req.uri().query().map(parse_query).into_iter().collect();
    let (parts, body) = req.into_parts();
    let body = match body.size_hint().exact() {
        Some(n) if n > 0 && n <= layer.max_body_bytes as u64 => {
            match axum::body::to_bytes(body, layer.max_body_bytes).await {
                Ok(bytes) => {
                    if let Ok(Value::Object(m)) = serde_json::from_slice(&bytes) {
                        fields.push(m);
                    }
                    Body::from(bytes)
                }
                Err(_) => Body::empty(),
            }
        }
        _ => body,
    };
    let mut ids = Vec::new();
    let uuid = |v: &Value| v.as_str().and_then(|s| Uuid::try_parse(s).ok());
    for m in &fields {
        ids.extend(m.get("device_id").and_then(uuid));
        match m.get("device_ids") {
            Some(Value::Array(list)) => ids.extend(list.iter().filter_map(uuid)),
            Some(one) => ids.extend(uuid(one)),
            None => {}
        }
        if let (Some(code), Some(ws)) = (m.get("access_code_id").and_then(uuid), workspace_id) {
            let device = layer
                .store
                .with_workspace(ws, |w| w.code(code, &Scope::default()).map(|c| c.device_id))
                .await;
            ids.extend(device.ok());
        }
    }
    (Request::from_parts(parts, body), ids)
}

// ----- connections a rule can cut ---------------------------------------------------------

/// The handle that cuts one connection: after [`Cut::fire`], nothing more is written to it.
#[derive(Clone, Debug, Default)]
pub struct Cut(Arc<AtomicBool>);

impl Cut {
    /// Cuts the connection: the answer being written, head included, never leaves.
    pub fn fire(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn fired(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// A TCP connection whose writes fail once its [`Cut`] fired.
#[derive(Debug)]
pub struct Cuttable {
    io: TcpStream,
    cut: Cut,
}

impl Cuttable {
    /// This connection's cut handle (the SDK tests' schema proxy passes a dropped answer on
    /// with it).
    pub fn cut(&self) -> Cut {
        self.cut.clone()
    }
}

fn cut_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by a fault rule",
    )
}

impl AsyncRead for Cuttable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Cuttable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.cut.fired() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.cut.fired() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.cut.fired() {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// A TCP listener whose connections rules can cut.
pub struct Listener(pub TcpListener);

impl axum::serve::Listener for Listener {
    type Io = Cuttable;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Cuttable, SocketAddr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (
            Cuttable {
                io,
                cut: Cut::default(),
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// Makes the service of each connection [`Listener`] accepts.
#[derive(Clone)]
pub struct Connections {
    pub app: Router,
    pub store: Store,
}

impl Service<IncomingStream<'_, Listener>> for Connections {
    type Response = Connection;
    type Error = Infallible;
    type Future = Ready<Result<Connection, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'_, Listener>) -> Self::Future {
        ready(Ok(Connection {
            app: self.app.clone(),
            store: self.store.clone(),
            cut: stream.io().cut.clone(),
        }))
    }
}

/// One connection's service: the app, with the connection's [`Cut`] in each request's
/// extensions while a rule may drop connections.
#[derive(Clone)]
pub struct Connection {
    app: Router,
    store: Store,
    cut: Cut,
}

impl Service<Request> for Connection {
    type Response = Response;
    type Error = Infallible;
    type Future = <Router as Service<Request>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Service::<Request>::poll_ready(&mut self.app, cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        if self.store.faults().may_drop() {
            req.extensions_mut().insert(self.cut.clone());
        }
        self.app.call(req)
    }
}
