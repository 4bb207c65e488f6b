//! Configuration: built-in defaults, then an optional TOML file, then `CRM_*` environment
//! variables, validated once at start. Secrets are [`Secret`]s: their `Debug` prints `***`.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A configuration value that must never be printed.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Everything `crm` needs to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address and port the HTTP server listens on.
    pub bind: SocketAddr,
    /// Folder holding the SQLite database and generated secrets.
    pub data_dir: PathBuf,
    /// HS256 signing secret for access tokens. Generated and kept in the data dir when unset.
    pub jwt_secret: Option<Secret>,
    /// Lifetime of the tokens issued by `POST /api/auth/login`, in seconds.
    pub token_ttl_secs: u64,
    /// Log filter in `tracing` syntax, e.g. `info` or `crm_gateway=debug,info`.
    pub log: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Largest accepted JSON request body, in bytes.
    pub max_body_bytes: usize,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            jwt_secret: None,
            token_ttl_secs: 12 * 3600,
            log: "info".into(),
            log_format: LogFormat::Text,
            max_body_bytes: 1024 * 1024,
            workers: 0,
        }
    }
}

impl Config {
    /// Loads defaults ← `file` (if given; it must exist) ← `CRM_*` environment variables.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                bail!("configuration file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(Env::prefixed("CRM_"));
        let config: Config = figment.extract().context("invalid configuration")?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.token_ttl_secs == 0 {
            bail!("token_ttl_secs must be above 0");
        }
        if self.max_body_bytes < 1024 {
            bail!("max_body_bytes must be at least 1024");
        }
        if let Some(secret) = &self.jwt_secret
            && secret.expose().len() < 16
        {
            bail!("jwt_secret must be at least 16 characters long");
        }
        Ok(())
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("crm.db")
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let c = Config {
            jwt_secret: Some(Secret::new("super-secret-value-123")),
            ..Config::default()
        };
        let printed = format!("{c:?}");
        assert!(!printed.contains("super-secret"), "{printed}");
        assert!(printed.contains("***"));
    }

    #[test]
    fn file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("crm.toml", "bind = \"127.0.0.1:9000\"\nlog = \"debug\"\n")?;
            jail.set_env("CRM_LOG", "warn");
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(c.bind.port(), 9000);
            assert_eq!(c.log, "warn");
            assert_eq!(c.data_dir, PathBuf::from("./data"));
            Ok(())
        });
    }

    #[test]
    fn missing_file_and_bad_values_are_errors() {
        figment::Jail::expect_with(|jail| {
            assert!(Config::load(Some(Path::new("nope.toml"))).is_err());
            jail.set_env("CRM_BIND", "not-an-address");
            assert!(Config::load(None).is_err());
            jail.set_env("CRM_BIND", "127.0.0.1:1");
            jail.set_env("CRM_JWT_SECRET", "short");
            assert!(Config::load(None).is_err());
            Ok(())
        });
    }
}
