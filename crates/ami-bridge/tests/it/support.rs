//! Fixtures and a scripted AMI server speaking the Asterisk 18/20 wire format.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ami_bridge::correlate::{CallRules, Clock};
use ami_bridge::proto::{Decoded, Decoder, Frame, Message};
use ami_bridge::{AmiEvent, CallRecord, Config};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

pub const BANNER: &[u8] = b"Asterisk Call Manager/7.0.3\r\n";
pub const USER: &str = "crm";
pub const SECRET: &str = "s3cr3t-ami";
/// Give up on anything the tests wait for after this long.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A fixture as it goes on the wire: leading `#` comment lines dropped, LF turned into CRLF.
pub fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    let body: String = text
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\r\n"))
        .collect();
    body.into_bytes()
}

/// Every message of a byte stream without banner, decoded in one go.
pub fn decode_messages(bytes: &[u8]) -> Vec<Message> {
    let mut decoder = Decoder::without_banner(ami_bridge::proto::DEFAULT_MAX_FRAME);
    decoder.feed(bytes);
    let mut out = Vec::new();
    loop {
        match decoder.decode() {
            Ok(Decoded::Frame(Frame::Message(m))) => out.push(m),
            Ok(Decoded::Frame(Frame::Banner(b))) => panic!("unexpected banner {b:?}"),
            Ok(Decoded::NeedMoreData) => return out,
            Err(e) => panic!("decode error {e}"),
        }
    }
}

pub fn rules() -> Arc<CallRules> {
    Arc::new(
        CallRules::new(&["PJSIP/trunk-", "SIP/provider"], &["_XXX", "_XXXX"], "GR")
            .unwrap_or_else(|e| panic!("rules: {e}")),
    )
}

/// A clock that stays where it is told.
#[derive(Debug)]
pub struct FixedClock(pub std::sync::Mutex<OffsetDateTime>);

impl FixedClock {
    pub fn at(unix: i64) -> Arc<Self> {
        Arc::new(Self(std::sync::Mutex::new(
            OffsetDateTime::from_unix_timestamp(unix).unwrap_or_else(|e| panic!("{e}")),
        )))
    }

    pub fn advance(&self, secs: i64) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += time::Duration::seconds(secs);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The clock of tests that do not move it: 2024-06-01 10:00:00 UTC.
pub fn clock() -> Arc<FixedClock> {
    FixedClock::at(1_717_236_000)
}

pub fn ts(unix_with_fraction: f64) -> OffsetDateTime {
    // microsecond precision, like AMI's `Timestamp:` (exact in an f64 at this magnitude)
    let micros = (unix_with_fraction * 1e6).round() as i128;
    OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).unwrap_or_else(|e| panic!("{e}"))
}

/// A client configuration pointing at `port`, with fast timers for tests.
pub fn config(port: u16) -> Config {
    let mut c =
        Config::new("127.0.0.1", port, USER, SECRET).with_trunks(["PJSIP/trunk-", "SIP/provider"]);
    c.reconnect_min = Duration::from_millis(20);
    c.reconnect_max = Duration::from_millis(200);
    c.connect_timeout = Duration::from_secs(3);
    c.action_timeout = Duration::from_secs(3);
    c.ping_interval = Duration::from_secs(30);
    c
}

pub async fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"))
        .port();
    (listener, port)
}

/// The server side of one AMI connection.
pub struct AmiConn {
    stream: TcpStream,
    decoder: Decoder,
}

impl AmiConn {
    pub async fn accept(listener: &TcpListener) -> Self {
        let (stream, _) = tokio::time::timeout(PATIENCE, listener.accept())
            .await
            .unwrap_or_else(|_| panic!("no connection came"))
            .unwrap_or_else(|e| panic!("accept: {e}"));
        stream
            .set_nodelay(true)
            .unwrap_or_else(|e| panic!("nodelay: {e}"));
        Self {
            stream,
            decoder: Decoder::without_banner(ami_bridge::proto::DEFAULT_MAX_FRAME),
        }
    }

    /// Writes `bytes`; a client that already left (it may shut down as soon as it has what
    /// it waited for) is not an error.
    pub async fn send(&mut self, bytes: &[u8]) {
        if let Err(e) = self.stream.write_all(bytes).await {
            use std::io::ErrorKind::{BrokenPipe, ConnectionReset};
            assert!(
                matches!(e.kind(), BrokenPipe | ConnectionReset),
                "server write: {e}"
            );
        }
    }

