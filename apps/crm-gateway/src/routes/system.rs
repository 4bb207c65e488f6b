//! Health and metrics: routes that need no user's token. `/metrics` needs the configured
//! `metrics_token` when there is one. (The API description is served by [`crate::openapi`].)

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};

use crate::channels::health::{self, HealthReport};
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health))
        .route("/metrics", web::get().to(metrics));
}

/// Liveness and readiness, and how every dependency stands (see `channels::health`): `status`
/// is `ok` or `degraded` (an integration down, a sync failing, a backlog, low disk), each check
/// named in `checks`. 503 only when the database or the record store does not answer. Needs
/// no token.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, body = HealthReport), (status = 500, body = crate::error::ErrorBody),
        (status = 503, body = crate::error::ErrorBody)))]
pub async fn health(state: web::Data<AppState>) -> Result<web::Json<HealthReport>, ApiError> {
    Ok(web::Json(health::report(&state).await?))
}

/// The token `/metrics` asks for (`metrics_token`); `None`: open to anyone who reaches it.
#[derive(Debug, Clone)]
pub struct MetricsToken(pub Option<SecretString>);

impl MetricsToken {
    /// Whether `req` may read the metrics: no token configured, or `Authorization: Bearer`
    /// with it (compared in constant time).
    fn admits(&self, req: &HttpRequest) -> bool {
        let Some(expected) = &self.0 else {
            return true;
        };
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map_or("", |(_, token)| token.trim());
        let expected = expected.expose_secret().as_bytes();
        let given = given.as_bytes();
        given.len() == expected.len()
            && given
                .iter()
                .zip(expected)
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
    }
}

async fn metrics(
    state: web::Data<AppState>,
    token: web::Data<MetricsToken>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if !token.admits(&req) {
        return Err(ApiError::unauthorized(
            "the metrics need the configured metrics token as a Bearer token",
        ));
    }
    // the gauges of what /healthz reports, as of this scrape
    if let Ok(report) = health::report(&state).await {
        health::export(&report);
    }
    let body = state
        .metrics
        .as_ref()
        .map(|m| m.render())
        .unwrap_or_default();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body))
}
