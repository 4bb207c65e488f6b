//! Entries and media records in the shared SQLite database (schema:
//! `migrations/05-comms/up.sql`).
//!
//! An entry is one row of `comms_entries` (attachments and meta as JSON) and one row of
//! `comms_fts` with the same rowid (`seq`; a trigger drops it with the entry). The store keeps
//! `comms_counts` in step in the same transaction. Listings walk an index in list order and read only the rows of
//! the page; their totals are sums over `comms_counts`, never a scan.
//!
//! # Search order
//!
//! A search with at most [`RANK_LIMIT`] hits is listed newest first by `occurred_at`, as
//! every other list, with its exact total. A broader one (a common word over a million
//! entries) is listed by the order the entries were stored, newest first, which the index
//! yields without reading any entry, and the walk stops once the page is full and more than
//! [`RANK_LIMIT`] hits were seen: its total is then a lower bound (`total_exact: false`).
//! Counting a million hits exactly would cost half a second for a number nobody reads.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crm_core::store::{check_version, delete_versioned};
use crm_core::{Db, Page, Timestamp};
use rusqlite::types::{ToSql, Type};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::error::{Error, MEDIA, Result, entry_not_found, media_not_found};
use crate::model::{
    Assignment, Before, CommsType, Counts, CursorPage, Direction, Entry, Ingested, JsonPage,
    ListQuery, MediaDirection, MediaQuery, MediaRecord, PAGE_SIZE, SearchPage, sender_key,
};
use crate::search::{self, Document};
use crate::store::CommsStore;

/// Searches with at most this many hits are ordered by `occurred_at` (see the module doc).
pub const RANK_LIMIT: usize = 500;

const ENTRY_COLUMNS: &str = "e.id, e.customer_id, e.sender, e.type, e.direction, e.subject, \
     e.body, e.attachments, e.ext_message_id, e.logged_by, e.meta, e.occurred_at, \
     e.created_at, e.updated_at, e.version";

/// `type = '<kind>'`, the type written into the SQL text rather than bound.
///
/// Partial indexes on `comms_entries` are limited to one type (`WHERE type = 'email'`, …). When
/// a statement binds `type`, SQLite's planner reads the bound value to see whether such an
/// index applies, and from then on re-prepares the statement every time that parameter is
/// bound again: a parse and a plan for every ingested entry (14 % of the server's CPU under
/// single-entry writes). With the type in the text the statement is prepared once per type.
pub(crate) fn type_is(kind: CommsType) -> String {
    format!("type = '{}'", kind.as_str())
}

const MEDIA_COLUMNS: &str = "m.id, m.customer_id, m.order_id, m.filename, m.nextcloud_path, \
     m.mime_type, m.size, m.direction, m.tags, m.uploaded_by, m.created_at, m.updated_at, \
     m.version";

/// The SQLite implementation of [`CommsStore`].
#[derive(Debug, Clone)]
pub struct SqliteCommsStore {
    db: Db,
    /// Where the customers and orders that entries and media name are checked: `None` in this
    /// database (with its foreign keys), else in the store that keeps them.
    referents: Option<Arc<dyn Referents>>,
}

impl SqliteCommsStore {
    pub fn new(db: Db) -> Self {
        // fails only when the writer is gone, and then every write fails with it
        let _ = db.before_commit(FTS_STAGE, move_staged_fts);
        Self {
            db,
            referents: None,
        }
    }

    /// The same store, for customers and orders kept elsewhere (Firestore): a customer or
    /// order an entry or a media record names is checked there, before the write. (The check
    /// and the write are not one transaction across two stores: a customer deleted in between
    /// leaves an entry naming it, as a deleted customer's comms would on any shared store.)
    pub fn with_referents(self, referents: Arc<dyn Referents>) -> Self {
        Self {
            referents: Some(referents),
            ..self
        }
    }

    /// What in the comms log refers to the customer — `"comms entries"`, `"media records"` —
    /// or `None`: the check a customer store elsewhere makes before deleting one.
    pub async fn referring_to_customer(&self, id: Uuid) -> Result<Option<&'static str>> {
        self.db
            .read(move |conn| {
                if exists(
                    conn,
                    "SELECT 1 FROM comms_entries WHERE customer_id = ?1",
                    id,
                )? {
                    return Ok(Some("comms entries"));
                }
                if exists(
                    conn,
                    "SELECT 1 FROM media_records WHERE customer_id = ?1",
                    id,
                )? {
                    return Ok(Some("media records"));
                }
                Ok(None)
            })
            .await
    }

    /// Which of the customers and orders named do not exist, asked of the store that keeps
    /// them; [`Known::Here`] when that is this database.
    async fn known(
        &self,
        customers: impl IntoIterator<Item = Uuid>,
        orders: impl IntoIterator<Item = Uuid>,
    ) -> Result<Known> {
        let Some(referents) = &self.referents else {
            return Ok(Known::Here);
        };
        let mut missing = HashSet::new();
        for id in customers.into_iter().collect::<HashSet<_>>() {
            if !referents.customer_exists(id).await? {
                missing.insert(id);
            }
        }
        for id in orders.into_iter().collect::<HashSet<_>>() {
            if !referents.order_exists(id).await? {
                missing.insert(id);
            }
        }
        Ok(Known::Elsewhere { missing })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

fn conversion(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))
}

