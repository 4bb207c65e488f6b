//! What a channel is (trunk, extension, Local) and what a number is (E.164, extension, …).

use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber, country};

use super::record::Number;
use crate::error::{Error, Result};

/// What kind of party a channel is, from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelKind {
    /// A channel to or from the provider (matches a trunk pattern).
    Trunk,
    /// A phone of the PBX; the extension is the endpoint name (`PJSIP/201-0000000a` → `201`).
    Extension(String),
    /// A `Local/` channel (queues, ring groups, follow-me); never a party of its own.
    Local,
    /// Anything else (`PJSIP/anonymous-…`, `Message/…`, an endpoint that is no extension).
    Other,
}

/// The site rules the correlator needs: which channels are trunks, which numbers are internal
/// extensions, and the default region for numbers written without a country code.
#[derive(Debug, Clone)]
pub struct CallRules {
    trunks: Vec<Vec<u8>>,
    extensions: Vec<ExtensionPattern>,
    region: country::Id,
}

impl CallRules {
    /// Builds the rules.
    ///
    /// - `trunk_patterns`: channel-name prefixes, ASCII case-insensitive, where `*` matches any
    ///   run of characters and `?` one character (`PJSIP/trunk-`, `SIP/provider`,
    ///   `PJSIP/*-trunk`).
    /// - `extension_patterns`: Asterisk dialplan patterns (`_XXX`, `_XXXX`, `_2XX`, `_[1-5]XX`;
    ///   `X` 0-9, `Z` 1-9, `N` 2-9, `.` one or more, `!` zero or more) or literal extensions
    ///   (`100`).
    /// - `default_region`: a CLDR region code (`GR`) for national numbers.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for an unknown region, an empty trunk pattern, or a malformed
    /// extension pattern.
    pub fn new<T: AsRef<str>, E: AsRef<str>>(
        trunk_patterns: &[T],
        extension_patterns: &[E],
        default_region: &str,
    ) -> Result<Self> {
        let region: country::Id =
            default_region
                .trim()
                .to_ascii_uppercase()
                .parse()
                .map_err(|_| Error::InvalidConfig {
                    field: "default_region",
                    reason: format!("unknown region code {default_region:?}"),
                })?;
        let mut trunks = Vec::with_capacity(trunk_patterns.len());
        for pattern in trunk_patterns {
            let pattern = pattern.as_ref().trim();
            if pattern.is_empty() {
                return Err(Error::InvalidConfig {
                    field: "trunk_patterns",
                    reason: "empty pattern".into(),
                });
            }
            trunks.push(pattern.to_ascii_lowercase().into_bytes());
        }
        let extensions = extension_patterns
            .iter()
            .map(|p| ExtensionPattern::parse(p.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            trunks,
            extensions,
            region,
        })
    }

    /// The default region.
    pub fn region(&self) -> country::Id {
        self.region
    }

    /// Whether `channel` matches one of the trunk patterns.
    pub fn is_trunk(&self, channel: &str) -> bool {
        let name = channel.as_bytes();
        self.trunks.iter().any(|p| glob_prefix(p, name))
    }

    /// Whether `number` is an internal extension (at most 32 characters: the numbers come
    /// from the network, and `.`/`!` patterns backtrack).
    pub fn is_extension(&self, number: &str) -> bool {
        !number.is_empty()
            && number.len() <= 32
            && self.extensions.iter().any(|p| p.matches(number))
    }

    /// What kind of party `channel` is. Trunk patterns win over extension patterns.
    pub fn channel_kind(&self, channel: &str) -> ChannelKind {
        if self.is_trunk(channel) {
            return ChannelKind::Trunk;
        }
        let Some((tech, resource)) = channel.split_once('/') else {
            return ChannelKind::Other;
        };
        if tech.eq_ignore_ascii_case("Local") {
            return ChannelKind::Local;
        }
        let endpoint = strip_channel_suffix(resource);
        if self.is_extension(endpoint) {
            ChannelKind::Extension(endpoint.to_owned())
        } else {
            ChannelKind::Other
        }
    }

