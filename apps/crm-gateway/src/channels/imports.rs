//! CSV imports of customers over HTTP: the uploaded files the wizard maps and previews, the
//! dry runs, and the real runs in the background.
//!
//! The rules are the domain's ([`crm_customers::import`]); this module holds what HTTP adds:
//!
//! - **Uploads** are kept in memory, the newest [`KEPT_UPLOADS`] only, until a dry run names
//!   them: an upload is a step of one person's wizard, not a record (the job is). An upload
//!   gone (a restart, many uploads since) is a 404: upload the file again.
//! - **Runs** go on in the background on the server's runtime; the job (`GET`) shows their
//!   progress (`written` of `totals.rows`) and status. One run per job: a job running, or
//!   not `planned`, is a 409. A cancel asks the run to stop after the batch it is writing.
//!
//! *Invariant:* nothing here decides a row's outcome.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use crm_customers::import::{
    Field, ImportOptions, Importer, Job, JobStatus, MatchKey, Outcome, Preview, RowReport,
};
use crm_customers::{AnyCustomerStore, Error, Result};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::channels::error::ChannelError;

/// The largest CSV file accepted (20 MiB: some 100,000 rows of a parish list).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Uploads kept for a dry run; older ones are dropped.
pub const KEPT_UPLOADS: usize = 8;
/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 10;

/// An uploaded file's name and bytes: a `multipart/form-data` body's `file` part (named by
/// the part), or the raw body (named by `filename`), at most [`MAX_FILE_BYTES`].
pub async fn read_file(
    req: &HttpRequest,
    payload: web::Payload,
    filename: Option<String>,
) -> Result<(String, Vec<u8>), ChannelError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > (MAX_FILE_BYTES + ENVELOPE) as u64 + DRAIN_LIMIT) {
        return Err(too_large());
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (name, bytes) = if is_form {
        read_form(Multipart::new(req.headers(), payload)).await?
    } else {
        (filename, read_body(payload).await?)
    };
    let name = name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "import.csv".to_owned());
    if name.chars().count() > 255 {
        return Err(ChannelError::Invalid {
            field: "filename".into(),
            reason: "longer than 255 characters".into(),
        });
    }
    Ok((name, bytes))
}

/// Room for the multipart envelope beyond the file.
const ENVELOPE: usize = 64 * 1024;
/// After a file is found too large, this much more is read (and dropped) so that the client
/// reads the 413 rather than a reset connection.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

fn too_large() -> ChannelError {
    ChannelError::TooLarge {
        limit: MAX_FILE_BYTES as u64,
    }
}

/// The raw body, up to [`MAX_FILE_BYTES`].
async fn read_body(mut payload: web::Payload) -> Result<Vec<u8>, ChannelError> {
    let mut bytes = Vec::new();
    let mut read = 0u64;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ChannelError::UploadBroken(e.to_string()))?;
        read += chunk.len() as u64;
        if read > MAX_FILE_BYTES as u64 + DRAIN_LIMIT {
            break;
        }
        if read <= MAX_FILE_BYTES as u64 {
            bytes.extend_from_slice(&chunk);
        }
    }
    if read > MAX_FILE_BYTES as u64 {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The `file` part of a form and its file name, up to [`MAX_FILE_BYTES`].
async fn read_form(mut form: Multipart) -> Result<(Option<String>, Vec<u8>), ChannelError> {
    let malformed = |e: actix_multipart::MultipartError| ChannelError::UploadBroken(e.to_string());
    let mut found = None;
    let mut read = 0u64;
    let mut too_big = false;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        let is_file = field.name() == Some("file") && found.is_none();
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            read += chunk.len() as u64;
            if read > (MAX_FILE_BYTES + ENVELOPE) as u64 + DRAIN_LIMIT {
                return Err(too_large());
            }
            if !is_file || too_big {
                continue;
            }
            if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                too_big = true;
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            found = Some((name, bytes));
        }
    }
    if too_big {
        return Err(too_large());
    }
    found.ok_or_else(|| ChannelError::Invalid {
        field: "file".into(),
        reason: "is required".into(),
    })
}

/// The importer over the gateway's customer store.
pub type CustomerImporter = Importer<AnyCustomerStore>;

/// An uploaded file, read and previewed with the suggested mapping.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Upload {
    /// Name it in the dry run (`POST /api/crm/imports`).
    pub upload_id: Uuid,
    pub file_name: String,
    /// Bytes.
    pub size: u64,
    #[serde(flatten)]
    pub preview: Preview,
}

/// A dry run of an uploaded file.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewImport {
    /// From `POST /api/crm/imports/uploads`.
    pub upload_id: Uuid,
    /// The field of each column, in column order; absent: the suggested mapping.
    #[serde(default)]
    pub mapping: Option<Vec<Field>>,
    /// How rows find existing customers; absent: by phone or e-mail.
    #[serde(default)]
    pub key: MatchKey,
}

struct Kept {
    id: Uuid,
    file_name: String,
    bytes: Arc<[u8]>,
}

const OUTCOMES: [&str; 5] = ["create", "update", "unchanged", "skip", "error"];

/// One row of a job's report. (The domain's `RowReport` would name `customer_id` twice for
/// `update` and `unchanged` rows: once in the outcome, once for the run.)
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RowView {
    /// As a spreadsheet numbers it (the header is row 1).
    row: u32,
    #[serde(flatten)]
    outcome: Outcome,
    /// The customer a `create` row became, once written (`update` and `unchanged` rows name
    /// theirs in the outcome).
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<Uuid>,
    /// Whether the run has handled the row.
    written: bool,
}

