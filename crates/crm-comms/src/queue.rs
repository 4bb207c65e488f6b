//! The durable queues of the comms log: verified webhook bodies waiting to become entries,
//! and attachments waiting to be fetched and stored, with the delivery state of sent
//! messages.
//!
//! Channels acknowledge a webhook only after [`Queues::enqueue`] returned (the body is then
//! on disk); a worker takes [`Queues::pending`] bodies, ingests them (idempotently, by
//! external id) and marks them [`Queues::done`]. A crash anywhere in between leaves the body
//! pending, and the next start processes it again without duplicating anything.
//!
//! An attachment that has to be fetched (a WhatsApp media id) is a job beside its entry:
//! the entry is stored at once with the attachment's `source` and no `nextcloud_path`; the job
//! is retried with back-off until the file is stored, when the entry's attachment gets its
//! path, or until it is given up, when the entry's `meta.attachment_errors` says why. Never
//! is an entry silently saved without its file.

use crm_core::{Clock, Db, Timestamp};
use rusqlite::{OptionalExtension, params};
use std::sync::Arc;
use uuid::Uuid;

use crate::error::{Result, entry_not_found};
use crate::model::{Attachment, CommsType};
use crate::store::sqlite::type_is;

/// A webhook body waiting to be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub id: i64,
    pub channel: String,
    pub body: Vec<u8>,
    pub received_at: Timestamp,
    pub attempts: u32,
}

/// An attachment waiting to be fetched and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentJob {
    pub id: i64,
    pub entry_id: Uuid,
    /// Where the file comes from, as the channel names it (`whatsapp:<media id>`).
    pub source: String,
    pub filename: Option<String>,
    pub mime_type: Option<String>,
    pub attempts: u32,
}

/// One channel's queue of inbound webhook bodies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChannelQueue {
    pub channel: String,
    pub pending: u64,
    pub failed: u64,
    /// When the channel's last body arrived (its last webhook).
    pub last_received_at: Option<Timestamp>,
}

/// What kind of queued work a [`FailedJob`] is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// An inbound webhook body that could not be processed.
    Inbound,
    /// An attachment that could not be fetched or stored.
    Attachment,
}

/// Work that was given up on, until someone retries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FailedJob {
    pub kind: JobKind,
    pub id: i64,
    /// The entry an attachment belongs to.
    pub entry_id: Option<Uuid>,
    /// The inbound body's channel, or the attachment's source (`whatsapp:<media id>`).
    pub source: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// When the body arrived, or when the attachment was last due.
    pub at: Timestamp,
}

/// The queues at a glance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct QueueOverview {
    pub inbound: Vec<ChannelQueue>,
    pub attachments_pending: u64,
    pub attachments_failed: u64,
    /// Failed work, newest first.
    pub failed: Vec<FailedJob>,
}

/// Inbound bodies failing this many times are set aside as failed (and logged), so that one
/// poisonous body cannot stall the queue.
pub const MAX_INBOUND_ATTEMPTS: u32 = 10;

/// The queues, over the shared database.
#[derive(Debug, Clone)]
pub struct Queues {
    db: Db,
    clock: Arc<dyn Clock>,
}