    /// The endpoint part of a channel name (`PJSIP/trunk-acme-0000001f` → `trunk-acme`).
    pub fn endpoint(channel: &str) -> &str {
        channel
            .split_once('/')
            .map_or(channel, |(_, r)| strip_channel_suffix(r))
    }

    /// A caller ID or dialled number in its normal form: internal extensions as they are,
    /// everything else in E.164 when it is a number (national numbers read in the default
    /// region, `00` and `+` prefixes understood, digits that only make sense with a `+` in
    /// front such as `306912345678` read as international).
    ///
    /// A number is one when the phone metadata lists it, and also when it does not but its
    /// country code exists and its length is one that country uses (a range assigned after
    /// the metadata: the PBX saw the call, so the number exists). Without an international
    /// prefix such a number must fit the default region's general pattern, or be read as
    /// international digits.
    pub fn normalize(&self, raw: &str) -> Number {
        let value = raw.trim();
        if value.is_empty()
            || value.eq_ignore_ascii_case("<unknown>")
            || value.eq_ignore_ascii_case("unknown")
        {
            return Number::Unknown;
        }
        if [
            "anonymous",
            "restricted",
            "private",
            "unavailable",
            "withheld",
        ]
        .iter()
        .any(|w| value.eq_ignore_ascii_case(w))
        {
            return Number::Withheld;
        }
        if self.is_extension(value) {
            return Number::Extension(value.to_owned());
        }
        match self.e164(value) {
            Some(e164) => Number::E164(e164),
            None => Number::Other(value.chars().take(64).collect()),
        }
    }

    fn e164(&self, value: &str) -> Option<String> {
        if value.len() > 40 {
            return None;
        }
        let dialable = value
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b' ' | b'-' | b'.' | b'(' | b')'));
        if !dialable || !value.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let national = self.parse(value);
        if let Some(n) = national.as_ref().filter(|n| n.is_valid()) {
            return Some(e164_of(n));
        }
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        let explicit = value.starts_with('+') || value.starts_with("00");
        // `00` is the international prefix nearly everywhere, whatever the default region's
        let international = if let Some(rest) = digits.strip_prefix("00").filter(|_| explicit) {
            self.parse(&format!("+{rest}"))
        } else if !explicit && digits.len() >= 8 && !digits.starts_with('0') {
            self.parse(&format!("+{digits}"))
        } else {
            None
        };
        if let Some(n) = international.as_ref().filter(|n| n.is_valid()) {
            return Some(e164_of(n));
        }
        if let Some(n) = national.filter(|n| possible(n, !explicit)) {
            return Some(e164_of(&n));
        }
        international
            .filter(|n| possible(n, false))
            .map(|n| e164_of(&n))
    }

    fn parse(&self, value: &str) -> Option<PhoneNumber> {
        phonenumber::parse(Some(self.region), value).ok()
    }
}

fn e164_of(n: &PhoneNumber) -> String {
    n.format().mode(Mode::E164).to_string()
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
        let length_ok = [
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
        ]
        .iter()
        .flatten()
        .any(|k| k.possible_length().contains(&len));
        length_ok && (!pattern || d.general().is_match(&national))
    })
}

/// `201-0000000a` → `201`; `trunk-acme-0000001f` → `trunk-acme`; a Local channel's `;1`/`;2`
/// is dropped too.
fn strip_channel_suffix(resource: &str) -> &str {
    let resource = resource.split(';').next().unwrap_or(resource);
    match resource.rsplit_once('-') {
        Some((endpoint, suffix))
            if !endpoint.is_empty()
                && !suffix.is_empty()
                && suffix.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            endpoint
        }
        _ => resource,
    }
}

/// Glob match of a lower-cased `pattern` against the start of `text` (ASCII case-insensitive):
/// `*` any run, `?` any one byte, and the pattern matches as a prefix.
fn glob_prefix(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pattern.len() {
            return true; // prefix semantics: whatever follows is accepted
        }
        match pattern[p] {
            b'*' => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            c if t < text.len() && (c == b'?' || c == text[t].to_ascii_lowercase()) => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) if st < text.len() => {
                star = Some((sp, st + 1));
                p = sp + 1;
                t = st + 1;
            }
            _ => return false,
        }
    }
}

