//! `/api/webhooks/whatsapp` (Meta's webhook: signature, not JWT) and
//! `/api/crm/whatsapp/send`.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_comms::{Attachment, CommsType, Direction, Entry, NewEntry};
use crm_customers::{ContactType, Customers as _};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Editor;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::whatsapp::{CHANNEL, WhatsApp};

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
    cfg.service(web::resource("/whatsapp/send").route(web::post().to(send)));
}

/// Largest file sent as WhatsApp media (Meta's limit for documents).
const MEDIA_MAX: u64 = 100 * 1024 * 1024;

fn configured(state: &AppState) -> Result<&WhatsApp, ApiError> {
    state.whatsapp.as_ref().ok_or_else(|| {
        ApiError::unavailable(
            "whatsapp_not_configured",
            "WhatsApp is not configured (CRM_WA_PHONE_NUMBER_ID, CRM_WA_ACCESS_TOKEN, CRM_WA_APP_SECRET, CRM_WA_VERIFY_TOKEN)",
        )
    })
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
    let wa = configured(&state)?;
    match wa_bridge::verify_handshake(
        h.mode.as_deref(),
        h.verify_token.as_deref(),
        h.challenge.as_deref(),
        wa.verify_token.expose(),
    ) {
        Some(challenge) => Ok(HttpResponse::Ok()
            .content_type(ContentType::plaintext())
            .body(challenge.to_owned())),
        None => Err(ApiError::forbidden(
            "the verify token does not match, or hub.mode is not subscribe",
        )),
    }
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
    let wa = configured(&state)?;
    let signature = req
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    wa_bridge::verify_signature(wa.app_secret.expose().as_bytes(), signature, &body)
        .map_err(|e| ApiError::unauthorized(e.to_string()))?;
    state.queues.enqueue(CHANNEL, body.to_vec()).await?;
    wa.wake.notify_one();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "stored" })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Template {
    name: String,
    /// e.g. `el`, `en_US`.
    language: String,
    #[serde(default)]
    parameters: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MediaToSend {
    /// A file in Nextcloud, relative to the base folder.
    nextcloud_path: String,
    #[serde(default)]
    caption: Option<String>,
}

/// One of `text`, `template` or `media`, to a customer (their WhatsApp, else phone contact)
/// or a number.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SendRequest {
    #[serde(default)]
    customer_id: Option<Uuid>,
    /// A number in any common form; needed without `customer_id`.
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    template: Option<Template>,
    #[serde(default)]
    media: Option<MediaToSend>,
}

/// The number to send to, and the customer it belongs to.
async fn recipient(
    state: &AppState,
    req: &SendRequest,
) -> Result<(String, Option<Uuid>), ApiError> {
    if let Some(id) = req.customer_id {
        let c = state
            .customers
            .get(id)
            .await
            .map_err(crate::error::referenced_customer)?;
        let number = req
            .to
            .as_deref()
            .and_then(crm_core::contact::phone_e164)
            .or_else(|| {
                let of = |kind: ContactType| {
                    c.contacts
                        .iter()
                        .find(|k| k.kind == kind)
                        .and_then(|k| k.e164.clone())
                };
                of(ContactType::Whatsapp).or_else(|| of(ContactType::Phone))
            })
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "customer_id",
                    "the customer has no WhatsApp or phone number",
                )
            })?;
        return Ok((number, Some(id)));
    }
    let to = req
        .to
        .as_deref()
        .ok_or_else(|| ApiError::invalid_field("to", "give customer_id or to"))?;
    let number = crm_core::contact::phone_e164(to)
        .ok_or_else(|| ApiError::invalid_field("to", format!("`{to}` is not a phone number")))?;
    let customer = state
        .customers
        .find_by_contact(&number)
        .await?
        .map(|c| c.id);
    Ok((number, customer))
}

