//! [`AnyProductStore`]: the store the gateway picks when it starts — SQLite (the embedded
//! default) or Firestore — behind one type, so the service stays generic over a store
//! without a `Box<dyn>`.

use uuid::Uuid;

use crate::error::Result;
use crm_core::Timestamp;

use crate::model::{ListQuery, Page, PartUse, Product};
use crate::store::firestore::FirestoreProductStore;
use crate::store::sqlite::SqliteProductStore;
use crate::store::{Change, ProductStore};

/// One of the product stores; every call goes to the one it holds.
#[derive(Debug, Clone)]
pub enum AnyProductStore {
    Sqlite(SqliteProductStore),
    Firestore(FirestoreProductStore),
}

impl AnyProductStore {
    /// Writes the derived fields (folded name, SKU claim) of products stored without them or
    /// with stale ones (Firestore: documents written by another program); how many were
    /// written. SQLite keeps them in step on every write and has nothing to do.
    pub async fn reindex(&self) -> crate::error::Result<u64> {
        match self {
            Self::Sqlite(_) => Ok(0),
            Self::Firestore(s) => s.reindex().await,
        }
    }
}

impl From<SqliteProductStore> for AnyProductStore {
    fn from(s: SqliteProductStore) -> Self {
        Self::Sqlite(s)
    }
}

impl From<FirestoreProductStore> for AnyProductStore {
    fn from(s: FirestoreProductStore) -> Self {
        Self::Firestore(s)
    }
}

impl ProductStore for AnyProductStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Product>> {
        crm_core::delegate!(self, list(query))
    }

    async fn get(&self, id: Uuid) -> Result<Product> {
        crm_core::delegate!(self, get(id))
    }

    async fn insert(&self, product: Product) -> Result<()> {
        crm_core::delegate!(self, insert(product))
    }

    async fn update<F>(&self, id: Uuid, expected_version: Option<i64>, change: F) -> Result<Product>
    where
        F: FnMut(&Product) -> Result<Change> + Send + 'static,
    {
        crm_core::delegate!(self, update(id, expected_version, change))
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        crm_core::delegate!(self, delete(id, expected_version))
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Product>> {
        crm_core::delegate!(self, scan(after, limit))
    }

    async fn put_all(&self, records: Vec<Product>) -> Result<()> {
        crm_core::delegate!(self, put_all(records))
    }

    async fn take_parts(
        &self,
        key: String,
        parts: Vec<PartUse>,
        use_reserved: bool,
        at: Timestamp,
    ) -> Result<bool> {
        crm_core::delegate!(self, take_parts(key, parts, use_reserved, at))
    }

    async fn return_parts(&self, key: String, at: Timestamp) -> Result<bool> {
        crm_core::delegate!(self, return_parts(key, at))
    }
}
