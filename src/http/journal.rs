//! What the edge remembers and says about each request: the journal entry of every Seam-API
//! request ([`record`], kept by the store's [`Journal`](crate::store::journal::Journal)) and
//! the one INFO log line of every request ([`RequestSpan`] and [`LogLine`], plugged into
//! tower-http's trace layer). Neither ever sees a token: the journal keeps the credential's
//! kind, the log names the workspace.

use std::borrow::Cow;
use std::convert::Infallible;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{self, Response},
};
use futures_util::future::{BoxFuture, Either};
use futures_util::{StreamExt, stream};
use tower::{Layer, Service};
use tower_http::trace::{MakeSpan, OnResponse};
use tracing::Span;

use super::auth::{Authenticated, credential_kind};
use super::error::ErrorType;
use super::input::parse_query;
use super::schema::RequestId;
use crate::store::{
    Store,
    faults::FaultMark,
    journal::{JournalEntry, RequestBody, method_name},
};

/// Whether a path is a Seam-API request the journal records: everything but the fake
/// control surface, health and the document.
pub fn journaled(path: &str) -> bool {
    !(path.starts_with("/_fake/") || path == "/health" || path == "/openapi.json")
}

/// The journal's layer: where to record, and how much body to buffer.
#[derive(Clone)]
pub struct Recorder {
    pub store: Store,
    /// The server's body limit: a larger body is passed on unread past it, for the handler's
    /// own 413, and recorded as `null`.
    pub max_body_bytes: usize,
}

/// Reads the body up to `limit` bytes. Returns a body that replays what was read followed by
/// the rest, and the bytes when the whole body fit.
async fn buffer(body: Body, limit: usize) -> (Body, Option<Bytes>) {
    // A body of known length within the limit (nearly every request) is read in one go.
    if let Some(len) = axum::body::HttpBody::size_hint(&body).exact()
        && len <= limit as u64
    {
        return match axum::body::to_bytes(body, limit).await {
            Ok(bytes) => (Body::from(bytes.clone()), Some(bytes)),
            Err(e) => (Body::from_stream(stream::iter([Err::<Bytes, _>(e)])), None),
        };
    }
    let mut rest = body.into_data_stream();
    // The chunks as they came (a small body is one chunk, kept without a copy).
    let mut read: Vec<Bytes> = Vec::new();
    let mut len = 0;
    while let Some(chunk) = rest.next().await {
        match chunk {
            Ok(c) => {
                len += c.len();
                read.push(c);
                if len > limit {
                    let head = stream::iter(read.into_iter().map(Ok::<_, axum::Error>));
                    return (Body::from_stream(head.chain(rest)), None);
                }
            }
            Err(e) => {
                let head = stream::iter(read.into_iter().map(Ok).chain([Err(e)]));
                return (Body::from_stream(head), None);
            }
        }
    }
    let bytes = match read.len() {
        0 => Bytes::new(),
        1 => read.pop().unwrap_or_default(),
        _ => Bytes::from(read.concat()),
    };
    (Body::from(bytes.clone()), Some(bytes))
}

impl<S> Layer<S> for Recorder {
    type Service = Recording<S>;

    fn layer(&self, inner: S) -> Recording<S> {
        Recording {
            rec: self.clone(),
            inner,
        }
    }
}

/// The service of [`Recorder`]: passes other requests straight through; a journaled one is
/// async work (its body is read first), so only its future is boxed.
#[derive(Clone)]
pub struct Recording<S> {
    rec: Recorder,
    inner: S,
}

impl<S> Service<Request> for Recording<S>
where
    S: Service<Request, Response = Response<Body>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Either<S::Future, BoxFuture<'static, Result<Response<Body>, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if !journaled(req.uri().path()) || self.rec.store.journal().capacity() == 0 {
            return Either::Left(self.inner.call(req));
        }
        // The service made ready goes with the request; its clone waits for the next one.
        let clone = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, clone);
        Either::Right(Box::pin(record(self.rec.clone(), req, ready)))
    }
}

