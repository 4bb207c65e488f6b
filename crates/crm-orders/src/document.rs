//! The printable quotation / order confirmation: an already-computed order sheet in, the bytes
//! of an A4 PDF in Greek out.
//!
//! Nothing here computes a total: the caller hands over a [`Sheet`] whose amounts are final, and
//! this module only lays them out — company and document title on top, the customer («Προς»),
//! the table of lines (its header repeated on every page), the summary on the right, the notes,
//! and «Σελίδα N από M» at the foot of each page.
//!
//! Text is real text in DejaVu Sans (embedded, subset by krilla), so it can be searched and
//! copied. Every piece of text is wrapped to the width of its cell, a word longer than its cell
//! is broken between characters, and anything that does not fit on a page flows to the next:
//! nothing is drawn outside the page, whatever the input.
//!
//! The layout works on a [`Sheet`] alone (money, times and text); [`Sheet::of_order`] is the
//! one place that reads an [`Order`] into one.

use crm_core::{Money, Timestamp};
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};
use rust_decimal::{Decimal, RoundingStrategy};
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

use crate::model::{DiscountType, Order, Status};

/// DejaVu Sans (Bitstream Vera licence, `fonts/LICENSE`): the regular face.
static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which document the sheet is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// «Προσφορά»
    Quotation,
    /// «Επιβεβαίωση παραγγελίας»
    Confirmation,
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::Quotation => "Προσφορά",
            Kind::Confirmation => "Επιβεβαίωση παραγγελίας",
        }
    }

    fn file_stem(self) -> &'static str {
        match self {
            Kind::Quotation => "Prosfora",
            Kind::Confirmation => "Epivevaiosi",
        }
    }
}

/// The issuer or the customer: the name in bold, then address, VAT number, phone, e-mail lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    pub name: String,
    pub lines: Vec<String>,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Product name, then description; wrapped to the column.
    pub description: String,
    /// Printed small under the description when any.
    pub serials: Vec<String>,
    /// Exact decimal, printed without useless zeros (`2`, `1,5`).
    pub quantity: Money,
    /// Up to 6 decimals, printed with at least 2.
    pub unit_price: Money,
    /// 24, 13, 6, 0
    pub vat_rate: u8,
    /// Reason for 0 %, printed under the line.
    pub vat_exemption: Option<String>,
    /// Line amount (net, or gross when prices include VAT), printed to the cent.
    pub amount: Money,
}

/// The VAT of one rate.
#[derive(Debug, Clone, PartialEq)]
pub struct VatLine {
    pub rate: u8,
    pub net: Money,
    pub vat: Money,
}

/// An order sheet whose amounts are final.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub kind: Kind,
    /// ORD-2026-001
    pub number: String,
    /// Printed dd/mm/yyyy in Europe/Athens.
    pub date: Timestamp,
    /// Quotation only, may be None.
    pub valid_until: Option<Timestamp>,
    /// The issuer, from configuration.
    pub company: Party,
    pub customer: Party,
    /// "EUR" → amounts printed "1.234,50 €"; other codes: "1.234,50 USD".
    pub currency: String,
    /// Header of the price column: «Τιμή (με ΦΠΑ)» vs «Τιμή (χωρίς ΦΠΑ)».
    pub prices_include_vat: bool,
    pub lines: Vec<Line>,
    /// Σ amounts
    pub subtotal: Money,
    /// Label (e.g. «Έκπτωση 10%») and amount (the reduction, printed with a minus sign).
    pub discount: Option<(String, Money)>,
    /// Per rate, highest first.
    pub vat: Vec<VatLine>,
    pub net_total: Money,
    pub vat_total: Money,
    /// Gross, payable.
    pub total: Money,
    pub notes: Option<String>,
}

impl Kind {
    /// The document an order gets unless asked for another: a quotation while it is a
    /// draft, an order confirmation afterwards.
    pub fn for_status(status: Status) -> Self {
        if status == Status::Draft {
            Kind::Quotation
        } else {
            Kind::Confirmation
        }
    }
}

