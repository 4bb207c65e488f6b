//! Order records, the inputs that create and change them, their validation and their totals.
//!
//! # Rules
//!
//! **Order number.** Assigned by the server when the order is created and never changed:
//! `ORD-<year>-<NNN>`, the year taken from the clock at creation, `NNN` the order's place in
//! that year's sequence, zero-padded to at least three digits (`ORD-2026-001`, …,
//! `ORD-2026-999`, `ORD-2026-1000`). Each year starts again at 1. Numbers are gapless while no
//! order is deleted; the number of a deleted order is not reused.
//!
//! **Status workflow.** A new order is `draft` unless the create says otherwise (any status is
//! accepted at creation, so that existing orders can be imported as they are). After that only
//! these moves are allowed; any other is rejected as [`Error::Invalid`] on `status`:
//!
//! | from            | to                                                     |
//! |-----------------|--------------------------------------------------------|
//! | `draft`         | `confirmed`, `cancelled`                               |
//! | `confirmed`     | `draft` (the one way back), `in_production`, `shipped`, `cancelled` |
//! | `in_production` | `shipped`, `cancelled`                                 |
//! | `shipped`       | `delivered`, `cancelled`                               |
//! | `delivered`     | — (final)                                              |
//! | `cancelled`     | — (final)                                              |
//!
//! `confirmed → shipped` skips production for goods that are in stock. Setting the status an
//! order already has is not a change. Every change — including the first status at creation —
//! is appended to the order's `status_history` (oldest first), which cannot be edited. When an
//! order becomes `shipped` (or `delivered`) and `shipping.shipped_at` (`delivered_at`) is
//! empty, it is set to the time of the change.
//!
//! **Items.** `type` is one of:
//! - `product` — a product from the catalogue: `product_id` is required and must exist;
//! - `service` — work such as a repair visit or installation; it may refer to a catalogue
//!   product (a `repair_service`), but need not;
//! - `freetext` — anything else, described by `product_name` and/or `description`; it cannot
//!   have a `product_id`.
//!
//! Without `type`, an item with a `product_id` is a `product`, one without is `freetext`. An
//! item that refers to no product needs a `product_name` or a `description`. When an item has a
//! `product_id` and no `product_name`, the product's current name is copied into it when the
//! order is saved (a snapshot: renaming the product later does not change the order).
//! `quantity` is an exact positive decimal (`2`, or `1.5` hours of work) with at most 3
//! decimal places and at most 1,000,000; `unit_price` an exact amount ≥ 0 with at most 6 decimal
//! places and at most 1,000,000,000. Blank serial numbers are dropped. At most 1,000 items.
//!
//! **VAT.** Each item has a `vat_rate` (24, 13, 6 or 0 %): as given, else the product's
//! default rate (filled in by the service from the catalogue when the order is saved), else
//! 24. A 0 % item needs a `vat_exemption` (the reason, printed on the documents); any other
//! rate refuses one. The order's `prices_include_vat` says whether unit prices are net
//! (false, the default) or gross.
//!
//! **Totals** are computed by the server and never read from a client: `line_total`,
//! `net_amount` and `vat_amount` of each item; `subtotal`, `discount_amount`, `vat_breakdown`,
//! `net_total`, `vat_total` and `total_price` of the order. The rules, with their rounding,
//! are in [`crate::pricing`]. A fixed discount above the subtotal is rejected on
//! `discount.value`; a percentage is at most 100.
//!
//! **Other fields.** `currency` is a three-letter ISO 4217 code, default `EUR`;
//! `payment_status` defaults to `pending` and may be set to any value at any time; `shipping`
//! is an object of optional fields, replaced as a whole by an update (`null` empties it).
//!
//! Validation happens here, once: [`NewOrder::into_order`] and [`OrderPatch::apply`] trim
//! strings, check every field and report the first bad one as [`Error::Invalid`] naming its
//! JSON path (`items[1].quantity`, `discount.value`). The existence of the customer and of the
//! products is checked by the store, inside the write that saves the order.

use std::fmt;

use crm_core::money::Bounds;
use crm_core::patch::double_option;
use crm_core::validate::{optional_line, optional_text};
use crm_core::{Money, PageSize, Timestamp, VatRate};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Longest product name, method, carrier, tracking number or serial number, in characters.
pub const NAME_MAX: usize = 300;
/// Longest description, notes or destination, in characters.
pub const TEXT_MAX: usize = 20_000;
/// Longest `invoice_path`, in characters.
pub const PATH_MAX: usize = 1_000;
/// Most items one order can have.
pub const ITEMS_MAX: usize = 1_000;
/// Most serial numbers one item can have.
pub const SERIALS_MAX: usize = 1_000;
/// Largest quantity of one item.
pub const QUANTITY_MAX: i64 = 1_000_000;
/// Most decimal places of a quantity.
pub const QUANTITY_SCALE_MAX: u32 = 3;
/// Largest unit price or fixed discount.
pub const AMOUNT_MAX: i64 = 1_000_000_000;
/// Most decimal places of a unit price or discount value.
pub const AMOUNT_SCALE_MAX: u32 = 6;
/// The currency of an order created without one.
pub const DEFAULT_CURRENCY: &str = "EUR";
/// Page size of a list without `limit` (100), and the largest page a list returns (1000); a
/// larger `limit` is capped to it.
pub const PAGE_SIZE: PageSize = PageSize {
    default: 100,
    max: 1_000,
};

