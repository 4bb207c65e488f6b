//! [`OrderStore`] on Firestore: the `crm_orders` collection BellSystems' Python console also
//! reads and writes.
//!
//! # Documents
//!
//! `crm_orders/{id}`, the id being the order's uuid. The fields are the order's API JSON
//! without `id` (see [`crm_core::firestore`]): `order_number`, `customer_id`, `status`,
//! `payment_status`, `currency` (strings); `items` (an array of maps: `type`, `product_id`,
//! `product_name`, `description`, `quantity`, `unit_price`, `vat_rate` (an integer),
//! `vat_exemption`, `line_total`, `net_amount`, `vat_amount`, `serial_numbers`);
//! `status_history` (an array of maps `{from, to, at}`, oldest first, appended to and never
//! rewritten); `discount` (a map `{type, value, reason}` or null); `shipping` (a map);
//! `prices_include_vat` a boolean; `vat_breakdown` an array of maps `{rate, net, vat}`;
//! `subtotal`, `discount_amount`, `net_total`, `vat_total`, `total_price` and the item
//! amounts as numbers (a double when the double is
//! the exact decimal, else the decimal's text); `created_at`, `updated_at`, `at` and the
//! shipping times as Firestore timestamps; `version` an integer.
//!
//! Derived fields, rewritten on every write of ours and ignored by other readers:
//! - `product_ids`: the products the items refer to (uuid strings, each once), which the
//!   products store queries (`array-contains`) before it deletes a product;
//! - `sort_key`: `{created_at}|{year}|{sequence, 12 digits}`, one string whose text order is
//!   the list order (newest first: time, then order number compared as numbers).
//!
//! A document written by the console — no `version` (read as 1), no derived fields, naive ISO
//! timestamps, amounts as floats, optional fields missing — is read as it is (a missing item
//! `type` follows from `product_id`, a missing `vat_rate` is 24 and a missing
//! `prices_include_vat` true (what the customer pays stays what it was before VAT), every
//! amount is recomputed from the items (see [`crate::pricing`]), a missing `updated_at` is
//! `created_at`) and gets what it lacks on its next
//! write. Until then it is missing from [`OrderStore::list`] (which orders by `sort_key`);
//! [`FirestoreOrderStore::reindex`] writes the derived fields of every such document.
//!
//! # Search
//!
//! A query cannot look for part of a field, so a list with `search` is answered from
//! `in`-queries (with the list's other filters): `order_number in` the numbers the text can
//! name (`14` → `ORD-<year>-014` for this year and the ten before, `2026-14` →
//! `ORD-2026-014`) and `customer_id in` the customers the service resolved the text into,
//! 30 ids a query (Firestore's limit). The documents found are merged, ordered by `sort_key`
//! and paged in the process; the total counts them. The customers are capped by the one who
//! resolves them (the gateway: 500), which bounds the documents read.
//!
//! # Numbers and concurrency
//!
//! Each year's last order number is the counter document `crm_meta/orders-{year}`
//! (`{year, last_seq}`), read and written in the same read-write transaction that creates the
//! order and reads the customer and the products, so numbers stay unique and gapless across
//! processes. A missing counter starts from the highest number of that year in `crm_orders`
//! (numerically: `ORD-2026-1000` is above `ORD-2026-999`). Contended transactions are slow
//! on the emulator (a lock timeout each), so creates of one process take turns on a mutex
//! before their transaction, and so do updates and deletes of one order.
//!
//! Updates run in a read-write transaction too (the order, and the customer and products when
//! they change), writing only the fields the store owns (fields other programs added stay).
//! Deletes check the version and delete with the document's update time as precondition,
//! starting over when someone wrote in between.
//!
//! `OrderEvent::seq` is not stored: it is `(year · 10⁸ + sequence) · 10⁵ + position in the
//! history`, unique per order number and growing with creation and with every change.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, PoisonError, Weak};