    /// Writes `bytes` in small pieces (sizes cycling through `sizes`), flushing each.
    pub async fn send_in_pieces(&mut self, bytes: &[u8], sizes: &[usize]) {
        let mut at = 0;
        let mut i = 0;
        while at < bytes.len() {
            let n = sizes[i % sizes.len()].max(1).min(bytes.len() - at);
            self.send(&bytes[at..at + n]).await;
            let _ = self.stream.flush().await;
            at += n;
            i += 1;
        }
    }

    /// The next action the client sent, or `None` when it closed the connection.
    pub async fn read_action(&mut self) -> Option<Message> {
        let mut buf = [0u8; 4096];
        loop {
            match self.decoder.decode() {
                Ok(Decoded::Frame(Frame::Message(m))) => return Some(m),
                Ok(Decoded::Frame(Frame::Banner(_))) => unreachable!("no banner expected"),
                Ok(Decoded::NeedMoreData) => {}
                Err(e) => panic!("client sent garbage: {e}"),
            }
            let n = tokio::time::timeout(PATIENCE, self.stream.read(&mut buf))
                .await
                .unwrap_or_else(|_| panic!("client sent nothing"))
                .ok()?;
            if n == 0 {
                return None;
            }
            self.decoder.feed(&buf[..n]);
        }
    }

    /// Banner, then reads `Login` and accepts it (checking the credentials).
    pub async fn handshake(&mut self) {
        self.send(BANNER).await;
        let login = self
            .read_action()
            .await
            .unwrap_or_else(|| panic!("no Login"));
        assert_eq!(login.get("Action"), Some("Login"));
        assert_eq!(login.get("Username"), Some(USER));
        assert_eq!(login.get("Secret"), Some(SECRET));
        let id = login
            .action_id()
            .unwrap_or_else(|| panic!("Login without ActionID"));
        self.respond(id, "Success", &[("Message", "Authentication accepted")])
            .await;
        self.send(b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 3600\r\nLastReload: 3600\r\nStatus: Fully Booted\r\n\r\n")
            .await;
    }

    /// `Response: <status>`, `ActionID: <id>`, then `extra` fields, as Asterisk orders them.
    pub async fn respond(&mut self, action_id: &str, status: &str, extra: &[(&str, &str)]) {
        let mut m = Message::new()
            .with("Response", status)
            .with("ActionID", action_id);
        for (k, v) in extra {
            m.push(k, v);
        }
        self.send(&m.to_wire()).await;
    }

    /// Answers actions as Asterisk would until the client goes away: `Ping` with `Pong`,
    /// anything else with `Success`.
    pub async fn serve_actions(&mut self) {
        while let Some(action) = self.read_action().await {
            let id = action.action_id().unwrap_or_default().to_owned();
            match action.get("Action") {
                Some(a) if a.eq_ignore_ascii_case("Ping") => {
                    self.respond(
                        &id,
                        "Success",
                        &[("Ping", "Pong"), ("Timestamp", "1717236000.000000")],
                    )
                    .await;
                }
                Some(a) if a.eq_ignore_ascii_case("Logoff") => {
                    self.respond(&id, "Goodbye", &[("Message", "Thanks for all the fish.")])
                        .await;
                    return;
                }
                _ => self.respond(&id, "Success", &[]).await,
            }
        }
    }
}

/// The next event, failing the test after [`PATIENCE`].
pub async fn next_event(events: &mut mpsc::Receiver<AmiEvent>) -> AmiEvent {
    tokio::time::timeout(PATIENCE, events.recv())
        .await
        .unwrap_or_else(|_| panic!("no AMI event within {PATIENCE:?}"))
        .unwrap_or_else(|| panic!("event channel closed"))
}

/// Events until the next call record; the skipped ones are returned too.
pub async fn next_call(events: &mut mpsc::Receiver<AmiEvent>) -> (CallRecord, Vec<AmiEvent>) {
    let mut skipped = Vec::new();
    loop {
        match next_event(events).await {
            AmiEvent::Call(record) => return (*record, skipped),
            other => skipped.push(other),
        }
    }
}
