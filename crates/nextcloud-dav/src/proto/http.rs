//! Small HTTP value types: entity tags, HTTP dates, byte ranges.

use std::fmt;

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

/// An entity tag as the server sent it: the opaque value (without quotes) and whether it was
/// weak (`W/"…"`). Apache marks ETags weak for about a second after a write; compare with
/// [`ETag::weak_eq`] when that must not matter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag {
    value: String,
    weak: bool,
}

impl ETag {
    /// Parses `"abc"`, `W/"abc"` and, leniently, an unquoted `abc`. `None` for an empty value.
    pub fn parse(raw: &str) -> Option<ETag> {
        let s = raw.trim();
        let (weak, rest) = match s.strip_prefix("W/").or_else(|| s.strip_prefix("w/")) {
            Some(rest) => (true, rest.trim_start()),
            None => (false, s),
        };
        let value = rest
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(rest);
        if value.is_empty() || value.chars().any(char::is_control) {
            return None;
        }
        Some(ETag {
            value: value.to_owned(),
            weak,
        })
    }

    /// The opaque value, without `W/` and quotes.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the server marked it weak.
    pub fn is_weak(&self) -> bool {
        self.weak
    }

    /// Weak comparison (RFC 9110 §8.8.3.2): same opaque value, weakness ignored.
    pub fn weak_eq(&self, other: &ETag) -> bool {
        self.value == other.value
    }

    /// The header form: `"abc"` or `W/"abc"`.
    pub fn to_header(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weak {
            write!(f, "W/\"{}\"", self.value)
        } else {
            write!(f, "\"{}\"", self.value)
        }
    }
}

const IMF_FIXDATE: &[FormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);
const DAY_MONTH_YEAR_TIME: &[FormatItem<'static>] =
    format_description!("[day] [month repr:short] [year] [hour]:[minute]:[second]");
const ASCTIME: &[FormatItem<'static>] = format_description!(
    "[weekday repr:short] [month repr:short] [day padding:space] [hour]:[minute]:[second] [year]"
);

/// Parses an HTTP date (`getlastmodified`, `Last-Modified`): IMF-fixdate
/// (`Sun, 22 Nov 2026 03:55:54 GMT`), plus the obsolete RFC 850 and asctime forms.
/// `None` when it is none of them.
pub fn parse_http_date(raw: &str) -> Option<OffsetDateTime> {
    let s = raw.trim();
    if let Some(t) = parse_imf_fixdate_fast(s) {
        return Some(t);
    }
    if let Ok(t) = PrimitiveDateTime::parse(s, IMF_FIXDATE) {
        return Some(t.assume_utc());
    }
    if let Ok(t) = PrimitiveDateTime::parse(s, ASCTIME) {
        return Some(t.assume_utc());
    }
    if let Some(t) = parse_rfc850(s) {
        return Some(t);
    }
    // Some servers send numeric offsets (`+0000`): accept RFC 2822 as a last resort.
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc2822).ok()
}

