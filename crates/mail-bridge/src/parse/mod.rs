//! Raw RFC 5322 bytes → a typed [`Message`], with mail-parser underneath.
//!
//! Pure code: no I/O, no clock. [`parse`] never fails and never panics; whatever could not be
//! read is listed in [`Message::flags`], and the raw bytes stay with the caller (the sync
//! engine hands both to the sink).
//!
//! Choices worth knowing:
//! - Message-IDs (and In-Reply-To/References) are returned without the angle brackets.
//! - Addresses keep the spelling of the message for display ([`Address::address`]) and carry a
//!   lower-cased form for matching ([`Address::normalized`]).
//! - A forwarded message (`message/rfc822`) stays one attachment, `<subject>.eml` with the
//!   forwarded bytes, and is summarised in [`Message::forwarded`]; its own attachments are not
//!   flattened into the outer message.
//! - Text attachments are handed over as UTF-8 (converted from their declared charset).

mod report;
mod rfc2047;

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::LazyLock;

use bytes::Bytes;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::html::html_to_text;
use mail_parser::{HeaderName, HeaderValue, MessageParser, MimeHeaders, PartType};
use time::{OffsetDateTime, UtcOffset};

pub use report::{DeliveryReport, DsnRecipient};

/// A parsed e-mail. Every field is owned; nothing borrows the raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `Message-ID`, without angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To` ids, without angle brackets.
    pub in_reply_to: Vec<String>,
    /// `References` ids, oldest first, without angle brackets.
    pub references: Vec<String>,
    /// `From` (usually one address).
    pub from: Vec<Address>,
    /// `To`.
    pub to: Vec<Address>,
    /// `Cc`.
    pub cc: Vec<Address>,
    /// `Reply-To`.
    pub reply_to: Vec<Address>,
    /// The decoded subject.
    pub subject: Option<String>,
    /// The `Date` header; when it is missing or unreadable, the fallback the caller passed
    /// (the IMAP INTERNALDATE), and a [`ParseFlag::NoDate`] / [`ParseFlag::BadDate`].
    pub date: Option<OffsetDateTime>,
    /// The text body: the text/plain parts joined, or the HTML converted to text when the
    /// message has only HTML.
    pub text: Option<String>,
    /// The HTML body, when the message has one.
    pub html: Option<String>,
    /// Every attachment, inline images included, in message order.
    pub attachments: Vec<Attachment>,
    /// Summaries of forwarded messages (each is also an `.eml` attachment).
    pub forwarded: Vec<Forwarded>,
    /// A regular message or a report (bounce, read receipt).
    pub kind: MessageKind,
    /// What was wrong with the message, if anything.
    pub flags: Vec<ParseFlag>,
    /// Size of the raw message in bytes.
    pub size: usize,
}

/// An address as written in the message, plus its form for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The display name, decoded (`Γιώργος Παπαδόπουλος`).
    pub name: Option<String>,
    /// The address as written (`Giorgos.P@Example.GR`).
    pub address: String,
    /// Trimmed and lower-cased, for comparing with stored contacts (`giorgos.p@example.gr`).
    pub normalized: String,
}

/// One attachment (or inline part), decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The decoded file name (RFC 2231 / RFC 2047), reduced to a bare name (no folders, no
    /// control characters); `part<N>.<ext>` when the message gives none.
    pub filename: String,
    /// `type/subtype`, lower-cased.
    pub content_type: String,
    /// Decoded size in bytes (`data.len()`).
    pub size: usize,
    /// `Content-ID`, without angle brackets (what `cid:` URLs in the HTML refer to).
    pub content_id: Option<String>,
    /// Shown inside the message (an inline image) rather than offered as a file.
    pub inline: bool,
    /// The decoded content.
    pub data: Bytes,
}

/// What a forwarded (`message/rfc822`) part says, for showing without opening the `.eml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded {
    /// The forwarded message's Message-ID.
    pub message_id: Option<String>,
    /// Its sender.
    pub from: Vec<Address>,
    /// Its subject.
    pub subject: Option<String>,
    /// Its date.
    pub date: Option<OffsetDateTime>,
    /// Its text body.
    pub text: Option<String>,
    /// The file name of the `.eml` attachment that holds it.
    pub attachment: String,
}

