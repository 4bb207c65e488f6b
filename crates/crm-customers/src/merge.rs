//! Two records of one parish made one: what the kept customer becomes, what is remembered of
//! the duplicate, and which pairs look like duplicates.
//!
//! # Combining ([`combine`])
//!
//! The kept customer keeps its id, `created_at` and its place in every list. From the
//! duplicate it gains every contact it lacks (compared by [`Contact::normalized`]; a
//! duplicate's primary contact stays primary only where the kept customer has no primary
//! contact of that type), every note it does not have (all notes, by time), every tag it lacks
//! (compared ignoring case, as tags are), every owned item whose serials it does not list
//! already (an item without serials: one it does not have), and the users linked to it.
//! Combining again what was combined adds nothing. The scalar fields — name, organization,
//! location, language, Nextcloud folder — are the kept customer's unless the caller chose the
//! duplicate's ([`Choices`]); a field empty on the chosen side takes the other side's value,
//! since that is no conflict. The result is validated as any customer (at most 500 contacts,
//! tags, owned items): a merge that would exceed a limit is refused naming the field.
//!
//! # Records that point at a customer
//!
//! Orders, comms entries, media records, tickets (and their activities) and leads move to the
//! kept customer in the same transaction that rewrites it and deletes the duplicate (see the
//! gateway's merge channel); [`Moved`] counts them. [`MergeRecord`] keeps the duplicate's
//! whole JSON, who merged, when and what moved: enough to undo by hand.
//!
//! # Duplicate suggestions ([`suggest`])
//!
//! Pairs of customers that share a normalised phone number or e-mail address, or whose names
//! are the same once folded (case, accents, final sigma) and stripped of everything but
//! letters and digits — «Ι.Ν. Αγίου Νικολάου» and «ι ν αγιου νικολαου» — each pair once,
//! with the reasons.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crm_core::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{Contact, Customer, MAX_ITEMS, MAX_NOTES, OwnedItem, tag_key};

/// Which side a conflicting scalar field is taken from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The customer that stays (the default).
    #[default]
    Kept,
    /// The customer merged into it.
    Duplicate,
}

/// The caller's choice for each scalar field on which the two customers differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Choices {
    pub name: Side,
    pub organization: Side,
    pub location: Side,
    pub language: Side,
    pub nextcloud_folder: Side,
}

/// How many of each kind of record moved to the kept customer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Moved {
    /// Contacts the kept customer did not have.
    pub contacts: u64,
    pub notes: u64,
    /// Tags the kept customer did not have.
    pub tags: u64,
    /// Owned items whose serial the kept customer did not list.
    pub owned_items: u64,
    pub orders: u64,
    pub comms_entries: u64,
    pub media_records: u64,
    pub tickets: u64,
    pub leads: u64,
}

/// `POST /customers/{kept}/merge`: the customer to merge into the kept one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    pub duplicate_id: Uuid,
    /// Which side each conflicting field comes from (default: the kept customer's).
    #[serde(default)]
    pub choices: Choices,
    /// Only say what would happen: nothing is written.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a merge did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MergeOutcome {
    /// The kept customer after the merge.
    pub customer: Customer,
    pub record: MergeRecord,
    pub dry_run: bool,
    /// The duplicate had been merged into this customer before: nothing changed now.
    pub already_merged: bool,
}

/// What is remembered of a merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MergeRecord {
    pub id: Uuid,
    pub kept_id: Uuid,
    pub duplicate_id: Uuid,
    /// The duplicate as it was just before the merge.
    pub duplicate: Customer,
    pub choices: Choices,
    pub moved: Moved,
    /// Username of who merged.
    pub merged_by: String,
    pub merged_at: Timestamp,
}

