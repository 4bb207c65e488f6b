//! [`SearchIndex`]: what the Firestore store keeps in memory per customer to answer searches
//! and the tag, city and region filters without asking Firestore: the customer's full search
//! keys ([`search::keys`] of [`search::document`], not the stored prefixes; location words
//! included), its tag keys ([`tag_key`]), the [`place_key`] of its city and region, and its
//! sort key (the folded name); and every key with the customers having
//! it (a sorted map, so that the keys a query word is a prefix of are one range). Pure data:
//! no I/O, no locks (see `live.rs` for how it is loaded and kept fresh).
//!
//! Every slot remembers the Firestore update time (server time) of the document version it
//! was computed from, and a change is applied only when it is newer than what the slot
//! holds: so changes seen out of order (a query that read a document before our own write
//! landed, a full reload racing a delta refresh) never undo newer ones. A deleted customer
//! leaves a tombstone (its id and the time of the delete) for the same reason; a full reload
//! starts without them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

use crm_core::fts::Group;
use firestore::Timestamp;
use uuid::Uuid;

use crate::model::{Contact, ContactType, Customer, place_key, tag_key};
use crate::normalize;
use crate::search;

/// The exact filters of a list, in their normal forms ([`tag_key`], [`place_key`]); `None`:
/// no such filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Filters<'a> {
    pub tag: Option<&'a str>,
    pub city: Option<&'a str>,
    pub region: Option<&'a str>,
}

impl Filters<'_> {
    /// Whether any filter is set.
    pub(crate) fn any(&self) -> bool {
        self.tag.is_some() || self.city.is_some() || self.region.is_some()
    }
}

/// What the index keeps of one customer: enough to decide a match and to order hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// [`search::fold`] of the name.
    sort_key: Box<str>,
    /// [`search::keys`]: sorted, without duplicates.
    keys: Box<[Box<str>]>,
    /// [`tag_key`] of each tag: sorted, without duplicates.
    tags: Box<[Box<str>]>,
    /// [`place_key`] of the city (none: unknown or blank).
    city: Option<Box<str>>,
    /// [`place_key`] of the region (none: unknown or blank).
    region: Option<Box<str>>,
}

impl Entry {
    /// The entry of a customer, computed from its record fields only (name, organization,
    /// contacts, tags, location), so that documents written without our derived fields are indexed
    /// the same. A phone number without its `e164` (written by another program) is
    /// normalised here, so that its E.164 and national forms find it too.
    pub(crate) fn of(c: &Customer) -> Self {
        let needs_e164 = |k: &Contact| {
            matches!(k.kind, ContactType::Phone | ContactType::Whatsapp) && k.e164.is_none()
        };
        if c.contacts.iter().any(needs_e164) {
            let mut c = c.clone();
            for k in c.contacts.iter_mut().filter(|k| needs_e164(k)) {
                k.e164 = normalize::phone_e164(&k.value);
            }
            return Self::of_complete(&c);
        }
        Self::of_complete(c)
    }

    fn of_complete(c: &Customer) -> Self {
        let mut tags: Vec<String> = c.tags.iter().map(|t| tag_key(t)).collect();
        tags.sort();
        tags.dedup();
        let place = |p: &Option<String>| {
            p.as_deref()
                .map(place_key)
                .filter(|k| !k.is_empty())
                .map(String::into_boxed_str)
        };
        Self {
            sort_key: search::fold(&c.name).into(),
            keys: search::keys(&search::document(c))
                .into_iter()
                .map(String::into_boxed_str)
                .collect(),
            tags: tags.into_iter().map(String::into_boxed_str).collect(),
            city: place(&c.location.city),
            region: place(&c.location.region),
        }
    }

    /// Whether the customer passes the [`Filters`]: has the tag key, and the city and region
    /// keys asked (each `None`: any).
    fn filtered(&self, f: Filters<'_>) -> bool {
        f.tag
            .is_none_or(|t| self.tags.binary_search_by(|x| (**x).cmp(t)).is_ok())
            && f.city.is_none_or(|c| self.city.as_deref() == Some(c))
            && f.region.is_none_or(|r| self.region.as_deref() == Some(r))
    }

