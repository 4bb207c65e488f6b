//! `/api/crm/calls`: click-to-call through the PBX.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Editor;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/calls/originate").route(web::post().to(originate)));
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OriginateRequest {
    /// The extension that rings first (`201`).
    extension: String,
    /// The number it then dials, as the PBX's outbound routes expect it; spaces, dashes,
    /// dots, slashes and parentheses are dropped.
    number: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OriginateResult {
    /// `Success` or `Error`, as Asterisk answered.
    response: String,
    message: Option<String>,
}

/// Ring an extension, then dial a number from it. Answers with the PBX's response to the
/// `Originate` action.
#[utoipa::path(post, path = "/api/crm/calls/originate", tag = "calls", request_body = OriginateRequest,
    security(("bearer" = [])),
    responses((status = 200, body = OriginateResult), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 502, description = "the PBX refused the call", body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn originate(
    _: Editor,
    state: web::Data<AppState>,
    Json(req): Json<OriginateRequest>,
) -> Result<HttpResponse, ApiError> {
    let calls = state.calls.as_ref().ok_or_else(|| {
        ApiError::unavailable(
            "pbx_not_configured",
            "the PBX is not configured (CRM_AMI_HOST, CRM_AMI_USER, CRM_AMI_SECRET)",
        )
    })?;
    let client = calls.client.read().await.clone().ok_or_else(|| {
        ApiError::unavailable(
            "pbx_unavailable",
            "not connected to the PBX right now; retrying",
        )
    })?;
    // dialled as typed, without the punctuation people write numbers with
    let number: String = req
        .number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'))
        .collect();
    let response = client
        .originate(
            &req.extension,
            &number,
            ami_bridge::OriginateOptions::default(),
        )
        .await
        .map_err(|e| match e {
            ami_bridge::Error::InvalidField { key, reason } => {
                let field = if key.to_lowercase().contains("exten") {
                    "extension"
                } else {
                    "number"
                };
                ApiError::invalid_field(field, reason)
            }
            e => ApiError::unavailable("pbx_unavailable", e.to_string()),
        })?;
    let result = OriginateResult {
        response: response.status().to_owned(),
        message: response.message().map(str::to_owned),
    };
    if response.is_success() {
        Ok(HttpResponse::Ok().json(result))
    } else {
        Err(ApiError::new(
            actix_web::http::StatusCode::BAD_GATEWAY,
            "pbx_refused",
            result
                .message
                .clone()
                .unwrap_or_else(|| "the PBX refused the call".into()),
        )
        .with_details(serde_json::json!({ "response": result.response })))
    }
}
