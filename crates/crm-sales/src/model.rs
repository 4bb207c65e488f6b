//! Pipelines, stages and leads, validated once when they come in.
//!
//! # Pipelines
//!
//! A pipeline is a name and its stages in board order. Each stage has a name (unique in its
//! pipeline, ignoring case and accents), a probability from 0 to 100 % and is *open*, *won*
//! or *lost* (never both won and lost). A pipeline has at least one open stage, exactly one
//! won stage and at least one lost stage. An edit sends the whole list of stages
//! ([`PipelineInput`]): stages that carry their `id` keep it (and their leads), new ones get
//! one, the list's order is the new board order, and a stage left out is removed — unless
//! leads are in it (`Error::InUse` naming how many). Whether a stage is won or lost cannot
//! change while leads are in it (their status would change without a move).
//!
//! The default pipeline ([`default_pipeline`]) is seeded once: Επαφή 10 % → Αυτοψία 25 % →
//! Προσφορά 50 % → Διαπραγμάτευση 75 % → Κερδήθηκε (won, 100 %) / Χάθηκε (lost, 0 %).
//!
//! # Leads
//!
//! A lead names either an existing customer (`customer_id`) or a prospect (a name, an
//! organisation, contacts) — exactly one of the two. Prospect contacts are kept as written
//! with their normal form: e-mail addresses lower-cased, phone, mobile and WhatsApp numbers in
//! E.164 (crm-core's `contact` rules); a value that is neither is refused at its JSON path.
//! Those normal forms are the lead's [`ContactKey`]s, which match it to comms and to a
//! customer when it is converted.
//!
//! The estimated value is exact money in EUR (at most two decimal places, 0 to
//! 1,000,000,000,000); quoted lines have a positive quantity (at most three decimals) and a
//! unit price ≥ 0 (at most six). A lead's status is its stage's: open, won or lost. A lead in a
//! lost stage needs a `lost_reason`; moving it out of a lost stage clears the reason.
//!
//! # Versions
//!
//! A lead's `version` goes up with every change of its fields, stage or owner (what an
//! `If-Match` protects); its stage moves and assignments are records of their own.

use std::fmt;
use std::str::FromStr;

use crm_core::validate::{
    Invalid, check_count, optional_line, optional_text, required_line, required_text,
};
use crm_core::{Money, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, de::Error as _};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Result};

pub const PIPELINE_NAME_MAX: usize = 100;
pub const STAGE_NAME_MAX: usize = 100;
pub const STAGES_MAX: usize = 30;
pub const TITLE_MAX: usize = 300;
pub const NAME_MAX: usize = 300;
pub const CONTACT_MAX: usize = 200;
pub const CONTACTS_MAX: usize = 20;
pub const USERNAME_MAX: usize = 100;
pub const LOST_REASON_MAX: usize = 2_000;
pub const TAG_MAX: usize = 50;
pub const TAGS_MAX: usize = 50;
pub const LINES_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2_000;
/// Largest estimated value, in EUR.
pub const VALUE_MAX: i64 = 1_000_000_000_000;
/// Largest quantity of a quoted line.
pub const QUANTITY_MAX: i64 = 1_000_000;
/// Largest unit price of a quoted line.
pub const UNIT_PRICE_MAX: i64 = 1_000_000_000;
/// The currency of every lead's value.
pub const CURRENCY: &str = "EUR";
/// Page size of a list without `limit` (50), and the largest page a list returns (500).
pub const PAGE_SIZE: crm_core::PageSize = crm_core::PageSize {
    default: 50,
    max: 500,
};

time::serde::format_description!(ymd, Date, "[year]-[month]-[day]");

