//! The users service: the public trait the gateway calls and its implementation over any
//! [`UserStore`]. Passwords are hashed with argon2id (default parameters) on a bounded
//! [`HashPool`] off the async workers; whether a user's tokens are still good
//! ([`Users::standing`]) is cached for [`STANDING_TTL`] and forgotten at once when the service
//! changes a user.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use crm_core::{Clock, Timestamp};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::hashing::{HashPool, decoy_hash, hash_password, verify_password};
use crate::model::{
    ADMIN, Authenticated, Change, Profile, Standing, Update, User, validate_password,
    validate_permissions, validate_username,
};
use crate::store::UserStore;

/// How long [`Users::standing`] trusts what it read. Changes made through this service are
/// seen at once; changes made by another process on the same database (`crm user disable`
/// while the server runs) within this time.
pub const STANDING_TTL: time::Duration = time::Duration::seconds(1);

/// At most this many names are remembered by [`Users::standing`]; past it the cache starts
/// over. Only names of validly signed tokens reach it.
const STANDING_CAPACITY: usize = 4096;

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

    /// Creates a user with a profile (validated: `Error::Invalid` names the field).
    fn add_with_profile(
        &self,
        username: &str,
        password: &str,
        permissions: &[String],
        profile: Profile,
    ) -> impl Future<Output = Result<User>> + Send;

    /// The user named `username` (ignoring case), if there is one.
    fn get(&self, username: &str) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Changes a user, all of `update` or none of it. When `by` names the administrator
    /// asking: they cannot disable themselves or take `crm:admin` from themselves
    /// (`Error::Invalid` on `disabled` / `permissions`), and no change may leave the users
    /// without an enabled administrator (`Error::LastAdmin`). Without `by` (the `crm user`
    /// command, the way back in) neither rule applies. Disabling, and changing the
    /// permissions, end the user's sessions.
    fn update(
        &self,
        username: &str,
        update: Update,
        by: Option<&str>,
    ) -> impl Future<Output = Result<User>> + Send;

    /// Deletes the user as the administrator `by` asks: not themselves (`Error::Invalid` on
    /// `username`), not the last enabled administrator (`Error::LastAdmin`).
    fn remove_by(&self, username: &str, by: &str) -> impl Future<Output = Result<()>> + Send;

    /// The user and its token generation if the password is right and the account enabled;
    /// `None` otherwise (a wrong name or a disabled account takes as long to refuse as a
    /// wrong password). `Error::Busy` when the password pool is full.
    fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> impl Future<Output = Result<Option<Authenticated>>> + Send;

    /// Disables the account: it cannot log in, and every token issued to it is refused.
    fn disable(&self, username: &str) -> impl Future<Output = Result<User>> + Send;

    /// Enables the account again (tokens issued before it was disabled stay refused).
    fn enable(&self, username: &str) -> impl Future<Output = Result<User>> + Send;

    /// Sets a new password, which ends every session of the user (the tokens issued before).
    fn set_password(
        &self,
        username: &str,
        password: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deletes the user; its tokens are refused from then on.
    fn remove(&self, username: &str) -> impl Future<Output = Result<()>> + Send;

    /// Whether a token issued to `username` can still be good: `None` when no local user has
    /// this name, else the account's state and current token generation. Cached.
    fn standing(&self, username: &str) -> impl Future<Output = Result<Option<Standing>>> + Send;

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
    pool: HashPool,
    standings: Arc<Mutex<Standings>>,
}

/// What [`Users::standing`] read lately.
#[derive(Debug, Default)]
struct Standings {
    /// Moves on at every change, so that a read that began before a change is not kept.
    epoch: u64,
    entries: HashMap<String, (Option<Standing>, Timestamp)>,
}

