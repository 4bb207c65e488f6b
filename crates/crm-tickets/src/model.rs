//! Tickets and what belongs to them, validated once when they come in.
//!
//! # Numbers
//!
//! `TCK-<year>-<NNNN>`: the year of `created_at` and a sequence of that year, at least four
//! digits (`TCK-2026-0001`, …, `TCK-2026-10000`). The server assigns it in the write that
//! stores the ticket; numbers are gapless within a year and never reused (tickets are never
//! deleted).
//!
//! # Status workflow
//!
//! `new → open → scheduled → in_progress → waiting_customer → resolved → closed`, with the
//! moves of [`Status::next`]:
//!
//! | from               | to                                                     |
//! |--------------------|--------------------------------------------------------|
//! | `new`              | `open`, `closed`                                       |
//! | `open`             | `scheduled`, `in_progress`, `resolved`, `closed`       |
//! | `scheduled`        | `in_progress`, `open` (visit called off), `closed`     |
//! | `in_progress`      | `waiting_customer`, `scheduled` (another visit), `resolved`, `closed` |
//! | `waiting_customer` | `in_progress`, `resolved`, `closed`                    |
//! | `resolved`         | `closed`, `open` (reopen)                              |
//! | `closed`           | `open` (reopen)                                        |
//!
//! Any ticket that is not closed can be closed (a duplicate, a call that needed nothing);
//! a question needs no visit, so `open → resolved` is allowed. Any other move is
//! `Error::Conflict` naming the current status and the allowed moves.
//!
//! # Customer
//!
//! A ticket's customer is set when it is created and never changes (a [`TicketPatch`] has no
//! `customer_id`): its activities are filed under that customer for the timeline.
//!
//! # Versions
//!
//! A ticket's `version` goes up when its fields, tags or linked entries change (what an
//! `If-Match` protects). Notes, visits and activities are records of their own and leave it
//! as it is; a visit has its own version.

use crm_core::Timestamp;
use crm_core::validate::{optional_line, optional_text, required_line, required_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use crm_core::Page;

use crate::error::{Error, Result, conflict};

pub const SUBJECT_MAX: usize = 300;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const USERNAME_MAX: usize = 100;
pub const SERIAL_MAX: usize = 100;
pub const TAG_MAX: usize = 50;
pub const TAGS_MAX: usize = 50;
pub const NOTE_MAX: usize = 20_000;
pub const ADDRESS_MAX: usize = 1_000;
pub const OUTCOME_MAX: usize = 20_000;
pub const PARTS_MAX: usize = 100;
pub const MACRO_NAME_MAX: usize = 100;
pub const MACRO_ACTIONS_MAX: usize = 50;
/// Page size of a list without `limit`, and the most a `limit` gives.
pub const LIST_DEFAULT: u32 = 50;
pub const LIST_MAX: u32 = 500;

/// Where a ticket is in its life; see the module documentation for the moves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TicketStatus)]
pub enum Status {
    #[default]
    New,
    Open,
    Scheduled,
    InProgress,
    WaitingCustomer,
    Resolved,
    Closed,
}

crm_core::names!(Status {
    New = "new",
    Open = "open",
    Scheduled = "scheduled",
    InProgress = "in_progress",
    WaitingCustomer = "waiting_customer",
    Resolved = "resolved",
    Closed = "closed",
});

impl Status {
    /// The statuses a ticket in this status may move to.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Open, Closed],
            Open => &[Scheduled, InProgress, Resolved, Closed],
            Scheduled => &[InProgress, Open, Closed],
            InProgress => &[WaitingCustomer, Scheduled, Resolved, Closed],
            WaitingCustomer => &[InProgress, Resolved, Closed],
            Resolved => &[Closed, Open],
            Closed => &[Open],
        }
    }

    pub fn can_become(self, to: Status) -> bool {
        self.next().contains(&to)
    }

    /// Resolved or closed: no longer waiting for anyone (not overdue, not "open").
    pub fn is_done(self) -> bool {
        matches!(self, Status::Resolved | Status::Closed)
    }

    /// `Conflict` naming this status when it may not move to `to`.
    pub fn check_move(self, to: Status) -> Result<()> {
        if self == to || self.can_become(to) {
            return Ok(());
        }
        let allowed: Vec<_> = self.next().iter().map(|s| s.as_str()).collect();
        Err(conflict(format!(
            "the ticket is {self}: it cannot become {to} (allowed: {})",
            allowed.join(", ")
        )))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

crm_core::names!(Priority {
    Low = "low",
    Normal = "normal",
    High = "high",
    Urgent = "urgent",
});

/// What the ticket is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TicketKind)]
pub enum Kind {
    Repair,
    Installation,
    Maintenance,
    Question,
    Complaint,
}

crm_core::names!(Kind {
    Repair = "repair",
    Installation = "installation",
    Maintenance = "maintenance",
    Question = "question",
    Complaint = "complaint",
});

/// Who may see a note: the team only, or it is what the customer was told.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Internal,
    Customer,
}

