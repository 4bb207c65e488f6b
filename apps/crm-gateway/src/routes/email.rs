//! `/api/crm/email/*`: write to a customer, see how the mailboxes' sync stands, and sync now.

use actix_web::{HttpResponse, web};
use crm_comms::Entry;
use crm_customers::Customers as _;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Editor, Viewer};
use crate::error::{ApiError, ErrorBody, referenced_customer};
use crate::extract::Json;
use crate::mail::{FolderReport, Mail, Outgoing, SendError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/email/send").route(web::post().to(send)))
        .service(web::resource("/email/status").route(web::get().to(status)))
        .service(web::resource("/email/sync").route(web::post().to(sync)));
}

fn configured(state: &AppState) -> Result<&Mail, ApiError> {
    state.mail.as_ref().ok_or_else(|| {
        ApiError::unavailable(
            "email_not_configured",
            "e-mail is not configured (CRM_IMAP_HOST, CRM_IMAP_USER, CRM_IMAP_PASSWORD; CRM_SMTP_HOST, CRM_SMTP_FROM)",
        )
    })
}

/// An e-mail to write.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// The customer it is logged for.
    customer_id: Uuid,
    /// Recipients (`a@b` or `Name <a@b>`), at least one.
    to: Vec<String>,
    #[serde(default)]
    cc: Vec<String>,
    subject: String,
    /// Plain text body; give it, `html`, or both.
    text: Option<String>,
    html: Option<String>,
    /// Files to attach, as Nextcloud paths.
    #[serde(default)]
    attachments: Vec<String>,
    /// The Message-ID (without angle brackets) of the mail this answers.
    in_reply_to: Option<String>,
    /// The account to send from (default: the first that can send).
    account: Option<String>,
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

fn mail_error(e: SendError) -> ApiError {
    match e {
        SendError::Comms(e) => e.into(),
        SendError::Mail(mail_bridge::Error::Invalid { field, reason }) => {
            ApiError::invalid_field(field, reason)
        }
        SendError::Mail(mail_bridge::Error::SmtpRejected {
            code,
            message,
            transient,
        }) => ApiError::new(
            actix_web::http::StatusCode::BAD_GATEWAY,
            "smtp_rejected",
            format!("the mail server refused the mail: {code} {message}"),
        )
        .with_details(
            serde_json::json!({ "code": code, "reply": message, "transient": transient }),
        ),
        SendError::Mail(e) => ApiError::unavailable(
            "smtp_unavailable",
            format!("the mail server cannot be reached: {e}"),
        ),
    }
}

/// Send an e-mail to a customer through SMTP, log it as an outbound entry, and put a copy
/// in the Sent folder (so the next sync does not log it twice).
#[utoipa::path(post, path = "/api/crm/email/send", tag = "email", request_body = SendRequest,
    security(("bearer" = [])),
    responses((status = 201, body = SendResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, description = "an invalid address, an unknown customer or attachment", body = ErrorBody),
              (status = 502, description = "the SMTP server refused the mail; `details.reply` is its answer", body = ErrorBody),
              (status = 503, description = "e-mail not configured, or the SMTP server unreachable", body = ErrorBody)))]
pub async fn send(
    editor: Editor,
    state: web::Data<AppState>,
    Json(req): Json<SendRequest>,
) -> Result<HttpResponse, ApiError> {
    let mail = configured(&state)?;
    let account = mail
        .sender(req.account.as_deref())
        .ok_or_else(|| match &req.account {
            Some(name) => {
                ApiError::invalid_field("account", format!("no e-mail account is named {name:?}"))
            }
            None => ApiError::unavailable(
                "email_not_configured",
                "no e-mail account can send (CRM_SMTP_HOST, CRM_SMTP_FROM)",
            ),
        })?;
    let (Some(smtp), Some(from)) = (&account.smtp, &account.from) else {
        return Err(ApiError::unavailable(
            "email_not_configured",
            format!("the e-mail account {:?} has no SMTP server", account.name),
        ));
    };
    if req.to.iter().all(|t| t.trim().is_empty()) {
        return Err(ApiError::invalid_field("to", "give at least one recipient"));
    }
    if req.subject.trim().is_empty() {
        return Err(ApiError::invalid_field("subject", "must not be empty"));
    }
    if req.text.as_deref().is_none_or(|t| t.trim().is_empty())
        && req.html.as_deref().is_none_or(|t| t.trim().is_empty())
    {
        return Err(ApiError::invalid_field(
            "text",
            "give a text or an html body",
        ));
    }
    state
        .customers
        .get(req.customer_id)
        .await
        .map_err(referenced_customer)?;
    let mut attachments = Vec::new();
    let mut left = mail.max_attachment_bytes;
    for (i, raw) in req.attachments.iter().enumerate() {
        let field = format!("attachments[{i}]");
        let too_big = format!(
            "the attachments are larger than {} MB together",
            mail.max_attachment_bytes >> 20
        );
        let (path, bytes, mime) =
            crate::routes::nextcloud::read_file(&state, &field, raw, left, &too_big).await?;
        left -= bytes.len() as u64;
        attachments.push((
            path.as_str().to_owned(),
            mail_bridge::OutgoingAttachment {
                filename: path.name().unwrap_or("file").to_owned(),
                content_type: mime,
                data: bytes.into(),
                content_id: None,
            },
        ));
    }
    let out = Outgoing {
        customer_id: req.customer_id,
        to: req.to,
        cc: req.cc,
        subject: req.subject,
        text: req.text,
        html: req.html,
        attachments,
        in_reply_to: req
            .in_reply_to
            .map(|id| id.trim().trim_matches(['<', '>']).to_owned()),
        sent_by: editor.0.subject,
    };
    let sent = crate::mail::send(&state, mail, account, from, smtp, out)
        .await
        .map_err(mail_error)?;
    Ok(HttpResponse::Created().json(SendResponse {
        entry: sent.entry,
        message_id: sent.message_id,
        sent_folder: sent.sent_folder,
        warning: sent.warning,
    }))
}

/// An account and how each of its folders stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountStatus {
    name: String,
    /// Whether the account reads mail (IMAP) and can send (SMTP).
    imap: bool,
    smtp: bool,
    folders: Vec<crm_comms::mail::MailFolderStatus>,
}

/// How every followed folder stands: last sync, last UID, messages on the server and stored,
/// gaps found and repaired by reconciliation, the last error.
#[utoipa::path(get, path = "/api/crm/email/status", tag = "email", security(("bearer" = [])),
    responses((status = 200, body = Vec<AccountStatus>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn status(_: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mail = configured(&state)?;
    let mut known = mail.ledger.status().await?;
    let accounts: Vec<AccountStatus> = mail
        .accounts
        .iter()
        .map(|a| AccountStatus {
            name: a.name.clone(),
            imap: a.imap.is_some(),
            smtp: a.smtp.is_some(),
            folders: a
                .folders
                .iter()
                .map(|f| {
                    match known
                        .iter()
                        .position(|s| s.account == a.name && s.folder == f.name)
                    {
                        Some(i) => known.swap_remove(i),
                        None => crm_comms::mail::MailFolderStatus::never_synced(&a.name, &f.name),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(accounts))
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
    responses((status = 200, body = Vec<FolderReport>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn sync(
    _: Editor,
    state: web::Data<AppState>,
    Json(body): Json<SyncRequest>,
) -> Result<HttpResponse, ApiError> {
    configured(&state)?;
    let verify = body.verify;
    let reports = crate::mail::pass_all(&state, verify, &|_, _| {}).await;
    Ok(HttpResponse::Ok().json(reports))
}
