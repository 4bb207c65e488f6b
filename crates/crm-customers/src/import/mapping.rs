//! Which customer field each column fills, and the mapping suggested from the header names.
//!
//! A header is compared folded ([`crm_core::text::fold`]: no case, no accents, `σ` for `ς`)
//! with its punctuation made spaces, against the Greek and English names offices give
//! these columns; a header that starts with a known name and goes on (`Τηλέφωνο 2`,
//! `Email γραφείου`) counts too. Contact columns, tags and notes may repeat; `name`,
//! `organization`, `city`, `region` and `language` are suggested for their first column only.

use crm_core::text::fold;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Organization,
    /// A landline (or any) phone number; several in one cell separated by `,` or `;`.
    Phone,
    /// A mobile number: stored as a phone contact labelled `κινητό`.
    Mobile,
    Email,
    Whatsapp,
    City,
    Region,
    /// Tags separated by `,`, `;` or `|`.
    Tags,
    /// A note added to the customer.
    Notes,
    /// A language tag (`el`, `en`).
    Language,
    /// Not imported.
    Ignore,
}

impl Field {
    /// The scalar fields: one column each.
    pub fn is_single(self) -> bool {
        matches!(
            self,
            Self::Name | Self::Organization | Self::City | Self::Region | Self::Language
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Organization => "organization",
            Self::Phone => "phone",
            Self::Mobile => "mobile",
            Self::Email => "email",
            Self::Whatsapp => "whatsapp",
            Self::City => "city",
            Self::Region => "region",
            Self::Tags => "tags",
            Self::Notes => "notes",
            Self::Language => "language",
            Self::Ignore => "ignore",
        }
    }
}

/// Names per field (compared folded), most specific first (`ηλ ταχυδρομειο` before `τηλ`).
const NAMES: &[(Field, &[&str])] = &[
    (
        Field::Email,
        &[
            "email",
            "e mail",
            "mail",
            "ηλ ταχυδρομειο",
            "ηλεκτρονικο ταχυδρομειο",
            "ηλεκτρονικη διευθυνση",
        ],
    ),
    (Field::Whatsapp, &["whatsapp", "whats app", "viber"]),
    (
        Field::Mobile,
        &[
            "κινητο",
            "κιν",
            "mobile",
            "cell",
            "cellphone",
            "κινητο τηλεφωνο",
        ],
    ),
    (
        Field::Phone,
        &[
            "τηλεφωνο",
            "σταθερο",
            "τηλ",
            "phone",
            "telephone",
            "tel",
            "τηλεφωνα",
        ],
    ),
    (
        Field::Name,
        &[
            "ονοματεπωνυμο",
            "επωνυμια",
            "ονομα",
            "ονομασια",
            "πελατης",
            "name",
            "full name",
            "customer",
        ],
    ),
    (
        Field::Organization,
        &[
            "ενορια",
            "ναος",
            "ι ν",
            "οργανισμος",
            "εταιρεια",
            "μητροπολη",
            "organization",
            "organisation",
            "company",
            "parish",
        ],
    ),
    (Field::City, &["πολη", "δημος", "χωριο", "city", "town"]),
    (
        Field::Region,
        &["νομος", "περιφερεια", "region", "county", "prefecture"],
    ),
    (
        Field::Tags,
        &["ετικετες", "ετικετα", "tags", "tag", "κατηγορια"],
    ),
    (
        Field::Notes,
        &[
            "σημειωσεις",
            "παρατηρησεις",
            "σχολια",
            "notes",
            "note",
            "comments",
            "remarks",
        ],
    ),
    (Field::Language, &["γλωσσα", "language", "lang"]),
];

/// A header folded, punctuation made spaces, spaces collapsed.
fn header_key(header: &str) -> String {
    let folded: String = fold(header)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field a header names, if any.
pub fn field_of(header: &str) -> Option<Field> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    // the names as written above have final sigmas: fold them as the header is
    let names: Vec<(Field, Vec<String>)> = NAMES
        .iter()
        .map(|(f, names)| (*f, names.iter().map(|n| header_key(n)).collect()))
        .collect();
    let exact = names.iter().find(|(_, names)| names.contains(&key));
    let prefix = || {
        names.iter().find(|(_, names)| {
            names.iter().any(|n| {
                key.strip_prefix(n.as_str())
                    .is_some_and(|rest| rest.starts_with(' '))
            })
        })
    };
    exact.or_else(prefix).map(|(f, _)| *f)
}

/// A field for every header; unknown headers and repeated single fields are `ignore`.
pub fn suggest(headers: &[String]) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::with_capacity(headers.len());
    for h in headers {
        let f = match field_of(h) {
            Some(f) if f.is_single() && out.contains(&f) => Field::Ignore,
            Some(f) => f,
            None => Field::Ignore,
        };
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greek_and_english_headers_are_recognised_ignoring_case_and_accents() {
        let cases = [
            ("Όνομα", Some(Field::Name)),
            ("ΕΠΩΝΥΜΙΑ", Some(Field::Name)),
            ("Ονοματεπώνυμο", Some(Field::Name)),
            ("Ενορία", Some(Field::Organization)),
            ("Ι.Ν.", Some(Field::Organization)),
            ("Ναός", Some(Field::Organization)),
            ("Οργανισμός", Some(Field::Organization)),
            ("Τηλέφωνο", Some(Field::Phone)),
            ("Τηλ.", Some(Field::Phone)),
            ("Σταθερό", Some(Field::Phone)),
            ("Τηλέφωνο 2", Some(Field::Phone)),
            ("Κινητό", Some(Field::Mobile)),
            ("Κινητό Τηλέφωνο", Some(Field::Mobile)),
            ("E-mail", Some(Field::Email)),
            ("Ηλ. Ταχυδρομείο", Some(Field::Email)),
            ("WhatsApp", Some(Field::Whatsapp)),
            ("Πόλη", Some(Field::City)),
            ("Δήμος", Some(Field::City)),
            ("ΝΟΜΟΣ", Some(Field::Region)),
            ("Περιφέρεια", Some(Field::Region)),
            ("Ετικέτες", Some(Field::Tags)),
            ("Σημειώσεις", Some(Field::Notes)),
            ("Παρατηρήσεις", Some(Field::Notes)),
            ("Γλώσσα", Some(Field::Language)),
            ("Phone", Some(Field::Phone)),
            ("City", Some(Field::City)),
            ("Α/Α", None),
            ("ΑΦΜ", None),
            ("", None),
        ];
        for (header, want) in cases {
            assert_eq!(field_of(header), want, "{header:?}");
        }
    }

    #[test]
    fn suggestions_map_single_fields_once() {
        let headers: Vec<String> = ["Επωνυμία", "Όνομα", "Τηλέφωνο", "Τηλέφωνο 2", "ΑΦΜ"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            suggest(&headers),
            [
                Field::Name,
                Field::Ignore,
                Field::Phone,
                Field::Phone,
                Field::Ignore
            ]
        );
    }
}
