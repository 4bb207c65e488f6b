//! Client configuration.

use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

/// Where and how to reach the server. Files live at
/// `{url}/remote.php/dav/files/{user}/{base_path}/{path}`.
///
/// Deserializes from `url`, `user`, `password`, `base_path` and `timeout_secs`; a key left
/// out keeps its [`Default`] (empty for the first three: [`Client::new`](crate::Client::new)
/// refuses them). The other fields are not read from configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Server URL, `http(s)://host[:port][/prefix]` (no credentials, query or fragment).
    pub url: String,
    /// Nextcloud user id.
    pub user: String,
    /// Password or app password (HTTP Basic). Redacted in `Debug`.
    pub password: SecretString,
    /// Folder under the user's files that every path is relative to (`""` = the user's
    /// root). Validated like any [`crate::DavPath`]; it must exist on the server.
    pub base_path: String,
    /// Deadline for metadata requests (PROPFIND, MKCOL, DELETE, MOVE), answer included; for
    /// downloads and uploads, the longest silence allowed while waiting for the server's
    /// answer or the next piece of a download (a large transfer can take longer overall).
    /// Configured in whole seconds, as `timeout_secs`.
    #[serde(rename = "timeout_secs", deserialize_with = "seconds")]
    pub timeout: Duration,
    /// Deadline for opening the TCP (and TLS) connection.
    #[serde(skip)]
    pub connect_timeout: Duration,
    /// Extra attempts after a failure for requests that may be repeated: PROPFIND, GET,
    /// DELETE, MKCOL, MOVE with overwrite, and PUT of bytes or a file — on connect errors,
    /// dropped connections and 500/502/503/504. MOVE without overwrite is retried only when
    /// the connection could not be opened; a PUT of a stream is never retried.
    #[serde(skip)]
    pub retries: u32,
    /// Back-off before the first retry; doubled before each further one (capped at 10 s).
    #[serde(skip)]
    pub retry_backoff: Duration,
    /// Largest PROPFIND answer accepted (a 5,000-entry folder is about 4 MB).
    #[serde(skip)]
    pub max_listing_bytes: usize,
}

impl Config {
    /// A configuration with defaults: base folder = the user's root, 30 s timeout, 5 s
    /// connect timeout, 3 retries from 200 ms, 64 MiB listing limit.
    pub fn new(
        url: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        Self {
            url: url.into(),
            user: user.into(),
            password: password.into(),
            base_path: String::new(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            retries: 3,
            retry_backoff: Duration::from_millis(200),
            max_listing_bytes: 64 << 20,
        }
    }

    /// Sets the base folder.
    pub fn with_base_path(mut self, base_path: impl Into<String>) -> Self {
        self.base_path = base_path.into();
        self
    }
}

impl Default for Config {
    /// No server, user or password yet; the other defaults of [`Config::new`].
    fn default() -> Self {
        Self::new("", "", "")
    }
}

/// A whole number of seconds as a [`Duration`].
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn password_never_shows() {
        let c = Config::new("http://h", "alice", "s3cret-app-pass");
        let shown = format!("{c:?} {:?}", c.password);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("[REDACTED]"));
        assert_eq!(c.password.expose_secret(), "s3cret-app-pass");
    }
}
