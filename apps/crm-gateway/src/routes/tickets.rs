//! `/api/crm/tickets`: the service desk's tickets, their notes, activity stream and linked
//! comms entries; a ticket from a comms entry; a customer's tickets. Visits, macros and tags
//! are in `visits.rs`.
//!
//! Tickets are closed, never deleted (their numbers are gapless): there is no DELETE. The
//! activity stream is written by the server only: it has no POST.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use crm_tickets::{
    Activity, NewNote, NewTicket, Note, Priority, Sort, Status, Ticket, TicketPatch, Tickets as _,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::channels::tickets::{self, FromEntry};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json, Query};
use crate::routes::{created, record};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/tickets", "/tickets/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/tickets/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update)),
    )
    .service(web::resource("/tickets/{id}/activities").route(web::get().to(activities)))
    .service(
        web::resource("/tickets/{id}/notes")
            .route(web::get().to(notes))
            .route(web::post().to(add_note)),
    )
    .service(web::resource("/tickets/{id}/entries").route(web::post().to(link_entry)))
    .service(web::resource("/comms/{id}/ticket").route(web::post().to(from_entry)))
    .service(web::resource("/customers/{id}/tickets").route(web::get().to(for_customer)));
}

/// Which tickets a list returns.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TicketParams {
    /// One status or several separated by commas (`new,open`).
    status: Option<String>,
    /// Username.
    assignee: Option<String>,
    #[param(value_type = Option<Priority>)]
    priority: Option<Priority>,
    /// A tag, ignoring case.
    tag: Option<String>,
    customer_id: Option<Uuid>,
    /// Only tickets past their due date that are neither resolved nor closed.
    overdue: Option<bool>,
    /// `newest` (default) or `due` (soonest due first).
    #[param(inline, value_type = Option<Sort>)]
    sort: Option<Sort>,
    /// Page size, 50 by default, at most 500.
    limit: Option<u32>,
    offset: Option<u32>,
    /// Only for `/customers/{id}/tickets`: the tickets neither resolved nor closed, all at once.
    open: Option<bool>,
}

