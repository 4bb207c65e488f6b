//! Product records, the inputs that create and change them, and their validation.
//!
//! Validation happens here, once: [`NewProduct::into_product`] and [`ProductPatch::apply`] trim
//! strings, check every field and report the first bad one as [`Error::Invalid`] naming its
//! JSON path (`name`, `costs.pcb`, `stock.reserved`, …). The server-computed fields
//! (`costs.total`, `stock.available`) are never read from input: the input structs do not have
//! them, so a client that sends them is ignored like any other unknown field.

use std::fmt;

use crm_core::money::Bounds;
use crm_core::patch::double_option;
use crm_core::validate::{
    check_length, line_char_allowed, optional_line, optional_text, required_line, single_line,
};
use crm_core::{Money, PageSize, Timestamp, VatRate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Longest product name, in characters.
pub const NAME_MAX: usize = 300;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 20_000;
/// Longest SKU, in characters.
pub const SKU_MAX: usize = 64;
/// Longest `nextcloud_folder`, in characters.
pub const FOLDER_MAX: usize = 1_000;
/// Longest `linked_device_type`, in characters.
pub const DEVICE_TYPE_MAX: usize = 100;
/// The currency of a product created without one.
pub const DEFAULT_CURRENCY: &str = "EUR";
/// Page size of a list without `limit` (100), and the largest page a list returns (1000); a
/// larger `limit` is capped to it.
pub const PAGE_SIZE: PageSize = PageSize {
    default: 100,
    max: 1_000,
};

/// What kind of thing a product is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Controller,
    Striker,
    Clock,
    Part,
    RepairService,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Controller,
        Category::Striker,
        Category::Clock,
        Category::Part,
        Category::RepairService,
    ];

    /// The wire and storage name, e.g. `repair_service`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Controller => "controller",
            Category::Striker => "striker",
            Category::Clock => "clock",
            Category::Part => "part",
            Category::RepairService => "repair_service",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stock-keeping unit, validated once when parsed.
///
/// Rules (decided here, relied on everywhere):
/// - surrounding whitespace is trimmed;
/// - 1 to 64 characters;
/// - no whitespace inside, and none of the characters one-line text refuses (controls,
///   bidirectional and invisible format characters, [`line_char_allowed`]): a SKU is one
///   token (`VESPER-2`, `STR/120`); any script is allowed;
/// - the spelling is kept as entered, but uniqueness ignores case: `vesper-2` and `VESPER-2`
///   are the same SKU (see [`Sku::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "VESPER-2")]
pub struct Sku(String);

/// Why a text is not a valid SKU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkuError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {SKU_MAX} characters")]
    TooLong,
    #[error("must not contain whitespace, control or format characters")]
    BadCharacter,
}

