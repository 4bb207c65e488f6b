//! `/api/crm/nextcloud` — browse, download (a streamed proxy), upload (streamed to Nextcloud,
//! then a media record) and delete files in the configured Nextcloud base folder — and
//! `/api/crm/customers/{id}/media`, a customer's folder merged with its media records.
//!
//! Every path is relative to the base folder and parsed with [`DavPath::parse`] before any
//! request leaves: `..`, backslashes, control characters and their percent-encoded forms are
//! a 422 naming the field. The server keeps no file of its own: bodies stream through with
//! memory that does not depend on the file size.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::time::SystemTime;

use actix_multipart::{Field, Multipart};
use actix_web::body::{BodyStream, BoxBody, SizedStream};
use actix_web::http::StatusCode;
use actix_web::http::header::{
    self, CacheControl, CacheDirective, ContentDisposition, DispositionParam, DispositionType,
    ExtendedValue, HeaderValue, HttpDate,
};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use crm_comms::{Comms as _, MediaDirection, MediaQuery, MediaRecord, NewMedia};
use crm_core::Timestamp;
use crm_customers::Customers as _;
use crm_orders::Orders as _;
use futures_util::StreamExt;
use nextcloud_dav::{Client, DavPath, Download, Entry, Error as DavError, UploadBody};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Editor, Viewer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/nextcloud/browse").route(web::get().to(browse)))
        .service(
            web::resource("/nextcloud/file")
                .route(web::get().to(download))
                .route(web::delete().to(delete)),
        )
        .service(web::resource("/nextcloud/upload").route(web::post().to(upload)))
        .service(web::resource("/customers/{id}/media").route(web::get().to(customer_media)));
}

/// The largest file `POST /nextcloud/upload` accepts, in bytes (`max_upload_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit(pub u64);

/// The upload subfolders and the direction each stands for.
const SUBFOLDERS: [(&str, MediaDirection); 3] = [
    ("Sent Media", MediaDirection::Sent),
    ("Received Media", MediaDirection::Received),
    ("Internal", MediaDirection::Internal),
];

fn client(state: &AppState) -> Result<&Client, ApiError> {
    state
        .nextcloud
        .as_ref()
        .ok_or_else(ApiError::nextcloud_not_configured)
}

fn parse_path(field: &str, raw: &str) -> Result<DavPath, ApiError> {
    DavPath::parse(raw).map_err(|e| ApiError::nextcloud_path(field, e))
}

/// A path that must name something inside the base folder, not the base folder itself.
fn parse_file_path(field: &str, raw: &str) -> Result<DavPath, ApiError> {
    let path = parse_path(field, raw)?;
    if path.is_root() {
        return Err(ApiError::invalid_field(
            field,
            "names the base folder itself; give a file inside it",
        ));
    }
    Ok(path)
}

fn timestamp(t: Option<time::OffsetDateTime>) -> Option<Timestamp> {
    t.map(Timestamp::from)
}

/// The direction a folder stands for: the innermost of its segments that is one of the
/// upload subfolders, else internal.
pub fn direction_of(folder: &DavPath) -> MediaDirection {
    let segments: Vec<&str> = folder.segments().collect();
    segments
        .into_iter()
        .rev()
        .find_map(|segment| {
            SUBFOLDERS
                .iter()
                .find(|(name, _)| segment.trim().eq_ignore_ascii_case(name))
                .map(|(_, d)| *d)
        })
        .unwrap_or(MediaDirection::Internal)
}

// ---------------------------------------------------------------------------------------------
// browse

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BrowseParams {
    /// Folder relative to the configured base folder (default: the base folder itself).
    #[serde(default)]
    path: String,
}

/// A file or folder in Nextcloud.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FileItem {
    pub filename: String,
    /// Relative to the configured base folder; pass it back as `path`.
    pub path: String,
    pub is_dir: bool,
    /// `None` for folders.
    pub mime_type: Option<String>,
    /// Bytes (folders: only when the server reports it).
    pub size: Option<u64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_modified: Option<Timestamp>,
    pub etag: Option<String>,
}

