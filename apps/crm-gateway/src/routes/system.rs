//! Health and metrics: routes that need no token. (The API description is served by
//! [`crate::openapi`].)

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health))
        .route("/metrics", web::get().to(metrics));
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
    version: &'static str,
}

/// Liveness and database readiness. Needs no token.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, body = Health), (status = 500, body = crate::error::ErrorBody)))]
pub async fn health(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    state.db.ping().await?;
    Ok(web::Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    }))
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let body = state
        .metrics
        .as_ref()
        .map(|m| m.render())
        .unwrap_or_default();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