/// Records a journaled request with its answer.
async fn record<S>(rec: Recorder, req: Request, mut inner: S) -> Result<Response<Body>, Infallible>
where
    S: Service<Request, Response = Response<Body>, Error = Infallible>,
{
    let started = Instant::now();
    let received_at = rec.store.now();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .copied()
        .unwrap_or_default();
    let method = method_name(req.method().as_str());
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(parse_query).unwrap_or_default();
    let credential = credential_kind(req.headers());
    let (parts, body) = req.into_parts();
    let (body, bytes) = buffer(body, rec.max_body_bytes).await;
    let res = inner.call(Request::from_parts(parts, body)).await?;
    let body_bytes = bytes.as_ref().map_or(0, Bytes::len);
    let fault = res.extensions().get::<FaultMark>();
    // A copy: the bytes read may share hyper's read buffer, which the journal must not pin.
    let body = bytes
        .filter(|b| !b.is_empty())
        .map(|b| RequestBody(Bytes::copy_from_slice(&b)));
    rec.store.journal().record(
        JournalEntry {
            request_id,
            received_at,
            method,
            path,
            query,
            body,
            status: res.status().as_u16(),
            error_type: res
                .extensions()
                .get::<ErrorType>()
                .map(|e| Cow::Borrowed(e.0))
                .or_else(|| {
                    let t = fault.and_then(|f| f.error_type.as_deref())?;
                    Some(Cow::Owned(t.to_string()))
                }),
            duration_ms: millis(started.elapsed()),
            workspace_id: res
                .extensions()
                .get::<Authenticated>()
                .map(|a| a.workspace_id),
            credential,
            fault_id: fault.map(|f| f.fault_id),
        },
        body_bytes,
    );
    Ok(res)
}

/// A duration in milliseconds, to the microsecond.
fn millis(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

/// The span of one request: its method, path and request id, which every line logged while
/// serving it carries (headers, and so tokens, are left out).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &http::Request<B>) -> Span {
        let id = req
            .extensions()
            .get::<RequestId>()
            .copied()
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %req.method(),
            path = %req.uri().path(),
            request_id = %id,
        )
    }
}

/// The one INFO line per request, when its response is ready: status, latency and the
/// workspace (`-` when unauthenticated), inside the [`RequestSpan`]; and the fault rule that
/// shaped the answer, when one did.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogLine;

impl<B> OnResponse<B> for LogLine {
    fn on_response(self, res: &Response<B>, latency: Duration, _: &Span) {
        // The fields are worked out only when INFO is on (the macro checks first).
        let workspace = || {
            res.extensions()
                .get::<Authenticated>()
                .map_or_else(|| "-".to_string(), |a| a.workspace_id.to_string())
        };
        match res.extensions().get::<FaultMark>() {
            None => tracing::info!(
                status = res.status().as_u16(),
                latency_ms = millis(latency),
                workspace_id = %workspace(),
                "served"
            ),
            Some(f) => tracing::info!(
                status = res.status().as_u16(),
                latency_ms = millis(latency),
                workspace_id = %workspace(),
                fault_id = %f.fault_id,
                "served by a fault rule"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fake_surface_is_not_journaled() {
        assert!(journaled("/access_codes/create_multiple"));
        assert!(journaled("/no/such/route"));
        assert!(!journaled("/_fake/requests"));
        assert!(!journaled("/health"));
        assert!(!journaled("/openapi.json"));
    }

    #[tokio::test]
    async fn buffering_replays_the_body_whole_or_past_the_limit() {
        let (body, bytes) = buffer(Body::from("{\"a\":1}"), 100).await;
        assert_eq!(bytes.as_deref(), Some(&b"{\"a\":1}"[..]));
        let replay = axum::body::to_bytes(body, 1000).await.unwrap();
        assert_eq!(&replay[..], b"{\"a\":1}");
        let (body, bytes) = buffer(Body::from(vec![b'x'; 50]), 10).await;
        assert!(bytes.is_none());
        let replay = axum::body::to_bytes(body, 1000).await.unwrap();
        assert_eq!(replay.len(), 50);
    }
}
