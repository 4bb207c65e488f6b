//! Mapping between [`DavPath`]s and URLs: every segment percent-encoded on the way out,
//! server hrefs (absolute paths or full URLs, any case of percent-encoding) decoded on the
//! way in and made relative to the base folder.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::error::{Error, Result};
use crate::proto::path::DavPath;

/// Everything but RFC 3986 "unreserved" characters is encoded in a segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment (UTF-8, uppercase hex).
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Percent-encodes a path, segment by segment (`a b/ά` → `a%20b/%CE%AC`).
pub fn encode_path(path: &DavPath) -> String {
    let mut out = String::with_capacity(path.as_str().len() * 3);
    for (i, segment) in path.segments().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&encode_segment(segment));
    }
    out
}

/// Where the base folder lives: `{server}/remote.php/dav/files/{user}/{base_path}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DavRoot {
    /// Encoded URL of the base folder, without trailing slash.
    url: String,
    /// Decoded absolute path of the base folder on the server, without trailing slash.
    decoded_path: String,
}

impl DavRoot {
    /// `server` is `scheme://authority[/prefix]` as configured (no query, no fragment; a
    /// trailing slash is ignored), `server_path` its path part as it appears in the URL.
    pub fn new(server: &str, server_path: &str, user: &str, base: &DavPath) -> Result<DavRoot> {
        if user.is_empty() || user.chars().any(char::is_control) {
            return Err(Error::InvalidConfig(
                "user must be non-empty, without control characters".into(),
            ));
        }
        let server = server.trim_end_matches('/');
        let prefix = decode(server_path.trim_end_matches('/'))
            .ok_or_else(|| Error::InvalidConfig("server URL path is not valid UTF-8".into()))?;
        let mut url = format!("{server}/remote.php/dav/files/{}", encode_segment(user));
        let mut decoded_path = format!("{prefix}/remote.php/dav/files/{user}");
        if !base.is_root() {
            url.push('/');
            url.push_str(&encode_path(base));
            decoded_path.push('/');
            decoded_path.push_str(base.as_str());
        }
        Ok(DavRoot { url, decoded_path })
    }

    /// The URL of `path`; folders (`collection`) get a trailing slash, as does the base
    /// folder itself.
    pub fn url(&self, path: &DavPath, collection: bool) -> String {
        let mut url = String::with_capacity(self.url.len() + path.as_str().len() * 3 + 2);
        url.push_str(&self.url);
        if !path.is_root() {
            url.push('/');
            url.push_str(&encode_path(path));
        }
        if collection || path.is_root() {
            url.push('/');
        }
        url
    }

    /// The decoded absolute path of the base folder on the server (no trailing slash).
    pub fn decoded_path(&self) -> &str {
        &self.decoded_path
    }

    /// Turns a server href into a path relative to the base folder, percent-decoded, without
    /// leading or trailing slash (`""` is the base folder). Errors when the href is not inside
    /// the base folder or does not decode to UTF-8.
    pub fn relative(&self, href: &str) -> Result<String> {
        let href = href.trim();
        let path = strip_origin(href);
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let decoded = decode(path)
            .ok_or_else(|| Error::Protocol(format!("href is not UTF-8 once decoded: {href:?}")))?;
        let rest = decoded
            .strip_prefix(&self.decoded_path)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .ok_or_else(|| {
                Error::Protocol(format!(
                    "href {href:?} is outside the base folder {:?}",
                    self.decoded_path
                ))
            })?;
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        Ok(rest.to_owned())
    }
}

