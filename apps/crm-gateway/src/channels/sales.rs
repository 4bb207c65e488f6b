//! The sales pipeline where it needs other contexts: a lead's customer checked where the
//! sales store cannot (Firestore), the ports a conversion goes through, a lead's comms and its
//! history.
//!
//! Leads live in SQLite whatever `[store]` says. On SQLite the sales store checks a lead's
//! customer with the database's foreign keys; with Firestore it cannot, so the customer is read
//! here first.
//!
//! A conversion finds the prospect's customer by its normalised contacts (the customers
//! service's `find_by_contact`, one contact at a time in the prospect's order: the first that
//! matches wins), else creates one with the prospect's name, organisation and contacts; a draft
//! order is made by the orders service from the quoted lines. Both work on SQLite and on
//! Firestore. What the customers or orders service refuses is named at the lead's path
//! (`prospect.contacts[0].value`, `lines[1].quantity`).
//!
//! A lead's comms are the entries of the unassigned inbox whose sender is one of the
//! prospect's contacts, and once it has a customer (the one it names, or the one it was
//! converted into) that customer's entries too, newest first.

use crm_comms::{Comms as _, Entry};
use crm_customers::{ContactInput, ContactType, Customers as _, NewCustomer};
use crm_orders::{NewItem, NewOrder, Orders as _};
use crm_sales::{
    Assignment, ContactKey, ContactKind, Conversion, ConvertRequest, CustomerPort, DraftOrderPort,
    Lead, LeadPatch, NewLead, Prospect, QuotedLine, Sales as _, StageMoveRecord,
};
use serde::Serialize;
use uuid::Uuid;

use crate::channels::ChannelError;
use crate::config::StoreKind;
use crate::state::AppState;

/// Longest `product_name` of an order line (the orders crate's `NAME_MAX`).
const ORDER_NAME_MAX: usize = 300;