/// A regular message, or a machine-generated report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MessageKind {
    /// A message a person wrote.
    #[default]
    Regular,
    /// A delivery status notification (`multipart/report; report-type=delivery-status`):
    /// a bounce, a delay or a delivery confirmation.
    DeliveryStatus(DeliveryReport),
    /// A read receipt (`report-type=disposition-notification`).
    ReadReceipt {
        /// The message that was read.
        original_message_id: Option<String>,
    },
    /// Another `multipart/report` (feedback loop, TLS report, …).
    OtherReport {
        /// The `report-type` parameter.
        report_type: String,
    },
}

/// Something wrong with a message. The message is still returned with what could be read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseFlag {
    /// No header could be read: the raw bytes are the text body.
    NotRfc5322,
    /// No `Date` header (the fallback date was used, if given).
    NoDate,
    /// A `Date` header that cannot be read (the fallback date was used, if given).
    BadDate,
    /// No `Message-ID` header.
    NoMessageId,
    /// No `From` header.
    NoFrom,
    /// An address header with something that is not an address.
    BadAddress {
        /// `from`, `to`, `cc` or `reply_to`.
        field: &'static str,
    },
    /// A part whose transfer encoding (base64, quoted-printable) is broken: kept as raw text.
    EncodingProblem,
    /// A declared charset this parser does not know: decoded as UTF-8, bad bytes replaced.
    UnknownCharset(String),
    /// A header with raw 8-bit bytes that are not UTF-8 (no RFC 2047): decoded with the
    /// body's charset, or Windows-1253 when the body declares none.
    UndeclaredEightBit {
        /// The header (`subject`).
        field: &'static str,
    },
    /// A multipart without its closing boundary: the message was cut short.
    Truncated,
    /// The parser failed on this input; the raw bytes are the text body.
    ParserFailed,
}

impl ParseFlag {
    /// A stable, lower-case name (for storing or logging).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NotRfc5322 => "not_rfc5322",
            Self::NoDate => "no_date",
            Self::BadDate => "bad_date",
            Self::NoMessageId => "no_message_id",
            Self::NoFrom => "no_from",
            Self::BadAddress { .. } => "bad_address",
            Self::EncodingProblem => "encoding_problem",
            Self::UnknownCharset(_) => "unknown_charset",
            Self::UndeclaredEightBit { .. } => "undeclared_8bit",
            Self::Truncated => "truncated",
            Self::ParserFailed => "parser_failed",
        }
    }
}

impl std::fmt::Display for ParseFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadAddress { field } | Self::UndeclaredEightBit { field } => {
                write!(f, "{} ({field})", self.as_str())
            }
            Self::UnknownCharset(c) => write!(f, "{} ({c})", self.as_str()),
            _ => f.write_str(self.as_str()),
        }
    }
}

impl Message {
    /// Every address of From, To, Cc and Reply-To, in that order (for matching senders and
    /// recipients to contacts).
    pub fn all_addresses(&self) -> impl Iterator<Item = &Address> {
        self.from
            .iter()
            .chain(&self.to)
            .chain(&self.cc)
            .chain(&self.reply_to)
    }

    /// True when the message carries this flag kind (compared by [`ParseFlag::as_str`]).
    pub fn has_flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f.as_str() == name)
    }

    /// A message built from raw bytes nobody could parse: nothing is lost, the bytes are the
    /// text (invalid UTF-8 replaced).
    fn unreadable(raw: &[u8], fallback_date: Option<OffsetDateTime>, flag: ParseFlag) -> Self {
        let text = String::from_utf8_lossy(raw).into_owned();
        let mut flags = vec![flag, ParseFlag::NoMessageId, ParseFlag::NoFrom];
        flags.push(ParseFlag::NoDate);
        Self {
            message_id: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
            from: Vec::new(),
            to: Vec::new(),
            cc: Vec::new(),
            reply_to: Vec::new(),
            subject: None,
            date: fallback_date,
            text: (!text.trim().is_empty()).then_some(text),
            html: None,
            attachments: Vec::new(),
            forwarded: Vec::new(),
            kind: MessageKind::Regular,
            flags,
            size: raw.len(),
        }
    }
}

