//! What can go wrong with a user operation.

/// The outcome of a failed user operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The name is taken (names are unique ignoring case).
    #[error("a user named `{name}` already exists")]
    Conflict { name: String },
    /// No user has this name (ignoring case).
    #[error("no user is named `{name}`")]
    NotFound { name: String },
    /// The change would leave no enabled user holding `crm:admin`.
    #[error(
        "`{name}` is the last enabled administrator: give another user `crm:admin` first, \
         so that someone can still administer users"
    )]
    LastAdmin { name: String },
    /// A field failed validation: `username`, `password`, `permissions`, `disabled`,
    /// `display_name`, `extension` or `signature`.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Db(#[from] crm_core::DbError),
    /// Hashing or checking a password could not run.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// As many password checks as the pool runs and queues are under way: try again shortly.
    #[error("too many password checks at once; try again shortly")]
    Busy,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(e.into())
    }
}