impl Sku {
    /// Normalises (trims) and validates a SKU; see the type's documentation for the rules.
    pub fn parse(raw: &str) -> Result<Self, SkuError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(SkuError::Empty);
        }
        if s.chars().count() > SKU_MAX {
            return Err(SkuError::TooLong);
        }
        if s.chars()
            .any(|c| c.is_whitespace() || !line_char_allowed(c))
        {
            return Err(SkuError::BadCharacter);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two SKUs are compared in for uniqueness: lower case.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl TryFrom<String> for Sku {
    type Error = SkuError;
    fn try_from(s: String) -> Result<Self, SkuError> {
        Self::parse(&s)
    }
}

impl From<Sku> for String {
    fn from(s: Sku) -> String {
        s.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one unit costs to make. All amounts are exact decimals in the product's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Costs {
    pub pcb: Money,
    pub components: Money,
    pub enclosure: Money,
    /// Hours of work per unit. A decimal quantity, not an amount of money: it is carried as
    /// an exact decimal (`Money`) only so that `2.5` stays exactly `2.5`.
    pub labor_hours: Money,
    /// Cost of one hour of work.
    pub labor_rate: Money,
    pub shipping_in: Money,
    /// Computed by the server: `pcb + components + enclosure + labor_hours × labor_rate +
    /// shipping_in`, rounded to cents (halves away from zero). Never read from a client.
    pub total: Money,
}

impl Costs {
    /// The same costs with `total` computed from the parts, exactly. A total an exact decimal
    /// cannot hold (too large, or too many digits) is [`Error::Invalid`] on the part whose
    /// addition failed (`costs.labor_rate` for `labor_hours × labor_rate`), never a saturated
    /// or rounded number.
    pub fn recomputed(self) -> Result<Self> {
        let too_large = |field: &str| {
            Error::invalid(
                field,
                "makes costs.total impossible to compute exactly: an exact decimal holds 28 \
                 digits, up to about 7.9 × 10^28",
            )
        };
        let labor = self
            .labor_rate
            .checked_mul(self.labor_hours.as_decimal())
            .ok_or_else(|| too_large("costs.labor_rate"))?;
        let parts = [
            ("costs.pcb", self.pcb),
            ("costs.components", self.components),
            ("costs.enclosure", self.enclosure),
            ("costs.labor_rate", labor),
            ("costs.shipping_in", self.shipping_in),
        ];
        let mut total = Money::ZERO;
        for (field, part) in parts {
            total = total.checked_add(part).ok_or_else(|| too_large(field))?;
        }
        Ok(Self {
            total: total.round_cents(),
            ..self
        })
    }
}

/// Units in stock. `available` is computed by the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Stock {
    /// Units physically in stock, at least 0.
    pub on_hand: i64,
    /// Units promised to orders, between 0 and `on_hand`.
    pub reserved: i64,
    /// Computed by the server: `on_hand − reserved`. Never read from a client.
    pub available: i64,
}

impl Stock {
    /// Validated stock: both counts non-negative and `reserved ≤ on_hand` (a larger
    /// reservation is rejected on `stock.reserved`, not capped).
    pub fn new(on_hand: i64, reserved: i64) -> Result<Self> {
        if on_hand < 0 {
            return Err(Error::invalid("stock.on_hand", "must not be negative"));
        }
        if reserved < 0 {
            return Err(Error::invalid("stock.reserved", "must not be negative"));
        }
        if reserved > on_hand {
            return Err(Error::invalid(
                "stock.reserved",
                format!("must not exceed stock.on_hand ({on_hand})"),
            ));
        }
        Ok(Self {
            on_hand,
            reserved,
            available: on_hand - reserved,
        })
    }
}

impl Stock {
    /// The counts after `quantity` units leave the shelf outside an order (the parts a
    /// technician used): refused, with the counts in words, when fewer units are free
    /// (`on_hand − reserved`) — or, with `use_reserved`, which lets units promised to orders go
    /// (the reservation shrinking with the stock on hand), when fewer are on hand at all.
    pub fn take(self, quantity: i64, use_reserved: bool) -> std::result::Result<Stock, String> {
        let (on_hand, reserved) = (self.on_hand, self.reserved);
        let free = on_hand - reserved;
        if quantity > on_hand {
            return Err(format!("{on_hand} on hand, {quantity} used"));
        }
        if quantity > free && !use_reserved {
            return Err(format!(
                "{free} free ({on_hand} on hand, {reserved} reserved), {quantity} used"
            ));
        }
        let left = on_hand - quantity;
        let reserved = reserved.min(left);
        Ok(Stock {
            on_hand: left,
            reserved,
            available: left - reserved,
        })
    }

    /// The counts after `quantity` units taken by [`Stock::take`] come back (the reservation
    /// a take shrank stays as it is).
    pub fn put_back(self, quantity: i64) -> Stock {
        let on_hand = self.on_hand.saturating_add(quantity);
        Stock {
            on_hand,
            reserved: self.reserved,
            available: on_hand - self.reserved,
        }
    }
}

/// Units of one product taken out of stock outside an order: a part used on a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PartUse {
    pub product_id: Uuid,
    /// Whole units, at least 1.
    pub quantity: i64,
}

/// The units of each product in `parts` (a product named twice counts once, with the sum),
/// in product id order — the order writers lock products in — each with the index of its
/// first mention for errors (`parts[i]`). A quantity below 1 is refused on
/// `parts[i].quantity`.
pub fn part_totals(parts: &[PartUse]) -> Result<Vec<(Uuid, i64, usize)>> {
    let mut totals: std::collections::BTreeMap<Uuid, (i64, usize)> = Default::default();
    for (i, part) in parts.iter().enumerate() {
        if part.quantity < 1 {
            return Err(Error::invalid(
                format!("parts[{i}].quantity"),
                "must be at least 1",
            ));
        }
        let total = totals.entry(part.product_id).or_insert((0, i));
        total.0 = total.0.saturating_add(part.quantity);
    }
    Ok(totals.into_iter().map(|(id, (q, i))| (id, q, i)).collect())
}