    /// Whether the customer matches the [`search::query_groups`] (none: any) and passes the
    /// [`Filters`].
    pub(crate) fn matches(&self, groups: &[Group], filters: Filters<'_>) -> bool {
        self.filtered(filters) && search::matches(groups, &self.keys)
    }

    /// Bytes on the heap (allocations as requested, without the allocator's rounding).
    fn heap_bytes(&self) -> usize {
        let strings =
            |s: &[Box<str>]| std::mem::size_of_val(s) + s.iter().map(|k| k.len()).sum::<usize>();
        let place = |p: &Option<Box<str>>| p.as_deref().map_or(0, str::len);
        self.sort_key.len()
            + strings(&self.keys)
            + strings(&self.tags)
            + place(&self.city)
            + place(&self.region)
    }
}

/// A customer as seen at `seen` (its document's update time, or the time of its delete):
/// its entry, or `None` when it is gone (deleted, or no longer readable as a customer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observed {
    pub id: Uuid,
    pub seen: Timestamp,
    pub entry: Option<Entry>,
}

#[derive(Debug, Clone)]
struct Slot {
    seen: Timestamp,
    entry: Option<Entry>,
}

/// Every known customer's [`Entry`] by id (see the module doc), and every key of those
/// entries with the customers having it: a search looks up the keys each query alternative
/// is a prefix of (a range of this sorted map) instead of testing every customer.
#[derive(Debug, Default)]
pub(crate) struct SearchIndex {
    slots: HashMap<Uuid, Slot>,
    postings: BTreeMap<Box<str>, Vec<Uuid>>,
    /// Slots with an entry (the others are tombstones).
    live: usize,
}

impl SearchIndex {
    /// Records what was observed unless the index already knows a version as new or newer.
    /// Answers whether it changed anything.
    pub(crate) fn apply(&mut self, o: Observed) -> bool {
        if self.slots.get(&o.id).is_some_and(|s| s.seen >= o.seen) {
            return false;
        }
        let adds = usize::from(o.entry.is_some());
        if let Some(new) = &o.entry {
            for key in &new.keys {
                match self.postings.get_mut(&**key) {
                    Some(ids) => ids.push(o.id),
                    None => {
                        self.postings.insert(key.clone(), vec![o.id]);
                    }
                }
            }
        }
        let old = self.slots.insert(
            o.id,
            Slot {
                seen: o.seen,
                entry: o.entry,
            },
        );
        let old = old.and_then(|s| s.entry);
        if let Some(old) = &old {
            for key in &old.keys {
                if let Some(ids) = self.postings.get_mut(&**key) {
                    // the id was added last if the new entry has the key too
                    if let Some(i) = ids.iter().position(|id| *id == o.id) {
                        ids.swap_remove(i);
                    }
                    if ids.is_empty() {
                        self.postings.remove(&**key);
                    }
                }
            }
        }
        self.live = self.live + adds - usize::from(old.is_some());
        true
    }

    /// The customers matching the groups (see [`search::matches`]), looked up in the
    /// postings: for each group, those with a key in the range of one of its prefixes or
    /// equal to one of its inflections; then
    /// those in every group's set. `None` for no group (every customer).
    fn matching(&self, groups: &[Group]) -> Option<HashSet<Uuid>> {
        let mut found: Option<HashSet<Uuid>> = None;
        for group in groups {
            let mut ids = HashSet::new();
            let mut add = |having: &Vec<Uuid>| match &found {
                Some(before) => ids.extend(having.iter().filter(|id| before.contains(id))),
                None => ids.extend(having.iter().copied()),
            };
            for prefix in &group.prefixes {
                let from = (Bound::Included(prefix.as_str()), Bound::Unbounded);
                let keys = self
                    .postings
                    .range::<str, _>(from)
                    .take_while(|(k, _)| k.starts_with(prefix.as_str()));
                for (_, having) in keys {
                    add(having);
                }
            }
            for word in &group.inflections {
                if let Some(having) = self.postings.get(word.as_str()) {
                    add(having);
                }
            }
            let none = ids.is_empty();
            found = Some(ids);
            if none {
                break;
            }
        }
        found
    }

