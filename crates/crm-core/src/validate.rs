//! Field checks shared by the domain crates' validation.
//!
//! Each check trims what it is given and answers the cleaned value or an [`Invalid`] naming
//! the field (its JSON path) and what is wrong; every crate's error converts from it.
//!
//! # Which characters text may hold
//!
//! Two kinds of text, one rule each (every domain crate uses these and nothing else):
//!
//! - **One-line text** (names, labels, tags, subjects, file names, cities, ids, paths):
//!   no control character at all (Unicode `Cc`: C0 including tab and line breaks, DEL, C1),
//!   no line or paragraph separator (U+2028, U+2029), no bidirectional formatting character
//!   ([`is_bidi_control`]: the embeddings, overrides and isolates U+202A–U+202E and
//!   U+2066–U+2069, and the marks U+200E, U+200F, U+061C), and none of the invisible format
//!   characters that can hide or disguise text: U+FEFF (byte order mark), the interlinear
//!   annotation characters U+FFF9–U+FFFB and the deprecated format characters
//!   U+206A–U+206F. See [`line_char_allowed`].
//! - **Multi-line text** (notes, bodies, descriptions, destinations): line breaks (`\n`,
//!   `\r`, U+2028, U+2029) and tabs are kept; every other control character, the
//!   bidirectional embeddings, overrides and isolates ([`is_bidi_override`]), and the
//!   annotation and deprecated format characters are refused. The bidi *marks* (LRM, RLM,
//!   ALM) are allowed here: they only set the direction of the neutral characters next to
//!   them, and right-to-left prose needs them. See [`text_char_allowed`].
//!
//! Zero-width joiners and non-joiners, soft hyphens and tag characters stay allowed in both:
//! emoji sequences and several scripts are made of them.
//!
//! Text that arrives from outside and must not be refused (a channel's e-mail subject, a
//! WhatsApp message) is made acceptable with [`scrub_line`] and [`scrub_text`], which remove
//! exactly what these rules refuse.

/// A field failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    /// The JSON path of the field, e.g. `items[2].quantity`.
    pub field: String,
    pub reason: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069):
/// the characters that reorder a run of text as it is displayed (`invoice\u{202E}fdp.exe`
/// shows as `invoiceexe.pdf`).
pub fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Every bidirectional formatting character: [`is_bidi_override`] and the marks LRM
/// (U+200E), RLM (U+200F) and ALM (U+061C).
pub fn is_bidi_control(c: char) -> bool {
    is_bidi_override(c) || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Invisible format characters that can hide text or change how it is read: the
/// interlinear annotation characters and the deprecated format characters.
fn is_hiding_format(c: char) -> bool {
    matches!(c, '\u{FFF9}'..='\u{FFFB}' | '\u{206A}'..='\u{206F}')
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether `c` may appear in one-line text (see the module documentation).
pub fn line_char_allowed(c: char) -> bool {
    !(c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
        || is_bidi_control(c)
        || is_hiding_format(c))
}

/// Whether `c` may appear in multi-line text (see the module documentation).
pub fn text_char_allowed(c: char) -> bool {
    if matches!(c, '\n' | '\r' | '\t') {
        return true;
    }
    !(c.is_control() || is_bidi_override(c) || is_hiding_format(c))
}

/// What kind of character `c` is, for an error message.
fn describe(c: char) -> &'static str {
    if c == '\t' {
        "a tab"
    } else if is_line_break(c) {
        "a line break"
    } else if c.is_control() {
        "a control character"
    } else if is_bidi_control(c) {
        "a bidirectional formatting character"
    } else {
        "an invisible format character"
    }
}

fn refuse(field: &str, c: char) -> Invalid {
    Invalid::new(
        field,
        format!("must not contain {} (U+{:04X})", describe(c), u32::from(c)),
    )
}

/// Checks that `s` is one-line text: no character [`line_char_allowed`] refuses. Neither
/// trims nor bounds the length.
pub fn single_line(field: &str, s: &str) -> Result<(), Invalid> {
    match s.chars().find(|c| !line_char_allowed(*c)) {
        Some(c) => Err(refuse(field, c)),
        None => Ok(()),
    }
}

/// Checks that `s` is multi-line text: no character [`text_char_allowed`] refuses. Neither
/// trims nor bounds the length.
pub fn multi_line(field: &str, s: &str) -> Result<(), Invalid> {
    match s.chars().find(|c| !text_char_allowed(*c)) {
        Some(c) => Err(refuse(field, c)),
        None => Ok(()),
    }
}

/// `s` with every character one-line text refuses replaced: line breaks, tabs and other
/// controls by a space, bidirectional and invisible format characters removed. For text
/// from outside that must be kept rather than refused; see the module documentation.
pub fn scrub_line(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if line_char_allowed(c) {
                Some(c)
            } else if c.is_control() || is_line_break(c) {
                Some(' ')
            } else {
                None
            }
        })
        .collect()
}

/// `s` with every character multi-line text refuses removed.
pub fn scrub_text(s: &str) -> String {
    s.chars().filter(|c| text_char_allowed(*c)).collect()
}

/// At most `max` characters.
pub fn check_length(field: &str, s: &str, max: usize) -> Result<(), Invalid> {
    if s.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// At most `max` entries.
pub fn check_count(field: &str, len: usize, max: usize) -> Result<(), Invalid> {
    if len > max {
        return Err(Invalid::new(
            field,
            format!("must have at most {max} entries"),
        ));
    }
    Ok(())
}

/// A required one-line text: trimmed, non-empty, at most `max` characters, [`single_line`].
pub fn required_line(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    check_length(field, s, max)?;
    single_line(field, s)?;
    Ok(s.to_owned())
}

/// An optional one-line text: as [`required_line`], but empty means absent.
pub fn optional_line(
    field: &str,
    raw: Option<String>,
    max: usize,
) -> Result<Option<String>, Invalid> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => required_line(field, s, max).map(Some),
    }
}

