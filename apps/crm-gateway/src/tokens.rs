//! Access tokens: HS256 JWTs signed and checked with the configured secret, and the caller
//! they name. Verified tokens are remembered until their expiry.
//!
//! Time is the caller's `now` (Unix seconds), never the system clock: `exp` and `nbf` are
//! checked here with a leeway of [`LEEWAY_SECS`], in saturating arithmetic (a token may say
//! `exp = 2^64 - 1`). Tokens issued by `POST /api/auth/login` carry the user's token
//! generation as `gen`; whether it is still the user's is for `auth.rs` to decide.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};

pub use crm_users::{EDIT, VIEW};

/// Why a token was not issued or not accepted.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's signature is not valid")]
    BadSignature,
    #[error("the token is not valid")]
    Invalid,
    /// Signing failed (a fault on our side).
    #[error("cannot sign a token: {0}")]
    Sign(String),
}

/// Signs and checks access tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: u64,
    /// Tokens already verified, with the claims' expiry: a client sends the same token on
    /// every request, and checking the signature each time costs more than the read it guards.
    verified: Mutex<HashMap<String, (Principal, u64)>>,
}

/// At most this many verified tokens are remembered; past it the cache starts over.
const VERIFIED_CAPACITY: usize = 4096;
/// Seconds a token is still accepted after its `exp`, or before its `nbf` (clock skew).
pub const LEEWAY_SECS: u64 = 30;

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl_secs", &self.ttl_secs)
            .finish()
    }
}

/// The claims of an access token. Tokens of the existing console share the secret and carry
/// `permissions` either as an array or as one space- or comma-separated string, and no `gen`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(deserialize_with = "permission_list")]
    pub permissions: Vec<String>,
    pub exp: u64,
    #[serde(default)]
    pub iat: u64,
    /// Not before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// The local user's token generation when the token was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#gen: Option<u64>,
}

fn permission_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        List(Vec<String>),
        Text(String),
    }
    Ok(match Form::deserialize(d)? {
        Form::List(list) => list,
        Form::Text(text) => text
            .split([' ', ','])
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

impl TokenKeys {
    pub fn new(secret: &SecretString, ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // `exp` and `nbf` are checked against the caller's `now` in `verify_signature`
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret.expose_secret().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose_secret().as_bytes()),
            validation,
            ttl_secs,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// Issues a token for `sub` valid from `now` (Unix seconds), without a generation (what
    /// the existing console's tokens look like).
    pub fn issue(&self, sub: &str, permissions: &[String], now: u64) -> Result<String, TokenError> {
        self.issue_with_generation(sub, permissions, None, now)
    }

    /// Issues a token for the local user `sub` in token generation `generation`.
    pub fn issue_with_generation(
        &self,
        sub: &str,
        permissions: &[String],
        generation: Option<u64>,
        now: u64,
    ) -> Result<String, TokenError> {
        let claims = Claims {
            sub: sub.to_owned(),
            permissions: permissions.to_vec(),
            iat: now,
            exp: now.saturating_add(self.ttl_secs),
            nbf: None,
            r#gen: generation,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| TokenError::Sign(e.to_string()))
    }

    /// Checks `token` at `now` (Unix seconds): signature, algorithm, expiry and not-before.
    pub fn verify(&self, token: &str, now: u64) -> Result<Principal, TokenError> {
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((principal, exp)) = verified.get(token) {
            if now <= exp.saturating_add(LEEWAY_SECS) {
                return Ok(principal.clone());
            }
            verified.remove(token);
            return Err(TokenError::Expired);
        }
        drop(verified);
        let (principal, exp) = self.verify_signature(token, now)?;
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        if verified.len() >= VERIFIED_CAPACITY {
            verified.clear();
        }
        verified.insert(token.to_owned(), (principal.clone(), exp));
        Ok(principal)
    }

    fn verify_signature(&self, token: &str, now: u64) -> Result<(Principal, u64), TokenError> {
        use jsonwebtoken::errors::ErrorKind;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                _ => TokenError::Invalid,
            })?;
        let claims = data.claims;
        if now > claims.exp.saturating_add(LEEWAY_SECS) {
            return Err(TokenError::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECS))
        {
            return Err(TokenError::NotYetValid);
        }
        Ok((
            Principal {
                subject: claims.sub,
                permissions: claims.permissions.into_iter().collect(),
                generation: claims.r#gen,
            },
            claims.exp,
        ))
    }
}

/// Who is calling, as the token says.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: String,
    permissions: BTreeSet<String>,
    /// The token generation the token was issued in (`gen`); `None` in the existing console's
    /// tokens.
    pub generation: Option<u64>,
}

impl Principal {
    pub fn can_view(&self) -> bool {
        self.permissions.contains(VIEW) || self.can_edit()
    }

