//! Contact values in their comparable form.
//!
//! - E-mail addresses are kept as written but compared by a lower-cased normal form; an
//!   address must have exactly one `@` with something on both sides and no white space.
//! - Phone and WhatsApp numbers are parsed with the `phonenumber` crate (libphonenumber's
//!   metadata) with Greece as the default region, and compared in E.164: `6912345678`,
//!   `0030 691 234 5678`, `+30 691-234-5678` and `306912345678` are all `+306912345678`.
//!   A number the metadata lists (right length and prefix for its country) is *listed*. A
//!   number it does not list is still a number when its country code exists and its length
//!   is one that country uses — a newly assigned range (`+30 680 …`), or a number Meta or
//!   the PBX vouches for: it is kept in E.164 with [`Phone::listed`] false, never refused.
//!   Without an international prefix such a number must also fit the default region's
//!   general pattern (or be read as international digits), so a typo is not taken for a
//!   number of some other country.

use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber, country};

/// Loads the phone-number metadata now rather than on the first number a request brings (it
/// takes a noticeable moment, seconds in a debug build).
pub fn warm_up() {
    let _ = phone_e164("+30 210 123 4567");
}

/// A phone number in its normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// `+306912345678`.
    pub e164: String,
    /// Whether the phone-number metadata lists the number's range. False for a number that
    /// parses, has a country code and a length that country uses, but a prefix the metadata
    /// does not know (yet): kept, and flagged where it is stored.
    pub listed: bool,
}

/// The lower-cased normal form of an e-mail address, or `None` when `value` does not look
/// like one (exactly one `@`, non-empty local and domain part, no white space).
pub fn email_key(value: &str) -> Option<String> {
    let value = value.trim();
    let (local, domain) = value.split_once('@')?;
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || value.chars().any(char::is_whitespace)
    {
        return None;
    }
    Some(value.to_lowercase())
}

/// A phone number in E.164 (`+306912345678`), or `None` when `value` is not a number (see
/// [`phone`]; numbers the metadata does not list are included).
pub fn phone_e164(value: &str) -> Option<String> {
    phone(value).map(|p| p.e164)
}

