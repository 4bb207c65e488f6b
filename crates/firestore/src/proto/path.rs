//! Names: document paths (`crm_customers/{id}`, relative to the database's `documents`), full
//! resource names, and field paths (`a.b`, with backtick-quoted segments).

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Why a document or collection path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} path {path:?}: {reason}")]
pub struct PathError {
    /// `document` or `collection`.
    pub what: &'static str,
    /// The path as given.
    pub path: String,
    /// Why.
    pub reason: &'static str,
}

/// Checks a relative path: `coll/doc[/coll/doc…]` for a document (even number of segments),
/// `coll[/doc/coll…]` for a collection (odd). Segments are non-empty, not `.` or `..`, not
/// `__…__` (reserved), at most 1,500 bytes.
pub fn check_path(path: &str, document: bool) -> Result<(), PathError> {
    let what = if document { "document" } else { "collection" };
    let err = |reason| PathError {
        what,
        path: path.to_owned(),
        reason,
    };
    if path.is_empty() {
        return Err(err("empty"));
    }
    let mut n: usize = 0;
    for seg in path.split('/') {
        n += 1;
        if seg.is_empty() {
            return Err(err("empty segment"));
        }
        if seg == "." || seg == ".." {
            return Err(err("`.` and `..` are not ids"));
        }
        if seg.len() >= 4 && seg.starts_with("__") && seg.ends_with("__") {
            return Err(err("ids matching __.*__ are reserved"));
        }
        if seg.len() > 1500 {
            return Err(err("an id is longer than 1,500 bytes"));
        }
    }
    if document != n.is_multiple_of(2) {
        return Err(err(if document {
            "a document path has an even number of segments (collection/id)"
        } else {
            "a collection path has an odd number of segments"
        }));
    }
    Ok(())
}

/// `{collection}/{id}`.
pub fn doc_path(collection: &str, id: &str) -> String {
    format!("{collection}/{id}")
}

/// Everything but letters, digits and `-._~` is escaped in a URL path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A relative path with each segment percent-encoded, for a URL.
pub fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let _ = write!(out, "{}", utf8_percent_encode(seg, SEGMENT));
    }
    out
}

/// A field name that needs no quoting in a field path: `[A-Za-z_][A-Za-z_0-9]*`.
fn is_simple(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A field path from field names (one per nesting level): simple names as they are, others in
/// backticks with `` ` `` and `\` escaped — `field_path(&["a", "b.c"])` is ``a.`b.c` ``.
pub fn field_path(names: &[&str]) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if is_simple(name) {
            out.push_str(name);
        } else {
            out.push('`');
            for c in name.chars() {
                if c == '`' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('`');
        }
    }
    out
}

/// The field names of a field path (the inverse of [`field_path`]; a lone segment without
/// backticks is taken as it is).
pub fn field_path_segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '`' => quoted = !quoted,
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    cur.push(next);
                }
            }
            '.' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        // (path, is a document path, is a collection path)
        let table = [
            ("crm_customers/abc", true, false),
            ("crm_customers", false, true),
            ("a/b/c", false, true),
            ("a/b/c/d", true, false),
            ("", false, false),
            ("a//b", false, false),
            ("/a/b", false, false),
            ("a/b/", false, false),
            ("a/..", false, false),
            ("a/__x__", false, false),
            ("a/__", true, false),
            ("a/___", true, false),
            ("a/____", false, false),
            ("Ενορίες/Άγιος Νικόλαος", true, false),
        ];
        for (path, doc, coll) in table {
            assert_eq!(
                check_path(path, true).is_ok(),
                doc,
                "{path:?} as a document"
            );
            assert_eq!(
                check_path(path, false).is_ok(),
                coll,
                "{path:?} as a collection"
            );
        }
    }

    #[test]
    fn url_paths_escape_each_segment() {
        let table = [
            ("c/abc-1_2.3~", "c/abc-1_2.3~"),
            ("c/a b:c?d#e%f", "c/a%20b%3Ac%3Fd%23e%25f"),
            ("c/Ά", "c/%CE%86"),
        ];
        for (input, expected) in table {
            assert_eq!(url_path(input), expected);
        }
    }

    #[test]
    fn field_paths_quote_what_is_not_simple() {
        // (names, field path)
        let table: [(&[&str], &str); 6] = [
            (&["a"], "a"),
            (&["a", "b_1"], "a.b_1"),
            (&["__name__"], "__name__"),
            (&["a.b"], "`a.b`"),
            (&["1a", "x`y\\z"], "`1a`.`x\\`y\\\\z`"),
            (&["όνομα"], "`όνομα`"),
        ];
        for (names, expected) in table {
            assert_eq!(field_path(names), expected);
            assert_eq!(field_path_segments(expected), names, "{expected}");
        }
    }
}
