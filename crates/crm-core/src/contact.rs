//! Contact values in their comparable form.
//!
//! - E-mail addresses are kept as written but compared by a lower-cased normal form; an
//!   address must have exactly one `@` with something on both sides and no white space.
//! - Phone and WhatsApp numbers are parsed with the `phonenumber` crate (libphonenumber's
//!   metadata) with Greece as the default region, and compared in E.164: `6912345678`,
//!   `0030 691 234 5678`, `+30 691-234-5678` and `306912345678` are all `+306912345678`.
//!   A number must be valid for its country (right length and prefix), not merely digits.

use phonenumber::{Mode, country};

/// Loads the phone-number metadata now rather than on the first number a request brings (it
/// takes a noticeable moment, seconds in a debug build).
pub fn warm_up() {
    let _ = phone_e164("+30 210 123 4567");
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

/// A phone number in E.164 (`+306912345678`), or `None` when `value` is not a valid number.
/// Numbers without an international prefix are read as Greek; digits that only make sense
/// with a `+` in front (`306912345678`, `4915112345678`) are read as international.
pub fn phone_e164(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 {
        return None;
    }
    if let Some(e164) = parse_valid(value) {
        return Some(e164);
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let only_digits_and_separators = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'));
    if only_digits_and_separators && digits.len() >= 8 && !digits.starts_with('0') {
        return parse_valid(&format!("+{digits}"));
    }
    None
}

fn parse_valid(value: &str) -> Option<String> {
    let number = phonenumber::parse(Some(country::Id::GR), value).ok()?;
    if !number.is_valid() {
        return None;
    }
    Some(number.format().mode(Mode::E164).to_string())
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