impl Sheet {
    /// The sheet of `order` as `kind`, issued by `company` to `customer`.
    ///
    /// The date is the order's creation for a quotation, valid for `valid_days` days (none
    /// when 0); for a confirmation, when the order was first confirmed (its last change when
    /// it never was). Each line's description is the product name, then the description.
    pub fn of_order(
        order: &Order,
        kind: Kind,
        company: Party,
        customer: Party,
        valid_days: u32,
    ) -> Sheet {
        let date = match kind {
            Kind::Quotation => order.created_at,
            Kind::Confirmation => order
                .status_history
                .iter()
                .find(|c| c.to == Status::Confirmed)
                .map_or(order.updated_at, |c| c.at),
        };
        let valid_until = (kind == Kind::Quotation && valid_days > 0)
            .then(|| {
                date.into_inner()
                    .checked_add(Duration::days(i64::from(valid_days)))
                    .map(Timestamp::from)
            })
            .flatten();
        let lines = order
            .items
            .iter()
            .map(|item| Line {
                description: [item.product_name.as_deref(), item.description.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" — "),
                serials: item.serial_numbers.clone(),
                quantity: item.quantity,
                unit_price: item.unit_price,
                vat_rate: item.vat_rate.percent(),
                vat_exemption: item.vat_exemption.clone(),
                amount: item.line_total,
            })
            .collect();
        let discount = order.discount.as_ref().map(|d| {
            let label = match d.kind {
                DiscountType::Percentage => format!("Έκπτωση {}%", format_percent(d.value)),
                DiscountType::Fixed => "Έκπτωση".to_owned(),
            };
            (label, order.discount_amount)
        });
        Sheet {
            kind,
            number: order.order_number.clone(),
            date,
            valid_until,
            company,
            customer,
            currency: order.currency.clone(),
            prices_include_vat: order.prices_include_vat,
            lines,
            subtotal: order.subtotal,
            discount,
            vat: order
                .vat_breakdown
                .iter()
                .map(|v| VatLine {
                    rate: v.rate.percent(),
                    net: v.net,
                    vat: v.vat,
                })
                .collect(),
            net_total: order.net_total,
            vat_total: order.vat_total,
            total: order.total_price,
            notes: order.notes.clone(),
        }
    }
}

/// A percentage as Greek text: `10`, `12,5`.
fn format_percent(value: Money) -> String {
    value.to_string().replace('.', ",")
}

/// Why a sheet could not be rendered. Neither happens with the fonts this crate embeds; they are
/// reported rather than panicking.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the PDF could not be written")]
    Pdf(#[source] krilla::error::KrillaError),
}

/// A file name for the document, ASCII only (safe in `Content-Disposition`):
/// `Prosfora-ORD-2026-001.pdf`, `Epivevaiosi-ORD-2026-001.pdf`.
pub fn file_name(sheet: &Sheet) -> String {
    let number: String = sheet
        .number
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if number.is_empty() {
        format!("{}.pdf", sheet.kind.file_stem())
    } else {
        format!("{}-{number}.pdf", sheet.kind.file_stem())
    }
}

/// The PDF of `sheet`.
pub fn render(sheet: &Sheet) -> Result<Vec<u8>, RenderError> {
    let metrics = Metrics::new().ok_or(RenderError::Font)?;
    let pages = layout(sheet, &metrics);

    let regular = Font::new(Data::from(REGULAR), 0).ok_or(RenderError::Font)?;
    let bold = Font::new(Data::from(BOLD), 0).ok_or(RenderError::Font)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {}", sheet.kind.title(), clean(&sheet.number)))
            .creator("BellSystems CRM".to_owned())
            .language("el".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(RenderError::Font)?;
    for ops in &pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, &regular, &bold);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(RenderError::Pdf)
}

// ---------------------------------------------------------------------------------------------
// Numbers and dates in Greek form

