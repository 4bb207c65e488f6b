//! Customers in Firestore: one document per customer in `crm_customers` (the collection
//! BellSystems' Python console also reads and writes), document id = the customer's uuid.
//!
//! # Documents
//!
//! A document is the customer's API JSON without `id` ([`crm_core::firestore::encode`]):
//! `name`, `organization`, `contacts` (`type`, `label`, `value`, `primary`, and `e164`,
//! `unlisted` when there), `notes` (`text`, `by`, `at`), `location` (`city`, `country`,
//! `region`), `language`, `tags`, `owned_items`, `linked_user_ids`, `nextcloud_folder`,
//! `created_at`, `updated_at` (timestamps, like `notes[].at`), `version` (an integer). Beside
//! them the store keeps derived fields, which other readers ignore:
//!
//! - `sort_key`: the folded name ([`search::fold`]), for lists by name;
//! - `search_keys`: every prefix, up to [`search::MAX_PREFIX_CHARS`] characters, of every
//!   search key of the customer ([`search::search_keys`]: name, organization, contacts with
//!   every phone form, tags, location words): no longer read by this store (see *Search*), kept for other
//!   readers;
//! - `tag_keys`: [`tag_key`] of each tag (likewise kept for other readers);
//! - `contact_keys`: `email:<lower-case address>` and `phone:<E.164>` (phone and WhatsApp),
//!   for [`CustomerStore::find_by_contact`].
//!
//! Documents written by the console are read leniently (no `version`: 1; missing or `null`
//! fields: their defaults; naive ISO timestamps: UTC; no `updated_at`: `created_at`). They
//! lack the derived fields until [`FirestoreCustomerStore::reindex`] or our next write of
//! them adds them. Search and the tag filter do not need them (the search index computes
//! its keys from the record's fields); a list by name (no search, no tag) does not see such
//! a document until then (Firestore leaves out of an ordered query the documents without
//! the ordered field), and neither does `find_by_contact`; a `get` does. Our writes touch
//! only our fields (an update mask), so fields the console keeps and we do not know survive.
//!
//! # Search
//!
//! Firestore has no full-text search, and asking it for candidates (`array-contains-any` on
//! `search_keys`) reads, and bills, every candidate; on the emulator, which has no indexes,
//! it took seconds. So a search, and a tag, city or region filter, is answered from an
//! in-process index (`index.rs`, `live.rs`): per customer, its full search keys
//! ([`search::keys`] of [`search::document`], computed from name, organization, contacts,
//! tags and location — a phone number without `e164` is normalised on the way — not read
//! from our derived fields, so documents other programs wrote are found without a reindex),
//! its tag keys, the folded city and region ([`crate::model::place_key`]) and its folded
//! name, plus a sorted map from each key to the customers having it. A query becomes groups
//! of key alternatives ([`search::query_groups`], as SQLite's `MATCH`); a customer matches
//! when every group has a prefix that one of its keys starts with (the whole key: longer
//! queries than the stored prefixes behave as in SQLite) or an inflection equal to one of its
//! keys (`agios` → `aju`, Αγίου), and has the tag, city and region asked. The city and
//! region filters go through this index rather than a derived folded field queried in
//! Firestore: a query on such a field would miss the console's documents until a reindex
//! wrote it, and could not combine with a search without reading every candidate. Hits are ordered by
//! folded name, then id; the total is exact over the index. Only the page's documents are
//! read (`batchGet`): one found deleted is dropped from the answer (and the total) and from
//! the index, one found changed so that it no longer matches likewise, and the index takes
//! the newer versions it sees. SQLite orders searches by relevance first (whole words as
//! typed, then in another form, then bm25); Firestore has no relevance, so the two stores
//! return the same customers in another order.
//!
//! The index of a store instance (shared by its clones) is loaded on the first search or
//! filter: the whole collection, 1,000 projections (`name`, `organization`, `contacts`,
//! `tags`, `location`, `updated_at`) per page, by one loader however many requests arrive at once (the
//! others wait for it). [`FirestoreCustomerStore::load_search_index`] loads it ahead.
//! Measured on the emulator with 10,000 seeded customers (`benches/search_firestore.rs`):
//! 3.2–3.5 s to load; about 1 KB per customer (1,030 bytes by the index's estimate,
//! 750–1,070 by the process's resident memory growth over runs: 7.5–10.7 MB); searches p50
//! 24 ms, most of it the `batchGet` of the page's 50 documents (6 ms for a page of 6).
//!
//! Freshness, and its bounds:
//!
//! - The store's own writes (insert, update, delete, `put_all`, reindex) change the index
//!   right after Firestore accepts them: this process sees its own writes at once.
//! - Other writers (another CRM process, the Python console): before answering, a search
//!   whose index was last refreshed more than `refresh_every` ago (default
//!   [`DEFAULT_REFRESH_EVERY`], 5 s; [`FirestoreCustomerStore::with_search_refresh`]) asks
//!   for the documents with `updated_at` at or after the start of the previous refresh minus
//!   [`DELTA_OVERLAP`] (30 s), by `updated_at` and page by page, and applies them (one
//!   search refreshes, concurrent ones wait for it). So a new or changed customer is found
//!   at most `refresh_every` (plus the query) after its write, if its writer's clock is
//!   within 30 s of ours and it commits within 30 s of stamping `updated_at` (cursors on our
//!   clock rather than on the newest `updated_at` seen, so that one writer's fast clock
//!   does not hide another's writes; documents changed in the last ~35 s are read again at
//!   each refresh).
//! - Deletions by others, and documents whose `updated_at` is missing or a string (the
//!   console's), have no `updated_at` to be found by: a page that shows a deleted customer
//!   drops it at once, but otherwise they reach the index with the next full reload, every
//!   `reload_every` (default [`DEFAULT_RELOAD_EVERY`], 1 h;
//!   [`FirestoreCustomerStore::with_search_reload`]), started by a search when due and run
//!   in the background (answers meanwhile come from the current index, which the new one
//!   replaces when complete, with the changes seen meanwhile applied again). Until then a
//!   deleted customer still counts in totals, and such a document is not found.
//!
//! Changes can arrive out of order (a refresh that read a document before our own write
//! landed, a reload racing a refresh): each index entry keeps the Firestore update time
//! (server time) of the version it was computed from, a deletion leaves a tombstone with
//! its time, and only newer versions replace older ones.
//!
//! The index lives in each process: N gateway processes load N copies, each reading the
//! whole collection at start and hourly (10,000 document reads each time on real
//! Firestore), plus the documents changed recently at each refresh. The lookup is a range
//! of the sorted key map per alternative, so its cost follows the matches, not the
//! collection; ordering the hits sorts them (a one-letter search matching 8,630 of 10,000
//! customers answers in 27 ms p50 on the emulator, page read included).
//!
//! # Writes
//!
//! An update reads the document, checks the expected version, computes the new record and
//! writes it with a precondition on the update time it read: if someone wrote in between,
//! it starts over from the new document (so a caller's expected version is then stale:
//! two writers never both win). A delete checks the same way, and refuses (`InUse`) when an
//! order in `crm_orders` has the customer's `customer_id`, or when the [`Referrers`] hook
//! (comms and media, in SQLite) names something.
//!
//! # Indexes
//!
//! Real Firestore needs a composite index for the list by name: `sort_key` with `__name__`
//! (single-field indexes cover the rest, including the refresh's `updated_at` range). The
//! emulator needs none.

