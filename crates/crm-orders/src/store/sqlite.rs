//! [`OrderStore`] on the shared SQLite database (migration `04-orders`).
//!
//! - `orders`: one row per order; the discount is three columns, shipping a JSON text column
//!   (never queried). `order_year`/`order_seq` keep the number sortable; both the number and
//!   the pair are UNIQUE. `customer_id REFERENCES customers(id)` without cascade.
//! - `order_counters`: the last sequence number of each year, bumped in the write that inserts
//!   the order — the one writer makes it race-free, the savepoint rolls it back with a failed
//!   insert, so numbers have no gaps.
//! - `order_items`: the lines, by position; `product_id REFERENCES products(id)` without
//!   cascade, so a product on an order cannot be deleted.
//! - A list's `search` is `order_seq = ?` (a bare sequence) or `order_year = ? AND
//!   order_seq = ?` (a pair), `OR customer_id IN` the customers the service resolved.
//! - `order_status_history`: append-only (triggers refuse UPDATE and DELETE, except the
//!   cascade when the order itself is deleted).
//!
//! [`OrderStore::put_all`] writes rows as the records say (upsert by id, so that rows of
//! other tables that refer to the order stay linked); a copied history that does not extend
//! the stored one replaces it, the one write that sets the append-only rule aside (the
//! trigger is dropped and re-created inside the same transaction, so no other connection
//! sees it missing). The counters are raised to the highest number copied.

use std::collections::HashMap;

use crm_core::store::{check_version, delete_versioned};
use crm_core::{Db, Money, Timestamp, VatRate, is_constraint_violation};
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use uuid::Uuid;

use crate::error::{Error, Result, not_found};
use crate::model::{
    Discount, DiscountType, Item, ItemType, ListQuery, NumberSearch, Order, OrderEvent, Page,
    PaymentStatus, SearchScope, Shipping, Status, StatusChange, order_number, parse_order_number,
};
use crate::pricing::price_stored;
use crate::stock::{self, Stock, StockMove, StockState};
use crate::store::{Change, OrderStore};

const COLUMNS: &str = "id, order_number, customer_id, status, subtotal, discount_type, \
     discount_value, discount_reason, total_price, currency, shipping, payment_status, \
     invoice_path, notes, created_at, updated_at, version, prices_include_vat, stock_state";

/// Newest first; the number compared as (year, sequence) so that `ORD-2026-1000` comes
/// before `ORD-2026-999`.
const ORDER_BY: &str = "ORDER BY created_at DESC, order_year DESC, order_seq DESC";

/// Orders in the CRM's SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteOrderStore {
    db: Db,
}

impl SqliteOrderStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

impl OrderStore for SqliteOrderStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Order>> {
        self.db
            .read(move |conn| {
                // one snapshot for the count, the page and its items
                let tx = conn.unchecked_transaction()?;
                let mut conditions = Vec::new();
                let mut args = Vec::new();
                if let Some(c) = query.customer_id {
                    conditions.push("customer_id = ?".to_owned());
                    args.push(Value::Text(c.to_string()));
                }
                if let Some(s) = query.status {
                    conditions.push("status = ?".to_owned());
                    args.push(Value::Text(s.as_str().to_owned()));
                }
                if let Some(p) = query.payment_status {
                    conditions.push("payment_status = ?".to_owned());
                    args.push(Value::Text(p.as_str().to_owned()));
                }
                if let Some(text) = &query.search {
                    conditions.push(search_condition(text, &query.scope, &mut args));
                }
                let filter = if conditions.is_empty() {
                    String::new()
                } else {
                    format!("WHERE {}", conditions.join(" AND "))
                };
                let total: i64 = tx.query_row(
                    &format!("SELECT count(*) FROM orders {filter}"),
                    params_from_iter(args.iter()),
                    |r| r.get(0),
                )?;
                args.push(Value::Integer(query.effective_limit().into()));
                args.push(Value::Integer(query.effective_offset().into()));
                let mut stmt = tx.prepare(&format!(
                    "SELECT {COLUMNS} FROM orders {filter} {ORDER_BY} LIMIT ? OFFSET ?"
                ))?;
                let mut items = stmt
                    .query_map(params_from_iter(args.iter()), from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for order in &mut items {
                    load_children(&tx, order)?;
                }
                Ok(Page {
                    items,
                    total: u64::try_from(total).unwrap_or(0),
                })
            })
            .await
    }

