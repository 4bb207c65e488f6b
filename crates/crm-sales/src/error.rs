//! What can go wrong with a sales operation: the domain crates' one error, from crm-core.
//!
//! A pipeline edit that would remove a stage holding leads, or change whether such a stage is
//! won or lost, is `Error::InUse` (409) naming how many leads it holds; converting a lead that
//! is not won is `Error::Conflict` (409) naming its status. Bad input is `Error::Invalid`
//! naming the field's JSON path (`stages[2].probability`, `prospect.contacts[0].value`).

use uuid::Uuid;

pub use crm_core::error::{Error, Result};

/// `NotFound` for the lead `id`.
pub(crate) fn lead_not_found(id: Uuid) -> Error {
    Error::not_found("lead", id)
}

/// `NotFound` for the pipeline `id`.
pub(crate) fn pipeline_not_found(id: Uuid) -> Error {
    Error::not_found("pipeline", id)
}

/// A `Conflict` with `message`.
pub(crate) fn conflict(message: impl Into<String>) -> Error {
    Error::Conflict {
        message: message.into(),
    }
}

/// An `InUse` with `message`.
pub(crate) fn in_use(message: impl Into<String>) -> Error {
    Error::InUse {
        message: message.into(),
    }
}
