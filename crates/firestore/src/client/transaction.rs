//! A transaction's handle: reads inside it, then commit or rollback.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Client;
use super::retry::Retry;
use crate::error::{Error, Result};
use crate::proto::{CommitResponse, Document, Query, Write};

/// A transaction begun by [`Client::begin_transaction`] or given to the closure of
/// [`Client::run_transaction`]. Cheap to clone (clones share the transaction).
///
/// In a read-write transaction every read locks what it read until the commit or rollback;
/// all reads come before the writes (the writes are given at the commit). Reads go through
/// `batchGet` and `runQuery` bodies (the emulator cannot take a transaction as a query
/// parameter).
#[derive(Debug, Clone)]
pub struct Transaction {
    client: Client,
    id: Arc<str>,
    /// Set when a read of this transaction was refused with `ABORTED`: the transaction is
    /// dead and the whole of it is worth starting over.
    contention: Arc<AtomicBool>,
}

impl Transaction {
    pub(crate) fn new(client: Client, id: String) -> Self {
        Self {
            client,
            id: id.into(),
            contention: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The transaction's id (base64, opaque).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether one of its reads lost to contention.
    pub fn saw_contention(&self) -> bool {
        self.contention.load(Ordering::Relaxed)
    }

    fn note<T>(&self, r: Result<T>) -> Result<T> {
        if let Err(Error::Aborted(_)) = &r {
            self.contention.store(true, Ordering::Relaxed);
        }
        r
    }

    /// The document at `path` as of this transaction, or `None`.
    pub async fn get(&self, path: &str) -> Result<Option<Document>> {
        let mut docs = self.batch_get(&[path]).await?;
        Ok(docs.pop().flatten())
    }

    /// The documents at `paths`, in order (`None` for a missing one).
    pub async fn batch_get(&self, paths: &[&str]) -> Result<Vec<Option<Document>>> {
        let r = self
            .client
            .batch_get_in(paths, Some(&self.id), Retry::TxRead)
            .await;
        self.note(r)
    }

    /// The documents `query` selects, as of this transaction.
    pub async fn run_query(&self, query: &Query) -> Result<Vec<Document>> {
        let r = self
            .client
            .run_query_in(query, Some(&self.id), Retry::TxRead)
            .await;
        self.note(r)
    }

    /// How many documents `query` selects, as of this transaction.
    pub async fn count(&self, query: &Query) -> Result<i64> {
        let r = self
            .client
            .count_in(query, Some(&self.id), Retry::TxRead)
            .await;
        self.note(r)
    }

    /// Commits `writes` atomically with the reads' locks (never repeated: on
    /// [`Error::Aborted`], start the transaction over).
    pub async fn commit(self, writes: &[Write]) -> Result<CommitResponse> {
        self.client
            .commit_in(writes, Some(&self.id), Retry::Never)
            .await
    }

    /// Abandons the transaction and releases its locks.
    pub async fn rollback(self) -> Result<()> {
        self.client.rollback_id(&self.id).await
    }
}
