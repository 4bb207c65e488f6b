//! The Graph API client against a scripted peer on loopback that answers as Meta documents:
//! media lookups and downloads, sends, Meta-shaped errors, rate limits, slowness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use futures_util::StreamExt;
use serde_json::{Value, json};
use wa_bridge::{Client, Config, Error, Outbound};

const TOKEN: &str = "test-access-token";
const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE0 a jpeg of a bell tower";

#[derive(Default)]
struct Peer {
    /// Answer the next sends with 429 this many times.
    rate_limited: u32,
    /// Answer the next media lookups with 500 this many times.
    failing_gets: u32,
    /// Answer sends with 500 (after possibly sending).
    broken_sends: bool,
    /// Wait this long before answering anything.
    delay: Duration,
    sends: Vec<Value>,
    uploads: Vec<String>,
    send_attempts: u32,
}

type Shared = Arc<Mutex<Peer>>;

fn meta_error(status: u16, code: i64, message: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(json!({
        "error": { "message": message, "type": "OAuthException", "code": code,
                   "error_data": { "messaging_product": "whatsapp", "details": message },
                   "fbtrace_id": "AbCdEf" }
    }))
}

fn authorized(req: &HttpRequest) -> bool {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"))
}

async fn pause(peer: &Shared) {
    let d = peer.lock().unwrap().delay;
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

async fn media_info(
    req: HttpRequest,
    peer: web::Data<Shared>,
    id: web::Path<(String, String)>,
) -> HttpResponse {
    pause(&peer).await;
    if !authorized(&req) {
        return meta_error(401, 190, "Invalid OAuth access token");
    }
    {
        let mut p = peer.lock().unwrap();
        if p.failing_gets > 0 {
            p.failing_gets -= 1;
            return meta_error(
                500,
                2,
                "An unexpected error has occurred. Please retry your request later.",
            );
        }
    }
    let id = &id.1;
    if id != "1037543291543636" {
        return meta_error(404, 100, "Unsupported get request. Object does not exist");
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
        return meta_error(401, 190, "Invalid OAuth access token");
    }
    HttpResponse::Ok().content_type("image/jpeg").body(PHOTO)
}

async fn send(req: HttpRequest, peer: web::Data<Shared>, body: web::Json<Value>) -> HttpResponse {
    pause(&peer).await;
    if !authorized(&req) {
        return meta_error(401, 190, "Invalid OAuth access token");
    }
    let mut p = peer.lock().unwrap();
    p.send_attempts += 1;
    if p.rate_limited > 0 {
        p.rate_limited -= 1;
        return meta_error(429, 130429, "Rate limit hit");
    }
    p.sends.push(body.0.clone());
    if p.broken_sends {
        return meta_error(500, 131000, "Something went wrong");
    }
    let n = p.sends.len();
    HttpResponse::Ok().json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": body["to"], "wa_id": body["to"] }],
        "messages": [{ "id": format!("wamid.sent.{n}") }]
    }))
}

async fn upload(peer: web::Data<Shared>, body: web::Bytes) -> HttpResponse {
    let text = String::from_utf8_lossy(&body).to_string();
    peer.lock().unwrap().uploads.push(text);
    HttpResponse::Ok().json(json!({ "id": "4490709327384033" }))
}