mod index;
mod live;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crm_core::firestore::{Collections, decode, encode, unchanged_since, version};
use crm_core::fts::Group;
use crm_core::store::check_version;
use crm_core::{Clock, SystemClock};
use firestore::{
    Client, CommitResponse, Direction, Document, Fields, Filter, MAX_WRITES_PER_COMMIT, NAME_FIELD,
    Query, Value, Write, doc_path,
};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::error::{Error, Result, not_found};
use crate::model::{ContactType, Customer, ListQuery, Page, tag_key};
use crate::normalize;
use crate::search;
use crate::store::{Change, ContactKey, CustomerStore, Referrers};
use index::{Entry, Filters, Observed, just_after};
pub use live::{DEFAULT_REFRESH_EVERY, DEFAULT_RELOAD_EVERY, DELTA_OVERLAP, SearchIndexStats};
use live::{LiveIndex, Settings};

/// Where timestamps are in a customer's document.
const TIMESTAMPS: &[&str] = &["created_at", "updated_at", "notes[].at"];

/// The record's fields: what an update of ours writes (the mask), with [`DERIVED`].
const RECORD_FIELDS: &[&str] = &[
    "name",
    "organization",
    "contacts",
    "notes",
    "location",
    "language",
    "tags",
    "owned_items",
    "linked_user_ids",
    "nextcloud_folder",
    "created_at",
    "updated_at",
    "version",
];

