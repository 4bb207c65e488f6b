//! PROPFIND: the request body and the `207 Multi-Status` answer, parsed by namespace URI
//! (never by prefix: `d:`, `D:`, `lp1:`, a default namespace are all `DAV:`).
//!
//! Properties in a propstat whose status is not 2xx (Apache answers `oc:`/`nc:` properties
//! with 404) are ignored. Values that do not parse (a non-numeric length, an odd date) are
//! reported as absent rather than failing the whole listing; a document that is not a
//! well-formed `DAV:multistatus` is an error. DTDs are refused (no entity expansion).
//!
//! [`ListingReader`] parses while the body arrives: the [`Splitter`] cuts out each complete
//! `d:response`, which roxmltree parses inside a copy of the root's start tag.
//! [`parse_listing`] is the same for a body already in memory.

use std::borrow::Cow;

use roxmltree::{Document, Node, ParsingOptions};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::proto::href::DavRoot;
use crate::proto::http::{ETag, parse_http_date, parse_status_line};
use crate::proto::path::DavPath;
use crate::proto::split::Splitter;

const DAV: &str = "DAV:";
const OC: &str = "http://owncloud.org/ns";

/// The PROPFIND body the client sends for `list` and `stat`.
pub const PROPFIND_BODY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:prop>
  <d:getlastmodified/>
  <d:getcontentlength/>
  <d:getcontenttype/>
  <d:resourcetype/>
  <d:getetag/>
  <oc:fileid/>
  <oc:size/>
 </d:prop>
</d:propfind>
"#;

/// Apache's `getcontenttype` for folders.
pub const APACHE_DIRECTORY_TYPE: &str = "httpd/unix-directory";

/// The properties we ask for, as found in the 2xx propstats of one response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Props {
    /// `d:getlastmodified`.
    pub last_modified: Option<OffsetDateTime>,
    /// `d:getcontentlength`.
    pub content_length: Option<u64>,
    /// `d:getcontenttype`.
    pub content_type: Option<String>,
    /// `d:resourcetype` contains `d:collection`.
    pub collection: bool,
    /// `d:getetag`.
    pub etag: Option<ETag>,
    /// `oc:fileid` (Nextcloud only).
    pub file_id: Option<String>,
    /// `oc:size` (Nextcloud only; for folders the size of their content).
    pub oc_size: Option<u64>,
}

/// One `d:response` of a multistatus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropResponse {
    /// The raw `d:href` text (still percent-encoded).
    pub href: String,
    /// A response-level `d:status` (used instead of propstats for errors), if any.
    pub status: Option<u16>,
    /// Properties from the 2xx propstats.
    pub props: Props,
}

/// A file or folder inside the base folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the base folder.
    pub path: DavPath,
    /// Last segment of `path` (`""` for the base folder itself).
    pub name: String,
    /// Folder (collection) or file. Apache's `httpd/unix-directory` counts as a folder.
    pub is_dir: bool,
    /// Size in bytes: `getcontentlength` for files, `oc:size` for folders (Nextcloud only).
    pub size: Option<u64>,
    /// MIME type of a file (`None` for folders).
    pub mime_type: Option<String>,
    /// Last modification time.
    pub last_modified: Option<OffsetDateTime>,
    /// Entity tag (may be weak on Apache right after a write).
    pub etag: Option<ETag>,
    /// Nextcloud's file id (`oc:fileid`), stable across renames.
    pub file_id: Option<String>,
}

impl Entry {
    fn from_props(path: DavPath, props: Props) -> Entry {
        let is_dir = props.collection
            || props
                .content_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(APACHE_DIRECTORY_TYPE));
        let (size, mime_type) = if is_dir {
            (props.oc_size, None)
        } else {
            (props.content_length.or(props.oc_size), props.content_type)
        };
        Entry {
            name: path.name().unwrap_or_default().to_owned(),
            path,
            is_dir,
            size,
            mime_type,
            last_modified: props.last_modified,
            etag: props.etag,
            file_id: props.file_id,
        }
    }
}

/// A PROPFIND answer made relative to the base folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    /// The entry for the requested path itself, if the server included it.
    pub this: Option<Entry>,
    /// Direct children of the requested path, in server order.
    pub children: Vec<Entry>,
    /// Hrefs left out, with the reason: names our path rules refuse, entries that are not
    /// direct children, responses with an error status.
    pub skipped: Vec<(String, String)>,
}

