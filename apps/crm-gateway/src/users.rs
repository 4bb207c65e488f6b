//! Local users of standalone deployments: the `crm-users` service over the shared SQLite
//! database, as `AppState::users`, the login route and `crm user add|list` use it (with
//! `crm_users::Users` in scope).

/// The users service the gateway runs.
pub type Users = crm_users::Service<crm_users::SqliteUserStore>;