impl<S: UserStore> Service<S> {
    /// The service with the password pool [`HashPool::for_this_machine`].
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self::with_pool(store, clock, HashPool::for_this_machine())
    }

    pub fn with_pool(store: S, clock: Arc<dyn Clock>, pool: HashPool) -> Self {
        Self {
            store,
            clock,
            pool,
            standings: Arc::default(),
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn pool(&self) -> &HashPool {
        &self.pool
    }

    fn standings(&self) -> std::sync::MutexGuard<'_, Standings> {
        self.standings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets every standing read so far (a user changed).
    fn forget_standings(&self) {
        let mut s = self.standings();
        s.epoch += 1;
        s.entries.clear();
    }

    async fn change(
        &self,
        username: &str,
        changes: Vec<Change>,
        keep_an_admin: bool,
    ) -> Result<User> {
        let name = username.trim().to_owned();
        let changed = self
            .store
            .change(name.clone(), changes, self.clock.now(), keep_an_admin)
            .await;
        self.forget_standings();
        changed?.ok_or(Error::NotFound { name })
    }
}

impl<S: UserStore> Service<S> {
    async fn delete(&self, username: &str, keep_an_admin: bool) -> Result<()> {
        let name = username.trim().to_owned();
        let removed = self.store.remove(name.clone(), keep_an_admin).await;
        self.forget_standings();
        if removed? {
            Ok(())
        } else {
            Err(Error::NotFound { name })
        }
    }
}

/// The first token generation of a new user: random, so that a user removed and added again
/// under the same name does not revive the tokens of the one before. Under 2^52, a number
/// every JSON reader keeps exactly.
fn first_generation() -> u64 {
    Uuid::new_v4().as_u64_pair().0 >> 12
}

impl<S: UserStore> Users for Service<S> {
    async fn add(&self, username: &str, password: &str, permissions: &[String]) -> Result<User> {
        self.add_with_profile(username, password, permissions, Profile::default())
            .await
    }

    async fn add_with_profile(
        &self,
        username: &str,
        password: &str,
        permissions: &[String],
        profile: Profile,
    ) -> Result<User> {
        let username = validate_username(username)?.to_owned();
        validate_password(password)?;
        validate_permissions(permissions)?;
        let profile = profile.validated()?;
        let password = password.to_owned();
        let hash = self
            .pool
            .run(move |memory| hash_password(&password, memory))
            .await??;
        let user = User {
            username,
            permissions: permissions.to_vec(),
            disabled: false,
            created_at: self.clock.now(),
            profile,
        };
        self.store
            .insert(Uuid::new_v4(), user.clone(), hash, first_generation())
            .await?;
        self.forget_standings();
        Ok(user)
    }

    async fn authenticate(&self, username: &str, password: &str) -> Result<Option<Authenticated>> {
        let found = self.store.credentials(username.trim().to_owned()).await?;
        let password = password.to_owned();
        self.pool
            .run(move |memory| match found {
                Some(c) => {
                    let right = verify_password(&password, &c.password_hash, memory);
                    (right && !c.user.disabled).then_some(Authenticated {
                        user: c.user,
                        generation: c.generation,
                    })
                }
                None => {
                    let decoy = decoy_hash(memory);
                    verify_password(&password, decoy, memory);
                    None
                }
            })
            .await
    }

    async fn get(&self, username: &str) -> Result<Option<User>> {
        Ok(self
            .store
            .credentials(username.trim().to_owned())
            .await?
            .map(|c| c.user))
    }

    async fn update(&self, username: &str, update: Update, by: Option<&str>) -> Result<User> {
        let changes = update.clone().into_changes()?;
        if let Some(by) = by
            && by.trim().eq_ignore_ascii_case(username.trim())
        {
            if update.disabled == Some(true) {
                return Err(Error::invalid(
                    "disabled",
                    "you cannot disable yourself: another administrator must",
                ));
            }
            if update
                .permissions
                .as_ref()
                .is_some_and(|p| !p.iter().any(|p| p == ADMIN))
            {
                return Err(Error::invalid(
                    "permissions",
                    "you cannot take `crm:admin` from yourself: another administrator must",
                ));
            }
        }
        self.change(username, changes, by.is_some()).await
    }

    async fn remove_by(&self, username: &str, by: &str) -> Result<()> {
        if by.trim().eq_ignore_ascii_case(username.trim()) {
            return Err(Error::invalid(
                "username",
                "you cannot delete yourself: another administrator must",
            ));
        }
        self.delete(username, true).await
    }

    async fn disable(&self, username: &str) -> Result<User> {
        self.change(username, vec![Change::Disabled(true)], false)
            .await
    }

    async fn enable(&self, username: &str) -> Result<User> {
        self.change(username, vec![Change::Disabled(false)], false)
            .await
    }

    async fn set_password(&self, username: &str, password: &str) -> Result<()> {
        validate_password(password)?;
        let password = password.to_owned();
        let hash = self
            .pool
            .run(move |memory| hash_password(&password, memory))
            .await??;
        self.change(username, vec![Change::PasswordHash(hash)], false)
            .await
            .map(drop)
    }

    async fn remove(&self, username: &str) -> Result<()> {
        self.delete(username, false).await
    }

    async fn standing(&self, username: &str) -> Result<Option<Standing>> {
        let now = self.clock.now();
        let epoch = {
            let s = self.standings();
            if let Some((standing, read_at)) = s.entries.get(username)
                && now.into_inner() - read_at.into_inner() < STANDING_TTL
                && *read_at <= now
            {
                return Ok(*standing);
            }
            s.epoch
        };
        let standing = self.store.standing(username.to_owned()).await?;
        let mut s = self.standings();
        if s.epoch == epoch {
            if s.entries.len() >= STANDING_CAPACITY {
                s.entries.clear();
            }
            s.entries.insert(username.to_owned(), (standing, now));
        }
        Ok(standing)
    }

    async fn list(&self) -> Result<Vec<User>> {
        self.store.list().await
    }

    async fn count(&self) -> Result<u64> {
        self.store.count().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteUserStore;
    use crm_core::{Db, FixedClock};

    fn users() -> (tempfile::TempDir, Service<SqliteUserStore>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        (
            dir,
            Service::new(SqliteUserStore::new(db), Arc::new(crm_core::SystemClock)),
        )
    }

    /// Two services on one database, as the server and `crm user` in another process, both
    /// on `clock`.
    fn two_processes(
        clock: &FixedClock,
    ) -> (
        tempfile::TempDir,
        Service<SqliteUserStore>,
        Service<SqliteUserStore>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        let open = || {
            Service::new(
                SqliteUserStore::new(Db::open(&path).unwrap()),
                Arc::new(clock.clone()),
            )
        };
        let (server, cli) = (open(), open());
        (dir, server, cli)
    }

    fn clock() -> FixedClock {
        FixedClock::new(Timestamp::parse("2026-12-01T09:00:00Z").unwrap())
    }

    async fn generation(u: &Service<SqliteUserStore>, name: &str) -> u64 {
        u.standing(name).await.unwrap().unwrap().generation
    }

    #[tokio::test]
    async fn a_disabled_user_cannot_log_in_and_its_generation_moves_on() {
        let (_d, u) = users();
        u.add("maria", "correct horse", &[]).await.unwrap();
        let first = u
            .authenticate("maria", "correct horse")
            .await
            .unwrap()
            .unwrap()
            .generation;
        assert_eq!(generation(&u, "maria").await, first);

        let user = u.disable("MARIA").await.unwrap();
        assert!(user.disabled);
        assert!(
            u.authenticate("maria", "correct horse")
                .await
                .unwrap()
                .is_none()
        );
        let standing = u.standing("maria").await.unwrap().unwrap();
        assert!(standing.disabled);
        assert_ne!(standing.generation, first, "disabling ends the sessions");
        assert!(u.list().await.unwrap()[0].disabled);

        assert!(!u.enable("maria").await.unwrap().disabled);
        let again = u
            .authenticate("maria", "correct horse")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            again.generation, standing.generation,
            "enabling revives none"
        );
    }

    #[tokio::test]
    async fn a_new_password_replaces_the_old_and_ends_the_sessions() {
        let (_d, u) = users();
        u.add("maria", "correct horse", &[]).await.unwrap();
        let before = generation(&u, "maria").await;
        assert!(matches!(
            u.set_password("maria", "short").await,
            Err(Error::Invalid {
                field: "password",
                ..
            })
        ));
        assert_eq!(generation(&u, "maria").await, before, "nothing changed");
        u.set_password("Maria", "battery staple").await.unwrap();
        assert_eq!(generation(&u, "maria").await, before + 1);
        let auth = |p: &'static str| u.authenticate("maria", p);
        assert!(auth("correct horse").await.unwrap().is_none());
        assert!(auth("battery staple").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn removed_users_are_gone_and_unknown_names_are_not_found() {
        let (_d, u) = users();
        u.add("maria", "correct horse", &[]).await.unwrap();
        let first = generation(&u, "maria").await;
        u.remove("maria").await.unwrap();
        assert_eq!(u.standing("maria").await.unwrap(), None);
        assert!(
            u.authenticate("maria", "correct horse")
                .await
                .unwrap()
                .is_none()
        );
        for result in [
            u.remove("maria").await.map(drop),
            u.disable("maria").await.map(drop),
            u.enable("maria").await.map(drop),
            u.set_password("maria", "battery staple").await,
        ] {
            assert!(
                matches!(&result, Err(Error::NotFound { name }) if name == "maria"),
                "{result:?}"
            );
        }
        // the same name again is a new user: the old tokens' generation does not come back
        u.add("maria", "correct horse", &[]).await.unwrap();
        assert_ne!(generation(&u, "maria").await, first);
    }

    #[tokio::test]
    async fn standings_are_cached_for_a_second_and_forgotten_on_change() {
        let clock = clock();
        let (_d, server, cli) = two_processes(&clock);
        cli.add("maria", "correct horse", &[]).await.unwrap();
        let first = server.standing("maria").await.unwrap().unwrap();
        assert!(!first.disabled);

        // another process disables her: the server sees it once its cached read is too old
        cli.disable("maria").await.unwrap();
        assert_eq!(server.standing("maria").await.unwrap(), Some(first));
        clock.advance(STANDING_TTL);
        assert!(server.standing("maria").await.unwrap().unwrap().disabled);

        // a change through the server's own service is seen on the next check
        server.enable("maria").await.unwrap();
        assert!(!server.standing("maria").await.unwrap().unwrap().disabled);
        assert_eq!(server.standing("nobody").await.unwrap(), None);
        server.remove("maria").await.unwrap();
        assert_eq!(server.standing("maria").await.unwrap(), None);
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
        assert_eq!(ok.user.permissions, vec!["crm:view"]);
        assert_eq!(ok.user.username, "maria");
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

    fn admin() -> Vec<String> {
        vec![ADMIN.into(), "crm:view".into()]
    }

    #[tokio::test]
    async fn profiles_are_kept_validated_and_cleared() {
        let (_d, u) = users();
        let maria = u
            .add_with_profile(
                "maria",
                "correct horse",
                &["crm:view".into()],
                Profile {
                    display_name: Some(" Μαρία Π. ".into()),
                    extension: Some("201".into()),
                    signature: Some("Μαρία\r\nBellSystems".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(maria.profile.display_name.as_deref(), Some("Μαρία Π."));
        assert_eq!(u.get("MARIA").await.unwrap().unwrap(), maria);
        assert_eq!(
            u.get("maria")
                .await
                .unwrap()
                .unwrap()
                .profile
                .signature
                .as_deref(),
            Some("Μαρία\nBellSystems")
        );
        let bad = u
            .add_with_profile(
                "nikos",
                "long enough",
                &[],
                Profile {
                    extension: Some("20x".into()),
                    ..Profile::default()
                },
            )
            .await;
        assert!(
            matches!(
                bad,
                Err(Error::Invalid {
                    field: "extension",
                    ..
                })
            ),
            "{bad:?}"
        );
        assert!(u.get("nikos").await.unwrap().is_none());

        let before = generation(&u, "maria").await;
        let changed = u
            .update(
                "maria",
                Update {
                    extension: Some(Some("202".into())),
                    signature: Some(None),
                    ..Update::default()
                },
                None,
            )
            .await
            .unwrap();
        assert_eq!(changed.profile.extension.as_deref(), Some("202"));
        assert_eq!(changed.profile.signature, None);
        assert_eq!(changed.profile.display_name.as_deref(), Some("Μαρία Π."));
        assert_eq!(
            generation(&u, "maria").await,
            before,
            "a profile change ends no session"
        );

        let same = u
            .update(
                "maria",
                Update {
                    permissions: Some(vec!["crm:view".into()]),
                    ..Update::default()
                },
                None,
            )
            .await
            .unwrap();
        assert_eq!(same.permissions, ["crm:view"]);
        assert_eq!(
            generation(&u, "maria").await,
            before,
            "the same permissions"
        );
        u.update(
            "maria",
            Update {
                permissions: Some(vec!["crm:edit".into()]),
                ..Update::default()
            },
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            generation(&u, "maria").await,
            before + 1,
            "new permissions, new tokens"
        );
    }

    #[tokio::test]
    async fn an_admin_cannot_cut_themselves_off_nor_the_last_admin_go() {
        let (_d, u) = users();
        u.add("anna", "correct horse", &admin()).await.unwrap();
        u.add("maria", "correct horse", &["crm:view".into()])
            .await
            .unwrap();
        let disable = Update {
            disabled: Some(true),
            ..Update::default()
        };
        let demote = Update {
            permissions: Some(vec!["crm:view".into()]),
            ..Update::default()
        };
        let field = |r: Result<User>| match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(u.update("anna", disable.clone(), Some("ANNA")).await),
            "disabled"
        );
        assert_eq!(
            field(u.update("anna", demote.clone(), Some("anna")).await),
            "permissions"
        );
        assert!(matches!(
            u.remove_by("anna", "anna").await,
            Err(Error::Invalid {
                field: "username",
                ..
            })
        ));

        // another administrator's hand: still not the last one
        for result in [
            u.update("anna", disable.clone(), Some("maria"))
                .await
                .map(drop),
            u.update("anna", demote.clone(), Some("maria"))
                .await
                .map(drop),
            u.remove_by("anna", "maria").await,
        ] {
            assert!(
                matches!(&result, Err(Error::LastAdmin { name }) if name == "anna"),
                "{result:?}"
            );
        }
        let anna = u.get("anna").await.unwrap().unwrap();
        assert!(anna.is_admin() && !anna.disabled, "nothing changed");

        // with a second administrator the first can go
        u.update(
            "maria",
            Update {
                permissions: Some(admin()),
                ..Update::default()
            },
            Some("anna"),
        )
        .await
        .unwrap();
        assert!(
            u.update("anna", disable, Some("maria"))
                .await
                .unwrap()
                .disabled
        );
        // a disabled administrator does not count: maria is the last one now
        assert!(matches!(
            u.remove_by("maria", "someone").await,
            Err(Error::LastAdmin { .. })
        ));
        u.remove_by("anna", "maria").await.unwrap();
        // the command line is the way back in: no rule there
        u.disable("maria").await.unwrap();
        assert!(matches!(
            u.update("nobody", Update::default(), Some("maria")).await,
            Err(Error::NotFound { .. })
        ));
    }
}