fn is(node: &Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local && node.tag_name().namespace() == Some(ns)
}

/// All text inside an element, trimmed (borrowed in the usual one-text-node case).
fn text<'a>(node: &Node<'a, '_>) -> Cow<'a, str> {
    let mut texts = node.descendants().filter(Node::is_text);
    let Some(first) = texts.next() else {
        return Cow::Borrowed("");
    };
    let first = first.text().unwrap_or_default();
    match texts.next() {
        None => Cow::Borrowed(first.trim()),
        Some(second) => {
            let mut s = String::from(first);
            s.push_str(second.text().unwrap_or_default());
            for t in texts {
                s.push_str(t.text().unwrap_or_default());
            }
            Cow::Owned(s.trim().to_owned())
        }
    }
}

fn non_empty(s: Cow<'_, str>) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.into_owned())
    }
}

fn read_props(prop: &Node<'_, '_>, props: &mut Props) {
    for p in prop.children().filter(Node::is_element) {
        let ns = p.tag_name().namespace().unwrap_or_default();
        match (ns, p.tag_name().name()) {
            (DAV, "getlastmodified") => props.last_modified = parse_http_date(&text(&p)),
            (DAV, "getcontentlength") => props.content_length = text(&p).parse().ok(),
            (DAV, "getcontenttype") => props.content_type = non_empty(text(&p)),
            (DAV, "resourcetype") => {
                props.collection = p.children().any(|c| is(&c, DAV, "collection"));
            }
            (DAV, "getetag") => props.etag = ETag::parse(&text(&p)),
            (OC, "fileid") => props.file_id = non_empty(text(&p)),
            (OC, "size") => props.oc_size = text(&p).parse().ok(),
            _ => {}
        }
    }
}

/// Reads the properties of a propstat whose status is 2xx.
fn read_propstat(propstat: &Node<'_, '_>, props: &mut Props) {
    let ok = propstat
        .children()
        .find(|n| is(n, DAV, "status"))
        .and_then(|n| parse_status_line(&text(&n)))
        .is_some_and(|code| (200..300).contains(&code));
    if ok {
        for prop in propstat.children().filter(|n| is(n, DAV, "prop")) {
            read_props(&prop, props);
        }
    }
}

/// Parses a `207 Multi-Status` body.
pub fn parse_multistatus(body: &[u8]) -> Result<Vec<PropResponse>> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let xml = std::str::from_utf8(body)
        .map_err(|e| Error::Protocol(format!("multistatus is not UTF-8: {e}")))?;
    let opts = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(xml, opts)
        .map_err(|e| Error::Protocol(format!("multistatus is not well-formed XML: {e}")))?;
    let root = doc.root_element();
    if !is(&root, DAV, "multistatus") {
        return Err(Error::Protocol(format!(
            "expected DAV:multistatus, got {{{}}}{}",
            root.tag_name().namespace().unwrap_or_default(),
            root.tag_name().name()
        )));
    }
    let mut out = Vec::new();
    for response in root.children().filter(|n| is(n, DAV, "response")) {
        let mut href = None;
        let mut status = None;
        let mut props = Props::default();
        for child in response.children().filter(Node::is_element) {
            if child.tag_name().namespace() != Some(DAV) {
                continue;
            }
            match child.tag_name().name() {
                "href" if href.is_none() => href = non_empty(text(&child)),
                "status" => status = parse_status_line(&text(&child)),
                "propstat" => read_propstat(&child, &mut props),
                _ => {}
            }
        }
        let href = href.ok_or_else(|| Error::Protocol("a DAV:response without DAV:href".into()))?;
        out.push(PropResponse {
            href,
            status,
            props,
        });
    }
    Ok(out)
}

/// Parses a PROPFIND answer for `folder` (Depth 0 or 1) into entries relative to the base
/// folder described by `root`, all at once. Same result as feeding a [`ListingReader`].
pub fn parse_listing(body: &[u8], root: &DavRoot, folder: &DavPath) -> Result<Listing> {
    let mut reader = ListingReader::new(root.clone(), folder.clone());
    reader.push(body)?;
    reader.finish()
}

