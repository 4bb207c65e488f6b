//! Test support (feature `testing`, off by default), shared by this crate's tests and the
//! gateway's: [`GraphPeer`], a scripted WhatsApp Graph API peer on loopback that answers as
//! Meta documents — media id → JSON with a download URL → bytes, both behind the access
//! token; sends recorded and answered with a `wamid`; uploads answered with a media id —
//! with Meta-shaped errors, and that can be made to fail, rate-limit or stall.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

/// The access token the peer accepts (`Authorization: Bearer …`).
pub const TOKEN: &str = "graph-test-token";
/// The business phone number the peer serves.
pub const PHONE_NUMBER_ID: &str = "106540352242922";
/// The one media id the peer knows; any other is Meta's 404 (code 100).
pub const MEDIA_ID: &str = "1037543291543636";
/// The bytes of [`MEDIA_ID`] (`image/jpeg`).
pub const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE0 a jpeg of a bell tower";
/// The media id every upload answers.
pub const UPLOADED_MEDIA_ID: &str = "4490709327384033";
/// A recipient the peer refuses as undeliverable (Meta's 400, code 131026).
pub const UNDELIVERABLE: &str = "306900000000";

/// What the peer saw, and how it misbehaves; change it between requests.
#[derive(Debug, Default)]
pub struct PeerState {
    /// Answer the next sends with 429 this many times.
    pub rate_limited: u32,
    /// Answer the next media lookups with 500 this many times.
    pub failing_gets: u32,
    /// Answer sends with 500 (after recording them: they may have gone out).
    pub broken_sends: bool,
    /// Wait this long before answering a media lookup or a send.
    pub delay: Duration,
    /// Media lookups that carried the token.
    pub media_requests: u32,
    /// Sends that carried the token, refused ones included.
    pub send_attempts: u32,
    /// The bodies of the sends that were accepted (or broke after being recorded).
    pub sends: Vec<Value>,
    /// Upload bodies (multipart), as text.
    pub uploads: Vec<String>,
}

type Shared = Arc<Mutex<PeerState>>;

fn lock(state: &Shared) -> MutexGuard<'_, PeerState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running peer: its base URL (for `Config::base_url`) and its state.
#[derive(Debug, Clone)]
pub struct GraphPeer {
    url: String,
    state: Shared,
}

impl GraphPeer {
    /// Starts a peer on `127.0.0.1:0`, served from the current tokio runtime.
    ///
    /// # Errors
    ///
    /// When the loopback port cannot be bound.
    pub async fn start() -> std::io::Result<Self> {
        let state: Shared = Arc::default();
        let data = web::Data::new(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/whatsapp_business/attachments/",
                    web::get().to(media_bytes),
                )
                .route(
                    &format!("/{{version}}/{PHONE_NUMBER_ID}/messages"),
                    web::post().to(send),
                )
                .route(
                    &format!("/{{version}}/{PHONE_NUMBER_ID}/media"),
                    web::post().to(upload),
                )
                .route("/{version}/{id}", web::get().to(media_info))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))?;
        let addr = server.addrs().first().copied().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address bound")
        })?;
        tokio::spawn(server.run());
        Ok(Self {
            url: format!("http://{addr}"),
            state,
        })
    }

    /// The base URL, `http://127.0.0.1:{port}`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The state, locked: read what the peer saw or script what it does next.
    pub fn state(&self) -> MutexGuard<'_, PeerState> {
        lock(&self.state)
    }
}

fn meta_error(status: StatusCode, code: i64, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "error": { "message": message, "type": "OAuthException", "code": code,
                   "error_data": { "messaging_product": "whatsapp", "details": message },
                   "fbtrace_id": "AbCdEf" }
    }))
}

fn unauthorized() -> HttpResponse {
    meta_error(StatusCode::UNAUTHORIZED, 190, "Invalid OAuth access token")
}

fn authorized(req: &HttpRequest) -> bool {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"))
}

async fn pause(state: &Shared) {
    let delay = lock(state).delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

async fn media_info(
    req: HttpRequest,
    state: web::Data<Shared>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    pause(&state).await;
    if !authorized(&req) {
        return unauthorized();
    }
    {
        let mut s = lock(&state);
        s.media_requests += 1;
        if s.failing_gets > 0 {
            s.failing_gets -= 1;
            return meta_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                2,
                "An unexpected error has occurred. Please retry your request later.",
            );
        }
    }
    let id = &path.1;
    if id != MEDIA_ID {
        return meta_error(
            StatusCode::NOT_FOUND,
            100,
            "Unsupported get request. Object does not exist",
        );
    }
    let host = req.connection_info().host().to_owned();
    HttpResponse::Ok().json(json!({
        "messaging_product": "whatsapp",
        "url": format!("http://{host}/whatsapp_business/attachments/?mid={id}"),
        "mime_type": "image/jpeg", "sha256": "x", "file_size": PHOTO.len(), "id": id
    }))
}

async fn media_bytes(req: HttpRequest) -> HttpResponse {
    if !authorized(&req) {
        return unauthorized();
    }
    HttpResponse::Ok().content_type("image/jpeg").body(PHOTO)
}

async fn send(req: HttpRequest, state: web::Data<Shared>, body: web::Json<Value>) -> HttpResponse {
    pause(&state).await;
    if !authorized(&req) {
        return unauthorized();
    }
    let mut s = lock(&state);
    s.send_attempts += 1;
    if s.rate_limited > 0 {
        s.rate_limited -= 1;
        return meta_error(StatusCode::TOO_MANY_REQUESTS, 130429, "Rate limit hit");
    }
    if body["to"] == UNDELIVERABLE {
        return meta_error(StatusCode::BAD_REQUEST, 131026, "Message undeliverable");
    }
    s.sends.push(body.0.clone());
    if s.broken_sends {
        return meta_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            131000,
            "Something went wrong",
        );
    }
    let n = s.sends.len();
    HttpResponse::Ok().json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": body["to"], "wa_id": body["to"] }],
        "messages": [{ "id": format!("wamid.sent.{n}") }]
    }))
}

async fn upload(state: web::Data<Shared>, body: web::Bytes) -> HttpResponse {
    lock(&state)
        .uploads
        .push(String::from_utf8_lossy(&body).into_owned());
    HttpResponse::Ok().json(json!({ "id": UPLOADED_MEDIA_ID }))
}
