//! The crate's one error type. It wraps the path rules' own [`PathError`], so `proto::path`
//! knows nothing of it.

use crate::proto::path::{DavPath, PathError, PathErrorReason};

/// Everything that can go wrong talking to the WebDAV server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path was refused before any request was made.
    #[error("invalid path {path:?}: {reason}")]
    InvalidPath {
        /// The input as given (shown escaped).
        path: String,
        /// Why it was refused.
        reason: PathErrorReason,
    },
    /// The configuration cannot work (bad URL, empty user, …).
    #[error("invalid WebDAV configuration: {0}")]
    InvalidConfig(String),
    /// 404: the file or folder (or, for a move, its source) does not exist.
    #[error("not found: {path}")]
    NotFound {
        /// The path asked for.
        path: DavPath,
    },
    /// 401: wrong user name or (app) password.
    #[error("authentication failed: wrong user or password")]
    Unauthorized,
    /// 403: the server refuses the operation on this path.
    #[error("forbidden: {path}")]
    Forbidden {
        /// The path asked for.
        path: DavPath,
    },
    /// 409: a parent folder is missing, or something else is in the way.
    #[error("conflict at {path}: a parent folder is missing or something is in the way")]
    Conflict {
        /// The path asked for (the destination for a move).
        path: DavPath,
    },
    /// `mkdir` on something that already exists (405).
    #[error("already exists: {path}")]
    AlreadyExists {
        /// The path asked for.
        path: DavPath,
    },
    /// 412: the destination exists and overwriting was not allowed (or a condition failed).
    #[error("precondition failed at {path} (destination exists?)")]
    PreconditionFailed {
        /// The path asked for (the destination for a move).
        path: DavPath,
    },
    /// 423: the file is locked (Nextcloud locks files being edited).
    #[error("locked: {path}")]
    Locked {
        /// The path asked for.
        path: DavPath,
    },
    /// 416, or a range whose end is before its start.
    #[error("range not satisfiable for {path}")]
    RangeNotSatisfiable {
        /// The path asked for.
        path: DavPath,
    },
    /// 507: quota exceeded or disk full.
    #[error("insufficient storage on the server")]
    InsufficientStorage,
    /// A 5xx answer, after the retries allowed for the operation.
    #[error("server error {status}")]
    Server {
        /// The HTTP status.
        status: u16,
    },
    /// The server could not be reached (connection refused, DNS, TLS, connect timeout).
    #[error("WebDAV server unreachable: {0}")]
    Unreachable(#[source] reqwest::Error),
    /// The server stopped answering within the configured timeout.
    #[error("WebDAV request timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// The connection broke during a request or a transfer.
    #[error("WebDAV transfer interrupted: {0}")]
    Interrupted(#[source] reqwest::Error),
    /// An unexpected status or an answer we cannot read.
    #[error("WebDAV protocol error: {0}")]
    Protocol(String),
    /// Reading a local file to upload failed.
    #[error("local file: {0}")]
    Io(#[from] std::io::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<PathError> for Error {
    fn from(e: PathError) -> Self {
        Self::InvalidPath {
            path: e.path,
            reason: e.reason,
        }
    }
}
