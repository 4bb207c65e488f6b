//! Orders of the CRM: what a customer ordered, at what price, and where the order is in its
//! life.
//!
//! The rules — order numbers, the status workflow and its history, item types, quantities and
//! the server-computed totals — are documented in [`model`]. Orders refer to customers and
//! products only through the store (foreign keys in SQLite, reads inside the transaction in
//! Firestore), never through their crates.

pub mod document;
pub mod error;
pub mod model;
pub mod pricing;
pub mod service;
pub mod stock;
pub mod store;

pub use error::{Error, Result};
pub use model::{
    Discount, DiscountType, Item, ItemType, ListQuery, NewItem, NewOrder, Order, OrderEvent,
    OrderPatch, Page, PaymentStatus, Shipping, Status, StatusChange,
};
pub use service::{Orders, Service};
pub use store::firestore::FirestoreOrderStore;
pub use store::sqlite::SqliteOrderStore;
pub use store::{AnyOrderStore, Change, OrderStore};
