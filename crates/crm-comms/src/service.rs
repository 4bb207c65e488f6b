//! The comms service: the public trait the gateway and the bridges call, and its
//! implementation over any [`CommsStore`].

use std::future::Future;
use std::sync::Arc;

use crm_core::validate::optional_line;
use crm_core::{Clock, Page};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{
    Assignment, Before, Counts, CursorPage, Entry, EntryPatch, Ingested, JsonPage, LINE_MAX,
    ListQuery, MediaQuery, MediaRecord, NewEntry, NewMedia, PAGE_SIZE, SearchPage, SearchQuery,
    THREAD_MAX, relative_path,
};
use crate::search;
use crate::store::CommsStore;

/// Everything that can be done with the comms log and media records.
pub trait Comms: Send + Sync {
    /// Validates and stores an entry, once per `(type, ext_message_id)`: a repeat returns the
    /// stored entry with `created: false` and changes nothing. Unknown customer →
    /// `Error::Invalid` on `customer_id`.
    fn ingest(&self, new: NewEntry) -> impl Future<Output = Result<Ingested>> + Send;

    /// [`Comms::ingest`] for many entries in one durable write; one outcome per input, in
    /// order. An invalid entry fails alone.
    fn ingest_batch(
        &self,
        new: Vec<NewEntry>,
    ) -> impl Future<Output = Result<Vec<Result<Ingested>>>> + Send;

    fn get(&self, id: Uuid) -> impl Future<Output = Result<Entry>> + Send;

    /// A customer's entries, newest first, a page at a time.
    fn list(&self, query: ListQuery) -> impl Future<Output = Result<CursorPage<Entry>>> + Send;

    /// The same page as [`list`](Self::list), as JSON: what the API sends, without building
    /// an [`Entry`] for each row (a third of the CPU of a 100-entry page).
    fn list_json(&self, query: ListQuery) -> impl Future<Output = Result<JsonPage>> + Send;

    /// The conversation an entry belongs to, oldest first: for an e-mail the entries of its
    /// thread (at most [`THREAD_MAX`]), for anything else the entry alone.
    fn thread(&self, id: Uuid) -> impl Future<Output = Result<Vec<Entry>>> + Send;

    /// Missed calls of every customer (and of unknown numbers), newest first.
    fn missed_calls(
        &self,
        limit: Option<u32>,
        before: Option<Before>,
    ) -> impl Future<Output = Result<CursorPage<Entry>>> + Send;

    /// The entries nobody has matched yet, newest first.
    fn inbox(
        &self,
        limit: Option<u32>,
        before: Option<Before>,
    ) -> impl Future<Output = Result<CursorPage<Entry>>> + Send;

    /// The entries nobody has matched yet from any of `senders` (normal forms: lower-cased
    /// e-mail addresses, E.164 numbers), newest first, at most `limit` (default 100, at most
    /// 1000): what someone not yet a customer has sent.
    fn inbox_from(
        &self,
        senders: Vec<String>,
        limit: Option<u32>,
    ) -> impl Future<Output = Result<Vec<Entry>>> + Send;

