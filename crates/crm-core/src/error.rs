//! What can go wrong with an operation of a domain crate: the one error of every context.
//!
//! Each domain crate re-exports it as its `Error`; the gateway maps it to HTTP once.

use uuid::Uuid;

use crate::db::DbError;
use crate::validate::Invalid;

/// The outcome of a failed operation. The gateway maps `NotFound` → 404,
/// `Conflict`/`InUse` → 409, `Invalid` → 422, `Stale` → 412, `Unavailable` → 503 and `Db` and
/// `Store` → 500.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No record `id`; `what` names its kind (`product`, `comms entry`, …).
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: Uuid },
    /// A uniqueness rule was broken (a duplicate SKU), or the operation does not fit the
    /// record's state (assigning an entry that is no longer in the inbox).
    #[error("{message}")]
    Conflict { message: String },
    /// The record cannot be deleted because other records refer to it.
    #[error("{message}")]
    InUse { message: String },
    /// A field failed validation; `field` is its JSON path, e.g. `items[1].quantity`.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The caller's expected version (`If-Match`) is not the stored one; nothing changed.
    #[error("the record was changed meanwhile; it is now at version {current_version}")]
    Stale { current_version: i64 },
    #[error(transparent)]
    Db(#[from] DbError),
    /// The store could not be reached, or is overloaded, or kept losing to contention (a
    /// remote store: Firestore). Nothing was changed; the operation can be retried.
    #[error("the store is unavailable: {message}")]
    Unavailable { message: String },
    /// A remote store refused or failed the operation for a reason the caller cannot fix
    /// (credentials, a missing index, an unreadable document). Logged, answered as a 500.
    #[error("store error: {message}")]
    Store { message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn not_found(what: &'static str, id: Uuid) -> Self {
        Self::NotFound { what, id }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(DbError::from(e))
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Self {
        Self::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::Db(DbError::Task(format!("stored JSON is unreadable: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_record_and_the_field() {
        let id = Uuid::nil();
        assert_eq!(
            Error::not_found("product", id).to_string(),
            format!("product {id} not found")
        );
        assert_eq!(
            Error::from(Invalid::new("costs.pcb", "must not be negative")).to_string(),
            "costs.pcb: must not be negative"
        );
    }
}