/// The fields the store derives from the record.
const DERIVED: &[&str] = &["sort_key", "search_keys", "tag_keys", "contact_keys"];

/// Attempts of a read-check-write before giving up (`Error::Unavailable`): each failed one
/// means another writer won in between.
const MAX_WRITE_ATTEMPTS: u32 = 50;

/// Commits of [`CustomerStore::put_all`] in flight at once.
const PUT_CONCURRENCY: usize = 4;

/// Documents read per page by [`FirestoreCustomerStore::reindex`].
const REINDEX_PAGE: u32 = 500;

/// The Firestore implementation of [`CustomerStore`].
#[derive(Debug, Clone)]
pub struct FirestoreCustomerStore {
    client: Client,
    collections: Collections,
    referrers: Option<Arc<dyn Referrers>>,
    /// Shared by the store's clones.
    index: Arc<LiveIndex>,
}

impl FirestoreCustomerStore {
    /// A store with its own search index (not loaded yet), refreshed every
    /// [`DEFAULT_REFRESH_EVERY`] and reloaded every [`DEFAULT_RELOAD_EVERY`], on the wall
    /// clock.
    pub fn new(client: Client, collections: Collections) -> Self {
        Self {
            client,
            collections,
            referrers: None,
            index: Arc::new(LiveIndex::new(Settings::default(), Arc::new(SystemClock))),
        }
    }

    /// The same store with a new search index (not loaded yet: configure before use) that
    /// asks Firestore for other writers' changes when its last refresh is older than
    /// `every` (see the module doc, *Search*; zero: before every search).
    pub fn with_search_refresh(self, every: Duration) -> Self {
        let settings = Settings {
            refresh_every: every,
            ..self.index.settings()
        };
        let clock = self.index.clock();
        self.with_index(settings, clock)
    }

    /// The same store with a new search index (not loaded yet: configure before use) read
    /// again in full, in the background, when its last full read is older than `every`.
    pub fn with_search_reload(self, every: Duration) -> Self {
        let settings = Settings {
            reload_every: every,
            ..self.index.settings()
        };
        let clock = self.index.clock();
        self.with_index(settings, clock)
    }

