//! Where customers are kept: the storage trait the service is generic over, its two
//! implementations ([`sqlite`], the embedded default, and [`firestore`]), and
//! [`AnyCustomerStore`], which the gateway picks one of at start.
//!
//! Each method is one atomic operation. Read-modify-write operations (`update`, `delete`)
//! load the record, check the expected version and write only if nobody wrote in between
//! (a transaction, or a precondition on the document's update time), so a stale caller
//! changes nothing and of two concurrent writers only one wins. A store keeps its contact
//! lookup in step with the records in the same write, and its search index too (SQLite: in
//! the same transaction; Firestore: in memory, right after the write, and from other
//! writers' changes within a bound, see [`firestore`]).

pub mod firestore;
pub mod sqlite;

use std::future::Future;
use std::pin::Pin;

use uuid::Uuid;

use crate::error::Result;
use crate::model::{Customer, ListQuery, Page};
use firestore::FirestoreCustomerStore;
use sqlite::SqliteCustomerStore;

/// What an [`CustomerStore::update`] callback decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Store this record (the store sets `version` to the current one + 1 and keeps `id` and
    /// `created_at`).
    Save(Box<Customer>),
    /// Nothing differs: leave the record and its version as they are.
    Unchanged,
}

/// A contact value in its normal form, as looked up by [`CustomerStore::find_by_contact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactKey {
    /// A lower-cased e-mail address; matches `email` contacts.
    Email(String),
    /// An E.164 number; matches `phone` and `whatsapp` contacts.
    Phone(String),
}

pub trait CustomerStore: Send + Sync + 'static {
    /// One page of customers matching the query and the number of matches in all pages.
    /// With a search: SQLite orders by relevance (bm25), then folded name, then id; Firestore
    /// has no relevance and orders by folded name, then id (the same customers either way).
    /// Without a search: by folded name, then id.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Customer>>> + Send;

    /// The customer, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Customer>> + Send;

    /// Stores a new customer with its contacts, tags and search entry.
    fn insert(&self, customer: Customer) -> impl Future<Output = Result<()>> + Send;

    /// Loads the customer (`Error::NotFound`), checks `expected_version` (`Error::Stale`),
    /// lets `change` decide the new record from the current one and saves it, all in one
    /// transaction; returns the record as stored. An error from `change` leaves everything
    /// as it was. When someone else wrote the customer between the read and the write, the
    /// store starts over from the new record (so `change` may be called more than once, and
    /// an `expected_version` is then stale).
    fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        change: F,
    ) -> impl Future<Output = Result<Customer>> + Send
    where
        F: FnMut(&Customer) -> Result<Change> + Send + 'static;

    /// Deletes the customer with its contacts, tags and search entry after checking it exists
    /// (`Error::NotFound`) and `expected_version` (`Error::Stale`). A customer that other
    /// records refer to is `Error::InUse` and stays.
    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The customer owning the contact; if several do, the one created first.
    fn find_by_contact(
        &self,
        key: ContactKey,
    ) -> impl Future<Output = Result<Option<Customer>>> + Send;

    /// Up to `limit` records with ids after `after` (none: from the first), in id order (the
    /// text order of the hyphenated lower-case uuid): copying and verifying, page by page.
    fn scan(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Customer>>> + Send;

    /// Stores records exactly as given — ids, versions, timestamps (and what else the record
    /// says) — creating or replacing each: copying from another store. Idempotent: a second
    /// call with the same records changes nothing.
    fn put_all(&self, records: Vec<Customer>) -> impl Future<Output = Result<()>> + Send;
}

/// What else refers to customers, outside the customer store: comms and media live in
/// SQLite even when customers are in Firestore, so a Firestore store asks this hook (the
/// gateway implements it) before deleting a customer.
pub trait Referrers: Send + Sync + std::fmt::Debug + 'static {
    /// `Some(what)`: a phrase naming what refers to `customer` (`"comms entries"`), for the
    /// message of `Error::InUse`; `None`: nothing does.
    fn referring_to(
        &self,
        customer: Uuid,
    ) -> Pin<Box<dyn Future<Output = Result<Option<String>>> + Send + '_>>;
}

/// One of the customer stores, chosen at start (configuration): the service stays generic,
/// the gateway has one concrete type.
#[derive(Debug, Clone)]
pub enum AnyCustomerStore {
    Sqlite(SqliteCustomerStore),
    Firestore(FirestoreCustomerStore),
}

impl AnyCustomerStore {
    /// Writes the derived fields of documents that lack them or have stale ones (Firestore,
    /// see [`FirestoreCustomerStore::reindex`]); SQLite keeps its index in step on every
    /// write and only writes the rows a migration left pending
    /// ([`SqliteCustomerStore::catch_up`]; usually none: 0).
    pub async fn reindex(&self) -> Result<u64> {
        match self {
            Self::Sqlite(s) => s.catch_up().await,
            Self::Firestore(s) => s.reindex().await,
        }
    }
}

impl CustomerStore for AnyCustomerStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Customer>> {
        crm_core::delegate!(self, list(query))
    }

    async fn get(&self, id: Uuid) -> Result<Customer> {
        crm_core::delegate!(self, get(id))
    }

    async fn insert(&self, customer: Customer) -> Result<()> {
        crm_core::delegate!(self, insert(customer))
    }

    async fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        change: F,
    ) -> Result<Customer>
    where
        F: FnMut(&Customer) -> Result<Change> + Send + 'static,
    {
        crm_core::delegate!(self, update(id, expected_version, change))
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        crm_core::delegate!(self, delete(id, expected_version))
    }

    async fn find_by_contact(&self, key: ContactKey) -> Result<Option<Customer>> {
        crm_core::delegate!(self, find_by_contact(key))
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Customer>> {
        crm_core::delegate!(self, scan(after, limit))
    }

    async fn put_all(&self, records: Vec<Customer>) -> Result<()> {
        crm_core::delegate!(self, put_all(records))
    }
}
