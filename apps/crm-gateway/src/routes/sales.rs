//! `/api/crm/pipelines` and `/api/crm/leads`: the sales pipeline — pipelines with their
//! ordered stages, the leads that move through them, their history, their comms and their
//! conversion into a customer and a draft order.
//!
//! Neither pipelines nor leads are deleted (no DELETE). A lead's stage changes only by `POST
//! /leads/{id}/stage`; its history is written by the server only, the actor being the caller.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_sales::{
    Conversion, ConvertRequest, Lead, LeadPatch, ListQuery, NewLead, Pipeline, PipelineInput,
    PipelineView, Sales as _, StageMove,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::channels::sales::{self, LeadComms, LeadHistory};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json, Query};
use crate::routes::{created, record};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/pipelines", "/pipelines/"])
            .route(web::get().to(pipelines))
            .route(web::post().to(create_pipeline)),
    )
    .service(
        web::resource("/pipelines/{id}")
            .route(web::get().to(pipeline))
            .route(web::put().to(update_pipeline)),
    )
    .service(web::resource("/pipelines/{id}/view").route(web::get().to(view)))
    .service(
        web::resource(["/leads", "/leads/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/leads/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update)),
    )
    .service(web::resource("/leads/{id}/stage").route(web::post().to(move_stage)))
    .service(web::resource("/leads/{id}/history").route(web::get().to(history)))
    .service(web::resource("/leads/{id}/comms").route(web::get().to(comms)))
    .service(web::resource("/leads/{id}/convert").route(web::post().to(convert)));
}

/// Every pipeline, the default first.
#[utoipa::path(get, path = "/api/crm/pipelines", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = Vec<Pipeline>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn pipelines(
    _: Viewer,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<Pipeline>>, ApiError> {
    Ok(web::Json(state.sales.pipelines().await?))
}

/// Create a pipeline: a unique name and its stages in board order (at least one open stage,
/// exactly one won, at least one lost).
#[utoipa::path(post, path = "/api/crm/pipelines", tag = "sales", request_body = PipelineInput,
    security(("bearer" = [])),
    responses((status = 201, body = Pipeline, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 409, description = "another pipeline has this name", body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "a field refused, named in `details`", body = ErrorBody)))]
pub async fn create_pipeline(
    _: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(input): Json<PipelineInput>,
) -> Result<HttpResponse, ApiError> {
    let p = state.sales.create_pipeline(input).await?;
    Ok(created(&req, p.id, p.version, &p))
}

/// One pipeline with its stages.
#[utoipa::path(get, path = "/api/crm/pipelines/{id}", tag = "sales",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Pipeline, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn pipeline(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = state.sales.pipeline(*id).await?;
    Ok(record(StatusCode::OK, p.version, &p))
}

/// Replace a pipeline's name and stages: stages sent with their `id` keep it and their leads,
/// the list's order is the board order. Removing a stage that holds leads, or changing
/// whether it is won or lost, is a 409 naming how many leads it holds.
#[utoipa::path(put, path = "/api/crm/pipelines/{id}", tag = "sales", request_body = PipelineInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 200, body = Pipeline, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "a stage holding leads removed or changed kind, or the name taken", body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update_pipeline(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(input): Json<PipelineInput>,
) -> Result<HttpResponse, ApiError> {
    let p = (state.sales)
        .update_pipeline(*id, input, if_match.expected_version())
        .await?;
    Ok(record(StatusCode::OK, p.version, &p))
}

/// The board in numbers: per stage the count, sum of values and weighted sum (value ×
/// probability) of its leads; per owner the same of the open leads.
#[utoipa::path(get, path = "/api/crm/pipelines/{id}/view", tag = "sales",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = PipelineView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn view(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<PipelineView>, ApiError> {
    Ok(web::Json(state.sales.pipeline_view(*id).await?))
}

/// A page of leads.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadList {
    leads: Vec<Lead>,
    /// Matching leads in all pages.
    total: u64,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// Leads, newest first, filtered; a page at a time.