impl TicketParams {
    fn query(self) -> Result<crm_tickets::ListQuery, ApiError> {
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some(s) => s
                .split(',')
                .map(|s| {
                    Status::parse(s.trim()).ok_or_else(|| {
                        ApiError::invalid_field("status", format!("`{s}` is not a ticket status"))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(crm_tickets::ListQuery {
            status,
            assignee: self.assignee,
            priority: self.priority,
            tag: self.tag,
            customer_id: self.customer_id,
            overdue: self.overdue.unwrap_or(false),
            sort: self.sort.unwrap_or_default(),
            limit: self.limit,
            offset: self.offset,
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TicketList {
    tickets: Vec<Ticket>,
    total: u64,
}

/// List tickets, newest first (or soonest due), filtered.
#[utoipa::path(get, path = "/api/crm/tickets", tag = "tickets", params(TicketParams),
    security(("bearer" = [])),
    responses((status = 200, body = TicketList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<TicketParams>,
) -> Result<web::Json<TicketList>, ApiError> {
    let page = state.tickets.list(p.query()?).await?;
    Ok(web::Json(TicketList {
        tickets: page.items,
        total: page.total,
    }))
}

/// Open a ticket; the server assigns its number (`TCK-2026-0001`) and records `created`.
#[utoipa::path(post, path = "/api/crm/tickets", tag = "tickets", request_body = NewTicket,
    security(("bearer" = [])),
    responses((status = 201, body = Ticket, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, description = "a field refused, named in `details`", body = ErrorBody)))]
pub async fn create(
    Editor(p): Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(new): Json<NewTicket>,
) -> Result<HttpResponse, ApiError> {
    let t = tickets::create(&state, new, &p.subject).await?;
    Ok(created(&req, t.id, t.version, &t))
}

/// One ticket.
#[utoipa::path(get, path = "/api/crm/tickets/{id}", tag = "tickets",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Ticket, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let t = state.tickets.get(*id).await?;
    Ok(record(StatusCode::OK, t.version, &t))
}

/// Change the given fields; a status move the workflow does not allow is a 409 naming the
/// current status. Status, assignee and priority changes are recorded as activities.
#[utoipa::path(put, path = "/api/crm/tickets/{id}", tag = "tickets", request_body = TicketPatch,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 200, body = Ticket, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "a status move not allowed", body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(patch): Json<TicketPatch>,
) -> Result<HttpResponse, ApiError> {
    let t = (state.tickets)
        .update(*id, patch, if_match.expected_version(), &p.subject)
        .await?;
    Ok(record(StatusCode::OK, t.version, &t))
}

/// The ticket's activity stream, in the order it happened (written by the server only).
#[utoipa::path(get, path = "/api/crm/tickets/{id}/activities", tag = "tickets",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<Activity>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn activities(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Activity>>, ApiError> {
    Ok(web::Json(state.tickets.activities(*id).await?))
}

/// The ticket's notes, oldest first: internal ones and what the customer was told.
#[utoipa::path(get, path = "/api/crm/tickets/{id}/notes", tag = "tickets",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<Note>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn notes(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Note>>, ApiError> {
    Ok(web::Json(state.tickets.notes(*id).await?))
}

/// Add a note by the caller; records `comment_added`.
#[utoipa::path(post, path = "/api/crm/tickets/{id}/notes", tag = "tickets", request_body = NewNote,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 201, body = Note), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn add_note(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(note): Json<NewNote>,
) -> Result<HttpResponse, ApiError> {
    let n = state.tickets.add_note(*id, note, &p.subject).await?;
    Ok(HttpResponse::Created().json(n))
}

/// A comms entry to link.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryLink {
    entry_id: Uuid,
}

/// Link a comms entry (of the ticket's customer, or of none); records `entry_linked`.
/// Linking it again changes nothing.
#[utoipa::path(post, path = "/api/crm/tickets/{id}/entries", tag = "tickets", request_body = EntryLink,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), security(("bearer" = [])),
    responses((status = 200, body = Ticket, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, body = ErrorBody),
              (status = 422, description = "`entry_id`: no such entry, or another customer's", body = ErrorBody)))]
pub async fn link_entry(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(link): Json<EntryLink>,
) -> Result<HttpResponse, ApiError> {
    let t = (state.tickets)
        .link_entry(*id, link.entry_id, if_match.expected_version(), &p.subject)
        .await?;
    Ok(record(StatusCode::OK, t.version, &t))
}

/// A ticket from a comms entry (a missed call, a message, an e-mail) for the entry's
/// customer; the entry is linked and the activity says so. The subject defaults to the
/// entry's.
#[utoipa::path(post, path = "/api/crm/comms/{id}/ticket", tag = "tickets", request_body = FromEntry,
    params(("id" = Uuid, Path, description = "the comms entry")), security(("bearer" = [])),
    responses((status = 201, body = Ticket, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, description = "no such entry", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn from_entry(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(from): Json<FromEntry>,
) -> Result<HttpResponse, ApiError> {
    let t = tickets::create_from_entry(&state, *id, from, &p.subject).await?;
    let mut res = record(StatusCode::CREATED, t.version, &t);
    let location = format!("/api/crm/tickets/{}", t.id).parse();
    if let Ok(v) = location {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// The customer's tickets: with `open=true` all those neither resolved nor closed, else a
/// page filtered like `GET /tickets`.
#[utoipa::path(get, path = "/api/crm/customers/{id}/tickets", tag = "tickets",
    params(("id" = Uuid, Path), TicketParams), security(("bearer" = [])),
    responses((status = 200, body = TicketList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn for_customer(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(p): Query<TicketParams>,
) -> Result<web::Json<TicketList>, ApiError> {
    let open = p.open.unwrap_or(false);
    let page = tickets::for_customer(&state, *id, open, p.query()?).await?;
    Ok(web::Json(TicketList {
        tickets: page.items,
        total: page.total,
    }))
}
