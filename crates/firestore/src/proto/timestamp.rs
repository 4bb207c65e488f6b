//! Firestore timestamps: a point in time with nanoseconds, between year 1 and 9999 (UTC).
//!
//! On the wire a timestamp is RFC 3339 text. Firestore keeps microseconds: nanoseconds sent are
//! truncated by the server (the emulator does the same), so a value read back has at most six
//! fractional digits.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::value_error::ValueError;

/// The newtype name by which [`Timestamp`]'s `Serialize` tells this crate's serializer
/// ([`to_fields`](crate::to_fields)) "this string is a timestamp"; any other serializer sees
/// the RFC 3339 string.
pub(crate) const TIMESTAMP_TOKEN: &str = "$firestore::Timestamp";

/// Earliest instant Firestore stores: `0001-01-01T00:00:00Z`.
const MIN_SECONDS: i64 = -62_135_596_800;
/// Latest second Firestore stores: `9999-12-31T23:59:59Z`.
const MAX_SECONDS: i64 = 253_402_300_799;

/// A point in time as Firestore stores it (seconds since the Unix epoch and nanoseconds).
///
/// Shown (and serialized) as RFC 3339 UTC: six fractional digits (`2026-11-22T09:30:00.000000Z`,
/// the width Firestore keeps), nine when the value has nanoseconds below the microsecond.
/// As a field of a type given to [`to_fields`](crate::to_fields) it becomes a Firestore
/// timestamp; read back through [`from_fields`](crate::from_fields) it parses from that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

impl Timestamp {
    /// From seconds since the Unix epoch and nanoseconds (`0..1_000_000_000`), within years
    /// 1 to 9999.
    pub fn new(seconds: i64, nanos: u32) -> Result<Self, ValueError> {
        if nanos >= 1_000_000_000 || !(MIN_SECONDS..=MAX_SECONDS).contains(&seconds) {
            return Err(ValueError::Timestamp(format!(
                "{seconds}s {nanos}ns is outside 0001-01-01..=9999-12-31"
            )));
        }
        Ok(Self { seconds, nanos })
    }

    /// Parses RFC 3339 (`Z` or an offset, up to nine fractional digits).
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = OffsetDateTime::parse(s, &Rfc3339)
            .map_err(|e| ValueError::Timestamp(format!("{s:?} is not RFC 3339: {e}")))?;
        Self::try_from(t)
    }

    /// Seconds since the Unix epoch.
    pub fn seconds(self) -> i64 {
        self.seconds
    }

    /// Nanoseconds within the second.
    pub fn nanos(self) -> u32 {
        self.nanos
    }

    /// The same instant with nanoseconds below the microsecond dropped (what Firestore keeps).
    pub fn truncated_to_micros(self) -> Self {
        Self {
            seconds: self.seconds,
            nanos: self.nanos - self.nanos % 1000,
        }
    }

    /// As a `time` value in UTC.
    pub fn to_offset_date_time(self) -> OffsetDateTime {
        // `new` keeps the value within what `time` represents
        let t =
            OffsetDateTime::from_unix_timestamp(self.seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        t.replace_nanosecond(self.nanos).unwrap_or(t)
    }
}

impl TryFrom<OffsetDateTime> for Timestamp {
    type Error = ValueError;

    fn try_from(t: OffsetDateTime) -> Result<Self, ValueError> {
        let t = t.to_offset(UtcOffset::UTC);
        Self::new(t.unix_timestamp(), t.nanosecond())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.to_offset_date_time();
        let (year, month, day) = (t.year(), u8::from(t.month()), t.day());
        let (h, m, s) = (t.hour(), t.minute(), t.second());
        write!(f, "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.")?;
        if self.nanos.is_multiple_of(1000) {
            write!(f, "{:06}Z", self.nanos / 1000)
        } else {
            write!(f, "{:09}Z", self.nanos)
        }
    }
}

impl FromStr for Timestamp {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(TIMESTAMP_TOKEN, &self.to_string())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms() {
        // (input, canonical form)
        let table = [
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000000Z"),
            ("2024-01-02T03:04:05.1Z", "2024-01-02T03:04:05.100000Z"),
            ("2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05.123456Z"),
            (
                "2024-01-02T03:04:05.123456789Z",
                "2024-01-02T03:04:05.123456789Z",
            ),
            ("2024-01-02T05:04:05.5+02:00", "2024-01-02T03:04:05.500000Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"),
            ("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z"),
            (
                "9999-12-31T23:59:59.999999999Z",
                "9999-12-31T23:59:59.999999999Z",
            ),
        ];
        for (input, expected) in table {
            let t = Timestamp::parse(input).unwrap();
            assert_eq!(t.to_string(), expected, "{input}");
            assert_eq!(Timestamp::parse(expected).unwrap(), t, "{input}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_firestore_timestamp() {
        for bad in ["", "2024-01-02", "yesterday", "2024-13-01T00:00:00Z"] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Timestamp::new(MAX_SECONDS + 1, 0).is_err());
        assert!(Timestamp::new(MIN_SECONDS - 1, 0).is_err());
        assert!(Timestamp::new(0, 1_000_000_000).is_err());
    }

    #[test]
    fn epoch_parts_and_truncation() {
        let t = Timestamp::parse("1970-01-01T00:00:01.000001999Z").unwrap();
        assert_eq!((t.seconds(), t.nanos()), (1, 1999));
        assert_eq!(
            t.truncated_to_micros().to_string(),
            "1970-01-01T00:00:01.000001Z"
        );
        let before = Timestamp::parse("1969-12-31T23:59:59.5Z").unwrap();
        assert_eq!((before.seconds(), before.nanos()), (-1, 500_000_000));
        assert!(before < t);
    }

    #[test]
    fn other_serializers_see_the_text() {
        let t = Timestamp::parse("2024-01-02T03:04:05.123Z").unwrap();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2024-01-02T03:04:05.123000Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }
}