#[derive(Debug, thiserror::Error)]
#[error("unknown value `{0}`")]
struct UnknownValue(String);

fn uuid_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    let s: String = row.get(idx)?;
    Uuid::parse_str(&s).map_err(|e| conversion(idx, e))
}

fn opt_uuid_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| Uuid::parse_str(&s).map_err(|e| conversion(idx, e)))
        .transpose()
}

fn enum_at<T>(row: &Row<'_>, idx: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    parse(&s).ok_or_else(|| conversion(idx, UnknownValue(s)))
}

fn json_at<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    serde_json::from_str(&s).map_err(|e| conversion(idx, e))
}

fn size_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<u64>> {
    let n: Option<i64> = row.get(idx)?;
    Ok(n.map(|n| u64::try_from(n).unwrap_or(0)))
}

/// Reads a row selected with [`ENTRY_COLUMNS`] (at offset 0).
fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: uuid_at(row, 0)?,
        customer_id: opt_uuid_at(row, 1)?,
        sender: row.get(2)?,
        kind: enum_at(row, 3, CommsType::parse)?,
        direction: enum_at(row, 4, Direction::parse)?,
        subject: row.get(5)?,
        body: row.get(6)?,
        attachments: json_at(row, 7)?,
        ext_message_id: row.get(8)?,
        logged_by: row.get(9)?,
        meta: json_at(row, 10)?,
        occurred_at: row.get(11)?,
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
        version: row.get(14)?,
    })
}

/// An entry borrowed from its row (selected with [`ENTRY_COLUMNS`]), for rendering a page
/// without building an [`Entry`] per row: the texts stay in SQLite's buffers, and
/// attachments and meta, stored as JSON, are copied as they are (after a check that they
/// are). It serializes to exactly what `Entry` does: same fields, names and order, and the
/// same types where a value is not plain text (a test holds the two together).
#[derive(serde::Serialize)]
struct StoredEntry<'r> {
    id: Uuid,
    customer_id: Option<Uuid>,
    sender: Option<&'r str>,
    #[serde(rename = "type")]
    kind: CommsType,
    direction: Direction,
    subject: Option<&'r str>,
    body: Option<&'r str>,
    attachments: &'r RawValue,
    ext_message_id: Option<&'r str>,
    logged_by: Option<&'r str>,
    meta: &'r RawValue,
    occurred_at: Timestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: i64,
}

impl<'r> StoredEntry<'r> {
    fn from_row(row: &'r Row<'_>) -> rusqlite::Result<Self> {
        let text = |idx: usize| -> rusqlite::Result<Option<&'r str>> {
            Ok(row.get_ref(idx)?.as_str_or_null()?)
        };
        // what `Entry` would refuse to read is refused here too: a JSON value of another kind
        let json = |idx: usize, open: char| -> rusqlite::Result<&'r RawValue> {
            let s = row.get_ref(idx)?.as_str()?;
            let raw: &RawValue = serde_json::from_str(s).map_err(|e| conversion(idx, e))?;
            if !raw.get().starts_with(open) {
                return Err(conversion(idx, UnknownValue(s.to_owned())));
            }
            Ok(raw)
        };
        Ok(Self {
            id: uuid_at(row, 0)?,
            customer_id: opt_uuid_at(row, 1)?,
            sender: text(2)?,
            kind: enum_at(row, 3, CommsType::parse)?,
            direction: enum_at(row, 4, Direction::parse)?,
            subject: text(5)?,
            body: text(6)?,
            attachments: json(7, '[')?,
            ext_message_id: text(8)?,
            logged_by: text(9)?,
            meta: json(10, '{')?,
            occurred_at: row.get(11)?,
            created_at: row.get(12)?,
            updated_at: row.get(13)?,
            version: row.get(14)?,
        })
    }

    fn position(&self) -> Before {
        Before {
            at: self.occurred_at,
            id: self.id,
        }
    }
}

/// Reads a row selected with [`MEDIA_COLUMNS`] (at offset 0).
fn media_from_row(row: &Row<'_>) -> rusqlite::Result<MediaRecord> {
    Ok(MediaRecord {
        id: uuid_at(row, 0)?,
        customer_id: opt_uuid_at(row, 1)?,
        order_id: opt_uuid_at(row, 2)?,
        filename: row.get(3)?,
        nextcloud_path: row.get(4)?,
        mime_type: row.get(5)?,
        size: size_at(row, 6)?,
        direction: enum_at(row, 7, MediaDirection::parse)?,
        tags: json_at(row, 8)?,
        uploaded_by: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
        version: row.get(12)?,
    })
}

fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    read: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, read)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn count(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<u64> {
    let n: i64 = conn.prepare_cached(sql)?.query_row(params, |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn exists(conn: &Connection, sql: &str, id: Uuid) -> Result<bool> {
    Ok(conn.prepare_cached(sql)?.exists([id.to_string()])?)
}

/// The customers and orders that entries and media refer to, when they are kept in another
/// store than this database (Firestore).
pub trait Referents: Send + Sync + std::fmt::Debug + 'static {
    fn customer_exists(&self, id: Uuid) -> BoxFuture<'_, Result<bool>>;
    fn order_exists(&self, id: Uuid) -> BoxFuture<'_, Result<bool>>;
}

/// A boxed future of a [`Referents`] method.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// How a write checks that the customers and orders it names exist.
enum Known {
    /// In this database, in the write's transaction.
    Here,
    /// Asked of the store that keeps them before the write: these ids do not exist.
    Elsewhere { missing: HashSet<Uuid> },
}

impl Known {
    fn customer(&self, conn: &Connection, id: Uuid) -> Result<bool> {
        match self {
            Known::Here => exists(conn, "SELECT 1 FROM customers WHERE id = ?1", id),
            Known::Elsewhere { missing } => Ok(!missing.contains(&id)),
        }
    }

    fn order(&self, conn: &Connection, id: Uuid) -> Result<bool> {
        match self {
            Known::Here => exists(conn, "SELECT 1 FROM orders WHERE id = ?1", id),
            Known::Elsewhere { missing } => Ok(!missing.contains(&id)),
        }
    }
}

fn no_such(field: &str, what: &str, id: Uuid) -> Error {
    Error::invalid(field, format!("no {what} has the id {id}"))
}

/// The stored entry and its `seq`.
fn load(conn: &Connection, id: Uuid) -> Result<Option<(Entry, i64)>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS}, e.seq FROM comms_entries e WHERE e.id = ?1"
        ))?
        .query_row([id.to_string()], |r| Ok((entry_from_row(r)?, r.get(15)?)))
        .optional()?)
}

/// Changes of `comms_counts` gathered over one write, applied once per key.
#[derive(Debug, Default)]
struct CountChanges(HashMap<(Option<Uuid>, CommsType, Direction), i64>);

impl CountChanges {
    fn add(&mut self, customer_id: Option<Uuid>, kind: CommsType, direction: Direction, n: i64) {
        *self.0.entry((customer_id, kind, direction)).or_default() += n;
    }

    fn apply(self, conn: &Connection) -> Result<()> {
        for ((customer, kind, direction), n) in self.0 {
            // a new row only ever grows; CHECK (n >= 0) would refuse a negative insert even
            // where the conflict makes it an update
            let sql = match n {
                0 => continue,
                1.. => {
                    "INSERT INTO comms_counts (customer_id, type, direction, n)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET n = n + excluded.n"
                }
                _ => {
                    "UPDATE comms_counts SET n = n + ?4
                     WHERE customer_id = ?1 AND type = ?2 AND direction = ?3"
                }
            };
            let owner = customer.map(|c| c.to_string()).unwrap_or_default();
            conn.prepare_cached(sql)?.execute(params![
                owner,
                kind.as_str(),
                direction.as_str(),
                n
            ])?;
        }
        Ok(())
    }
}

/// Search rows wait here, on the writer's connection, until their group commits. FTS5 writes
/// a new segment at every savepoint it has pending rows in, and every write runs in a
/// savepoint of its own: fed directly, a group of 32 one-entry writes cost 32 segments (and
/// their merges, 28 % of the writer's time). Staged, they reach FTS5 as one insert per group.
const FTS_STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS comms_fts_stage (
         n       INTEGER PRIMARY KEY,
         seq     INTEGER NOT NULL,
         replace INTEGER NOT NULL,
         subject TEXT,
         body    TEXT,
         scope   TEXT
     );
     CREATE INDEX IF NOT EXISTS temp.comms_fts_stage_seq ON comms_fts_stage (seq, n);";

fn write_fts(conn: &Connection, seq: i64, d: &Document, replace: bool) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO temp.comms_fts_stage (seq, replace, subject, body, scope)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![seq, replace, d.subject, d.body, d.scope])?;
    Ok(())
}

/// Before each commit: the staged rows into `comms_fts`, the last one of each entry, for
/// entries that still exist (one created and deleted in the same group leaves nothing).
fn move_staged_fts(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "DELETE FROM comms_fts WHERE rowid IN
             (SELECT seq FROM temp.comms_fts_stage WHERE replace)",
    )?
    .execute([])?;
    conn.prepare_cached(
        "INSERT INTO comms_fts (rowid, subject, body, scope)
         SELECT s.seq, s.subject, s.body, s.scope FROM temp.comms_fts_stage s
         WHERE s.n = (SELECT max(t.n) FROM temp.comms_fts_stage t WHERE t.seq = s.seq)
           AND EXISTS (SELECT 1 FROM comms_entries e WHERE e.seq = s.seq)
         ORDER BY s.seq",
    )?
    .execute([])?;
    conn.prepare_cached("DELETE FROM temp.comms_fts_stage")?
        .execute([])?;
    Ok(())
}

