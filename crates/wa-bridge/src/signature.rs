//! Meta's two checks: the signature over every webhook body, and the subscription handshake.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};

/// Checks `X-Hub-Signature-256: sha256=<hex>` against the HMAC-SHA256 of the raw body with
/// the app secret, in constant time. Nothing of the body should be trusted (or parsed)
/// before this passes.
pub fn verify_signature(app_secret: &[u8], header: Option<&str>, body: &[u8]) -> Result<()> {
    let header = header.ok_or(Error::Signature(
        "the X-Hub-Signature-256 header is missing",
    ))?;
    let hex_digest = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(Error::Signature("the header does not start with sha256="))?;
    let expected = hex::decode(hex_digest)
        .map_err(|_| Error::Signature("the signature is not hexadecimal"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret)
        .map_err(|_| Error::Signature("the app secret cannot key an HMAC"))?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| Error::Signature("the signature does not match the body"))
}

/// The signature header value for `body` (for tests and for peers that sign).
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(app_secret) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this arm is unreachable
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Meta's subscription handshake: `hub.mode=subscribe` with `hub.verify_token` equal to the
/// configured token gives back `hub.challenge`; anything else gives `None` (answer 403).
pub fn verify_handshake<'a>(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
    expected_token: &str,
) -> Option<&'a str> {
    let token_ok = token.is_some_and(|t| {
        // constant time, so the token cannot be guessed byte by byte
        let (a, b) = (t.as_bytes(), expected_token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    });
    (mode == Some("subscribe") && token_ok && !expected_token.is_empty())
        .then_some(challenge)
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"app-secret-for-tests";

    #[test]
    fn a_signed_body_passes_and_any_change_fails() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let header = sign(SECRET, body);
        assert!(verify_signature(SECRET, Some(&header), body).is_ok());
        assert!(
            verify_signature(
                SECRET,
                Some(&header.to_uppercase().replace("SHA256=", "sha256=")),
                body
            )
            .is_ok(),
            "hex case does not matter"
        );
        let mut tampered = body.to_vec();
        tampered[3] ^= 1;
        assert!(verify_signature(SECRET, Some(&header), &tampered).is_err());
        assert!(verify_signature(b"other secret", Some(&header), body).is_err());
        for bad in [
            None,
            Some(""),
            Some("sha1=abcd"),
            Some("sha256=zz"),
            Some("sha256="),
        ] {
            assert!(verify_signature(SECRET, bad, body).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_handshake_needs_mode_and_token() {
        assert_eq!(
            verify_handshake(Some("subscribe"), Some("tok"), Some("123"), "tok"),
            Some("123")
        );
        assert_eq!(
            verify_handshake(Some("subscribe"), Some("tok2"), Some("123"), "tok"),
            None
        );
        assert_eq!(
            verify_handshake(Some("unsubscribe"), Some("tok"), Some("123"), "tok"),
            None
        );
        assert_eq!(
            verify_handshake(Some("subscribe"), None, Some("123"), "tok"),
            None
        );
        assert_eq!(
            verify_handshake(Some("subscribe"), Some(""), Some("123"), ""),
            None,
            "an empty configured token verifies nothing"
        );
    }
}