/// The conflict of taking more of product `name` (`id`) than `reason` allows.
pub fn shortage(name: &str, id: Uuid, reason: &str) -> Error {
    Error::Conflict {
        message: format!("not enough of product {name} ({id}) in stock: {reason}"),
    }
}

/// Months of warranty of a product created without them (the EU's legal guarantee).
pub const DEFAULT_WARRANTY_MONTHS: u32 = 24;
/// Most months of warranty (20 years).
pub const WARRANTY_MAX: u32 = 240;

fn default_warranty() -> u32 {
    DEFAULT_WARRANTY_MONTHS
}

/// Months of warranty of at most [`WARRANTY_MAX`].
fn warranty(months: u32) -> Result<u32> {
    if months > WARRANTY_MAX {
        return Err(Error::invalid(
            "warranty_months",
            format!("must be at most {WARRANTY_MAX}"),
        ));
    }
    Ok(months)
}

/// A product as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Product {
    pub id: Uuid,
    pub name: String,
    pub sku: Sku,
    pub category: Category,
    pub description: Option<String>,
    /// The net list price.
    pub price: Money,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    /// The VAT rate an order line of this product gets unless it names its own.
    #[serde(default)]
    pub vat_rate: VatRate,
    /// Months of warranty from delivery (0: none).
    #[serde(default = "default_warranty")]
    #[schema(maximum = 240)] // WARRANTY_MAX
    pub warranty_months: u32,
    pub costs: Costs,
    pub stock: Stock,
    /// Folder in Nextcloud relative to the configured base, e.g. `02_Products/VESPER`.
    pub nextcloud_folder: Option<String>,
    pub linked_device_type: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// 1 when created, +1 on every change.
    pub version: i64,
}

/// Stock given when creating a product; absent (or `null`) counts are 0.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StockInput {
    #[serde(default)]
    #[schema(minimum = 0)]
    pub on_hand: Option<i64>,
    /// At most `on_hand`.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub reserved: Option<i64>,
}

