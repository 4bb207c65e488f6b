//! The one error type of the crate.

use std::time::Duration;

/// Everything that can go wrong in the AMI bridge, from a malformed frame to a refused login.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A frame (banner or message) grew past the decoder's limit; the decoder skips the rest
    /// of that frame and carries on with the next one.
    #[error("AMI frame larger than {limit} bytes")]
    FrameTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },

    /// The first line the server sent is not an Asterisk Call Manager banner.
    #[error("not an Asterisk Call Manager banner: {line:?}")]
    BadBanner {
        /// The line received instead (cut to 120 characters).
        line: String,
    },

    /// An action field cannot be encoded (empty or odd key, CR/LF inside a value, …).
    #[error("invalid field `{key}`: {reason}")]
    InvalidField {
        /// The offending key.
        key: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// A configuration value was refused when the configuration was checked.
    #[error("invalid configuration `{field}`: {reason}")]
    InvalidConfig {
        /// The configuration field.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The server answered `Login` with an error (wrong user or secret, ACL, …).
    #[error("AMI login refused: {message}")]
    LoginRefused {
        /// The server's `Message:` text.
        message: String,
    },

    /// No answer in time: to an action, to a keep-alive `Ping`, or while connecting.
    #[error("AMI timeout after {after:?} waiting for {what}")]
    Timeout {
        /// What was awaited (`Login response`, `Ping`, an action name).
        what: String,
        /// How long it was awaited.
        after: Duration,
    },

    /// The connection is down (the action was not sent, or the connection dropped before the
    /// response came back). The client reconnects on its own.
    #[error("AMI connection is not established")]
    NotConnected,

    /// The server closed the connection.
    #[error("AMI server closed the connection")]
    ConnectionClosed,

    /// The client was shut down.
    #[error("AMI client is shut down")]
    Shutdown,

    /// A socket error.
    #[error("AMI I/O error")]
    Io(#[from] std::io::Error),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
