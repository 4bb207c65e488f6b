//! The crate's one error type.

use crate::proto::status::Code;
use crate::proto::{PathError, ValueError};

/// Everything that can go wrong talking to Firestore. Server errors keep the server's message
/// (it names the document or the reason).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `NOT_FOUND`: the document (or, for a write with `exists: true`, its target) is missing.
    #[error("not found: {0}")]
    NotFound(String),
    /// `ALREADY_EXISTS`: a create (or `exists: false`) on a document that exists.
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// `FAILED_PRECONDITION`: a precondition did not hold — most often a stale `updateTime`
    /// (someone else changed the document first). Never retried.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// `FAILED_PRECONDITION` on a query: it needs a composite index that does not exist (the
    /// message carries the link that creates it).
    #[error("the query needs an index: {0}")]
    IndexRequired(String),
    /// `PERMISSION_DENIED` or `UNAUTHENTICATED`: the credentials are missing, wrong, or not
    /// allowed this (IAM or security rules).
    #[error("permission denied ({code}): {message}")]
    PermissionDenied {
        /// Which of the two.
        code: Code,
        /// The server's message.
        message: String,
    },
    /// `UNAVAILABLE`, `RESOURCE_EXHAUSTED` (429) or `DEADLINE_EXCEEDED`, still so after the
    /// retries allowed.
    #[error("Firestore unavailable ({code}): {message}")]
    Unavailable {
        /// Which of the three.
        code: Code,
        /// The server's message.
        message: String,
    },
    /// `ABORTED`: contention — a transaction lost to another, a lock timed out. A transaction
    /// run by [`Client::run_transaction`](crate::Client::run_transaction) starts over by
    /// itself; this is what remains after its attempts.
    #[error("aborted (contention): {0}")]
    Aborted(String),
    /// `INVALID_ARGUMENT`: the request is malformed (a bad field path, a filter Firestore does
    /// not allow, a value too large, …).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Another status (`INTERNAL`, `UNIMPLEMENTED`, …).
    #[error("Firestore error {code} (HTTP {http}): {message}")]
    Status {
        /// The status.
        code: Code,
        /// The HTTP status.
        http: u16,
        /// The server's message.
        message: String,
    },
    /// An answer this client cannot read.
    #[error("Firestore protocol error: {0}")]
    Protocol(String),
    /// The server could not be reached, or the connection broke or timed out (after the
    /// retries allowed).
    #[error("Firestore unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// No credentials could be found, or a token could not be had.
    #[error("Google credentials: {0}")]
    Auth(#[source] gcp_auth::Error),
    /// The configuration cannot work (no project, a bad emulator address, …).
    #[error("invalid Firestore configuration: {0}")]
    Config(String),
    /// A value that cannot be encoded or decoded.
    #[error(transparent)]
    Value(#[from] ValueError),
    /// A document or collection path refused before any request was made.
    #[error(transparent)]
    Path(#[from] PathError),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The error for a status the server answered (`query` tells a missing index from a
    /// failed precondition).
    pub(crate) fn from_status(code: Code, http: u16, message: String, query: bool) -> Self {
        match code {
            Code::NotFound => Error::NotFound(message),
            Code::AlreadyExists => Error::AlreadyExists(message),
            Code::FailedPrecondition if query && message.contains("index") => {
                Error::IndexRequired(message)
            }
            Code::FailedPrecondition => Error::PreconditionFailed(message),
            Code::PermissionDenied | Code::Unauthenticated => {
                Error::PermissionDenied { code, message }
            }
            Code::Unavailable | Code::ResourceExhausted | Code::DeadlineExceeded => {
                Error::Unavailable { code, message }
            }
            Code::Aborted => Error::Aborted(message),
            Code::InvalidArgument => Error::InvalidArgument(message),
            code => Error::Status {
                code,
                http,
                message,
            },
        }
    }

    /// The canonical code, for errors the server answered.
    pub fn code(&self) -> Option<Code> {
        Some(match self {
            Error::NotFound(_) => Code::NotFound,
            Error::AlreadyExists(_) => Code::AlreadyExists,
            Error::PreconditionFailed(_) | Error::IndexRequired(_) => Code::FailedPrecondition,
            Error::PermissionDenied { code, .. }
            | Error::Unavailable { code, .. }
            | Error::Status { code, .. } => *code,
            Error::Aborted(_) => Code::Aborted,
            Error::InvalidArgument(_) => Code::InvalidArgument,
            _ => return None,
        })
    }

    /// Whether trying again later may succeed (contention, unavailability, a dropped
    /// connection).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Unavailable { .. } | Error::Aborted(_) | Error::Transport(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_become_variants() {
        let e = |code, query| Error::from_status(code, 400, "m index".into(), query);
        assert!(matches!(e(Code::NotFound, false), Error::NotFound(_)));
        assert!(matches!(
            e(Code::AlreadyExists, false),
            Error::AlreadyExists(_)
        ));
        assert!(matches!(
            e(Code::FailedPrecondition, false),
            Error::PreconditionFailed(_)
        ));
        assert!(matches!(
            e(Code::FailedPrecondition, true),
            Error::IndexRequired(_)
        ));
        assert!(matches!(
            e(Code::Unauthenticated, false),
            Error::PermissionDenied { .. }
        ));
        assert!(matches!(
            e(Code::ResourceExhausted, false),
            Error::Unavailable { .. }
        ));
        assert!(matches!(e(Code::Aborted, false), Error::Aborted(_)));
        assert!(matches!(
            e(Code::InvalidArgument, false),
            Error::InvalidArgument(_)
        ));
        assert!(matches!(
            e(Code::Internal, false),
            Error::Status { http: 400, .. }
        ));
        for code in [
            Code::NotFound,
            Code::Aborted,
            Code::Internal,
            Code::Unavailable,
        ] {
            assert_eq!(e(code, false).code(), Some(code));
        }
        assert!(e(Code::Aborted, false).is_transient());
        assert!(!e(Code::FailedPrecondition, false).is_transient());
    }
}
