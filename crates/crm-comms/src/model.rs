//! Comms entries and media records, the inputs that create and change them, and their
//! validation.
//!
//! # Rules
//!
//! **Owner.** An entry belongs to a customer (`customer_id`) or, when its sender matched no
//! customer, to the unassigned inbox: then `sender` (the raw address or number it came from)
//! is required. An entry may carry both (the sender of a matched message is kept). Assigning
//! an inbox entry gives it a customer; it never goes back to the inbox.
//!
//! **Sender key.** Inbox entries of one sender are grouped by the sender's normal form: an
//! e-mail address lower-cased, a phone number in E.164 (Greek unless international, so
//! `6912345678`, `+30 691 234 5678` and `00306912345678` are one sender), anything else
//! trimmed and lower-cased.
//!
//! **Idempotency.** `(type, ext_message_id)` identifies an entry from outside (an e-mail's
//! Message-ID, a WhatsApp message id, an AMI Linkedid). Ingesting it again returns the entry
//! stored the first time and changes nothing.
//!
//! **Fields.** Strings are trimmed and an empty one is absent. `subject` ≤ 1,000 characters
//! and one line, `body` ≤ 1,000,000 (free text: line breaks and tabs allowed; see
//! `crm_core::validate` for the characters each kind of text refuses), `sender`,
//! `ext_message_id` and `logged_by` one line each; at most 200 attachments, each
//! with a `filename`; `meta` a JSON object of at most 64 KiB for what a channel knows beyond
//! the common fields (WhatsApp profile name, call durations, delivery state, thread ids).
//! `occurred_at` defaults to now.
//!
//! **Order.** Lists are newest first: by `occurred_at` (media: `created_at`), then by id,
//! both descending. Pages after the first continue strictly after a cursor ([`Before`]), so
//! entries that share a timestamp are neither repeated nor skipped across pages.

use std::fmt;
use std::str::FromStr;

use crm_core::patch::double_option;
use crm_core::validate::{
    Invalid, check_length, is_bidi_override, optional_line, optional_text, required_line,
};
use crm_core::{PageSize, Timestamp, contact};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Most entries a thread view returns (the oldest of a longer thread are left out).
pub const THREAD_MAX: u32 = 1_000;

/// Longest subject, in characters.
pub const SUBJECT_MAX: usize = 1_000;
/// Longest body, in characters.
pub const BODY_MAX: usize = 1_000_000;
/// Longest sender, external id, file name, author or MIME type, in characters.
pub const LINE_MAX: usize = 1_000;
/// Longest Nextcloud path or attachment source, in characters.
pub const PATH_MAX: usize = 2_000;
/// Most attachments of one entry.
pub const ATTACHMENTS_MAX: usize = 200;
/// Most tags of one media record, and the longest tag.
pub const TAGS_MAX: usize = 50;
pub const TAG_MAX: usize = 100;
/// Largest `meta`, serialised, in bytes.
pub const META_MAX: usize = 64 * 1024;
/// Page size of a list without `limit` (100), and the largest page a list returns (1000); a
/// larger `limit` is capped to it.
pub const PAGE_SIZE: PageSize = PageSize {
    default: 100,
    max: 1_000,
};

/// Enums stored and sent as fixed lower-case strings: each `$s` is its variant in snake_case
/// (a test holds them to it). The wire names come from `rename_all`, which utoipa reads too; a
/// per-variant `rename = $s` made inside a macro is lost on utoipa, which then documented the
/// Rust names.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $s:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s,)+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// The channel of a comms entry.
    CommsType {
        Email = "email",
        Whatsapp = "whatsapp",
        Call = "call",
        Sms = "sms",
        Note = "note",
        /// A visit or a meeting.
        InPerson = "in_person",
    }
}

string_enum! {
    /// Which way a comms entry went.
    Direction {
        /// From the customer to BellSystems.
        Inbound = "inbound",
        /// From BellSystems to the customer.
        Outbound = "outbound",
        /// Among staff (notes, internal calls).
        Internal = "internal",
    }
}

