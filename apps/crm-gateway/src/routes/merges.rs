//! Duplicate customers: suggestions, the merge (`channels::merge`) and its history.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::{self, Json, Query};
use crm_customers::Customers as _;
use crm_customers::merge::{DuplicatePair, MergeOutcome, MergeRecord, MergeRequest};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::channels::merge;
use crate::error::{ApiError, ErrorBody};
use crate::extract::IfMatch;
use crate::routes::record;
use crate::state::AppState;

/// Registered before `/customers/{id}`, which would otherwise take "duplicates" for an id.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/customers/duplicates").route(web::get().to(duplicates)))
        .service(web::resource("/customers/{id}/merge").route(web::post().to(merge_into)))
        .service(web::resource("/customers/{id}/merges").route(web::get().to(history)));
}

/// The most pairs one suggestion list holds.
const PAIRS_MAX: u32 = 500;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicateParams {
    /// At most this many pairs (1–500, default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// Pairs of customers that look like one: a shared phone number or e-mail address, or names
/// that fold to the same letters; most reasons first.
#[utoipa::path(get, path = "/api/crm/customers/duplicates", tag = "customers",
    params(DuplicateParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<DuplicatePair>),
              (status = 400, description = "the query string is not one", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn duplicates(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<DuplicateParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=PAIRS_MAX).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            "must be between 1 and 500",
        ));
    }
    let pairs = state.customers.duplicates(limit as usize).await?;
    Ok(HttpResponse::Ok().json(pairs))
}

/// Merge the customer `duplicate_id` into this one: its contacts, notes, tags and owned items
/// join this customer's, its orders, comms entries, media records, tickets and leads move here,
/// and it is deleted; the merge is remembered with the duplicate's whole record. `dry_run`
/// says what would happen and writes nothing. Merging the same duplicate again answers the
/// first merge (`already_merged`).
#[utoipa::path(post, path = "/api/crm/customers/{id}/merge", tag = "customers",
    request_body = MergeRequest,
    params(("id" = Uuid, Path, description = "The customer that stays"),
           ("If-Match" = Option<String>, Header, description = "ETag of the customer that stays")),
    security(("bearer" = [])),
    responses((status = 200, body = MergeOutcome, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the duplicate was merged into another customer", body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn merge_into(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(request): Json<MergeRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.expected_version();
    let outcome = merge::merge(&state, *id, request, version, &p.subject).await?;
    Ok(record(StatusCode::OK, outcome.customer.version, &outcome))
}

/// The customers merged into this one, newest first, each with the duplicate's whole record as
/// it was, who merged it and what moved.
#[utoipa::path(get, path = "/api/crm/customers/{id}/merges", tag = "customers",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<MergeRecord>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let records = merge::history(&state, *id).await?;
    Ok(HttpResponse::Ok().json(records))
}
