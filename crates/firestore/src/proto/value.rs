//! Firestore values, done once: the [`Value`] type, its wire form (`{"stringValue": "…"}`,
//! `{"integerValue": "42"}`, …), and the conversions between values and JSON or any serde type.
//!
//! | Firestore         | Rust / serde (writing)                  | JSON (reading)                      |
//! |-------------------|-----------------------------------------|-------------------------------------|
//! | `nullValue`       | `None`, `()`, unit struct               | `null`                              |
//! | `booleanValue`    | `bool`                                  | `true`/`false`                      |
//! | `integerValue`    | `i8`…`i64`, `u8`…`u64` ≤ `i64::MAX`     | number (exact, also beyond 2^53)    |
//! | `doubleValue`     | `f32`, `f64`                            | number; NaN and ±∞ read as `null`   |
//! | `timestampValue`  | [`Timestamp`], or a string at a path given to [`mark_timestamps`] | RFC 3339 string (6 or 9 digits) |
//! | `stringValue`     | `str`, `char`, unit enum variant        | string                              |
//! | `bytesValue`      | `serialize_bytes` (e.g. `serde_bytes`)  | base64 string                       |
//! | `referenceValue`  | [`Value::Reference`]                    | string (the document's full name)   |
//! | `geoPointValue`   | [`Value::GeoPoint`]                     | `{"latitude", "longitude"}`         |
//! | `arrayValue`      | sequences, tuples                       | array                               |
//! | `mapValue`        | maps (string or integer keys), structs  | object                              |
//!
//! Integers stay integers and doubles doubles in both directions: `1.0_f64` is written as a
//! double, `1_i64` as an integer.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::timestamp::Timestamp;
pub use super::value_error::ValueError;

/// The fields of a document or of a map value, by name.
pub type Fields = BTreeMap<String, Value>;

/// A latitude/longitude pair (`geoPointValue`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LatLng {
    /// Degrees, -90..=90.
    #[serde(default)]
    pub latitude: f64,
    /// Degrees, -180..=180.
    #[serde(default)]
    pub longitude: f64,
}

/// One Firestore value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `nullValue`.
    Null,
    /// `booleanValue`.
    Boolean(bool),
    /// `integerValue`: a signed 64-bit integer (a decimal string on the wire).
    Integer(i64),
    /// `doubleValue`.
    Double(f64),
    /// `timestampValue`.
    Timestamp(Timestamp),
    /// `stringValue`.
    String(String),
    /// `bytesValue` (base64 on the wire).
    Bytes(Vec<u8>),
    /// `referenceValue`: a document's full name,
    /// `projects/{p}/databases/{d}/documents/{path}`.
    Reference(String),
    /// `geoPointValue`.
    GeoPoint(LatLng),
    /// `arrayValue`.
    Array(Vec<Value>),
    /// `mapValue`.
    Map(Fields),
}

