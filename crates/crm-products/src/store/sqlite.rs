//! [`ProductStore`] on the shared SQLite database (table `products`, migration
//! `02-products`).
//!
//! Costs are a JSON text column (never queried); stock counts are real columns so that other
//! contexts (orders reserving stock) can update them in SQL. `name_key` and `sku_key` hold the
//! folded name (search, order) and the lower-case SKU (unique index `products_sku_key`).

use crm_core::store::{check_version, delete_versioned};
use crm_core::{Db, Timestamp, is_constraint_violation};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, Type, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};
use uuid::Uuid;

use crate::error::{Error, Result, not_found};
use crate::model::{
    Category, Costs, ListQuery, Page, PartUse, Product, Sku, Stock, part_totals, search_fold,
    shortage,
};
use crate::store::{Change, ProductStore};

const COLUMNS: &str = "id, name, sku, category, description, price, currency, costs, \
     stock_on_hand, stock_reserved, nextcloud_folder, linked_device_type, active, \
     created_at, updated_at, version, vat_rate, warranty_months";

/// The filters of a list; `?1` category, `?2` active, `?3` name pattern, `?4` SKU pattern.
const FILTER: &str = "WHERE (?1 IS NULL OR category = ?1) \
     AND (?2 IS NULL OR active = ?2) \
     AND (?3 IS NULL OR name_key LIKE ?3 ESCAPE '\\' OR sku_key LIKE ?4 ESCAPE '\\')";

/// Products in the CRM's SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteProductStore {
    db: Db,
}

impl SqliteProductStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

impl ProductStore for SqliteProductStore {
    async fn list(&self, query: ListQuery) -> Result<Page<Product>> {
        self.db
            .read(move |conn| {
                // one snapshot for the count and the page
                let tx = conn.unchecked_transaction()?;
                let search = query
                    .search
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty());
                let name_pattern = search.map(|s| like_contains(&search_fold(s)));
                let sku_pattern = search.map(|s| like_contains(&s.to_lowercase()));
                let category = query.category.map(Category::as_str);
                let total: i64 = tx.query_row(
                    &format!("SELECT count(*) FROM products {FILTER}"),
                    params![category, query.active, name_pattern, sku_pattern],
                    |r| r.get(0),
                )?;
                let mut stmt = tx.prepare(&format!(
                    "SELECT {COLUMNS} FROM products {FILTER} \
                     ORDER BY name_key, name, id LIMIT ?5 OFFSET ?6"
                ))?;
                let items = stmt
                    .query_map(
                        params![
                            category,
                            query.active,
                            name_pattern,
                            sku_pattern,
                            query.effective_limit(),
                            query.effective_offset()
                        ],
                        from_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(Page {
                    items,
                    total: u64::try_from(total).unwrap_or(0),
                })
            })
            .await
    }

    async fn get(&self, id: Uuid) -> Result<Product> {
        self.db
            .point(move |conn| load(conn, id)?.ok_or_else(|| not_found(id)))
            .await
    }

