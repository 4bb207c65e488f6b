//! Mail written in the CRM: checked, sent over the account's SMTP server with files from
//! Nextcloud attached, logged as an outbound entry, and appended to the Sent folder.

use crm_comms::{Comms as _, CommsType, Direction, Entry, NewEntry};
use crm_core::Timestamp;
use crm_orders::document::Kind;
use mail_bridge::ImapSession;
use serde::Deserialize;
use uuid::Uuid;

use super::subject_and_body;
use crate::channels::{ChannelError, Integration, documents, referenced_customer};
use crate::integrations::{Account, Mail};
use crate::state::AppState;

/// An e-mail to write.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// The customer it is logged for.
    pub customer_id: Uuid,
    /// Recipients (`a@b` or `Name <a@b>`), at least one.
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    pub subject: String,
    /// Plain text body; give it, `html`, or both.
    pub text: Option<String>,
    pub html: Option<String>,
    /// Files to attach, as Nextcloud paths.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Documents of the customer's orders to print and attach (PDF).
    #[serde(default)]
    pub order_documents: Vec<OrderDocument>,
    /// The Message-ID (without angle brackets) of the mail this answers.
    pub in_reply_to: Option<String>,
    /// The account to send from (default: the first that can send).
    pub account: Option<String>,
}

/// An order's quotation or confirmation to attach.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderDocument {
    /// An order of the customer the mail is for.
    pub order_id: Uuid,
    /// Default: a quotation for a draft, else a confirmation.
    #[serde(default)]
    pub kind: Option<Kind>,
}

/// What the CRM asks to send.
#[derive(Debug, Clone)]
struct Outgoing {
    /// `None`: to an address that is no customer's (the entry's sender is then the recipient).
    pub customer_id: Option<Uuid>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
    /// Each with the Nextcloud path it came from, if it came from Nextcloud.
    pub attachments: Vec<(Option<String>, mail_bridge::OutgoingAttachment)>,
    pub in_reply_to: Option<String>,
    pub sent_by: String,
}

/// What sending did: the logged entry, and whether the copy reached the Sent folder.
#[derive(Debug)]
pub struct SentMail {
    pub entry: Entry,
    pub message_id: String,
    pub sent_folder: Option<String>,
    pub warning: Option<String>,
}

/// Sends an e-mail to a customer through SMTP, with files from Nextcloud attached; see
/// [`deliver`].
pub async fn send(
    state: &AppState,
    req: SendRequest,
    sent_by: String,
) -> Result<SentMail, ChannelError> {
    let mail = super::configured(state)?;
    let (account, from, smtp) = sending_account(mail, req.account.as_deref())?;
    if req.to.iter().all(|t| t.trim().is_empty()) {
        return Err(ChannelError::invalid("to", "give at least one recipient"));
    }
    if req.subject.trim().is_empty() {
        return Err(ChannelError::invalid("subject", "must not be empty"));
    }
    if req.text.as_deref().is_none_or(|t| t.trim().is_empty())
        && req.html.as_deref().is_none_or(|t| t.trim().is_empty())
    {
        return Err(ChannelError::invalid("text", "give a text or an html body"));
    }
    referenced_customer(state, req.customer_id).await?;
    let mut attachments = Vec::new();
    let mut left = mail.max_attachment_bytes;
    for (i, raw) in req.attachments.iter().enumerate() {
        let field = format!("attachments[{i}]");
        let too_big = format!(
            "the attachments are larger than {} MB together",
            mail.max_attachment_bytes >> 20
        );
        let (path, bytes, mime) =
            super::super::files::read_file(state, &field, raw, left, &too_big).await?;
        left -= bytes.len() as u64;
        attachments.push((
            Some(path.as_str().to_owned()),
            mail_bridge::OutgoingAttachment {
                filename: path.name().unwrap_or("file").to_owned(),
                content_type: mime,
                data: bytes.into(),
                content_id: None,
            },
        ));
    }
    for (i, wanted) in req.order_documents.iter().enumerate() {
        let field = format!("order_documents[{i}].order_id");
        let doc = match documents::order_document(state, wanted.order_id, wanted.kind).await {
            Err(ChannelError::Domain(crm_core::Error::NotFound { .. })) => {
                return Err(ChannelError::invalid(field, "no such order"));
            }
            other => other?,
        };
        if doc.order.customer_id != req.customer_id {
            return Err(ChannelError::invalid(
                field,
                "the order belongs to another customer",
            ));
        }
        let size = doc.pdf.len() as u64;
        if size > left {
            return Err(ChannelError::invalid(
                field,
                format!(
                    "the attachments are larger than {} MB together",
                    mail.max_attachment_bytes >> 20
                ),
            ));
        }
        left -= size;
        attachments.push((
            None,
            mail_bridge::OutgoingAttachment {
                filename: doc.file_name,
                content_type: "application/pdf".into(),
                data: doc.pdf.into(),
                content_id: None,
            },
        ));
    }
    let out = Outgoing {
        customer_id: Some(req.customer_id),
        to: req.to,
        cc: req.cc,
        subject: req.subject,
        text: req.text,
        html: req.html,
        attachments,
        in_reply_to: req
            .in_reply_to
            .map(|id| id.trim().trim_matches(['<', '>']).to_owned()),
        sent_by,
    };
    deliver(state, mail, account, from, smtp, out).await
}