/// Parses one raw message. `fallback_date` (the IMAP INTERNALDATE) stands in when the message
/// has no readable `Date` header. Never fails, never panics.
pub fn parse(raw: &[u8], fallback_date: Option<OffsetDateTime>) -> Message {
    // mail-parser is fuzzed, but a crash on one message must not stop a mailbox sync.
    match std::panic::catch_unwind(AssertUnwindSafe(|| parse_inner(raw, fallback_date))) {
        Ok(m) => m,
        Err(_) => Message::unreadable(raw, fallback_date, ParseFlag::ParserFailed),
    }
}

static PARSER: LazyLock<MessageParser> = LazyLock::new(MessageParser::new);

fn parse_inner(raw: &[u8], fallback_date: Option<OffsetDateTime>) -> Message {
    let Some(mut m) = PARSER.parse(raw) else {
        return Message::unreadable(raw, fallback_date, ParseFlag::NotRfc5322);
    };
    // Not one header this parser knows (From, Date, Subject, Content-Type, …): whatever this
    // is, it is not a mail; keep the bytes as text.
    if !m
        .headers()
        .iter()
        .any(|h| !matches!(h.name, HeaderName::Other(_)))
    {
        return Message::unreadable(raw, fallback_date, ParseFlag::NotRfc5322);
    }
    let mut flags = Vec::new();

    let message_id = m.message_id().map(clean_id).filter(|s| !s.is_empty());
    if message_id.is_none() {
        flags.push(ParseFlag::NoMessageId);
    }
    let in_reply_to = ids(m.in_reply_to());
    let references = ids(m.references());

    let from = addresses(&m, HeaderName::From, "from", &mut flags);
    if m.header(HeaderName::From).is_none() {
        flags.push(ParseFlag::NoFrom);
    }
    let to = addresses(&m, HeaderName::To, "to", &mut flags);
    let cc = addresses(&m, HeaderName::Cc, "cc", &mut flags);
    let reply_to = addresses(&m, HeaderName::ReplyTo, "reply_to", &mut flags);

    let body_charset = first_text_charset(&m);
    let subject = subject(&m, raw, body_charset.as_deref(), &mut flags);

    let date = match (m.header(HeaderName::Date), m.date()) {
        (_, Some(d)) if d.is_valid() => to_offset_datetime(d),
        (None, _) => None,
        (Some(_), _) => {
            flags.push(ParseFlag::BadDate);
            None
        }
    };
    let date = match date {
        Some(d) => Some(d),
        None => {
            if m.header(HeaderName::Date).is_none() {
                flags.push(ParseFlag::NoDate);
            } else if !flags.contains(&ParseFlag::BadDate) {
                flags.push(ParseFlag::BadDate);
            }
            fallback_date
        }
    };

    let kind = report::kind(&m);
    let truncated = is_truncated(&m, raw);

    // Bodies.
    let mut text = String::new();
    for &id in &m.text_body {
        let Some(part) = m.parts.get(id as usize) else {
            continue;
        };
        let piece: Cow<'_, str> = match &part.body {
            PartType::Text(t) => Cow::Borrowed(t.as_ref()),
            PartType::Html(h) => Cow::Owned(html_to_text(h)),
            _ => continue,
        };
        push_paragraph(&mut text, &piece);
    }
    let mut html = String::new();
    for &id in &m.html_body {
        if let Some(PartType::Html(h)) = m.parts.get(id as usize).map(|p| &p.body) {
            push_paragraph(&mut html, h);
        }
    }

    // Charsets and transfer encodings, for every part.
    for part in &m.parts {
        if part.is_encoding_problem && !flags.contains(&ParseFlag::EncodingProblem) {
            flags.push(ParseFlag::EncodingProblem);
        }
        if part.is_text()
            && let Some(cs) = part.content_type().and_then(|ct| ct.attribute("charset"))
            && !is_utf8_or_ascii(cs)
            && charset_decoder(cs.as_bytes()).is_none()
        {
            let f = ParseFlag::UnknownCharset(cs.to_ascii_lowercase());
            if !flags.contains(&f) {
                flags.push(f);
            }
        }
    }
    if truncated {
        flags.push(ParseFlag::Truncated);
    }

    // Attachments: take the decoded bytes out of the parts (no copy when mail-parser owns
    // them already).
    let mut attachments = Vec::with_capacity(m.attachments.len());
    let mut forwarded = Vec::new();
    let attachment_ids = std::mem::take(&mut m.attachments);
    for (n, id) in attachment_ids.into_iter().enumerate() {
        let Some(part) = m.parts.get_mut(id as usize) else {
            continue;
        };
        let content_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
                None => ct.ctype().to_ascii_lowercase(),
            })
            .unwrap_or_else(|| match part.body {
                PartType::Text(_) => "text/plain".to_owned(),
                PartType::Html(_) => "text/html".to_owned(),
                PartType::Message(_) => "message/rfc822".to_owned(),
                _ => "application/octet-stream".to_owned(),
            });
        let given_name = part
            .attachment_name()
            .map(|name| {
                // RFC 2231 sections split inside a UTF-8 character: decode them together.
                if name.contains('\u{FFFD}') {
                    rfc2231_name(&part.headers, raw)
                        .map(Cow::Owned)
                        .unwrap_or(Cow::Borrowed(name))
                } else {
                    Cow::Borrowed(name)
                }
            })
            .and_then(|name| sanitize_filename(&name));
        let content_id = part.content_id().map(clean_id).filter(|s| !s.is_empty());
        let disposition_inline = part
            .content_disposition()
            .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
        let body = std::mem::take(&mut part.body);
        let (data, inline, nested) = match body {
            PartType::Binary(b) => (cow_bytes(b), disposition_inline, None),
            PartType::InlineBinary(b) => (cow_bytes(b), true, None),
            PartType::Text(t) | PartType::Html(t) => (cow_str_bytes(t), false, None),
            PartType::Message(inner) => {
                let summary = forwarded_summary(&inner);
                // A 7bit/8bit forward is parsed in place, and mail-parser 0.11 then hands
                // back the outer message as its raw bytes: take the part's own span. An
                // encoded (base64/QP) forward was decoded into bytes of its own.
                let span = part.offset_body as usize..part.offset_end as usize;
                let bytes = match (part.encoding, raw.get(span)) {
                    (mail_parser::Encoding::None, Some(b)) => Bytes::copy_from_slice(b),
                    _ => cow_bytes(inner.raw_message),
                };
                (bytes, false, Some(summary))
            }
            PartType::Multipart(_) => continue,
        };
        let filename = match (given_name, &nested) {
            (Some(name), _) => name,
            (None, Some(summary)) => summary
                .subject
                .as_deref()
                .and_then(|s| sanitize_filename(&format!("{s}.eml")))
                .unwrap_or_else(|| "forwarded.eml".to_owned()),
            (None, None) => format!("part{}.{}", n + 1, extension(&content_type)),
        };
        if let Some(mut summary) = nested {
            summary.attachment = filename.clone();
            forwarded.push(summary);
        }
        attachments.push(Attachment {
            filename,
            content_type,
            size: data.len(),
            content_id,
            inline,
            data,
        });
    }

    Message {
        message_id,
        in_reply_to,
        references,
        from,
        to,
        cc,
        reply_to,
        subject,
        date,
        text: (!text.is_empty()).then_some(text),
        html: (!html.is_empty()).then_some(html),
        attachments,
        forwarded,
        kind,
        flags,
        size: raw.len(),
    }
}

