//! The shared kernel of the CRM's domain crates.
//!
//! Everything here is needed by more than one bounded context and carries no business rule
//! of its own: the SQLite database handle (pooled reads, one batching writer), the embedded
//! migrations, exact money, RFC 3339 timestamps, the injectable clock, the normal forms of
//! contact values, the Greek VAT rates and the Greek-aware full-text keys, and the one error of every context's
//! operations.

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
