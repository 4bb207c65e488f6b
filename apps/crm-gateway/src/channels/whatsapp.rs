//! WhatsApp wired into the CRM: verified webhook bodies from the durable queue become comms
//! entries (matched to customers by number, else the inbox), statuses update sent entries,
//! and media are fetched from the Graph API into the customer's Nextcloud folder.
//!
//! The webhook handler only verifies and enqueues (`routes/whatsapp.rs`); everything here
//! runs in one background worker, woken by each webhook and every few seconds anyway, so a
//! restart resumes whatever a crash interrupted.

use std::time::Duration;

use actix_web::web;
use crm_comms::{Attachment, AttachmentJob, CommsType, Direction, NewEntry};
use crm_core::Timestamp;
use wa_bridge::{Event, Message};

use crm_comms::Comms as _;
use crm_customers::{ContactType, Customers as _};
use secrecy::ExposeSecret;
use serde::Deserialize;
use uuid::Uuid;

use super::{ChannelError, Integration};
use crate::integrations::WhatsApp;
use crate::state::AppState;

/// The channel name of WhatsApp bodies in the inbound queue.
pub const CHANNEL: &str = "whatsapp";
/// Who `logged_by` says an entry came from.
const LOGGED_BY: &str = "whatsapp";
/// Attachment jobs are given up after this many attempts (about a day of back-off).
const MEDIA_ATTEMPTS: u32 = 12;
/// How often the worker looks for work when nothing wakes it.
const POLL: Duration = Duration::from_secs(5);

/// Processes queued bodies and due media until `stop` (finishing the round it is in).
pub async fn run_worker(state: web::Data<AppState>, stop: crate::shutdown::Stop) {
    let Some(wake) = state.whatsapp.as_ref().map(|w| w.wake.clone()) else {
        return;
    };
    while !stop.is_stopped() {
        match process_pending(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(bodies = n, "WhatsApp webhooks processed"),
            Err(e) => tracing::error!(error = %e, "cannot read the WhatsApp queue"),
        }
        process_media(&state).await;
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            () = stop.wait() => {}
        }
    }
}

/// Turns every pending body into entries; answers how many bodies were handled.
pub async fn process_pending(state: &AppState) -> Result<usize, crm_comms::Error> {
    let mut handled = 0;
    loop {
        let batch = state.queues.pending(CHANNEL, 100).await?;
        if batch.is_empty() {
            return Ok(handled);
        }
        let mut progressed = false;
        for inbound in batch {
            match process_body(state, &inbound.body).await {
                Ok(()) => {
                    state.queues.done(inbound.id).await?;
                    progressed = true;
                }
                Err(e) => {
                    tracing::warn!(id = inbound.id, error = %e, "WhatsApp webhook not processed; will retry");
                    state.queues.failed(inbound.id, e.to_string()).await?;
                }
            }
            handled += 1;
        }
        if !progressed {
            // everything left failed this round: try again on the next wake-up
            return Ok(handled);
        }
    }
}