/// `2026-05-31`.
pub fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Reads a stored `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

// ---------------------------------------------------------------------------------------------
// Pipelines

/// A stage of a pipeline, in board order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = SalesStage)]
pub struct Stage {
    pub id: Uuid,
    pub name: String,
    /// Chance of winning a lead in this stage, 0–100 %.
    pub probability: u8,
    pub won: bool,
    pub lost: bool,
}

impl Stage {
    /// The status of a lead in this stage.
    pub fn status(&self) -> LeadStatus {
        if self.won {
            LeadStatus::Won
        } else if self.lost {
            LeadStatus::Lost
        } else {
            LeadStatus::Open
        }
    }
}

/// A pipeline with its stages in board order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pipeline {
    pub id: Uuid,
    pub name: String,
    /// The pipeline new leads go to when they name none.
    pub is_default: bool,
    pub stages: Vec<Stage>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Pipeline {
    pub fn stage(&self, id: Uuid) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// The first open stage in board order, where a new lead starts.
    pub fn first_open_stage(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.status() == LeadStatus::Open)
    }
}

/// One stage as a client sends it in a [`PipelineInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    /// The stage's id to keep it (and its leads); absent for a new stage.
    #[serde(default)]
    pub id: Option<Uuid>,
    pub name: String,
    #[schema(minimum = 0, maximum = 100)]
    pub probability: u16,
    #[serde(default)]
    pub won: bool,
    #[serde(default)]
    pub lost: bool,
}

/// A new pipeline, or the whole of an edited one: its name and its stages in board order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineInput {
    pub name: String,
    pub stages: Vec<StageInput>,
}

impl PipelineInput {
    /// The validated name and stages: ids of new stages drawn with `new_id`; `known` are the
    /// ids an edit may keep (the pipeline's current stages).
    pub fn validate(
        self,
        known: &[Uuid],
        mut new_id: impl FnMut() -> Uuid,
    ) -> Result<(String, Vec<Stage>)> {
        let name = required_line("name", &self.name, PIPELINE_NAME_MAX)?;
        check_count("stages", self.stages.len(), STAGES_MAX)?;
        let mut stages: Vec<Stage> = Vec::with_capacity(self.stages.len());
        let mut keys: Vec<String> = Vec::new();
        for (i, s) in self.stages.into_iter().enumerate() {
            let at = |f: &str| format!("stages[{i}].{f}");
            let id = match s.id {
                Some(id) if !known.contains(&id) => {
                    return Err(Error::invalid(at("id"), "is not a stage of this pipeline"));
                }
                Some(id) if stages.iter().any(|st| st.id == id) => {
                    return Err(Error::invalid(at("id"), "is given twice"));
                }
                Some(id) => id,
                None => new_id(),
            };
            let stage_name = required_line(&at("name"), &s.name, STAGE_NAME_MAX)?;
            let key = crm_core::text::fold(&stage_name);
            if keys.contains(&key) {
                return Err(Error::invalid(at("name"), "another stage has this name"));
            }
            keys.push(key);
            let probability = u8::try_from(s.probability)
                .ok()
                .filter(|p| *p <= 100)
                .ok_or_else(|| Error::invalid(at("probability"), "must be from 0 to 100"))?;
            if s.won && s.lost {
                return Err(Error::invalid(
                    format!("stages[{i}]"),
                    "a stage is won or lost, not both",
                ));
            }
            stages.push(Stage {
                id,
                name: stage_name,
                probability,
                won: s.won,
                lost: s.lost,
            });
        }
        let count = |f: fn(&Stage) -> bool| stages.iter().filter(|s| f(s)).count();
        if count(|s| !s.won && !s.lost) == 0 {
            return Err(Error::invalid("stages", "needs at least one open stage"));
        }
        if count(|s| s.won) != 1 {
            return Err(Error::invalid("stages", "needs exactly one won stage"));
        }
        if count(|s| s.lost) == 0 {
            return Err(Error::invalid("stages", "needs at least one lost stage"));
        }
        Ok((name, stages))
    }
}