#[utoipa::path(get, path = "/api/crm/leads", tag = "sales", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = LeadList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<web::Json<LeadList>, ApiError> {
    let page = state.sales.list(query).await?;
    Ok(web::Json(LeadList {
        leads: page.items,
        total: page.total,
        next_cursor: page.next_cursor,
    }))
}

/// Create a lead about a customer or a prospect; by default in the default pipeline's first stage.
#[utoipa::path(post, path = "/api/crm/leads", tag = "sales", request_body = NewLead,
    security(("bearer" = [])),
    responses((status = 201, body = Lead, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, description = "no such pipeline", body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "a field refused, named in `details`", body = ErrorBody)))]
pub async fn create(
    Editor(p): Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(new): Json<NewLead>,
) -> Result<HttpResponse, ApiError> {
    let l = sales::create(&state, new, &p.subject).await?;
    Ok(created(&req, l.id, l.version, &l))
}

/// One lead.
#[utoipa::path(get, path = "/api/crm/leads/{id}", tag = "sales",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Lead, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let l = state.sales.lead(*id).await?;
    Ok(record(StatusCode::OK, l.version, &l))
}

/// Change the given fields (`null` clears); a new owner is recorded. The stage moves by `/stage`.
#[utoipa::path(put, path = "/api/crm/leads/{id}", tag = "sales", request_body = LeadPatch,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 200, body = Lead, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(patch): Json<LeadPatch>,
) -> Result<HttpResponse, ApiError> {
    let l = sales::update(&state, *id, patch, if_match.expected_version(), &p.subject).await?;
    Ok(record(StatusCode::OK, l.version, &l))
}

/// Move the lead to another stage of its pipeline (the board's drag and drop); a lost stage
/// needs `lost_reason` (422 on `lost_reason` without one). The move is recorded; moving to
/// the stage it is in changes nothing.
#[utoipa::path(post, path = "/api/crm/leads/{id}/stage", tag = "sales", request_body = StageMove,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 200, body = Lead, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, description = "the lead changed since it was read", body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "`stage_id` not of the lead's pipeline, or `lost_reason` missing", body = ErrorBody)))]
pub async fn move_stage(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(to): Json<StageMove>,
) -> Result<HttpResponse, ApiError> {
    let l = (state.sales)
        .move_lead(*id, to, if_match.expected_version(), &p.subject)
        .await?;
    Ok(record(StatusCode::OK, l.version, &l))
}

/// The lead's stage moves and who owned it when, oldest first (written by the server only).
#[utoipa::path(get, path = "/api/crm/leads/{id}/history", tag = "sales",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = LeadHistory), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<LeadHistory>, ApiError> {
    Ok(web::Json(sales::history(&state, *id).await?))
}

/// How many comms entries a lead's page shows.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CommsParams {
    /// Default 100, at most 1000.
    limit: Option<u32>,
}

/// The lead's comms, newest first: the unassigned entries sent from one of the prospect's
/// contacts, and once the lead has a customer that customer's entries too.
#[utoipa::path(get, path = "/api/crm/leads/{id}/comms", tag = "sales",
    params(("id" = Uuid, Path), CommsParams), security(("bearer" = [])),
    responses((status = 200, body = LeadComms), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn comms(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(p): Query<CommsParams>,
) -> Result<web::Json<LeadComms>, ApiError> {
    Ok(web::Json(sales::comms(&state, *id, p.limit).await?))
}

/// Convert a won lead: its customer, or the one its prospect's contacts match, or a new one
/// made from the prospect; with `create_draft_order` a draft order from its quoted lines.
/// Converting again returns the same ids and creates nothing.
#[utoipa::path(post, path = "/api/crm/leads/{id}/convert", tag = "sales", request_body = ConvertRequest,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Conversion),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the lead is not won", body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "`lines`: a draft order without quoted lines, or a field the customer or order refused", body = ErrorBody)))]
pub async fn convert(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(request): Json<ConvertRequest>,
) -> Result<web::Json<Conversion>, ApiError> {
    Ok(web::Json(sales::convert(&state, *id, request).await?))
}
