//! [`ProductStore`] on Firestore: the collection `crm_products` that BellSystems' Python
//! console already reads and writes, one document per product.
//!
//! # Documents
//!
//! A product document has the id of the product's uuid and the product's API JSON without
//! `id` (see `crm_core::firestore`): `name`, `sku`, `category`, `description`, `currency`,
//! `nextcloud_folder`, `linked_device_type` strings (or null), `active` a boolean, `price` and
//! the `costs` map's amounts numbers (a double when the double is the exact decimal, else the
//! decimal's text as a string), `stock` a map of integers, `created_at`/`updated_at`
//! timestamps, `version` an integer. One derived field is added: `name_key`, the folded name
//! (`crm_core::text::fold`) lists are ordered and searched by.
//!
//! A document written by another program is read leniently: no `version` is version 1,
//! missing or null fields take the defaults of a create, `costs.total` and `stock.available`
//! are computed again (as on SQLite). It gets `version`, `name_key` and its SKU claim on its
//! next write through this store, or from [`FirestoreProductStore::reindex`]; until then it
//! is missing from lists, which are a query ordered by `name_key`.
//!
//! # SKUs unique ignoring case
//!
//! Firestore has no unique index, so every SKU is claimed by a document of the meta
//! collection, `crm_meta/sku-{hex of the lower-cased SKU's UTF-8 bytes}` with a field
//! `product_id`, written in the same commit as the product: created with the precondition
//! "does not exist" (a second product with the SKU loses, `Error::Conflict`), moved when a
//! product's SKU changes, deleted with the product. A claim whose product is gone or has
//! another SKU (changed by another program) is stale and taken over.
//!
//! Products written by another program have no claim. An insert or a change of SKU therefore
//! also queries products whose `sku` is the new SKU exactly, in lower case or in upper case;
//! other case variants of such a SKU (`Vesper-2` against a console's `vESPER-2`) are only
//! caught once that product has been written through this store or [`reindexed`].
//!
//! [`reindexed`]: FirestoreProductStore::reindex
//!
//! # Concurrency
//!
//! No transactions: an update or delete reads the document, decides, and writes with the
//! precondition that the document has not changed since it was read (its update time), in
//! one commit with the claims it moves. When the commit loses (someone wrote in between),
//! it reads again and starts over, where a caller's `expected_version` is now stale. Two
//! writers never both win, and no writer waits on the emulator's lock timeouts.
//!
//! Deleting a product asks the orders first (`crm_orders` documents carry the derived array
//! `product_ids`); an order written between that question and the delete is not seen — the
//! orders store checks that its products exist when it writes.
//!
//! # Indexes
//!
//! Lists order by `name_key`, `name`, then the document id, after equality filters on
//! `category` and `active`: Firestore needs composite indexes on (`name_key`, `name`),
//! (`category`, `name_key`, `name`), (`active`, `name_key`, `name`) and (`category`,
//! `active`, `name_key`, `name`), all ascending. The emulator needs none.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::LazyLock;

use crm_core::Timestamp;
use crm_core::firestore::{Collections, decode, encode, unchanged_since, version};
use crm_core::store::check_version;
use firestore::{
    Client, Direction, Document, Fields, Filter, MAX_WRITES_PER_COMMIT, NAME_FIELD, Precondition,
    Query, Value, Write, doc_path,
};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde_json::json;
use uuid::Uuid;

use crate::error::{Error, Result, not_found};
use crate::model::{
    ListQuery, Page, PartUse, Product, Sku, Stock, part_totals, search_fold, shortage,
};
use crate::store::{Change, ProductStore};

/// The fields that hold timestamps.
const TIMESTAMPS: &[&str] = &["created_at", "updated_at"];

/// The derived field lists are ordered and searched by: the folded name.
const NAME_KEY: &str = "name_key";

/// The field of a SKU claim naming its product.
const CLAIM_PRODUCT: &str = "product_id";

/// Rounds of read-decide-write one operation may lose to other writers before it gives up
/// (`Error::Unavailable`); each lost round means another writer succeeded.
const MAX_ATTEMPTS: u32 = 50;

/// Commits of [`ProductStore::put_all`] in flight at once.
const PUT_CONCURRENCY: usize = 4;

/// Products read per query of [`FirestoreProductStore::reindex`].
const REINDEX_PAGE: u32 = 300;

/// What a document lacks when another program wrote it: the defaults of a create.
static DEFAULTS: LazyLock<serde_json::Value> = LazyLock::new(|| {
    json!({
        "description": null,
        "price": 0,
        "currency": crate::model::DEFAULT_CURRENCY,
        "vat_rate": 24,
        "warranty_months": crate::model::DEFAULT_WARRANTY_MONTHS,
        "costs": {"pcb": 0, "components": 0, "enclosure": 0, "labor_hours": 0,
                  "labor_rate": 0, "shipping_in": 0, "total": 0},
        "stock": {"on_hand": 0, "reserved": 0, "available": 0},
        "nextcloud_folder": null,
        "linked_device_type": null,
        "active": true,
    })
});

