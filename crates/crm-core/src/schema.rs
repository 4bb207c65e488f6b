//! OpenAPI schemas the derive cannot write from an attribute: limits on the items of a list.
//!
//! utoipa's `#[schema(max_length = …)]` and friends take literals only; these take the
//! constants the validation uses, for `#[schema(schema_with = …)]`.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};

/// A list of at most `max_items` strings of at most `max_length` characters each; `null` is
/// allowed too when `nullable`.
pub fn strings(max_items: usize, max_length: usize, nullable: bool) -> RefOr<Schema> {
    let kind = if nullable {
        SchemaType::from_iter([Type::Array, Type::Null])
    } else {
        SchemaType::new(Type::Array)
    };
    ArrayBuilder::new()
        .schema_type(kind)
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(max_length)),
        )
        .max_items(Some(max_items))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_strings_with_its_limits() {
        let s = serde_json::to_value(strings(50, 100, true)).unwrap();
        assert_eq!(
            s,
            serde_json::json!({
                "type": ["array", "null"],
                "items": {"type": "string", "maxLength": 100},
                "maxItems": 50,
            })
        );
        let s = serde_json::to_value(strings(5, 10, false)).unwrap();
        assert_eq!(s["type"], "array");
    }
}