fn ingest_one(
    conn: &Connection,
    e: Entry,
    doc: &Document,
    known: &Known,
    counts: &mut CountChanges,
) -> Result<Result<Ingested>> {
    if let Some(ext) = &e.ext_message_id {
        let existing = conn
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM comms_entries e
                 WHERE e.{} AND e.ext_message_id = ?1",
                type_is(e.kind)
            ))?
            .query_row(params![ext], entry_from_row)
            .optional()?;
        if let Some(entry) = existing {
            return Ok(Ok(Ingested {
                entry,
                created: false,
            }));
        }
    }
    if let Some(c) = e.customer_id
        && !known.customer(conn, c)?
    {
        return Ok(Err(no_such("customer_id", "customer", c)));
    }
    conn.prepare_cached(
        "INSERT INTO comms_entries (id, customer_id, sender, sender_key, type, direction,
             subject, body, attachments, ext_message_id, logged_by, meta, occurred_at,
             created_at, updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        e.id.to_string(),
        e.customer_id.map(|c| c.to_string()),
        e.sender,
        e.sender.as_deref().map(sender_key),
        e.kind.as_str(),
        e.direction.as_str(),
        e.subject,
        e.body,
        serde_json::to_string(&e.attachments)?,
        e.ext_message_id,
        e.logged_by,
        serde_json::to_string(&e.meta)?,
        e.occurred_at,
        e.created_at,
        e.updated_at,
        e.version,
    ])?;
    write_fts(conn, conn.last_insert_rowid(), doc, false)?;
    counts.add(e.customer_id, e.kind, e.direction, 1);
    Ok(Ok(Ingested {
        entry: e,
        created: true,
    }))
}

/// A newest-first page: `rows` holds up to `limit + 1` items, the extra one only telling
/// that there is a next page.
fn cursor_page<T>(
    mut rows: Vec<T>,
    limit: u32,
    total: u64,
    position: fn(&T) -> Before,
) -> CursorPage<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(position)
    } else {
        None
    };
    CursorPage {
        items: rows,
        total,
        next,
    }
}

/// Binds the parts of a dynamically built query by name.
type Binds<'a> = Vec<(&'static str, &'a dyn ToSql)>;

/// Walks the page `q` asks for: `each` takes its rows in order and says where each one is.
/// Returns the total and where the next page starts.
fn walk_list(
    conn: &Connection,
    q: &ListQuery,
    mut each: impl FnMut(&Row<'_>) -> rusqlite::Result<Before>,
) -> Result<(u64, Option<Before>)> {
    let limit = PAGE_SIZE.of(q.limit);
    let customer = q.customer_id.to_string();
    let direction = q.direction.map(Direction::as_str);
    let (at, id) = q.before.map(|b| (b.at, b.id.to_string())).unzip();
    let fetch = i64::from(limit) + 1;
    let mut filter = String::from("customer_id = :customer");
    let mut binds: Binds<'_> = vec![(":customer", &customer)];
    if let Some(kind) = q.kind {
        filter.push_str(" AND ");
        filter.push_str(&type_is(kind));
    }
    if let Some(direction) = &direction {
        filter.push_str(" AND direction = :direction");
        binds.push((":direction", direction));
    }
    let total = match q.missed {
        None => count(
            conn,
            &format!("SELECT coalesce(sum(n), 0) FROM comms_counts WHERE {filter}"),
            binds.as_slice(),
        )?,
        Some(missed) => {
            // a flag inside meta: counted over the customer's calls (few, next to messages)
            filter.push_str(if missed {
                " AND type = 'call' AND json_extract(meta, '$.missed') = 1"
            } else {
                " AND coalesce(json_extract(meta, '$.missed'), 0) = 0"
            });
            count(
                conn,
                &format!("SELECT count(*) FROM comms_entries WHERE {filter}"),
                binds.as_slice(),
            )?
        }
    };
    if total == 0 {
        // a rare type that never occurred, say: nothing to walk the customer's index for
        return Ok((total, None));
    }
    if let (Some(at), Some(id)) = (&at, &id) {
        filter.push_str(" AND (occurred_at, id) < (:at, :id)");
        binds.push((":at", at));
        binds.push((":id", id));
    }
    binds.push((":limit", &fetch));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM comms_entries e WHERE {filter}
         ORDER BY e.occurred_at DESC, e.id DESC LIMIT :limit"
    ))?;
    let mut rows = stmt.query(binds.as_slice())?;
    let (mut taken, mut last) = (0, None);
    while let Some(row) = rows.next()? {
        if taken == limit {
            // the one fetched beyond the page: there is a next page, after the last taken
            return Ok((total, last));
        }
        last = Some(each(row)?);
        taken += 1;
    }
    Ok((total, None))
}

fn list(conn: &Connection, q: &ListQuery) -> Result<CursorPage<Entry>> {
    let mut items = Vec::new();
    let (total, next) = walk_list(conn, q, |row| {
        let entry = entry_from_row(row)?;
        let at = entry.position();
        items.push(entry);
        Ok(at)
    })?;
    Ok(CursorPage { items, total, next })
}

/// Bytes of JSON a listed entry takes, about: the page's buffer is sized once.
const ENTRY_JSON_BYTES: usize = 640;

fn list_json(conn: &Connection, q: &ListQuery) -> Result<JsonPage> {
    let limit = usize::try_from(PAGE_SIZE.of(q.limit)).unwrap_or(0);
    let mut json = Vec::with_capacity(2 + limit * ENTRY_JSON_BYTES);
    json.push(b'[');
    let (total, next) = walk_list(conn, q, |row| {
        let entry = StoredEntry::from_row(row)?;
        if json.len() > 1 {
            json.push(b',');
        }
        // writing into a Vec fails only if the entry cannot be serialized, which it always can
        serde_json::to_writer(&mut json, &entry).map_err(|e| conversion(0, e))?;
        Ok(entry.position())
    })?;
    json.push(b']');
    Ok(JsonPage { json, total, next })
}