/// The pipeline seeded on first start.
pub fn default_pipeline() -> PipelineInput {
    let stage = |name: &str, probability, won, lost| StageInput {
        id: None,
        name: name.to_owned(),
        probability,
        won,
        lost,
    };
    PipelineInput {
        name: "Πωλήσεις".to_owned(),
        stages: vec![
            stage("Επαφή", 10, false, false),
            stage("Αυτοψία", 25, false, false),
            stage("Προσφορά", 50, false, false),
            stage("Διαπραγμάτευση", 75, false, false),
            stage("Κερδήθηκε", 100, true, false),
            stage("Χάθηκε", 0, false, true),
        ],
    }
}

// ---------------------------------------------------------------------------------------------
// Leads

/// Where a lead is: its stage's kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    #[default]
    Open,
    Won,
    Lost,
}

crm_core::names!(LeadStatus {
    Open = "open",
    Won = "won",
    Lost = "lost",
});

/// How the lead reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = LeadSource)]
pub enum Source {
    Phone,
    Email,
    Whatsapp,
    Web,
    Fair,
    Referral,
    Other,
}

crm_core::names!(Source {
    Phone = "phone",
    Email = "email",
    Whatsapp = "whatsapp",
    Web = "web",
    Fair = "fair",
    Referral = "referral",
    Other = "other",
});

/// The kind of a prospect's contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = LeadContactKind)]
pub enum ContactKind {
    Phone,
    Mobile,
    Email,
    Whatsapp,
}

/// A prospect's contact: as written, and its normal form (set by the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProspectContact {
    pub kind: ContactKind,
    pub value: String,
    /// The lower-cased address or the E.164 number, set by the server (what a client sends
    /// is replaced).
    #[serde(default)]
    pub normalized: String,
}

/// Someone who is not a customer yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prospect {
    pub name: String,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub contacts: Vec<ProspectContact>,
}

impl Prospect {
    fn validate(self, at: &str) -> Result<Prospect> {
        let name = required_line(&format!("{at}.name"), &self.name, NAME_MAX)?;
        let organization =
            optional_line(&format!("{at}.organization"), self.organization, NAME_MAX)?;
        check_count(&format!("{at}.contacts"), self.contacts.len(), CONTACTS_MAX)?;
        let mut contacts = Vec::with_capacity(self.contacts.len());
        for (i, c) in self.contacts.into_iter().enumerate() {
            let field = format!("{at}.contacts[{i}].value");
            let value = required_line(&field, &c.value, CONTACT_MAX)?;
            let normalized = match c.kind {
                ContactKind::Email => crm_core::contact::email_key(&value)
                    .ok_or_else(|| Error::invalid(&field, "is not an e-mail address"))?,
                ContactKind::Phone | ContactKind::Mobile | ContactKind::Whatsapp => {
                    crm_core::contact::phone_e164(&value)
                        .ok_or_else(|| Error::invalid(&field, "is not a phone number"))?
                }
            };
            contacts.push(ProspectContact {
                kind: c.kind,
                value,
                normalized,
            });
        }
        Ok(Prospect {
            name,
            organization,
            contacts,
        })
    }

    /// The normal forms of its contacts, without repeats.
    pub fn contact_keys(&self) -> Vec<ContactKey> {
        let mut keys: Vec<ContactKey> = Vec::new();
        for c in &self.contacts {
            let key = match c.kind {
                ContactKind::Email => ContactKey::Email(c.normalized.clone()),
                _ => ContactKey::Phone(c.normalized.clone()),
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }
}

/// A contact in its normal form, as comms and customers are matched by it: a lower-cased
/// e-mail address or an E.164 number (phone, mobile and WhatsApp alike).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ContactKey {
    Email(String),
    Phone(String),
}

/// A quoted line, kept for the draft order a conversion may open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotedLine {
    #[serde(default)]
    pub product_id: Option<Uuid>,
    pub description: String,
    /// Exact positive decimal, at most 3 decimal places.
    pub quantity: Money,
    /// Exact amount ≥ 0 in EUR, at most 6 decimal places.
    pub unit_price: Money,
}

