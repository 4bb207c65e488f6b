//! [`TicketStore`] on the shared SQLite database (migration `16-tickets`). Tickets have no
//! other store: when products, customers and orders live in Firestore, the database's
//! foreign keys are off and a ticket's customer and order are not checked here.
//!
//! - `tickets`: one row per ticket; `ticket_year`/`ticket_seq` keep the number sortable.
//!   `ticket_counters` holds the last sequence of each year, bumped in the write that inserts
//!   the ticket: the one writer makes it race-free, a failed insert rolls it back, so numbers
//!   have no gaps. `origin_key` (migration `26-origin-keys`, unique when set) is the workflow
//!   output that created the ticket, written in the creating write.
//! - `ticket_tags` (unique by the lower-case name) and `ticket_tag_assignments`;
//!   `ticket_entries` links comms entries; `ticket_notes`; `ticket_visits` with the parts as
//!   JSON.
//! - `ticket_activities`: append-only (triggers refuse UPDATE and DELETE).
//! - The queue's filters each have an index that also gives the list order (see the
//!   migration), so the first page of a large queue reads only its rows. Filters without
//!   one (several statuses, a tag, overdue) are counted first; with more than
//!   `SORT_AT_MOST` (2,000) matches their page is read by walking an ordered index and filtering
//!   (a tag in one ticket in ten: ten rows per hit), otherwise found and sorted.
//!
//! # Stock
//!
//! Completing a visit takes each part from `products.stock_on_hand` in the same
//! transaction, bumping the product's `version` and `updated_at`. A part whose quantity is
//! more than what is free (`on_hand − reserved`) is `Error::Conflict` naming the product,
//! unless the completion says `allow_negative_stock`: then the part may use units reserved for
//! orders (the reservation shrinks with the stock on hand) — but never more than are on hand,
//! which the products table cannot count below zero (still a `Conflict`).

use crm_core::store::{check_version, delete_versioned};
use crm_core::{Db, Timestamp, is_constraint_violation};
use crm_products::model::PartUse;
use crm_products::store::sqlite::take_parts_in;
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use uuid::Uuid;

use crate::error::{Error, Result, conflict, macro_not_found, ticket_not_found, visit_not_found};
use crate::model::{
    Activity, ActivityKind, Kind, ListQuery, Macro, Note, Page, Part, PartsStock, Priority, Sort,
    Status, Tag, Ticket, TicketEvent, TicketWithVisits, Visibility, Visit, VisitCompletion,
    VisitStatus, tag_key, ticket_number,
};
use crate::store::{EntrySummary, Plan, TicketStore};

const COLUMNS: &str = "id, number, customer_id, subject, description, status, priority, kind, \
     assignee, due_at, owned_item_serial, order_id, created_at, updated_at, version";

const NEWEST: &str = "ORDER BY created_at DESC, ticket_year DESC, ticket_seq DESC";
const DUE: &str =
    "ORDER BY due_at IS NULL, due_at, created_at DESC, ticket_year DESC, ticket_seq DESC";

const VISIT_COLUMNS: &str = "id, ticket_id, starts_at, ends_at, technician, address, status, \
     outcome, parts, created_at, updated_at, version";

/// The activities a customer's timeline shows; the same text as the partial index's.
const TIMELINE_KINDS: &str = "kind IN ('created', 'status_changed', 'visit_scheduled', 'visit_completed', 'visit_cancelled')";

/// Tickets in the CRM's SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteTicketStore {
    db: Db,
}

impl SqliteTicketStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let s: String = r.get(i)?;
    Uuid::parse_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

fn opt_uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(s) => Uuid::parse_str(&s)
            .map(Some)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))),
    }
}

fn name_at<T>(r: &Row<'_>, i: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    parse(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            Type::Text,
            format!("unknown value `{s}`").into(),
        )
    })
}

fn json_at<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    serde_json::from_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Ticket> {
    Ok(Ticket {
        id: uuid_at(r, 0)?,
        number: r.get(1)?,
        customer_id: uuid_at(r, 2)?,
        subject: r.get(3)?,
        description: r.get(4)?,
        status: name_at(r, 5, Status::parse)?,
        priority: name_at(r, 6, Priority::parse)?,
        kind: name_at(r, 7, Kind::parse)?,
        assignee: r.get(8)?,
        due_at: r.get(9)?,
        owned_item_serial: r.get(10)?,
        order_id: opt_uuid_at(r, 11)?,
        tags: Vec::new(),
        linked_entry_ids: Vec::new(),
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        version: r.get(14)?,
    })
}