crm_core::names!(Visibility {
    Internal = "internal",
    Customer = "customer",
});

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    #[default]
    Scheduled,
    Completed,
    Cancelled,
}

crm_core::names!(VisitStatus {
    Scheduled = "scheduled",
    Completed = "completed",
    Cancelled = "cancelled",
});

/// A ticket as stored, with its tags and linked comms entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Ticket {
    pub id: Uuid,
    /// `TCK-<year>-<NNNN>`, server-assigned.
    pub number: String,
    pub customer_id: Uuid,
    pub subject: String,
    pub description: Option<String>,
    pub status: Status,
    pub priority: Priority,
    pub kind: Kind,
    /// Username of who works on it.
    pub assignee: Option<String>,
    pub due_at: Option<Timestamp>,
    pub owned_item_serial: Option<String>,
    pub order_id: Option<Uuid>,
    /// Tag names, in name order (ignoring case).
    pub tags: Vec<String>,
    /// The comms entries it came from or was linked to, oldest link first.
    pub linked_entry_ids: Vec<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// `TCK-2026-0042`.
pub fn ticket_number(year: i32, seq: i64) -> String {
    format!("TCK-{year}-{seq:04}")
}

/// A new ticket as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub customer_id: Uuid,
    pub subject: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `new` when absent.
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub due_at: Option<Timestamp>,
    #[serde(default)]
    pub owned_item_serial: Option<String>,
    #[serde(default)]
    pub order_id: Option<Uuid>,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl NewTicket {
    /// The ticket this describes, validated; `number` is left empty for the store.
    pub fn into_ticket(self, id: Uuid, now: Timestamp) -> Result<Ticket> {
        let status = self.status.unwrap_or_default();
        if !matches!(status, Status::New | Status::Open) {
            return Err(Error::invalid("status", "a new ticket is new or open"));
        }
        Ok(Ticket {
            id,
            number: String::new(),
            customer_id: self.customer_id,
            subject: required_line("subject", &self.subject, SUBJECT_MAX)?,
            description: optional_text("description", self.description, DESCRIPTION_MAX)?,
            status,
            priority: self.priority.unwrap_or_default(),
            kind: self
                .kind
                .ok_or_else(|| Error::invalid("kind", "is required"))?,
            assignee: username("assignee", self.assignee)?,
            due_at: self.due_at,
            owned_item_serial: optional_line(
                "owned_item_serial",
                self.owned_item_serial,
                SERIAL_MAX,
            )?,
            order_id: self.order_id,
            tags: tags(self.tags)?,
            linked_entry_ids: Vec::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

fn username(field: &str, raw: Option<String>) -> Result<Option<String>> {
    Ok(optional_line(field, raw, USERNAME_MAX)?)
}

/// One tag name, trimmed and checked.
pub fn tag_name(field: &str, raw: &str) -> Result<String> {
    Ok(required_line(field, raw, TAG_MAX)?)
}

/// The key tags are unique by: the name in lower case.
pub fn tag_key(name: &str) -> String {
    name.to_lowercase()
}

/// Tag names checked (`tags[i]`), without duplicates ignoring case, in key order.
fn tags(raw: Vec<String>) -> Result<Vec<String>> {
    crm_core::validate::check_count("tags", raw.len(), TAGS_MAX)?;
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let t = tag_name(&format!("tags[{i}]"), t)?;
        add_tag(&mut out, t);
    }
    Ok(out)
}

/// Adds `tag` unless a tag equal ignoring case is there; true when added.
pub(crate) fn add_tag(tags: &mut Vec<String>, tag: String) -> bool {
    let key = tag_key(&tag);
    if tags.iter().any(|t| tag_key(t) == key) {
        return false;
    }
    tags.push(tag);
    tags.sort_by_key(|t| tag_key(t));
    true
}

/// Removes the tag equal to `tag` ignoring case; the name removed.
pub(crate) fn remove_tag(tags: &mut Vec<String>, tag: &str) -> Option<String> {
    let key = tag_key(tag);
    let at = tags.iter().position(|t| tag_key(t) == key)?;
    Some(tags.remove(at))
}

/// A change of a ticket's fields: what is given changes, what is absent stays. `Some(None)`
/// (JSON `null`) clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub kind: Option<Kind>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<Timestamp>)]
    pub due_at: Option<Option<Timestamp>>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub owned_item_serial: Option<Option<String>>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub order_id: Option<Option<Uuid>>,
}

impl TicketPatch {
    /// Applies the patch to `ticket`, checking each field and the status move; the activities
    /// the change records (status, assignee, priority).
    pub fn apply(self, ticket: &mut Ticket) -> Result<Vec<ActivityKind>> {
        let mut done = Vec::new();
        if let Some(s) = self.subject {
            ticket.subject = required_line("subject", &s, SUBJECT_MAX)?;
        }
        if let Some(d) = self.description {
            ticket.description = optional_text("description", d, DESCRIPTION_MAX)?;
        }
        if let Some(k) = self.kind {
            ticket.kind = k;
        }
        if let Some(d) = self.due_at {
            ticket.due_at = d;
        }
        if let Some(s) = self.owned_item_serial {
            ticket.owned_item_serial = optional_line("owned_item_serial", s, SERIAL_MAX)?;
        }
        if let Some(o) = self.order_id {
            ticket.order_id = o;
        }
        if let Some(to) = self.status {
            done.extend(set_status(ticket, to)?);
        }
        if let Some(p) = self.priority {
            done.extend(set_priority(ticket, p));
        }
        if let Some(a) = self.assignee {
            done.extend(set_assignee(ticket, a)?);
        }
        Ok(done)
    }
}

pub(crate) fn set_status(ticket: &mut Ticket, to: Status) -> Result<Option<ActivityKind>> {
    let from = ticket.status;
    from.check_move(to)?;
    if from == to {
        return Ok(None);
    }
    ticket.status = to;
    Ok(Some(ActivityKind::StatusChanged { from, to }))
}

pub(crate) fn set_priority(ticket: &mut Ticket, to: Priority) -> Option<ActivityKind> {
    let from = ticket.priority;
    if from == to {
        return None;
    }
    ticket.priority = to;
    Some(ActivityKind::PriorityChanged { from, to })
}

pub(crate) fn set_assignee(
    ticket: &mut Ticket,
    to: Option<String>,
) -> Result<Option<ActivityKind>> {
    let to = username("assignee", to)?;
    if ticket.assignee == to {
        return Ok(None);
    }
    let from = std::mem::replace(&mut ticket.assignee, to.clone());
    Ok(Some(ActivityKind::Assigned { from, to }))
}

/// What happened to a ticket; stored as JSON with `kind` naming the variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActivityKind {
    Created,
    StatusChanged {
        from: Status,
        to: Status,
    },
    Assigned {
        from: Option<String>,
        to: Option<String>,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    VisitScheduled {
        visit_id: Uuid,
    },
    VisitCompleted {
        visit_id: Uuid,
    },
    VisitCancelled {
        visit_id: Uuid,
    },
    CommentAdded {
        note_id: Uuid,
        visibility: Visibility,
    },
    EntryLinked {
        entry_id: Uuid,
    },
    TagAdded {
        tag: String,
    },
    TagRemoved {
        tag: String,
    },
    MacroApplied {
        macro_id: Uuid,
        name: String,
    },
}

impl ActivityKind {
    /// The storage name of the variant (`status_changed`).
    pub fn as_str(&self) -> &'static str {
        match self {
            ActivityKind::Created => "created",
            ActivityKind::StatusChanged { .. } => "status_changed",
            ActivityKind::Assigned { .. } => "assigned",
            ActivityKind::PriorityChanged { .. } => "priority_changed",
            ActivityKind::VisitScheduled { .. } => "visit_scheduled",
            ActivityKind::VisitCompleted { .. } => "visit_completed",
            ActivityKind::VisitCancelled { .. } => "visit_cancelled",
            ActivityKind::CommentAdded { .. } => "comment_added",
            ActivityKind::EntryLinked { .. } => "entry_linked",
            ActivityKind::TagAdded { .. } => "tag_added",
            ActivityKind::TagRemoved { .. } => "tag_removed",
            ActivityKind::MacroApplied { .. } => "macro_applied",
        }
    }
}

/// One entry of a ticket's activity stream, written by the server only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    /// Append order over all tickets.
    pub seq: i64,
    pub ticket_id: Uuid,
    /// Username of who did it.
    pub actor: String,
    pub at: Timestamp,
    #[serde(flatten)]
    pub what: ActivityKind,
}

