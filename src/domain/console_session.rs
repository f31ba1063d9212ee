//! Console-session tokens: the JWTs Seam Console signs for a logged-in user. Seam's fake signs
//! them HS256 with a shared secret over `{user_id, key}`; the SDK suites sign their own the
//! same way, so the mock checks exactly that and nothing more (no expiry: the fake's tokens
//! carry none).

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
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

/// The claims of `token` when it is an HS256 JWT signed with `secret`; `None` for any other
/// token, a bad signature or missing claims.
pub fn verify(token: &str, secret: &str) -> Option<ConsoleClaims> {
    let mut validation = Validation::new(Algorithm::HS256);
    // The fake's tokens (and the suites' `jwt.sign`) carry no `exp`.
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    // An empty secret is no key at all: nothing verifies.
    let key = DecodingKey::from_secret(secret.as_bytes()).ok()?;
    decode::<ConsoleClaims>(token, &key, &validation)
        .ok()
        .map(|d| d.claims)
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
            Some(ConsoleClaims {
                user_id: "u1".into(),
                key: "k1".into()
            })
        );
        assert_eq!(verify(&t, "other"), None);
        // Another algorithm, a tampered payload, or missing claims are refused.
        assert_eq!(
            verify(&sign(claims, "secret", Algorithm::HS512), "secret"),
            None
        );
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = sign(
            serde_json::json!({"user_id": "u2", "key": "k1"}),
            "x",
            Algorithm::HS256,
        );
        parts[1] = forged.split('.').nth(1).unwrap();
        assert_eq!(verify(&parts.join("."), "secret"), None);
        let no_key = sign(
            serde_json::json!({"user_id": "u1"}),
            "secret",
            Algorithm::HS256,
        );
        assert_eq!(verify(&no_key, "secret"), None);
        assert!(!looks_like_jwt("seam_apikey1_token"));
    }
}
