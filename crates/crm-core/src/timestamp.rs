//! RFC 3339 UTC timestamps with microsecond precision.
//!
//! Stored in SQLite as fixed-width text (`2026-11-22T09:30:00.000000Z`) so that text order is
//! time order and the database stays readable from the `sqlite3` shell.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// A point in time, always UTC, truncated to whole microseconds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn into_inner(self) -> OffsetDateTime {
        self.0
    }

    /// The calendar year, used for yearly sequences such as order numbers.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Parses RFC 3339 (any offset), normalised to UTC. The stored form is read by a fast
    /// path (a list of 100 entries reads hundreds of timestamps).
    pub fn parse(s: &str) -> Result<Self, time::error::Parse> {
        if let Some(t) = Self::parse_stored(s.as_bytes()) {
            return Ok(t);
        }
        OffsetDateTime::parse(s, &Rfc3339).map(Self::from)
    }

    /// The stored form, `2026-11-22T09:30:00.000000Z` exactly; `None` for anything else.
    fn parse_stored(b: &[u8]) -> Option<Self> {
        if b.len() != 27
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'.'
            || b[26] != b'Z'
        {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<u32> {
            b[from..to].iter().try_fold(0u32, |n, d| {
                d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
            })
        };
        let year = i32::try_from(num(0, 4)?).ok()?;
        let month = time::Month::try_from(u8::try_from(num(5, 7)?).ok()?).ok()?;
        let date =
            time::Date::from_calendar_date(year, month, u8::try_from(num(8, 10)?).ok()?).ok()?;
        let time = time::Time::from_hms_micro(
            u8::try_from(num(11, 13)?).ok()?,
            u8::try_from(num(14, 16)?).ok()?,
            u8::try_from(num(17, 19)?).ok()?,
            num(20, 26)?,
        )
        .ok()?;
        Some(Self(time::PrimitiveDateTime::new(date, time).assume_utc()))
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        let t = t.to_offset(UtcOffset::UTC);
        let micros = t.microsecond();
        // replace_microsecond only fails for values > 999_999, which microsecond() never returns
        Self(t.replace_microsecond(micros).unwrap_or(t))
    }
}

impl Timestamp {
    /// The text form, built by hand for years 0–9999 (every timestamp the CRM keeps): the
    /// generic formatter costs more than a whole row's other columns. `None` outside them.
    fn fixed_width(&self) -> Option<[u8; 27]> {
        let t = self.0;
        if !(0..=9999).contains(&t.year()) {
            return None;
        }
        let mut b = *b"0000-00-00T00:00:00.000000Z";
        let mut put = |at: usize, width: usize, mut n: u32| {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, 4, t.year().unsigned_abs());
        put(5, 2, u32::from(u8::from(t.month())));
        put(8, 2, u32::from(t.day()));
        put(11, 2, u32::from(t.hour()));
        put(14, 2, u32::from(t.minute()));
        put(17, 2, u32::from(t.second()));
        put(20, 6, t.microsecond());
        Some(b)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(b) = self.fixed_width() {
            return f.write_str(std::str::from_utf8(&b).map_err(|_| fmt::Error)?);
        }
        let fmt = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        );
        match self.0.format(&fmt) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Timestamp {
    type Err = time::error::Parse;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // a string in one piece where it can: `collect_str` goes through `fmt::Write`
        match self.fixed_width().as_ref().map(|b| std::str::from_utf8(b)) {
            Some(Ok(text)) => s.serialize_str(text),
            _ => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(|_| {
            serde::de::Error::custom(format!(
                "invalid timestamp `{s}`: expected RFC 3339, e.g. 2026-11-22T09:30:00Z"
            ))
        })
    }
}

impl ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Timestamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        Self::parse(s).map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .examples(["2026-11-22T09:30:00.000000Z"])
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_is_fixed_width_utc_and_round_trips() {
        let t = Timestamp::parse("2026-03-01T12:00:00.5+02:00").unwrap();
        assert_eq!(t.to_string(), "2026-03-01T10:00:00.500000Z");
        assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
        // JSON carries the same text, in the fixed-width range and outside it
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-03-01T10:00:00.500000Z\""
        );
        let ancient = Timestamp::from(time::macros::datetime!(-0044-03-15 12:00 UTC));
        assert_eq!(
            serde_json::to_string(&ancient).unwrap(),
            format!("\"{ancient}\"")
        );
    }

    #[test]
    fn nanoseconds_are_truncated_so_storage_round_trips() {
        let t = Timestamp::parse("2026-03-01T10:00:00.123456789Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-01T10:00:00.123456Z");
    }

    #[test]
    fn the_fast_paths_agree_with_the_generic_formatter_and_parser() {
        let generic = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        );
        for text in [
            "0001-01-01T00:00:00.000000Z",
            "2026-02-28T23:59:59.999999Z",
            "2024-02-29T12:00:00.000001Z",
            "9999-12-31T23:59:59.999999Z",
            "1970-01-01T00:00:00.000000Z",
        ] {
            let t = Timestamp::parse(text).unwrap();
            assert_eq!(t.to_string(), text);
            assert_eq!(t.0.format(&generic).unwrap(), text);
            assert_eq!(
                t,
                OffsetDateTime::parse(text, &Rfc3339)
                    .map(Timestamp::from)
                    .unwrap()
            );
        }
        // not the stored form: the generic parser decides
        for bad in [
            "2026-02-30T00:00:00.000000Z",
            "2026-13-01T00:00:00.000000Z",
            "2026-01-01T24:00:00.000000Z",
            "2026-01-01T00:00:00.00000aZ",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
        let offset = Timestamp::parse("2026-03-01T12:00:00.123456+02:00").unwrap();
        assert_eq!(offset.to_string(), "2026-03-01T10:00:00.123456Z");
    }

    #[test]
    fn text_order_is_time_order() {
        let a = Timestamp::parse("2026-03-01T09:59:59.999999Z").unwrap();
        let b = Timestamp::parse("2026-03-01T10:00:00Z").unwrap();
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn rejects_non_rfc3339() {
        assert!(serde_json::from_str::<Timestamp>("\"22/11/2026\"").is_err());
    }
}
