//! What can go wrong with a product operation: the domain crates' one error, from crm-core.

use uuid::Uuid;

pub use crm_core::error::{Error, Result};

/// `NotFound` for the product `id`: "product {id} not found".
pub(crate) fn not_found(id: Uuid) -> Error {
    Error::not_found("product", id)
}
