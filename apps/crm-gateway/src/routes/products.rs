//! `/api/crm/products`

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_products::{ListQuery, NewProduct, Product, ProductPatch, Products as _};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json, Query};
use crate::routes::{created, record};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/products", "/products/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/products/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductList {
    products: Vec<Product>,
    total: u64,
}

/// List products.
#[utoipa::path(get, path = "/api/crm/products", tag = "products", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ProductList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<web::Json<ProductList>, ApiError> {
    let page = state.products.list(query).await?;
    Ok(web::Json(ProductList {
        products: page.items,
        total: page.total,
    }))
}

/// One product.
#[utoipa::path(get, path = "/api/crm/products/{id}", tag = "products",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Product, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = state.products.get(*id).await?;
    Ok(record(StatusCode::OK, p.version, &p))
}

/// Create a product. `costs.total` and `stock.available` are computed by the server.
#[utoipa::path(post, path = "/api/crm/products", tag = "products", request_body = NewProduct,
    security(("bearer" = [])),
    responses((status = 201, body = Product, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, description = "duplicate SKU", body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    _: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(new): Json<NewProduct>,
) -> Result<HttpResponse, ApiError> {
    let p = state.products.create(new).await?;
    Ok(created(&req, p.id, p.version, &p))
}

/// Change the given fields of a product. With `If-Match`, only if it is still that version.
#[utoipa::path(put, path = "/api/crm/products/{id}", tag = "products", request_body = ProductPatch,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 200, body = Product, headers(("ETag" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 412, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(patch): Json<ProductPatch>,
) -> Result<HttpResponse, ApiError> {
    let p = state
        .products
        .update(*id, patch, if_match.expected_version())
        .await?;
    Ok(record(StatusCode::OK, p.version, &p))
}

/// Delete a product no order refers to.
#[utoipa::path(delete, path = "/api/crm/products/{id}", tag = "products",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "orders refer to it", body = ErrorBody),
              (status = 412, body = ErrorBody)))]
pub async fn delete(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    state
        .products
        .delete(*id, if_match.expected_version())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