use ::firestore::{
    Client, Direction, Document, Fields, Filter, MAX_WRITES_PER_COMMIT, NAME_FIELD, Precondition,
    Query, Value, Write, doc_path,
};
use crm_core::firestore::{Collections, decode, encode, unchanged_since, version};
use crm_core::store::check_version;
use crm_core::{Timestamp, VatRate};
use serde_json::{Value as Json, json};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use crate::error::{Error, Result, not_found};
use crate::model::{
    Item, ListQuery, NumberSearch, Order, OrderEvent, Page, StatusChange, order_number,
    parse_order_number,
};
use crate::pricing::price_stored;
use crate::stock::{self, Stock, StockMove};
use crate::store::{Change, OrderStore};

/// The fields that hold timestamps (as [`crm_core::firestore::encode`] names paths).
const TIMESTAMPS: &[&str] = &[
    "created_at",
    "updated_at",
    "shipping.shipped_at",
    "shipping.delivered_at",
    "status_history[].at",
];

/// Derived: the products the items refer to.
pub const PRODUCT_IDS: &str = "product_ids";
/// Derived: every serial number on the items (`array-contains` finds the order that sold a
/// device).
pub const SERIALS: &str = "serials";
/// Derived: the list order as one string.
pub const SORT_KEY: &str = "sort_key";
/// The counter document's field with the last number given in its year.
const LAST_SEQ: &str = "last_seq";
/// Documents per page when [`FirestoreOrderStore::reindex`] walks the collection.
const REINDEX_PAGE: u32 = 300;
/// Most values of one `in` filter (Firestore's limit).
const IN_MAX: usize = 30;
/// A bare sequence searched for names this many years before the current one, and that one.
const SEARCH_YEARS: i32 = 10;
/// Commits of [`OrderStore::put_all`] in flight at once.
const PUT_CONCURRENCY: usize = 8;

/// What a document lacks is filled from this (see [`crm_core::firestore::fill_defaults`]).
static DEFAULTS: LazyLock<Json> = LazyLock::new(|| {
    json!({
        "order_number": "",
        "status": "draft",
        "status_history": [{"from": null}],
        "items": [{
            "product_id": null,
            "product_name": null,
            "description": null,
            "serial_numbers": [""],
            "vat_rate": 24,
            "vat_exemption": null,
            "line_total": 0,
            "net_amount": 0,
            "vat_amount": 0,
        }],
        // written before VAT, or by another program: what the customer pays stays the same
        "prices_include_vat": true,
        "subtotal": 0,
        "discount_amount": 0,
        "vat_breakdown": [],
        "net_total": 0,
        "vat_total": 0,
        "total_price": 0,
        "discount": null,
        "currency": crate::model::DEFAULT_CURRENCY,
        "shipping": {},
        "payment_status": "pending",
        "stock_state": "none",
        "invoice_path": null,
        "notes": null,
    })
});

/// Orders in Firestore. Cheap to clone (clones share the client and the locks).
#[derive(Debug, Clone)]
pub struct FirestoreOrderStore {
    client: Client,
    collections: Collections,
    /// Creates (and counter raises) of this process take turns: see the module docs.
    numbering: Arc<Mutex<()>>,
    /// Writers of one order take turns.
    locks: Arc<KeyedLocks>,
}

