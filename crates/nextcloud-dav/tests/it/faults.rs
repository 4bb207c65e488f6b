//! Against scripted HTTP peers on 127.0.0.1 (no external server needed): request shape,
//! retries, timeouts, broken transfers, status mapping.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use nextcloud_dav::{Client, Config, DavPath, Error, UploadBody};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use nextcloud_dav::testing::p;

/// What the scripted peer does with one request.
#[derive(Clone)]
enum Reply {
    /// Sends these bytes and waits for the next request on the connection.
    Send(Vec<u8>),
    /// Sends these bytes and closes the connection.
    SendThenClose(Vec<u8>),
    /// Sends these bytes and goes silent, holding the connection open.
    SendThenStall(Vec<u8>),
}

struct Peer {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
    accept: JoinHandle<()>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Peer {
    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn status(code: u16) -> Reply {
    Reply::Send(response(code, &[], b""))
}

/// Reads one request (head and body); `None` at end of stream.
async fn read_request(sock: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = sock.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &buf[head_end..];
        let done = match length {
            Some(n) => body.len() >= n,
            None if chunked => body.ends_with(b"0\r\n\r\n"),
            None => true,
        };
        if done {
            break;
        }
        let n = sock.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    }
    // Lowercased, so tests compare header names without caring about case.
    Some(String::from_utf8_lossy(&buf).to_lowercase())
}

/// A peer answering the n-th request with `replies[n]` (the last one repeats).
async fn peer(replies: Vec<Reply>) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let counter = Arc::new(AtomicUsize::new(0));
    let log = Arc::clone(&requests);
    let accept = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (log, counter, replies) = (Arc::clone(&log), Arc::clone(&counter), replies.clone());
            tokio::spawn(async move {
                while let Some(req) = read_request(&mut sock).await {
                    log.lock().unwrap().push(req);
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let reply = replies[n.min(replies.len() - 1)].clone();
                    match reply {
                        Reply::Send(bytes) => {
                            if sock.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Reply::SendThenClose(bytes) => {
                            let _ = sock.write_all(&bytes).await;
                            return;
                        }
                        Reply::SendThenStall(bytes) => {
                            let _ = sock.write_all(&bytes).await;
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            return;
                        }
                    }
                }
            });
        }
    });
    Peer {
        url,
        requests,
        accept,
    }
}

fn client(url: &str, base: &str) -> Client {
    let mut c = Config::new(url, "alice", "pw").with_base_path(base);
    c.retries = 2;
    c.retry_backoff = Duration::from_millis(10);
    c.timeout = Duration::from_secs(2);
    c.connect_timeout = Duration::from_secs(2);
    Client::new(c).unwrap()
}

fn multistatus(hrefs: &[&str]) -> Vec<u8> {
    let mut body = String::from(
        r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">"#,
    );
    for h in hrefs {
        // Hrefs ending in `/` are folders.
        let kind = if h.ends_with('/') {
            "<d:collection/>"
        } else {
            ""
        };
        body.push_str(&format!(
            "<d:response><d:href>{h}</d:href><d:propstat><d:prop><d:getcontentlength>1</d:getcontentlength>\
             <d:resourcetype>{kind}</d:resourcetype><oc:fileid>7</oc:fileid></d:prop>\
             <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        ));
    }
    body.push_str("</d:multistatus>");
    response(
        207,
        &[("Content-Type", "application/xml; charset=utf-8")],
        body.as_bytes(),
    )
}

#[tokio::test]
async fn propfind_request_is_encoded_and_authenticated() {
    let folder =
        "/remote.php/dav/files/alice/CRM/%CE%A0%CE%B5%CE%BB%CE%AC%CF%84%CE%B5%CF%82%20%231";
    let peer = peer(vec![Reply::Send(multistatus(&[
        &format!("{folder}/"),
        &format!("{folder}/a%2Bb%20%25%3F.txt"),
    ]))])
    .await;
    let c = client(&peer.url, "CRM");
    let entries = c.list(&p("Πελάτες #1")).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "a+b %?.txt");
    assert_eq!(entries[0].file_id.as_deref(), Some("7"));
    let reqs = peer.requests();
    let req = &reqs[0];
    assert!(
        req.starts_with(&format!("propfind {} http/1.1", folder.to_lowercase())),
        "{req}"
    );
    assert!(req.contains("\r\ndepth: 1\r\n"), "{req}");
    assert!(
        req.contains("\r\nauthorization: basic ywxpy2u6chc=\r\n"),
        "{req}"
    ); // alice:pw
    for prop in [
        "getlastmodified",
        "getcontentlength",
        "getcontenttype",
        "resourcetype",
        "getetag",
        "oc:fileid",
        "oc:size",
    ] {
        assert!(req.contains(prop), "{prop} not asked for: {req}");
    }
}

#[tokio::test]
async fn hostile_hrefs_are_left_out_and_foreign_ones_refused() {
    let base = "/remote.php/dav/files/alice";
    let peer = peer(vec![
        Reply::Send(multistatus(&[
            &format!("{base}/"),
            &format!("{base}/ok.txt"),
            &format!("{base}/%2e%2e"),
            &format!("{base}/a%255c..%255cb"),
            &format!("{base}/x%00y"),
        ])),
        Reply::Send(multistatus(&["/remote.php/dav/files/bob/secret.txt"])),
    ])
    .await;
    let c = client(&peer.url, "");
    let names: Vec<String> = c
        .list(&DavPath::root())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["ok.txt"]);
    let foreign = c.list(&DavPath::root()).await;
    assert!(matches!(foreign, Err(Error::Protocol(_))), "{foreign:?}");
}