    /// How many customers the index holds.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// The update time the index's entry of `id` was computed from (none: not indexed).
    pub(crate) fn seen(&self, id: Uuid) -> Option<Timestamp> {
        self.slots
            .get(&id)
            .filter(|s| s.entry.is_some())
            .map(|s| s.seen)
    }

    /// The number of customers matching (see [`Entry::matches`]) and the ids of those from
    /// `offset` on, at most `limit`, ordered by sort key, then id (the uuid's bytes: the
    /// order of its hyphenated text).
    pub(crate) fn page(
        &self,
        groups: &[Group],
        filters: Filters<'_>,
        offset: usize,
        limit: usize,
    ) -> (u64, Vec<Uuid>) {
        let tagged = |e: &Entry| e.filtered(filters);
        let mut hits: Vec<(&str, Uuid)> = match self.matching(groups) {
            Some(ids) => ids
                .into_iter()
                .filter_map(|id| {
                    let e = self.slots.get(&id)?.entry.as_ref()?;
                    tagged(e).then_some((&*e.sort_key, id))
                })
                .collect(),
            None => self
                .slots
                .iter()
                .filter_map(|(id, slot)| {
                    let e = slot.entry.as_ref()?;
                    tagged(e).then_some((&*e.sort_key, *id))
                })
                .collect(),
        };
        let total = u64::try_from(hits.len()).unwrap_or(u64::MAX);
        let end = offset.saturating_add(limit);
        if end == 0 || offset >= hits.len() {
            return (total, Vec::new());
        }
        // only the hits up to the page's end need sorting
        if end < hits.len() {
            hits.select_nth_unstable(end);
            hits.truncate(end);
        }
        hits.sort_unstable();
        (total, hits[offset..].iter().map(|(_, id)| *id).collect())
    }

    /// A rough size of the index in memory: the table's buckets, the heap of every entry,
    /// and the postings (their keys, id lists and map elements; the allocator's rounding, the
    /// table's control bytes and the tree's node overhead aside).
    pub(crate) fn approx_bytes(&self) -> usize {
        let bucket = std::mem::size_of::<(Uuid, Slot)>();
        let posting = std::mem::size_of::<(Box<str>, Vec<Uuid>)>();
        let entries: usize = self
            .slots
            .values()
            .filter_map(|s| s.entry.as_ref())
            .map(Entry::heap_bytes)
            .sum();
        let postings: usize = self
            .postings
            .iter()
            .map(|(k, ids)| posting + k.len() + ids.capacity() * std::mem::size_of::<Uuid>())
            .sum();
        self.slots.capacity() * bucket + entries + postings
    }
}

