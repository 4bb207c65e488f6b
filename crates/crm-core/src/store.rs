//! What every SQLite store does the same way: optimistic version checks, and deletes that
//! other records can refuse.

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::db::is_constraint_violation;
use crate::error::{Error, Result};

/// `Stale` when the caller expected a version (`If-Match`) other than `current`.
pub fn check_version(current: i64, expected: Option<i64>) -> Result<()> {
    match expected {
        Some(v) if v != current => Err(Error::Stale {
            current_version: current,
        }),
        _ => Ok(()),
    }
}

/// Deletes the row `id` of `table` after checking that it exists (`NotFound` on `what`) and
/// is at the `expected` version (`Stale`). A row that others still refer to (a FOREIGN KEY
/// failure) is `InUse` with the message `in_use` and stays.
pub fn delete_versioned(
    conn: &Connection,
    table: &str,
    what: &'static str,
    id: Uuid,
    expected: Option<i64>,
    in_use: &str,
) -> Result<()> {
    let version: i64 = conn
        .prepare_cached(&format!("SELECT version FROM {table} WHERE id = ?1"))?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound { what, id })?;
    check_version(version, expected)?;
    conn.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?
        .execute([id.to_string()])
        .map_err(|e| {
            if is_constraint_violation(&e, "FOREIGN KEY") {
                Error::InUse {
                    message: in_use.to_owned(),
                }
            } else {
                Error::from(e)
            }
        })?;
    Ok(())
}

/// `$self.$method(args…).await` on whichever store an `Any…Store` enum holds — its variants
/// `Sqlite` and `Firestore` — for the delegating implementations of the store traits.
#[macro_export]
macro_rules! delegate {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        match $self {
            Self::Sqlite(s) => s.$method($($arg),*).await,
            Self::Firestore(s) => s.$method($($arg),*).await,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE parents (id TEXT PRIMARY KEY, version INTEGER NOT NULL);
             CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parents(id));",
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_version_is_checked_only_when_expected() {
        assert!(check_version(3, None).is_ok());
        assert!(check_version(3, Some(3)).is_ok());
        assert!(matches!(
            check_version(3, Some(2)),
            Err(Error::Stale { current_version: 3 })
        ));
    }

    #[test]
    fn a_delete_checks_existence_version_and_references() {
        let conn = db();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        for id in [a, b] {
            conn.execute("INSERT INTO parents VALUES (?1, 2)", [id.to_string()])
                .unwrap();
        }
        conn.execute("INSERT INTO children VALUES ('c', ?1)", [b.to_string()])
            .unwrap();
        let delete =
            |id, expected| delete_versioned(&conn, "parents", "parent", id, expected, "in use");

        assert!(matches!(
            delete(Uuid::from_u128(9), None),
            Err(Error::NotFound { what: "parent", .. })
        ));
        assert!(matches!(
            delete(a, Some(1)),
            Err(Error::Stale { current_version: 2 })
        ));
        match delete(b, None) {
            Err(Error::InUse { message }) => assert_eq!(message, "in use"),
            other => panic!("{other:?}"),
        }
        delete(a, Some(2)).unwrap();
        assert!(matches!(delete(a, None), Err(Error::NotFound { .. })));
    }
}
