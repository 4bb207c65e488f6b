//! What the contexts' Firestore stores share (feature `firestore`): where the collections are,
//! how a record becomes a document and back, and how the client's errors become [`Error`]s.
//!
//! # Documents
//!
//! A record is stored as its API JSON without `id` (the document's id is the record's id):
//! the same field names, numbers as numbers (money exact: see [`firestore::to_value`] on raw
//! JSON numbers), timestamps as Firestore timestamps. Stores add derived fields of their own
//! (search keys, sort keys), which readers ignore.
//!
//! Documents written by other programs (BellSystems' Python console) are read leniently:
//! a missing `version` is 1, a missing or `null` field takes its default, a timestamp may be a
//! string in any ISO 8601 form Python writes (`2026-03-01T10:00:00`, `…+00:00`, `… 10:00:00Z`;
//! without an offset it is UTC).

use firestore::{Document, Fields, Precondition, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::error::Error;

impl From<firestore::Error> for Error {
    fn from(e: firestore::Error) -> Self {
        use firestore::Error as F;
        match e {
            F::Unavailable { .. }
            | F::Transport(_)
            | F::Aborted(_)
            | F::Auth(_)
            | F::PermissionDenied { .. } => Error::Unavailable {
                message: format!("Firestore: {e}"),
            },
            e => Error::Store {
                message: format!("Firestore: {e}"),
            },
        }
    }
}

/// The names of the CRM's collections, each after an optional prefix (empty in production;
/// tests give each run a prefix of its own so that they can share one emulator).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collections {
    prefix: String,
}

impl Collections {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `{prefix}{name}`.
    pub fn named(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// Products: `crm_products`.
    pub fn products(&self) -> String {
        self.named("crm_products")
    }

    /// Customers: `crm_customers`.
    pub fn customers(&self) -> String {
        self.named("crm_customers")
    }

    /// Orders: `crm_orders`.
    pub fn orders(&self) -> String {
        self.named("crm_orders")
    }

    /// The CRM's own bookkeeping (order-number counters, SKU claims): `crm_meta`.
    pub fn meta(&self) -> String {
        self.named("crm_meta")
    }
}

/// The version of a stored record: its `version` field, or 1 for a document written without
/// one (or with something else there).
pub fn version(doc: &Document) -> i64 {
    match doc.fields.get("version") {
        Some(Value::Integer(v)) if *v >= 1 => *v,
        Some(Value::Double(v)) if v.fract() == 0.0 && *v >= 1.0 && *v < 9.0e15 => *v as i64,
        _ => 1,
    }
}

/// A record read from its document: `id` from the document's id, `version` from [`version`],
/// timestamps at `timestamp_paths` (as [`firestore::mark_timestamps`] names paths) read
/// leniently, and missing or `null` fields filled from `defaults` (see [`fill_defaults`]).
/// A document that still does not fit `T` is [`Error::Store`], naming the document and field.
pub fn decode<T: DeserializeOwned>(
    doc: &Document,
    timestamp_paths: &[&str],
    defaults: &Json,
) -> Result<T, Error> {
    let mut json = Json::Object(firestore::fields_to_json(&doc.fields));
    fill_defaults(&mut json, defaults);
    for path in timestamp_paths {
        let segments: Vec<&str> = path.split('.').collect();
        lenient_timestamps_at(&mut json, &segments);
    }
    if let Json::Object(m) = &mut json {
        m.insert("id".into(), Json::String(doc.id().to_owned()));
        m.insert("version".into(), Json::from(version(doc)));
    }
    serde_path_to_error::deserialize(json).map_err(|e| Error::Store {
        message: format!(
            "the document {} cannot be read: {}: {}",
            doc.path(),
            e.path(),
            e.inner()
        ),
    })
}

/// A record as document fields: its JSON form without `id`, timestamps at `timestamp_paths`
/// as Firestore timestamps.
pub fn encode<T: Serialize>(record: &T, timestamp_paths: &[&str]) -> Result<Fields, Error> {
    let invalid = |e: firestore::ValueError| Error::Store {
        message: format!("a record cannot be stored in Firestore: {e}"),
    };
    let mut fields = firestore::to_fields(record).map_err(invalid)?;
    fields.remove("id");
    firestore::mark_timestamps(&mut fields, timestamp_paths).map_err(invalid)?;
    Ok(fields)
}

/// The precondition of a write over `doc` that must not happen if anybody wrote it since it
/// was read (its update time), or if it was deleted meanwhile.
pub fn unchanged_since(doc: &Document) -> Precondition {
    match doc.update_time {
        Some(t) => Precondition::UpdateTime(t),
        None => Precondition::Exists(true),
    }
}

/// Fills what `value` lacks from `defaults`, which has the record's shape: a member missing
/// or `null` in an object takes the default's member; an array default of one element is the
/// default of every element (and a missing array is empty); any other default stands for
/// itself. What `value` has is never changed.
pub fn fill_defaults(value: &mut Json, defaults: &Json) {
    match (value, defaults) {
        (Json::Object(v), Json::Object(d)) => {
            for (key, default) in d {
                match v.get_mut(key) {
                    Some(member) if !member.is_null() => fill_defaults(member, default),
                    _ => {
                        v.insert(key.clone(), empty_of(default));
                    }
                }
            }
        }
        (Json::Array(items), Json::Array(d)) => {
            if let Some(element) = d.first() {
                for item in items {
                    fill_defaults(item, element);
                }
            }
        }
        _ => {}
    }
}

/// What a missing field becomes: an array default stands for its elements, so it is `[]`.
fn empty_of(default: &Json) -> Json {
    match default {
        Json::Array(_) => Json::Array(Vec::new()),
        other => other.clone(),
    }
}

fn lenient_timestamps_at(value: &mut Json, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        if let Json::String(s) = value
            && let Some(t) = lenient_timestamp(s)
        {
            *s = t;
        }
        return;
    };
    let (name, each) = match first.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*first, false),
    };
    let Some(member) = value.as_object_mut().and_then(|m| m.get_mut(name)) else {
        return;
    };
    if each {
        if let Json::Array(items) = member {
            for item in items {
                lenient_timestamps_at(item, rest);
            }
        }
    } else {
        lenient_timestamps_at(member, rest);
    }
}

