//! What an order costs: line amounts, the discount, VAT (ΦΠΑ) per line and per rate, and the
//! totals. Computed by the server only, from the items, the discount and whether the prices
//! include VAT; the console repeats these rules to show totals while the user types, and
//! shows the server's figures once the order is saved.
//!
//! # Rules
//!
//! Every amount is in cents; rounding is to the nearest cent with halves away from zero, the
//! way Greek invoices round. The figures of the lines add up to the totals exactly, as an
//! invoice's summary must.
//!
//! 1. **Line amount** `line_total` = `quantity × unit_price`, rounded per line. The unit price
//!    is net, or gross (VAT included) when the order's `prices_include_vat` is true; the line
//!    amount is in the same basis.
//! 2. **Subtotal** = Σ line amounts.
//! 3. **Discount** `discount_amount`, in the prices' basis: a `percentage` is `value` % of the
//!    subtotal, rounded; a `fixed` discount is `value` rounded, and may not exceed the
//!    subtotal.
//! 4. **The discount is shared over the lines** in proportion to their amounts: each line's
//!    share is rounded down to the cent, and the cents left over go one each to the lines with
//!    the largest remainders (the earlier line first on a tie), so that the shares add up to
//!    the discount exactly. VAT is charged on what is left of each line.
//! 5. **VAT per line**, on the line's amount after its share:
//!    - net prices: `net_amount` = that amount, `vat_amount` = net × rate, rounded;
//!    - gross prices: `net_amount` = gross ÷ (1 + rate), rounded, and
//!      `vat_amount` = gross − net, so that net + VAT is the gross the user typed.
//! 6. **Totals** are sums of the lines: `vat_breakdown` has, per rate present (highest first),
//!    the net and the VAT of its lines; `net_total` = Σ net, `vat_total` = Σ VAT, and
//!    `total_price` (what the customer pays) = `net_total + vat_total`.
//!
//! Example, net prices: 2 × 12.30 at 24 % and 1 × 10.00 at 13 %, 10 % off: subtotal 34.60,
//! discount 3.46, shared 2.46 / 1.00; nets 22.14 and 9.00, VAT 5.31 and 1.17; total 37.62.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use crm_core::{Money, VatRate};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::model::{Discount, DiscountType, Order, VatAmount};

/// The largest subtotal in cents (10²⁴ euros), far above what the bounds on items allow:
/// below it every amount [`price`] computes fits a decimal.
const MAX_SUBTOTAL: i128 = 10i128.pow(26);

/// `quantity × unit_price` rounded to cents; `None` when it is beyond what a decimal holds
/// (which the bounds on both keep it from).
pub fn line_total(quantity: Money, unit_price: Money) -> Option<Money> {
    unit_price
        .checked_mul(quantity.as_decimal())
        .map(Money::round_cents)
}

/// Computes every derived amount of `order` from its items, discount and
/// `prices_include_vat` (see the module documentation). A fixed discount above the subtotal
/// is `Invalid` on `discount.value`; amounts beyond what the arithmetic holds are `Invalid`
/// on the item or the discount that makes them so.
pub fn price(order: &mut Order) -> Result<()> {
    compute(order, Discounts::Checked)
}

/// [`price`] for an order as a store holds it, which was valid when written but may have been
/// written under other rules (before line amounts were rounded, or by another program): a
/// fixed discount above the subtotal takes the subtotal, not an error. Amounts beyond the
/// arithmetic are `Store` errors naming the order.
pub fn price_stored(order: &mut Order) -> Result<()> {
    compute(order, Discounts::Capped).map_err(|e| Error::Store {
        message: format!("the amounts of order {} cannot be computed: {e}", order.id),
    })
}

/// What a fixed discount above the subtotal is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Discounts {
    /// An error on `discount.value`.
    Checked,
    /// The subtotal.
    Capped,
}

