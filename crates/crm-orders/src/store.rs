//! Where orders are kept: the storage trait the service is generic over.
//!
//! Each method is one atomic operation. Writes check what only the database can check — the
//! customer and the products exist, the next order number of the year — inside the same
//! transaction that saves the order, so concurrent writers can neither break those rules nor
//! see half of an operation. A stale caller changes nothing.
//!
//! Two implementations: [`sqlite::SqliteOrderStore`] (the embedded default) and
//! [`firestore::FirestoreOrderStore`] (the `crm_orders` collection BellSystems already runs);
//! [`AnyOrderStore`] is either, chosen when the server starts.

pub mod firestore;
pub mod sqlite;

use std::collections::HashMap;
use std::future::Future;

use crm_core::{Timestamp, VatRate};
use uuid::Uuid;

use crate::error::Result;
use crate::model::{ListQuery, Order, OrderEvent, Page};

/// What an [`OrderStore::update`] callback decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Store this record. The store keeps `id`, `order_number` and `created_at`, sets
    /// `version` to the current one + 1, appends a history entry when `status` differs from the
    /// stored one, and fills empty product names of changed items.
    Save(Box<Order>),
    /// Nothing differs: leave the record and its version as they are.
    Unchanged,
}

pub trait OrderStore: Send + Sync + 'static {
    /// One page of orders matching the query, newest first (`created_at`, then order number,
    /// descending), and the number of matches in all pages.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<Page<Order>>> + Send;

    /// The order with its items and status history, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Order>> + Send;

    /// Stores a new order, validated and with its totals computed. In one transaction the store
    /// checks the customer (`Error::Invalid` on `customer_id`) and the products
    /// (`items[i].product_id`), fills empty product names from the products, takes the next
    /// number of the year of `created_at`, and records the first status in the history.
    /// Returns the order as stored.
    fn insert(&self, order: Order) -> impl Future<Output = Result<Order>> + Send;

    /// Loads the order (`Error::NotFound`), checks `expected_version` (`Error::Stale`), lets
    /// `change` decide the new record from the current one and saves it (checking customer and
    /// products as [`OrderStore::insert`] does), all in one transaction; returns the record as
    /// stored. Any error leaves everything as it was. `change` may be called more than once
    /// (a remote store starts over when another writer got there first), each time on the
    /// record as it then is.
    fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        change: F,
    ) -> impl Future<Output = Result<Order>> + Send
    where
        F: Fn(&Order) -> Result<Change> + Send + Sync + 'static;

    /// Deletes the order with its items and history after checking it exists
    /// (`Error::NotFound`) and `expected_version` (`Error::Stale`). An order that other records
    /// refer to is `Error::InUse` and stays.
    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The default VAT rate of each of `products` that exists (a product stored without one
    /// has 24 %). Products that do not exist are left out: the write that names them refuses
    /// them.
    fn vat_rates(
        &self,
        products: Vec<Uuid>,
    ) -> impl Future<Output = Result<HashMap<Uuid, VatRate>>> + Send;

    /// The orders (at most 100, oldest first) with a line carrying serial number `serial`:
    /// the order that sold a device, and any that carried it again (a replacement).
    fn with_serial(&self, serial: String) -> impl Future<Output = Result<Vec<Order>>> + Send;

    /// How many orders the customer has.
    fn count_for_customer(&self, customer_id: Uuid) -> impl Future<Output = Result<u64>> + Send;

    /// Up to `limit` status changes of the customer's orders strictly after `before`
    /// (`(at, seq)`), newest first: by `at`, then `seq`, descending.
    fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<OrderEvent>>> + Send;

    /// Up to `limit` orders with ids after `after` (none: from the first), in id order (the
    /// text order of the hyphenated lower-case uuid): copying and verifying, page by page.
    fn scan(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Order>>> + Send;

    /// Stores orders exactly as given — ids, order numbers, versions, timestamps, items and
    /// status history — creating or replacing each: copying from another store. Idempotent: a
    /// second call with the same orders changes nothing. Afterwards the numbers a year gives
    /// new orders come after the highest number stored for that year.
    fn put_all(&self, orders: Vec<Order>) -> impl Future<Output = Result<()>> + Send;
}

/// The order store the server was started with: SQLite or Firestore.
#[derive(Debug, Clone)]
pub enum AnyOrderStore {
    Sqlite(sqlite::SqliteOrderStore),
    Firestore(firestore::FirestoreOrderStore),
}

impl AnyOrderStore {
    /// Writes the derived fields of orders stored without them (Firestore: documents written
    /// by another program); the number of orders written. SQLite has nothing to do.
    pub async fn reindex(&self) -> Result<u64> {
        match self {
            AnyOrderStore::Sqlite(_) => Ok(0),
            AnyOrderStore::Firestore(s) => s.reindex().await,
        }
    }
}

impl OrderStore for AnyOrderStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Order>> {
        crm_core::delegate!(self, list(query))
    }

    async fn get(&self, id: Uuid) -> Result<Order> {
        crm_core::delegate!(self, get(id))
    }

    async fn insert(&self, order: Order) -> Result<Order> {
        crm_core::delegate!(self, insert(order))
    }

    async fn update<F>(&self, id: Uuid, expected_version: Option<i64>, change: F) -> Result<Order>
    where
        F: Fn(&Order) -> Result<Change> + Send + Sync + 'static,
    {
        crm_core::delegate!(self, update(id, expected_version, change))
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        crm_core::delegate!(self, delete(id, expected_version))
    }

    async fn vat_rates(&self, products: Vec<Uuid>) -> Result<HashMap<Uuid, VatRate>> {
        crm_core::delegate!(self, vat_rates(products))
    }

    async fn with_serial(&self, serial: String) -> Result<Vec<Order>> {
        crm_core::delegate!(self, with_serial(serial))
    }

    async fn count_for_customer(&self, customer_id: Uuid) -> Result<u64> {
        crm_core::delegate!(self, count_for_customer(customer_id))
    }

    async fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> Result<Vec<OrderEvent>> {
        crm_core::delegate!(self, events_for_customer(customer_id, before, limit))
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Order>> {
        crm_core::delegate!(self, scan(after, limit))
    }

    async fn put_all(&self, orders: Vec<Order>) -> Result<()> {
        crm_core::delegate!(self, put_all(orders))
    }
}