/// An entry of a customer's timeline: a ticket created or moved, a visit scheduled, done or
/// called off. Newest first, paged by `(at, seq)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketEvent {
    pub seq: i64,
    pub at: Timestamp,
    pub ticket_id: Uuid,
    pub number: String,
    pub subject: String,
    pub actor: String,
    #[serde(flatten)]
    pub what: ActivityKind,
}

/// A note on a ticket: internal, or what the customer was told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = TicketNote)]
pub struct Note {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub visibility: Visibility,
    pub author: String,
    pub text: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewTicketNote)]
pub struct NewNote {
    #[serde(default)]
    pub visibility: Visibility,
    pub text: String,
}

impl NewNote {
    pub fn into_note(self, id: Uuid, ticket_id: Uuid, author: &str, at: Timestamp) -> Result<Note> {
        Ok(Note {
            id,
            ticket_id,
            visibility: self.visibility,
            author: author.to_owned(),
            text: required_text("text", &self.text, NOTE_MAX)?,
            at,
        })
    }
}

/// A part a technician used on a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub product_id: Uuid,
    /// A positive number of units.
    pub quantity: i64,
}

/// An on-site visit of a technician.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Visit {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// Username of the technician.
    pub technician: String,
    pub address: Option<String>,
    pub status: VisitStatus,
    pub outcome: Option<String>,
    /// Parts used (taken from stock when the visit was completed).
    pub parts: Vec<Part>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A visit to schedule. The gateway fills `address` with the customer's location when the