/// Where an order is in its life. See the module documentation for the allowed moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Confirmed,
    InProduction,
    Shipped,
    Delivered,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::Confirmed,
        Status::InProduction,
        Status::Shipped,
        Status::Delivered,
        Status::Cancelled,
    ];

    /// The wire and storage name, e.g. `in_production`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Confirmed => "confirmed",
            Status::InProduction => "in_production",
            Status::Shipped => "shipped",
            Status::Delivered => "delivered",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The statuses an order in this status may move to.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Draft => &[Confirmed, Cancelled],
            Confirmed => &[Draft, InProduction, Shipped, Cancelled],
            InProduction => &[Shipped, Cancelled],
            Shipped => &[Delivered, Cancelled],
            Delivered | Cancelled => &[],
        }
    }

    /// True when no move leaves this status.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    pub fn can_become(self, to: Status) -> bool {
        self.next().contains(&to)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much of the order has been paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    #[default]
    Pending,
    Partial,
    Paid,
    Refunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 4] = [
        PaymentStatus::Pending,
        PaymentStatus::Partial,
        PaymentStatus::Paid,
        PaymentStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Partial => "partial",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an order line is; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    /// A catalogue product (`product_id` required).
    Product,
    /// Work, optionally a catalogue service product.
    Service,
    /// Anything else (no `product_id`).
    Freetext,
}

impl ItemType {
    pub const ALL: [ItemType; 3] = [ItemType::Product, ItemType::Service, ItemType::Freetext];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::Product => "product",
            ItemType::Service => "service",
            ItemType::Freetext => "freetext",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How a discount is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiscountType {
    /// `value` percent of the subtotal (0–100).
    Percentage,
    /// `value` in the order's currency (at most the subtotal).
    Fixed,
}

impl DiscountType {
    pub fn as_str(self) -> &'static str {
        match self {
            DiscountType::Percentage => "percentage",
            DiscountType::Fixed => "fixed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [DiscountType::Percentage, DiscountType::Fixed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One line of an order, as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Item {
    #[serde(rename = "type")]
    pub kind: ItemType,
    pub product_id: Option<Uuid>,
    /// As given, or the product's name when the item was saved.
    pub product_name: Option<String>,
    pub description: Option<String>,
    /// Exact positive decimal (not money: carried as an exact decimal so `1.5` stays `1.5`).
    pub quantity: Money,
    /// Net, or gross when the order's `prices_include_vat` is true.
    pub unit_price: Money,
    /// As given, or the product's `vat_rate` when the item was saved, or 24.
    #[serde(default)]
    pub vat_rate: VatRate,
    /// Why a 0 % line is exempt (e.g. «Άρθρο 39α ΚΦΠΑ»); only on 0 % lines.
    #[serde(default)]
    pub vat_exemption: Option<String>,
    /// Computed by the server: `quantity × unit_price`, rounded to cents, in the prices'
    /// basis (net, or gross when prices include VAT).
    #[serde(default)]
    pub line_total: Money,
    /// Computed by the server: the line's net after its share of the discount.
    #[serde(default)]
    pub net_amount: Money,
    /// Computed by the server: the VAT of `net_amount`.
    #[serde(default)]
    pub vat_amount: Money,
    pub serial_numbers: Vec<String>,
}

/// One line of an order as given in a create or update. `quantity` and `unit_price` are
/// required; `line_total` and unknown fields are ignored.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewItem {
    /// Default: `product` with a `product_id`, else `freetext`.
    #[serde(rename = "type", default)]
    pub kind: Option<ItemType>,
    #[serde(default)]
    pub product_id: Option<Uuid>,
    /// Default: the product's name.
    #[serde(default)]
    #[schema(max_length = 300)] // NAME_MAX
    pub product_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20000)] // TEXT_MAX
    pub description: Option<String>,
    #[schema(schema_with = quantity_schema)]
    pub quantity: Money,
    #[schema(schema_with = unit_price_schema)]
    pub unit_price: Money,
    /// Default: the product's `vat_rate`, or 24 for a line without a product.
    #[serde(default)]
    pub vat_rate: Option<VatRate>,
    /// Required on a 0 % line, refused on any other.
    #[serde(default)]
    #[schema(max_length = 300)] // NAME_MAX
    pub vat_exemption: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(schema_with = serial_numbers_schema)]
    pub serial_numbers: Vec<String>,
}

type SchemaRef = utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>;

fn quantity_schema() -> SchemaRef {
    Money::bounded_schema(
        Bounds {
            exclusive_minimum: Some(0),
            maximum: Some(QUANTITY_MAX),
            ..Bounds::default()
        },
        false,
        "Exact positive decimal, e.g. `2` or `\"1.5\"`, with at most 3 decimal places.",
    )
}

fn unit_price_schema() -> SchemaRef {
    Money::bounded_schema(
        Bounds {
            maximum: Some(AMOUNT_MAX),
            ..Bounds::NOT_NEGATIVE
        },
        false,
        "Exact amount, at least 0, with at most 6 decimal places.",
    )
}

fn discount_value_schema() -> SchemaRef {
    Money::bounded_schema(
        Bounds {
            maximum: Some(AMOUNT_MAX),
            ..Bounds::NOT_NEGATIVE
        },
        false,
        "Percent (at most 100) or an amount (at most the subtotal), per `type`; at least 0, \
         with at most 6 decimal places.",
    )
}

fn serial_numbers_schema() -> SchemaRef {
    crm_core::schema::strings(SERIALS_MAX, NAME_MAX, false)
}

impl NewItem {
    /// A line for `quantity` of catalogue product `product_id`.
    pub fn product(product_id: Uuid, quantity: Money, unit_price: Money) -> Self {
        Self {
            kind: None,
            product_id: Some(product_id),
            product_name: None,
            description: None,
            quantity,
            unit_price,
            vat_rate: None,
            vat_exemption: None,
            serial_numbers: Vec::new(),
        }
    }