async fn start_peer() -> (String, Shared) {
    let peer: Shared = Arc::default();
    let data = web::Data::new(peer.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route(
                "/whatsapp_business/attachments/",
                web::get().to(media_bytes),
            )
            .route("/{version}/106540352242922/messages", web::post().to(send))
            .route("/{version}/106540352242922/media", web::post().to(upload))
            .route("/{version}/{id}", web::get().to(media_info))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    tokio::spawn(server.run());
    (format!("http://{addr}"), peer)
}

fn client(base: &str) -> Client {
    let mut c = Config::new("106540352242922", TOKEN);
    c.base_url = base.to_owned();
    c.timeout = Duration::from_millis(800);
    c.backoff = Duration::from_millis(10);
    c.retries = 3;
    Client::new(c).unwrap()
}

#[actix_web::test]
async fn media_is_resolved_and_downloaded_with_the_token() {
    let (base, _) = start_peer().await;
    let c = client(&base);
    let info = c.media_info("1037543291543636").await.unwrap();
    assert_eq!(info.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(info.file_size, Some(PHOTO.len() as u64));
    let mut d = c.download(&info.url).await.unwrap();
    assert_eq!(d.content_type.as_deref(), Some("image/jpeg"));
    let mut bytes = Vec::new();
    while let Some(chunk) = d.body.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(bytes, PHOTO);

    let err = c.media_info("999").await.unwrap_err();
    match &err {
        Error::Graph { status, error } => {
            assert_eq!(*status, 404);
            assert_eq!(error.code, Some(100));
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_transient());
    assert!(matches!(
        c.media_info("../x").await,
        Err(Error::Invalid { .. })
    ));
}

#[actix_web::test]
async fn a_wrong_token_is_an_error_named_by_meta() {
    let (base, _) = start_peer().await;
    let mut cfg = client(&base).config().clone();
    cfg.access_token = "wrong".into();
    let err = Client::new(cfg)
        .unwrap()
        .media_info("1037543291543636")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Graph { status: 401, error } if error.code == Some(190)),
        "{err:?}"
    );
}

#[actix_web::test]
async fn transient_failures_of_reads_are_retried() {
    let (base, peer) = start_peer().await;
    peer.lock().unwrap().failing_gets = 2;
    let info = client(&base).media_info("1037543291543636").await.unwrap();
    assert_eq!(info.id, "1037543291543636");
    peer.lock().unwrap().failing_gets = 10;
    let err = client(&base)
        .media_info("1037543291543636")
        .await
        .unwrap_err();
    assert!(err.is_transient(), "gives up after the retries: {err:?}");
}

#[actix_web::test]
async fn sends_return_the_message_id_and_retry_only_when_nothing_was_sent() {
    let (base, peer) = start_peer().await;
    let c = client(&base);
    let sent = c
        .send(&Outbound::Text {
            to: "+30 691 234 5678".into(),
            body: "Θα έρθουμε την Τρίτη.".into(),
        })
        .await
        .unwrap();
    assert_eq!(sent.message_id, "wamid.sent.1");
    assert_eq!(sent.wa_id.as_deref(), Some("306912345678"));
    assert_eq!(
        peer.lock().unwrap().sends[0]["text"]["body"],
        "Θα έρθουμε την Τρίτη."
    );

    peer.lock().unwrap().rate_limited = 2;
    let sent = c
        .send(&Outbound::Template {
            to: "306912345678".into(),
            name: "reminder".into(),
            language: "el".into(),
            parameters: vec!["Τρίτη".into()],
        })
        .await
        .unwrap();
    assert_eq!(sent.message_id, "wamid.sent.2", "sent once after two 429s");

    peer.lock().unwrap().broken_sends = true;
    let before = peer.lock().unwrap().send_attempts;
    let err = c
        .send(&Outbound::Text {
            to: "306912345678".into(),
            body: "x".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Graph { status: 500, .. }), "{err:?}");
    assert_eq!(
        peer.lock().unwrap().send_attempts,
        before + 1,
        "a 5xx send may have gone out: never repeated"
    );
}

#[actix_web::test]
async fn a_slow_peer_times_out_instead_of_hanging() {
    let (base, peer) = start_peer().await;
    peer.lock().unwrap().delay = Duration::from_secs(5);
    let started = std::time::Instant::now();
    let err = client(&base)
        .send(&Outbound::Text {
            to: "306912345678".into(),
            body: "x".into(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unreachable(m) if m.starts_with("timeout")),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not retried after a timeout"
    );
    let closed = client("http://127.0.0.1:9")
        .media_info("1037543291543636")
        .await
        .unwrap_err();
    assert!(matches!(closed, Error::Unreachable(_)));
}

#[actix_web::test]
async fn media_is_uploaded_then_sent_by_id() {
    let (base, peer) = start_peer().await;
    let c = client(&base);
    let id = c
        .upload_media(
            bytes::Bytes::from_static(b"%PDF-1.4 offer"),
            "application/pdf",
            "προσφορά.pdf",
        )
        .await
        .unwrap();
    assert_eq!(id, "4490709327384033");
    assert!(peer.lock().unwrap().uploads[0].contains("messaging_product"));
    c.send(&Outbound::Media {
        to: "306912345678".into(),
        kind: "document".into(),
        media_id: id,
        caption: Some("Η προσφορά".into()),
        filename: Some("προσφορά.pdf".into()),
    })
    .await
    .unwrap();
    assert_eq!(
        peer.lock().unwrap().sends[0]["document"]["id"],
        "4490709327384033"
    );
}
