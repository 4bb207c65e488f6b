//! The comms full-text index: what is stored per entry, and searches as FTS5 `MATCH`
//! expressions.
//!
//! Subject and body are indexed as word keys ([`crm_core::fts`]), so a search finds Greek
//! without regard to case, accents and final sigma, Greeklish, words typed so far, and the
//! other forms of a whole word (`Άγιος Νικόλαος`, `agios nikolaos` find `Αγίου Νικολάου`
//! and back: the inflections are whole keys in the query, the index holds plain keys),
//! exactly as customer search does. Hits are listed newest first, not ranked. A third column, `scope`, holds one token for the owner (`c` and
//! the customer id's 32 hex digits, or `cinbox`) and one for the type (`t` and the type
//! without `_`); filters are column filters on it (`scope:"temail"`), so they can never be
//! matched by words of a message.

use crm_core::fts;
use uuid::Uuid;

use crate::model::{CommsType, Entry};

/// An entry's row in `comms_fts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub subject: String,
    pub body: String,
    pub scope: String,
}

/// The scope token of an owner: a customer or the inbox.
pub fn owner_token(customer_id: Option<Uuid>) -> String {
    match customer_id {
        Some(id) => format!("c{}", id.simple()),
        None => "cinbox".to_owned(),
    }
}

/// The scope token of a type.
pub fn type_token(kind: CommsType) -> String {
    format!("t{}", kind.as_str().replace('_', ""))
}

/// What the index holds for an entry.
pub fn document(e: &Entry) -> Document {
    Document {
        subject: e
            .subject
            .as_deref()
            .map(fts::index_text)
            .unwrap_or_default(),
        body: e.body.as_deref().map(fts::index_text).unwrap_or_default(),
        scope: format!("{} {}", owner_token(e.customer_id), type_token(e.kind)),
    }
}

/// The `MATCH` expression for the words of `q` within an owner and a type, or `None` when
/// `q` has no word.
pub fn match_expression(
    q: &str,
    customer_id: Option<Uuid>,
    kind: Option<CommsType>,
) -> Option<String> {
    let mut expr = fts::match_expression(q)?;
    if let Some(id) = customer_id {
        expr.push_str(&format!(
            " AND scope:{}",
            fts::quote(&owner_token(Some(id)))
        ));
    }
    if let Some(kind) = kind {
        expr.push_str(&format!(" AND scope:{}", fts::quote(&type_token(kind))));
    }
    Some(expr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, NewEntry};

    #[test]
    fn documents_key_words_and_scope_the_owner_and_type() {
        let mut n = NewEntry::new(CommsType::InPerson, Direction::Internal, None);
        n.sender = Some("x".into());
        n.subject = Some("Επίσκεψη στον Άγιο Νικόλαο".into());
        let e = n
            .into_entry(Uuid::nil(), "2026-01-01T00:00:00Z".parse().unwrap())
            .unwrap();
        let d = document(&e);
        assert_eq!(d.subject, "episkepsi ston ajo nikolao");
        assert_eq!(d.scope, "cinbox tinperson");
    }

    #[test]
    fn a_whole_word_also_finds_its_other_forms() {
        let e = match_expression("Άγιος Νικόλαος", None, Some(CommsType::Email)).unwrap();
        for form in [r#""aju""#, r#""ajon""#, r#""nikolau""#, r#""nikolao""#] {
            assert!(e.contains(form), "{form} in {e}");
        }
        assert!(e.starts_with(r#"("ajos"* OR "#), "{e}");
        assert!(e.ends_with(r#"AND scope:"temail""#), "{e}");
        // a short word is only a prefix
        let e = match_expression("αγι", None, None).unwrap();
        assert!(!e.contains(r#""ajos""#), "{e}");
    }

    #[test]
    fn filters_are_column_filters() {
        assert_eq!(match_expression("  ", None, None), None);
        let e = match_expression("καμπανα", Some(Uuid::nil()), Some(CommsType::Email)).unwrap();
        assert!(
            e.contains(r#"scope:"c00000000000000000000000000000000""#),
            "{e}"
        );
        assert!(e.ends_with(r#"AND scope:"temail""#), "{e}");
    }
}
