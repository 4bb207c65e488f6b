//! One page of a list, and how large a page may be.

use serde::{Deserialize, Serialize};

/// One page of a list and the number of matching records in all pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// The page sizes of a list: how many items a page has without `limit`, and the most it has
/// with any `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    pub default: u32,
    pub max: u32,
}

impl PageSize {
    /// The page size actually used: `limit` (default [`PageSize::default`]) capped at
    /// [`PageSize::max`]. 0 stays 0: a page with no items, only the total.
    pub fn of(self, limit: Option<u32>) -> u32 {
        limit.unwrap_or(self.default).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::PageSize;

    #[test]
    fn a_limit_defaults_and_is_capped() {
        let size = PageSize {
            default: 50,
            max: 500,
        };
        assert_eq!(size.of(None), 50);
        assert_eq!(size.of(Some(0)), 0);
        assert_eq!(size.of(Some(7)), 7);
        assert_eq!(size.of(Some(5000)), 500);
    }
}
