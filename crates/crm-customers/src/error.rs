//! What can go wrong with a customer operation: the domain crates' one error, from crm-core.

use uuid::Uuid;

pub use crm_core::error::{Error, Result};

/// `NotFound` for the customer `id`: "customer {id} not found".
pub(crate) fn not_found(id: Uuid) -> Error {
    Error::not_found("customer", id)
}