/// One Asterisk-style extension pattern.
#[derive(Debug, Clone)]
enum ExtensionPattern {
    Literal(String),
    Tokens(Vec<Token>),
}

#[derive(Debug, Clone)]
enum Token {
    Byte(u8),
    Class(Vec<(u8, u8)>),
    OneOrMore,
    ZeroOrMore,
}

impl ExtensionPattern {
    fn parse(pattern: &str) -> Result<Self> {
        let bad = |reason: &str| Error::InvalidConfig {
            field: "extension_patterns",
            reason: format!("{reason} in {pattern:?}"),
        };
        let pattern = pattern.trim();
        if pattern.is_empty() {
            return Err(bad("empty pattern"));
        }
        let Some(body) = pattern.strip_prefix('_') else {
            return Ok(Self::Literal(pattern.to_owned()));
        };
        let bytes = body.as_bytes();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let token = match bytes[i].to_ascii_uppercase() {
                b'X' => Token::Class(vec![(b'0', b'9')]),
                b'Z' => Token::Class(vec![(b'1', b'9')]),
                b'N' => Token::Class(vec![(b'2', b'9')]),
                b'.' => Token::OneOrMore,
                b'!' => Token::ZeroOrMore,
                b'[' => {
                    let close = bytes[i..]
                        .iter()
                        .position(|&b| b == b']')
                        .ok_or_else(|| bad("unterminated '['"))?;
                    let inner = &bytes[i + 1..i + close];
                    let mut ranges = Vec::new();
                    let mut j = 0;
                    while j < inner.len() {
                        if j + 2 < inner.len() && inner[j + 1] == b'-' {
                            ranges.push((inner[j], inner[j + 2]));
                            j += 3;
                        } else {
                            ranges.push((inner[j], inner[j]));
                            j += 1;
                        }
                    }
                    if ranges.is_empty() {
                        return Err(bad("empty '[]'"));
                    }
                    i += close;
                    Token::Class(ranges)
                }
                _ => Token::Byte(bytes[i]),
            };
            tokens.push(token);
            i += 1;
        }
        if tokens.is_empty() {
            return Err(bad("nothing after '_'"));
        }
        Ok(Self::Tokens(tokens))
    }

    fn matches(&self, text: &str) -> bool {
        match self {
            Self::Literal(l) => l == text,
            Self::Tokens(tokens) => match_tokens(tokens, text.as_bytes()),
        }
    }
}