impl Value {
    /// The kind's name as Firestore spells it (`stringValue`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nullValue",
            Value::Boolean(_) => "booleanValue",
            Value::Integer(_) => "integerValue",
            Value::Double(_) => "doubleValue",
            Value::Timestamp(_) => "timestampValue",
            Value::String(_) => "stringValue",
            Value::Bytes(_) => "bytesValue",
            Value::Reference(_) => "referenceValue",
            Value::GeoPoint(_) => "geoPointValue",
            Value::Array(_) => "arrayValue",
            Value::Map(_) => "mapValue",
        }
    }

    /// The string of a `stringValue`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer of an `integerValue`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The value at a dotted field path inside a map value (`a.b.c`; a segment quoted with
    /// backticks may contain dots). `None` when a step is missing or not a map.
    pub fn get(&self, field_path: &str) -> Option<&Value> {
        let mut cur = self;
        for segment in super::path::field_path_segments(field_path) {
            match cur {
                Value::Map(m) => cur = m.get(&segment)?,
                _ => return None,
            }
        }
        Some(cur)
    }

    /// From JSON: numbers that are integers in `i64` become integers, other numbers doubles
    /// (a `u64` above `i64::MAX` is an error), strings stay strings (see [`mark_timestamps`]).
    pub fn from_json(json: &serde_json::Value) -> Result<Value, ValueError> {
        Ok(match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Boolean(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Integer(i)
                } else if n.is_u64() {
                    return Err(ValueError::IntegerOutOfRange(n.to_string()));
                } else {
                    Value::Double(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => {
                Value::Array(a.iter().map(Value::from_json).collect::<Result<_, _>>()?)
            }
            serde_json::Value::Object(o) => Value::Map(fields_from_json(o)?),
        })
    }

    /// To JSON, as the table in this module says (timestamps as RFC 3339 strings, bytes as
    /// base64, references as their names, NaN and ±∞ as `null`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Boolean(b) => J::Bool(*b),
            Value::Integer(i) => J::from(*i),
            Value::Double(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
            Value::Timestamp(t) => J::String(t.to_string()),
            Value::String(s) | Value::Reference(s) => J::String(s.clone()),
            Value::Bytes(b) => J::String(BASE64.encode(b)),
            Value::GeoPoint(g) => {
                serde_json::json!({"latitude": g.latitude, "longitude": g.longitude})
            }
            Value::Array(a) => J::Array(a.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(fields_to_json(m)),
        }
    }
}

/// Fields from a JSON object ([`Value::from_json`] on each member).
pub fn fields_from_json(
    object: &serde_json::Map<String, serde_json::Value>,
) -> Result<Fields, ValueError> {
    object
        .iter()
        .map(|(k, v)| Ok((k.clone(), Value::from_json(v)?)))
        .collect()
}

/// Fields as a JSON object ([`Value::to_json`] on each).
pub fn fields_to_json(fields: &Fields) -> serde_json::Map<String, serde_json::Value> {
    fields
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json()))
        .collect()
}

/// Decodes fields into `T` through their JSON form (see the module's table); a failure names
/// the field (`contacts[0].value: invalid type …`).
pub fn from_fields<T: DeserializeOwned>(fields: &Fields) -> Result<T, ValueError> {
    from_json(serde_json::Value::Object(fields_to_json(fields)))
}

/// Decodes one value into `T` through its JSON form.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ValueError> {
    from_json(value.to_json())
}

fn from_json<T: DeserializeOwned>(json: serde_json::Value) -> Result<T, ValueError> {
    serde_path_to_error::deserialize(json).map_err(|e| ValueError::Decode {
        path: e.path().to_string(),
        message: e.into_inner().to_string(),
    })
}

/// Turns the strings at `paths` into timestamps, for types whose timestamps serialize as RFC
/// 3339 strings. A path is dotted field names; `[]` after a name means "in each element of
/// this array": `created_at`, `shipping.shipped_at`, `notes[].at`, `history[].changes[].at`.
/// Missing fields and nulls are left alone; a timestamp already there stays; anything else at
/// such a path is an error.
pub fn mark_timestamps(fields: &mut Fields, paths: &[&str]) -> Result<(), ValueError> {
    for path in paths {
        let steps: Vec<&str> = path.split('.').collect();
        mark_in_map(fields, &steps, path)?;
    }
    Ok(())
}

fn mark_in_map(map: &mut Fields, steps: &[&str], full: &str) -> Result<(), ValueError> {
    let Some((step, rest)) = steps.split_first() else {
        return Ok(());
    };
    let (name, each) = match step.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*step, false),
    };
    let Some(v) = map.get_mut(name) else {
        return Ok(());
    };
    if each {
        match v {
            Value::Array(items) => {
                for item in items {
                    mark_value(item, rest, full)?;
                }
                Ok(())
            }
            Value::Null => Ok(()),
            other => Err(ValueError::NotATimestamp {
                path: full.to_owned(),
                found: other.kind(),
            }),
        }
    } else {
        mark_value(v, rest, full)
    }
}