fn check_amount(field: &str, m: Money, max: i64, scale: u32, positive: bool) -> Result<Money> {
    let d = m.as_decimal();
    if positive && d <= Decimal::ZERO {
        return Err(Error::invalid(field, "must be more than 0"));
    }
    if m.is_negative() {
        return Err(Error::invalid(field, "must not be negative"));
    }
    if d > Decimal::from(max) {
        return Err(Error::invalid(field, format!("must be at most {max}")));
    }
    if d.normalize().scale() > scale {
        return Err(Error::invalid(
            field,
            format!("must have at most {scale} decimal places"),
        ));
    }
    Ok(m)
}

fn lines(raw: Vec<QuotedLine>) -> Result<Vec<QuotedLine>> {
    check_count("lines", raw.len(), LINES_MAX)?;
    raw.into_iter()
        .enumerate()
        .map(|(i, l)| {
            let at = |f: &str| format!("lines[{i}].{f}");
            Ok(QuotedLine {
                product_id: l.product_id,
                description: required_text(&at("description"), &l.description, DESCRIPTION_MAX)?,
                quantity: check_amount(&at("quantity"), l.quantity, QUANTITY_MAX, 3, true)?,
                unit_price: check_amount(
                    &at("unit_price"),
                    l.unit_price,
                    UNIT_PRICE_MAX,
                    6,
                    false,
                )?,
            })
        })
        .collect()
}

fn value(raw: Option<Money>) -> Result<Option<Money>> {
    raw.map(|m| check_amount("estimated_value", m, VALUE_MAX, 2, false))
        .transpose()
}

fn username(field: &str, raw: Option<String>) -> Result<Option<String>> {
    Ok(optional_line(field, raw, USERNAME_MAX)?)
}

/// Tag names checked (`tags[i]`), without duplicates ignoring case and accents, in the order
/// given.
fn tags(raw: Vec<String>) -> Result<Vec<String>> {
    check_count("tags", raw.len(), TAGS_MAX)?;
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let t = required_line(&format!("tags[{i}]"), t, TAG_MAX)?;
        if !out
            .iter()
            .any(|o| crm_core::text::fold(o) == crm_core::text::fold(&t))
        {
            out.push(t);
        }
    }
    Ok(out)
}

/// A lead as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Lead {
    pub id: Uuid,
    pub title: String,
    /// The existing customer it is about; absent for a prospect.
    pub customer_id: Option<Uuid>,
    /// Someone not yet a customer; absent when `customer_id` is set.
    pub prospect: Option<Prospect>,
    pub source: Source,
    /// Exact amount in EUR.
    pub estimated_value: Option<Money>,
    /// Always `EUR`.
    pub currency: String,
    #[serde(with = "ymd::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_close: Option<time::Date>,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    /// Derived from the stage.
    pub status: LeadStatus,
    /// Username of who works on it.
    pub owner: Option<String>,
    /// Required while the lead is in a lost stage.
    pub lost_reason: Option<String>,
    pub tags: Vec<String>,
    pub lines: Vec<QuotedLine>,
    /// The customer the lead became or was attached to when converted.
    pub converted_customer_id: Option<Uuid>,
    /// The draft order its conversion opened.
    pub converted_order_id: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Lead {
    /// The normal forms of the prospect's contacts (none for a lead about a customer: its
    /// comms are the customer's).
    pub fn contact_keys(&self) -> Vec<ContactKey> {
        self.prospect
            .as_ref()
            .map(Prospect::contact_keys)
            .unwrap_or_default()
    }

    /// What the free-text filter searches: the title and the prospect's name, folded.
    pub fn search_key(&self) -> String {
        let mut s = crm_core::text::fold(&self.title);
        if let Some(p) = &self.prospect {
            s.push('\n');
            s.push_str(&crm_core::text::fold(&p.name));
        }
        s
    }

    /// Puts the lead in `stage` (of its pipeline): sets the status, and the lost reason —
    /// required in a lost stage (`Error::Invalid` on `lost_reason`), cleared elsewhere.
    pub fn enter(&mut self, stage: &Stage, lost_reason: Option<String>) -> Result<()> {
        let reason = optional_text("lost_reason", lost_reason, LOST_REASON_MAX)?;
        let status = stage.status();
        self.lost_reason = match status {
            LeadStatus::Lost => Some(
                reason
                    .or_else(|| self.lost_reason.take())
                    .ok_or_else(|| Error::invalid("lost_reason", "is required in a lost stage"))?,
            ),
            _ => None,
        };
        self.stage_id = stage.id;
        self.status = status;
        Ok(())
    }
}

