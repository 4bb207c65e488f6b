//! The tokio AMI client: connects, reads the banner, logs in, then a background task reads
//! frames, correlates calls, answers actions by `ActionID`, pings, and reconnects with
//! back-off. Finished calls and connection changes arrive as [`AmiEvent`]s on a channel.

mod backoff;
mod config;
mod session;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

pub use backoff::Backoff;
pub use config::Config;

use crate::correlate::{CallRecord, Clock};
use crate::error::{Error, Result};
use crate::proto::{Action, Message};

/// What the client reports.
#[derive(Debug, Clone)]
pub enum AmiEvent {
    /// Logged in (first time or after a reconnect); `version` is the banner's AMI version.
    Connected {
        /// AMI protocol version from the banner (`7.0.3`).
        version: String,
    },
    /// The connection is down (dropped, refused, login refused…); the next attempt is in
    /// `retry_in`. Calls open at that moment were reported as incomplete just before.
    Disconnected {
        /// Why, in words (never contains the secret).
        reason: String,
        /// Delay before the next attempt.
        retry_in: Duration,
    },
    /// A call finished (or was closed as incomplete); each call is reported at most once.
    Call(Box<CallRecord>),
    /// Any AMI event, when [`Config::forward_events`] is on.
    Event(Message),
}

/// The response to an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response(Message);

impl Response {
    /// Wraps a decoded response message.
    pub fn new(message: Message) -> Self {
        Self(message)
    }

    /// The `Response:` value (`Success`, `Error`, `Follows`, `Goodbye`).
    pub fn status(&self) -> &str {
        self.0.response().unwrap_or_default()
    }

    /// Whether the action succeeded (`Success`, `Follows` or `Goodbye`).
    pub fn is_success(&self) -> bool {
        ["Success", "Follows", "Goodbye"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(self.status()))
    }

    /// The `Message:` text.
    pub fn message(&self) -> Option<&str> {
        self.0.get("Message")
    }

    /// The `ActionID:` echoed by the server.
    pub fn action_id(&self) -> Option<&str> {
        self.0.action_id()
    }

    /// All fields.
    pub fn fields(&self) -> &Message {
        &self.0
    }

    /// The message itself.
    pub fn into_message(self) -> Message {
        self.0
    }
}

/// Options of [`Client::originate`].
#[derive(Debug, Clone, Default)]
pub struct OriginateOptions {
    /// `CallerID` shown on the extension's phone; default `"<number>" <<extension>>`, so the
    /// phone shows whom it is about to call while the caller number stays the extension.
    pub caller_id: Option<String>,
    /// Ring time of the extension; default [`Config::originate_timeout`].
    pub timeout: Option<Duration>,
    /// `Account` code.
    pub account: Option<String>,
    /// Channel variables (`Variable: name=value`).
    pub variables: Vec<(String, String)>,
}

enum Command {
    Send {
        action: Action,
        action_id: String,
        reply: oneshot::Sender<Result<Response>>,
    },
    Shutdown {
        done: oneshot::Sender<()>,
    },
}

/// A handle on the AMI connection; cheap to clone. The background task stops when
/// [`Client::shutdown`] is called or every handle is dropped.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    commands: mpsc::Sender<Command>,
    config: Arc<Config>,
    next_id: AtomicU64,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Send {
                action, action_id, ..
            } => f
                .debug_struct("Send")
                .field("action", action)
                .field("action_id", action_id)
                .finish(),
            Self::Shutdown { .. } => f.write_str("Shutdown"),
        }
    }
}

