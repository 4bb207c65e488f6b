//! Where products are kept: the storage trait the service is generic over.
//!
//! Each method is one atomic operation. Read-modify-write operations (`update`, `delete`)
//! load the record, check the expected version and write in one transaction (or, on
//! Firestore, with a precondition on what was read), so a stale caller changes nothing.
//!
//! Two implementations: [`sqlite::SqliteProductStore`] (the embedded default) and
//! [`firestore::FirestoreProductStore`] (the collection `crm_products` BellSystems already
//! runs); [`AnyProductStore`] is either, chosen when the gateway starts.

pub mod any;
pub mod firestore;
pub mod sqlite;

use std::future::Future;

use uuid::Uuid;

use crate::error::Result;
use crm_core::Timestamp;

use crate::model::{ListQuery, Page, PartUse, Product};

/// What an [`ProductStore::update`] callback decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Store this record (the store sets `version` to the current one + 1 and keeps `id` and
    /// `created_at`).
    Save(Box<Product>),
    /// Nothing differs: leave the record and its version as they are.
    Unchanged,
}

pub trait ProductStore: Send + Sync + 'static {
    /// One page of products matching the query, ordered by folded name then id, and the
    /// number of matches in all pages.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Product>>> + Send;

    /// The product, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Product>> + Send;

    /// Stores a new product. A SKU equal to another ignoring case is `Error::Conflict`.
    fn insert(&self, product: Product) -> impl Future<Output = Result<()>> + Send;

    /// Loads the product (`Error::NotFound`), checks `expected_version` (`Error::Stale`),
    /// lets `change` decide the new record from the current one and saves it, all in one
    /// transaction; returns the record as stored. An error from `change` or from saving
    /// (`Error::Conflict` on a duplicate SKU) leaves everything as it was.
    ///
    /// `change` may be called more than once: a store without transactions (Firestore) that
    /// loses a race to another writer reads the record again and starts over.
    fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        change: F,
    ) -> impl Future<Output = Result<Product>> + Send
    where
        F: FnMut(&Product) -> Result<Change> + Send + 'static;

    /// Deletes the product after checking it exists (`Error::NotFound`) and
    /// `expected_version` (`Error::Stale`). A product that other records refer to is
    /// `Error::InUse` and stays.
    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Up to `limit` records with ids after `after` (none: from the first), in id order (the
    /// text order of the hyphenated lower-case uuid): copying and verifying, page by page.
    fn scan(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Product>>> + Send;

    /// Stores records exactly as given — ids, versions, timestamps (and what else the record
    /// says) — creating or replacing each: copying from another store. Idempotent: a second
    /// call with the same records changes nothing.
    fn put_all(&self, records: Vec<Product>) -> impl Future<Output = Result<()>> + Send;

    /// Takes `parts` out of stock as the movement named `key` (`visit:{id}`): every product's
    /// `stock.on_hand` goes down (see `Stock::take` for what may be taken; a shortage is
    /// `Error::Conflict` naming the product, an unknown product `Error::Invalid` on
    /// `parts[i].product_id`), all or nothing, bumping each product's version. The movement
    /// is remembered under its key: taking `key` again changes nothing and answers `false`
    /// (a retry after a lost answer); `true` when the parts were taken now.
    fn take_parts(
        &self,
        key: String,
        parts: Vec<PartUse>,
        use_reserved: bool,
        at: Timestamp,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Puts back what the movement `key` took and forgets it (a visit whose completion failed
    /// after its parts were taken, or that was cancelled); `false` when there was none.
    fn return_parts(&self, key: String, at: Timestamp)
    -> impl Future<Output = Result<bool>> + Send;
}