    /// The same store with a new search index (not loaded yet: configure before use) timing
    /// its delta refreshes by `clock` (the time compared with other writers' `updated_at`).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        let settings = self.index.settings();
        self.with_index(settings, clock)
    }

    fn with_index(self, settings: Settings, clock: Arc<dyn Clock>) -> Self {
        Self {
            index: Arc::new(LiveIndex::new(settings, clock)),
            ..self
        }
    }

    /// Loads the search index now if it is not loaded yet (else refreshes it when due), so
    /// that the first search does not wait for it (the gateway at start, benchmarks).
    pub async fn load_search_index(&self) -> Result<()> {
        self.index
            .ready(&self.client, &self.collections.customers())
            .await
    }

    /// What the search index holds and has done.
    pub fn search_index_stats(&self) -> SearchIndexStats {
        self.index.stats()
    }

    /// Tells the index what the store itself wrote: each customer's new entry (`None`: a
    /// delete), `response` answering one write per customer, in order.
    fn wrote(
        &self,
        written: impl IntoIterator<Item = (Uuid, Option<Entry>)>,
        response: &CommitResponse,
    ) {
        let changes = written
            .into_iter()
            .enumerate()
            .filter_map(|(i, (id, entry))| {
                let seen = response
                    .write_results
                    .get(i)
                    .and_then(|r| r.update_time)
                    .or(response.commit_time)?;
                Some(Observed { id, seen, entry })
            });
        self.index.observe(changes);
    }

    /// The same store, asking `referrers` before a delete whether comms or media refer to
    /// the customer.
    pub fn with_referrers(self, referrers: Arc<dyn Referrers>) -> Self {
        Self {
            referrers: Some(referrers),
            ..self
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn collections(&self) -> &Collections {
        &self.collections
    }

    fn path(&self, id: Uuid) -> String {
        doc_path(&self.collections.customers(), &id.to_string())
    }

    async fn load(&self, id: Uuid) -> Result<Option<Document>> {
        Ok(self.client.get(&self.path(id)).await?)
    }

    /// Writes the derived fields (`sort_key`, `search_keys`, `tag_keys`, `contact_keys`) of
    /// every document that lacks them or has stale ones (written by another program), each
    /// only if unchanged since read. Answers how many documents it wrote. A document that
    /// cannot be read as a customer is skipped (and logged); one written meanwhile is left
    /// to its writer.
    pub async fn reindex(&self) -> Result<u64> {
        let collection = self.collections.customers();
        let mut written = 0u64;
        let mut after: Option<String> = None;
        loop {
            let mut query = Query::collection(&collection)
                .order_by(NAME_FIELD, Direction::Ascending)
                .limit(REINDEX_PAGE);
            if let Some(path) = &after {
                query = query.start_after(vec![self.client.reference(path)]);
            }
            let docs = self.client.run_query(&query).await?;
            let Some(last) = docs.last() else {
                return Ok(written);
            };
            after = Some(last.path().to_owned());
            let full_page = docs.len() >= usize::try_from(REINDEX_PAGE).unwrap_or(usize::MAX);
            let mut writes = Vec::new();
            let mut customers = Vec::new();
            for doc in &docs {
                let customer = match decode_customer(doc) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(document = doc.path(), error = %e, "reindex: skipped");
                        continue;
                    }
                };
                let fields = derived(&customer);
                if DERIVED.iter().all(|f| doc.fields.get(*f) == fields.get(*f)) {
                    continue;
                }
                writes.push(
                    Write::update(doc.path(), fields, DERIVED.iter().copied())
                        .with_precondition(unchanged_since(doc)),
                );
                customers.push(customer);
            }
            for (chunk, customers) in writes
                .chunks(MAX_WRITES_PER_COMMIT)
                .zip(customers.chunks(MAX_WRITES_PER_COMMIT))
            {
                let mut done = CommitResponse::default();
                let mut which = Vec::new();
                for (result, c) in self
                    .client
                    .batch_write(chunk)
                    .await?
                    .into_iter()
                    .zip(customers)
                {
                    match result {
                        Ok(r) => {
                            written += 1;
                            done.write_results.push(r);
                            which.push((c.id, Some(Entry::of(c))));
                        }
                        Err(firestore::Error::PreconditionFailed(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                self.wrote(which, &done);
            }
            if !full_page {
                return Ok(written);
            }
        }
    }

    /// A search or a tag filter, answered by the search index; only the page's documents
    /// are read (see the module doc).
    async fn search(
        &self,
        groups: &[Group],
        filters: Filters<'_>,
        offset: u32,
        limit: u32,
    ) -> Result<Page<Customer>> {
        self.index
            .ready(&self.client, &self.collections.customers())
            .await?;
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let (mut total, page) = self.index.page(groups, filters, offset, limit);
        let paths: Vec<String> = page.iter().map(|(id, _)| self.path(*id)).collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let docs = self.client.batch_get(&refs).await?;
        let mut items = Vec::with_capacity(docs.len());
        let mut seen = Vec::new();
        for ((id, indexed), doc) in page.into_iter().zip(docs) {
            let Some(doc) = doc else {
                // deleted by another writer since the index saw it
                total = total.saturating_sub(1);
                if let Some(t) = indexed {
                    seen.push(Observed {
                        id,
                        seen: just_after(t),
                        entry: None,
                    });
                }
                continue;
            };
            let c = decode_customer(&doc)?;
            let entry = Entry::of(&c);
            // changed by another writer since the index saw it: answer what it is now
            let still = entry.matches(groups, filters);
            if let Some(t) = doc.update_time {
                seen.push(Observed {
                    id,
                    seen: t,
                    entry: Some(entry),
                });
            }
            if still {
                items.push(c);
            } else {
                total = total.saturating_sub(1);
            }
        }
        self.index.observe(seen);
        Ok(Page { items, total })
    }

    /// `InUse` when an order or (through the hook) comms or media refer to the customer.
    async fn check_unreferenced(&self, id: Uuid) -> Result<()> {
        let orders = Query::collection(self.collections.orders())
            .filter(Filter::eq("customer_id", id.to_string()))
            .select(Vec::<String>::new())
            .limit(1);
        let what = if !self.client.run_query(&orders).await?.is_empty() {
            Some("orders".to_owned())
        } else if let Some(referrers) = &self.referrers {
            referrers.referring_to(id).await?
        } else {
            None
        };
        match what {
            Some(what) => Err(Error::InUse {
                message: format!(
                    "customer {id} cannot be deleted: other records ({what}) refer to it"
                ),
            }),
            None => Ok(()),
        }
    }
}

/// The defaults of a customer's fields, for documents that lack some (see the module doc).
fn defaults() -> &'static Json {
    static DEFAULTS: OnceLock<Json> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        json!({
            "name": "",
            "organization": null,
            "contacts": [{"label": null, "primary": false}],
            "notes": [{"text": "", "by": ""}],
            "location": {"city": null, "country": null, "region": null},
            "language": "el",
            "tags": [],
            "owned_items": [],
            "linked_user_ids": [],
            "nextcloud_folder": null,
            "created_at": "1970-01-01T00:00:00Z",
            "updated_at": "1970-01-01T00:00:00Z",
        })
    })
}