/// The kept customer as the merge makes it (not yet stored: the store sets the version) and
/// the counts of what its own record gains.
pub fn combine(
    kept: &Customer,
    duplicate: &Customer,
    choices: &Choices,
    now: Timestamp,
) -> Result<(Customer, Moved)> {
    let mut moved = Moved::default();
    let mut next = kept.clone();

    let pick = |side: Side| -> (&Customer, &Customer) {
        match side {
            Side::Kept => (kept, duplicate),
            Side::Duplicate => (duplicate, kept),
        }
    };
    let (a, _) = pick(choices.name);
    next.name = a.name.clone();
    let (a, b) = pick(choices.organization);
    next.organization = a.organization.clone().or_else(|| b.organization.clone());
    let (a, b) = pick(choices.location);
    next.location = if a.location == Default::default() {
        b.location.clone()
    } else {
        a.location.clone()
    };
    let (a, _) = pick(choices.language);
    next.language = a.language.clone();
    let (a, b) = pick(choices.nextcloud_folder);
    next.nextcloud_folder = a
        .nextcloud_folder
        .clone()
        .or_else(|| b.nextcloud_folder.clone());

    // contacts the kept customer lacks; one primary per type
    let mut known: BTreeSet<(String, String)> = kept.contacts.iter().map(contact_key).collect();
    let mut primary: BTreeSet<String> = kept
        .contacts
        .iter()
        .filter(|c| c.primary)
        .map(|c| c.kind.as_str().to_owned())
        .collect();
    for c in &duplicate.contacts {
        if !known.insert(contact_key(c)) {
            continue;
        }
        let mut c = c.clone();
        if c.primary && !primary.insert(c.kind.as_str().to_owned()) {
            c.primary = false;
        }
        next.contacts.push(c);
        moved.contacts += 1;
    }

    // a note the kept customer has already (a merge finished on a second attempt) stays one
    for n in &duplicate.notes {
        if !kept.notes.contains(n) {
            next.notes.push(n.clone());
            moved.notes += 1;
        }
    }
    next.notes.sort_by_key(|n| n.at);

    let mut tags: BTreeSet<String> = kept.tags.iter().map(|t| tag_key(t)).collect();
    for t in &duplicate.tags {
        if tags.insert(tag_key(t)) {
            next.tags.push(t.clone());
            moved.tags += 1;
        }
    }

    let mut serials: BTreeSet<String> = kept.owned_items.iter().flat_map(serials_of).collect();
    for item in &duplicate.owned_items {
        let theirs = serials_of(item);
        // an item with serials is known by them; one without, by being the same item
        let known = if theirs.is_empty() {
            next.owned_items.contains(item)
        } else {
            theirs.iter().all(|s| serials.contains(s))
        };
        if known {
            continue;
        }
        serials.extend(theirs);
        next.owned_items.push(item.clone());
        moved.owned_items += 1;
    }

    for user in &duplicate.linked_user_ids {
        if !next.linked_user_ids.contains(user) {
            next.linked_user_ids.push(user.clone());
        }
    }
    next.updated_at = now;

    for (field, n, max) in [
        ("contacts", next.contacts.len(), MAX_ITEMS),
        ("tags", next.tags.len(), MAX_ITEMS),
        ("owned_items", next.owned_items.len(), MAX_ITEMS),
        ("notes", next.notes.len(), MAX_NOTES),
    ] {
        if n > max {
            return Err(Error::invalid(
                "duplicate_id",
                format!("the merged customer would have {n} {field}, more than {max}"),
            ));
        }
    }
    Ok((next, moved))
}

fn contact_key(c: &Contact) -> (String, String) {
    // phones and WhatsApp numbers compare by number whatever their type
    let kind = match c.kind.as_str() {
        "whatsapp" => "phone",
        other => other,
    };
    (kind.to_owned(), c.normalized())
}

/// The serial numbers an owned item lists, trimmed and upper-cased.
fn serials_of(item: &OwnedItem) -> Vec<String> {
    item.serial_numbers
        .iter()
        .flatten()
        .chain(item.serial_number.iter())
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Why two customers look like one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// Both list this number (E.164).
    Phone { value: String },
    /// Both list this address (lower case).
    Email { value: String },
    /// Their names fold to the same letters and digits.
    Name { value: String },
}

/// Two customers that look like one, the older first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DuplicatePair {
    pub a: Customer,
    pub b: Customer,
    pub reasons: Vec<Reason>,
}

/// The most customers one contact or name may join before it is taken for a shared one (the
/// diocese's switchboard, `info@` of a metropolis) and suggests nothing.
const SHARED_AT: usize = 5;

