//! The web console (`apps/crm-console`): the files Vite built, served from the binary.
//!
//! `build.rs` builds the console into `apps/crm-console/dist` (or leaves a placeholder page
//! with `CRM_CONSOLE_SKIP_BUILD=1`); rust-embed puts that folder into release binaries and
//! reads it from disk in debug builds, so `npm run build` shows at once while developing.
//!
//! Every GET or HEAD outside `/api` that is not a file of the build answers `index.html`: the
//! console routes in the browser (`/customers/…`). Hashed assets (`/assets/*`) are cached for
//! a year; `index.html` is revalidated on every load, so a new binary's console shows at once.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use rust_embed::RustEmbed;

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "../crm-console/dist/"]
#[allow_missing = true]
struct Dist;

/// Shown when the binary was built without the console (`CRM_CONSOLE_SKIP_BUILD=1`, or no dist).
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>BellSystems CRM</title>\
<p>The web console is not built into this binary. Build it with <code>npm ci &amp;&amp; npm run build</code> in \
<code>apps/crm-console</code> (or unset <code>CRM_CONSOLE_SKIP_BUILD</code>) and rebuild. The API is at \
<a href=\"/api/docs\">/api/docs</a>.</p></html>";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Whether the console answers this request: GET or HEAD outside `/api` (and not one of the
/// server's own GET-only routes asked with HEAD).
pub fn serves(req: &HttpRequest) -> bool {
    let path = req.path();
    (req.method() == Method::GET || req.method() == Method::HEAD)
        && path != "/api"
        && !path.starts_with("/api/")
        && path != "/healthz"
        && path != "/metrics"
}

/// The built file at the request's path, else `index.html` (or 404 for a missing asset).
pub fn serve(req: &HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    let safe = !path.split('/').any(|s| s == ".." || s == ".") && !path.contains('\\');
    if safe
        && !path.is_empty()
        && !path.ends_with('/')
        && let Some(file) = Dist::get(path)
    {
        let cache = if path.starts_with("assets/") {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        return respond(req, path, file, cache);
    }
    // A missing hashed asset is an old page asking for a file of an older build: a 404 lets
    // the browser fail loudly instead of parsing index.html as a script.
    if path.starts_with("assets/") {
        return ApiError::not_found(format!("no console file {}", req.path())).error_response();
    }
    match Dist::get("index.html") {
        Some(file) => respond(req, "index.html", file, REVALIDATE),
        None => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, REVALIDATE))
            .content_type("text/html; charset=utf-8")
            .body(NOT_BUILT),
    }
}

fn respond(
    req: &HttpRequest,
    path: &str,
    file: rust_embed::EmbeddedFile,
    cache: &'static str,
) -> HttpResponse {
    let etag = format!("\"{}\"", hex_prefix(&file.metadata.sha256_hash()));
    let mut mime = file.metadata.mimetype().to_owned();
    if (mime.starts_with("text/") || mime == "application/javascript") && !mime.contains("charset")
    {
        mime.push_str("; charset=utf-8");
    }
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    let mut res = if fresh {
        HttpResponse::build(StatusCode::NOT_MODIFIED).finish()
    } else {
        HttpResponse::Ok().body(file.data.into_owned())
    };
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if path == "index.html" {
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }
    res
}

/// The first 16 bytes of a hash in hex: plenty for an ETag.
fn hex_prefix(hash: &[u8; 32]) -> String {
    use std::fmt::Write;
    hash.iter().take(16).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn only_get_and_head_outside_the_api_are_the_consoles() {
        let cases = [
            (Method::GET, "/", true),
            (Method::GET, "/customers/123", true),
            (Method::HEAD, "/orders", true),
            (Method::GET, "/assets/index-abc.js", true),
            (Method::POST, "/customers", false),
            (Method::GET, "/api", false),
            (Method::GET, "/api/crm/nothing", false),
            (Method::DELETE, "/x", false),
            (Method::HEAD, "/healthz", false),
        ];
        for (method, path, expected) in cases {
            let req = TestRequest::default()
                .method(method.clone())
                .uri(path)
                .to_http_request();
            assert_eq!(serves(&req), expected, "{method} {path}");
        }
    }

    #[test]
    fn routes_of_the_console_answer_its_page_and_missing_assets_404() {
        let req = TestRequest::get().uri("/customers/abc").to_http_request();
        let res = serve(&req);
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()
                .get(header::CACHE_CONTROL)
                .map(|v| v.as_bytes()),
            Some(REVALIDATE.as_bytes())
        );
        let req = TestRequest::get()
            .uri("/assets/gone-0000.js")
            .to_http_request();
        assert_eq!(serve(&req).status(), StatusCode::NOT_FOUND);
        let req = TestRequest::get().uri("/../Cargo.toml").to_http_request();
        assert_eq!(serve(&req).status(), StatusCode::OK);
    }
}
