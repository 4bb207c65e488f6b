//! `/api/crm/media`: records of files kept in Nextcloud (metadata only).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use crm_comms::{Comms as _, MediaQuery, MediaRecord, NewMedia};
use crm_orders::Orders as _;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::channels::files::parse_file_path;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Json, Query};
use crate::routes::{created, record};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/media", "/media/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/media/{id}")
            .route(web::get().to(get))
            .route(web::delete().to(delete)),
    );
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MediaList {
    items: Vec<MediaRecord>,
    total: u64,
}

/// Media records of a customer or an order, newest first.
#[utoipa::path(get, path = "/api/crm/media", tag = "media", params(MediaQuery),
    security(("bearer" = [])),
    responses((status = 200, body = MediaList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
    Query(query): Query<MediaQuery>,
) -> Result<web::Json<MediaList>, ApiError> {
    let page = state.comms.list_media(query).await?;
    Ok(web::Json(MediaList {
        items: page.items,
        total: page.total,
    }))
}

/// One media record.
#[utoipa::path(get, path = "/api/crm/media/{id}", tag = "media",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = MediaRecord, headers(("ETag" = String))),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let m = state.comms.get_media(*id).await?;
    Ok(record(StatusCode::OK, m.version, &m))
}

/// Record a file that is in Nextcloud already. With only `order_id`, the record also
/// belongs to the order's customer. `nextcloud_path` follows the rules of every Nextcloud
/// path the API takes (those of `/nextcloud/file`), and names a file, not the base folder.
#[utoipa::path(post, path = "/api/crm/media", tag = "media", request_body = NewMedia,
    security(("bearer" = [])),
    responses((status = 201, body = MediaRecord, headers(("ETag" = String), ("Location" = String))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 409, description = "the file has a record already", body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    editor: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(mut new): Json<NewMedia>,
) -> Result<HttpResponse, ApiError> {
    let path = parse_file_path("nextcloud_path", &new.nextcloud_path)?;
    new.nextcloud_path = path.as_str().to_owned();
    new.uploaded_by = Some(editor.0.subject);
    if new.customer_id.is_none()
        && let Some(order_id) = new.order_id
    {
        let order = state
            .orders
            .get(order_id)
            .await
            .map_err(crate::error::referenced_order)?;
        new.customer_id = Some(order.customer_id);
    }
    let m = state.comms.create_media(new).await?;
    Ok(created(&req, m.id, m.version, &m))
}

/// Delete a media record (not the file).
#[utoipa::path(delete, path = "/api/crm/media/{id}", tag = "media",
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
    state
        .comms
        .delete_media(*id, if_match.expected_version())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