/// A new lead as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLead {
    pub title: String,
    /// An existing customer, or else `prospect`.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    #[serde(default)]
    pub prospect: Option<Prospect>,
    pub source: Source,
    #[serde(default)]
    pub estimated_value: Option<Money>,
    #[serde(default, with = "ymd::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_close: Option<time::Date>,
    /// Default: the default pipeline.
    #[serde(default)]
    pub pipeline_id: Option<Uuid>,
    /// Default: the pipeline's first open stage.
    #[serde(default)]
    pub stage_id: Option<Uuid>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub lost_reason: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub lines: Vec<QuotedLine>,
}

impl NewLead {
    /// The lead this describes in `pipeline`, validated.
    pub fn into_lead(self, id: Uuid, pipeline: &Pipeline, now: Timestamp) -> Result<Lead> {
        let title = required_line("title", &self.title, TITLE_MAX)?;
        let prospect = match (self.customer_id, self.prospect) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "prospect",
                    "give either customer_id or prospect, not both",
                ));
            }
            (None, None) => {
                return Err(Error::invalid(
                    "customer_id",
                    "give either customer_id or prospect",
                ));
            }
            (_, p) => p.map(|p| p.validate("prospect")).transpose()?,
        };
        let stage = match self.stage_id {
            Some(s) => pipeline
                .stage(s)
                .ok_or_else(|| Error::invalid("stage_id", "is not a stage of the pipeline"))?,
            None => pipeline
                .first_open_stage()
                .ok_or_else(|| Error::invalid("pipeline_id", "the pipeline has no open stage"))?,
        };
        let mut lead = Lead {
            id,
            title,
            customer_id: self.customer_id,
            prospect,
            source: self.source,
            estimated_value: value(self.estimated_value)?,
            currency: CURRENCY.to_owned(),
            expected_close: self.expected_close,
            pipeline_id: pipeline.id,
            stage_id: stage.id,
            status: LeadStatus::Open,
            owner: username("owner", self.owner)?,
            lost_reason: None,
            tags: tags(self.tags)?,
            lines: lines(self.lines)?,
            converted_customer_id: None,
            converted_order_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        lead.enter(stage, self.lost_reason)?;
        Ok(lead)
    }
}

/// A change of a lead's fields: what is given changes, what is absent stays; `null` clears an
/// optional field. The stage changes only by a [`StageMove`]; the customer or prospect only by
/// giving one of them (which replaces the other).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    #[serde(default)]
    pub prospect: Option<Prospect>,
    #[serde(default)]
    pub source: Option<Source>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<Money>)]
    pub estimated_value: Option<Option<Money>>,
    #[serde(default, deserialize_with = "date_patch")]
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_close: Option<Option<time::Date>>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub owner: Option<Option<String>>,
    /// Only while the lead is lost (it cannot be cleared there).
    #[serde(default)]
    pub lost_reason: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub lines: Option<Vec<QuotedLine>>,
}

fn date_patch<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<time::Date>>, D::Error> {
    ymd::option::deserialize(d).map(Some)
}

