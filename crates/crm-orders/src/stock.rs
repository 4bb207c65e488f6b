//! What an order does to the stock of the products it sells.
//!
//! # Rules
//!
//! An order holds stock in one of three ways, its `stock_state`:
//! - `none`: it holds nothing (a draft, a cancelled order, or an order that was not a draft
//!   when stock began to be kept for it — an import created in another status, an order from
//!   before this rule: such an order moves no stock until it goes back to draft);
//! - `reserved`: its products are set aside (`stock.reserved` up) — while `confirmed` or
//!   `in_production`;
//! - `consumed`: its products have left (`stock.on_hand` down) — once `shipped` or `delivered`.
//!
//! When the status of an order that was a draft changes, its `stock_state` becomes the one of
//! the new status, and
//! the store moves the difference in the same transaction as the change: confirming reserves,
//! going back to draft or cancelling releases, shipping turns the reservation into a
//! consumption (`on_hand` and `reserved` both go down), and cancelling a shipped order puts
//! its goods back (`on_hand` up: a return). Changing the items of an order that holds stock
//! moves the difference too.
//!
//! Only `product` lines move stock, by their quantity rounded up to whole units. A move that
//! would leave a product with less on hand than reserved, or less than nothing, is refused as
//! `Error::Conflict` naming the product and what is available, and nothing changes. An order
//! that holds stock cannot be deleted: cancel it first (which releases or returns it).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::{Error, Result};
pub use crate::model::StockState;
use crate::model::{Item, ItemType, Order, Status};

/// How an order in `status` holds stock.
fn held_in(status: Status) -> StockState {
    match status {
        Status::Draft | Status::Cancelled => StockState::None,
        Status::Confirmed | Status::InProduction => StockState::Reserved,
        Status::Shipped | Status::Delivered => StockState::Consumed,
    }
}

/// The stock state `next` has after a change from `current`: the one of its status when the
/// status changed — unless the order never was a draft here (an import, or an order from
/// before stock was kept), which holds nothing and moves nothing until it is a draft again.
pub fn state_after(current: &Order, next: &Order) -> StockState {
    if next.status == current.status {
        return current.stock_state;
    }
    if current.stock_state != StockState::None || current.status == Status::Draft {
        held_in(next.status)
    } else {
        StockState::None
    }
}

/// A change of one product's stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockMove {
    pub product_id: Uuid,
    /// Added to `stock.reserved`.
    pub reserved: i64,
    /// Added to `stock.on_hand`.
    pub on_hand: i64,
}

/// A product's stock counts, as a store reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stock {
    pub on_hand: i64,
    pub reserved: i64,
}

impl Stock {
    /// The counts after `m`, or `Error::Conflict` naming the product (`name`) when they would
    /// leave less on hand than reserved, or less than nothing.
    pub fn after(self, m: &StockMove, name: &str) -> Result<Stock> {
        let next = Stock {
            on_hand: self.on_hand.saturating_add(m.on_hand),
            reserved: self.reserved.saturating_add(m.reserved),
        };
        if next.on_hand < 0 || next.reserved < 0 || next.reserved > next.on_hand {
            let available = self.on_hand - self.reserved;
            let wanted = (-m.on_hand).max(m.reserved);
            return Err(Error::Conflict {
                message: format!(
                    "not enough stock of {name} ({}): {available} available, {wanted} needed",
                    m.product_id
                ),
            });
        }
        Ok(next)
    }
}

/// The whole units of each product the order's `product` lines name (quantities rounded up).
pub fn units(items: &[Item]) -> BTreeMap<Uuid, i64> {
    let mut units = BTreeMap::new();
    for item in items.iter().filter(|i| i.kind == ItemType::Product) {
        let Some(product) = item.product_id else {
            continue;
        };
        *units.entry(product).or_insert(0) += whole_units(item.quantity.as_decimal());
    }
    units
}

/// The moves that take the stock `before` holds to what `after` holds, one per product that
/// changes, in product id order (so that concurrent writers lock products in one order).
pub fn moves(before: &Order, after: &Order) -> Vec<StockMove> {
    let held = |o: &Order| -> BTreeMap<Uuid, (i64, i64)> {
        units(&o.items)
            .into_iter()
            .map(|(p, n)| {
                (
                    p,
                    match o.stock_state {
                        StockState::None => (0, 0),
                        StockState::Reserved => (n, 0),
                        StockState::Consumed => (0, n),
                    },
                )
            })
            .collect()
    };
    let (old, new) = (held(before), held(after));
    let mut products: Vec<Uuid> = old.keys().chain(new.keys()).copied().collect();
    products.sort_unstable();
    products.dedup();
    products
        .into_iter()
        .filter_map(|p| {
            let (r0, c0) = old.get(&p).copied().unwrap_or_default();
            let (r1, c1) = new.get(&p).copied().unwrap_or_default();
            let m = StockMove {
                product_id: p,
                reserved: r1 - r0,
                on_hand: -(c1 - c0),
            };
            (m.reserved != 0 || m.on_hand != 0).then_some(m)
        })
        .collect()
}

/// `Error::Conflict` for deleting an order that holds stock.
pub fn refuse_delete(order: &Order) -> Result<()> {
    match order.stock_state {
        StockState::None => Ok(()),
        held => Err(Error::Conflict {
            message: format!(
                "order {} holds stock ({}): cancel it first",
                order.order_number,
                held.as_str()
            ),
        }),
    }
}

/// Whole units of a positive quantity, rounded up (quantities are at most 1,000,000).
fn whole_units(quantity: Decimal) -> i64 {
    let whole = quantity.ceil();
    let units = whole.mantissa() / 10i128.pow(whole.scale());
    i64::try_from(units).unwrap_or(i64::MAX).max(0)
}