impl Client {
    /// Connects and logs in, then keeps the connection up in the background. Returns the
    /// handle and the receiver of [`AmiEvent`]s (the first one is `Connected`). `clock`
    /// dates events without `Timestamp:` (a call closed as incomplete ends at its last event).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for bad settings; for the first attempt only:
    /// [`Error::LoginRefused`] when the server refuses the credentials, [`Error::Io`],
    /// [`Error::Timeout`], [`Error::BadBanner`] or [`Error::ConnectionClosed`]. Later
    /// failures are reported as [`AmiEvent::Disconnected`] and retried.
    pub async fn connect(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<(Self, mpsc::Receiver<AmiEvent>)> {
        config.validate()?;
        let rules = Arc::new(config.call_rules()?);
        let config = Arc::new(config);
        let (commands_tx, commands_rx) = mpsc::channel(64);
        let (events_tx, events_rx) = mpsc::channel(config.event_buffer);
        let (first_tx, first_rx) = oneshot::channel();
        let inner = Arc::new(Inner {
            commands: commands_tx,
            config: Arc::clone(&config),
            next_id: AtomicU64::new(1),
        });
        let task = session::Task::new(config, rules, clock, commands_rx, events_tx);
        tokio::spawn(task.run(first_tx));
        match first_rx.await {
            Ok(Ok(())) => Ok((Self { inner }, events_rx)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::Shutdown),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends `action` with a fresh `ActionID` and waits for the response carrying it.
    ///
    /// # Errors
    ///
    /// [`Error::NotConnected`] while the connection is down (or if it drops before the
    /// response), [`Error::Timeout`] after [`Config::action_timeout`],
    /// [`Error::InvalidField`] when the action cannot be encoded, [`Error::Shutdown`].
    pub async fn send_action(&self, action: Action) -> Result<Response> {
        let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let action_id = format!("crm-{n}");
        // refuse what cannot be encoded before it reaches the connection
        action.encode(&action_id)?;
        let name = action.name().to_owned();
        let (reply, response) = oneshot::channel();
        self.inner
            .commands
            .send(Command::Send {
                action,
                action_id,
                reply,
            })
            .await
            .map_err(|_| Error::Shutdown)?;
        let after = self.inner.config.action_timeout;
        match tokio::time::timeout(after, response).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(Error::NotConnected),
            Err(_) => Err(Error::Timeout { what: name, after }),
        }
    }

    /// Click-to-call: rings `extension` (through [`Config::originate_channel`]) and, once it
    /// answers, dials `number` in [`Config::originate_context`] (`Exten: number`,
    /// `Priority: 1`, `Async: true`). Returns the AMI response (`Success` means queued; the
    /// call itself then shows up as a [`CallRecord`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when `extension` or `number` has characters that cannot be
    /// dialled, then as [`Client::send_action`].
    pub async fn originate(
        &self,
        extension: &str,
        number: &str,
        options: OriginateOptions,
    ) -> Result<Response> {
        let action = originate_action(&self.inner.config, extension, number, &options)?;
        self.send_action(action).await
    }

    /// Logs off, closes open calls as incomplete (reported on the event channel), and stops
    /// the background task.
    pub async fn shutdown(&self) {
        let (done, finished) = oneshot::channel();
        if self
            .inner
            .commands
            .send(Command::Shutdown { done })
            .await
            .is_ok()
        {
            let _ = finished.await;
        }
    }
}

/// The `Originate` action for `extension` → `number`.
fn originate_action(
    config: &Config,
    extension: &str,
    number: &str,
    options: &OriginateOptions,
) -> Result<Action> {
    let extension = extension.trim();
    let number = number.trim();
    let invalid = |key: &str, reason: &'static str| Error::InvalidField {
        key: key.to_owned(),
        reason,
    };
    if extension.is_empty()
        || extension.len() > 64
        || !extension
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(invalid("extension", "letters, digits, '-', '_', '.' only"));
    }
    if number.is_empty()
        || number.len() > 32
        || !number
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || matches!(b, b'*' | b'#') || (i == 0 && b == b'+'))
    {
        return Err(invalid("number", "digits, '*', '#' and a leading '+' only"));
    }
    let channel = config.originate_channel.replace("{extension}", extension);
    let caller_id = options
        .caller_id
        .clone()
        .unwrap_or_else(|| format!("\"{number}\" <{extension}>"));
    let timeout = options.timeout.unwrap_or(config.originate_timeout);
    let mut action = Action::new("Originate")
        .field("Channel", &channel)
        .field("Context", &config.originate_context)
        .field("Exten", number)
        .field("Priority", "1")
        .field("CallerID", &caller_id)
        .field("Timeout", &timeout.as_millis().to_string())
        .field("Async", "true");
    if let Some(account) = &options.account {
        action = action.field("Account", account);
    }
    for (name, value) in &options.variables {
        if name.is_empty() || name.contains(['=', '\r', '\n']) {
            return Err(invalid("Variable", "bad variable name"));
        }
        action = action.field("Variable", &format!("{name}={value}"));
    }
    Ok(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new("127.0.0.1", 5038, "crm", "x").with_trunks(["PJSIP/trunk-"])
    }

    #[test]
    fn originate_fields_in_documented_order() {
        let action = originate_action(&config(), "201", "6912345678", &OriginateOptions::default());
        let Ok(action) = action else {
            panic!("{action:?}")
        };
        let wire = action.encode("crm-1").map(String::from_utf8);
        assert_eq!(
            wire.ok().and_then(Result::ok).as_deref(),
            Some(
                "Action: Originate\r\nActionID: crm-1\r\nChannel: PJSIP/201\r\nContext: from-internal\r\nExten: 6912345678\r\nPriority: 1\r\nCallerID: \"6912345678\" <201>\r\nTimeout: 30000\r\nAsync: true\r\n\r\n"
            )
        );
    }

    #[test]
    fn originate_refuses_undialable_input() {
        let c = config();
        let o = OriginateOptions::default();
        for (ext, num) in [
            ("", "123"),
            ("201", ""),
            ("201\r\nAction: Hangup", "1"),
            ("201", "69 123"),
            ("201", "69+1"),
            ("201/x", "1"),
        ] {
            assert!(
                originate_action(&c, ext, num, &o).is_err(),
                "{ext:?} {num:?}"
            );
        }
        assert!(originate_action(&c, "201", "+306912345678", &o).is_ok());
        let bad_var = OriginateOptions {
            variables: vec![("A=B".into(), "1".into())],
            ..OriginateOptions::default()
        };
        assert!(originate_action(&c, "201", "1", &bad_var).is_err());
    }

    #[test]
    fn response_helpers() {
        let r = Response::new(
            Message::new()
                .with("Response", "Success")
                .with("ActionID", "crm-4")
                .with("Message", "Originate successfully queued"),
        );
        assert!(r.is_success());
        assert_eq!(r.action_id(), Some("crm-4"));
        assert_eq!(r.message(), Some("Originate successfully queued"));
        let e = Response::new(Message::new().with("Response", "Error"));
        assert!(!e.is_success());
    }
}
