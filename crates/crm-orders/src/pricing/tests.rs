use crm_core::{Money, Timestamp, VatRate};

use crate::model::Item;
use uuid::Uuid;

use super::*;
use crate::model::{Discount, NewItem, NewOrder, OrderPatch, PaymentStatus, Status};

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn rate(percent: u8) -> VatRate {
    VatRate::new(percent).unwrap()
}

/// A free-text line of `q × p` at `percent` VAT (0 % lines get a reason).
fn line(q: &str, p: &str, percent: u8) -> NewItem {
    let mut item = NewItem::freetext("line", m(q), m(p));
    item.vat_rate = Some(rate(percent));
    if percent == 0 {
        item.vat_exemption = Some("Άρθρο 39α ΚΦΠΑ".into());
    }
    item
}

fn order(items: Vec<NewItem>, discount: Option<Discount>, gross: bool) -> Result<Order> {
    let mut new = NewOrder::new(Uuid::new_v4());
    new.items = items;
    new.discount = discount;
    new.prices_include_vat = Some(gross);
    let mut o = new.into_order(
        Uuid::new_v4(),
        Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
    )?;
    price(&mut o)?;
    Ok(o)
}

/// `[(rate, net, vat)]` of the order's breakdown, as text.
fn breakdown(o: &Order) -> Vec<(u8, String, String)> {
    o.vat_breakdown
        .iter()
        .map(|v| (v.rate.percent(), v.net.to_string(), v.vat.to_string()))
        .collect()
}

#[test]
fn net_prices_with_two_rates_and_a_percentage_discount_follow_the_documented_example() {
    let o = order(
        vec![line("2", "12.30", 24), line("1", "10", 13)],
        Some(Discount::percentage(m("10"))),
        false,
    )
    .unwrap();
    assert_eq!(o.subtotal, m("34.6"));
    assert_eq!(o.discount_amount, m("3.46"));
    let lines: Vec<_> = o
        .items
        .iter()
        .map(|i| (i.net_amount.to_string(), i.vat_amount.to_string()))
        .collect();
    assert_eq!(
        lines,
        [("22.14".into(), "5.31".into()), ("9".into(), "1.17".into())]
    );
    assert_eq!(
        breakdown(&o),
        [
            (24, "22.14".into(), "5.31".into()),
            (13, "9".into(), "1.17".into())
        ]
    );
    assert_eq!(o.net_total, m("31.14"));
    assert_eq!(o.vat_total, m("6.48"));
    assert_eq!(o.total_price, m("37.62"));
}

#[test]
fn gross_prices_keep_what_the_user_typed_and_split_out_the_vat() {
    let o = order(
        vec![line("1", "124", 24), line("1", "10", 24), line("1", "5", 0)],
        None,
        true,
    )
    .unwrap();
    // 124 / 1.24 = 100; 10 / 1.24 = 8.0645 → 8.06, VAT the rest
    let lines: Vec<_> = o
        .items
        .iter()
        .map(|i| (i.net_amount.to_string(), i.vat_amount.to_string()))
        .collect();
    assert_eq!(
        lines,
        [
            ("100".into(), "24".into()),
            ("8.06".into(), "1.94".into()),
            ("5".into(), "0".into())
        ]
    );
    assert_eq!(o.total_price, m("139"));
    assert_eq!(o.subtotal, m("139"));
    assert_eq!(
        breakdown(&o),
        [
            (24, "108.06".into(), "25.94".into()),
            (0, "5".into(), "0".into())
        ]
    );
}

#[test]
fn every_amount_rounds_per_line_to_the_cent_with_halves_away_from_zero() {
    // line amounts: 1 × 0.125 = 0.125 → 0.13
    let o = order(vec![line("1", "0.125", 24)], None, false).unwrap();
    assert_eq!(o.items[0].line_total, m("0.13"));
    // VAT: 0.50 at 13 % = 6.5 cents → 7; 0.25 at 6 % = 1.5 cents → 2
    let o = order(
        vec![line("1", "0.5", 13), line("1", "0.25", 6)],
        None,
        false,
    )
    .unwrap();
    assert_eq!(o.items[0].vat_amount, m("0.07"));
    assert_eq!(o.items[1].vat_amount, m("0.02"));
    // VAT is per line, summed: three lines of 0.10 at 24 % carry 0.02 each (not 0.07 on 0.30)
    let o = order(vec![line("1", "0.1", 24); 3], None, false).unwrap();
    assert_eq!(o.vat_total, m("0.06"));
    assert_eq!(breakdown(&o), [(24, "0.3".into(), "0.06".into())]);
    // a percentage discount rounds once, on the subtotal: 10 % of 25.05 = 2.505 → 2.51
    let o = order(
        vec![line("2", "12.30", 0), line("1", "0.45", 0)],
        Some(Discount::percentage(m("10"))),
        false,
    )
    .unwrap();
    assert_eq!(o.discount_amount, m("2.51"));
    assert_eq!(o.total_price, m("22.54"));
}

