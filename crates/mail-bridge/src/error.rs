//! The crate's one error type.

/// Everything that can go wrong reading or sending mail. Parsing never fails: a malformed
/// message comes back with [`crate::ParseFlag`]s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot work (empty host, port 0, unreadable CA certificate, …).
    #[error("invalid mail configuration: {0}")]
    InvalidConfig(String),
    /// An unencrypted connection was asked for to a host that is not loopback.
    #[error(
        "refusing a plain (unencrypted) connection to {host}: plain is allowed only to 127.0.0.1, ::1 or localhost; use tls or starttls"
    )]
    PlainNotLoopback {
        /// The configured host.
        host: String,
    },
    /// The server could not be reached (refused, no route, DNS, connect timeout).
    #[error("cannot connect to {host}:{port}: {source}")]
    Connect {
        /// The configured host.
        host: String,
        /// The configured port.
        port: u16,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The TLS handshake failed (untrusted certificate, wrong name, no common protocol), or
    /// the server does not offer STARTTLS although it was required.
    #[error("TLS with {host} failed: {reason}")]
    Tls {
        /// The configured host.
        host: String,
        /// Why.
        reason: String,
    },
    /// The server refused the user name or password.
    #[error("login refused by the server: {0}")]
    Auth(String),
    /// The folder does not exist (or cannot be opened).
    #[error("no such folder {folder:?}: {reason}")]
    NoSuchFolder {
        /// The folder asked for.
        folder: String,
        /// The server's words.
        reason: String,
    },
    /// The server answered NO or BAD to a command, or the connection broke during one.
    #[error("IMAP {command} failed: {source}")]
    Imap {
        /// The command that failed (`FETCH`, `APPEND`, …).
        command: &'static str,
        /// The IMAP client's error.
        #[source]
        source: async_imap::error::Error,
    },
    /// The server sent nothing for the configured time while an answer was due (it froze,
    /// or the network did).
    #[error("{what} timed out after {seconds} s")]
    Timeout {
        /// What was waited for.
        what: &'static str,
        /// The limit.
        seconds: u64,
    },
    /// The session is unusable after an earlier failure or timeout: open a new one.
    #[error("the IMAP session is closed after an earlier error; reconnect")]
    SessionClosed,
    /// The server answered something this client cannot use (no UIDVALIDITY, …).
    #[error("unexpected IMAP answer: {0}")]
    Protocol(String),
    /// An address (or another field of an outgoing mail) is not valid.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field: `from`, `to`, `cc`, `reply_to`, `subject`, `body`, `attachments`, …
        field: &'static str,
        /// Why, with the offending value.
        reason: String,
    },
    /// The SMTP server refused the mail (a 4xx or 5xx reply).
    #[error("SMTP server refused the mail: {code} {message}")]
    SmtpRejected {
        /// The reply code (`550`, `452`, …).
        code: u16,
        /// The server's reply text.
        message: String,
        /// True for 4xx (try again later), false for 5xx.
        transient: bool,
    },
    /// SMTP failed below the reply level (connection, TLS, timeout, protocol).
    #[error("SMTP failed: {0}")]
    Smtp(#[source] lettre::transport::smtp::Error),
    /// The caller's [`crate::Sink`] failed; the sync stopped before its next checkpoint.
    #[error("the sink failed: {0}")]
    Sink(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// Wraps an error of the caller's [`crate::Sink`].
    pub fn sink(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Sink(e.into())
    }

    /// True when retrying later, on a new connection, may succeed (network trouble, a
    /// server restart, a timeout, a 4xx SMTP reply), as opposed to a configuration or
    /// credential problem that needs a person.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } | Self::SessionClosed => true,
            Self::Imap { source, .. } => matches!(
                source,
                async_imap::error::Error::Io(_) | async_imap::error::Error::ConnectionLost
            ),
            Self::SmtpRejected { transient, .. } => *transient,
            Self::Smtp(e) => !e.is_permanent() && !e.is_tls(),
            _ => false,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