/// The account that sends (`name`, or the first that can), its From address and SMTP server.
fn sending_account<'m>(
    mail: &'m Mail,
    name: Option<&str>,
) -> Result<(&'m Account, &'m str, &'m mail_bridge::SmtpClient), ChannelError> {
    let account = mail.sender(name).ok_or_else(|| match name {
        Some(name) => {
            ChannelError::invalid("account", format!("no e-mail account is named {name:?}"))
        }
        None => ChannelError::Incomplete {
            integration: Integration::Mail,
            what: "no e-mail account can send (CRM_SMTP_HOST, CRM_SMTP_FROM)".into(),
        },
    })?;
    let (Some(smtp), Some(from)) = (&account.smtp, &account.from) else {
        return Err(ChannelError::Incomplete {
            integration: Integration::Mail,
            what: format!("the e-mail account {:?} has no SMTP server", account.name),
        });
    };
    Ok((account, from, smtp))
}

/// A plain-text e-mail without attachments (what a workflow sends) to `to`, logged for
/// `customer_id` — or, for an address that is no customer's, for nobody, with the address as
/// the entry's sender. Checked, sent, logged and copied to Sent as [`send`] does.
pub async fn send_text(
    state: &AppState,
    customer_id: Option<Uuid>,
    to: String,
    subject: String,
    text: String,
    account: Option<&str>,
    sent_by: String,
) -> Result<SentMail, ChannelError> {
    let mail = super::configured(state)?;
    let (account, from, smtp) = sending_account(mail, account)?;
    if to.trim().is_empty() {
        return Err(ChannelError::invalid("to", "give a recipient"));
    }
    if subject.trim().is_empty() {
        return Err(ChannelError::invalid("subject", "must not be empty"));
    }
    if text.trim().is_empty() {
        return Err(ChannelError::invalid("body", "must not be empty"));
    }
    if let Some(id) = customer_id {
        referenced_customer(state, id).await?;
    }
    let out = Outgoing {
        customer_id,
        to: vec![to],
        cc: Vec::new(),
        subject,
        text: Some(text),
        html: None,
        attachments: Vec::new(),
        in_reply_to: None,
        sent_by,
    };
    deliver(state, mail, account, from, smtp, out).await
}

