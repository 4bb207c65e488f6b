//! The background task: one connection at a time, reconnecting with back-off.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use secrecy::ExposeSecret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, MissedTickBehavior};

use super::backoff::Backoff;
use super::{AmiEvent, Command, Config, Response};
use crate::correlate::{CallRules, Clock, Correlator};
use crate::error::{Error, Result};
use crate::proto::{Action, Decoded, Decoder, Frame, Message, MessageKind};

/// Reads whole frames from the socket. Cancel-safe: the only await is the socket read, and
/// what it returns is handed to the decoder before the next await.
struct FrameReader {
    reader: OwnedReadHalf,
    decoder: Decoder,
    buf: Box<[u8]>,
}

impl FrameReader {
    fn new(reader: OwnedReadHalf, max_frame: usize) -> Self {
        Self {
            reader,
            decoder: Decoder::with_max_frame(max_frame),
            buf: vec![0; 16 * 1024].into_boxed_slice(),
        }
    }

    async fn next(&mut self) -> Result<Frame> {
        loop {
            match self.decoder.decode() {
                Ok(Decoded::Frame(frame)) => return Ok(frame),
                Ok(Decoded::NeedMoreData) => {}
                Err(e @ Error::FrameTooLarge { .. }) => {
                    tracing::warn!(error = %e, "AMI frame skipped");
                    continue;
                }
                Err(e) => return Err(e),
            }
            let n = self.reader.read(&mut self.buf).await?;
            if n == 0 {
                return Err(Error::ConnectionClosed);
            }
            self.decoder.feed(&self.buf[..n]);
        }
    }
}

struct Connection {
    reader: FrameReader,
    writer: OwnedWriteHalf,
    version: String,
}

enum Ended {
    Shutdown(Option<oneshot::Sender<()>>),
    Dropped(Error),
}

pub(super) struct Task {
    config: Arc<Config>,
    correlator: Correlator,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<AmiEvent>,
    next_internal_id: u64,
}

impl Task {
    pub(super) fn new(
        config: Arc<Config>,
        rules: Arc<CallRules>,
        clock: Arc<dyn Clock>,
        commands: mpsc::Receiver<Command>,
        events: mpsc::Sender<AmiEvent>,
    ) -> Self {
        Self {
            correlator: Correlator::new(rules, clock),
            config,
            commands,
            events,
            next_internal_id: 0,
        }
    }

    /// Runs until shutdown; `first` gets the outcome of the first attempt (on failure the
    /// task ends there).
    pub(super) async fn run(mut self, first: oneshot::Sender<Result<()>>) {
        let mut first = Some(first);
        let mut backoff = Backoff::new(self.config.reconnect_min, self.config.reconnect_max);
        let mut rng = StdRng::from_entropy();
        loop {
            let reason = match self.connect().await {
                Ok(connection) => {
                    backoff.reset();
                    if let Some(first) = first.take() {
                        let _ = first.send(Ok(()));
                    }
                    tracing::info!(
                        host = %self.config.host,
                        port = self.config.port,
                        version = %connection.version,
                        "AMI connected"
                    );
                    self.emit(AmiEvent::Connected {
                        version: connection.version.clone(),
                    })
                    .await;
                    match self.session(connection).await {
                        Ended::Shutdown(done) => {
                            self.close_open_calls().await;
                            if let Some(done) = done {
                                let _ = done.send(());
                            }
                            return;
                        }
                        Ended::Dropped(e) => {
                            self.close_open_calls().await;
                            e
                        }
                    }
                }
                Err(e) => {
                    if let Some(first) = first.take() {
                        let _ = first.send(Err(e));
                        return;
                    }
                    e
                }
            };
            let retry_in = backoff.next_delay(&mut rng);
            tracing::warn!(error = %reason, ?retry_in, "AMI connection down");
            self.emit(AmiEvent::Disconnected {
                reason: reason.to_string(),
                retry_in,
            })
            .await;
            if let Some(done) = self.wait(retry_in).await {
                if let Some(done) = done {
                    let _ = done.send(());
                }
                return;
            }
        }
    }

