//! What can go wrong with a product operation.

use uuid::Uuid;

/// The outcome of a failed product operation. The gateway maps `NotFound` → 404,
/// `Conflict`/`InUse` → 409, `Invalid` → 422, `Stale` → 412 and `Db` → 500.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("product {id} not found")]
    NotFound { id: Uuid },
    /// A uniqueness rule was broken, e.g. a duplicate SKU.
    #[error("{message}")]
    Conflict { message: String },
    /// The product cannot be deleted because other records refer to it.
    #[error("{message}")]
    InUse { message: String },
    /// A field failed validation; `field` is its JSON path, e.g. `costs.pcb`.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The caller's expected version (`If-Match`) is not the stored one; nothing changed.
    #[error("the product was changed meanwhile; it is now at version {current_version}")]
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