/// Parses a PROPFIND answer while it arrives: [`ListingReader::push`] each piece of the
/// body, then [`ListingReader::finish`]. Each `d:response` is parsed as soon as it is
/// complete, so parsing overlaps the transfer.
#[derive(Debug)]
pub struct ListingReader {
    splitter: Splitter,
    root: DavRoot,
    folder: DavPath,
    listing: Listing,
    pieces: Vec<Vec<u8>>,
    doc: Vec<u8>,
}

impl ListingReader {
    /// A reader for the answer about `folder`.
    pub fn new(root: DavRoot, folder: DavPath) -> Self {
        Self {
            splitter: Splitter::new(),
            root,
            folder,
            listing: Listing::default(),
            pieces: Vec::new(),
            doc: Vec::new(),
        }
    }

    /// Adds a piece of the body; parses every response it completes.
    pub fn push(&mut self, data: &[u8]) -> Result<()> {
        let was_rootless = self.splitter.root_start_tag().is_none();
        self.splitter.push(data, &mut self.pieces)?;
        if was_rootless && let Some(start) = self.splitter.root_start_tag() {
            // An empty copy of the root, to check it is DAV:multistatus.
            let end = self.splitter.root_end_tag().unwrap_or_default();
            parse_multistatus(format!("{start}{end}").as_bytes())?;
        }
        let (Some(start), Some(end)) =
            (self.splitter.root_start_tag(), self.splitter.root_end_tag())
        else {
            return Ok(());
        };
        for piece in self.pieces.drain(..) {
            // Each response is parsed inside a copy of the root's start tag, so that
            // namespace prefixes declared there resolve.
            self.doc.clear();
            self.doc.extend_from_slice(start.as_bytes());
            self.doc.extend_from_slice(&piece);
            self.doc.extend_from_slice(end.as_bytes());
            for response in parse_multistatus(&self.doc)? {
                add_response(&mut self.listing, response, &self.root, &self.folder)?;
            }
        }
        Ok(())
    }

    /// Checks the body was complete and returns the listing.
    pub fn finish(self) -> Result<Listing> {
        self.splitter.finish()?;
        Ok(self.listing)
    }
}

