//! The request-id middleware ([`request_id`]): the outermost of the stack after CORS, so every
//! response carries a `seam-request-id`. Authentication ([`super::auth::authenticate`]) and the
//! journal ([`super::journal::record`]) are `from_fn` middleware like it.

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::schema::{REQUEST_ID, RequestId};

/// Stamps `seam-request-id` on every response (and puts the id in the request's extensions,
/// for the log line and the journal), and answers bare OPTIONS requests with 200.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return StatusCode::OK.into_response();
    }
    let id = RequestId::new();
    req.extensions_mut().insert(id);
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(id.encode(&mut [0; 40])) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), v);
    }
    res
}
