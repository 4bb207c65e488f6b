//! Customer records, the shapes clients send, and their validation.
//!
//! Input (`NewCustomer`, `CustomerPatch`) is validated once, here, and turned into a
//! [`Customer`]; errors name the JSON path of the field (`name`, `contacts[2].value`,
//! `tags[0]`). Unknown fields and server-computed fields in input are ignored.

use crm_core::text::fold;
use crm_core::validate::{
    check_count, check_length, multi_line, optional_line, required_line, required_text, single_line,
};
use crm_core::{PageSize, Timestamp};
use serde::{Deserialize, Deserializer, Serialize};
use unicode_normalization::UnicodeNormalization;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::normalize;

/// Page size of a list without `limit` (50), and the largest page size of a list (500).
pub const PAGE_SIZE: PageSize = PageSize {
    default: 50,
    max: 500,
};

/// Longest name, organization, place, note author or linked user id, in characters.
pub const MAX_NAME_CHARS: usize = 300;
/// Longest note or owned item text, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest contact label, in characters.
pub const MAX_LABEL_CHARS: usize = 100;
/// Longest contact value, in characters.
pub const MAX_CONTACT_CHARS: usize = 300;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 100;
/// Longest `nextcloud_folder`, in characters.
pub const MAX_FOLDER_CHARS: usize = 1_000;
/// Longest language tag, in characters.
pub const MAX_LANGUAGE_CHARS: usize = 35;
/// Most contacts, tags, owned items, linked users, or serial numbers of one owned item.
pub const MAX_ITEMS: usize = 500;
/// Most notes of one customer.
pub const MAX_NOTES: usize = 10 * MAX_ITEMS;

/// How a customer can be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactType {
    Email,
    Phone,
    Whatsapp,
    Other,
}

impl ContactType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Whatsapp => "whatsapp",
            Self::Other => "other",
        }
    }
}

/// A stored contact. Phone and WhatsApp numbers also carry their E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    #[serde(rename = "type")]
    pub kind: ContactType,
    pub label: Option<String>,
    /// As the user wrote it.
    pub value: String,
    pub primary: bool,
    /// `+306912345678`: only for `phone` and `whatsapp`, computed by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    /// Present (`true`) when the phone-number metadata does not list the number's range (a
    /// newly assigned range, a number WhatsApp or the PBX gave): kept and matched by its
    /// `e164` all the same. Computed by the server.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlisted: bool,
}

impl Contact {
    /// The form contacts are compared by: e-mail lower-cased, numbers in E.164, other values
    /// folded (lower case, no accents).
    pub fn normalized(&self) -> String {
        match self.kind {
            ContactType::Email => self.value.trim().to_lowercase(),
            ContactType::Phone | ContactType::Whatsapp => self
                .e164
                .clone()
                .unwrap_or_else(|| self.value.trim().to_owned()),
            ContactType::Other => fold(self.value.trim()),
        }
    }
}

/// A contact as a client sends it. `e164` is computed, never read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
pub struct ContactInput {
    #[serde(rename = "type")]
    pub kind: ContactType,
    #[serde(default)]
    #[schema(max_length = 100)] // MAX_LABEL_CHARS
    pub label: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 300)] // MAX_CONTACT_CHARS
    pub value: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub primary: bool,
}

/// A note on a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Note {
    pub text: String,
    /// Who wrote it (user name or token subject).
    pub by: String,
    pub at: Timestamp,
}

/// A note as a client sends it (when replacing all notes); `at` defaults to now.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
pub struct NoteInput {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 20000)] // MAX_TEXT_CHARS
    pub text: String,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(max_length = 300)] // MAX_NAME_CHARS
    pub by: String,
    #[serde(default)]
    pub at: Option<Timestamp>,
}

/// Where a customer is. Every part may be unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Location {
    #[serde(default)]
    #[schema(max_length = 300)] // MAX_NAME_CHARS
    pub city: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)] // MAX_NAME_CHARS
    pub country: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)] // MAX_NAME_CHARS
    pub region: Option<String>,
}

/// What kind of thing a customer owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnedItemType {
    ConsoleDevice,
    Product,
    Freetext,
}

