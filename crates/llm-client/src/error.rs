//! What can go wrong asking the model.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server could not be reached (refused, no route, DNS, TLS).
    #[error("the AI endpoint is unreachable: {0}")]
    Unreachable(String),
    /// The server did not answer within the deadline.
    #[error("the AI endpoint did not answer within {} s", .0.as_secs())]
    Timeout(Duration),
    /// The server answered an HTTP error; `message` is its own explanation when it gave one
    /// (`{"error": {"message": …}}`, `{"error": "…"}`), else the start of its body.
    #[error("the AI endpoint answered {status}: {message}")]
    Status { status: u16, message: String },
    /// A success status whose body is not a chat completion with a text answer.
    #[error("the AI endpoint's answer is malformed: {0}")]
    Malformed(String),
    /// A setting or a request that cannot be used as given; `field` names it.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl Error {
    /// Whether asking again later may succeed (the network, the deadline, 429 and 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Unreachable(_) | Error::Timeout(_) => true,
            Error::Status { status, .. } => *status == 429 || *status >= 500,
            Error::Malformed(_) | Error::Invalid { .. } => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
