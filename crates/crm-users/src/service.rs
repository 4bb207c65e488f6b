//! The users service: the public trait the gateway calls and its implementation over any
//! [`UserStore`]. Passwords are hashed with argon2id (default parameters) off the async
//! workers.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use crm_core::Clock;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{User, validate_password, validate_permissions, validate_username};
use crate::store::UserStore;

/// Everything that can be done with local users.
pub trait Users: Send + Sync {
    /// Creates a user. A bad name, a password under 8 characters or an unknown permission is
    /// `Error::Invalid`; a name already taken (ignoring case) is `Error::Conflict`.
    fn add(
        &self,
        username: &str,
        password: &str,
        permissions: &[String],
    ) -> impl Future<Output = Result<User>> + Send;

    /// The user if the password is right; `None` otherwise (a wrong name takes as long to
    /// refuse as a wrong password).
    fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Every user, ordered by name.
    fn list(&self) -> impl Future<Output = Result<Vec<User>>> + Send;

    /// How many users there are.
    fn count(&self) -> impl Future<Output = Result<u64>> + Send;
}

/// [`Users`] over a store, with time from an injected clock.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: UserStore> Service<S> {
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: UserStore> Users for Service<S> {
    async fn add(&self, username: &str, password: &str, permissions: &[String]) -> Result<User> {
        let username = validate_username(username)?.to_owned();
        validate_password(password)?;
        validate_permissions(permissions)?;
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| Error::Hash(e.to_string()))??;
        let user = User {
            username,
            permissions: permissions.to_vec(),
            created_at: self.clock.now(),
        };
        self.store
            .insert(Uuid::new_v4(), user.clone(), hash)
            .await?;
        Ok(user)
    }

    async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>> {
        let found = self.store.credentials(username.trim().to_owned()).await?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || match found {
            Some(c) if verify_password(&password, &c.password_hash) => Some(c.user),
            Some(_) => None,
            None => {
                verify_password(&password, decoy_hash());
                None
            }
        })
        .await
        .map_err(|e| Error::Hash(e.to_string()))
    }

    async fn list(&self) -> Result<Vec<User>> {
        self.store.list().await
    }

    async fn count(&self) -> Result<u64> {
        self.store.count().await
    }
}

/// A hash to verify against when the user does not exist, so that a wrong user name takes as
/// long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password").unwrap_or_default())
}

fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Hash(e.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteUserStore;
    use crm_core::Db;

    fn users() -> (tempfile::TempDir, Service<SqliteUserStore>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        (
            dir,
            Service::new(SqliteUserStore::new(db), Arc::new(crm_core::SystemClock)),
        )
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
            Err(Error::Conflict { .. })
        ));
        assert!(matches!(
            u.add("nikos", "short", &[]).await,
            Err(Error::Invalid {
                field: "password",
                ..
            })
        ));
        assert!(matches!(
            u.add("nikos", "long enough", &["crm:root".into()]).await,
            Err(Error::Invalid {
                field: "permissions",
                ..
            })
        ));
        assert!(matches!(
            u.add("two words", "long enough", &[]).await,
            Err(Error::Invalid {
                field: "username",
                ..
            })
        ));
    }

    #[tokio::test]
    async fn stored_hash_is_argon2_not_the_password() {
        let (_d, u) = users();
        u.add("maria", "correct horse", &[]).await.unwrap();
        let hash: String = u
            .store()
            .db()
            .read(|c| {
                c.query_row("SELECT password_hash FROM users", [], |r| r.get(0))
                    .map_err(Error::from)
            })
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
    }

    #[tokio::test]
    async fn listed_by_name_and_counted() {
        let (_d, u) = users();
        u.add("nikos", "long enough", &["crm:edit".into()])
            .await
            .unwrap();
        u.add("maria", "correct horse", &[]).await.unwrap();
        let names: Vec<String> = u
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["maria", "nikos"]);
        assert_eq!(u.count().await.unwrap(), 2);
    }
}
