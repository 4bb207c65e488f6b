//! Customers in the shared SQLite database (schema: `migrations/03-customers/up.sql`).
//!
//! The record is one row of `customers` (nested lists as JSON). Beside it, in the same
//! transaction, the store keeps `customer_contacts` (normalised contact values, for lookups),
//! `customer_tags` (for the tag filter without search) and `customers_fts` (the full-text
//! index of search keys, and of the tokens of the tag, city and region filters, see
//! [`crate::search`]); deleting a customer cascades to all three.
//!
//! A migration that changes what `customers_fts` holds (as `12-customer-location-search`
//! did) lists every customer in `customers_fts_pending`: SQL cannot compute search keys, so
//! the store writes those rows itself ([`SqliteCustomerStore::catch_up`]) before its first
//! list answers.
//!
//! # Name-ordered doc numbers
//!
//! A customer's row in `customers_fts` has the rowid `customers.doc`, and doc numbers are kept
//! in the order of `(sort_key, id)`: a new or renamed customer gets a number between those of
//! its neighbours (gaps of 2^32 at first; when a gap is used up, the numbers of a window of
//! neighbours are spread out again, moving their index rows). FTS5 yields hits in rowid
//! order, so "hits by name" needs no sort and no join, and a page of them stops after
//! `offset + limit` hits however many there are.
//!
//! # Search
//!
//! The query becomes a `MATCH` expression of quoted prefix terms and whole inflected forms
//! ([`crm_core::fts`]). The total is `count(*)` of the match (a walk over doclists, no rows
//! read). When at most [`RANK_LIMIT`] customers match, the page is ranked: first those with
//! every word whole as typed, then those with every word whole in some form (`Αγίου` for
//! `agios`), then the rest (longer words); within each, by `bm25`, then doc (= name). The
//! tiers are two more `MATCH` expressions, evaluated once each (`IN` a subquery). A broader match (a prefix of one
//! or two letters matching half the customers) is listed by name, where relevance among tens
//! of thousands of equally short hits means little and ranking all of them would cost tens of
//! milliseconds. Only the rows of the page are read from `customers`.
//!
//! The tag, city and region filters are `MATCH` terms of their exact tokens, `AND`ed to the
//! search's expression; a city or region filter without a search is such an expression alone,
//! walked in doc (= name) order like a broad search. A tag filter alone reads
//! `customer_tags`.

use std::fmt::Write as _;
use std::sync::Arc;