    async fn insert(&self, product: Product) -> Result<()> {
        self.db
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "INSERT INTO products ({COLUMNS}, name_key, sku_key) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
                         ?15, ?16, ?17, ?18, ?19, ?20)"
                    ),
                    params![
                        product.id.to_string(),
                        product.name,
                        product.sku,
                        product.category,
                        product.description,
                        product.price,
                        product.currency,
                        costs_json(&product.costs)?,
                        product.stock.on_hand,
                        product.stock.reserved,
                        product.nextcloud_folder,
                        product.linked_device_type,
                        product.active,
                        product.created_at,
                        product.updated_at,
                        product.version,
                        product.vat_rate,
                        product.warranty_months,
                        search_fold(&product.name),
                        product.sku.key(),
                    ],
                )
                .map_err(|e| write_error(e, &product.sku))?;
                Ok(())
            })
            .await
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
        self.db
            .write(move |conn| {
                let current = load(conn, id)?.ok_or_else(|| not_found(id))?;
                check_version(current.version, expected_version)?;
                let mut next = match change(&current)? {
                    Change::Unchanged => return Ok(current),
                    Change::Save(next) => *next,
                };
                next.id = current.id;
                next.created_at = current.created_at;
                next.version = current.version + 1;
                let changed = conn
                    .execute(
                        "UPDATE products SET name = ?3, sku = ?4, category = ?5, \
                         description = ?6, price = ?7, currency = ?8, costs = ?9, \
                         stock_on_hand = ?10, stock_reserved = ?11, nextcloud_folder = ?12, \
                         linked_device_type = ?13, active = ?14, updated_at = ?15, \
                         version = ?16, name_key = ?17, sku_key = ?18, vat_rate = ?19, \
                         warranty_months = ?20 \
                         WHERE id = ?1 AND version = ?2",
                        params![
                            id.to_string(),
                            current.version,
                            next.name,
                            next.sku,
                            next.category,
                            next.description,
                            next.price,
                            next.currency,
                            costs_json(&next.costs)?,
                            next.stock.on_hand,
                            next.stock.reserved,
                            next.nextcloud_folder,
                            next.linked_device_type,
                            next.active,
                            next.updated_at,
                            next.version,
                            search_fold(&next.name),
                            next.sku.key(),
                            next.vat_rate,
                            next.warranty_months,
                        ],
                    )
                    .map_err(|e| write_error(e, &next.sku))?;
                if changed == 1 {
                    Ok(next)
                } else {
                    // cannot happen with one writer, but never report a write that did not land
                    Err(Error::Stale {
                        current_version: current_version(conn, id)?.unwrap_or(current.version),
                    })
                }
            })
            .await
    }

    async fn delete(&self, id: Uuid, expected_version: Option<i64>) -> Result<()> {
        self.db
            .write(move |conn| {
                delete_versioned(
                    conn,
                    "products",
                    "product",
                    id,
                    expected_version,
                    "product is referenced by orders",
                )
            })
            .await
    }

    async fn scan(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<Product>> {
        self.db
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM products WHERE ?1 IS NULL OR id > ?1 \
                     ORDER BY id LIMIT ?2"
                ))?;
                let rows = stmt
                    .query_map(params![after.map(|a| a.to_string()), limit], from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    async fn put_all(&self, records: Vec<Product>) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        self.db
            .write(move |conn| {
                // an upsert, not INSERT OR REPLACE: a replace deletes the row first, which
                // the orders' foreign keys would refuse (or follow)
                let mut stmt = conn.prepare_cached(&format!(
                    "INSERT INTO products ({COLUMNS}, name_key, sku_key) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
                     ?15, ?16, ?17, ?18, ?19, ?20) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                     sku = excluded.sku, category = excluded.category, \
                     description = excluded.description, price = excluded.price, \
                     currency = excluded.currency, costs = excluded.costs, \
                     stock_on_hand = excluded.stock_on_hand, \
                     stock_reserved = excluded.stock_reserved, \
                     nextcloud_folder = excluded.nextcloud_folder, \
                     linked_device_type = excluded.linked_device_type, \
                     active = excluded.active, created_at = excluded.created_at, \
                     updated_at = excluded.updated_at, version = excluded.version, \
                     vat_rate = excluded.vat_rate, warranty_months = excluded.warranty_months, \
                     name_key = excluded.name_key, sku_key = excluded.sku_key"
                ))?;
                for p in &records {
                    stmt.execute(params![
                        p.id.to_string(),
                        p.name,
                        p.sku,
                        p.category,
                        p.description,
                        p.price,
                        p.currency,
                        costs_json(&p.costs)?,
                        p.stock.on_hand,
                        p.stock.reserved,
                        p.nextcloud_folder,
                        p.linked_device_type,
                        p.active,
                        p.created_at,
                        p.updated_at,
                        p.version,
                        p.vat_rate,
                        p.warranty_months,
                        search_fold(&p.name),
                        p.sku.key(),
                    ])
                    .map_err(|e| write_error(e, &p.sku))?;
                }
                Ok(())
            })
            .await
    }

    async fn take_parts(
        &self,
        key: String,
        parts: Vec<PartUse>,
        use_reserved: bool,
        at: Timestamp,
    ) -> Result<bool> {
        self.db
            .write(move |conn| {
                let taken = conn
                    .prepare_cached(
                        "INSERT INTO product_stock_takes (key, parts, taken_at) \
                         VALUES (?1, ?2, ?3) ON CONFLICT (key) DO NOTHING",
                    )?
                    .execute(params![key, serde_json::to_string(&parts)?, at])?;
                if taken == 0 {
                    return Ok(false);
                }
                take_parts_in(conn, &parts, use_reserved, at)?;
                Ok(true)
            })
            .await
    }

    async fn return_parts(&self, key: String, at: Timestamp) -> Result<bool> {
        self.db
            .write(move |conn| {
                let parts: Option<String> = conn
                    .prepare_cached(
                        "DELETE FROM product_stock_takes WHERE key = ?1 RETURNING parts",
                    )?
                    .query_row([&key], |r| r.get(0))
                    .optional()?;
                let Some(parts) = parts else {
                    return Ok(false);
                };
                let parts: Vec<PartUse> = serde_json::from_str(&parts)?;
                for (id, quantity, _) in part_totals(&parts)? {
                    conn.prepare_cached(
                        "UPDATE products SET stock_on_hand = stock_on_hand + ?2, \
                         version = version + 1, updated_at = ?3 WHERE id = ?1",
                    )?
                    .execute(params![id.to_string(), quantity, at])?;
                }
                Ok(true)
            })
            .await
    }
}