/// Products in Firestore.
#[derive(Debug, Clone)]
pub struct FirestoreProductStore {
    client: Client,
    /// The products' collection (`crm_products`).
    products: String,
    /// The meta collection of the SKU claims (`crm_meta`).
    meta: String,
    /// The orders' collection (`crm_orders`), asked before a delete.
    orders: String,
}

impl FirestoreProductStore {
    pub fn new(client: Client, collections: Collections) -> Self {
        Self {
            client,
            products: collections.products(),
            meta: collections.meta(),
            orders: collections.orders(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The path of a product's document: `crm_products/{id}`.
    pub fn product_path(&self, id: Uuid) -> String {
        doc_path(&self.products, &id.to_string())
    }

    /// The path of the claim on a SKU: `crm_meta/sku-{hex of the lower-cased SKU}`.
    pub fn claim_path(&self, sku: &Sku) -> String {
        self.claim_path_of_key(&sku.key())
    }

    /// The path of the record of a stock movement: `crm_meta/stock-take-{key}`.
    fn take_path(&self, key: &str) -> String {
        doc_path(&self.meta, &format!("stock-take-{}", key.replace('/', "_")))
    }

    /// The writes that set the stock of each product in `docs` (read with their update
    /// times) to what `next` makes of it, each on the condition that the product did not
    /// change since it was read.
    fn stock_writes(
        &self,
        docs: &[Document],
        mut next: impl FnMut(usize, &Product) -> Result<Stock>,
        at: Timestamp,
    ) -> Result<Vec<Write>> {
        let mut writes = Vec::with_capacity(docs.len() + 1);
        for (i, doc) in docs.iter().enumerate() {
            let product = read(doc)?;
            let stock = next(i, &product)?;
            let fields = encode(
                &json!({"stock": stock, "version": product.version + 1, "updated_at": at}),
                TIMESTAMPS,
            )?;
            let mask = ["stock", "version", "updated_at"].map(str::to_owned);
            writes.push(
                Write::update(doc.path().to_owned(), fields, mask)
                    .with_precondition(unchanged_since(doc)),
            );
        }
        Ok(writes)
    }

    fn claim_path_of_key(&self, key: &str) -> String {
        let mut id = String::with_capacity(4 + 2 * key.len());
        id.push_str("sku-");
        for b in key.bytes() {
            let _ = write!(id, "{b:02x}");
        }
        doc_path(&self.meta, &id)
    }

    /// Writes the derived fields of every product document that lacks them or has stale
    /// ones — `name_key`, and the SKU claim when the SKU is not claimed — and `active: true`
    /// where `active` is missing (read as true, but only a stored value passes the `active`
    /// filter of a list), each with the precondition that the document is unchanged since it
    /// was read; answers how many documents it wrote for. Documents written by another
    /// program are listed after it.
    ///
    /// A SKU already claimed by another product (two console products whose SKUs differ
    /// only in case) stays unclaimed for the second; writing that product's SKU through the
    /// store is then a conflict until one of them changes.
    pub async fn reindex(&self) -> Result<u64> {
        let mut written = 0;
        let mut after: Option<String> = None;
        loop {
            let mut q = Query::collection(&self.products)
                .order_by(NAME_FIELD, Direction::Ascending)
                .limit(REINDEX_PAGE);
            if let Some(path) = &after {
                q = q.start_after(vec![self.client.reference(path)]);
            }
            let docs = self.client.run_query(&q).await?;
            let Some(last) = docs.last() else {
                return Ok(written);
            };
            after = Some(last.path().to_owned());
            let claim_paths: Vec<Option<String>> = docs
                .iter()
                .map(|d| sku_key_of(d).map(|k| self.claim_path_of_key(&k)))
                .collect();
            let wanted: Vec<&str> = claim_paths.iter().flatten().map(String::as_str).collect();
            let mut found = self.client.batch_get(&wanted).await?.into_iter();
            let claims: Vec<Option<Document>> = claim_paths
                .iter()
                .map(|p| p.as_ref().and_then(|_| found.next().flatten()))
                .collect();
            for (doc, claim) in docs.into_iter().zip(claims) {
                if self.reindex_one(doc, claim).await? {
                    written += 1;
                }
            }
        }
    }

    /// Writes what `doc` lacks (see [`Self::reindex`]); `claim` is its SKU's claim as read.
    /// Reads both again and starts over when someone wrote in between.
    async fn reindex_one(&self, mut doc: Document, mut claim: Option<Document>) -> Result<bool> {
        for _ in 0..MAX_ATTEMPTS {
            let Some(id) = Uuid::parse_str(doc.id()).ok() else {
                return Ok(false);
            };
            // the product's own fields that lists filter and order by
            let mut fields = Fields::new();
            if let Some(name) = doc.get("name").and_then(Value::as_str) {
                let key = search_fold(name);
                if doc.get(NAME_KEY).and_then(Value::as_str) != Some(key.as_str()) {
                    fields.insert(NAME_KEY.to_owned(), Value::String(key));
                }
            }
            // `active` missing is read as true; written, the `active` filter finds it
            if matches!(doc.get("active"), None | Some(Value::Null)) {
                fields.insert("active".to_owned(), Value::Boolean(true));
            }
            let claim_path = sku_key_of(&doc).map(|k| self.claim_path_of_key(&k));
            let claim_missing = claim_path.is_some() && claim.is_none();
            if fields.is_empty() && !claim_missing {
                return Ok(false);
            }
            // with an empty mask, only the precondition: a claim is only right while the
            // SKU is what was read
            let mask: Vec<String> = fields.keys().cloned().collect();
            let mut writes = vec![
                Write::update(doc.path(), fields, mask).with_precondition(unchanged_since(&doc)),
            ];
            if let (Some(path), true) = (claim_path, claim_missing) {
                writes.push(Write::create(path, claim_fields(id)));
            }
            if self.try_commit(&writes).await? {
                return Ok(true);
            }
            let Some(again) = self.client.get(doc.path()).await? else {
                return Ok(false);
            };
            doc = again;
            claim = match sku_key_of(&doc) {
                Some(k) => self.client.get(&self.claim_path_of_key(&k)).await?,
                None => None,
            };
        }
        Err(too_busy())
    }

    /// Commits `writes`; `false` when a precondition failed (someone wrote in between), so
    /// that the caller reads again and starts over.
    async fn try_commit(&self, writes: &[Write]) -> Result<bool> {
        match self.client.commit(writes).await {
            Ok(_) => Ok(true),
            Err(
                firestore::Error::PreconditionFailed(_)
                | firestore::Error::AlreadyExists(_)
                | firestore::Error::NotFound(_),
            ) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether a product other than `id` has `sku` exactly, in lower case or in upper case:
    /// the check for products written without a claim (by another program).
    async fn unclaimed_holder(&self, sku: &Sku, id: Uuid) -> Result<bool> {
        let mut variants = vec![
            sku.as_str().to_owned(),
            sku.key(),
            sku.as_str().to_uppercase(),
        ];
        variants.sort();
        variants.dedup();
        let q = Query::collection(&self.products)
            .filter(Filter::is_in(
                "sku",
                variants.into_iter().map(Value::String).collect(),
            ))
            .select(Vec::<String>::new())
            .limit(2);
        let id = id.to_string();
        Ok(self
            .client
            .run_query(&q)
            .await?
            .iter()
            .any(|d| d.id() != id))
    }

    /// The write that claims `sku` for product `id`, if one is needed.
    ///
    /// `strict` (an insert, a change of SKU): a claim held by another product that still has
    /// the SKU is `Error::Conflict`; a claim of `id`'s own is written again with the
    /// precondition that it is unchanged, so that the commit fails if it moved meanwhile.
    /// Not strict (a product keeps its SKU): only a missing claim is created, and one held by
    /// another product is left alone.
    async fn claim_write(&self, sku: &Sku, id: Uuid, strict: bool) -> Result<Option<Write>> {
        let path = self.claim_path(sku);
        let Some(claim) = self.client.get(&path).await? else {
            return Ok(Some(Write::create(path, claim_fields(id))));
        };
        let holder = claim
            .get(CLAIM_PRODUCT)
            .and_then(Value::as_str)
            .and_then(|h| Uuid::parse_str(h).ok());
        if holder == Some(id) {
            return Ok(strict.then(|| {
                Write::set(path, claim_fields(id)).with_precondition(unchanged_since(&claim))
            }));
        }
        let live = match holder {
            Some(other) => self
                .client
                .get(&self.product_path(other))
                .await?
                .and_then(|d| sku_key_of(&d))
                .is_some_and(|k| k == sku.key()),
            None => false,
        };
        match (live, strict) {
            (true, true) => Err(conflict(sku)),
            (true, false) => Ok(None),
            // stale: its product is gone or has another SKU
            (false, _) => Ok(Some(
                Write::set(path, claim_fields(id)).with_precondition(unchanged_since(&claim)),
            )),
        }
    }

    /// The write that gives up product `id`'s claim on the SKU whose key is `key`, if it
    /// holds it.
    async fn release_write(&self, key: &str, id: Uuid) -> Result<Option<Write>> {
        let path = self.claim_path_of_key(key);
        let Some(claim) = self.client.get(&path).await? else {
            return Ok(None);
        };
        let holder = claim.get(CLAIM_PRODUCT).and_then(Value::as_str);
        Ok((holder == Some(id.to_string().as_str()))
            .then(|| Write::delete(path).with_precondition(unchanged_since(&claim))))
    }

    /// The list's query: filters and order, without paging.
    fn list_query(&self, query: &ListQuery) -> Query {
        let mut q = Query::collection(&self.products);
        if let Some(c) = query.category {
            q = q.filter(Filter::eq("category", c.as_str()));
        }
        if let Some(a) = query.active {
            q = q.filter(Filter::eq("active", a));
        }
        q.order_by(NAME_KEY, Direction::Ascending)
            .order_by("name", Direction::Ascending)
            .order_by(NAME_FIELD, Direction::Ascending)
    }
}

impl ProductStore for FirestoreProductStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Product>> {
        let q = self.list_query(&query);
        let limit = query.effective_limit();
        let offset = query.effective_offset();
        let search = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(search) = search {
            // as on SQLite: a substring of the folded name, or of the lower-case SKU
            let (in_name, in_sku) = (search_fold(search), search.to_lowercase());
            let mut matches = Vec::new();
            for doc in self.client.run_query(&q).await? {
                let name_key = doc.get(NAME_KEY).and_then(Value::as_str).unwrap_or("");
                let sku_key = sku_key_of(&doc).unwrap_or_default();
                if name_key.contains(&in_name) || sku_key.contains(&in_sku) {
                    matches.push(doc);
                }
            }
            let total = u64::try_from(matches.len()).unwrap_or(u64::MAX);
            let items = matches
                .iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .map(read)
                .collect::<Result<Vec<_>>>()?;
            return Ok(Page { items, total });
        }
        let total = u64::try_from(self.client.count(&q).await?).unwrap_or(0);
        if limit == 0 || u64::from(offset) >= total {
            return Ok(Page {
                items: Vec::new(),
                total,
            });
        }
        let mut page = q.limit(limit);
        if offset > 0 {
            page = page.offset(offset);
        }
        let items = self
            .client
            .run_query(&page)
            .await?
            .iter()
            .map(read)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { items, total })
    }

    async fn get(&self, id: Uuid) -> Result<Product> {
        let doc = self
            .client
            .get(&self.product_path(id))
            .await?
            .ok_or_else(|| not_found(id))?;
        read(&doc)
    }

    async fn insert(&self, product: Product) -> Result<()> {
        let path = self.product_path(product.id);
        let fields = fields(&product)?;
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0
                && let Some(doc) = self.client.get(&path).await?
            {
                // a commit that landed although its answer was lost, or an id taken
                return if read(&doc)? == product {
                    Ok(())
                } else {
                    Err(Error::Conflict {
                        message: format!("a product with id {} already exists", product.id),
                    })
                };
            }
            if self.unclaimed_holder(&product.sku, product.id).await? {
                return Err(conflict(&product.sku));
            }
            let mut writes = vec![Write::create(path.clone(), fields.clone())];
            writes.extend(self.claim_write(&product.sku, product.id, true).await?);
            if self.try_commit(&writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }

    async fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        mut change: F,
    ) -> Result<Product>
    where
        F: FnMut(&Product) -> Result<Change> + Send + 'static,
    {
        let path = self.product_path(id);
        for _ in 0..MAX_ATTEMPTS {
            let doc = self.client.get(&path).await?.ok_or_else(|| not_found(id))?;
            let current = read(&doc)?;
            check_version(current.version, expected_version)?;
            let mut next = match change(&current)? {
                Change::Unchanged => return Ok(current),
                Change::Save(next) => *next,
            };
            next.id = current.id;
            next.created_at = current.created_at;
            next.version = current.version + 1;
            let fields = fields(&next)?;
            // only our fields: fields another program keeps in the document stay
            let mask: Vec<String> = fields.keys().cloned().collect();
            let mut writes = vec![
                Write::update(path.clone(), fields, mask).with_precondition(unchanged_since(&doc)),
            ];
            let (old_key, new_key) = (current.sku.key(), next.sku.key());
            if old_key == new_key {
                writes.extend(self.claim_write(&next.sku, id, false).await?);
            } else {
                if self.unclaimed_holder(&next.sku, id).await? {
                    return Err(conflict(&next.sku));
                }
                writes.extend(self.claim_write(&next.sku, id, true).await?);
                writes.extend(self.release_write(&old_key, id).await?);
            }
            if self.try_commit(&writes).await? {
                return Ok(next);
            }
        }
        Err(too_busy())
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        let path = self.product_path(id);
        for _ in 0..MAX_ATTEMPTS {
            let doc = self.client.get(&path).await?.ok_or_else(|| not_found(id))?;
            check_version(version(&doc), expected_version)?;
            let orders = Query::collection(&self.orders)
                .filter(Filter::array_contains("product_ids", id.to_string()))
                .select(Vec::<String>::new())
                .limit(1);
            if !self.client.run_query(&orders).await?.is_empty() {
                return Err(Error::InUse {
                    message: "product is referenced by orders".to_owned(),
                });
            }
            let mut writes =
                vec![Write::delete(path.clone()).with_precondition(unchanged_since(&doc))];
            if let Some(key) = sku_key_of(&doc) {
                writes.extend(self.release_write(&key, id).await?);
            }
            if self.try_commit(&writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Product>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut q = Query::collection(&self.products)
            .order_by(NAME_FIELD, Direction::Ascending)
            .limit(limit);
        if let Some(after) = after {
            q = q.start_after(vec![self.client.reference(&self.product_path(after))]);
        }
        self.client.run_query(&q).await?.iter().map(read).collect()
    }

    async fn put_all(&self, records: Vec<Product>) -> Result<()> {
        // a product and its claim, in pairs (the commits' size is even: a pair stays in one)
        let mut claimed: HashMap<String, Uuid> = HashMap::with_capacity(records.len());
        let mut writes = Vec::with_capacity(2 * records.len());
        for p in &records {
            if let Some(other) = claimed.insert(p.sku.key(), p.id)
                && other != p.id
            {
                return Err(conflict(&p.sku));
            }
            writes.push(Write::set(self.product_path(p.id), fields(p)?));
            writes.push(Write::set(self.claim_path(&p.sku), claim_fields(p.id)));
        }
        let chunks: Vec<Vec<Write>> = writes
            .chunks(MAX_WRITES_PER_COMMIT - MAX_WRITES_PER_COMMIT % 2)
            .map(<[Write]>::to_vec)
            .collect();
        stream::iter(chunks)
            .map(|chunk| {
                let client = self.client.clone();
                async move { client.commit(&chunk).await }
            })
            .buffer_unordered(PUT_CONCURRENCY)
            .map_err(Error::from)
            .try_for_each(|_| async { Ok(()) })
            .await
    }

    async fn take_parts(
        &self,
        key: String,
        parts: Vec<PartUse>,
        use_reserved: bool,
        at: Timestamp,
    ) -> Result<bool> {
        let totals = part_totals(&parts)?;
        let take_path = self.take_path(&key);
        let paths: Vec<String> = totals
            .iter()
            .map(|(id, _, _)| self.product_path(*id))
            .collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let record = encode(
            &json!({"key": key, "parts": parts, "taken_at": at}),
            &["taken_at"],
        )?;
        for _ in 0..MAX_ATTEMPTS {
            if self.client.get(&take_path).await?.is_some() {
                return Ok(false);
            }
            let mut docs = Vec::with_capacity(totals.len());
            for ((_, _, i), doc) in totals.iter().zip(self.client.batch_get(&refs).await?) {
                docs.push(doc.ok_or_else(|| {
                    Error::invalid(format!("parts[{i}].product_id"), "no such product")
                })?);
            }
            let mut writes = self.stock_writes(
                &docs,
                |n, p| {
                    p.stock
                        .take(totals[n].1, use_reserved)
                        .map_err(|why| shortage(&p.name, p.id, &why))
                },
                at,
            )?;
            writes.push(
                Write::set(take_path.clone(), record.clone())
                    .with_precondition(Precondition::Exists(false)),
            );
            if self.try_commit(&writes).await? {
                return Ok(true);
            }
        }
        Err(too_busy())
    }

    async fn return_parts(&self, key: String, at: Timestamp) -> Result<bool> {
        let take_path = self.take_path(&key);
        for _ in 0..MAX_ATTEMPTS {
            let Some(record) = self.client.get(&take_path).await? else {
                return Ok(false);
            };
            let parts: Vec<PartUse> = match record.fields.get("parts") {
                Some(v) => serde_json::from_value(v.to_json())?,
                None => Vec::new(),
            };
            let totals = part_totals(&parts)?;
            let paths: Vec<String> = totals
                .iter()
                .map(|(id, _, _)| self.product_path(*id))
                .collect();
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            // a product deleted since gets nothing back
            let mut back = Vec::with_capacity(totals.len());
            let mut docs = Vec::with_capacity(totals.len());
            for ((_, quantity, _), doc) in totals.iter().zip(self.client.batch_get(&refs).await?) {
                if let Some(doc) = doc {
                    back.push(*quantity);
                    docs.push(doc);
                }
            }
            let mut writes = self.stock_writes(&docs, |n, p| Ok(p.stock.put_back(back[n])), at)?;
            writes
                .push(Write::delete(take_path.clone()).with_precondition(unchanged_since(&record)));
            if self.try_commit(&writes).await? {
                return Ok(true);
            }
        }
        Err(too_busy())
    }
}

/// A product's document fields: its API JSON without `id`, and `name_key`.
fn fields(p: &Product) -> Result<Fields> {
    let mut f = encode(p, TIMESTAMPS)?;
    f.insert(NAME_KEY.to_owned(), Value::String(search_fold(&p.name)));
    Ok(f)
}

/// A SKU claim's fields.
fn claim_fields(id: Uuid) -> Fields {
    BTreeMap::from([(CLAIM_PRODUCT.to_owned(), Value::String(id.to_string()))])
}

/// The product in `doc`, read leniently (see the module's documentation), with the
/// server-computed fields computed again.
fn read(doc: &Document) -> Result<Product> {
    // a console that wrote only one of the timestamps: the other is the same time
    let has = |f: &str| doc.fields.get(f).is_some_and(|v| *v != Value::Null);
    let doc: Cow<'_, Document> = match (has("created_at"), has("updated_at")) {
        (true, false) | (false, true) => {
            let (from, to) = if has("created_at") {
                ("created_at", "updated_at")
            } else {
                ("updated_at", "created_at")
            };
            let mut d = doc.clone();
            if let Some(v) = doc.fields.get(from) {
                d.fields.insert(to.to_owned(), v.clone());
            }
            Cow::Owned(d)
        }
        _ => Cow::Borrowed(doc),
    };
    let mut p: Product = decode(&doc, TIMESTAMPS, &DEFAULTS)?;
    p.costs = p.costs.recomputed().map_err(|e| Error::Store {
        message: format!("the document {} cannot be read: {e}", doc.path()),
    })?;
    p.stock.available = p.stock.on_hand.saturating_sub(p.stock.reserved);
    Ok(p)
}

/// The lower-case form of the document's `sku` (as [`Sku::key`]), if it has one.
fn sku_key_of(doc: &Document) -> Option<String> {
    let raw = doc.get("sku").and_then(Value::as_str)?;
    Some(match Sku::parse(raw) {
        Ok(sku) => sku.key(),
        Err(_) => raw.trim().to_lowercase(),
    })
}

/// The duplicate-SKU conflict, worded as on SQLite.
fn conflict(sku: &Sku) -> Error {
    Error::Conflict {
        message: format!("a product with sku `{sku}` already exists"),
    }
}

fn too_busy() -> Error {
    Error::Unavailable {
        message: "products: lost to other writers too many times in a row; try again".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crm_core::{Db, FixedClock, Timestamp};
    use firestore::{Query, fields_from_json};
    use futures_util::future::join_all;
    use serde_json::json;

    use super::*;
    use crate::model::{Category, NewProduct, ProductPatch};
    use crate::service::{Products, Service};
    use crate::store::sqlite::SqliteProductStore;

    fn clock() -> FixedClock {
        FixedClock::new(Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
    }

    /// A service on the emulator in collections of its own, and those collections.
    fn setup() -> (Service<FirestoreProductStore>, Collections) {
        let collections = Collections::new(firestore::testing::collection_prefix("products"));
        let store = FirestoreProductStore::new(firestore::testing::client(), collections.clone());
        (Service::new(store, Arc::new(clock())), collections)
    }

    fn sqlite() -> (tempfile::TempDir, Service<SqliteProductStore>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        (
            dir,
            Service::new(SqliteProductStore::new(db), Arc::new(clock())),
        )
    }

    fn patch(v: serde_json::Value) -> ProductPatch {
        serde_json::from_value(v).unwrap()
    }

    fn raw(v: serde_json::Value) -> Fields {
        fields_from_json(v.as_object().unwrap()).unwrap()
    }

    async fn raw_doc(svc: &Service<FirestoreProductStore>, id: Uuid) -> Document {
        let store = svc.store();
        store
            .client()
            .get(&store.product_path(id))
            .await
            .unwrap()
            .unwrap()
    }

    #[test]
    fn a_claim_is_named_by_the_hex_of_the_lower_case_sku() {
        let store =
            FirestoreProductStore::new(firestore::testing::client(), Collections::new("p_"));
        assert_eq!(
            store.claim_path(&Sku::parse("Ab-Ω").unwrap()),
            "p_crm_meta/sku-61622dcf89"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn of_ten_concurrent_updates_from_one_version_exactly_one_wins() {
        let (svc, _) = setup();
        let svc = Arc::new(svc);
        let p = svc
            .create(NewProduct::new("Bell", "B-1", Category::Part))
            .await
            .unwrap();
        let outcomes = join_all((0..10).map(|i| {
            let svc = svc.clone();
            tokio::spawn(async move {
                svc.update(p.id, patch(json!({"name": format!("Bell {i}")})), Some(1))
                    .await
            })
        }))
        .await;
        let mut won = Vec::new();
        let mut stale = 0;
        for outcome in outcomes {
            match outcome.unwrap() {
                Ok(p) => won.push(p),
                Err(Error::Stale { current_version: 2 }) => stale += 1,
                Err(e) => panic!("expected Stale, got {e:?}"),
            }
        }
        assert_eq!((won.len(), stale), (1, 9));
        assert_eq!(won[0].version, 2);
        assert_eq!(svc.get(p.id).await.unwrap(), won[0]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn of_concurrent_creates_of_one_sku_exactly_one_wins() {
        let (svc, _) = setup();
        let svc = Arc::new(svc);
        let outcomes = join_all(
            ["Ring-1", "RING-1", "ring-1", "rInG-1", "Ring-1"].map(|sku| {
                let svc = svc.clone();
                tokio::spawn(async move {
                    svc.create(NewProduct::new("Ring", sku, Category::Part))
                        .await
                })
            }),
        )
        .await;
        let won = outcomes
            .into_iter()
            .filter_map(|o| match o.unwrap() {
                Ok(p) => Some(p),
                Err(Error::Conflict { .. }) => None,
                Err(e) => panic!("expected Conflict, got {e:?}"),
            })
            .collect::<Vec<_>>();
        assert_eq!(won.len(), 1);
        let all = svc.list(ListQuery::default()).await.unwrap();
        assert_eq!(all.items, won);
    }

    /// A product as BellSystems' Python console writes it: plain fields, prices as floats,
    /// no `version` and none of the derived fields, naive ISO timestamps, some costs and stock
    /// missing, a field of its own.
    #[tokio::test]
    async fn a_document_of_the_python_console_is_read_reindexed_and_updated() {
        let (svc, collections) = setup();
        let store = svc.store();
        let id = Uuid::new_v4();
        store
            .client()
            .create(
                &collections.products(),
                &id.to_string(),
                &raw(json!({
                    "name": "Ρολόι Πύργου", "sku": "CLK-PY", "category": "clock",
                    "description": null, "price": 1250.5, "currency": "EUR",
                    "costs": {"pcb": 12.3, "components": 40},
                    "stock": {"on_hand": 2},
                    "created_at": "2025-11-02T09:15:00",
                    "updated_at": "2025-11-03 10:00:00.123456",
                    "console_notes": "kept"
                })),
            )
            .await
            .unwrap();

        let p = svc.get(id).await.unwrap();
        assert_eq!(p.version, 1);
        assert_eq!(p.price.to_string(), "1250.5");
        assert_eq!(p.costs.total.to_string(), "52.3");
        assert_eq!(p.stock.available, 2);
        assert_eq!(p.nextcloud_folder, None);
        assert_eq!(
            p.created_at,
            Timestamp::parse("2025-11-02T09:15:00Z").unwrap()
        );
        assert_eq!(
            p.updated_at,
            Timestamp::parse("2025-11-03T10:00:00.123456Z").unwrap()
        );
        assert_eq!(store.scan(None, 10).await.unwrap(), vec![p.clone()]);
        // without `name_key` it is not in lists yet ...
        assert_eq!(svc.list(ListQuery::default()).await.unwrap().total, 0);
        // ... but its SKU is taken, exactly and in lower case
        for sku in ["CLK-PY", "clk-py"] {
            assert!(matches!(
                svc.create(NewProduct::new("Other", sku, Category::Clock))
                    .await,
                Err(Error::Conflict { .. })
            ));
        }

        assert_eq!(store.reindex().await.unwrap(), 1);
        assert_eq!(store.reindex().await.unwrap(), 0);
        let listed = svc
            .list(ListQuery {
                search: Some("πυργου".into()),
                ..ListQuery::default()
            })
            .await
            .unwrap();
        assert_eq!((listed.total, listed.items), (1, vec![p.clone()]));
        let active = svc
            .list(ListQuery {
                active: Some(true),
                category: Some(Category::Clock),
                ..ListQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(active.items, vec![p.clone()]);
        // the claim now catches every case variant
        assert!(matches!(
            svc.create(NewProduct::new("Other", "Clk-Py", Category::Clock))
                .await,
            Err(Error::Conflict { .. })
        ));

        let next = svc
            .update(id, patch(json!({"stock": {"reserved": 1}})), Some(1))
            .await
            .unwrap();
        assert_eq!(next.version, 2);
        assert_eq!(next.stock.available, 1);
        let doc = raw_doc(&svc, id).await;
        assert_eq!(doc.get("version"), Some(&Value::Integer(2)));
        assert_eq!(doc.get("name_key"), Some(&Value::from("ρολοι πυργου")));
        assert!(matches!(doc.get("created_at"), Some(Value::Timestamp(_))));
        assert_eq!(doc.get("costs.labor_rate"), Some(&Value::Integer(0)));
        assert_eq!(doc.get("costs.total"), Some(&Value::Double(52.3)));
        assert_eq!(doc.get("console_notes"), Some(&Value::from("kept")));
        assert_eq!(svc.get(id).await.unwrap(), next);
    }

    #[tokio::test]
    async fn reindex_restores_a_lost_claim() {
        let (svc, _) = setup();
        let p = svc
            .create(NewProduct::new("Bell", "B-1", Category::Part))
            .await
            .unwrap();
        let store = svc.store();
        assert_eq!(store.reindex().await.unwrap(), 0);
        store
            .client()
            .delete(&store.claim_path(&p.sku), None)
            .await
            .unwrap();
        assert_eq!(store.reindex().await.unwrap(), 1);
        let claim = store
            .client()
            .get(&store.claim_path(&p.sku))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            claim.get("product_id"),
            Some(&Value::String(p.id.to_string()))
        );
        assert!(matches!(
            svc.create(NewProduct::new("Other", "b-1", Category::Part))
                .await,
            Err(Error::Conflict { .. })
        ));
        // the product itself is as it was
        assert_eq!(svc.get(p.id).await.unwrap(), p);
    }

    #[tokio::test]
    async fn a_product_an_order_refers_to_is_in_use() {
        let (svc, collections) = setup();
        let p = svc
            .create(NewProduct::new("VESPER", "V-1", Category::Controller))
            .await
            .unwrap();
        let client = svc.store().client();
        let order_id = Uuid::new_v4().to_string();
        client
            .create(
                &collections.orders(),
                &order_id,
                &raw(json!({"product_ids": [Uuid::new_v4().to_string(), p.id.to_string()]})),
            )
            .await
            .unwrap();
        match svc.delete(p.id, Some(1)).await {
            Err(Error::InUse { message }) => assert_eq!(message, "product is referenced by orders"),
            other => panic!("expected InUse, got {other:?}"),
        }
        assert_eq!(svc.get(p.id).await.unwrap(), p);

        client
            .delete(&doc_path(&collections.orders(), &order_id), None)
            .await
            .unwrap();
        svc.delete(p.id, Some(1)).await.unwrap();
        assert!(matches!(svc.get(p.id).await, Err(Error::NotFound { .. })));
        // the claim went with it
        svc.create(NewProduct::new("VESPER", "v-1", Category::Controller))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn money_is_stored_as_numbers_unless_a_double_would_lose_digits() {
        let (svc, _) = setup();
        let p = svc
            .create(
                serde_json::from_value(json!({
                    "name": "Bell", "sku": "B-1", "category": "part", "price": "12.30",
                    "costs": {"pcb": 0.45, "components": "12345678901234567890.12",
                              "labor_hours": 2}
                }))
                .unwrap(),
            )
            .await
            .unwrap();
        let doc = raw_doc(&svc, p.id).await;
        assert_eq!(doc.get("price"), Some(&Value::Double(12.3)));
        assert_eq!(doc.get("costs.pcb"), Some(&Value::Double(0.45)));
        assert_eq!(doc.get("costs.labor_hours"), Some(&Value::Integer(2)));
        assert_eq!(
            doc.get("costs.components"),
            Some(&Value::from("12345678901234567890.12"))
        );
        assert_eq!(doc.get("stock.on_hand"), Some(&Value::Integer(0)));
        assert_eq!(doc.get("name_key"), Some(&Value::from("bell")));
        assert_eq!(svc.get(p.id).await.unwrap(), p);
    }

    /// Every record of one store copied to the other and back, page by page, as `crm store
    /// copy` does: the API JSON stays the same, and copying twice changes nothing.
    #[tokio::test]
    async fn scan_and_put_all_copy_sqlite_to_firestore_and_back() {
        let (_dir, source) = sqlite();
        for (i, body) in [
            json!({"name": "VESPER controller", "sku": "VESPER-2", "category": "controller",
                   "price": "249.00", "costs": {"pcb": "12.30", "labor_hours": 2.5,
                   "labor_rate": 20}, "stock": {"on_hand": 10, "reserved": 3},
                   "nextcloud_folder": "02_Products/VESPER"}),
            json!({"name": "Ρολόι Πύργου", "sku": "CLK-ΑΒ", "category": "clock",
                   "description": "Γραμμή 1\nΓραμμή 2", "price": 0.45, "active": false}),
            json!({"name": "Big", "sku": "BIG", "category": "part",
                   "price": "98765432109876543210.5", "linked_device_type": "clock_v1"}),
            json!({"name": "Repair", "sku": "R-1", "category": "repair_service"}),
        ]
        .into_iter()
        .enumerate()
        {
            let p = source
                .create(serde_json::from_value(body).unwrap())
                .await
                .unwrap();
            for n in 0..i {
                source
                    .update(p.id, patch(json!({"stock": {"on_hand": 20 + n}})), None)
                    .await
                    .unwrap();
            }
        }
        let (firestore, _) = setup();
        let (_dir2, back) = sqlite();

        async fn copy<A: ProductStore, B: ProductStore>(from: &A, to: &B) {
            let mut after = None;
            loop {
                let page = from.scan(after, 3).await.unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                to.put_all(page).await.unwrap();
            }
        }
        async fn text<S: ProductStore>(store: &S) -> String {
            serde_json::to_string(&store.scan(None, 1000).await.unwrap()).unwrap()
        }

        copy(source.store(), firestore.store()).await;
        let original = text(source.store()).await;
        assert_eq!(text(firestore.store()).await, original);
        copy(firestore.store(), back.store()).await;
        assert_eq!(text(back.store()).await, original);
        assert!(original.contains("98765432109876543210.5"), "{original}");

        // twice: nothing changes, and lists agree
        copy(source.store(), firestore.store()).await;
        assert_eq!(text(firestore.store()).await, original);
        let (a, b) = (
            source.list(ListQuery::default()).await.unwrap(),
            firestore.list(ListQuery::default()).await.unwrap(),
        );
        assert_eq!(a, b);
        assert_eq!(a.total, 4);
        assert_eq!(firestore.store().reindex().await.unwrap(), 0);
    }

    /// `crm store copy` must move a catalogue quickly: at least 2,000 products a second into
    /// the emulator.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn put_all_writes_thousands_of_products_in_batched_commits() {
        let (svc, collections) = setup();
        let now = Timestamp::parse("2026-03-01T10:00:00Z").unwrap();
        let records: Vec<Product> = (0..4000)
            .map(|i| {
                NewProduct::new(format!("Part {i}"), format!("P-{i}"), Category::Part)
                    .into_product(Uuid::new_v4(), now)
                    .unwrap()
            })
            .collect();
        let started = std::time::Instant::now();
        svc.store().put_all(records).await.unwrap();
        let elapsed = started.elapsed();
        let count = svc
            .store()
            .client()
            .count(&Query::collection(collections.products()))
            .await
            .unwrap();
        assert_eq!(count, 4000);
        // the rate is the benchmark's business (scripts/bench-firestore.sh), not a test's
        println!("put_all: 4000 products in {elapsed:?}");
    }
}