    async fn get(&self, id: Uuid) -> Result<Order> {
        self.db
            .point_snapshot(move |conn| load(conn, id)?.ok_or_else(|| not_found(id)))
            .await
    }

    async fn insert(&self, order: Order) -> Result<Order> {
        self.db
            .write(move |conn| {
                let mut o = order;
                check_customer(conn, o.customer_id)?;
                fill_products(conn, &mut o.items)?;
                let year = o.created_at.year();
                let seq: i64 = conn.query_row(
                    "INSERT INTO order_counters (year, last_seq) VALUES (?1, 1) \
                     ON CONFLICT (year) DO UPDATE SET last_seq = last_seq + 1 \
                     RETURNING last_seq",
                    [year],
                    |r| r.get(0),
                )?;
                o.order_number = order_number(year, seq);
                let id = o.id.to_string();
                write_row(conn, &o, year, seq, Write::Insert)?;
                save_items(conn, &id, &o.items)?;
                let first = StatusChange {
                    from: None,
                    to: o.status,
                    at: o.created_at,
                };
                append_history(conn, &id, &first)?;
                o.status_history = vec![first];
                Ok(o)
            })
            .await
    }

    async fn update<F>(&self, id: Uuid, expected_version: Option<i64>, change: F) -> Result<Order>
    where
        F: FnOnce(&Order) -> Result<Change> + Send + 'static,
    {
        self.db
            .write(move |conn| {
                let current = load(conn, id)?.ok_or_else(|| not_found(id))?;
                check_version(current.version, expected_version)?;
                let mut next = match change(&current)? {
                    Change::Unchanged => return Ok(current),
                    Change::Save(next) => *next,
                };
                next.id = current.id;
                next.order_number = current.order_number.clone();
                next.created_at = current.created_at;
                next.version = current.version + 1;
                next.status_history = current.status_history.clone();
                if next.customer_id != current.customer_id {
                    check_customer(conn, next.customer_id)?;
                }
                let items_changed = next.items != current.items;
                if items_changed {
                    fill_products(conn, &mut next.items)?;
                }
                move_stock(conn, &stock::moves(&current, &next), next.updated_at)?;
                let discount = next.discount.as_ref();
                let key = id.to_string();
                let changed = conn
                    .execute(
                        "UPDATE orders SET customer_id = ?3, status = ?4, subtotal = ?5, \
                         discount_type = ?6, discount_value = ?7, discount_reason = ?8, \
                         total_price = ?9, currency = ?10, shipping = ?11, payment_status = ?12, \
                         invoice_path = ?13, notes = ?14, updated_at = ?15, version = ?16, \
                         prices_include_vat = ?17, stock_state = ?18 \
                         WHERE id = ?1 AND version = ?2",
                        params![
                            key,
                            current.version,
                            next.customer_id.to_string(),
                            next.status.as_str(),
                            next.subtotal,
                            discount.map(|d| d.kind.as_str()),
                            discount.map(|d| d.value),
                            discount.and_then(|d| d.reason.as_deref()),
                            next.total_price,
                            next.currency,
                            shipping_json(&next.shipping)?,
                            next.payment_status.as_str(),
                            next.invoice_path,
                            next.notes,
                            next.updated_at,
                            next.version,
                            next.prices_include_vat,
                            next.stock_state.as_str(),
                        ],
                    )
                    .map_err(order_write_error)?;
                if changed != 1 {
                    // cannot happen with one writer, but never report a write that did not land
                    return Err(Error::Stale {
                        current_version: current_version(conn, id)?.unwrap_or(current.version),
                    });
                }
                if items_changed {
                    conn.execute("DELETE FROM order_items WHERE order_id = ?1", [&key])?;
                    save_items(conn, &key, &next.items)?;
                }
                if next.status != current.status {
                    let entry = StatusChange {
                        from: Some(current.status),
                        to: next.status,
                        at: next.updated_at,
                    };
                    append_history(conn, &key, &entry)?;
                    next.status_history.push(entry);
                }
                Ok(next)
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.db
            .write(move |conn| {
                if let Some(order) = load(conn, id)? {
                    check_version(order.version, expected_version)?;
                    stock::refuse_delete(&order)?;
                }
                delete_versioned(
                    conn,
                    "orders",
                    "order",
                    id,
                    expected_version,
                    "other records refer to this order",
                )
            })
            .await
    }

    async fn vat_rates(&self, products: Vec<Uuid>) -> Result<HashMap<Uuid, VatRate>> {
        if products.is_empty() {
            return Ok(HashMap::new());
        }
        self.db
            .read(move |conn| {
                let mut stmt =
                    conn.prepare_cached("SELECT vat_rate FROM products WHERE id = ?1")?;
                let mut rates = HashMap::with_capacity(products.len());
                for id in products {
                    if let Some(rate) = stmt.query_row([id.to_string()], |r| r.get(0)).optional()? {
                        rates.insert(id, rate);
                    }
                }
                Ok(rates)
            })
            .await
    }

    async fn with_serial(&self, serial: String) -> Result<Vec<Order>> {
        self.db
            .snapshot(move |conn| {
                // a scan of the items' serial lists: a lookup a person makes, not a hot path
                let ids: Vec<String> = conn
                    .prepare_cached(
                        "SELECT DISTINCT i.order_id FROM order_items i, json_each(i.serial_numbers) s
                         WHERE s.value = ?1 LIMIT 100",
                    )?
                    .query_map([&serial], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let mut orders = Vec::with_capacity(ids.len());
                for id in ids {
                    let id = parse_uuid(0, &id)?;
                    orders.extend(load(conn, id)?);
                }
                orders.sort_by_key(|o| (o.created_at, o.id));
                Ok(orders)
            })
            .await
    }

    async fn count_for_customer(&self, customer_id: Uuid) -> Result<u64> {
        self.db
            .read(move |conn| {
                let n: i64 = conn.query_row(
                    "SELECT count(*) FROM orders WHERE customer_id = ?1",
                    [customer_id.to_string()],
                    |r| r.get(0),
                )?;
                Ok(u64::try_from(n).unwrap_or(0))
            })
            .await
    }

    async fn events_for_customer(
        &self,
        customer_id: Uuid,
        before: Option<(Timestamp, i64)>,
        limit: u32,
    ) -> Result<Vec<OrderEvent>> {
        self.db
            .read(move |conn| {
                let (at, seq) = before.unzip();
                let mut stmt = conn.prepare_cached(
                    "SELECT h.id, h.order_id, o.order_number, h.from_status, h.to_status, h.at
                     FROM orders AS o JOIN order_status_history AS h ON h.order_id = o.id
                     WHERE o.customer_id = ?1 AND (?2 IS NULL OR (h.at, h.id) < (?2, ?3))
                     ORDER BY h.at DESC, h.id DESC LIMIT ?4",
                )?;
                let rows = stmt.query_map(
                    params![customer_id.to_string(), at, seq, i64::from(limit)],
                    |r| {
                        let order_id: String = r.get(1)?;
                        Ok(OrderEvent {
                            seq: r.get(0)?,
                            order_id: parse_uuid(1, &order_id)?,
                            order_number: r.get(2)?,
                            from: r
                                .get::<_, Option<String>>(3)?
                                .map(|s| parse_enum(3, &s, Status::parse))
                                .transpose()?,
                            to: enum_col(r, 4, Status::parse)?,
                            at: r.get(5)?,
                        })
                    },
                )?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Order>> {
        self.db
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                let mut orders = tx
                    .prepare_cached(&format!(
                        "SELECT {COLUMNS} FROM orders WHERE ?1 IS NULL OR id > ?1 \
                         ORDER BY id LIMIT ?2"
                    ))?
                    .query_map(
                        params![after.map(|a| a.to_string()), i64::from(limit)],
                        from_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for order in &mut orders {
                    load_children(&tx, order)?;
                }
                Ok(orders)
            })
            .await
    }

    async fn put_all(&self, orders: Vec<Order>) -> Result<()> {
        if orders.is_empty() {
            return Ok(());
        }
        self.db
            .write(move |conn| {
                for o in &orders {
                    put_one(conn, o)?;
                }
                Ok(())
            })
            .await
    }
}

/// `search`'s condition: the order number it names (see [`NumberSearch`]) or a customer of
/// `scope`; its arguments are appended to `args`.
fn search_condition(text: &str, scope: &SearchScope, args: &mut Vec<Value>) -> String {
    let mut any = Vec::new();
    match NumberSearch::parse(text) {
        Some(NumberSearch::Seq(seq)) => {
            any.push("order_seq = ?".to_owned());
            args.push(Value::Integer(seq));
        }
        Some(NumberSearch::YearSeq(year, seq)) => {
            any.push("(order_year = ? AND order_seq = ?)".to_owned());
            args.extend([Value::Integer(year.into()), Value::Integer(seq)]);
        }
        None => {}
    }
    if !scope.customers.is_empty() {
        let marks = vec!["?"; scope.customers.len()].join(", ");
        any.push(format!("customer_id IN ({marks})"));
        args.extend(scope.customers.iter().map(|c| Value::Text(c.to_string())));
    }
    if any.is_empty() {
        "0".to_owned()
    } else {
        format!("({})", any.join(" OR "))
    }
}

/// Creates or replaces one order as given (see [`OrderStore::put_all`]).
/// Moves every order of customer `from` to customer `to` inside the caller's transaction
/// `conn` (a customer merge), each with a new version; answers how many moved. `to` must exist
/// (the caller checks it).
pub fn reassign_customer(conn: &Connection, from: Uuid, to: Uuid, now: Timestamp) -> Result<u64> {
    if from == to {
        return Ok(0);
    }
    let n = conn
        .prepare_cached(
            "UPDATE orders SET customer_id = ?2, updated_at = ?3, version = version + 1 \
             WHERE customer_id = ?1",
        )?
        .execute(params![from.to_string(), to.to_string(), now])?;
    Ok(u64::try_from(n).unwrap_or(u64::MAX))
}

fn put_one(conn: &Connection, o: &Order) -> Result<()> {
    let (year, seq) = parse_order_number(&o.order_number).ok_or_else(|| {
        Error::invalid(
            "order_number",
            format!("{:?} is not an ORD-<year>-<NNN> number", o.order_number),
        )
    })?;
    let key = o.id.to_string();
    write_row(conn, o, year, seq, Write::Upsert)?;
    let mut stored = Order {
        items: Vec::new(),
        status_history: Vec::new(),
        ..o.clone()
    };
    load_children(conn, &mut stored)?;
    if stored.items != o.items {
        conn.execute("DELETE FROM order_items WHERE order_id = ?1", [&key])?;
        save_items(conn, &key, &o.items)?;
    }
    let history = &o.status_history;
    if stored.status_history != *history {
        let kept = if history.starts_with(&stored.status_history) {
            stored.status_history.len()
        } else {
            clear_history(conn, &key)?;
            0
        };
        for change in &history[kept..] {
            append_history(conn, &key, change)?;
        }
    }
    conn.prepare_cached(
        "INSERT INTO order_counters (year, last_seq) VALUES (?1, ?2) \
         ON CONFLICT (year) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
    )?
    .execute(params![year, seq])?;
    Ok(())
}

/// Deletes the status history of one order, past the trigger that keeps it append-only:
/// dropped and re-created from its own SQL in the caller's transaction.
fn clear_history(conn: &Connection, order_id: &str) -> Result<()> {
    const TRIGGER: &str = "order_status_history_no_delete";
    let sql: String = conn.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
        [TRIGGER],
        |r| r.get(0),
    )?;
    conn.execute_batch(&format!("DROP TRIGGER {TRIGGER}"))?;
    conn.execute(
        "DELETE FROM order_status_history WHERE order_id = ?1",
        [order_id],
    )?;
    conn.execute_batch(&sql)?;
    Ok(())
}

fn current_version(conn: &Connection, id: Uuid) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT version FROM orders WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

fn no_such_customer() -> Error {
    Error::invalid("customer_id", "no such customer")
}

fn check_customer(conn: &Connection, id: Uuid) -> Result<()> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)")?
        .query_row([id.to_string()], |r| r.get(0))?;
    if exists {
        Ok(())
    } else {
        Err(no_such_customer())
    }
}

/// Checks that every referenced product exists and copies its name into items without one.
fn fill_products(conn: &Connection, items: &mut [Item]) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT name FROM products WHERE id = ?1")?;
    for (i, item) in items.iter_mut().enumerate() {
        let Some(product_id) = item.product_id else {
            continue;
        };
        let name: Option<Option<String>> = stmt
            .query_row([product_id.to_string()], |r| r.get(0))
            .optional()?;
        let Some(name) = name else {
            return Err(Error::invalid(
                format!("items[{i}].product_id"),
                "no such product",
            ));
        };
        if item.product_name.is_none() {
            item.product_name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        }
    }
    Ok(())
}

/// Applies stock moves to the products' counts (see [`crate::stock`]), refusing one that
/// would leave a product short, in the caller's transaction.
fn move_stock(conn: &Connection, moves: &[StockMove], at: Timestamp) -> Result<()> {
    let mut read = conn
        .prepare_cached("SELECT name, stock_on_hand, stock_reserved FROM products WHERE id = ?1")?;
    let mut write = conn.prepare_cached(
        "UPDATE products SET stock_on_hand = ?2, stock_reserved = ?3, version = version + 1,
             updated_at = ?4
         WHERE id = ?1",
    )?;
    for m in moves {
        let key = m.product_id.to_string();
        let Some((name, on_hand, reserved)) = read
            .query_row([&key], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
        else {
            // a line's product is checked by the write itself; nothing to move for it
            continue;
        };
        let next = Stock { on_hand, reserved }.after(m, &name)?;
        write.execute(params![key, next.on_hand, next.reserved, at])?;
    }
    Ok(())
}

/// A failed INSERT or UPDATE of `orders`: its only foreign key is the customer.
fn order_write_error(e: rusqlite::Error) -> Error {
    if is_constraint_violation(&e, "FOREIGN KEY") {
        no_such_customer()
    } else if is_constraint_violation(&e, "orders.order_number")
        || is_constraint_violation(&e, "orders.order_year")
    {
        Error::Conflict {
            message: "the order number is taken".into(),
        }
    } else {
        Error::from(e)
    }
}

fn save_items(conn: &Connection, order_id: &str, items: &[Item]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO order_items (order_id, position, type, product_id, product_name, \
         description, quantity, unit_price, serial_numbers, vat_rate, vat_exemption) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (i, item) in items.iter().enumerate() {
        let serials = serde_json::to_string(&item.serial_numbers).map_err(to_sql_error)?;
        stmt.execute(params![
            order_id,
            i64::try_from(i).unwrap_or(i64::MAX),
            item.kind.as_str(),
            item.product_id.map(|p| p.to_string()),
            item.product_name,
            item.description,
            item.quantity,
            item.unit_price,
            serials,
            item.vat_rate,
            item.vat_exemption,
        ])
        .map_err(|e| {
            if is_constraint_violation(&e, "FOREIGN KEY") {
                Error::invalid(format!("items[{i}].product_id"), "no such product")
            } else {
                Error::from(e)
            }
        })?;
    }
    Ok(())
}

fn append_history(conn: &Connection, order_id: &str, change: &StatusChange) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO order_status_history (order_id, from_status, to_status, at) \
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        order_id,
        change.from.map(Status::as_str),
        change.to.as_str(),
        change.at,
    ])?;
    Ok(())
}

