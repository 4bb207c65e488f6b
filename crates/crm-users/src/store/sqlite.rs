//! [`UserStore`] on the shared SQLite database (table `users`, migrations `01-users`,
//! `10-users-accounts` and `15-user-profiles`).
//!
//! Permissions are a JSON array in a text column; the unique index `users_username` compares
//! names ignoring case. The token generation is an `INTEGER` under 2^53 (a JSON-safe number).

use crm_core::{Db, Timestamp, is_constraint_violation};
use rusqlite::{OptionalExtension, Row, params};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{ADMIN, Change, Credentials, Profile, Standing, User};
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

fn generation(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}

/// The columns of [`USER_COLUMNS`], from `first` on.
fn user(r: &Row<'_>, first: usize) -> rusqlite::Result<User> {
    Ok(User {
        username: r.get(first)?,
        permissions: permissions(&r.get::<_, String>(first + 1)?),
        disabled: r.get(first + 2)?,
        created_at: r.get::<_, Timestamp>(first + 3)?,
        profile: Profile {
            display_name: r.get(first + 4)?,
            extension: r.get(first + 5)?,
            signature: r.get(first + 6)?,
        },
    })
}

const USER_COLUMNS: &str =
    "username, permissions, disabled, created_at, display_name, extension, signature";

/// How many enabled users hold `crm:admin`.
fn enabled_admins(c: &rusqlite::Connection) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT count(*) FROM users WHERE disabled = 0 AND EXISTS
           (SELECT 1 FROM json_each(CASE WHEN json_valid(users.permissions)
                                         THEN users.permissions ELSE '[]' END)
            WHERE value = ?1)",
        [ADMIN],
        |r| r.get(0),
    )
}

/// Runs `f`, refusing (and so rolling back) when it left no enabled administrator where there
/// was one before, if `keep_an_admin`.
fn keeping_an_admin<T>(
    c: &rusqlite::Connection,
    keep_an_admin: bool,
    username: &str,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let before = if keep_an_admin { enabled_admins(c)? } else { 0 };
    let out = f()?;
    if before > 0 && enabled_admins(c)? == 0 {
        return Err(Error::LastAdmin {
            name: username.to_owned(),
        });
    }
    Ok(out)
}

impl UserStore for SqliteUserStore {
    async fn insert(
        &self,
        id: Uuid,
        user: User,
        password_hash: String,
        generation: u64,
    ) -> Result<()> {
        let permissions = serde_json::to_string(&user.permissions).unwrap_or_else(|_| "[]".into());
        let generation = i64::try_from(generation).unwrap_or(0);
        self.db
            .write(move |c| {
                c.execute(
                    "INSERT INTO users (id, username, password_hash, permissions, disabled,
                                        token_generation, created_at, updated_at,
                                        display_name, extension, signature)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10)",
                    params![
                        id.to_string(),
                        user.username,
                        password_hash,
                        permissions,
                        user.disabled,
                        generation,
                        user.created_at,
                        user.profile.display_name,
                        user.profile.extension,
                        user.profile.signature
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
                    &format!(
                        "SELECT password_hash, token_generation, {USER_COLUMNS} FROM users
                         WHERE username = ?1 COLLATE NOCASE"
                    ),
                    [username],
                    |r| {
                        Ok(Credentials {
                            password_hash: r.get(0)?,
                            generation: generation(r.get(1)?),
                            user: user(r, 2)?,
                        })
                    },
                )
                .optional()
                .map_err(Error::from)
            })
            .await
    }

    async fn change(
        &self,
        username: String,
        changes: Vec<Change>,
        now: Timestamp,
        keep_an_admin: bool,
    ) -> Result<Option<User>> {
        self.db
            .write(move |c| {
                keeping_an_admin(c, keep_an_admin, &username, || {
                    for change in changes {
                        let (set, value): (&str, rusqlite::types::Value) = match change {
                            Change::Disabled(true) => (
                                "disabled = ?3, token_generation = token_generation + 1",
                                1.into(),
                            ),
                            Change::Disabled(false) => ("disabled = ?3", 0.into()),
                            Change::PasswordHash(hash) => (
                                "password_hash = ?3, token_generation = token_generation + 1",
                                hash.into(),
                            ),
                            Change::Permissions(p) => (
                                "permissions = ?3,
                                 token_generation = token_generation + (permissions IS NOT ?3)",
                                serde_json::to_string(&p)
                                    .unwrap_or_else(|_| "[]".into())
                                    .into(),
                            ),
                            Change::DisplayName(v) => ("display_name = ?3", v.into()),
                            Change::Extension(v) => ("extension = ?3", v.into()),
                            Change::Signature(v) => ("signature = ?3", v.into()),
                        };
                        let n = c.execute(
                            &format!(
                                "UPDATE users SET {set}, updated_at = ?2, version = version + 1
                                 WHERE username = ?1 COLLATE NOCASE"
                            ),
                            params![username, now, value],
                        )?;
                        if n == 0 {
                            return Ok(None);
                        }
                    }
                    c.query_row(
                        &format!(
                            "SELECT {USER_COLUMNS} FROM users WHERE username = ?1 COLLATE NOCASE"
                        ),
                        [&username],
                        |r| user(r, 0),
                    )
                    .optional()
                    .map_err(Error::from)
                })
            })
            .await
    }

    async fn remove(&self, username: String, keep_an_admin: bool) -> Result<bool> {
        self.db
            .write(move |c| {
                keeping_an_admin(c, keep_an_admin, &username, || {
                    c.execute(
                        "DELETE FROM users WHERE username = ?1 COLLATE NOCASE",
                        [&username],
                    )
                    .map(|n| n > 0)
                    .map_err(Error::from)
                })
            })
            .await
    }

    async fn standing(&self, username: String) -> Result<Option<Standing>> {
        self.db
            .read(move |c| {
                c.query_row(
                    "SELECT token_generation, disabled FROM users
                     WHERE username = ?1 COLLATE NOCASE",
                    [username],
                    |r| {
                        Ok(Standing {
                            generation: generation(r.get(0)?),
                            disabled: r.get(1)?,
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
                let mut stmt = c.prepare(&format!(
                    "SELECT {USER_COLUMNS} FROM users ORDER BY username"
                ))?;
                let rows = stmt.query_map([], |r| user(r, 0))?;
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