/// Something a customer owns, stored as given: which fields matter per type is the console's
/// business (`console_device`: device_id, label; `product`: product_id, product_name,
/// quantity, serial_numbers; `freetext`: description, serial_number, notes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OwnedItem {
    #[serde(rename = "type")]
    pub kind: OwnedItemType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)] // MAX_TEXT_CHARS
    pub device_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)] // MAX_TEXT_CHARS
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)] // MAX_TEXT_CHARS
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)] // MAX_TEXT_CHARS
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0)]
    pub quantity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = serial_numbers_schema)]
    pub serial_numbers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)] // MAX_TEXT_CHARS
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)] // MAX_TEXT_CHARS
    pub serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)] // MAX_TEXT_CHARS
    pub notes: Option<String>,
    /// The order it was delivered with (set when a delivered order's serials are registered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<Uuid>,
    /// When it was delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchased_at: Option<Timestamp>,
    /// When its warranty ends (delivery + the product's `warranty_months`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warranty_until: Option<Timestamp>,
}

/// A customer: a parish, a priest, a person or a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
    pub organization: Option<String>,
    pub contacts: Vec<Contact>,
    pub notes: Vec<Note>,
    pub location: Location,
    /// Language to write to them in, e.g. `el` (the default) or `en`.
    pub language: String,
    /// Trimmed, without duplicates (ignoring case), never empty.
    pub tags: Vec<String>,
    pub owned_items: Vec<OwnedItem>,
    pub linked_user_ids: Vec<String>,
    /// e.g. `05_Customers/ΕΝΟΡΙΑ_ΑΓ_ΝΙΚΟΛΑΟΥ`
    pub nextcloud_folder: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Customer {
    /// The folder a customer's files live in, relative to the Nextcloud base: their
    /// `nextcloud_folder` without surrounding `/`, or else `Customers/<name>` with `/` and `\`
    /// in the name made `-`.
    pub fn files_folder(&self) -> String {
        match self.nextcloud_folder.as_deref().map(str::trim) {
            Some(folder) if !folder.is_empty() => folder.trim_matches('/').to_owned(),
            _ => format!("Customers/{}", self.name.replace(['/', '\\'], "-").trim()),
        }
    }
}

/// The normal form of a tag, in which two tags are the same: trimmed, NFC, lower case. Also
/// the key of the exact tag filter.
pub fn tag_key(tag: &str) -> String {
    tag.trim().nfc().collect::<String>().to_lowercase()
}

/// The normal form of a city or region, in which the list's `city` and `region` filters
/// compare: trimmed and folded ([`fold`]: lower case, no accents, `σ` for `ς`), so that
/// `ΘΕΣΣΑΛΟΝΙΚΗ` is `Θεσσαλονίκη`.
pub fn place_key(place: &str) -> String {
    fold(place.trim())
}

/// A customer to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub struct NewCustomer {
    /// Required.
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(min_length = 1, max_length = 300)] // MAX_NAME_CHARS
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 300)] // MAX_NAME_CHARS
    pub organization: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(max_items = 500)] // MAX_ITEMS
    pub contacts: Vec<ContactInput>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(max_items = 5000)] // MAX_NOTES
    pub notes: Vec<NoteInput>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub location: Location,
    /// Default `el`.
    #[serde(default)]
    #[schema(max_length = 35)] // MAX_LANGUAGE_CHARS
    pub language: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(schema_with = tags_schema)]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(max_items = 500)] // MAX_ITEMS
    pub owned_items: Vec<OwnedItem>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(schema_with = linked_user_ids_schema)]
    pub linked_user_ids: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 1000)] // MAX_FOLDER_CHARS
    pub nextcloud_folder: Option<String>,
}

/// A partial update: absent fields stay, `null` clears a clearable field (or empties a
/// list), arrays replace the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub struct CustomerPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 300)] // MAX_NAME_CHARS
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 300)] // MAX_NAME_CHARS
    pub organization: Option<Option<String>>,
    #[serde(default, deserialize_with = "null_as_some_default")]
    #[schema(max_items = 500)] // MAX_ITEMS
    pub contacts: Option<Vec<ContactInput>>,
    #[serde(default, deserialize_with = "null_as_some_default")]
    #[schema(max_items = 5000)] // MAX_NOTES
    pub notes: Option<Vec<NoteInput>>,
    #[serde(default, deserialize_with = "null_as_some_default")]
    pub location: Option<Location>,
    /// `null` resets to `el`.
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 35)] // MAX_LANGUAGE_CHARS
    pub language: Option<Option<String>>,
    #[serde(default, deserialize_with = "null_as_some_default")]
    #[schema(schema_with = tags_patch_schema)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "null_as_some_default")]
    #[schema(max_items = 500)] // MAX_ITEMS
    pub owned_items: Option<Vec<OwnedItem>>,
    #[serde(default, deserialize_with = "null_as_some_default")]
    #[schema(schema_with = linked_user_ids_patch_schema)]
    pub linked_user_ids: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crm_core::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 1000)] // MAX_FOLDER_CHARS
    pub nextcloud_folder: Option<Option<String>>,
}

