//! Incremental AMI frame decoder: bytes in, banner and messages out.
//!
//! The stream starts with one banner line (`Asterisk Call Manager/7.0.3`), then messages of
//! `Key: Value` lines, each message ended by a blank line. Lines end with CRLF; a bare LF is
//! accepted too. Command output comes in two forms, both decoded into `Output` fields:
//!
//! - `Response: Success` (or `Follows`) with one `Output: <line>` field per line (Asterisk 14
//!   and later);
//! - the older `Response: Follows`, `Privilege: Command`, `ActionID:` followed by raw output
//!   lines and `--END COMMAND--`, where blank lines inside the output do not end the message.
//!
//! Memory is bounded: complete lines are parsed into the message under construction and
//! dropped from the buffer at once, and a frame larger than the limit yields
//! [`Error::FrameTooLarge`] once, after which the rest of that frame is skipped without being
//! stored and decoding resumes at the next message.

use std::borrow::Cow;

use super::message::Message;
use crate::error::{Error, Result};

/// Default limit for one frame (banner or message), in bytes.
pub const DEFAULT_MAX_FRAME: usize = 64 * 1024;

const END_COMMAND: &str = "--END COMMAND--";
/// Header keys of the old `Response: Follows` form; any other line is command output.
const FOLLOWS_HEADERS: &[&str] = &["Response", "Privilege", "ActionID", "Message"];

/// The banner line that opens every AMI connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// The whole line without its line ending.
    pub line: String,
    /// The AMI protocol version after the `/` (`7.0.3`), empty when absent.
    pub version: String,
}

/// One decoded unit of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// The first line of the connection.
    Banner(Banner),
    /// An event, a response, or anything else made of fields.
    Message(Message),
}

/// The outcome of one [`Decoder::decode`] call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A complete frame.
    Frame(Frame),
    /// The buffered bytes do not complete a frame yet: feed more.
    NeedMoreData,
}

/// The incremental decoder. Feed it byte chunks of any size with [`Decoder::feed`], then
/// call [`Decoder::decode`] until it answers [`Decoded::NeedMoreData`].
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    /// First byte of the current (incomplete) line.
    start: usize,
    /// Bytes before this index have been searched for a line feed.
    scan: usize,
    max_frame: usize,
    /// Bytes of complete lines already taken into the current frame.
    frame_len: usize,
    banner_done: bool,
    current: Message,
    follows: Option<Follows>,
    skipping: Option<Skip>,
    /// Size of the last message, to allocate the next one in one go.
    last_shape: (usize, usize),
}

#[derive(Debug, Clone, Copy)]
struct Follows {
    /// A raw output line was seen: from then on only `--END COMMAND--` lets a blank line end
    /// the message.
    raw_seen: bool,
    ended: bool,
}

#[derive(Debug, Clone, Copy)]
struct Skip {
    /// The line being skipped had a non-CR byte in a part already thrown away.
    line_has_content: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder expecting the banner first, with the default frame limit (64 KiB).
    pub fn new() -> Self {
        Self::with_max_frame(DEFAULT_MAX_FRAME)
    }