string_enum! {
    /// Where a file came from, which is also its Nextcloud subfolder.
    MediaDirection {
        /// From the customer (`Received Media`).
        Received = "received",
        /// To the customer (`Sent Media`).
        Sent = "sent",
        /// Made by staff (`Internal`).
        Internal = "internal",
    }
}

/// A file attached to a comms entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    #[schema(min_length = 1, max_length = 1000)] // LINE_MAX
    pub filename: String,
    /// Where the file is kept in Nextcloud, relative to the configured base folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)] // PATH_MAX
    pub nextcloud_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)] // LINE_MAX
    pub mime_type: Option<String>,
    /// Size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Where the file can be fetched from when it is not in Nextcloud (an IMAP message, a
    /// WhatsApp media id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)] // PATH_MAX
    pub source: Option<String>,
}

impl Attachment {
    fn validate(self, i: usize) -> Result<Self> {
        let field = |name: &str| format!("attachments[{i}].{name}");
        Ok(Self {
            filename: required_line(&field("filename"), &self.filename, LINE_MAX)?,
            nextcloud_path: self
                .nextcloud_path
                .map(|p| relative_path(&field("nextcloud_path"), &p))
                .transpose()?,
            mime_type: optional_line(&field("mime_type"), self.mime_type, LINE_MAX)?,
            size: self.size,
            source: optional_line(&field("source"), self.source, PATH_MAX)?,
        })
    }
}

/// One conversation, message, call, note or visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    pub id: Uuid,
    /// The customer, or `null` while the entry is in the unassigned inbox.
    pub customer_id: Option<Uuid>,
    /// The raw address or number it came from, when known.
    pub sender: Option<String>,
    #[serde(rename = "type")]
    pub kind: CommsType,
    pub direction: Direction,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub attachments: Vec<Attachment>,
    pub ext_message_id: Option<String>,
    pub logged_by: Option<String>,
    /// What the channel knows beyond the common fields.
    #[schema(value_type = Object)]
    pub meta: serde_json::Map<String, serde_json::Value>,
    pub occurred_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Entry {
    /// Where this entry is in list order; the cursor of a page that ends with it.
    pub fn position(&self) -> Before {
        Before {
            at: self.occurred_at,
            id: self.id,
        }
    }
}

/// A new comms entry, as a client or a bridge sends it.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
pub struct NewEntry {
    /// The customer; leave out (and give `sender`) for the unassigned inbox.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// The raw address or number the entry came from.
    #[serde(default)]
    #[schema(max_length = 1000)] // LINE_MAX
    pub sender: Option<String>,
    #[serde(rename = "type")]
    pub kind: CommsType,
    pub direction: Direction,
    /// One line.
    #[serde(default)]
    #[schema(max_length = 1000)] // SUBJECT_MAX
    pub subject: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000000)] // BODY_MAX
    pub body: Option<String>,
    #[serde(default)]
    #[schema(max_items = 200)] // ATTACHMENTS_MAX
    pub attachments: Vec<Attachment>,
    /// The id the entry has outside (Message-ID, WhatsApp message id, AMI Linkedid).
    #[serde(default)]
    #[schema(max_length = 1000)] // LINE_MAX
    pub ext_message_id: Option<String>,
    /// Who logged it; the gateway sets it from the caller's token.
    #[serde(default)]
    #[schema(max_length = 1000)] // LINE_MAX
    pub logged_by: Option<String>,
    /// A JSON object of at most 64 KiB, serialised.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub meta: Option<serde_json::Value>,
    /// When it happened; default now.
    #[serde(default)]
    pub occurred_at: Option<Timestamp>,
}

impl NewEntry {
    /// An entry of `kind` and `direction` for a customer, everything else empty.
    pub fn new(kind: CommsType, direction: Direction, customer_id: Option<Uuid>) -> Self {
        Self {
            customer_id,
            sender: None,
            kind,
            direction,
            subject: None,
            body: None,
            attachments: Vec::new(),
            ext_message_id: None,
            logged_by: None,
            meta: None,
            occurred_at: None,
        }
    }

