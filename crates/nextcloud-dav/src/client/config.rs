//! Client configuration.

use std::fmt;
use std::time::Duration;

/// A password or Nextcloud app password. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the `Authorization` header only.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// Where and how to reach the server. Files live at
/// `{url}/remote.php/dav/files/{user}/{base_path}/{path}`.
#[derive(Debug, Clone)]
pub struct Config {
    /// Server URL, `http(s)://host[:port][/prefix]` (no credentials, query or fragment).
    pub url: String,
    /// Nextcloud user id.
    pub user: String,
    /// Password or app password (HTTP Basic).
    pub password: Password,
    /// Folder under the user's files that every path is relative to (`""` = the user's
    /// root). Validated like any [`crate::DavPath`]; it must exist on the server.
    pub base_path: String,
    /// Deadline for metadata requests (PROPFIND, MKCOL, DELETE, MOVE), answer included; for
    /// downloads and uploads, the longest silence allowed while waiting for the server's
    /// answer or the next piece of a download (a large transfer can take longer overall).
    pub timeout: Duration,
    /// Deadline for opening the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Extra attempts after a failure for requests that may be repeated: PROPFIND, GET,
    /// DELETE, MKCOL, MOVE with overwrite, and PUT of bytes or a file — on connect errors,
    /// dropped connections and 500/502/503/504. MOVE without overwrite is retried only when
    /// the connection could not be opened; a PUT of a stream is never retried.
    pub retries: u32,
    /// Back-off before the first retry; doubled before each further one (capped at 10 s).
    pub retry_backoff: Duration,
    /// Largest PROPFIND answer accepted (a 5,000-entry folder is about 4 MB).
    pub max_listing_bytes: usize,
}

impl Config {
    /// A configuration with defaults: base folder = the user's root, 30 s timeout, 5 s
    /// connect timeout, 3 retries from 200 ms, 64 MiB listing limit.
    pub fn new(
        url: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<Password>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_never_shows() {
        let c = Config::new("http://h", "alice", "s3cret-app-pass");
        let shown = format!("{c:?} {}", c.password);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(c.password.expose_secret(), "s3cret-app-pass");
    }
}
