//! `/api/crm/nextcloud` — browse, download (a streamed proxy), upload (streamed to Nextcloud,
//! then a media record) and delete files in the configured Nextcloud base folder — and
//! `/api/crm/customers/{id}/media`, a customer's folder merged with its media records.
//!
//! The work is the files channel's ([`crate::channels::files`]); byte ranges and the streamed
//! response are [`crate::download`]'s, the multipart form [`crate::upload_form`]'s.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::channels::ChannelError;
use crate::channels::files::{self, CustomerMedia, Listing, Upload, Uploaded};
use crate::download::{Ranged, stream_response};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::state::AppState;
use crate::upload_form::{ENVELOPE_ALLOWANCE, Parts, UploadForm};

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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BrowseParams {
    /// Folder relative to the configured base folder (default: the base folder itself).
    #[serde(default)]
    path: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// File relative to the configured base folder.
    path: String,
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
    Ok(web::Json(files::browse(&state, &p.path).await?))
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
    let (path, file) = files::download(&state, &p.path, Ranged::of(&req)).await?;
    Ok(stream_response(&path, file))
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
    files::nextcloud(&state)?;
    let limit = req
        .app_data::<UploadLimit>()
        .map_or(u64::MAX, |UploadLimit(l)| *l);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit.saturating_add(ENVELOPE_ALLOWANCE)) {
        return Err(ChannelError::TooLarge { limit }.into());
    }
    let mut form = Parts::new(multipart);
    let outcome = receive(&state, &mut form, limit, editor.0.subject).await;
    if outcome.is_err() {
        form.drain().await;
    }
    let uploaded = outcome?;
    let status = if uploaded.replaced {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(HttpResponseBuilder::new(status).json(uploaded))
}

/// The form's fields, the file streamed to Nextcloud, then its media record.
async fn receive(
    state: &AppState,
    form: &mut Parts,
    limit: u64,
    uploaded_by: String,
) -> Result<Uploaded, ApiError> {
    let (target, mut file) = form.head().await?;
    let upload = Upload::prepare(state, target).await?;
    let sent = upload.send(&mut file, limit).await?;
    drop(file);
    if let Err(e) = form.refuse_trailing().await {
        upload.undo().await;
        return Err(e);
    }
    Ok(upload.record(state, sent, uploaded_by).await?)
}

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
    files::delete(&state, &p.path).await?;
    Ok(HttpResponse::NoContent().finish())
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
    Ok(web::Json(files::customer_media(&state, *id).await?))
}