/// `Sun, 22 Nov 2026 03:55:54 GMT` by position: listings carry one date per entry, and this
/// is several times faster than the general parser (which remains the fallback).
fn parse_imf_fixdate_fast(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" {
        return None;
    }
    if b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || b[19] != b':' || b[22] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u16> {
        b[from..to].iter().try_fold(0u16, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
        })
    };
    let month = match &b[8..11] {
        b"Jan" => Month::January,
        b"Feb" => Month::February,
        b"Mar" => Month::March,
        b"Apr" => Month::April,
        b"May" => Month::May,
        b"Jun" => Month::June,
        b"Jul" => Month::July,
        b"Aug" => Month::August,
        b"Sep" => Month::September,
        b"Oct" => Month::October,
        b"Nov" => Month::November,
        b"Dec" => Month::December,
        _ => return None,
    };
    let weekday = match &b[0..3] {
        b"Mon" => Weekday::Monday,
        b"Tue" => Weekday::Tuesday,
        b"Wed" => Weekday::Wednesday,
        b"Thu" => Weekday::Thursday,
        b"Fri" => Weekday::Friday,
        b"Sat" => Weekday::Saturday,
        b"Sun" => Weekday::Sunday,
        _ => return None,
    };
    let date = Date::from_calendar_date(
        i32::from(num(12, 16)?),
        month,
        u8::try_from(num(5, 7)?).ok()?,
    )
    .ok()?;
    if date.weekday() != weekday {
        return None;
    }
    let time = Time::from_hms(
        u8::try_from(num(17, 19)?).ok()?,
        u8::try_from(num(20, 22)?).ok()?,
        u8::try_from(num(23, 25)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// `Sunday, 22-Nov-26 03:55:54 GMT`; two-digit years below 70 are 20xx, others 19xx.
fn parse_rfc850(s: &str) -> Option<OffsetDateTime> {
    let (_weekday, rest) = s.split_once(", ")?;
    let rest = rest.strip_suffix(" GMT")?;
    let (date, clock) = rest.split_once(' ')?;
    let mut parts = date.split('-');
    let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || yy.len() != 2 {
        return None;
    }
    let yy: i32 = yy.parse().ok()?;
    let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
    let normalised = format!("{day} {month} {year} {clock}");
    PrimitiveDateTime::parse(&normalised, DAY_MONTH_YEAR_TIME)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// A `Content-Range: bytes first-last/complete` answer (`last` inclusive; `complete` is
/// `None` for `*`). For a 416 answer (`bytes */complete`) `range` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    /// First and last byte sent, inclusive.
    pub range: Option<(u64, u64)>,
    /// Size of the whole file, if the server told.
    pub complete_length: Option<u64>,
}

impl ContentRange {
    /// Parses the header value; `None` when malformed.
    pub fn parse(raw: &str) -> Option<ContentRange> {
        let rest = raw.trim().strip_prefix("bytes")?.trim_start();
        let (range, complete) = rest.split_once('/')?;
        let complete_length = match complete.trim() {
            "*" => None,
            n => Some(n.parse::<u64>().ok()?),
        };
        let range = match range.trim() {
            "*" => None,
            r => {
                let (first, last) = r.split_once('-')?;
                let first = first.trim().parse::<u64>().ok()?;
                let last = last.trim().parse::<u64>().ok()?;
                if last < first || complete_length.is_some_and(|c| last >= c) {
                    return None;
                }
                Some((first, last))
            }
        };
        if range.is_none() && complete_length.is_none() {
            return None;
        }
        Some(ContentRange {
            range,
            complete_length,
        })
    }
}

/// The `Range` header for `bytes=start-[end]` (`end` inclusive). `None` when `end < start`.
pub fn range_header(start: u64, end: Option<u64>) -> Option<String> {
    match end {
        Some(end) if end < start => None,
        Some(end) => Some(format!("bytes={start}-{end}")),
        None => Some(format!("bytes={start}-")),
    }
}

/// The numeric code of a multistatus `<d:status>` line (`HTTP/1.1 404 Not Found` → 404).
pub fn parse_status_line(raw: &str) -> Option<u16> {
    let mut parts = raw.split_whitespace();
    let proto = parts.next()?;
    if !proto.starts_with("HTTP/") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn etags() {
        let strong = ETag::parse("\"5f8a\"").unwrap();
        assert!(!strong.is_weak());
        assert_eq!(strong.value(), "5f8a");
        assert_eq!(strong.to_header(), "\"5f8a\"");
        let weak = ETag::parse(" W/\"5f8a\" ").unwrap();
        assert!(weak.is_weak());
        assert_eq!(weak.to_header(), "W/\"5f8a\"");
        assert!(weak.weak_eq(&strong));
        assert_ne!(weak, strong);
        assert_eq!(ETag::parse("abc").unwrap().value(), "abc");
        assert_eq!(ETag::parse(""), None);
        assert_eq!(ETag::parse("\"\""), None);
        assert_eq!(ETag::parse("W/"), None);
        assert_eq!(ETag::parse("\"a\nb\""), None);
    }

    #[test]
    fn http_dates() {
        let want = datetime!(2026-11-22 03:55:54 UTC);
        for s in [
            "Sun, 22 Nov 2026 03:55:54 GMT",
            " Sun, 22 Nov 2026 03:55:54 GMT ",
            "Sunday, 22-Nov-26 03:55:54 GMT",
            "Sun Nov 22 03:55:54 2026",
            "Sun, 22 Nov 2026 03:55:54 +0000",
        ] {
            assert_eq!(parse_http_date(s), Some(want), "{s}");
        }
        assert_eq!(
            parse_http_date("Sun Nov  1 03:55:54 2026"),
            Some(datetime!(2026-11-01 03:55:54 UTC))
        );
        for s in [
            "",
            "yesterday",
            "Sun, 32 Nov 2026 03:55:54 GMT",
            "2026-11-22T03:55:54Z",
        ] {
            assert_eq!(parse_http_date(s), None, "{s}");
        }
    }

    #[test]
    fn content_ranges() {
        assert_eq!(
            ContentRange::parse("bytes 0-99/1000"),
            Some(ContentRange {
                range: Some((0, 99)),
                complete_length: Some(1000)
            })
        );
        assert_eq!(
            ContentRange::parse("bytes 5-5/*"),
            Some(ContentRange {
                range: Some((5, 5)),
                complete_length: None
            })
        );
        assert_eq!(
            ContentRange::parse("bytes */1000"),
            Some(ContentRange {
                range: None,
                complete_length: Some(1000)
            })
        );
        for bad in [
            "",
            "bytes",
            "bytes 9-1/10",
            "bytes 0-10/10",
            "items 0-1/2",
            "bytes */*",
            "bytes a-b/c",
        ] {
            assert_eq!(ContentRange::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn range_headers_and_status_lines() {
        assert_eq!(range_header(0, None).as_deref(), Some("bytes=0-"));
        assert_eq!(range_header(10, Some(19)).as_deref(), Some("bytes=10-19"));
        assert_eq!(range_header(10, Some(9)), None);
        assert_eq!(parse_status_line("HTTP/1.1 200 OK"), Some(200));
        assert_eq!(parse_status_line("HTTP/1.1 404 Not Found"), Some(404));
        assert_eq!(parse_status_line("HTTP/2 207"), Some(207));
        assert_eq!(parse_status_line("200 OK"), None);
        assert_eq!(parse_status_line("HTTP/1.1 2000"), None);
        assert_eq!(parse_status_line(""), None);
    }
}
