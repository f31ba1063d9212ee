//! Authentication at the edge: reads the credential from the headers (contract §2), asks the
//! store who it is ([`Principal`]), answers a simulated outage, and hands the principal to the
//! handler. Handlers say what they accept by what they extract: [`Caller`] (one workspace; a
//! personal access token or console session without `seam-workspace`, or a publishable key,
//! is a 401) or [`Principal`] (any valid credential). Runs before input parsing, so a request
//! without credentials is a 401 whatever else is wrong with it. Tokens are never logged.

use axum::{
    extract::{FromRequestParts, Request},
    http::{HeaderMap, HeaderName, StatusCode, header::AUTHORIZATION, request::Parts},
    response::{IntoResponse, Response},
};

use crate::domain::console_session::looks_like_jwt;
use crate::error::Error;
use crate::store::{Caller, Credential, Principal, journal::CredentialKind};

use super::layers::{Decide, Decision, Stamp};
use super::state::AppState;

// Names made once: a `&str` name is parsed and lower-cased again on every look-up.
const CLIENT_SESSION_TOKEN: HeaderName = HeaderName::from_static("client-session-token");
const SEAM_CLIENT_SESSION_TOKEN: HeaderName = HeaderName::from_static("seam-client-session-token");
const SEAM_PUBLISHABLE_KEY: HeaderName = HeaderName::from_static("seam-publishable-key");
const SEAM_WORKSPACE: HeaderName = HeaderName::from_static("seam-workspace");

fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Reads the one credential a request carries.
pub fn credential(headers: &HeaderMap) -> Result<Credential, Error> {
    let cst = header(headers, &CLIENT_SESSION_TOKEN)
        .or_else(|| header(headers, &SEAM_CLIENT_SESSION_TOKEN));
    if let Some(token) = cst {
        if !token.starts_with("seam_cst") {
            return Err(Error::InvalidClientSessionToken);
        }
        return Ok(Credential::ClientSession(token.to_string()));
    }
    let Some(auth) = header(headers, &AUTHORIZATION) else {
        if let Some(pk) = header(headers, &SEAM_PUBLISHABLE_KEY) {
            return Ok(Credential::PublishableKey(pk.to_string()));
        }
        return Err(Error::Unauthorized(
            "Unauthorized: send your API key as Authorization: Bearer <key>".into(),
        ));
    };
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
    let workspace = header(headers, &SEAM_WORKSPACE).map(str::to_string);
    if token.starts_with("seam_cst") {
        Ok(Credential::ClientSession(token.to_string()))
    } else if token.starts_with("seam_at") {
        Ok(Credential::PersonalAccessToken {
            token: token.to_string(),
            workspace_id: workspace,
        })
    } else if looks_like_jwt(token) {
        Ok(Credential::ConsoleSession {
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

/// The kind of credential the headers present, accepted or not (for the journal: never the
/// token). A Bearer JWT is a console session; an unrecognised token is no kind.
pub fn credential_kind(headers: &HeaderMap) -> Option<CredentialKind> {
    if header(headers, &CLIENT_SESSION_TOKEN)
        .or_else(|| header(headers, &SEAM_CLIENT_SESSION_TOKEN))
        .is_some()
    {
        return Some(CredentialKind::ClientSession);
    }
    let token = header(headers, &AUTHORIZATION).and_then(|a| {
        a.get(..7)
            .filter(|p| p.eq_ignore_ascii_case("bearer "))
            .map(|_| a[7..].trim())
    });
    match token {
        Some(t) if t.starts_with("seam_cst") => Some(CredentialKind::ClientSession),
        Some(t) if t.starts_with("seam_at") => Some(CredentialKind::PersonalAccessToken),
        Some(t) if t.starts_with("seam_pk") => Some(CredentialKind::PublishableKey),
        Some(t) if t.starts_with("seam_") => Some(CredentialKind::ApiKey),
        Some(t) if t.starts_with("ey") && t.split('.').count() == 3 => {
            Some(CredentialKind::ConsoleSession)
        }
        _ => header(headers, &SEAM_PUBLISHABLE_KEY).map(|_| CredentialKind::PublishableKey),
    }
}

/// The workspace a request was authenticated into, in its response's extensions, so the layers
/// outside the router (the log line, the journal) can name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub workspace_id: uuid::Uuid,
}

/// The layer on every Seam route: resolves the principal or answers 401/400; a route under a
/// simulated outage for the caller's workspace answers 503 with an empty body, as Seam's fake.
/// The decision is synchronous, so it is a [`Decide`] (no boxed future).
#[derive(Clone)]
pub struct Authenticate {
    app: AppState,
}

impl Authenticate {
    pub fn new(app: AppState) -> Self {
        Authenticate { app }
    }
}

/// Names the workspace on the response, when the credential opened one.
pub struct Opened(Option<uuid::Uuid>);

impl Stamp for Opened {
    fn stamp(self, res: &mut Response) {
        if let Some(workspace_id) = self.0 {
            res.extensions_mut().insert(Authenticated { workspace_id });
        }
    }
}

impl Decide for Authenticate {
    type Stamp = Opened;

    fn decide(&self, req: &mut Request) -> Decision<Opened> {
        let store = &self.app.store;
        let principal = match credential(req.headers()).and_then(|c| store.principal(&c)) {
            Ok(p) => p,
            Err(e) => return Decision::Answer(e.into_response()),
        };
        let workspace_id = principal.workspace_id();
        if let Some(ws) = workspace_id
            && store.in_outage(ws, req.uri().path())
        {
            let mut res = StatusCode::SERVICE_UNAVAILABLE.into_response();
            res.extensions_mut()
                .insert(Authenticated { workspace_id: ws });
            return Decision::Answer(res);
        }
        req.extensions_mut().insert(principal);
        Decision::Pass(Opened(workspace_id))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| Error::Unauthorized("Unauthorized".into()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        Principal::from_request_parts(parts, s).await?.into_caller()
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
        assert_eq!(
            credential(&h(&[
                ("authorization", "Bearer eyJa.eyJb.sig"),
                ("seam-workspace", "w")
            ]))
            .unwrap(),
            Credential::ConsoleSession {
                token: "eyJa.eyJb.sig".into(),
                workspace_id: Some("w".into())
            }
        );
        assert!(matches!(
            credential(&h(&[("authorization", "Bearer ey")])),
            Err(Error::Unauthorized(_))
        ));
        assert_eq!(
            credential(&h(&[("seam-publishable-key", "seam_pk1")])).unwrap(),
            Credential::PublishableKey("seam_pk1".into())
        );
        // A bearer token wins over a publishable key.
        assert_eq!(
            credential(&h(&[
                ("authorization", "Bearer seam_k"),
                ("seam-publishable-key", "seam_pk1")
            ]))
            .unwrap(),
            Credential::ApiKey("seam_k".into())
        );
    }

    #[test]
    fn names_the_kind_of_credential_presented() {
        let kind = |pairs: &[(&'static str, &str)]| credential_kind(&h(pairs));
        assert_eq!(
            kind(&[("authorization", "Bearer seam_k")]),
            Some(CredentialKind::ApiKey)
        );
        assert_eq!(
            kind(&[("client-session-token", "nope")]),
            Some(CredentialKind::ClientSession)
        );
        assert_eq!(
            kind(&[("authorization", "bearer seam_cst1")]),
            Some(CredentialKind::ClientSession)
        );
        assert_eq!(
            kind(&[("authorization", "Bearer seam_at1")]),
            Some(CredentialKind::PersonalAccessToken)
        );
        assert_eq!(
            kind(&[("authorization", "Bearer seam_pk1")]),
            Some(CredentialKind::PublishableKey)
        );
        assert_eq!(
            kind(&[("authorization", "Bearer eyJa.eyJb.sig")]),
            Some(CredentialKind::ConsoleSession)
        );
        assert_eq!(kind(&[("authorization", "Bearer other")]), None);
        assert_eq!(kind(&[]), None);
    }
}