type SchemaRef = utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>;

fn tags_schema() -> SchemaRef {
    crm_core::schema::strings(MAX_ITEMS, MAX_TAG_CHARS, false)
}

fn tags_patch_schema() -> SchemaRef {
    crm_core::schema::strings(MAX_ITEMS, MAX_TAG_CHARS, true)
}

fn linked_user_ids_schema() -> SchemaRef {
    crm_core::schema::strings(MAX_ITEMS, MAX_NAME_CHARS, false)
}

fn linked_user_ids_patch_schema() -> SchemaRef {
    crm_core::schema::strings(MAX_ITEMS, MAX_NAME_CHARS, true)
}

fn serial_numbers_schema() -> SchemaRef {
    crm_core::schema::strings(MAX_ITEMS, MAX_TEXT_CHARS, true)
}

/// Filters and paging of a customer list, as the query string of `GET /customers` carries
/// them (the doc comments are the API's parameter descriptions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words to find in name, organization, contacts, tags and location (city, region,
    /// country). Greek is matched without
    /// regard to case, accents or final sigma, Greeklish is understood, and the last word may
    /// be a prefix (search as you type).
    // See `crate::search`. With a search, results are ordered by relevance (bm25), then name
    // (SQLite) or by name (Firestore); without, by name.
    pub search: Option<String>,
    /// Only customers with this tag.
    // Exact, ignoring case (`tag_key`).
    pub tag: Option<String>,
    /// Only customers in this city: the whole name, ignoring case and accents
    /// (`ΘΕΣΣΑΛΟΝΙΚΗ` finds `Θεσσαλονίκη`).
    // Both sides folded (`place_key`). Combines with `search` and `tag`.
    pub city: Option<String>,
    /// Only customers in this region: the whole name, ignoring case and accents
    /// (`κεντρικη μακεδονια` finds `Κεντρική Μακεδονία`).
    // Both sides folded (`place_key`). Combines with `search`, `tag` and `city`.
    pub region: Option<String>,
    /// Page size (default 50, at most 500).
    // 0 returns only the total.
    pub limit: Option<u32>,
    /// Records to skip.
    pub offset: Option<u32>,
}

impl ListQuery {
    /// The page size actually used: `limit` (default 50) capped at 500.
    pub fn effective_limit(&self) -> u32 {
        PAGE_SIZE.of(self.limit)
    }

    pub fn effective_offset(&self) -> u32 {
        self.offset.unwrap_or(0)
    }

    /// The `city` filter's [`place_key`], `None` when absent or blank (no filter).
    pub fn city_key(&self) -> Option<String> {
        self.city
            .as_deref()
            .map(place_key)
            .filter(|k| !k.is_empty())
    }

    /// The `region` filter's [`place_key`], `None` when absent or blank (no filter).
    pub fn region_key(&self) -> Option<String> {
        self.region
            .as_deref()
            .map(place_key)
            .filter(|k| !k.is_empty())
    }
}

pub use crm_core::Page;

fn null_as_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn null_as_some_default<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Some(Option::<T>::deserialize(d)?.unwrap_or_default()))
}