    /// Validates the input into the record to store (version 1). Whether the customer
    /// exists is checked by the store, inside the write.
    pub fn into_entry(self, id: Uuid, now: Timestamp) -> Result<Entry> {
        let sender = optional_line("sender", self.sender, LINE_MAX)?;
        if self.customer_id.is_none() && sender.is_none() {
            return Err(Error::invalid(
                "customer_id",
                "either customer_id or sender is required",
            ));
        }
        if self.attachments.len() > ATTACHMENTS_MAX {
            return Err(Error::invalid(
                "attachments",
                format!("at most {ATTACHMENTS_MAX} attachments"),
            ));
        }
        let attachments = self
            .attachments
            .into_iter()
            .enumerate()
            .map(|(i, a)| a.validate(i))
            .collect::<Result<Vec<_>>>()?;
        Ok(Entry {
            id,
            customer_id: self.customer_id,
            sender,
            kind: self.kind,
            direction: self.direction,
            subject: optional_line("subject", self.subject, SUBJECT_MAX)?,
            body: optional_text("body", self.body, BODY_MAX)?,
            attachments,
            ext_message_id: optional_line("ext_message_id", self.ext_message_id, LINE_MAX)?,
            logged_by: optional_line("logged_by", self.logged_by, LINE_MAX)?,
            meta: meta(self.meta)?,
            occurred_at: self.occurred_at.unwrap_or(now),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

fn meta(raw: Option<serde_json::Value>) -> Result<serde_json::Map<String, serde_json::Value>> {
    match raw {
        None | Some(serde_json::Value::Null) => Ok(serde_json::Map::new()),
        Some(serde_json::Value::Object(m)) => {
            if serde_json::to_string(&m)?.len() > META_MAX {
                return Err(Error::invalid(
                    "meta",
                    format!("must be at most {META_MAX} bytes"),
                ));
            }
            Ok(m)
        }
        Some(_) => Err(Error::invalid("meta", "must be a JSON object")),
    }
}

/// A change to an entry: only the fields given change; `null` clears subject or body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct EntryPatch {
    /// One line.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 1000)] // SUBJECT_MAX
    pub subject: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 1000000)] // BODY_MAX
    pub body: Option<Option<String>>,
    #[serde(default)]
    pub occurred_at: Option<Timestamp>,
}

impl EntryPatch {
    /// The entry with the patch applied and validated (`updated_at` = `now` if anything
    /// changed; the version is the store's business).
    pub fn apply(self, current: &Entry, now: Timestamp) -> Result<Entry> {
        let mut e = current.clone();
        if let Some(subject) = self.subject {
            e.subject = optional_line("subject", subject, SUBJECT_MAX)?;
        }
        if let Some(body) = self.body {
            e.body = optional_text("body", body, BODY_MAX)?;
        }
        if let Some(at) = self.occurred_at {
            e.occurred_at = at;
        }
        if e != *current {
            e.updated_at = now;
        }
        Ok(e)
    }
}

/// A position in a newest-first list: the next page holds what comes strictly after it.
///
/// Clients see it as the cursor `<occurred_at>~<id>` (its `Display` and `FromStr`).
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

/// A text that is not a cursor [`Before`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a cursor this API gave out")]
pub struct BadCursor;

impl FromStr for Before {
    type Err = BadCursor;

    fn from_str(s: &str) -> Result<Self, BadCursor> {
        let (at, id) = s.split_once('~').ok_or(BadCursor)?;
        Ok(Self {
            at: Timestamp::parse(at).map_err(|_| BadCursor)?,
            id: id.parse().map_err(|_| BadCursor)?,
        })
    }
}

/// Reads an optional cursor parameter: absent or empty is the first page (`None`). For
/// `#[serde(default, deserialize_with = "crm_comms::model::cursor")]`.
pub fn cursor<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Before>, D::Error> {
    let s = String::deserialize(d)?;
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(D::Error::custom)
}

/// One page of a cursor-paged list.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPage<T> {
    pub items: Vec<T>,
    /// Matches in all pages.
    pub total: u64,
    /// Where the next page starts, `None` on the last page.
    pub next: Option<Before>,
}