fn compute(order: &mut Order, discounts: Discounts) -> Result<()> {
    let mut amounts = Vec::with_capacity(order.items.len());
    let mut subtotal: i128 = 0;
    for (i, item) in order.items.iter_mut().enumerate() {
        let too_large = || {
            Error::invalid(
                format!("items[{i}].quantity"),
                "quantity × unit_price is too large",
            )
        };
        item.line_total = line_total(item.quantity, item.unit_price).ok_or_else(too_large)?;
        let amount = cents(item.line_total).ok_or_else(too_large)?;
        subtotal = subtotal.checked_add(amount).ok_or_else(|| {
            Error::invalid(
                format!("items[{i}].quantity"),
                "makes the subtotal too large",
            )
        })?;
        amounts.push(amount);
    }
    if subtotal > MAX_SUBTOTAL {
        return Err(Error::invalid("items", "the subtotal is too large"));
    }
    let discount = discount_cents(order.discount.as_ref(), subtotal, discounts)?;
    let shares = share(discount, subtotal, &amounts)
        .ok_or_else(|| Error::invalid("discount.value", "is too large"))?;

    let mut by_rate: BTreeMap<Reverse<VatRate>, (i128, i128)> = BTreeMap::new();
    let (mut net_total, mut vat_total) = (0i128, 0i128);
    for ((item, amount), share) in order.items.iter_mut().zip(amounts).zip(shares) {
        let (net, vat) = vat_of(amount - share, item.vat_rate, order.prices_include_vat);
        item.net_amount = money(net);
        item.vat_amount = money(vat);
        let sums = by_rate.entry(Reverse(item.vat_rate)).or_default();
        sums.0 += net;
        sums.1 += vat;
        net_total += net;
        vat_total += vat;
    }
    order.subtotal = money(subtotal);
    order.discount_amount = money(discount);
    order.vat_breakdown = by_rate
        .into_iter()
        .map(|(Reverse(rate), (net, vat))| VatAmount {
            rate,
            net: money(net),
            vat: money(vat),
        })
        .collect();
    order.net_total = money(net_total);
    order.vat_total = money(vat_total);
    order.total_price = money(net_total + vat_total);
    Ok(())
}

/// The discount in cents, in the prices' basis.
fn discount_cents(discount: Option<&Discount>, subtotal: i128, rule: Discounts) -> Result<i128> {
    let Some(d) = discount else {
        return Ok(0);
    };
    let too_large = || Error::invalid("discount.value", "is too large");
    let subtotal_money = money(subtotal);
    let off = match d.kind {
        DiscountType::Percentage => subtotal_money
            .as_decimal()
            .checked_mul(d.value.as_decimal())
            .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
            .map(Money::new)
            .ok_or_else(too_large)?,
        DiscountType::Fixed => {
            if d.value > subtotal_money && rule == Discounts::Checked {
                return Err(Error::invalid(
                    "discount.value",
                    format!("a fixed discount cannot exceed the subtotal ({subtotal_money})"),
                ));
            }
            d.value
        }
    };
    let off = cents(off.round_cents()).ok_or_else(too_large)?;
    Ok(off.min(subtotal))
}

/// Each line's share of `discount` (rule 4); `None` on overflow. `total` is Σ `amounts`.
fn share(discount: i128, total: i128, amounts: &[i128]) -> Option<Vec<i128>> {
    if discount == 0 || total == 0 {
        return Some(vec![0; amounts.len()]);
    }
    let mut shares = Vec::with_capacity(amounts.len());
    let mut remainders = Vec::with_capacity(amounts.len());
    for (i, &a) in amounts.iter().enumerate() {
        let scaled = discount.checked_mul(a)?;
        shares.push(scaled / total);
        remainders.push((Reverse(scaled % total), i));
    }
    let left = discount - shares.iter().sum::<i128>();
    remainders.sort_unstable();
    for &(_, i) in remainders.iter().take(usize::try_from(left).ok()?) {
        shares[i] += 1;
    }
    Some(shares)
}

/// The net and VAT, in cents, of a line amount of `amount` cents (rule 5).
fn vat_of(amount: i128, rate: VatRate, gross: bool) -> (i128, i128) {
    let rate = i128::from(rate.percent());
    if gross {
        let net = div_round(amount * 100, 100 + rate);
        (net, amount - net)
    } else {
        (amount, div_round(amount * rate, 100))
    }
}

/// `n / d` rounded to the nearest integer, halves away from zero, for `n ≥ 0`, `d > 0`.
fn div_round(n: i128, d: i128) -> i128 {
    (2 * n + d) / (2 * d)
}

/// An amount already rounded to cents, in cents.
fn cents(m: Money) -> Option<i128> {
    let d = m.as_decimal();
    let scale = d.scale();
    if scale > 2 {
        return None;
    }
    d.mantissa().checked_mul(10i128.pow(2 - scale))
}

/// An amount of `c` cents; `c` is at most a little above [`MAX_SUBTOTAL`], which a decimal
/// holds.
fn money(c: i128) -> Money {
    Money::new(Decimal::from_i128_with_scale(c, 2))
}

#[cfg(test)]
mod tests;