/// `Invalid` on `customer_id` when the customer does not exist: checked here only where the
/// database cannot (Firestore).
async fn check_customer(state: &AppState, id: Option<Uuid>) -> Result<(), ChannelError> {
    let Some(id) = id else { return Ok(()) };
    if state.records.kind() == StoreKind::Sqlite {
        return Ok(());
    }
    match state.customers.get(id).await {
        Ok(_) => Ok(()),
        Err(crm_core::Error::NotFound { .. }) => {
            Err(ChannelError::invalid("customer_id", "no such customer"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates a lead by `actor`; a customer it names must exist.
pub async fn create(state: &AppState, new: NewLead, actor: &str) -> Result<Lead, ChannelError> {
    create_caused(state, new, actor, 0, None).await
}

/// [`create`] by a workflow run at `depth - 1` (0: a person), which its event carries. With
/// `origin_key` (the output's idempotency key) at most one lead is made per key: asked again,
/// it answers the first, and its event is not sent again.
pub async fn create_caused(
    state: &AppState,
    new: NewLead,
    actor: &str,
    depth: u32,
    origin_key: Option<&str>,
) -> Result<Lead, ChannelError> {
    check_customer(state, new.customer_id).await?;
    let (lead, fresh) = match origin_key {
        Some(key) => state.sales.create_lead_once(new, actor, key).await?,
        None => (state.sales.create_lead(new, actor).await?, true),
    };
    if !fresh {
        return Ok(lead);
    }
    let data = serde_json::json!({
        "lead_id": lead.id, "customer_id": lead.customer_id, "title": lead.title,
    });
    super::workflows::emit_at(state, "lead.created", data, depth);
    Ok(lead)
}

/// Changes a lead's fields by `actor`; a customer it is given must exist.
pub async fn update(
    state: &AppState,
    id: Uuid,
    patch: LeadPatch,
    expected_version: Option<i64>,
    actor: &str,
) -> Result<Lead, ChannelError> {
    check_customer(state, patch.customer_id).await?;
    Ok(state
        .sales
        .update_lead(id, patch, expected_version, actor)
        .await?)
}

/// Converts a won lead through the customers and orders services (see the module doc).
pub async fn convert(
    state: &AppState,
    id: Uuid,
    request: ConvertRequest,
) -> Result<Conversion, ChannelError> {
    Ok(state
        .sales
        .convert(id, request, &CustomerBridge(state), &OrderBridge(state))
        .await?)
}

/// A lead's stage moves and owners, each oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadHistory {
    pub stage_moves: Vec<StageMoveRecord>,
    pub assignments: Vec<Assignment>,
}

/// The lead's history (404 for an unknown lead).
pub async fn history(state: &AppState, id: Uuid) -> Result<LeadHistory, ChannelError> {
    Ok(LeadHistory {
        stage_moves: state.sales.stage_moves(id).await?,
        assignments: state.sales.assignments(id).await?,
    })
}

/// The comms entries shown on a lead's page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadComms {
    /// Newest first.
    pub entries: Vec<Entry>,
    /// The customer whose entries are among them; absent before the lead has one (then they
    /// are the inbox entries of the prospect's contacts only).
    pub customer_id: Option<Uuid>,
}

/// The lead's comms (see the module doc), newest first, at most `limit` (default 100).
pub async fn comms(
    state: &AppState,
    id: Uuid,
    limit: Option<u32>,
) -> Result<LeadComms, ChannelError> {
    let lead = state.sales.lead(id).await?;
    let senders: Vec<String> = lead.contact_keys().into_iter().map(key_value).collect();
    let unassigned = state.comms.inbox_from(senders, limit).await?;
    let Some(customer_id) = lead.converted_customer_id.or(lead.customer_id) else {
        return Ok(LeadComms {
            entries: unassigned,
            customer_id: None,
        });
    };
    let mut query = crm_comms::ListQuery::customer(customer_id);
    query.limit = limit;
    let mut entries = state.comms.list(query).await?.items;
    entries.extend(unassigned);
    entries.sort_by_key(|e| std::cmp::Reverse(e.position()));
    entries.truncate(usize::try_from(crm_comms::model::PAGE_SIZE.of(limit)).unwrap_or(usize::MAX));
    Ok(LeadComms {
        entries,
        customer_id: Some(customer_id),
    })
}

fn key_value(key: ContactKey) -> String {
    match key {
        ContactKey::Email(v) | ContactKey::Phone(v) => v,
    }
}

/// Renames the field of an `Invalid` from another context's path to the lead's; other errors
/// pass through.
fn at_lead_path(e: crm_core::Error, rename: impl Fn(&str) -> String) -> crm_core::Error {
    match e {
        crm_core::Error::Invalid { field, reason } => crm_core::Error::Invalid {
            field: rename(&field),
            reason,
        },
        other => other,
    }
}

/// [`CustomerPort`] over the customers service.
#[derive(Debug)]
struct CustomerBridge<'a>(pub &'a AppState);

impl CustomerPort for CustomerBridge<'_> {
    async fn find_by_contacts(&self, keys: &[ContactKey]) -> crm_sales::Result<Option<Uuid>> {
        for key in keys {
            let value = match key {
                ContactKey::Email(v) | ContactKey::Phone(v) => v,
            };
            if let Some(c) = self.0.customers.find_by_contact(value).await? {
                return Ok(Some(c.id));
            }
        }
        Ok(None)
    }

    async fn create(&self, prospect: &Prospect) -> crm_sales::Result<Uuid> {
        let customer = self
            .0
            .customers
            .create(new_customer(prospect))
            .await
            .map_err(|e| at_lead_path(e, |f| format!("prospect.{f}")))?;
        Ok(customer.id)
    }
}

/// The customer a prospect becomes: its name, organisation and contacts (the first one
/// primary).
fn new_customer(prospect: &Prospect) -> NewCustomer {
    NewCustomer {
        name: prospect.name.clone(),
        organization: prospect.organization.clone(),
        contacts: prospect
            .contacts
            .iter()
            .enumerate()
            .map(|(i, c)| ContactInput {
                kind: match c.kind {
                    ContactKind::Email => ContactType::Email,
                    ContactKind::Phone | ContactKind::Mobile => ContactType::Phone,
                    ContactKind::Whatsapp => ContactType::Whatsapp,
                },
                label: (c.kind == ContactKind::Mobile).then(|| "κινητό".to_owned()),
                value: c.value.clone(),
                primary: i == 0,
            })
            .collect(),
        ..NewCustomer::default()
    }
}

/// [`DraftOrderPort`] over the orders service.
#[derive(Debug)]
struct OrderBridge<'a>(pub &'a AppState);

