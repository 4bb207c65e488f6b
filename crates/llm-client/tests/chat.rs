//! The client against [`ScriptedPeer`], a loopback server speaking the chat-completions wire
//! format byte for byte (no model server runs where the tests do).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::time::Duration;

use llm_client::testing::{Reply, ScriptedPeer};
use llm_client::{Chat, Client, Config, Error, Message};
use serde_json::json;

fn classify() -> Chat {
    Chat {
        messages: vec![
            Message::system("Κατάταξε το μήνυμα. Απάντησε μόνο με JSON."),
            Message::user("Η καμπάνα του Αγίου Νικολάου ράγισε, χρειαζόμαστε επισκευή."),
        ],
        temperature: 0.0,
        json: true,
    }
}

fn client(peer: &ScriptedPeer, key: Option<&str>) -> Client {
    Client::new(Config {
        api_key: key.map(Into::into),
        timeout: Duration::from_millis(800),
        ..Config::new(format!("{}/v1", peer.url()), "llama3.1:8b")
    })
    .unwrap()
}

#[tokio::test]
async fn a_completion_sends_the_documented_body_and_the_key_and_reads_the_answer() {
    let peer = ScriptedPeer::start().await.unwrap();
    peer.push(Reply::completion(r#"{"intent": "repair"}"#));
    let answer = client(&peer, Some("sk-test-123"))
        .chat(&classify())
        .await
        .unwrap();
    assert_eq!(answer, r#"{"intent": "repair"}"#);

    let requests = peer.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(request.header("authorization"), Some("Bearer sk-test-123"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({
            "model": "llama3.1:8b",
            "messages": [
                {"role": "system", "content": "Κατάταξε το μήνυμα. Απάντησε μόνο με JSON."},
                {"role": "user", "content": "Η καμπάνα του Αγίου Νικολάου ράγισε, χρειαζόμαστε επισκευή."},
            ],
            "temperature": 0.0,
            "response_format": {"type": "json_object"},
        })
    );
}

#[tokio::test]
async fn without_a_key_no_authorization_is_sent() {
    let peer = ScriptedPeer::start().await.unwrap();
    peer.push(Reply::completion("Καλημέρα"));
    let answer = client(&peer, None).chat(&classify()).await.unwrap();
    assert_eq!(answer, "Καλημέρα");
    assert_eq!(peer.requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn an_http_error_carries_the_status_and_the_servers_message() {
    let peer = ScriptedPeer::start().await.unwrap();
    peer.push(Reply::Json(
        401,
        json!({"error": {"message": "Incorrect API key provided: sk-wrong", "type": "invalid_request_error"}}),
    ));
    peer.push(Reply::Json(
        404,
        json!({"error": "model \"llama3.1:8b\" not found, try pulling it first"}),
    ));
    let client = client(&peer, Some("sk-wrong"));
    match client.chat(&classify()).await {
        Err(Error::Status { status, message }) => {
            assert_eq!(status, 401);
            assert_eq!(message, "Incorrect API key provided: sk-wrong");
        }
        other => panic!("{other:?}"),
    }
    let e = client.chat(&classify()).await.unwrap_err();
    assert!(!e.is_transient());
    assert_eq!(
        e.to_string(),
        "the AI endpoint answered 404: model \"llama3.1:8b\" not found, try pulling it first"
    );
}

#[tokio::test]
async fn a_success_that_is_not_a_completion_is_malformed() {
    let peer = ScriptedPeer::start().await.unwrap();
    peer.push(Reply::Raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 20\r\nConnection: close\r\n\r\n<html>captive</html>"
            .to_vec(),
    ));
    peer.push(Reply::Json(200, json!({"choices": []})));
    let client = client(&peer, None);
    for _ in 0..2 {
        match client.chat(&classify()).await {
            Err(Error::Malformed(_)) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_server_that_hangs_is_a_timeout_and_one_that_is_down_unreachable() {
    let peer = ScriptedPeer::start().await.unwrap();
    peer.push(Reply::Stall(Duration::from_secs(5)));
    let e = client(&peer, None).chat(&classify()).await.unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    assert!(e.is_transient());

    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let down = Client::new(Config::new(url, "m")).unwrap();
    let e = down.chat(&classify()).await.unwrap_err();
    assert!(matches!(e, Error::Unreachable(_)), "{e:?}");
}

#[tokio::test]
async fn an_answer_past_the_cap_is_refused() {
    let peer = ScriptedPeer::start().await.unwrap();
    peer.push(Reply::completion(
        &"α".repeat(llm_client::client::MAX_ANSWER_BYTES),
    ));
    match client(&peer, None).chat(&classify()).await {
        Err(Error::Malformed(m)) => assert!(m.contains("longer than"), "{m}"),
        other => panic!("{other:?}"),
    }
}
