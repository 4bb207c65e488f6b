//! `/api/crm/imports`: CSV import of customers — upload a file, see how it was read and the
//! suggested mapping, dry-run it with a mapping (the job and every row's outcome), run it in
//! the background, follow or cancel it, and download its rows in error as CSV.
//!
//! Jobs are the office's record: writing needs `crm:edit`, reading `crm:view`. A file is at
//! most [`imports::MAX_FILE_BYTES`] (20 MiB); larger is a 413 (whatever `max_body_bytes` says for JSON).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_customers::import::{Field, Job, Preview};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::channels::imports::{self, NewImport, RowPage, Upload};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/imports", "/imports/"])
            .route(web::get().to(list))
            .route(web::post().to(plan)),
    )
    .service(web::resource("/imports/uploads").route(web::post().to(upload)))
    .service(web::resource("/imports/uploads/{id}/preview").route(web::post().to(preview)))
    .service(web::resource("/imports/{id}").route(web::get().to(get)))
    .service(web::resource("/imports/{id}/rows").route(web::get().to(rows)))
    .service(web::resource("/imports/{id}/errors.csv").route(web::get().to(error_csv)))
    .service(web::resource("/imports/{id}/run").route(web::post().to(run)))
    .service(web::resource("/imports/{id}/cancel").route(web::post().to(cancel)));
}

/// The file of `POST /imports/uploads` as a form (or send it as the raw body with
/// `?filename=`).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // documents the form in the OpenAPI document only
pub struct ImportForm {
    /// The CSV file; its part's `filename` is kept with the job.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// The file's name, for a raw body (a form's part names its own).
    filename: Option<String>,
}

/// Upload a CSV file (`multipart/form-data` with a `file` part, or the raw bytes with
/// `?filename=`): answers how it was read (encoding, delimiter), its headers, the suggested
/// mapping and its first rows as they would be stored. Nothing is recorded yet: the
/// `upload_id` names the file in the dry run.
#[utoipa::path(post, path = "/api/crm/imports/uploads", tag = "imports", params(UploadParams),
    request_body(content(
        (ImportForm = "multipart/form-data"),
        (String = "text/csv", example = "Ονομασία;Τηλέφωνο\r\nΙ.Ν. Αγίου Νικολάου;2101234567\r\n"))),
    security(("bearer" = [])),
    responses((status = 201, body = Upload), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, description = "a file larger than 20 MiB", body = ErrorBody),
              (status = 422, description = "not a CSV file this import reads", body = ErrorBody)))]
pub async fn upload(
    _: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(p): Query<UploadParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (name, bytes) = imports::read_file(&req, payload, p.filename).await?;
    let upload = state.imports.upload(name, bytes)?;
    Ok(HttpResponse::Created().json(upload))
}

/// A mapping to preview an upload with.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The field of each column; absent: the suggested mapping.
    #[serde(default)]
    mapping: Option<Vec<Field>>,
}

/// An uploaded file's first rows as they would be stored with `mapping`.
#[utoipa::path(post, path = "/api/crm/imports/uploads/{id}/preview", tag = "imports",
    params(("id" = Uuid, Path)), request_body = PreviewRequest, security(("bearer" = [])),
    responses((status = 200, body = Preview), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, description = "no such upload (any more): upload the file again", body = ErrorBody),
              (status = 422, description = "a mapping that does not fit the file", body = ErrorBody)))]
pub async fn preview(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(p): Json<PreviewRequest>,
) -> Result<web::Json<Preview>, ApiError> {
    Ok(web::Json(state.imports.preview(*id, p.mapping)?))
}

