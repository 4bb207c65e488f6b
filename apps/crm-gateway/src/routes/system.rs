//! Health and metrics: routes that need no user's token. `/metrics` needs the configured
//! `metrics_token` when there is one. (The API description is served by [`crate::openapi`].)

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};
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
    /// Where products, customers and orders are kept: `sqlite` or `firestore`.
    #[schema(example = "sqlite")]
    store: &'static str,
}

/// Liveness and readiness: the SQLite database answers, and so does the record store
/// (Firestore, when configured: 503 `store_unavailable` when it does not). Needs no token.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, body = Health), (status = 500, body = crate::error::ErrorBody),
        (status = 503, body = crate::error::ErrorBody)))]
pub async fn health(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    state.db.ping().await?;
    state.records.ping(&state.db).await?;
    Ok(web::Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        store: state.records.kind().as_str(),
    }))
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
    let body = state
        .metrics
        .as_ref()
        .map(|m| m.render())
        .unwrap_or_default();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body))
}
