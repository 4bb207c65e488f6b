//! The service desk where it needs more than the tickets themselves: a ticket's customer
//! checked where the ticket store cannot (Firestore), a ticket made from a comms entry, a
//! visit's address from the customer's location, a macro's `{customer}`, and a customer's
//! tickets.
//!
//! Tickets live in SQLite whatever `[store]` says. On SQLite the ticket store checks the
//! customer and the order with the database's foreign keys; with Firestore it cannot, so they
//! are read here first.
//!
//! A visit's parts leave the products' stock in the visit's own SQLite transaction. With the
//! products in Firestore no transaction spans both, so completing is three steps: the parts are
//! taken in Firestore as the movement `visit:{id}` (remembered there, so a retry takes nothing
//! twice), the visit is completed in SQLite, and when that fails the parts are put back — unless
//! the visit turns out completed (an earlier attempt whose answer was lost: the parts are its).
//! A crash between the first two steps leaves the parts taken and the visit scheduled: the
//! retried completion finds them taken and completes it, and cancelling the visit puts them
//! back.

use crm_comms::Comms as _;
use crm_customers::{Customer, Customers as _};
use crm_orders::Orders as _;
use crm_products::{PartUse, Products as _};
use crm_tickets::{
    ListQuery, NewTicket, NewVisit, Page, Ticket, TicketWithVisits, Tickets as _, Visit,
    VisitCompletion, VisitStatus,
};
use uuid::Uuid;

use crate::channels::ChannelError;
use crate::config::StoreKind;
use crate::state::AppState;