/// The dry run of an uploaded file: every row's outcome (create, update, unchanged, skip,
/// error) with totals, recorded as a `planned` job; no customer is written.
#[utoipa::path(post, path = "/api/crm/imports", tag = "imports", request_body = NewImport,
    security(("bearer" = [])),
    responses((status = 201, body = Job, headers(("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, description = "no such upload (any more): upload the file again", body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "a mapping or key refused, named in `details`", body = ErrorBody)))]
pub async fn plan(
    Editor(p): Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(new): Json<NewImport>,
) -> Result<HttpResponse, ApiError> {
    let job = state.imports.plan(new, &p.subject).await?;
    let base = req.path().trim_end_matches('/');
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("{base}/{}", job.id)))
        .json(job))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Jobs to return, newest first: 50 by default, at most 500.
    limit: Option<u32>,
}

/// Import jobs, newest first.
#[utoipa::path(get, path = "/api/crm/imports", tag = "imports", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Job>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<ListParams>,
) -> Result<web::Json<Vec<Job>>, ApiError> {
    let limit = p.limit.unwrap_or(50).clamp(1, 500);
    Ok(web::Json(state.imports.importer().jobs(limit).await?))
}

/// One job: its status, totals and, while it runs, `written` of `totals.rows`.
#[utoipa::path(get, path = "/api/crm/imports/{id}", tag = "imports",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Job), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Job>, ApiError> {
    Ok(web::Json(state.imports.importer().job(*id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RowParams {
    /// Only the rows with this outcome: `create`, `update`, `unchanged`, `skip` or `error`.
    outcome: Option<String>,
    /// The rows after this row number (a page's `next_after`); from the start by default.
    after: Option<u32>,
    /// Page size: 100 by default, at most 1000.
    limit: Option<u32>,
}

/// A job's rows and their outcomes (the dry run's, then the run's), in file order.
#[utoipa::path(get, path = "/api/crm/imports/{id}/rows", tag = "imports",
    params(("id" = Uuid, Path), RowParams), security(("bearer" = [])),
    responses((status = 200, body = RowPage), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn rows(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(p): Query<RowParams>,
) -> Result<web::Json<RowPage>, ApiError> {
    let page = (state.imports)
        .rows(*id, p.outcome, p.after.unwrap_or(0), p.limit.unwrap_or(100))
        .await?;
    Ok(web::Json(page))
}

/// The rows in error as CSV to fix and import again: the file's columns and an `error`
/// column, UTF-8 with a byte-order mark (Excel reads the Greek), the file's delimiter.
#[utoipa::path(get, path = "/api/crm/imports/{id}/errors.csv", tag = "imports",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv; charset=utf-8", body = String,
               headers(("Content-Disposition" = String))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn error_csv(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let importer = state.imports.importer();
    let job = importer.job(*id).await?;
    let csv = importer.error_csv(*id).await?;
    let stem = job
        .file_name
        .strip_suffix(".csv")
        .or_else(|| job.file_name.strip_suffix(".CSV"))
        .unwrap_or(&job.file_name);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(crate::download::disposition(
            false,
            &format!("{stem}-errors.csv"),
        ))
        .body(csv))
}

/// Start the real run of a dry-run job in the background: it writes what the dry run said
/// (against the customers as they are now), batch by batch. Follow it with `GET`; a job runs
/// once (409 when it is not `planned`).
#[utoipa::path(post, path = "/api/crm/imports/{id}/run", tag = "imports",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 202, body = Job, headers(("Location" = String))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "the job is running or has run", body = ErrorBody)))]
pub async fn run(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let job = state.imports.start(*id).await?;
    Ok(accepted(&job))
}

/// Ask a running job to stop after the batch it is writing; whole batches stay written and
/// the job ends `cancelled` (follow it with `GET`).
#[utoipa::path(post, path = "/api/crm/imports/{id}/cancel", tag = "imports",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 202, body = Job, headers(("Location" = String))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "the job is not running", body = ErrorBody)))]
pub async fn cancel(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let job = state.imports.cancel(*id).await?;
    Ok(accepted(&job))
}

fn accepted(job: &Job) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/crm/imports/{}", job.id)))
        .json(job)
}
