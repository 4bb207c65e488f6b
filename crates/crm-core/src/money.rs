//! Exact decimal money.
//!
//! Accepted from JSON as a number (`12.3`) or a decimal string (`"12.30"`), always parsed from
//! the literal text (never through `f64`), and written back as a JSON number spelled exactly
//! from the decimal: `0.45`, never `0.44999999`. Stored in SQLite as text.

use std::fmt;
use std::ops::{Add, Mul, Sub};
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

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money::new(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money::new(self.0.saturating_sub(rhs.0))
    }
}

impl Mul<Decimal> for Money {
    type Output = Money;
    fn mul(self, rhs: Decimal) -> Money {
        Money::new(self.0.saturating_mul(rhs))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
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

impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^-?\d+(\.\d+)?$")),
            )
            .description(Some(
                "Exact decimal amount. Sent as a number or a decimal string; returned as a number written exactly.",
            ))
            .examples([serde_json::json!(12.3)])
            .into()
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
        assert_eq!(serde_json::to_string(&(a + b)).unwrap(), "0.3");
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