    /// A decoder expecting the banner first, with a frame limit of `max_frame` bytes
    /// (at least 64).
    pub fn with_max_frame(max_frame: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            scan: 0,
            max_frame: max_frame.max(64),
            frame_len: 0,
            banner_done: false,
            current: Message::new(),
            follows: None,
            skipping: None,
            last_shape: (0, 0),
        }
    }

    /// A decoder for a stream whose banner was already read (or that has none).
    pub fn without_banner(max_frame: usize) -> Self {
        let mut decoder = Self::with_max_frame(max_frame);
        decoder.banner_done = true;
        decoder
    }

    /// The frame limit in bytes.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }

    /// Appends received bytes.
    pub fn feed(&mut self, data: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scan -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Bytes buffered and not yet part of a decoded line.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next complete frame, or [`Decoded::NeedMoreData`].
    ///
    /// # Errors
    ///
    /// [`Error::FrameTooLarge`] once per oversized frame (decoding may go on: the rest of that
    /// frame is skipped), [`Error::BadBanner`] when the first line is not an AMI banner.
    pub fn decode(&mut self) -> Result<Decoded> {
        loop {
            let Some(rel) = memchr::memchr(b'\n', &self.buf[self.scan..]) else {
                return self.incomplete_line();
            };
            let newline = self.scan + rel;
            let line_start = self.start;
            self.start = newline + 1;
            self.scan = self.start;
            let mut line_end = newline;
            if line_end > line_start && self.buf[line_end - 1] == b'\r' {
                line_end -= 1;
            }

            if let Some(skip) = self.skipping.as_mut() {
                let blank = !skip.line_has_content && !has_content(&self.buf[line_start..line_end]);
                skip.line_has_content = false;
                if blank {
                    self.skipping = None;
                    self.frame_len = 0;
                }
                continue;
            }

            self.frame_len += newline + 1 - line_start;
            let too_large = self.frame_len > self.max_frame;

            if !self.banner_done {
                self.banner_done = true;
                self.frame_len = 0;
                if too_large {
                    // the same error as when the line is still incomplete at the limit, so
                    // that how the bytes were split never changes the outcome (found by fuzz)
                    return Err(banner_too_long());
                }
                let text = String::from_utf8_lossy(&self.buf[line_start..line_end]);
                return parse_banner(&text).map(|b| Decoded::Frame(Frame::Banner(b)));
            }

            let ended = self.take_line(line_start, line_end);
            if too_large {
                self.current = Message::new();
                self.follows = None;
                self.frame_len = 0;
                if !ended {
                    self.skipping = Some(Skip {
                        line_has_content: false,
                    });
                }
                return Err(Error::FrameTooLarge {
                    limit: self.max_frame,
                });
            }
            if ended {
                self.frame_len = 0;
                self.follows = None;
                if self.current.is_empty() {
                    // a stray blank line between messages
                    continue;
                }
                let (fields, bytes) = self.last_shape;
                let next = Message::with_capacity(
                    fields.max(self.current.len()),
                    bytes.max(self.current.text_len()),
                );
                let message = std::mem::replace(&mut self.current, next);
                self.last_shape = (message.len(), message.text_len());
                return Ok(Decoded::Frame(Frame::Message(message)));
            }
        }
    }

    /// No line feed in the buffer: enforce the limit on the partial line.
    fn incomplete_line(&mut self) -> Result<Decoded> {
        self.scan = self.buf.len();
        if let Some(skip) = self.skipping.as_mut() {
            if has_content(&self.buf[self.start..]) {
                skip.line_has_content = true;
            }
            self.buf.clear();
            self.start = 0;
            self.scan = 0;
            return Ok(Decoded::NeedMoreData);
        }
        if self.frame_len + (self.buf.len() - self.start) > self.max_frame {
            // The line that crossed the limit must not end the skip if, complete, it would not
            // have ended the message either (a blank line inside raw command output): the
            // outcome must not depend on where the bytes were split (found by fuzz/).
            let line_has_content =
                has_content(&self.buf[self.start..]) || !self.blank_line_ends_message();
            self.buf.clear();
            self.start = 0;
            self.scan = 0;
            self.current = Message::new();
            self.follows = None;
            self.frame_len = 0;
            self.skipping = Some(Skip { line_has_content });
            if !self.banner_done {
                self.banner_done = true;
                self.skipping = None;
                return Err(banner_too_long());
            }
            return Err(Error::FrameTooLarge {
                limit: self.max_frame,
            });
        }
        Ok(Decoded::NeedMoreData)
    }

    /// Whether a blank line now would end the current message (not inside raw command output).
    fn blank_line_ends_message(&self) -> bool {
        self.follows.is_none_or(|f| f.ended || !f.raw_seen)
    }

    /// Adds one complete line (without its line ending) to the current message; true when the
    /// line ends the message.
    fn take_line(&mut self, start: usize, end: usize) -> bool {
        let bytes = &self.buf[start..end];
        let blank = !has_content(bytes);
        let text: Cow<'_, str> = String::from_utf8_lossy(bytes);

        if let Some(follows) = self.follows.as_mut() {
            if blank {
                if follows.ended || !follows.raw_seen {
                    return true;
                }
                self.current.push("Output", &text);
                return false;
            }
            if let Some(before) = text.strip_suffix(END_COMMAND) {
                if !before.is_empty() {
                    self.current.push("Output", before);
                }
                follows.ended = true;
                return false;
            }
            if !follows.raw_seen && !follows.ended {
                let (key, value) = split_field(&text);
                if FOLLOWS_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(key))
                    || key.eq_ignore_ascii_case("Output")
                {
                    self.current.push(key, value);
                    return false;
                }
            }
            follows.raw_seen = true;
            self.current.push("Output", &text);
            return false;
        }

        if blank {
            return true;
        }
        let (key, value) = split_field(&text);
        if self.current.is_empty()
            && key.eq_ignore_ascii_case("Response")
            && value.eq_ignore_ascii_case("Follows")
        {
            self.follows = Some(Follows {
                raw_seen: false,
                ended: false,
            });
        }
        self.current.push(key, value);
        false
    }
}

