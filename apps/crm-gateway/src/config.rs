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
    /// Nextcloud server URL, e.g. `https://cloud.example.com` (files are reached at
    /// `{url}/remote.php/dav/files/{user}/{base_path}/…`). Nextcloud is on when the URL, the
    /// user and the password are all set.
    pub nextcloud_url: Option<String>,
    /// Nextcloud user id.
    pub nextcloud_user: Option<String>,
    /// An app password of that user (Settings → Security → Devices & sessions).
    pub nextcloud_password: Option<Secret>,
    /// Folder under the user's files that every CRM path is relative to (`""` = the root).
    pub nextcloud_base_path: String,
    /// How long a Nextcloud request may stay silent before it fails, in seconds.
    pub nextcloud_timeout_secs: u64,
    /// Largest file accepted by `POST /api/crm/nextcloud/upload`, in bytes.
    pub max_upload_bytes: u64,
    /// WhatsApp Cloud API: the Graph API host (Meta's, or a test peer).
    pub wa_graph_url: String,
    /// WhatsApp Cloud API: the Graph API version path segment.
    pub wa_api_version: String,
    /// The business number's id. WhatsApp is on when it, the access token, the app secret
    /// and the verify token are all set.
    pub wa_phone_number_id: Option<String>,
    /// A system-user access token for the Graph API.
    pub wa_access_token: Option<Secret>,
    /// The app secret that signs webhooks (`X-Hub-Signature-256`).
    pub wa_app_secret: Option<Secret>,
    /// The token Meta's subscription handshake must present.
    pub wa_verify_token: Option<Secret>,
    /// FreePBX/Asterisk Manager Interface host. Calls are followed when the host, user and
    /// secret are set.
    pub ami_host: Option<String>,
    pub ami_port: u16,
    pub ami_user: Option<String>,
    pub ami_secret: Option<Secret>,
    /// Dial patterns of trunk channels/endpoints, comma-separated (`_trunk-.`, `PJSIP/acme`).
    pub ami_trunks: String,
    /// Patterns of internal extensions, comma-separated.
    pub ami_extensions: String,
    /// Region for numbers written without a country code.
    pub ami_default_region: String,
    /// Dialplan context and channel template of click-to-call (`{extension}` is replaced).
    pub ami_originate_context: String,
    pub ami_originate_channel: String,
    /// The e-mail account of the flat `imap_*` / `smtp_*` keys (the environment's).
    #[serde(flatten)]
    pub mail: MailAccountSettings,
    /// Further e-mail accounts (config file only): `[[mail_accounts]]` tables with the same
    /// keys and a `name`.
    pub mail_accounts: Vec<MailAccountSettings>,
    /// How often the background sync compares every folder with the server (reconciliation),
    /// in seconds.
    pub mail_verify_secs: u64,
    /// Longest wait for new mail (IDLE or polling) before the next sync anyway, in seconds.
    pub mail_idle_secs: u64,
    /// Largest total of attachments of one outgoing e-mail, in bytes.
    pub mail_max_attachment_bytes: u64,
}