    pub fn can_edit(&self) -> bool {
        self.permissions.contains(EDIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&"0123456789abcdef0123456789abcdef".into(), 3600)
    }

    /// The real time: jsonwebtoken checks `exp` against the system clock.
    fn now() -> u64 {
        use crm_core::Clock as _;
        u64::try_from(crm_core::SystemClock.now().unix_seconds()).unwrap()
    }

    #[test]
    fn issued_tokens_verify_and_carry_permissions() {
        let k = keys();
        let t = k.issue("maria", &[VIEW.to_owned()], now()).unwrap();
        let p = k.verify(&t, now()).unwrap();
        assert_eq!(p.subject, "maria");
        assert!(p.can_view());
        assert!(!p.can_edit());
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let k = keys();
        let old = k.issue("maria", &[VIEW.to_owned()], now() - 7200).unwrap();
        assert!(
            k.verify(&old, now())
                .unwrap_err()
                .to_string()
                .contains("expired")
        );
        let other = TokenKeys::new(&"another-secret-of-enough-length".into(), 3600);
        let forged = other.issue("maria", &[EDIT.to_owned()], now()).unwrap();
        assert!(
            k.verify(&forged, now())
                .unwrap_err()
                .to_string()
                .contains("signature")
        );
        assert!(k.verify("not.a.jwt", now()).is_err());
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let k = keys();
        let t = k.issue("maria", &[VIEW.to_owned()], now()).unwrap();
        assert!(k.verify(&t, now()).is_ok());
        assert!(k.verify(&t, now()).is_ok(), "second check, from the cache");
        let later = now() + 3600 + LEEWAY_SECS + 1;
        assert!(
            k.verify(&t, later).is_err(),
            "the cache must not outlive exp"
        );
    }

    /// A token with `claims`, signed with the test secret.
    fn signed(claims: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap()
    }

    const NOW: u64 = 1_796_000_000;

    #[test]
    fn an_exp_at_the_integer_limit_does_not_overflow() {
        let k = keys();
        let t = signed(serde_json::json!({"sub": "x", "permissions": [VIEW], "exp": u64::MAX}));
        // the first check verifies the signature, the later ones come from the cache
        for _ in 0..4 {
            assert!(k.verify(&t, NOW).is_ok());
        }
        assert!(k.verify(&t, u64::MAX).is_ok());
        let t = signed(serde_json::json!({"sub": "x", "permissions": [VIEW], "exp": u64::MAX - 5}));
        for _ in 0..2 {
            assert!(k.verify(&t, u64::MAX).is_ok(), "within the leeway");
        }
    }

    #[test]
    fn nbf_is_checked_against_the_given_time() {
        let k = keys();
        let exp = NOW + 3600;
        let t = signed(
            serde_json::json!({"sub": "x", "permissions": [VIEW], "exp": exp, "nbf": NOW + 600}),
        );
        assert!(matches!(k.verify(&t, NOW), Err(TokenError::NotYetValid)));
        assert!(
            matches!(k.verify(&t, NOW), Err(TokenError::NotYetValid)),
            "a refused token is not remembered"
        );
        assert!(k.verify(&t, NOW + 600 - LEEWAY_SECS).is_ok(), "clock skew");
        assert!(k.verify(&t, NOW + 601).is_ok());
        let huge = signed(
            serde_json::json!({"sub": "x", "permissions": [VIEW], "exp": exp, "nbf": u64::MAX}),
        );
        assert!(matches!(k.verify(&huge, NOW), Err(TokenError::NotYetValid)));
        // exp is checked against the given time too, not the system clock
        let t = k.issue("maria", &[VIEW.to_owned()], NOW).unwrap();
        assert!(k.verify(&t, NOW + 3600 + LEEWAY_SECS).is_ok());
        assert!(matches!(
            keys().verify(&t, NOW + 3600 + LEEWAY_SECS + 1),
            Err(TokenError::Expired)
        ));
    }

    #[test]
    fn the_generation_travels_in_gen() {
        let k = keys();
        let t = k
            .issue_with_generation("maria", &[VIEW.to_owned()], Some(42), NOW)
            .unwrap();
        assert_eq!(k.verify(&t, NOW).unwrap().generation, Some(42));
        let payload = t.split('.').nth(1).unwrap();
        let console = k.issue("maria", &[VIEW.to_owned()], NOW).unwrap();
        assert_eq!(k.verify(&console, NOW).unwrap().generation, None);
        assert_ne!(console.split('.').nth(1).unwrap(), payload);
    }

    #[test]
    fn permissions_as_a_string_are_accepted() {
        let claims: Claims =
            serde_json::from_str(r#"{"sub":"x","permissions":"crm:view crm:edit","exp":1}"#)
                .unwrap();
        assert_eq!(claims.permissions, vec![VIEW, EDIT]);
    }
}