    /// A free-text line.
    pub fn freetext(name: impl Into<String>, quantity: Money, unit_price: Money) -> Self {
        Self {
            kind: None,
            product_id: None,
            product_name: Some(name.into()),
            description: None,
            quantity,
            unit_price,
            vat_rate: None,
            vat_exemption: None,
            serial_numbers: Vec::new(),
        }
    }

    /// Validates the line; `i` is its index, for error paths (`items[i].…`).
    fn validate(self, i: usize) -> Result<Item> {
        let field = |name: &str| format!("items[{i}].{name}");
        let kind = self.kind.unwrap_or(if self.product_id.is_some() {
            ItemType::Product
        } else {
            ItemType::Freetext
        });
        match (kind, self.product_id) {
            (ItemType::Product, None) => {
                return Err(Error::invalid(
                    field("product_id"),
                    "a product item needs a product_id",
                ));
            }
            (ItemType::Freetext, Some(_)) => {
                return Err(Error::invalid(
                    field("product_id"),
                    "a freetext item cannot refer to a product; use type product or service",
                ));
            }
            _ => {}
        }
        let product_name = optional_line(&field("product_name"), self.product_name, NAME_MAX)?;
        let description = optional_text(&field("description"), self.description, TEXT_MAX)?;
        if self.product_id.is_none() && product_name.is_none() && description.is_none() {
            return Err(Error::invalid(
                field("description"),
                "an item without a product needs a product_name or a description",
            ));
        }
        let quantity = self.quantity;
        if quantity <= Money::ZERO {
            return Err(Error::invalid(field("quantity"), "must be above 0"));
        }
        if quantity > Money::from(QUANTITY_MAX) {
            return Err(Error::invalid(
                field("quantity"),
                format!("must be at most {QUANTITY_MAX}"),
            ));
        }
        if quantity.as_decimal().scale() > QUANTITY_SCALE_MAX {
            return Err(Error::invalid(
                field("quantity"),
                format!("must have at most {QUANTITY_SCALE_MAX} decimal places"),
            ));
        }
        let unit_price = amount(&field("unit_price"), self.unit_price)?;
        let vat_rate = self.vat_rate.unwrap_or_default();
        let vat_exemption = optional_line(&field("vat_exemption"), self.vat_exemption, NAME_MAX)?;
        match (vat_rate.is_exempt(), &vat_exemption) {
            (true, None) => {
                return Err(Error::invalid(
                    field("vat_exemption"),
                    "a 0 % line needs the reason it is exempt from VAT",
                ));
            }
            (false, Some(_)) => {
                return Err(Error::invalid(
                    field("vat_exemption"),
                    "only a 0 % line has an exemption reason",
                ));
            }
            _ => {}
        }
        if self.serial_numbers.len() > SERIALS_MAX {
            return Err(Error::invalid(
                field("serial_numbers"),
                format!("must have at most {SERIALS_MAX} entries"),
            ));
        }
        let mut serial_numbers = Vec::with_capacity(self.serial_numbers.len());
        for (j, s) in self.serial_numbers.into_iter().enumerate() {
            if let Some(s) =
                optional_line(&field(&format!("serial_numbers[{j}]")), Some(s), NAME_MAX)?
            {
                serial_numbers.push(s);
            }
        }
        Ok(Item {
            kind,
            product_id: self.product_id,
            product_name,
            description,
            quantity,
            unit_price,
            vat_rate,
            vat_exemption,
            line_total: Money::ZERO,
            net_amount: Money::ZERO,
            vat_amount: Money::ZERO,
            serial_numbers,
        })
    }
}

/// A discount on the whole order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Discount {
    #[serde(rename = "type")]
    pub kind: DiscountType,
    /// Percent (0–100) or an amount (≥ 0, at most the subtotal), per `type`.
    #[schema(schema_with = discount_value_schema)]
    pub value: Money,
    #[serde(default)]
    #[schema(max_length = 20000)] // TEXT_MAX
    pub reason: Option<String>,
}

impl Discount {
    pub fn percentage(value: Money) -> Self {
        Self {
            kind: DiscountType::Percentage,
            value,
            reason: None,
        }
    }

    pub fn fixed(value: Money) -> Self {
        Self {
            kind: DiscountType::Fixed,
            value,
            reason: None,
        }
    }

    /// Checks what can be checked without the subtotal (see [`price`] for the rest).
    fn validate(self) -> Result<Self> {
        let value = amount("discount.value", self.value)?;
        if self.kind == DiscountType::Percentage && value > Money::from(100) {
            return Err(Error::invalid(
                "discount.value",
                "a percentage must be between 0 and 100",
            ));
        }
        Ok(Self {
            kind: self.kind,
            value,
            reason: optional_text("discount.reason", self.reason, TEXT_MAX)?,
        })
    }
}

/// How and where the order travels. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Shipping {
    #[schema(max_length = 300)] // NAME_MAX
    pub method: Option<String>,
    #[schema(max_length = 300)] // NAME_MAX
    pub tracking_number: Option<String>,
    #[schema(max_length = 300)] // NAME_MAX
    pub carrier: Option<String>,
    /// Set to the time of the change when the order becomes `shipped` without it.
    pub shipped_at: Option<Timestamp>,
    /// Set to the time of the change when the order becomes `delivered` without it.
    pub delivered_at: Option<Timestamp>,
    /// Address or place, free text.
    #[schema(max_length = 20000)] // TEXT_MAX
    pub destination: Option<String>,
}

