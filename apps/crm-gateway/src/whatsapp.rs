//! WhatsApp wired into the CRM: verified webhook bodies from the durable queue become comms
//! entries (matched to customers by number, else the inbox), statuses update sent entries,
//! and media are fetched from the Graph API into the customer's Nextcloud folder.
//!
//! The webhook handler only verifies and enqueues (`routes/whatsapp.rs`); everything here
//! runs in one background worker, woken by each webhook and every few seconds anyway, so a
//! restart resumes whatever a crash interrupted.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use crm_comms::{Attachment, AttachmentJob, CommsType, Direction, NewEntry};
use crm_core::Timestamp;
use tokio::sync::Notify;
use wa_bridge::{Event, Message};

use crate::AppState;
use crate::config::Secret;

/// The channel name of WhatsApp bodies in the inbound queue.
pub const CHANNEL: &str = "whatsapp";
/// Who `logged_by` says an entry came from.
const LOGGED_BY: &str = "whatsapp";
/// Attachment jobs are given up after this many attempts (about a day of back-off).
const MEDIA_ATTEMPTS: u32 = 12;
/// How often the worker looks for work when nothing wakes it.
const POLL: Duration = Duration::from_secs(5);

/// The configured WhatsApp Business number.
#[derive(Debug)]
pub struct WhatsApp {
    pub client: wa_bridge::Client,
    pub app_secret: Secret,
    pub verify_token: Secret,
    /// Wakes the worker when a webhook was stored.
    pub wake: Arc<Notify>,
}

/// Processes queued bodies and due media until the process ends.
pub async fn run_worker(state: web::Data<AppState>) {
    let Some(wake) = state.whatsapp.as_ref().map(|w| w.wake.clone()) else {
        return;
    };
    loop {
        match process_pending(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(bodies = n, "WhatsApp webhooks processed"),
            Err(e) => tracing::error!(error = %e, "cannot read the WhatsApp queue"),
        }
        process_media(&state).await;
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
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
                    state.queues.failed(inbound.id, e).await?;
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

async fn process_body(state: &AppState, body: &[u8]) -> Result<(), String> {
    let events = wa_bridge::parse(body).map_err(|e| e.to_string())?;
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
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

fn timestamp(unix: i64) -> Timestamp {
    time::OffsetDateTime::from_unix_timestamp(unix)
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
    entry.body = m.text();
    entry.logged_by = Some(LOGGED_BY.to_owned());
    entry.occurred_at = Some(timestamp(m.timestamp));
    let mut meta = serde_json::Map::new();
    meta.insert("wa_type".into(), m.kind_name().into());
    meta.insert("wa_id".into(), m.from.clone().into());
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
            filename: media_filename(m, media),
            nextcloud_path: None,
            mime_type: media.mime_type.clone(),
            size: None,
            source: Some(format!("whatsapp:{}", media.id)),
        }];
    }
    entry
}

async fn ingest_message(state: &AppState, m: &Message) -> Result<(), String> {
    let entry = entry_for(m);
    let attachments = entry.attachments.clone();
    let done = crate::routes::comms::intake(state, entry)
        .await
        .map_err(|e| e.to_string())?;
    // (again) on a retried body: jobs are unique per entry and source
    for a in attachments {
        if let Some(source) = a.source {
            state
                .queues
                .add_attachment_job(done.entry.id, source, Some(a.filename), a.mime_type)
                .await
                .map_err(|e| e.to_string())?;
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
                state.queues.attachment_failed(job, e, retry_at).await
            }
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "cannot record an attachment job");
        }
    }
}

/// The folder a customer's files live in.
pub fn customer_folder(customer: &crm_customers::Customer) -> String {
    match customer.nextcloud_folder.as_deref().map(str::trim) {
        Some(folder) if !folder.is_empty() => folder.trim_matches('/').to_owned(),
        _ => format!(
            "Customers/{}",
            customer.name.replace(['/', '\\'], "-").trim()
        ),
    }
}

async fn fetch_media(state: &AppState, job: &AttachmentJob) -> Result<Attachment, String> {
    use crm_comms::Comms as _;
    use crm_customers::Customers as _;
    let wa = state
        .whatsapp
        .as_ref()
        .ok_or("WhatsApp is not configured")?;
    let nc = state
        .nextcloud
        .as_ref()
        .ok_or("Nextcloud is not configured: the file stays at WhatsApp until it is")?;
    let media_id = job.source.trim_start_matches("whatsapp:");
    let info = wa
        .client
        .media_info(media_id)
        .await
        .map_err(|e| e.to_string())?;
    let entry = state
        .comms
        .get(job.entry_id)
        .await
        .map_err(|e| e.to_string())?;
    let folder = match entry.customer_id {
        Some(id) => customer_folder(&state.customers.get(id).await.map_err(|e| e.to_string())?),
        None => "Unassigned/WhatsApp".to_owned(),
    };
    let filename = job
        .filename
        .clone()
        .unwrap_or_else(|| format!("{media_id}.bin"));
    let date = &entry.occurred_at.to_string()[..10];
    let path = format!("{folder}/Received Media/{date} {filename}");
    let dav_path = nextcloud_dav::DavPath::parse(&path).map_err(|e| e.to_string())?;
    let download = wa
        .client
        .download(&info.url)
        .await
        .map_err(|e| e.to_string())?;
    let mime = info
        .mime_type
        .clone()
        .or(download.content_type.clone())
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut body = nextcloud_dav::UploadBody::from_stream(download.body).with_content_type(&mime);
    if let Some(len) = download.content_length {
        body = body.with_length(len);
    }
    nc.upload(&dav_path, body)
        .await
        .map_err(|e| e.to_string())?;
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
            Err(e) => return Err(e.to_string()),
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