/// The customer `id`, or `Invalid` naming `field` when there is none.
async fn customer_for(state: &AppState, id: Uuid, field: &str) -> Result<Customer, ChannelError> {
    match state.customers.get(id).await {
        Ok(c) => Ok(c),
        Err(crm_core::Error::NotFound { .. }) => {
            Err(ChannelError::invalid(field, "no such customer"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates a ticket by `actor`; the customer must exist.
pub async fn create(state: &AppState, new: NewTicket, actor: &str) -> Result<Ticket, ChannelError> {
    create_caused(state, new, actor, 0, None).await
}

/// The `ticket.created` event's data.
fn created(t: &Ticket) -> serde_json::Value {
    serde_json::json!({
        "ticket_id": t.id, "number": t.number, "customer_id": t.customer_id, "title": t.subject,
        "priority": t.priority, "kind": t.kind, "assignee": t.assignee,
    })
}

/// [`create`] by a workflow run at `depth - 1` (0: a person), which its event carries. With
/// `origin_key` (the output's idempotency key) at most one ticket is made per key: asked again,
/// it answers the first, and its event is not sent again.
pub async fn create_caused(
    state: &AppState,
    new: NewTicket,
    actor: &str,
    depth: u32,
    origin_key: Option<&str>,
) -> Result<Ticket, ChannelError> {
    if state.records.kind() != StoreKind::Sqlite {
        customer_for(state, new.customer_id, "customer_id").await?;
        if let Some(order) = new.order_id {
            match state.orders.get(order).await {
                Ok(_) => {}
                Err(crm_core::Error::NotFound { .. }) => {
                    return Err(ChannelError::invalid("order_id", "no such order"));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    let (t, fresh) = match origin_key {
        Some(key) => state.tickets.create_once(new, actor, key).await?,
        None => (state.tickets.create(new, actor).await?, true),
    };
    if fresh {
        super::workflows::emit_at(state, "ticket.created", created(&t), depth);
    }
    Ok(t)
}

/// What `POST /comms/{id}/ticket` may say; everything else comes from the entry.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromEntry {
    /// The entry's customer when absent; required for an entry without one.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// Default: the entry's subject, else the first line of its text, else "`call from
    /// <number>`".
    #[serde(default)]
    pub subject: Option<String>,
    /// `repair` when absent.
    #[serde(default)]
    pub kind: Option<crm_tickets::Kind>,
    #[serde(default)]
    pub priority: Option<crm_tickets::Priority>,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A ticket from the comms entry `entry_id` (404 when there is none), for the entry's
/// customer; the entry is linked and the ticket's activity says so.
pub async fn create_from_entry(
    state: &AppState,
    entry_id: Uuid,
    from: FromEntry,
    actor: &str,
) -> Result<Ticket, ChannelError> {
    let entry = state.comms.get(entry_id).await?;
    let customer_id = match (entry.customer_id, from.customer_id) {
        (Some(c), Some(asked)) if c != asked => {
            return Err(ChannelError::invalid(
                "customer_id",
                "the entry belongs to another customer",
            ));
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => {
            return Err(ChannelError::invalid(
                "customer_id",
                "the entry has no customer: say whose ticket it is",
            ));
        }
    };
    if state.records.kind() != StoreKind::Sqlite {
        customer_for(state, customer_id, "customer_id").await?;
    }
    let new = NewTicket {
        customer_id,
        kind: Some(from.kind.unwrap_or(crm_tickets::Kind::Repair)),
        priority: from.priority,
        assignee: from.assignee,
        description: from.description,
        ..NewTicket::default()
    };
    let t = state
        .tickets
        .create_from_entry(entry_id, customer_id, from.subject, new, actor)
        .await?;
    super::workflows::emit(state, "ticket.created", created(&t));
    Ok(t)
}

/// The customer's location as one line (`city, region, country`), if it has any.
fn address_of(customer: &Customer) -> Option<String> {
    let l = &customer.location;
    let parts: Vec<&str> = [&l.city, &l.region, &l.country]
        .into_iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Schedules a visit of the ticket; without an address, at the customer's location.
pub async fn schedule_visit(
    state: &AppState,
    ticket_id: Uuid,
    mut visit: NewVisit,
    actor: &str,
) -> Result<Visit, ChannelError> {
    if visit.address.as_deref().is_none_or(|a| a.trim().is_empty()) {
        let ticket = state.tickets.get(ticket_id).await?;
        visit.address = match state.customers.get(ticket.customer_id).await {
            Ok(c) => address_of(&c),
            Err(crm_core::Error::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        };
    }
    Ok(state
        .tickets
        .schedule_visit(ticket_id, visit, actor)
        .await?)
}

/// Completes the visit, taking its parts from stock: see the module doc.
pub async fn complete_visit(
    state: &AppState,
    visit_id: Uuid,
    done: VisitCompletion,
    expected_version: Option<i64>,
    actor: &str,
) -> Result<Visit, ChannelError> {
    if state.records.kind() == StoreKind::Sqlite || done.parts.is_empty() {
        return Ok(state
            .tickets
            .complete_visit(visit_id, done, expected_version, actor)
            .await?);
    }
    // refuse before taking anything what the completion would refuse after
    let visit = state.tickets.visit(visit_id).await?;
    crm_core::store::check_version(visit.version, expected_version)?;
    if visit.status != VisitStatus::Scheduled {
        return Err(crm_core::Error::Conflict {
            message: format!("the visit is {}", visit.status),
        }
        .into());
    }
    let key = parts_key(visit_id);
    let parts: Vec<PartUse> = done
        .parts
        .iter()
        .map(|p| PartUse {
            product_id: p.product_id,
            quantity: p.quantity,
        })
        .collect();
    state
        .products
        .take_parts(&key, parts, done.allow_negative_stock)
        .await?;
    match state
        .tickets
        .complete_visit_with_parts_taken(visit_id, done, expected_version, actor)
        .await
    {
        Ok(v) => Ok(v),
        Err(e) => {
            let completed = matches!(
                state.tickets.visit(visit_id).await,
                Ok(v) if v.status == VisitStatus::Completed
            );
            if !completed {
                state.products.return_parts(&key).await?;
            }
            Err(e.into())
        }
    }
}

/// Calls off a scheduled visit; with the products in Firestore, parts a failed completion
/// left taken come back (see the module doc).
pub async fn cancel_visit(
    state: &AppState,
    visit_id: Uuid,
    expected_version: Option<i64>,
    actor: &str,
) -> Result<Visit, ChannelError> {
    let visit = state
        .tickets
        .cancel_visit(visit_id, expected_version, actor)
        .await?;
    if state.records.kind() != StoreKind::Sqlite {
        state.products.return_parts(&parts_key(visit_id)).await?;
    }
    Ok(visit)
}

/// The name of the stock movement of a visit's parts.
fn parts_key(visit_id: Uuid) -> String {
    format!("visit:{visit_id}")
}

/// Applies the macro to the ticket, `{customer}` being the ticket's customer's name.
pub async fn apply_macro(
    state: &AppState,
    ticket_id: Uuid,
    macro_id: Uuid,
    expected_version: Option<i64>,
    actor: &str,
) -> Result<Ticket, ChannelError> {
    let ticket = state.tickets.get(ticket_id).await?;
    let name = match state.customers.get(ticket.customer_id).await {
        Ok(c) => c.name,
        Err(crm_core::Error::NotFound { .. }) => String::new(),
        Err(e) => return Err(e.into()),
    };
    Ok(state
        .tickets
        .apply_macro(ticket_id, macro_id, &name, expected_version, actor)
        .await?)
}

/// The customer's tickets (404 for an unknown customer): only those neither resolved nor
/// closed when `open`, else one page of all of them.
pub async fn for_customer(
    state: &AppState,
    customer_id: Uuid,
    open: bool,
    query: ListQuery,
) -> Result<Page<Ticket>, ChannelError> {
    state.customers.get(customer_id).await?;
    if open {
        let items = state.tickets.open_for_customer(customer_id).await?;
        let total = u64::try_from(items.len()).unwrap_or(u64::MAX);
        return Ok(Page { items, total });
    }
    Ok(state
        .tickets
        .list(ListQuery {
            customer_id: Some(customer_id),
            ..query
        })
        .await?)
}

/// The tickets about the serial, with their visits (for the serial's history).
pub async fn for_serial(
    state: &AppState,
    serial: &str,
) -> Result<Vec<TicketWithVisits>, ChannelError> {
    Ok(state.tickets.for_serial(serial).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visit_goes_to_the_customers_city_region_and_country() {
        let mut c: Customer = serde_json::from_value(serde_json::json!({
            "id": Uuid::nil(), "name": "Ενορία", "organization": null, "contacts": [],
            "notes": [], "location": {}, "language": "el", "tags": [], "owned_items": [],
            "linked_user_ids": [], "nextcloud_folder": null,
            "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T10:00:00Z",
            "version": 1
        }))
        .unwrap();
        assert_eq!(address_of(&c), None);
        c.location.city = Some("Ναύπλιο".into());
        c.location.country = Some("Ελλάδα".into());
        c.location.region = Some(" ".into());
        assert_eq!(address_of(&c).as_deref(), Some("Ναύπλιο, Ελλάδα"));
    }
}