impl NewCustomer {
    /// Validates the input into a new record (version 1).
    pub fn into_customer(self, id: Uuid, now: Timestamp) -> Result<Customer> {
        Ok(Customer {
            id,
            name: name(self.name)?,
            organization: optional("organization", self.organization, MAX_NAME_CHARS)?,
            contacts: contacts(self.contacts)?,
            notes: notes(self.notes, now)?,
            location: location(self.location)?,
            language: language(self.language)?,
            tags: tags(self.tags)?,
            owned_items: owned_items(self.owned_items)?,
            linked_user_ids: linked_user_ids(self.linked_user_ids)?,
            nextcloud_folder: folder(self.nextcloud_folder)?,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

impl CustomerPatch {
    /// The record with the given fields changed and validated (id, timestamps and version
    /// are left to the caller).
    pub fn apply(self, current: &Customer, now: Timestamp) -> Result<Customer> {
        let mut next = current.clone();
        if let Some(v) = self.name {
            next.name = name(v)?;
        }
        if let Some(v) = self.organization {
            next.organization = optional("organization", v, MAX_NAME_CHARS)?;
        }
        if let Some(v) = self.contacts {
            next.contacts = contacts(v)?;
        }
        if let Some(v) = self.notes {
            next.notes = notes(v, now)?;
        }
        if let Some(v) = self.location {
            next.location = location(v)?;
        }
        if let Some(v) = self.language {
            next.language = language(v)?;
        }
        if let Some(v) = self.tags {
            next.tags = tags(v)?;
        }
        if let Some(v) = self.owned_items {
            next.owned_items = owned_items(v)?;
        }
        if let Some(v) = self.linked_user_ids {
            next.linked_user_ids = linked_user_ids(v)?;
        }
        if let Some(v) = self.nextcloud_folder {
            next.nextcloud_folder = folder(v)?;
        }
        Ok(next)
    }
}

/// A note to append: non-empty text (trimmed), author.
pub fn new_note(text: String, by: String, at: Timestamp) -> Result<Note> {
    note(
        "text",
        "by",
        NoteInput {
            text,
            by,
            at: Some(at),
        },
        at,
    )
}

/// A validated contact (as in a customer's `contacts`, reported on `contacts[0]`).
pub fn new_contact(input: ContactInput) -> Result<Contact> {
    let mut one = contacts(vec![input])?;
    one.pop()
        .ok_or_else(|| Error::invalid("contacts", "no contact given"))
}

fn name(v: String) -> Result<String> {
    Ok(required_line("name", &v, MAX_NAME_CHARS)?)
}

fn optional(field: &str, value: Option<String>, max: usize) -> Result<Option<String>> {
    Ok(optional_line(field, value, max)?)
}

fn contacts(inputs: Vec<ContactInput>) -> Result<Vec<Contact>> {
    check_count("contacts", inputs.len(), MAX_ITEMS)?;
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let value =
                required_line(&format!("contacts[{i}].value"), &c.value, MAX_CONTACT_CHARS)?;
            let label = optional(&format!("contacts[{i}].label"), c.label, MAX_LABEL_CHARS)?;
            let (e164, unlisted) = match c.kind {
                ContactType::Email => {
                    if normalize::email_key(&value).is_none() {
                        return Err(Error::invalid(
                            format!("contacts[{i}].value"),
                            "is not an e-mail address (name@domain)",
                        ));
                    }
                    (None, false)
                }
                ContactType::Phone | ContactType::Whatsapp => {
                    let phone = normalize::phone(&value).ok_or_else(|| {
                        Error::invalid(
                            format!("contacts[{i}].value"),
                            "is not a phone number (Greek, or international with +)",
                        )
                    })?;
                    (Some(phone.e164), !phone.listed)
                }
                ContactType::Other => (None, false),
            };
            Ok(Contact {
                kind: c.kind,
                label,
                value,
                primary: c.primary,
                e164,
                unlisted,
            })
        })
        .collect()
}

fn note(text_field: &str, by_field: &str, input: NoteInput, now: Timestamp) -> Result<Note> {
    Ok(Note {
        text: required_text(text_field, &input.text, MAX_TEXT_CHARS)?,
        by: optional(by_field, Some(input.by), MAX_NAME_CHARS)?.unwrap_or_default(),
        at: input.at.unwrap_or(now),
    })
}

fn notes(inputs: Vec<NoteInput>, now: Timestamp) -> Result<Vec<Note>> {
    check_count("notes", inputs.len(), MAX_NOTES)?;
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            note(
                &format!("notes[{i}].text"),
                &format!("notes[{i}].by"),
                n,
                now,
            )
        })
        .collect()
}

fn location(l: Location) -> Result<Location> {
    Ok(Location {
        city: optional("location.city", l.city, MAX_NAME_CHARS)?,
        country: optional("location.country", l.country, MAX_NAME_CHARS)?,
        region: optional("location.region", l.region, MAX_NAME_CHARS)?,
    })
}

fn language(v: Option<String>) -> Result<String> {
    let v = v.as_deref().map(str::trim).unwrap_or_default();
    if v.is_empty() {
        return Ok("el".to_owned());
    }
    if v.len() > MAX_LANGUAGE_CHARS
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::invalid(
            "language",
            "must be a language tag such as `el` or `en`",
        ));
    }
    Ok(v.to_owned())
}

fn tags(inputs: Vec<String>) -> Result<Vec<String>> {
    check_count("tags", inputs.len(), MAX_ITEMS)?;
    let mut out: Vec<String> = Vec::with_capacity(inputs.len());
    let mut seen: Vec<String> = Vec::with_capacity(inputs.len());
    for (i, t) in inputs.into_iter().enumerate() {
        let Some(t) = optional(&format!("tags[{i}]"), Some(t), MAX_TAG_CHARS)? else {
            continue;
        };
        let key = tag_key(&t);
        if !seen.contains(&key) {
            seen.push(key);
            out.push(t);
        }
    }
    Ok(out)
}

