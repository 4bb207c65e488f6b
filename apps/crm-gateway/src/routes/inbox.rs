//! `/api/crm/inbox` and the missed calls: what waits for someone — entries nobody has been
//! matched to, and calls nobody answered.

use actix_web::web;
use crm_comms::{Assignment, Before, Comms as _, CommsType};
use crm_customers::{ContactInput, ContactType, Customers as _};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::EntryList;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(["/inbox", "/inbox/"]).route(web::get().to(inbox)))
        .service(web::resource("/inbox/{id}/assign").route(web::post().to(assign)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// Page size (default 100, at most 1000).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[serde(default, deserialize_with = "crm_comms::model::cursor")]
    #[param(value_type = Option<String>)]
    cursor: Option<Before>,
}

/// Entries whose sender matched no customer, newest first.
#[utoipa::path(get, path = "/api/crm/inbox", tag = "comms", params(InboxParams),
    security(("bearer" = [])),
    responses((status = 200, body = EntryList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn inbox(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<InboxParams>,
) -> Result<web::Json<EntryList>, ApiError> {
    let page = state.comms.inbox(p.limit, p.cursor).await?;
    Ok(web::Json(page.into()))
}

/// Missed calls (inbound, unanswered) of every customer and of unknown numbers, newest first:
/// whom to call back.
#[utoipa::path(get, path = "/api/crm/comms/missed-calls", tag = "comms", params(InboxParams),
    security(("bearer" = [])),
    responses((status = 200, body = EntryList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn missed_calls(
    _: Viewer,
    state: web::Data<AppState>,
    Query(p): Query<InboxParams>,
) -> Result<web::Json<EntryList>, ApiError> {
    let page = state.comms.missed_calls(p.limit, p.cursor).await?;
    Ok(web::Json(page.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AssignRequest {
    customer_id: Uuid,
    /// Also make the sender one of the customer's contacts (e-mail, WhatsApp or phone, by
    /// the entry's channel).
    #[serde(default)]
    add_contact: bool,
    /// Also move every other inbox entry of the same sender.
    #[serde(default)]
    all_from_sender: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignResult {
    #[serde(flatten)]
    assignment: Assignment,
    /// Whether the sender became a new contact of the customer.
    contact_added: bool,
}

/// Give an inbox entry (and on request every entry of its sender) to a customer.
#[utoipa::path(post, path = "/api/crm/inbox/{id}/assign", tag = "comms", request_body = AssignRequest,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 413, description = "the body is larger than `max_body_bytes`", body = ErrorBody),
              (status = 200, body = AssignResult), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "the entry is not in the inbox", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn assign(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(req): Json<AssignRequest>,
) -> Result<web::Json<AssignResult>, ApiError> {
    let entry = state.comms.get(*id).await?;
    if let Some(owner) = entry.customer_id {
        return Err(ApiError::conflict(
            "conflict",
            format!("comms entry {id} is not in the inbox: it belongs to customer {owner}"),
        ));
    }
    let mut contact_added = false;
    if req.add_contact
        && let Some(sender) = entry.sender.as_deref()
    {
        let kind = match entry.kind {
            _ if sender.contains('@') => ContactType::Email,
            CommsType::Whatsapp => ContactType::Whatsapp,
            _ => ContactType::Phone,
        };
        let before = state
            .customers
            .get(req.customer_id)
            .await
            .map_err(crate::error::referenced_customer)?;
        let contact = ContactInput {
            kind,
            label: None,
            value: sender.to_owned(),
            primary: false,
        };
        let after = state
            .customers
            .add_contact(req.customer_id, contact)
            .await
            .map_err(|e| match e {
                crm_customers::Error::Invalid { reason, .. } => ApiError::invalid_field(
                    "add_contact",
                    format!("the sender `{sender}` cannot be a contact: it {reason}"),
                ),
                e => e.into(),
            })?;
        contact_added = after.version != before.version;
    }
    let assignment = state
        .comms
        .assign(*id, req.customer_id, req.all_from_sender)
        .await?;
    Ok(web::Json(AssignResult {
        assignment,
        contact_added,
    }))
}