fn visit_from_row(r: &Row<'_>) -> rusqlite::Result<Visit> {
    Ok(Visit {
        id: uuid_at(r, 0)?,
        ticket_id: uuid_at(r, 1)?,
        starts_at: r.get(2)?,
        ends_at: r.get(3)?,
        technician: r.get(4)?,
        address: r.get(5)?,
        status: name_at(r, 6, VisitStatus::parse)?,
        outcome: r.get(7)?,
        parts: json_at::<Vec<Part>>(r, 8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        version: r.get(11)?,
    })
}

fn load_children(conn: &Connection, t: &mut Ticket) -> Result<()> {
    let id = t.id.to_string();
    t.tags = conn
        .prepare_cached(
            "SELECT g.name FROM ticket_tag_assignments a JOIN ticket_tags g ON g.id = a.tag_id \
             WHERE a.ticket_id = ?1 ORDER BY g.name_key",
        )?
        .query_map([&id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    t.linked_entry_ids = conn
        .prepare_cached(
            "SELECT entry_id FROM ticket_entries WHERE ticket_id = ?1 ORDER BY linked_at, entry_id",
        )?
        .query_map([&id], |r| uuid_at(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(())
}

fn load(conn: &Connection, id: Uuid) -> Result<Option<Ticket>> {
    let ticket = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM tickets WHERE id = ?1"))?
        .query_row([id.to_string()], from_row)
        .optional()?;
    match ticket {
        None => Ok(None),
        Some(mut t) => {
            load_children(conn, &mut t)?;
            Ok(Some(t))
        }
    }
}

fn load_where(conn: &Connection, condition: &str, order: &str, arg: &str) -> Result<Vec<Ticket>> {
    let mut tickets = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tickets WHERE {condition} {order}"
        ))?
        .query_map([arg], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for t in &mut tickets {
        load_children(conn, t)?;
    }
    Ok(tickets)
}

fn load_visit(conn: &Connection, id: Uuid) -> Result<Visit> {
    conn.prepare_cached(&format!(
        "SELECT {VISIT_COLUMNS} FROM ticket_visits WHERE id = ?1"
    ))?
    .query_row([id.to_string()], visit_from_row)
    .optional()?
    .ok_or_else(|| visit_not_found(id))
}

fn visits_of(conn: &Connection, ticket_id: Uuid) -> Result<Vec<Visit>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {VISIT_COLUMNS} FROM ticket_visits WHERE ticket_id = ?1 ORDER BY starts_at, id"
        ))?
        .query_map([ticket_id.to_string()], visit_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

fn exists(conn: &Connection, sql: &str, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The customer and order of `t` exist, when foreign keys are enforced: a FOREIGN KEY failure
/// of a ticket's row is told apart here.
fn reference_error(conn: &Connection, t: &Ticket, e: rusqlite::Error) -> Error {
    if !is_constraint_violation(&e, "FOREIGN KEY") {
        return e.into();
    }
    let customer = t.customer_id.to_string();
    match exists(conn, "SELECT 1 FROM customers WHERE id = ?1", &customer) {
        Ok(false) => return Error::invalid("customer_id", "no such customer"),
        Err(e) => return e,
        Ok(true) => {}
    }
    if let Some(order) = t.order_id {
        match exists(
            conn,
            "SELECT 1 FROM orders WHERE id = ?1",
            &order.to_string(),
        ) {
            Ok(false) => return Error::invalid("order_id", "no such order"),
            Err(e) => return e,
            Ok(true) => {}
        }
    }
    e.into()
}

/// The id of the tag named `name` ignoring case, creating it as written when new.
fn ensure_tag(conn: &Connection, name: &str) -> Result<i64> {
    let key = tag_key(name);
    conn.prepare_cached(
        "INSERT INTO ticket_tags (name, name_key) VALUES (?1, ?2) ON CONFLICT (name_key) DO NOTHING",
    )?
    .execute(params![name, key])?;
    Ok(conn
        .prepare_cached("SELECT id FROM ticket_tags WHERE name_key = ?1")?
        .query_row([key], |r| r.get(0))?)
}

fn assign_tag(conn: &Connection, ticket: &str, name: &str) -> Result<()> {
    let tag = ensure_tag(conn, name)?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO ticket_tag_assignments (ticket_id, tag_id) VALUES (?1, ?2)",
    )?
    .execute(params![ticket, tag])?;
    Ok(())
}

fn unassign_tag(conn: &Connection, ticket: &str, name: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM ticket_tag_assignments WHERE ticket_id = ?1 \
         AND tag_id = (SELECT id FROM ticket_tags WHERE name_key = ?2)",
    )?
    .execute(params![ticket, tag_key(name)])?;
    Ok(())
}

/// Links the entry to the ticket after checking it exists and is not another customer's.
fn link_entry(conn: &Connection, t: &Ticket, entry: Uuid, now: Timestamp) -> Result<()> {
    let owner: Option<Option<String>> = conn
        .prepare_cached("SELECT customer_id FROM comms_entries WHERE id = ?1")?
        .query_row([entry.to_string()], |r| r.get(0))
        .optional()?;
    match owner {
        None => return Err(Error::invalid("entry_id", "no such comms entry")),
        Some(Some(c)) if c != t.customer_id.to_string() => {
            return Err(Error::invalid(
                "entry_id",
                "the entry belongs to another customer",
            ));
        }
        Some(_) => {}
    }
    conn.prepare_cached(
        "INSERT OR IGNORE INTO ticket_entries (ticket_id, entry_id, linked_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![t.id.to_string(), entry.to_string(), now])?;
    Ok(())
}

fn append(
    conn: &Connection,
    ticket: &Ticket,
    what: &ActivityKind,
    actor: &str,
    at: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO ticket_activities (ticket_id, customer_id, kind, data, actor, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        ticket.id.to_string(),
        ticket.customer_id.to_string(),
        what.as_str(),
        serde_json::to_string(what)?,
        actor,
        at
    ])?;
    Ok(())
}

fn insert_note(conn: &Connection, n: &Note) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO ticket_notes (id, ticket_id, visibility, author, text, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        n.id.to_string(),
        n.ticket_id.to_string(),
        n.visibility.as_str(),
        n.author,
        n.text,
        n.at
    ])?;
    Ok(())
}

