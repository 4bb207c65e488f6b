//! The security headers of every response: a `Content-Security-Policy` for what the response
//! is (JSON, the console's page, the API viewer), `X-Content-Type-Options`, `Referrer-Policy`
//! and frame protection. A header the handler already set is kept (the Nextcloud download sends
//! its own policy).

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// What a response is, which decides its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JSON, text or a file: nothing in it may run or load anything.
    Api,
    /// The web console's files: its own scripts and styles only (Vite builds no inline script
    /// or style), images it fetched itself (`blob:`) and the `data:` favicon.
    Console,
    /// The API viewer at `/api/docs` (RapiDoc): its script from this server, the inline styles
    /// of its web components, and the document and "try it" calls to this server.
    Docs,
}

pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; \
style-src 'unsafe-inline'; img-src 'self' data:; font-src data:; connect-src 'self'; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The headers every response carries besides its policy.
pub const COMMON: [(HeaderName, &str); 3] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

pub fn csp(kind: Kind) -> &'static str {
    match kind {
        Kind::Api => API_CSP,
        Kind::Console => CONSOLE_CSP,
        Kind::Docs => DOCS_CSP,
    }
}

/// Adds the security headers of `kind` that `headers` does not have yet.
pub fn apply(headers: &mut HeaderMap, kind: Kind) {
    let policy = (header::CONTENT_SECURITY_POLICY, csp(kind));
    for (name, value) in COMMON.into_iter().chain([policy]) {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_what_is_missing_and_keeps_what_is_set() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
        apply(&mut headers, Kind::Api);
        assert_eq!(
            headers.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            "sandbox"
        );
        assert_eq!(
            headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        assert_eq!(headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
        assert_eq!(headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
        let mut headers = HeaderMap::new();
        apply(&mut headers, Kind::Console);
        assert_eq!(
            headers.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            CONSOLE_CSP
        );
    }

    #[test]
    fn every_policy_forbids_framing_and_the_console_runs_only_its_own_scripts() {
        for kind in [Kind::Api, Kind::Console, Kind::Docs] {
            assert!(csp(kind).contains("frame-ancestors 'none'"), "{kind:?}");
            assert!(!csp(kind).contains("unsafe-eval"), "{kind:?}");
        }
        assert!(CONSOLE_CSP.contains("script-src 'self';"));
        assert!(!CONSOLE_CSP.contains("unsafe-inline"));
    }
}