/// One e-mail account as configured: IMAP to read, SMTP to send; either may be left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MailAccountSettings {
    /// How the account is named in the status and in `account` of a send (default: the IMAP
    /// user, else the SMTP sender).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imap_host: Option<String>,
    /// Default 993 with `tls`, 143 otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imap_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imap_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imap_password: Option<Secret>,
    /// `tls` (default), `starttls`, or `plain` (loopback only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imap_tls: Option<String>,
    /// Comma-separated folders, each optionally `:inbound` or `:outbound` (default
    /// `INBOX,Sent`; a folder named like Sent is outbound).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imap_folders: Option<String>,
    /// A CA certificate (PEM file) to trust besides the public roots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imap_ca_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_host: Option<String>,
    /// Default 465 with `tls`, 587 with `starttls`, 25 with `plain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_password: Option<Secret>,
    /// `tls`, `starttls` (default), or `plain` (loopback only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_tls: Option<String>,
    /// The sender of mail written in the CRM, e.g. `BellSystems <info@bellsystems.gr>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_ca_file: Option<PathBuf>,
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
            nextcloud_url: None,
            nextcloud_user: None,
            nextcloud_password: None,
            nextcloud_base_path: String::new(),
            nextcloud_timeout_secs: 30,
            max_upload_bytes: 1 << 30,
            wa_graph_url: wa_bridge::graph::DEFAULT_BASE_URL.into(),
            wa_api_version: wa_bridge::graph::DEFAULT_VERSION.into(),
            wa_phone_number_id: None,
            wa_access_token: None,
            wa_app_secret: None,
            wa_verify_token: None,
            ami_host: None,
            ami_port: 5038,
            ami_user: None,
            ami_secret: None,
            ami_trunks: String::new(),
            ami_extensions: "_XXX,_XXXX".into(),
            ami_default_region: "GR".into(),
            ami_originate_context: "from-internal".into(),
            ami_originate_channel: "PJSIP/{extension}".into(),
            mail: MailAccountSettings::default(),
            mail_accounts: Vec::new(),
            mail_verify_secs: 3600,
            mail_idle_secs: 600,
            mail_max_attachment_bytes: 25 << 20,
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
        figment = figment.merge(Env::prefixed("CRM_").ignore(&RAW_STRING_KEYS));
        // figment reads `0123` or `true` in a variable as a number or a boolean; these keys
        // are text whatever they look like (a password of digits stays that password)
        for key in RAW_STRING_KEYS {
            if let Ok(value) = std::env::var(format!("CRM_{}", key.to_ascii_uppercase())) {
                figment = figment.merge(Serialized::default(key, value));
            }
        }
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
        if self.max_upload_bytes == 0 {
            bail!("max_upload_bytes must be above 0");
        }
        self.nextcloud()?;
        self.whatsapp()?;
        self.ami()?;
        self.mail_accounts()?;
        if self.mail_verify_secs == 0 || self.mail_idle_secs == 0 {
            bail!("mail_verify_secs and mail_idle_secs must be above 0");
        }
        Ok(())
    }

    /// The Nextcloud client configuration: `None` when Nextcloud is not configured at all
    /// (url, user and password all unset or empty); an error naming what is missing when
    /// only some of them are set.
    pub fn nextcloud(&self) -> anyhow::Result<Option<nextcloud_dav::Config>> {
        let url = given(self.nextcloud_url.as_deref());
        let user = given(self.nextcloud_user.as_deref());
        let password = self
            .nextcloud_password
            .as_ref()
            .map(Secret::expose)
            .filter(|p| !p.is_empty());
        let (url, user, password) = match (url, user, password) {
            (None, None, None) => return Ok(None),
            (Some(url), Some(user), Some(password)) => (url, user, password),
            (url, user, password) => bail!(
                "Nextcloud is partly configured, missing: {}. Set the url, the user and the \
                 (app) password together, or none of them",
                missing(&[
                    ("nextcloud_url", url.is_none()),
                    ("nextcloud_user", user.is_none()),
                    ("nextcloud_password", password.is_none()),
                ])
            ),
        };
        if self.nextcloud_timeout_secs == 0 {
            bail!("nextcloud_timeout_secs must be above 0");
        }
        let mut config = nextcloud_dav::Config::new(url, user, password)
            .with_base_path(self.nextcloud_base_path.trim());
        config.timeout = std::time::Duration::from_secs(self.nextcloud_timeout_secs);
        // a server that does not accept the connection within the timeout is down
        config.connect_timeout = config.connect_timeout.min(config.timeout);
        Ok(Some(config))
    }

    /// WhatsApp's settings: `None` when none is set; an error naming what is missing when
    /// only some are.
    pub fn whatsapp(&self) -> anyhow::Result<Option<WhatsAppSettings>> {
        let secret = |s: &Option<Secret>| {
            s.as_ref()
                .filter(|s| !s.expose().trim().is_empty())
                .cloned()
        };
        let parts = (
            given(self.wa_phone_number_id.as_deref()).map(str::to_owned),
            secret(&self.wa_access_token),
            secret(&self.wa_app_secret),
            secret(&self.wa_verify_token),
        );
        match parts {
            (None, None, None, None) => Ok(None),
            (Some(phone_number_id), Some(access_token), Some(app_secret), Some(verify_token)) => {
                let mut graph = wa_bridge::Config::new(phone_number_id, access_token.expose());
                graph.base_url = self.wa_graph_url.trim().to_owned();
                graph.version = self.wa_api_version.trim().to_owned();
                Ok(Some(WhatsAppSettings {
                    graph,
                    app_secret,
                    verify_token,
                }))
            }
            (a, b, c, d) => bail!(
                "WhatsApp is partly configured, missing: {}",
                missing(&[
                    ("wa_phone_number_id", a.is_none()),
                    ("wa_access_token", b.is_none()),
                    ("wa_app_secret", c.is_none()),
                    ("wa_verify_token", d.is_none()),
                ])
            ),
        }
    }

    /// The AMI client's settings: `None` when no AMI key is set; an error naming what is
    /// missing or wrong otherwise.
    pub fn ami(&self) -> anyhow::Result<Option<ami_bridge::Config>> {
        let host = given(self.ami_host.as_deref());
        let user = given(self.ami_user.as_deref());
        let secret = self.ami_secret.as_ref().filter(|s| !s.expose().is_empty());
        let (host, user, secret) = match (host, user, secret) {
            (None, None, None) => return Ok(None),
            (Some(h), Some(u), Some(s)) => (h, u, s),
            (h, u, s) => bail!(
                "the PBX (AMI) is partly configured, missing: {}",
                missing(&[
                    ("ami_host", h.is_none()),
                    ("ami_user", u.is_none()),
                    ("ami_secret", s.is_none()),
                ])
            ),
        };
        let list = |s: &str| -> Vec<String> {
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut config = ami_bridge::Config::new(
            host,
            self.ami_port,
            user,
            ami_bridge::Secret::new(secret.expose()),
        )
        .with_trunks(list(&self.ami_trunks));
        config.extension_patterns = list(&self.ami_extensions);
        config.default_region = self.ami_default_region.trim().to_owned();
        config.originate_context = self.ami_originate_context.trim().to_owned();
        config.originate_channel = self.ami_originate_channel.trim().to_owned();
        config
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid AMI settings: {e}"))?;
        Ok(Some(config))
    }

    /// Every configured e-mail account (the flat keys' first, then `mail_accounts`), with
    /// an error naming what is missing or wrong in any of them.
    pub fn mail_accounts(&self) -> anyhow::Result<Vec<MailAccount>> {
        let flat = std::iter::once(&self.mail).filter(|m| m.is_set());
        let mut accounts = Vec::new();
        for settings in flat.chain(&self.mail_accounts) {
            let account = settings.resolve()?;
            if accounts
                .iter()
                .any(|a: &MailAccount| a.name == account.name)
            {
                bail!(
                    "two e-mail accounts are named {:?}: give each a distinct `name`",
                    account.name
                );
            }
            accounts.push(account);
        }
        Ok(accounts)
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("crm.db")
    }
}

