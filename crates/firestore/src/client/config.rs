//! Client configuration.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

/// The database's id when none is given.
pub const DEFAULT_DATABASE: &str = "(default)";

/// Which database, how to authenticate, how patient to be.
///
/// Deserializes from `project_id`, `database_id`, `emulator_host`, `credentials_file`,
/// `credentials_json`, `endpoint`, `timeout_secs`, `max_attempts` and `transaction_attempts`;
/// a key left out keeps its [`Default`]. The other fields are not read from configuration.
///
/// Credentials, first found wins:
/// 1. the emulator — `emulator_host` here, else the `FIRESTORE_EMULATOR_HOST` environment
///    variable, as Google's client libraries do: plain HTTP to that `host:port`, no token
///    (the emulator's admin bearer `owner`, which bypasses security rules);
/// 2. `credentials_json` (a service-account key's JSON), then `credentials_file` (its path);
/// 3. what [`gcp_auth::provider`] finds: the service-account file in
///    `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's application-default credentials, the
///    metadata server (on Google Cloud), `gcloud auth print-access-token`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The Google Cloud project. Empty: the credentials' project (a service-account key or
    /// the metadata server knows it); required with the emulator.
    pub project_id: String,
    /// The database, `(default)` unless the project has named databases.
    pub database_id: String,
    /// `host:port` of a Firestore emulator (takes precedence over `FIRESTORE_EMULATOR_HOST`).
    pub emulator_host: Option<String>,
    /// Path of a service-account key file.
    pub credentials_file: Option<PathBuf>,
    /// A service-account key's JSON itself. Redacted in `Debug`.
    pub credentials_json: Option<SecretString>,
    /// The API's origin (`https://firestore.googleapis.com`); a regional or private endpoint
    /// may be set here. Ignored with the emulator.
    pub endpoint: String,
    /// Deadline of one request, answer included. Configured in whole seconds, as
    /// `timeout_secs`.
    #[serde(rename = "timeout_secs", deserialize_with = "seconds")]
    pub timeout: Duration,
    /// Deadline for opening the connection.
    #[serde(skip)]
    pub connect_timeout: Duration,
    /// Attempts of one request (1 = no retry) on `UNAVAILABLE`, `ABORTED`,
    /// `RESOURCE_EXHAUSTED` (429) and `DEADLINE_EXCEEDED`, and on connection failures (for
    /// writes: only when the connection could not be opened). Never on a failed precondition.
    pub max_attempts: u32,
    /// Back-off before the first retry; doubled before each further one, with jitter.
    #[serde(skip)]
    pub retry_backoff: Duration,
    /// Longest back-off.
    #[serde(skip)]
    pub max_backoff: Duration,
    /// Attempts of a whole transaction in
    /// [`Client::run_transaction`](crate::Client::run_transaction) when it loses to contention.
    pub transaction_attempts: u32,
}

impl Config {
    /// A configuration for `project_id` with the defaults: database `(default)`, credentials
    /// found as the type's documentation says, 30 s timeout, 5 s connect timeout, 5 attempts
    /// from 100 ms back-off up to 5 s, 10 transaction attempts.
    pub fn new(project_id: impl Into<String>) -> Self {
        Self {
            project_id: project_id.into(),
            database_id: DEFAULT_DATABASE.to_owned(),
            emulator_host: None,
            credentials_file: None,
            credentials_json: None,
            endpoint: "https://firestore.googleapis.com".to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            max_attempts: 5,
            retry_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            transaction_attempts: 10,
        }
    }

    /// The same, against the emulator at `host:port`.
    pub fn emulator(project_id: impl Into<String>, host: impl Into<String>) -> Self {
        Self {
            emulator_host: Some(host.into()),
            ..Self::new(project_id)
        }
    }

    /// Sets the database.
    pub fn with_database(mut self, database_id: impl Into<String>) -> Self {
        self.database_id = database_id.into();
        self
    }
}

impl Default for Config {
    /// No project yet; the other defaults of [`Config::new`].
    fn default() -> Self {
        Self::new("")
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
    fn deserializes_with_defaults() {
        let c: Config = serde_json::from_value(serde_json::json!({
            "project_id": "bellsystems",
            "timeout_secs": 7,
            "credentials_json": "{\"private_key\": \"s3cret-key\"}"
        }))
        .unwrap();
        assert_eq!(c.project_id, "bellsystems");
        assert_eq!(c.database_id, "(default)");
        assert_eq!(c.timeout, Duration::from_secs(7));
        assert_eq!(c.max_attempts, 5);
        assert_eq!(c.emulator_host, None);
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            c.credentials_json
                .unwrap()
                .expose_secret()
                .contains("s3cret-key")
        );
        let empty: Config = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(empty.project_id, "");
        assert_eq!(empty.endpoint, "https://firestore.googleapis.com");
    }

    #[test]
    fn wrong_types_are_refused() {
        assert!(
            serde_json::from_value::<Config>(serde_json::json!({"timeout_secs": "x"})).is_err()
        );
    }
}
