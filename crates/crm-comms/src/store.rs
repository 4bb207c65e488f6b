//! Where entries and media records are kept: the storage trait the service is generic over.
//!
//! Each method is one atomic operation; read-modify-write operations check the expected
//! version inside the same transaction, so a stale caller changes nothing. A store keeps the
//! search index and the per-customer counts in step with the entries.

pub mod sqlite;

use std::future::Future;

use crm_core::{Page, Timestamp};
use uuid::Uuid;

use crate::error::Result;
use crate::model::{
    Assignment, Before, Counts, CursorPage, Entry, Ingested, JsonPage, ListQuery, MediaQuery,
    MediaRecord, SearchPage,
};

pub trait CommsStore: Send + Sync + 'static {
    /// Stores validated entries in one durable write. For each, in order: the stored entry
    /// (`created`), the entry already stored under its `(type, ext_message_id)` (not
    /// created), or `Error::Invalid` on `customer_id` when that customer does not exist.
    fn ingest(
        &self,
        entries: Vec<Entry>,
    ) -> impl Future<Output = Result<Vec<Result<Ingested>>>> + Send;

    /// The entry, or `Error::NotFound`.
    fn get(&self, id: Uuid) -> impl Future<Output = Result<Entry>> + Send;

    /// A customer's entries, newest first.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<CursorPage<Entry>>> + Send;

    /// The same page as [`list`](Self::list), rendered straight from the stored rows.
    fn list_json(&self, query: ListQuery) -> impl Future<Output = Result<JsonPage>> + Send;

    /// The conversation of `id`: for an e-mail, every e-mail entry of its thread
    /// (`meta.thread`), oldest first, at most `limit`; for anything else the entry alone.
    /// `Error::NotFound` for an unknown id.
    fn thread(&self, id: Uuid, limit: u32) -> impl Future<Output = Result<Vec<Entry>>> + Send;

    /// Missed calls (inbound and unanswered) of every customer and of the inbox, newest
    /// first.
    fn missed_calls(
        &self,
        limit: u32,
        before: Option<Before>,
    ) -> impl Future<Output = Result<CursorPage<Entry>>> + Send;

    /// The unassigned inbox, newest first.
    fn inbox(
        &self,
        limit: u32,
        before: Option<Before>,
    ) -> impl Future<Output = Result<CursorPage<Entry>>> + Send;

    /// The unassigned entries whose sender's normal form ([`crate::model::sender_key`]) is
    /// one of `senders`, newest first, at most `limit`.
    fn inbox_from(
        &self,
        senders: Vec<String>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Entry>>> + Send;

    /// Loads the entry (`Error::NotFound`), checks `expected_version` (`Error::Stale`), lets
    /// `change` decide the new record (`None`: nothing changes) and saves it with the next
    /// version, in one transaction.
    fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        change: F,
    ) -> impl Future<Output = Result<Entry>> + Send
    where
        F: FnOnce(&Entry) -> Result<Option<Entry>> + Send + 'static;

    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Gives the inbox entry `id` — and with `same_sender` every inbox entry with its sender
    /// key — to the customer. `Error::Conflict` if `id` is not in the inbox, `Error::Invalid`
    /// on `customer_id` if the customer does not exist.
    fn assign(
        &self,
        id: Uuid,
        customer_id: Uuid,
        same_sender: bool,
        now: Timestamp,
    ) -> impl Future<Output = Result<Assignment>> + Send;

    /// One page of the entries matching an FTS5 `MATCH` expression and their number (exact,
    /// or a lower bound for very broad searches).
    fn search(
        &self,
        expr: String,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<SearchPage>> + Send;

    /// How many entries and media records belong to the customer.
    fn counts(&self, customer_id: Uuid) -> impl Future<Output = Result<Counts>> + Send;

    /// Stores a validated media record. `Error::Conflict` if another record has its path,
    /// `Error::Invalid` if its customer or order does not exist.
    fn insert_media(&self, record: MediaRecord) -> impl Future<Output = Result<()>> + Send;

    fn get_media(&self, id: Uuid) -> impl Future<Output = Result<MediaRecord>> + Send;

    /// The record of the file at `path`, if there is one.
    fn media_by_path(
        &self,
        path: String,
    ) -> impl Future<Output = Result<Option<MediaRecord>>> + Send;

    /// Media records of a customer or an order (one of the two is set), newest first.
    fn list_media(
        &self,
        query: MediaQuery,
    ) -> impl Future<Output = Result<Page<MediaRecord>>> + Send;

    /// A customer's media records strictly after `before`, newest first.
    fn media_before(
        &self,
        customer_id: Uuid,
        before: Option<Before>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<MediaRecord>>> + Send;

    fn delete_media(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The file of a record was replaced: new size and type, the version bumped.
    fn update_media_file(
        &self,
        id: Uuid,
        size: Option<u64>,
        mime_type: Option<String>,
        at: Timestamp,
    ) -> impl Future<Output = Result<MediaRecord>> + Send;
}