/// The body of a create. `name`, `sku` and `category` are required; everything else has a
/// default (`price` 0, `currency` EUR, `vat_rate` 24, `warranty_months` 24, costs and stock 0,
/// `active` true, the rest null).
/// `null` is the same as absent. Unknown fields (and `id`, `costs.total`, …) are ignored.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewProduct {
    #[schema(min_length = 1, max_length = 300)] // NAME_MAX
    pub name: String,
    #[schema(min_length = 1, max_length = 64)] // SKU_MAX
    pub sku: String,
    pub category: Category,
    #[serde(default)]
    #[schema(max_length = 20000)] // DESCRIPTION_MAX
    pub description: Option<String>,
    #[serde(default)]
    #[schema(schema_with = amount_schema)]
    pub price: Option<Money>,
    #[serde(default)]
    pub currency: Option<String>,
    /// Default 24.
    #[serde(default)]
    pub vat_rate: Option<VatRate>,
    /// Default 24 months.
    #[serde(default)]
    #[schema(maximum = 240)] // WARRANTY_MAX
    pub warranty_months: Option<u32>,
    #[serde(default)]
    pub costs: Option<CostsPatch>,
    #[serde(default)]
    pub stock: Option<StockInput>,
    #[serde(default)]
    #[schema(max_length = 1000)] // FOLDER_MAX
    pub nextcloud_folder: Option<String>,
    #[serde(default)]
    #[schema(max_length = 100)] // DEVICE_TYPE_MAX
    pub linked_device_type: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl NewProduct {
    /// A create with only the required fields; set the others on the value.
    pub fn new(name: impl Into<String>, sku: impl Into<String>, category: Category) -> Self {
        Self {
            name: name.into(),
            sku: sku.into(),
            category,
            description: None,
            price: None,
            currency: None,
            vat_rate: None,
            warranty_months: None,
            costs: None,
            stock: None,
            nextcloud_folder: None,
            linked_device_type: None,
            active: None,
        }
    }

    /// Validates the input and builds the record (version 1, created and updated `now`).
    pub fn into_product(self, id: Uuid, now: Timestamp) -> Result<Product> {
        let costs = self.costs.unwrap_or_default();
        let stock = self.stock.unwrap_or_default();
        Ok(Product {
            id,
            name: required_line("name", &self.name, NAME_MAX)?,
            sku: parse_sku(&self.sku)?,
            category: self.category,
            description: optional_text("description", self.description, DESCRIPTION_MAX)?,
            price: amount("price", self.price.unwrap_or_default())?,
            currency: match self.currency {
                Some(c) => currency(&c)?,
                None => DEFAULT_CURRENCY.to_owned(),
            },
            vat_rate: self.vat_rate.unwrap_or_default(),
            warranty_months: warranty(self.warranty_months.unwrap_or(DEFAULT_WARRANTY_MONTHS))?,
            costs: Costs {
                pcb: amount("costs.pcb", costs.pcb.unwrap_or_default())?,
                components: amount("costs.components", costs.components.unwrap_or_default())?,
                enclosure: amount("costs.enclosure", costs.enclosure.unwrap_or_default())?,
                labor_hours: amount("costs.labor_hours", costs.labor_hours.unwrap_or_default())?,
                labor_rate: amount("costs.labor_rate", costs.labor_rate.unwrap_or_default())?,
                shipping_in: amount("costs.shipping_in", costs.shipping_in.unwrap_or_default())?,
                total: Money::ZERO,
            }
            .recomputed()?,
            stock: Stock::new(
                stock.on_hand.unwrap_or_default(),
                stock.reserved.unwrap_or_default(),
            )?,
            nextcloud_folder: nextcloud_folder(self.nextcloud_folder)?,
            linked_device_type: optional_line(
                "linked_device_type",
                self.linked_device_type,
                DEVICE_TYPE_MAX,
            )?,
            active: self.active.unwrap_or(true),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// Cost parts as a client sends them: in a create each absent (or `null`) part is 0, in a
/// change it stays as it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CostsPatch {
    #[serde(default)]
    #[schema(schema_with = amount_schema)]
    pub pcb: Option<Money>,
    #[serde(default)]
    #[schema(schema_with = amount_schema)]
    pub components: Option<Money>,
    #[serde(default)]
    #[schema(schema_with = amount_schema)]
    pub enclosure: Option<Money>,
    #[serde(default)]
    #[schema(schema_with = hours_schema)]
    pub labor_hours: Option<Money>,
    #[serde(default)]
    #[schema(schema_with = amount_schema)]
    pub labor_rate: Option<Money>,
    #[serde(default)]
    #[schema(schema_with = amount_schema)]
    pub shipping_in: Option<Money>,
}

/// The schema of an amount a client sends: at least 0.
fn amount_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    Money::bounded_schema(
        Bounds::NOT_NEGATIVE,
        true,
        "Exact decimal amount, at least 0, sent as a number or a decimal string.",
    )
}

/// The schema of `costs.labor_hours`.
fn hours_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    Money::bounded_schema(
        Bounds::NOT_NEGATIVE,
        true,
        "Hours of work per unit: an exact decimal, at least 0.",
    )
}

/// Stock counts to change; absent (or `null`) counts stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StockPatch {
    #[serde(default)]
    #[schema(minimum = 0)]
    pub on_hand: Option<i64>,
    /// At most `on_hand`.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub reserved: Option<i64>,
}