impl DraftOrderPort for OrderBridge<'_> {
    async fn create_draft(
        &self,
        customer_id: Uuid,
        lines: &[QuotedLine],
    ) -> crm_sales::Result<Uuid> {
        let mut new = NewOrder::new(customer_id);
        new.status = Some(crm_orders::Status::Draft);
        new.items = lines.iter().map(order_item).collect();
        let order = self
            .0
            .orders
            .create(new)
            .await
            .map_err(|e| at_lead_path(e, |f| f.replacen("items", "lines", 1)))?;
        Ok(order.id)
    }
}

/// An order line from a quoted one: a catalogue product keeps the description as the line's
/// text; a free-text line is named by the description's first line (cut to the orders'
/// limit), with the whole description when it says more.
fn order_item(line: &QuotedLine) -> NewItem {
    match line.product_id {
        Some(product_id) => {
            let mut item = NewItem::product(product_id, line.quantity, line.unit_price);
            item.description = Some(line.description.clone());
            item
        }
        None => {
            let first = line.description.lines().next().unwrap_or_default().trim();
            let name: String = first.chars().take(ORDER_NAME_MAX).collect();
            let mut item = NewItem::freetext(name.clone(), line.quantity, line.unit_price);
            if name != line.description.trim() {
                item.description = Some(line.description.clone());
            }
            item
        }
    }
}

#[cfg(test)]
mod tests {
    use crm_core::Money;

    use super::*;

    fn line(product_id: Option<Uuid>, description: &str) -> QuotedLine {
        QuotedLine {
            product_id,
            description: description.to_owned(),
            quantity: Money::parse("2").unwrap(),
            unit_price: Money::parse("150.5").unwrap(),
        }
    }

    #[test]
    fn a_quoted_line_becomes_an_order_line_named_by_its_first_line() {
        let short = order_item(&line(None, "Καμπάνα 80 kg"));
        assert_eq!(short.product_name.as_deref(), Some("Καμπάνα 80 kg"));
        assert_eq!(short.description, None);
        assert_eq!(short.quantity, Money::parse("2").unwrap());

        let long = order_item(&line(None, "Καμπάνα\nμε ηλεκτρομηχανισμό"));
        assert_eq!(long.product_name.as_deref(), Some("Καμπάνα"));
        assert_eq!(
            long.description.as_deref(),
            Some("Καμπάνα\nμε ηλεκτρομηχανισμό")
        );

        let huge = order_item(&line(None, &"α".repeat(400)));
        assert_eq!(huge.product_name.unwrap().chars().count(), ORDER_NAME_MAX);

        let pid = Uuid::from_u128(9);
        let product = order_item(&line(Some(pid), "Σφυρί"));
        assert_eq!(product.product_id, Some(pid));
        assert_eq!(
            product.product_name, None,
            "the product's own name is copied in"
        );
        assert_eq!(product.description.as_deref(), Some("Σφυρί"));
    }

    #[test]
    fn a_prospect_becomes_a_customer_with_its_contacts() {
        let prospect: Prospect = serde_json::from_value(serde_json::json!({
            "name": "π. Γεώργιος", "organization": "Ενορία Αγ. Νικολάου",
            "contacts": [{"kind": "mobile", "value": "6912345678"},
                         {"kind": "email", "value": "papas@example.gr"}]
        }))
        .unwrap();
        let c = new_customer(&prospect);
        assert_eq!(c.name, "π. Γεώργιος");
        assert_eq!(c.organization.as_deref(), Some("Ενορία Αγ. Νικολάου"));
        assert_eq!(c.contacts.len(), 2);
        assert_eq!(c.contacts[0].kind, ContactType::Phone);
        assert!(c.contacts[0].primary);
        assert_eq!(c.contacts[1].kind, ContactType::Email);
        assert!(!c.contacts[1].primary);
    }

    #[test]
    fn another_contexts_field_is_named_at_the_leads_path() {
        let e = at_lead_path(crm_core::Error::invalid("items[1].quantity", "bad"), |f| {
            f.replacen("items", "lines", 1)
        });
        assert!(
            matches!(&e, crm_core::Error::Invalid { field, .. } if field == "lines[1].quantity"),
            "{e:?}"
        );
    }
}