/// A page of entries already rendered as JSON, as the API's comms list sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPage {
    /// The array `[entry, …]`, each entry exactly as [`Entry`]'s `Serialize` writes it.
    pub json: Vec<u8>,
    /// Matches in all pages.
    pub total: u64,
    /// Where the next page starts, `None` on the last page.
    pub next: Option<Before>,
}

/// A customer's entries, filtered, as the query string of `GET /comms` carries them (the doc
/// comments are the API's parameter descriptions).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Whose entries.
    pub customer_id: Uuid,
    /// Only entries of this channel.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<CommsType>,
    pub direction: Option<Direction>,
    /// Only missed calls (`true`: inbound and unanswered), or everything else (`false`).
    // Missed as the call bridge marks it in `meta.missed`.
    pub missed: Option<bool>,
    /// Page size (default 100, at most 1000).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[serde(rename = "cursor", default, deserialize_with = "cursor")]
    #[param(rename = "cursor", value_type = Option<String>)]
    pub before: Option<Before>,
}

impl ListQuery {
    pub fn customer(customer_id: Uuid) -> Self {
        Self {
            customer_id,
            kind: None,
            direction: None,
            missed: None,
            limit: None,
            before: None,
        }
    }
}

/// A full-text search over subjects and bodies, as the query string of `GET /comms/search`
/// carries it (the doc comments are the API's parameter descriptions).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find in subjects and bodies: Greek without regard to case, accents or final
    /// sigma, Greeklish, and the last word as a prefix.
    pub q: String,
    pub customer_id: Option<Uuid>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<CommsType>,
    /// Page size (default 100, at most 1000).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// One page of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub items: Vec<Entry>,
    /// Matching entries: all of them when `total_exact`, else at least this many.
    pub total: u64,
    pub total_exact: bool,
}

/// What ingesting an entry did.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub entry: Entry,
    /// `false` when an entry with the same `(type, ext_message_id)` was already stored: then
    /// `entry` is that one, unchanged.
    pub created: bool,
}

/// What assigning an inbox entry did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Assignment {
    pub customer_id: Uuid,
    /// The raw sender of the entry that was assigned.
    pub sender: Option<String>,
    /// The entries moved to the customer: the one asked for first.
    pub moved: Vec<Uuid>,
}

/// How many records refer to a customer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub comms: u64,
    pub media: u64,
}

/// The normal form of a sender by which inbox entries are grouped (see the module doc).
pub fn sender_key(sender: &str) -> String {
    let s = sender.trim();
    if s.contains('@') {
        if let Some(k) = contact::email_key(s) {
            return k;
        }
    } else if let Some(e164) = contact::phone_e164(s) {
        return e164;
    }
    s.to_lowercase()
}

/// A file the CRM knows about in Nextcloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MediaRecord {
    pub id: Uuid,
    pub customer_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub filename: String,
    /// Relative to the configured Nextcloud base folder.
    pub nextcloud_path: String,
    pub mime_type: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<u64>,
    pub direction: MediaDirection,
    pub tags: Vec<String>,
    pub uploaded_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl MediaRecord {
    /// Where this record is in list order.
    pub fn position(&self) -> Before {
        Before {
            at: self.created_at,
            id: self.id,
        }
    }
}

/// A new media record (metadata only: the file is in Nextcloud already).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
pub struct NewMedia {
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    #[serde(default)]
    pub order_id: Option<Uuid>,
    /// Default: the last segment of `nextcloud_path`.
    #[serde(default)]
    #[schema(max_length = 1000)] // LINE_MAX
    pub filename: Option<String>,
    /// A path inside the configured Nextcloud base folder, by the rules of every Nextcloud
    /// path the API takes: segments joined by `/`, no empty, `.` or `..` segment (in any
    /// percent-encoding), no backslash, control or bidirectional formatting character.
    #[schema(min_length = 1, max_length = 2000)] // PATH_MAX
    pub nextcloud_path: String,
    #[serde(default)]
    #[schema(max_length = 1000)] // LINE_MAX
    pub mime_type: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    pub direction: MediaDirection,
    #[serde(default)]
    #[schema(schema_with = media_tags_schema)]
    pub tags: Vec<String>,
    /// Who uploaded it; the gateway sets it from the caller's token.
    #[serde(default)]
    #[schema(max_length = 1000)] // LINE_MAX
    pub uploaded_by: Option<String>,
}

