//! What can go wrong with a ticket operation: the domain crates' one error, from crm-core.
//!
//! A status move the workflow does not allow, and a visit that would take more of a part
//! than is in stock, are `Error::Conflict` (409) whose message names the current status or
//! the product.

use uuid::Uuid;

pub use crm_core::error::{Error, Result};

/// `NotFound` for the ticket `id`.
pub(crate) fn ticket_not_found(id: Uuid) -> Error {
    Error::not_found("ticket", id)
}

/// `NotFound` for the visit `id`.
pub(crate) fn visit_not_found(id: Uuid) -> Error {
    Error::not_found("visit", id)
}

/// `NotFound` for the macro `id`.
pub(crate) fn macro_not_found(id: Uuid) -> Error {
    Error::not_found("macro", id)
}

/// A `Conflict` with `message`.
pub(crate) fn conflict(message: impl Into<String>) -> Error {
    Error::Conflict {
        message: message.into(),
    }
}
