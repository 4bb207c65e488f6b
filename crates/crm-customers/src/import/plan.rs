//! Every row's outcome, decided without writing: the rows as customers, matched against the
//! existing ones and against the rows above them (the rules are in the [module
//! docs](super)).

use std::collections::HashMap;

use crm_core::Timestamp;
use crm_core::text::fold;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::decode::Record;
use super::mapping::Field;
use crate::error::{Error, Result};
use crate::model::{ContactInput, ContactType, Customer, NewCustomer, NoteInput, tag_key};

/// How rows find the customer they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum MatchKey {
    /// Any phone number (E.164) or e-mail address (lower case) in common; a row without
    /// contacts by its name and organization (folded).
    #[default]
    Contacts,
    /// The value of this column (0-based), compared with the field it is mapped to: folded for
    /// name, organization, city and region, normalised for contact columns.
    Column { column: usize },
}

/// What happens to one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A new customer.
    Create,
    /// An existing customer gains what the row adds; `fields` names the changed fields
    /// (`contacts`, `tags`, `notes`, `organization`, `location.city`, `location.region`).
    Update {
        customer_id: Uuid,
        fields: Vec<String>,
    },
    /// An existing customer already has everything the row says (a re-run of a file).
    Unchanged { customer_id: Uuid },
    /// The same customer as an earlier row of the file (its spreadsheet row number); nothing
    /// of this row is imported.
    Skip { duplicate_of: u32 },
    /// The row cannot be imported: `column` is the header of the offending column (or the
    /// field's name when no column is mapped to it).
    Error { column: String, reason: String },
}

impl Outcome {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update { .. } => "update",
            Self::Unchanged { .. } => "unchanged",
            Self::Skip { .. } => "skip",
            Self::Error { .. } => "error",
        }
    }
}

/// One row and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowPlan {
    /// As a spreadsheet numbers it (the header is row 1).
    pub row: u32,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// How many rows have each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    pub rows: u64,
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub skip: u64,
    pub error: u64,
}

impl Totals {
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Self {
        let mut t = Self::default();
        for o in outcomes {
            t.rows += 1;
            *match o {
                Outcome::Create => &mut t.create,
                Outcome::Update { .. } => &mut t.update,
                Outcome::Unchanged { .. } => &mut t.unchanged,
                Outcome::Skip { .. } => &mut t.skip,
                Outcome::Error { .. } => &mut t.error,
            } += 1;
        }
        t
    }
}

/// A row as the customer it would become, with the keys it is matched by.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub customer: Customer,
    keys: Vec<String>,
}