fn graph_error(e: wa_bridge::Error) -> ApiError {
    match e {
        wa_bridge::Error::Invalid { field, reason } => ApiError::invalid_field(field, reason),
        wa_bridge::Error::Graph { status, error } => ApiError::new(
            actix_web::http::StatusCode::BAD_GATEWAY,
            "whatsapp_refused",
            format!("WhatsApp refused the message: {}", error.message),
        )
        .with_details(serde_json::json!({ "status": status, "error": error })),
        e @ (wa_bridge::Error::Unreachable(_) | wa_bridge::Error::Protocol { .. }) => {
            ApiError::unavailable("whatsapp_unavailable", e.to_string())
        }
        e => ApiError::internal(e),
    }
}

/// Send a WhatsApp message and log it as an outbound entry; its delivery state
/// (`meta.delivery`) follows from Meta's status webhooks.
#[utoipa::path(post, path = "/api/crm/whatsapp/send", tag = "whatsapp", request_body = SendRequest,
    security(("bearer" = [])),
    responses((status = 201, body = Entry), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 502, description = "WhatsApp refused it; details carry Meta's error", body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn send(
    editor: Editor,
    state: web::Data<AppState>,
    Json(req): Json<SendRequest>,
) -> Result<HttpResponse, ApiError> {
    let wa = configured(&state)?;
    let (to, customer_id) = recipient(&state, &req).await?;
    let mut entry = NewEntry::new(CommsType::Whatsapp, Direction::Outbound, customer_id);
    entry.sender = customer_id.is_none().then(|| to.clone());
    entry.logged_by = Some(editor.0.subject);
    let outbound = match (&req.text, &req.template, &req.media) {
        (Some(text), None, None) => {
            entry.body = Some(text.clone());
            wa_bridge::Outbound::Text {
                to: to.clone(),
                body: text.clone(),
            }
        }
        (None, Some(t), None) => {
            entry.subject = Some(format!("Template {}", t.name));
            entry.body = Some(t.parameters.join(" · "));
            entry.meta = Some(serde_json::json!({ "template": t.name, "language": t.language }));
            wa_bridge::Outbound::Template {
                to: to.clone(),
                name: t.name.clone(),
                language: t.language.clone(),
                parameters: t.parameters.clone(),
            }
        }
        (None, None, Some(m)) => {
            let (media_id, kind, filename, mime) = upload_from_nextcloud(&state, wa, m).await?;
            entry.body = m.caption.clone();
            entry.attachments = vec![Attachment {
                filename: filename.clone(),
                nextcloud_path: Some(m.nextcloud_path.clone()),
                mime_type: Some(mime),
                size: None,
                source: None,
            }];
            wa_bridge::Outbound::Media {
                to: to.clone(),
                kind,
                media_id,
                caption: m.caption.clone(),
                filename: Some(filename),
            }
        }
        _ => {
            return Err(ApiError::invalid_field(
                "text",
                "give exactly one of text, template or media",
            ));
        }
    };
    let sent = wa.client.send(&outbound).await.map_err(graph_error)?;
    entry.ext_message_id = Some(sent.message_id);
    let done = crate::routes::comms::intake(&state, entry).await?;
    Ok(HttpResponse::Created().json(done.entry))
}

/// Fetches a Nextcloud file and uploads it to WhatsApp: (media id, kind, file name, type).
async fn upload_from_nextcloud(
    state: &AppState,
    wa: &WhatsApp,
    m: &MediaToSend,
) -> Result<(String, String, String, String), ApiError> {
    let (path, bytes, mime) = crate::routes::nextcloud::read_file(
        state,
        "media.nextcloud_path",
        &m.nextcloud_path,
        MEDIA_MAX,
        "the file is larger than WhatsApp accepts (100 MB)",
    )
    .await?;
    let filename = path.name().unwrap_or("file").to_owned();
    let kind = match mime.split('/').next() {
        Some("image") if mime != "image/webp" => "image",
        Some("image") => "sticker",
        Some("video") => "video",
        Some("audio") => "audio",
        _ => "document",
    }
    .to_owned();
    let media_id = wa
        .client
        .upload_media(bytes.into(), &mime, &filename)
        .await
        .map_err(graph_error)?;
    Ok((media_id, kind, filename, mime))
}