/// Takes `parts` out of the products' stock inside the caller's transaction `conn` — the
/// rule of [`ProductStore::take_parts`] without remembering the movement: a visit completed
/// in the same database takes its parts in the visit's own write.
pub fn take_parts_in(
    conn: &Connection,
    parts: &[PartUse],
    use_reserved: bool,
    at: Timestamp,
) -> Result<()> {
    for (id, quantity, i) in part_totals(parts)? {
        let key = id.to_string();
        let row: Option<(String, i64, i64)> = conn
            .prepare_cached(
                "SELECT name, stock_on_hand, stock_reserved FROM products WHERE id = ?1",
            )?
            .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((name, on_hand, reserved)) = row else {
            return Err(Error::invalid(
                format!("parts[{i}].product_id"),
                "no such product",
            ));
        };
        let now = Stock {
            on_hand,
            reserved,
            available: on_hand - reserved,
        };
        let next = now
            .take(quantity, use_reserved)
            .map_err(|why| shortage(&name, id, &why))?;
        conn.prepare_cached(
            "UPDATE products SET stock_on_hand = ?2, stock_reserved = ?3, \
             version = version + 1, updated_at = ?4 WHERE id = ?1",
        )?
        .execute(params![key, next.on_hand, next.reserved, at])?;
    }
    Ok(())
}

fn load(conn: &Connection, id: Uuid) -> Result<Option<Product>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM products WHERE id = ?1"),
            [id.to_string()],
            from_row,
        )
        .optional()?)
}

fn current_version(conn: &Connection, id: Uuid) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT version FROM products WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

/// A duplicate SKU is a conflict naming it; anything else is a database failure.
fn write_error(e: rusqlite::Error, sku: &Sku) -> Error {
    if is_constraint_violation(&e, "products.sku_key") {
        Error::Conflict {
            message: format!("a product with sku `{sku}` already exists"),
        }
    } else {
        Error::from(e)
    }
}

