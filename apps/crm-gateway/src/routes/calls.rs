//! `/api/crm/calls`: click-to-call through the PBX.

use actix_web::web;
use crm_users::Users as _;
use serde::Deserialize;

use crate::auth::Editor;
use crate::channels::calls::{self, OriginateResult};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/calls/originate").route(web::post().to(originate)));
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OriginateRequest {
    /// The extension that rings first (`201`); when absent, the caller's own (its profile's,
    /// set on the administration page or with `crm user set-extension`).
    #[serde(default)]
    extension: Option<String>,
    /// The number it then dials, as the PBX's outbound routes expect it; spaces, dashes,
    /// dots, slashes and parentheses are dropped.
    number: String,
}

/// Ring an extension (the caller's own when none is given), then dial a number from it.
/// Answers with the PBX's response to the `Originate` action. A caller without an extension
/// who gives none gets 422 on `extension`.
#[utoipa::path(post, path = "/api/crm/calls/originate", tag = "calls", request_body = OriginateRequest,
    security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 200, body = OriginateResult), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 502, description = "the PBX refused the call", body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn originate(
    Editor(caller): Editor,
    state: web::Data<AppState>,
    Json(req): Json<OriginateRequest>,
) -> Result<web::Json<OriginateResult>, ApiError> {
    let extension = match req.extension.filter(|e| !e.trim().is_empty()) {
        Some(extension) => extension,
        None => state
            .users
            .get(&caller.subject)
            .await
            .map_err(crate::users::api_error)?
            .and_then(|u| u.profile.extension)
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "extension",
                    format!(
                        "no extension given and `{}` has none set: set one on the \
                         administration page, or with `crm user set-extension {} <extension>`",
                        caller.subject, caller.subject
                    ),
                )
            })?,
    };
    Ok(web::Json(
        calls::originate(&state, &extension, &req.number).await?,
    ))
}
