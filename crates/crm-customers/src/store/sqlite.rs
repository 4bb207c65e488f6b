//! Customers in the shared SQLite database (schema: `migrations/03-customers/up.sql`).
//!
//! The record is one row of `customers` (nested lists as JSON). Beside it, in the same
//! transaction, the store keeps `customer_contacts` (normalised contact values, for lookups),
//! `customer_tags` (for the tag filter without search) and `customers_fts` (the full-text
//! index of search keys, see [`crate::search`]); deleting a customer cascades to all three.
//!
//! Search runs entirely in FTS5: the query becomes a `MATCH` expression of quoted prefix
//! terms; the total is `count(*)` of the match (a doclist walk, no rows read); the page is the
//! top of `bm25` then sort key, where each hit is joined to its sort key through the covering
//! index `customers_doc_sort` and only the rows of the page are read in full.

use std::fmt::Write as _;

use crm_core::{Db, Timestamp, is_constraint_violation};
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{Customer, ListQuery, Location, Page};
use crate::search::{self, Document};
use crate::store::{Change, ContactKey, CustomerStore};

/// bm25 column weights: name, organization, contacts, tags, tag_ids (the last is a filter).
const BM25: &str = "bm25(customers_fts, 10.0, 4.0, 2.0, 2.0, 0.0)";

/// How many customers one write of [`SqliteCustomerStore::import`] carries.
const IMPORT_CHUNK: usize = 2_000;

const COLUMNS: &str = "c.id, c.name, c.organization, c.contacts, c.notes, c.city, c.country, \
     c.region, c.language, c.tags, c.owned_items, c.linked_user_ids, c.nextcloud_folder, \
     c.created_at, c.updated_at, c.version";

/// The SQLite implementation of [`CustomerStore`].
#[derive(Debug, Clone)]
pub struct SqliteCustomerStore {
    db: Db,
}

impl SqliteCustomerStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Stores many new, already validated customers fast (seeding, imports, benchmarks):
    /// a few thousand per transaction, prepared statements reused. Same rows as
    /// [`CustomerStore::insert`] one by one.
    pub async fn import(&self, customers: Vec<Customer>) -> Result<()> {
        let mut rest = customers;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(IMPORT_CHUNK));
            let chunk = std::mem::replace(&mut rest, tail);
            self.db
                .write(move |conn| {
                    let mut doc = next_doc(conn)?;
                    for c in &chunk {
                        insert_row(conn, c, doc)?;
                        doc += 1;
                    }
                    Ok::<_, Error>(())
                })
                .await?;
        }
        Ok(())
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

fn next_doc(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(doc), 0) + 1 FROM customers")?
        .query_row([], |r| r.get(0))?)
}

fn insert_row(conn: &Connection, c: &Customer, doc: i64) -> Result<()> {
    let sort_key = search::fold(&c.name);
    conn.prepare_cached(
        "INSERT INTO customers (id, doc, name, sort_key, organization, contacts, notes, city,
             country, region, language, tags, owned_items, linked_user_ids, nextcloud_folder,
             created_at, updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        c.id.to_string(),
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
    ])
    .map_err(|e| {
        if is_constraint_violation(&e, "customers.id") {
            Error::Conflict {
                message: format!("a customer with id {} already exists", c.id),
            }
        } else {
            e.into()
        }
    })?;
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
        insert.execute(params![search::tag_key(t), sort_key, id])?;
    }
    Ok(())
}

fn write_fts(conn: &Connection, doc: i64, d: &Document, replace: bool) -> Result<()> {
    if replace {
        conn.prepare_cached("DELETE FROM customers_fts WHERE rowid = ?1")?
            .execute([doc])?;
    }
    conn.prepare_cached(
        "INSERT INTO customers_fts (rowid, name, organization, contacts, tags, tag_ids)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        doc,
        d.name,
        d.organization,
        d.contacts,
        d.tags,
        d.tag_ids
    ])?;
    Ok(())
}

/// The stored customer and its doc number.
fn load(conn: &Connection, id: Uuid) -> Result<Option<(Customer, i64)>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, c.doc FROM customers c WHERE c.id = ?1"
        ))?
        .query_row([id.to_string()], |r| Ok((customer_from_row(r)?, r.get(16)?)))
        .optional()?)
}

fn check_version(current: &Customer, expected: Option<i64>) -> Result<()> {
    match expected {
        Some(v) if v != current.version => Err(Error::Stale {
            current_version: current.version,
        }),
        _ => Ok(()),
    }
}

