//! Users: the local accounts of standalone deployments (`POST /api/auth/login`, `crm user
//! add|list|disable|enable|remove|passwd`).
//!
//! A user has a unique name (ignoring case), an argon2id password hash, a list of permissions
//! drawn from [`KNOWN_PERMISSIONS`], a disabled flag and a token generation. [`Users`] is the
//! service the gateway calls, [`Service`] implements it over any [`UserStore`],
//! [`SqliteUserStore`] keeps users in the shared SQLite database (table `users`, migrations
//! `01-users` and `10-users-accounts`), [`HashPool`] bounds and reuses the memory of password
//! checks.

pub mod error;
pub mod hashing;
pub mod model;
pub mod service;
pub mod store;

pub use error::{Error, Result};
pub use hashing::HashPool;
pub use model::{Authenticated, EDIT, KNOWN_PERMISSIONS, Standing, User, VIEW, validate_username};
pub use service::{STANDING_TTL, Service, Users};
pub use store::UserStore;
pub use store::sqlite::SqliteUserStore;
