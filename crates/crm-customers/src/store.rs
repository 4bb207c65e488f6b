//! Where customers are kept: the storage trait the service is generic over.
//!
//! Each method is one atomic operation. Read-modify-write operations (`update`, `delete`)
//! load the record, check the expected version and write in one transaction, so a stale
//! caller changes nothing. A store keeps its search index and contact lookup in step with
//! the records inside the same transaction.

pub mod sqlite;

use std::future::Future;

use uuid::Uuid;

use crate::error::Result;
use crate::model::{Customer, ListQuery, Page};

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
    /// With a search: ordered by relevance (bm25), then folded name, then id; without: by
    /// folded name, then id.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Customer>>> + Send;

    /// The customer, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Customer>> + Send;

    /// Stores a new customer with its contacts, tags and search entry.
    fn insert(&self, customer: Customer) -> impl Future<Output = Result<()>> + Send;

    /// Loads the customer (`Error::NotFound`), checks `expected_version` (`Error::Stale`),
    /// lets `change` decide the new record from the current one and saves it, all in one
    /// transaction; returns the record as stored. An error from `change` leaves everything
    /// as it was.
    fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        change: F,
    ) -> impl Future<Output = Result<Customer>> + Send
    where
        F: FnOnce(&Customer) -> Result<Change> + Send + 'static;

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
}
