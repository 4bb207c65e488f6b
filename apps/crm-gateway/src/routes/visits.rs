//! The service desk beside a ticket's fields: on-site visits (schedule, complete with the parts
//! used, call off), macros (saved actions applied in one call) and tags.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_tickets::{Macro, NewMacro, NewVisit, Part, Tag, Ticket, Tickets as _, Visit};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::channels::tickets;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json};
use crate::routes::{created, record};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tickets/{id}/visits")
            .route(web::get().to(list_visits))
            .route(web::post().to(schedule)),
    )
    .service(web::resource("/visits/{id}").route(web::put().to(update_visit)))
    .service(
        web::resource(["/macros", "/macros/"])
            .route(web::get().to(macros))
            .route(web::post().to(create_macro)),
    )
    .service(
        web::resource("/macros/{id}")
            .route(web::put().to(update_macro))
            .route(web::delete().to(delete_macro)),
    )
    .service(web::resource("/tickets/{id}/macros/{macro_id}").route(web::post().to(apply_macro)))
    .service(web::resource("/tickets/{id}/tags").route(web::post().to(add_tag)))
    .service(web::resource("/tickets/{id}/tags/{tag}").route(web::delete().to(remove_tag)))
    .service(web::resource("/ticket-tags").route(web::get().to(tags)));
}

/// The ticket's visits by start.
#[utoipa::path(get, path = "/api/crm/tickets/{id}/visits", tag = "tickets",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<Visit>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_visits(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Visit>>, ApiError> {
    Ok(web::Json(state.tickets.visits(*id).await?))
}

/// Schedule an on-site visit; without `address`, at the customer's location (city, region,
/// country). Records `visit_scheduled`.
#[utoipa::path(post, path = "/api/crm/tickets/{id}/visits", tag = "tickets", request_body = NewVisit,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 201, body = Visit, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the ticket is closed", body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn schedule(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(visit): Json<NewVisit>,
) -> Result<HttpResponse, ApiError> {
    let v = tickets::schedule_visit(&state, *id, visit, &p.subject).await?;
    let mut res = record(StatusCode::CREATED, v.version, &v);
    if let Ok(at) = format!("/api/crm/visits/{}", v.id).parse() {
        res.headers_mut()
            .insert(actix_web::http::header::LOCATION, at);
    }
    Ok(res)
}

/// What happens to a scheduled visit.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum VisitChange {
    /// Done: the parts used are taken from stock with the completion (409 naming the
    /// product when there are not enough).
    Completed {
        #[serde(default)]
        outcome: Option<String>,
        #[serde(default)]
        parts: Vec<Part>,
        /// Take units reserved for orders too (never below zero on hand).
        #[serde(default)]
        allow_negative_stock: bool,
    },
    /// Called off.
    Cancelled,
}

