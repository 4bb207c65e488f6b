//! `/api/crm/comms` and `/api/crm/inbox`

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_comms::{
    Assignment, Before, Comms as _, CommsType, Entry, EntryPatch, ListQuery, NewEntry, SearchQuery,
};
use crm_customers::{ContactInput, ContactType, Customers as _};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json, Query};
use crate::routes::{created, record};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/comms", "/comms/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    // before /comms/{id}, which would otherwise take "search" for an id
    .service(web::resource("/comms/search").route(web::get().to(search)))
    .service(web::resource("/comms/missed-calls").route(web::get().to(missed_calls)))
    .service(web::resource("/comms/{id}/thread").route(web::get().to(thread)))
    .service(
        web::resource("/comms/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource(["/inbox", "/inbox/"]).route(web::get().to(inbox)))
    .service(web::resource("/inbox/{id}/assign").route(web::post().to(assign)));
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryList {
    entries: Vec<Entry>,
    /// Matching entries in all pages.
    total: u64,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

impl From<crm_comms::CursorPage<Entry>> for EntryList {
    fn from(page: crm_comms::CursorPage<Entry>) -> Self {
        Self {
            entries: page.items,
            total: page.total,
            next_cursor: page.next.map(|b| b.to_string()),
        }
    }
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
) -> Result<web::Json<EntryList>, ApiError> {
    let page = state.comms.list(query).await?;
    Ok(web::Json(page.into()))
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// Page size (default 100, at most 1000).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[serde(default, deserialize_with = "crm_comms::model::cursor")]
    #[param(value_type = Option<String>)]
    cursor: Option<Before>,
}

/// Entries whose sender matched no customer, newest first.
#[utoipa::path(get, path = "/api/crm/inbox", tag = "comms", params(InboxParams),
    security(("bearer" = [])),
    responses((status = 200, body = EntryList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn inbox(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<InboxParams>,
) -> Result<web::Json<EntryList>, ApiError> {
    let page = state.comms.inbox(p.limit, p.cursor).await?;
    Ok(web::Json(page.into()))
}

/// Missed calls (inbound, unanswered) of every customer and of unknown numbers, newest first:
/// whom to call back.
#[utoipa::path(get, path = "/api/crm/comms/missed-calls", tag = "comms", params(InboxParams),
    security(("bearer" = [])),
    responses((status = 200, body = EntryList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn missed_calls(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<InboxParams>,
) -> Result<web::Json<EntryList>, ApiError> {
    let page = state.comms.missed_calls(p.limit, p.cursor).await?;
    Ok(web::Json(page.into()))
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AssignRequest {
    customer_id: Uuid,
    /// Also make the sender one of the customer's contacts (e-mail, WhatsApp or phone, by
    /// the entry's channel).
    #[serde(default)]
    add_contact: bool,
    /// Also move every other inbox entry of the same sender.
    #[serde(default)]
    all_from_sender: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignResult {
    #[serde(flatten)]
    assignment: Assignment,
    /// Whether the sender became a new contact of the customer.
    contact_added: bool,
}

/// Give an inbox entry (and on request every entry of its sender) to a customer.
#[utoipa::path(post, path = "/api/crm/inbox/{id}/assign", tag = "comms", request_body = AssignRequest,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 200, body = AssignResult), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "the entry is not in the inbox", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn assign(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(req): Json<AssignRequest>,
) -> Result<web::Json<AssignResult>, ApiError> {
    let entry = state.comms.get(*id).await?;
    if let Some(owner) = entry.customer_id {
        return Err(ApiError::conflict(
            "conflict",
            format!("comms entry {id} is not in the inbox: it belongs to customer {owner}"),
        ));
    }
    let mut contact_added = false;
    if req.add_contact
        && let Some(sender) = entry.sender.as_deref()
    {
        let kind = match entry.kind {
            _ if sender.contains('@') => ContactType::Email,
            CommsType::Whatsapp => ContactType::Whatsapp,
            _ => ContactType::Phone,
        };
        let before = state
            .customers
            .get(req.customer_id)
            .await
            .map_err(crate::error::referenced_customer)?;
        let contact = ContactInput {
            kind,
            label: None,
            value: sender.to_owned(),
            primary: false,
        };
        let after = state
            .customers
            .add_contact(req.customer_id, contact)
            .await
            .map_err(|e| match e {
                crm_customers::Error::Invalid { reason, .. } => ApiError::invalid_field(
                    "add_contact",
                    format!("the sender `{sender}` cannot be a contact: it {reason}"),
                ),
                e => e.into(),
            })?;
        contact_added = after.version != before.version;
    }
    let assignment = state
        .comms
        .assign(*id, req.customer_id, req.all_from_sender)
        .await?;
    Ok(web::Json(AssignResult {
        assignment,
        contact_added,
    }))
}