impl From<RowReport> for RowView {
    fn from(r: RowReport) -> Self {
        let customer_id = match r.outcome {
            Outcome::Create => r.customer_id,
            _ => None,
        };
        Self {
            row: r.row,
            outcome: r.outcome,
            customer_id,
            written: r.written,
        }
    }
}

/// A page of a job's rows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RowPage {
    pub rows: Vec<RowView>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next_after: Option<u32>,
}

/// Uploads, runs and the importer: one per server.
pub struct Imports {
    importer: CustomerImporter,
    uploads: Mutex<VecDeque<Kept>>,
    running: Arc<Mutex<HashMap<Uuid, crm_customers::import::RunControl>>>,
}

impl std::fmt::Debug for Imports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Imports").finish_non_exhaustive()
    }
}

impl Imports {
    pub fn new(importer: CustomerImporter) -> Self {
        Self {
            importer,
            uploads: Mutex::new(VecDeque::new()),
            running: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn importer(&self) -> &CustomerImporter {
        &self.importer
    }

    /// Reads `bytes` (a file that cannot be read is refused, and not kept) and keeps it for a
    /// dry run.
    pub fn upload(&self, file_name: String, bytes: Vec<u8>) -> Result<Upload> {
        let preview = self.importer.preview(&bytes, None, PREVIEW_ROWS)?;
        let id = Uuid::new_v4();
        let size = bytes.len() as u64;
        let mut uploads = self.uploads.lock().unwrap_or_else(PoisonError::into_inner);
        while uploads.len() >= KEPT_UPLOADS {
            uploads.pop_front();
        }
        uploads.push_back(Kept {
            id,
            file_name: file_name.clone(),
            bytes: bytes.into(),
        });
        Ok(Upload {
            upload_id: id,
            file_name,
            size,
            preview,
        })
    }

    fn kept(&self, id: Uuid) -> Result<(String, Arc<[u8]>)> {
        let uploads = self.uploads.lock().unwrap_or_else(PoisonError::into_inner);
        uploads
            .iter()
            .find(|k| k.id == id)
            .map(|k| (k.file_name.clone(), Arc::clone(&k.bytes)))
            .ok_or_else(|| Error::not_found("upload", id))
    }

    /// A page of a job's report: up to `limit` (at most 1000) rows after row `after`, only
    /// those with `outcome` when given.
    pub async fn rows(
        &self,
        id: Uuid,
        outcome: Option<String>,
        after: u32,
        limit: u32,
    ) -> Result<RowPage> {
        let outcome = match outcome.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(o) if OUTCOMES.contains(&o) => Some(o.to_owned()),
            Some(o) => {
                return Err(Error::invalid(
                    "outcome",
                    format!("`{o}` is not one of {}", OUTCOMES.join(", ")),
                ));
            }
        };
        let limit = limit.clamp(1, 1000);
        let rows = self.importer.rows(id, outcome, after, limit).await?;
        let next_after = (rows.len() == limit as usize)
            .then(|| rows.last().map(|r| r.row))
            .flatten();
        Ok(RowPage {
            rows: rows.into_iter().map(RowView::from).collect(),
            next_after,
        })
    }

    /// An uploaded file's preview with `mapping`.
    pub fn preview(&self, upload_id: Uuid, mapping: Option<Vec<Field>>) -> Result<Preview> {
        let (_, bytes) = self.kept(upload_id)?;
        self.importer.preview(&bytes, mapping, PREVIEW_ROWS)
    }

    /// The dry run of an uploaded file: the job, `planned`.
    pub async fn plan(&self, new: NewImport, by: &str) -> Result<Job> {
        let (file_name, bytes) = self.kept(new.upload_id)?;
        let options = ImportOptions {
            file_name,
            mapping: new.mapping,
            key: new.key,
        };
        self.importer.plan(&bytes, options, by).await
    }

    /// Starts the real run of a planned job in the background and answers the job once the
    /// run has taken it (`running`, or already finished).
    pub async fn start(&self, id: Uuid) -> Result<Job> {
        let job = self.importer.job(id).await?;
        let control = crm_customers::import::RunControl::new();
        {
            let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
            if running.contains_key(&id) || job.status != JobStatus::Planned {
                return Err(not_planned(&job));
            }
            running.insert(id, control.clone());
        }
        let importer = self.importer.clone();
        let running = Arc::clone(&self.running);
        tokio::spawn(async move {
            if let Err(e) = importer.run(id, &control).await {
                tracing::error!(job = %id, error = %e, "import run failed");
            }
            running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
        });
        // the run marks the job `running` first thing: answer with that
        for _ in 0..200 {
            let job = self.importer.job(id).await?;
            if job.status != JobStatus::Planned {
                return Ok(job);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.importer.job(id).await
    }

    /// Asks a running job to stop after the batch it is writing; a job not running is a
    /// conflict.
    pub async fn cancel(&self, id: Uuid) -> Result<Job> {
        let job = self.importer.job(id).await?;
        let control = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned();
        match control {
            Some(c) => {
                c.cancel();
                Ok(job)
            }
            None => Err(Error::Conflict {
                message: format!(
                    "import job {id} is {}, not running: only a running job can be cancelled",
                    job.status.as_str()
                ),
            }),
        }
    }
}

fn not_planned(job: &Job) -> Error {
    let status = match job.status {
        // the registry knows before the job does
        JobStatus::Planned => "starting",
        s => s.as_str(),
    };
    Error::Conflict {
        message: format!(
            "import job {} is {status}: a job runs once (upload the file again for a new one)",
            job.id
        ),
    }
}
