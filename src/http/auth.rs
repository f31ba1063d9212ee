//! Authentication at the edge: reads the credential from the headers (contract §2), asks the
//! store which workspace it resolves to, and hands the [`Caller`] to the handler. Runs before
//! method matching and input parsing, so a request without credentials is a 401 whatever else
//! is wrong with it. Tokens are never logged.

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::error::Error;
use crate::store::{Caller, Credential};

use super::state::AppState;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Reads the one credential a request carries.
pub fn credential(headers: &HeaderMap) -> Result<Credential, Error> {
    let cst = header(headers, "client-session-token")
        .or_else(|| header(headers, "seam-client-session-token"));
    if let Some(token) = cst {
        if !token.starts_with("seam_cst") {
            return Err(Error::InvalidClientSessionToken);
        }
        return Ok(Credential::ClientSession(token.to_string()));
    }
    let auth = header(headers, "authorization").ok_or_else(|| {
        Error::Unauthorized("Unauthorized: send your API key as Authorization: Bearer <key>".into())
    })?;
    let token = auth
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("bearer "))
        .map(|_| auth[7..].trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::Unauthorized(
                "Unauthorized: the Authorization header must be Bearer <token>".into(),
            )
        })?;
    let workspace = header(headers, "seam-workspace").map(str::to_string);
    if token.starts_with("seam_cst") {
        Ok(Credential::ClientSession(token.to_string()))
    } else if token.starts_with("seam_at") {
        Ok(Credential::PersonalAccessToken {
            token: token.to_string(),
            workspace_id: workspace,
        })
    } else if token.starts_with("seam_pk") {
        Err(Error::Unauthorized(
            "Unauthorized: a publishable key only opens client sessions".into(),
        ))
    } else if token.starts_with("seam_") {
        Ok(Credential::ApiKey(token.to_string()))
    } else {
        Err(Error::Unauthorized(
            "Unauthorized: unknown kind of token".into(),
        ))
    }
}

/// Middleware on every Seam route: resolves the caller or answers 401/400.
pub async fn authenticate(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    match credential(req.headers()).and_then(|c| app.store.authenticate(&c)) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| Error::Unauthorized("Unauthorized".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn tells_token_kinds_apart_by_prefix() {
        assert_eq!(
            credential(&h(&[("authorization", "Bearer seam_k")])).unwrap(),
            Credential::ApiKey("seam_k".into())
        );
        assert_eq!(
            credential(&h(&[("authorization", "bearer seam_cst1")])).unwrap(),
            Credential::ClientSession("seam_cst1".into())
        );
        assert_eq!(
            credential(&h(&[
                ("authorization", "Bearer seam_at1"),
                ("seam-workspace", "w")
            ]))
            .unwrap(),
            Credential::PersonalAccessToken {
                token: "seam_at1".into(),
                workspace_id: Some("w".into())
            }
        );
        assert_eq!(
            credential(&h(&[("seam-client-session-token", "seam_cst2")])).unwrap(),
            Credential::ClientSession("seam_cst2".into())
        );
        assert!(matches!(
            credential(&h(&[("client-session-token", "nope")])),
            Err(Error::InvalidClientSessionToken)
        ));
        assert!(matches!(credential(&h(&[])), Err(Error::Unauthorized(_))));
        assert!(matches!(
            credential(&h(&[("authorization", "seam_k")])),
            Err(Error::Unauthorized(_))
        ));
        assert!(matches!(
            credential(&h(&[("authorization", "Basic seam_k")])),
            Err(Error::Unauthorized(_))
        ));
        assert!(matches!(
            credential(&h(&[("authorization", "Bearer pk_x")])),
            Err(Error::Unauthorized(_))
        ));
    }
}