fn match_tokens(tokens: &[Token], text: &[u8]) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return text.is_empty();
    };
    match first {
        Token::Byte(b) => text.first() == Some(b) && match_tokens(rest, &text[1..]),
        Token::Class(ranges) => text.first().is_some_and(|c| {
            ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(c)) && match_tokens(rest, &text[1..])
        }),
        Token::OneOrMore => (1..=text.len()).any(|n| match_tokens(rest, &text[n..])),
        Token::ZeroOrMore => (0..=text.len()).any(|n| match_tokens(rest, &text[n..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> CallRules {
        let r = CallRules::new(
            &["PJSIP/trunk-", "SIP/provider", "PJSIP/*-gw"],
            &["_XXX", "_XXXX"],
            "GR",
        );
        match r {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn numbers_are_normalised_to_e164() {
        let r = rules();
        let table: &[(&str, Number)] = &[
            // Greek mobiles and landlines, in every usual written form
            ("6912345678", Number::E164("+306912345678".into())),
            ("691 234 5678", Number::E164("+306912345678".into())),
            ("00306912345678", Number::E164("+306912345678".into())),
            ("+306912345678", Number::E164("+306912345678".into())),
            ("+30 691-234-5678", Number::E164("+306912345678".into())),
            ("306912345678", Number::E164("+306912345678".into())),
            ("2101234567", Number::E164("+302101234567".into())),
            ("0030 210 123 4567", Number::E164("+302101234567".into())),
            ("+302101234567", Number::E164("+302101234567".into())),
            ("2310123456", Number::E164("+302310123456".into())),
            // foreign numbers keep their country
            ("+4915112345678", Number::E164("+4915112345678".into())),
            ("004915112345678", Number::E164("+4915112345678".into())),
            ("4915112345678", Number::E164("+4915112345678".into())),
            ("+442079460000", Number::E164("+442079460000".into())),
            // internal extensions stay as they are
            ("201", Number::Extension("201".into())),
            ("1001", Number::Extension("1001".into())),
            // hidden or missing caller IDs
            ("", Number::Unknown),
            ("<unknown>", Number::Unknown),
            ("anonymous", Number::Withheld),
            ("Restricted", Number::Withheld),
            // numbers the phone metadata does not list (newer ranges) still become E.164,
            // whatever international form the PBX writes
            ("00447911600000", Number::E164("+447911600000".into())),
            ("+447911600000", Number::E164("+447911600000".into())),
            ("6801234567", Number::E164("+306801234567".into())),
            ("00306801234567", Number::E164("+306801234567".into())),
            ("306801234567", Number::E164("+306801234567".into())),
            // not a number: kept raw
            ("0044791160", Number::Other("0044791160".into())),
            ("00999123456789", Number::Other("00999123456789".into())),
            ("1234567890", Number::Other("1234567890".into())),
            ("12", Number::Other("12".into())),
            ("691234", Number::Other("691234".into())),
            ("s", Number::Other("s".into())),
            ("sip:foo@bar", Number::Other("sip:foo@bar".into())),
        ];
        for (input, expected) in table {
            assert_eq!(&r.normalize(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn another_default_region() {
        let Ok(r) = CallRules::new(&["PJSIP/trunk-"], &["_XXX"], "de") else {
            panic!("DE rules")
        };
        assert_eq!(
            r.normalize("015112345678"),
            Number::E164("+4915112345678".into())
        );
        assert_eq!(
            r.normalize("00306912345678"),
            Number::E164("+306912345678".into())
        );
        // `00` where the default region dials abroad with `011`
        let Ok(us) = CallRules::new(&["PJSIP/trunk-"], &["_XXX"], "US") else {
            panic!("US rules")
        };
        assert_eq!(
            us.normalize("00447911600000"),
            Number::E164("+447911600000".into())
        );
        assert_eq!(
            us.normalize("011 30 691 234 5678"),
            Number::E164("+306912345678".into())
        );
    }

    #[test]
    fn channel_kinds() {
        let r = rules();
        let table: &[(&str, ChannelKind)] = &[
            ("PJSIP/trunk-acme-0000001f", ChannelKind::Trunk),
            ("pjsip/TRUNK-acme-0000001f", ChannelKind::Trunk),
            ("SIP/provider-00000003", ChannelKind::Trunk),
            ("PJSIP/voip-gw-00000003", ChannelKind::Trunk),
            ("PJSIP/201-0000000a", ChannelKind::Extension("201".into())),
            ("SIP/1001-0000000b", ChannelKind::Extension("1001".into())),
            ("Local/201@from-queue-00000002;1", ChannelKind::Local),
            ("PJSIP/anonymous-00000001", ChannelKind::Other),
            ("PJSIP/20-00000001", ChannelKind::Other),
            ("garbage", ChannelKind::Other),
            ("", ChannelKind::Other),
        ];
        for (input, expected) in table {
            assert_eq!(&r.channel_kind(input), expected, "channel {input:?}");
        }
    }

    #[test]
    fn extension_patterns() {
        let Ok(r) = CallRules::new(
            &["SIP/x"],
            &["_2XX", "_[1-3]0[05]", "_9!", "_8.", "555"],
            "GR",
        ) else {
            panic!("rules")
        };
        for yes in ["200", "299", "100", "305", "9", "9123", "81", "555"] {
            assert!(r.is_extension(yes), "{yes}");
        }
        for no in ["2000", "20", "401", "106", "8", "5555", "", "2X0"] {
            assert!(!r.is_extension(no), "{no}");
        }
    }

    #[test]
    fn bad_rules_are_refused() {
        assert!(CallRules::new(&["PJSIP/t"], &["_XX"], "ZZ").is_err());
        assert!(CallRules::new(&[""], &["_XX"], "GR").is_err());
        assert!(CallRules::new(&["x"], &["_[12"], "GR").is_err());
        assert!(CallRules::new(&["x"], &["_"], "GR").is_err());
    }
}
