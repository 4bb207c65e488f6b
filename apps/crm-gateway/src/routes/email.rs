//! `/api/crm/email/*`: write to a customer, see how the mailboxes' sync stands, and sync now.

use actix_web::{HttpResponse, web};
use crm_comms::Entry;
use serde::{Deserialize, Serialize};

use crate::auth::{Editor, Viewer};
use crate::channels::mail::{self, AccountStatus, FolderReport, SendRequest};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/email/send").route(web::post().to(send)))
        .service(web::resource("/email/status").route(web::get().to(status)))
        .service(web::resource("/email/sync").route(web::post().to(sync)));
}

/// A sent e-mail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SendResponse {
    /// The outbound entry it was logged as.
    entry: Entry,
    message_id: String,
    /// The folder the copy was appended to, if any.
    sent_folder: Option<String>,
    /// Set when the mail went out but something after it did not work.
    warning: Option<String>,
}

/// Send an e-mail to a customer through SMTP, log it as an outbound entry, and put a copy
/// in the Sent folder (so the next sync does not log it twice).
#[utoipa::path(post, path = "/api/crm/email/send", tag = "email", request_body = SendRequest,
    security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 201, body = SendResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, description = "an invalid address, an unknown customer or attachment", body = ErrorBody),
              (status = 502, description = "the SMTP server refused the mail; `details.reply` is its answer", body = ErrorBody),
              (status = 503, description = "e-mail not configured, or the SMTP server unreachable", body = ErrorBody)))]
pub async fn send(
    editor: Editor,
    state: web::Data<AppState>,
    Json(req): Json<SendRequest>,
) -> Result<HttpResponse, ApiError> {
    let sent = mail::send(&state, req, editor.0.subject).await?;
    Ok(HttpResponse::Created().json(SendResponse {
        entry: sent.entry,
        message_id: sent.message_id,
        sent_folder: sent.sent_folder,
        warning: sent.warning,
    }))
}

/// How every followed folder stands: last sync, last UID, messages on the server and stored,
/// gaps found and repaired by reconciliation, the last error.
#[utoipa::path(get, path = "/api/crm/email/status", tag = "email", security(("bearer" = [])),
    responses((status = 200, body = Vec<AccountStatus>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn status(_: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(mail::status(&state).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// Also compare every message on the server with what the CRM holds, and fetch what is
    /// missing (slower: lists the whole folder).
    #[serde(default)]
    verify: bool,
}

/// Sync every account now (as the background task does), optionally with reconciliation.
#[utoipa::path(post, path = "/api/crm/email/sync", tag = "email", request_body = SyncRequest,
    security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 200, body = Vec<FolderReport>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn sync(
    _: Editor,
    state: web::Data<AppState>,
    Json(body): Json<SyncRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(mail::sync_now(&state, body.verify).await?))
}
