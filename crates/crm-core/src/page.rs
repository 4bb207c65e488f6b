//! One page of a list.

use serde::{Deserialize, Serialize};

/// One page of a list and the number of matching records in all pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}
