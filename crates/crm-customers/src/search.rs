//! The customers' full-text index: what is stored per customer, and list queries as FTS5
//! `MATCH` expressions.
//!
//! Words are keyed as [`crm_core::fts`] describes (Greek, Greeklish, prefixes). On top of
//! that, customers have phone numbers and tags:
//!
//! A phone contact is indexed as its digit groups, all its digits, the digits of its E.164
//! form and its national number, so `6912`, `306912`, `691 234 5678` and `+30 691…` all find
//! `+306912345678`. A query made only of digits and phone punctuation is read as one number.
//! Each tag is also indexed as one exact token `x<hex of the lower-cased tag>` in a column of
//! its own (`tag_ids`): keys never contain `x`, so such a token only matches the tag filter.
//!
//! The location's city, region and country are searchable words (column `location`), so
//! `θεσσαλονικη` and `thessaloniki` find every customer in Θεσσαλονίκη. For the exact city
//! and region filters, the folded city and region ([`place_key`]) are also indexed as one
//! token each in a column of their own (`place_ids`): `xq<hex>` for the city, `xr<hex>` for
//! the region. `q` and `r` are no hex digits, so these tokens are never a tag's token, and
//! never keys (no `x`).

use crm_core::fts::{self, Group, Tier, index_text, push_index_text, quote};

use crate::model::{ContactType, Customer, place_key, tag_key};
use crate::normalize;

pub use crm_core::text::fold;

/// The index text of a phone number: its digit groups, all its digits, and the digits of its
/// E.164 and national forms.
pub fn phone_index_text(value: &str, e164: Option<&str>) -> String {
    let mut out = index_text(value);
    let mut add = |s: &str| {
        if !s.is_empty() && !out.split(' ').any(|t| t == s) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(s);
        }
    };
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    add(&digits);
    if let Some(e164) = e164 {
        add(e164.trim_start_matches('+'));
        if let Some(national) = normalize::national_digits(e164) {
            add(&national);
        }
    }
    out
}

/// The one index token that stands for a whole tag (see the module doc).
pub fn tag_token(tag: &str) -> String {
    let key = tag_key(tag);
    let mut out = String::with_capacity(1 + 2 * key.len());
    out.push('x');
    for b in key.as_bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The one index token that stands for a whole city (see the module doc).
pub fn city_token(city: &str) -> String {
    hex_token("xq", &place_key(city))
}

/// The one index token that stands for a whole region (see the module doc).
pub fn region_token(region: &str) -> String {
    hex_token("xr", &place_key(region))
}

fn hex_token(prefix: &str, key: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 2 * key.len());
    out.push_str(prefix);
    for b in key.as_bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A customer's row in the full-text index: one column per searchable part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub name: String,
    pub organization: String,
    pub contacts: String,
    pub tags: String,
    /// One [`tag_token`] per tag, for the exact tag filter.
    pub tag_ids: String,
    /// The words of the location's city, region and country.
    pub location: String,
    /// The [`city_token`] and [`region_token`] of the location's city and region (those
    /// known), for the exact city and region filters.
    pub place_ids: String,
}

/// What the index holds for a customer.
pub fn document(c: &Customer) -> Document {
    let mut contacts = String::new();
    for contact in &c.contacts {
        let text = match contact.kind {
            ContactType::Phone | ContactType::Whatsapp => {
                phone_index_text(&contact.value, contact.e164.as_deref())
            }
            ContactType::Email | ContactType::Other => index_text(&contact.value),
        };
        if !text.is_empty() {
            if !contacts.is_empty() {
                contacts.push(' ');
            }
            contacts.push_str(&text);
        }
    }
    let mut tags = String::new();
    for t in &c.tags {
        push_index_text(&mut tags, t);
    }
    let place = &c.location;
    let mut location = String::new();
    for part in [&place.city, &place.region, &place.country]
        .into_iter()
        .flatten()
    {
        push_index_text(&mut location, part);
    }
    let place_ids = [
        known(place.city.as_deref()).map(city_token),
        known(place.region.as_deref()).map(region_token),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    Document {
        name: index_text(&c.name),
        organization: c
            .organization
            .as_deref()
            .map(index_text)
            .unwrap_or_default(),
        contacts,
        tags,
        tag_ids: c
            .tags
            .iter()
            .map(|t| tag_token(t))
            .collect::<Vec<_>>()
            .join(" "),
        location,
        place_ids,
    }
}

/// The place, when it is given and not blank.
fn known(place: Option<&str>) -> Option<&str> {
    place.filter(|p| !place_key(p).is_empty())
}

/// Whether `query` is a phone number being typed: digits and phone punctuation only.
fn phone_like(query: &str) -> bool {
    let digits = query.chars().filter(char::is_ascii_digit).count();
    digits >= 3
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')' | '/'))
}