    /// Sleeps before a reconnect while refusing actions; `Some` when asked to stop.
    async fn wait(&mut self, delay: Duration) -> Option<Option<oneshot::Sender<()>>> {
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => return None,
                command = self.commands.recv() => match command {
                    None => return Some(None),
                    Some(Command::Shutdown { done }) => return Some(Some(done)),
                    Some(Command::Send { reply, .. }) => {
                        let _ = reply.send(Err(Error::NotConnected));
                    }
                },
            }
        }
    }

    fn internal_id(&mut self, what: &str) -> String {
        self.next_internal_id += 1;
        format!("ami-bridge-{what}-{}", self.next_internal_id)
    }

    /// TCP connect, banner, `Login`.
    async fn connect(&mut self) -> Result<Connection> {
        let limit = self.config.connect_timeout;
        let login_id = self.internal_id("login");
        let config = Arc::clone(&self.config);
        let attempt = async move {
            let stream = TcpStream::connect((config.host.as_str(), config.port)).await?;
            stream.set_nodelay(true)?;
            let (reader, mut writer) = stream.into_split();
            let mut reader = FrameReader::new(reader, config.max_frame);
            let version = match reader.next().await? {
                Frame::Banner(banner) => banner.version,
                Frame::Message(_) => {
                    return Err(Error::BadBanner {
                        line: "(a message instead of the banner)".into(),
                    });
                }
            };
            let login =
                Action::login(&config.username, config.secret.expose_secret()).encode(&login_id)?;
            writer.write_all(&login).await?;
            loop {
                let Frame::Message(message) = reader.next().await? else {
                    continue;
                };
                if message.response().is_none() || message.action_id() != Some(login_id.as_str()) {
                    continue;
                }
                let response = Response::new(message);
                if response.is_success() {
                    return Ok(Connection {
                        reader,
                        writer,
                        version,
                    });
                }
                return Err(Error::LoginRefused {
                    message: response.message().unwrap_or("no message").to_owned(),
                });
            }
        };
        match tokio::time::timeout(limit, attempt).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                what: "banner and Login response".into(),
                after: limit,
            }),
        }
    }

    /// One logged-in connection, until it drops or the client stops.
    async fn session(&mut self, connection: Connection) -> Ended {
        let Connection {
            mut reader,
            mut writer,
            ..
        } = connection;
        let mut pending: HashMap<String, oneshot::Sender<Result<Response>>> = HashMap::new();
        let period = self.config.ping_interval;
        let mut ping = tokio::time::interval_at(Instant::now() + period, period);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut ping_outstanding: Option<String> = None;

        let ended = loop {
            tokio::select! {
                // Reading first: after a slow consumer held us up, a Pong already received
                // must be seen before the next tick judges the ping unanswered.
                biased;
                frame = reader.next() => match frame {
                    Ok(Frame::Message(message)) => {
                        self.on_message(message, &mut pending, &mut ping_outstanding).await;
                    }
                    Ok(Frame::Banner(_)) => {}
                    Err(e) => break Ended::Dropped(e),
                },
                command = self.commands.recv() => match command {
                    None => break Ended::Shutdown(None),
                    Some(Command::Shutdown { done }) => break Ended::Shutdown(Some(done)),
                    Some(Command::Send { action, action_id, reply }) => {
                        let bytes = match action.encode(&action_id) {
                            Ok(bytes) => bytes,
                            Err(e) => {
                                let _ = reply.send(Err(e));
                                continue;
                            }
                        };
                        if let Err(e) = self.write(&mut writer, &bytes).await {
                            let _ = reply.send(Err(Error::NotConnected));
                            break Ended::Dropped(e);
                        }
                        pending.insert(action_id, reply);
                    }
                },
                _ = ping.tick() => {
                    if ping_outstanding.is_some() {
                        break Ended::Dropped(Error::Timeout { what: "Ping".into(), after: period });
                    }
                    pending.retain(|_, reply| !reply.is_closed());
                    let id = self.internal_id("ping");
                    let bytes = match Action::ping().encode(&id) {
                        Ok(bytes) => bytes,
                        Err(e) => break Ended::Dropped(e),
                    };
                    if let Err(e) = self.write(&mut writer, &bytes).await {
                        break Ended::Dropped(e);
                    }
                    ping_outstanding = Some(id);
                },
            }
        };
        for (_, reply) in pending.drain() {
            let _ = reply.send(Err(Error::NotConnected));
        }
        if matches!(ended, Ended::Shutdown(_)) {
            let id = self.internal_id("logoff");
            if let Ok(bytes) = Action::logoff().encode(&id) {
                let _ = self.write(&mut writer, &bytes).await;
            }
            let _ = writer.shutdown().await;
        }
        ended
    }

    async fn write(&self, writer: &mut OwnedWriteHalf, bytes: &[u8]) -> Result<()> {
        let limit = self.config.action_timeout;
        match tokio::time::timeout(limit, writer.write_all(bytes)).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(Error::Timeout {
                what: "socket write".into(),
                after: limit,
            }),
        }
    }

    async fn on_message(
        &mut self,
        message: Message,
        pending: &mut HashMap<String, oneshot::Sender<Result<Response>>>,
        ping_outstanding: &mut Option<String>,
    ) {
        match message.kind() {
            MessageKind::Response(_) => {
                let Some(id) = message.action_id() else {
                    return;
                };
                if ping_outstanding.as_deref() == Some(id) {
                    *ping_outstanding = None;
                } else if let Some(reply) = pending.remove(id) {
                    let _ = reply.send(Ok(Response::new(message)));
                }
            }
            MessageKind::Event(_) => {
                for record in self.correlator.feed(&message) {
                    self.emit(AmiEvent::Call(Box::new(record))).await;
                }
                if self.config.forward_events {
                    self.emit(AmiEvent::Event(message)).await;
                }
            }
            MessageKind::Other => {}
        }
    }

    /// The connection is gone: calls in flight are reported once, as incomplete, and the
    /// correlator starts afresh (what follows a reconnect is a new story).
    async fn close_open_calls(&mut self) {
        for record in self.correlator.close_all_incomplete() {
            self.emit(AmiEvent::Call(Box::new(record))).await;
        }
    }

    async fn emit(&self, event: AmiEvent) {
        // a receiver that went away is not an error of the connection
        let _ = self.events.send(event).await;
    }
}