/// A required free text: trimmed, non-empty, at most `max` characters, [`multi_line`].
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    check_length(field, s, max)?;
    multi_line(field, s)?;
    Ok(s.to_owned())
}

/// An optional free text: as [`required_text`], but empty means absent.
pub fn optional_text(
    field: &str,
    raw: Option<String>,
    max: usize,
) -> Result<Option<String>, Invalid> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => required_text(field, s, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_bounded_and_single() {
        assert_eq!(required_line("name", "  Ναός  ", 10).unwrap(), "Ναός");
        assert_eq!(
            required_line("name", " ", 10).unwrap_err().reason,
            "must not be empty"
        );
        assert!(required_line("name", "ααααα", 4).is_err());
        assert!(required_line("name", "a\nb", 10).is_err());
        assert_eq!(optional_line("x", Some("  ".into()), 10).unwrap(), None);
        assert_eq!(optional_line("x", None, 10).unwrap(), None);
    }

    #[test]
    fn texts_keep_line_breaks_but_not_other_controls() {
        assert_eq!(
            optional_text("body", Some(" a\r\n\tb ".into()), 10).unwrap(),
            Some("a\r\n\tb".into())
        );
        let e = optional_text("body", Some("a\u{0}b".into()), 10).unwrap_err();
        assert_eq!(e.field, "body");
        assert_eq!(
            required_text("notes[0].text", " ", 10).unwrap_err().reason,
            "must not be empty"
        );
    }

    /// One table for both kinds of text: (input, one line allowed, multi-line allowed).
    #[test]
    fn which_characters_each_kind_of_text_allows() {
        let cases: &[(&str, bool, bool)] = &[
            ("Ιερός Ναός Αγίου Νικολάου", true, true),
            ("Παπαδόπουλος & Υιοί Ο.Ε. — 100% «ok»", true, true),
            ("שלום عربى", true, true),
            ("emoji 👩‍👩‍👧 🏴󠁧󠁢󠁳󠁣󠁴󠁿", true, true), // ZWJ and tag characters
            ("می‌خواهم", true, true),     // ZWNJ (Persian)
            ("soft\u{AD}hyphen", true, true),
            ("zero\u{200B}width", true, true),
            ("private \u{E000}", true, true),
            ("a\nb", false, true),
            ("a\r\nb", false, true),
            ("a\tb", false, true),
            ("a\u{2028}b", false, true),
            ("a\u{2029}b", false, true),
            ("a\u{0}b", false, false),
            ("bell\u{7}", false, false),
            ("esc\u{1B}[31m", false, false),
            ("del\u{7F}", false, false),
            ("c1 \u{85}", false, false),
            ("c1 \u{9B}", false, false),
            ("form\u{C}feed", false, false),
            ("vtab\u{B}", false, false),
            ("invoice\u{202E}fdp.exe", false, false),
            ("\u{202A}lre", false, false),
            ("\u{202B}rle", false, false),
            ("\u{202C}pdf", false, false),
            ("\u{202D}lro", false, false),
            ("\u{2066}lri", false, false),
            ("\u{2067}rli", false, false),
            ("\u{2068}fsi", false, false),
            ("\u{2069}pdi", false, false),
            ("\u{200E}lrm", false, true),
            ("\u{200F}rlm", false, true),
            ("\u{061C}alm", false, true),
            ("\u{FEFF}bom", false, true),
            ("hidden\u{FFF9}annotation\u{FFFB}", false, false),
            ("deprecated\u{206A}", false, false),
        ];
        for (input, line_ok, text_ok) in cases {
            assert_eq!(single_line("f", input).is_ok(), *line_ok, "line {input:?}");
            assert_eq!(multi_line("f", input).is_ok(), *text_ok, "text {input:?}");
            // the scrubbed form is always accepted, and unchanged when nothing was refused
            assert_eq!(single_line("f", &scrub_line(input)), Ok(()), "{input:?}");
            assert_eq!(multi_line("f", &scrub_text(input)), Ok(()), "{input:?}");
            assert_eq!(
                scrub_line(input) == *input,
                *line_ok,
                "scrub_line {input:?}"
            );
            assert_eq!(
                scrub_text(input) == *input,
                *text_ok,
                "scrub_text {input:?}"
            );
        }
    }

    #[test]
    fn refusals_name_the_field_and_the_character() {
        let e = required_line("contacts[1].label", "a\u{202E}b", 10).unwrap_err();
        assert_eq!(e.field, "contacts[1].label");
        assert_eq!(
            e.reason,
            "must not contain a bidirectional formatting character (U+202E)"
        );
        let e = required_line("name", "a\nb", 10).unwrap_err();
        assert_eq!(e.reason, "must not contain a line break (U+000A)");
        let e = optional_text("body", Some("a\u{1B}b".into()), 10).unwrap_err();
        assert_eq!(e.reason, "must not contain a control character (U+001B)");
    }

    #[test]
    fn scrubbing_keeps_what_it_can() {
        assert_eq!(scrub_line("Re:\r\n\tκλήση\u{202E}"), "Re:   κλήση");
        assert_eq!(
            scrub_text("a\u{7}b\r\n\u{2067}c\u{200F}"),
            "ab\r\nc\u{200F}"
        );
    }
}
