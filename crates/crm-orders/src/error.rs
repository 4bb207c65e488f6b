//! What can go wrong with an order operation: the domain crates' one error, from crm-core.

use uuid::Uuid;

pub use crm_core::error::{Error, Result};

/// `NotFound` for the order `id`: "order {id} not found".
pub(crate) fn not_found(id: Uuid) -> Error {
    Error::not_found("order", id)
}
