//! Customers: parishes, priests, people and companies, with their contacts, notes, owned
//! devices and tags.
//!
//! Contacts are normalised ([`normalize`]: e-mail compared lower-cased, phone and WhatsApp
//! numbers in E.164 with Greece as the default region) and can be looked up
//! ([`Customers::find_by_contact`]). Search ([`search`]) understands Greek without case,
//! accents and final sigma, Greeklish, and prefixes typed so far: in SQLite FTS5, or for
//! Firestore in an in-process index of the same keys. [`Customers`] is the service the gateway calls,
//! [`Service`] implements it over any [`CustomerStore`]: [`SqliteCustomerStore`] keeps
//! customers in the shared SQLite database, [`FirestoreCustomerStore`] in the Firestore
//! collection `crm_customers`, and [`AnyCustomerStore`] is whichever the gateway chose.

pub mod error;
pub mod import;
pub mod merge;
pub mod model;
pub mod search;
#[cfg(feature = "seed")]
pub mod seed;
pub mod service;
pub mod store;

pub use crm_core::contact as normalize;
pub use error::{Error, Result};
pub use model::{
    Contact, ContactInput, ContactType, Customer, CustomerPatch, ListQuery, Location, NewCustomer,
    Note, NoteInput, OwnedItem, OwnedItemType, Page,
};
pub use service::{Customers, Service};
pub use store::firestore::FirestoreCustomerStore;
pub use store::sqlite::SqliteCustomerStore;
pub use store::{AnyCustomerStore, Change, ContactKey, CustomerStore, Referrers};