use crm_core::store::{check_version, delete_versioned};
use crm_core::{Db, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use crate::error::{Error, Result, not_found};
use crate::model::{Customer, ListQuery, Location, Page, tag_key};
use crate::search::{self, Document};
use crate::store::{Change, ContactKey, CustomerStore};

/// bm25 column weights: name, organization, contacts, tags, tag_ids, location, place_ids
/// (tag_ids and place_ids are filters).
const BM25: &str = "bm25(customers_fts, 10.0, 4.0, 2.0, 2.0, 0.0, 1.0, 0.0)";

/// How many customers one write of [`SqliteCustomerStore::import`] carries.
const IMPORT_CHUNK: usize = 2_000;

/// Searches matching at most this many customers are ordered by relevance, broader ones by
/// name (see the module doc).
pub const RANK_LIMIT: u64 = 2_000;

/// The doc number of the first customer, in the middle of the positive `i64`s.
const DOC_ORIGIN: i64 = 1 << 62;
/// The gap left between doc numbers of customers added at either end.
const DOC_SPACING: i64 = 1 << 32;
/// When spreading out doc numbers, the gap to leave at least.
const MIN_DOC_STEP: i64 = 1 << 20;

const COLUMNS: &str = "c.id, c.name, c.organization, c.contacts, c.notes, c.city, c.country, \
     c.region, c.language, c.tags, c.owned_items, c.linked_user_ids, c.nextcloud_folder, \
     c.created_at, c.updated_at, c.version";

/// The SQLite implementation of [`CustomerStore`].
#[derive(Debug, Clone)]
pub struct SqliteCustomerStore {
    db: Db,
    rank_limit: u64,
    /// Set once [`Self::catch_up`] found nothing left pending (shared by clones).
    caught_up: Arc<tokio::sync::OnceCell<()>>,
}

impl SqliteCustomerStore {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            rank_limit: RANK_LIMIT,
            caught_up: Arc::default(),
        }
    }

    /// Writes the full-text rows of the customers a migration listed in
    /// `customers_fts_pending` (see the module doc), a few thousand per transaction, and
    /// answers how many it wrote. Nothing pending: one read, 0. Lists call it (once per
    /// store) before answering; the gateway's reindex does too.
    pub async fn catch_up(&self) -> Result<u64> {
        let pending = self
            .db
            .read(|conn| {
                Ok::<_, Error>(
                    conn.prepare_cached("SELECT 1 FROM customers_fts_pending LIMIT 1")?
                        .exists([])?,
                )
            })
            .await?;
        if !pending {
            return Ok(0);
        }
        let mut written = 0;
        loop {
            let n = self
                .db
                .write(|conn| {
                    let ids: Vec<String> = {
                        let mut stmt = conn.prepare_cached(
                            "SELECT customer_id FROM customers_fts_pending LIMIT ?1",
                        )?;
                        let rows = stmt
                            .query_map([i64::try_from(IMPORT_CHUNK).unwrap_or(i64::MAX)], |r| {
                                r.get(0)
                            })?;
                        rows.collect::<rusqlite::Result<_>>()?
                    };
                    for id in &ids {
                        if let Some((c, doc)) = load(conn, parse_uuid(0, id)?)? {
                            write_fts(conn, doc, &search::document(&c), true)?;
                        }
                        conn.prepare_cached(
                            "DELETE FROM customers_fts_pending WHERE customer_id = ?1",
                        )?
                        .execute([id])?;
                    }
                    Ok::<_, Error>(ids.len() as u64)
                })
                .await?;
            if n == 0 {
                return Ok(written);
            }
            written += n;
        }
    }

    /// [`Self::catch_up`], once per store (and its clones).
    async fn caught_up(&self) -> Result<()> {
        self.caught_up
            .get_or_try_init(|| async { self.catch_up().await.map(|_| ()) })
            .await
            .map(|_| ())
    }

    /// The same store, ordering searches with more than `rank_limit` hits by name instead of
    /// [`RANK_LIMIT`] (for tests and tuning).
    pub fn with_rank_limit(self, rank_limit: u64) -> Self {
        Self { rank_limit, ..self }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Stores many new, already validated customers fast (seeding, imports, benchmarks):
    /// a few thousand per transaction, prepared statements reused. Same rows as
    /// [`CustomerStore::insert`] one by one.
    ///
    /// Customers are added in name order, so that into an empty table they only ever append;
    /// the full-text index is merged into one segment at the end.
    pub async fn import(&self, customers: Vec<Customer>) -> Result<()> {
        let mut rest: Vec<(String, Customer)> = customers
            .into_iter()
            .map(|c| (search::fold(&c.name), c))
            .collect();
        rest.sort_by(|(a, ca), (b, cb)| (a, ca.id.to_string()).cmp(&(b, cb.id.to_string())));
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(IMPORT_CHUNK));
            let chunk = std::mem::replace(&mut rest, tail);
            self.db
                .write(move |conn| {
                    for (_, c) in &chunk {
                        insert_row(conn, c)?;
                    }
                    Ok::<_, Error>(())
                })
                .await?;
        }
        self.db
            .write(|conn| {
                conn.execute(
                    "INSERT INTO customers_fts (customers_fts) VALUES ('optimize')",
                    [],
                )?;
                Ok::<_, Error>(())
            })
            .await
    }
}

