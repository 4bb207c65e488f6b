//! `/api/crm/orders`

use actix_web::http::StatusCode;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};
use crm_orders::document::Kind;
use crm_orders::{ListQuery, NewOrder, Order, OrderPatch, Orders as _};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::channels::{documents, serials, workflows};
use crate::download::disposition;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json, Query};
use crate::routes::{created, record};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/orders", "/orders/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/orders/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/orders/{id}/document").route(web::get().to(document)))
    .service(web::resource("/serials/{serial}").route(web::get().to(serial)));
}

/// Which document `GET /orders/{id}/document` prints.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    /// `quotation` or `confirmation`; default: a quotation for a draft, else a confirmation.
    #[param(value_type = Option<Kind>)]
    kind: Option<Kind>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderList {
    orders: Vec<Order>,
    total: u64,
}

/// List orders, newest first.
#[utoipa::path(get, path = "/api/crm/orders", tag = "orders", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = OrderList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<web::Json<OrderList>, ApiError> {
    let page = state.orders.list(query).await?;
    Ok(web::Json(OrderList {
        orders: page.items,
        total: page.total,
    }))
}

/// One order, with its status history.
#[utoipa::path(get, path = "/api/crm/orders/{id}", tag = "orders",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Order, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = state.orders.get(*id).await?;
    Ok(record(StatusCode::OK, p.version, &p))
}

/// Create an order. The order number, subtotal and total are assigned by the server.
#[utoipa::path(post, path = "/api/crm/orders", tag = "orders", request_body = NewOrder,
    security(("bearer" = [])),
    responses((status = 201, body = Order, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    _: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(new): Json<NewOrder>,
) -> Result<HttpResponse, ApiError> {
    let p = state.orders.create(new).await?;
    Ok(created(&req, p.id, p.version, &p))
}

/// Change the given fields of an order; totals are recomputed and stock moves with the status.
/// With `If-Match`, only if it is still that version. A delivered order's serials become its
/// customer's owned items (again on every update of a delivered order, idempotently: a
/// registration that failed is completed by sending the update again).
#[utoipa::path(put, path = "/api/crm/orders/{id}", tag = "orders", request_body = OrderPatch,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 200, body = Order, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "not enough stock of a product for the status change", body = ErrorBody),
              (status = 412, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(patch): Json<OrderPatch>,
) -> Result<HttpResponse, ApiError> {
    let p = state
        .orders
        .update(*id, patch, if_match.expected_version())
        .await?;
    // the delivery is committed: its event goes even if registering the serials fails
    if became_delivered(&p) {
        let data = serde_json::json!({
            "order_id": p.id, "number": p.order_number, "customer_id": p.customer_id,
        });
        workflows::emit(&state, "order.delivered", data);
    }
    serials::register_delivered(&state, &p).await?;
    Ok(record(StatusCode::OK, p.version, &p))
}

/// Whether this write made the order delivered: its last status change is to `delivered`,
/// from another status, at this version's time (a later write of a delivered order is not).
fn became_delivered(o: &Order) -> bool {
    o.status_history.last().is_some_and(|c| {
        c.to == crm_orders::Status::Delivered
            && c.from.is_some_and(|f| f != crm_orders::Status::Delivered)
            && c.at == o.updated_at
    })
}

/// The order's quotation or order confirmation as a PDF (A4, Greek), with the company of the
/// configuration as issuer.
#[utoipa::path(get, path = "/api/crm/orders/{id}/document", tag = "orders",
    params(("id" = Uuid, Path), DocumentQuery), security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>,
               headers(("Content-Disposition" = String,
                        description = "attachment; filename=\"Prosfora-ORD-2026-001.pdf\""))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, description = "a `kind` that is not a document", body = ErrorBody)))]
pub async fn document(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<DocumentQuery>,
) -> Result<HttpResponse, ApiError> {
    let doc = documents::order_document(&state, *id, query.kind).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(disposition(false, &doc.file_name))
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .body(doc.pdf))
}

/// A device's history by its serial number: the orders that carried it (the first sold it), its
/// owner and the owned item with its warranty, and the service desk's tickets and visits about
/// it.
#[utoipa::path(get, path = "/api/crm/serials/{serial}", tag = "orders",
    params(("serial" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = serials::SerialHistory), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, description = "no order carried it and no ticket is about it", body = ErrorBody)))]
pub async fn serial(
    _: Viewer,
    state: web::Data<AppState>,
    serial: web::Path<String>,
) -> Result<web::Json<serials::SerialHistory>, ApiError> {
    Ok(web::Json(serials::history(&state, &serial).await?))
}

/// Delete an order. An order that holds stock (confirmed, in production, shipped, delivered)
/// is refused: cancel it first, which gives the stock back.
#[utoipa::path(delete, path = "/api/crm/orders/{id}", tag = "orders",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "the order holds stock: cancel it first", body = ErrorBody),
              (status = 412, body = ErrorBody)))]
pub async fn delete(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    state
        .orders
        .delete(*id, if_match.expected_version())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