impl From<Entry> for FileItem {
    fn from(e: Entry) -> Self {
        FileItem {
            filename: e.name,
            path: e.path.as_str().to_owned(),
            is_dir: e.is_dir,
            mime_type: e.mime_type,
            size: e.size,
            last_modified: timestamp(e.last_modified),
            etag: e.etag.map(|t| t.value().to_owned()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Listing {
    /// The folder listed (`""` for the base folder).
    path: String,
    /// Folders first, then files, each by name (case and accents ignored).
    items: Vec<FileItem>,
    total: u64,
}

/// The content of a folder in Nextcloud.
#[utoipa::path(get, path = "/api/crm/nextcloud/browse", tag = "nextcloud", params(BrowseParams),
    security(("bearer" = [])),
    responses((status = 200, body = Listing), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "`path` is refused or names a file", body = ErrorBody),
              (status = 503, description = "Nextcloud not configured or unreachable", body = ErrorBody)))]
pub async fn browse(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<BrowseParams>,
) -> Result<web::Json<Listing>, ApiError> {
    let client = client(&state)?;
    let folder = parse_path("path", &p.path)?;
    let entries = client.list(&folder).await.map_err(|e| match e {
        DavError::Conflict { .. } => ApiError::invalid_field("path", "is a file, not a folder"),
        e => e.into(),
    })?;
    let mut items: Vec<FileItem> = entries.into_iter().map(FileItem::from).collect();
    items.sort_by_cached_key(|i| (!i.is_dir, crm_core::text::fold(&i.filename)));
    Ok(web::Json(Listing {
        path: folder.as_str().to_owned(),
        total: items.len() as u64,
        items,
    }))
}

// ---------------------------------------------------------------------------------------------
// download

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// File relative to the configured base folder.
    path: String,
}

/// What a `Range` header asks for (one range; anything else is served whole, as RFC 9110
/// allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeAsk {
    Whole,
    /// `bytes=start-` or `bytes=start-end` (inclusive).
    From(u64, Option<u64>),
    /// `bytes=-n`: the last n bytes.
    Suffix(u64),
}

fn parse_range(raw: &str) -> RangeAsk {
    let raw = raw.trim();
    let Some(spec) = raw
        .get(..6)
        .filter(|unit| unit.eq_ignore_ascii_case("bytes="))
        .map(|_| &raw[6..])
    else {
        return RangeAsk::Whole;
    };
    if spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAsk::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u64>().ok()
        } else {
            None
        }
    };
    match (first.is_empty(), number(first), number(last)) {
        (true, _, Some(n)) => RangeAsk::Suffix(n),
        (false, Some(start), None) if last.is_empty() => RangeAsk::From(start, None),
        (false, Some(start), Some(end)) if end >= start => RangeAsk::From(start, Some(end)),
        _ => RangeAsk::Whole,
    }
}

/// Whether an `If-Range` validator still matches the file (strong ETag comparison, or the
/// exact `Last-Modified` date).
fn if_range_matches(raw: &str, entry: &Entry) -> bool {
    let raw = raw.trim();
    if raw.starts_with('"') {
        let Some(asked) = nextcloud_dav::ETag::parse(raw) else {
            return false;
        };
        return entry
            .etag
            .as_ref()
            .is_some_and(|e| !e.is_weak() && e.value() == asked.value());
    }
    if raw.starts_with("W/") {
        return false; // weak validators never match in If-Range
    }
    match (
        nextcloud_dav::proto::parse_http_date(raw),
        entry.last_modified,
    ) {
        (Some(asked), Some(modified)) => asked.unix_timestamp() == modified.unix_timestamp(),
        _ => false,
    }
}

/// Raster images a browser shows without running anything; everything else (SVG and HTML
/// included) is sent as an attachment.
fn is_raster_image(essence: &str) -> bool {
    matches!(
        essence,
        "image/png"
            | "image/jpeg"
            | "image/pjpeg"
            | "image/gif"
            | "image/webp"
            | "image/avif"
            | "image/apng"
            | "image/bmp"
            | "image/x-ms-bmp"
            | "image/x-icon"
            | "image/vnd.microsoft.icon"
    )
}

fn disposition(inline: bool, filename: &str) -> ContentDisposition {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(fallback)];
    if !filename.is_ascii() {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: filename.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: if inline {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters,
    }
}

