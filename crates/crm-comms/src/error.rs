//! What can go wrong with a comms or media operation.

use uuid::Uuid;

/// The outcome of a failed operation. The gateway maps `NotFound` → 404, `Conflict` → 409,
/// `Invalid` → 422, `Stale` → 412 and `Db` → 500.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: Uuid },
    /// The operation does not fit the record's state (assigning an entry that is no longer
    /// in the inbox, a second media record for one file).
    #[error("{message}")]
    Conflict { message: String },
    /// A field failed validation; `field` is its JSON path, e.g. `attachments[0].filename`.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The caller's expected version (`If-Match`) is not the stored one; nothing changed.
    #[error("the record was changed meanwhile; it is now at version {current_version}")]
    Stale { current_version: i64 },
    #[error(transparent)]
    Db(#[from] crm_core::DbError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn entry_not_found(id: Uuid) -> Self {
        Self::NotFound {
            what: "comms entry",
            id,
        }
    }

    pub(crate) fn media_not_found(id: Uuid) -> Self {
        Self::NotFound {
            what: "media record",
            id,
        }
    }
}

impl From<crm_core::validate::Invalid> for Error {
    fn from(e: crm_core::validate::Invalid) -> Self {
        Self::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(crm_core::DbError::from(e))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::Db(crm_core::DbError::Task(format!(
            "stored JSON is unreadable: {e}"
        )))
    }
}