/// The Message-ID in a block of header lines (an IMAP `HEADER.FIELDS (MESSAGE-ID)` answer),
/// normalised as [`parse`] does.
pub(crate) fn message_id_of_header(header: &[u8]) -> Option<String> {
    PARSER
        .parse_headers(header)
        .and_then(|m| m.message_id().map(clean_id))
        .filter(|s| !s.is_empty())
}

fn push_paragraph(out: &mut String, piece: &str) {
    if piece.is_empty() {
        return;
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(piece);
}

fn cow_bytes(c: Cow<'_, [u8]>) -> Bytes {
    match c {
        Cow::Owned(v) => Bytes::from(v),
        Cow::Borrowed(b) => Bytes::copy_from_slice(b),
    }
}

fn cow_str_bytes(c: Cow<'_, str>) -> Bytes {
    match c {
        Cow::Owned(s) => Bytes::from(s.into_bytes()),
        Cow::Borrowed(s) => Bytes::copy_from_slice(s.as_bytes()),
    }
}

/// `<abc@x>` → `abc@x` (mail-parser already strips the brackets of well-formed ids).
fn clean_id(s: &str) -> String {
    s.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_owned()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![clean_id(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| clean_id(t)).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect()
}

fn addresses(
    m: &mail_parser::Message<'_>,
    name: HeaderName<'static>,
    field: &'static str,
    flags: &mut Vec<ParseFlag>,
) -> Vec<Address> {
    let Some(header) = m.header(name.clone()) else {
        return Vec::new();
    };
    // `=?utf-8?b?...?=. <a@b>` (a display name ending in a dot, as Python writes it):
    // mail-parser reads the dot as a word of its own.
    let dot_after_word = m
        .headers()
        .iter()
        .filter(|h| h.name == name)
        .filter_map(|h| {
            m.raw_message()
                .get(h.offset_start as usize..h.offset_end as usize)
        })
        .any(|b| memchr::memmem::find(b, b"?=.").is_some());
    let mut out = Vec::new();
    let mut bad = false;
    match header {
        HeaderValue::Address(a) => {
            for addr in a.iter() {
                match addr.address.as_deref().map(str::trim) {
                    Some(address) if !address.is_empty() => {
                        if !address.contains('@') {
                            bad = true;
                        }
                        out.push(Address {
                            name: addr
                                .name
                                .as_deref()
                                .map(str::trim)
                                .filter(|n| !n.is_empty())
                                .map(|n| {
                                    if dot_after_word {
                                        n.replace(" .", ".")
                                    } else {
                                        n.to_owned()
                                    }
                                }),
                            address: address.to_owned(),
                            normalized: address.to_lowercase(),
                        });
                    }
                    _ => bad = true,
                }
            }
            // "undisclosed-recipients:;" is an empty group, not an error.
            if out.is_empty() && a.as_group().is_some() {
                bad = false;
            }
        }
        _ => {
            bad = m.header_raw(name).is_some_and(|raw| !raw.trim().is_empty());
        }
    }
    if bad {
        flags.push(ParseFlag::BadAddress { field });
    }
    out
}

fn subject(
    m: &mail_parser::Message<'_>,
    raw: &[u8],
    body_charset: Option<&str>,
    flags: &mut Vec<ParseFlag>,
) -> Option<String> {
    let decoded = decoded_subject(m)?;
    if !decoded.contains('\u{FFFD}') {
        return Some(decoded);
    }
    // Raw 8-bit bytes that are not UTF-8 and not RFC 2047: an old client writing its own
    // charset into the header. Decode with the body's charset (or Windows-1253).
    let header = m.headers().iter().find(|h| h.name == HeaderName::Subject)?;
    let bytes = raw.get(header.offset_start as usize..header.offset_end as usize)?;
    if std::str::from_utf8(bytes).is_ok() || bytes.windows(2).any(|w| w == b"=?") {
        return Some(decoded);
    }
    let decoder = body_charset
        .and_then(|c| charset_decoder(c.as_bytes()))
        .or_else(|| charset_decoder(b"windows-1253"))?;
    flags.push(ParseFlag::UndeclaredEightBit { field: "subject" });
    let unfolded: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    let text = decoder(&unfolded);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The subject as mail-parser decodes it, unless it has replacement characters that reading
/// its encoded-words together (a character split over two of them) avoids.
fn decoded_subject(m: &mail_parser::Message<'_>) -> Option<String> {
    let decoded = m.subject().map(str::trim).filter(|s| !s.is_empty())?;
    let replaced = |s: &str| s.chars().filter(|&c| c == '\u{FFFD}').count();
    let bad = replaced(decoded);
    if bad > 0
        && let Some(header) = m.headers().iter().find(|h| h.name == HeaderName::Subject)
        && let Some(bytes) = m
            .raw_message()
            .get(header.offset_start as usize..header.offset_end as usize)
        && memchr::memmem::find(bytes, b"=?").is_some()
    {
        let joined = rfc2047::decode(bytes);
        let joined = joined.trim();
        if !joined.is_empty() && replaced(joined) < bad {
            return Some(joined.to_owned());
        }
    }
    Some(decoded.to_owned())
}

/// UTF-8 and ASCII need no decoder.
fn is_utf8_or_ascii(charset: &str) -> bool {
    matches!(
        charset.trim().to_ascii_lowercase().as_str(),
        "utf-8" | "utf8" | "us-ascii" | "ascii" | "unicode-1-1-utf-8"
    )
}

/// The charset of the first text part, unless it is UTF-8 or US-ASCII.
fn first_text_charset(m: &mail_parser::Message<'_>) -> Option<String> {
    m.parts
        .iter()
        .filter(|p| p.is_text())
        .find_map(|p| p.content_type().and_then(|ct| ct.attribute("charset")))
        .filter(|c| !is_utf8_or_ascii(c))
        .map(str::to_ascii_lowercase)
}

fn to_offset_datetime(d: &mail_parser::DateTime) -> Option<OffsetDateTime> {
    let secs = i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60;
    let secs = if d.tz_before_gmt { -secs } else { secs };
    let offset = UtcOffset::from_whole_seconds(secs).ok()?;
    OffsetDateTime::from_unix_timestamp(d.to_timestamp())
        .ok()
        .map(|t| t.to_offset(offset))
}

fn forwarded_summary(inner: &mail_parser::Message<'_>) -> Forwarded {
    let mut ignored = Vec::new();
    let text = inner
        .body_text(0)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    Forwarded {
        message_id: inner.message_id().map(clean_id).filter(|s| !s.is_empty()),
        from: addresses(inner, HeaderName::From, "from", &mut ignored),
        // the header offsets of a nested message point into the outer one, while its
        // `raw_message` is its own bytes: read its header again for offsets that fit
        subject: PARSER
            .parse_headers(inner.raw_message())
            .as_ref()
            .and_then(decoded_subject)
            .or_else(|| {
                inner
                    .subject()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            }),
        date: inner
            .date()
            .filter(|d| d.is_valid())
            .and_then(to_offset_datetime),
        text,
        attachment: String::new(),
    }
}

/// A multipart (at any depth of the outer message) whose closing `--boundary--` never comes.
fn is_truncated(m: &mail_parser::Message<'_>, raw: &[u8]) -> bool {
    m.parts.iter().any(|p| {
        p.is_multipart()
            && p.content_type()
                .and_then(|ct| ct.attribute("boundary"))
                .is_some_and(|b| {
                    let mut closing = Vec::with_capacity(b.len() + 4);
                    closing.extend_from_slice(b"--");
                    closing.extend_from_slice(b.as_bytes());
                    closing.extend_from_slice(b"--");
                    memchr::memmem::find(raw, &closing).is_none()
                })
    })
}

/// The `filename` (or `name`) parameter rebuilt from its RFC 2231 sections
/// (`filename*0*=utf-8''%CE%A4...; filename*1*=...`), joining the bytes of all sections before
/// decoding them, as RFC 2231 says (mail-parser decodes each section on its own).
fn rfc2231_name(headers: &[mail_parser::Header<'_>], raw: &[u8]) -> Option<String> {
    for wanted in ["filename", "name"] {
        for h in headers {
            if !matches!(
                h.name,
                HeaderName::ContentDisposition | HeaderName::ContentType
            ) {
                continue;
            }
            let Some(bytes) = raw.get(h.offset_start as usize..h.offset_end as usize) else {
                continue;
            };
            let text = String::from_utf8_lossy(bytes).replace(['\r', '\n'], "");
            let mut sections: Vec<(u32, bool, String)> = Vec::new();
            for param in text.split(';').skip(1) {
                let Some((key, value)) = param.split_once('=') else {
                    continue;
                };
                let key = key.trim().to_ascii_lowercase();
                let Some(rest) = key.strip_prefix(wanted).and_then(|r| r.strip_prefix('*')) else {
                    continue;
                };
                let (num, encoded) = match rest.strip_suffix('*') {
                    Some(n) => (n, true),
                    None => (rest, false),
                };
                let Ok(num) = num.parse::<u32>() else {
                    continue;
                };
                let value = value.trim().trim_matches('"').to_owned();
                sections.push((num, encoded, value));
            }
            if sections.is_empty() {
                continue;
            }
            sections.sort_by_key(|(n, _, _)| *n);
            let mut charset = String::new();
            let mut octets = Vec::new();
            for (i, (_, encoded, value)) in sections.iter().enumerate() {
                let mut v = value.as_str();
                if i == 0 && *encoded {
                    let mut it = v.splitn(3, '\'');
                    if let (Some(cs), Some(_lang), Some(rest)) = (it.next(), it.next(), it.next()) {
                        charset = cs.to_owned();
                        v = rest;
                    }
                }
                if *encoded {
                    percent_decode_into(v.as_bytes(), &mut octets);
                } else {
                    octets.extend_from_slice(v.as_bytes());
                }
            }
            let decoded = if charset.is_empty() || is_utf8_or_ascii(&charset) {
                String::from_utf8_lossy(&octets).into_owned()
            } else {
                charset_decoder(charset.as_bytes())
                    .map(|d| d(&octets))
                    .unwrap_or_else(|| String::from_utf8_lossy(&octets).into_owned())
            };
            return Some(decoded);
        }
    }
    None
}

fn percent_decode_into(input: &[u8], out: &mut Vec<u8>) {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%'
            && let (Some(h), Some(l)) = (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
}

/// A file name safe to use as one path segment: the last component of what the message says,
/// without control characters or surrounding dots and spaces; `None` when nothing is left.
fn sanitize_filename(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    if cleaned.is_empty() {
        return None;
    }
    // Keep names reasonable for any file system (255 bytes), on a char boundary.
    let mut end = cleaned.len().min(200);
    while !cleaned.is_char_boundary(end) {
        end -= 1;
    }
    Some(cleaned[..end].to_owned())
}

fn extension(content_type: &str) -> &str {
    match content_type {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/heic" => "heic",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/html" => "html",
        "text/calendar" => "ics",
        "text/csv" => "csv",
        "message/rfc822" => "eml",
        "message/delivery-status" | "message/disposition-notification" => "txt",
        "text/rfc822-headers" => "txt",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn filenames_lose_folders_and_control_characters() {
        assert_eq!(
            sanitize_filename("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            sanitize_filename("C:\\Users\\x\\Τιμολόγιο.pdf").as_deref(),
            Some("Τιμολόγιο.pdf")
        );
        assert_eq!(sanitize_filename("a\u{0}b.txt").as_deref(), Some("a b.txt"));
        assert_eq!(sanitize_filename(" .. "), None);
        let long = "α".repeat(300);
        let s = sanitize_filename(&long).unwrap();
        assert!(s.len() <= 200 && s.chars().all(|c| c == 'α'));
    }

    #[test]
    fn empty_and_binary_input_are_kept_not_lost() {
        let m = parse(b"", None);
        assert!(m.has_flag("not_rfc5322"));
        let junk: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let m = parse(&junk, None);
        assert_eq!(m.size, 4096);
        assert!(m.text.is_some() || !m.attachments.is_empty() || m.has_flag("not_rfc5322"));
    }
}