/// `http://host:port/x` → `/x`; an absolute path is returned as it is.
fn strip_origin(href: &str) -> &str {
    let lower_starts = |p: &str| {
        href.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    if lower_starts("http://") || lower_starts("https://") {
        let after_scheme = href.find("://").map_or(0, |i| i + 3);
        match href[after_scheme..].find('/') {
            Some(i) => &href[after_scheme + i..],
            None => "/",
        }
    } else {
        href
    }
}

fn decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(base: &str) -> DavRoot {
        DavRoot::new(
            "http://127.0.0.1:8080",
            "",
            "alice",
            &DavPath::parse(base).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn urls_encode_every_segment() {
        let r = root("CRM/Πελάτες");
        let p = DavPath::parse("Γιώργος #1/100% + σχέδιο?.pdf").unwrap();
        assert_eq!(
            r.url(&p, false),
            "http://127.0.0.1:8080/remote.php/dav/files/alice/CRM/%CE%A0%CE%B5%CE%BB%CE%AC%CF%84%CE%B5%CF%82/\
             %CE%93%CE%B9%CF%8E%CF%81%CE%B3%CE%BF%CF%82%20%231/100%25%20%2B%20%CF%83%CF%87%CE%AD%CE%B4%CE%B9%CE%BF%3F.pdf"
        );
        assert_eq!(
            r.url(&DavPath::root(), false),
            "http://127.0.0.1:8080/remote.php/dav/files/alice/CRM/%CE%A0%CE%B5%CE%BB%CE%AC%CF%84%CE%B5%CF%82/"
        );
        assert_eq!(
            root("").url(&DavPath::parse("a").unwrap(), true),
            "http://127.0.0.1:8080/remote.php/dav/files/alice/a/"
        );
        assert_eq!(
            encode_segment("a-b_c.d~e f&g=h;i"),
            "a-b_c.d~e%20f%26g%3Dh%3Bi"
        );
    }

    #[test]
    fn user_names_are_encoded_and_prefixes_kept() {
        let r = DavRoot::new(
            "https://cloud.example.com/nextcloud/",
            "/nextcloud/",
            "μαρία@example.com",
            &DavPath::root(),
        )
        .unwrap();
        assert_eq!(
            r.url(&DavPath::root(), false),
            "https://cloud.example.com/nextcloud/remote.php/dav/files/%CE%BC%CE%B1%CF%81%CE%AF%CE%B1%40example.com/"
        );
        assert_eq!(
            r.decoded_path(),
            "/nextcloud/remote.php/dav/files/μαρία@example.com"
        );
        assert_eq!(
            r.relative(
                "/nextcloud/remote.php/dav/files/%ce%bc%ce%b1%cf%81%ce%af%ce%b1@example.com/x"
            )
            .unwrap(),
            "x"
        );
        assert!(DavRoot::new("http://h", "", "", &DavPath::root()).is_err());
        assert!(DavRoot::new("http://h", "", "a\nb", &DavPath::root()).is_err());
    }

    #[test]
    fn hrefs_are_decoded_relative_to_the_base() {
        let r = root("CRM");
        let cases = [
            ("/remote.php/dav/files/alice/CRM/", ""),
            ("/remote.php/dav/files/alice/CRM", ""),
            ("/remote.php/dav/files/alice/CRM/Kunden/", "Kunden"),
            (
                "/remote.php/dav/files/alice/CRM/Kunden/%ce%91%ce%92%ce%93%20%ce%ac/",
                "Kunden/ΑΒΓ ά",
            ),
            (
                "/remote.php/dav/files/alice/CRM/Kunden/%CE%91%CE%92%CE%93%20%CE%AC/",
                "Kunden/ΑΒΓ ά",
            ),
            (
                "/remote.php/dav/files/alice/CRM/a%20b+c%23d%25e%3ff&g.txt",
                "a b+c#d%e?f&g.txt",
            ),
            (
                "http://127.0.0.1:8080/remote.php/dav/files/alice/CRM/x.txt",
                "x.txt",
            ),
            (
                "HTTPS://other.example/remote.php/dav/files/alice/CRM/x.txt",
                "x.txt",
            ),
            ("/remote.php/dav/files/alice/%43RM/y", "y"),
        ];
        for (href, want) in cases {
            assert_eq!(r.relative(href).unwrap(), want, "{href}");
        }
        for bad in [
            "/remote.php/dav/files/alice/CRMX/a",
            "/remote.php/dav/files/bob/CRM/a",
            "/remote.php/dav/files/alice/",
            "/remote.php/dav/files/alice/CRM/%ff",
            "http://h",
            "",
        ] {
            assert!(matches!(r.relative(bad), Err(Error::Protocol(_))), "{bad}");
        }
    }
}
