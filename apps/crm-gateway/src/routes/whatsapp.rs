//! `/api/webhooks/whatsapp` (Meta's webhook: signature, not JWT) and
//! `/api/crm/whatsapp/send`.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_comms::Entry;
use serde::Deserialize;

use crate::auth::{Editor, Viewer};
use crate::channels::whatsapp::{self, SendRequest, WebhookError};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Webhook routes, outside `/api/crm` (Meta signs them; no token).
pub fn configure_webhook(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/webhooks/whatsapp")
            .route(web::get().to(verify))
            .route(web::post().to(receive)),
    );
}

/// Routes under `/api/crm`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/whatsapp/send").route(web::post().to(send)))
        .service(web::resource("/whatsapp/window").route(web::get().to(window)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowQuery {
    customer_id: uuid::Uuid,
}

/// Whether free text can reach the customer on WhatsApp now (within 24 hours of their last
/// message), or only an approved template.
#[utoipa::path(get, path = "/api/crm/whatsapp/window", tag = "whatsapp", params(WindowQuery),
    security(("bearer" = [])),
    responses((status = 200, body = whatsapp::ServiceWindow), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn window(
    _: Viewer,
    state: web::Data<AppState>,
    Query(q): Query<WindowQuery>,
) -> Result<web::Json<whatsapp::ServiceWindow>, ApiError> {
    Ok(web::Json(
        whatsapp::service_window(&state, q.customer_id).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Meta's subscription handshake: the challenge back as plain text, or 403.
#[utoipa::path(get, path = "/api/webhooks/whatsapp", tag = "whatsapp", params(Handshake),
    responses((status = 200, description = "the hub.challenge", content_type = "text/plain"),
              (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn verify(
    state: web::Data<AppState>,
    Query(h): Query<Handshake>,
) -> Result<HttpResponse, ApiError> {
    let challenge = whatsapp::handshake(
        &state,
        h.mode.as_deref(),
        h.verify_token.as_deref(),
        h.challenge.as_deref(),
    )?
    .ok_or_else(|| {
        ApiError::forbidden("the verify token does not match, or hub.mode is not subscribe")
    })?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::plaintext())
        .body(challenge.to_owned()))
}

/// A webhook from Meta: verified against `X-Hub-Signature-256`, stored durably, then
/// acknowledged; processed by a worker afterwards.
#[utoipa::path(post, path = "/api/webhooks/whatsapp", tag = "whatsapp",
    request_body(content = String, description = "Meta's webhook payload, signed", content_type = "application/json"),
    responses((status = 200, description = "stored"), (status = 401, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let signature = req
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    whatsapp::accept_webhook(&state, signature, &body)
        .await
        .map_err(|e| match e {
            WebhookError::Signature(e) => ApiError::unauthorized(e.to_string()),
            WebhookError::Channel(e) => e.into(),
        })?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "stored" })))
}

/// Send a WhatsApp message and log it as an outbound entry; its delivery state
/// (`meta.delivery`) follows from Meta's status webhooks.
#[utoipa::path(post, path = "/api/crm/whatsapp/send", tag = "whatsapp", request_body = SendRequest,
    security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 201, body = Entry), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 502, description = "WhatsApp refused it; details carry Meta's error", body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn send(
    editor: Editor,
    state: web::Data<AppState>,
    Json(req): Json<SendRequest>,
) -> Result<HttpResponse, ApiError> {
    let entry = whatsapp::send(&state, req, editor.0.subject).await?;
    Ok(HttpResponse::Created().json(entry))
}