/// The body of a partial update: only the fields given change.
///
/// An absent field stays as it is. `null` clears the nullable fields (`description`,
/// `nextcloud_folder`, `linked_device_type`); on every other field `null` is the same as
/// absent. Unknown and server-computed fields are ignored, so a whole record sent back
/// (`id`, `created_at`, `costs.total`, `stock.available`, …) is accepted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProductPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 300)] // NAME_MAX
    pub name: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64)] // SKU_MAX
    pub sku: Option<String>,
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)] // DESCRIPTION_MAX
    pub description: Option<Option<String>>,
    #[serde(default)]
    #[schema(schema_with = amount_schema)]
    pub price: Option<Money>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub vat_rate: Option<VatRate>,
    #[serde(default)]
    #[schema(maximum = 240)] // WARRANTY_MAX
    pub warranty_months: Option<u32>,
    #[serde(default)]
    pub costs: Option<CostsPatch>,
    #[serde(default)]
    pub stock: Option<StockPatch>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 1000)] // FOLDER_MAX
    pub nextcloud_folder: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)] // DEVICE_TYPE_MAX
    pub linked_device_type: Option<Option<String>>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl ProductPatch {
    /// The record `current` would become, validated, with computed fields recomputed.
    /// Identity, timestamps and version are left to the caller.
    pub fn apply(self, current: &Product) -> Result<Product> {
        let mut p = current.clone();
        if let Some(name) = self.name {
            p.name = required_line("name", &name, NAME_MAX)?;
        }
        if let Some(sku) = self.sku {
            p.sku = parse_sku(&sku)?;
        }
        if let Some(category) = self.category {
            p.category = category;
        }
        if let Some(description) = self.description {
            p.description = optional_text("description", description, DESCRIPTION_MAX)?;
        }
        if let Some(price) = self.price {
            p.price = amount("price", price)?;
        }
        if let Some(c) = self.currency {
            p.currency = currency(&c)?;
        }
        if let Some(c) = self.costs {
            let set = |field: &str, new: Option<Money>, old: Money| match new {
                Some(m) => amount(field, m),
                None => Ok(old),
            };
            let old = p.costs;
            p.costs = Costs {
                pcb: set("costs.pcb", c.pcb, old.pcb)?,
                components: set("costs.components", c.components, old.components)?,
                enclosure: set("costs.enclosure", c.enclosure, old.enclosure)?,
                labor_hours: set("costs.labor_hours", c.labor_hours, old.labor_hours)?,
                labor_rate: set("costs.labor_rate", c.labor_rate, old.labor_rate)?,
                shipping_in: set("costs.shipping_in", c.shipping_in, old.shipping_in)?,
                total: old.total,
            };
        }
        if let Some(s) = self.stock {
            p.stock = Stock::new(
                s.on_hand.unwrap_or(p.stock.on_hand),
                s.reserved.unwrap_or(p.stock.reserved),
            )?;
        }
        if let Some(folder) = self.nextcloud_folder {
            p.nextcloud_folder = nextcloud_folder(folder)?;
        }
        if let Some(t) = self.linked_device_type {
            p.linked_device_type = optional_line("linked_device_type", t, DEVICE_TYPE_MAX)?;
        }
        if let Some(rate) = self.vat_rate {
            p.vat_rate = rate;
        }
        if let Some(months) = self.warranty_months {
            p.warranty_months = warranty(months)?;
        }
        if let Some(active) = self.active {
            p.active = active;
        }
        p.costs = p.costs.recomputed()?;
        Ok(p)
    }
}

/// Filters and paging of a product list, as the query string of `GET /products` carries them
/// (the doc comments are the API's parameter descriptions). Results are ordered by name
/// (ignoring case and accents), then id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this category.
    pub category: Option<Category>,
    /// Only active (`true`) or inactive (`false`) products.
    pub active: Option<bool>,
    /// Case-insensitive match on name or SKU.
    // A substring of the name or the SKU; in names accents and the Greek final sigma are
    // ignored too (`ρολοι` finds `Ρολόι`). `%` and `_` match themselves.
    pub search: Option<String>,
    /// Page size (default 100, at most 1000).
    // 0 returns no items, only the total.
    pub limit: Option<u32>,
    /// Records to skip.
    pub offset: Option<u32>,
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

/// Folds text for searching and ordering (case, accents, final sigma).
pub use crm_core::text::fold as search_fold;

fn parse_sku(raw: &str) -> Result<Sku> {
    Sku::parse(raw).map_err(|e| Error::invalid("sku", e.to_string()))
}