fn mark_value(v: &mut Value, rest: &[&str], full: &str) -> Result<(), ValueError> {
    if rest.is_empty() {
        return match v {
            Value::String(s) => {
                *v = Value::Timestamp(Timestamp::parse(s)?);
                Ok(())
            }
            Value::Timestamp(_) | Value::Null => Ok(()),
            other => Err(ValueError::NotATimestamp {
                path: full.to_owned(),
                found: other.kind(),
            }),
        };
    }
    match v {
        Value::Map(m) => mark_in_map(m, rest, full),
        Value::Null => Ok(()),
        other => Err(ValueError::NotATimestamp {
            path: full.to_owned(),
            found: other.kind(),
        }),
    }
}

// --- the wire form ----------------------------------------------------------------------------

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        match self {
            Value::Null => m.serialize_entry("nullValue", &())?,
            Value::Boolean(b) => m.serialize_entry("booleanValue", b)?,
            Value::Integer(i) => m.serialize_entry("integerValue", &i.to_string())?,
            Value::Double(d) => {
                // proto3 JSON spells the non-finite doubles as strings
                if d.is_nan() {
                    m.serialize_entry("doubleValue", "NaN")?
                } else if d.is_infinite() {
                    m.serialize_entry(
                        "doubleValue",
                        if *d > 0.0 { "Infinity" } else { "-Infinity" },
                    )?
                } else {
                    m.serialize_entry("doubleValue", d)?
                }
            }
            Value::Timestamp(t) => m.serialize_entry("timestampValue", &t.to_string())?,
            Value::String(x) => m.serialize_entry("stringValue", x)?,
            Value::Bytes(b) => m.serialize_entry("bytesValue", &BASE64.encode(b))?,
            Value::Reference(r) => m.serialize_entry("referenceValue", r)?,
            Value::GeoPoint(g) => m.serialize_entry("geoPointValue", g)?,
            Value::Array(a) => m.serialize_entry("arrayValue", &WireArray { values: a })?,
            Value::Map(f) => m.serialize_entry("mapValue", &WireMap { fields: f })?,
        }
        m.end()
    }
}

#[derive(Serialize)]
struct WireArray<'a> {
    values: &'a [Value],
}

#[derive(Serialize)]
struct WireMap<'a> {
    fields: &'a Fields,
}

#[derive(Deserialize)]
struct WireArrayIn {
    #[serde(default)]
    values: Vec<Value>,
}

#[derive(Deserialize)]
struct WireMapIn {
    #[serde(default)]
    fields: Fields,
}

/// An integer as the wire spells it (a decimal string), or as a lenient writer might (a number).
#[derive(Deserialize)]
#[serde(untagged)]
enum WireInteger {
    Number(i64),
    Text(String),
}

