//! A scripted WhatsApp Graph API peer on loopback: serves media as Meta documents it (media
//! id → JSON with a download URL → bytes, both behind the access token), records sends and
//! answers them with a `wamid`, and can be made to fail.

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

pub const TOKEN: &str = "graph-test-token";
pub const PHONE_NUMBER_ID: &str = "106540352242922";
pub const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE0 bell tower photo bytes";

#[derive(Default)]
pub struct PeerState {
    /// Media lookups answer 500 while this is above 0 (and count down).
    pub failing_media: u32,
    pub media_requests: u32,
    pub sends: Vec<Value>,
}

pub type Shared = Arc<Mutex<PeerState>>;

fn authorized(req: &HttpRequest) -> bool {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"))
}

fn meta_error(status: u16, code: i64, message: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(json!({
        "error": { "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Ab" }
    }))
}

async fn media_info(
    req: HttpRequest,
    peer: web::Data<Shared>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    if !authorized(&req) {
        return meta_error(401, 190, "Invalid OAuth access token");
    }
    let mut p = peer.lock().unwrap();
    p.media_requests += 1;
    if p.failing_media > 0 {
        p.failing_media -= 1;
        return meta_error(500, 2, "Service temporarily unavailable");
    }
    let host = req.connection_info().host().to_owned();
    HttpResponse::Ok().json(json!({
        "messaging_product": "whatsapp",
        "url": format!("http://{host}/media-bytes/{}", path.1),
        "mime_type": "image/jpeg", "sha256": "x", "file_size": PHOTO.len(), "id": path.1
    }))
}

async fn media_bytes(req: HttpRequest) -> HttpResponse {
    if !authorized(&req) {
        return meta_error(401, 190, "Invalid OAuth access token");
    }
    HttpResponse::Ok().content_type("image/jpeg").body(PHOTO)
}

async fn send(req: HttpRequest, peer: web::Data<Shared>, body: web::Json<Value>) -> HttpResponse {
    if !authorized(&req) {
        return meta_error(401, 190, "Invalid OAuth access token");
    }
    if body["to"] == "306900000000" {
        return meta_error(400, 131026, "Message undeliverable");
    }
    let mut p = peer.lock().unwrap();
    p.sends.push(body.0.clone());
    let n = p.sends.len();
    HttpResponse::Ok().json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": body["to"], "wa_id": body["to"] }],
        "messages": [{ "id": format!("wamid.out.{n}") }]
    }))
}

/// Starts the peer; answers its base URL and its state.
pub async fn start() -> (String, Shared) {
    let peer: Shared = Arc::default();
    let data = web::Data::new(peer.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/media-bytes/{id}", web::get().to(media_bytes))
            .route(
                &format!("/{{version}}/{PHONE_NUMBER_ID}/messages"),
                web::post().to(send),
            )
            .route("/{version}/{id}", web::get().to(media_info))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    tokio::spawn(server.run());
    (format!("http://{addr}"), peer)
}