/// client leaves it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub technician: String,
    #[serde(default)]
    pub address: Option<String>,
}

impl NewVisit {
    pub fn into_visit(self, id: Uuid, ticket_id: Uuid, now: Timestamp) -> Result<Visit> {
        let technician = required_line("technician", &self.technician, USERNAME_MAX)?;
        if self.ends_at <= self.starts_at {
            return Err(Error::invalid("ends_at", "must be after starts_at"));
        }
        Ok(Visit {
            id,
            ticket_id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            technician,
            address: optional_text("address", self.address, ADDRESS_MAX)?,
            status: VisitStatus::Scheduled,
            outcome: None,
            parts: Vec::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// Where a completed visit's parts come out of stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartsStock {
    /// From the products in this database, in the completion's own transaction.
    Here,
    /// Already taken by the caller from a stock kept elsewhere (products in Firestore): the
    /// visit records its parts and leaves this database's products alone.
    TakenElsewhere,
}

/// How a visit went: the outcome and the parts used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitCompletion {
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub parts: Vec<Part>,
    /// Take the parts even when that eats into stock reserved for orders (never below zero
    /// units on hand: the database cannot count those).
    #[serde(default)]
    pub allow_negative_stock: bool,
}

impl VisitCompletion {
    /// Checks the fields; the same product named twice is one part with the sum.
    pub fn validate(mut self) -> Result<Self> {
        self.outcome = optional_text("outcome", self.outcome, OUTCOME_MAX)?;
        crm_core::validate::check_count("parts", self.parts.len(), PARTS_MAX)?;
        let mut parts: Vec<Part> = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            if p.quantity <= 0 {
                return Err(Error::invalid(
                    format!("parts[{i}].quantity"),
                    "must be a positive whole number",
                ));
            }
            match parts.iter_mut().find(|q| q.product_id == p.product_id) {
                Some(q) => q.quantity = q.quantity.saturating_add(p.quantity),
                None => parts.push(*p),
            }
        }
        self.parts = parts;
        Ok(self)
    }
}

/// A ticket with its visits (the history of a serial).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketWithVisits {
    pub ticket: Ticket,
    pub visits: Vec<Visit>,
}

/// A tag and how many tickets carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tag {
    pub name: String,
    pub tickets: u64,
}

