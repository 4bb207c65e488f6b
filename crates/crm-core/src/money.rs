//! Exact decimal money.
//!
//! Accepted from JSON as a number (`12.3`) or a decimal string (`"12.30"`), always parsed from
//! the literal text (never through `f64`), and written back as a JSON number spelled exactly
//! from the decimal: `0.45`, never `0.44999999`. Stored in SQLite as text.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// An exact decimal amount. The currency lives next to it on the record.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(d: Decimal) -> Self {
        Self(d.normalize())
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// Rounded to cents, halves away from zero (the way invoices round).
    pub fn round_cents(self) -> Self {
        Self::new(
            self.0
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// Parses a decimal literal: `12`, `-3.50`, `1e3`. Surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Result<Self, MoneyParseError> {
        let s = s.trim();
        let parsed = if s.contains(['e', 'E']) {
            Decimal::from_scientific(s)
        } else {
            Decimal::from_str_exact(s)
        };
        parsed
            .map(Self::new)
            .map_err(|_| MoneyParseError(s.to_owned()))
    }
}

/// `result` of an operation on normalised operands whose exact result has `scale` decimal
/// places (or fewer, when trailing zeros cancel): `rust_decimal` returns fewer only when it
/// had to round digits away to fit, which is `None` here.
fn exact(result: Decimal, scale: u32) -> Option<Money> {
    (result.scale() >= scale).then(|| Money::new(result))
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a decimal amount")]
pub struct MoneyParseError(String);

impl FromStr for Money {
    type Err = MoneyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<Decimal> for Money {
    fn from(d: Decimal) -> Self {
        Self::new(d)
    }
}

impl From<i64> for Money {
    fn from(n: i64) -> Self {
        Self::new(Decimal::from(n))
    }
}

impl Money {
    /// `self + rhs`, or `None` when the exact sum does not fit in a decimal: beyond about
    /// ±7.9 × 10²⁸, or needing more digits than a decimal holds (28–29 significant ones),
    /// where `rust_decimal` would round. There is no `+`: a result that cannot be exact is
    /// an error for the caller to name, never a saturated or rounded number.
    pub fn checked_add(self, rhs: Money) -> Option<Money> {
        let sum = self.0.checked_add(rhs.0)?;
        exact(sum, self.0.scale().max(rhs.0.scale()))
    }

    /// `self − rhs`, or `None` when the exact difference does not fit (see
    /// [`Money::checked_add`]).
    pub fn checked_sub(self, rhs: Money) -> Option<Money> {
        let difference = self.0.checked_sub(rhs.0)?;
        exact(difference, self.0.scale().max(rhs.0.scale()))
    }

    /// `self × rhs`, or `None` when the exact product does not fit (see
    /// [`Money::checked_add`]).
    pub fn checked_mul(self, rhs: Decimal) -> Option<Money> {
        let rhs = rhs.normalize();
        let product = self.0.checked_mul(rhs)?;
        exact(product, self.0.scale() + rhs.scale())
    }

    /// The sum of `amounts`, or `None` as soon as a partial sum does not fit.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, Money::checked_add)
    }

    /// The schema of a `Money` field whose value the server bounds: `Money`'s own schema
    /// with `bounds` on its number form (a decimal string is checked by the same rule, which
    /// a JSON schema cannot say), nullable when `nullable`. For `#[schema(schema_with = …)]`,
    /// so that the schema takes its bounds from the constants the validation uses.
    pub fn bounded_schema(
        bounds: Bounds,
        nullable: bool,
        description: &str,
    ) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema(bounds, nullable, description)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.normalize(), f)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A decimal's Display is always a valid JSON number literal (no exponent, no
        // leading `+`), so it can be written verbatim.
        let raw = RawValue::from_string(self.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        let literal = if text.starts_with('"') {
            serde_json::from_str::<String>(text).map_err(serde::de::Error::custom)?
        } else {
            text.to_owned()
        };
        Money::parse(&literal).map_err(|_| {
            serde::de::Error::custom(format!(
                "invalid amount {text}: expected a decimal number or string such as 12.30"
            ))
        })
    }
}