/// A double as a number, or as proto3 JSON's `"NaN"`, `"Infinity"`, `"-Infinity"` (or any
/// number in a string).
#[derive(Deserialize)]
#[serde(untagged)]
enum WireDouble {
    Number(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Firestore value ({\"stringValue\": …}, {\"integerValue\": …}, …)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // a value with no kind set is what proto3 writes for an unset oneof: null
        let mut out = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let v = match key.as_ref() {
                "nullValue" => {
                    map.next_value::<IgnoredAny>()?;
                    Value::Null
                }
                "booleanValue" => Value::Boolean(map.next_value()?),
                "integerValue" => match map.next_value::<WireInteger>()? {
                    WireInteger::Number(i) => Value::Integer(i),
                    WireInteger::Text(s) => Value::Integer(s.parse().map_err(|_| {
                        de::Error::custom(format!("integerValue {s:?} is not a 64-bit integer"))
                    })?),
                },
                "doubleValue" => match map.next_value::<WireDouble>()? {
                    WireDouble::Number(x) => Value::Double(x),
                    WireDouble::Text(s) => Value::Double(match s.as_str() {
                        "NaN" => f64::NAN,
                        "Infinity" => f64::INFINITY,
                        "-Infinity" => f64::NEG_INFINITY,
                        other => other.parse().map_err(|_| {
                            de::Error::custom(format!("doubleValue {other:?} is not a number"))
                        })?,
                    }),
                },
                "timestampValue" => {
                    let s: std::borrow::Cow<'de, str> = map.next_value()?;
                    Value::Timestamp(Timestamp::parse(&s).map_err(de::Error::custom)?)
                }
                "stringValue" => Value::String(map.next_value()?),
                "bytesValue" => {
                    let s: std::borrow::Cow<'de, str> = map.next_value()?;
                    Value::Bytes(decode_base64(&s).map_err(de::Error::custom)?)
                }
                "referenceValue" => Value::Reference(map.next_value()?),
                "geoPointValue" => Value::GeoPoint(map.next_value()?),
                "arrayValue" => Value::Array(map.next_value::<WireArrayIn>()?.values),
                "mapValue" => Value::Map(map.next_value::<WireMapIn>()?.fields),
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown Firestore value kind {other:?}"
                    )));
                }
            };
            if out.replace(v).is_some() {
                return Err(de::Error::custom("a Firestore value with two kinds"));
            }
        }
        Ok(out.unwrap_or(Value::Null))
    }
}

/// Standard base64, padded or not; URL-safe too (Google's JSON writes bytes either way).
pub(crate) fn decode_base64(s: &str) -> Result<Vec<u8>, String> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let trimmed = s.trim_end_matches('=');
    STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
        .or_else(|_| URL_SAFE.decode(s))
        .map_err(|e| format!("bytesValue is not base64: {e}"))
}