fn amount(field: &str, m: Money) -> Result<Money> {
    if m.is_negative() {
        return Err(Error::invalid(field, "must not be negative"));
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

/// A folder relative to the Nextcloud base: trimmed, surrounding `/` dropped, empty means
/// absent; `.` and `..` segments and backslashes are rejected so the path cannot leave the
/// base folder, and the characters one-line text refuses are refused.
fn nextcloud_folder(raw: Option<String>) -> Result<Option<String>> {
    const FIELD: &str = "nextcloud_folder";
    let Some(s) = raw
        .as_deref()
        .map(|s| s.trim().trim_matches('/'))
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    check_length(FIELD, s, FOLDER_MAX)?;
    single_line(FIELD, s)?;
    if s.contains('\\') {
        return Err(Error::invalid(FIELD, "must not contain backslashes"));
    }
    if s.split('/')
        .any(|seg| seg == "." || seg == ".." || seg.is_empty())
    {
        return Err(Error::invalid(
            FIELD,
            "must be a relative path without empty, `.` or `..` segments",
        ));
    }
    Ok(Some(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse("2026-03-01T10:00:00Z").unwrap()
    }

    fn money(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn new_from(json: serde_json::Value) -> Result<Product> {
        serde_json::from_value::<NewProduct>(json)
            .unwrap()
            .into_product(Uuid::new_v4(), now())
    }

    fn field_of(r: Result<Product>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn costs_total_is_computed_exactly_and_rounded_to_cents() {
        let check = |parts: [&str; 6], expected: &str| {
            let c = Costs {
                pcb: money(parts[0]),
                components: money(parts[1]),
                enclosure: money(parts[2]),
                labor_hours: money(parts[3]),
                labor_rate: money(parts[4]),
                shipping_in: money(parts[5]),
                total: money("999"),
            }
            .recomputed()
            .unwrap();
            assert_eq!(c.total.to_string(), expected, "{parts:?}");
        };
        check(["12.30", "7.15", "3", "2.5", "20", "1.05"], "73.5");
        check(["0.1", "0.2", "0", "0", "0", "0"], "0.3");
        check(["0", "0", "0", "0.333", "10", "0"], "3.33");
        check(["0", "0", "0", "0.125", "1", "0"], "0.13");
        check(["0", "0", "0", "0", "0", "0"], "0");
    }

    #[test]
    fn a_costs_total_beyond_a_decimal_is_refused_on_the_part_that_overflows() {
        let max = "79228162514264337593543950335"; // the largest decimal
        let base = || serde_json::json!({"name": "N", "sku": "S", "category": "part"});
        let with_costs = |costs: serde_json::Value| {
            let mut v = base();
            v["costs"] = costs;
            v
        };
        let cases = [
            (
                serde_json::json!({"pcb": max, "components": 1}),
                "costs.components",
            ),
            (
                serde_json::json!({"pcb": max, "shipping_in": "0.5"}),
                "costs.shipping_in",
            ),
            // a cent a decimal would round away
            (
                serde_json::json!({"pcb": max, "enclosure": "0.01"}),
                "costs.enclosure",
            ),
            (
                serde_json::json!({"labor_hours": "1e-14", "labor_rate": "1e-15"}),
                "costs.labor_rate",
            ),
            (
                serde_json::json!({"labor_hours": "1e15", "labor_rate": "1e15"}),
                "costs.labor_rate",
            ),
            (
                serde_json::json!({"enclosure": max, "labor_hours": 1, "labor_rate": 1}),
                "costs.labor_rate",
            ),
        ];
        for (costs, field) in cases {
            assert_eq!(
                field_of(new_from(with_costs(costs.clone()))),
                field,
                "{costs}"
            );
        }
        // the largest amount alone is a total, exactly
        let p = new_from(with_costs(serde_json::json!({ "pcb": max }))).unwrap();
        assert_eq!(p.costs.total.to_string(), max);
        // a change that makes the total overflow is refused too
        let patch: ProductPatch =
            serde_json::from_value(serde_json::json!({"costs": {"components": max}})).unwrap();
        assert_eq!(field_of(patch.apply(&p)), "costs.components");
    }

    #[test]
    fn one_line_fields_refuse_controls_and_bidi_characters() {
        let base = || serde_json::json!({"name": "N", "sku": "S", "category": "part"});
        for field in ["name", "sku", "linked_device_type", "nextcloud_folder"] {
            for bad in [
                "a\u{202E}b",
                "a\u{2066}b",
                "a\u{200F}b",
                "a\nb",
                "a\u{85}b",
                "a\u{FEFF}b",
            ] {
                let mut v = base();
                v[field] = bad.into();
                assert_eq!(field_of(new_from(v)), field, "{field} {bad:?}");
            }
            let mut v = base();
            v[field] = "Ρολόι_👩‍🔧".into();
            assert!(new_from(v).is_ok(), "{field}");
        }
        // a description is multi-line: line breaks and tabs yes, overrides no
        let mut v = base();
        v["description"] = "Γραμμή 1\n\tΓραμμή 2 \u{200F}".into();
        assert!(new_from(v.clone()).is_ok());
        v["description"] = "a\u{202E}b".into();
        assert_eq!(field_of(new_from(v)), "description");
    }

    /// The limits in the OpenAPI schema are the constants the validation uses.
    #[test]
    fn the_schema_states_the_limits_validation_enforces() {
        fn schema<T: utoipa::PartialSchema>() -> serde_json::Value {
            serde_json::to_value(T::schema()).unwrap()
        }
        let (new, patch) = (schema::<NewProduct>(), schema::<ProductPatch>());
        let lengths = [
            ("name", NAME_MAX),
            ("sku", SKU_MAX),
            ("description", DESCRIPTION_MAX),
            ("nextcloud_folder", FOLDER_MAX),
            ("linked_device_type", DEVICE_TYPE_MAX),
        ];
        for (field, max) in lengths {
            for s in [&new, &patch] {
                assert_eq!(s["properties"][field]["maxLength"], max, "{field}: {s}");
            }
        }
        for s in [&new, &patch] {
            assert_eq!(s["properties"]["name"]["minLength"], 1);
            assert_eq!(s["properties"]["sku"]["minLength"], 1);
            assert_eq!(s["properties"]["price"]["oneOf"][0]["minimum"], 0);
        }
        let costs = schema::<CostsPatch>();
        for part in [
            "pcb",
            "components",
            "enclosure",
            "labor_hours",
            "labor_rate",
            "shipping_in",
        ] {
            assert_eq!(
                costs["properties"][part]["oneOf"][0]["minimum"], 0,
                "{part}"
            );
        }
        for s in [schema::<StockInput>(), schema::<StockPatch>()] {
            assert_eq!(s["properties"]["on_hand"]["minimum"], 0);
            assert_eq!(s["properties"]["reserved"]["minimum"], 0);
        }
    }

    #[test]
    fn server_computed_fields_from_the_client_are_ignored() {
        let p = new_from(serde_json::json!({
            "name": "VESPER", "sku": "V-1", "category": "controller",
            "costs": {"pcb": 1, "total": 1000},
            "stock": {"on_hand": 5, "reserved": 2, "available": 99},
            "id": "00000000-0000-0000-0000-000000000000", "version": 42
        }))
        .unwrap();
        assert_eq!(p.costs.total, money("1"));
        assert_eq!(p.stock.available, 3);
        assert_eq!(p.version, 1);
        assert_ne!(p.id, Uuid::nil());
    }

    #[test]
    fn defaults_on_create() {
        let p = NewProduct::new("  Striker  ", " S-1 ", Category::Striker)
            .into_product(Uuid::new_v4(), now())
            .unwrap();
        assert_eq!(p.name, "Striker");
        assert_eq!(p.sku.as_str(), "S-1");
        assert_eq!(p.price, Money::ZERO);
        assert_eq!(p.currency, "EUR");
        assert!(p.active);
        assert_eq!(p.stock, Stock::default());
        assert_eq!(p.description, None);
    }

    #[test]
    fn validation_names_the_field() {
        let base = || serde_json::json!({"name": "N", "sku": "S", "category": "part"});
        let with = |key: &str, value: serde_json::Value| {
            let mut v = base();
            v[key] = value;
            v
        };
        let cases = [
            (with("name", "   ".into()), "name"),
            (with("name", "x".repeat(301).into()), "name"),
            (with("name", "a\nb".into()), "name"),
            (with("sku", "".into()), "sku"),
            (with("sku", "A B".into()), "sku"),
            (with("sku", "X".repeat(65).into()), "sku"),
            (with("price", "-0.01".into()), "price"),
            (with("currency", "eur1".into()), "currency"),
            (with("currency", "eur".into()), "currency"),
            (with("costs", serde_json::json!({"pcb": "-1"})), "costs.pcb"),
            (
                with("costs", serde_json::json!({"labor_hours": -2})),
                "costs.labor_hours",
            ),
            (
                with("stock", serde_json::json!({"on_hand": -1})),
                "stock.on_hand",
            ),
            (
                with("stock", serde_json::json!({"on_hand": 2, "reserved": 3})),
                "stock.reserved",
            ),
            (
                with("stock", serde_json::json!({"reserved": -1})),
                "stock.reserved",
            ),
            (
                with("nextcloud_folder", "02_Products/../../etc".into()),
                "nextcloud_folder",
            ),
            (
                with("description", "x".repeat(20_001).into()),
                "description",
            ),
            (
                with("linked_device_type", "a\u{7}".into()),
                "linked_device_type",
            ),
        ];
        for (input, field) in cases {
            assert_eq!(field_of(new_from(input.clone())), field, "{input}");
        }
        assert!(new_from(base()).is_ok());
    }

    #[test]
    fn sku_rules() {
        assert_eq!(Sku::parse("  VESPER-2 ").unwrap().as_str(), "VESPER-2");
        assert_eq!(Sku::parse("Ρολόι-1").unwrap().key(), "ρολόι-1");
        assert_eq!(Sku::parse(" "), Err(SkuError::Empty));
        assert_eq!(Sku::parse("A\tB"), Err(SkuError::BadCharacter));
        assert_eq!(
            Sku::parse(&"é".repeat(64))
                .unwrap()
                .as_str()
                .chars()
                .count(),
            64
        );
        assert_eq!(Sku::parse(&"é".repeat(65)), Err(SkuError::TooLong));
        assert!(serde_json::from_str::<Sku>("\"a b\"").is_err());
    }

    #[test]
    fn folders_are_normalised() {
        let p = new_from(serde_json::json!({
            "name": "N", "sku": "S", "category": "part",
            "nextcloud_folder": " /02_Products/VESPER/ ", "description": "   ",
        }))
        .unwrap();
        assert_eq!(p.nextcloud_folder.as_deref(), Some("02_Products/VESPER"));
        assert_eq!(p.description, None);
    }

    #[test]
    fn patch_changes_only_given_fields_and_null_clears_nullable_ones() {
        let current = new_from(serde_json::json!({
            "name": "VESPER", "sku": "V-1", "category": "controller", "description": "old",
            "price": "100", "costs": {"pcb": 10, "labor_hours": 1, "labor_rate": 20},
            "stock": {"on_hand": 5, "reserved": 1}, "nextcloud_folder": "02_Products/VESPER",
            "linked_device_type": "vesper"
        }))
        .unwrap();
        let patch: ProductPatch = serde_json::from_value(serde_json::json!({
            "description": null, "price": null, "costs": {"pcb": "12.5"},
            "stock": {"reserved": 4}, "linked_device_type": null
        }))
        .unwrap();
        let next = patch.apply(&current).unwrap();
        assert_eq!(next.description, None);
        assert_eq!(next.linked_device_type, None);
        assert_eq!(next.nextcloud_folder, current.nextcloud_folder);
        assert_eq!(next.price, money("100"));
        assert_eq!(next.costs.pcb, money("12.5"));
        assert_eq!(next.costs.labor_rate, money("20"));
        assert_eq!(next.costs.total, money("32.5"));
        assert_eq!(
            next.stock,
            Stock {
                on_hand: 5,
                reserved: 4,
                available: 1
            }
        );
        assert_eq!(next.name, "VESPER");

        let over: ProductPatch =
            serde_json::from_value(serde_json::json!({"stock": {"on_hand": 3}})).unwrap();
        assert_eq!(field_of(over.apply(&next)), "stock.reserved");
    }

    #[test]
    fn list_query_defaults_and_cap() {
        let q: ListQuery = serde_json::from_str("{}").unwrap();
        assert_eq!(q, ListQuery::default());
        assert_eq!(q.effective_limit(), 100);
        let q = ListQuery {
            limit: Some(5000),
            ..ListQuery::default()
        };
        assert_eq!(q.effective_limit(), 1000);
    }

    #[test]
    fn list_query_from_a_query_string() {
        let q: ListQuery = serde_urlencoded::from_str(
            "category=repair_service&active=false&search=100%25+bronze&limit=5&offset=10",
        )
        .unwrap();
        assert_eq!(
            q,
            ListQuery {
                category: Some(Category::RepairService),
                active: Some(false),
                search: Some("100% bronze".into()),
                limit: Some(5),
                offset: Some(10),
            }
        );
        assert!(serde_urlencoded::from_str::<ListQuery>("category=robot").is_err());
    }

    #[test]
    fn search_folding() {
        assert_eq!(search_fold("Ρολόι ΠΥΡΓΟΥ Άγιος"), "ρολοι πυργου αγιοσ");
        assert_eq!(search_fold("Clock ΜΠΙΜΠΗΣ"), "clock μπιμπησ");
    }

    #[test]
    fn product_json_shape() {
        let p = new_from(serde_json::json!({
            "name": "N", "sku": "S", "category": "repair_service", "price": "0.45",
            "costs": {"pcb": "0.1", "components": "0.2"}
        }))
        .unwrap();
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["category"], "repair_service");
        assert_eq!(v["sku"], "S");
        assert_eq!(serde_json::to_string(&v["price"]).unwrap(), "0.45");
        assert_eq!(serde_json::to_string(&v["costs"]["total"]).unwrap(), "0.3");
        assert_eq!(v["stock"]["available"], 0);
        assert_eq!(v["version"], 1);
        let back: Product = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
    }
}
