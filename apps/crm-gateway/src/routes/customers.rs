//! `/api/crm/customers`

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_comms::Comms as _;
use crm_customers::{Customer, CustomerPatch, Customers as _, ListQuery, NewCustomer};
use crm_orders::Orders as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json, Query};
use crate::routes::{created, record};
use crate::state::AppState;
use crate::timeline::{self, TimelineItem};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/customers", "/customers/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    // before /customers/{id}, which would otherwise take "by-contact" for an id
    .service(web::resource("/customers/by-contact").route(web::get().to(by_contact)))
    .service(
        web::resource("/customers/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/customers/{id}/notes").route(web::post().to(add_note)))
    .service(web::resource("/customers/{id}/timeline").route(web::get().to(timeline)));
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerList {
    customers: Vec<Customer>,
    total: u64,
}

/// List or search customers.
#[utoipa::path(get, path = "/api/crm/customers", tag = "customers", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = CustomerList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<web::Json<CustomerList>, ApiError> {
    let page = state.customers.list(query).await?;
    Ok(web::Json(CustomerList {
        customers: page.items,
        total: page.total,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ByContactParams {
    /// An e-mail address (any case) or a phone number written any common way.
    value: String,
}

/// The customer who owns an e-mail address or phone number.
#[utoipa::path(get, path = "/api/crm/customers/by-contact", tag = "customers",
    params(ByContactParams), security(("bearer" = [])),
    responses((status = 200, body = Customer), (status = 404, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn by_contact(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<ByContactParams>,
) -> Result<HttpResponse, ApiError> {
    let c = state
        .customers
        .find_by_contact(&p.value)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no customer has the contact `{}`", p.value)))?;
    Ok(record(StatusCode::OK, c.version, &c))
}

/// One customer.
#[utoipa::path(get, path = "/api/crm/customers/{id}", tag = "customers",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Customer, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let c = state.customers.get(*id).await?;
    Ok(record(StatusCode::OK, c.version, &c))
}

/// Create a customer. Phone and WhatsApp numbers get their E.164 form.
#[utoipa::path(post, path = "/api/crm/customers", tag = "customers", request_body = NewCustomer,
    security(("bearer" = [])),
    responses((status = 201, body = Customer, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    _: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(new): Json<NewCustomer>,
) -> Result<HttpResponse, ApiError> {
    let c = state.customers.create(new).await?;
    Ok(created(&req, c.id, c.version, &c))
}

/// Change the given fields of a customer.
#[utoipa::path(put, path = "/api/crm/customers/{id}", tag = "customers", request_body = CustomerPatch,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 200, body = Customer, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(patch): Json<CustomerPatch>,
) -> Result<HttpResponse, ApiError> {
    let c = state
        .customers
        .update(*id, patch, if_match.expected_version())
        .await?;
    Ok(record(StatusCode::OK, c.version, &c))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewNote {
    /// Free text: line breaks and tabs allowed.
    #[schema(min_length = 1, max_length = 20000)] // crm_customers::model::MAX_TEXT_CHARS
    text: String,
}

/// Add a note to a customer, signed by the caller.
#[utoipa::path(post, path = "/api/crm/customers/{id}/notes", tag = "customers", request_body = NewNote,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Customer, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_note(
    editor: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(note): Json<NewNote>,
) -> Result<HttpResponse, ApiError> {
    let c = state
        .customers
        .add_note(*id, note.text, editor.0.subject)
        .await?;
    Ok(record(StatusCode::OK, c.version, &c))
}

/// Delete a customer who has no orders, comms entries or media records.
#[utoipa::path(delete, path = "/api/crm/customers/{id}", tag = "customers",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "orders, comms or media refer to the customer; details count each", body = ErrorBody),
              (status = 412, body = ErrorBody)))]
pub async fn delete(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    match state
        .customers
        .delete(*id, if_match.expected_version())
        .await
    {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(e @ crm_customers::Error::InUse { .. }) => {
            let orders = state.orders.count_for_customer(*id).await?;
            let counts = state.comms.counts_for_customer(*id).await?;
            Err(ApiError::from(e).with_details(
                json!({ "orders": orders, "comms": counts.comms, "media": counts.media }),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// Page size (default 50, at most 200).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Timeline {
    items: Vec<TimelineItem>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// Everything that happened with a customer, newest first: comms entries, media records,
/// order creations and status changes, tickets created and moved, visits, notes.
#[utoipa::path(get, path = "/api/crm/customers/{id}/timeline", tag = "customers",
    params(("id" = Uuid, Path), TimelineParams), security(("bearer" = [])),
    responses((status = 200, body = Timeline), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn timeline(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(p): Query<TimelineParams>,
) -> Result<web::Json<Timeline>, ApiError> {
    let cursor = p
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(str::parse)
        .transpose()?;
    let page = timeline::page(&state, *id, cursor, p.limit).await?;
    Ok(web::Json(Timeline {
        items: page.items,
        next_cursor: page.next.map(|c| c.to_string()),
    }))
}