fn conversion(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

impl Queues {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// Stores a verified body durably; answers its queue id.
    pub async fn enqueue(&self, channel: &str, body: Vec<u8>) -> Result<i64> {
        let (channel, now) = (channel.to_owned(), self.clock.now());
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO comms_inbound (channel, body, received_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![channel, body, now])?;
                Ok(c.last_insert_rowid())
            })
            .await
    }

    /// The oldest pending bodies of a channel.
    pub async fn pending(&self, channel: &str, limit: u32) -> Result<Vec<Inbound>> {
        let channel = channel.to_owned();
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, channel, body, received_at, attempts FROM comms_inbound
                     WHERE channel = ?1 AND state = 'pending' ORDER BY id LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![channel, i64::from(limit)], |r| {
                    Ok(Inbound {
                        id: r.get(0)?,
                        channel: r.get(1)?,
                        body: r.get(2)?,
                        received_at: r.get(3)?,
                        attempts: r.get(4)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    /// Marks a body processed.
    pub async fn done(&self, id: i64) -> Result<()> {
        let now = self.clock.now();
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "UPDATE comms_inbound SET state = 'done', done_at = ?2, body = x'' WHERE id = ?1",
                )?
                .execute(params![id, now])?;
                Ok(())
            })
            .await
    }

    /// Records a failed attempt; after [`MAX_INBOUND_ATTEMPTS`] the body is set aside.
    pub async fn failed(&self, id: i64, error: String) -> Result<()> {
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "UPDATE comms_inbound SET attempts = attempts + 1, last_error = ?2,
                         state = CASE WHEN attempts + 1 >= ?3 THEN 'failed' ELSE state END
                     WHERE id = ?1",
                )?
                .execute(params![id, error, MAX_INBOUND_ATTEMPTS])?;
                Ok(())
            })
            .await
    }

    /// Queues fetching an attachment of an entry (once per entry and source).
    pub async fn add_attachment_job(
        &self,
        entry_id: Uuid,
        source: String,
        filename: Option<String>,
        mime_type: Option<String>,
    ) -> Result<()> {
        let now = self.clock.now();
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO comms_attachment_jobs
                         (entry_id, source, filename, mime_type, next_attempt_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (entry_id, source) DO NOTHING",
                )?
                .execute(params![
                    entry_id.to_string(),
                    source,
                    filename,
                    mime_type,
                    now
                ])?;
                Ok(())
            })
            .await
    }

    /// Jobs whose next attempt is due.
    pub async fn due_attachment_jobs(&self, limit: u32) -> Result<Vec<AttachmentJob>> {
        let now = self.clock.now();
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, entry_id, source, filename, mime_type, attempts
                     FROM comms_attachment_jobs
                     WHERE state = 'pending' AND next_attempt_at <= ?1
                     ORDER BY next_attempt_at, id LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![now, i64::from(limit)], |r| {
                    let entry: String = r.get(1)?;
                    Ok(AttachmentJob {
                        id: r.get(0)?,
                        entry_id: Uuid::parse_str(&entry).map_err(conversion)?,
                        source: r.get(2)?,
                        filename: r.get(3)?,
                        mime_type: r.get(4)?,
                        attempts: r.get(5)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    /// The file is stored: the job is done and the entry's attachment with this source gets
    /// the file's path (and size and type when known).
    pub async fn attachment_stored(&self, job: AttachmentJob, stored: Attachment) -> Result<()> {
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "UPDATE comms_attachment_jobs SET state = 'done', nextcloud_path = ?2,
                         attempts = attempts + 1, last_error = NULL
                     WHERE id = ?1",
                )?
                .execute(params![job.id, stored.nextcloud_path])?;
                update_attachments(c, job.entry_id, |attachments, _| {
                    match attachments
                        .iter_mut()
                        .find(|a| a.source.as_deref() == Some(job.source.as_str()))
                    {
                        Some(a) => {
                            a.nextcloud_path = stored.nextcloud_path.clone();
                            a.size = stored.size.or(a.size);
                            a.mime_type = stored.mime_type.clone().or(a.mime_type.take());
                        }
                        None => attachments.push(stored.clone()),
                    }
                })
            })
            .await
    }

    /// An attempt failed: try again at `retry_at`, or, with `None`, give up and say so on the
    /// entry (`meta.attachment_errors`).
    pub async fn attachment_failed(
        &self,
        job: AttachmentJob,
        error: String,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        self.db
            .write(move |c| match retry_at {
                Some(at) => {
                    c.prepare_cached(
                        "UPDATE comms_attachment_jobs SET attempts = attempts + 1,
                                 last_error = ?2, next_attempt_at = ?3
                             WHERE id = ?1",
                    )?
                    .execute(params![job.id, error, at])?;
                    Ok(())
                }
                None => {
                    c.prepare_cached(
                        "UPDATE comms_attachment_jobs SET attempts = attempts + 1,
                                 last_error = ?2, state = 'failed'
                             WHERE id = ?1",
                    )?
                    .execute(params![job.id, error])?;
                    update_attachments(c, job.entry_id, |_, meta| {
                        let errors = meta
                            .entry("attachment_errors")
                            .or_insert_with(|| serde_json::json!({}));
                        if let Some(map) = errors.as_object_mut() {
                            map.insert(job.source.clone(), serde_json::json!(error));
                        }
                    })
                }
            })
            .await
    }

    /// The state of every queue, and the failed work (newest first, at most `limit`), for
    /// the integration status page.
    pub async fn overview(&self, limit: u32) -> Result<QueueOverview> {
        self.db
            .read(move |c| {
                let mut channels = Vec::new();
                let mut stmt = c.prepare_cached(
                    "SELECT channel, count(*) FILTER (WHERE state = 'pending'),
                            count(*) FILTER (WHERE state = 'failed'), max(received_at)
                     FROM comms_inbound GROUP BY channel ORDER BY channel",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok(ChannelQueue {
                        channel: r.get(0)?,
                        pending: r.get(1)?,
                        failed: r.get(2)?,
                        last_received_at: r.get(3)?,
                    })
                })?;
                for row in rows {
                    channels.push(row?);
                }
                let (pending, failed): (u64, u64) = c
                    .prepare_cached(
                        "SELECT count(*) FILTER (WHERE state = 'pending'),
                                count(*) FILTER (WHERE state = 'failed')
                         FROM comms_attachment_jobs",
                    )?
                    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let mut failures = Vec::new();
                let mut stmt = c.prepare_cached(
                    "SELECT 'inbound', id, NULL, channel, attempts, last_error, received_at
                       FROM comms_inbound WHERE state = 'failed'
                     UNION ALL
                     SELECT 'attachment', id, entry_id, source, attempts, last_error,
                            next_attempt_at
                       FROM comms_attachment_jobs WHERE state = 'failed'
                     ORDER BY 7 DESC LIMIT ?1",
                )?;
                let rows = stmt.query_map([i64::from(limit)], |r| {
                    let kind: String = r.get(0)?;
                    let entry: Option<String> = r.get(2)?;
                    Ok(FailedJob {
                        kind: if kind == "inbound" {
                            JobKind::Inbound
                        } else {
                            JobKind::Attachment
                        },
                        id: r.get(1)?,
                        entry_id: entry.and_then(|e| Uuid::parse_str(&e).ok()),
                        source: r.get(3)?,
                        attempts: r.get(4)?,
                        last_error: r.get(5)?,
                        at: r.get(6)?,
                    })
                })?;
                for row in rows {
                    failures.push(row?);
                }
                Ok(QueueOverview {
                    inbound: channels,
                    attachments_pending: pending,
                    attachments_failed: failed,
                    failed: failures,
                })
            })
            .await
    }

    /// Puts failed work back in its queue, to be tried again from now with a fresh count of
    /// attempts (an attachment's error on its entry is cleared). `Ok(false)` when there is no
    /// failed job of that kind and id.
    pub async fn retry(&self, kind: JobKind, id: i64) -> Result<bool> {
        let now = self.clock.now();
        self.db
            .write(move |c| match kind {
                JobKind::Inbound => Ok(c
                    .prepare_cached(
                        "UPDATE comms_inbound SET state = 'pending', attempts = 0
                         WHERE id = ?1 AND state = 'failed'",
                    )?
                    .execute([id])?
                    == 1),
                JobKind::Attachment => {
                    let job: Option<(String, String)> = c
                        .prepare_cached(
                            "UPDATE comms_attachment_jobs SET state = 'pending', attempts = 0,
                                 next_attempt_at = ?2
                             WHERE id = ?1 AND state = 'failed' RETURNING entry_id, source",
                        )?
                        .query_row(params![id, now], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()?;
                    let Some((entry, source)) = job else {
                        return Ok(false);
                    };
                    let entry = Uuid::parse_str(&entry).map_err(conversion)?;
                    update_attachments(c, entry, |_, meta| {
                        if let Some(errors) = meta
                            .get_mut("attachment_errors")
                            .and_then(|e| e.as_object_mut())
                        {
                            errors.remove(&source);
                        }
                    })?;
                    Ok(true)
                }
            })
            .await
    }

    /// How many attachment jobs of an entry are still pending, and how many failed.
    pub async fn attachment_state(&self, entry_id: Uuid) -> Result<(u64, u64)> {
        self.db
            .read(move |c| {
                let (pending, failed): (i64, i64) = c
                    .prepare_cached(
                        "SELECT count(*) FILTER (WHERE state = 'pending'),
                                count(*) FILTER (WHERE state = 'failed')
                         FROM comms_attachment_jobs WHERE entry_id = ?1",
                    )?
                    .query_row([entry_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok((
                    u64::try_from(pending).unwrap_or(0),
                    u64::try_from(failed).unwrap_or(0),
                ))
            })
            .await
    }

    /// Records what happened to a sent message (`meta.delivery = {status, at, errors}`) on the
    /// entry with this external id, unless the entry already shows a later state (`rank`
    /// orders them: a late `sent` never undoes `read`). Answers whether an entry was updated;
    /// an unknown id is no error (a message sent outside the CRM).
    pub async fn record_delivery(
        &self,
        kind: CommsType,
        ext_message_id: String,
        status: String,
        rank: u8,
        at: Timestamp,
        errors: serde_json::Value,
    ) -> Result<bool> {
        let now = self.clock.now();
        self.db
            .write(move |c| {
                let row: Option<(String, i64)> = c
                    .prepare_cached(&format!(
                        "SELECT meta, version FROM comms_entries
                         WHERE {} AND ext_message_id = ?1",
                        type_is(kind)
                    ))?
                    .query_row(params![ext_message_id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?;
                let Some((meta, version)) = row else {
                    return Ok(false);
                };
                let mut meta: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&meta)?;
                let current = meta
                    .get("delivery")
                    .and_then(|d| d.get("rank"))
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0);
                if u64::from(rank) <= current {
                    return Ok(false);
                }
                meta.insert(
                    "delivery".into(),
                    serde_json::json!({ "status": status, "rank": rank, "at": at, "errors": errors }),
                );
                c.prepare_cached(&format!(
                    "UPDATE comms_entries SET meta = ?2, updated_at = ?3, version = ?4
                     WHERE {} AND ext_message_id = ?1",
                    type_is(kind)
                ))?
                .execute(params![
                    ext_message_id,
                    serde_json::to_string(&meta)?,
                    now,
                    version + 1
                ])?;
                Ok(true)
            })
            .await
    }
}

/// Rewrites an entry's attachments and meta in place (a new version).
fn update_attachments(
    c: &rusqlite::Connection,
    entry_id: Uuid,
    change: impl FnOnce(&mut Vec<Attachment>, &mut serde_json::Map<String, serde_json::Value>),
) -> Result<()> {
    let row: Option<(String, String)> = c
        .prepare_cached("SELECT attachments, meta FROM comms_entries WHERE id = ?1")?
        .query_row([entry_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (attachments, meta) = row.ok_or_else(|| entry_not_found(entry_id))?;
    let mut attachments: Vec<Attachment> = serde_json::from_str(&attachments)?;
    let mut meta: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&meta)?;
    change(&mut attachments, &mut meta);
    c.prepare_cached(
        "UPDATE comms_entries SET attachments = ?2, meta = ?3, version = version + 1
         WHERE id = ?1",
    )?
    .execute(params![
        entry_id.to_string(),
        serde_json::to_string(&attachments)?,
        serde_json::to_string(&meta)?
    ])?;
    Ok(())
}