/// What a user typed as groups of alternatives ([`Group`]): a customer matches when every
/// group has a prefix that one of its keys ([`keys`]) starts with, or an inflection (`agios`
/// → `aju`, Αγίου) that is one of its keys. A phone-like query is one group (its digit forms, as prefixes); other queries have
/// one group per word ([`crm_core::fts::query_groups`]). Empty when the query has no word
/// (no search filter). Both stores search with these groups: SQLite as a `MATCH`
/// expression, Firestore in its in-process index of [`keys`] (by the rule of [`matches()`]).
pub fn query_groups(query: &str) -> Vec<Group> {
    if phone_like(query.trim()) {
        vec![Group {
            prefixes: phone_query_keys(query.trim()),
            ..Group::default()
        }]
    } else {
        fts::query_groups(query)
    }
}

/// The FTS5 `MATCH` expression for what a user typed, or `None` when it has no word (then
/// there is no search filter). Every word is a quoted prefix; see the module doc.
pub fn match_expression(query: &str) -> Option<String> {
    fts::match_groups(&query_groups(query))
}

/// The `MATCH` expressions of the ranking's tiers for these groups: every word whole as
/// typed, and every word whole in any form (the last word may also be a prefix, being
/// typed); see [`fts::tier_expression`]. `None` for no group.
pub fn tier_expressions(groups: &[Group]) -> Option<[String; 2]> {
    Some([
        fts::tier_expression(groups, Tier::AsTyped)?,
        fts::tier_expression(groups, Tier::AnyForm)?,
    ])
}

/// Search keys are stored as prefixes of at most this many characters (see [`search_keys`]).
pub const MAX_PREFIX_CHARS: usize = 24;

