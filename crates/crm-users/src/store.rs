//! Where users are kept: the storage trait the service is generic over.

pub mod sqlite;

use std::future::Future;

use crm_core::Timestamp;
use uuid::Uuid;

use crate::error::Result;
use crate::model::{Change, Credentials, Standing, User};

pub trait UserStore: Send + Sync + 'static {
    /// Stores a new user under `id` with its password hash and first token generation. A name
    /// equal to another's ignoring case is `Error::Conflict`.
    fn insert(
        &self,
        id: Uuid,
        user: User,
        password_hash: String,
        generation: u64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The user named `username` (ignoring case) with its password hash, if there is one.
    fn credentials(
        &self,
        username: String,
    ) -> impl Future<Output = Result<Option<Credentials>>> + Send;

    /// Applies `changes` together (all or none) to the user named `username` (ignoring case) at
    /// `now`; the user as it is afterwards, or `None` when there is no such user. With
    /// `keep_an_admin`, changes that leave no enabled `crm:admin` user where there was one
    /// are `Error::LastAdmin` and change nothing.
    fn change(
        &self,
        username: String,
        changes: Vec<Change>,
        now: Timestamp,
        keep_an_admin: bool,
    ) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Deletes the user named `username` (ignoring case); whether there was one. With
    /// `keep_an_admin`, as [`UserStore::change`].
    fn remove(
        &self,
        username: String,
        keep_an_admin: bool,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Whether the user named `username` (ignoring case) is disabled, and its generation.
    fn standing(&self, username: String) -> impl Future<Output = Result<Option<Standing>>> + Send;

    /// Every user, ordered by name.
    fn list(&self) -> impl Future<Output = Result<Vec<User>>> + Send;

    /// How many users there are.
    fn count(&self) -> impl Future<Output = Result<u64>> + Send;
}