/// See [`CommsStore::thread`]. The thread's entries are read by the index
/// `comms_entries_email_thread`, newest first, and returned oldest first.
fn thread(conn: &Connection, id: Uuid, limit: u32) -> Result<Vec<Entry>> {
    let (entry, _) = load(conn, id)?.ok_or_else(|| entry_not_found(id))?;
    let key = entry
        .meta
        .get("thread")
        .and_then(|t| t.as_str())
        .map(str::to_owned);
    let Some(key) = key.filter(|_| entry.kind == CommsType::Email) else {
        return Ok(vec![entry]);
    };
    let mut rows = query_all(
        conn,
        &format!(
            "SELECT {ENTRY_COLUMNS} FROM comms_entries e
             WHERE e.type = 'email' AND json_extract(e.meta, '$.thread') = ?1
             ORDER BY e.occurred_at DESC, e.id DESC
             LIMIT ?2"
        ),
        params![key, i64::from(limit)],
        entry_from_row,
    )?;
    rows.reverse();
    Ok(rows)
}

/// See [`CommsStore::missed_calls`]; read by the index `comms_entries_missed_calls`.
fn missed_calls(
    conn: &Connection,
    limit: u32,
    before: Option<Before>,
) -> Result<CursorPage<Entry>> {
    const MISSED: &str = "e.type = 'call' AND json_extract(e.meta, '$.missed') = 1";
    let total = count(
        conn,
        &format!("SELECT count(*) FROM comms_entries e WHERE {MISSED}"),
        [],
    )?;
    let fetch = i64::from(limit) + 1;
    let rows = match before {
        None => query_all(
            conn,
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM comms_entries e WHERE {MISSED}
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?1"
            ),
            params![fetch],
            entry_from_row,
        )?,
        Some(b) => query_all(
            conn,
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM comms_entries e WHERE {MISSED}
                   AND (e.occurred_at, e.id) < (?1, ?2)
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?3"
            ),
            params![b.at, b.id.to_string(), fetch],
            entry_from_row,
        )?,
    };
    Ok(cursor_page(rows, limit, total, Entry::position))
}

fn inbox(conn: &Connection, limit: u32, before: Option<Before>) -> Result<CursorPage<Entry>> {
    let limit = PAGE_SIZE.of(Some(limit));
    let total = count(
        conn,
        "SELECT coalesce(sum(n), 0) FROM comms_counts WHERE customer_id = ''",
        [],
    )?;
    let fetch = i64::from(limit) + 1;
    let rows = match before {
        None => query_all(
            conn,
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM comms_entries e WHERE e.customer_id IS NULL
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?1"
            ),
            params![fetch],
            entry_from_row,
        )?,
        Some(b) => query_all(
            conn,
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM comms_entries e WHERE e.customer_id IS NULL
                   AND (e.occurred_at, e.id) < (?1, ?2)
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?3"
            ),
            params![b.at, b.id.to_string(), fetch],
            entry_from_row,
        )?,
    };
    Ok(cursor_page(rows, limit, total, Entry::position))
}

fn inbox_from(conn: &Connection, senders: &[String], limit: u32) -> Result<Vec<Entry>> {
    let marks = vec!["?"; senders.len()].join(", ");
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM comms_entries e
         WHERE e.customer_id IS NULL AND e.sender_key IN ({marks})
         ORDER BY e.occurred_at DESC, e.id DESC LIMIT {limit}"
    );
    query_all(
        conn,
        &sql,
        rusqlite::params_from_iter(senders),
        entry_from_row,
    )
}

fn assign(
    conn: &Connection,
    id: Uuid,
    customer_id: Uuid,
    same_sender: bool,
    now: Timestamp,
    known: &Known,
) -> Result<Assignment> {
    let (entry, seq) = load(conn, id)?.ok_or_else(|| entry_not_found(id))?;
    if let Some(owner) = entry.customer_id {
        return Err(Error::Conflict {
            message: format!(
                "comms entry {id} is not in the inbox: it belongs to customer {owner}"
            ),
        });
    }
    if !known.customer(conn, customer_id)? {
        return Err(no_such("customer_id", "customer", customer_id));
    }
    let mut targets: Vec<i64> = vec![seq];
    if same_sender && let Some(sender) = entry.sender.as_deref() {
        let mut stmt = conn.prepare_cached(
            "SELECT seq FROM comms_entries
             WHERE customer_id IS NULL AND sender_key = ?1 AND seq <> ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![sender_key(sender), seq], |r| r.get(0))?;
        targets.extend(rows.collect::<rusqlite::Result<Vec<i64>>>()?);
    }
    let mut moved = Vec::with_capacity(targets.len());
    let mut counts = CountChanges::default();
    for seq in targets {
        conn.prepare_cached(
            "UPDATE comms_entries SET customer_id = ?2, updated_at = ?3, version = version + 1
             WHERE seq = ?1",
        )?
        .execute(params![seq, customer_id.to_string(), now])?;
        let e = conn
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM comms_entries e WHERE e.seq = ?1"
            ))?
            .query_row([seq], entry_from_row)?;
        write_fts(conn, seq, &search::document(&e), true)?;
        counts.add(None, e.kind, e.direction, -1);
        counts.add(Some(customer_id), e.kind, e.direction, 1);
        moved.push(e.id);
    }
    counts.apply(conn)?;
    Ok(Assignment {
        customer_id,
        sender: entry.sender,
        moved,
    })
}