fn add_response(
    listing: &mut Listing,
    r: PropResponse,
    root: &DavRoot,
    folder: &DavPath,
) -> Result<()> {
    if let Some(code) = r.status.filter(|c| !(200..300).contains(c)) {
        listing.skipped.push((r.href, format!("status {code}")));
        return Ok(());
    }
    let relative = root.relative(&r.href)?;
    let path = match DavPath::from_decoded(&relative) {
        Ok(p) => p,
        Err(e) => {
            listing.skipped.push((r.href, e.to_string()));
            return Ok(());
        }
    };
    if &path == folder {
        if listing.this.is_none() {
            listing.this = Some(Entry::from_props(path, r.props));
        }
    } else if path.parent().as_ref() == Some(folder) {
        listing.children.push(Entry::from_props(path, r.props));
    } else {
        listing
            .skipped
            .push((r.href, "not a direct child of the requested folder".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const APACHE_SAMPLE: &str = include_str!("../../tests/fixtures/apache-propfind.xml");
    const NEXTCLOUD_SAMPLE: &str = include_str!("../../tests/fixtures/nextcloud-propfind.xml");

    fn root(base: &str) -> DavRoot {
        DavRoot::new(
            "http://127.0.0.1",
            "",
            "alice",
            &DavPath::parse(base).unwrap(),
        )
        .unwrap()
    }

    fn path(s: &str) -> DavPath {
        DavPath::parse(s).unwrap()
    }

    #[test]
    fn apache_sample() {
        let l = parse_listing(APACHE_SAMPLE.as_bytes(), &root(""), &path("Kunden")).unwrap();
        let this = l.this.unwrap();
        assert!(this.is_dir);
        assert_eq!(this.name, "Kunden");
        assert_eq!(l.children.len(), 2);
        let dir = &l.children[0];
        assert_eq!(dir.path.as_str(), "Kunden/ΑΒΓ ά");
        assert_eq!(dir.name, "ΑΒΓ ά");
        assert!(dir.is_dir, "httpd/unix-directory is a folder");
        assert_eq!(dir.mime_type, None);
        assert_eq!(
            dir.size, None,
            "404 propstat for oc:size/getcontentlength is ignored"
        );
        assert_eq!(dir.file_id, None);
        let file = &l.children[1];
        assert_eq!(file.name, "note.txt");
        assert!(!file.is_dir);
        assert_eq!(file.size, Some(10));
        assert_eq!(file.mime_type.as_deref(), Some("text/plain"));
        assert_eq!(file.last_modified, Some(datetime!(2026-11-22 03:55:54 UTC)));
        let etag = file.etag.clone().unwrap();
        assert!(etag.is_weak());
        assert_eq!(etag.value(), "a-660d57432c8f7");
        assert!(l.skipped.is_empty());
    }

    #[test]
    fn nextcloud_sample() {
        let l = parse_listing(
            NEXTCLOUD_SAMPLE.as_bytes(),
            &root("CRM"),
            &path("Πελάτες/Γιώργος Παπαδόπουλος"),
        )
        .unwrap();
        let this = l.this.unwrap();
        assert_eq!(this.size, Some(163_840), "folder size from oc:size");
        assert_eq!(this.file_id.as_deref(), Some("1201"));
        let names: Vec<&str> = l.children.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["Sent Media", "προσφορά #3 + ΦΠΑ 24%.pdf", "photo?.jpg"]
        );
        let sent = &l.children[0];
        assert!(sent.is_dir);
        assert_eq!(sent.size, Some(131_072));
        assert_eq!(sent.etag.as_ref().map(ETag::value), Some("6655f3b1a2c4d"));
        let pdf = &l.children[1];
        assert_eq!(
            pdf.path.as_str(),
            "Πελάτες/Γιώργος Παπαδόπουλος/προσφορά #3 + ΦΠΑ 24%.pdf"
        );
        assert_eq!(pdf.size, Some(32_768));
        assert_eq!(pdf.mime_type.as_deref(), Some("application/pdf"));
        assert_eq!(pdf.file_id.as_deref(), Some("1203"));
        assert!(!pdf.etag.as_ref().unwrap().is_weak());
        assert_eq!(pdf.last_modified, Some(datetime!(2025-03-14 09:26:53 UTC)));
        let photo = &l.children[2];
        assert_eq!(
            photo.size,
            Some(2048),
            "oc:size when getcontentlength is missing"
        );
        assert_eq!(l.skipped.len(), 2, "{:?}", l.skipped);
    }

    #[test]
    fn namespaces_are_matched_by_uri_not_prefix() {
        let body = r#"<?xml version="1.0"?>
<multistatus xmlns="DAV:" xmlns:x="http://owncloud.org/ns">
 <response>
  <href>http://127.0.0.1/remote.php/dav/files/alice/f%C3%A9.txt</href>
  <propstat>
   <prop><getcontentlength>7</getcontentlength><x:fileid>42</x:fileid><x:size>7</x:size>
     <resourcetype/><getetag>"e1"</getetag></prop>
   <status>HTTP/1.1 200 OK</status>
  </propstat>
 </response>
 <Z:response xmlns:Z="DAV:">
  <Z:href>/remote.php/dav/files/alice/d/</Z:href>
  <Z:propstat><Z:prop><Z:resourcetype><Z:collection/></Z:resourcetype></Z:prop>
  <Z:status>HTTP/1.1 200 OK</Z:status></Z:propstat>
 </Z:response>
 <response xmlns:fake="urn:not-dav">
  <href>/remote.php/dav/files/alice/g</href>
  <propstat><prop><fake:getcontentlength>99</fake:getcontentlength><fake:resourcetype><fake:collection/></fake:resourcetype></prop>
  <status>HTTP/1.1 200 OK</status></propstat>
 </response>
</multistatus>"#;
        let l = parse_listing(body.as_bytes(), &root(""), &DavPath::root()).unwrap();
        assert!(l.this.is_none());
        assert_eq!(l.children.len(), 3);
        assert_eq!(l.children[0].name, "fé.txt");
        assert_eq!(l.children[0].size, Some(7));
        assert_eq!(l.children[0].file_id.as_deref(), Some("42"));
        assert!(l.children[1].is_dir);
        assert_eq!(
            l.children[2].size, None,
            "same local names in another namespace are ignored"
        );
        assert!(!l.children[2].is_dir);
    }

    #[test]
    fn odd_values_are_absent_not_fatal() {
        let body = r#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/remote.php/dav/files/alice/x</d:href>
<d:propstat><d:prop><d:getcontentlength>lots</d:getcontentlength><d:getlastmodified>yesterday</d:getlastmodified>
<d:getetag></d:getetag><d:getcontenttype>  </d:getcontenttype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
<d:propstat><d:prop><d:getcontentlength>5</d:getcontentlength></d:prop><d:status>HTTP/1.1 403 Forbidden</d:status></d:propstat>
</d:response></d:multistatus>"#;
        let l = parse_listing(body.as_bytes(), &root(""), &DavPath::root()).unwrap();
        let e = &l.children[0];
        assert_eq!(
            (e.size, e.last_modified, e.etag.clone(), e.mime_type.clone()),
            (None, None, None, None)
        );
    }

    #[test]
    fn malformed_documents_are_protocol_errors() {
        let cases: &[&[u8]] = &[
            b"",
            b"not xml",
            b"<html><body>Login</body></html>",
            b"<d:multistatus xmlns:d=\"urn:other\"/>",
            b"<d:multistatus xmlns:d=\"DAV:\"><d:response><d:propstat/></d:response></d:multistatus>",
            b"<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/elsewhere/x</d:href></d:response></d:multistatus>",
            b"\xff\xfe<\x00",
            b"<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><d:multistatus xmlns:d=\"DAV:\">&lol2;</d:multistatus>",
        ];
        for body in cases {
            let r = parse_listing(body, &root(""), &DavPath::root());
            assert!(
                matches!(r, Err(Error::Protocol(_))),
                "{:?} -> {r:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn empty_multistatus_and_bom_are_fine() {
        let l = parse_listing(
            b"\xEF\xBB\xBF<D:multistatus xmlns:D=\"DAV:\"/>",
            &root(""),
            &DavPath::root(),
        )
        .unwrap();
        assert_eq!(l, Listing::default());
    }

    #[test]
    fn truncated_input_never_panics_and_fails_before_the_end() {
        let body = APACHE_SAMPLE.as_bytes();
        let end = APACHE_SAMPLE.trim_end().len();
        for cut in 0..body.len() {
            let r = parse_listing(&body[..cut], &root(""), &path("Kunden"));
            if cut < end {
                assert!(r.is_err(), "cut at {cut} parsed");
            }
        }
        assert!(parse_listing(body, &root(""), &path("Kunden")).is_ok());
    }

    #[test]
    fn reading_in_pieces_gives_the_same_listing() {
        let cases = [
            (APACHE_SAMPLE, root(""), path("Kunden")),
            (
                NEXTCLOUD_SAMPLE,
                root("CRM"),
                path("Πελάτες/Γιώργος Παπαδόπουλος"),
            ),
        ];
        for (body, root, folder) in cases {
            let whole = parse_listing(body.as_bytes(), &root, &folder).unwrap();
            let bytes = body.as_bytes();
            for cut in 0..=bytes.len() {
                let mut r = ListingReader::new(root.clone(), folder.clone());
                r.push(&bytes[..cut]).unwrap();
                r.push(&bytes[cut..]).unwrap();
                assert_eq!(r.finish().unwrap(), whole, "cut at {cut}");
            }
            let mut r = ListingReader::new(root.clone(), folder.clone());
            for b in bytes.chunks(7) {
                r.push(b).unwrap();
            }
            assert_eq!(r.finish().unwrap(), whole);
        }
    }

    #[test]
    fn stat_depth_zero_answer() {
        let body = r#"<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:response>
<d:href>/remote.php/dav/files/alice/CRM/a%2Bb.txt</d:href><d:propstat><d:prop>
<d:getcontentlength>3</d:getcontentlength><d:resourcetype/><oc:fileid>9</oc:fileid>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#;
        let l = parse_listing(body.as_bytes(), &root("CRM"), &path("a+b.txt")).unwrap();
        let this = l.this.unwrap();
        assert_eq!(this.name, "a+b.txt");
        assert_eq!(this.size, Some(3));
        assert!(l.children.is_empty());
    }
}