/// The searchable keys of a customer: the words of every searchable column of its
/// [`document`] (name, organization, contacts with every phone form, tags, location; not
/// the tag and place tokens), as the full-text index holds them.
pub fn keys(d: &Document) -> Vec<String> {
    let mut out: Vec<String> = [&d.name, &d.organization, &d.contacts, &d.tags, &d.location]
        .into_iter()
        .flat_map(|column| column.split(' '))
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every prefix (of up to [`MAX_PREFIX_CHARS`] characters) of every key of `d`, sorted and
/// without duplicates: what a store without full-text search keeps, so that "some key starts
/// with `k`" is "the prefix list contains `k`" for any `k` up to that length.
pub fn search_keys(d: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for key in keys(d) {
        let ends = key
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take(MAX_PREFIX_CHARS);
        for end in ends {
            out.push(key[..end].to_owned());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A query key as looked up among [`search_keys`]: its first [`MAX_PREFIX_CHARS`]
/// characters (a longer key finds a superset, finished by [`matches()`]).
pub fn prefix_key(k: &str) -> &str {
    match k.char_indices().nth(MAX_PREFIX_CHARS) {
        Some((i, _)) => &k[..i],
        None => k,
    }
}

/// Whether a customer with these [`keys`] (sorted) matches the [`query_groups`]: every group
/// has a prefix that some key starts with, or an inflection that is one of them
/// ([`Group::matches_keys`]). No group: everything matches.
pub fn matches<K: AsRef<str>>(groups: &[Group], keys: &[K]) -> bool {
    groups.iter().all(|g| g.matches_keys(keys))
}

/// The `MATCH` term that keeps only customers with `tag`.
pub fn tag_match(tag: &str) -> String {
    quote(&tag_token(tag))
}

/// The `MATCH` term that keeps only customers in `city` (see [`place_key`]).
pub fn city_match(city: &str) -> String {
    quote(&city_token(city))
}

/// The `MATCH` term that keeps only customers in `region` (see [`place_key`]).
pub fn region_match(region: &str) -> String {
    quote(&region_token(region))
}

fn phone_query_keys(query: &str) -> Vec<String> {
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let mut keys = vec![digits.clone()];
    let mut add = |k: String| {
        if !k.is_empty() && !keys.contains(&k) {
            keys.push(k);
        }
    };
    if let Some(rest) = digits.strip_prefix("00") {
        add(rest.to_owned());
    }
    if let Some(e164) = normalize::phone_e164(query) {
        add(e164.trim_start_matches('+').to_owned());
        if let Some(national) = normalize::national_digits(&e164) {
            add(national);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_queries_are_one_number() {
        let e = match_expression("0030 691 234 5678").unwrap();
        assert!(e.contains("\"306912345678\"*"), "{e}");
        assert!(e.contains("\"6912345678\"*"), "{e}");
        let e = match_expression("+30 691-234").unwrap();
        assert!(e.contains("\"30691234\"*"), "{e}");
    }

    #[test]
    fn phone_index_text_has_every_form() {
        let t = phone_index_text("0030 691 234 5678", Some("+306912345678"));
        for part in [
            "0030",
            "691",
            "234",
            "5678",
            "00306912345678",
            "306912345678",
            "6912345678",
        ] {
            assert!(t.split(' ').any(|w| w == part), "{t} lacks {part}");
        }
    }

    #[test]
    fn tag_tokens_are_exact_and_case_insensitive() {
        assert_eq!(tag_token("VIP"), tag_token(" vip "));
        assert_eq!(tag_token("ΕΝΟΡΙΑ"), tag_token("ενορια"));
        assert_ne!(tag_token("ενορία"), tag_token("ενορια"));
        assert!(tag_token("a b").starts_with('x'));
        assert!(!index_text("xenia xx").contains('x'));
    }

    #[test]
    fn search_keys_are_every_capped_prefix_and_groups_match_like_fts() {
        let d = Document {
            name: index_text("Μπίμπης Γεώργιος"),
            contacts: phone_index_text("691 234 5678", Some("+306912345678")),
            tags: index_text("ενορία"),
            tag_ids: tag_token("ενορία"),
            ..Document::default()
        };
        let sk = search_keys(&d);
        for k in [
            "b", "bi", "bibis", "georjos", "6", "6912", "3069123", "enoria",
        ] {
            assert!(sk.binary_search(&k.to_owned()).is_ok(), "{k}: {sk:?}");
        }
        assert!(
            !sk.iter().any(|k| k.starts_with('x')),
            "tag tokens are no keys"
        );
        let long = Document {
            name: "a".repeat(40),
            ..Document::default()
        };
        assert_eq!(
            search_keys(&long).last().map(String::len),
            Some(MAX_PREFIX_CHARS)
        );
        assert_eq!(
            prefix_key(&"κ".repeat(30)).chars().count(),
            MAX_PREFIX_CHARS
        );

        let keys = keys(&d);
        let hit = |q: &str| matches(&query_groups(q), &keys);
        assert!(hit("bibis"));
        assert!(hit("mpimpis georg"));
        assert!(hit("+30 691 234"));
        assert!(hit("ενορ"));
        assert!(!hit("bibis papadopoulos"));
        assert!(!hit("bibisa"));
        assert!(hit(""), "no words: no filter");
    }

    #[test]
    fn location_words_are_keys_and_place_tokens_are_exact_filters() {
        let c = crate::model::NewCustomer {
            name: "Ναός".into(),
            location: crate::model::Location {
                city: Some("Θεσσαλονίκη".into()),
                region: Some("Κεντρική Μακεδονία".into()),
                country: Some("Ελλάδα".into()),
            },
            ..crate::model::NewCustomer::default()
        }
        .into_customer(
            uuid::Uuid::nil(),
            crm_core::Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        )
        .unwrap();
        let d = document(&c);
        let keys = keys(&d);
        let hit = |q: &str| matches(&query_groups(q), &keys);
        assert!(hit("θεσσαλονικη") && hit("thessaloniki") && hit("makedonia ellada"));
        assert!(
            !keys.iter().any(|k| k.starts_with('x')),
            "place tokens are no keys"
        );
        assert_eq!(
            d.place_ids,
            format!(
                "{} {}",
                city_token("ΘΕΣΣΑΛΟΝΙΚΗ"),
                region_token(" κεντρικη μακεδονια ")
            )
        );
        // a city's token is never a region's or a tag's
        assert_ne!(city_token("Αθήνα"), region_token("Αθήνα"));
        assert_ne!(&city_token("Αθήνα")[1..], &tag_token("αθηνα")[1..]);
        assert!(city_token("x").starts_with("xq") && region_token("x").starts_with("xr"));
    }

    #[test]
    fn fold_ignores_case_accents_and_final_sigma() {
        assert_eq!(fold("Μπίμπης"), "μπιμπησ");
        assert_eq!(fold("ΜΠΙΜΠΗΣ"), fold("μπιμπης"));
    }
}
