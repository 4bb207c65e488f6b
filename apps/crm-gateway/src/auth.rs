//! Bearer tokens (HS256 JWT with a `permissions` claim) and the extractors that guard routes.
//!
//! A handler states what it needs in its signature: [`Viewer`] for reads (`crm:view`),
//! [`Editor`] for writes (`crm:edit`, which includes viewing). A route with neither stands out.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::error::ApiError;
use crate::state::AppState;

pub use crate::tokens::{EDIT, Principal, TokenKeys, VIEW};

fn principal(req: &HttpRequest) -> Result<Principal, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("the app state is not registered"))?;
    let keys = &state.keys;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing `Authorization: Bearer <token>` header"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
        })?;
    let now = state.clock.now().unix_seconds().max(0) as u64;
    Ok(keys.verify(token, now)?)
}

/// A caller allowed to read (`crm:view`).
#[derive(Debug, Clone)]
pub struct Viewer(pub Principal);

impl FromRequest for Viewer {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(principal(req).and_then(|p| {
            if p.can_view() {
                Ok(Viewer(p))
            } else {
                Err(ApiError::forbidden("this needs the `crm:view` permission"))
            }
        }))
    }
}

/// A caller allowed to write (`crm:edit`).
#[derive(Debug, Clone)]
pub struct Editor(pub Principal);

impl FromRequest for Editor {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(principal(req).and_then(|p| {
            if p.can_edit() {
                Ok(Editor(p))
            } else {
                Err(ApiError::forbidden("this needs the `crm:edit` permission"))
            }
        }))
    }
}