impl Shipping {
    fn validate(self) -> Result<Self> {
        Ok(Self {
            method: optional_line("shipping.method", self.method, NAME_MAX)?,
            tracking_number: optional_line(
                "shipping.tracking_number",
                self.tracking_number,
                NAME_MAX,
            )?,
            carrier: optional_line("shipping.carrier", self.carrier, NAME_MAX)?,
            shipped_at: self.shipped_at,
            delivered_at: self.delivered_at,
            destination: optional_text("shipping.destination", self.destination, TEXT_MAX)?,
        })
    }

    /// Fills the time of a move to `shipped` or `delivered` when it is missing.
    fn stamp(&mut self, status: Status, at: Timestamp) {
        match status {
            Status::Shipped => {
                self.shipped_at.get_or_insert(at);
            }
            Status::Delivered => {
                self.delivered_at.get_or_insert(at);
            }
            _ => {}
        }
    }
}

/// One entry of an order's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusChange {
    /// `null` for the status the order was created with.
    pub from: Option<Status>,
    pub to: Status,
    pub at: Timestamp,
}

/// A status change of one of a customer's orders, as the customer's timeline shows it. The
/// first change of an order (`from: null`) is its creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrderEvent {
    /// The history row: the append order of changes, unique across orders.
    pub seq: i64,
    pub order_id: Uuid,
    pub order_number: String,
    pub from: Option<Status>,
    pub to: Status,
    pub at: Timestamp,
}

/// The net and the VAT of an order's lines at one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VatAmount {
    pub rate: VatRate,
    /// Σ `net_amount` of the lines at this rate.
    pub net: Money,
    /// Σ `vat_amount` of the lines at this rate.
    pub vat: Money,
}

/// How an order holds the stock of its products; see [`crate::stock`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockState {
    #[default]
    None,
    Reserved,
    Consumed,
}

impl StockState {
    pub fn as_str(self) -> &'static str {
        match self {
            StockState::None => "none",
            StockState::Reserved => "reserved",
            StockState::Consumed => "consumed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [StockState::None, StockState::Reserved, StockState::Consumed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// An order as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Order {
    pub id: Uuid,
    /// `ORD-<year>-<NNN>`, assigned by the server.
    pub order_number: String,
    pub customer_id: Uuid,
    pub status: Status,
    /// Every status the order took, oldest first, starting with the one it was created with.
    pub status_history: Vec<StatusChange>,
    pub items: Vec<Item>,
    /// True when the unit prices include VAT (gross), false when they are net.
    pub prices_include_vat: bool,
    /// Computed by the server: Σ `items[].line_total`, in the prices' basis.
    pub subtotal: Money,
    pub discount: Option<Discount>,
    /// Computed by the server: what the discount takes off the subtotal, in cents.
    #[serde(default)]
    pub discount_amount: Money,
    /// Computed by the server: net and VAT per rate, highest rate first.
    #[serde(default)]
    pub vat_breakdown: Vec<VatAmount>,
    /// Computed by the server: Σ `items[].net_amount`.
    #[serde(default)]
    pub net_total: Money,
    /// Computed by the server: Σ `items[].vat_amount`.
    #[serde(default)]
    pub vat_total: Money,
    /// Computed by the server: what the customer pays, `net_total + vat_total`.
    pub total_price: Money,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    pub shipping: Shipping,
    pub payment_status: PaymentStatus,
    /// How the order holds stock (see [`crate::stock`]); set by the server from the status.
    #[serde(default)]
    pub stock_state: StockState,
    /// Where the invoice is in Nextcloud, relative to the configured base.
    pub invoice_path: Option<String>,
    pub notes: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// 1 when created, +1 on every change.
    pub version: i64,
}

/// The body of a create. Only `customer_id` is required; `status` defaults to `draft`,
/// `payment_status` to `pending`, `currency` to `EUR`, `items` to none. `null` is the same as
/// absent. Unknown and server-computed fields (`id`, `order_number`, `subtotal`,
/// `total_price`, `status_history`, …) are ignored.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewOrder {
    pub customer_id: Uuid,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(max_items = 1000)] // ITEMS_MAX
    pub items: Vec<NewItem>,
    #[serde(default)]
    pub discount: Option<Discount>,
    /// Whether the unit prices include VAT; default false (net prices).
    #[serde(default)]
    pub prices_include_vat: Option<bool>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub shipping: Option<Shipping>,
    #[serde(default)]
    pub payment_status: Option<PaymentStatus>,
    #[serde(default)]
    #[schema(max_length = 1000)] // PATH_MAX
    pub invoice_path: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20000)] // TEXT_MAX
    pub notes: Option<String>,
}

impl NewOrder {
    /// An empty draft for `customer_id`; set the other fields on the value.
    pub fn new(customer_id: Uuid) -> Self {
        Self {
            customer_id,
            status: None,
            items: Vec::new(),
            discount: None,
            prices_include_vat: None,
            currency: None,
            shipping: None,
            payment_status: None,
            invoice_path: None,
            notes: None,
        }
    }