/// WhatsApp's settings, all given.
#[derive(Debug, Clone)]
pub struct WhatsAppSettings {
    pub graph: wa_bridge::Config,
    pub app_secret: Secret,
    pub verify_token: Secret,
}

/// An e-mail account, checked and ready to use.
#[derive(Debug, Clone)]
pub struct MailAccount {
    pub name: String,
    /// Reading: the IMAP account and the folders to follow.
    pub imap: Option<(mail_bridge::ImapConfig, Vec<MailFolder>)>,
    /// Sending: the SMTP server and the sender.
    pub smtp: Option<(mail_bridge::SmtpConfig, String)>,
}

/// A followed folder and the direction of the mail in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFolder {
    pub name: String,
    pub outbound: bool,
}

impl MailAccountSettings {
    fn is_set(&self) -> bool {
        [
            &self.imap_host,
            &self.imap_user,
            &self.smtp_host,
            &self.smtp_from,
        ]
        .into_iter()
        .any(|v| given(v.as_deref()).is_some())
            || self.imap_password.is_some()
    }

    fn resolve(&self) -> anyhow::Result<MailAccount> {
        let imap = self.imap()?;
        let smtp = self.smtp()?;
        let name = given(self.name.as_deref())
            .or(imap.as_ref().map(|(c, _)| c.user.as_str()))
            .or(smtp.as_ref().map(|(_, from)| from.as_str()))
            .context("an e-mail account has neither IMAP nor SMTP settings")?
            .to_owned();
        Ok(MailAccount { name, imap, smtp })
    }