async fn process_body(state: &AppState, body: &[u8]) -> Result<(), ChannelError> {
    let events = wa_bridge::parse(body)?;
    for event in events {
        match event {
            Event::Message(m) => ingest_message(state, &m).await?,
            Event::Status(s) => {
                let errors = serde_json::to_value(&s.errors).unwrap_or_default();
                let at = timestamp(s.timestamp);
                state
                    .queues
                    .record_delivery(
                        CommsType::Whatsapp,
                        s.id.clone(),
                        s.status.as_str().to_owned(),
                        s.status.rank(),
                        at,
                        errors,
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

/// Meta's Unix seconds as a time; one before 1970 (or beyond what a time holds) is no time a
/// message was sent, and reads as the epoch rather than a year RFC 3339 cannot write.
fn timestamp(unix: i64) -> Timestamp {
    time::OffsetDateTime::from_unix_timestamp(unix.max(0))
        .map(Timestamp::from)
        .unwrap_or_else(|_| Timestamp::from(time::OffsetDateTime::UNIX_EPOCH))
}

/// The file name a media file is stored under.
fn media_filename(m: &Message, media: &wa_bridge::Media) -> String {
    if let Some(name) = media.filename.as_deref().filter(|n| !n.trim().is_empty()) {
        return name.replace(['/', '\\'], "_");
    }
    let ext = match media
        .mime_type
        .as_deref()
        .map(|t| t.split(';').next().unwrap_or(t).trim())
    {
        Some("image/jpeg") => "jpg",
        Some("image/png") => "png",
        Some("image/webp") => "webp",
        Some("video/mp4") => "mp4",
        Some("video/3gpp") => "3gp",
        Some("audio/ogg") => "ogg",
        Some("audio/mpeg") => "mp3",
        Some("audio/aac") => "aac",
        Some("audio/mp4") => "m4a",
        Some("application/pdf") => "pdf",
        _ => "bin",
    };
    format!("{}-{}.{ext}", m.kind_name(), media.id)
}

/// The comms entry of an inbound message.
pub fn entry_for(m: &Message) -> NewEntry {
    let mut entry = NewEntry::new(CommsType::Whatsapp, Direction::Inbound, None);
    entry.sender = Some(format!("+{}", m.from));
    entry.ext_message_id = Some(m.id.clone());
    // what arrives is kept: characters the log refuses (bidi overrides, controls) are dropped
    entry.body = m.text().map(|t| crm_core::validate::scrub_text(&t));
    entry.logged_by = Some(LOGGED_BY.to_owned());
    entry.occurred_at = Some(timestamp(m.timestamp));
    let mut meta = serde_json::Map::new();
    meta.insert("wa_type".into(), m.kind_name().into());
    meta.insert("wa_id".into(), m.from.clone().into());
    if crm_core::contact::phone(&format!("+{}", m.from)).is_some_and(|p| !p.listed) {
        // Meta vouches for the number; the phone metadata does not know its range (yet)
        meta.insert("number_unlisted".into(), true.into());
    }
    if let Some(name) = &m.profile_name {
        meta.insert("profile_name".into(), name.clone().into());
    }
    if let Some(ctx) = &m.context {
        meta.insert(
            "context".into(),
            serde_json::json!({ "id": ctx.id, "from": ctx.from, "forwarded": ctx.forwarded }),
        );
    }
    if matches!(m.kind, wa_bridge::MessageKind::Unknown { .. }) {
        // what this code cannot read is kept as received
        meta.insert("raw".into(), m.raw.clone());
    }
    if let wa_bridge::MessageKind::Reaction { message_id, .. } = &m.kind {
        meta.insert("reaction_to".into(), message_id.clone().into());
    }
    entry.meta = Some(serde_json::Value::Object(meta));
    if let Some(media) = m.media() {
        entry.attachments = vec![Attachment {
            filename: crm_core::validate::scrub_line(&media_filename(m, media)),
            nextcloud_path: None,
            mime_type: media.mime_type.clone(),
            size: None,
            source: Some(format!("whatsapp:{}", media.id)),
        }];
    }
    entry
}

async fn ingest_message(state: &AppState, m: &Message) -> Result<(), ChannelError> {
    let entry = entry_for(m);
    let attachments = entry.attachments.clone();
    let done = super::intake(state, entry).await?;
    if done.created {
        super::workflows::emit(
            state,
            "whatsapp.received",
            super::workflows::entry_data(&done.entry),
        );
    }
    // (again) on a retried body: jobs are unique per entry and source
    for a in attachments {
        if let Some(source) = a.source {
            state
                .queues
                .add_attachment_job(done.entry.id, source, Some(a.filename), a.mime_type)
                .await?;
        }
    }
    Ok(())
}

/// Fetches every due media file; failures are retried with back-off, then given up.
pub async fn process_media(state: &AppState) {
    let jobs = match state.queues.due_attachment_jobs(20).await {
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the attachment jobs");
            return;
        }
    };
    for job in jobs
        .into_iter()
        .filter(|j| j.source.starts_with("whatsapp:"))
    {
        let outcome = fetch_media(state, &job).await;
        let result = match outcome {
            Ok(stored) => state.queues.attachment_stored(job, stored).await,
            Err(e) => {
                let attempts = job.attempts + 1;
                let retry_at = (attempts < MEDIA_ATTEMPTS).then(|| {
                    let secs = 30i64.saturating_mul(1 << attempts.min(7));
                    Timestamp::from(state.clock.now().into_inner() + time::Duration::seconds(secs))
                });
                tracing::warn!(source = %job.source, attempts, error = %e, "WhatsApp media not stored");
                state
                    .queues
                    .attachment_failed(job, e.to_string(), retry_at)
                    .await
            }
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "cannot record an attachment job");
        }
    }
}

async fn fetch_media(state: &AppState, job: &AttachmentJob) -> Result<Attachment, ChannelError> {
    let wa = configured(state)?;
    // without Nextcloud the file stays at WhatsApp until it is configured
    let nc = super::files::nextcloud(state)?;
    let media_id = job.source.trim_start_matches("whatsapp:");
    let info = wa.client.media_info(media_id).await?;
    let entry = state.comms.get(job.entry_id).await?;
    let folder = match entry.customer_id {
        Some(id) => state.customers.get(id).await?.files_folder(),
        None => "Unassigned/WhatsApp".to_owned(),
    };
    let filename = job
        .filename
        .clone()
        .unwrap_or_else(|| format!("{media_id}.bin"));
    let date = &entry.occurred_at.to_string()[..10];
    let path = format!("{folder}/Received Media/{date} {filename}");
    let dav_path = nextcloud_dav::DavPath::parse(&path).map_err(nextcloud_dav::Error::from)?;
    let download = wa.client.download(&info.url).await?;
    let mime = info
        .mime_type
        .clone()
        .or(download.content_type.clone())
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut body = nextcloud_dav::UploadBody::from_stream(download.body).with_content_type(&mime);
    if let Some(len) = download.content_length {
        body = body.with_length(len);
    }
    nc.upload(&dav_path, body).await?;
    if let Some(customer_id) = entry.customer_id {
        let record = crm_comms::NewMedia {
            customer_id: Some(customer_id),
            order_id: None,
            filename: Some(format!("{date} {filename}")),
            nextcloud_path: path.clone(),
            mime_type: Some(mime.clone()),
            size: info.file_size,
            direction: crm_comms::MediaDirection::Received,
            tags: vec!["whatsapp".into()],
            uploaded_by: Some(LOGGED_BY.into()),
        };
        match state.comms.create_media(record).await {
            Ok(_) | Err(crm_comms::Error::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Attachment {
        filename,
        nextcloud_path: Some(path),
        mime_type: Some(mime),
        size: info.file_size,
        source: Some(job.source.clone()),
    })
}

/// The configured WhatsApp number.
pub fn configured(state: &AppState) -> Result<&WhatsApp, ChannelError> {
    state
        .whatsapp
        .as_ref()
        .ok_or(ChannelError::NotConfigured(Integration::WhatsApp))
}

/// Meta's subscription handshake: the challenge to answer, or `None` when the verify token
/// does not match or `hub.mode` is not `subscribe`.
pub fn handshake<'a>(
    state: &AppState,
    mode: Option<&str>,
    verify_token: Option<&str>,
    challenge: Option<&'a str>,
) -> Result<Option<&'a str>, ChannelError> {
    let wa = configured(state)?;
    Ok(wa_bridge::verify_handshake(
        mode,
        verify_token,
        challenge,
        wa.verify_token.expose_secret(),
    ))
}

/// A webhook body from Meta: its `X-Hub-Signature-256` checked over the raw bytes, then
/// stored durably and the worker woken. Only after this returns may it be acknowledged.
pub async fn accept_webhook(
    state: &AppState,
    signature: Option<&str>,
    body: &[u8],
) -> Result<(), WebhookError> {
    let wa = configured(state)?;
    wa_bridge::verify_signature(wa.app_secret.expose_secret().as_bytes(), signature, body)
        .map_err(WebhookError::Signature)?;
    state
        .queues
        .enqueue(CHANNEL, body.to_vec())
        .await
        .map_err(ChannelError::from)?;
    wa.wake.notify_one();
    Ok(())
}

/// Why a webhook was not accepted: its signature, or the channel.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error(transparent)]
    Signature(wa_bridge::Error),
    #[error(transparent)]
    Channel(#[from] ChannelError),
}

/// Largest file sent as WhatsApp media (Meta's limit for documents).
const MEDIA_MAX: u64 = 100 * 1024 * 1024;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Template {
    pub name: String,
    /// e.g. `el`, `en_US`.
    pub language: String,
    #[serde(default)]
    pub parameters: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MediaToSend {
    /// A file in Nextcloud, relative to the base folder.
    pub nextcloud_path: String,
    #[serde(default)]
    pub caption: Option<String>,
}

/// One of `text`, `template` or `media`, to a customer (their WhatsApp, else phone contact)
/// or a number. (Named apart from the e-mail `SendRequest` in the API document.)
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = WhatsAppSendRequest)]
pub struct SendRequest {
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// A number in any common form; needed without `customer_id`.
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub template: Option<Template>,
    #[serde(default)]
    pub media: Option<MediaToSend>,
}

/// The number to send to, and the customer it belongs to.
async fn recipient(
    state: &AppState,
    req: &SendRequest,
) -> Result<(String, Option<Uuid>), ChannelError> {
    if let Some(id) = req.customer_id {
        let c = super::referenced_customer(state, id).await?;
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
                ChannelError::invalid(
                    "customer_id",
                    "the customer has no WhatsApp or phone number",
                )
            })?;
        return Ok((number, Some(id)));
    }
    let to = req
        .to
        .as_deref()
        .ok_or_else(|| ChannelError::invalid("to", "give customer_id or to"))?;
    // a number the phone metadata does not list (a new range) is still sent to: Meta knows
    let number = crm_core::contact::phone_e164(to)
        .ok_or_else(|| ChannelError::invalid("to", format!("`{to}` is not a phone number")))?;
    let customer = state
        .customers
        .find_by_contact(&number)
        .await?
        .map(|c| c.id);
    Ok((number, customer))
}