/// The instant right after `t`: the time of a tombstone for a document found deleted after
/// the version `t` was seen (a re-read of that version does not bring it back; a document
/// created again later does).
pub(crate) fn just_after(t: Timestamp) -> Timestamp {
    let next = if t.nanos() < 999_999_999 {
        Timestamp::new(t.seconds(), t.nanos() + 1)
    } else {
        Timestamp::new(t.seconds().saturating_add(1), 0)
    };
    next.unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn customer(id: u128, name: &str, tags: &[&str], phone: Option<&str>) -> Customer {
        let contacts: Vec<serde_json::Value> = phone
            .map(|p| json!({"type": "phone", "value": p, "label": null, "primary": true}))
            .into_iter()
            .collect();
        serde_json::from_value(json!({
            "id": Uuid::from_u128(id),
            "name": name,
            "organization": null,
            "contacts": contacts,
            "notes": [],
            "location": {"city": null, "country": null, "region": null},
            "language": "el",
            "tags": tags,
            "owned_items": [],
            "linked_user_ids": [],
            "nextcloud_folder": null,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "version": 1,
        }))
        .unwrap()
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::new(1_700_000_000 + s, 0).unwrap()
    }

    fn seen(c: &Customer, s: i64) -> Observed {
        Observed {
            id: c.id,
            seen: at(s),
            entry: Some(Entry::of(c)),
        }
    }

    fn gone(id: Uuid, s: i64) -> Observed {
        Observed {
            id,
            seen: at(s),
            entry: None,
        }
    }

    /// Checks the total and the names of a page of hits for `q` (and `tag`).
    fn check(
        index: &SearchIndex,
        people: &[Customer],
        q: &str,
        tag: Option<&str>,
        (offset, limit): (usize, usize),
        expected: (u64, &[&str]),
    ) {
        let name = |id: Uuid| people.iter().find(|c| c.id == id).unwrap().name.as_str();
        let groups = search::query_groups(q);
        let filters = Filters {
            tag,
            ..Filters::default()
        };
        let (total, ids) = index.page(&groups, filters, offset, limit);
        let names: Vec<&str> = ids.into_iter().map(name).collect();
        assert_eq!((total, names.as_slice()), expected, "{q:?} {tag:?}");
    }

    #[test]
    fn matches_like_the_stores_and_orders_by_folded_name_then_id() {
        let people = vec![
            // no `e164` (written by another program): normalised for the index
            customer(5, "Παπαδόπουλος Γιώργος", &["VIP"], Some("694 412 3456")),
            customer(3, "παπαδοπουλος Άννα", &[], None),
            customer(
                4,
                "Ιερός Ναός Αγίου Νικολάου",
                &["Ενορία"],
                Some("210 412 0000"),
            ),
            customer(2, "Νίκος Παπάς", &["ενορία", "vip"], None),
            // same folded name as the first: ordered by id
            customer(1, "ΠΑΠΑΔΟΠΟΥΛΟΣ ΓΙΩΡΓΟΣ", &[], None),
        ];
        let mut index = SearchIndex::default();
        for c in &people {
            assert!(index.apply(seen(c, 1)));
        }
        let all = (0, 50);
        check(
            &index,
            &people,
            "papadop",
            None,
            all,
            (
                3,
                &[
                    "παπαδοπουλος Άννα",
                    "ΠΑΠΑΔΟΠΟΥΛΟΣ ΓΙΩΡΓΟΣ",
                    "Παπαδόπουλος Γιώργος",
                ],
            ),
        );
        check(
            &index,
            &people,
            "Παπαδ",
            None,
            (2, 1),
            (3, &["Παπαδόπουλος Γιώργος"]),
        );
        check(
            &index,
            &people,
            "papadopoulos giorg",
            None,
            (0, 0),
            (2, &[]),
        );
        check(&index, &people, "papadop", None, (3, 10), (3, &[]));
        check(
            &index,
            &people,
            "agiou nikolaou",
            None,
            all,
            (1, &["Ιερός Ναός Αγίου Νικολάου"]),
        );
        check(
            &index,
            &people,
            "+30 694 41",
            None,
            all,
            (1, &["Παπαδόπουλος Γιώργος"]),
        );
        check(
            &index,
            &people,
            "",
            Some(&tag_key("ΕΝΟΡΊΑ")),
            all,
            (2, &["Ιερός Ναός Αγίου Νικολάου", "Νίκος Παπάς"]),
        );
        check(
            &index,
            &people,
            "pap",
            Some("vip"),
            all,
            (2, &["Νίκος Παπάς", "Παπαδόπουλος Γιώργος"]),
        );
        check(&index, &people, "papadopoulosx", None, all, (0, &[]));
        // words longer than the prefixes Firestore stores: the whole key decides, as in SQLite
        let long = customer(9, "Καλημεροκαλησπερακαλονυχτοκαλοκαιρινός", &[], None);
        index.apply(seen(&long, 1));
        let people = [people, vec![long]].concat();
        check(
            &index,
            &people,
            "καλημεροκαλησπερακαλονυχτοκαλοκαιρι",
            None,
            all,
            (1, &["Καλημεροκαλησπερακαλονυχτοκαλοκαιρινός"]),
        );
        check(
            &index,
            &people,
            "καλημεροκαλησπερακαλονυχτοκαλοχειμω",
            None,
            all,
            (0, &[]),
        );
    }

    #[test]
    fn only_newer_versions_apply_and_tombstones_keep_old_reads_out() {
        let old = customer(1, "Παλιό Όνομα", &[], None);
        let renamed = Customer {
            name: "Νέο Όνομα".into(),
            ..old.clone()
        };
        let people = [old.clone()];
        let mut index = SearchIndex::default();
        assert!(index.apply(seen(&old, 1)));
        assert!(index.apply(seen(&renamed, 3)));
        assert!(!index.apply(seen(&old, 2)), "an older read changes nothing");
        assert!(!index.apply(seen(&renamed, 3)), "the same version again");
        check(&index, &people, "palio", None, (0, 50), (0, &[]));
        assert_eq!(
            index
                .page(&search::query_groups("neo"), Filters::default(), 0, 50)
                .0,
            1
        );

        assert!(index.apply(gone(old.id, 4)));
        assert_eq!((index.len(), index.seen(old.id)), (0, None));
        assert!(
            !index.apply(seen(&renamed, 3)),
            "a stale read stays deleted"
        );
        assert!(index.apply(seen(&old, 5)), "created again later");
        assert_eq!(index.len(), 1);

        assert_eq!(just_after(at(5)), Timestamp::new(1_700_000_005, 1).unwrap());
        assert_eq!(
            just_after(Timestamp::new(7, 999_999_999).unwrap()),
            Timestamp::new(8, 0).unwrap()
        );
        assert!(index.apply(gone(old.id, 5).with_seen(just_after(at(5)))));
        assert!(!index.apply(seen(&old, 5)));
        assert_eq!(index.len(), 0);
        assert!(index.postings.is_empty(), "{:?}", index.postings);
    }

    #[test]
    fn postings_answer_like_testing_every_customer() {
        let names = [
            "Παπαδόπουλος Γιώργος",
            "Παπάς Νίκος",
            "Νικολάου Παπαδοπούλου Ελένη",
            "Γεωργίου Νίκη",
            "Ναός Αγίου Νικολάου",
        ];
        let people: Vec<Customer> = names
            .iter()
            .enumerate()
            .map(|(i, n)| customer(i as u128, n, &["vip"], Some(&format!("69{i}0 123 456"))))
            .collect();
        let mut index = SearchIndex::default();
        for (round, c) in people.iter().enumerate() {
            index.apply(seen(c, 1));
            // renaming (some keys kept, some not) and deleting keep the postings exact
            let renamed = Customer {
                name: format!("{} Νέος", names[(round + 1) % names.len()]),
                ..c.clone()
            };
            index.apply(seen(&renamed, 2));
            index.apply(seen(c, 3));
        }
        index.apply(gone(people[4].id, 4));
        for q in [
            "pap",
            "papadopoulos",
            "nik",
            "nikolaou pap",
            "georg",
            "6910",
            "neos",
            "ag nik",
            "agios nikolaos",
            "nikolaos",
            "Νέου",
            "x",
        ] {
            let groups = search::query_groups(q);
            let expected: HashSet<Uuid> = index
                .slots
                .iter()
                .filter(|(_, s)| {
                    s.entry
                        .as_ref()
                        .is_some_and(|e| e.matches(&groups, Filters::default()))
                })
                .map(|(id, _)| *id)
                .collect();
            assert_eq!(index.matching(&groups), Some(expected), "{q}");
        }
    }

    impl Observed {
        fn with_seen(self, seen: Timestamp) -> Self {
            Self { seen, ..self }
        }
    }
}
