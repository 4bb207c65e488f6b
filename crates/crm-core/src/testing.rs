//! Test and benchmark support for the domain crates (feature `testing`): rows of other
//! contexts' tables without depending on those crates, and latency percentiles.

use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use uuid::Uuid;

/// Inserts a row into another context's table with raw SQL: `id` and `name` as given, every
/// other required column without a default filled with a placeholder of its type, unique
/// per row. Check
/// constraints are suspended for the insert: this stands in for the other crate's
/// validated write, which the calling crate must not depend on.
pub fn insert_row(conn: &Connection, table: &str, id: Uuid, name: &str) -> rusqlite::Result<()> {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let info = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?.to_uppercase(),
            r.get::<_, bool>(3)?,
            r.get::<_, Option<String>>(4)?.is_some(),
        ))
    })?;
    for col in info {
        let (column, ty, not_null, has_default) = col?;
        let value = match column.as_str() {
            "id" => Value::Text(id.to_string()),
            "name" => Value::Text(name.to_owned()),
            "version" => Value::Integer(1),
            c if c.ends_with("_at") => Value::Text("2026-01-01T00:00:00.000000Z".into()),
            _ if !not_null || has_default => continue,
            // unique, for columns such as a unique document number
            _ if ty.contains("INT") => Value::Integer(i64::from(id.as_fields().0)),
            _ if ty.contains("REAL") => Value::Real(0.0),
            c => Value::Text(format!("{c}-{id}")),
        };
        columns.push(column);
        values.push(value);
    }
    let marks = vec!["?"; columns.len()].join(", ");
    conn.execute_batch("PRAGMA ignore_check_constraints = ON")?;
    let result = conn.execute(
        &format!(
            "INSERT INTO {table} ({}) VALUES ({marks})",
            columns.join(", ")
        ),
        params_from_iter(values),
    );
    conn.execute_batch("PRAGMA ignore_check_constraints = OFF")?;
    result.map(|_| ())
}

/// A number from the environment (benchmark sizes), or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `p`-th percentile (nearest rank) of sorted durations; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64)).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds with three decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}
