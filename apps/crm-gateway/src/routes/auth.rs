//! `POST /api/auth/login`: local users trade a password for an access token.

use actix_web::web;
use crm_users::Users as _;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::post().to(login));
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

/// Log in with a local user's name and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse),
              (status = 401, description = "wrong user name or password", body = crate::error::ErrorBody),
              (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn login(
    state: web::Data<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let user = state
        .users
        .authenticate(&req.username, &req.password)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::unauthorized("wrong user name or password"))?;
    let now = state.clock.now().unix_seconds().max(0) as u64;
    let access_token = state.keys.issue(&user.username, &user.permissions, now)?;
    tracing::info!(user = %user.username, "logged in");
    Ok(web::Json(LoginResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.keys.ttl_secs,
    }))
}
