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
//!   every phone form, tags), for search;
//! - `tag_keys`: [`tag_key`] of each tag, for the tag filter;
//! - `contact_keys`: `email:<lower-case address>` and `phone:<E.164>` (phone and WhatsApp),
//!   for [`CustomerStore::find_by_contact`].
//!
//! Documents written by the console are read leniently (no `version`: 1; missing or `null`
//! fields: their defaults; naive ISO timestamps: UTC; no `updated_at`: `created_at`). They
//! lack the derived fields until [`FirestoreCustomerStore::reindex`] or our next write of
//! them adds them: until then a search, a tag filter or a list by name does not see them
//! (Firestore leaves out of an ordered query the documents without the ordered field), a
//! `get` does. Our writes touch only our fields (an update mask), so fields the console
//! keeps and we do not know survive.
//!
//! # Search
//!
//! Firestore has no full-text search. A query becomes groups of key alternatives
//! ([`search::query_groups`], the same groups SQLite's `MATCH` is built from). The most
//! selective group (the one whose shortest alternative is longest) is asked of Firestore with
//! `array-contains-any` on `search_keys` (30 values per query at most; more are asked in
//! several queries), fetching only name, organization, contacts and tags. Each candidate is
//! then finished in process: its keys are recomputed from those fields and every group must
//! have an alternative that one of them starts with, and the tag filter, if any, must hold
//! (Firestore allows no `array-contains` beside an `array-contains-any`). The hits are
//! ordered by folded name, then id, and only the page's documents are read in full. The
//! total is exact. SQLite orders searches by relevance (bm25) first; Firestore has no
//! relevance, so the two stores return the same customers in another order.
//!
//! A broad search (one or two letters) reads every candidate's projection: a cost in
//! proportion to the matches, where SQLite's index answers at once.
//!
//! Real Firestore answers `array-contains(-any)` from an index. The emulator has none: it
//! compares every element of every document's `search_keys` with every value asked (about
//! 5 s per value for 10,000 seeded customers), so searches on the emulator are slow — a
//! test-bed cost, not a production one.
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
//! Real Firestore needs composite indexes for the ordered lists: `tag_keys` (array-contains)
//! with `sort_key` and `__name__`, and `sort_key` with `__name__` (single-field indexes cover
//! the rest). The emulator needs none.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crm_core::firestore::{Collections, decode, encode, unchanged_since, version};
use crm_core::store::check_version;
use firestore::{
    Client, Direction, Document, Fields, Filter, MAX_WRITES_PER_COMMIT, NAME_FIELD, Query, Value,
    Write, doc_path,
};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::error::{Error, Result, not_found};
use crate::model::{ContactType, Customer, ListQuery, Page, tag_key};
use crate::normalize;
use crate::search;
use crate::store::{Change, ContactKey, CustomerStore, Referrers};

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

/// What a search reads of each candidate: enough to recompute its keys and check its tags.
const SEARCH_FIELDS: &[&str] = &["name", "organization", "contacts", "tags"];

/// Firestore's limit on the values of one `array-contains-any`.
const MAX_ANY_VALUES: usize = 30;

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
}

impl FirestoreCustomerStore {
    pub fn new(client: Client, collections: Collections) -> Self {
        Self {
            client,
            collections,
            referrers: None,
        }
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
            }
            for chunk in writes.chunks(MAX_WRITES_PER_COMMIT) {
                for result in self.client.batch_write(chunk).await? {
                    match result {
                        Ok(_) => written += 1,
                        Err(firestore::Error::PreconditionFailed(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            if !full_page {
                return Ok(written);
            }
        }
    }

    async fn search(
        &self,
        groups: &[Vec<String>],
        tag: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Page<Customer>> {
        let collection = self.collections.customers();
        let mut candidates: HashMap<String, String> = HashMap::new();
        for values in most_selective(groups).chunks(MAX_ANY_VALUES) {
            let query = Query::collection(&collection)
                .filter(Filter::array_contains_any(
                    "search_keys",
                    values.iter().map(|v| Value::String(v.clone())).collect(),
                ))
                .select(SEARCH_FIELDS.iter().copied());
            for doc in self.client.run_query(&query).await? {
                if candidates.contains_key(doc.id()) {
                    continue;
                }
                let c = decode_customer(&doc)?;
                let tagged = tag.is_none_or(|t| c.tags.iter().any(|x| tag_key(x) == t));
                if tagged && search::matches(groups, &search::keys(&search::document(&c))) {
                    candidates.insert(doc.id().to_owned(), search::fold(&c.name));
                }
            }
        }
        let mut hits: Vec<(String, String)> = candidates
            .into_iter()
            .map(|(id, sort_key)| (sort_key, id))
            .collect();
        hits.sort();
        let total = u64::try_from(hits.len()).unwrap_or(u64::MAX);
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let count = usize::try_from(limit).unwrap_or(usize::MAX);
        let paths: Vec<String> = hits
            .iter()
            .skip(start)
            .take(count)
            .map(|(_, id)| doc_path(&collection, id))
            .collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let items = self
            .client
            .batch_get(&refs)
            .await?
            .iter()
            .flatten()
            .map(decode_customer)
            .collect::<Result<Vec<_>>>()?;
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

/// The alternatives (cut to stored prefix length) of the group that narrows a search most:
/// the one whose shortest alternative is longest (it matches at most what that alternative
/// matches), then the one with fewer alternatives. An alternative that starts with another
/// one finds nothing more and is left out (each value costs the emulator a scan).
fn most_selective(groups: &[Vec<String>]) -> Vec<String> {
    let prefixes = |g: &Vec<String>| {
        let mut p: Vec<String> = g.iter().map(|k| search::prefix_key(k).to_owned()).collect();
        p.sort();
        p.dedup();
        // sorted: an alternative's prefixes among the others come right before it
        let mut kept: Vec<String> = Vec::with_capacity(p.len());
        for k in p {
            if !kept.last().is_some_and(|last| k.starts_with(last.as_str())) {
                kept.push(k);
            }
        }
        kept
    };
    groups
        .iter()
        .map(prefixes)
        .max_by_key(|p| {
            let shortest = p.iter().map(|k| k.chars().count()).min().unwrap_or(0);
            (shortest, std::cmp::Reverse(p.len()))
        })
        .unwrap_or_default()
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
        if !groups.is_empty() {
            return self.search(&groups, tag.as_deref(), offset, limit).await;
        }
        let mut base = Query::collection(self.collections.customers());
        if let Some(tag) = tag {
            base = base.filter(Filter::array_contains("tag_keys", tag));
        }
        // ordered like the page, so that both leave out documents without a sort key
        let base = base
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
            Ok(_) => Ok(()),
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
                Ok(_) => return Ok(next),
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
            match self.client.delete(&path, Some(unchanged_since(&doc))).await {
                Ok(()) => return Ok(()),
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
            in_flight.spawn(async move { client.commit(&writes).await.map(drop) });
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