fn parse_uuid(idx: usize, s: &str) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Reads a row selected with [`COLUMNS`] (at offset 0).
fn customer_from_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    let id: String = row.get(0)?;
    Ok(Customer {
        id: parse_uuid(0, &id)?,
        name: row.get(1)?,
        organization: row.get(2)?,
        contacts: json(row, 3)?,
        notes: json(row, 4)?,
        location: Location {
            city: row.get(5)?,
            country: row.get(6)?,
            region: row.get(7)?,
        },
        language: row.get(8)?,
        tags: json(row, 9)?,
        owned_items: json(row, 10)?,
        linked_user_ids: json(row, 11)?,
        nextcloud_folder: row.get(12)?,
        created_at: row.get::<_, Timestamp>(13)?,
        updated_at: row.get::<_, Timestamp>(14)?,
        version: row.get(15)?,
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v)?)
}

/// The doc numbers of the customers just before and just after `(sort_key, id)` in name
/// order, leaving out `id` itself.
fn neighbours(conn: &Connection, sort_key: &str, id: &str) -> Result<(Option<i64>, Option<i64>)> {
    let before = conn
        .prepare_cached(
            "SELECT doc FROM customers WHERE (sort_key, id) < (?1, ?2) AND id <> ?2
             ORDER BY sort_key DESC, id DESC LIMIT 1",
        )?
        .query_row([sort_key, id], |r| r.get(0))
        .optional()?;
    let after = conn
        .prepare_cached(
            "SELECT doc FROM customers WHERE (sort_key, id) > (?1, ?2) AND id <> ?2
             ORDER BY sort_key, id LIMIT 1",
        )?
        .query_row([sort_key, id], |r| r.get(0))
        .optional()?;
    Ok((before, after))
}

/// A free doc number for `(sort_key, id)` that keeps doc order = name order, making room
/// among the neighbours when their numbers are adjacent.
fn place(conn: &Connection, sort_key: &str, id: &str) -> Result<i64> {
    for _ in 0..3 {
        let free = match neighbours(conn, sort_key, id)? {
            (None, None) => Some(DOC_ORIGIN),
            (Some(p), None) => p.checked_add(DOC_SPACING),
            (None, Some(n)) => Some(n - DOC_SPACING).filter(|d| *d > 0),
            (Some(p), Some(n)) => (n - p >= 2).then(|| p + (n - p) / 2),
        };
        if let Some(doc) = free {
            return Ok(doc);
        }
        make_room(conn, sort_key, id)?;
    }
    Err(Error::Db(crm_core::DbError::Task(
        "no room left among the doc numbers".into(),
    )))
}

/// Spreads out the doc numbers of the neighbours of `(sort_key, id)` so that there is a gap
/// at its place: a window of neighbours, doubled until the numbers around it leave gaps of at
/// least [`MIN_DOC_STEP`] (or it spans every customer).
fn make_room(conn: &Connection, sort_key: &str, id: &str) -> Result<()> {
    let side = |sql: &str, k: i64| -> Result<Vec<(String, i64)>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![sort_key, id, k + 1], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    };
    let mut k: i64 = 8;
    loop {
        let before = side(
            "SELECT id, doc FROM customers WHERE (sort_key, id) < (?1, ?2) AND id <> ?2
             ORDER BY sort_key DESC, id DESC LIMIT ?3",
            k,
        )?;
        let after = side(
            "SELECT id, doc FROM customers WHERE (sort_key, id) > (?1, ?2) AND id <> ?2
             ORDER BY sort_key, id LIMIT ?3",
            k,
        )?;
        let k_usize = usize::try_from(k).unwrap_or(usize::MAX);
        let lower = before.get(k_usize).map_or(0, |(_, d)| *d);
        let upper = after.get(k_usize).map_or(i64::MAX, |(_, d)| *d);
        let window: Vec<&(String, i64)> = before
            .iter()
            .take(k_usize)
            .rev()
            .chain(after.iter().take(k_usize))
            .collect();
        let n_before = before.len().min(k_usize);
        let slots = i64::try_from(window.len()).unwrap_or(i64::MAX - 2) + 2;
        let step = (upper - lower) / slots;
        let everything = before.len() <= k_usize && after.len() <= k_usize;
        if step >= MIN_DOC_STEP || everything {
            let moves: Vec<(String, i64, i64)> = window
                .iter()
                .enumerate()
                .map(|(i, (rid, old))| {
                    // slot n_before (0-based) is left free for the new customer
                    let slot = if i < n_before { i + 1 } else { i + 2 };
                    let new = lower + step * i64::try_from(slot).unwrap_or(0);
                    (rid.clone(), *old, new)
                })
                .filter(|(_, old, new)| old != new)
                .collect();
            return move_docs(conn, &moves);
        }
        k *= 2;
    }
}