fn update_row(
    conn: &Connection,
    current: &Customer,
    doc: i64,
    next: &Customer,
) -> Result<()> {
    let sort_key = search::fold(&next.name);
    conn.prepare_cached(
        "UPDATE customers SET name = ?2, sort_key = ?3, organization = ?4, contacts = ?5,
             notes = ?6, city = ?7, country = ?8, region = ?9, language = ?10, tags = ?11,
             owned_items = ?12, linked_user_ids = ?13, nextcloud_folder = ?14,
             updated_at = ?15, version = ?16
         WHERE id = ?1",
    )?
    .execute(params![
        next.id.to_string(),
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
    ])?;
    if next.contacts != current.contacts {
        write_contacts(conn, next, true)?;
    }
    if next.tags != current.tags || next.name != current.name {
        write_tags(conn, next, &sort_key, true)?;
    }
    let document = search::document(next);
    if document != search::document(current) {
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

/// The `MATCH` expression for a list query, or `None` when the query has no search words.
fn full_match(query: &ListQuery) -> Option<String> {
    let words = query.search.as_deref().and_then(search::match_expression)?;
    let mut expr = words;
    if let Some(tag) = query.tag.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = write!(expr, " AND {}", search::tag_match(tag));
    }
    Some(expr)
}

fn list(conn: &Connection, query: &ListQuery) -> Result<Page<Customer>> {
    let limit = i64::from(query.effective_limit());
    let offset = i64::from(query.effective_offset());
    let tag = query
        .tag
        .as_deref()
        .map(search::tag_key)
        .filter(|t| !t.is_empty());
    if let Some(expr) = full_match(query) {
        let total = count(
            conn,
            "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH ?1",
            [&expr],
        )?;
        let items = if limit == 0 || total == 0 {
            Vec::new()
        } else {
            query_customers(
                conn,
                &format!(
                    "WITH top AS (
                         SELECT k.id, h.score, k.sort_key
                         FROM (SELECT rowid AS doc, {BM25} AS score FROM customers_fts
                               WHERE customers_fts MATCH ?1) AS h
                         CROSS JOIN customers AS k INDEXED BY customers_doc_sort
                             ON k.doc = h.doc
                         ORDER BY h.score, k.sort_key, k.id
                         LIMIT ?2 OFFSET ?3)
                     SELECT {COLUMNS} FROM top CROSS JOIN customers AS c ON c.id = top.id
                     ORDER BY top.score, top.sort_key, top.id"
                ),
                params![expr, limit, offset],
            )?
        };
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
        &format!("SELECT {COLUMNS} FROM customers AS c ORDER BY c.sort_key, c.id LIMIT ?1 OFFSET ?2"),
        params![limit, offset],
    )?;
    Ok(Page { items, total })
}

impl CustomerStore for SqliteCustomerStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Customer>> {
        self.db
            .read(move |conn| {
                // one snapshot for the total and the page
                let tx = conn.unchecked_transaction()?;
                let page = list(&tx, &query)?;
                tx.commit()?;
                Ok(page)
            })
            .await
    }

    async fn get(&self, id: Uuid) -> Result<Customer> {
        self.db
            .read(move |conn| {
                load(conn, id)?
                    .map(|(c, _)| c)
                    .ok_or(Error::NotFound { id })
            })
            .await
    }

    async fn insert(&self, customer: Customer) -> Result<()> {
        self.db
            .write(move |conn| {
                let doc = next_doc(conn)?;
                insert_row(conn, &customer, doc)
            })
            .await
    }

    async fn update<F>(&self, id: Uuid, expected_version: Option<i64>, change: F) -> Result<Customer>
    where
        F: FnOnce(&Customer) -> Result<Change> + Send + 'static,
    {
        self.db
            .write(move |conn| {
                let (current, doc) = load(conn, id)?.ok_or(Error::NotFound { id })?;
                check_version(&current, expected_version)?;
                match change(&current)? {
                    Change::Unchanged => Ok(current),
                    Change::Save(next) => {
                        let next = Customer {
                            id: current.id,
                            created_at: current.created_at,
                            version: current.version + 1,
                            ..next
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
                let version: Option<i64> = conn
                    .prepare_cached("SELECT version FROM customers WHERE id = ?1")?
                    .query_row([id.to_string()], |r| r.get(0))
                    .optional()?;
                let version = version.ok_or(Error::NotFound { id })?;
                if let Some(expected) = expected_version
                    && expected != version
                {
                    return Err(Error::Stale {
                        current_version: version,
                    });
                }
                conn.prepare_cached("DELETE FROM customers WHERE id = ?1")?
                    .execute([id.to_string()])
                    .map_err(|e| {
                        if is_constraint_violation(&e, "FOREIGN KEY") {
                            Error::InUse {
                                message: format!(
                                    "customer {id} cannot be deleted: other records (orders) refer to it"
                                ),
                            }
                        } else {
                            e.into()
                        }
                    })?;
                Ok(())
            })
            .await
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
