//! Greek VAT (ΦΠΑ) rates, as products carry them by default and order lines carry them.
//!
//! The rates are the mainland ones: 24 % (standard), 13 % (reduced), 6 % (super-reduced) and
//! 0 % (an exempt supply, which an invoice must justify with an exemption reason). The lower
//! island rates are not offered; adding one is adding it to [`VatRate::ALL`].

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};

/// A VAT rate in whole percent: one of [`VatRate::ALL`]. On the wire and in storage it is
/// the integer percent (`24`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct VatRate(u8);

impl VatRate {
    /// 24 %, the rate of a product or line that names none.
    pub const STANDARD: VatRate = VatRate(24);
    /// 13 %.
    pub const REDUCED: VatRate = VatRate(13);
    /// 6 %.
    pub const SUPER_REDUCED: VatRate = VatRate(6);
    /// 0 %: an exempt supply.
    pub const EXEMPT: VatRate = VatRate(0);
    /// Every rate, highest first.
    pub const ALL: [VatRate; 4] = [
        Self::STANDARD,
        Self::REDUCED,
        Self::SUPER_REDUCED,
        Self::EXEMPT,
    ];

    /// The rate of `percent`, if it is one of [`VatRate::ALL`].
    pub fn new(percent: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.0 == percent)
    }

    /// The rate in whole percent.
    pub fn percent(self) -> u8 {
        self.0
    }

    /// True for 0 %, which needs an exemption reason.
    pub fn is_exempt(self) -> bool {
        self.0 == 0
    }
}

impl Default for VatRate {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// A number that is not one of the rates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a VAT rate: use one of 24, 13, 6 or 0")]
pub struct UnknownVatRate(pub i64);

impl TryFrom<u8> for VatRate {
    type Error = UnknownVatRate;

    fn try_from(percent: u8) -> Result<Self, Self::Error> {
        Self::new(percent).ok_or(UnknownVatRate(percent.into()))
    }
}

impl TryFrom<i64> for VatRate {
    type Error = UnknownVatRate;

    fn try_from(percent: i64) -> Result<Self, Self::Error> {
        u8::try_from(percent)
            .ok()
            .and_then(Self::new)
            .ok_or(UnknownVatRate(percent))
    }
}

impl From<VatRate> for u8 {
    fn from(rate: VatRate) -> u8 {
        rate.0
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl fmt::Debug for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VatRate({}%)", self.0)
    }
}

impl ToSql for VatRate {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from(self.0)))
    }
}

impl FromSql for VatRate {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let n = value.as_i64()?;
        VatRate::try_from(n).map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

impl utoipa::PartialSchema for VatRate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .enum_values(Some(Self::ALL.map(|r| r.0)))
            .description(Some(
                "VAT (ΦΠΑ) rate in percent: 24, 13, 6, or 0 for an exempt supply.",
            ))
            .examples([serde_json::json!(24)])
            .into()
    }
}

impl utoipa::ToSchema for VatRate {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_rates_read_and_write_as_integers_and_others_are_refused() {
        for percent in [24, 13, 6, 0] {
            let rate: VatRate = serde_json::from_str(&percent.to_string()).unwrap();
            assert_eq!(rate.percent(), percent);
            assert_eq!(serde_json::to_string(&rate).unwrap(), percent.to_string());
        }
        for bad in ["23", "-1", "300", "24.5", "\"24\""] {
            let err = serde_json::from_str::<VatRate>(bad).unwrap_err();
            if bad == "23" {
                assert!(
                    err.to_string().contains("use one of 24, 13, 6 or 0"),
                    "{err}"
                );
            }
        }
        assert_eq!(VatRate::default(), VatRate::STANDARD);
        assert!(VatRate::EXEMPT.is_exempt() && !VatRate::REDUCED.is_exempt());
    }
}
