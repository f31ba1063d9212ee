//! Console-session tokens: the JWTs Seam Console signs for a logged-in user. Seam's fake signs
//! them HS256 with a shared secret over `{user_id, key}`; the SDK suites sign their own the
//! same way and without `exp`. So a token needs no `exp`, but one that carries `exp` or `nbf`
//! is held to it by the wall clock, as any JWT consumer must (contract §13).

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, errors::ErrorKind};
use serde::Deserialize;

/// The claims of a console-session token.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ConsoleClaims {
    pub user_id: String,
    pub key: String,
}

/// Whether a bearer token looks like a JWT (a base64url JSON header starts `ey`), so the edge
/// can tell it from `seam_…` tokens before any crypto.
pub fn looks_like_jwt(token: &str) -> bool {
    token.starts_with("ey") && token.split('.').count() == 3
}

/// Why a console-session token is refused, said in the 401's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Its `exp` has passed.
    Expired,
    /// Its `nbf` has not come yet.
    NotYetValid,
    /// Not an HS256 JWT signed with the secret, or without `user_id` and `key`.
    Invalid,
}

impl Refused {
    pub fn reason(self) -> &'static str {
        match self {
            Refused::Expired => "console session token has expired",
            Refused::NotYetValid => "console session token is not valid yet",
            Refused::Invalid => "invalid console session token",
        }
    }
}

/// The claims of `token` when it is an HS256 JWT signed with `secret` and, if it carries `exp`
/// or `nbf`, the wall clock is inside them.
pub fn verify(token: &str, secret: &str) -> Result<ConsoleClaims, Refused> {
    let mut validation = Validation::new(Algorithm::HS256);
    // The fake's tokens (and the suites' `jwt.sign`) carry no `exp`: none is required, but
    // one that is there is checked, and so is `nbf`. No leeway: "expired" means expired.
    validation.required_spec_claims.clear();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.leeway = 0;
    // An empty secret is no key at all: nothing verifies.
    let key = DecodingKey::from_secret(secret.as_bytes()).map_err(|_| Refused::Invalid)?;
    decode::<ConsoleClaims>(token, &key, &validation)
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => Refused::Expired,
            ErrorKind::ImmatureSignature => Refused::NotYetValid,
            _ => Refused::Invalid,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};

    fn sign(claims: serde_json::Value, secret: &str, alg: Algorithm) -> String {
        encode(
            &Header::new(alg),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn accepts_its_secret_only() {
        let claims = serde_json::json!({"user_id": "u1", "key": "k1", "iat": 1});
        let t = sign(claims.clone(), "secret", Algorithm::HS256);
        assert!(looks_like_jwt(&t));
        assert_eq!(
            verify(&t, "secret"),
            Ok(ConsoleClaims {
                user_id: "u1".into(),
                key: "k1".into()
            })
        );
        assert_eq!(verify(&t, "other"), Err(Refused::Invalid));
        // Another algorithm, a tampered payload, or missing claims are refused.
        assert_eq!(
            verify(&sign(claims, "secret", Algorithm::HS512), "secret"),
            Err(Refused::Invalid)
        );
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = sign(
            serde_json::json!({"user_id": "u2", "key": "k1"}),
            "x",
            Algorithm::HS256,
        );
        parts[1] = forged.split('.').nth(1).unwrap();
        assert_eq!(verify(&parts.join("."), "secret"), Err(Refused::Invalid));
        let no_key = sign(
            serde_json::json!({"user_id": "u1"}),
            "secret",
            Algorithm::HS256,
        );
        assert_eq!(verify(&no_key, "secret"), Err(Refused::Invalid));
        assert!(!looks_like_jwt("seam_apikey1_token"));
    }

    #[test]
    fn exp_and_nbf_hold_when_present() {
        let now = chrono::Utc::now().timestamp();
        let with = |extra: serde_json::Value| {
            let mut c = serde_json::json!({"user_id": "u1", "key": "k1"});
            c.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            verify(&sign(c, "s", Algorithm::HS256), "s")
        };
        assert_eq!(
            with(serde_json::json!({"exp": 1000})),
            Err(Refused::Expired)
        );
        assert_eq!(
            with(serde_json::json!({"exp": now - 5})),
            Err(Refused::Expired)
        );
        assert!(with(serde_json::json!({"exp": now + 3600})).is_ok());
        assert_eq!(
            with(serde_json::json!({"nbf": now + 3600})),
            Err(Refused::NotYetValid)
        );
        assert!(with(serde_json::json!({"nbf": now - 5, "exp": now + 60})).is_ok());
    }
}
