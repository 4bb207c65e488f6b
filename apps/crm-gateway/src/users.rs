//! Local users of standalone deployments: the `crm-users` service over the shared SQLite
//! database, as `AppState::users`, the login route, the auth extractors and `crm user …` use
//! it (with `crm_users::Users` in scope).

use std::sync::Arc;

use crm_core::{Clock, Db};

use crate::error::ApiError;
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

/// The HTTP outcome of a failed user operation.
pub fn api_error(e: crm_users::Error) -> ApiError {
    use crm_users::Error as E;
    match e {
        E::Conflict { .. } => ApiError::conflict("user_exists", e.to_string()),
        E::NotFound { .. } => ApiError::not_found(e.to_string()),
        E::Invalid { field, reason } => ApiError::invalid_field(field, reason),
        E::LastAdmin { .. } => ApiError::conflict("last_admin", e.to_string()),
        E::Busy => ApiError::unavailable("busy", e.to_string()),
        E::Db(_) | E::Hash(_) => ApiError::internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_errors_map_to_their_statuses() {
        use actix_web::ResponseError as _;
        use crm_users::Error as E;
        for (e, status, code) in [
            (
                E::Conflict {
                    name: "maria".into(),
                },
                409,
                "user_exists",
            ),
            (
                E::NotFound {
                    name: "maria".into(),
                },
                404,
                "not_found",
            ),
            (E::invalid("extension", "digits"), 422, "invalid_field"),
            (
                E::LastAdmin {
                    name: "anna".into(),
                },
                409,
                "last_admin",
            ),
            (E::Busy, 503, "busy"),
            (E::Hash("boom".into()), 500, "internal"),
        ] {
            let api = api_error(e);
            assert_eq!(api.status_code().as_u16(), status, "{api:?}");
            assert_eq!(api.code(), code);
        }
    }

    /// Everything logged while the test runs on its thread.
    #[derive(Clone, Default)]
    struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn every_admin_change_is_logged_with_who_and_what_never_a_password() {
        use actix_web::{test as web_test, web};
        use crm_users::Users as _;
        use serde_json::json;

        let logs = Logs::default();
        let writer = logs.clone();
        let _guard = tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish(),
        );
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::Config {
            data_dir: dir.path().to_path_buf(),
            jwt_secret: Some("unit-test-secret-0123456789".into()),
            ..crate::config::Config::default()
        };
        let state = web::Data::new(
            crate::AppState::open(&config, Arc::new(crm_core::SystemClock))
                .await
                .unwrap(),
        );
        state
            .users
            .add("anna", "admin-password-1", &[crm_users::ADMIN.to_owned()])
            .await
            .unwrap();
        let now = crm_core::SystemClock.now().unix_seconds().max(0) as u64;
        let generation = state
            .users
            .standing("anna")
            .await
            .unwrap()
            .unwrap()
            .generation;
        let token = state
            .keys
            .issue_with_generation(
                "anna",
                &[crm_users::ADMIN.to_owned()],
                Some(generation),
                now,
            )
            .unwrap();
        let app = web_test::init_service(
            actix_web::App::new()
                .app_data(state.clone())
                .configure(crate::routes::configure),
        )
        .await;
        let secrets = [
            "maria-first-secret",
            "maria-second-secret",
            "Private line 7",
        ];
        let calls = [
            (
                actix_web::http::Method::POST,
                "/api/admin/users",
                json!({"username": "maria", "password": secrets[0], "permissions": ["crm:view"]}),
                201,
            ),
            (
                actix_web::http::Method::PUT,
                "/api/admin/users/maria",
                json!({"extension": "201", "signature": secrets[2], "disabled": true}),
                200,
            ),
            (
                actix_web::http::Method::POST,
                "/api/admin/users/maria/password",
                json!({"password": secrets[1]}),
                204,
            ),
            (
                actix_web::http::Method::DELETE,
                "/api/admin/users/maria",
                serde_json::Value::Null,
                204,
            ),
        ];
        for (method, uri, body, status) in calls {
            let mut req = web_test::TestRequest::default()
                .method(method)
                .uri(uri)
                .insert_header(("authorization", format!("Bearer {token}")));
            if !body.is_null() {
                req = req.set_json(body);
            }
            let resp = web_test::call_service(&app, req.to_request()).await;
            assert_eq!(resp.status().as_u16(), status, "{uri}");
        }
        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        let changes: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("user changed by anna: "))
            .collect();
        assert_eq!(changes.len(), 4, "{text}");
        for (line, what) in changes.iter().zip([
            "created with permissions [crm:view]",
            "maria extension \"201\", signature set (14 characters), disabled",
            "maria password reset",
            "maria deleted",
        ]) {
            assert!(line.contains(" INFO ") && line.contains(what), "{line}");
        }
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} logged: {text}");
        }
    }
}