#[test]
fn the_discount_is_shared_by_amount_and_left_over_cents_go_to_the_largest_remainders() {
    // 1.00 over three lines of 1.00: 33 each and the left cent to the first line
    let o = order(
        vec![line("1", "1", 0); 3],
        Some(Discount::fixed(m("1"))),
        false,
    )
    .unwrap();
    let nets: Vec<_> = o.items.iter().map(|i| i.net_amount.to_string()).collect();
    assert_eq!(nets, ["0.66", "0.67", "0.67"]);
    // 0.10 over 3.00 and 1.00: shares 0.075 → 0.07 (remainder 0.5) and 0.025 → 0.02
    // (remainder 0.5); one cent left, which goes to the first on the tie
    let o = order(
        vec![line("1", "3", 0), line("1", "1", 0)],
        Some(Discount::fixed(m("0.1"))),
        false,
    )
    .unwrap();
    let nets: Vec<_> = o.items.iter().map(|i| i.net_amount.to_string()).collect();
    assert_eq!(nets, ["2.92", "0.98"]);
    // 100 % takes everything; a zero-amount line takes nothing
    let o = order(
        vec![line("1", "7.77", 24), line("1", "0", 13)],
        Some(Discount::percentage(m("100"))),
        false,
    )
    .unwrap();
    assert_eq!(o.total_price, Money::ZERO);
    assert_eq!(o.discount_amount, m("7.77"));
}

#[test]
fn a_fixed_discount_above_the_subtotal_is_refused_on_discount_value() {
    let e = order(
        vec![line("1", "10", 24)],
        Some(Discount::fixed(m("10.01"))),
        false,
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::Invalid { ref field, .. } if field == "discount.value"),
        "{e}"
    );
    // exactly the subtotal is allowed, and an amount with more decimals rounds
    let o = order(
        vec![line("1", "10", 24)],
        Some(Discount::fixed(m("9.995"))),
        false,
    )
    .unwrap();
    assert_eq!(o.discount_amount, m("10"));
    assert_eq!(o.total_price, Money::ZERO);
}

#[test]
fn a_zero_rate_line_needs_an_exemption_reason_and_other_rates_refuse_one() {
    let mut no_reason = line("1", "1", 0);
    no_reason.vat_exemption = None;
    let e = order(vec![line("1", "1", 24), no_reason], None, false).unwrap_err();
    assert!(
        matches!(e, Error::Invalid { ref field, .. } if field == "items[1].vat_exemption"),
        "{e}"
    );
    let mut reason = line("1", "1", 13);
    reason.vat_exemption = Some("Άρθρο 39α".into());
    let e = order(vec![reason], None, false).unwrap_err();
    assert!(
        matches!(e, Error::Invalid { ref field, .. } if field == "items[0].vat_exemption"),
        "{e}"
    );
    // a line without a rate is 24 %
    let o = order(vec![NewItem::freetext("x", m("1"), m("100"))], None, false).unwrap();
    assert_eq!(o.items[0].vat_rate, VatRate::STANDARD);
    assert_eq!(o.total_price, m("124"));
}

#[test]
fn lines_always_add_up_to_the_totals_whatever_the_mix() {
    // a deterministic walk over many mixes of quantities, prices, rates, discounts and bases
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..2_000 {
        let count = 1 + next(6);
        let items: Vec<_> = (0..count)
            .map(|_| {
                let q = format!("{}.{}", 1 + next(20), next(1000));
                let p = format!("{}.{:06}", next(5000), next(1_000_000));
                line(&q, &p, [24, 13, 6, 0][next(4) as usize])
            })
            .collect();
        let discount = match next(3) {
            0 => None,
            1 => Some(Discount::percentage(m(&format!(
                "{}.{}",
                next(100),
                next(100)
            )))),
            _ => Some(Discount::fixed(m(&format!("0.{:02}", next(100))))),
        };
        let gross = next(2) == 0;
        let o = order(items, discount, gross).unwrap();
        let sum = |f: fn(&Item) -> Money| Money::checked_sum(o.items.iter().map(f)).unwrap();
        assert_eq!(sum(|i| i.line_total), o.subtotal);
        assert_eq!(sum(|i| i.net_amount), o.net_total);
        assert_eq!(sum(|i| i.vat_amount), o.vat_total);
        assert_eq!(o.net_total.checked_add(o.vat_total), Some(o.total_price));
        let after_discount = o.subtotal.checked_sub(o.discount_amount).unwrap();
        let basis = if gross { o.total_price } else { o.net_total };
        assert_eq!(basis, after_discount, "{o:?}");
        let by_rate = Money::checked_sum(o.vat_breakdown.iter().map(|v| v.vat)).unwrap();
        assert_eq!(by_rate, o.vat_total);
        for i in &o.items {
            assert_eq!(i.net_amount.round_cents(), i.net_amount);
            assert_eq!(i.vat_amount.round_cents(), i.vat_amount);
            assert!(!i.net_amount.is_negative() && !i.vat_amount.is_negative());
        }
    }
}