fn costs_json(costs: &Costs) -> rusqlite::Result<String> {
    serde_json::to_string(costs).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// A LIKE pattern matching `s` anywhere, with `\`, `%` and `_` in `s` matching themselves.
fn like_contains(s: &str) -> String {
    let mut p = String::with_capacity(s.len() + 2);
    p.push('%');
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    let id: String = row.get("id")?;
    let id = Uuid::parse_str(&id)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(e)))?;
    let costs: String = row.get("costs")?;
    let costs = serde_json::from_str::<Costs>(&costs)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, Type::Text, Box::new(e)))?
        .recomputed()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, Type::Text, Box::new(e)))?;
    let on_hand: i64 = row.get("stock_on_hand")?;
    let reserved: i64 = row.get("stock_reserved")?;
    Ok(Product {
        id,
        name: row.get("name")?,
        sku: row.get("sku")?,
        category: row.get("category")?,
        description: row.get("description")?,
        price: row.get("price")?,
        currency: row.get("currency")?,
        vat_rate: row.get("vat_rate")?,
        warranty_months: row.get("warranty_months")?,
        costs,
        stock: Stock {
            on_hand,
            reserved,
            available: on_hand.saturating_sub(reserved),
        },
        nextcloud_folder: row.get("nextcloud_folder")?,
        linked_device_type: row.get("linked_device_type")?,
        active: row.get("active")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

impl ToSql for Category {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Category {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        Category::parse(s)
            .ok_or_else(|| FromSqlError::Other(format!("unknown category `{s}`").into()))
    }
}

impl ToSql for Sku {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Sku {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Sku::parse(value.as_str()?).map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crm_core::{FixedClock, Timestamp};

    use super::*;
    use crate::model::NewProduct;
    use crate::service::{Products, Service};

    fn setup() -> (tempfile::TempDir, Service<SqliteProductStore>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        let clock = FixedClock::new(Timestamp::parse("2026-03-01T10:00:00Z").unwrap());
        (
            dir,
            Service::new(SqliteProductStore::new(db), Arc::new(clock)),
        )
    }

    async fn exec(svc: &Service<SqliteProductStore>, sql: &'static str, id: Uuid) {
        svc.store()
            .db()
            .write(move |c| {
                c.execute(sql, [id.to_string()])?;
                Ok::<_, Error>(())
            })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn delete_of_a_product_referenced_by_a_foreign_key_is_in_use_and_keeps_it() {
        let (_dir, svc) = setup();
        let p = svc
            .create(NewProduct::new("VESPER", "V-1", Category::Controller))
            .await
            .unwrap();
        svc.store()
            .db()
            .write(|c| {
                c.execute_batch(
                    "CREATE TABLE test_order_items (
                         id INTEGER PRIMARY KEY,
                         product_id TEXT NOT NULL REFERENCES products(id)
                     ) STRICT",
                )?;
                Ok::<_, Error>(())
            })
            .await
            .unwrap();
        exec(
            &svc,
            "INSERT INTO test_order_items (product_id) VALUES (?1)",
            p.id,
        )
        .await;

        match svc.delete(p.id, Some(p.version)).await {
            Err(Error::InUse { message }) => assert_eq!(message, "product is referenced by orders"),
            other => panic!("expected InUse, got {other:?}"),
        }
        assert_eq!(svc.get(p.id).await.unwrap(), p);

        exec(
            &svc,
            "DELETE FROM test_order_items WHERE product_id = ?1",
            p.id,
        )
        .await;
        svc.delete(p.id, Some(p.version)).await.unwrap();
        assert!(matches!(svc.get(p.id).await, Err(Error::NotFound { .. })));
    }

    #[tokio::test]
    async fn rows_are_readable_and_keys_are_stored() {
        let (_dir, svc) = setup();
        let p = svc
            .create(NewProduct::new("Ρολόι Πύργου", "Clk-1", Category::Clock))
            .await
            .unwrap();
        let id = p.id.to_string();
        let (name_key, sku_key, category): (String, String, String) = svc
            .store()
            .db()
            .read(move |c| {
                c.query_row(
                    "SELECT name_key, sku_key, category FROM products WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .map_err(Error::from)
            })
            .await
            .unwrap();
        assert_eq!(name_key, "ρολοι πυργου");
        assert_eq!(sku_key, "clk-1");
        assert_eq!(category, "clock");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_contains("a%b_c\\"), "%a\\%b\\_c\\\\%");
        assert_eq!(like_contains(""), "%%");
    }
}
