//! [`DavPath`]: a path inside the configured base folder, validated once when parsed from
//! user input and trusted afterwards.
//!
//! Rules (each refusal names its [`PathErrorReason`]):
//! - The path is relative to the base folder. One leading `/` and one trailing `/` are
//!   normalised away (`/Kunden/` is `Kunden`); `""` and `/` are the base folder itself.
//! - Segments are separated by `/`; an empty segment (`a//b`, `//a`) is refused, not collapsed.
//! - `.` and `..` segments, backslashes, control characters (C0, DEL, C1, NUL) and Unicode
//!   bidirectional overrides are refused.
//! - Names are literal: `%`, `#`, `+`, `?` and spaces are ordinary characters and are
//!   percent-encoded on the way out. As a defence in depth against anything between us and
//!   the files that decodes once more (a proxy, a gateway route), a segment is also refused
//!   when percent-decoding it, once or repeatedly (`%252e` → `%2e` → `.`), yields a `/`, a
//!   `\`, a control character, invalid UTF-8 (overlong forms like `%c0%ae`), or a `.`/`..`
//!   segment. `100% plan.txt` and `50%25.txt` stay valid: they decode to nothing dangerous.
//! - A segment is at most 255 bytes, the whole path at most 4096 bytes.
//!
//! The rules answer their own [`PathError`]; the crate's [`Error`](crate::Error) wraps it
//! (`Error::InvalidPath`), so a client call's `?` takes it as it is.

use std::fmt;
use std::str::FromStr;

use percent_encoding::percent_decode_str;

/// Longest accepted segment, in bytes of UTF-8 (the usual file-system limit).
pub const MAX_SEGMENT_BYTES: usize = 255;
/// Longest accepted path, in bytes of UTF-8.
pub const MAX_PATH_BYTES: usize = 4096;
/// How many layers of percent-encoding are peeled off when checking a segment.
const MAX_DECODE_LAYERS: usize = 8;

/// Why a path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathErrorReason {
    /// A `..` segment.
    ParentSegment,
    /// A `.` segment.
    CurrentSegment,
    /// An empty segment (`a//b`).
    EmptySegment,
    /// A `\` anywhere.
    Backslash,
    /// A control character (NUL, C0, DEL, C1).
    ControlCharacter,
    /// A Unicode bidirectional override or isolate (names that display reversed).
    BidiControl,
    /// A segment that percent-decodes to `..`.
    EncodedParentSegment,
    /// A segment that percent-decodes to `.`.
    EncodedCurrentSegment,
    /// A segment that percent-decodes to something containing `/`.
    EncodedSlash,
    /// A segment that percent-decodes to something containing `\`.
    EncodedBackslash,
    /// A segment that percent-decodes to a control character (`%00`, `%0a`, …).
    EncodedControlCharacter,
    /// A segment that percent-decodes to invalid UTF-8 (overlong `%c0%ae`, stray `%ff`).
    EncodedInvalidUtf8,
    /// More layers of percent-encoding than anyone writes by accident.
    TooManyEncodingLayers,
    /// A segment longer than [`MAX_SEGMENT_BYTES`].
    SegmentTooLong,
    /// A path longer than [`MAX_PATH_BYTES`].
    PathTooLong,
    /// The operation needs a file or folder inside the base folder, not the base folder itself.
    IsBaseFolder,
}

impl fmt::Display for PathErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ParentSegment => "`..` segments are not allowed",
            Self::CurrentSegment => "`.` segments are not allowed",
            Self::EmptySegment => "empty segment (`//`)",
            Self::Backslash => "backslash not allowed",
            Self::ControlCharacter => "control character not allowed",
            Self::BidiControl => "bidirectional control character not allowed",
            Self::EncodedParentSegment => "segment decodes to `..`",
            Self::EncodedCurrentSegment => "segment decodes to `.`",
            Self::EncodedSlash => "segment decodes to a `/`",
            Self::EncodedBackslash => "segment decodes to a backslash",
            Self::EncodedControlCharacter => "segment decodes to a control character",
            Self::EncodedInvalidUtf8 => "segment decodes to invalid UTF-8",
            Self::TooManyEncodingLayers => "too many layers of percent-encoding",
            Self::SegmentTooLong => "a segment is longer than 255 bytes",
            Self::PathTooLong => "path longer than 4096 bytes",
            Self::IsBaseFolder => "not allowed on the base folder itself",
        })
    }
}

/// A path refused by the rules: the input as given (shown escaped) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path {path:?}: {reason}")]
pub struct PathError {
    /// The input as given.
    pub path: String,
    /// Why it was refused.
    pub reason: PathErrorReason,
}

