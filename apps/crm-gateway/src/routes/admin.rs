//! `/api/admin/users`: administering local users (permission `crm:admin`). Every change is
//! logged at info as `user changed by <admin>: <what>`, never with a password.

use actix_web::{HttpResponse, web};
use crm_core::Timestamp;
use crm_users::{Profile, Update, User, Users as _};
use serde::{Deserialize, Deserializer, Serialize};

use crate::auth::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;
use crate::users::api_error;

/// The user routes, mounted inside the `/api/admin` scope (`routes::configure`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/users", "/users/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/users/{username}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/users/{username}/password").route(web::post().to(set_password)));
}

/// A local user as administrators see it (never its password hash or token generation).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminUser {
    username: String,
    display_name: Option<String>,
    /// Drawn from `crm:view`, `crm:edit`, `crm:admin`.
    permissions: Vec<String>,
    disabled: bool,
    /// The PBX extension click-to-call rings first.
    extension: Option<String>,
    /// The signature under the user's e-mails (several lines).
    signature: Option<String>,
    created_at: Timestamp,
}

impl From<User> for AdminUser {
    fn from(u: User) -> Self {
        Self {
            username: u.username,
            display_name: u.profile.display_name,
            permissions: u.permissions,
            disabled: u.disabled,
            extension: u.profile.extension,
            signature: u.profile.signature,
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminUserList {
    users: Vec<AdminUser>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// 1 to 64 characters without spaces; unique ignoring case.
    username: String,
    /// At least 8 characters.
    password: String,
    #[serde(default)]
    permissions: Vec<String>,
    display_name: Option<String>,
    /// 2 to 10 digits.
    extension: Option<String>,
    /// Up to 2,000 characters, several lines.
    signature: Option<String>,
}

impl std::fmt::Debug for NewUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserRequest")
            .field("username", &self.username)
            .field("password", &"***")
            .field("permissions", &self.permissions)
            .finish_non_exhaustive()
    }
}

/// A field that is absent stays `None`; a field sent as `null` is `Some(None)` (clear it).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// What to change; absent fields stay as they are, `null` clears a text.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeRequest {
    /// Replaces every permission. Changing them ends the user's sessions.
    permissions: Option<Vec<String>>,
    /// Disabling ends the user's sessions at once.
    disabled: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    extension: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    signature: Option<Option<String>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    /// At least 8 characters.
    password: String,
}

impl std::fmt::Debug for PasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordRequest { password: \"***\" }")
    }
}

/// Every local user, ordered by name.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = AdminUserList), (status = 401, body = ErrorBody),
              (status = 403, description = "the token lacks `crm:admin`", body = ErrorBody)))]
pub async fn list(
    _: Admin,
    state: web::Data<AppState>,
) -> Result<web::Json<AdminUserList>, ApiError> {
    let users = state.users.list().await.map_err(api_error)?;
    Ok(web::Json(AdminUserList {
        users: users.into_iter().map(AdminUser::from).collect(),
    }))
}

/// Create a local user.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", request_body = NewUserRequest,
    security(("bearer" = [])),
    responses((status = 201, body = AdminUser), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, description = "the name is taken (ignoring case)", body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "a field is not valid; `details.field` names it", body = ErrorBody),
              (status = 503, description = "too many password computations at once", body = ErrorBody)))]
pub async fn create(
    Admin(admin): Admin,
    state: web::Data<AppState>,
    Json(new): Json<NewUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .users
        .add_with_profile(
            &new.username,
            &new.password,
            &new.permissions,
            Profile {
                display_name: new.display_name,
                extension: new.extension,
                signature: new.signature,
            },
        )
        .await
        .map_err(api_error)?;
    tracing::info!(admin = %admin.subject, user = %user.username,
        "user changed by {}: created with permissions [{}]", admin.subject, user.permissions.join(","));
    Ok(HttpResponse::Created().json(AdminUser::from(user)))
}

/// One local user.
#[utoipa::path(get, path = "/api/admin/users/{username}", tag = "admin",
    params(("username" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = AdminUser), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Admin,
    state: web::Data<AppState>,
    username: web::Path<String>,
) -> Result<web::Json<AdminUser>, ApiError> {
    let user = state.users.get(&username).await.map_err(api_error)?;
    user.map(|u| web::Json(u.into()))
        .ok_or_else(|| ApiError::not_found(format!("no user is named `{}`", username.trim())))
}

/// Change a user: permissions, disabled, display name, extension, signature (absent fields
/// stay, `null` clears a text). Disabling a user or changing its permissions ends its
/// sessions at once. Administrators cannot disable themselves or take `crm:admin` from
/// themselves (422), and the last enabled administrator cannot be disabled or lose
/// `crm:admin` (409 `last_admin`).
#[utoipa::path(put, path = "/api/admin/users/{username}", tag = "admin",
    params(("username" = String, Path)), request_body = UserChangeRequest,
    security(("bearer" = [])),
    responses((status = 200, body = AdminUser), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "`last_admin`: no enabled administrator would be left", body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "a field is not valid, or the administrator would cut themselves off", body = ErrorBody)))]
pub async fn update(
    Admin(admin): Admin,
    state: web::Data<AppState>,
    username: web::Path<String>,
    Json(change): Json<UserChangeRequest>,
) -> Result<web::Json<AdminUser>, ApiError> {
    let update = Update {
        permissions: change.permissions,
        disabled: change.disabled,
        display_name: change.display_name,
        extension: change.extension,
        signature: change.signature,
    };
    let what = update.describe();
    let user = state
        .users
        .update(&username, update, Some(&admin.subject))
        .await
        .map_err(api_error)?;
    tracing::info!(admin = %admin.subject, user = %user.username,
        "user changed by {}: {} {what}", admin.subject, user.username);
    Ok(web::Json(user.into()))
}

/// Set a user's password; this ends the user's sessions.
#[utoipa::path(post, path = "/api/admin/users/{username}/password", tag = "admin",
    params(("username" = String, Path)), request_body = PasswordRequest,
    security(("bearer" = [])),
    responses((status = 204, description = "changed; the user's tokens no longer work"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 503, description = "too many password computations at once", body = ErrorBody)))]
pub async fn set_password(
    Admin(admin): Admin,
    state: web::Data<AppState>,
    username: web::Path<String>,
    Json(body): Json<PasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .users
        .set_password(&username, &body.password)
        .await
        .map_err(api_error)?;
    let name = username.trim();
    tracing::info!(admin = %admin.subject, user = %name,
        "user changed by {}: {name} password reset", admin.subject);
    Ok(HttpResponse::NoContent().finish())
}

/// Delete a user; its tokens stop working. Not yourself (422), not the last enabled
/// administrator (409 `last_admin`).
#[utoipa::path(delete, path = "/api/admin/users/{username}", tag = "admin",
    params(("username" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "deleted"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "`last_admin`", body = ErrorBody),
              (status = 422, description = "administrators cannot delete themselves", body = ErrorBody)))]
pub async fn delete(
    Admin(admin): Admin,
    state: web::Data<AppState>,
    username: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .users
        .remove_by(&username, &admin.subject)
        .await
        .map_err(api_error)?;
    let name = username.trim();
    tracing::info!(admin = %admin.subject, user = %name,
        "user changed by {}: {name} deleted", admin.subject);
    Ok(HttpResponse::NoContent().finish())
}