/// A customer from its document (or a projection of it: what is not there is defaulted).
fn decode_customer(doc: &Document) -> Result<Customer> {
    let no_updated_at = matches!(doc.fields.get("updated_at"), None | Some(Value::Null));
    match doc.fields.get("created_at") {
        Some(created) if no_updated_at => {
            let mut doc = doc.clone();
            doc.fields.insert("updated_at".into(), created.clone());
            decode(&doc, TIMESTAMPS, defaults())
        }
        _ => decode(doc, TIMESTAMPS, defaults()),
    }
}

/// A customer's document: the record and its derived fields.
fn encode_customer(c: &Customer) -> Result<Fields> {
    let mut fields = encode(c, TIMESTAMPS)?;
    fields.extend(derived(c));
    Ok(fields)
}

fn strings(values: impl IntoIterator<Item = String>) -> Value {
    Value::Array(values.into_iter().map(Value::String).collect())
}

/// The derived fields of a customer (see the module doc).
fn derived(c: &Customer) -> Fields {
    let mut tag_keys: Vec<String> = c.tags.iter().map(|t| tag_key(t)).collect();
    tag_keys.sort();
    tag_keys.dedup();
    let mut fields = Fields::new();
    fields.insert("sort_key".into(), Value::String(search::fold(&c.name)));
    fields.insert(
        "search_keys".into(),
        strings(search::search_keys(&search::document(c))),
    );
    fields.insert("tag_keys".into(), strings(tag_keys));
    fields.insert("contact_keys".into(), strings(contact_keys(c)));
    fields
}