/// Sends a WhatsApp message and logs it as an outbound entry; its delivery state
/// (`meta.delivery`) follows from Meta's status webhooks.
/// How long after a customer's last message a business may write freely (Meta's customer
/// service window); after it only approved templates go out.
pub const SERVICE_WINDOW: time::Duration = time::Duration::hours(24);

/// Whether free text can reach a customer on WhatsApp now.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceWindow {
    /// True within 24 hours of the customer's last WhatsApp message: text and media can be
    /// sent. False: only an approved template (Meta refuses anything else).
    pub open: bool,
    /// When the customer last wrote on WhatsApp, if ever.
    pub last_inbound_at: Option<crm_core::Timestamp>,
    /// When the window closes (or closed).
    pub closes_at: Option<crm_core::Timestamp>,
}

/// The customer's WhatsApp service window as of now, from their last inbound message in the
/// comms log. Needs no WhatsApp configuration: it reads only the log.
pub async fn service_window(
    state: &AppState,
    customer_id: Uuid,
) -> Result<ServiceWindow, ChannelError> {
    super::referenced_customer(state, customer_id).await?;
    let mut query = crm_comms::ListQuery::customer(customer_id);
    query.kind = Some(CommsType::Whatsapp);
    query.direction = Some(Direction::Inbound);
    query.limit = Some(1);
    let last = state.comms.list(query).await?.items.into_iter().next();
    let last_inbound_at = last.map(|e| e.occurred_at);
    let closes_at = last_inbound_at.and_then(|at| {
        at.into_inner()
            .checked_add(SERVICE_WINDOW)
            .map(crm_core::Timestamp::from)
    });
    Ok(ServiceWindow {
        open: closes_at.is_some_and(|c| state.clock.now() < c),
        last_inbound_at,
        closes_at,
    })
}

