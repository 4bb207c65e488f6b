//! Hostile and careless clients over raw TCP: slow heads and bodies are cut off within their
//! deadlines, and the errors actix-http answers by itself carry the JSON envelope.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Everything the server sends until it closes the connection (or `within` passes: a
/// failure), and how long that took.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match tokio::time::timeout_at((started + within).into(), stream.read(&mut buf)).await {
            Err(_) => panic!(
                "still open after {within:?}, got: {}",
                String::from_utf8_lossy(&out)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

/// The status, the head and the JSON body of a response.
fn parse(response: &str) -> (u16, String, Value) {
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no response: {response:?}"));
    let status = head[9..12].parse().unwrap();
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response:?}"));
    (status, head.to_ascii_lowercase(), body)
}

#[tokio::test]
async fn a_stalled_body_is_answered_408_and_closed_within_its_deadline() {
    let app = spawn_app_with(|c| c.body_timeout_secs = 1).await;
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /api/crm/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":",
        app.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (response, took) = until_closed(&mut stream, Duration::from_secs(5)).await;
    let (status, head, body) = parse(&response);
    assert_eq!(status, 408, "{response}");
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    assert!(head.contains("connection: close"), "{head}");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // the server goes on serving
    expect(app.get("/api/crm/customers").await, 200).await;
}

#[tokio::test]
async fn a_body_that_keeps_the_minimum_rate_is_not_cut_off() {
    // 1 s, extended by 1 s per 100 bytes: 300 bytes at 250 bytes/s take 1.2 s and pass
    let app = spawn_app_with(|c| {
        c.body_timeout_secs = 1;
        c.body_min_rate = 100;
    })
    .await;
    let body = format!("{{\"name\": \"{}\"}}", "a".repeat(288));
    assert_eq!(body.len(), 300);
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /api/crm/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 300\r\nConnection: close\r\n\r\n",
        app.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    for chunk in body.as_bytes().chunks(50) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        stream.write_all(chunk).await.unwrap();
    }
    assert!(started.elapsed() > Duration::from_secs(1));
    let (response, _) = until_closed(&mut stream, Duration::from_secs(5)).await;
    let (status, _, created) = parse(&response);
    assert_eq!(status, 201, "{response}");
    assert_eq!(created["name"].as_str().unwrap().len(), 288);
}

#[tokio::test]
async fn a_slow_first_head_is_answered_408_with_the_json_envelope() {
    let app = spawn_app_with(|c| c.request_head_timeout_secs = 1).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (response, took) = until_closed(&mut stream, Duration::from_secs(5)).await;
    let (status, head, body) = parse(&response);
    assert_eq!(status, 408, "{response}");
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn a_slow_head_on_a_kept_alive_connection_is_cut_off_too() {
    // actix-http times only the first head: the next one must come within keep-alive + head
    let app = spawn_app_with(|c| {
        c.request_head_timeout_secs = 1;
        c.keep_alive_secs = 1;
    })
    .await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // then the next head, a byte every 200 ms
    let started = Instant::now();
    let mut closed = false;
    for b in b"GET /healthz HTTP/1.1\r\nHost: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if stream.write_all(&[*b]).await.is_err() {
            closed = true;
            break;
        }
        match tokio::time::timeout(Duration::from_millis(1), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(n)) => panic!("answered: {}", String::from_utf8_lossy(&buf[..n])),
            Err(_) => {}
        }
    }
    let took = started.elapsed();
    assert!(closed, "still open after {took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[tokio::test]
async fn errors_actix_answers_by_itself_carry_the_json_envelope() {
    let app = spawn_app().await;
    // 128 KiB of head without its end; more than 96 headers; a header line without a colon; a
    // request line that is none
    let huge = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}",
        "a".repeat(128 * 1024)
    );
    let huge = &huge[..128 * 1024];
    let many: String = (0..100).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let many = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    let cases = [
        (huge.to_owned(), 431, "headers_too_large"),
        (many, 431, "headers_too_large"),
        (
            "GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n".to_owned(),
            400,
            "bad_request",
        ),
        ("NOT A REQUEST LINE\r\n\r\n".to_owned(), 400, "bad_request"),
    ];
    for (request, status, code) in cases {
        let mut stream = connect(&app).await;
        stream.write_all(request.as_bytes()).await.unwrap();
        let (response, _) = until_closed(&mut stream, Duration::from_secs(5)).await;
        let (got, head, body) = parse(&response);
        assert_eq!(
            got,
            status,
            "{}: {response}",
            &request[..40.min(request.len())]
        );
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.to_string().len())));
    }
}