/// How [`write_row`] stores an order's row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Write {
    /// A new order: a taken id is an error.
    Insert,
    /// As given, replacing the row of the same id (copying between stores).
    Upsert,
}

/// The order's row in `orders` (items and history are written apart), numbered `year`/`seq`.
fn write_row(conn: &Connection, o: &Order, year: i32, seq: i64, write: Write) -> Result<()> {
    const UPSERT: &str = " ON CONFLICT (id) DO UPDATE SET order_number = excluded.order_number, \
         customer_id = excluded.customer_id, status = excluded.status, \
         subtotal = excluded.subtotal, discount_type = excluded.discount_type, \
         discount_value = excluded.discount_value, discount_reason = excluded.discount_reason, \
         total_price = excluded.total_price, currency = excluded.currency, \
         shipping = excluded.shipping, payment_status = excluded.payment_status, \
         invoice_path = excluded.invoice_path, notes = excluded.notes, \
         created_at = excluded.created_at, updated_at = excluded.updated_at, \
         version = excluded.version, order_year = excluded.order_year, \
         order_seq = excluded.order_seq, prices_include_vat = excluded.prices_include_vat, \
         stock_state = excluded.stock_state";
    let discount = o.discount.as_ref();
    conn.prepare_cached(&format!(
        "INSERT INTO orders ({COLUMNS}, order_year, order_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, \
         ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21){}",
        if write == Write::Upsert { UPSERT } else { "" }
    ))?
    .execute(params![
        o.id.to_string(),
        o.order_number,
        o.customer_id.to_string(),
        o.status.as_str(),
        o.subtotal,
        discount.map(|d| d.kind.as_str()),
        discount.map(|d| d.value),
        discount.and_then(|d| d.reason.as_deref()),
        o.total_price,
        o.currency,
        shipping_json(&o.shipping)?,
        o.payment_status.as_str(),
        o.invoice_path,
        o.notes,
        o.created_at,
        o.updated_at,
        o.version,
        o.prices_include_vat,
        o.stock_state.as_str(),
        year,
        seq,
    ])
    .map_err(order_write_error)?;
    Ok(())
}