/// Complete a scheduled visit (`{"status": "completed", "outcome", "parts"}`) or call it off
/// (`{"status": "cancelled"}`); records `visit_completed` or `visit_cancelled`.
#[utoipa::path(put, path = "/api/crm/visits/{id}", tag = "tickets", request_body = VisitChange,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), security(("bearer" = [])),
    responses((status = 200, body = Visit, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "not scheduled any more, or not enough stock", body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update_visit(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(change): Json<VisitChange>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.expected_version();
    let v = match change {
        VisitChange::Completed {
            outcome,
            parts,
            allow_negative_stock,
        } => {
            let done = crm_tickets::VisitCompletion {
                outcome,
                parts,
                allow_negative_stock,
            };
            tickets::complete_visit(&state, *id, done, version, &p.subject).await?
        }
        VisitChange::Cancelled => tickets::cancel_visit(&state, *id, version, &p.subject).await?,
    };
    Ok(record(StatusCode::OK, v.version, &v))
}

/// Every macro by name.
#[utoipa::path(get, path = "/api/crm/macros", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, body = Vec<Macro>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn macros(
    _: Viewer,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<Macro>>, ApiError> {
    Ok(web::Json(state.tickets.macros().await?))
}

/// Save a macro: actions (`set_status`, `set_priority`, `set_assignee`, `add_tag`,
/// `remove_tag`, `add_note` with `{customer}` and `{ticket}` filled in) applied in order.
#[utoipa::path(post, path = "/api/crm/macros", tag = "tickets", request_body = NewMacro,
    security(("bearer" = [])),
    responses((status = 201, body = Macro, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 409, description = "the name is taken", body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_macro(
    _: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(new): Json<NewMacro>,
) -> Result<HttpResponse, ApiError> {
    let m = state.tickets.create_macro(new).await?;
    Ok(created(&req, m.id, m.version, &m))
}

/// Edit a macro in place: the name and actions are replaced (validated as on create), the id
/// stays. The same name and actions change nothing, not even the version.
#[utoipa::path(put, path = "/api/crm/macros/{id}", tag = "tickets", request_body = NewMacro,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 200, body = Macro, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the name is taken", body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update_macro(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(new): Json<NewMacro>,
) -> Result<HttpResponse, ApiError> {
    let m = (state.tickets)
        .update_macro(*id, new, if_match.expected_version())
        .await?;
    Ok(record(StatusCode::OK, m.version, &m))
}

/// Delete a macro.
#[utoipa::path(delete, path = "/api/crm/macros/{id}", tag = "tickets",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 412, body = ErrorBody)))]
pub async fn delete_macro(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    (state.tickets)
        .delete_macro(*id, if_match.expected_version())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Apply a macro to the ticket, all or nothing (one refused step, a 409, changes nothing);
/// each effect is recorded, then `macro_applied`.
#[utoipa::path(post, path = "/api/crm/tickets/{id}/macros/{macro_id}", tag = "tickets",
    params(("id" = Uuid, Path), ("macro_id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses((status = 200, body = Ticket, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "a status move not allowed", body = ErrorBody),
              (status = 412, body = ErrorBody)))]
pub async fn apply_macro(
    Editor(p): Editor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, macro_id) = path.into_inner();
    let version = if_match.expected_version();
    let t = tickets::apply_macro(&state, id, macro_id, version, &p.subject).await?;
    Ok(record(StatusCode::OK, t.version, &t))
}

/// A tag to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagName {
    tag: String,
}

/// Add a tag (an existing one, ignoring case, keeps its spelling); records `tag_added`.
#[utoipa::path(post, path = "/api/crm/tickets/{id}/tags", tag = "tickets", request_body = TagName,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), security(("bearer" = [])),
    responses((status = 200, body = Ticket, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_tag(
    Editor(p): Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(t): Json<TagName>,
) -> Result<HttpResponse, ApiError> {
    let t = (state.tickets)
        .add_tag(*id, &t.tag, if_match.expected_version(), &p.subject)
        .await?;
    Ok(record(StatusCode::OK, t.version, &t))
}

/// Remove a tag (ignoring case); records `tag_removed`. An absent tag changes nothing.
#[utoipa::path(delete, path = "/api/crm/tickets/{id}/tags/{tag}", tag = "tickets",
    params(("id" = Uuid, Path), ("tag" = String, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses((status = 200, body = Ticket, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 412, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn remove_tag(
    Editor(p): Editor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, tag) = path.into_inner();
    let t = (state.tickets)
        .remove_tag(id, &tag, if_match.expected_version(), &p.subject)
        .await?;
    Ok(record(StatusCode::OK, t.version, &t))
}

/// Every ticket tag with its number of tickets.
#[utoipa::path(get, path = "/api/crm/ticket-tags", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, body = Vec<Tag>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn tags(_: Viewer, state: web::Data<AppState>) -> Result<web::Json<Vec<Tag>>, ApiError> {
    Ok(web::Json(state.tickets.tags().await?))
}