/// The pairs among `customers` that share a contact or a folded name, most reasons first, then
/// by the older customer's name; each pair once.
pub fn suggest(customers: &[Customer]) -> Vec<DuplicatePair> {
    let mut groups: HashMap<Reason, Vec<usize>> = HashMap::new();
    for (i, c) in customers.iter().enumerate() {
        let mut keys: BTreeSet<Reason> = BTreeSet::new();
        for contact in &c.contacts {
            match contact.kind.as_str() {
                "phone" | "whatsapp" => {
                    if let Some(e164) = &contact.e164 {
                        keys.insert(Reason::Phone {
                            value: e164.clone(),
                        });
                    }
                }
                "email" => {
                    keys.insert(Reason::Email {
                        value: contact.normalized(),
                    });
                }
                _ => {}
            }
        }
        let name = name_key(&c.name);
        if name.chars().count() >= 3 {
            keys.insert(Reason::Name { value: name });
        }
        for k in keys {
            groups.entry(k).or_default().push(i);
        }
    }
    let mut pairs: BTreeMap<(usize, usize), Vec<Reason>> = BTreeMap::new();
    for (reason, members) in groups {
        if members.len() < 2 || members.len() > SHARED_AT {
            continue;
        }
        for (n, &x) in members.iter().enumerate() {
            for &y in &members[n + 1..] {
                let (x, y) = older_first(customers, x, y);
                pairs.entry((x, y)).or_default().push(reason.clone());
            }
        }
    }
    let mut out: Vec<DuplicatePair> = pairs
        .into_iter()
        .map(|((x, y), mut reasons)| {
            reasons.sort();
            DuplicatePair {
                a: customers[x].clone(),
                b: customers[y].clone(),
                reasons,
            }
        })
        .collect();
    out.sort_by(|p, q| {
        q.reasons
            .len()
            .cmp(&p.reasons.len())
            .then_with(|| crm_core::text::fold(&p.a.name).cmp(&crm_core::text::fold(&q.a.name)))
            .then_with(|| p.a.id.cmp(&q.a.id))
    });
    out
}

fn older_first(customers: &[Customer], x: usize, y: usize) -> (usize, usize) {
    let key = |i: usize| (customers[i].created_at, customers[i].id);
    if key(x) <= key(y) { (x, y) } else { (y, x) }
}

