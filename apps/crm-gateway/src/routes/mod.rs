//! HTTP routes, one module per bounded context, each with a `configure` function.
//!
//! Handlers translate HTTP into one service call and its result (or error) back into HTTP.
//! They hold no SQL and no business rule.

pub mod admin;
pub mod auth;
pub mod calls;
pub mod comms;
pub mod console;
pub mod customers;
pub mod email;
pub mod imports;
pub mod inbox;
pub mod integrations;
pub mod media;
pub mod merges;
pub mod nextcloud;
pub mod orders;
pub mod products;
pub mod sales;
pub mod system;
pub mod tickets;
pub mod visits;
pub mod whatsapp;
pub mod workflows;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ETag};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError, web};
use serde::Serialize;

use crate::connection::code_and_message;
use crate::error::ApiError;
use crate::extract::etag;
use crate::headers::{self, Kind};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(system::configure)
        .service(
            web::scope("/api/admin")
                .configure(admin::configure)
                .configure(integrations::configure),
        )
        .service(web::scope("/api/auth").configure(auth::configure))
        .configure(whatsapp::configure_webhook)
        .service(
            web::scope("/api/crm")
                .configure(products::configure)
                .configure(merges::configure)
                .configure(customers::configure)
                .configure(imports::configure)
                .configure(orders::configure)
                .configure(comms::configure)
                .configure(media::configure)
                .configure(nextcloud::configure)
                .configure(whatsapp::configure)
                .configure(calls::configure)
                .configure(email::configure)
                .configure(tickets::configure)
                .configure(sales::configure)
                .configure(workflows::configure)
                .configure(visits::configure),
        );
}

/// A single record with its `ETag`.
pub(crate) fn record<T: Serialize>(status: StatusCode, version: i64, body: &T) -> HttpResponse {
    HttpResponseBuilder::new(status)
        .insert_header(ETag(etag(version)))
        .json(body)
}

/// `201 Created` with `Location` and `ETag`.
pub(crate) fn created<T: Serialize>(
    req: &HttpRequest,
    id: uuid::Uuid,
    version: i64,
    body: &T,
) -> HttpResponse {
    let base = req.path().trim_end_matches('/');
    HttpResponse::Created()
        .insert_header(ETag(etag(version)))
        .insert_header((header::LOCATION, format!("{base}/{id}")))
        .json(body)
}

/// The default service: the web console for GET/HEAD outside `/api`, else the JSON 404.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if console::serves(&req) {
        return Ok(console::serve(&req));
    }
    Err(ApiError::not_found(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

/// The 404 of a path whose id is not an id at all (`/customers/abc`): it names the segment,
/// not the UUID parser's internals.
pub fn malformed_id(req: &HttpRequest) -> ApiError {
    let bad = req
        .match_info()
        .iter()
        .map(|(_, value)| value)
        .find(|value| uuid::Uuid::parse_str(value).is_err())
        .unwrap_or_default();
    ApiError::not_found(format!(
        "no such record: `{bad}` is not a record id (ids are UUIDs such as \
         3f2a6c1e-8b7d-4c2e-9f1a-0b5d7e9c4a21)"
    ))
}

/// Gives the errors that actix-web produces on its own (405, a body read failure…) the API's
/// JSON envelope, so that no client ever has to parse an empty or plain-text error.
pub async fn json_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return Ok(res.map_into_boxed_body());
    }
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method_not_allowed",
            format!(
                "{} is not allowed on {}",
                res.request().method(),
                res.request().path()
            ),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(None),
        s if s.is_server_error() => ApiError::internal(format!("unhandled {s}")),
        s @ (StatusCode::REQUEST_TIMEOUT | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE) => {
            let (code, message) = code_and_message(s.as_u16());
            ApiError::new(s, code, message)
        }
        s => ApiError::new(
            s,
            "bad_request",
            s.canonical_reason().unwrap_or("bad request"),
        ),
    };
    let (req, res) = res.into_parts();
    let mut json = error.error_response();
    // what the original said about the connection or a retry still holds
    for name in [header::CONNECTION, header::RETRY_AFTER, header::ALLOW] {
        if let Some(value) = res.headers().get(&name) {
            json.headers_mut().insert(name, value.clone());
        }
    }
    Ok(ServiceResponse::new(req, json))
}

/// Keeps the Nextcloud file download out of response compression (the outer `Compress`): a
/// file streams through as it is, with its `Content-Length` (a progress bar), and most files
/// people keep there (photos, PDFs, archives) are compressed already.
pub async fn uncompressed_downloads(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.path().trim_end_matches('/') == "/api/crm/nextcloud/file" {
        req.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    next.call(req).await
}

/// Adds the security headers ([`crate::headers`]) a response does not have yet: the console's
/// policy on its pages, the viewer's on `/api/docs`, the API's on everything else.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let kind = if req.path().trim_end_matches('/') == "/api/docs" {
        Kind::Docs
    } else if console::serves(req.request()) {
        Kind::Console
    } else {
        Kind::Api
    };
    let mut res = next.call(req).await?;
    headers::apply(res.headers_mut(), kind);
    Ok(res)
}

/// A page of comms entries (the comms log, the inbox, the missed calls).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryList {
    entries: Vec<crm_comms::Entry>,
    /// Matching entries in all pages.
    total: u64,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

impl From<crm_comms::CursorPage<crm_comms::Entry>> for EntryList {
    fn from(page: crm_comms::CursorPage<crm_comms::Entry>) -> Self {
        Self {
            entries: page.items,
            total: page.total,
            next_cursor: page.next.map(|b| b.to_string()),
        }
    }
}

impl EntryList {
    /// The same document as this type serializes to, around entries the store rendered.
    pub fn respond(page: crm_comms::JsonPage) -> HttpResponse {
        let mut body = Vec::with_capacity(page.json.len() + 128);
        body.extend_from_slice(b"{\"entries\":");
        body.extend_from_slice(&page.json);
        body.extend_from_slice(format!(",\"total\":{},\"next_cursor\":", page.total).as_bytes());
        match page.next {
            Some(next) => body.extend_from_slice(format!("\"{next}\"").as_bytes()),
            None => body.extend_from_slice(b"null"),
        }
        body.push(b'}');
        HttpResponse::Ok()
            .content_type(header::ContentType::json())
            .body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_rendered_entry_list_is_the_document_entry_list_serializes_to() {
        let entry: crm_comms::Entry = serde_json::from_value(serde_json::json!({
            "id": "0192a0e0-0000-7000-8000-000000000001", "customer_id": null,
            "sender": "+30 210 000 0000", "type": "call", "direction": "inbound",
            "subject": null, "body": "«Η καμπάνα»", "attachments": [],
            "ext_message_id": "1733.1", "logged_by": null, "meta": {"missed": true},
            "occurred_at": "2026-11-22T09:30:00.000000Z",
            "created_at": "2026-11-22T09:30:00.000000Z",
            "updated_at": "2026-11-22T09:30:00.000000Z", "version": 1
        }))
        .unwrap();
        for next in [None, Some(entry.position())] {
            let page = crm_comms::CursorPage {
                items: vec![entry.clone(), entry.clone()],
                total: 12,
                next,
            };
            let rendered = crm_comms::JsonPage {
                json: serde_json::to_vec(&page.items).unwrap(),
                total: page.total,
                next,
            };
            let res = EntryList::respond(rendered);
            assert_eq!(
                res.headers().get(header::CONTENT_TYPE).unwrap(),
                "application/json"
            );
            let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
            let expected = serde_json::to_vec(&EntryList::from(page)).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&body),
                String::from_utf8_lossy(&expected)
            );
        }
    }
}
