//! `/api/crm/comms`: the log of every conversation (the inbox and missed calls are in
//! `inbox.rs`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_comms::{Comms as _, Entry, EntryPatch, ListQuery, NewEntry, SearchQuery};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json, Query};
use crate::routes::{EntryList, created, inbox, record};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/comms", "/comms/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    // before /comms/{id}, which would otherwise take "search" for an id
    .service(web::resource("/comms/search").route(web::get().to(search)))
    .service(web::resource("/comms/missed-calls").route(web::get().to(inbox::missed_calls)))
    .service(web::resource("/comms/{id}/thread").route(web::get().to(thread)))
    .service(
        web::resource("/comms/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .configure(inbox::configure);
}

/// A customer's comms entries, newest first.
#[utoipa::path(get, path = "/api/crm/comms", tag = "comms", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = EntryList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state.comms.list_json(query).await?;
    Ok(EntryList::respond(page))
}

/// One comms entry.
#[utoipa::path(get, path = "/api/crm/comms/{id}", tag = "comms",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Entry, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let e = state.comms.get(*id).await?;
    Ok(record(StatusCode::OK, e.version, &e))
}

/// Log an entry. Without `customer_id`, the `sender` is matched to a customer's contact; if
/// nobody has it, the entry goes to the unassigned inbox. An entry with the
/// `(type, ext_message_id)` of a stored one is not stored again: the answer is then 200
/// with the stored entry.
#[utoipa::path(post, path = "/api/crm/comms", tag = "comms", request_body = NewEntry,
    security(("bearer" = [])),
    responses((status = 201, body = Entry, headers(("ETag" = String), ("Location" = String))),
              (status = 200, description = "already stored under its ext_message_id", body = Entry),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    editor: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(mut new): Json<NewEntry>,
) -> Result<HttpResponse, ApiError> {
    new.logged_by = Some(editor.0.subject);
    let done = crate::channels::intake(&state, new).await?;
    let e = done.entry;
    Ok(if done.created {
        created(&req, e.id, e.version, &e)
    } else {
        record(StatusCode::OK, e.version, &e)
    })
}

/// Change the subject, body or time of an entry.
#[utoipa::path(put, path = "/api/crm/comms/{id}", tag = "comms", request_body = EntryPatch,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 200, body = Entry, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(patch): Json<EntryPatch>,
) -> Result<HttpResponse, ApiError> {
    let e = state
        .comms
        .update(*id, patch, if_match.expected_version())
        .await?;
    Ok(record(StatusCode::OK, e.version, &e))
}

/// Delete an entry.
#[utoipa::path(delete, path = "/api/crm/comms/{id}", tag = "comms",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 412, body = ErrorBody)))]
pub async fn delete(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    state.comms.delete(*id, if_match.expected_version()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    entries: Vec<Entry>,
    /// Matching entries: all of them when `total_exact`, else at least this many (very
    /// broad searches stop counting once the page is found).
    total: u64,
    total_exact: bool,
}

/// Search comms entries. Up to 500 hits are listed newest first with an exact total;
/// broader searches in the order the entries were stored, newest first, with a lower bound.
#[utoipa::path(get, path = "/api/crm/comms/search", tag = "comms", params(SearchQuery),
    security(("bearer" = [])),
    responses((status = 200, body = SearchResults), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    _: Viewer,
    state: web::Data<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<web::Json<SearchResults>, ApiError> {
    let page = state.comms.search(query).await?;
    Ok(web::Json(SearchResults {
        entries: page.items,
        total: page.total,
        total_exact: page.total_exact,
    }))
}

/// An entry's conversation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Thread {
    /// Oldest first; at most 1,000 (the newest).
    entries: Vec<Entry>,
}

/// The conversation an entry belongs to, oldest first: for an e-mail every e-mail of its
/// thread (replies and forwards the mail channel linked by Message-ID), for anything else the
/// entry alone.
#[utoipa::path(get, path = "/api/crm/comms/{id}/thread", tag = "comms",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Thread), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn thread(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Thread>, ApiError> {
    Ok(web::Json(Thread {
        entries: state.comms.thread(*id).await?,
    }))
}