    /// Validates the input and builds the record (version 1, created and updated `now`).
    /// Its amounts are left to [`crate::pricing::price`], `order_number` and `status_history`
    /// to the store (which assigns the number and records the first status).
    pub fn into_order(self, id: Uuid, now: Timestamp) -> Result<Order> {
        let status = self.status.unwrap_or(Status::Draft);
        let items = validate_items(self.items)?;
        let discount = self.discount.map(Discount::validate).transpose()?;
        let mut shipping = self.shipping.unwrap_or_default().validate()?;
        shipping.stamp(status, now);
        Ok(Order {
            id,
            order_number: String::new(),
            customer_id: self.customer_id,
            status,
            status_history: Vec::new(),
            items,
            prices_include_vat: self.prices_include_vat.unwrap_or(false),
            subtotal: Money::ZERO,
            discount,
            discount_amount: Money::ZERO,
            vat_breakdown: Vec::new(),
            net_total: Money::ZERO,
            vat_total: Money::ZERO,
            total_price: Money::ZERO,
            currency: match self.currency {
                Some(c) => currency(&c)?,
                None => DEFAULT_CURRENCY.to_owned(),
            },
            shipping,
            payment_status: self.payment_status.unwrap_or_default(),
            stock_state: StockState::None,
            invoice_path: optional_line("invoice_path", self.invoice_path, PATH_MAX)?,
            notes: optional_text("notes", self.notes, TEXT_MAX)?,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// The body of a partial update: only the fields given change.
///
/// An absent field stays as it is. `null` clears `discount`, `shipping` (to an empty object),
/// `invoice_path` and `notes`; on every other field `null` is the same as absent. `items`,
/// when given, replaces all items. Unknown and server-computed fields are ignored, so a whole
/// record sent back (`id`, `order_number`, `subtotal`, `status_history`, …) is accepted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrderPatch {
    /// Another existing customer.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// A status the current one may move to (see the workflow).
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    #[schema(max_items = 1000)] // ITEMS_MAX
    pub items: Option<Vec<NewItem>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Discount>)]
    pub discount: Option<Option<Discount>>,
    /// Whether the unit prices include VAT.
    #[serde(default)]
    pub prices_include_vat: Option<bool>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Shipping>)]
    pub shipping: Option<Option<Shipping>>,
    #[serde(default)]
    pub payment_status: Option<PaymentStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 1000)] // PATH_MAX
    pub invoice_path: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)] // TEXT_MAX
    pub notes: Option<Option<String>>,
}

impl OrderPatch {
    /// The record `current` would become at `now`, validated, with the status move checked.
    /// Its amounts are left to [`crate::pricing::price`] and its stock state to
    /// [`crate::stock::state_after`]. Identity, `order_number`,
    /// `created_at`, `version` and `status_history` are left to the store; `updated_at` is
    /// `now`.
    pub fn apply(self, current: &Order, now: Timestamp) -> Result<Order> {
        let mut o = current.clone();
        if let Some(customer_id) = self.customer_id {
            o.customer_id = customer_id;
        }
        if let Some(items) = self.items {
            o.items = validate_items(items)?;
        }
        if let Some(discount) = self.discount {
            o.discount = discount.map(Discount::validate).transpose()?;
        }
        if let Some(gross) = self.prices_include_vat {
            o.prices_include_vat = gross;
        }
        if let Some(c) = self.currency {
            o.currency = currency(&c)?;
        }
        if let Some(shipping) = self.shipping {
            o.shipping = shipping.unwrap_or_default().validate()?;
        }
        if let Some(p) = self.payment_status {
            o.payment_status = p;
        }
        if let Some(path) = self.invoice_path {
            o.invoice_path = optional_line("invoice_path", path, PATH_MAX)?;
        }
        if let Some(notes) = self.notes {
            o.notes = optional_text("notes", notes, TEXT_MAX)?;
        }
        if let Some(to) = self.status.filter(|s| *s != current.status) {
            let from = current.status;
            if !from.can_become(to) {
                let reason = if from.is_final() {
                    format!("the order is {from}, which is final")
                } else {
                    let allowed: Vec<_> = from.next().iter().map(|s| s.as_str()).collect();
                    format!(
                        "cannot go from {from} to {to}; allowed: {}",
                        allowed.join(", ")
                    )
                };
                return Err(Error::invalid("status", reason));
            }
            o.status = to;
            o.shipping.stamp(to, now);
        }
        o.updated_at = now;
        Ok(o)
    }
}

/// Filters and paging of an order list, as the query string of `GET /orders` carries them
/// (the doc comments are the API's parameter descriptions). Results are ordered newest first:
/// by `created_at`, then by order number (numerically), both descending.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// An order number, whole or in part, or words of the customer's name. `ORD-2026-014`,
    /// `2026-14`, `014` and `14` all find ORD-2026-014 (digits alone are the sequence, a
    /// year–sequence pair that one number; leading zeros do not matter). The same text also
    /// finds the orders of the customers the customer search finds for it (Greek without regard
    /// to case, accents or inflection, Greeklish: `agios nikolaos` finds «Ιερός Ναός Αγίου
    /// Νικολάου»). At most 200 characters; blank is no search.
    // See `NumberSearch` and `crate::service::CustomerMatches`; the service fills `scope`.
    pub search: Option<String>,
    /// Only this customer's orders.
    pub customer_id: Option<Uuid>,
    /// Only orders in this status.
    pub status: Option<Status>,
    /// Only orders with this payment status.
    pub payment_status: Option<PaymentStatus>,
    /// Page size (default 100, at most 1000).
    // 0 returns no items, only the total.
    pub limit: Option<u32>,
    /// Records to skip.
    pub offset: Option<u32>,
    /// What the service resolved `search` into; never read from the query string.
    #[serde(skip)]
    pub scope: SearchScope,
}

/// Longest `search` of an order list, in characters.
pub const SEARCH_MAX: usize = 200;

/// What the service's [`crate::Orders::list`] resolved a search into, for the store: the
/// customers whose orders match, and the current year (Firestore builds the candidate numbers
/// of a bare sequence for it and the ten years before).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchScope {
    /// Customers the customer search found for the text (none without a
    /// [`crate::service::CustomerMatches`]).
    pub customers: Vec<Uuid>,
    /// The year of the service's clock; `None` leaves a bare sequence unmatched on Firestore.
    pub this_year: Option<i32>,
}