fn media_tags_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crm_core::schema::strings(TAGS_MAX, TAG_MAX, false)
}

impl NewMedia {
    /// Validates the input into the record to store. The existence of the customer and the
    /// order is checked by the store, inside the write.
    pub fn into_record(self, id: Uuid, now: Timestamp) -> Result<MediaRecord> {
        if self.customer_id.is_none() && self.order_id.is_none() {
            return Err(Error::invalid(
                "customer_id",
                "either customer_id or order_id is required",
            ));
        }
        let nextcloud_path = relative_path("nextcloud_path", &self.nextcloud_path)?;
        let filename = match self.filename {
            Some(f) if !f.trim().is_empty() => required_line("filename", &f, LINE_MAX)?,
            _ => nextcloud_path
                .rsplit('/')
                .next()
                .unwrap_or(&nextcloud_path)
                .to_owned(),
        };
        if self.tags.len() > TAGS_MAX {
            return Err(Error::invalid("tags", format!("at most {TAGS_MAX} tags")));
        }
        let mut tags: Vec<String> = Vec::with_capacity(self.tags.len());
        for (i, t) in self.tags.iter().enumerate() {
            let t = required_line(&format!("tags[{i}]"), t, TAG_MAX)?;
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        Ok(MediaRecord {
            id,
            customer_id: self.customer_id,
            order_id: self.order_id,
            filename,
            nextcloud_path,
            mime_type: optional_line("mime_type", self.mime_type, LINE_MAX)?,
            size: self.size,
            direction: self.direction,
            tags,
            uploaded_by: optional_line("uploaded_by", self.uploaded_by, LINE_MAX)?,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// Media records of a customer or of an order, as the query string of `GET /media` carries
/// them (the doc comments are the API's parameter descriptions).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediaQuery {
    /// A customer's records (this or `order_id` is required; both: the customer's for the
    /// order).
    pub customer_id: Option<Uuid>,
    /// An order's records.
    pub order_id: Option<Uuid>,
    /// Page size (default 100, at most 1000).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A path relative to the Nextcloud base folder in its one written form: segments joined by
/// `/`, one leading and one trailing `/` dropped, no empty, `.` or `..` segment, no backslash,
/// no control or bidirectional formatting character, at most [`PATH_MAX`] characters.
///
/// The rules of a Nextcloud path are `nextcloud_dav::DavPath`'s (which also refuses
/// traversal in any percent-encoding, and bounds segments and paths in bytes): the gateway
/// parses every path a client gives with it before the path reaches this crate, and channels
/// build theirs with it. This is the invariant every stored path keeps whoever calls, and it
/// accepts every path `DavPath` accepts (of at most `PATH_MAX` characters) unchanged: no
/// trimming, no collapsing, so a record names exactly the file that was checked, and a file
/// can always be looked up by its path.
pub fn relative_path(field: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.strip_prefix('/').unwrap_or(raw);
    let s = s.strip_suffix('/').unwrap_or(s);
    if s.trim().is_empty() {
        return Err(Invalid::new(field, "must name a file"));
    }
    check_length(field, s, PATH_MAX)?;
    // DavPath's characters: no control character, no bidi override, isolate or mark
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() || is_bidi_override(*c) || matches!(c, '\u{200E}' | '\u{200F}'))
    {
        return Err(Invalid::new(
            field,
            format!(
                "must not contain a control or bidirectional formatting character (U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    if s.contains('\\') {
        return Err(Invalid::new(field, "must not contain a backslash"));
    }
    for seg in s.split('/') {
        match seg {
            "" => {
                return Err(Invalid::new(
                    field,
                    "must not contain an empty segment (`//`)",
                ));
            }
            "." | ".." => {
                return Err(Invalid::new(
                    field,
                    "must stay inside the base folder (no `.` or `..` segments)",
                ));
            }
            _ => {}
        }
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse("2026-11-28T10:00:00Z").unwrap()
    }

    #[test]
    fn a_list_query_reads_its_query_string_with_the_cursor_in_its_wire_form() {
        let before = Before {
            at: now(),
            id: Uuid::from_u128(7),
        };
        let cursor = before.to_string();
        assert_eq!(cursor.parse(), Ok(before));
        let q: ListQuery = serde_urlencoded::from_str(&format!(
            "customer_id={}&type=call&missed=true&limit=5&cursor={cursor}",
            Uuid::nil()
        ))
        .unwrap();
        assert_eq!(
            q,
            ListQuery {
                kind: Some(CommsType::Call),
                missed: Some(true),
                limit: Some(5),
                before: Some(before),
                ..ListQuery::customer(Uuid::nil())
            }
        );
        let first = format!("customer_id={}&cursor=", Uuid::nil());
        let q: ListQuery = serde_urlencoded::from_str(&first).unwrap();
        assert_eq!(q.before, None);
        for bad in ["garbage", "2026-01-01T00:00:00Z~7~1", "~"] {
            let e = serde_urlencoded::from_str::<ListQuery>(&format!(
                "customer_id={}&cursor={bad}",
                Uuid::nil()
            ))
            .unwrap_err();
            assert_eq!(e.to_string(), "is not a cursor this API gave out");
        }
    }

    #[test]
    fn enums_travel_and_are_documented_as_their_stored_strings() {
        fn check<T: Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug>(
            all: &[T],
            as_str: fn(&T) -> &'static str,
        ) {
            for v in all {
                let wire = serde_json::to_value(v).unwrap();
                assert_eq!(wire, as_str(v), "{v:?}");
                assert_eq!(&serde_json::from_value::<T>(wire).unwrap(), v);
            }
        }
        check(CommsType::ALL, |v| v.as_str());
        check(Direction::ALL, |v| v.as_str());
        check(MediaDirection::ALL, |v| v.as_str());
        let schema = serde_json::to_value(<CommsType as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(
            schema["enum"],
            serde_json::json!(["email", "whatsapp", "call", "sms", "note", "in_person"])
        );
    }

    #[test]
    fn an_entry_needs_an_owner() {
        let e = NewEntry::new(CommsType::Call, Direction::Inbound, None)
            .into_entry(Uuid::nil(), now())
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid { ref field, .. } if field == "customer_id"),
            "{e}"
        );
        let mut n = NewEntry::new(CommsType::Call, Direction::Inbound, None);
        n.sender = Some(" +30 691 234 5678 ".into());
        let e = n.into_entry(Uuid::nil(), now()).unwrap();
        assert_eq!(e.sender.as_deref(), Some("+30 691 234 5678"));
        assert_eq!(e.occurred_at, now());
    }

    #[test]
    fn fields_are_checked_with_their_path() {
        let mut n = NewEntry::new(CommsType::Email, Direction::Inbound, Some(Uuid::nil()));
        n.attachments = vec![Attachment {
            filename: "  ".into(),
            nextcloud_path: None,
            mime_type: None,
            size: None,
            source: None,
        }];
        let e = n.clone().into_entry(Uuid::nil(), now()).unwrap_err();
        assert!(
            matches!(e, Error::Invalid { ref field, .. } if field == "attachments[0].filename"),
            "{e}"
        );
        n.attachments.clear();
        n.meta = Some(serde_json::json!([1]));
        let e = n.clone().into_entry(Uuid::nil(), now()).unwrap_err();
        assert!(
            matches!(e, Error::Invalid { ref field, .. } if field == "meta"),
            "{e}"
        );
        n.meta = None;
        n.subject = Some("a\u{7}b".into());
        let e = n.into_entry(Uuid::nil(), now()).unwrap_err();
        assert!(
            matches!(e, Error::Invalid { ref field, .. } if field == "subject"),
            "{e}"
        );
    }

    #[test]
    fn texts_refuse_controls_and_bidi_characters_by_kind() {
        let entry = |field: &str, text: &str| {
            let mut n = NewEntry::new(CommsType::Email, Direction::Inbound, Some(Uuid::nil()));
            let t = Some(text.to_owned());
            let mut a = Attachment {
                filename: "a.pdf".into(),
                nextcloud_path: None,
                mime_type: None,
                size: None,
                source: None,
            };
            match field {
                "sender" => n.sender = t,
                "subject" => n.subject = t,
                "body" => n.body = t,
                "ext_message_id" => n.ext_message_id = t,
                "logged_by" => n.logged_by = t,
                "attachments[0].filename" => a.filename = text.into(),
                "attachments[0].mime_type" => a.mime_type = t,
                "attachments[0].source" => a.source = t,
                other => panic!("{other}"),
            }
            n.attachments = vec![a];
            n.into_entry(Uuid::nil(), now()).map(|_| ())
        };
        let media = |field: &str, text: &str| {
            let mut n = NewMedia {
                customer_id: Some(Uuid::nil()),
                order_id: None,
                filename: None,
                nextcloud_path: "Πελάτες/a.jpg".into(),
                mime_type: None,
                size: None,
                direction: MediaDirection::Received,
                tags: Vec::new(),
                uploaded_by: None,
            };
            match field {
                "filename" => n.filename = Some(text.into()),
                "mime_type" => n.mime_type = Some(text.into()),
                "tags[0]" => n.tags = vec![text.into()],
                "uploaded_by" => n.uploaded_by = Some(text.into()),
                other => panic!("{other}"),
            }
            n.into_record(Uuid::nil(), now()).map(|_| ())
        };
        // (text, refused in one line, refused in free text)
        let inputs = [
            ("Re: \u{202E}fdp.exe", true, true),
            ("a\u{2068}b", true, true),
            ("a\u{200F}b", true, false),
            ("a\r\nb", true, false),
            ("a\tb", true, false),
            ("a\u{0}b", true, true),
            ("a\u{FFFA}b", true, true),
            ("Καλημέρα πάτερ 🙏", false, false),
        ];
        let entry_fields = [
            ("sender", true),
            ("subject", true),
            ("body", false),
            ("ext_message_id", true),
            ("logged_by", true),
            ("attachments[0].filename", true),
            ("attachments[0].mime_type", true),
            ("attachments[0].source", true),
        ];
        let media_fields = ["filename", "mime_type", "tags[0]", "uploaded_by"];
        for (text, refused_line, refused_text) in inputs {
            let results = entry_fields
                .iter()
                .map(|(f, line)| (*f, *line, entry(f, text)))
                .chain(media_fields.iter().map(|f| (*f, true, media(f, text))));
            for (field, one_line, result) in results {
                let refused = if one_line { refused_line } else { refused_text };
                match result {
                    Err(Error::Invalid { field: f, .. }) => {
                        assert!(refused, "{field} refused {text:?}");
                        assert_eq!(f, field);
                    }
                    Ok(()) => assert!(!refused, "{field} accepted {text:?}"),
                    Err(e) => panic!("{e}"),
                }
            }
        }
        // a change of the subject is held to the same rule
        let e = NewEntry::new(CommsType::Note, Direction::Internal, Some(Uuid::nil()))
            .into_entry(Uuid::nil(), now())
            .unwrap();
        let p: EntryPatch = serde_json::from_str(r#"{"subject":"a\nb"}"#).unwrap();
        assert!(
            matches!(p.apply(&e, now()), Err(Error::Invalid { field, .. }) if field == "subject")
        );
    }

    /// The limits in the OpenAPI schema are the constants the validation uses.
    #[test]
    fn the_schema_states_the_limits_validation_enforces() {
        fn schema<T: utoipa::PartialSchema>() -> serde_json::Value {
            serde_json::to_value(T::schema()).unwrap()
        }
        let new = schema::<NewEntry>();
        let p = &new["properties"];
        for (field, max) in [
            ("sender", LINE_MAX),
            ("subject", SUBJECT_MAX),
            ("body", BODY_MAX),
            ("ext_message_id", LINE_MAX),
            ("logged_by", LINE_MAX),
        ] {
            assert_eq!(p[field]["maxLength"], max, "{field}");
        }
        assert_eq!(p["attachments"]["maxItems"], ATTACHMENTS_MAX);
        let patch = schema::<EntryPatch>();
        assert_eq!(patch["properties"]["subject"]["maxLength"], SUBJECT_MAX);
        assert_eq!(patch["properties"]["body"]["maxLength"], BODY_MAX);
        let a = schema::<Attachment>();
        for (field, max) in [
            ("filename", LINE_MAX),
            ("nextcloud_path", PATH_MAX),
            ("mime_type", LINE_MAX),
            ("source", PATH_MAX),
        ] {
            assert_eq!(a["properties"][field]["maxLength"], max, "{field}");
        }
        let media = schema::<NewMedia>();
        let p = &media["properties"];
        for (field, max) in [
            ("filename", LINE_MAX),
            ("nextcloud_path", PATH_MAX),
            ("mime_type", LINE_MAX),
            ("uploaded_by", LINE_MAX),
        ] {
            assert_eq!(p[field]["maxLength"], max, "{field}");
        }
        assert_eq!(p["tags"]["maxItems"], TAGS_MAX);
        assert_eq!(p["tags"]["items"]["maxLength"], TAG_MAX);
    }

    #[test]
    fn senders_of_one_person_share_a_key() {
        assert_eq!(sender_key("6912345678"), "+306912345678");
        assert_eq!(sender_key("0030 691 234 5678"), "+306912345678");
        assert_eq!(sender_key("306912345678"), "+306912345678");
        assert_eq!(sender_key(" Papas@Example.GR "), "papas@example.gr");
        assert_eq!(sender_key("Unknown Caller"), "unknown caller");
    }

    #[test]
    fn paths_stay_inside_the_base_folder_and_are_kept_as_written() {
        for (input, kept) in [
            ("/Πελάτες/Ναός/ photo.jpg", "Πελάτες/Ναός/ photo.jpg"),
            ("Πελάτες/Ναός/", "Πελάτες/Ναός"),
            (" Σημειώσεις /a .txt", " Σημειώσεις /a .txt"),
            ("100% plan?.txt", "100% plan?.txt"),
            ("...", "..."),
            // what DavPath allows, a path keeps: these are file names in Nextcloud
            ("a\u{FEFF}b\u{2028}.txt", "a\u{FEFF}b\u{2028}.txt"),
            ("%2541.txt", "%2541.txt"),
        ] {
            assert_eq!(relative_path("p", input).unwrap(), kept, "{input:?}");
        }
        for bad in [
            "../x",
            "a/../../b",
            "a\\b",
            "./a",
            "",
            "/",
            "  ",
            "a//b",
            "//a",
            "a\u{0}b",
            "a\nb",
            "invoice\u{202E}fdp.exe",
            "a/\u{200F}b",
            "a\u{2067}b",
        ] {
            let e = relative_path("nextcloud_path", bad).unwrap_err();
            assert_eq!(e.field, "nextcloud_path", "{bad:?}");
        }
        assert!(relative_path("p", &"a".repeat(PATH_MAX)).is_ok());
        assert!(relative_path("p", &"a".repeat(PATH_MAX + 1)).is_err());
    }

    #[test]
    fn enums_round_trip_their_strings() {
        for t in CommsType::ALL {
            assert_eq!(CommsType::parse(t.as_str()), Some(*t));
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(CommsType::parse("fax"), None);
        assert_eq!(Direction::parse("internal"), Some(Direction::Internal));
        assert_eq!(MediaDirection::parse("sent"), Some(MediaDirection::Sent));
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let e = NewEntry::new(CommsType::Note, Direction::Internal, Some(Uuid::nil()))
            .into_entry(Uuid::nil(), now())
            .unwrap();
        let later = Timestamp::parse("2026-11-28T11:00:00Z").unwrap();
        let same = EntryPatch::default().apply(&e, later).unwrap();
        assert_eq!(same, e);
        let p: EntryPatch = serde_json::from_str(r#"{"subject":"Κλήση","body":null}"#).unwrap();
        let changed = p.apply(&e, later).unwrap();
        assert_eq!(changed.subject.as_deref(), Some("Κλήση"));
        assert_eq!(changed.updated_at, later);
    }
}
