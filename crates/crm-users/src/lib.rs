//! Users: the local accounts of standalone deployments (`POST /api/auth/login`, `crm user
//! add|list|disable|enable|remove|passwd`).
//!
//! A user has a unique name (ignoring case), an argon2id password hash, a list of permissions
//! drawn from [`KNOWN_PERMISSIONS`], a disabled flag, a token generation and a [`Profile`]
//! (display name, PBX extension, e-mail signature). [`Users`] is the
//! service the gateway calls, [`Service`] implements it over any [`UserStore`],
//! [`SqliteUserStore`] keeps users in the shared SQLite database (table `users`, migrations
//! `01-users`, `10-users-accounts` and `15-user-profiles`), [`HashPool`] bounds and reuses the memory of password
//! checks.

pub mod error;
pub mod hashing;
pub mod model;
pub mod service;
pub mod store;

pub use error::{Error, Result};
pub use hashing::HashPool;
pub use model::{
    ADMIN, Authenticated, Change, EDIT, KNOWN_PERMISSIONS, Profile, Standing, Update, User, VIEW,
    validate_extension, validate_username,
};
pub use service::{STANDING_TTL, Service, Users};
pub use store::UserStore;
pub use store::sqlite::SqliteUserStore;