/// The order numbers a search text names, if it names any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberSearch {
    /// Digits alone (`14`, `014`, `ORD-014`): this sequence number in any year.
    Seq(i64),
    /// A year and a sequence (`2026-14`, `ORD-2026-014`): that one number.
    YearSeq(i32, i64),
}

impl NumberSearch {
    /// Reads `ORD-2026-014`, `ord-2026-014`, `2026-014`, `2026-14`, `014` or `14` (an optional
    /// `ORD`, then a four-digit year and a dash, then the sequence); `None` for other text
    /// and for a sequence of 0.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = match t.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("ORD") => t[3..].trim_start_matches(['-', ' ']),
            _ => t,
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let seq = |s: &str| -> Option<i64> {
            let n: i64 = s.trim_start_matches('0').parse().ok()?;
            (n >= 1).then_some(n)
        };
        match t.split_once('-') {
            None if digits(t) => Some(NumberSearch::Seq(seq(t)?)),
            Some((y, s)) if y.len() == 4 && digits(y) && digits(s) => {
                Some(NumberSearch::YearSeq(y.parse().ok()?, seq(s)?))
            }
            _ => None,
        }
    }

    /// The order numbers it can name, as [`order_number`] writes them: for a bare sequence, in
    /// each of `years`.
    pub fn candidates(self, years: impl IntoIterator<Item = i32>) -> Vec<String> {
        match self {
            NumberSearch::Seq(s) => years.into_iter().map(|y| order_number(y, s)).collect(),
            NumberSearch::YearSeq(y, s) => vec![order_number(y, s)],
        }
    }
}

impl ListQuery {
    /// The page size actually used: `limit` (default 100) capped at 1000.
    pub fn effective_limit(&self) -> u32 {
        PAGE_SIZE.of(self.limit)
    }

    pub fn effective_offset(&self) -> u32 {
        self.offset.unwrap_or(0)
    }
}

pub use crm_core::Page;

/// `ORD-<year>-<seq>`, the sequence zero-padded to at least three digits.
pub fn order_number(year: i32, seq: i64) -> String {
    format!("ORD-{year}-{seq:03}")
}

/// The year and sequence of an order number (`ORD-2026-1000` → `(2026, 1000)`), compared
/// as numbers; `None` for anything [`order_number`] does not write.
pub fn parse_order_number(number: &str) -> Option<(i32, i64)> {
    let (year, seq) = number.strip_prefix("ORD-")?.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(year) || !digits(seq) || year.len() != 4 || seq.len() < 3 {
        return None;
    }
    let seq: i64 = seq.parse().ok()?;
    (seq >= 1).then_some((year.parse().ok()?, seq))
}