/// Checks the mapping against the header: one entry per column, single fields once; when
/// `complete`, also a column for the name (or organization) and a key column that exists and
/// can be compared.
pub(crate) fn check_mapping(
    headers: &[String],
    mapping: &[Field],
    key: MatchKey,
    complete: bool,
) -> Result<()> {
    if mapping.len() != headers.len() {
        return Err(Error::invalid(
            "mapping",
            format!(
                "has {} entries for {} columns",
                mapping.len(),
                headers.len()
            ),
        ));
    }
    for (i, f) in mapping.iter().enumerate() {
        if f.is_single() && mapping[..i].contains(f) {
            return Err(Error::invalid(
                format!("mapping[{i}]"),
                format!("`{}` is mapped to more than one column", f.as_str()),
            ));
        }
    }
    if !complete {
        return Ok(());
    }
    if !mapping
        .iter()
        .any(|f| matches!(f, Field::Name | Field::Organization))
    {
        return Err(Error::invalid(
            "mapping",
            "maps no column to `name` or `organization`",
        ));
    }
    if let MatchKey::Column { column } = key {
        match mapping.get(column) {
            None => {
                return Err(Error::invalid(
                    "key.column",
                    format!("there is no column {column}"),
                ));
            }
            Some(Field::Tags | Field::Notes | Field::Language | Field::Ignore) => {
                return Err(Error::invalid(
                    "key.column",
                    "must be mapped to name, organization, city, region or a contact",
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn column_name(headers: &[String], col: usize) -> String {
    match headers.get(col).map(|h| h.trim()) {
        Some(h) if !h.is_empty() => h.to_owned(),
        _ => format!("column {}", col + 1),
    }
}

fn split_list<'a>(cell: &'a str, seps: &'a [char]) -> impl Iterator<Item = &'a str> {
    cell.split(seps).map(str::trim).filter(|s| !s.is_empty())
}

/// The row as a new customer (nil id), or the column at fault.
pub(crate) fn draft(
    headers: &[String],
    mapping: &[Field],
    key: MatchKey,
    record: &Record,
    now: Timestamp,
    by: &str,
) -> Result<Draft, (String, String)> {
    let mut new = NewCustomer::default();
    let (mut name_col, mut org_col, mut city_col, mut region_col, mut lang_col) =
        (None, None, None, None, None);
    let mut contact_cols = Vec::new();
    let mut tag_cols = Vec::new();
    let mut note_cols = Vec::new();
    for (col, (field, cell)) in mapping.iter().zip(&record.cells).enumerate() {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match field {
            Field::Name => (new.name, name_col) = (cell.to_owned(), Some(col)),
            Field::Organization => {
                (new.organization, org_col) = (Some(cell.to_owned()), Some(col));
            }
            Field::City => (new.location.city, city_col) = (Some(cell.to_owned()), Some(col)),
            Field::Region => {
                (new.location.region, region_col) = (Some(cell.to_owned()), Some(col));
            }
            Field::Language => (new.language, lang_col) = (Some(cell.to_owned()), Some(col)),
            Field::Phone | Field::Mobile | Field::Email | Field::Whatsapp => {
                let (kind, label) = match field {
                    Field::Email => (ContactType::Email, None),
                    Field::Whatsapp => (ContactType::Whatsapp, None),
                    Field::Mobile => (ContactType::Phone, Some("κινητό".to_owned())),
                    _ => (ContactType::Phone, None),
                };
                for value in split_list(cell, &[',', ';']) {
                    new.contacts.push(ContactInput {
                        kind,
                        label: label.clone(),
                        value: value.to_owned(),
                        primary: false,
                    });
                    contact_cols.push(col);
                }
            }
            Field::Tags => {
                for tag in split_list(cell, &[',', ';', '|']) {
                    new.tags.push(tag.to_owned());
                    tag_cols.push(col);
                }
            }
            Field::Notes => {
                new.notes.push(NoteInput {
                    text: cell.to_owned(),
                    by: by.to_owned(),
                    at: Some(now),
                });
                note_cols.push(col);
            }
            Field::Ignore => {}
        }
    }
    if new.name.is_empty() {
        match &new.organization {
            Some(org) => (new.name, name_col) = (org.clone(), org_col),
            None => {
                let col = mapping.iter().position(|f| *f == Field::Name);
                let column = col.map_or_else(|| "name".to_owned(), |c| column_name(headers, c));
                return Err((
                    column,
                    "is empty: a row needs a name or an organization".into(),
                ));
            }
        }
    }
    let customer = new.into_customer(Uuid::nil(), now).map_err(|e| match e {
        Error::Invalid { field, reason } => {
            let indexed = |prefix: &str, cols: &[usize]| -> Option<usize> {
                let rest = field.strip_prefix(prefix)?;
                let i: usize = rest.split(']').next()?.parse().ok()?;
                cols.get(i).copied()
            };
            let col = match field.as_str() {
                "name" => name_col,
                "organization" => org_col,
                "location.city" => city_col,
                "location.region" => region_col,
                "language" => lang_col,
                _ => indexed("contacts[", &contact_cols)
                    .or_else(|| indexed("tags[", &tag_cols))
                    .or_else(|| indexed("notes[", &note_cols)),
            };
            (col.map_or(field, |c| column_name(headers, c)), reason)
        }
        other => ("row".to_owned(), other.to_string()),
    })?;
    let keys = match key {
        MatchKey::Contacts => {
            let mut keys = contact_keys(&customer);
            if keys.is_empty() {
                keys.push(name_key(&customer));
            }
            keys
        }
        MatchKey::Column { column } => column_keys(mapping.get(column).copied(), &customer, |k| {
            contact_cols.get(k) == Some(&column)
        }),
    };
    Ok(Draft { customer, keys })
}

fn contact_key(kind: ContactType, normalized: String) -> Option<String> {
    match kind {
        ContactType::Email => Some(format!("e:{normalized}")),
        ContactType::Phone | ContactType::Whatsapp => Some(format!("p:{normalized}")),
        ContactType::Other => None,
    }
}

fn contact_keys(c: &Customer) -> Vec<String> {
    c.contacts
        .iter()
        .filter_map(|k| contact_key(k.kind, k.normalized()))
        .collect()
}

fn name_key(c: &Customer) -> String {
    format!(
        "n:{}\u{1}{}",
        fold(c.name.trim()),
        fold(c.organization.as_deref().unwrap_or("").trim())
    )
}

/// The keys of `c` for a key column holding `field`; `mine(i)` tells whether contact `i`
/// came from that column (for a row; for an existing customer every contact of the kind).
fn column_keys(field: Option<Field>, c: &Customer, mine: impl Fn(usize) -> bool) -> Vec<String> {
    let folded = |v: Option<&str>| {
        v.map(|v| fold(v.trim()))
            .filter(|v| !v.is_empty())
            .map(|v| format!("k:{v}"))
            .into_iter()
            .collect()
    };
    match field {
        Some(Field::Name) => folded(Some(&c.name)),
        Some(Field::Organization) => folded(c.organization.as_deref()),
        Some(Field::City) => folded(c.location.city.as_deref()),
        Some(Field::Region) => folded(c.location.region.as_deref()),
        Some(Field::Phone | Field::Mobile | Field::Email | Field::Whatsapp) => c
            .contacts
            .iter()
            .enumerate()
            .filter(|(i, _)| mine(*i))
            .filter_map(|(_, k)| contact_key(k.kind, k.normalized()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The existing customers by the keys rows are matched with; of several with one key, the
/// one created first.
pub(crate) struct Index {
    customers: Vec<Customer>,
    by_key: HashMap<String, usize>,
}

impl Index {
    pub fn new(mut customers: Vec<Customer>, mapping: &[Field], key: MatchKey) -> Self {
        customers.sort_by_key(|c| (c.created_at, c.id));
        let mut by_key = HashMap::with_capacity(customers.len() * 2);
        for (i, c) in customers.iter().enumerate() {
            let keys = match key {
                MatchKey::Contacts => {
                    let mut keys = contact_keys(c);
                    keys.push(name_key(c));
                    keys
                }
                MatchKey::Column { column } => {
                    let field = mapping.get(column).copied();
                    let want_email = field == Some(Field::Email);
                    column_keys(field, c, |k| {
                        c.contacts.get(k).is_some_and(|x| {
                            (x.kind == ContactType::Email) == want_email
                                && x.kind != ContactType::Other
                        })
                    })
                }
            };
            for k in keys {
                by_key.entry(k).or_insert(i);
            }
        }
        Self { customers, by_key }
    }

    fn find(&self, keys: &[String]) -> Option<&Customer> {
        keys.iter()
            .find_map(|k| self.by_key.get(k))
            .and_then(|i| self.customers.get(*i))
    }
}

/// The plan of a whole file: each row's outcome and the record it writes (a new customer with
/// a nil id, or the merged one at its next version).
pub(crate) struct Planned {
    pub rows: Vec<RowPlan>,
    pub writes: Vec<Option<Customer>>,
}

pub(crate) struct Input<'a> {
    pub headers: &'a [String],
    pub mapping: &'a [Field],
    pub key: MatchKey,
    pub now: Timestamp,
    pub by: &'a str,
}

pub(crate) fn plan(input: &Input<'_>, records: &[Record], index: &Index) -> Planned {
    let mut seen: HashMap<String, u32> = HashMap::with_capacity(records.len() * 2);
    let mut claimed: HashMap<Uuid, u32> = HashMap::new();
    let mut rows = Vec::with_capacity(records.len());
    let mut writes = Vec::with_capacity(records.len());
    for record in records {
        let (outcome, write) = match draft(
            input.headers,
            input.mapping,
            input.key,
            record,
            input.now,
            input.by,
        ) {
            Err((column, reason)) => (Outcome::Error { column, reason }, None),
            Ok(d) => match d.keys.iter().find_map(|k| seen.get(k)) {
                Some(first) => (
                    Outcome::Skip {
                        duplicate_of: *first,
                    },
                    None,
                ),
                None => {
                    for k in &d.keys {
                        seen.insert(k.clone(), record.row);
                    }
                    match index.find(&d.keys) {
                        Some(current) => match claimed.get(&current.id) {
                            Some(first) => (
                                Outcome::Skip {
                                    duplicate_of: *first,
                                },
                                None,
                            ),
                            None => {
                                claimed.insert(current.id, record.row);
                                merge(current, d.customer, input.now)
                            }
                        },
                        None => (Outcome::Create, Some(d.customer)),
                    }
                }
            },
        };
        rows.push(RowPlan {
            row: record.row,
            outcome,
        });
        writes.push(write);
    }
    Planned { rows, writes }
}

/// The merge rules: fill what is empty, add what is missing, never remove or overwrite.
fn merge(current: &Customer, row: Customer, now: Timestamp) -> (Outcome, Option<Customer>) {
    let mut next = current.clone();
    let mut fields = Vec::new();
    let mut fill = |slot: &mut Option<String>, value: Option<String>, name: &str| {
        if slot.as_deref().is_none_or(|s| s.trim().is_empty()) && value.is_some() {
            *slot = value;
            fields.push(name.to_owned());
        }
    };
    fill(&mut next.organization, row.organization, "organization");
    fill(&mut next.location.city, row.location.city, "location.city");
    fill(
        &mut next.location.region,
        row.location.region,
        "location.region",
    );
    let group = |k: ContactType| match k {
        ContactType::Phone | ContactType::Whatsapp => ContactType::Phone,
        k => k,
    };
    let mut added = false;
    for c in row.contacts {
        let key = c.normalized();
        if !next
            .contacts
            .iter()
            .any(|x| group(x.kind) == group(c.kind) && x.normalized() == key)
        {
            next.contacts.push(c);
            added = true;
        }
    }
    if added {
        fields.push("contacts".to_owned());
    }
    let mut added = false;
    for t in row.tags {
        let key = tag_key(&t);
        if !next.tags.iter().any(|x| tag_key(x) == key) {
            next.tags.push(t);
            added = true;
        }
    }
    if added {
        fields.push("tags".to_owned());
    }
    let mut added = false;
    for n in row.notes {
        if !next.notes.iter().any(|x| x.text.trim() == n.text.trim()) {
            next.notes.push(n);
            added = true;
        }
    }
    if added {
        fields.push("notes".to_owned());
    }
    if fields.is_empty() {
        return (
            Outcome::Unchanged {
                customer_id: current.id,
            },
            None,
        );
    }
    next.version = current.version + 1;
    next.updated_at = now;
    (
        Outcome::Update {
            customer_id: current.id,
            fields,
        },
        Some(next),
    )
}