impl LeadPatch {
    /// Applies the patch to `lead`, checking each field.
    pub fn apply(self, lead: &mut Lead) -> Result<()> {
        if let Some(t) = self.title {
            lead.title = required_line("title", &t, TITLE_MAX)?;
        }
        match (self.customer_id, self.prospect) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "prospect",
                    "give either customer_id or prospect, not both",
                ));
            }
            (Some(c), None) => {
                lead.customer_id = Some(c);
                lead.prospect = None;
            }
            (None, Some(p)) => {
                lead.prospect = Some(p.validate("prospect")?);
                lead.customer_id = None;
            }
            (None, None) => {}
        }
        if let Some(s) = self.source {
            lead.source = s;
        }
        if let Some(v) = self.estimated_value {
            lead.estimated_value = value(v)?;
        }
        if let Some(d) = self.expected_close {
            lead.expected_close = d;
        }
        if let Some(o) = self.owner {
            lead.owner = username("owner", o)?;
        }
        if let Some(r) = self.lost_reason {
            if lead.status != LeadStatus::Lost {
                return Err(Error::invalid(
                    "lost_reason",
                    "only a lead in a lost stage has a lost reason",
                ));
            }
            lead.lost_reason = Some(required_text("lost_reason", &r, LOST_REASON_MAX)?);
        }
        if let Some(t) = self.tags {
            lead.tags = tags(t)?;
        }
        if let Some(l) = self.lines {
            lead.lines = lines(l)?;
        }
        Ok(())
    }
}

/// A move of a lead to another stage of its pipeline (the board's drag and drop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageMove {
    pub stage_id: Uuid,
    /// Required when the stage is a lost one (unless the lead already has one).
    #[serde(default)]
    pub lost_reason: Option<String>,
}

/// One recorded stage move, written by the server only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StageMoveRecord {
    /// Absent for the stage the lead was created in.
    pub from_stage_id: Option<Uuid>,
    pub to_stage_id: Uuid,
    pub actor: String,
    pub at: Timestamp,
}

/// Who owned a lead from when until when, written by the server only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = LeadAssignment)]
pub struct Assignment {
    /// Nobody, when the lead was left without an owner.
    pub owner: Option<String>,
    pub assigned_by: String,
    pub from: Timestamp,
    /// Absent for the current owner.
    pub until: Option<Timestamp>,
}

// ---------------------------------------------------------------------------------------------
// Conversion

/// What a conversion is asked to do besides attaching the customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertRequest {
    /// Open a draft order from the lead's quoted lines.
    #[serde(default)]
    pub create_draft_order: bool,
}

/// What a conversion did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Conversion {
    pub customer_id: Uuid,
    /// Whether this call created the customer (false when it matched or was given one, and
    /// on a repeated conversion).
    pub customer_created: bool,
    pub order_id: Option<Uuid>,
    pub lead: Lead,
}

// ---------------------------------------------------------------------------------------------
// Pipeline view

/// The leads of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StageSummary {
    pub stage_id: Uuid,
    pub name: String,
    pub probability: u8,
    pub status: LeadStatus,
    pub count: u64,
    /// Sum of the estimated values (a lead without one counts 0), EUR.
    pub value: Money,
    /// `value × probability / 100`, exact.
    pub weighted_value: Money,
}

/// The open leads of one owner (none: the unassigned ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OwnerSummary {
    pub owner: Option<String>,
    pub count: u64,
    pub value: Money,
    pub weighted_value: Money,
}

/// A pipeline's board in numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PipelineView {
    pub pipeline_id: Uuid,
    /// Every stage in board order, empty ones included.
    pub stages: Vec<StageSummary>,
    /// Open leads per owner, by owner name (unassigned last).
    pub owners: Vec<OwnerSummary>,
}

/// `value × probability / 100`, exactly.
pub fn weighted(value: Money, probability: u8) -> Result<Money> {
    // a product with zero is exact, but `Money::checked_mul` takes its lost scale for rounding
    if probability == 0 || value == Money::ZERO {
        return Ok(Money::ZERO);
    }
    value
        .checked_mul(Decimal::new(i64::from(probability), 2))
        .ok_or_else(|| crate::error::conflict("the weighted value does not fit in a decimal"))
}

