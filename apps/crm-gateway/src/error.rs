//! The one error type of the HTTP layer and its JSON envelope:
//! `{"error": {"code": "...", "message": "...", "details": ...}}`.
//!
//! Every domain error converts into [`ApiError`] here, in one place. 5xx bodies are generic; the
//! detail goes to the log.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<Value>,
    /// What went wrong inside, for the log only (5xx).
    internal: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_field`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Extra structure, e.g. `{"field": "costs.pcb"}` for 422.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            internal: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn stale(current_version: i64) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "stale_version",
            "the record was changed by someone else; fetch it again and retry",
        )
        .with_details(json!({ "current_version": current_version }))
    }

    pub fn payload_too_large(limit: Option<usize>) -> Self {
        let e = Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        );
        match limit {
            Some(limit) => e.with_details(json!({ "limit_bytes": limit })),
            None => e,
        }
    }

    pub fn invalid_field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let field = field.into();
        let reason = reason.into();
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("{field}: {reason}"),
        )
        .with_details(json!({ "field": field, "reason": reason }))
    }

    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
    }

    /// A failure on our side. The client sees a generic message; `detail` is logged.
    pub fn internal(detail: impl fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server; it has been logged",
        );
        e.internal = Some(detail.to_string());
        e
    }

    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )?;
        if let Some(internal) = &self.internal {
            write!(f, " ({internal})")?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, detail = ?self.internal, "request failed");
        }
        HttpResponse::build(self.status).json(ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        })
    }
}

impl From<crm_core::DbError> for ApiError {
    fn from(e: crm_core::DbError) -> Self {
        ApiError::internal(e)
    }
}

/// The domain crates share one error vocabulary; each variant has one status.
macro_rules! domain_error {
    ($($krate:ident),+) => {$(
        impl From<$krate::Error> for ApiError {
            fn from(e: $krate::Error) -> Self {
                use $krate::Error as E;
                match e {
                    E::NotFound { .. } => ApiError::not_found(e.to_string()),
                    E::Conflict { message } => ApiError::conflict("conflict", message),
                    E::InUse { message } => ApiError::conflict("in_use", message),
                    E::Invalid { field, reason } => ApiError::invalid_field(field, reason),
                    E::Stale { current_version } => ApiError::stale(current_version),
                    E::Db(e) => ApiError::internal(e),
                }
            }
        }
    )+};
}

domain_error!(crm_products, crm_customers, crm_orders);

/// A customer named in a request body (not in the path) that does not exist: 422 on `field`.
pub fn referenced_customer(e: crm_customers::Error) -> ApiError {
    match e {
        crm_customers::Error::NotFound { id } => {
            ApiError::invalid_field("customer_id", format!("no customer has the id {id}"))
        }
        e => e.into(),
    }
}

/// An order named in a request body that does not exist: 422 on `order_id`.
pub fn referenced_order(e: crm_orders::Error) -> ApiError {
    match e {
        crm_orders::Error::NotFound { id } => {
            ApiError::invalid_field("order_id", format!("no order has the id {id}"))
        }
        e => e.into(),
    }
}

// comms records are never "in use", so its error has no such variant
impl From<crm_comms::Error> for ApiError {
    fn from(e: crm_comms::Error) -> Self {
        use crm_comms::Error as E;
        match e {
            E::NotFound { .. } => ApiError::not_found(e.to_string()),
            E::Conflict { message } => ApiError::conflict("conflict", message),
            E::Invalid { field, reason } => ApiError::invalid_field(field, reason),
            E::Stale { current_version } => ApiError::stale(current_version),
            E::Db(e) => ApiError::internal(e),
        }
    }
}

impl ApiError {
    /// 503 `nextcloud_not_configured`: the Nextcloud endpoints without a configured server.
    pub fn nextcloud_not_configured() -> Self {
        Self::unavailable(
            "nextcloud_not_configured",
            "Nextcloud is not configured on this server (nextcloud_url, nextcloud_user, nextcloud_password)",
        )
    }

    /// A Nextcloud path refused before any request left, as a 422 on `field`.
    pub fn nextcloud_path(field: &str, e: nextcloud_dav::Error) -> Self {
        match e {
            nextcloud_dav::Error::InvalidPath { reason, .. } => {
                ApiError::invalid_field(field, reason.to_string())
            }
            e => e.into(),
        }
    }

    /// Keeps what went wrong for the log (5xx bodies stay generic).
    fn logged(mut self, detail: impl fmt::Display) -> Self {
        self.internal = Some(detail.to_string());
        self
    }
}

/// What Nextcloud (or the way to it) answered. Statuses the CRM's own auth uses (401, 403)
/// are never passed through: a wrong app password is the server's problem (503), not the
/// caller's.
impl From<nextcloud_dav::Error> for ApiError {
    fn from(e: nextcloud_dav::Error) -> Self {
        use nextcloud_dav::Error as E;
        let unavailable = |e: &E| {
            ApiError::unavailable(
                "nextcloud_unavailable",
                "Nextcloud cannot be reached or did not answer in time; try again later",
            )
            .logged(e)
        };
        match e {
            E::InvalidPath { reason, .. } => ApiError::invalid_field("path", reason.to_string()),
            E::NotFound { path } => {
                ApiError::not_found(format!("no file or folder {path} in Nextcloud"))
            }
            E::Conflict { path } => ApiError::conflict(
                "nextcloud_conflict",
                format!("{path}: a parent folder is missing or a file is in the way"),
            ),
            E::AlreadyExists { path } => {
                ApiError::conflict("already_exists", format!("{path} exists already"))
            }
            E::PreconditionFailed { path } => {
                ApiError::conflict("already_exists", format!("{path} exists already"))
            }
            E::Locked { path } => ApiError::conflict(
                "nextcloud_locked",
                format!("{path} is locked in Nextcloud (being edited?); try again later"),
            ),
            E::Forbidden { path } => ApiError::new(
                StatusCode::FORBIDDEN,
                "nextcloud_forbidden",
                format!("Nextcloud does not allow this on {path}"),
            ),
            E::RangeNotSatisfiable { path } => ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                format!("the range asked for is outside {path}"),
            ),
            E::InsufficientStorage => ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "nextcloud_insufficient_storage",
                "Nextcloud has no room left (quota exceeded or disk full)",
            ),
            E::Unauthorized => ApiError::unavailable(
                "nextcloud_unauthorized",
                "Nextcloud refused the configured user or app password",
            )
            .logged(&e),
            E::Io(_) => ApiError::internal(e),
            ref e => unavailable(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;

    use super::*;

    async fn body_of(e: ApiError) -> (u16, Value) {
        let resp = e.error_response();
        let status = resp.status().as_u16();
        let bytes = to_bytes(resp.into_body()).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[actix_web::test]
    async fn each_constructor_has_its_status_and_envelope() {
        let cases = [
            (
                ApiError::bad_request("malformed_json", "x"),
                400,
                "malformed_json",
            ),
            (ApiError::unauthorized("x"), 401, "unauthorized"),
            (ApiError::forbidden("x"), 403, "forbidden"),
            (ApiError::not_found("x"), 404, "not_found"),
            (ApiError::conflict("conflict", "x"), 409, "conflict"),
            (ApiError::stale(4), 412, "stale_version"),
            (
                ApiError::payload_too_large(Some(10)),
                413,
                "payload_too_large",
            ),
            (
                ApiError::invalid_field("costs.pcb", "must not be negative"),
                422,
                "invalid_field",
            ),
            (
                ApiError::unavailable("nextcloud_not_configured", "x"),
                503,
                "nextcloud_not_configured",
            ),
            (ApiError::internal("disk on fire"), 500, "internal"),
        ];
        for (err, status, code) in cases {
            let (got_status, body) = body_of(err).await;
            assert_eq!(got_status, status);
            assert_eq!(body["error"]["code"], code);
            assert!(body["error"]["message"].is_string());
        }
    }

    #[actix_web::test]
    async fn invalid_field_names_the_field() {
        let (_, body) = body_of(ApiError::invalid_field(
            "items[1].quantity",
            "must be above 0",
        ))
        .await;
        assert_eq!(body["error"]["details"]["field"], "items[1].quantity");
    }

    #[actix_web::test]
    async fn internal_detail_stays_out_of_the_body() {
        let (_, body) = body_of(ApiError::internal("SQLITE_CORRUPT at page 7")).await;
        assert!(!body.to_string().contains("SQLITE"), "{body}");
    }

    #[test]
    fn domain_errors_map_to_their_statuses() {
        use crm_customers::Error as E;
        let cases = [
            (
                E::NotFound {
                    id: uuid::Uuid::nil(),
                },
                404,
            ),
            (
                E::Conflict {
                    message: "x".into(),
                },
                409,
            ),
            (
                E::InUse {
                    message: "x".into(),
                },
                409,
            ),
            (
                E::Invalid {
                    field: "name".into(),
                    reason: "empty".into(),
                },
                422,
            ),
            (E::Stale { current_version: 2 }, 412),
            (E::Db(crm_core::DbError::WriterGone), 500),
        ];
        for (e, status) in cases {
            assert_eq!(ApiError::from(e).status_code().as_u16(), status);
        }
    }

    #[actix_web::test]
    async fn nextcloud_errors_map_to_their_statuses() {
        use nextcloud_dav::{DavPath, Error as E};
        let p = || DavPath::parse("05_Customers/a.pdf").unwrap();
        let invalid = DavPath::parse("../etc").unwrap_err();
        let cases = [
            (E::NotFound { path: p() }, 404, "not_found"),
            (E::Conflict { path: p() }, 409, "nextcloud_conflict"),
            (E::AlreadyExists { path: p() }, 409, "already_exists"),
            (E::Locked { path: p() }, 409, "nextcloud_locked"),
            (E::Forbidden { path: p() }, 403, "nextcloud_forbidden"),
            (
                E::RangeNotSatisfiable { path: p() },
                416,
                "range_not_satisfiable",
            ),
            (
                E::InsufficientStorage,
                507,
                "nextcloud_insufficient_storage",
            ),
            (E::Unauthorized, 503, "nextcloud_unauthorized"),
            (E::Server { status: 502 }, 503, "nextcloud_unavailable"),
            (E::Protocol("garbage".into()), 503, "nextcloud_unavailable"),
            (
                E::InvalidConfig("bad url".into()),
                503,
                "nextcloud_unavailable",
            ),
            (invalid, 422, "invalid_field"),
        ];
        for (e, status, code) in cases {
            let (got, body) = body_of(ApiError::from(e)).await;
            assert_eq!(
                (got, body["error"]["code"].as_str().unwrap()),
                (status, code)
            );
            assert!(!body.to_string().contains("garbage"), "{body}");
        }
        let (_, body) = body_of(ApiError::from(DavPath::parse("a/../b").unwrap_err())).await;
        assert_eq!(body["error"]["details"]["field"], "path");
        let (_, body) = body_of(ApiError::nextcloud_path(
            "nextcloud_path",
            DavPath::parse("a\\b").unwrap_err(),
        ))
        .await;
        assert_eq!(body["error"]["details"]["field"], "nextcloud_path");
        let (status, body) = body_of(ApiError::nextcloud_not_configured()).await;
        assert_eq!(status, 503);
        assert_eq!(body["error"]["code"], "nextcloud_not_configured");
    }

    #[actix_web::test]
    async fn stale_carries_the_current_version() {
        let (_, body) = body_of(ApiError::stale(7)).await;
        assert_eq!(body["error"]["details"]["current_version"], 7);
    }
}
