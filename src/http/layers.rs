//! Tower layers for the middleware that decides before the handler runs and only stamps the
//! response after it: the request id ([`RequestIdLayer`]) and authentication
//! ([`AuthLayer`](super::auth::AuthLayer)). Written as services rather than `from_fn`
//! closures, which box the future and the rest of the chain on every request (three
//! allocations a layer; the profile in `docs/performance.md` counted them).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use super::schema::{REQUEST_ID, RequestId};

/// What a layer does to the inner service's response once it is ready.
pub trait Stamp {
    fn stamp(self, res: &mut Response);
}

pin_project! {
    /// A response known before the inner service runs, or the inner service's future with the
    /// stamp to put on its response.
    #[project = FinishProj]
    pub enum Finish<F, T> {
        Now { res: Option<Response> },
        Later { #[pin] fut: F, stamp: Option<T> },
    }
}

impl<F, T> Finish<F, T> {
    /// The answer without calling the inner service.
    pub fn now(res: Response) -> Self {
        Finish::Now { res: Some(res) }
    }

    /// The inner service's answer, stamped.
    pub fn later(fut: F, stamp: T) -> Self {
        Finish::Later {
            fut,
            stamp: Some(stamp),
        }
    }
}

impl<F, E, T> Future for Finish<F, T>
where
    F: Future<Output = Result<Response, E>>,
    T: Stamp,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            FinishProj::Now { res } => match res.take() {
                Some(res) => Poll::Ready(Ok(res)),
                None => Poll::Pending,
            },
            FinishProj::Later { fut, stamp } => match fut.poll(cx) {
                Poll::Ready(Ok(mut res)) => {
                    if let Some(s) = stamp.take() {
                        s.stamp(&mut res);
                    }
                    Poll::Ready(Ok(res))
                }
                other => other,
            },
        }
    }
}

/// Stamps `seam-request-id` on every response (and puts the id in the request's extensions,
/// for the log line and the journal), and answers bare OPTIONS requests with 200.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = WithRequestId<S>;

    fn layer(&self, inner: S) -> Self::Service {
        WithRequestId { inner }
    }
}

/// The service of [`RequestIdLayer`].
#[derive(Clone, Debug)]
pub struct WithRequestId<S> {
    inner: S,
}

impl Stamp for RequestId {
    fn stamp(self, res: &mut Response) {
        if let Ok(v) = HeaderValue::from_str(self.encode(&mut [0; 40])) {
            res.headers_mut()
                .insert(HeaderName::from_static(REQUEST_ID), v);
        }
    }
}

impl<S> Service<Request> for WithRequestId<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Finish<S::Future, RequestId>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        if req.method() == Method::OPTIONS {
            return Finish::now(StatusCode::OK.into_response());
        }
        let id = RequestId::new();
        req.extensions_mut().insert(id);
        Finish::later(self.inner.call(req), id)
    }
}