pub async fn send(
    state: &AppState,
    req: SendRequest,
    logged_by: String,
) -> Result<crm_comms::Entry, ChannelError> {
    let wa = configured(state)?;
    let (to, customer_id) = recipient(state, &req).await?;
    let mut entry = NewEntry::new(CommsType::Whatsapp, Direction::Outbound, customer_id);
    entry.sender = customer_id.is_none().then(|| to.clone());
    entry.logged_by = Some(logged_by);
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
            let (media_id, kind, filename, mime) = upload_from_nextcloud(state, wa, m).await?;
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
            return Err(ChannelError::invalid(
                "text",
                "give exactly one of text, template or media",
            ));
        }
    };
    let sent = wa.client.send(&outbound).await?;
    entry.ext_message_id = Some(sent.message_id);
    Ok(super::intake(state, entry).await?.entry)
}

/// Fetches a Nextcloud file and uploads it to WhatsApp: (media id, kind, file name, type).
async fn upload_from_nextcloud(
    state: &AppState,
    wa: &WhatsApp,
    m: &MediaToSend,
) -> Result<(String, String, String, String), ChannelError> {
    let (path, bytes, mime) = super::files::read_file(
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
        .await?;
    Ok((media_id, kind, filename, mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_before_1970_read_as_the_epoch() {
        assert_eq!(
            timestamp(-62_000_000_000).to_string(),
            "1970-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            timestamp(1_764_324_000).to_string(),
            "2025-11-28T10:00:00.000000Z"
        );
    }
}