/// `1234.5` → `1.234,50` with `min`–`max` decimals (rounded half away from zero to `max`).
fn greek_number(d: Decimal, min: u32, max: u32) -> String {
    let d = d
        .round_dp_with_strategy(max, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    let negative = d.is_sign_negative() && !d.is_zero();
    let plain = d.abs().to_string();
    let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let mut frac = frac.to_owned();
    while frac.len() < min as usize {
        frac.push('0');
    }
    let mut grouped = String::new();
    let digits = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

fn quantity(m: Money) -> String {
    greek_number(m.as_decimal(), 0, 28)
}

fn unit_price(m: Money, currency: &str) -> String {
    with_currency(greek_number(m.as_decimal(), 2, 6), currency)
}

fn amount(m: Money, currency: &str) -> String {
    with_currency(greek_number(m.as_decimal(), 2, 2), currency)
}

fn with_currency(number: String, currency: &str) -> String {
    match currency.trim() {
        "" => number,
        code if code.eq_ignore_ascii_case("EUR") => format!("{number} €"),
        code => format!("{number} {}", clean(code)),
    }
}

/// dd/mm/yyyy on the Athens calendar: EET (UTC+2), EEST (UTC+3) from the last Sunday of March
/// to the last Sunday of October, switching at 01:00 UTC (the EU rule).
fn athens_date(t: Timestamp) -> String {
    let utc = t.into_inner().to_offset_checked_utc();
    let offset = if is_eu_summer_time(utc) { 3 } else { 2 };
    let local = UtcOffset::from_hms(offset, 0, 0)
        .ok()
        .and_then(|o| utc.checked_to_offset(o))
        .unwrap_or(utc);
    format!(
        "{:02}/{:02}/{:04}",
        local.day(),
        u8::from(local.month()),
        local.year()
    )
}

trait CheckedUtc {
    fn to_offset_checked_utc(self) -> OffsetDateTime;
}

impl CheckedUtc for OffsetDateTime {
    fn to_offset_checked_utc(self) -> OffsetDateTime {
        self.checked_to_offset(UtcOffset::UTC).unwrap_or(self)
    }
}

fn is_eu_summer_time(utc: OffsetDateTime) -> bool {
    let switch = |month| {
        let last = Date::from_calendar_date(utc.year(), month, 31).ok()?;
        let sunday = last.checked_sub(Duration::days(i64::from(
            last.weekday().number_days_from_sunday(),
        )))?;
        Some(sunday.with_hms(1, 0, 0).ok()?.assume_utc())
    };
    match (switch(Month::March), switch(Month::October)) {
        (Some(start), Some(end)) => start <= utc && utc < end,
        _ => false,
    }
}

/// Tabs become spaces, other control characters go; line breaks are kept.
fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Measuring and wrapping

struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Metrics {
    fn new() -> Option<Self> {
        Some(Self {
            regular: ttf_parser::Face::parse(REGULAR, 0).ok()?,
            bold: ttf_parser::Face::parse(BOLD, 0).ok()?,
        })
    }

    fn char_width(&self, c: char, style: Style) -> f32 {
        let face = if style.bold {
            &self.bold
        } else {
            &self.regular
        };
        let glyph = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        let advance = face.glyph_hor_advance(glyph).unwrap_or(0);
        f32::from(advance) / f32::from(face.units_per_em().max(1)) * style.size
    }

    fn width(&self, s: &str, style: Style) -> f32 {
        s.chars().map(|c| self.char_width(c, style)).sum()
    }

    /// `text` in lines no wider than `width`: at spaces, or between characters for a word
    /// longer than the line. Explicit line breaks are kept; blank text gives no line.
    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let text = clean(text);
        let mut lines = Vec::new();
        if text.trim().is_empty() {
            return lines;
        }
        for paragraph in text.split('\n') {
            let mut current = String::new();
            let mut current_w = 0.0;
            for word in paragraph.split_whitespace() {
                let word_w = self.width(word, style);
                let space_w = if current.is_empty() {
                    0.0
                } else {
                    self.char_width(' ', style)
                };
                if current_w + space_w + word_w <= width {
                    if !current.is_empty() {
                        current.push(' ');
                    }
                    current.push_str(word);
                    current_w += space_w + word_w;
                    continue;
                }
                if !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                    current_w = 0.0;
                }
                for c in word.chars() {
                    let w = self.char_width(c, style);
                    if current_w + w > width && !current.is_empty() {
                        lines.push(std::mem::take(&mut current));
                        current_w = 0.0;
                    }
                    current.push(c);
                    current_w += w;
                }
            }
            lines.push(current);
        }
        lines
    }
}