impl FirestoreOrderStore {
    pub fn new(client: Client, collections: Collections) -> Self {
        Self {
            client,
            collections,
            numbering: Arc::new(Mutex::new(())),
            locks: Arc::new(KeyedLocks::default()),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn collections(&self) -> &Collections {
        &self.collections
    }

    fn path(&self, id: Uuid) -> String {
        doc_path(&self.collections.orders(), &id.to_string())
    }

    fn counter_path(&self, year: i32) -> String {
        doc_path(&self.collections.meta(), &format!("orders-{year}"))
    }

    /// The page of a list with `search` (see the module docs): `filtered` (the list's other
    /// filters) with `customer_id in` each batch of the scope's customers and with
    /// `order_number in` the numbers `text` can name, merged, ordered by `sort_key` and paged
    /// here.
    async fn search(&self, filtered: Query, query: &ListQuery, text: &str) -> Result<Page<Order>> {
        let mut queries = Vec::new();
        // no year known: only a year–sequence pair names a number
        let years = query
            .scope
            .this_year
            .map(|y| y - SEARCH_YEARS..=y)
            .into_iter()
            .flatten();
        if let Some(number) = NumberSearch::parse(text) {
            let numbers: Vec<Value> = number
                .candidates(years)
                .into_iter()
                .map(Value::String)
                .collect();
            for batch in numbers.chunks(IN_MAX) {
                queries.push(
                    filtered
                        .clone()
                        .filter(Filter::is_in("order_number", batch.to_vec())),
                );
            }
        }
        match query.customer_id {
            // the list is one customer's already: all or nothing of it
            Some(c) if query.scope.customers.contains(&c) => queries = vec![filtered],
            Some(_) => {}
            None => {
                let ids: Vec<Value> = query
                    .scope
                    .customers
                    .iter()
                    .map(|c| Value::String(c.to_string()))
                    .collect();
                for batch in ids.chunks(IN_MAX) {
                    queries.push(
                        filtered
                            .clone()
                            .filter(Filter::is_in("customer_id", batch.to_vec())),
                    );
                }
            }
        }
        let mut found: BTreeMap<String, Document> = BTreeMap::new();
        for q in &queries {
            for doc in self.client.run_query(q).await? {
                // as in the list without search: missing until reindexed
                if let Some(Value::String(key)) = doc.fields.get(SORT_KEY) {
                    found.insert(format!("{key}\u{0}{}", doc.name), doc);
                }
            }
        }
        let total = u64::try_from(found.len()).unwrap_or(u64::MAX);
        let items = found
            .values()
            .rev()
            .skip(usize::try_from(query.effective_offset()).unwrap_or(usize::MAX))
            .take(usize::try_from(query.effective_limit()).unwrap_or(usize::MAX))
            .map(decode_order)
            .collect::<Result<_>>()?;
        Ok(Page { items, total })
    }

    /// Writes the derived fields (`product_ids`, `sort_key`) of every order document that
    /// lacks one, with the document's update time as precondition (a document someone writes
    /// meanwhile is left to that write). Answers how many documents it wrote.
    pub async fn reindex(&self) -> Result<u64> {
        let collection = self.collections.orders();
        let mut written = 0;
        let mut after: Option<String> = None;
        loop {
            let mut query = Query::collection(&collection)
                .order_by(NAME_FIELD, Direction::Ascending)
                .limit(REINDEX_PAGE);
            if let Some(name) = after.take() {
                query = query.start_after(vec![Value::Reference(name)]);
            }
            let docs = self.client.run_query(&query).await?;
            for doc in &docs {
                if [PRODUCT_IDS, SORT_KEY, SERIALS]
                    .iter()
                    .all(|f| doc.fields.contains_key(*f))
                {
                    continue;
                }
                let order = decode_order(doc)?;
                let mut fields = Fields::new();
                fields.insert(PRODUCT_IDS.into(), product_ids(&order.items));
                fields.insert(SORT_KEY.into(), Value::String(sort_key(&order)));
                fields.insert(SERIALS.into(), serials(&order.items));
                let result = self
                    .client
                    .patch(
                        doc.path(),
                        &fields,
                        Some(&[PRODUCT_IDS, SORT_KEY, SERIALS]),
                        Some(unchanged_since(doc)),
                    )
                    .await;
                match result {
                    Ok(_) => written += 1,
                    Err(::firestore::Error::PreconditionFailed(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            match docs.last() {
                Some(last) if docs.len() == REINDEX_PAGE as usize => {
                    after = Some(last.name.clone());
                }
                _ => return Ok(written),
            }
        }
    }

    /// The highest sequence number of `year` among the stored order numbers (0: none).
    async fn highest_number(&self, year: i32) -> Result<i64> {
        let query = Query::collection(self.collections.orders())
            .filter(Filter::ge("order_number", format!("ORD-{year}-")))
            .filter(Filter::lt("order_number", format!("ORD-{year}.")))
            .select(["order_number"]);
        let docs = self.client.run_query(&query).await?;
        Ok(docs
            .iter()
            .filter_map(|d| d.fields.get("order_number")?.as_str())
            .filter_map(parse_order_number)
            .filter(|(y, _)| *y == year)
            .map(|(_, seq)| seq)
            .max()
            .unwrap_or(0))
    }

    /// Raises the counter of `year` to `seq` when it is below (a missing counter is left
    /// missing: it starts from the highest stored number when next needed).
    async fn raise_counter(&self, year: i32, seq: i64) -> Result<()> {
        let path = self.counter_path(year);
        let path = &path;
        self.client
            .run_transaction(|tx| async move {
                let writes = match tx.get(path).await? {
                    Some(doc) if counter_value(&doc) < seq => {
                        vec![Write::set(path.clone(), counter_fields(year, seq))]
                    }
                    _ => Vec::new(),
                };
                Ok::<_, Error>(((), writes))
            })
            .await?;
        Ok(())
    }
}

impl OrderStore for FirestoreOrderStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Order>> {
        let mut q = Query::collection(self.collections.orders());
        if let Some(c) = query.customer_id {
            q = q.filter(Filter::eq("customer_id", c.to_string()));
        }
        if let Some(s) = query.status {
            q = q.filter(Filter::eq("status", s.as_str()));
        }
        if let Some(p) = query.payment_status {
            q = q.filter(Filter::eq("payment_status", p.as_str()));
        }
        if let Some(text) = &query.search {
            return self.search(q, &query, text).await;
        }
        let q = q.order_by(SORT_KEY, Direction::Descending);
        let total = self.client.count(&q).await?;
        let limit = query.effective_limit();
        let offset = query.effective_offset();
        let items = if limit == 0 || i64::from(offset) >= total {
            Vec::new()
        } else {
            let docs = self
                .client
                .run_query(&q.offset(offset).limit(limit))
                .await?;
            docs.iter().map(decode_order).collect::<Result<_>>()?
        };
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn get(&self, id: Uuid) -> Result<Order> {
        let doc = self
            .client
            .get(&self.path(id))
            .await?
            .ok_or_else(|| not_found(id))?;
        decode_order(&doc)
    }

    async fn insert(&self, order: Order) -> Result<Order> {
        let _turn = self.numbering.lock().await;
        let year = order.created_at.year();
        let counter_path = self.counter_path(year);
        let customer_path = doc_path(
            &self.collections.customers(),
            &order.customer_id.to_string(),
        );
        let order_path = self.path(order.id);
        let products = self.collections.products();
        let (order, _) = self
            .client
            .run_transaction(|tx| {
                let mut o = order.clone();
                let (counter_path, customer_path, order_path, products) =
                    (&counter_path, &customer_path, &order_path, &products);
                async move {
                    let product_paths = product_paths(products, &o.items);
                    let mut paths = vec![counter_path.as_str(), customer_path.as_str()];
                    paths.extend(product_paths.values().map(String::as_str));
                    let mut docs = tx.batch_get(&paths).await?.into_iter();
                    let counter = docs.next().flatten();
                    if docs.next().flatten().is_none() {
                        return Err(no_such_customer());
                    }
                    let found: HashMap<Uuid, Option<Document>> =
                        product_paths.keys().copied().zip(docs).collect();
                    fill_products(&mut o.items, &found)?;
                    let last = match &counter {
                        Some(doc) => counter_value(doc),
                        None => self.highest_number(year).await?,
                    };
                    let seq = last + 1;
                    o.order_number = order_number(year, seq);
                    o.status_history = vec![StatusChange {
                        from: None,
                        to: o.status,
                        at: o.created_at,
                    }];
                    let writes = vec![
                        Write::create(order_path.clone(), encode_order(&o)?),
                        Write::set(counter_path.clone(), counter_fields(year, seq)),
                    ];
                    Ok((o, writes))
                }
            })
            .await?;
        Ok(order)
    }

    async fn update<F>(&self, id: Uuid, expected_version: Option<i64>, change: F) -> Result<Order>
    where
        F: Fn(&Order) -> Result<Change> + Send + Sync + 'static,
    {
        let _turn = self.locks.lock(id).await;
        let path = self.path(id);
        let customers = self.collections.customers();
        let products = self.collections.products();
        let (path, customers, products, change) = (&path, &customers, &products, &change);
        let (order, _) = self
            .client
            .run_transaction(|tx| async move {
                let doc = tx.get(path).await?.ok_or_else(|| not_found(id))?;
                let current = decode_order(&doc)?;
                check_version(current.version, expected_version)?;
                let mut next = match change(&current)? {
                    Change::Unchanged => return Ok((current, Vec::new())),
                    Change::Save(next) => *next,
                };
                next.id = current.id;
                next.order_number = current.order_number.clone();
                next.created_at = current.created_at;
                next.version = current.version + 1;
                next.status_history = current.status_history.clone();
                let customer_changed = next.customer_id != current.customer_id;
                let items_changed = next.items != current.items;
                let customer_path = doc_path(customers, &next.customer_id.to_string());
                let product_paths = if items_changed {
                    product_paths(products, &next.items)
                } else {
                    BTreeMap::new()
                };
                let mut paths = Vec::new();
                if customer_changed {
                    paths.push(customer_path.as_str());
                }
                paths.extend(product_paths.values().map(String::as_str));
                let mut docs = if paths.is_empty() {
                    Vec::new()
                } else {
                    tx.batch_get(&paths).await?
                }
                .into_iter();
                if customer_changed && docs.next().flatten().is_none() {
                    return Err(no_such_customer());
                }
                if items_changed {
                    let found: HashMap<Uuid, Option<Document>> =
                        product_paths.keys().copied().zip(docs).collect();
                    fill_products(&mut next.items, &found)?;
                }
                if next.status != current.status {
                    next.status_history.push(StatusChange {
                        from: Some(current.status),
                        to: next.status,
                        at: next.updated_at,
                    });
                }
                let mut writes = stock_writes(
                    &tx,
                    products,
                    &stock::moves(&current, &next),
                    next.updated_at,
                )
                .await?;
                let fields = encode_order(&next)?;
                let mask: Vec<String> = fields.keys().cloned().collect();
                writes.push(
                    Write::update(path.clone(), fields, mask)
                        .with_precondition(Precondition::Exists(true)),
                );
                Ok((next, writes))
            })
            .await?;
        Ok(order)
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        let _turn = self.locks.lock(id).await;
        let path = self.path(id);
        loop {
            let doc = self.client.get(&path).await?.ok_or_else(|| not_found(id))?;
            check_version(version(&doc), expected_version)?;
            stock::refuse_delete(&decode_order(&doc)?)?;
            match self.client.delete(&path, Some(unchanged_since(&doc))).await {
                Ok(()) => return Ok(()),
                // written or deleted since it was read: look again
                Err(
                    ::firestore::Error::PreconditionFailed(_) | ::firestore::Error::NotFound(_),
                ) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn vat_rates(&self, products: Vec<Uuid>) -> Result<HashMap<Uuid, VatRate>> {
        if products.is_empty() {
            return Ok(HashMap::new());
        }
        let collection = self.collections.products();
        let paths: Vec<String> = products
            .iter()
            .map(|id| doc_path(&collection, &id.to_string()))
            .collect();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let docs = self.client.batch_get(&paths).await?;
        Ok(products
            .into_iter()
            .zip(docs)
            .filter_map(|(id, doc)| Some((id, product_vat_rate(&doc?))))
            .collect())
    }

    async fn with_serial(&self, serial: String) -> Result<Vec<Order>> {
        let q = Query::collection(self.collections.orders())
            .filter(Filter::array_contains(SERIALS, serial))
            .limit(100);
        let mut orders = self
            .client
            .run_query(&q)
            .await?
            .iter()
            .map(decode_order)
            .collect::<Result<Vec<_>>>()?;
        orders.sort_by_key(|o| (o.created_at, o.id));
        Ok(orders)
    }

    async fn count_for_customer(&self, customer_id: Uuid) -> Result<u64> {
        let q = Query::collection(self.collections.orders())
            .filter(Filter::eq("customer_id", customer_id.to_string()));
        Ok(u64::try_from(self.client.count(&q).await?).unwrap_or(0))
    }

    async fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> Result<Vec<OrderEvent>> {
        let q = Query::collection(self.collections.orders())
            .filter(Filter::eq("customer_id", customer_id.to_string()));
        let docs = self.client.run_query(&q).await?;
        let mut events = Vec::new();
        for doc in &docs {
            let order = decode_order(doc)?;
            for (i, change) in order.status_history.iter().enumerate() {
                let seq = event_seq(&order.order_number, i);
                if before.is_some_and(|b| (change.at, seq) >= b) {
                    continue;
                }
                events.push(OrderEvent {
                    seq,
                    order_id: order.id,
                    order_number: order.order_number.clone(),
                    from: change.from,
                    to: change.to,
                    at: change.at,
                });
            }
        }
        events.sort_by_key(|e| std::cmp::Reverse((e.at, e.seq)));
        events.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(events)
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Order>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut q = Query::collection(self.collections.orders())
            .order_by(NAME_FIELD, Direction::Ascending)
            .limit(limit);
        if let Some(a) = after {
            q = q.start_after(vec![self.client.reference(&self.path(a))]);
        }
        let docs = self.client.run_query(&q).await?;
        docs.iter().map(decode_order).collect()
    }

    async fn put_all(&self, orders: Vec<Order>) -> Result<()> {
        let mut highest: BTreeMap<i32, i64> = BTreeMap::new();
        let mut writes = Vec::with_capacity(orders.len());
        for o in &orders {
            if let Some((year, seq)) = parse_order_number(&o.order_number) {
                let h = highest.entry(year).or_insert(seq);
                *h = (*h).max(seq);
            }
            writes.push(Write::set(self.path(o.id), encode_order(o)?));
        }
        let mut commits = tokio::task::JoinSet::new();
        let mut chunks = Vec::new();
        while !writes.is_empty() {
            let rest = writes.split_off(writes.len().min(MAX_WRITES_PER_COMMIT));
            chunks.push(std::mem::replace(&mut writes, rest));
        }
        for chunk in chunks {
            if commits.len() >= PUT_CONCURRENCY
                && let Some(done) = commits.join_next().await
            {
                joined(done)?;
            }
            let client = self.client.clone();
            commits.spawn(async move { client.commit(&chunk).await.map(drop) });
        }
        while let Some(done) = commits.join_next().await {
            joined(done)?;
        }
        let _turn = self.numbering.lock().await;
        for (year, seq) in highest {
            self.raise_counter(year, seq).await?;
        }
        Ok(())
    }
}

/// The outcome of one spawned commit.
fn joined(
    done: std::result::Result<::firestore::Result<()>, tokio::task::JoinError>,
) -> Result<()> {
    match done {
        Ok(r) => Ok(r?),
        Err(e) => Err(Error::Store {
            message: format!("a commit task failed: {e}"),
        }),
    }
}

/// The order a document holds, read leniently (see the module docs).
pub fn decode_order(doc: &Document) -> Result<Order> {
    let mut doc = doc.clone();
    let fields = &mut doc.fields;
    let given = |f: &Fields, name: &str| f.get(name).is_some_and(|v| *v != Value::Null);
    if !given(fields, "updated_at")
        && let Some(created) = fields.get("created_at").cloned()
    {
        fields.insert("updated_at".into(), created);
    }
    if let Some(Value::Array(items)) = fields.get_mut("items") {
        for item in items {
            if let Value::Map(m) = item
                && !given(m, "type")
            {
                let kind = if given(m, "product_id") {
                    "product"
                } else {
                    "freetext"
                };
                m.insert("type".into(), Value::String(kind.into()));
            }
        }
    }
    let mut order: Order = decode(&doc, TIMESTAMPS, &DEFAULTS)?;
    price_stored(&mut order)?;
    Ok(order)
}

/// The document fields of an order: its API JSON without `id`, and the derived fields.
pub fn encode_order(order: &Order) -> Result<Fields> {
    let mut fields = encode(order, TIMESTAMPS)?;
    fields.insert(PRODUCT_IDS.into(), product_ids(&order.items));
    fields.insert(SORT_KEY.into(), Value::String(sort_key(order)));
    fields.insert(SERIALS.into(), serials(&order.items));
    Ok(fields)
}

/// Every serial number of the items, each once.
fn serials(items: &[Item]) -> Value {
    let mut seen: Vec<&str> = Vec::new();
    for s in items.iter().flat_map(|i| &i.serial_numbers) {
        if !seen.contains(&s.as_str()) {
            seen.push(s);
        }
    }
    Value::Array(
        seen.into_iter()
            .map(|s| Value::String(s.to_owned()))
            .collect(),
    )
}

/// The products the items refer to, each once, in the order of the items.
fn product_ids(items: &[Item]) -> Value {
    let mut seen = Vec::new();
    for id in items.iter().filter_map(|i| i.product_id) {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    Value::Array(
        seen.into_iter()
            .map(|id| Value::String(id.to_string()))
            .collect(),
    )
}

/// `{created_at}|{year}|{sequence, 12 digits}`: text order is (time, number) order. An
/// order number that is not ours leaves only the time.
fn sort_key(order: &Order) -> String {
    match parse_order_number(&order.order_number) {
        Some((year, seq)) => format!("{}|{year:04}|{seq:012}", order.created_at),
        None => format!("{}|", order.created_at),
    }
}

/// The cursor sequence of the `index`th change of order `number` (see the module docs).
fn event_seq(number: &str, index: usize) -> i64 {
    let index = i64::try_from(index).unwrap_or(i64::MAX).min(99_999);
    match parse_order_number(number) {
        Some((year, seq)) if (0..100_000_000).contains(&seq) => {
            (i64::from(year) * 100_000_000 + seq) * 100_000 + index
        }
        _ => index,
    }
}

fn counter_value(doc: &Document) -> i64 {
    match doc.fields.get(LAST_SEQ) {
        Some(Value::Integer(n)) => *n,
        _ => 0,
    }
}

fn counter_fields(year: i32, seq: i64) -> Fields {
    Fields::from([
        ("year".to_owned(), Value::Integer(i64::from(year))),
        (LAST_SEQ.to_owned(), Value::Integer(seq)),
    ])
}

/// The document path of each product the items refer to.
fn product_paths(collection: &str, items: &[Item]) -> BTreeMap<Uuid, String> {
    items
        .iter()
        .filter_map(|i| i.product_id)
        .map(|id| (id, doc_path(collection, &id.to_string())))
        .collect()
}

/// The writes that apply stock moves to the product documents, read in the transaction `tx`
/// (so that a concurrent order taking the same units makes one of the two start over and
/// find them gone); `Error::Conflict` when a product would be left short.
async fn stock_writes(
    tx: &::firestore::Transaction,
    products: &str,
    moves: &[StockMove],
    at: Timestamp,
) -> Result<Vec<Write>> {
    if moves.is_empty() {
        return Ok(Vec::new());
    }
    let paths: Vec<String> = moves
        .iter()
        .map(|m| doc_path(products, &m.product_id.to_string()))
        .collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let docs = tx.batch_get(&refs).await?;
    let mut writes = Vec::with_capacity(moves.len());
    for ((m, path), doc) in moves.iter().zip(paths).zip(docs) {
        let Some(doc) = doc else {
            continue;
        };
        let count = |field: &str| match doc.get(&format!("stock.{field}")) {
            Some(Value::Integer(n)) => *n,
            Some(Value::Double(n)) if n.fract() == 0.0 => *n as i64,
            _ => 0,
        };
        let name = doc
            .fields
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("a product")
            .to_owned();
        let now = Stock {
            on_hand: count("on_hand"),
            reserved: count("reserved"),
        };
        let next = now.after(m, &name)?;
        let fields = encode(
            &json!({
                "stock": {
                    "on_hand": next.on_hand,
                    "reserved": next.reserved,
                    "available": next.on_hand - next.reserved,
                },
                "version": version(&doc) + 1,
                "updated_at": at,
            }),
            &["updated_at"],
        )?;
        let mask = ["stock", "version", "updated_at"].map(str::to_owned);
        writes
            .push(Write::update(path, fields, mask).with_precondition(Precondition::Exists(true)));
    }
    Ok(writes)
}

/// A product document's `vat_rate`; 24 % when it has none that is a rate.
fn product_vat_rate(doc: &Document) -> VatRate {
    match doc.fields.get("vat_rate") {
        Some(Value::Integer(n)) => VatRate::try_from(*n).unwrap_or_default(),
        _ => VatRate::default(),
    }
}

fn no_such_customer() -> Error {
    Error::invalid("customer_id", "no such customer")
}

/// Checks that every referenced product was found and copies its `name` into items without
/// one (as the SQLite store does).
fn fill_products(items: &mut [Item], found: &HashMap<Uuid, Option<Document>>) -> Result<()> {
    for (i, item) in items.iter_mut().enumerate() {
        let Some(product_id) = item.product_id else {
            continue;
        };
        let Some(Some(doc)) = found.get(&product_id) else {
            return Err(Error::invalid(
                format!("items[{i}].product_id"),
                "no such product",
            ));
        };
        if item.product_name.is_none() {
            item.product_name = doc
                .fields
                .get("name")
                .and_then(Value::as_str)
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty());
        }
    }
    Ok(())
}

/// One async mutex per key, made when first wanted and dropped when nobody holds it.
#[derive(Debug, Default)]
struct KeyedLocks {
    locks: std::sync::Mutex<HashMap<Uuid, Weak<Mutex<()>>>>,
}

impl KeyedLocks {
    async fn lock(&self, key: Uuid) -> OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
            match map.get(&key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    map.retain(|_, l| l.strong_count() > 0);
                    let lock = Arc::new(Mutex::new(()));
                    map.insert(key, Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_order_by_time_then_number() {
        let at = |s: &str| Timestamp::parse(s).unwrap();
        let key = |t: &str, n: &str| {
            let mut o: Order = serde_json::from_value(json!({
                "id": Uuid::nil(), "order_number": n, "customer_id": Uuid::nil(),
                "status": "draft", "status_history": [], "items": [], "subtotal": 0,
                "prices_include_vat": false,
                "discount": null, "total_price": 0, "currency": "EUR", "shipping": {},
                "payment_status": "pending", "invoice_path": null, "notes": null,
                "created_at": t, "updated_at": t, "version": 1
            }))
            .unwrap();
            o.created_at = at(t);
            sort_key(&o)
        };
        let t = "2026-03-01T10:00:00Z";
        assert!(key(t, "ORD-2026-1000") > key(t, "ORD-2026-999"));
        assert!(key("2026-03-01T10:00:01Z", "ORD-2026-001") > key(t, "ORD-2026-999"));
        assert!(event_seq("ORD-2026-1000", 0) > event_seq("ORD-2026-999", 7));
        assert!(event_seq("ORD-2027-001", 0) > event_seq("ORD-2026-999", 7));
    }
}