/// A name folded (case, accents, final sigma) with only its letters and digits kept.
pub fn name_key(name: &str) -> String {
    crm_core::text::fold(name)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::NewCustomer;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn customer(v: serde_json::Value, created: &str) -> Customer {
        let new: NewCustomer = serde_json::from_value(v).unwrap();
        new.into_customer(Uuid::new_v4(), at(created)).unwrap()
    }

    #[test]
    fn the_kept_customer_gains_what_it_lacks_and_keeps_its_fields_by_default() {
        let kept = customer(
            json!({"name": "Ι.Ν. Αγίου Νικολάου", "organization": null,
                   "contacts": [{"type": "phone", "value": "2101234567", "primary": true},
                                {"type": "email", "value": "naos@example.gr"}],
                   "tags": ["Πελάτης"],
                   "notes": [{"text": "πρώτη", "at": "2026-01-02T00:00:00Z"}],
                   "owned_items": [{"type": "product", "serial_numbers": ["VS-1"]}]}),
            "2026-01-01T00:00:00Z",
        );
        let dup = customer(
            json!({"name": "Αγ. Νικόλαος Πειραιά", "organization": "Μητρόπολη Πειραιώς",
                   "location": {"city": "Πειραιάς"},
                   "contacts": [{"type": "phone", "value": "+30 210 123 4567"},
                                {"type": "phone", "value": "6912345678", "primary": true},
                                {"type": "email", "value": "Pappas@Example.gr", "primary": true}],
                   "tags": ["ΠΕΛΆΤΗΣ", "Εγγύηση"],
                   "notes": [{"text": "δεύτερη", "at": "2026-01-01T12:00:00Z"}],
                   "owned_items": [{"type": "product", "serial_numbers": ["vs-1"]},
                                   {"type": "product", "serial_numbers": ["VS-2"]},
                                   {"type": "freetext", "description": "παλιό ρολόι"}]}),
            "2026-02-01T00:00:00Z",
        );
        let now = at("2026-03-01T00:00:00Z");
        let (next, moved) = combine(&kept, &dup, &Choices::default(), now).unwrap();
        assert_eq!(next.id, kept.id);
        assert_eq!(next.name, "Ι.Ν. Αγίου Νικολάου");
        // empty on the kept side: no conflict, the duplicate's value
        assert_eq!(next.organization.as_deref(), Some("Μητρόπολη Πειραιώς"));
        assert_eq!(next.location.city.as_deref(), Some("Πειραιάς"));
        // the same landline written differently is one contact; the mobile comes over, not
        // primary (the kept customer has a primary phone); the e-mail is new and primary
        let values: Vec<(&str, bool)> = next
            .contacts
            .iter()
            .map(|c| (c.value.as_str(), c.primary))
            .collect();
        assert_eq!(
            values,
            [
                ("2101234567", true),
                ("naos@example.gr", false),
                ("6912345678", false),
                ("Pappas@Example.gr", true)
            ]
        );
        assert_eq!(next.tags, ["Πελάτης", "Εγγύηση"]);
        let notes: Vec<&str> = next.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(notes, ["δεύτερη", "πρώτη"]);
        assert_eq!(next.owned_items.len(), 3);
        assert_eq!(next.updated_at, now);
        assert_eq!(
            moved,
            Moved {
                contacts: 2,
                notes: 1,
                tags: 1,
                owned_items: 2,
                ..Moved::default()
            }
        );
        // combining again (a merge finished on a second attempt) adds nothing twice
        let (again, moved) = combine(&next, &dup, &Choices::default(), now).unwrap();
        assert_eq!(again, next);
        assert_eq!(moved, Moved::default());
    }

    #[test]
    fn the_caller_may_take_a_field_from_the_duplicate() {
        let kept = customer(
            json!({"name": "Αγ. Νικόλαος", "language": "el", "location": {"city": "Αθήνα"}}),
            "2026-01-01T00:00:00Z",
        );
        let dup = customer(
            json!({"name": "Ιερός Ναός Αγίου Νικολάου", "language": "en",
                   "location": {"city": "Πειραιάς"}}),
            "2026-02-01T00:00:00Z",
        );
        let choices = Choices {
            name: Side::Duplicate,
            language: Side::Kept,
            location: Side::Duplicate,
            ..Choices::default()
        };
        let (next, _) = combine(&kept, &dup, &choices, at("2026-03-01T00:00:00Z")).unwrap();
        assert_eq!(next.name, "Ιερός Ναός Αγίου Νικολάου");
        assert_eq!(next.language, "el");
        assert_eq!(next.location.city.as_deref(), Some("Πειραιάς"));
    }

    #[test]
    fn a_merge_over_the_limits_is_refused() {
        let tags: Vec<String> = (0..300).map(|n| format!("a{n}")).collect();
        let more: Vec<String> = (0..300).map(|n| format!("b{n}")).collect();
        let kept = customer(json!({"name": "A", "tags": tags}), "2026-01-01T00:00:00Z");
        let dup = customer(json!({"name": "B", "tags": more}), "2026-01-02T00:00:00Z");
        match combine(&kept, &dup, &Choices::default(), at("2026-03-01T00:00:00Z")) {
            Err(Error::Invalid {
                field,
                reason: message,
            }) => {
                assert_eq!(field, "duplicate_id");
                assert!(message.contains("600 tags"), "{message}");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn suggestions_pair_shared_contacts_and_folded_names_once_each() {
        let a = customer(
            json!({"name": "Ι.Ν. Αγίου Νικολάου",
                   "contacts": [{"type": "phone", "value": "2101234567"}]}),
            "2026-01-01T00:00:00Z",
        );
        let b = customer(
            json!({"name": "ι ν αγιου νικολαου",
                   "contacts": [{"type": "whatsapp", "value": "+302101234567"}]}),
            "2026-01-02T00:00:00Z",
        );
        let c = customer(
            json!({"name": "Μονή Πεντέλης",
                   "contacts": [{"type": "email", "value": "Info@Penteli.gr"}]}),
            "2026-01-03T00:00:00Z",
        );
        let d = customer(
            json!({"name": "Γραφείο Μονής",
                   "contacts": [{"type": "email", "value": "info@penteli.gr"}]}),
            "2026-01-04T00:00:00Z",
        );
        let e = customer(json!({"name": "Άλλος Ναός"}), "2026-01-05T00:00:00Z");
        // the newer first in the input: pairs still put the older first
        let pairs = suggest(&[d.clone(), b.clone(), e, a.clone(), c.clone()]);
        assert_eq!(pairs.len(), 2, "{pairs:#?}");
        assert_eq!((pairs[0].a.id, pairs[0].b.id), (a.id, b.id));
        assert_eq!(
            pairs[0].reasons,
            [
                Reason::Phone {
                    value: "+302101234567".into()
                },
                Reason::Name {
                    value: "ιναγιουνικολαου".into()
                }
            ]
        );
        assert_eq!((pairs[1].a.id, pairs[1].b.id), (c.id, d.id));
        assert_eq!(
            pairs[1].reasons,
            [Reason::Email {
                value: "info@penteli.gr".into()
            }]
        );
    }

    #[test]
    fn a_contact_shared_by_many_suggests_nothing() {
        let many: Vec<Customer> = (0..6)
            .map(|n| {
                customer(
                    json!({"name": format!("Ενορία {n}"),
                           "contacts": [{"type": "email", "value": "mitropoli@example.gr"}]}),
                    "2026-01-01T00:00:00Z",
                )
            })
            .collect();
        assert!(suggest(&many).is_empty());
    }
}