/// Download a file: the body streams from Nextcloud as it arrives. One `Range` is passed
/// through (206 with `Content-Range`; 416 past the end; `If-Range` honoured). Raster images
/// are `inline`, everything else an `attachment`; `X-Content-Type-Options: nosniff` and a
/// sandboxing `Content-Security-Policy` always.
#[utoipa::path(get, path = "/api/crm/nextcloud/file", tag = "nextcloud", params(FileParams,
        ("Range" = Option<String>, Header, description = "one byte range, e.g. `bytes=0-1023`")),
    security(("bearer" = [])),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
              (status = 206, description = "the range asked for, with `Content-Range`"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 416, description = "the range starts past the end", body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn download(
    _: Viewer,
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<FileParams>,
) -> Result<HttpResponse, ApiError> {
    let client = client(&state)?;
    let path = parse_file_path("path", &p.path)?;
    let header_str = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let mut ask = header_str(header::RANGE).map_or(RangeAsk::Whole, parse_range);
    if ask != RangeAsk::Whole {
        // a suffix needs the size; `If-Range` the validators: both come from one PROPFIND
        let if_range = header_str(header::IF_RANGE);
        if matches!(ask, RangeAsk::Suffix(_)) || if_range.is_some() {
            let entry = client.stat(&path).await?;
            if entry.is_dir {
                return Err(ApiError::invalid_field("path", "is a folder, not a file"));
            }
            if if_range.is_some_and(|v| !if_range_matches(v, &entry)) {
                ask = RangeAsk::Whole;
            } else if let RangeAsk::Suffix(n) = ask {
                let size = entry.size.unwrap_or(0);
                if n == 0 || size == 0 {
                    return Err(unsatisfiable(Some(size)));
                }
                ask = RangeAsk::From(size.saturating_sub(n), None);
            }
        }
    }
    let range = match ask {
        RangeAsk::From(start, end) => Some((start, end)),
        _ => None,
    };
    let download = match client.download(&path, range).await {
        Ok(d) => d,
        Err(DavError::RangeNotSatisfiable { .. }) => {
            let size = client.stat(&path).await.ok().and_then(|e| e.size);
            return Err(unsatisfiable(size));
        }
        // servers answer a GET on a folder in their own ways: say what it is
        Err(
            e @ (DavError::NotFound { .. } | DavError::Forbidden { .. } | DavError::Protocol(_)),
        ) => {
            return Err(match client.stat(&path).await {
                Ok(entry) if entry.is_dir => {
                    ApiError::invalid_field("path", "is a folder, not a file")
                }
                _ => e.into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    Ok(stream_response(&path, download))
}

/// A 416 that says the size, as `Content-Range: bytes */size`.
fn unsatisfiable(size: Option<u64>) -> ApiError {
    let e = ApiError::new(
        StatusCode::RANGE_NOT_SATISFIABLE,
        "range_not_satisfiable",
        "the range asked for starts past the end of the file",
    );
    match size {
        Some(size) => e.with_details(serde_json::json!({ "size": size })),
        None => e,
    }
}

/// Largest piece handed to actix at a time. The HTTP client reads up to ~400 KiB at once;
/// actix copies each piece into its write buffer and drops that buffer's allocation after
/// any piece over 128 KiB, to allocate it again for the next. Pieces of exactly that size (cut
/// without copying) let it keep one buffer with half the writes of 64 KiB pieces: 0.63 s of
/// gateway CPU per GiB instead of 0.72 (`just bench-proxy`).
const PIECE: usize = 128 * 1024;

/// A download cut into pieces of at most [`PIECE`] bytes.
struct Pieces {
    inner: Download,
    current: web::Bytes,
}

impl futures_util::Stream for Pieces {
    type Item = Result<web::Bytes, DavError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.current.is_empty() {
            match self.inner.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(chunk))) => self.current = chunk,
                other => return other,
            }
        }
        let n = self.current.len().min(PIECE);
        Poll::Ready(Some(Ok(self.current.split_to(n))))
    }
}

fn stream_response(path: &DavPath, d: Download) -> HttpResponse {
    let len = d.content_length;
    let status = if d.is_partial() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let content_type = d
        .content_type
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let essence = content_type
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let mut res = HttpResponseBuilder::new(status);
    res.insert_header((header::CONTENT_TYPE, content_type))
        .insert_header(disposition(
            is_raster_image(&essence),
            path.name().unwrap_or("download"),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header(CacheControl(vec![
            CacheDirective::Private,
            CacheDirective::NoCache,
        ]));
    if let Some(etag) = &d.etag {
        res.insert_header((header::ETAG, etag.to_header()));
    }
    if let Some(modified) = d.last_modified {
        res.insert_header(header::LastModified(HttpDate::from(SystemTime::from(
            modified,
        ))));
    }
    if d.is_partial()
        && let Some(range) = &d.content_range
        && let Some((first, last)) = range.range
    {
        let total = range
            .complete_length
            .map_or_else(|| "*".to_owned(), |n| n.to_string());
        res.insert_header((
            header::CONTENT_RANGE,
            format!("bytes {first}-{last}/{total}"),
        ));
    }
    let body = Pieces {
        inner: d,
        current: web::Bytes::new(),
    };
    let body: BoxBody = match len {
        Some(len) => BoxBody::new(SizedStream::new(len, body)),
        None => BoxBody::new(BodyStream::new(body)),
    };
    res.body(body)
}

// ---------------------------------------------------------------------------------------------
// upload

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

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    /// The file as stored.
    file: FileItem,
    /// Whether a file of that name was there before (and is now replaced).
    replaced: bool,
    /// The media record of the file: created with the upload, or the one it had already.
    /// `null` when neither `customer_id` nor `order_id` was given and the file had none.
    media: Option<MediaRecord>,
}

/// Longest text field accepted in the upload form.
const FIELD_LIMIT: usize = 4096;
/// Room for the multipart envelope and text fields beyond `max_upload_bytes` before a
/// declared `Content-Length` alone is refused.
const ENVELOPE_ALLOWANCE: u64 = 64 * 1024;
/// After refusing an upload, at most this much of the rest of the request is read (and
/// dropped) so that the client reads the answer rather than a reset connection.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;
/// ... and for at most this long.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(10);
/// Chunks queued between the client's request and the request to Nextcloud.
const PIPE_CHUNKS: usize = 8;

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
struct Parts {
    multipart: Multipart,
    done: bool,
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

/// Why piping the file part stopped early.
enum PipeStop {
    TooLarge,
    Client(actix_multipart::MultipartError),
    /// Nextcloud stopped reading (its answer says why).
    UpstreamGone,
}

/// Feeds the file part into `tx`, counting; stops past `limit`.
async fn pipe(
    field: &mut Field,
    tx: tokio::sync::mpsc::Sender<std::io::Result<web::Bytes>>,
    limit: u64,
    count: &mut u64,
) -> Result<(), PipeStop> {
    while let Some(chunk) = field.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let _ = tx
                    .send(Err(std::io::Error::other("the client's upload broke off")))
                    .await;
                return Err(PipeStop::Client(e));
            }
        };
        *count += chunk.len() as u64;
        if *count > limit {
            let _ = tx
                .send(Err(std::io::Error::other("upload larger than the limit")))
                .await;
            return Err(PipeStop::TooLarge);
        }
        if tx.send(Ok(chunk)).await.is_err() {
            return Err(PipeStop::UpstreamGone);
        }
    }
    Ok(())
}

