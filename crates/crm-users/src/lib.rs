//! Users: the local accounts of standalone deployments (`POST /api/auth/login`, `crm user
//! add|list`).
//!
//! A user has a unique name (ignoring case), an argon2id password hash and a list of
//! permissions drawn from [`KNOWN_PERMISSIONS`]. [`Users`] is the service the gateway calls,
//! [`Service`] implements it over any [`UserStore`], [`SqliteUserStore`] keeps users in the
//! shared SQLite database (table `users`, migration `01-users`).

pub mod error;
pub mod model;
pub mod service;
pub mod store;

pub use error::{Error, Result};
pub use model::{EDIT, KNOWN_PERMISSIONS, User, VIEW, validate_username};
pub use service::{Service, Users};
pub use store::UserStore;
pub use store::sqlite::SqliteUserStore;
