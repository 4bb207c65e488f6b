//! Field checks shared by the domain crates' validation.
//!
//! Each check trims what it is given and answers the cleaned value or an [`Invalid`] naming
//! the field (its JSON path) and what is wrong; every crate's error converts from it.

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

/// A required one-line text: trimmed, non-empty, at most `max` characters, no control
/// characters.
pub fn required_line(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    check_length(field, s, max)?;
    if s.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            "must be one line without control characters",
        ));
    }
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

/// An optional free text: trimmed, empty means absent, at most `max` characters; line breaks
/// and tabs allowed, other control characters not.
pub fn optional_text(
    field: &str,
    raw: Option<String>,
    max: usize,
) -> Result<Option<String>, Invalid> {
    let Some(s) = raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    check_length(field, s, max)?;
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(Some(s.to_owned()))
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
    }
}