/// Moves every comms entry and media record of customer `from` to customer `to` inside the
/// caller's transaction `conn` (a customer merge): each entry's owner, its search scope and the
/// counts per customer follow; answers how many entries and media records moved. `to` must
/// exist (the caller checks it); moving a customer onto itself moves nothing.
pub fn reassign_customer(
    conn: &Connection,
    from: Uuid,
    to: Uuid,
    now: Timestamp,
) -> Result<(u64, u64)> {
    if from == to {
        return Ok((0, 0));
    }
    let seqs: Vec<i64> = conn
        .prepare_cached("SELECT seq FROM comms_entries WHERE customer_id = ?1")?
        .query_map([from.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut counts = CountChanges::default();
    for &seq in &seqs {
        conn.prepare_cached(
            "UPDATE comms_entries SET customer_id = ?2, updated_at = ?3, version = version + 1
             WHERE seq = ?1",
        )?
        .execute(params![seq, to.to_string(), now])?;
        let e = conn
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM comms_entries e WHERE e.seq = ?1"
            ))?
            .query_row([seq], entry_from_row)?;
        write_fts(conn, seq, &search::document(&e), true)?;
        counts.add(Some(from), e.kind, e.direction, -1);
        counts.add(Some(to), e.kind, e.direction, 1);
    }
    counts.apply(conn)?;
    let media = conn
        .prepare_cached(
            "UPDATE media_records SET customer_id = ?2, updated_at = ?3, version = version + 1
             WHERE customer_id = ?1",
        )?
        .execute(params![from.to_string(), to.to_string(), now])?;
    let n = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
    Ok((n(seqs.len()), n(media)))
}

/// The seqs of the page `offset..offset + limit` of the hits of `expr` (see the module doc
/// for the order), the number of hits seen and whether that is all of them.
fn search_hits(
    conn: &Connection,
    expr: &str,
    limit: usize,
    offset: usize,
) -> Result<(u64, bool, Vec<i64>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT rowid FROM comms_fts WHERE comms_fts MATCH ?1 ORDER BY rowid DESC",
    )?;
    let mut rows = stmt.query([expr])?;
    let end = offset.saturating_add(limit);
    let mut seen: usize = 0;
    let mut all: Vec<i64> = Vec::new();
    let mut exact = true;
    while let Some(row) = rows.next()? {
        if seen >= end.max(RANK_LIMIT + 1) {
            exact = false;
            break;
        }
        all.push(row.get(0)?);
        seen += 1;
    }
    let total = u64::try_from(seen).unwrap_or(u64::MAX);
    if seen > RANK_LIMIT {
        let page = all.into_iter().skip(offset).take(limit).collect();
        return Ok((total, exact, page));
    }
    let mut keyed = Vec::with_capacity(all.len());
    let mut stmt =
        conn.prepare_cached("SELECT occurred_at, id FROM comms_entries WHERE seq = ?1")?;
    for seq in all {
        if let Some((at, id)) = stmt
            .query_row([seq], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
        {
            keyed.push((at, id, seq));
        }
    }
    keyed.sort_unstable_by(|a, b| (&b.0, &b.1).cmp(&(&a.0, &a.1)));
    Ok((
        total,
        exact,
        keyed
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(_, _, seq)| seq)
            .collect(),
    ))
}

fn entries_by_seq(conn: &Connection, seqs: &[i64]) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM comms_entries e WHERE e.seq = ?1"
    ))?;
    let mut out = Vec::with_capacity(seqs.len());
    for seq in seqs {
        if let Some(e) = stmt.query_row([seq], entry_from_row).optional()? {
            out.push(e);
        }
    }
    Ok(out)
}

fn insert_media(conn: &Connection, m: &MediaRecord, known: &Known) -> Result<()> {
    if conn
        .prepare_cached("SELECT 1 FROM media_records WHERE nextcloud_path = ?1")?
        .exists([&m.nextcloud_path])?
    {
        return Err(Error::Conflict {
            message: format!("a media record for `{}` exists already", m.nextcloud_path),
        });
    }
    if let Some(c) = m.customer_id
        && !known.customer(conn, c)?
    {
        return Err(no_such("customer_id", "customer", c));
    }
    if let Some(o) = m.order_id
        && !known.order(conn, o)?
    {
        return Err(no_such("order_id", "order", o));
    }
    conn.prepare_cached(
        "INSERT INTO media_records (id, customer_id, order_id, filename, nextcloud_path,
             mime_type, size, direction, tags, uploaded_by, created_at, updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        m.id.to_string(),
        m.customer_id.map(|c| c.to_string()),
        m.order_id.map(|o| o.to_string()),
        m.filename,
        m.nextcloud_path,
        m.mime_type,
        m.size.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
        m.direction.as_str(),
        serde_json::to_string(&m.tags)?,
        m.uploaded_by,
        m.created_at,
        m.updated_at,
        m.version,
    ])?;
    Ok(())
}

