//! The multipart form of `POST /api/crm/nextcloud/upload`, read as it streams in: its text
//! fields first, then the file part, which is handed on unread so that it streams to
//! Nextcloud; fields after the file are refused rather than lost.

use actix_multipart::{Field, Multipart};
use actix_web::http::header::DispositionParam;
use futures_util::StreamExt;
use uuid::Uuid;

use crate::channels::files::{UploadTarget, parse_path};
use crate::error::ApiError;

/// The multipart form of `POST /nextcloud/upload`. Every field comes before `file` (the file
/// streams to Nextcloud as it arrives, so its destination must be known by then).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // documents the form in the OpenAPI document only
pub struct UploadForm {
    /// Destination folder, relative to the base folder (created when missing). A
    /// `Sent Media`, `Received Media` or `Internal` segment sets the record's direction
    /// (sent, received, internal; internal otherwise).
    nextcloud_path: String,
    /// Whose file it is: the media record is created only when this or `order_id` is given.
    customer_id: Option<Uuid>,
    /// The order it belongs to (its customer is the record's customer when `customer_id` is
    /// not given).
    order_id: Option<Uuid>,
    /// The file, last; its part's `filename` is the name in Nextcloud.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Longest text field accepted in the upload form.
const FIELD_LIMIT: usize = 4096;
/// Room for the multipart envelope and text fields beyond `max_upload_bytes` before a
/// declared `Content-Length` alone is refused.
pub const ENVELOPE_ALLOWANCE: u64 = 64 * 1024;
/// After refusing an upload, at most this much of the rest of the request is read (and
/// dropped) so that the client reads the answer rather than a reset connection.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;
/// ... and for at most this long.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(10);

fn multipart_error(e: actix_multipart::MultipartError) -> ApiError {
    ApiError::bad_request(
        "malformed_body",
        format!("cannot read the multipart/form-data body: {e}"),
    )
}

async fn text_field(field: &mut Field, name: &str) -> Result<String, ApiError> {
    let bytes = field
        .bytes(FIELD_LIMIT)
        .await
        .map_err(|_| ApiError::invalid_field(name, format!("longer than {FIELD_LIMIT} bytes")))?
        .map_err(multipart_error)?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::invalid_field(name, "is not UTF-8 text"))
}

fn uuid_field(name: &str, value: &str) -> Result<Option<Uuid>, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| ApiError::invalid_field(name, "is not a UUID"))
}

/// The parts of a multipart body, ending for good at the end or the first error (a
/// `Multipart` must not be polled after either).
pub struct Parts {
    multipart: Multipart,
    done: bool,
}

impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parts")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Parts {
    async fn next(&mut self) -> Option<Result<Field, actix_multipart::MultipartError>> {
        if self.done {
            return None;
        }
        let next = self.multipart.next().await;
        if !matches!(next, Some(Ok(_))) {
            self.done = true;
        }
        next
    }
}

/// Reads and drops what is left of the request, up to about `limit` bytes.
async fn drain(parts: &mut Parts, limit: u64) {
    let mut read = 0u64;
    while let Some(Ok(mut field)) = parts.next().await {
        while let Some(Ok(chunk)) = field.next().await {
            read += chunk.len() as u64;
            if read > limit {
                return;
            }
        }
    }
}

impl Parts {
    pub fn new(multipart: Multipart) -> Self {
        Self {
            multipart,
            done: false,
        }
    }

    /// The fields before the file, and the file part itself.
    pub async fn head(&mut self) -> Result<(UploadTarget, Field), ApiError> {
        let mut folder = None;
        let mut customer_id = None;
        let mut order_id = None;
        let field = loop {
            let Some(field) = self.next().await else {
                return Err(ApiError::invalid_field("file", "is required"));
            };
            let mut field = field.map_err(multipart_error)?;
            match field.name().unwrap_or_default() {
                "file" => break field,
                "nextcloud_path" => {
                    let raw = text_field(&mut field, "nextcloud_path").await?;
                    parse_path("nextcloud_path", &raw)?;
                    folder = Some(raw);
                }
                "customer_id" => {
                    customer_id =
                        uuid_field("customer_id", &text_field(&mut field, "customer_id").await?)?;
                }
                "order_id" => {
                    order_id = uuid_field("order_id", &text_field(&mut field, "order_id").await?)?;
                }
                _ => {
                    // unknown fields are read and dropped
                    let _ = field.bytes(FIELD_LIMIT).await;
                }
            }
        };
        let folder = folder.ok_or_else(|| {
            ApiError::invalid_field("nextcloud_path", "is required, before the `file` part")
        })?;
        let filename = field
            .content_disposition()
            .and_then(|cd| {
                cd.parameters
                    .iter()
                    .find_map(|p| match p {
                        DispositionParam::FilenameExt(v) => String::from_utf8(v.value.clone()).ok(),
                        _ => None,
                    })
                    .or_else(|| cd.get_filename().map(str::to_owned))
            })
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .ok_or_else(|| ApiError::invalid_field("file", "the file part needs a filename"))?;
        let content_type = field
            .content_type()
            .map(|m| m.essence_str().to_owned())
            .filter(|m| m != "application/octet-stream");
        let target = UploadTarget {
            folder,
            filename,
            content_type,
            customer_id,
            order_id,
        };
        Ok((target, field))
    }

    /// Reads what follows the file: fields that would have been lost are refused (the
    /// multipart stream waits while the file part is alive, so drop it first).
    pub async fn refuse_trailing(&mut self) -> Result<(), ApiError> {
        while let Some(Ok(mut rest)) = self.next().await {
            let name = rest.name().unwrap_or_default().to_owned();
            if matches!(
                name.as_str(),
                "file" | "nextcloud_path" | "customer_id" | "order_id"
            ) {
                return Err(ApiError::invalid_field(
                    name,
                    "must come before the `file` part (and `file` only once)",
                ));
            }
            let _ = rest.bytes(FIELD_LIMIT).await;
        }
        Ok(())
    }

    /// Reads and drops what is left of the request (at most [`DRAIN_LIMIT`] bytes, for at
    /// most [`DRAIN_TIME`]), so that a refused client reads the answer rather than a reset.
    pub async fn drain(&mut self) {
        let _ = tokio::time::timeout(DRAIN_TIME, drain(self, DRAIN_LIMIT)).await;
    }
}