type Result<T, E = PathError> = std::result::Result<T, E>;

/// A validated path relative to the base folder: segments joined by `/`, no leading or
/// trailing slash; the empty path is the base folder. See the module docs for the rules.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DavPath(String);

fn invalid(input: &str, reason: PathErrorReason) -> PathError {
    PathError {
        path: input.to_owned(),
        reason,
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Checks one raw (not yet decoded) segment.
fn check_segment(input: &str, segment: &str) -> Result<()> {
    if segment.is_empty() {
        return Err(invalid(input, PathErrorReason::EmptySegment));
    }
    if segment.len() > MAX_SEGMENT_BYTES {
        return Err(invalid(input, PathErrorReason::SegmentTooLong));
    }
    match segment {
        ".." => return Err(invalid(input, PathErrorReason::ParentSegment)),
        "." => return Err(invalid(input, PathErrorReason::CurrentSegment)),
        _ => {}
    }
    for c in segment.chars() {
        if c == '\\' {
            return Err(invalid(input, PathErrorReason::Backslash));
        }
        if c.is_control() {
            return Err(invalid(input, PathErrorReason::ControlCharacter));
        }
        if is_bidi_control(c) {
            return Err(invalid(input, PathErrorReason::BidiControl));
        }
    }
    // Peel percent-encoding layers: whatever a later decoder could turn this into must be
    // harmless too.
    let mut current = segment.to_owned();
    for _ in 0..MAX_DECODE_LAYERS {
        if !current.contains('%') {
            return Ok(());
        }
        let bytes: Vec<u8> = percent_decode_str(&current).collect();
        if bytes == current.as_bytes() {
            return Ok(()); // no valid `%XX` left: a literal percent sign
        }
        let decoded = String::from_utf8(bytes)
            .map_err(|_| invalid(input, PathErrorReason::EncodedInvalidUtf8))?;
        match decoded.as_str() {
            ".." => return Err(invalid(input, PathErrorReason::EncodedParentSegment)),
            "." => return Err(invalid(input, PathErrorReason::EncodedCurrentSegment)),
            _ => {}
        }
        for c in decoded.chars() {
            if c == '/' {
                return Err(invalid(input, PathErrorReason::EncodedSlash));
            }
            if c == '\\' {
                return Err(invalid(input, PathErrorReason::EncodedBackslash));
            }
            if c.is_control() {
                return Err(invalid(input, PathErrorReason::EncodedControlCharacter));
            }
            if is_bidi_control(c) {
                return Err(invalid(input, PathErrorReason::BidiControl));
            }
        }
        current = decoded;
    }
    if current.contains('%')
        && percent_decode_str(&current).collect::<Vec<u8>>() != current.as_bytes()
    {
        return Err(invalid(input, PathErrorReason::TooManyEncodingLayers));
    }
    Ok(())
}

impl DavPath {
    /// Parses and validates user input (the rules are in the module docs).
    pub fn parse(input: &str) -> Result<Self> {
        input.parse()
    }

    /// The base folder itself.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// The path without leading slash (`""` for the base folder).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the base folder itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The segments, outermost first (none for the base folder).
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }

    /// The last segment (`None` for the base folder).
    pub fn name(&self) -> Option<&str> {
        if self.is_root() {
            None
        } else {
            self.0.rsplit('/').next()
        }
    }

    /// The enclosing folder (`None` for the base folder).
    pub fn parent(&self) -> Option<DavPath> {
        if self.is_root() {
            return None;
        }
        Some(match self.0.rfind('/') {
            Some(i) => Self(self.0[..i].to_owned()),
            None => Self::root(),
        })
    }

    /// `self/relative`, where `relative` is validated like [`DavPath::parse`].
    pub fn join(&self, relative: &str) -> Result<DavPath> {
        let rel: DavPath = relative.parse()?;
        Ok(self.join_path(&rel))
    }

    /// `self/other` for an already validated path.
    pub fn join_path(&self, other: &DavPath) -> DavPath {
        match (self.is_root(), other.is_root()) {
            (_, true) => self.clone(),
            (true, false) => other.clone(),
            (false, false) => {
                let joined = format!("{}/{}", self.0, other.0);
                DavPath(joined)
            }
        }
    }

    /// Whether `self` is `other` or inside it.
    pub fn starts_with(&self, other: &DavPath) -> bool {
        other.is_root()
            || self.0 == other.0
            || (self.0.starts_with(&other.0) && self.0.as_bytes().get(other.0.len()) == Some(&b'/'))
    }

    /// The path itself, then each enclosing folder, ending before the base folder.
    pub fn ancestors_and_self(&self) -> Vec<DavPath> {
        let mut out = Vec::new();
        let mut cur = Some(self.clone());
        while let Some(p) = cur {
            if p.is_root() {
                break;
            }
            cur = p.parent();
            out.push(p);
        }
        out
    }

    /// Builds a path from segments a server reported (already percent-decoded), applying
    /// the same rules as user input.
    pub(crate) fn from_decoded(relative: &str) -> Result<DavPath> {
        relative.parse()
    }

    /// Refuses the base folder for operations that need something inside it.
    pub(crate) fn require_not_root(&self) -> Result<()> {
        if self.is_root() {
            Err(invalid("/", PathErrorReason::IsBaseFolder))
        } else {
            Ok(())
        }
    }
}

impl FromStr for DavPath {
    type Err = PathError;

    /// Parses and validates user input (see the module docs).
    fn from_str(input: &str) -> Result<Self> {
        let trimmed = input.strip_prefix('/').unwrap_or(input);
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        // the limit is the path's, not its spelling's: `/a` and `a` are one path
        if trimmed.len() > MAX_PATH_BYTES {
            return Err(invalid(input, PathErrorReason::PathTooLong));
        }
        if trimmed.is_empty() {
            return Ok(Self::root());
        }
        for segment in trimmed.split('/') {
            check_segment(input, segment)?;
        }
        Ok(Self(trimmed.to_owned()))
    }
}

impl TryFrom<&str> for DavPath {
    type Error = PathError;

    fn try_from(s: &str) -> Result<Self> {
        s.parse()
    }
}

impl fmt::Display for DavPath {
    /// Shown with a leading `/` (`/` for the base folder).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0)
    }
}