fn shipping_json(s: &Shipping) -> Result<String> {
    serde_json::to_string(s).map_err(|e| Error::from(to_sql_error(e)))
}

fn to_sql_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

fn load(conn: &Connection, id: Uuid) -> Result<Option<Order>> {
    let order = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"))?
        .query_row([id.to_string()], from_row)
        .optional()?;
    match order {
        None => Ok(None),
        Some(mut o) => {
            load_children(conn, &mut o)?;
            Ok(Some(o))
        }
    }
}

/// Reads the items and the status history of `order`.
fn load_children(conn: &Connection, order: &mut Order) -> Result<()> {
    let id = order.id.to_string();
    order.items = conn
        .prepare_cached(
            "SELECT type, product_id, product_name, description, quantity, unit_price, \
             serial_numbers, vat_rate, vat_exemption FROM order_items WHERE order_id = ?1 \
             ORDER BY position",
        )?
        .query_map([&id], item_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    price_stored(order)?;
    order.status_history = conn
        .prepare_cached(
            "SELECT from_status, to_status, at FROM order_status_history \
             WHERE order_id = ?1 ORDER BY id",
        )?
        .query_map([&id], |r| {
            let from: Option<String> = r.get(0)?;
            Ok(StatusChange {
                from: from.map(|s| parse_enum(0, &s, Status::parse)).transpose()?,
                to: enum_col(r, 1, Status::parse)?,
                at: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(())
}

/// An order row without its items and history.
fn from_row(r: &Row<'_>) -> rusqlite::Result<Order> {
    let discount = match r.get::<_, Option<String>>(5)? {
        None => None,
        Some(kind) => Some(Discount {
            kind: parse_enum(5, &kind, DiscountType::parse)?,
            value: r.get(6)?,
            reason: r.get(7)?,
        }),
    };
    let shipping: String = r.get(10)?;
    Ok(Order {
        id: uuid_col(r, 0)?,
        order_number: r.get(1)?,
        customer_id: uuid_col(r, 2)?,
        status: enum_col(r, 3, Status::parse)?,
        status_history: Vec::new(),
        items: Vec::new(),
        prices_include_vat: r.get(17)?,
        subtotal: r.get(4)?,
        discount,
        discount_amount: Money::ZERO,
        vat_breakdown: Vec::new(),
        net_total: Money::ZERO,
        vat_total: Money::ZERO,
        total_price: r.get(8)?,
        currency: r.get(9)?,
        shipping: serde_json::from_str(&shipping)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(10, Type::Text, Box::new(e)))?,
        payment_status: enum_col(r, 11, PaymentStatus::parse)?,
        stock_state: enum_col(r, 18, StockState::parse)?,
        invoice_path: r.get(12)?,
        notes: r.get(13)?,
        created_at: r.get::<_, Timestamp>(14)?,
        updated_at: r.get(15)?,
        version: r.get(16)?,
    })
}

/// An item row; its amounts are computed by [`price_stored`] once all items are read.
fn item_from_row(r: &Row<'_>) -> rusqlite::Result<Item> {
    let product_id: Option<String> = r.get(1)?;
    let serials: String = r.get(6)?;
    Ok(Item {
        kind: enum_col(r, 0, ItemType::parse)?,
        product_id: product_id.map(|s| parse_uuid(1, &s)).transpose()?,
        product_name: r.get(2)?,
        description: r.get(3)?,
        quantity: r.get(4)?,
        unit_price: r.get(5)?,
        vat_rate: r.get(7)?,
        vat_exemption: r.get(8)?,
        line_total: Money::ZERO,
        net_amount: Money::ZERO,
        vat_amount: Money::ZERO,
        serial_numbers: serde_json::from_str(&serials)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(6, Type::Text, Box::new(e)))?,
    })
}

fn uuid_col(r: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    let s: String = r.get(idx)?;
    parse_uuid(idx, &s)
}

fn parse_uuid(idx: usize, s: &str) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn enum_col<T>(r: &Row<'_>, idx: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let s: String = r.get(idx)?;
    parse_enum(idx, &s, parse)
}

fn parse_enum<T>(idx: usize, s: &str, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    parse(s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            Type::Text,
            format!("unknown value `{s}`").into(),
        )
    })
}