/// Gives customers new doc numbers, moving their full-text rows along.
fn move_docs(conn: &Connection, moves: &[(String, i64, i64)]) -> Result<()> {
    // first out of the way (negative numbers are free), then into place
    for (id, old, new) in moves {
        conn.prepare_cached("DELETE FROM customers_fts WHERE rowid = ?1")?
            .execute([old])?;
        conn.prepare_cached("UPDATE customers SET doc = ?2 WHERE id = ?1")?
            .execute(params![id, -new])?;
    }
    for (id, _, new) in moves {
        conn.prepare_cached("UPDATE customers SET doc = ?2 WHERE id = ?1")?
            .execute(params![id, new])?;
        let uuid = parse_uuid(0, id)?;
        let (customer, _) = load(conn, uuid)?.ok_or_else(|| not_found(uuid))?;
        write_fts(conn, *new, &search::document(&customer), false)?;
    }
    Ok(())
}

fn insert_row(conn: &Connection, c: &Customer) -> Result<()> {
    let sort_key = search::fold(&c.name);
    let id = c.id.to_string();
    if conn
        .prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?
        .exists([&id])?
    {
        return Err(Error::Conflict {
            message: format!("a customer with id {id} already exists"),
        });
    }
    let doc = place(conn, &sort_key, &id)?;
    conn.prepare_cached(
        "INSERT INTO customers (id, doc, name, sort_key, organization, contacts, notes, city,
             country, region, language, tags, owned_items, linked_user_ids, nextcloud_folder,
             created_at, updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        id,
        doc,
        c.name,
        sort_key,
        c.organization,
        to_json(&c.contacts)?,
        to_json(&c.notes)?,
        c.location.city,
        c.location.country,
        c.location.region,
        c.language,
        to_json(&c.tags)?,
        to_json(&c.owned_items)?,
        to_json(&c.linked_user_ids)?,
        c.nextcloud_folder,
        c.created_at,
        c.updated_at,
        c.version,
    ])?;
    write_contacts(conn, c, false)?;
    write_tags(conn, c, &sort_key, false)?;
    write_fts(conn, doc, &search::document(c), false)?;
    Ok(())
}

fn write_contacts(conn: &Connection, c: &Customer, replace: bool) -> Result<()> {
    let id = c.id.to_string();
    if replace {
        conn.prepare_cached("DELETE FROM customer_contacts WHERE customer_id = ?1")?
            .execute([&id])?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO customer_contacts (customer_id, position, kind, value, normalized)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, contact) in c.contacts.iter().enumerate() {
        insert.execute(params![
            id,
            i64::try_from(i).unwrap_or(i64::MAX),
            contact.kind.as_str(),
            contact.value,
            contact.normalized(),
        ])?;
    }
    Ok(())
}

fn write_tags(conn: &Connection, c: &Customer, sort_key: &str, replace: bool) -> Result<()> {
    let id = c.id.to_string();
    if replace {
        conn.prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1")?
            .execute([&id])?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO customer_tags (tag, sort_key, customer_id) VALUES (?1, ?2, ?3)",
    )?;
    for t in &c.tags {
        insert.execute(params![tag_key(t), sort_key, id])?;
    }
    Ok(())
}

