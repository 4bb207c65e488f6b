//! A device's life by its serial number, across orders, products and customers: a delivered
//! order's serials become the customer's owned items (with their warranty), and a serial's
//! history gathers the order that sold it, its owner, its warranty and the service desk's
//! tickets and visits about it.

use std::collections::HashMap;

use crm_core::Timestamp;
use crm_customers::model::{CustomerPatch, OwnedItem, OwnedItemType};
use crm_customers::{Customer, Customers as _};
use crm_orders::{ItemType, Order, Orders as _, Status};
use crm_products::Products as _;
use serde::Serialize;
use uuid::Uuid;

use crate::channels::ChannelError;
use crate::state::AppState;

/// How often a registration starts over when the customer changed meanwhile.
const ATTEMPTS: usize = 5;

/// Makes each serial on the product lines of a delivered order an owned item of its
/// customer (product, serial, delivery date, warranty end from the product's
/// `warranty_months`), unless the customer already has an item with that serial. Idempotent:
/// a delivered order sent again registers nothing twice, which is how a registration that
/// failed half-way (the order saved, the customer not) is completed.
pub async fn register_delivered(state: &AppState, order: &Order) -> Result<(), ChannelError> {
    if order.status != Status::Delivered {
        return Ok(());
    }
    let lines: Vec<(Uuid, Option<String>, &str)> = order
        .items
        .iter()
        .filter(|i| i.kind == ItemType::Product)
        .filter_map(|i| i.product_id.map(|p| (p, i)))
        .flat_map(|(p, i)| {
            i.serial_numbers
                .iter()
                .map(move |s| (p, i.product_name.clone(), s.as_str()))
        })
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    let delivered = order.shipping.delivered_at.unwrap_or(order.updated_at);
    let mut warranty: HashMap<Uuid, u32> = HashMap::new();
    for (product, _, _) in &lines {
        if !warranty.contains_key(product) {
            let months = match state.products.get(*product).await {
                Ok(p) => p.warranty_months,
                // a product deleted since: no warranty known
                Err(crm_core::Error::NotFound { .. }) => 0,
                Err(e) => return Err(e.into()),
            };
            warranty.insert(*product, months);
        }
    }
    for _ in 0..ATTEMPTS {
        let customer = state.customers.get(order.customer_id).await?;
        let mut items = customer.owned_items.clone();
        for (product, name, serial) in &lines {
            if owns(&items, serial) {
                continue;
            }
            let months = warranty.get(product).copied().unwrap_or(0);
            items.push(OwnedItem {
                kind: OwnedItemType::Product,
                device_id: None,
                label: None,
                product_id: Some(product.to_string()),
                product_name: name.clone(),
                quantity: Some(1),
                serial_numbers: Some(vec![(*serial).to_owned()]),
                description: None,
                serial_number: None,
                notes: None,
                order_id: Some(order.id),
                purchased_at: Some(delivered),
                warranty_until: (months > 0).then(|| plus_months(delivered, months)),
            });
        }
        if items.len() == customer.owned_items.len() {
            return Ok(());
        }
        let patch = CustomerPatch {
            owned_items: Some(items),
            ..CustomerPatch::default()
        };
        match state
            .customers
            .update(customer.id, patch, Some(customer.version))
            .await
        {
            Ok(_) => return Ok(()),
            Err(crm_core::Error::Stale { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ChannelError::Internal(format!(
        "the serials of order {} could not be given to customer {}: it kept changing",
        order.order_number, order.customer_id
    )))
}

/// Whether one of `items` carries `serial`.
fn owns(items: &[OwnedItem], serial: &str) -> bool {
    items.iter().any(|i| {
        i.serial_number.as_deref() == Some(serial)
            || i.serial_numbers
                .as_ref()
                .is_some_and(|s| s.iter().any(|x| x == serial))
    })
}

/// `at` plus `months` calendar months, the day kept (or the month's last day).
fn plus_months(at: Timestamp, months: u32) -> Timestamp {
    let t = at.into_inner();
    let total = i64::from(t.year()) * 12 + i64::from(u8::from(t.month())) - 1 + i64::from(months);
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let month =
        time::Month::try_from(u8::try_from(month).unwrap_or(1)).unwrap_or(time::Month::January);
    let year = i32::try_from(year).unwrap_or(t.year());
    let day = t.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day)
        .map(|d| Timestamp::from(t.replace_date(d)))
        .unwrap_or(at)
}

/// A device's history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SerialHistory {
    pub serial: String,
    /// The orders that carried it, oldest first (the first sold it).
    pub orders: Vec<Order>,
    /// Its owner: the customer whose owned items carry it, else the customer of the last
    /// order that carried it.
    pub owner: Option<Customer>,
    /// The owned item as the owner has it (delivery date, warranty end).
    pub owned_item: Option<OwnedItem>,
    /// `active` until `warranty_until`, then `expired`; `unknown` without an end date.
    pub warranty: WarrantyState,
    /// The service desk's tickets about it, oldest first, each with its visits.
    pub tickets: Vec<crm_tickets::TicketWithVisits>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarrantyState {
    Active,
    Expired,
    Unknown,
}

/// Everything the CRM knows of the device with serial `serial`; `NotFound` when no order
/// carried it and no ticket is about it.
pub async fn history(state: &AppState, serial: &str) -> Result<SerialHistory, ChannelError> {
    let serial = serial.trim();
    if serial.is_empty() || serial.chars().count() > crm_orders::model::NAME_MAX {
        return Err(ChannelError::invalid("serial", "not a serial number"));
    }
    let (orders, tickets) = futures_util::future::join(
        state.orders.with_serial(serial),
        crate::channels::tickets::for_serial(state, serial),
    )
    .await;
    let (orders, tickets) = (orders?, tickets?);
    // the owner: of the last order that carried it, else of the last ticket about it
    let Some(owner_id) = orders
        .last()
        .map(|o| o.customer_id)
        .or_else(|| tickets.last().map(|t| t.ticket.customer_id))
    else {
        return Err(ChannelError::NotFound(format!(
            "no order carried serial number {serial} and no ticket is about it"
        )));
    };
    let owner = match state.customers.get(owner_id).await {
        Ok(c) => Some(c),
        Err(crm_core::Error::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let owned_item = owner.as_ref().and_then(|c| {
        c.owned_items
            .iter()
            .find(|i| owns(std::slice::from_ref(*i), serial))
            .cloned()
    });
    let warranty = match owned_item.as_ref().and_then(|i| i.warranty_until) {
        Some(until) if state.clock.now() < until => WarrantyState::Active,
        Some(_) => WarrantyState::Expired,
        None => WarrantyState::Unknown,
    };
    Ok(SerialHistory {
        serial: serial.to_owned(),
        orders,
        owner,
        owned_item,
        warranty,
        tickets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warranties_end_on_the_same_day_months_later_or_the_months_last() {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let cases = [
            ("2026-03-15T10:00:00Z", 24, "2028-03-15T10:00:00Z"),
            ("2026-01-31T10:00:00Z", 1, "2026-02-28T10:00:00Z"),
            ("2027-11-30T09:00:00Z", 3, "2028-02-29T09:00:00Z"),
            ("2026-12-01T00:00:00Z", 13, "2028-01-01T00:00:00Z"),
        ];
        for (from, months, to) in cases {
            assert_eq!(plus_months(t(from), months), t(to), "{from} + {months}");
        }
    }
}
