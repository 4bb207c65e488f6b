//! The shared kernel of the CRM's domain crates.
//!
//! Everything here is needed by more than one bounded context and carries no business rule
//! of its own: the SQLite database handle (pooled reads, one batching writer), the embedded
//! migrations, backups, exact money, RFC 3339 timestamps, the injectable clock, the normal forms of
//! contact values, the Greek VAT rates and the Greek-aware full-text keys, and the one error of every context's
//! operations.

pub mod backup;
pub mod clock;
pub mod contact;
pub mod db;
pub mod error;
#[cfg(feature = "firestore")]
pub mod firestore;
pub mod fts;
pub mod money;
pub mod page;
pub mod patch;
pub mod schema;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;
pub mod timestamp;
pub mod validate;
pub mod vat;

pub use clock::{Clock, FixedClock, SystemClock};
pub use db::{Db, DbError, DbOptions, Hook, is_constraint_violation};
pub use error::{Error, Result};
pub use money::Money;
pub use page::{Page, PageSize};
/// The connection a [`Db::write`] runs on, inside its transaction: what a caller that is not
/// a store (the gateway composing one write of several contexts) passes on to the stores'
/// functions without holding SQL itself.
pub use rusqlite::Connection;
pub use timestamp::Timestamp;
pub use vat::VatRate;

/// A string enum's names: `names!(Status { Open = "open", Closed = "closed" })` gives it
/// `ALL`, `as_str` (the wire and storage name), `parse` and `Display`. The enum is declared
/// beside it, with its own serde names (which must be the same).
#[macro_export]
macro_rules! names {
    ($ty:ident { $($variant:ident = $name:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// The wire and storage name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),*
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