    fn imap(&self) -> anyhow::Result<Option<(mail_bridge::ImapConfig, Vec<MailFolder>)>> {
        let host = given(self.imap_host.as_deref());
        let user = given(self.imap_user.as_deref());
        let password = self
            .imap_password
            .as_ref()
            .filter(|p| !p.expose().is_empty());
        let (host, user, password) = match (host, user, password) {
            (None, None, None) => return Ok(None),
            (Some(h), Some(u), Some(p)) => (h, u, p),
            (h, u, p) => bail!(
                "IMAP is partly configured, missing: {}",
                missing(&[
                    ("imap_host", h.is_none()),
                    ("imap_user", u.is_none()),
                    ("imap_password", p.is_none())
                ])
            ),
        };
        let security = security("imap_tls", self.imap_tls.as_deref(), "tls")?;
        let port = self.imap_port.unwrap_or(match security {
            mail_bridge::Security::Tls => 993,
            _ => 143,
        });
        let mut config = mail_bridge::ImapConfig::new(
            host,
            port,
            security,
            user,
            mail_bridge::Password::new(password.expose()),
        );
        config.ca_pem = read_ca("imap_ca_file", self.imap_ca_file.as_deref())?;
        let folders = parse_folders(self.imap_folders.as_deref().unwrap_or("INBOX,Sent"))?;
        Ok(Some((config, folders)))
    }

    fn smtp(&self) -> anyhow::Result<Option<(mail_bridge::SmtpConfig, String)>> {
        let host = given(self.smtp_host.as_deref());
        let from = given(self.smtp_from.as_deref());
        let (host, from) = match (host, from) {
            (None, None) => return Ok(None),
            (Some(h), Some(f)) => (h, f),
            (h, f) => bail!(
                "SMTP is partly configured, missing: {}",
                missing(&[("smtp_host", h.is_none()), ("smtp_from", f.is_none())])
            ),
        };
        let security = security("smtp_tls", self.smtp_tls.as_deref(), "starttls")?;
        let port = self.smtp_port.unwrap_or(match security {
            mail_bridge::Security::Tls => 465,
            mail_bridge::Security::StartTls => 587,
            mail_bridge::Security::Plain => 25,
        });
        let mut config = mail_bridge::SmtpConfig::new(host, port, security);
        let user = given(self.smtp_user.as_deref());
        let password = self
            .smtp_password
            .as_ref()
            .filter(|p| !p.expose().is_empty());
        match (user, password) {
            (None, None) => {}
            (Some(u), Some(p)) => {
                config.user = Some(u.to_owned());
                config.password = Some(mail_bridge::Password::new(p.expose()));
            }
            _ => bail!("smtp_user and smtp_password must be set together"),
        }
        config.ca_pem = read_ca("smtp_ca_file", self.smtp_ca_file.as_deref())?;
        Ok(Some((config, from.to_owned())))
    }
}

/// The keys of a partly configured integration that are not set, for its error.
fn missing(keys: &[(&str, bool)]) -> String {
    keys.iter()
        .filter_map(|(k, m)| m.then_some(*k))
        .collect::<Vec<_>>()
        .join(", ")
}

fn security(
    key: &str,
    value: Option<&str>,
    default: &str,
) -> anyhow::Result<mail_bridge::Security> {
    let value = given(value).unwrap_or(default);
    value
        .parse()
        .map_err(|_| anyhow::anyhow!("{key} must be tls, starttls or plain, not {value:?}"))
}

fn read_ca(key: &str, path: Option<&Path>) -> anyhow::Result<Option<Vec<u8>>> {
    path.map(|p| std::fs::read(p).with_context(|| format!("{key}: cannot read {}", p.display())))
        .transpose()
}

/// `INBOX, Sent` or `INBOX:inbound, Gesendet:outbound`.
fn parse_folders(list: &str) -> anyhow::Result<Vec<MailFolder>> {
    let mut folders: Vec<MailFolder> = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, outbound) = match item.rsplit_once(':') {
            Some((name, "inbound")) => (name.trim(), false),
            Some((name, "outbound")) => (name.trim(), true),
            _ => (item, looks_like_sent(item)),
        };
        if name.is_empty() || folders.iter().any(|f| f.name == name) {
            bail!("imap_folders: empty or repeated folder in {list:?}");
        }
        folders.push(MailFolder {
            name: name.to_owned(),
            outbound,
        });
    }
    if folders.is_empty() {
        bail!("imap_folders names no folder");
    }
    Ok(folders)
}