#[tokio::test]
async fn idempotent_requests_are_retried_on_5xx() {
    let ok = multistatus(&[
        "/remote.php/dav/files/alice/",
        "/remote.php/dav/files/alice/f",
    ]);
    let peer = peer(vec![status(503), status(502), Reply::Send(ok)]).await;
    let c = client(&peer.url, "");
    assert_eq!(c.list(&DavPath::root()).await.unwrap().len(), 1);
    assert_eq!(peer.requests().len(), 3);

    let peer = peer_always(500).await;
    let r = client(&peer.url, "").delete(&p("x")).await;
    assert!(matches!(r, Err(Error::Server { status: 500 })), "{r:?}");
    assert_eq!(peer.requests().len(), 3, "1 attempt + 2 retries");
}

async fn peer_always(code: u16) -> Peer {
    peer(vec![status(code)]).await
}

#[tokio::test]
async fn streams_and_non_overwriting_moves_are_not_retried() {
    let peer = peer_always(503).await;
    let c = client(&peer.url, "");
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"abc"))]);
    let r = c
        .upload(&p("s.bin"), UploadBody::from_stream(stream).with_length(3))
        .await;
    assert!(matches!(r, Err(Error::Server { status: 503 })), "{r:?}");
    assert_eq!(peer.requests().len(), 1, "a stream cannot be replayed");

    let r = c.upload(&p("b.bin"), UploadBody::from_bytes("abc")).await;
    assert!(matches!(r, Err(Error::Server { status: 503 })), "{r:?}");
    assert_eq!(peer.requests().len(), 4, "bytes are replayable: 3 attempts");

    let r = c.move_to(&p("a"), &p("b"), false).await;
    assert!(matches!(r, Err(Error::Server { status: 503 })), "{r:?}");
    assert_eq!(peer.requests().len(), 5, "MOVE without overwrite: once");
    let r = c.move_to(&p("a"), &p("b"), true).await;
    assert!(matches!(r, Err(Error::Server { status: 503 })), "{r:?}");
    assert_eq!(peer.requests().len(), 8, "MOVE with overwrite: 3 attempts");
    let reqs = peer.requests();
    let mv = &reqs[7];
    assert!(
        mv.contains(&format!(
            "destination: {}/remote.php/dav/files/alice/b\r\n",
            peer.url
        )),
        "{mv}"
    );
    assert!(mv.contains("overwrite: t\r\n"), "{mv}");
}

#[tokio::test]
async fn statuses_become_typed_errors() {
    type Check = fn(&Error) -> bool;
    let cases: Vec<(u16, Check)> = vec![
        (401, |e| matches!(e, Error::Unauthorized)),
        (403, |e| matches!(e, Error::Forbidden { .. })),
        (404, |e| matches!(e, Error::NotFound { .. })),
        (409, |e| matches!(e, Error::Conflict { .. })),
        (412, |e| matches!(e, Error::PreconditionFailed { .. })),
        (423, |e| matches!(e, Error::Locked { .. })),
        (507, |e| matches!(e, Error::InsufficientStorage)),
        (302, |e| matches!(e, Error::Protocol(_))),
        (418, |e| matches!(e, Error::Protocol(_))),
    ];
    for (code, want) in cases {
        let peer = peer_always(code).await;
        let r = client(&peer.url, "")
            .upload(&p("f.txt"), UploadBody::from_bytes("x"))
            .await;
        let e = r.expect_err("an error status");
        assert!(want(&e), "{code} -> {e:?}");
    }
    let peer = peer(vec![Reply::Send(response(200, &[], b"<html>login</html>"))]).await;
    let r = client(&peer.url, "").list(&DavPath::root()).await;
    assert!(
        matches!(r, Err(Error::Protocol(_))),
        "200 instead of 207: {r:?}"
    );
}

