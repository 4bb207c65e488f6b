//! What can go wrong with an order operation.

use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no order with id {id}")]
    NotFound { id: Uuid },
    /// A uniqueness rule was broken.
    #[error("{message}")]
    Conflict { message: String },
    /// The order cannot be removed because other records refer to it.
    #[error("{message}")]
    InUse { message: String },
    /// A field of the request is wrong; `field` is its JSON path (`items[1].quantity`).
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The caller's `If-Match` version is not the stored one; nothing was changed.
    #[error("the order is at version {current_version}")]
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
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(crm_core::DbError::from(e))
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