/// The customer of the ticket, for a visit's activity.
fn ticket_of_visit(conn: &Connection, v: &Visit) -> Result<Ticket> {
    load(conn, v.ticket_id)?.ok_or_else(|| ticket_not_found(v.ticket_id))
}

/// Takes the parts from stock by crm-products' rule; see the module documentation.
fn take_stock(conn: &Connection, c: &VisitCompletion, now: Timestamp) -> Result<()> {
    let parts: Vec<PartUse> = c
        .parts
        .iter()
        .map(|p| PartUse {
            product_id: p.product_id,
            quantity: p.quantity,
        })
        .collect();
    take_parts_in(conn, &parts, c.allow_negative_stock, now)
}

/// Moves every ticket of customer `from` to customer `to` inside the caller's transaction
/// `conn` (a customer merge), each with a new version, and their activities with them (the
/// customer's timeline reads activities by customer); answers how many tickets moved.
pub fn reassign_customer(conn: &Connection, from: Uuid, to: Uuid, now: Timestamp) -> Result<u64> {
    if from == to {
        return Ok(0);
    }
    let (from, to) = (from.to_string(), to.to_string());
    let n = conn
        .prepare_cached(
            "UPDATE tickets SET customer_id = ?2, updated_at = ?3, version = version + 1 \
             WHERE customer_id = ?1",
        )?
        .execute(params![from, to, now])?;
    conn.prepare_cached("UPDATE ticket_activities SET customer_id = ?2 WHERE customer_id = ?1")?
        .execute(params![from, to])?;
    Ok(u64::try_from(n).unwrap_or(u64::MAX))
}

/// How many matches a filter without an ordered index (several statuses, a tag, overdue) may
/// have before its page is read in list order rather than found through the filter's index
/// and sorted.
const SORT_AT_MOST: u64 = 2_000;

/// Whether the page of `query` can be read by scanning an index in list order, filtering as
/// it goes, instead of collecting every match and sorting: its filters have no index that
/// also gives the order.
fn unordered(query: &ListQuery) -> bool {
    query.sort == Sort::Newest && (query.status.len() > 1 || query.tag.is_some() || query.overdue)
}