    /// Changes subject, body or occurred_at. Stale `expected_version` → `Error::Stale`; a
    /// patch that changes nothing keeps the version.
    fn update(
        &self,
        id: Uuid,
        patch: EntryPatch,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<Entry>> + Send;

    fn delete(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Moves an inbox entry — with `same_sender`, every inbox entry of its sender — to a
    /// customer.
    fn assign(
        &self,
        id: Uuid,
        customer_id: Uuid,
        same_sender: bool,
    ) -> impl Future<Output = Result<Assignment>> + Send;

    /// Entries whose subject or body has the words of `q` (Greek-aware, prefixes), optionally
    /// of one customer and one type. No word in `q` → `Error::Invalid` on `q`.
    fn search(&self, query: SearchQuery) -> impl Future<Output = Result<SearchPage>> + Send;

    /// How many entries and media records refer to a customer.
    fn counts_for_customer(&self, customer_id: Uuid)
    -> impl Future<Output = Result<Counts>> + Send;

    /// Validates and stores a media record for a file already in Nextcloud.
    fn create_media(&self, new: NewMedia) -> impl Future<Output = Result<MediaRecord>> + Send;

    fn get_media(&self, id: Uuid) -> impl Future<Output = Result<MediaRecord>> + Send;

    /// The record of the file at a path relative to the base folder, if any.
    fn media_by_path(&self, path: &str)
    -> impl Future<Output = Result<Option<MediaRecord>>> + Send;

    fn list_media(
        &self,
        query: MediaQuery,
    ) -> impl Future<Output = Result<Page<MediaRecord>>> + Send;

    /// A customer's media records strictly after `before`, newest first (for the timeline).
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

    /// The file behind a record was replaced (uploaded again): its size and type follow.
    fn media_file_replaced(
        &self,
        id: Uuid,
        size: Option<u64>,
        mime_type: Option<String>,
    ) -> impl Future<Output = Result<MediaRecord>> + Send;
}

/// [`Comms`] over a store, with time from an injected clock. New records get time-ordered
/// (v7) ids, so that they append to the id index.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: CommsStore> Service<S> {
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: CommsStore> Comms for Service<S> {
    async fn ingest(&self, new: NewEntry) -> Result<Ingested> {
        let entry = new.into_entry(Uuid::now_v7(), self.clock.now())?;
        self.store
            .ingest(vec![entry])
            .await?
            .pop()
            .unwrap_or_else(|| Err(Error::invalid("entry", "nothing was stored")))
    }

    async fn ingest_batch(&self, new: Vec<NewEntry>) -> Result<Vec<Result<Ingested>>> {
        let now = self.clock.now();
        let mut outcomes: Vec<Option<Result<Ingested>>> = Vec::with_capacity(new.len());
        let mut valid = Vec::with_capacity(new.len());
        for n in new {
            match n.into_entry(Uuid::now_v7(), now) {
                Ok(e) => {
                    valid.push(e);
                    outcomes.push(None);
                }
                Err(e) => outcomes.push(Some(Err(e))),
            }
        }
        let mut stored = self.store.ingest(valid).await?.into_iter();
        Ok(outcomes
            .into_iter()
            .map(|o| {
                o.or_else(|| stored.next())
                    .unwrap_or_else(|| Err(Error::invalid("entry", "nothing was stored")))
            })
            .collect())
    }

    async fn get(&self, id: Uuid) -> Result<Entry> {
        self.store.get(id).await
    }

    async fn list(&self, query: ListQuery) -> Result<CursorPage<Entry>> {
        self.store.list(query).await
    }

    async fn list_json(&self, query: ListQuery) -> Result<JsonPage> {
        self.store.list_json(query).await
    }

    async fn inbox(&self, limit: Option<u32>, before: Option<Before>) -> Result<CursorPage<Entry>> {
        self.store.inbox(PAGE_SIZE.of(limit), before).await
    }

    async fn inbox_from(&self, senders: Vec<String>, limit: Option<u32>) -> Result<Vec<Entry>> {
        if senders.is_empty() {
            return Ok(Vec::new());
        }
        self.store.inbox_from(senders, PAGE_SIZE.of(limit)).await
    }

    async fn thread(&self, id: Uuid) -> Result<Vec<Entry>> {
        self.store.thread(id, THREAD_MAX).await
    }

    async fn missed_calls(
        &self,
        limit: Option<u32>,
        before: Option<Before>,
    ) -> Result<CursorPage<Entry>> {
        self.store.missed_calls(PAGE_SIZE.of(limit), before).await
    }

    async fn update(
        &self,
        id: Uuid,
        patch: EntryPatch,
        expected_version: Option<i64>,
    ) -> Result<Entry> {
        let now = self.clock.now();
        self.store
            .update(id, expected_version, move |current| {
                let next = patch.apply(current, now)?;
                Ok((next != *current).then_some(next))
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.store.delete(id, expected_version).await
    }

    async fn assign(&self, id: Uuid, customer_id: Uuid, same_sender: bool) -> Result<Assignment> {
        self.store
            .assign(id, customer_id, same_sender, self.clock.now())
            .await
    }

    async fn search(&self, query: SearchQuery) -> Result<SearchPage> {
        let expr = search::match_expression(&query.q, query.customer_id, query.kind)
            .ok_or_else(|| Error::invalid("q", "must contain at least one word"))?;
        self.store
            .search(expr, PAGE_SIZE.of(query.limit), query.offset.unwrap_or(0))
            .await
    }

    async fn counts_for_customer(&self, customer_id: Uuid) -> Result<Counts> {
        self.store.counts(customer_id).await
    }

    async fn create_media(&self, new: NewMedia) -> Result<MediaRecord> {
        let record = new.into_record(Uuid::now_v7(), self.clock.now())?;
        self.store.insert_media(record.clone()).await?;
        Ok(record)
    }

    async fn get_media(&self, id: Uuid) -> Result<MediaRecord> {
        self.store.get_media(id).await
    }

    async fn media_by_path(&self, path: &str) -> Result<Option<MediaRecord>> {
        let path = relative_path("path", path)?;
        self.store.media_by_path(path).await
    }

    async fn list_media(&self, query: MediaQuery) -> Result<Page<MediaRecord>> {
        self.store.list_media(query).await
    }

    async fn media_before(
        &self,
        customer_id: Uuid,
        before: Option<Before>,
        limit: u32,
    ) -> Result<Vec<MediaRecord>> {
        self.store.media_before(customer_id, before, limit).await
    }

    async fn delete_media(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.store.delete_media(id, expected_version).await
    }

    async fn media_file_replaced(
        &self,
        id: Uuid,
        size: Option<u64>,
        mime_type: Option<String>,
    ) -> Result<MediaRecord> {
        let mime_type = optional_line("mime_type", mime_type, LINE_MAX)?;
        self.store
            .update_media_file(id, size, mime_type, self.clock.now())
            .await
    }
}

#[cfg(test)]
mod tests;
