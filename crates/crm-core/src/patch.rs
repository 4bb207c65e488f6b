//! Partial updates: telling "absent" from "null".
//!
//! In a `PUT` body a missing field leaves the value alone and `null` clears it. Declare a
//! clearable field as `Option<Option<T>>` with
//! `#[serde(default, deserialize_with = "crm_core::patch::double_option")]`:
//! absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.

use serde::{Deserialize, Deserializer};

pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "super::double_option")]
        note: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_are_distinct() {
        let p: Patch = serde_json::from_str("{}").unwrap();
        assert_eq!(p.note, None);
        let p: Patch = serde_json::from_str(r#"{"note":null}"#).unwrap();
        assert_eq!(p.note, Some(None));
        let p: Patch = serde_json::from_str(r#"{"note":"x"}"#).unwrap();
        assert_eq!(p.note, Some(Some("x".into())));
    }
}
