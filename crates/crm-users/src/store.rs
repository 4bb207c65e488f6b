//! Where users are kept: the storage trait the service is generic over.

pub mod sqlite;

use std::future::Future;

use uuid::Uuid;

use crate::error::Result;
use crate::model::{Credentials, User};

pub trait UserStore: Send + Sync + 'static {
    /// Stores a new user under `id` with its password hash. A name equal to another's
    /// ignoring case is `Error::Conflict`.
    fn insert(
        &self,
        id: Uuid,
        user: User,
        password_hash: String,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The user named `username` (ignoring case) with its password hash, if there is one.
    fn credentials(
        &self,
        username: String,
    ) -> impl Future<Output = Result<Option<Credentials>>> + Send;

    /// Every user, ordered by name.
    fn list(&self) -> impl Future<Output = Result<Vec<User>>> + Send;

    /// How many users there are.
    fn count(&self) -> impl Future<Output = Result<u64>> + Send;
}
