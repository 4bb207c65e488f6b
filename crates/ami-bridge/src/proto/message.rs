//! One AMI message: an ordered list of `Key: Value` fields.

use std::fmt;
use std::ops::Range;

/// Keys whose values never appear in `Debug` output.
const REDACTED_KEYS: &[&str] = &["Secret", "Key"];

/// An AMI message (event, response or action): fields in wire order, repeated keys kept
/// (`ChanVariable`, `Variable`, `Output`), looked up by key without regard to ASCII case.
///
/// All keys and values live in one string, so a decoded message costs two allocations
/// whatever its number of fields.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Message {
    text: String,
    fields: Vec<Field>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Field {
    key_start: usize,
    key_end: usize,
    value_end: usize,
}

/// What a message is, from its first field (`Event:` or `Response:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind<'a> {
    /// An event; the name is the `Event:` value (`Newchannel`, `Hangup`, …).
    Event(&'a str),
    /// A response to an action; the status is the `Response:` value (`Success`, `Error`,
    /// `Follows`, `Goodbye`).
    Response(&'a str),
    /// Neither (an action, or something unexpected).
    Other,
}

impl Message {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty message with room for `fields` fields and `bytes` bytes of text.
    pub fn with_capacity(fields: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            fields: Vec::with_capacity(fields),
        }
    }

    /// Appends a field (builder style).
    #[must_use]
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.push(key, value);
        self
    }

    /// Appends a field.
    pub fn push(&mut self, key: &str, value: &str) {
        let key_start = self.text.len();
        self.text.push_str(key);
        let key_end = self.text.len();
        self.text.push_str(value);
        self.fields.push(Field {
            key_start,
            key_end,
            value_end: self.text.len(),
        });
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Bytes of keys and values together.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Whether the message has no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields in wire order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.fields.iter().map(|f| self.pair(f))
    }

    /// The value of the first field named `key` (ASCII case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| self.key_range_eq(f, key))
            .map(|f| self.slice(f.key_end..f.value_end))
    }

    /// The values of every field named `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |f| self.key_range_eq(f, key))
            .map(|f| self.slice(f.key_end..f.value_end))
    }

    /// What the message is: the first field decides, then any `Event:`, then any `Response:`
    /// (an `OriginateResponse` event carries a `Response:` field of its own).
    pub fn kind(&self) -> MessageKind<'_> {
        if let Some((key, value)) = self.iter().next() {
            if key.eq_ignore_ascii_case("Event") {
                return MessageKind::Event(value);
            }
            if key.eq_ignore_ascii_case("Response") {
                return MessageKind::Response(value);
            }
        }
        if let Some(name) = self.get("Event") {
            MessageKind::Event(name)
        } else if let Some(status) = self.get("Response") {
            MessageKind::Response(status)
        } else {
            MessageKind::Other
        }
    }

    /// The event name when the message is an event.
    pub fn event(&self) -> Option<&str> {
        match self.kind() {
            MessageKind::Event(name) => Some(name),
            _ => None,
        }
    }

    /// The `Response:` status when the message is a response.
    pub fn response(&self) -> Option<&str> {
        match self.kind() {
            MessageKind::Response(status) => Some(status),
            _ => None,
        }
    }

    /// The `ActionID:` value.
    pub fn action_id(&self) -> Option<&str> {
        self.get("ActionID")
    }

    /// Command output lines: every `Output:` value, which is also where the decoder puts the
    /// raw lines of the older `Response: Follows` … `--END COMMAND--` form.
    pub fn output_lines(&self) -> impl Iterator<Item = &str> + '_ {
        self.get_all("Output")
    }

    /// The message as it goes on the wire: `Key: Value` lines with CRLF, then a blank line.
    /// No validation: use [`crate::proto::Action::encode`] for what the client sends.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len() + self.fields.len() * 4 + 2);
        for (key, value) in self.iter() {
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    fn pair(&self, f: &Field) -> (&str, &str) {
        (
            self.slice(f.key_start..f.key_end),
            self.slice(f.key_end..f.value_end),
        )
    }

    fn key_range_eq(&self, f: &Field, key: &str) -> bool {
        f.key_end - f.key_start == key.len()
            && self
                .text
                .as_bytes()
                .get(f.key_start..f.key_end)
                .is_some_and(|k| k.eq_ignore_ascii_case(key.as_bytes()))
    }

    fn slice(&self, range: Range<usize>) -> &str {
        // Ranges are recorded at `push` on char boundaries of `text`, which is append-only.
        self.text.get(range).unwrap_or_default()
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (key, value) in self.iter() {
            if REDACTED_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                list.entry(&format_args!("{key}: ***"));
            } else {
                list.entry(&format_args!("{key}: {value}"));
            }
        }
        list.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_keeps_repeated_keys() {
        let m = Message::new()
            .with("Event", "Newchannel")
            .with("ChanVariable", "a=1")
            .with("Linkedid", "1.1")
            .with("ChanVariable", "b=2");
        assert_eq!(m.get("linkedid"), Some("1.1"));
        assert_eq!(m.get("LINKEDID"), Some("1.1"));
        assert_eq!(m.get("Link"), None);
        assert_eq!(
            m.get_all("chanvariable").collect::<Vec<_>>(),
            ["a=1", "b=2"]
        );
        assert_eq!(m.kind(), MessageKind::Event("Newchannel"));
        assert_eq!(m.len(), 4);
    }

    #[test]
    fn kind_prefers_the_first_field() {
        let r = Message::new()
            .with("Response", "Success")
            .with("ActionID", "7");
        assert_eq!(r.kind(), MessageKind::Response("Success"));
        assert_eq!(r.action_id(), Some("7"));
        let e = Message::new()
            .with("Event", "OriginateResponse")
            .with("Response", "Failure");
        assert_eq!(e.kind(), MessageKind::Event("OriginateResponse"));
        assert_eq!(
            Message::new().with("Action", "Ping").kind(),
            MessageKind::Other
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let m = Message::new()
            .with("Action", "Login")
            .with("Username", "crm")
            .with("Secret", "hunter2");
        let text = format!("{m:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("Secret: ***"), "{text}");
    }

    #[test]
    fn to_wire_uses_crlf_and_a_blank_line() {
        let m = Message::new()
            .with("Response", "Success")
            .with("Ping", "Pong");
        assert_eq!(m.to_wire(), b"Response: Success\r\nPing: Pong\r\n\r\n");
    }
}
