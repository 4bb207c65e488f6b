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

use crate::channels::error::{ChannelError, Integration};
use crate::tokens::TokenError;

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
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            if self.code.ends_with("_not_configured") {
                // the deployment chose not to have it: nothing went wrong
                tracing::debug!(code = self.code, "refused: not configured");
            } else {
                tracing::warn!(code = self.code, message = %self.message, "an integration is unavailable");
            }
        } else if self.status.is_server_error() {
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

/// The domain crates share one error ([`crm_core::Error`]); each variant has one status.
impl From<crm_core::Error> for ApiError {
    fn from(e: crm_core::Error) -> Self {
        use crm_core::Error as E;
        match e {
            E::NotFound { .. } => ApiError::not_found(e.to_string()),
            E::Conflict { message } => ApiError::conflict("conflict", message),
            E::InUse { message } => ApiError::conflict("in_use", message),
            E::Invalid { field, reason } => ApiError::invalid_field(field, reason),
            E::Stale { current_version } => ApiError::stale(current_version),
            E::Db(e) => ApiError::internal(e),
            E::Unavailable { message } => ApiError::unavailable("store_unavailable", message),
            E::Store { message } => ApiError::internal(message),
        }
    }
}

/// A customer named in a request body (not in the path) that does not exist: 422 on `field`.
pub fn referenced_customer(e: crm_customers::Error) -> ApiError {
    match e {
        crm_customers::Error::NotFound { id, .. } => {
            ApiError::invalid_field("customer_id", format!("no customer has the id {id}"))
        }
        e => e.into(),
    }
}

/// An order named in a request body that does not exist: 422 on `order_id`.
pub fn referenced_order(e: crm_orders::Error) -> ApiError {
    match e {
        crm_orders::Error::NotFound { id, .. } => {
            ApiError::invalid_field("order_id", format!("no order has the id {id}"))
        }
        e => e.into(),
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

/// A token refused is a 401 saying why; a token that cannot be signed is our fault.
impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Sign(detail) => ApiError::internal(detail),
            e => ApiError::unauthorized(e.to_string()),
        }
    }
}

/// What a channel could not do, mapped once: configuration gaps are 503 with a code naming
/// the integration, refusals by the other side 502, what the caller gave 4xx.
impl From<ChannelError> for ApiError {
    fn from(e: ChannelError) -> Self {
        use ChannelError as C;
        match e {
            C::NotConfigured(integration) => match integration {
                Integration::Nextcloud => ApiError::nextcloud_not_configured(),
                Integration::WhatsApp => ApiError::unavailable(
                    "whatsapp_not_configured",
                    "WhatsApp is not configured (CRM_WA_PHONE_NUMBER_ID, CRM_WA_ACCESS_TOKEN, CRM_WA_APP_SECRET, CRM_WA_VERIFY_TOKEN)",
                ),
                Integration::Mail => ApiError::unavailable(
                    "email_not_configured",
                    "e-mail is not configured (CRM_IMAP_HOST, CRM_IMAP_USER, CRM_IMAP_PASSWORD; CRM_SMTP_HOST, CRM_SMTP_FROM)",
                ),
                Integration::Pbx => ApiError::unavailable(
                    "pbx_not_configured",
                    "the PBX is not configured (CRM_AMI_HOST, CRM_AMI_USER, CRM_AMI_SECRET)",
                ),
            },
            C::Incomplete { integration, what } => {
                ApiError::unavailable(not_configured_code(integration), what)
            }
            C::Disconnected(integration) => ApiError::unavailable(
                unavailable_code(integration),
                format!("not connected to {integration} right now; retrying"),
            ),
            C::Invalid { field, reason } => ApiError::invalid_field(field, reason),
            C::NotFound(message) => ApiError::not_found(message),
            C::TooLarge { limit } => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the file is larger than the {limit} bytes this server accepts"),
            )
            .with_details(json!({ "limit_bytes": limit })),
            C::RangeNotSatisfiable { size } => {
                let e = ApiError::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "range_not_satisfiable",
                    "the range asked for starts past the end of the file",
                );
                match size {
                    Some(size) => e.with_details(json!({ "size": size })),
                    None => e,
                }
            }
            C::UploadBroken(e) => ApiError::bad_request(
                "malformed_body",
                format!("cannot read the multipart/form-data body: {e}"),
            ),
            C::PbxRefused { response, message } => ApiError::new(
                StatusCode::BAD_GATEWAY,
                "pbx_refused",
                message.unwrap_or_else(|| "the PBX refused the call".into()),
            )
            .with_details(json!({ "response": response })),
            C::Domain(e) => e.into(),
            C::Nextcloud(e) => e.into(),
            C::WhatsApp(e) => whatsapp_error(e),
            C::Mail(e) => mail_error(e),
            C::Pbx(ami_bridge::Error::InvalidField { key, reason }) => {
                let field = if key.to_lowercase().contains("exten") {
                    "extension"
                } else {
                    "number"
                };
                ApiError::invalid_field(field, reason)
            }
            C::Pbx(e) => ApiError::unavailable("pbx_unavailable", e.to_string()),
            C::Internal(detail) => ApiError::internal(detail),
        }
    }
}

