//! [`UserStore`] on the shared SQLite database (table `users`, migration `01-users`).
//!
//! Permissions are a JSON array in a text column; the unique index `users_username` compares
//! names ignoring case.

use crm_core::{Db, Timestamp, is_constraint_violation};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{Credentials, User};
use crate::store::UserStore;

/// Users in the CRM's SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteUserStore {
    db: Db,
}

impl SqliteUserStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// The stored JSON array, or no permission at all when it cannot be read.
fn permissions(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl UserStore for SqliteUserStore {
    async fn insert(&self, id: Uuid, user: User, password_hash: String) -> Result<()> {
        let permissions = serde_json::to_string(&user.permissions).unwrap_or_else(|_| "[]".into());
        self.db
            .write(move |c| {
                c.execute(
                    "INSERT INTO users (id, username, password_hash, permissions, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    params![
                        id.to_string(),
                        user.username,
                        password_hash,
                        permissions,
                        user.created_at
                    ],
                )
                .map_err(|e| {
                    if is_constraint_violation(&e, "users.username") {
                        Error::Conflict {
                            name: user.username.clone(),
                        }
                    } else {
                        e.into()
                    }
                })?;
                Ok(())
            })
            .await
    }

    async fn credentials(&self, username: String) -> Result<Option<Credentials>> {
        self.db
            .read(move |c| {
                c.query_row(
                    "SELECT username, password_hash, permissions, created_at FROM users
                     WHERE username = ?1 COLLATE NOCASE",
                    [username],
                    |r| {
                        Ok(Credentials {
                            user: User {
                                username: r.get(0)?,
                                permissions: permissions(&r.get::<_, String>(2)?),
                                created_at: r.get::<_, Timestamp>(3)?,
                            },
                            password_hash: r.get(1)?,
                        })
                    },
                )
                .optional()
                .map_err(Error::from)
            })
            .await
    }

    async fn list(&self) -> Result<Vec<User>> {
        self.db
            .read(|c| {
                let mut stmt = c.prepare(
                    "SELECT username, permissions, created_at FROM users ORDER BY username",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok(User {
                        username: r.get(0)?,
                        permissions: permissions(&r.get::<_, String>(1)?),
                        created_at: r.get(2)?,
                    })
                })?;
                rows.collect::<Result<Vec<_>, _>>().map_err(Error::from)
            })
            .await
    }

    async fn count(&self) -> Result<u64> {
        self.db
            .read(|c| {
                c.query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0))
                    .map(|n| n.max(0) as u64)
                    .map_err(Error::from)
            })
            .await
    }
}