fn list_media(conn: &Connection, q: &MediaQuery) -> Result<Page<MediaRecord>> {
    let limit = i64::from(PAGE_SIZE.of(q.limit));
    let offset = i64::from(q.offset.unwrap_or(0));
    let (column, id) = match (q.customer_id, q.order_id) {
        (Some(c), _) => ("customer_id", c),
        (None, Some(o)) => ("order_id", o),
        (None, None) => {
            return Err(Error::invalid(
                "customer_id",
                "either customer_id or order_id is required",
            ));
        }
    };
    let mut filter = format!("m.{column} = :id");
    let id = id.to_string();
    let order = q.order_id.map(|o| o.to_string());
    let mut binds: Binds<'_> = vec![(":id", &id)];
    if q.customer_id.is_some()
        && let Some(order) = &order
    {
        filter.push_str(" AND m.order_id = :order");
        binds.push((":order", order));
    }
    let total = count(
        conn,
        &format!("SELECT count(*) FROM media_records m WHERE {filter}"),
        binds.as_slice(),
    )?;
    binds.push((":limit", &limit));
    binds.push((":offset", &offset));
    let items = query_all(
        conn,
        &format!(
            "SELECT {MEDIA_COLUMNS} FROM media_records m WHERE {filter}
             ORDER BY m.created_at DESC, m.id DESC LIMIT :limit OFFSET :offset"
        ),
        binds.as_slice(),
        media_from_row,
    )?;
    Ok(Page { items, total })
}

impl CommsStore for SqliteCommsStore {
    async fn ingest(&self, entries: Vec<Entry>) -> Result<Vec<Result<Ingested>>> {
        // the index text is computed here, on the caller's thread, not by the one writer
        let docs: Vec<Document> = entries.iter().map(search::document).collect();
        let known = self
            .known(entries.iter().filter_map(|e| e.customer_id), None)
            .await?;
        self.db
            .write(move |conn| {
                let mut counts = CountChanges::default();
                let outcomes = entries
                    .into_iter()
                    .zip(&docs)
                    .map(|(e, doc)| ingest_one(conn, e, doc, &known, &mut counts))
                    .collect::<Result<Vec<_>>>()?;
                counts.apply(conn)?;
                Ok(outcomes)
            })
            .await
    }

    async fn get(&self, id: Uuid) -> Result<Entry> {
        self.db
            .point(move |conn| {
                load(conn, id)?
                    .map(|(e, _)| e)
                    .ok_or_else(|| entry_not_found(id))
            })
            .await
    }

    async fn list(&self, query: ListQuery) -> Result<CursorPage<Entry>> {
        self.db.snapshot(move |conn| list(conn, &query)).await
    }

    async fn list_json(&self, query: ListQuery) -> Result<JsonPage> {
        self.db.snapshot(move |conn| list_json(conn, &query)).await
    }

    async fn thread(&self, id: Uuid, limit: u32) -> Result<Vec<Entry>> {
        self.db.snapshot(move |conn| thread(conn, id, limit)).await
    }

    async fn missed_calls(&self, limit: u32, before: Option<Before>) -> Result<CursorPage<Entry>> {
        self.db
            .snapshot(move |conn| missed_calls(conn, limit, before))
            .await
    }

    async fn inbox_from(&self, senders: Vec<String>, limit: u32) -> Result<Vec<Entry>> {
        self.db
            .snapshot(move |conn| inbox_from(conn, &senders, limit))
            .await
    }

    async fn inbox(&self, limit: u32, before: Option<Before>) -> Result<CursorPage<Entry>> {
        self.db
            .snapshot(move |conn| inbox(conn, limit, before))
            .await
    }

    async fn update<F>(&self, id: Uuid, expected_version: Option<i64>, change: F) -> Result<Entry>
    where
        F: FnOnce(&Entry) -> Result<Option<Entry>> + Send + 'static,
    {
        self.db
            .write(move |conn| {
                let (current, seq) = load(conn, id)?.ok_or_else(|| entry_not_found(id))?;
                check_version(current.version, expected_version)?;
                let Some(next) = change(&current)? else {
                    return Ok(current);
                };
                let next = Entry {
                    version: current.version + 1,
                    ..next
                };
                conn.prepare_cached(
                    "UPDATE comms_entries SET subject = ?2, body = ?3, occurred_at = ?4,
                         updated_at = ?5, version = ?6
                     WHERE seq = ?1",
                )?
                .execute(params![
                    seq,
                    next.subject,
                    next.body,
                    next.occurred_at,
                    next.updated_at,
                    next.version
                ])?;
                let doc = search::document(&next);
                if doc != search::document(&current) {
                    write_fts(conn, seq, &doc, true)?;
                }
                Ok(next)
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.db
            .write(move |conn| {
                let (entry, seq) = load(conn, id)?.ok_or_else(|| entry_not_found(id))?;
                check_version(entry.version, expected_version)?;
                // what the foreign key's cascade does, also where foreign keys are off
                conn.prepare_cached("DELETE FROM comms_attachment_jobs WHERE entry_id = ?1")?
                    .execute([id.to_string()])?;
                conn.prepare_cached("DELETE FROM comms_entries WHERE seq = ?1")?
                    .execute([seq])?;
                let mut counts = CountChanges::default();
                counts.add(entry.customer_id, entry.kind, entry.direction, -1);
                counts.apply(conn)
            })
            .await
    }

    async fn assign(
        &self,
        id: Uuid,
        customer_id: Uuid,
        same_sender: bool,
        now: Timestamp,
    ) -> Result<Assignment> {
        let known = self.known([customer_id], None).await?;
        self.db
            .write(move |conn| assign(conn, id, customer_id, same_sender, now, &known))
            .await
    }

    async fn search(&self, expr: String, limit: u32, offset: u32) -> Result<SearchPage> {
        let limit = usize::try_from(PAGE_SIZE.of(Some(limit))).unwrap_or(usize::MAX);
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        self.db
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                let (total, total_exact, seqs) = search_hits(&tx, &expr, limit, offset)?;
                let items = entries_by_seq(&tx, &seqs)?;
                tx.commit()?;
                Ok(SearchPage {
                    items,
                    total,
                    total_exact,
                })
            })
            .await
    }

