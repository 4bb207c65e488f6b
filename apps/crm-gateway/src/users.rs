//! Local users of standalone deployments: the `crm-users` service over the shared SQLite
//! database, as `AppState::users`, the login route, the auth extractors and `crm user …` use
//! it (with `crm_users::Users` in scope).

use std::sync::Arc;

use crm_core::{Clock, Db};

use crate::throttle::LoginConfig;

/// The users service the gateway runs.
pub type Users = crm_users::Service<crm_users::SqliteUserStore>;

/// The users service on `db`, with the password pool `[login]` asks for.
pub fn open(db: Db, clock: Arc<dyn Clock>, login: &LoginConfig) -> Users {
    Users::with_pool(
        crm_users::SqliteUserStore::new(db),
        clock,
        login.hash_pool(),
    )
}