/// A phone number read from what someone (or a system) wrote, or `None` when `value` is not
/// a number. Numbers without an international prefix are read as Greek; digits that only make
/// sense with a `+` in front (`306912345678`, `4915112345678`) are read as international. A
/// listed reading wins over an unlisted one.
pub fn phone(value: &str) -> Option<Phone> {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 {
        return None;
    }
    let national = parse(value);
    if let Some(n) = &national
        && n.is_valid()
    {
        return Some(listed(n));
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let only_digits_and_separators = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'));
    let international =
        (only_digits_and_separators && digits.len() >= 8 && !digits.starts_with('0'))
            .then(|| parse(&format!("+{digits}")))
            .flatten();
    if let Some(n) = &international
        && n.is_valid()
    {
        return Some(listed(n));
    }
    // Unlisted: with a `+` or `00` the reading is certain; a national reading must also look
    // like a number of the default region.
    let explicit = has_international_prefix(value);
    if let Some(n) = national
        && possible(&n, !explicit)
    {
        return Some(unlisted(&n));
    }
    international
        .filter(|n| possible(n, false))
        .map(|n| unlisted(&n))
}

fn parse(value: &str) -> Option<PhoneNumber> {
    phonenumber::parse(Some(country::Id::GR), value).ok()
}

fn listed(n: &PhoneNumber) -> Phone {
    Phone {
        e164: n.format().mode(Mode::E164).to_string(),
        listed: true,
    }
}

fn unlisted(n: &PhoneNumber) -> Phone {
    Phone {
        e164: n.format().mode(Mode::E164).to_string(),
        listed: false,
    }
}

/// `+30…`, `(+30)…`, `0030…`: the writer gave the country.
fn has_international_prefix(value: &str) -> bool {
    let start = value.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    start.starts_with('+') || start.starts_with("00")
}

/// Whether a number the metadata does not list can still be one: its country code exists,
/// its length is one the country's numbers have, and (when `pattern`) it fits the country's
/// general pattern.
fn possible(n: &PhoneNumber, pattern: bool) -> bool {
    if n.extension().is_some() {
        return false;
    }
    let national = n.national().to_string();
    let len = u16::try_from(national.len()).unwrap_or(u16::MAX);
    let Some(regions) = DATABASE.by_code(&n.code().value()) else {
        return false;
    };
    regions.iter().any(|meta| {
        let d = meta.descriptors();
        let kinds = [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ];
        let length_ok = kinds
            .iter()
            .flatten()
            .any(|k| k.possible_length().contains(&len));
        length_ok && (!pattern || d.general().is_match(&national))
    })
}

/// The national significant number of an E.164 number (`+306912345678` → `6912345678`), for
/// search-as-you-type on the digits people actually dial.
pub fn national_digits(e164: &str) -> Option<String> {
    let number = phonenumber::parse(None, e164).ok()?;
    let code = number.code().value().to_string();
    e164.strip_prefix('+')?
        .strip_prefix(&code)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(phone_e164(input).as_deref(), expected, "phone `{input}`");
    }

    #[test]
    fn phone_numbers_in_every_written_form() {
        let table: &[(&str, Option<&str>)] = &[
            // one Greek mobile, written every common way
            ("6912345678", Some("+306912345678")),
            ("691 234 5678", Some("+306912345678")),
            ("0030 691 234 5678", Some("+306912345678")),
            ("0030-691-2345678", Some("+306912345678")),
            ("+30 691-234-5678", Some("+306912345678")),
            ("+306912345678", Some("+306912345678")),
            ("306912345678", Some("+306912345678")),
            ("(+30) 691 234 5678", Some("+306912345678")),
            ("  6912345678  ", Some("+306912345678")),
            // Greek landlines
            ("210 1234567", Some("+302101234567")),
            ("2101234567", Some("+302101234567")),
            ("+30 2310 123456", Some("+302310123456")),
            ("28210 12345", Some("+302821012345")),
            // foreign numbers keep their country
            ("+49 151 12345678", Some("+4915112345678")),
            ("0049 151 12345678", Some("+4915112345678")),
            ("+44 20 7946 0958", Some("+442079460958")),
            // not phone numbers
            ("", None),
            ("   ", None),
            ("abc", None),
            ("12", None),
            ("6912", None),
            ("691234567890123", None),
            ("+30 123", None),
            ("mail@example.com", None),
            ("++--", None),
        ];
        for (input, expected) in table {
            check(input, *expected);
        }
    }

    #[test]
    fn numbers_the_metadata_does_not_list_are_kept_and_flagged() {
        let unlisted = |e164: &str| {
            Some(Phone {
                e164: e164.to_owned(),
                listed: false,
            })
        };
        let table: &[(&str, Option<Phone>)] = &[
            // a Greek mobile range assigned after the metadata (68x besides 685, 687-689)
            ("+30 680 123 4567", unlisted("+306801234567")),
            ("+306831234567", unlisted("+306831234567")),
            ("680 123 4567", unlisted("+306801234567")),
            ("0030 680 1234567", unlisted("+306801234567")),
            // as WhatsApp gives a sender (digits, no +)
            ("306801234567", unlisted("+306801234567")),
            // a UK mobile block the metadata does not have (7911 6…), as a PBX writes it
            ("00447911600000", unlisted("+447911600000")),
            ("+44 7911 600000", unlisted("+447911600000")),
            // listed numbers stay listed
            (
                "+306912345678",
                Some(Phone {
                    e164: "+306912345678".into(),
                    listed: true,
                }),
            ),
            // still not numbers: no such country code, a length the country never uses,
            // a national form that fits neither reading
            ("+999 123 4567", None),
            ("+30 680 123", None),
            ("+30 680 123 4567 890", None),
            ("1234567890", None),
            ("0123", None),
        ];
        for (input, expected) in table {
            assert_eq!(&phone(input), expected, "phone `{input}`");
        }
    }

    #[test]
    fn national_digits_drop_the_country_code() {
        assert_eq!(
            national_digits("+306912345678").as_deref(),
            Some("6912345678")
        );
        assert_eq!(
            national_digits("+4915112345678").as_deref(),
            Some("15112345678")
        );
        assert_eq!(national_digits("garbage"), None);
    }

    #[test]
    fn email_addresses_compare_by_lower_case_form() {
        let table: &[(&str, Option<&str>)] = &[
            ("Papas@Example.GR", Some("papas@example.gr")),
            (" info@enoria.gr ", Some("info@enoria.gr")),
            ("Γιώργος@παράδειγμα.ελ", Some("γιώργος@παράδειγμα.ελ")),
            ("no-at-sign", None),
            ("@example.com", None),
            ("someone@", None),
            ("a@b@c", None),
            ("with space@example.com", None),
            ("", None),
        ];
        for (input, expected) in table {
            assert_eq!(email_key(input).as_deref(), *expected, "e-mail `{input}`");
        }
    }
}
