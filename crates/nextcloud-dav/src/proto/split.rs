//! Incremental splitting of a multistatus body into its top-level children, so a listing is
//! parsed while it arrives instead of after the last byte (Apache streams a 5,000-entry
//! answer over ~150 ms; parsing it afterwards would add ~40 ms).
//!
//! [`Splitter::push`] takes the body in arbitrary pieces and hands out each complete child
//! of the root element (a `d:response`) as soon as its end tag is in; until then it holds
//! the bytes ("need more data"). It knows just enough XML to find element boundaries: tags
//! (with `>` inside quoted attribute values), end tags, comments, CDATA and processing
//! instructions. Well-formedness is checked by the real parser on each child, wrapped in
//! the root's start tag so namespace prefixes declared there still resolve. DTDs are
//! refused.

use crate::error::{Error, Result};

/// Longest single tag, comment or CDATA section accepted: an incomplete one is re-scanned
/// on each push, and real ones are well under 1 KiB.
const MAX_MARKUP: usize = 64 << 10;

fn protocol(msg: &str) -> Error {
    Error::Protocol(format!("multistatus: {msg}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    /// `<?…?>`, `<!--…-->`: ignored structure.
    Ignorable,
    /// `<![CDATA[…]]>`: text.
    Cdata,
    /// `<name …>` or `<name …/>`.
    Start { self_closing: bool },
    /// `</name>`.
    End,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Classifies the markup at the start of `rest` (which begins with `<`) and returns its
/// length, or `None` when it is not complete yet.
fn scan_markup(rest: &[u8]) -> Result<Option<(Markup, usize)>> {
    const COMMENT: &[u8] = b"<!--";
    const CDATA: &[u8] = b"<![CDATA[";
    let undecided = |prefix: &[u8]| rest.len() < prefix.len() && prefix.starts_with(rest);
    if rest.len() < 2 || undecided(COMMENT) || undecided(CDATA) {
        return Ok(None);
    }
    let found = match rest[1] {
        b'?' => find(rest, b"?>", 2).map(|i| (Markup::Ignorable, i + 2)),
        b'!' if rest.starts_with(COMMENT) => {
            find(rest, b"-->", 4).map(|i| (Markup::Ignorable, i + 3))
        }
        b'!' if rest.starts_with(CDATA) => {
            find(rest, b"]]>", CDATA.len()).map(|i| (Markup::Cdata, i + 3))
        }
        b'!' => return Err(protocol("DTDs and declarations are not allowed")),
        b'/' => find(rest, b">", 2).map(|i| (Markup::End, i + 1)),
        _ => {
            let mut quote = None;
            let mut end = None;
            for (i, &c) in rest.iter().enumerate().skip(1) {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(c),
                    (None, b'>') => {
                        end = Some(i);
                        break;
                    }
                    (None, b'<') => return Err(protocol("`<` inside a tag")),
                    _ => {}
                }
            }
            end.map(|i| {
                (
                    Markup::Start {
                        self_closing: rest[i - 1] == b'/',
                    },
                    i + 1,
                )
            })
        }
    };
    match found {
        Some(f) => Ok(Some(f)),
        None if rest.len() > MAX_MARKUP => Err(protocol("a tag longer than 64 KiB")),
        None => Ok(None),
    }
}

/// The qualified name of a start or end tag (`<D:response …>` → `D:response`).
fn tag_name(tag: &[u8]) -> &[u8] {
    let inner = tag
        .strip_prefix(b"</")
        .or_else(|| tag.strip_prefix(b"<"))
        .unwrap_or(tag);
    let end = inner
        .iter()
        .position(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
        .unwrap_or(inner.len());
    &inner[..end]
}

/// The root's start tag in its non-self-closing form, and its qualified name.
fn root_tag(tag: &[u8], self_closing: bool) -> Result<(String, String)> {
    let tag = std::str::from_utf8(tag).map_err(|_| protocol("the root tag is not UTF-8"))?;
    let name = std::str::from_utf8(tag_name(tag.as_bytes()))
        .map_err(|_| protocol("the root tag is not UTF-8"))?
        .to_owned();
    let open = if self_closing {
        format!("{}>", tag.trim_end_matches('>').trim_end_matches('/'))
    } else {
        tag.to_owned()
    };
    Ok((open, name))
}

/// Splits a multistatus body into its top-level children; see the module docs.
#[derive(Debug, Default)]
pub struct Splitter {
    buf: Vec<u8>,
    /// First byte of `buf` not scanned yet.
    pos: usize,
    /// Element depth at `pos` (1 = inside the root).
    depth: usize,
    /// Start of the top-level child being read, if any.
    child_start: Option<usize>,
    /// The root's start tag (always in its non-self-closing form) and qualified name.
    root: Option<(String, String)>,
    /// The root element is closed.
    done: bool,
    /// Whether any byte was seen (for the byte-order mark).
    started: bool,
}

impl Splitter {
    /// A splitter waiting for the first bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// The root's start tag, once read (`<D:multistatus xmlns:D="DAV:">`).
    pub fn root_start_tag(&self) -> Option<&str> {
        self.root.as_ref().map(|(tag, _)| tag.as_str())
    }

    /// The end tag matching the root (`</D:multistatus>`), once the root is read.
    pub fn root_end_tag(&self) -> Option<String> {
        self.root.as_ref().map(|(_, name)| format!("</{name}>"))
    }

    /// Adds bytes and appends every top-level child completed by them to `out`.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<()> {
        self.buf.extend_from_slice(data);
        if !self.started {
            const BOM: &[u8] = b"\xEF\xBB\xBF";
            if self.buf.len() < BOM.len() && BOM.starts_with(&self.buf) {
                return Ok(());
            }
            if self.buf.starts_with(BOM) {
                self.pos = BOM.len();
            }
            self.started = true;
        }
        loop {
            let rest = &self.buf[self.pos..];
            let Some(&first) = rest.first() else { break };
            if first != b'<' {
                let len = rest.iter().position(|&c| c == b'<').unwrap_or(rest.len());
                // Outside the root only whitespace may appear; text directly inside the root
                // is tolerated (and ignored), as the tree parser would.
                if (self.depth == 0 || self.done)
                    && !rest[..len].iter().all(u8::is_ascii_whitespace)
                {
                    return Err(protocol("text outside the root element"));
                }
                self.pos += len;
                continue;
            }
            let Some((markup, len)) = scan_markup(rest)? else {
                break;
            };
            let (start, end) = (self.pos, self.pos + len);
            self.pos = end;
            match markup {
                Markup::Ignorable => {}
                Markup::Cdata if self.depth == 0 || self.done => {
                    return Err(protocol("text outside the root element"));
                }
                Markup::Cdata => {}
                Markup::Start { .. } if self.done => {
                    return Err(protocol("a second root element"));
                }
                Markup::Start { self_closing } if self.depth == 0 => {
                    self.root = Some(root_tag(&self.buf[start..end], self_closing)?);
                    if self_closing {
                        self.done = true;
                    } else {
                        self.depth = 1;
                    }
                }
                Markup::Start { self_closing } => {
                    if self.depth == 1 {
                        self.child_start = Some(start);
                    }
                    if !self_closing {
                        self.depth += 1;
                    } else if self.depth == 1 {
                        self.emit(start, end, out);
                    }
                }
                Markup::End if self.depth == 0 || self.done => {
                    return Err(protocol("an end tag outside the root element"));
                }
                Markup::End => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        let name = tag_name(&self.buf[start..end]);
                        if self
                            .root
                            .as_ref()
                            .is_none_or(|(_, root)| root.as_bytes() != name)
                        {
                            return Err(protocol("the root's end tag does not match"));
                        }
                        self.done = true;
                    } else if self.depth == 1 {
                        let child = self.child_start.unwrap_or(start);
                        self.emit(child, end, out);
                    }
                }
            }
        }
        // Forget what is handed out; keep the child being read and the unscanned tail.
        let keep = self.child_start.unwrap_or(self.pos).min(self.pos);
        if keep > 0 {
            self.buf.drain(..keep);
            self.pos -= keep;
            self.child_start = self.child_start.map(|c| c - keep);
        }
        Ok(())
    }

    fn emit(&mut self, start: usize, end: usize, out: &mut Vec<Vec<u8>>) {
        out.push(self.buf[start..end].to_vec());
        self.child_start = None;
    }

    /// Checks that the body ended with the root element closed.
    pub fn finish(&self) -> Result<()> {
        if self.done && self.buf[self.pos..].iter().all(u8::is_ascii_whitespace) {
            Ok(())
        } else if self.root.is_none() {
            Err(protocol("no root element"))
        } else {
            Err(protocol("the body ends before the root element is closed"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(pieces: &[&[u8]]) -> Result<(Vec<String>, Option<String>)> {
        let mut s = Splitter::new();
        let mut out = Vec::new();
        for p in pieces {
            s.push(p, &mut out)?;
        }
        s.finish()?;
        let children = out
            .into_iter()
            .map(|c| String::from_utf8(c).unwrap())
            .collect();
        Ok((children, s.root_start_tag().map(str::to_owned)))
    }

    #[test]
    fn children_come_out_whole_however_the_input_is_cut() {
        let doc = "\u{feff}<?xml version=\"1.0\"?>\n<!-- c > -->\n<D:multistatus xmlns:D=\"DAV:\" a='x>y'>\n\
                   <D:response a=\"1>2\"><D:href>/a</D:href><![CDATA[ </D:response> ]]><!-- </D:response> --></D:response>\n\
                   <D:response/>\ntext<D:responsedescription>ok</D:responsedescription>\n</D:multistatus>\n";
        let want = vec![
            "<D:response a=\"1>2\"><D:href>/a</D:href><![CDATA[ </D:response> ]]><!-- </D:response> --></D:response>".to_owned(),
            "<D:response/>".to_owned(),
            "<D:responsedescription>ok</D:responsedescription>".to_owned(),
        ];
        let root = "<D:multistatus xmlns:D=\"DAV:\" a='x>y'>".to_owned();
        let bytes = doc.as_bytes();
        assert_eq!(
            split_all(&[bytes]).unwrap(),
            (want.clone(), Some(root.clone()))
        );
        for cut in 0..=bytes.len() {
            let got = split_all(&[&bytes[..cut], &bytes[cut..]]).unwrap();
            assert_eq!(got, (want.clone(), Some(root.clone())), "cut at {cut}");
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(split_all(&singles).unwrap(), (want, Some(root)));
    }

    #[test]
    fn a_self_closing_root_has_no_children() {
        let (children, root) = split_all(&[b"<D:multistatus xmlns:D=\"DAV:\"/>"]).unwrap();
        assert!(children.is_empty());
        assert_eq!(root.as_deref(), Some("<D:multistatus xmlns:D=\"DAV:\">"));
    }

    #[test]
    fn children_are_handed_out_before_the_end() {
        let mut s = Splitter::new();
        let mut out = Vec::new();
        s.push(b"<m><r>1</r><r>2</", &mut out).unwrap();
        assert_eq!(out, vec![b"<r>1</r>".to_vec()]);
        assert!(s.finish().is_err(), "need more data");
        s.push(b"r></m>", &mut out).unwrap();
        assert_eq!(out.len(), 2);
        s.finish().unwrap();
    }

    #[test]
    fn broken_bodies_are_errors() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"hello",
            b"<m>",
            b"<m><r></r>",
            b"<m></n>",
            b"<m></m><m></m>",
            b"<m></m>trailing",
            b"<!DOCTYPE m [<!ENTITY x \"y\">]><m/>",
            b"</m>",
            b"<m></m></m>",
            b"<![CDATA[x]]><m/>",
        ];
        for body in cases {
            assert!(
                split_all(&[body]).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