    async fn counts(&self, customer_id: Uuid) -> Result<Counts> {
        self.db
            .read(move |conn| {
                let id = customer_id.to_string();
                Ok(Counts {
                    comms: count(
                        conn,
                        "SELECT coalesce(sum(n), 0) FROM comms_counts WHERE customer_id = ?1",
                        [&id],
                    )?,
                    media: count(
                        conn,
                        "SELECT count(*) FROM media_records WHERE customer_id = ?1",
                        [&id],
                    )?,
                })
            })
            .await
    }

    async fn insert_media(&self, record: MediaRecord) -> Result<()> {
        let known = self.known(record.customer_id, record.order_id).await?;
        self.db
            .write(move |conn| insert_media(conn, &record, &known))
            .await
    }

    async fn get_media(&self, id: Uuid) -> Result<MediaRecord> {
        self.db
            .read(move |conn| {
                conn.prepare_cached(&format!(
                    "SELECT {MEDIA_COLUMNS} FROM media_records m WHERE m.id = ?1"
                ))?
                .query_row([id.to_string()], media_from_row)
                .optional()?
                .ok_or_else(|| media_not_found(id))
            })
            .await
    }

    async fn media_by_path(&self, path: String) -> Result<Option<MediaRecord>> {
        self.db
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(&format!(
                        "SELECT {MEDIA_COLUMNS} FROM media_records m WHERE m.nextcloud_path = ?1"
                    ))?
                    .query_row([path], media_from_row)
                    .optional()?)
            })
            .await
    }

    async fn list_media(&self, query: MediaQuery) -> Result<Page<MediaRecord>> {
        self.db.snapshot(move |conn| list_media(conn, &query)).await
    }

    async fn media_before(
        &self,
        customer_id: Uuid,
        before: Option<Before>,
        limit: u32,
    ) -> Result<Vec<MediaRecord>> {
        self.db
            .read(move |conn| {
                let id = customer_id.to_string();
                let limit = i64::from(limit);
                match before {
                    None => query_all(
                        conn,
                        &format!(
                            "SELECT {MEDIA_COLUMNS} FROM media_records m WHERE m.customer_id = ?1
                             ORDER BY m.created_at DESC, m.id DESC LIMIT ?2"
                        ),
                        params![id, limit],
                        media_from_row,
                    ),
                    Some(b) => query_all(
                        conn,
                        &format!(
                            "SELECT {MEDIA_COLUMNS} FROM media_records m WHERE m.customer_id = ?1
                               AND (m.created_at, m.id) < (?2, ?3)
                             ORDER BY m.created_at DESC, m.id DESC LIMIT ?4"
                        ),
                        params![id, b.at, b.id.to_string(), limit],
                        media_from_row,
                    ),
                }
            })
            .await
    }

    async fn delete_media(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.db
            .write(move |conn| {
                // nothing refers to a media record, so it is never in use
                delete_versioned(
                    conn,
                    "media_records",
                    MEDIA,
                    id,
                    expected_version,
                    "other records refer to this media record",
                )
            })
            .await
    }

    async fn update_media_file(
        &self,
        id: Uuid,
        size: Option<u64>,
        mime_type: Option<String>,
        at: Timestamp,
    ) -> Result<MediaRecord> {
        self.db
            .write(move |conn| {
                let changed = conn
                    .prepare_cached(
                        "UPDATE media_records SET size = ?2, mime_type = coalesce(?3, mime_type),
                             updated_at = ?4, version = version + 1
                         WHERE id = ?1",
                    )?
                    .execute(params![id.to_string(), size, mime_type, at])?;
                if changed == 0 {
                    return Err(media_not_found(id));
                }
                Ok(conn
                    .prepare_cached(&format!(
                        "SELECT {MEDIA_COLUMNS} FROM media_records m WHERE m.id = ?1"
                    ))?
                    .query_row([id.to_string()], media_from_row)?)
            })
            .await
    }
}
