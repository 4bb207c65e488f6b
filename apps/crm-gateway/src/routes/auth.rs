//! `POST /api/auth/login`: local users trade a password for an access token, carrying their
//! token generation. Limited per client address and per user name (`throttle.rs`).
//! `GET /api/auth/me`: who the token names, what it may do, and the user's profile.

use actix_web::{HttpRequest, web};
use crm_users::Users as _;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;
use crate::throttle::RetryLater;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::post().to(login))
        .route("/me", web::get().to(me));
}

/// The caller: its permissions and, for a local user, its profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    username: String,
    display_name: Option<String>,
    permissions: Vec<String>,
    /// The PBX extension click-to-call rings when none is given.
    extension: Option<String>,
    /// The signature to put under the caller's e-mails.
    signature: Option<String>,
}

/// Who the token names: the user's name, display name, permissions, PBX extension and e-mail
/// signature (the console decides what to show from it). A token naming no local user (the
/// existing console's) gets its name and permissions and no profile.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(
    caller: crate::auth::Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<Me>, ApiError> {
    let user = state
        .users
        .get(&caller.principal.subject)
        .await
        .map_err(crate::users::api_error)?;
    Ok(web::Json(match user {
        Some(u) => Me {
            username: u.username,
            display_name: u.profile.display_name,
            permissions: u.permissions,
            extension: u.profile.extension,
            signature: u.profile.signature,
        },
        None => Me {
            username: caller.principal.subject,
            display_name: None,
            permissions: caller.permissions,
            extension: None,
            signature: None,
        },
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    username: String,
    password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds until the token expires.
    expires_in: u64,
}

/// Log in with a local user's name and password. Attempts are limited per client address and
/// per user name (429 with `Retry-After`); when every password check is taken, 503 with
/// `Retry-After`. Every outcome is logged with the user name and the client address.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = crate::error::ErrorBody),
              (status = 200, body = LoginResponse),
              (status = 401, description = "wrong user name or password, or a disabled user", body = crate::error::ErrorBody),
              (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody),
              (status = 429, description = "too many attempts from this address or for this user name",
               body = crate::error::ErrorBody, headers(("Retry-After" = u64, description = "seconds to wait"))),
              (status = 503, description = "too many logins being checked at once",
               body = crate::error::ErrorBody, headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, actix_web::Error> {
    let client = state.login.client_address(&req);
    let client_text = client.map_or_else(|| "unknown".to_owned(), |c| c.to_string());
    let user = loggable(&body.username);
    let now = state.clock.now();
    let now_ms = u64::try_from(now.into_inner().unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    if let Err(refused) = state.login.attempt(client, &body.username, now_ms) {
        let after = refused.after_secs;
        if refused.first {
            tracing::warn!(%user, client = %client_text, retry_after_secs = after,
                "login refused: too many attempts (the next refusals of this client or user are not logged)");
        } else {
            tracing::debug!(%user, client = %client_text, "login refused: too many attempts");
        }
        return Err(RetryLater::too_many(after).into());
    }
    let found = match state
        .users
        .authenticate(&body.username, &body.password)
        .await
    {
        Ok(found) => found,
        Err(crm_users::Error::Busy) => {
            if let Some(unlogged) = state.login.busy(now_ms) {
                tracing::warn!(%user, client = %client_text, not_logged_since = unlogged,
                    "login refused: every password check is taken (logged once in 10 s)");
            }
            return Err(RetryLater::busy().into());
        }
        Err(e) => return Err(ApiError::internal(e).into()),
    };
    let Some(found) = found else {
        tracing::warn!(%user, client = %client_text, "login failed: wrong user name or password, or a disabled user");
        return Err(ApiError::unauthorized("wrong user name or password").into());
    };
    state.login.succeeded(&body.username);
    let access_token = state
        .keys
        .issue_with_generation(
            &found.user.username,
            &found.user.permissions,
            Some(found.generation),
            now.unix_seconds().max(0) as u64,
        )
        .map_err(ApiError::from)?;
    tracing::info!(user = %found.user.username, client = %client_text, "logged in");
    Ok(web::Json(LoginResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.keys.ttl_secs,
    }))
}

/// A user name as it goes into the log: what a client sent, so cut to 64 characters and
/// with control characters escaped (no forged log lines).
fn loggable(name: &str) -> String {
    name.trim()
        .chars()
        .take(64)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use actix_web::test as web_test;
    use crm_users::Users as _;
    use serde_json::json;

    use super::*;
    use crate::config::Config;

    /// Everything logged while the test runs on its thread.
    #[derive(Clone, Default)]
    struct Logs(Arc<Mutex<Vec<u8>>>);

    impl Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn every_attempt_is_logged_with_user_and_client_never_the_password() {
        let logs = Logs::default();
        let writer = logs.clone();
        let _guard = tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish(),
        );
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            jwt_secret: Some("unit-test-secret-0123456789".into()),
            trusted_proxies: "127.0.0.1".parse().unwrap(),
            ..Config::default()
        };
        config.login.limit_per_user = 2;
        let state = web::Data::new(
            AppState::open(&config, Arc::new(crm_core::SystemClock))
                .await
                .unwrap(),
        );
        state
            .users
            .add(
                "maria",
                "correct-horse-battery",
                &[crate::auth::VIEW.to_owned()],
            )
            .await
            .unwrap();
        let app = web_test::init_service(
            actix_web::App::new()
                .app_data(state.clone())
                .configure(crate::routes::configure),
        )
        .await;
        let attempts = [
            ("maria", "wrong-secret-one", 401),
            ("maria", "correct-horse-battery", 200),
            ("maria", "wrong-secret-two", 401),
            ("maria", "wrong-secret-three", 429),
            ("nobody\nforged line", "wrong-secret-four", 401),
        ];
        for (user, password, status) in attempts {
            let req = web_test::TestRequest::post()
                .uri("/api/auth/login")
                .peer_addr("127.0.0.1:40000".parse().unwrap())
                .insert_header(("x-forwarded-for", "198.51.100.1, 203.0.113.9"))
                .set_json(json!({ "username": user, "password": password }))
                .to_request();
            let resp = web_test::call_service(&app, req).await;
            assert_eq!(resp.status().as_u16(), status, "{password}");
        }
        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let with = |what: &str| lines.iter().filter(|l| l.contains(what)).count();
        assert_eq!(with("logged in"), 1, "{text}");
        assert_eq!(with("login failed"), 3, "{text}");
        assert_eq!(with("too many attempts"), 1, "{text}");
        for line in lines
            .iter()
            .filter(|l| l.contains("login") || l.contains("logged"))
        {
            assert!(line.contains("client=203.0.113.9"), "{line}");
            assert!(
                line.contains("user=maria") || line.contains("user=nobody\\nforged line"),
                "{line}"
            );
        }
        for (_, password, _) in attempts {
            assert!(!text.contains(password), "{password} logged: {text}");
        }
        assert!(!text.contains("\nforged line"), "{text}");
    }

    #[test]
    fn user_names_are_cut_and_escaped_for_the_log() {
        assert_eq!(loggable("  maria "), "maria");
        assert_eq!(loggable("a\nb\u{1b}"), "a\\nb\\u{1b}");
        assert_eq!(loggable(&"x".repeat(100)).len(), 64);
    }
}