#[tokio::test]
async fn nextcloud_upload_headers_are_reported() {
    let peer = peer(vec![Reply::Send(response(
        201,
        &[
            ("OC-ETag", "\"50ef2eba7b74aa84feff013efee2a5ef\""),
            ("OC-FileId", "00000259oczn5x60nrdu"),
        ],
        b"",
    ))])
    .await;
    let modified = time::macros::datetime!(2026-01-02 03:04:05 UTC);
    let up = client(&peer.url, "")
        .upload(
            &p("f.txt"),
            UploadBody::from_bytes("x")
                .with_modified(modified)
                .with_content_type("text/plain"),
        )
        .await
        .unwrap();
    assert!(up.created);
    assert_eq!(up.etag.unwrap().value(), "50ef2eba7b74aa84feff013efee2a5ef");
    assert_eq!(up.file_id.as_deref(), Some("00000259oczn5x60nrdu"));
    let req = &peer.requests()[0];
    assert!(req.contains("x-oc-mtime: 1767323045\r\n"), "{req}");
    assert!(req.contains("content-type: text/plain\r\n"), "{req}");
    assert!(req.contains("content-length: 1\r\n"), "{req}");
}

#[tokio::test]
async fn oversized_listing_is_refused() {
    let many: Vec<String> = (0..2000)
        .map(|i| format!("/remote.php/dav/files/alice/f{i}"))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let peer = peer(vec![Reply::Send(multistatus(&refs))]).await;
    let mut cfg = Config::new(&peer.url, "alice", "pw");
    cfg.max_listing_bytes = 10_000;
    let r = Client::new(cfg).unwrap().list(&DavPath::root()).await;
    assert!(
        matches!(&r, Err(Error::Protocol(m)) if m.contains("larger")),
        "{r:?}"
    );
}

#[tokio::test]
async fn closed_port_is_unreachable_quickly() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again here
    let c = client(&format!("http://127.0.0.1:{port}"), "");
    let started = Instant::now();
    let r = c.list(&DavPath::root()).await;
    assert!(matches!(r, Err(Error::Unreachable(_))), "{r:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let r = c.download(&p("x"), None).await;
    assert!(matches!(r, Err(Error::Unreachable(_))), "{r:?}");
}

#[tokio::test]
async fn silent_server_times_out_without_retrying() {
    let peer = peer(vec![Reply::SendThenStall(Vec::new())]).await;
    let mut cfg = Config::new(&peer.url, "alice", "pw");
    cfg.timeout = Duration::from_millis(300);
    cfg.retries = 3;
    let c = Client::new(cfg).unwrap();
    let started = Instant::now();
    let r = c.list(&DavPath::root()).await;
    assert!(matches!(r, Err(Error::Timeout(_))), "{r:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let r = c.download(&p("x"), None).await;
    assert!(matches!(r, Err(Error::Timeout(_))), "{r:?}");
}

fn partial_body(total: usize, sent: usize) -> Vec<u8> {
    let mut bytes = format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nContent-Type: application/octet-stream\r\n\r\n")
        .into_bytes();
    bytes.extend(std::iter::repeat_n(b'x', sent));
    bytes
}

#[tokio::test]
async fn connection_closed_mid_download_is_an_error_from_the_stream() {
    let peer = peer(vec![Reply::SendThenClose(partial_body(1_000_000, 10_000))]).await;
    let mut d = client(&peer.url, "")
        .download(&p("f.bin"), None)
        .await
        .unwrap();
    assert_eq!(d.content_length, Some(1_000_000));
    let mut received = 0;
    let err = loop {
        match tokio::time::timeout(Duration::from_secs(5), d.next())
            .await
            .expect("stream hung")
        {
            Some(Ok(b)) => received += b.len(),
            Some(Err(e)) => break e,
            None => panic!("stream ended cleanly after {received} bytes"),
        }
    };
    assert_eq!(received, 10_000);
    assert!(matches!(err, Error::Interrupted(_)), "{err:?}");
}

#[tokio::test]
async fn stalled_download_times_out() {
    let peer = peer(vec![Reply::SendThenStall(partial_body(1_000_000, 10_000))]).await;
    let mut cfg = Config::new(&peer.url, "alice", "pw");
    cfg.timeout = Duration::from_millis(300);
    let mut d = Client::new(cfg)
        .unwrap()
        .download(&p("f.bin"), None)
        .await
        .unwrap();
    let started = Instant::now();
    let err = loop {
        match tokio::time::timeout(Duration::from_secs(5), d.next())
            .await
            .expect("stream hung")
        {
            Some(Ok(_)) => {}
            Some(Err(e)) => break e,
            None => panic!("stream ended cleanly"),
        }
    };
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}