/// Sends through the account's SMTP server, logs the outbound entry, and appends the exact
/// bytes to the Sent folder (recorded in the ledger, so the next sync knows them).
async fn deliver(
    state: &AppState,
    mail: &Mail,
    account: &Account,
    from: &str,
    smtp: &mail_bridge::SmtpClient,
    out: Outgoing,
) -> Result<SentMail, ChannelError> {
    let now = state.clock.now();
    let outgoing = mail_bridge::OutgoingMail {
        from: from.to_owned(),
        to: out.to.clone(),
        cc: out.cc.clone(),
        bcc: Vec::new(),
        reply_to: None,
        subject: out.subject.clone(),
        text: out.text.clone(),
        html: out.html.clone(),
        attachments: out.attachments.iter().map(|(_, a)| a.clone()).collect(),
        in_reply_to: out.in_reply_to.clone(),
        references: out.in_reply_to.iter().cloned().collect(),
        date: now.into_inner(),
        message_id: None,
    };
    let sent = smtp.send(&outgoing).await?;
    let mut entry = NewEntry::new(CommsType::Email, Direction::Outbound, out.customer_id);
    if out.customer_id.is_none() {
        entry.sender = out.to.first().cloned();
    }
    entry.ext_message_id = Some(sent.message_id.clone());
    let (subject, body, subject_in_body) = subject_and_body(
        Some(&out.subject),
        out.text.as_deref().or(out.html.as_deref()),
    );
    entry.subject = subject;
    entry.body = body;
    entry.logged_by = Some(out.sent_by.clone());
    entry.occurred_at = Some(now);
    entry.attachments = out
        .attachments
        .iter()
        .map(|(path, a)| crm_comms::Attachment {
            filename: a.filename.clone(),
            nextcloud_path: path.clone(),
            mime_type: Some(a.content_type.clone()),
            size: Some(a.data.len() as u64),
            source: None,
        })
        .collect();
    entry.meta = Some(serde_json::json!({
        "message_id": sent.message_id,
        "in_reply_to": out.in_reply_to,
        "thread": out.in_reply_to.clone().unwrap_or_else(|| sent.message_id.clone()),
        "from": from,
        "to": out.to,
        "cc": out.cc,
        "account": account.name,
        "smtp_reply": sent.server_reply,
    }));
    if let (Some(chars), Some(meta)) = (subject_in_body, entry.meta.as_mut()) {
        meta["subject_in_body"] = true.into();
        meta["subject_chars"] = chars.into();
    }
    let logged = state.comms.ingest(entry).await?;
    let key = sent.message_id.clone();
    let (sent_folder, warning) = match append_to_sent(mail, account, &sent.raw, now, &key).await {
        Ok(folder) => (folder, None),
        Err(e) => {
            tracing::warn!(account = %account.name, error = %e, "sent mail not copied to the Sent folder");
            (
                None,
                Some(format!(
                    "sent and logged, but not copied to the Sent folder: {e}"
                )),
            )
        }
    };
    Ok(SentMail {
        entry: logged.entry,
        message_id: sent.message_id,
        sent_folder,
        warning,
    })
}

async fn append_to_sent(
    mail: &Mail,
    account: &Account,
    raw: &[u8],
    now: Timestamp,
    key: &str,
) -> Result<Option<String>, String> {
    let (Some(imap), Some(folder)) = (&account.imap, account.sent_folder()) else {
        return Ok(None);
    };
    let mut session = ImapSession::connect(imap)
        .await
        .map_err(|e| e.to_string())?;
    let status = session
        .status(&folder.name)
        .await
        .map_err(|e| e.to_string())?;
    let uid = session
        .append(&folder.name, raw, true, Some(now.into_inner()))
        .await
        .map_err(|e| e.to_string())?;
    // without UIDPLUS the next sync meets the message, and its entry is found by Message-ID
    if let Some(uid) = uid {
        mail.ledger
            .record_message(&account.name, &folder.name, status.uidvalidity, uid, key)
            .await
            .map_err(|e| e.to_string())?;
    }
    let _ = session.logout().await;
    Ok(Some(folder.name.clone()))
}
