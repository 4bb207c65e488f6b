//! Calls through the running gateway, from a scripted AMI server on loopback that speaks
//! Asterisk's wire format (banner, CRLF, Response/ActionID first) and replays the call event
//! sequences of the ami-bridge fixtures (written from the documented event definitions).

use std::time::Duration;

use ami_bridge::proto::{Decoded, Decoder, Frame, Message};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::helpers::*;

const USER: &str = "crm";
const SECRET_VALUE: &str = "ami-secret-for-tests";

/// A fixture as it goes on the wire: `#` comment lines dropped, CRLF line ends.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../crates/ami-bridge/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\r\n"))
        .collect::<String>()
        .into_bytes()
}

/// One AMI connection: logs the client in, answers every action with Success (Originate
/// included, recorded on `actions`), and writes whatever arrives on `events`.
async fn serve(
    mut stream: TcpStream,
    actions: mpsc::UnboundedSender<Message>,
    mut events: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    stream
        .write_all(b"Asterisk Call Manager/7.0.3\r\n")
        .await
        .unwrap();
    let mut decoder = Decoder::without_banner(ami_bridge::proto::DEFAULT_MAX_FRAME);
    let mut buf = [0u8; 4096];
    loop {
        tokio::select! {
            read = stream.read(&mut buf) => {
                let n = match read { Ok(0) | Err(_) => return, Ok(n) => n };
                decoder.feed(&buf[..n]);
                while let Ok(Decoded::Frame(Frame::Message(action))) = decoder.decode() {
                    let id = action.action_id().unwrap_or_default().to_owned();
                    let mut answer = Message::new().with("Response", "Success").with("ActionID", &id);
                    match action.get("Action").unwrap_or_default() {
                        "Login" => {
                            assert_eq!(action.get("Username"), Some(USER));
                            assert_eq!(action.get("Secret"), Some(SECRET_VALUE));
                            answer.push("Message", "Authentication accepted");
                        }
                        "Originate" => answer.push("Message", "Originate successfully queued"),
                        "Ping" => answer.push("Ping", "Pong"),
                        _ => {}
                    }
                    let _ = actions.send(action);
                    if stream.write_all(&answer.to_wire()).await.is_err() {
                        return;
                    }
                }
            }
            Some(bytes) = events.recv() => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
        }
    }
}

struct Pbx {
    events: mpsc::UnboundedSender<Vec<u8>>,
    actions: mpsc::UnboundedReceiver<Message>,
}

async fn start_pbx() -> (u16, tokio::sync::oneshot::Receiver<Pbx>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (ready, pbx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (actions_tx, actions_rx) = mpsc::unbounded_channel();
        let _ = ready.send(Pbx {
            events: events_tx,
            actions: actions_rx,
        });
        serve(stream, actions_tx, events_rx).await;
    });
    (port, pbx)
}

async fn spawn_with_pbx(port: u16) -> TestApp {
    spawn_app_with(|c| {
        c.ami = Some(
            ami_bridge::Config::new("127.0.0.1", port, USER, SECRET_VALUE)
                .with_trunks(["PJSIP/trunk-", "SIP/provider"]),
        );
    })
    .await
}

async fn entries(app: &TestApp, query: &str) -> Value {
    expect(app.get(&format!("/api/crm/comms?{query}")).await, 200).await
}