/// Owned items are stored as given (not trimmed); their texts are bounded and checked for
/// the characters they may hold: one line each, but `description` and `notes` free text.
fn owned_items(items: Vec<OwnedItem>) -> Result<Vec<OwnedItem>> {
    check_count("owned_items", items.len(), MAX_ITEMS)?;
    for (i, item) in items.iter().enumerate() {
        if item.quantity.is_some_and(|q| q < 0) {
            return Err(Error::invalid(
                format!("owned_items[{i}].quantity"),
                "must not be negative",
            ));
        }
        let texts = [
            ("device_id", &item.device_id, false),
            ("label", &item.label, false),
            ("product_id", &item.product_id, false),
            ("product_name", &item.product_name, false),
            ("description", &item.description, true),
            ("serial_number", &item.serial_number, false),
            ("notes", &item.notes, true),
        ];
        for (name, value, free_text) in texts {
            let Some(value) = value.as_deref() else {
                continue;
            };
            let field = format!("owned_items[{i}].{name}");
            check_length(&field, value, MAX_TEXT_CHARS)?;
            if free_text {
                multi_line(&field, value)?;
            } else {
                single_line(&field, value)?;
            }
        }
        if let Some(serials) = &item.serial_numbers {
            let field = format!("owned_items[{i}].serial_numbers");
            check_count(&field, serials.len(), MAX_ITEMS)?;
            for (j, serial) in serials.iter().enumerate() {
                let field = format!("{field}[{j}]");
                check_length(&field, serial, MAX_TEXT_CHARS)?;
                single_line(&field, serial)?;
            }
        }
    }
    Ok(items)
}