/// The folders of `folder` (itself included) that do not exist yet, outermost first.
async fn missing_folders(client: &Client, folder: &DavPath) -> Result<Vec<DavPath>, ApiError> {
    let mut missing = Vec::new();
    for level in folder.ancestors_and_self() {
        match client.stat(&level).await {
            Ok(e) if e.is_dir => break,
            Ok(_) => {
                return Err(ApiError::invalid_field(
                    "nextcloud_path",
                    format!("{level} is a file, not a folder"),
                ));
            }
            Err(DavError::NotFound { .. } | DavError::Conflict { .. }) => missing.push(level),
            Err(e) => return Err(e.into()),
        }
    }
    missing.reverse();
    Ok(missing)
}

/// Removes what a failed upload may have left: the file (when it is not one that was there
/// before) and the folders the upload created, when they are empty. Best effort, logged.
async fn undo_upload(client: &Client, file: &DavPath, created_folders: &[DavPath]) {
    match client.delete(file).await {
        Ok(()) | Err(DavError::NotFound { .. }) => {}
        Err(e) => tracing::warn!(%file, error = %e, "could not remove a failed upload"),
    }
    for folder in created_folders.iter().rev() {
        match client.list(folder).await {
            Ok(children) if children.is_empty() => {
                if let Err(e) = client.delete(folder).await {
                    tracing::warn!(%folder, error = %e, "could not remove a folder made for a failed upload");
                }
            }
            _ => break,
        }
    }
}

/// Upload a file (multipart/form-data: `nextcloud_path`, optional `customer_id` and
/// `order_id`, then `file`). The file streams to Nextcloud as it arrives; one larger than
/// `max_upload_bytes` is refused with 413 and nothing of it is left. Then the media record:
/// direction from the subfolder (`Sent Media` sent, `Received Media` received, else
/// internal). Uploading to an existing path replaces the file and keeps its one record.
#[utoipa::path(post, path = "/api/crm/nextcloud/upload", tag = "nextcloud",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses((status = 201, description = "a new file", body = Uploaded),
              (status = 200, description = "an existing file was replaced", body = Uploaded),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 413, description = "larger than `max_upload_bytes`", body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody),
              (status = 507, body = ErrorBody)))]