/// One step of a macro.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum MacroAction {
    SetStatus {
        status: Status,
    },
    SetPriority {
        priority: Priority,
    },
    /// `null` unassigns.
    SetAssignee {
        assignee: Option<String>,
    },
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    /// A note whose `{customer}` and `{ticket}` are replaced by the customer's name and the
    /// ticket's number.
    AddNote {
        template: String,
        #[serde(default)]
        visibility: Visibility,
    },
}

/// A named, saved list of actions applied to a ticket in one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Macro {
    pub id: Uuid,
    pub name: String,
    pub actions: Vec<MacroAction>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMacro {
    pub name: String,
    pub actions: Vec<MacroAction>,
}

impl NewMacro {
    pub fn into_macro(self, id: Uuid, now: Timestamp) -> Result<Macro> {
        let name = required_line("name", &self.name, MACRO_NAME_MAX)?;
        if self.actions.is_empty() {
            return Err(Error::invalid("actions", "must not be empty"));
        }
        crm_core::validate::check_count("actions", self.actions.len(), MACRO_ACTIONS_MAX)?;
        let mut actions = Vec::with_capacity(self.actions.len());
        for (i, a) in self.actions.into_iter().enumerate() {
            let at = |f: &str| format!("actions[{i}].{f}");
            actions.push(match a {
                MacroAction::SetAssignee { assignee } => MacroAction::SetAssignee {
                    assignee: username(&at("assignee"), assignee)?,
                },
                MacroAction::AddTag { tag } => MacroAction::AddTag {
                    tag: tag_name(&at("tag"), &tag)?,
                },
                MacroAction::RemoveTag { tag } => MacroAction::RemoveTag {
                    tag: tag_name(&at("tag"), &tag)?,
                },
                MacroAction::AddNote {
                    template,
                    visibility,
                } => MacroAction::AddNote {
                    template: required_text(&at("template"), &template, NOTE_MAX)?,
                    visibility,
                },
                other => other,
            });
        }
        Ok(Macro {
            id,
            name,
            actions,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// `template` with `{customer}` and `{ticket}` filled in.
pub fn fill_template(template: &str, customer: &str, ticket: &str) -> String {
    template
        .replace("{customer}", customer)
        .replace("{ticket}", ticket)
}

/// The order of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// Soonest due first; tickets without a due date last, newest first among them.
    Due,
}

/// Which tickets a list returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// Any of these statuses (none: all).
    pub status: Vec<Status>,
    pub assignee: Option<String>,
    pub priority: Option<Priority>,
    /// Tag name, ignoring case.
    pub tag: Option<String>,
    pub customer_id: Option<Uuid>,
    /// Only tickets due before now that are neither resolved nor closed.
    pub overdue: bool,
    pub sort: Sort,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl ListQuery {
    pub fn effective_limit(&self) -> u32 {
        crm_core::PageSize {
            default: LIST_DEFAULT,
            max: LIST_MAX,
        }
        .of(self.limit)
    }

    pub fn effective_offset(&self) -> u32 {
        self.offset.unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transition_table_is_exactly_the_documented_one() {
        use Status::*;
        let allowed = [
            (New, Open),
            (New, Closed),
            (Open, Scheduled),
            (Open, InProgress),
            (Open, Resolved),
            (Open, Closed),
            (Scheduled, InProgress),
            (Scheduled, Open),
            (Scheduled, Closed),
            (InProgress, WaitingCustomer),
            (InProgress, Scheduled),
            (InProgress, Resolved),
            (InProgress, Closed),
            (WaitingCustomer, InProgress),
            (WaitingCustomer, Resolved),
            (WaitingCustomer, Closed),
            (Resolved, Closed),
            (Resolved, Open),
            (Closed, Open),
        ];
        for &from in Status::ALL {
            for &to in Status::ALL {
                assert_eq!(
                    from.can_become(to),
                    allowed.contains(&(from, to)),
                    "{from} → {to}"
                );
            }
            if from != Closed {
                assert!(from.can_become(Closed), "{from} can be closed");
            }
        }
    }

    #[test]
    fn a_refused_move_names_the_current_status() {
        let e = Status::Closed.check_move(Status::Resolved).unwrap_err();
        match e {
            Error::Conflict { message } => {
                assert!(message.contains("is closed"), "{message}");
                assert!(message.contains("allowed: open"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numbers_have_at_least_four_digits() {
        assert_eq!(ticket_number(2026, 7), "TCK-2026-0007");
        assert_eq!(ticket_number(2026, 12345), "TCK-2026-12345");
    }

    #[test]
    fn templates_fill_customer_and_ticket() {
        assert_eq!(
            fill_template(
                "Dear {customer}, about {ticket}: {ticket}",
                "Ι.Ν. Αγ. Νικολάου",
                "TCK-2026-0001"
            ),
            "Dear Ι.Ν. Αγ. Νικολάου, about TCK-2026-0001: TCK-2026-0001"
        );
    }

    #[test]
    fn tags_are_unique_ignoring_case() {
        let t = tags(vec![
            "Warranty".into(),
            "warranty".into(),
            "ΚΑΜΠΑΝΑ".into(),
            "καμπανα".into(),
        ])
        .unwrap();
        assert_eq!(t, vec!["Warranty", "ΚΑΜΠΑΝΑ"]);
        let e = tags(vec!["ok".into(), " ".into()]).unwrap_err();
        assert!(matches!(e, Error::Invalid { field, .. } if field == "tags[1]"));
    }

    #[test]
    fn validation_names_the_json_path_of_the_first_bad_field() {
        let now = Timestamp::parse("2026-03-01T10:00:00Z").unwrap();
        let new = NewTicket {
            subject: "a\nb".into(),
            kind: Some(Kind::Repair),
            ..NewTicket::default()
        };
        let e = new.into_ticket(Uuid::nil(), now).unwrap_err();
        assert!(matches!(e, Error::Invalid { field, .. } if field == "subject"));
        let long = NewTicket {
            subject: "x".repeat(301),
            kind: Some(Kind::Repair),
            ..NewTicket::default()
        };
        assert!(
            matches!(long.into_ticket(Uuid::nil(), now), Err(Error::Invalid { field, .. }) if field == "subject")
        );
        let visit = NewVisit {
            starts_at: now,
            ends_at: now,
            technician: "nikos".into(),
            address: None,
        };
        assert!(
            matches!(visit.into_visit(Uuid::nil(), Uuid::nil(), now), Err(Error::Invalid { field, .. }) if field == "ends_at")
        );
        let parts = VisitCompletion {
            parts: vec![
                Part {
                    product_id: Uuid::nil(),
                    quantity: 1,
                },
                Part {
                    product_id: Uuid::nil(),
                    quantity: 0,
                },
            ],
            ..VisitCompletion::default()
        };
        assert!(
            matches!(parts.validate(), Err(Error::Invalid { field, .. }) if field == "parts[1].quantity")
        );
        let m = NewMacro {
            name: "Close".into(),
            actions: vec![
                MacroAction::SetStatus {
                    status: Status::Closed,
                },
                MacroAction::AddTag { tag: "".into() },
            ],
        };
        assert!(
            matches!(m.into_macro(Uuid::nil(), now), Err(Error::Invalid { field, .. }) if field == "actions[1].tag")
        );
    }

    #[test]
    fn the_wire_shapes_of_activities_macros_and_patches() {
        let a = Activity {
            seq: 7,
            ticket_id: Uuid::nil(),
            actor: "maria".into(),
            at: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
            what: ActivityKind::StatusChanged {
                from: Status::New,
                to: Status::Open,
            },
        };
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "seq": 7,
                "ticket_id": Uuid::nil(),
                "actor": "maria",
                "at": "2026-03-01T10:00:00.000000Z",
                "kind": "status_changed",
                "from": "new",
                "to": "open",
            })
        );
        assert_eq!(serde_json::from_value::<Activity>(json).unwrap(), a);

        let actions: Vec<MacroAction> = serde_json::from_str(
            r#"[{"action": "set_status", "status": "waiting_customer"},
                {"action": "set_assignee", "assignee": null},
                {"action": "add_note", "template": "Dear {customer}"}]"#,
        )
        .unwrap();
        assert_eq!(
            actions,
            vec![
                MacroAction::SetStatus {
                    status: Status::WaitingCustomer
                },
                MacroAction::SetAssignee { assignee: None },
                MacroAction::AddNote {
                    template: "Dear {customer}".into(),
                    visibility: Visibility::Internal
                },
            ]
        );

        let patch: TicketPatch =
            serde_json::from_str(r#"{"assignee": null, "priority": "urgent"}"#).unwrap();
        assert_eq!(patch.assignee, Some(None));
        assert_eq!(patch.due_at, None);
        assert_eq!(patch.priority, Some(Priority::Urgent));
        assert!(serde_json::from_str::<TicketPatch>(r#"{"number": "TCK-1"}"#).is_err());
    }
}