/// `Key: Value` → (`Key`, `Value`), both trimmed; a line without a colon is a key with an
/// empty value.
fn split_field(line: &str) -> (&str, &str) {
    match line.split_once(':') {
        Some((key, value)) => (key.trim_ascii(), value.trim_ascii()),
        None => (line.trim_ascii(), ""),
    }
}

/// A line with something other than ASCII whitespace: not a blank line.
fn has_content(line: &[u8]) -> bool {
    !line.iter().all(u8::is_ascii_whitespace)
}

/// A first line longer than the frame limit, with or without its line feed yet.
fn banner_too_long() -> Error {
    Error::BadBanner {
        line: "(no line feed within the frame limit)".to_owned(),
    }
}

fn parse_banner(line: &str) -> Result<Banner> {
    let line = line.trim();
    if !line.starts_with("Asterisk Call Manager") {
        return Err(Error::BadBanner {
            line: line.chars().take(120).collect(),
        });
    }
    let version = line
        .split_once('/')
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    Ok(Banner {
        line: line.to_owned(),
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(decoder: &mut Decoder) -> Vec<Result<Frame, String>> {
        let mut out = Vec::new();
        loop {
            match decoder.decode() {
                Ok(Decoded::Frame(frame)) => out.push(Ok(frame)),
                Ok(Decoded::NeedMoreData) => return out,
                Err(e) => out.push(Err(e.to_string())),
            }
        }
    }

    fn messages(input: &[u8]) -> Vec<Message> {
        let mut d = Decoder::without_banner(DEFAULT_MAX_FRAME);
        d.feed(input);
        decode_all(&mut d)
            .into_iter()
            .map(|f| match f {
                Ok(Frame::Message(m)) => m,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn banner_then_message() {
        let mut d = Decoder::new();
        d.feed(b"Asterisk Call Manager/7.0.3\r\nResponse: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n");
        let frames = decode_all(&mut d);
        assert_eq!(frames.len(), 2);
        assert_eq!(
            frames[0],
            Ok(Frame::Banner(Banner {
                line: "Asterisk Call Manager/7.0.3".into(),
                version: "7.0.3".into()
            }))
        );
        let Ok(Frame::Message(m)) = &frames[1] else {
            panic!("{frames:?}")
        };
        assert_eq!(m.response(), Some("Success"));
        assert_eq!(m.get("message"), Some("Authentication accepted"));
    }

    #[test]
    fn bad_banner_is_an_error() {
        let mut d = Decoder::new();
        d.feed(b"SSH-2.0-OpenSSH_9.2\r\n");
        assert!(matches!(d.decode(), Err(Error::BadBanner { .. })));
    }

    #[test]
    fn bare_line_feeds_and_stray_blank_lines() {
        let ms = messages(b"\r\n\nEvent: FullyBooted\nPrivilege: system,all\nStatus: Fully Booted\n\n\r\nEvent: Ping\r\n\r\n");
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].event(), Some("FullyBooted"));
        assert_eq!(ms[0].get("Status"), Some("Fully Booted"));
        assert_eq!(ms[1].event(), Some("Ping"));
    }

    #[test]
    fn values_may_contain_colons_and_lines_without_colon_are_kept() {
        let ms = messages(b"Event: VarSet\r\nValue: sip:201@10.0.0.1:5060\r\nweird line\r\n\r\n");
        assert_eq!(ms[0].get("Value"), Some("sip:201@10.0.0.1:5060"));
        assert_eq!(ms[0].get("weird line"), Some(""));
    }

    #[test]
    fn modern_command_output() {
        let ms = messages(b"Response: Success\r\nActionID: 9\r\nMessage: Command output follows\r\nOutput: Name/username    Host\r\nOutput: 201/201          10.0.0.5\r\n\r\n");
        assert_eq!(
            ms[0].output_lines().collect::<Vec<_>>(),
            ["Name/username    Host", "201/201          10.0.0.5"]
        );
    }

    #[test]
    fn follows_with_output_fields_ends_at_blank_line() {
        let ms = messages(b"Response: Follows\r\nActionID: 3\r\nOutput: line one\r\nOutput: line two\r\n\r\nEvent: Next\r\n\r\n");
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].response(), Some("Follows"));
        assert_eq!(ms[0].action_id(), Some("3"));
        assert_eq!(
            ms[0].output_lines().collect::<Vec<_>>(),
            ["line one", "line two"]
        );
        assert_eq!(ms[1].event(), Some("Next"));
    }

    #[test]
    fn old_end_command_form_keeps_blank_lines_inside_output() {
        let input = b"Response: Follows\r\nPrivilege: Command\r\nActionID: 4\r\nChannel   Location  State\nPJSIP/201-0001  s@from-internal:1 Up\n\n1 active channel\n--END COMMAND--\r\n\r\nEvent: After\r\n\r\n";
        let ms = messages(input);
        assert_eq!(ms.len(), 2, "{ms:?}");
        assert_eq!(ms[0].get("Privilege"), Some("Command"));
        assert_eq!(ms[0].action_id(), Some("4"));
        assert_eq!(
            ms[0].output_lines().collect::<Vec<_>>(),
            [
                "Channel   Location  State",
                "PJSIP/201-0001  s@from-internal:1 Up",
                "",
                "1 active channel"
            ]
        );
        assert_eq!(ms[1].event(), Some("After"));
    }

    #[test]
    fn end_command_glued_to_the_last_output_line() {
        let ms = messages(b"Response: Follows\r\nPrivilege: Command\r\nAsterisk 18.20.0 built by root\n--END COMMAND--\r\n\r\n");
        assert_eq!(
            ms[0].output_lines().collect::<Vec<_>>(),
            ["Asterisk 18.20.0 built by root"]
        );
        let ms = messages(b"Response: Follows\r\nno newline at end--END COMMAND--\r\n\r\n");
        assert_eq!(
            ms[0].output_lines().collect::<Vec<_>>(),
            ["no newline at end"]
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let ms = messages(b"Event: Newchannel\r\nCallerIDName: \xc3\x28 \xe1\xed\xe4\r\n\r\n");
        assert!(
            ms[0]
                .get("CallerIDName")
                .is_some_and(|v| v.contains('\u{fffd}'))
        );
    }

    #[test]
    fn oversized_frame_errors_once_then_resyncs() {
        let mut d = Decoder::without_banner(128);
        let mut input = b"Event: Huge\r\n".to_vec();
        for i in 0..50 {
            input.extend_from_slice(format!("ChanVariable: v{i}=xxxxxxxxxxxxxxxx\r\n").as_bytes());
        }
        input.extend_from_slice(b"\r\nEvent: Small\r\n\r\n");
        d.feed(&input);
        let frames = decode_all(&mut d);
        assert_eq!(frames.len(), 2, "{frames:?}");
        assert!(
            frames[0]
                .as_ref()
                .is_err_and(|e| e.contains("larger than 128"))
        );
        assert!(matches!(&frames[1], Ok(Frame::Message(m)) if m.event() == Some("Small")));
    }

    #[test]
    fn endless_line_is_bounded_in_memory() {
        let mut d = Decoder::without_banner(1024);
        d.feed(b"Event: X\r\nValue: ");
        let mut errors = 0;
        for _ in 0..1000 {
            d.feed(&[b'a'; 512]);
            loop {
                match d.decode() {
                    Ok(Decoded::NeedMoreData) => break,
                    Ok(Decoded::Frame(f)) => panic!("{f:?}"),
                    Err(_) => errors += 1,
                }
            }
            assert!(d.buffered() <= 1024 + 512, "{}", d.buffered());
        }
        assert_eq!(errors, 1);
        d.feed(b"aaa\r\n\r\nEvent: Ok\r\n\r\n");
        let frames = decode_all(&mut d);
        assert!(matches!(&frames[..], [Ok(Frame::Message(m))] if m.event() == Some("Ok")));
    }

    #[test]
    fn an_oversized_banner_is_the_same_error_whole_or_in_pieces() {
        // found by fuzz/ (ami_decoder): whole, the line was complete and answered
        // FrameTooLarge; in pieces, the partial line hit the limit first and answered BadBanner
        let mut input = vec![b'A'; 80];
        input.extend_from_slice(b"\r\n");
        let mut whole = Decoder::with_max_frame(64);
        whole.feed(&input);
        let mut pieces = Decoder::with_max_frame(64);
        pieces.feed(&input[..70]);
        let first = pieces.decode().map_err(|e| e.to_string());
        assert_eq!(whole.decode().map_err(|e| e.to_string()), first);
        assert!(matches!(first, Err(e) if e.contains("banner")));
    }

    #[test]
    fn a_blank_line_crossing_the_limit_inside_raw_output_skips_alike_whole_or_byte_by_byte() {
        // found by fuzz/ (ami_decoder): the blank line that crossed the limit did not end the
        // old-style command output when whole, but ended the skip when it came byte by byte,
        // so the rest of the output was decoded as a message of its own
        let input: &[u8] = b"Response: Follows\r\nActionID: 7\r\nraw output line of 30 bytes....\r\n\r\nmore output\r\n--END COMMAND--\r\n\r\nEvent: Ping\r\n\r\n";
        let limit = 64 + 1; // the blank line after the first raw line crosses it
        let run = |pieces: Vec<&[u8]>| {
            let mut d = Decoder::without_banner(limit);
            let mut out = Vec::new();
            for p in pieces {
                d.feed(p);
                out.extend(decode_all(&mut d).into_iter().map(|f| format!("{f:?}")));
            }
            out
        };
        let whole = run(vec![input]);
        assert_eq!(whole.len(), 2, "{whole:?}");
        assert!(whole[1].contains("Ping"), "{whole:?}");
        assert_eq!(run(input.chunks(1).collect()), whole);
    }

    #[test]
    fn banner_without_line_feed_is_refused_not_buffered_forever() {
        let mut d = Decoder::with_max_frame(64);
        d.feed(&[b'x'; 100]);
        assert!(matches!(d.decode(), Err(Error::BadBanner { .. })));
    }
}
