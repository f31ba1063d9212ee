//! Tower layers for the middleware that decides before the handler runs and only stamps the
//! response after it ([`Decide`], served by [`DecideLayer`]): the request id
//! ([`RequestIds`]) and authentication ([`Authenticate`](super::auth::Authenticate)).
//!
//! Every layer of the stack is a `tower` service (the journal too:
//! [`Recorder`](super::journal::Recorder)), not a `from_fn` closure: `from_fn` boxes its
//! future and clones and boxes the rest of the chain on every request, a measurable share of
//! a request's CPU time (`docs/performance.md`); these decide synchronously and box nothing.

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

/// What a layer decides about a request before the inner service runs.
pub enum Decision<T> {
    /// Let the request through, and stamp its answer with `T`.
    Pass(T),
    /// Answer now; the inner service is not called.
    Answer(Response),
}

/// A layer's decision about a request: the only part each of these layers writes;
/// [`DecideLayer`] does the rest.
pub trait Decide {
    type Stamp: Stamp;
    fn decide(&self, req: &mut Request) -> Decision<Self::Stamp>;
}

/// The layer of a [`Decide`].
#[derive(Clone, Debug)]
pub struct DecideLayer<D>(pub D);

impl<D: Clone, S> Layer<S> for DecideLayer<D> {
    type Service = Decided<D, S>;

    fn layer(&self, inner: S) -> Self::Service {
        Decided {
            decide: self.0.clone(),
            inner,
        }
    }
}

/// The service of [`DecideLayer`].
#[derive(Clone, Debug)]
pub struct Decided<D, S> {
    decide: D,
    inner: S,
}

impl<D, S> Service<Request> for Decided<D, S>
where
    D: Decide,
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Finish<S::Future, D::Stamp>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        match self.decide.decide(&mut req) {
            Decision::Pass(stamp) => Finish::later(self.inner.call(req), stamp),
            Decision::Answer(res) => Finish::now(res),
        }
    }
}

/// Stamps `seam-request-id` on every response (and puts the id in the request's extensions,
/// for the log line and the journal), and answers bare OPTIONS requests with 200.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestIds;

impl Decide for RequestIds {
    type Stamp = RequestId;

    fn decide(&self, req: &mut Request) -> Decision<RequestId> {
        if req.method() == Method::OPTIONS {
            return Decision::Answer(StatusCode::OK.into_response());
        }
        let id = RequestId::new();
        req.extensions_mut().insert(id);
        Decision::Pass(id)
    }
}

impl Stamp for RequestId {
    fn stamp(self, res: &mut Response) {
        if let Ok(v) = HeaderValue::from_str(self.encode(&mut [0; 40])) {
            res.headers_mut()
                .insert(HeaderName::from_static(REQUEST_ID), v);
        }
    }
}
