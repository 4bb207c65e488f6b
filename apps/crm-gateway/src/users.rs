//! Local users of standalone deployments: argon2id password hashes in the `users` table.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use crm_core::{Clock, Db, DbError, Timestamp};
use rusqlite::{OptionalExtension, params};
use std::sync::{Arc, OnceLock};

use crate::auth::KNOWN_PERMISSIONS;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("a user named `{0}` already exists")]
    Exists(String),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl From<rusqlite::Error> for UserError {
    fn from(e: rusqlite::Error) -> Self {
        UserError::Db(e.into())
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub permissions: Vec<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Users {
    db: Db,
    clock: Arc<dyn Clock>,
}

/// A hash to verify against when the user does not exist, so that a wrong user name takes as
/// long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password").unwrap_or_default())
}

fn hash_password(password: &str) -> Result<String, UserError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn validate_username(name: &str) -> Result<&str, UserError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(UserError::Invalid {
            field: "username",
            reason: "must be 1 to 64 characters".into(),
        });
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UserError::Invalid {
            field: "username",
            reason: "must not contain spaces or control characters".into(),
        });
    }
    Ok(name)
}

impl Users {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    pub async fn add(
        &self,
        username: &str,
        password: &str,
        permissions: &[String],
    ) -> Result<User, UserError> {
        let username = validate_username(username)?.to_owned();
        if password.chars().count() < 8 {
            return Err(UserError::Invalid {
                field: "password",
                reason: "must be at least 8 characters".into(),
            });
        }
        if let Some(unknown) = permissions
            .iter()
            .find(|p| !KNOWN_PERMISSIONS.contains(&p.as_str()))
        {
            return Err(UserError::Invalid {
                field: "permissions",
                reason: format!(
                    "unknown permission `{unknown}` (known: {})",
                    KNOWN_PERMISSIONS.join(", ")
                ),
            });
        }
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| UserError::Hash(e.to_string()))??;
        let now = self.clock.now();
        let permissions = permissions.to_vec();
        let perms_json = serde_json::to_string(&permissions).unwrap_or_else(|_| "[]".into());
        let name = username.clone();
        self.db
            .write(move |c| {
                c.execute(
                    "INSERT INTO users (id, username, password_hash, permissions, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    params![uuid::Uuid::new_v4().to_string(), name, hash, perms_json, now],
                )
                .map_err(|e| {
                    if crm_core::is_constraint_violation(&e, "users.username") {
                        UserError::Exists(name.clone())
                    } else {
                        e.into()
                    }
                })
            })
            .await?;
        Ok(User {
            username,
            permissions,
            created_at: now,
        })
    }

    /// The user's permissions if the password is right; `None` otherwise.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<User>, UserError> {
        let name = username.trim().to_owned();
        let row = self
            .db
            .read(move |c| {
                c.query_row(
                    "SELECT username, password_hash, permissions, created_at FROM users
                     WHERE username = ?1 COLLATE NOCASE",
                    [name],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, Timestamp>(3)?,
                        ))
                    },
                )
                .optional()
                .map_err(UserError::from)
            })
            .await?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || match row {
            Some((username, hash, perms, created_at)) if verify_password(&password, &hash) => {
                Some(User {
                    username,
                    permissions: serde_json::from_str(&perms).unwrap_or_default(),
                    created_at,
                })
            }
            Some(_) => None,
            None => {
                verify_password(&password, decoy_hash());
                None
            }
        })
        .await
        .map_err(|e| UserError::Hash(e.to_string()))
    }

    pub async fn list(&self) -> Result<Vec<User>, UserError> {
        self.db
            .read(|c| {
                let mut stmt = c.prepare(
                    "SELECT username, permissions, created_at FROM users ORDER BY username",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok(User {
                        username: r.get(0)?,
                        permissions: serde_json::from_str(&r.get::<_, String>(1)?)
                            .unwrap_or_default(),
                        created_at: r.get(2)?,
                    })
                })?;
                rows.collect::<Result<Vec<_>, _>>().map_err(UserError::from)
            })
            .await
    }

    pub async fn count(&self) -> Result<u64, UserError> {
        self.db
            .read(|c| {
                c.query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0))
                    .map(|n| n.max(0) as u64)
                    .map_err(UserError::from)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> (tempfile::TempDir, Users) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        (dir, Users::new(db, Arc::new(crm_core::SystemClock)))
    }

    #[tokio::test]
    async fn add_then_authenticate() {
        let (_d, u) = users();
        u.add("maria", "correct horse", &["crm:view".into()])
            .await
            .unwrap();
        let ok = u
            .authenticate("Maria", "correct horse")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ok.permissions, vec!["crm:view"]);
        assert!(
            u.authenticate("maria", "wrong pass")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            u.authenticate("nobody", "correct horse")
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn duplicate_names_and_bad_input_are_refused() {
        let (_d, u) = users();
        u.add("maria", "correct horse", &[]).await.unwrap();
        assert!(matches!(
            u.add("MARIA", "another password", &[]).await,
            Err(UserError::Exists(_))
        ));
        assert!(matches!(
            u.add("nikos", "short", &[]).await,
            Err(UserError::Invalid {
                field: "password",
                ..
            })
        ));
        assert!(matches!(
            u.add("nikos", "long enough", &["crm:root".into()]).await,
            Err(UserError::Invalid {
                field: "permissions",
                ..
            })
        ));
        assert!(matches!(
            u.add("two words", "long enough", &[]).await,
            Err(UserError::Invalid {
                field: "username",
                ..
            })
        ));
    }

    #[tokio::test]
    async fn stored_hash_is_argon2_not_the_password() {
        let (_d, u) = users();
        u.add("maria", "correct horse", &[]).await.unwrap();
        let hash: String =
            u.db.read(|c| {
                c.query_row("SELECT password_hash FROM users", [], |r| r.get(0))
                    .map_err(UserError::from)
            })
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
    }
}