/// Adds `b` to `a`, or a `Conflict` when the exact sum does not fit.
pub fn add(a: Money, b: Money) -> Result<Money> {
    a.checked_add(b)
        .ok_or_else(|| crate::error::conflict("the sum of values does not fit in a decimal"))
}

// ---------------------------------------------------------------------------------------------
// Lists

/// A position in the newest-first list of leads: the next page holds what comes strictly
/// after it. Clients see it as the cursor `<created_at>~<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Before {
    pub at: Timestamp,
    pub id: Uuid,
}

impl fmt::Display for Before {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}~{}", self.at, self.id)
    }
}

impl FromStr for Before {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<Self, Invalid> {
        let bad = || Invalid::new("cursor", "is not a cursor this API gave out");
        let (at, id) = s.split_once('~').ok_or_else(bad)?;
        Ok(Self {
            at: Timestamp::parse(at).map_err(|_| bad())?,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

/// Reads an optional cursor: absent or empty is the first page.
fn cursor<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Before>, D::Error> {
    let s = Option::<String>::deserialize(d)?.unwrap_or_default();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|e: Invalid| D::Error::custom(e.reason))
}

/// Filters of the list of leads, as a query string carries them (the doc comments are the
/// API's parameter descriptions). Every filter given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    /// Username of the owner.
    pub owner: Option<String>,
    pub status: Option<LeadStatus>,
    pub source: Option<Source>,
    /// A tag, ignoring case.
    pub tag: Option<String>,
    /// The customer it is about or was converted into.
    pub customer_id: Option<Uuid>,
    /// Words in the title or the prospect's name, ignoring case and accents.
    pub q: Option<String>,
    /// Page size (default 50, at most 500).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[serde(rename = "cursor", default, deserialize_with = "cursor")]
    #[param(rename = "cursor", value_type = Option<String>)]
    pub before: Option<Before>,
}

/// One page of a cursor-paged list, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CursorPage<T> {
    pub items: Vec<T>,
    /// Matches in all pages.
    pub total: u64,
    /// Where the next page starts (`cursor=`), absent on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(stages: &[(&str, u16, bool, bool)]) -> PipelineInput {
        PipelineInput {
            name: "P".into(),
            stages: stages
                .iter()
                .map(|&(name, probability, won, lost)| StageInput {
                    id: None,
                    name: name.into(),
                    probability,
                    won,
                    lost,
                })
                .collect(),
        }
    }