impl fmt::Debug for DavPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DavPath({:?})", self.0)
    }
}

impl AsRef<str> for DavPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathErrorReason as R;

    fn reason(input: &str) -> Option<PathErrorReason> {
        DavPath::from_str(input).err().map(|e| e.reason)
    }

    #[test]
    fn a_path_at_the_limit_is_one_path_however_it_is_spelled() {
        // found by fuzzing: its `/`-led form (what Display shows) was refused as too long
        let at_limit = format!("{}/{}", "a".repeat(200), "b/".repeat(1947) + "c");
        assert_eq!(at_limit.len(), MAX_PATH_BYTES);
        let p = DavPath::parse(&at_limit).unwrap();
        assert_eq!(DavPath::parse(&format!("/{at_limit}/")).unwrap(), p);
        let shown = p.to_string();
        assert!(shown.starts_with('/'), "{shown:.8}");
        assert_eq!(DavPath::parse(&shown).unwrap(), p);
        let over = format!("{at_limit}d");
        assert_eq!(
            DavPath::parse(&format!("/{over}")).unwrap_err().reason,
            PathErrorReason::PathTooLong
        );
    }

    #[test]
    fn hostile_paths_are_refused_with_their_reason() {
        let long_segment = "α".repeat(128); // 256 bytes
        let long_path = "a/".repeat(2100);
        let cases: &[(&str, PathErrorReason)] = &[
            ("..", R::ParentSegment),
            ("../etc/passwd", R::ParentSegment),
            ("a/../../b", R::ParentSegment),
            ("a/..", R::ParentSegment),
            ("/../x", R::ParentSegment),
            (".", R::CurrentSegment),
            ("a/./b", R::CurrentSegment),
            ("a//b", R::EmptySegment),
            ("//a", R::EmptySegment),
            ("a//", R::EmptySegment),
            ("///", R::EmptySegment),
            ("a\\b", R::Backslash),
            ("..\\..\\windows", R::Backslash),
            ("\\\\server\\share", R::Backslash),
            ("a\0b", R::ControlCharacter),
            ("name\n.txt", R::ControlCharacter),
            ("tab\there", R::ControlCharacter),
            ("del\u{7f}", R::ControlCharacter),
            ("c1\u{85}", R::ControlCharacter),
            ("invoice\u{202E}fdp.exe", R::BidiControl),
            ("%2e%2e", R::EncodedParentSegment),
            ("%2E%2E/etc", R::EncodedParentSegment),
            (".%2e", R::EncodedParentSegment),
            ("%2e.", R::EncodedParentSegment),
            ("a/%2e%2e/b", R::EncodedParentSegment),
            ("%252e%252e", R::EncodedParentSegment),
            ("%25252e%25252e", R::EncodedParentSegment),
            ("%2e", R::EncodedCurrentSegment),
            ("%252e", R::EncodedCurrentSegment),
            ("..%2fetc", R::EncodedSlash),
            ("a%2fb", R::EncodedSlash),
            ("a%2Fb", R::EncodedSlash),
            ("%2e%2e%2f%2e%2e%2fetc", R::EncodedSlash),
            ("a%252fb", R::EncodedSlash),
            ("a%5cb", R::EncodedBackslash),
            ("..%5c..%5cwin.ini", R::EncodedBackslash),
            ("a%255Cb", R::EncodedBackslash),
            ("a%00b", R::EncodedControlCharacter),
            ("file.txt%00.jpg", R::EncodedControlCharacter),
            ("a%2500b", R::EncodedControlCharacter),
            ("x%0d%0aSet-Cookie:1", R::EncodedControlCharacter),
            ("%c0%ae%c0%ae", R::EncodedInvalidUtf8),
            ("%c0%af", R::EncodedInvalidUtf8),
            ("%ff", R::EncodedInvalidUtf8),
            ("%e2%80%ae", R::BidiControl),
            ("%2525252525252525252e", R::TooManyEncodingLayers),
            (&long_segment, R::SegmentTooLong),
            (&long_path, R::PathTooLong),
        ];
        assert!(cases.len() >= 30);
        for (input, want) in cases {
            assert_eq!(reason(input), Some(*want), "input {input:?}");
        }
    }

    #[test]
    fn valid_paths_including_greek_and_special_characters() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("/", ""),
            ("Kunden", "Kunden"),
            ("/Kunden/", "Kunden"),
            (
                "Πελάτες/Γιώργος Παπαδόπουλος/προσφορά.pdf",
                "Πελάτες/Γιώργος Παπαδόπουλος/προσφορά.pdf",
            ),
            ("ΑΒΓ ά", "ΑΒΓ ά"),
            ("Τιμολόγιο #12 + ΦΠΑ 24%.pdf", "Τιμολόγιο #12 + ΦΠΑ 24%.pdf"),
            ("100% plan?.txt", "100% plan?.txt"),
            ("50%25.txt", "50%25.txt"),
            ("%zz", "%zz"),
            ("...", "..."),
            ("..hidden", "..hidden"),
            ("a.", "a."),
            (".env", ".env"),
            ("Sent Media/photo 1.jpg", "Sent Media/photo 1.jpg"),
            ("a&b=c;d", "a&b=c;d"),
            ("emoji 📎.txt", "emoji 📎.txt"),
            ("~user", "~user"),
            ("C:", "C:"),
        ];
        for (input, want) in cases {
            let p = DavPath::from_str(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(p.as_str(), *want, "input {input:?}");
        }
        let max = "α".repeat(127) + "a"; // 255 bytes
        assert!(DavPath::from_str(&max).is_ok());
    }

    #[test]
    fn navigation_helpers() {
        let p = DavPath::from_str("Πελάτες/Γιώργος/a.pdf").unwrap();
        assert_eq!(p.name(), Some("a.pdf"));
        assert_eq!(p.parent().unwrap().as_str(), "Πελάτες/Γιώργος");
        assert_eq!(
            p.parent().unwrap().parent().unwrap().parent().unwrap(),
            DavPath::root()
        );
        assert_eq!(DavPath::root().parent(), None);
        assert_eq!(DavPath::root().name(), None);
        assert_eq!(p.segments().count(), 3);
        assert_eq!(DavPath::root().segments().count(), 0);
        assert_eq!(p.to_string(), "/Πελάτες/Γιώργος/a.pdf");
        assert_eq!(DavPath::root().to_string(), "/");
        let anc: Vec<String> = p
            .ancestors_and_self()
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect();
        assert_eq!(anc, ["Πελάτες/Γιώργος/a.pdf", "Πελάτες/Γιώργος", "Πελάτες"]);
        let joined = DavPath::from_str("a").unwrap().join("b c/d").unwrap();
        assert_eq!(joined.as_str(), "a/b c/d");
        assert!(DavPath::from_str("a").unwrap().join("../x").is_err());
        assert_eq!(DavPath::root().join_path(&joined), joined);
        assert!(joined.starts_with(&DavPath::from_str("a").unwrap()));
        assert!(joined.starts_with(&DavPath::root()));
        assert!(
            !DavPath::from_str("ab")
                .unwrap()
                .starts_with(&DavPath::from_str("a").unwrap())
        );
        assert!(DavPath::root().require_not_root().is_err());
    }

    #[test]
    fn error_message_names_the_reason_and_escapes_the_input() {
        let e = DavPath::from_str("a\0b").unwrap_err().to_string();
        assert!(e.contains("control character"), "{e}");
        assert!(e.contains("\\0"), "{e}");
    }
}