#[tokio::test]
async fn finished_calls_are_logged_once_on_the_callers_timeline() {
    let (port, pbx) = start_pbx().await;
    let app = spawn_with_pbx(port).await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ιερός Ναός Αγίου Δημητρίου Θεσσαλονίκης",
                   "contacts": [{"type": "phone", "value": "2310 555666"}]}),
        )
        .await;
    let mut pbx = tokio::time::timeout(Duration::from_secs(10), pbx)
        .await
        .unwrap()
        .unwrap();
    let login = tokio::time::timeout(Duration::from_secs(5), pbx.actions.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(login.get("Action"), Some("Login"));

    // the missed call, twice (as after a reconnect), and an answered one via a queue
    pbx.events.send(fixture("inbound_missed.txt")).unwrap();
    pbx.events.send(fixture("inbound_missed.txt")).unwrap();
    pbx.events
        .send(fixture("inbound_queue_answered.txt"))
        .unwrap();

    let cid = c["id"].as_str().unwrap().to_owned();
    let mut missed = Value::Null;
    for _ in 0..100 {
        missed = entries(&app, &format!("customer_id={cid}&type=call&missed=true")).await;
        if missed["total"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(missed["total"], 1, "{missed}");
    let call = &missed["entries"][0];
    assert_eq!(call["subject"], "Missed call");
    assert_eq!(call["direction"], "inbound");
    assert_eq!(call["sender"], "+302310555666");
    assert_eq!(call["ext_message_id"], "1717236000.200");
    assert_eq!(call["meta"]["answered"], false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = entries(&app, &format!("customer_id={cid}&type=call")).await;
    let inbox = expect(app.get("/api/crm/inbox").await, 200).await;
    let logged = all["total"].as_u64().unwrap() + inbox["total"].as_u64().unwrap();
    assert_eq!(logged, 2, "two calls, the repeated one once: {all} {inbox}");
    let answered = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .chain(inbox["entries"].as_array().unwrap())
        .find(|e| e["meta"]["answered"] == true)
        .cloned()
        .unwrap();
    assert!(
        answered["subject"].as_str().unwrap().starts_with("Call "),
        "{answered}"
    );
}

#[tokio::test]
async fn a_call_from_a_number_the_metadata_does_not_list_reaches_its_customer() {
    // a UK mobile block newer than the phone metadata, as the PBX writes it (00 + country)
    let (port, pbx) = start_pbx().await;
    let app = spawn_with_pbx(port).await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "St Nicholas Church, London",
                   "contacts": [{"type": "phone", "value": "+44 7911 600000"}]}),
        )
        .await;
    assert_eq!(c["contacts"][0]["e164"], "+447911600000", "{c}");
    assert_eq!(c["contacts"][0]["unlisted"], true);
    let mut pbx = tokio::time::timeout(Duration::from_secs(10), pbx)
        .await
        .unwrap()
        .unwrap();
    let _login = pbx.actions.recv().await.unwrap();
    let events = String::from_utf8(fixture("inbound_missed.txt"))
        .unwrap()
        .replace("+302310555666", "00447911600000");
    pbx.events.send(events.into_bytes()).unwrap();

    let cid = c["id"].as_str().unwrap().to_owned();
    let mut calls = Value::Null;
    for _ in 0..100 {
        calls = entries(&app, &format!("customer_id={cid}&type=call")).await;
        if calls["total"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(calls["total"], 1, "{calls}");
    let call = &calls["entries"][0];
    assert_eq!(call["sender"], "+447911600000");
    assert_eq!(call["meta"]["caller"]["value"], "+447911600000");
    assert_eq!(call["meta"]["number_unlisted"], true);
}

#[tokio::test]
async fn click_to_call_sends_originate() {
    let (port, pbx) = start_pbx().await;
    let app = spawn_with_pbx(port).await;
    let mut pbx = tokio::time::timeout(Duration::from_secs(10), pbx)
        .await
        .unwrap()
        .unwrap();
    let _login = pbx.actions.recv().await.unwrap();
    let mut answer = Value::Null;
    for _ in 0..100 {
        let resp = app
            .post(
                "/api/crm/calls/originate",
                &json!({"extension": "201", "number": "691 234 5678"}),
            )
            .await;
        let status = resp.status();
        answer = resp.json().await.unwrap();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answer["response"], "Success", "{answer}");
    let originate = loop {
        let a = pbx.actions.recv().await.unwrap();
        if a.get("Action") == Some("Originate") {
            break a;
        }
    };
    assert_eq!(originate.get("Channel"), Some("PJSIP/201"));
    let err = expect_error(
        app.post(
            "/api/crm/calls/originate",
            &json!({"extension": "201; rm -rf", "number": "6912345678"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    assert!(err["error"]["details"]["field"].is_string());

    let plain = spawn_app().await;
    expect_error(
        plain
            .post(
                "/api/crm/calls/originate",
                &json!({"extension": "201", "number": "6912345678"}),
            )
            .await,
        503,
        "pbx_not_configured",
    )
    .await;
}