impl ToSql for Money {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Money {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Text(_) => {
                Money::parse(value.as_str()?).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
            ValueRef::Integer(n) => Ok(Money::from(n)),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

/// Bounds the server keeps a `Money` field within, for its schema
/// ([`Money::bounded_schema`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    pub minimum: Option<i64>,
    pub exclusive_minimum: Option<i64>,
    pub maximum: Option<i64>,
}

impl Bounds {
    /// Zero or more.
    pub const NOT_NEGATIVE: Bounds = Bounds {
        minimum: Some(0),
        exclusive_minimum: None,
        maximum: None,
    };
}

fn schema(
    bounds: Bounds,
    nullable: bool,
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let number = ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(bounds.minimum)
        .exclusive_minimum(bounds.exclusive_minimum)
        .maximum(bounds.maximum);
    let not_negative = bounds
        .minimum
        .or(bounds.exclusive_minimum)
        .is_some_and(|m| m >= 0);
    let pattern = if not_negative {
        r"^\d+(\.\d+)?$"
    } else {
        r"^-?\d+(\.\d+)?$"
    };
    let mut one_of = OneOfBuilder::new().item(number).item(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern)),
    );
    if nullable {
        one_of = one_of.item(ObjectBuilder::new().schema_type(Type::Null));
    }
    one_of
        .description(Some(description))
        .examples([serde_json::json!(12.3)])
        .into()
}

impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema(
            Bounds::default(),
            false,
            "Exact decimal amount. Sent as a number or a decimal string; returned as a number written exactly.",
        )
    }
}

impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected_json: &str) {
        let m: Money = serde_json::from_str(input).unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            expected_json,
            "input {input}"
        );
    }

    #[test]
    fn accepts_numbers_and_strings_and_writes_exact_numbers() {
        check("0.45", "0.45");
        check("\"0.45\"", "0.45");
        check("\"12.30\"", "12.3");
        check("12.30", "12.3");
        check("100", "100");
        check("\" 7.5 \"", "7.5");
        check("1e2", "100");
        check("0.1", "0.1");
        check("123456789012345678.99", "123456789012345678.99");
    }

    #[test]
    fn sums_are_exact() {
        let a = Money::parse("0.1").unwrap();
        let b = Money::parse("0.2").unwrap();
        assert_eq!(
            serde_json::to_string(&a.checked_add(b).unwrap()).unwrap(),
            "0.3"
        );
        assert_eq!(Money::checked_sum([a, b, a]).unwrap().to_string(), "0.4");
    }

    #[test]
    fn arithmetic_beyond_a_decimal_is_none_not_a_saturated_number() {
        let max = Money::new(Decimal::MAX);
        let one = Money::from(1);
        assert_eq!(max.checked_add(one), None);
        assert_eq!(Money::new(Decimal::MIN).checked_sub(one), None);
        assert_eq!(max.checked_mul(Decimal::TWO), None);
        assert_eq!(Money::checked_sum([max, one]), None);
        let big = Money::parse("1e15").unwrap();
        assert_eq!(big.checked_mul(big.as_decimal()), None);
        // digits a decimal would round away are refused too: the result is exact or none
        let cent = Money::parse("0.01").unwrap();
        assert_eq!(max.checked_add(cent), None);
        assert_eq!(max.checked_sub(cent), None);
        let fine = Money::parse("0.0000000000000001").unwrap();
        assert_eq!(fine.checked_mul(fine.as_decimal()), None);
        let x = Money::parse("1234567890.123456").unwrap();
        assert_eq!(
            x.checked_mul(Decimal::new(1_000_001, 3))
                .unwrap()
                .to_string(),
            "1234569124691.346123456"
        );
        assert_eq!(
            x.checked_add(cent).unwrap().to_string(),
            "1234567890.133456"
        );
        assert_eq!(
            Money::parse("0.25")
                .unwrap()
                .checked_add(Money::parse("0.75").unwrap()),
            Some(Money::from(1))
        );
        // at the very edge of the range, a sum that only fits once its last (zero) decimal
        // is dropped is refused too: cautious, and 10²⁷ past any real amount
        assert_eq!(
            Money::parse("7922816251426433759354395033.5")
                .unwrap()
                .checked_add(Money::parse("0.5").unwrap()),
            None
        );
        assert_eq!(
            big.checked_mul(Decimal::from(1000)).unwrap().to_string(),
            "1000000000000000000"
        );
    }

    #[test]
    fn rejects_non_amounts() {
        for bad in ["\"abc\"", "true", "null", "[1]", "{}", "\"\"", "\"1,5\""] {
            assert!(
                serde_json::from_str::<Money>(bad).is_err(),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(
            Money::parse("1.235").unwrap().round_cents().to_string(),
            "1.24"
        );
        assert_eq!(
            Money::parse("1.234").unwrap().round_cents().to_string(),
            "1.23"
        );
    }

    #[test]
    fn inside_a_struct() {
        #[derive(Deserialize, Serialize)]
        struct P {
            price: Money,
            other: Option<Money>,
        }
        let p: P = serde_json::from_str(r#"{"price":"19.90","other":null}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"price":19.9,"other":null}"#
        );
    }
}
