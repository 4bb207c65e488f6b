//! The Graph API client against a scripted peer on loopback that answers as Meta documents:
//! media lookups and downloads, sends, Meta-shaped errors, rate limits, slowness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures_util::StreamExt;
use wa_bridge::testing::{GraphPeer, MEDIA_ID, PHONE_NUMBER_ID, PHOTO, TOKEN, UPLOADED_MEDIA_ID};
use wa_bridge::{Client, Config, Error, Outbound};

async fn start_peer() -> (String, GraphPeer) {
    let peer = GraphPeer::start().await.unwrap();
    (peer.url().to_owned(), peer)
}

fn client(base: &str) -> Client {
    let mut c = Config::new(PHONE_NUMBER_ID, TOKEN);
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
    let info = c.media_info(MEDIA_ID).await.unwrap();
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
        .media_info(MEDIA_ID)
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
    peer.state().failing_gets = 2;
    let info = client(&base).media_info(MEDIA_ID).await.unwrap();
    assert_eq!(info.id, MEDIA_ID);
    peer.state().failing_gets = 10;
    let err = client(&base).media_info(MEDIA_ID).await.unwrap_err();
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
        peer.state().sends[0]["text"]["body"],
        "Θα έρθουμε την Τρίτη."
    );

    peer.state().rate_limited = 2;
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

    peer.state().broken_sends = true;
    let before = peer.state().send_attempts;
    let err = c
        .send(&Outbound::Text {
            to: "306912345678".into(),
            body: "x".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Graph { status: 500, .. }), "{err:?}");
    assert_eq!(
        peer.state().send_attempts,
        before + 1,
        "a 5xx send may have gone out: never repeated"
    );
}

#[actix_web::test]
async fn a_slow_peer_times_out_instead_of_hanging() {
    let (base, peer) = start_peer().await;
    peer.state().delay = Duration::from_secs(5);
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
        .media_info(MEDIA_ID)
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
    assert_eq!(id, UPLOADED_MEDIA_ID);
    assert!(peer.state().uploads[0].contains("messaging_product"));
    c.send(&Outbound::Media {
        to: "306912345678".into(),
        kind: "document".into(),
        media_id: id,
        caption: Some("Η προσφορά".into()),
        filename: Some("προσφορά.pdf".into()),
    })
    .await
    .unwrap();
    assert_eq!(peer.state().sends[0]["document"]["id"], UPLOADED_MEDIA_ID);
}