// ---------------------------------------------------------------------------------------------
// Layout: the sheet becomes pages of drawing operations, then the footers are added

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const TOP: f32 = 42.0;
/// Content never goes below this line; the footer lives under it.
const BOTTOM: f32 = PAGE_H - 62.0;
const FOOTER_BASELINE: f32 = PAGE_H - 30.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const PAD: f32 = 3.0;

const BLACK: u8 = 0;
const GRAY: u8 = 90;
const RULE: u8 = 170;
const SHADE: u8 = 232;

#[derive(Clone, Copy, Debug)]
struct Style {
    size: f32,
    bold: bool,
    gray: u8,
}

const BODY: Style = Style {
    size: 9.0,
    bold: false,
    gray: BLACK,
};
const BODY_BOLD: Style = Style {
    size: 9.0,
    bold: true,
    gray: BLACK,
};
const SMALL: Style = Style {
    size: 7.0,
    bold: false,
    gray: GRAY,
};
const HEAD: Style = Style {
    size: 8.0,
    bold: true,
    gray: BLACK,
};
const LABEL: Style = Style {
    size: 8.0,
    bold: true,
    gray: GRAY,
};

impl Style {
    fn line_height(self) -> f32 {
        self.size * 1.3
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Align {
    Left,
    Right,
}

#[derive(Debug)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
    Shade {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// A piece of text in a cell `[x, x + w]`.
#[derive(Clone, Debug)]
struct Span {
    x: f32,
    w: f32,
    align: Align,
    style: Style,
    text: String,
}

/// One visual line across the page: the spans side by side, as high as the tallest.
#[derive(Clone, Debug, Default)]
struct VLine {
    spans: Vec<Span>,
    height: f32,
}

/// A column of wrapped text: (text, style) per line.
type Column = (f32, f32, Align, Vec<(String, Style)>);

/// Side-by-side columns zipped into visual lines.
fn zip_columns(columns: &[Column]) -> Vec<VLine> {
    let rows = columns.iter().map(|c| c.3.len()).max().unwrap_or(0);
    (0..rows)
        .map(|i| {
            let mut line = VLine::default();
            for (x, w, align, lines) in columns {
                if let Some((text, style)) = lines.get(i) {
                    line.height = line.height.max(style.line_height());
                    line.spans.push(Span {
                        x: *x,
                        w: *w,
                        align: *align,
                        style: *style,
                        text: text.clone(),
                    });
                }
            }
            line
        })
        .collect()
}

struct Layout<'m> {
    m: &'m Metrics,
    done: Vec<Vec<Op>>,
    page: Vec<Op>,
    y: f32,
    /// Where content starts on the current page (below a repeated table header).
    page_top: f32,
    /// The table header, drawn again at the top of each new page while the table runs.
    repeat: Option<Vec<VLine>>,
}

impl<'m> Layout<'m> {
    fn new(m: &'m Metrics) -> Self {
        Self {
            m,
            done: Vec::new(),
            page: Vec::new(),
            y: TOP,
            page_top: TOP,
            repeat: None,
        }
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = TOP;
        self.page_top = TOP;
        if let Some(header) = self.repeat.clone() {
            self.table_header(&header);
        }
        self.page_top = self.y;
    }

    /// Starts a new page unless `height` fits below, or the page is still empty.
    fn keep(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > self.page_top {
            self.new_page();
        }
    }

    fn gap(&mut self, height: f32) {
        self.y = (self.y + height).min(BOTTOM);
    }

    fn place(&mut self, line: &VLine) {
        self.keep(line.height);
        for span in &line.spans {
            if span.text.is_empty() {
                continue;
            }
            let w = self.m.width(&span.text, span.style);
            let x = match span.align {
                Align::Left => span.x + PAD,
                Align::Right => span.x + span.w - PAD - w,
            };
            self.page.push(Op::Text {
                x: x.max(span.x),
                baseline: self.y + span.style.size * 0.95,
                style: span.style,
                text: span.text.clone(),
            });
        }
        self.y += line.height;
    }

    fn rule(&mut self) {
        self.page.push(Op::Rule {
            x1: MARGIN,
            x2: PAGE_W - MARGIN,
            y: self.y,
        });
    }

    fn table_header(&mut self, header: &[VLine]) {
        let h: f32 = header.iter().map(|l| l.height).sum::<f32>() + 2.0 * PAD;
        self.page.push(Op::Shade {
            x: MARGIN,
            y: self.y,
            w: CONTENT_W,
            h,
        });
        self.y += PAD;
        for line in header {
            self.place(line);
        }
        self.y += PAD;
        self.rule();
    }

    fn finish(mut self) -> Vec<Vec<Op>> {
        self.done.push(std::mem::take(&mut self.page));
        self.done
    }
}

fn col(x: f32, w: f32, align: Align, lines: Vec<String>, style: Style) -> Column {
    (x, w, align, lines.into_iter().map(|l| (l, style)).collect())
}

fn layout(sheet: &Sheet, m: &Metrics) -> Vec<Vec<Op>> {
    let mut l = Layout::new(m);
    let inner = |w: f32| (w - 2.0 * PAD).max(1.0);

    // Company top-left, title, number and dates top-right.
    let left_w = 250.0;
    let right_w = 260.0;
    let right_x = PAGE_W - MARGIN - right_w;
    let company_name = Style {
        size: 12.0,
        ..BODY_BOLD
    };
    let company_line = Style { size: 8.5, ..BODY };
    let mut left: Vec<(String, Style)> = m
        .wrap(&sheet.company.name, company_name, inner(left_w))
        .into_iter()
        .map(|s| (s, company_name))
        .collect();
    for line in &sheet.company.lines {
        left.extend(
            m.wrap(line, company_line, inner(left_w))
                .into_iter()
                .map(|s| (s, company_line)),
        );
    }
    let title = Style {
        size: 15.0,
        ..BODY_BOLD
    };
    let mut right: Vec<(String, Style)> = m
        .wrap(sheet.kind.title(), title, inner(right_w))
        .into_iter()
        .map(|s| (s, title))
        .collect();
    let mut facts = vec![
        format!("Αριθμός: {}", sheet.number),
        format!("Ημερομηνία: {}", athens_date(sheet.date)),
    ];
    if let (Kind::Quotation, Some(until)) = (sheet.kind, sheet.valid_until) {
        facts.push(format!("Ισχύει έως: {}", athens_date(until)));
    }
    for fact in facts {
        right.extend(
            m.wrap(&fact, BODY, inner(right_w))
                .into_iter()
                .map(|s| (s, BODY)),
        );
    }
    for line in zip_columns(&[
        (MARGIN, left_w, Align::Left, left),
        (right_x, right_w, Align::Right, right),
    ]) {
        l.place(&line);
    }

    // The customer.
    l.gap(14.0);
    l.rule();
    l.gap(8.0);
    let block_w = 320.0;
    let name = Style {
        size: 11.0,
        ..BODY_BOLD
    };
    let mut to: Vec<(String, Style)> = vec![("Προς".to_owned(), LABEL)];
    to.extend(
        m.wrap(&sheet.customer.name, name, inner(block_w))
            .into_iter()
            .map(|s| (s, name)),
    );
    for line in &sheet.customer.lines {
        to.extend(
            m.wrap(line, BODY, inner(block_w))
                .into_iter()
                .map(|s| (s, BODY)),
        );
    }
    for line in zip_columns(&[(MARGIN, block_w, Align::Left, to)]) {
        l.place(&line);
    }
    l.gap(14.0);

    // The table.
    let widths = [26.0, 0.0, 56.0, 80.0, 38.0, 82.0];
    let desc_w = CONTENT_W - widths.iter().sum::<f32>();
    let widths = [
        widths[0], desc_w, widths[2], widths[3], widths[4], widths[5],
    ];
    let mut xs = [MARGIN; 6];
    for i in 1..6 {
        xs[i] = xs[i - 1] + widths[i - 1];
    }
    let price_header = if sheet.prices_include_vat {
        "Τιμή μονάδας (με ΦΠΑ)"
    } else {
        "Τιμή μονάδας (χωρίς ΦΠΑ)"
    };
    let headers = [
        "Α/Α",
        "Περιγραφή",
        "Ποσότητα",
        price_header,
        "ΦΠΑ %",
        "Αξία",
    ];
    let aligns = [
        Align::Right,
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
    ];
    let header_cols: Vec<Column> = (0..6)
        .map(|i| {
            col(
                xs[i],
                widths[i],
                aligns[i],
                m.wrap(headers[i], HEAD, inner(widths[i])),
                HEAD,
            )
        })
        .collect();
    let header = zip_columns(&header_cols);
    l.keep(header.iter().map(|h| h.height).sum::<f32>() + 2.0 * PAD + 3.0 * BODY.line_height());
    l.table_header(&header);
    l.repeat = Some(header);
    l.page_top = l.y;

    let currency = sheet.currency.as_str();
    for (i, line) in sheet.lines.iter().enumerate() {
        let mut desc: Vec<(String, Style)> = m
            .wrap(&line.description, BODY, inner(desc_w))
            .into_iter()
            .map(|s| (s, BODY))
            .collect();
        let serials: Vec<String> = line
            .serials
            .iter()
            .map(|s| clean(s).trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if !serials.is_empty() {
            let text = format!("Σειριακοί αριθμοί: {}", serials.join(", "));
            desc.extend(
                m.wrap(&text, SMALL, inner(desc_w))
                    .into_iter()
                    .map(|s| (s, SMALL)),
            );
        }
        if let Some(reason) = line
            .vat_exemption
            .as_deref()
            .filter(|r| !r.trim().is_empty())
        {
            let text = format!("Απαλλαγή ΦΠΑ: {reason}");
            desc.extend(
                m.wrap(&text, SMALL, inner(desc_w))
                    .into_iter()
                    .map(|s| (s, SMALL)),
            );
        }
        let cells = [
            (i + 1).to_string(),
            String::new(),
            quantity(line.quantity),
            unit_price(line.unit_price, currency),
            format!("{}%", line.vat_rate),
            amount(line.amount, currency),
        ];
        let columns: Vec<Column> = (0..6)
            .map(|c| {
                if c == 1 {
                    (xs[c], widths[c], aligns[c], desc.clone())
                } else {
                    col(
                        xs[c],
                        widths[c],
                        aligns[c],
                        m.wrap(&cells[c], BODY, inner(widths[c])),
                        BODY,
                    )
                }
            })
            .collect();
        let rows = zip_columns(&columns);
        let height: f32 = rows.iter().map(|r| r.height).sum::<f32>() + 2.0 * PAD;
        l.keep(height.min(BOTTOM - l.page_top));
        l.gap(PAD);
        for row in &rows {
            l.place(row);
        }
        l.gap(PAD);
        l.rule();
    }
    l.repeat = None;

    // The summary, on the right.
    let label_w = 150.0;
    let value_w = 110.0;
    let label_x = PAGE_W - MARGIN - label_w - value_w;
    let value_x = label_x + label_w;
    let mut summary: Vec<(String, String, Style)> =
        vec![("Σύνολο".to_owned(), amount(sheet.subtotal, currency), BODY)];
    if let Some((label, value)) = &sheet.discount {
        let label = if label.trim().is_empty() {
            "Έκπτωση"
        } else {
            label.as_str()
        };
        let shown = if value.is_negative() {
            amount(*value, currency)
        } else {
            format!("-{}", amount(*value, currency))
        };
        summary.push((label.to_owned(), shown, BODY));
    }
    summary.push((
        "Καθαρή αξία".to_owned(),
        amount(sheet.net_total, currency),
        BODY,
    ));
    for vat in &sheet.vat {
        summary.push((
            format!("ΦΠΑ {}%", vat.rate),
            amount(vat.vat, currency),
            BODY,
        ));
    }
    summary.push((
        "Σύνολο ΦΠΑ".to_owned(),
        amount(sheet.vat_total, currency),
        BODY,
    ));
    let payable = Style {
        size: 10.5,
        ..BODY_BOLD
    };
    summary.push((
        "Πληρωτέο".to_owned(),
        amount(sheet.total, currency),
        payable,
    ));

    let summary_lines: Vec<Vec<VLine>> = summary
        .iter()
        .map(|(label, value, style)| {
            zip_columns(&[
                col(
                    label_x,
                    label_w,
                    Align::Left,
                    m.wrap(label, *style, inner(label_w)),
                    *style,
                ),
                col(
                    value_x,
                    value_w,
                    Align::Right,
                    m.wrap(value, *style, inner(value_w)),
                    *style,
                ),
            ])
        })
        .collect();
    let summary_h: f32 = summary_lines
        .iter()
        .flatten()
        .map(|r| r.height)
        .sum::<f32>()
        + 20.0;
    l.gap(10.0);
    l.keep(summary_h.min(BOTTOM - TOP));
    let last = summary_lines.len().saturating_sub(1);
    for (i, rows) in summary_lines.iter().enumerate() {
        if i == last {
            l.gap(3.0);
            l.page.push(Op::Rule {
                x1: label_x,
                x2: PAGE_W - MARGIN,
                y: l.y,
            });
            l.gap(3.0);
        }
        for row in rows {
            l.place(row);
        }
    }

    // The notes.
    if let Some(notes) = sheet.notes.as_deref() {
        let lines = m.wrap(notes, BODY, inner(CONTENT_W));
        if !lines.is_empty() {
            l.gap(18.0);
            l.keep(LABEL.line_height() + 2.0 * BODY.line_height());
            let heading = vec!["Σημειώσεις".to_owned()];
            for line in zip_columns(&[col(MARGIN, CONTENT_W, Align::Left, heading, LABEL)])
                .into_iter()
                .chain(zip_columns(&[col(
                    MARGIN,
                    CONTENT_W,
                    Align::Left,
                    lines,
                    BODY,
                )]))
            {
                l.place(&line);
            }
        }
    }

    let mut pages = l.finish();

    // The footer: the document on the left, «Σελίδα N από M» on the right.
    let total = pages.len();
    let footer = Style { size: 7.5, ..BODY };
    let who = m
        .wrap(
            &format!("{} {}", sheet.kind.title(), sheet.number),
            footer,
            inner(300.0),
        )
        .into_iter()
        .next()
        .unwrap_or_default();
    for (i, page) in pages.iter_mut().enumerate() {
        page.push(Op::Rule {
            x1: MARGIN,
            x2: PAGE_W - MARGIN,
            y: FOOTER_BASELINE - 12.0,
        });
        page.push(Op::Text {
            x: MARGIN + PAD,
            baseline: FOOTER_BASELINE,
            style: Style {
                gray: GRAY,
                ..footer
            },
            text: who.clone(),
        });
        let text = format!("Σελίδα {} από {}", i + 1, total);
        let w = m.width(&text, footer);
        page.push(Op::Text {
            x: PAGE_W - MARGIN - PAD - w,
            baseline: FOOTER_BASELINE,
            style: Style {
                gray: GRAY,
                ..footer
            },
            text,
        });
    }
    pages
}

// ---------------------------------------------------------------------------------------------
// Drawing

fn draw(surface: &mut Surface<'_>, op: &Op, regular: &Font, bold: &Font) {
    match op {
        Op::Text {
            x,
            baseline,
            style,
            text,
        } => {
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: luma::Color::new(style.gray).into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            let font = if style.bold { bold } else { regular };
            surface.draw_text(
                Point::from_xy(*x, *baseline),
                font.clone(),
                style.size,
                text,
                false,
                TextDirection::LeftToRight,
            );
        }
        Op::Rule { x1, x2, y } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y);
            path.line_to(*x2, *y);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: luma::Color::new(RULE).into(),
                    width: 0.5,
                    ..Default::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Shade { x, y, w, h } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill {
                    paint: luma::Color::new(SHADE).into(),
                    opacity: NormalizedF32::ONE,
                    rule: Default::default(),
                }));
                surface.draw_path(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests;