fn validate_items(items: Vec<NewItem>) -> Result<Vec<Item>> {
    if items.len() > ITEMS_MAX {
        return Err(Error::invalid(
            "items",
            format!("an order can have at most {ITEMS_MAX} items"),
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| item.validate(i))
        .collect()
}

/// `null` (or absent, with `#[serde(default)]`) as the type's default.
fn null_as_default<'de, T, D>(d: D) -> Result<T, D::Error>
where
    T: Deserialize<'de> + Default,
    D: Deserializer<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A non-negative amount of at most [`AMOUNT_MAX`] with at most [`AMOUNT_SCALE_MAX`] decimals.
fn amount(field: &str, m: Money) -> Result<Money> {
    if m.is_negative() {
        return Err(Error::invalid(field, "must not be negative"));
    }
    if m > Money::from(AMOUNT_MAX) {
        return Err(Error::invalid(
            field,
            format!("must be at most {AMOUNT_MAX}"),
        ));
    }
    if m.as_decimal().scale() > AMOUNT_SCALE_MAX {
        return Err(Error::invalid(
            field,
            format!("must have at most {AMOUNT_SCALE_MAX} decimal places"),
        ));
    }
    Ok(m)
}

/// Three ASCII upper-case letters (ISO 4217), surrounding whitespace ignored.
fn currency(raw: &str) -> Result<String> {
    let s = raw.trim();
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s.to_owned())
    } else {
        Err(Error::invalid(
            "currency",
            "must be a three-letter upper-case ISO 4217 code such as EUR",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::parse("2026-03-01T10:00:00Z").unwrap()
    }

    fn item(q: &str, p: &str) -> NewItem {
        NewItem::freetext("thing", m(q), m(p))
    }

    fn invalid_field<T: fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn order_with(items: Vec<NewItem>, discount: Option<Discount>) -> Result<Order> {
        let mut new = NewOrder::new(Uuid::new_v4());
        new.items = items;
        new.discount = discount;
        new.into_order(Uuid::new_v4(), now())
    }

    #[test]
    fn texts_refuse_controls_and_bidi_characters_by_kind() {
        // (field, one line?)
        let fields = [
            ("items[0].product_name", true),
            ("items[0].serial_numbers[0]", true),
            ("items[0].description", false),
            ("shipping.method", true),
            ("shipping.carrier", true),
            ("shipping.tracking_number", true),
            ("shipping.destination", false),
            ("invoice_path", true),
            ("notes", false),
            ("discount.reason", false),
        ];
        let order = |field: &str, text: &str| {
            let mut it = item("1", "1");
            let mut new = NewOrder::new(Uuid::new_v4());
            let mut shipping = Shipping::default();
            let mut discount = Discount::fixed(m("0"));
            let t = Some(text.to_owned());
            match field {
                "items[0].product_name" => it.product_name = t,
                "items[0].serial_numbers[0]" => it.serial_numbers = vec![text.into()],
                "items[0].description" => it.description = t,
                "shipping.method" => shipping.method = t,
                "shipping.carrier" => shipping.carrier = t,
                "shipping.tracking_number" => shipping.tracking_number = t,
                "shipping.destination" => shipping.destination = t,
                "invoice_path" => new.invoice_path = t,
                "notes" => new.notes = t,
                "discount.reason" => discount.reason = t,
                other => panic!("{other}"),
            }
            new.items = vec![it];
            new.shipping = Some(shipping);
            new.discount = Some(discount);
            new.into_order(Uuid::new_v4(), now())
        };
        // (text, refused in one line, refused in free text)
        let inputs = [
            ("ΒΕΣΠΕΡ \u{202E}3v", true, true),
            ("a\u{2066}b", true, true),
            ("a\u{200E}b", true, false),
            ("a\r\nb", true, false),
            ("a\tb", true, false),
            ("a\u{7}b", true, true),
            ("a\u{2028}b", true, false),
            ("Καμπάνα 50 kg — «Άγιος»", false, false),
        ];
        for (text, refused_line, refused_text) in inputs {
            for (field, one_line) in fields {
                let refused = if one_line { refused_line } else { refused_text };
                match order(field, text) {
                    Err(Error::Invalid { field: f, .. }) => {
                        assert!(refused, "{field} refused {text:?}");
                        assert_eq!(f, field);
                    }
                    Ok(_) => assert!(!refused, "{field} accepted {text:?}"),
                    Err(e) => panic!("{e}"),
                }
            }
        }
    }

    /// The limits in the OpenAPI schema are the constants the validation uses.
    #[test]
    fn the_schema_states_the_limits_validation_enforces() {
        fn schema<T: utoipa::PartialSchema>() -> serde_json::Value {
            serde_json::to_value(T::schema()).unwrap()
        }
        let item = schema::<NewItem>();
        let p = &item["properties"];
        assert_eq!(p["product_name"]["maxLength"], NAME_MAX);
        assert_eq!(p["description"]["maxLength"], TEXT_MAX);
        assert_eq!(p["quantity"]["oneOf"][0]["exclusiveMinimum"], 0);
        assert_eq!(p["quantity"]["oneOf"][0]["maximum"], QUANTITY_MAX);
        assert_eq!(p["unit_price"]["oneOf"][0]["minimum"], 0);
        assert_eq!(p["unit_price"]["oneOf"][0]["maximum"], AMOUNT_MAX);
        assert_eq!(p["serial_numbers"]["maxItems"], SERIALS_MAX);
        assert_eq!(p["serial_numbers"]["items"]["maxLength"], NAME_MAX);
        assert_eq!(
            item["required"],
            serde_json::json!(["quantity", "unit_price"])
        );
        let discount = schema::<Discount>();
        assert_eq!(discount["properties"]["value"]["oneOf"][0]["minimum"], 0);
        assert_eq!(
            discount["properties"]["value"]["oneOf"][0]["maximum"],
            AMOUNT_MAX
        );
        assert_eq!(discount["properties"]["reason"]["maxLength"], TEXT_MAX);
        let shipping = schema::<Shipping>();
        for (field, max) in [
            ("method", NAME_MAX),
            ("tracking_number", NAME_MAX),
            ("carrier", NAME_MAX),
            ("destination", TEXT_MAX),
        ] {
            assert_eq!(shipping["properties"][field]["maxLength"], max, "{field}");
        }
        for s in [schema::<NewOrder>(), schema::<OrderPatch>()] {
            let p = &s["properties"];
            assert_eq!(p["items"]["maxItems"], ITEMS_MAX, "{s}");
            assert_eq!(p["invoice_path"]["maxLength"], PATH_MAX);
            assert_eq!(p["notes"]["maxLength"], TEXT_MAX);
        }
    }

    #[test]
    fn status_moves_follow_the_workflow() {
        use Status::*;
        let allowed = [
            (Draft, Confirmed),
            (Draft, Cancelled),
            (Confirmed, Draft),
            (Confirmed, InProduction),
            (Confirmed, Shipped),
            (Confirmed, Cancelled),
            (InProduction, Shipped),
            (InProduction, Cancelled),
            (Shipped, Delivered),
            (Shipped, Cancelled),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(
                    from.can_become(to),
                    allowed.contains(&(from, to)),
                    "{from} → {to}"
                );
            }
        }
        assert!(Delivered.is_final() && Cancelled.is_final());
        assert!(!Shipped.is_final());
    }

    #[test]
    fn an_illegal_move_is_invalid_on_status_and_a_legal_one_stamps_shipping() {
        let o = order_with(vec![item("1", "1")], None).unwrap();
        let to = |s: Status| OrderPatch {
            status: Some(s),
            ..OrderPatch::default()
        };
        assert_eq!(
            invalid_field(to(Status::Shipped).apply(&o, now())),
            "status"
        );
        let later = Timestamp::parse("2026-03-02T08:00:00Z").unwrap();
        let confirmed = to(Status::Confirmed).apply(&o, later).unwrap();
        assert_eq!(confirmed.status, Status::Confirmed);
        assert_eq!(confirmed.shipping.shipped_at, None);
        let shipped = to(Status::Shipped).apply(&confirmed, later).unwrap();
        assert_eq!(shipped.shipping.shipped_at, Some(later));
        let delivered = to(Status::Delivered).apply(&shipped, now()).unwrap();
        assert_eq!(delivered.shipping.shipped_at, Some(later));
        assert_eq!(delivered.shipping.delivered_at, Some(now()));
        let e = to(Status::Cancelled).apply(&delivered, now()).unwrap_err();
        assert!(e.to_string().contains("final"), "{e}");
        // the same status again is no move at all
        assert_eq!(to(Status::Delivered).apply(&delivered, now()).unwrap(), {
            let mut d = delivered.clone();
            d.updated_at = now();
            d
        });
    }

    #[test]
    fn items_are_validated_field_by_field() {
        let pid = Uuid::new_v4();
        let ok = || item("1", "1");
        let cases: Vec<(NewItem, &str)> = vec![
            (item("0", "1"), "items[1].quantity"),
            (item("-1", "1"), "items[1].quantity"),
            (item("0.0001", "1"), "items[1].quantity"),
            (item("1000001", "1"), "items[1].quantity"),
            (item("1", "-0.01"), "items[1].unit_price"),
            (item("1", "0.0000001"), "items[1].unit_price"),
            (
                NewItem {
                    kind: Some(ItemType::Product),
                    ..item("1", "1")
                },
                "items[1].product_id",
            ),
            (
                NewItem {
                    kind: Some(ItemType::Freetext),
                    ..NewItem::product(pid, m("1"), m("1"))
                },
                "items[1].product_id",
            ),
            (
                NewItem {
                    product_name: Some("  ".into()),
                    ..item("1", "1")
                },
                "items[1].description",
            ),
            (
                NewItem {
                    product_name: Some("x".repeat(NAME_MAX + 1)),
                    ..item("1", "1")
                },
                "items[1].product_name",
            ),
            (
                NewItem {
                    serial_numbers: vec!["ok".into(), "a\u{7}b".into()],
                    ..item("1", "1")
                },
                "items[1].serial_numbers[1]",
            ),
        ];
        for (bad, field) in cases {
            assert_eq!(invalid_field(order_with(vec![ok(), bad], None)), field);
        }
    }

    #[test]
    fn item_types_default_from_the_product_id_and_text_is_trimmed() {
        let pid = Uuid::new_v4();
        let mut service = NewItem::product(pid, m("1.5"), m("40"));
        service.kind = Some(ItemType::Service);
        let mut freetext = item("1", "2");
        freetext.product_name = Some("  Καμπάνα  ".into());
        freetext.serial_numbers = vec![" SN-1 ".into(), "   ".into()];
        let o = order_with(
            vec![NewItem::product(pid, m("1"), m("1")), service, freetext],
            None,
        )
        .unwrap();
        let kinds: Vec<_> = o.items.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [ItemType::Product, ItemType::Service, ItemType::Freetext]
        );
        assert_eq!(o.items[2].product_name.as_deref(), Some("Καμπάνα"));
        assert_eq!(o.items[2].serial_numbers, ["SN-1"]);
    }

    #[test]
    fn order_numbers_parse_back_as_numbers() {
        assert_eq!(parse_order_number("ORD-2026-001"), Some((2026, 1)));
        assert_eq!(parse_order_number("ORD-2026-1000"), Some((2026, 1000)));
        for bad in [
            "ORD-2026-01",
            "ORD-2026-000",
            "ORD-26-001",
            "ORD-2026-",
            "X-2026-001",
            "ORD-2026-1a1",
        ] {
            assert_eq!(parse_order_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn order_numbers_are_padded_to_three_digits() {
        assert_eq!(order_number(2026, 1), "ORD-2026-001");
        assert_eq!(order_number(2026, 42), "ORD-2026-042");
        assert_eq!(order_number(2026, 999), "ORD-2026-999");
        assert_eq!(order_number(2026, 1000), "ORD-2026-1000");
    }

    #[test]
    fn currency_must_be_an_iso_code() {
        for bad in ["eur", "EURO", "", "E1R"] {
            let mut new = NewOrder::new(Uuid::new_v4());
            new.currency = Some(bad.into());
            assert_eq!(
                invalid_field(new.into_order(Uuid::new_v4(), now())),
                "currency"
            );
        }
    }

    #[test]
    fn list_paging_has_defaults_and_a_cap() {
        let q = ListQuery::default();
        assert_eq!((q.effective_limit(), q.effective_offset()), (100, 0));
        let q = ListQuery {
            limit: Some(5000),
            offset: Some(7),
            ..ListQuery::default()
        };
        assert_eq!((q.effective_limit(), q.effective_offset()), (1000, 7));
    }

    #[test]
    fn a_search_text_names_order_numbers() {
        use NumberSearch::{Seq, YearSeq};
        let table = [
            ("ORD-2026-014", Some(YearSeq(2026, 14))),
            ("ord-2026-014", Some(YearSeq(2026, 14))),
            (" 2026-014 ", Some(YearSeq(2026, 14))),
            ("2026-14", Some(YearSeq(2026, 14))),
            ("2026-1000", Some(YearSeq(2026, 1000))),
            ("014", Some(Seq(14))),
            ("14", Some(Seq(14))),
            ("ORD-14", Some(Seq(14))),
            ("ord 014", Some(Seq(14))),
            ("0", None),
            ("2026-0", None),
            ("26-14", None),
            ("2026-", None),
            ("-14", None),
            ("14a", None),
            ("agios nikolaos", None),
            ("Ορδή", None),
            ("99999999999999999999999", None),
            ("", None),
        ];
        for (text, expected) in table {
            assert_eq!(NumberSearch::parse(text), expected, "{text:?}");
        }
        assert_eq!(
            Seq(14).candidates([2025, 2026]),
            ["ORD-2025-014", "ORD-2026-014"]
        );
        assert_eq!(YearSeq(2026, 7).candidates([2025]), ["ORD-2026-007"]);
    }
}