pub async fn upload(
    editor: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    multipart: Multipart,
) -> Result<HttpResponse, ApiError> {
    let client = client(&state)?;
    let limit = req
        .app_data::<UploadLimit>()
        .map_or(u64::MAX, |UploadLimit(l)| *l);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit.saturating_add(ENVELOPE_ALLOWANCE)) {
        return Err(too_large(limit));
    }
    let mut parts = Parts {
        multipart,
        done: false,
    };
    let outcome = receive(editor, &state, client, limit, &mut parts).await;
    if outcome.is_err() {
        // read (and drop) the rest so the client gets the answer, not a reset connection
        let _ = tokio::time::timeout(DRAIN_TIME, drain(&mut parts, DRAIN_LIMIT)).await;
    }
    outcome
}

/// The upload itself: the form's fields, the file streamed to Nextcloud, the media record.
async fn receive(
    editor: Editor,
    state: &AppState,
    client: &Client,
    limit: u64,
    multipart: &mut Parts,
) -> Result<HttpResponse, ApiError> {
    let mut folder: Option<DavPath> = None;
    let mut customer_id = None;
    let mut order_id = None;
    let mut field = loop {
        let Some(field) = multipart.next().await else {
            return Err(ApiError::invalid_field("file", "is required"));
        };
        let mut field = field.map_err(multipart_error)?;
        match field.name().unwrap_or_default() {
            "file" => break field,
            "nextcloud_path" => {
                let raw = text_field(&mut field, "nextcloud_path").await?;
                folder = Some(parse_path("nextcloud_path", &raw)?);
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
    let name = parse_file_path("file", &filename)?;
    if name.segments().count() != 1 {
        return Err(ApiError::invalid_field(
            "file",
            "the filename must be a name, not a path",
        ));
    }
    let path = folder.join_path(&name);
    let content_type = field
        .content_type()
        .map(|m| m.essence_str().to_owned())
        .filter(|m| m != "application/octet-stream");

    // the record's owner, checked before a byte goes to Nextcloud
    if let Some(id) = customer_id {
        state
            .customers
            .get(id)
            .await
            .map_err(crate::error::referenced_customer)?;
    }
    if let Some(id) = order_id {
        let order = state
            .orders
            .get(id)
            .await
            .map_err(crate::error::referenced_order)?;
        customer_id.get_or_insert(order.customer_id);
    }

    // what is there already decides what a failure must clean up
    let existed = match client.stat(&path).await {
        Ok(e) if e.is_dir => {
            return Err(ApiError::invalid_field(
                "file",
                format!("{path} is a folder in Nextcloud"),
            ));
        }
        Ok(_) => true,
        Err(DavError::NotFound { .. } | DavError::Conflict { .. }) => false,
        Err(e) => return Err(e.into()),
    };
    let created_folders = if existed {
        Vec::new()
    } else {
        missing_folders(client, &folder).await?
    };

    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<web::Bytes>>(PIPE_CHUNKS);
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let mut upload_body = UploadBody::from_stream(body);
    if let Some(ct) = &content_type {
        upload_body = upload_body.with_content_type(ct.clone());
    }
    let mut size = 0u64;
    let (piped, uploaded) = futures_util::future::join(
        pipe(&mut field, tx, limit, &mut size),
        client.upload(&path, upload_body),
    )
    .await;
    let failure = match (piped, uploaded) {
        (Ok(()), Ok(up)) => Ok(up),
        (Err(PipeStop::TooLarge), _) => Err(too_large(limit)),
        (Err(PipeStop::Client(e)), _) => Err(multipart_error(e)),
        (Err(PipeStop::UpstreamGone) | Ok(()), Err(e)) => Err(ApiError::from(e)),
        (Err(PipeStop::UpstreamGone), Ok(_)) => Err(ApiError::internal(
            "Nextcloud accepted an upload that was not complete",
        )),
    };
    let up = match failure {
        Ok(up) => up,
        Err(e) => {
            if !existed {
                undo_upload(client, &path, &created_folders).await;
            }
            return Err(e);
        }
    };

    // fields after the file would have been lost: refuse them rather than ignore them (the
    // multipart stream waits while a field of it is alive)
    drop(field);
    while let Some(Ok(mut rest)) = multipart.next().await {
        let name = rest.name().unwrap_or_default().to_owned();
        if matches!(
            name.as_str(),
            "file" | "nextcloud_path" | "customer_id" | "order_id"
        ) {
            if !existed {
                undo_upload(client, &path, &created_folders).await;
            }
            return Err(ApiError::invalid_field(
                name,
                "must come before the `file` part (and `file` only once)",
            ));
        }
        let _ = rest.bytes(FIELD_LIMIT).await;
    }

    let media = match state.comms.media_by_path(path.as_str()).await? {
        // the file was replaced: its record follows
        Some(record) => Some(
            state
                .comms
                .media_file_replaced(record.id, Some(size), content_type.clone())
                .await?,
        ),
        None if customer_id.is_some() || order_id.is_some() => {
            let new = NewMedia {
                customer_id,
                order_id,
                filename: None,
                nextcloud_path: path.as_str().to_owned(),
                mime_type: content_type.clone(),
                size: Some(size),
                direction: direction_of(&folder),
                tags: Vec::new(),
                uploaded_by: Some(editor.0.subject),
            };
            match state.comms.create_media(new).await {
                Ok(record) => Some(record),
                // someone recorded the same path meanwhile: one record it is
                Err(crm_comms::Error::Conflict { .. }) => {
                    state.comms.media_by_path(path.as_str()).await?
                }
                Err(e) => {
                    if !existed {
                        undo_upload(client, &path, &created_folders).await;
                    }
                    return Err(e.into());
                }
            }
        }
        None => None,
    };
    let body = Uploaded {
        file: FileItem {
            filename: name.as_str().to_owned(),
            path: path.as_str().to_owned(),
            is_dir: false,
            mime_type: content_type,
            size: Some(size),
            last_modified: None,
            etag: up.etag.map(|t| t.value().to_owned()),
        },
        replaced: existed || !up.created,
        media,
    };
    let status = if body.replaced {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(HttpResponseBuilder::new(status).json(body))
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the file is larger than the {limit} bytes this server accepts"),
    )
    .with_details(serde_json::json!({ "limit_bytes": limit }))
}

// ---------------------------------------------------------------------------------------------
// delete

/// Delete a file and its media record. Folders are refused (422). A file already gone whose
/// record remains: the record is deleted (204); neither there: 404.
#[utoipa::path(delete, path = "/api/crm/nextcloud/file", tag = "nextcloud", params(FileParams),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn delete(
    _: Editor,
    state: web::Data<AppState>,
    Query(p): Query<FileParams>,
) -> Result<HttpResponse, ApiError> {
    let client = client(&state)?;
    let path = parse_file_path("path", &p.path)?;
    let record = state.comms.media_by_path(path.as_str()).await?;
    let file_there = match client.stat(&path).await {
        Ok(e) if e.is_dir => {
            return Err(ApiError::invalid_field(
                "path",
                "is a folder; only files are deleted here",
            ));
        }
        Ok(_) => true,
        Err(DavError::NotFound { .. }) => false,
        Err(e) => return Err(e.into()),
    };
    if !file_there && record.is_none() {
        return Err(ApiError::not_found(format!("no file {path} in Nextcloud")));
    }
    if file_there {
        match client.delete(&path).await {
            Ok(()) | Err(DavError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(record) = record {
        match state.comms.delete_media(record.id, None).await {
            Ok(()) | Err(crm_comms::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------------------------------------
// customer media

/// Where a customer media item was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// In the customer's Nextcloud folder, without a media record.
    Nextcloud,
    /// A media record whose file was not found in the folder (elsewhere, or gone).
    Record,
    /// Both.
    Both,
}

/// What became of reading the customer's Nextcloud folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FolderStatus {
    /// Read: its files are in the list.
    Read,
    /// Nextcloud is not configured on this server.
    NotConfigured,
    /// The customer has no `nextcloud_folder`.
    NoFolder,
    /// The folder does not exist in Nextcloud.
    NotFound,
    /// The customer's `nextcloud_folder` is not a path inside the base folder.
    InvalidFolder,
    /// Nextcloud could not be read (down, wrong credentials, …); see the log.
    Unavailable,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerMediaItem {
    pub filename: String,
    /// Relative to the configured base folder (what `GET /nextcloud/file?path=` takes).
    pub path: String,
    pub source: Source,
    /// The record's, else the one its subfolder stands for.
    pub direction: MediaDirection,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
    /// The file's, when it was found in the folder.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_modified: Option<Timestamp>,
    /// The media record, when there is one.
    pub record: Option<MediaRecord>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerMedia {
    /// Newest first (file time, else record time).
    items: Vec<CustomerMediaItem>,
    total: u64,
    /// The customer's `nextcloud_folder`.
    folder: Option<String>,
    /// Whether the folder was read; when not, the list holds the records only.
    folder_read: bool,
    folder_status: FolderStatus,
}

/// Every media record of a customer (all pages).
async fn all_records(state: &AppState, customer_id: Uuid) -> Result<Vec<MediaRecord>, ApiError> {
    const PAGE: u32 = 1000;
    let mut records = Vec::new();
    loop {
        let page = state
            .comms
            .list_media(MediaQuery {
                customer_id: Some(customer_id),
                order_id: None,
                limit: Some(PAGE),
                offset: Some(u32::try_from(records.len()).unwrap_or(u32::MAX)),
            })
            .await?;
        let n = page.items.len();
        records.extend(page.items);
        if n < PAGE as usize || records.len() as u64 >= page.total {
            return Ok(records);
        }
    }
}

/// The files of `folder` and of its upload subfolders that exist, with the direction each
/// subfolder stands for.
async fn folder_files(
    client: &Client,
    folder: &DavPath,
) -> Result<Vec<(Entry, MediaDirection)>, DavError> {
    let top = client.list(folder).await?;
    let subfolders: Vec<(DavPath, MediaDirection)> = top
        .iter()
        .filter(|e| e.is_dir)
        .filter_map(|e| {
            SUBFOLDERS
                .iter()
                .find(|(name, _)| e.name == *name)
                .map(|(_, d)| (e.path.clone(), *d))
        })
        .collect();
    let inner = futures_util::future::join_all(
        subfolders
            .iter()
            .map(|(path, _)| async move { client.list(path).await }),
    )
    .await;
    let mut files: Vec<(Entry, MediaDirection)> = top
        .into_iter()
        .filter(|e| !e.is_dir)
        .map(|e| (e, MediaDirection::Internal))
        .collect();
    for ((_, direction), listed) in subfolders.iter().zip(inner) {
        match listed {
            Ok(entries) => files.extend(
                entries
                    .into_iter()
                    .filter(|e| !e.is_dir)
                    .map(|e| (e, *direction)),
            ),
            // removed between the two listings
            Err(DavError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(files)
}

/// A customer's media: the files in its `nextcloud_folder` (and in that folder's `Sent
/// Media`, `Received Media` and `Internal` subfolders) merged with its media records, one item
/// per path, each marked with where it was found. When the folder cannot be read (Nextcloud
/// not configured or down, no folder), the records alone, with `folder_read: false`.
#[utoipa::path(get, path = "/api/crm/customers/{id}/media", tag = "customers",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = CustomerMedia), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn customer_media(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<CustomerMedia>, ApiError> {
    let customer = state.customers.get(*id).await?;
    let records = all_records(&state, customer.id).await?;
    let folder = customer.nextcloud_folder.clone();
    let (files, status) = match (&state.nextcloud, &folder) {
        (None, _) => (Vec::new(), FolderStatus::NotConfigured),
        (Some(_), None) => (Vec::new(), FolderStatus::NoFolder),
        (Some(client), Some(raw)) => match DavPath::parse(raw) {
            Err(_) => (Vec::new(), FolderStatus::InvalidFolder),
            Ok(path) => match folder_files(client, &path).await {
                Ok(files) => (files, FolderStatus::Read),
                Err(DavError::NotFound { .. } | DavError::Conflict { .. }) => {
                    (Vec::new(), FolderStatus::NotFound)
                }
                Err(e) => {
                    tracing::warn!(customer = %customer.id, error = %e, "customer folder not read");
                    (Vec::new(), FolderStatus::Unavailable)
                }
            },
        },
    };

    let mut by_path: HashMap<String, CustomerMediaItem> = HashMap::new();
    for (entry, direction) in files {
        let path = entry.path.as_str().to_owned();
        by_path.insert(
            path.clone(),
            CustomerMediaItem {
                filename: entry.name,
                path,
                source: Source::Nextcloud,
                direction,
                mime_type: entry.mime_type,
                size: entry.size,
                last_modified: timestamp(entry.last_modified),
                record: None,
            },
        );
    }
    for record in records {
        match by_path.get_mut(&record.nextcloud_path) {
            Some(item) => {
                item.source = Source::Both;
                item.direction = record.direction;
                item.record = Some(record);
            }
            None => {
                by_path.insert(
                    record.nextcloud_path.clone(),
                    CustomerMediaItem {
                        filename: record.filename.clone(),
                        path: record.nextcloud_path.clone(),
                        source: Source::Record,
                        direction: record.direction,
                        mime_type: record.mime_type.clone(),
                        size: record.size,
                        last_modified: None,
                        record: Some(record),
                    },
                );
            }
        }
    }
    let mut items: Vec<CustomerMediaItem> = by_path.into_values().collect();
    items.sort_by(|a, b| {
        let when = |i: &CustomerMediaItem| {
            i.last_modified
                .or_else(|| i.record.as_ref().map(|r| r.created_at))
        };
        (Reverse(when(a)), &a.path).cmp(&(Reverse(when(b)), &b.path))
    });
    Ok(web::Json(CustomerMedia {
        total: items.len() as u64,
        items,
        folder,
        folder_read: status == FolderStatus::Read,
        folder_status: status,
    }))
}

/// Reads a whole Nextcloud file of at most `max` bytes (to attach it to a message): its
/// path, bytes and type. A bad path or a file too big is a 422 on `field`.
pub(crate) async fn read_file(
    state: &AppState,
    field: &str,
    raw_path: &str,
    max: u64,
    too_big: &str,
) -> Result<(DavPath, Vec<u8>, String), ApiError> {
    let nc = state
        .nextcloud
        .as_ref()
        .ok_or_else(ApiError::nextcloud_not_configured)?;
    let path = DavPath::parse(raw_path).map_err(|e| ApiError::nextcloud_path(field, e))?;
    let download = nc.download(&path, None).await.map_err(|e| match e {
        nextcloud_dav::Error::NotFound { .. } => {
            ApiError::invalid_field(field, format!("no file {raw_path} in Nextcloud"))
        }
        e => e.into(),
    })?;
    if download.content_length.is_some_and(|n| n > max) {
        return Err(ApiError::invalid_field(field, too_big));
    }
    let mime = download
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut bytes = Vec::new();
    let mut stream = download.into_stream();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk?);
        if bytes.len() as u64 > max {
            return Err(ApiError::invalid_field(field, too_big));
        }
    }
    Ok((path, bytes, mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_or_ignored() {
        let cases = [
            ("bytes=0-99", RangeAsk::From(0, Some(99))),
            ("bytes=100-", RangeAsk::From(100, None)),
            ("BYTES= 5-5", RangeAsk::From(5, Some(5))),
            ("bytes=-500", RangeAsk::Suffix(500)),
            ("bytes=-0", RangeAsk::Suffix(0)),
            ("bytes=9-3", RangeAsk::Whole),
            ("bytes=0-1,5-6", RangeAsk::Whole),
            ("bytes=a-b", RangeAsk::Whole),
            ("bytes=+1-2", RangeAsk::Whole),
            ("bytes=-", RangeAsk::Whole),
            ("items=0-1", RangeAsk::Whole),
            ("", RangeAsk::Whole),
            ("bytes=99999999999999999999999-", RangeAsk::Whole),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_range(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn only_raster_images_are_inline() {
        for t in ["image/png", "image/jpeg", "image/gif", "image/webp"] {
            assert!(is_raster_image(t), "{t}");
        }
        for t in [
            "image/svg+xml",
            "text/html",
            "application/xhtml+xml",
            "application/pdf",
            "text/plain",
            "application/octet-stream",
            "text/xml",
        ] {
            assert!(!is_raster_image(t), "{t}");
        }
    }

    #[test]
    fn greek_filenames_get_an_ascii_fallback_and_a_utf8_form() {
        let cd = disposition(false, "Τιμολόγιο \"1\".pdf").to_string();
        assert!(cd.starts_with("attachment; "), "{cd}");
        assert!(cd.contains("filename=\"_________ _1_.pdf\""), "{cd}");
        assert!(
            cd.contains("filename*=UTF-8''%CE%A4%CE%B9%CE%BC%CE%BF%CE%BB%CF%8C%CE%B3%CE%B9%CE%BF%20%221%22.pdf"),
            "{cd}"
        );
        let cd = disposition(true, "photo.jpg").to_string();
        assert_eq!(cd, "inline; filename=\"photo.jpg\"");
    }

    #[test]
    fn the_innermost_upload_subfolder_gives_the_direction() {
        let d = |p: &str| direction_of(&DavPath::parse(p).unwrap());
        assert_eq!(d("05_Customers/Ενορία/Sent Media"), MediaDirection::Sent);
        assert_eq!(
            d("05_Customers/Ενορία/received media"),
            MediaDirection::Received
        );
        assert_eq!(
            d("05_Customers/Ενορία/Sent Media/2026"),
            MediaDirection::Sent
        );
        assert_eq!(d("Received Media/x/Sent Media"), MediaDirection::Sent);
        assert_eq!(d("05_Customers/Ενορία/Internal"), MediaDirection::Internal);
        assert_eq!(d("05_Customers/Ενορία"), MediaDirection::Internal);
        assert_eq!(d(""), MediaDirection::Internal);
    }
}