fn write_fts(conn: &Connection, doc: i64, d: &Document, replace: bool) -> Result<()> {
    if replace {
        conn.prepare_cached("DELETE FROM customers_fts WHERE rowid = ?1")?
            .execute([doc])?;
    }
    conn.prepare_cached(
        "INSERT INTO customers_fts (rowid, name, organization, contacts, tags, tag_ids,
             location, place_ids)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        doc,
        d.name,
        d.organization,
        d.contacts,
        d.tags,
        d.tag_ids,
        d.location,
        d.place_ids
    ])?;
    Ok(())
}

/// The stored customer and its doc number.
fn load(conn: &Connection, id: Uuid) -> Result<Option<(Customer, i64)>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, c.doc FROM customers c WHERE c.id = ?1"
        ))?
        .query_row([id.to_string()], |r| {
            Ok((customer_from_row(r)?, r.get(16)?))
        })
        .optional()?)
}

fn update_row(conn: &Connection, current: &Customer, doc: i64, next: &Customer) -> Result<()> {
    let id = next.id.to_string();
    let sort_key = search::fold(&next.name);
    let moved = sort_key != search::fold(&current.name);
    let doc = if moved {
        // out of the order first, so that making room never meets its old number
        conn.prepare_cached("DELETE FROM customers_fts WHERE rowid = ?1")?
            .execute([doc])?;
        conn.prepare_cached("UPDATE customers SET doc = ?2 WHERE id = ?1")?
            .execute(params![id, -doc])?;
        place(conn, &sort_key, &id)?
    } else {
        doc
    };
    conn.prepare_cached(
        "UPDATE customers SET name = ?2, sort_key = ?3, organization = ?4, contacts = ?5,
             notes = ?6, city = ?7, country = ?8, region = ?9, language = ?10, tags = ?11,
             owned_items = ?12, linked_user_ids = ?13, nextcloud_folder = ?14,
             updated_at = ?15, version = ?16, doc = ?17, created_at = ?18
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        next.name,
        sort_key,
        next.organization,
        to_json(&next.contacts)?,
        to_json(&next.notes)?,
        next.location.city,
        next.location.country,
        next.location.region,
        next.language,
        to_json(&next.tags)?,
        to_json(&next.owned_items)?,
        to_json(&next.linked_user_ids)?,
        next.nextcloud_folder,
        next.updated_at,
        next.version,
        doc,
        next.created_at,
    ])?;
    if next.contacts != current.contacts {
        write_contacts(conn, next, true)?;
    }
    if next.tags != current.tags || next.name != current.name {
        write_tags(conn, next, &sort_key, true)?;
    }
    let document = search::document(next);
    if moved {
        write_fts(conn, doc, &document, false)?;
    } else if document != search::document(current) {
        write_fts(conn, doc, &document, true)?;
    }
    Ok(())
}

fn query_customers(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Customer>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, customer_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn count(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<u64> {
    let n: i64 = conn.prepare_cached(sql)?.query_row(params, |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// One walk over the hits of `expr` in doc (= name) order: their number, and the docs of
/// the page `offset..offset + limit`. Counting while walking costs what `count(*)` would,
/// and sets the expression up only once.
fn hits_by_name(conn: &Connection, expr: &str, offset: i64, limit: i64) -> Result<(u64, Vec<i64>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1 ORDER BY rowid",
    )?;
    let mut rows = stmt.query([expr])?;
    let (offset, end) = (offset, offset.saturating_add(limit));
    let mut total: i64 = 0;
    let mut docs = Vec::new();
    while let Some(row) = rows.next()? {
        if total >= offset && total < end {
            docs.push(row.get(0)?);
        }
        total += 1;
    }
    Ok((u64::try_from(total).unwrap_or(0), docs))
}

/// The docs of the page `offset..offset + limit` of the hits of `expr` by relevance: first
/// the hits of the `tiers` (whole words as typed, then whole words in any form; see
/// [`search::tier_expressions`]), then bm25, then doc (= name).
fn ranked_hits(
    conn: &Connection,
    expr: &str,
    tiers: &[String; 2],
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1
         ORDER BY (rowid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?2))
                + (rowid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?3)) DESC,
             {BM25}, rowid
         LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = stmt.query_map(params![expr, tiers[0], tiers[1], limit, offset], |r| {
        r.get(0)
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
}

/// The customers with these docs, in this order.
fn customers_by_docs(conn: &Connection, docs: &[i64]) -> Result<Vec<Customer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers AS c WHERE c.doc = ?1"
    ))?;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        if let Some(c) = stmt.query_row([doc], customer_from_row).optional()? {
            out.push(c);
        }
    }
    Ok(out)
}