// --- conversions for building values by hand -------------------------------------------------

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Boolean(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Integer(v.into())
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Integer(v.into())
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}
impl From<Timestamp> for Value {
    fn from(v: Timestamp) -> Self {
        Value::Timestamp(v)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::Array(v)
    }
}
impl From<Fields> for Value {
    fn from(v: Fields) -> Self {
        Value::Map(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use crate::proto::ser::{to_fields, to_value};
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    /// (value, its wire form): every kind, written and read back.
    fn wire_table() -> Vec<(Value, serde_json::Value)> {
        vec![
            (Value::Null, json!({"nullValue": null})),
            (Value::Boolean(true), json!({"booleanValue": true})),
            (Value::Boolean(false), json!({"booleanValue": false})),
            (Value::Integer(0), json!({"integerValue": "0"})),
            (Value::Integer(-42), json!({"integerValue": "-42"})),
            // beyond 2^53: exact, because the wire carries a string
            (
                Value::Integer(9_007_199_254_740_993),
                json!({"integerValue": "9007199254740993"}),
            ),
            (
                Value::Integer(i64::MAX),
                json!({"integerValue": "9223372036854775807"}),
            ),
            (
                Value::Integer(i64::MIN),
                json!({"integerValue": "-9223372036854775808"}),
            ),
            (Value::Double(1.5), json!({"doubleValue": 1.5})),
            (Value::Double(1.0), json!({"doubleValue": 1.0})),
            (Value::Double(-0.1), json!({"doubleValue": -0.1})),
            (
                Value::Double(f64::INFINITY),
                json!({"doubleValue": "Infinity"}),
            ),
            (
                Value::Double(f64::NEG_INFINITY),
                json!({"doubleValue": "-Infinity"}),
            ),
            (
                Value::Timestamp(ts("2024-01-02T03:04:05.123456789Z")),
                json!({"timestampValue": "2024-01-02T03:04:05.123456789Z"}),
            ),
            (
                Value::Timestamp(ts("2024-01-02T03:04:05Z")),
                json!({"timestampValue": "2024-01-02T03:04:05.000000Z"}),
            ),
            (
                Value::String("Μπίμπης".into()),
                json!({"stringValue": "Μπίμπης"}),
            ),
            (Value::String(String::new()), json!({"stringValue": ""})),
            (
                Value::Bytes(vec![1, 2, 3, 255]),
                json!({"bytesValue": "AQID/w=="}),
            ),
            (
                Value::Reference("projects/p/databases/(default)/documents/c/d".into()),
                json!({"referenceValue": "projects/p/databases/(default)/documents/c/d"}),
            ),
            (
                Value::GeoPoint(LatLng {
                    latitude: 37.98,
                    longitude: 23.72,
                }),
                json!({"geoPointValue": {"latitude": 37.98, "longitude": 23.72}}),
            ),
            (Value::Array(vec![]), json!({"arrayValue": {"values": []}})),
            (
                Value::Array(vec![
                    Value::Integer(1),
                    Value::String("a".into()),
                    Value::Null,
                ]),
                json!({"arrayValue": {"values": [
                    {"integerValue": "1"}, {"stringValue": "a"}, {"nullValue": null}
                ]}}),
            ),
            (
                Value::Map(Fields::new()),
                json!({"mapValue": {"fields": {}}}),
            ),
            (
                map([
                    (
                        "a",
                        map([("b", Value::Array(vec![map([("c", Value::Double(2.5))])]))]),
                    ),
                    ("n", Value::Null),
                ]),
                json!({"mapValue": {"fields": {
                    "a": {"mapValue": {"fields": {"b": {"arrayValue": {"values": [
                        {"mapValue": {"fields": {"c": {"doubleValue": 2.5}}}}
                    ]}}}}},
                    "n": {"nullValue": null}
                }}}),
            ),
        ]
    }

    #[test]
    fn wire_round_trips_every_kind() {
        for (value, wire) in wire_table() {
            assert_eq!(serde_json::to_value(&value).unwrap(), wire, "{value:?}");
            let back: Value = serde_json::from_value(wire.clone()).unwrap();
            assert_eq!(back, value, "{wire}");
        }
        // NaN is not equal to itself: checked apart
        let wire = serde_json::to_value(Value::Double(f64::NAN)).unwrap();
        assert_eq!(wire, json!({"doubleValue": "NaN"}));
        let back: Value = serde_json::from_value(wire).unwrap();
        assert!(matches!(back, Value::Double(d) if d.is_nan()));
    }

    #[test]
    fn wire_is_read_tolerantly() {
        // (what a server or another writer may send, what it means)
        let table = [
            (json!({"integerValue": 7}), Value::Integer(7)),
            (json!({"doubleValue": 3}), Value::Double(3.0)),
            (json!({"doubleValue": "2.5"}), Value::Double(2.5)),
            (json!({"arrayValue": {}}), Value::Array(vec![])),
            (json!({"mapValue": {}}), Value::Map(Fields::new())),
            (json!({}), Value::Null),
            (
                json!({"bytesValue": "AQID_w"}),
                Value::Bytes(vec![1, 2, 3, 255]),
            ),
            (
                json!({"bytesValue": "AQID/w"}),
                Value::Bytes(vec![1, 2, 3, 255]),
            ),
            (
                json!({"geoPointValue": {"latitude": 1.5}}),
                Value::GeoPoint(LatLng {
                    latitude: 1.5,
                    longitude: 0.0,
                }),
            ),
            (
                json!({"timestampValue": "2024-01-02T05:04:05+02:00"}),
                Value::Timestamp(ts("2024-01-02T03:04:05Z")),
            ),
        ];
        for (wire, expected) in table {
            let got: Value = serde_json::from_value(wire.clone()).unwrap();
            assert_eq!(got, expected, "{wire}");
        }
    }

    #[test]
    fn wire_refuses_nonsense() {
        for wire in [
            json!({"integerValue": "12.5"}),
            json!({"integerValue": "9223372036854775808"}),
            json!({"timestampValue": "yesterday"}),
            json!({"bytesValue": "!!"}),
            json!({"fooValue": 1}),
            json!({"stringValue": "a", "integerValue": "1"}),
            json!("plain"),
        ] {
            assert!(
                serde_json::from_value::<Value>(wire.clone()).is_err(),
                "{wire}"
            );
        }
    }

    #[test]
    fn json_conversion_keeps_integers_and_doubles_apart() {
        // (JSON, value, JSON read back)
        let table = [
            (json!(1), Value::Integer(1), json!(1)),
            (json!(1.0), Value::Double(1.0), json!(1.0)),
            (
                json!(-9_007_199_254_740_993_i64),
                Value::Integer(-9_007_199_254_740_993),
                json!(-9_007_199_254_740_993_i64),
            ),
            (json!(0.45), Value::Double(0.45), json!(0.45)),
            (
                json!("2024-01-02T03:04:05Z"),
                Value::String("2024-01-02T03:04:05Z".into()),
                json!("2024-01-02T03:04:05Z"),
            ),
            (json!(null), Value::Null, json!(null)),
            (
                json!([1, [2.5, {"x": true}]]),
                Value::Array(vec![
                    Value::Integer(1),
                    Value::Array(vec![Value::Double(2.5), map([("x", Value::Boolean(true))])]),
                ]),
                json!([1, [2.5, {"x": true}]]),
            ),
        ];
        for (input, value, back) in table {
            assert_eq!(Value::from_json(&input).unwrap(), value, "{input}");
            assert_eq!(value.to_json(), back, "{input}");
        }
        assert_eq!(
            Value::from_json(&json!(u64::MAX)),
            Err(ValueError::IntegerOutOfRange(u64::MAX.to_string()))
        );
        // what JSON cannot hold
        assert_eq!(Value::Double(f64::NAN).to_json(), json!(null));
        assert_eq!(Value::Bytes(vec![0, 1]).to_json(), json!("AAE="));
        assert_eq!(
            Value::Timestamp(ts("2024-01-02T03:04:05.000000001Z")).to_json(),
            json!("2024-01-02T03:04:05.000000001Z")
        );
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Note {
        text: String,
        at: Timestamp,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Controller,
        Part,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Record {
        name: String,
        count: i64,
        big: u64,
        price: f64,
        ratio: f32,
        active: bool,
        kind: Kind,
        tags: Vec<String>,
        notes: Vec<Note>,
        maybe: Option<String>,
        nested: BTreeMap<String, BTreeMap<String, i32>>,
        by_year: BTreeMap<u16, String>,
        pair: (u8, String),
        created_at: Timestamp,
    }

    fn record() -> Record {
        Record {
            name: "Ενορία Αγ. Νικολάου".into(),
            count: -3,
            big: 9_007_199_254_740_993,
            price: 12.0,
            ratio: 0.5,
            active: true,
            kind: Kind::Controller,
            tags: vec!["vip".into(), "athens".into()],
            notes: vec![Note {
                text: "call back".into(),
                at: ts("2026-11-22T09:30:00.123456789Z"),
            }],
            maybe: None,
            nested: BTreeMap::from([("a".into(), BTreeMap::from([("b".into(), 1)]))]),
            by_year: BTreeMap::from([(2026, "x".into())]),
            pair: (7, "y".into()),
            created_at: ts("2026-11-22T09:30:00Z"),
        }
    }

    #[test]
    fn serde_types_encode_kind_by_kind() {
        let fields = to_fields(&record()).unwrap();
        let expected = [
            ("name", Value::String("Ενορία Αγ. Νικολάου".into())),
            ("count", Value::Integer(-3)),
            ("big", Value::Integer(9_007_199_254_740_993)),
            ("price", Value::Double(12.0)),
            ("ratio", Value::Double(0.5)),
            ("active", Value::Boolean(true)),
            ("kind", Value::String("controller".into())),
            (
                "tags",
                Value::Array(vec![
                    Value::String("vip".into()),
                    Value::String("athens".into()),
                ]),
            ),
            (
                "notes",
                Value::Array(vec![map([
                    ("text", Value::String("call back".into())),
                    ("at", Value::Timestamp(ts("2026-11-22T09:30:00.123456789Z"))),
                ])]),
            ),
            ("maybe", Value::Null),
            ("nested", map([("a", map([("b", Value::Integer(1))]))])),
            ("by_year", map([("2026", Value::String("x".into()))])),
            (
                "pair",
                Value::Array(vec![Value::Integer(7), Value::String("y".into())]),
            ),
            ("created_at", Value::Timestamp(ts("2026-11-22T09:30:00Z"))),
        ];
        for (name, value) in &expected {
            assert_eq!(fields.get(*name), Some(value), "{name}");
        }
        assert_eq!(fields.len(), expected.len());
    }

    #[test]
    fn serde_types_round_trip() {
        let r = record();
        let fields = to_fields(&r).unwrap();
        // through the wire too, as a document would travel
        let wire = serde_json::to_string(&fields).unwrap();
        let back: Fields = serde_json::from_str(&wire).unwrap();
        assert_eq!(back, fields);
        assert_eq!(from_fields::<Record>(&back).unwrap(), r);
    }

    #[test]
    fn what_firestore_cannot_hold_is_refused() {
        #[derive(Serialize)]
        struct Huge {
            n: u64,
        }
        assert_eq!(
            to_fields(&Huge { n: u64::MAX }),
            Err(ValueError::IntegerOutOfRange(u64::MAX.to_string()))
        );
        assert_eq!(to_fields(&5), Err(ValueError::NotAMap("integerValue")));
        assert_eq!(to_fields(&vec![1]), Err(ValueError::NotAMap("arrayValue")));
        assert!(matches!(
            to_fields(&BTreeMap::from([((1, 2), 3)])),
            Err(ValueError::KeyNotAString(_))
        ));
        assert_eq!(
            to_value(&i128::MAX),
            Err(ValueError::IntegerOutOfRange(i128::MAX.to_string()))
        );
        assert_eq!(to_value(&(i64::MIN as i128)), Ok(Value::Integer(i64::MIN)));
    }

    #[test]
    fn enums_encode_as_serde_json_would() {
        #[derive(Serialize)]
        enum E {
            Unit,
            New(i32),
            Tuple(i32, bool),
            Struct { a: i32 },
        }
        // (input, expected): externally tagged, like serde_json
        let table = [
            (E::Unit, Value::String("Unit".into())),
            (E::New(1), map([("New", Value::Integer(1))])),
            (
                E::Tuple(1, true),
                map([(
                    "Tuple",
                    Value::Array(vec![Value::Integer(1), Value::Boolean(true)]),
                )]),
            ),
            (
                E::Struct { a: 2 },
                map([("Struct", map([("a", Value::Integer(2))]))]),
            ),
        ];
        for (input, expected) in table {
            assert_eq!(to_value(&input).unwrap(), expected);
            assert_eq!(
                to_value(&input).unwrap().to_json(),
                serde_json::to_value(&input).unwrap()
            );
        }
    }

    #[test]
    fn json_values_encode_like_their_text() {
        let j = json!({"a": 1, "b": 1.0, "c": "x", "d": [null, {"e": false}], "f": 12345678901234567_i64});
        assert_eq!(
            to_fields(&j).unwrap(),
            fields_from_json(j.as_object().unwrap()).unwrap()
        );
        assert_eq!(
            serde_json::Value::Object(fields_to_json(&to_fields(&j).unwrap())),
            j
        );
    }

    #[test]
    fn decode_errors_name_the_field() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct C {
            contacts: Vec<Contact>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Contact {
            value: String,
        }
        let fields = to_fields(&json!({"contacts": [{"value": "a"}, {"value": 5}]})).unwrap();
        let err = from_fields::<C>(&fields).unwrap_err();
        assert!(
            matches!(&err, ValueError::Decode { path, .. } if path == "contacts[1].value"),
            "{err}"
        );
        // a double where an integer is wanted is an error, not a silent rounding
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct I {
            n: i64,
        }
        assert!(from_fields::<I>(&to_fields(&json!({"n": 1.5})).unwrap()).is_err());
    }

    #[test]
    fn timestamps_marked_by_path() {
        let mut fields = to_fields(&json!({
            "created_at": "2026-11-22T09:30:00.123456Z",
            "updated_at": null,
            "shipping": {"shipped_at": "2026-11-23T10:00:00+02:00", "carrier": "ACS"},
            "notes": [{"at": "2026-01-01T00:00:00Z", "text": "a"}, {"text": "no date"}],
            "history": [{"changes": [{"at": "2026-01-02T00:00:00Z"}]}],
            "name": "2026-11-22T09:30:00Z"
        }))
        .unwrap();
        mark_timestamps(
            &mut fields,
            &[
                "created_at",
                "updated_at",
                "shipping.shipped_at",
                "notes[].at",
                "history[].changes[].at",
                "missing.at",
                "missing[].at",
            ],
        )
        .unwrap();
        let f = Value::Map(fields.clone());
        // (path, expected)
        let table = [
            (
                "created_at",
                Value::Timestamp(ts("2026-11-22T09:30:00.123456Z")),
            ),
            ("updated_at", Value::Null),
            (
                "shipping.shipped_at",
                Value::Timestamp(ts("2026-11-23T08:00:00Z")),
            ),
            ("shipping.carrier", Value::String("ACS".into())),
            ("name", Value::String("2026-11-22T09:30:00Z".into())),
        ];
        for (path, expected) in table {
            assert_eq!(f.get(path), Some(&expected), "{path}");
        }
        let Some(Value::Array(notes)) = fields.get("notes") else {
            panic!("notes")
        };
        assert_eq!(
            notes[0].get("at"),
            Some(&Value::Timestamp(ts("2026-01-01T00:00:00Z")))
        );
        assert_eq!(notes[1].get("at"), None);
        // a second pass changes nothing
        let before = fields.clone();
        mark_timestamps(&mut fields, &["created_at", "notes[].at"]).unwrap();
        assert_eq!(fields, before);
        // read back, a timestamp is its RFC 3339 text
        assert_eq!(
            fields_to_json(&fields)["created_at"],
            json!("2026-11-22T09:30:00.123456Z")
        );
    }

    #[test]
    fn timestamps_marked_by_path_refuse_other_kinds() {
        for (doc, path) in [
            (json!({"t": 5}), "t"),
            (json!({"t": "soon"}), "t"),
            (json!({"t": {"x": 1}}), "t"),
            (json!({"t": 1}), "t[].at"),
            (json!({"t": "x"}), "t.at"),
        ] {
            let mut fields = to_fields(&doc).unwrap();
            assert!(
                mark_timestamps(&mut fields, &[path]).is_err(),
                "{doc} {path}"
            );
        }
    }

    #[test]
    fn raw_json_numbers_stay_exact() {
        use serde_json::value::RawValue;
        let raw = |s: &str| RawValue::from_string(s.to_owned()).unwrap();
        assert_eq!(to_value(&raw("80")).unwrap(), Value::Integer(80));
        assert_eq!(to_value(&raw("12.30")).unwrap(), Value::Double(12.3));
        assert_eq!(to_value(&raw("0.45")).unwrap(), Value::Double(0.45));
        assert_eq!(to_value(&raw("-0.5")).unwrap(), Value::Double(-0.5));
        // more digits than a double holds: kept as the text
        let long = "1234567890.123456789";
        assert_eq!(to_value(&raw(long)).unwrap(), Value::String(long.into()));
        assert_eq!(
            to_value(&raw(r#"{"a": [1, "x"]}"#)).unwrap(),
            to_value(&serde_json::json!({"a": [1, "x"]})).unwrap()
        );
        // and back: a double reads as its shortest decimal
        let back: Box<RawValue> = from_value(&Value::Double(0.45)).unwrap();
        assert_eq!(back.get(), "0.45");
    }
}