/// `email:<lower case>` and `phone:<E.164>` of each contact, sorted, without duplicates. A
/// number without a stored `e164` (a document from another program) is normalised here.
fn contact_keys(c: &Customer) -> Vec<String> {
    let mut keys: Vec<String> = c
        .contacts
        .iter()
        .filter_map(|contact| match contact.kind {
            ContactType::Email => Some(format!("email:{}", contact.normalized())),
            ContactType::Phone | ContactType::Whatsapp => {
                let e164 = contact
                    .e164
                    .clone()
                    .or_else(|| normalize::phone_e164(&contact.value))
                    .unwrap_or_else(|| contact.normalized());
                Some(format!("phone:{e164}"))
            }
            ContactType::Other => None,
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn contact_key(key: &ContactKey) -> String {
    match key {
        ContactKey::Email(v) => format!("email:{v}"),
        ContactKey::Phone(v) => format!("phone:{v}"),
    }
}

fn written_meanwhile(e: &firestore::Error) -> bool {
    matches!(
        e,
        firestore::Error::PreconditionFailed(_) | firestore::Error::NotFound(_)
    )
}

fn contended(id: Uuid) -> Error {
    Error::Unavailable {
        message: format!("customer {id} kept changing while being written; try again"),
    }
}

impl CustomerStore for FirestoreCustomerStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Customer>> {
        let limit = query.effective_limit();
        let offset = query.effective_offset();
        let tag = query.tag.as_deref().map(tag_key).filter(|t| !t.is_empty());
        let groups = query
            .search
            .as_deref()
            .map(search::query_groups)
            .unwrap_or_default();
        let (city, region) = (query.city_key(), query.region_key());
        let filters = Filters {
            tag: tag.as_deref(),
            city: city.as_deref(),
            region: region.as_deref(),
        };
        if !groups.is_empty() || filters.any() {
            return self.search(&groups, filters, offset, limit).await;
        }
        // ordered like the page, so that both leave out documents without a sort key
        let base = Query::collection(self.collections.customers())
            .order_by("sort_key", Direction::Ascending)
            .order_by(NAME_FIELD, Direction::Ascending);
        let page = base.clone().offset(offset).limit(limit);
        let (total, docs) = if limit == 0 {
            (self.client.count(&base).await?, Vec::new())
        } else {
            tokio::try_join!(self.client.count(&base), self.client.run_query(&page))?
        };
        let items = docs
            .iter()
            .map(decode_customer)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn get(&self, id: Uuid) -> Result<Customer> {
        let doc = self.load(id).await?.ok_or_else(|| not_found(id))?;
        decode_customer(&doc)
    }

    async fn insert(&self, customer: Customer) -> Result<()> {
        let fields = encode_customer(&customer)?;
        let id = customer.id.to_string();
        match self
            .client
            .create(&self.collections.customers(), &id, &fields)
            .await
        {
            Ok(doc) => {
                let response = CommitResponse {
                    commit_time: doc.update_time,
                    ..CommitResponse::default()
                };
                self.wrote([(customer.id, Some(Entry::of(&customer)))], &response);
                Ok(())
            }
            Err(firestore::Error::AlreadyExists(_)) => Err(Error::Conflict {
                message: format!("a customer with id {id} already exists"),
            }),
            Err(e) => Err(e.into()),
        }
    }

    async fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        mut change: F,
    ) -> Result<Customer>
    where
        F: FnMut(&Customer) -> Result<Change> + Send + 'static,
    {
        let path = self.path(id);
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let doc = self.load(id).await?.ok_or_else(|| not_found(id))?;
            let current = decode_customer(&doc)?;
            check_version(current.version, expected_version)?;
            let next = match change(&current)? {
                Change::Unchanged => return Ok(current),
                Change::Save(next) => Customer {
                    id: current.id,
                    created_at: current.created_at,
                    version: current.version + 1,
                    ..*next
                },
            };
            let mask = RECORD_FIELDS.iter().chain(DERIVED).copied();
            let write = Write::update(&path, encode_customer(&next)?, mask)
                .with_precondition(unchanged_since(&doc));
            match self.client.commit(&[write]).await {
                Ok(response) => {
                    self.wrote([(id, Some(Entry::of(&next)))], &response);
                    return Ok(next);
                }
                Err(e) if written_meanwhile(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(contended(id))
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        let path = self.path(id);
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let doc = self.load(id).await?.ok_or_else(|| not_found(id))?;
            check_version(version(&doc), expected_version)?;
            self.check_unreferenced(id).await?;
            let write = Write::delete(&path).with_precondition(unchanged_since(&doc));
            match self.client.commit(&[write]).await {
                Ok(response) => {
                    // the tombstone's time: the delete's, not the (empty) write result's
                    let response = CommitResponse {
                        write_results: Vec::new(),
                        ..response
                    };
                    self.wrote([(id, None)], &response);
                    return Ok(());
                }
                Err(e) if written_meanwhile(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(contended(id))
    }

    async fn find_by_contact(&self, key: ContactKey) -> Result<Option<Customer>> {
        let query = Query::collection(self.collections.customers())
            .filter(Filter::array_contains("contact_keys", contact_key(&key)));
        let mut owners = self
            .client
            .run_query(&query)
            .await?
            .iter()
            .map(decode_customer)
            .collect::<Result<Vec<_>>>()?;
        owners.sort_by_key(|c| (c.created_at, c.id));
        Ok(owners.into_iter().next())
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Customer>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut query = Query::collection(self.collections.customers())
            .order_by(NAME_FIELD, Direction::Ascending)
            .limit(limit);
        if let Some(after) = after {
            query = query.start_after(vec![self.client.reference(&self.path(after))]);
        }
        self.client
            .run_query(&query)
            .await?
            .iter()
            .map(decode_customer)
            .collect()
    }

    /// Commits of up to [`MAX_WRITES_PER_COMMIT`] writes, a few in flight at once. Each write
    /// sets the record's fields and the derived ones (an update mask: fields other programs
    /// keep in the document stay), creating the document when missing.
    async fn put_all(&self, records: Vec<Customer>) -> Result<()> {
        let mask: Vec<&str> = RECORD_FIELDS.iter().chain(DERIVED).copied().collect();
        let mut in_flight = tokio::task::JoinSet::new();
        // encoding the next commit overlaps with sending the ones before
        for chunk in records.chunks(MAX_WRITES_PER_COMMIT) {
            let writes = chunk
                .iter()
                .map(|c| {
                    Ok(Write::update(
                        self.path(c.id),
                        encode_customer(c)?,
                        mask.iter().copied(),
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            while in_flight.len() >= PUT_CONCURRENCY {
                match in_flight.join_next().await {
                    Some(done) => joined(done)?,
                    None => break,
                }
            }
            let client = self.client.clone();
            let store = self.clone();
            // nothing to keep in step before the index is first loaded
            let entries: Vec<(Uuid, Option<Entry>)> = if store.index.active() {
                chunk.iter().map(|c| (c.id, Some(Entry::of(c)))).collect()
            } else {
                Vec::new()
            };
            in_flight.spawn(async move {
                let response = client.commit(&writes).await?;
                store.wrote(entries, &response);
                Ok(())
            });
        }
        while let Some(done) = in_flight.join_next().await {
            joined(done)?;
        }
        Ok(())
    }
}

fn joined(done: std::result::Result<firestore::Result<()>, tokio::task::JoinError>) -> Result<()> {
    match done {
        Ok(r) => Ok(r?),
        Err(e) => Err(Error::Store {
            message: format!("a Firestore commit task failed: {e}"),
        }),
    }
}