fn now() -> Timestamp {
    Timestamp::parse("2026-03-01T10:00:00Z").unwrap()
}

/// A free-text line at the default rate.
fn item(q: &str, p: &str) -> NewItem {
    NewItem::freetext("thing", m(q), m(p))
}

fn invalid_field<T: std::fmt::Debug>(r: Result<T>) -> String {
    match r {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// A net-priced order of `items`, priced.
fn order_with(items: Vec<NewItem>, discount: Option<Discount>) -> Result<Order> {
    let mut new = NewOrder::new(Uuid::new_v4());
    new.items = items;
    new.discount = discount;
    let mut o = new.into_order(Uuid::new_v4(), now())?;
    price(&mut o)?;
    Ok(o)
}

#[test]
fn line_totals_and_subtotal_never_go_through_floats() {
    let o = order_with(vec![item("3", "0.1"), item("1.5", "0.45")], None).unwrap();
    assert_eq!(o.items[0].line_total.to_string(), "0.3");
    assert_eq!(o.items[1].line_total.to_string(), "0.68"); // 0.675, rounded per line
    assert_eq!(o.subtotal.to_string(), "0.98");
    // 24 % by default, per line: 0.072 → 0.07, 0.1632 → 0.16
    assert_eq!(o.vat_total.to_string(), "0.23");
    assert_eq!(o.total_price.to_string(), "1.21");
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["subtotal"].to_string(), "0.98");
    assert_eq!(json["items"][0]["line_total"].to_string(), "0.3");
    assert_eq!(json["items"][0]["vat_rate"].to_string(), "24");
    assert_eq!(json["items"][1]["quantity"].to_string(), "1.5");
    assert_eq!(json["prices_include_vat"], false);
}

#[test]
fn discounts_out_of_range_are_rejected_on_discount_value() {
    let items = || vec![item("2", "12.30"), item("1", "0.45")];
    for d in [
        Discount::fixed(m("25.06")),
        Discount::fixed(m("-1")),
        Discount::percentage(m("100.01")),
        Discount::percentage(m("-5")),
    ] {
        assert_eq!(
            invalid_field(order_with(items(), Some(d))),
            "discount.value"
        );
    }
    // a fixed discount on an empty order
    assert_eq!(
        invalid_field(order_with(vec![], Some(Discount::fixed(m("1"))))),
        "discount.value"
    );
}

#[test]
fn inputs_accept_strings_ignore_computed_fields_and_tell_null_from_absent() {
    let new: NewOrder = serde_json::from_str(
        r#"{"customer_id":"6f1c1c2e-3b55-4a39-9f7e-2d5a3c4b1a10","order_number":"X",
            "subtotal":999,"total_price":1,"items":[{"quantity":"2","unit_price":"12.30",
            "product_name":"Bell","line_total":5}],"currency":" USD ","shipping":null,
            "discount":{"type":"fixed","value":"0.30","reason":null}}"#,
    )
    .unwrap();
    let mut o = new.into_order(Uuid::new_v4(), now()).unwrap();
    price(&mut o).unwrap();
    assert_eq!(o.order_number, "");
    assert_eq!(o.subtotal, m("24.6"));
    assert_eq!(o.net_total, m("24.3"));
    assert_eq!(o.total_price, m("30.13")); // + 24 % of 24.30 = 5.832
    assert_eq!(o.currency, "USD");
    assert_eq!(o.status, Status::Draft);
    assert_eq!(o.payment_status, PaymentStatus::Pending);

    let p: OrderPatch = serde_json::from_str(r#"{"discount":null}"#).unwrap();
    assert_eq!(p.discount, Some(None));
    let p: OrderPatch = serde_json::from_str(r#"{"items":null}"#).unwrap();
    assert!(p.items.is_none() && p.discount.is_none());
    let mut cleared = serde_json::from_str::<OrderPatch>(r#"{"discount":null}"#)
        .unwrap()
        .apply(&o, now())
        .unwrap();
    price(&mut cleared).unwrap();
    assert_eq!(cleared.discount, None);
    assert_eq!(cleared.total_price, m("30.5")); // 24.60 + 5.904
}