/// The `MATCH` terms of the query's tag, city and region filters (those given).
fn filter_terms(query: &ListQuery) -> Vec<String> {
    let tag = query.tag.as_deref().filter(|t| !t.trim().is_empty());
    let city = query.city_key();
    let region = query.region_key();
    [
        tag.map(search::tag_match),
        city.as_deref().map(search::city_match),
        region.as_deref().map(search::region_match),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The `MATCH` expression for a list query and those of its ranking tiers, or `None` when
/// the query has no search words.
fn full_match(query: &ListQuery) -> Option<(String, [String; 2])> {
    let groups = search::query_groups(query.search.as_deref()?);
    let mut expr = crm_core::fts::match_groups(&groups)?;
    let tiers = search::tier_expressions(&groups)?;
    for term in filter_terms(query) {
        let _ = write!(expr, " AND {term}");
    }
    Some((expr, tiers))
}

fn list(conn: &Connection, query: &ListQuery, rank_limit: u64) -> Result<Page<Customer>> {
    let limit = i64::from(query.effective_limit());
    let offset = i64::from(query.effective_offset());
    let tag = query.tag.as_deref().map(tag_key).filter(|t| !t.is_empty());
    if let Some((expr, tiers)) = full_match(query) {
        let (total, by_name) = hits_by_name(conn, &expr, offset, limit)?;
        let docs = if total > rank_limit || by_name.is_empty() {
            by_name
        } else {
            ranked_hits(conn, &expr, &tiers, offset, limit)?
        };
        let items = customers_by_docs(conn, &docs)?;
        return Ok(Page { items, total });
    }
    if query.city_key().is_some() || query.region_key().is_some() {
        let expr = filter_terms(query).join(" AND ");
        let (total, docs) = hits_by_name(conn, &expr, offset, limit)?;
        let items = customers_by_docs(conn, &docs)?;
        return Ok(Page { items, total });
    }
    if let Some(tag) = tag {
        let total = count(
            conn,
            "SELECT count(*) FROM customer_tags WHERE tag = ?1",
            [&tag],
        )?;
        let items = query_customers(
            conn,
            &format!(
                "SELECT {COLUMNS} FROM customer_tags AS t CROSS JOIN customers AS c
                     ON c.id = t.customer_id
                 WHERE t.tag = ?1 ORDER BY t.sort_key, t.customer_id LIMIT ?2 OFFSET ?3"
            ),
            params![tag, limit, offset],
        )?;
        return Ok(Page { items, total });
    }
    let total = count(conn, "SELECT count(*) FROM customers", [])?;
    let items = query_customers(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM customers AS c ORDER BY c.sort_key, c.id LIMIT ?1 OFFSET ?2"
        ),
        params![limit, offset],
    )?;
    Ok(Page { items, total })
}

/// A customer merge's steps on the customers' own tables, inside the caller's transaction
/// (the gateway's merge channel moves the other contexts' records in the same one); see
/// [`crate::merge`].
pub mod merging {
    use rusqlite::{Connection, OptionalExtension, params};
    use uuid::Uuid;

    use super::{load, update_row};
    use crate::error::{Error, Result, not_found};
    use crate::merge::MergeRecord;
    use crate::model::Customer;

    /// The customer `id` as stored, or `Error::NotFound`.
    pub fn customer(conn: &Connection, id: Uuid) -> Result<Customer> {
        Ok(load(conn, id)?.ok_or_else(|| not_found(id))?.0)
    }

    /// The merge that took the customer `duplicate_id` away, if one did; `moving` when its
    /// records in another store are still to be written.
    pub fn record_of(conn: &Connection, duplicate_id: Uuid) -> Result<Option<(MergeRecord, bool)>> {
        conn.prepare_cached(
            "SELECT id, kept_id, duplicate, choices, moved, merged_by, merged_at, state \
             FROM customer_merges WHERE duplicate_id = ?1",
        )?
        .query_row([duplicate_id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, crm_core::Timestamp>(6)?,
                r.get::<_, String>(7)?,
            ))
        })
        .optional()?
        .map(|(id, kept, dup, choices, moved, by, at, state)| {
            let uuid = |s: &str| {
                Uuid::parse_str(s).map_err(|e| Error::Store {
                    message: format!("customer_merges holds a bad id {s}: {e}"),
                })
            };
            Ok((
                MergeRecord {
                    id: uuid(&id)?,
                    kept_id: uuid(&kept)?,
                    duplicate_id,
                    duplicate: serde_json::from_str(&dup)?,
                    choices: serde_json::from_str(&choices)?,
                    moved: serde_json::from_str(&moved)?,
                    merged_by: by,
                    merged_at: at,
                },
                state == "moving",
            ))
        })
        .transpose()
    }

    /// The merges into the customer `kept_id`, newest first.
    pub fn records_into(conn: &Connection, kept_id: Uuid) -> Result<Vec<MergeRecord>> {
        let dups: Vec<String> = conn
            .prepare_cached(
                "SELECT duplicate_id FROM customer_merges WHERE kept_id = ?1 \
                 ORDER BY merged_at DESC, id DESC",
            )?
            .query_map([kept_id.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(dups.len());
        for d in dups {
            let id = Uuid::parse_str(&d).map_err(|e| Error::Store {
                message: format!("customer_merges holds a bad id {d}: {e}"),
            })?;
            out.extend(record_of(conn, id)?.map(|(r, _)| r));
        }
        Ok(out)
    }

    /// Remembers the merge `record`: `moving` while records in another store are still to be
    /// written, else done. Writing it again (a retry) replaces the counts and the state.
    pub fn remember(conn: &Connection, record: &MergeRecord, moving: bool) -> Result<()> {
        conn.prepare_cached(
            "INSERT INTO customer_merges (id, kept_id, duplicate_id, duplicate, choices, moved, \
             merged_by, merged_at, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT (duplicate_id) DO UPDATE SET moved = excluded.moved, \
             state = excluded.state",
        )?
        .execute(params![
            record.id.to_string(),
            record.kept_id.to_string(),
            record.duplicate_id.to_string(),
            serde_json::to_string(&record.duplicate)?,
            serde_json::to_string(&record.choices)?,
            serde_json::to_string(&record.moved)?,
            record.merged_by,
            record.merged_at,
            if moving { "moving" } else { "done" },
        ])?;
        Ok(())
    }

    /// Stores the kept customer as the merge made it (`next`, its version already the next
    /// one) and deletes the duplicate, whose other records the caller moved first (a record
    /// left pointing at it is `Error::InUse`).
    pub fn replace(conn: &Connection, next: &Customer, duplicate_id: Uuid) -> Result<()> {
        let (current, doc) = load(conn, next.id)?.ok_or_else(|| not_found(next.id))?;
        update_row(conn, &current, doc, next)?;
        let dup = duplicate_id.to_string();
        conn.prepare_cached("DELETE FROM customers_fts_pending WHERE customer_id = ?1")?
            .execute([&dup])?;
        conn.prepare_cached("DELETE FROM customers WHERE id = ?1")?
            .execute([&dup])
            .map_err(|e| {
                if crm_core::is_constraint_violation(&e, "FOREIGN KEY") {
                    Error::InUse {
                        message: format!(
                            "customer {duplicate_id} cannot be merged away: other records still refer to it"
                        ),
                    }
                } else {
                    Error::from(e)
                }
            })?;
        Ok(())
    }
}

impl CustomerStore for SqliteCustomerStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Customer>> {
        self.caught_up().await?;
        let rank_limit = self.rank_limit;
        // one snapshot for the total and the page
        self.db
            .snapshot(move |conn| list(conn, &query, rank_limit))
            .await
    }

    async fn get(&self, id: Uuid) -> Result<Customer> {
        self.db
            .point(move |conn| load(conn, id)?.map(|(c, _)| c).ok_or_else(|| not_found(id)))
            .await
    }

    async fn insert(&self, customer: Customer) -> Result<()> {
        self.db.write(move |conn| insert_row(conn, &customer)).await
    }

    async fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        change: F,
    ) -> Result<Customer>
    where
        F: FnMut(&Customer) -> Result<Change> + Send + 'static,
    {
        let mut change = change;
        self.db
            .write(move |conn| {
                let (current, doc) = load(conn, id)?.ok_or_else(|| not_found(id))?;
                check_version(current.version, expected_version)?;
                match change(&current)? {
                    Change::Unchanged => Ok(current),
                    Change::Save(next) => {
                        let next = Customer {
                            id: current.id,
                            created_at: current.created_at,
                            version: current.version + 1,
                            ..*next
                        };
                        update_row(conn, &current, doc, &next)?;
                        Ok(next)
                    }
                }
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.db
            .write(move |conn| {
                delete_versioned(
                    conn,
                    "customers",
                    "customer",
                    id,
                    expected_version,
                    &format!(
                        "customer {id} cannot be deleted: other records (orders, comms, media) refer to it"
                    ),
                )
            })
            .await
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Customer>> {
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        self.db
            .read(move |conn| {
                query_customers(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM customers AS c WHERE c.id > ?1
                         ORDER BY c.id LIMIT ?2"
                    ),
                    params![after, i64::from(limit)],
                )
            })
            .await
    }

    /// An upsert by id, a few thousand per transaction: a new customer is inserted as
    /// [`CustomerStore::insert`] would (a doc number in name order), a different one is
    /// rewritten with its contacts, tags and index entry, an equal one is left alone (its doc
    /// number too).
    async fn put_all(&self, records: Vec<Customer>) -> Result<()> {
        let mut rest: Vec<(String, Customer)> = records
            .into_iter()
            .map(|c| (search::fold(&c.name), c))
            .collect();
        rest.sort_by(|(a, ca), (b, cb)| (a, ca.id.to_string()).cmp(&(b, cb.id.to_string())));
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(IMPORT_CHUNK));
            let chunk = std::mem::replace(&mut rest, tail);
            self.db
                .write(move |conn| {
                    for (_, c) in &chunk {
                        match load(conn, c.id)? {
                            None => insert_row(conn, c)?,
                            Some((current, _)) if current == *c => {}
                            Some((current, doc)) => update_row(conn, &current, doc, c)?,
                        }
                    }
                    Ok::<_, Error>(())
                })
                .await?;
        }
        Ok(())
    }

    async fn find_by_contact(&self, key: ContactKey) -> Result<Option<Customer>> {
        self.db
            .read(move |conn| {
                let (normalized, kinds) = match &key {
                    ContactKey::Email(v) => (v.as_str(), "('email')"),
                    ContactKey::Phone(v) => (v.as_str(), "('phone', 'whatsapp')"),
                };
                let found = query_customers(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM customer_contacts AS k
                         CROSS JOIN customers AS c ON c.id = k.customer_id
                         WHERE k.normalized = ?1 AND k.kind IN {kinds}
                         ORDER BY c.created_at, c.id LIMIT 1"
                    ),
                    [normalized],
                )?;
                Ok(found.into_iter().next())
            })
            .await
    }
}