/// Whether a folder name is one of the usual names of the sent-mail folder.
fn looks_like_sent(name: &str) -> bool {
    let last = name
        .rsplit(['/', '.'])
        .next()
        .unwrap_or(name)
        .to_lowercase();
    matches!(
        last.as_str(),
        "sent" | "sent items" | "sent messages" | "sent mail" | "απεσταλμένα" | "gesendet"
    )
}

/// Keys whose `CRM_*` variables are taken verbatim as strings.
const RAW_STRING_KEYS: [&str; 24] = [
    "jwt_secret",
    "nextcloud_url",
    "nextcloud_user",
    "nextcloud_password",
    "nextcloud_base_path",
    "wa_graph_url",
    "wa_api_version",
    "wa_phone_number_id",
    "wa_access_token",
    "wa_app_secret",
    "wa_verify_token",
    "ami_host",
    "ami_user",
    "ami_secret",
    "ami_trunks",
    "ami_extensions",
    "smtp_from",
    "imap_host",
    "imap_user",
    "imap_password",
    "imap_folders",
    "smtp_host",
    "smtp_user",
    "smtp_password",
];

/// A value that is set and not blank.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
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

    #[test]
    fn nextcloud_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert!(c.nextcloud().map_err(|e| e.to_string())?.is_none());
            assert_eq!(c.max_upload_bytes, 1 << 30);
            assert_eq!(c.nextcloud_timeout_secs, 30);

            jail.set_env("CRM_NEXTCLOUD_URL", "https://cloud.example.com");
            jail.set_env("CRM_NEXTCLOUD_USER", "bellsystems");
            jail.set_env("CRM_NEXTCLOUD_PASSWORD", "Abcde-Fghij-Klmno-Pqrst-Uvwxy");
            jail.set_env("CRM_NEXTCLOUD_BASE_PATH", "CRM/Πελάτες");
            jail.set_env("CRM_NEXTCLOUD_TIMEOUT_SECS", "7");
            jail.set_env("CRM_MAX_UPLOAD_BYTES", "1048576");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.max_upload_bytes, 1_048_576);
            let printed = format!("{c:?}");
            assert!(!printed.contains("Abcde-Fghij"), "{printed}");
            let nc = c
                .nextcloud()
                .map_err(|e| e.to_string())?
                .ok_or("not configured")?;
            assert_eq!(nc.url, "https://cloud.example.com");
            assert_eq!(nc.user, "bellsystems");
            assert_eq!(nc.password.expose_secret(), "Abcde-Fghij-Klmno-Pqrst-Uvwxy");
            assert_eq!(nc.base_path, "CRM/Πελάτες");
            assert_eq!(nc.timeout, std::time::Duration::from_secs(7));
            Ok(())
        });
    }

    #[test]
    fn nextcloud_partly_configured_names_what_is_missing() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CRM_NEXTCLOUD_URL", "https://cloud.example.com");
            let e = Config::load(None).map(|_| ()).unwrap_err().to_string();
            assert!(
                e.contains("missing: nextcloud_user, nextcloud_password."),
                "{e}"
            );
            jail.set_env("CRM_NEXTCLOUD_USER", "bellsystems");
            let e = Config::load(None).map(|_| ()).unwrap_err().to_string();
            assert!(e.contains("missing: nextcloud_password."), "{e}");
            // an empty value counts as unset
            jail.set_env("CRM_NEXTCLOUD_PASSWORD", "");
            assert!(Config::load(None).is_err());
            jail.set_env("CRM_NEXTCLOUD_PASSWORD", "app-pass");
            jail.set_env("CRM_NEXTCLOUD_URL", " ");
            let e = Config::load(None).map(|_| ()).unwrap_err().to_string();
            assert!(e.contains("missing: nextcloud_url."), "{e}");
            jail.set_env("CRM_NEXTCLOUD_URL", "https://cloud.example.com");
            assert!(Config::load(None).is_ok());
            jail.set_env("CRM_NEXTCLOUD_TIMEOUT_SECS", "0");
            assert!(Config::load(None).is_err());
            Ok(())
        });
    }

    #[test]
    fn nextcloud_from_the_file_with_a_numeric_password() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "crm.toml",
                "nextcloud_url = \"http://127.0.0.1:8081\"\nnextcloud_user = \"alice\"\n\
                 nextcloud_password = \"from-file\"\nmax_upload_bytes = 2048\n",
            )?;
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            let nc = c
                .nextcloud()
                .map_err(|e| e.to_string())?
                .ok_or("not configured")?;
            assert_eq!(nc.password.expose_secret(), "from-file");
            assert_eq!(nc.base_path, "");
            assert_eq!(c.max_upload_bytes, 2048);
            // the environment wins, and a password of digits stays a password
            jail.set_env("CRM_NEXTCLOUD_PASSWORD", "0123456789");
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            let nc = c
                .nextcloud()
                .map_err(|e| e.to_string())?
                .ok_or("not configured")?;
            assert_eq!(nc.password.expose_secret(), "0123456789");
            Ok(())
        });
    }

    #[test]
    fn mail_accounts_from_the_environment_and_the_file() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert!(c.mail_accounts().map_err(|e| e.to_string())?.is_empty());

            jail.set_env("CRM_IMAP_HOST", "mail.example.com");
            jail.set_env("CRM_IMAP_USER", "info@bellsystems.gr");
            jail.set_env("CRM_IMAP_PASSWORD", "007");
            jail.set_env("CRM_SMTP_HOST", "mail.example.com");
            jail.set_env("CRM_SMTP_FROM", "BellSystems <info@bellsystems.gr>");
            jail.create_file(
                "crm.toml",
                r#"
                [[mail_accounts]]
                name = "service"
                imap_host = "127.0.0.1"
                imap_tls = "plain"
                imap_user = "service"
                imap_password = "x"
                imap_folders = "INBOX, Απεσταλμένα, Archive:outbound, Sent:inbound"
                "#,
            )?;
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            let printed = format!("{c:?}");
            assert!(!printed.contains("007"), "{printed}");
            let accounts = c.mail_accounts().map_err(|e| e.to_string())?;
            assert_eq!(accounts.len(), 2);
            let (imap, folders) = accounts[0].imap.as_ref().ok_or("no imap")?;
            assert_eq!(accounts[0].name, "info@bellsystems.gr");
            assert_eq!(
                (imap.port, imap.security),
                (993, mail_bridge::Security::Tls)
            );
            assert_eq!(imap.password.expose(), "007", "digits stay text");
            let names: Vec<(&str, bool)> = folders
                .iter()
                .map(|f| (f.name.as_str(), f.outbound))
                .collect();
            assert_eq!(names, [("INBOX", false), ("Sent", true)]);
            let (smtp, from) = accounts[0].smtp.as_ref().ok_or("no smtp")?;
            assert_eq!(
                (smtp.port, from.as_str()),
                (587, "BellSystems <info@bellsystems.gr>")
            );

            let (imap, folders) = accounts[1].imap.as_ref().ok_or("no imap")?;
            assert_eq!((accounts[1].name.as_str(), imap.port), ("service", 143));
            let names: Vec<(&str, bool)> = folders
                .iter()
                .map(|f| (f.name.as_str(), f.outbound))
                .collect();
            assert_eq!(
                names,
                [
                    ("INBOX", false),
                    ("Απεσταλμένα", true),
                    ("Archive", true),
                    ("Sent", false)
                ]
            );
            Ok(())
        });
    }

    #[test]
    fn mail_partly_configured_or_unsafe_is_refused_with_the_reason() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CRM_IMAP_HOST", "mail.example.com");
            jail.set_env("CRM_IMAP_USER", "info");
            let e = Config::load(None).err().ok_or("accepted 1")?.to_string();
            assert!(e.contains("imap_password"), "{e}");
            jail.set_env("CRM_IMAP_PASSWORD", "x");
            jail.set_env("CRM_IMAP_TLS", "tls13");
            let e = Config::load(None).err().ok_or("accepted 2")?.to_string();
            assert!(e.contains("imap_tls must be tls, starttls or plain"), "{e}");
            jail.set_env("CRM_IMAP_TLS", "plain");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            // plain to a remote host is refused when connecting, by mail-bridge
            assert_eq!(c.mail_accounts().map_err(|e| e.to_string())?.len(), 1);
            jail.set_env("CRM_SMTP_HOST", "mail.example.com");
            let e = Config::load(None).err().ok_or("accepted 3")?.to_string();
            assert!(e.contains("smtp_from"), "{e}");
            Ok(())
        });
    }
}