fn linked_user_ids(inputs: Vec<String>) -> Result<Vec<String>> {
    check_count("linked_user_ids", inputs.len(), MAX_ITEMS)?;
    let mut out: Vec<String> = Vec::with_capacity(inputs.len());
    for (i, id) in inputs.into_iter().enumerate() {
        let Some(id) = optional(&format!("linked_user_ids[{i}]"), Some(id), MAX_NAME_CHARS)? else {
            continue;
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

fn folder(v: Option<String>) -> Result<Option<String>> {
    let v = v.map(|f| f.trim().trim_matches('/').trim().to_owned());
    optional("nextcloud_folder", v, MAX_FOLDER_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse("2026-03-01T10:00:00Z").unwrap()
    }

    fn new_from(v: serde_json::Value) -> Result<Customer> {
        serde_json::from_value::<NewCustomer>(v)
            .unwrap()
            .into_customer(Uuid::nil(), now())
    }

    fn invalid_field(r: Result<Customer>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn defaults_and_trimming() {
        let c = new_from(serde_json::json!({
            "name": "  Ιερός Ναός Αγίου Νικολάου ", "organization": "  ",
            "tags": [" ενορία ", "ΕΝΟΡΊΑ", "ενορία", "", "vip", "VIP"],
            "nextcloud_folder": "/05_Customers/ΕΝΟΡΙΑ_ΑΓ_ΝΙΚΟΛΑΟΥ/",
            "linked_user_ids": ["u1", " u1 ", ""],
            "id": "ignored", "version": 99, "created_at": "ignored",
        }))
        .unwrap();
        assert_eq!(c.name, "Ιερός Ναός Αγίου Νικολάου");
        assert_eq!(c.organization, None);
        assert_eq!(c.language, "el");
        assert_eq!(c.tags, vec!["ενορία", "vip"]);
        assert_eq!(c.linked_user_ids, vec!["u1"]);
        assert_eq!(
            c.nextcloud_folder.as_deref(),
            Some("05_Customers/ΕΝΟΡΙΑ_ΑΓ_ΝΙΚΟΛΑΟΥ")
        );
        assert_eq!(c.version, 1);
        assert_eq!(c.location, Location::default());
    }

    #[test]
    fn contacts_get_e164_and_are_validated() {
        let c = new_from(serde_json::json!({
            "name": "Π. Γεώργιος",
            "contacts": [
                {"type": "phone", "value": "691 234 5678", "e164": "+1 bogus"},
                {"type": "whatsapp", "value": "0030 691 234 5678", "primary": true},
                {"type": "email", "value": "Papas@Example.GR", "label": "γραφείο"},
                {"type": "other", "value": "Skype: papas"},
            ]
        }))
        .unwrap();
        assert_eq!(c.contacts[0].e164.as_deref(), Some("+306912345678"));
        assert_eq!(c.contacts[1].e164.as_deref(), Some("+306912345678"));
        assert!(c.contacts[1].primary && !c.contacts[0].primary);
        assert_eq!(c.contacts[2].e164, None);
        assert_eq!(c.contacts[2].value, "Papas@Example.GR");
        assert_eq!(c.contacts[2].normalized(), "papas@example.gr");
        let json = serde_json::to_value(&c.contacts[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "phone", "label": null, "value": "691 234 5678",
                               "primary": false, "e164": "+306912345678"})
        );
        assert!(
            serde_json::to_value(&c.contacts[2])
                .unwrap()
                .get("e164")
                .is_none()
        );
    }

    #[test]
    fn numbers_the_metadata_does_not_list_are_kept_flagged() {
        // a WhatsApp sender in a Greek range newer than the metadata, a PBX's 00-form number
        let c = new_from(serde_json::json!({
            "name": "Ενορία Αγίου Νικολάου",
            "contacts": [
                {"type": "whatsapp", "value": "+306801234567"},
                {"type": "phone", "value": "00447911600000", "unlisted": false},
                {"type": "phone", "value": "6912345678", "unlisted": true},
            ]
        }))
        .unwrap();
        assert_eq!(c.contacts[0].e164.as_deref(), Some("+306801234567"));
        assert_eq!(c.contacts[1].e164.as_deref(), Some("+447911600000"));
        assert!(c.contacts[0].unlisted && c.contacts[1].unlisted);
        assert!(!c.contacts[2].unlisted, "computed, never read");
        let json = serde_json::to_value(&c.contacts[0]).unwrap();
        assert_eq!(json["unlisted"], true);
        let listed = serde_json::to_value(&c.contacts[2]).unwrap();
        assert!(listed.get("unlisted").is_none(), "{listed}");
        // stored contacts from before the flag read back as listed
        let old: Contact = serde_json::from_value(serde_json::json!({"type": "phone",
            "label": null, "value": "6912345678", "primary": false, "e164": "+306912345678"}))
        .unwrap();
        assert!(!old.unlisted);
    }

    #[test]
    fn validation_errors_name_the_field() {
        let cases: &[(serde_json::Value, &str)] = &[
            (serde_json::json!({}), "name"),
            (serde_json::json!({"name": "   "}), "name"),
            (serde_json::json!({"name": "x".repeat(301)}), "name"),
            (
                serde_json::json!({"name": "N", "contacts": [{"type": "email", "value": ""}]}),
                "contacts[0].value",
            ),
            (
                serde_json::json!({"name": "N", "contacts": [
                    {"type": "email", "value": "a@b.gr"},
                    {"type": "email", "value": "not-an-address"}]}),
                "contacts[1].value",
            ),
            (
                serde_json::json!({"name": "N", "contacts": [
                    {"type": "email", "value": "a@b.gr"},
                    {"type": "phone", "value": "6912345678"},
                    {"type": "phone", "value": "12ab"}]}),
                "contacts[2].value",
            ),
            (
                serde_json::json!({"name": "N", "notes": [{"text": " ", "by": "a"}]}),
                "notes[0].text",
            ),
            (
                serde_json::json!({"name": "N", "language": "el gr"}),
                "language",
            ),
            (
                serde_json::json!({"name": "N", "tags": ["ok", "t".repeat(101)]}),
                "tags[1]",
            ),
            (
                serde_json::json!({"name": "N", "owned_items": [
                    {"type": "freetext"}, {"type": "product", "quantity": -1}]}),
                "owned_items[1].quantity",
            ),
            (
                serde_json::json!({"name": "N", "location": {"city": "c".repeat(301)}}),
                "location.city",
            ),
        ];
        for (input, field) in cases {
            assert_eq!(invalid_field(new_from(input.clone())), *field, "{input}");
        }
    }

    /// Every one-line text refuses controls and bidi characters; notes and owned items'
    /// descriptions are free text (line breaks and tabs yes, overrides no).
    #[test]
    fn texts_refuse_controls_and_bidi_characters_by_kind() {
        let one_line = [
            ("name", serde_json::json!({"name": "X"})),
            ("organization", serde_json::json!({"organization": "X"})),
            (
                "contacts[0].value",
                serde_json::json!({"contacts": [{"type": "other", "value": "X"}]}),
            ),
            (
                "contacts[0].label",
                serde_json::json!({"contacts": [{"type": "other", "value": "v", "label": "X"}]}),
            ),
            (
                "notes[0].by",
                serde_json::json!({"notes": [{"text": "t", "by": "X"}]}),
            ),
            (
                "location.city",
                serde_json::json!({"location": {"city": "X"}}),
            ),
            (
                "location.region",
                serde_json::json!({"location": {"region": "X"}}),
            ),
            ("tags[0]", serde_json::json!({"tags": ["X"]})),
            (
                "linked_user_ids[0]",
                serde_json::json!({"linked_user_ids": ["X"]}),
            ),
            (
                "nextcloud_folder",
                serde_json::json!({"nextcloud_folder": "X"}),
            ),
            (
                "owned_items[0].label",
                serde_json::json!({"owned_items": [{"type": "console_device", "label": "X"}]}),
            ),
            (
                "owned_items[0].serial_numbers[0]",
                serde_json::json!({"owned_items": [{"type": "product", "serial_numbers": ["X"]}]}),
            ),
        ];
        let free_text = [
            (
                "notes[0].text",
                serde_json::json!({"notes": [{"text": "X"}]}),
            ),
            (
                "owned_items[0].description",
                serde_json::json!({"owned_items": [{"type": "freetext", "description": "X"}]}),
            ),
        ];
        // (text, refused in one line, refused in free text)
        let inputs = [
            ("Ναός \u{202E}gpj.exe", true, true),
            ("a\u{2067}b\u{2069}", true, true),
            ("a\u{200F}b", true, false),
            ("a\nb", true, false),
            ("a\tb", true, false),
            ("a\u{0}b", true, true),
            ("a\u{1B}[2Jb", true, true),
            ("a\u{9B}b", true, true),
            ("a\u{FEFF}b", true, false),
            ("Άγιος Νικόλαος 👨‍👩‍👧", false, false),
        ];
        let with = |template: &serde_json::Value, text: &str| {
            let json = template
                .to_string()
                .replace("\"X\"", &serde_json::to_string(text).unwrap());
            let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
            if v.get("name").is_none() {
                v["name"] = "N".into();
            }
            new_from(v)
        };
        for (text, refused_line, refused_text) in inputs {
            for (field, template) in &one_line {
                match with(template, text) {
                    Err(Error::Invalid { field: f, .. }) => {
                        assert!(refused_line, "{field} refused {text:?}");
                        assert_eq!(f, *field, "{text:?}");
                    }
                    Ok(_) => assert!(!refused_line, "{field} accepted {text:?}"),
                    Err(e) => panic!("{e}"),
                }
            }
            for (field, template) in &free_text {
                match with(template, text) {
                    Err(Error::Invalid { field: f, .. }) => {
                        assert!(refused_text, "{field} refused {text:?}");
                        assert_eq!(f, *field, "{text:?}");
                    }
                    Ok(_) => assert!(!refused_text, "{field} accepted {text:?}"),
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
        let (new, patch) = (schema::<NewCustomer>(), schema::<CustomerPatch>());
        for s in [&new, &patch] {
            let p = &s["properties"];
            assert_eq!(p["name"]["maxLength"], MAX_NAME_CHARS, "{s}");
            assert_eq!(p["name"]["minLength"], 1);
            assert_eq!(p["organization"]["maxLength"], MAX_NAME_CHARS);
            assert_eq!(p["language"]["maxLength"], MAX_LANGUAGE_CHARS);
            assert_eq!(p["nextcloud_folder"]["maxLength"], MAX_FOLDER_CHARS);
            assert_eq!(p["contacts"]["maxItems"], MAX_ITEMS);
            assert_eq!(p["owned_items"]["maxItems"], MAX_ITEMS);
            assert_eq!(p["notes"]["maxItems"], MAX_NOTES);
            assert_eq!(p["tags"]["maxItems"], MAX_ITEMS);
            assert_eq!(p["tags"]["items"]["maxLength"], MAX_TAG_CHARS);
            assert_eq!(p["linked_user_ids"]["maxItems"], MAX_ITEMS);
            assert_eq!(p["linked_user_ids"]["items"]["maxLength"], MAX_NAME_CHARS);
        }
        let contact = schema::<ContactInput>();
        assert_eq!(
            contact["properties"]["value"]["maxLength"],
            MAX_CONTACT_CHARS
        );
        assert_eq!(contact["properties"]["label"]["maxLength"], MAX_LABEL_CHARS);
        let note = schema::<NoteInput>();
        assert_eq!(note["properties"]["text"]["maxLength"], MAX_TEXT_CHARS);
        assert_eq!(note["properties"]["by"]["maxLength"], MAX_NAME_CHARS);
        let location = schema::<Location>();
        for part in ["city", "country", "region"] {
            assert_eq!(location["properties"][part]["maxLength"], MAX_NAME_CHARS);
        }
        let item = schema::<OwnedItem>();
        for text in [
            "device_id",
            "label",
            "product_id",
            "product_name",
            "description",
            "serial_number",
            "notes",
        ] {
            assert_eq!(
                item["properties"][text]["maxLength"], MAX_TEXT_CHARS,
                "{text}"
            );
        }
        assert_eq!(item["properties"]["quantity"]["minimum"], 0);
        assert_eq!(item["properties"]["serial_numbers"]["maxItems"], MAX_ITEMS);
        assert_eq!(
            item["properties"]["serial_numbers"]["items"]["maxLength"],
            MAX_TEXT_CHARS
        );
    }

    #[test]
    fn unknown_contact_type_is_a_deserialization_error() {
        let r = serde_json::from_value::<NewCustomer>(serde_json::json!({
            "name": "N", "contacts": [{"type": "email", "value": "a@b"}, {"type": "fax", "value": "1"}]
        }));
        let e = r.unwrap_err().to_string();
        assert!(e.contains("fax"), "{e}");
    }

    #[test]
    fn owned_items_round_trip_as_given() {
        let items = serde_json::json!([
            {"type": "console_device", "device_id": "dev-1", "label": "Καμπαναριό"},
            {"type": "product", "product_id": "p1", "product_name": "VESPER", "quantity": 2,
             "serial_numbers": ["S1", "S2"]},
            {"type": "freetext", "description": "Παλιό ρολόι", "serial_number": "X9", "notes": "n"},
        ]);
        let c = new_from(serde_json::json!({"name": "N", "owned_items": items.clone()})).unwrap();
        assert_eq!(serde_json::to_value(&c.owned_items).unwrap(), items);
    }

    #[test]
    fn patch_changes_only_given_fields_and_null_clears() {
        let current = new_from(serde_json::json!({
            "name": "N", "organization": "Org", "tags": ["a"], "language": "en",
            "location": {"city": "Αθήνα"}, "nextcloud_folder": "F",
            "notes": [{"text": "first", "by": "me", "at": "2026-01-01T00:00:00Z"}]
        }))
        .unwrap();
        let patch: CustomerPatch = serde_json::from_value(serde_json::json!({
            "organization": null, "tags": null, "language": null, "nextcloud_folder": "G/",
            "notes": [{"text": "first", "by": "me", "at": "2026-01-01T00:00:00Z"},
                      {"text": "second"}]
        }))
        .unwrap();
        let next = patch.apply(&current, now()).unwrap();
        assert_eq!(next.name, "N");
        assert_eq!(next.organization, None);
        assert!(next.tags.is_empty());
        assert_eq!(next.language, "el");
        assert_eq!(next.location.city.as_deref(), Some("Αθήνα"));
        assert_eq!(next.nextcloud_folder.as_deref(), Some("G"));
        assert_eq!(next.notes.len(), 2);
        assert_eq!(
            next.notes[0].at,
            Timestamp::parse("2026-01-01T00:00:00Z").unwrap()
        );
        assert_eq!(next.notes[1].at, now());
        assert_eq!(next.notes[1].by, "");
    }

    #[test]
    fn files_live_in_the_given_folder_or_one_named_after_the_customer() {
        let customer = |name: &str, folder: Option<&str>| Customer {
            name: name.into(),
            nextcloud_folder: folder.map(Into::into),
            ..new_from(serde_json::json!({ "name": "x" })).unwrap()
        };
        let cases = [
            ("Ναός", Some("/05_Customers/ΝΑΟΣ/"), "05_Customers/ΝΑΟΣ"),
            ("Ναός", Some("  Α/Β  "), "Α/Β"),
            ("Ναός", Some("   "), "Customers/Ναός"),
            ("Ναός", None, "Customers/Ναός"),
            (
                " Αγ. Νικόλαος / Πάτρα\\Β ",
                None,
                "Customers/Αγ. Νικόλαος - Πάτρα-Β",
            ),
        ];
        for (name, folder, want) in cases {
            assert_eq!(
                customer(name, folder).files_folder(),
                want,
                "{name:?} {folder:?}"
            );
        }
    }

    #[test]
    fn list_query_limits() {
        let q = ListQuery::default();
        assert_eq!((q.effective_limit(), q.effective_offset()), (50, 0));
        let q = ListQuery {
            limit: Some(10_000),
            offset: Some(7),
            ..ListQuery::default()
        };
        assert_eq!((q.effective_limit(), q.effective_offset()), (500, 7));
    }
}