/// The count and the page statements of a list, and their arguments (the page's `LIMIT` and
/// `OFFSET` come after them). With `scan`, the filters that have no ordered index are written
/// so that SQLite cannot use their index (a unary `+`): it then walks an index in list order
/// (`tickets_newest`, or the assignee's, priority's or customer's) and stops after a page —
/// cheaper than sorting every match when there are many.
fn list_statements(query: &ListQuery, now: Timestamp, scan: bool) -> (String, String, Vec<Value>) {
    let plus = if scan { "+" } else { "" };
    let mut conditions = Vec::new();
    let mut args = Vec::new();
    if !query.status.is_empty() {
        let marks = vec!["?"; query.status.len()].join(", ");
        let plus = if query.status.len() > 1 { plus } else { "" };
        conditions.push(format!("{plus}status IN ({marks})"));
        args.extend(query.status.iter().map(|s| Value::Text(s.as_str().into())));
    }
    if let Some(a) = &query.assignee {
        conditions.push("assignee = ?".to_owned());
        args.push(Value::Text(a.clone()));
    }
    if let Some(p) = query.priority {
        conditions.push("priority = ?".to_owned());
        args.push(Value::Text(p.as_str().into()));
    }
    if let Some(c) = query.customer_id {
        conditions.push("customer_id = ?".to_owned());
        args.push(Value::Text(c.to_string()));
    }
    if let Some(tag) = &query.tag {
        conditions.push(if scan {
            // checked ticket by ticket as the walk meets them (the assignments' primary key)
            "EXISTS (SELECT 1 FROM ticket_tag_assignments a WHERE a.ticket_id = tickets.id \
             AND a.tag_id = (SELECT g.id FROM ticket_tags g WHERE g.name_key = ?))"
                .to_owned()
        } else {
            "id IN (SELECT a.ticket_id FROM ticket_tag_assignments a \
             JOIN ticket_tags g ON g.id = a.tag_id WHERE g.name_key = ?)"
                .to_owned()
        });
        args.push(Value::Text(tag_key(tag.trim())));
    }
    if query.overdue {
        conditions.push(format!(
            "{plus}due_at IS NOT NULL AND {plus}due_at < ? \
             AND {plus}status NOT IN ('resolved', 'closed')"
        ));
        args.push(Value::Text(now.to_string()));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let order = match query.sort {
        Sort::Newest => NEWEST,
        Sort::Due => DUE,
    };
    let count = if conditions.len() == 1 && query.tag.is_some() {
        // a tag alone: counted in its assignments, without a lookup of each ticket
        "SELECT count(*) FROM ticket_tag_assignments a JOIN ticket_tags g ON g.id = a.tag_id \
         WHERE g.name_key = ?"
            .to_owned()
    } else {
        format!("SELECT count(*) FROM tickets {filter}")
    };
    (
        count,
        format!("SELECT {COLUMNS} FROM tickets {filter} {order} LIMIT ? OFFSET ?"),
        args,
    )
}

/// The customer timeline's statement and its arguments.
fn events_statement(
    customer_id: Uuid,
    before: Option<(Timestamp, i64)>,
    limit: u32,
) -> (String, Vec<Value>) {
    let mut args = vec![Value::Text(customer_id.to_string())];
    let cursor = match before {
        Some((at, seq)) => {
            args.push(Value::Text(at.to_string()));
            args.push(Value::Integer(seq));
            "AND (a.at, a.seq) < (?2, ?3)"
        }
        None => "",
    };
    args.push(Value::Integer(limit.into()));
    let limit_at = args.len();
    let sql = format!(
        "SELECT a.seq, a.at, a.ticket_id, t.number, t.subject, a.actor, a.data \
         FROM ticket_activities a JOIN tickets t ON t.id = a.ticket_id \
         WHERE a.customer_id = ?1 AND a.{TIMELINE_KINDS} {cursor} \
         ORDER BY a.at DESC, a.seq DESC LIMIT ?{limit_at}"
    );
    (sql, args)
}

impl TicketStore for SqliteTicketStore {
    async fn list(&self, query: ListQuery, now: Timestamp) -> Result<Page<Ticket>> {
        self.db
            .snapshot(move |conn| {
                let (count, page, args) = list_statements(&query, now, false);
                let total: i64 = conn
                    .prepare_cached(&count)?
                    .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
                let total = u64::try_from(total).unwrap_or(0);
                let (page, mut args) = if unordered(&query) && total > SORT_AT_MOST {
                    let (_, page, args) = list_statements(&query, now, true);
                    (page, args)
                } else {
                    (page, args)
                };
                args.push(Value::Integer(query.effective_limit().into()));
                args.push(Value::Integer(query.effective_offset().into()));
                let mut items = conn
                    .prepare_cached(&page)?
                    .query_map(params_from_iter(args.iter()), from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for t in &mut items {
                    load_children(conn, t)?;
                }
                Ok(Page { items, total })
            })
            .await
    }

    async fn get(&self, id: Uuid) -> Result<Ticket> {
        self.db
            .point_snapshot(move |conn| load(conn, id)?.ok_or_else(|| ticket_not_found(id)))
            .await
    }

    async fn insert(
        &self,
        ticket: Ticket,
        actor: String,
        origin_key: Option<String>,
    ) -> Result<(Ticket, bool)> {
        self.db
            .write(move |conn| {
                if let Some(key) = &origin_key
                    && let Some(first) = load_where(conn, "origin_key = ?1", "", key)?
                        .into_iter()
                        .next()
                {
                    return Ok((first, false));
                }
                let mut t = ticket;
                let year = t.created_at.year();
                let seq: i64 = conn
                    .prepare_cached(
                        "INSERT INTO ticket_counters (year, last_seq) VALUES (?1, 1) \
                         ON CONFLICT (year) DO UPDATE SET last_seq = last_seq + 1 \
                         RETURNING last_seq",
                    )?
                    .query_row([year], |r| r.get(0))?;
                t.number = ticket_number(year, seq);
                let id = t.id.to_string();
                conn.prepare_cached(&format!(
                    "INSERT INTO tickets ({COLUMNS}, ticket_year, ticket_seq) VALUES \
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
                ))?
                .execute(params![
                    id,
                    t.number,
                    t.customer_id.to_string(),
                    t.subject,
                    t.description,
                    t.status.as_str(),
                    t.priority.as_str(),
                    t.kind.as_str(),
                    t.assignee,
                    t.due_at,
                    t.owned_item_serial,
                    t.order_id.map(|o| o.to_string()),
                    t.created_at,
                    t.updated_at,
                    t.version,
                    year,
                    seq
                ])
                .map_err(|e| reference_error(conn, &t, e))?;
                for tag in &t.tags {
                    assign_tag(conn, &id, tag)?;
                }
                append(conn, &t, &ActivityKind::Created, &actor, t.created_at)?;
                for entry in &t.linked_entry_ids {
                    link_entry(conn, &t, *entry, t.created_at)?;
                    append(
                        conn,
                        &t,
                        &ActivityKind::EntryLinked { entry_id: *entry },
                        &actor,
                        t.created_at,
                    )?;
                }
                if let Some(key) = &origin_key {
                    conn.prepare_cached("UPDATE tickets SET origin_key = ?2 WHERE id = ?1")?
                        .execute(params![id, key])?;
                }
                let t = load(conn, t.id)?.ok_or_else(|| ticket_not_found(t.id))?;
                Ok((t, true))
            })
            .await
    }

    async fn update<F>(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        actor: String,
        now: Timestamp,
        change: F,
    ) -> Result<Ticket>
    where
        F: FnOnce(&Ticket) -> Result<Plan> + Send + 'static,
    {
        self.db
            .write(move |conn| {
                let current = load(conn, id)?.ok_or_else(|| ticket_not_found(id))?;
                check_version(current.version, expected_version)?;
                let plan = change(&current)?;
                let mut next = plan.ticket;
                next.id = current.id;
                next.number.clone_from(&current.number);
                next.customer_id = current.customer_id;
                next.created_at = current.created_at;
                next.updated_at = current.updated_at;
                next.version = current.version;
                let key = id.to_string();
                if next != current {
                    next.updated_at = now;
                    next.version = current.version + 1;
                    conn.prepare_cached(
                        "UPDATE tickets SET subject = ?2, description = ?3, status = ?4, \
                         priority = ?5, kind = ?6, assignee = ?7, due_at = ?8, \
                         owned_item_serial = ?9, order_id = ?10, updated_at = ?11, version = ?12 \
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        key,
                        next.subject,
                        next.description,
                        next.status.as_str(),
                        next.priority.as_str(),
                        next.kind.as_str(),
                        next.assignee,
                        next.due_at,
                        next.owned_item_serial,
                        next.order_id.map(|o| o.to_string()),
                        next.updated_at,
                        next.version
                    ])
                    .map_err(|e| reference_error(conn, &next, e))?;
                    let keys =
                        |tags: &[String]| tags.iter().map(|t| tag_key(t)).collect::<Vec<_>>();
                    let (old, new) = (keys(&current.tags), keys(&next.tags));
                    for (tag, k) in current.tags.iter().zip(&old) {
                        if !new.contains(k) {
                            unassign_tag(conn, &key, tag)?;
                        }
                    }
                    for (tag, k) in next.tags.iter().zip(&new) {
                        if !old.contains(k) {
                            assign_tag(conn, &key, tag)?;
                        }
                    }
                    for entry in &next.linked_entry_ids {
                        if !current.linked_entry_ids.contains(entry) {
                            link_entry(conn, &next, *entry, now)?;
                        }
                    }
                }
                for note in &plan.notes {
                    insert_note(conn, note)?;
                }
                for what in &plan.activities {
                    append(conn, &next, what, &actor, now)?;
                }
                load(conn, id)?.ok_or_else(|| ticket_not_found(id))
            })
            .await
    }

    async fn entry(&self, id: Uuid) -> Result<Option<EntrySummary>> {
        self.db
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT customer_id, type, sender, subject, body FROM comms_entries \
                         WHERE id = ?1",
                    )?
                    .query_row([id.to_string()], |r| {
                        Ok(EntrySummary {
                            customer_id: opt_uuid_at(r, 0)?,
                            kind: r.get(1)?,
                            sender: r.get(2)?,
                            subject: r.get(3)?,
                            body: r.get(4)?,
                        })
                    })
                    .optional()?)
            })
            .await
    }

    async fn open_for_customer(&self, customer_id: Uuid) -> Result<Vec<Ticket>> {
        self.db
            .snapshot(move |conn| {
                load_where(
                    conn,
                    "customer_id = ?1 AND status NOT IN ('resolved', 'closed')",
                    NEWEST,
                    &customer_id.to_string(),
                )
            })
            .await
    }

    async fn notes(&self, ticket_id: Uuid) -> Result<Vec<Note>> {
        self.db
            .snapshot(move |conn| {
                let id = ticket_id.to_string();
                if !exists(conn, "SELECT 1 FROM tickets WHERE id = ?1", &id)? {
                    return Err(ticket_not_found(ticket_id));
                }
                Ok(conn
                    .prepare_cached(
                        "SELECT id, ticket_id, visibility, author, text, at FROM ticket_notes \
                         WHERE ticket_id = ?1 ORDER BY at, rowid",
                    )?
                    .query_map([id], |r| {
                        Ok(Note {
                            id: uuid_at(r, 0)?,
                            ticket_id: uuid_at(r, 1)?,
                            visibility: name_at(r, 2, Visibility::parse)?,
                            author: r.get(3)?,
                            text: r.get(4)?,
                            at: r.get(5)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn activities(&self, ticket_id: Uuid) -> Result<Vec<Activity>> {
        self.db
            .snapshot(move |conn| {
                let id = ticket_id.to_string();
                if !exists(conn, "SELECT 1 FROM tickets WHERE id = ?1", &id)? {
                    return Err(ticket_not_found(ticket_id));
                }
                Ok(conn
                    .prepare_cached(
                        "SELECT seq, ticket_id, actor, at, data FROM ticket_activities \
                         WHERE ticket_id = ?1 ORDER BY seq",
                    )?
                    .query_map([id], |r| {
                        Ok(Activity {
                            seq: r.get(0)?,
                            ticket_id: uuid_at(r, 1)?,
                            actor: r.get(2)?,
                            at: r.get(3)?,
                            what: json_at(r, 4)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn insert_visit(&self, visit: Visit, actor: String) -> Result<Visit> {
        self.db
            .write(move |conn| {
                let t = ticket_of_visit(conn, &visit)?;
                if t.status == Status::Closed {
                    return Err(conflict(format!(
                        "the ticket {} is closed: reopen it to schedule a visit",
                        t.number
                    )));
                }
                let v = visit;
                conn.prepare_cached(&format!(
                    "INSERT INTO ticket_visits ({VISIT_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ))?
                .execute(params![
                    v.id.to_string(),
                    v.ticket_id.to_string(),
                    v.starts_at,
                    v.ends_at,
                    v.technician,
                    v.address,
                    v.status.as_str(),
                    v.outcome,
                    serde_json::to_string(&v.parts)?,
                    v.created_at,
                    v.updated_at,
                    v.version
                ])?;
                append(
                    conn,
                    &t,
                    &ActivityKind::VisitScheduled { visit_id: v.id },
                    &actor,
                    v.created_at,
                )?;
                Ok(v)
            })
            .await
    }

    async fn visit(&self, id: Uuid) -> Result<Visit> {
        self.db.read(move |conn| load_visit(conn, id)).await
    }

    async fn visits(&self, ticket_id: Uuid) -> Result<Vec<Visit>> {
        self.db
            .snapshot(move |conn| {
                if !exists(
                    conn,
                    "SELECT 1 FROM tickets WHERE id = ?1",
                    &ticket_id.to_string(),
                )? {
                    return Err(ticket_not_found(ticket_id));
                }
                visits_of(conn, ticket_id)
            })
            .await
    }

    async fn complete_visit(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        completion: VisitCompletion,
        stock: PartsStock,
        actor: String,
        now: Timestamp,
    ) -> Result<Visit> {
        self.db
            .write(move |conn| {
                let v = load_visit(conn, id)?;
                check_version(v.version, expected_version)?;
                if v.status != VisitStatus::Scheduled {
                    return Err(conflict(format!("the visit is {}", v.status)));
                }
                let t = ticket_of_visit(conn, &v)?;
                if stock == PartsStock::Here {
                    take_stock(conn, &completion, now)?;
                }
                conn.prepare_cached(
                    "UPDATE ticket_visits SET status = 'completed', outcome = ?2, parts = ?3, \
                     updated_at = ?4, version = version + 1 WHERE id = ?1",
                )?
                .execute(params![
                    id.to_string(),
                    completion.outcome,
                    serde_json::to_string(&completion.parts)?,
                    now
                ])?;
                append(
                    conn,
                    &t,
                    &ActivityKind::VisitCompleted { visit_id: id },
                    &actor,
                    now,
                )?;
                load_visit(conn, id)
            })
            .await
    }

    async fn cancel_visit(
        &self,
        id: Uuid,
        expected_version: Option<i64>,
        actor: String,
        now: Timestamp,
    ) -> Result<Visit> {
        self.db
            .write(move |conn| {
                let v = load_visit(conn, id)?;
                check_version(v.version, expected_version)?;
                if v.status != VisitStatus::Scheduled {
                    return Err(conflict(format!("the visit is {}", v.status)));
                }
                let t = ticket_of_visit(conn, &v)?;
                conn.prepare_cached(
                    "UPDATE ticket_visits SET status = 'cancelled', updated_at = ?2, \
                     version = version + 1 WHERE id = ?1",
                )?
                .execute(params![id.to_string(), now])?;
                append(
                    conn,
                    &t,
                    &ActivityKind::VisitCancelled { visit_id: id },
                    &actor,
                    now,
                )?;
                load_visit(conn, id)
            })
            .await
    }

    async fn for_serial(&self, serial: String) -> Result<Vec<TicketWithVisits>> {
        self.db
            .snapshot(move |conn| {
                let tickets = load_where(
                    conn,
                    "owned_item_serial = ?1",
                    "ORDER BY created_at, ticket_year, ticket_seq",
                    serial.trim(),
                )?;
                tickets
                    .into_iter()
                    .map(|ticket| {
                        let visits = visits_of(conn, ticket.id)?;
                        Ok(TicketWithVisits { ticket, visits })
                    })
                    .collect()
            })
            .await
    }

    async fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> Result<Vec<TicketEvent>> {
        self.db
            .snapshot(move |conn| {
                let (sql, args) = events_statement(customer_id, before, limit);
                Ok(conn
                    .prepare_cached(&sql)?
                    .query_map(params_from_iter(args.iter()), |r| {
                        Ok(TicketEvent {
                            seq: r.get(0)?,
                            at: r.get(1)?,
                            ticket_id: uuid_at(r, 2)?,
                            number: r.get(3)?,
                            subject: r.get(4)?,
                            actor: r.get(5)?,
                            what: json_at(r, 6)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn tags(&self) -> Result<Vec<Tag>> {
        self.db
            .read(|conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT g.name, count(a.ticket_id) FROM ticket_tags g \
                         LEFT JOIN ticket_tag_assignments a ON a.tag_id = g.id \
                         GROUP BY g.id ORDER BY g.name_key",
                    )?
                    .query_map([], |r| {
                        Ok(Tag {
                            name: r.get(0)?,
                            tickets: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn insert_macro(&self, m: Macro) -> Result<Macro> {
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO ticket_macros (id, name, name_key, actions, created_at, \
                     updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    m.id.to_string(),
                    m.name,
                    m.name.to_lowercase(),
                    serde_json::to_string(&m.actions)?,
                    m.created_at,
                    m.updated_at,
                    m.version
                ])
                .map_err(|e| name_taken(e, &m.name))?;
                Ok(m)
            })
            .await
    }

    async fn macros(&self) -> Result<Vec<Macro>> {
        self.db
            .read(|conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT id, name, actions, created_at, updated_at, version \
                         FROM ticket_macros ORDER BY name_key",
                    )?
                    .query_map([], macro_from_row)?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .await
    }

    async fn get_macro(&self, id: Uuid) -> Result<Macro> {
        self.db.read(move |conn| load_macro(conn, id)).await
    }

    async fn update_macro(&self, m: Macro, expected_version: Option<i64>) -> Result<Macro> {
        self.db
            .write(move |conn| {
                let current = load_macro(conn, m.id)?;
                check_version(current.version, expected_version)?;
                if current.name == m.name && current.actions == m.actions {
                    return Ok(current);
                }
                let next = Macro {
                    version: current.version + 1,
                    created_at: current.created_at,
                    ..m
                };
                conn.prepare_cached(
                    "UPDATE ticket_macros SET name = ?2, name_key = ?3, actions = ?4, \
                     updated_at = ?5, version = ?6 WHERE id = ?1",
                )?
                .execute(params![
                    next.id.to_string(),
                    next.name,
                    next.name.to_lowercase(),
                    serde_json::to_string(&next.actions)?,
                    next.updated_at,
                    next.version
                ])
                .map_err(|e| name_taken(e, &next.name))?;
                Ok(next)
            })
            .await
    }

    async fn delete_macro(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.db
            .write(move |conn| {
                delete_versioned(conn, "ticket_macros", "macro", id, expected_version, "")
            })
            .await
    }
}

/// The macro `id`, or `NotFound`.
fn load_macro(conn: &Connection, id: Uuid) -> Result<Macro> {
    conn.prepare_cached(
        "SELECT id, name, actions, created_at, updated_at, version \
         FROM ticket_macros WHERE id = ?1",
    )?
    .query_row([id.to_string()], macro_from_row)
    .optional()?
    .ok_or_else(|| macro_not_found(id))
}

/// A write of a macro refused because another has its name (ignoring case): a conflict.
fn name_taken(e: rusqlite::Error, name: &str) -> Error {
    if is_constraint_violation(&e, "ticket_macros.name_key") {
        conflict(format!("a macro named {name} exists already"))
    } else {
        Error::from(e)
    }
}

fn macro_from_row(r: &Row<'_>) -> rusqlite::Result<Macro> {
    Ok(Macro {
        id: uuid_at(r, 0)?,
        name: r.get(1)?,
        actions: json_at(r, 2)?,
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
        version: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan SQLite chooses for `sql` with `args`, its steps joined by ` | `.
    fn plan(conn: &Connection, sql: &str, args: &[Value]) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join(" | ")
    }

    /// The plans of the page (read in list order when `scan`) and of the count, as `list`
    /// runs them.
    fn page_plan(conn: &Connection, query: ListQuery, scan: bool) -> String {
        let now = Timestamp::parse("2026-03-01T10:00:00Z").unwrap();
        let (count, _, args) = list_statements(&query, now, false);
        let count = plan(conn, &count, &args);
        let (_, page, mut args) = list_statements(&query, now, scan);
        args.extend([Value::Integer(50), Value::Integer(0)]);
        format!("{} || {count}", plan(conn, &page, &args))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_queue_and_the_timeline_read_through_their_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        let plans = db
            .read(|conn| {
                let q = |f: fn(&mut ListQuery)| {
                    let mut q = ListQuery::default();
                    f(&mut q);
                    let scan = unordered(&q);
                    page_plan(conn, q, scan)
                };
                let at = Timestamp::parse("2026-03-01T10:00:00Z").unwrap();
                let timeline = |before| {
                    let (sql, args) = events_statement(Uuid::nil(), before, 20);
                    plan(conn, &sql, &args)
                };
                Ok::<_, Error>(vec![
                    ("unfiltered", q(|_| {}), vec!["tickets_newest"]),
                    (
                        "status",
                        q(|q| q.status = vec![Status::Open]),
                        vec!["INDEX tickets_status "],
                    ),
                    (
                        "status and assignee",
                        q(|q| {
                            q.status = vec![Status::Open];
                            q.assignee = Some("nikos".into());
                        }),
                        vec!["tickets_status_assignee"],
                    ),
                    (
                        "assignee",
                        q(|q| q.assignee = Some("nikos".into())),
                        vec!["tickets_assignee"],
                    ),
                    (
                        "priority",
                        q(|q| q.priority = Some(crate::model::Priority::Urgent)),
                        vec!["tickets_priority"],
                    ),
                    (
                        "customer",
                        q(|q| q.customer_id = Some(Uuid::nil())),
                        vec!["tickets_customer"],
                    ),
                    (
                        "several statuses, many matches",
                        q(|q| q.status = vec![Status::Open, Status::Scheduled]),
                        vec![
                            "SCAN tickets USING INDEX tickets_newest",
                            "COVERING INDEX tickets_status",
                        ],
                    ),
                    (
                        "tag, many matches",
                        q(|q| q.tag = Some("warranty".into())),
                        vec![
                            "SCAN tickets USING INDEX tickets_newest",
                            "ticket_tag_assignments_tag",
                        ],
                    ),
                    (
                        "overdue, many matches",
                        q(|q| q.overdue = true),
                        vec![
                            "SCAN tickets USING INDEX tickets_newest",
                            "COVERING INDEX tickets_overdue",
                        ],
                    ),
                    (
                        "overdue of an assignee, many matches",
                        q(|q| {
                            q.overdue = true;
                            q.assignee = Some("nikos".into());
                        }),
                        vec!["SEARCH tickets USING INDEX tickets_assignee"],
                    ),
                    (
                        "timeline",
                        timeline(None),
                        vec!["ticket_activities_customer"],
                    ),
                    (
                        "timeline after a cursor",
                        timeline(Some((at, 7))),
                        vec!["ticket_activities_customer"],
                    ),
                ])
            })
            .await
            .unwrap();
        for (name, plan, indexes) in plans {
            for index in indexes {
                assert!(plan.contains(index), "{name} uses no {index}: {plan}");
            }
            assert!(!plan.contains("TEMP B-TREE"), "{name} sorts: {plan}");
            assert!(!plan.contains("SCAN tickets |"), "{name} scans: {plan}");
        }
    }

    /// Writes `n` tickets with SQL: every third open, every fourth tagged `Warranty`, every
    /// fifth overdue, newest last.
    fn seed(c: &Connection, n: usize) -> rusqlite::Result<()> {
        let customer = Uuid::from_u128(1 << 96);
        crm_core::testing::insert_row(c, "customers", customer, "Ενορία")?;
        c.execute(
            "INSERT INTO ticket_tags (id, name, name_key) VALUES (1, 'Warranty', 'warranty')",
            [],
        )?;
        for i in 0..n {
            let id = Uuid::from_u128(i as u128 + 1).to_string();
            let seq = i as i64 + 1;
            let at = Timestamp::from(
                time::macros::datetime!(2026-01-01 00:00 UTC) + time::Duration::minutes(seq),
            );
            let status = if i % 3 == 0 { "open" } else { "new" };
            let due = (i % 5 == 0).then_some("2026-02-01T00:00:00.000000Z");
            c.execute(
                "INSERT INTO tickets (id, number, ticket_year, ticket_seq, customer_id, subject, \
                 status, kind, due_at, created_at, updated_at) \
                 VALUES (?1, ?2, 2026, ?3, ?4, 's', ?5, 'repair', ?6, ?7, ?7)",
                params![
                    id,
                    ticket_number(2026, seq),
                    seq,
                    customer.to_string(),
                    status,
                    due,
                    at
                ],
            )?;
            if i % 4 == 0 {
                c.execute(
                    "INSERT INTO ticket_tag_assignments (ticket_id, tag_id) VALUES (?1, 1)",
                    [&id],
                )?;
            }
        }
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_read_in_list_order_is_the_page_a_sort_gives() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        let n = 6 * SORT_AT_MOST as usize;
        db.write(move |c| seed(c, n).map_err(Error::from))
            .await
            .unwrap();
        let store = SqliteTicketStore::new(db.clone());
        let now = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
        let queries = [
            ListQuery {
                status: vec![Status::Open, Status::Resolved],
                ..ListQuery::default()
            },
            ListQuery {
                tag: Some("WARRANTY".into()),
                offset: Some(30),
                ..ListQuery::default()
            },
            ListQuery {
                overdue: true,
                limit: Some(120),
                ..ListQuery::default()
            },
        ];
        for query in queries {
            assert!(unordered(&query));
            let page = store.list(query.clone(), now).await.unwrap();
            assert!(page.total > SORT_AT_MOST, "{query:?}: {}", page.total);
            let q = query.clone();
            let sorted: Vec<String> = db
                .read(move |c| {
                    let (_, sql, mut args) = list_statements(&q, now, false);
                    args.extend([
                        Value::Integer(q.effective_limit().into()),
                        Value::Integer(q.effective_offset().into()),
                    ]);
                    let mut stmt = c.prepare(&sql)?;
                    let rows = stmt
                        .query_map(params_from_iter(args.iter()), |r| r.get(1))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    Ok::<_, Error>(rows)
                })
                .await
                .unwrap();
            let read: Vec<String> = page.items.iter().map(|t| t.number.clone()).collect();
            assert_eq!(read.len(), query.effective_limit() as usize, "{query:?}");
            assert_eq!(read, sorted, "{query:?}");
        }
    }
}