/// An ISO 8601 date-time string in RFC 3339 form: `T` or a space between date and time, and
/// UTC assumed when there is no offset. `None` when it is already RFC 3339 or not a time.
fn lenient_timestamp(s: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let t = s.trim();
    if time::OffsetDateTime::parse(t, &Rfc3339).is_ok() {
        return (t != s).then(|| t.to_owned());
    }
    let bytes = t.as_bytes();
    if bytes.len() < 19 || bytes.get(10).is_none_or(|b| !matches!(b, b'T' | b' ')) {
        return None;
    }
    let mut fixed = t.to_owned();
    fixed.replace_range(10..11, "T");
    let has_offset = fixed[19..].contains(['Z', 'z', '+', '-']);
    if !has_offset {
        fixed.push('Z');
    }
    time::OffsetDateTime::parse(&fixed, &Rfc3339)
        .is_ok()
        .then_some(fixed)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn python_timestamps_become_rfc3339() {
        let read = |s: &str| {
            let fixed = lenient_timestamp(s).unwrap_or_else(|| s.to_owned());
            crate::Timestamp::parse(&fixed).map(|t| t.to_string()).ok()
        };
        for (python, ours) in [
            ("2026-03-01T10:00:00", "2026-03-01T10:00:00.000000Z"),
            ("2026-03-01 10:00:00.123456", "2026-03-01T10:00:00.123456Z"),
            (
                "2026-03-01 10:00:00.123456+02:00",
                "2026-03-01T08:00:00.123456Z",
            ),
            ("2026-03-01T10:00:00Z", "2026-03-01T10:00:00.000000Z"),
        ] {
            assert_eq!(read(python).as_deref(), Some(ours), "{python}");
        }
        assert_eq!(lenient_timestamp("yesterday"), None);
    }

    #[test]
    fn defaults_fill_what_is_missing_or_null_and_nothing_else() {
        let mut v = json!({"name": "Ναός", "tags": null, "contacts": [{"value": "a"}]});
        fill_defaults(
            &mut v,
            &json!({"tags": [""], "notes": [{}], "language": "el", "name": "",
                    "contacts": [{"primary": false, "label": null}], "location": {"city": null}}),
        );
        assert_eq!(
            v,
            json!({"name": "Ναός", "tags": [], "notes": [], "language": "el",
                   "contacts": [{"value": "a", "primary": false, "label": null}],
                   "location": {"city": null}})
        );
    }

    #[derive(Debug, serde::Deserialize, Serialize, PartialEq)]
    struct Rec {
        id: String,
        version: i64,
        at: crate::Timestamp,
        notes: Vec<Note>,
        price: crate::Money,
    }

    #[derive(Debug, serde::Deserialize, Serialize, PartialEq)]
    struct Note {
        at: crate::Timestamp,
    }

    #[test]
    fn records_round_trip_and_python_documents_read() {
        let rec = Rec {
            id: "r1".into(),
            version: 3,
            at: crate::Timestamp::parse("2026-03-01T10:00:00.5Z").unwrap(),
            notes: vec![Note {
                at: crate::Timestamp::parse("2026-03-02T10:00:00Z").unwrap(),
            }],
            price: crate::Money::parse("12.30").unwrap(),
        };
        let paths = ["at", "notes[].at"];
        let fields = encode(&rec, &paths).unwrap();
        assert!(!fields.contains_key("id"));
        assert!(matches!(fields["at"], Value::Timestamp(_)));
        assert_eq!(fields["price"], Value::Double(12.3));
        let doc = Document {
            name: "projects/p/databases/(default)/documents/c/r1".into(),
            fields,
            ..Document::default()
        };
        let back: Rec = decode(&doc, &paths, &json!({})).unwrap();
        assert_eq!(back, rec);

        // as a Python console writes it: no version, naive ISO strings, a float price
        let doc = Document {
            name: "projects/p/databases/(default)/documents/c/r2".into(),
            fields: firestore::fields_from_json(
                json!({"at": "2026-03-01T10:00:00", "price": 7.5, "notes": null})
                    .as_object()
                    .unwrap(),
            )
            .unwrap(),
            ..Document::default()
        };
        let read: Rec = decode(&doc, &paths, &json!({"notes": [{}]})).unwrap();
        assert_eq!(read.version, 1);
        assert_eq!(read.id, "r2");
        assert_eq!(read.at.to_string(), "2026-03-01T10:00:00.000000Z");
        assert_eq!(read.price.to_string(), "7.5");
        assert!(read.notes.is_empty());

        let bad = Document {
            name: "projects/p/databases/(default)/documents/c/r3".into(),
            fields: firestore::fields_from_json(json!({"at": 5}).as_object().unwrap()).unwrap(),
            ..Document::default()
        };
        match decode::<Rec>(&bad, &paths, &json!({})) {
            Err(Error::Store { message }) => assert!(message.contains("c/r3"), "{message}"),
            other => panic!("expected a store error, got {other:?}"),
        }
    }
}
