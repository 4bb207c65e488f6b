//! Client configuration.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

use crate::correlate::CallRules;
use crate::error::{Error, Result};
use crate::proto::DEFAULT_MAX_FRAME;

/// Everything the client needs. Build it with [`Config::new`], set the trunk patterns, and
/// adjust the rest; [`Config::validate`] runs when the client starts.
///
/// Deserializes from `host`, `port`, `username`, `secret`, `trunk_patterns`,
/// `extension_patterns` (each a list, or one comma-separated string), `default_region`,
/// `originate_context` and `originate_channel`; a key left out keeps its [`Default`] (empty
/// host, user and secret, port 5038). The other fields are not read from configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// AMI host (`127.0.0.1`, `pbx.example.net`).
    pub host: String,
    /// AMI port (Asterisk's default is 5038).
    pub port: u16,
    /// `manager.conf` user.
    pub username: String,
    /// `manager.conf` secret. Redacted in `Debug`.
    pub secret: SecretString,
    /// Channel-name prefixes of trunks, `*`/`?` allowed (`PJSIP/trunk-`, `SIP/provider`).
    /// Required: without them every call would look internal.
    #[serde(deserialize_with = "list")]
    pub trunk_patterns: Vec<String>,
    /// Asterisk patterns of internal extensions (default `_XXX`, `_XXXX`).
    #[serde(deserialize_with = "list")]
    pub extension_patterns: Vec<String>,
    /// Region for national numbers (default `GR`).
    pub default_region: String,
    /// Keep-alive `Ping` period; no answer by the next period drops the connection
    /// (default 20 s).
    #[serde(skip)]
    pub ping_interval: Duration,
    /// How long an action waits for its response (default 10 s).
    #[serde(skip)]
    pub action_timeout: Duration,
    /// Limit for TCP connect + banner + login (default 10 s).
    #[serde(skip)]
    pub connect_timeout: Duration,
    /// First reconnect delay (default 1 s); it doubles at each failure…
    #[serde(skip)]
    pub reconnect_min: Duration,
    /// …up to this cap (default 60 s). Each delay is jittered between half and all of it.
    #[serde(skip)]
    pub reconnect_max: Duration,
    /// Dialplan context for `Originate` (default `from-internal`, FreePBX's).
    pub originate_context: String,
    /// Channel to ring first for `Originate`; `{extension}` is replaced
    /// (default `PJSIP/{extension}`; `SIP/{extension}` or
    /// `Local/{extension}@from-internal` work too).
    pub originate_channel: String,
    /// How long `Originate` rings the extension (default 30 s).
    #[serde(skip)]
    pub originate_timeout: Duration,
    /// Largest accepted AMI frame in bytes (default 64 KiB).
    #[serde(skip)]
    pub max_frame: usize,
    /// Also deliver every AMI event as [`crate::AmiEvent::Event`] (default off).
    #[serde(skip)]
    pub forward_events: bool,
    /// Capacity of the event channel (default 1024); a slow consumer slows reading down.
    #[serde(skip)]
    pub event_buffer: usize,
}

impl Config {
    /// A configuration with the defaults listed on each field and no trunk pattern yet.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        username: impl Into<String>,
        secret: impl Into<SecretString>,
    ) -> Self {
        Self {
            host: host.into(),
            port,
            username: username.into(),
            secret: secret.into(),
            trunk_patterns: Vec::new(),
            extension_patterns: vec!["_XXX".into(), "_XXXX".into()],
            default_region: "GR".into(),
            ping_interval: Duration::from_secs(20),
            action_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            reconnect_min: Duration::from_secs(1),
            reconnect_max: Duration::from_secs(60),
            originate_context: "from-internal".into(),
            originate_channel: "PJSIP/{extension}".into(),
            originate_timeout: Duration::from_secs(30),
            max_frame: DEFAULT_MAX_FRAME,
            forward_events: false,
            event_buffer: 1024,
        }
    }

    /// Sets the trunk patterns (builder style).
    #[must_use]
    pub fn with_trunks<S: Into<String>>(mut self, patterns: impl IntoIterator<Item = S>) -> Self {
        self.trunk_patterns = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// The correlation rules these settings describe.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] as [`CallRules::new`] says.
    pub fn call_rules(&self) -> Result<CallRules> {
        CallRules::new(
            &self.trunk_patterns,
            &self.extension_patterns,
            &self.default_region,
        )
    }

    /// Checks every field.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &'static str, reason: &str| {
            Err(Error::InvalidConfig {
                field,
                reason: reason.to_owned(),
            })
        };
        if self.host.trim().is_empty() {
            return bad("host", "empty");
        }
        if self.port == 0 {
            return bad("port", "must not be 0");
        }
        if self.username.is_empty() || self.username.contains(['\r', '\n']) {
            return bad("username", "empty or contains a line break");
        }
        if self.secret.expose_secret().contains(['\r', '\n']) {
            return bad("secret", "contains a line break");
        }
        if self.trunk_patterns.is_empty() {
            return bad("trunk_patterns", "at least one trunk pattern is needed");
        }
        self.call_rules()?;
        if self.ping_interval < Duration::from_millis(10) {
            return bad("ping_interval", "shorter than 10 ms");
        }
        if self.action_timeout.is_zero() || self.connect_timeout.is_zero() {
            return bad("action_timeout", "zero timeout");
        }
        if self.reconnect_min.is_zero() || self.reconnect_max < self.reconnect_min {
            return bad(
                "reconnect_max",
                "reconnect_min must be > 0 and <= reconnect_max",
            );
        }
        if self.originate_context.trim().is_empty() || self.originate_context.contains(['\r', '\n'])
        {
            return bad("originate_context", "empty or contains a line break");
        }
        if !self.originate_channel.contains("{extension}")
            || self.originate_channel.contains(['\r', '\n'])
        {
            return bad("originate_channel", "must contain {extension}");
        }
        if self.max_frame < 1024 {
            return bad("max_frame", "smaller than 1 KiB");
        }
        if self.event_buffer == 0 {
            return bad("event_buffer", "must be at least 1");
        }
        Ok(())
    }
}

impl Default for Config {
    /// No host, user or secret yet, port 5038; the other defaults of [`Config::new`].
    fn default() -> Self {
        Self::new("", 5038, "", "")
    }
}

/// A list of patterns: a sequence, or one string of comma-separated items (blank items are
/// left out).
fn list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        List(Vec<String>),
        Text(String),
    }
    let items = match Form::deserialize(d)? {
        Form::List(items) => items,
        Form::Text(text) => text.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new("127.0.0.1", 5038, "crm", "hunter2").with_trunks(["PJSIP/trunk-"])
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let text = format!("{:?}", config());
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("[REDACTED]"));
    }

    #[test]
    fn validation() {
        assert!(config().validate().is_ok());
        let mut c = config();
        c.trunk_patterns.clear();
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidConfig {
                field: "trunk_patterns",
                ..
            })
        ));
        let mut c = config();
        c.default_region = "XX".into();
        assert!(c.validate().is_err());
        let mut c = config();
        c.reconnect_max = Duration::from_millis(1);
        assert!(c.validate().is_err());
        let mut c = config();
        c.originate_channel = "PJSIP/201".into();
        assert!(c.validate().is_err());
    }
}