fn not_configured_code(integration: Integration) -> &'static str {
    match integration {
        Integration::Nextcloud => "nextcloud_not_configured",
        Integration::WhatsApp => "whatsapp_not_configured",
        Integration::Mail => "email_not_configured",
        Integration::Pbx => "pbx_not_configured",
    }
}

fn unavailable_code(integration: Integration) -> &'static str {
    match integration {
        Integration::Nextcloud => "nextcloud_unavailable",
        Integration::WhatsApp => "whatsapp_unavailable",
        Integration::Mail => "smtp_unavailable",
        Integration::Pbx => "pbx_unavailable",
    }
}

/// What the Graph API answered a send or an upload.
fn whatsapp_error(e: wa_bridge::Error) -> ApiError {
    match e {
        wa_bridge::Error::Invalid { field, reason } => ApiError::invalid_field(field, reason),
        wa_bridge::Error::Graph { status, error } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "whatsapp_refused",
            format!("WhatsApp refused the message: {}", error.message),
        )
        .with_details(json!({ "status": status, "error": error })),
        e @ (wa_bridge::Error::Unreachable(_) | wa_bridge::Error::Protocol { .. }) => {
            ApiError::unavailable("whatsapp_unavailable", e.to_string())
        }
        e => ApiError::internal(e),
    }
}

/// What the SMTP server answered a send.
fn mail_error(e: mail_bridge::Error) -> ApiError {
    match e {
        mail_bridge::Error::Invalid { field, reason } => ApiError::invalid_field(field, reason),
        mail_bridge::Error::SmtpRejected {
            code,
            message,
            transient,
        } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "smtp_rejected",
            format!("the mail server refused the mail: {code} {message}"),
        )
        .with_details(json!({ "code": code, "reply": message, "transient": transient })),
        e => ApiError::unavailable(
            "smtp_unavailable",
            format!("the mail server cannot be reached: {e}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;

    use super::*;

    /// What answering `e` logs at info and above.
    fn logged(e: &ApiError) -> String {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Lines {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || drop(e.error_response()));
        String::from_utf8(lines.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn only_failures_of_ours_are_logged_as_errors() {
        // a feature the deployment turned off: nothing went wrong, nothing to read in the log
        assert_eq!(logged(&ApiError::nextcloud_not_configured()), "");
        // a peer that is down: the operator should know, but it is not the server's fault
        let down = logged(&ApiError::unavailable(
            "store_unavailable",
            "Firestore: refused",
        ));
        assert!(
            down.contains("WARN") && down.contains("store_unavailable"),
            "{down}"
        );
        assert!(!down.contains("ERROR"), "{down}");
        let ours = logged(&ApiError::internal("disk full"));
        assert!(
            ours.contains("ERROR") && ours.contains("disk full"),
            "{ours}"
        );
        assert_eq!(logged(&ApiError::not_found("no customer")), "");
    }

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
                    what: "customer",
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
        let invalid = E::from(DavPath::parse("../etc").unwrap_err());
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
        let (_, body) = body_of(ApiError::from(E::from(
            DavPath::parse("a/../b").unwrap_err(),
        )))
        .await;
        assert_eq!(body["error"]["details"]["field"], "path");
        let refused = crate::channels::files::parse_path("nextcloud_path", "a\\b").unwrap_err();
        let (_, body) = body_of(ApiError::from(refused)).await;
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
