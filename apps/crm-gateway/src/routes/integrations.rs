//! `/api/admin/integrations` and `/api/admin/jobs`: how every integration stands, and the
//! retry of failed queued work (permission `crm:admin`). Mounted inside the `/api/admin` scope.

use actix_web::{HttpResponse, web};
use crm_comms::JobKind;
use serde::Deserialize;

use crate::auth::Admin;
use crate::channels::status::{self, IntegrationStatus};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Routes relative to `/api/admin`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/integrations").route(web::get().to(integrations)))
        .service(web::resource("/jobs/{kind}/{id}/retry").route(web::post().to(retry)));
}

/// Every integration: e-mail accounts and folders (last sync, counts on the server and
/// stored, gaps, last error), WhatsApp (configured, last webhook), the PBX (connected, last
/// event, last error), Nextcloud (reachable now) and the queues with their failed work.
#[utoipa::path(get, path = "/api/admin/integrations", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = IntegrationStatus), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn integrations(
    _: Admin,
    state: web::Data<AppState>,
) -> Result<web::Json<IntegrationStatus>, ApiError> {
    Ok(web::Json(status::integrations(&state).await?))
}

#[derive(Debug, Deserialize)]
pub struct JobPath {
    kind: JobKind,
    id: i64,
}

/// Put a failed job (`inbound` webhook body or `attachment`) back in its queue, with a fresh
/// count of attempts; its worker takes it at once.
#[utoipa::path(post, path = "/api/admin/jobs/{kind}/{id}/retry", tag = "admin",
    params(("kind" = JobKind, Path), ("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, description = "no failed job of that kind and id", body = ErrorBody)))]
pub async fn retry(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<JobPath>,
) -> Result<HttpResponse, ApiError> {
    status::retry(&state, path.kind, path.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
