//! Actions the client sends: `Action: <name>`, `ActionID: <id>`, fields, blank line.

use std::fmt;

use super::message::Message;
use crate::error::{Error, Result};

/// An AMI action before it is given an `ActionID` and encoded.
#[derive(Clone)]
pub struct Action {
    name: String,
    fields: Message,
}

impl Action {
    /// An action named `name` (`Login`, `Ping`, `Originate`, …) without fields.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            fields: Message::new(),
        }
    }

    /// Appends a field (repeated keys such as `Variable` are allowed).
    #[must_use]
    pub fn field(mut self, key: &str, value: &str) -> Self {
        self.fields.push(key, value);
        self
    }

    /// `Action: Login` with `Username` and `Secret`.
    pub fn login(username: &str, secret: &str) -> Self {
        Self::new("Login")
            .field("Username", username)
            .field("Secret", secret)
    }

    /// `Action: Ping` (answered by `Response: Success`, `Ping: Pong`).
    pub fn ping() -> Self {
        Self::new("Ping")
    }

    /// `Action: Logoff` (answered by `Response: Goodbye`).
    pub fn logoff() -> Self {
        Self::new("Logoff")
    }

    /// The action name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The fields after `Action` and `ActionID`.
    pub fn fields(&self) -> &Message {
        &self.fields
    }

    /// The wire form: `Action`, then `ActionID`, then the fields in order, CRLF line endings,
    /// then a blank line.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when a key is empty, contains `:` or white space other than
    /// inner spaces, is `Action`/`ActionID`, or when any value contains CR or LF (which would
    /// let a value inject fields or actions).
    pub fn encode(&self, action_id: &str) -> Result<Vec<u8>> {
        check_value("Action", &self.name)?;
        if self.name.trim().is_empty() {
            return Err(invalid("Action", "empty action name"));
        }
        check_value("ActionID", action_id)?;
        let mut out = Vec::with_capacity(64 + self.name.len() + action_id.len());
        push_line(&mut out, "Action", &self.name);
        push_line(&mut out, "ActionID", action_id);
        for (key, value) in self.fields.iter() {
            check_key(key)?;
            check_value(key, value)?;
            push_line(&mut out, key, value);
        }
        out.extend_from_slice(b"\r\n");
        Ok(out)
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Action")
            .field("name", &self.name)
            .field("fields", &self.fields)
            .finish()
    }
}

fn push_line(out: &mut Vec<u8>, key: &str, value: &str) {
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn invalid(key: &str, reason: &'static str) -> Error {
    Error::InvalidField {
        key: key.chars().take(64).collect(),
        reason,
    }
}

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.trim() != key {
        return Err(invalid(key, "empty key or surrounding white space"));
    }
    if key.contains([':', '\r', '\n']) || key.chars().any(char::is_control) {
        return Err(invalid(key, "key contains ':' or a control character"));
    }
    if key.eq_ignore_ascii_case("Action") || key.eq_ignore_ascii_case("ActionID") {
        return Err(invalid(key, "set by the encoder"));
    }
    Ok(())
}

fn check_value(key: &str, value: &str) -> Result<()> {
    if value.contains(['\r', '\n']) {
        return Err(invalid(key, "value contains CR or LF"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_is_encoded_in_order_with_crlf() {
        let bytes = Action::login("crm", "s3cret").encode("1").ok();
        assert_eq!(
            bytes.as_deref(),
            Some(&b"Action: Login\r\nActionID: 1\r\nUsername: crm\r\nSecret: s3cret\r\n\r\n"[..])
        );
    }

    #[test]
    fn repeated_fields_are_kept() {
        let bytes = Action::new("Originate")
            .field("Variable", "A=1")
            .field("Variable", "B=2")
            .encode("x-7")
            .ok();
        assert_eq!(
            bytes.as_deref(),
            Some(
                &b"Action: Originate\r\nActionID: x-7\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"[..]
            )
        );
    }

    #[test]
    fn injection_and_bad_keys_are_refused() {
        let cases = [
            Action::new("Ping").field("Exten", "100\r\nAction: Hangup"),
            Action::new("Ping").field("", "x"),
            Action::new("Ping").field("A:B", "x"),
            Action::new("Ping").field("ActionID", "x"),
            Action::new("Ping\r\nAction: Logoff"),
            Action::new(""),
        ];
        for action in cases {
            assert!(
                matches!(action.encode("1"), Err(Error::InvalidField { .. })),
                "{action:?}"
            );
        }
        assert!(Action::ping().encode("1\n").is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", Action::login("crm", "hunter2"));
        assert!(!text.contains("hunter2"), "{text}");
    }
}