    fn field_of(r: Result<(String, Vec<Stage>)>) -> (String, String) {
        match r {
            Err(Error::Invalid { field, reason }) => (field, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_pipeline_needs_open_won_and_lost_stages() {
        let ok = [
            ("a", 10, false, false),
            ("w", 100, true, false),
            ("l", 0, false, true),
        ];
        assert!(input(&ok).validate(&[], Uuid::new_v4).is_ok());
        type Case<'a> = (&'a [(&'a str, u16, bool, bool)], &'a str, &'a str);
        let cases: &[Case<'_>] = &[
            (
                &[("w", 100, true, false), ("l", 0, false, true)],
                "stages",
                "needs at least one open stage",
            ),
            (
                &[("a", 1, false, false), ("l", 0, false, true)],
                "stages",
                "needs exactly one won stage",
            ),
            (
                &[
                    ("a", 1, false, false),
                    ("w", 100, true, false),
                    ("w2", 100, true, false),
                    ("l", 0, false, true),
                ],
                "stages",
                "needs exactly one won stage",
            ),
            (
                &[("a", 1, false, false), ("w", 100, true, false)],
                "stages",
                "needs at least one lost stage",
            ),
            (
                &[
                    ("a", 101, false, false),
                    ("w", 100, true, false),
                    ("l", 0, false, true),
                ],
                "stages[0].probability",
                "must be from 0 to 100",
            ),
            (
                &[
                    ("a", 1, false, false),
                    ("w", 100, true, true),
                    ("l", 0, false, true),
                ],
                "stages[1]",
                "a stage is won or lost, not both",
            ),
            (
                &[
                    ("Προσφορά", 1, false, false),
                    ("ΠΡΟΣΦΟΡΑ", 2, false, false),
                    ("w", 100, true, false),
                    ("l", 0, false, true),
                ],
                "stages[1].name",
                "another stage has this name",
            ),
            (
                &[
                    (" ", 1, false, false),
                    ("w", 100, true, false),
                    ("l", 0, false, true),
                ],
                "stages[0].name",
                "must not be empty",
            ),
        ];
        for (stages, field, reason) in cases {
            assert_eq!(
                field_of(input(stages).validate(&[], Uuid::new_v4)),
                ((*field).to_owned(), (*reason).to_owned()),
                "{stages:?}"
            );
        }
        let mut unknown = input(&ok);
        unknown.stages[2].id = Some(Uuid::from_u128(7));
        assert_eq!(
            field_of(unknown.validate(&[], Uuid::new_v4)).0,
            "stages[2].id"
        );
    }

    #[test]
    fn a_lead_reads_and_writes_its_json() {
        let new: NewLead = serde_json::from_str(
            r#"{"title": "Καμπάνα", "prospect": {"name": "π. Γεώργιος",
                "contacts": [{"kind": "mobile", "value": "6912345678", "normalized": "forged"}]},
                "source": "fair", "estimated_value": "12000.50", "expected_close": "2026-06-30",
                "lines": [{"description": "Καμπάνα", "quantity": 1, "unit_price": 0.45}]}"#,
        )
        .unwrap();
        assert_eq!(
            new.expected_close,
            Some(time::macros::date!(2026 - 06 - 30))
        );
        let stages = default_pipeline().validate(&[], Uuid::new_v4).unwrap().1;
        let pipeline = Pipeline {
            id: Uuid::nil(),
            name: "P".into(),
            is_default: true,
            stages,
            created_at: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
            updated_at: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
            version: 1,
        };
        let lead = new
            .into_lead(Uuid::nil(), &pipeline, pipeline.created_at)
            .unwrap();
        let json = serde_json::to_value(&lead).unwrap();
        assert_eq!(json["expected_close"], "2026-06-30");
        assert_eq!(json["estimated_value"].to_string(), "12000.5");
        assert_eq!(json["lines"][0]["unit_price"].to_string(), "0.45");
        assert_eq!(json["status"], "open");
        assert_eq!(
            json["prospect"]["contacts"][0]["normalized"],
            "+306912345678"
        );
        let back: Lead = serde_json::from_value(json).unwrap();
        assert_eq!(back, lead);

        let patch: LeadPatch =
            serde_json::from_str(r#"{"expected_close": null, "owner": null}"#).unwrap();
        assert_eq!(patch.expected_close, Some(None));
        assert_eq!(patch.owner, Some(None));
        assert_eq!(patch.estimated_value, None);
        assert!(serde_json::from_str::<LeadPatch>(r#"{"stage_id": null}"#).is_err());
        let q: ListQuery =
            serde_json::from_str(r#"{"status": "won", "source": "web", "cursor": ""}"#).unwrap();
        assert_eq!(
            (q.status, q.source, q.before),
            (Some(LeadStatus::Won), Some(Source::Web), None)
        );
    }

    #[test]
    fn weighted_values_are_exact() {
        let v = Money::parse("1234.57").unwrap();
        assert_eq!(weighted(v, 25).unwrap(), Money::parse("308.6425").unwrap());
        assert_eq!(weighted(v, 0).unwrap(), Money::ZERO);
        assert_eq!(weighted(v, 100).unwrap(), v);
    }

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let b = Before {
            at: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
            id: Uuid::from_u128(5),
        };
        assert_eq!(b.to_string().parse::<Before>().unwrap(), b);
        assert_eq!("nope".parse::<Before>().unwrap_err().field, "cursor");
    }
}
