//! Configuration: built-in defaults, then an optional TOML file, then `CRM_*` environment
//! variables, checked once at start.
//!
//! Each integration is a section that deserializes straight into its bridge's own
//! configuration type: `[nextcloud]` is a [`nextcloud_dav::Config`], `[ami]` an
//! [`ami_bridge::Config`], `[whatsapp]` a [`wa_bridge::Config`] and the webhook's secrets,
//! `[mail]` and each `[[mail_accounts]]` an IMAP and an SMTP section of `mail-bridge`, `[llm]`
//! an [`llm_client::Config`] (the AI nodes of workflows). Every
//! variable sets one key, as [`ENV`] lists (the README's table). Secrets are
//! [`SecretString`]s: redacted in `Debug`, so in the log too.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use figment::value::Value;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Everything `crm` needs to run.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address and port the HTTP server listens on.
    pub bind: SocketAddr,
    /// Folder holding the SQLite database and generated secrets.
    pub data_dir: PathBuf,
    /// HS256 signing secret for access tokens. Generated and kept in the data dir when unset.
    pub jwt_secret: Option<SecretString>,
    /// Lifetime of the tokens issued by `POST /api/auth/login`, in seconds.
    pub token_ttl_secs: u64,
    /// `[login]`: how often a client address and a user name may try to log in, and how many
    /// password checks run at once.
    pub login: crate::throttle::LoginConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the client (addresses or CIDR blocks);
    /// without them the client is the connection's peer.
    pub trusted_proxies: crate::throttle::TrustedProxies,
    /// Log filter in `tracing` syntax, e.g. `info` or `crm_gateway=debug,info`.
    pub log: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Largest accepted JSON request body, in bytes.
    pub max_body_bytes: usize,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Longest wait for a request's head (request line and headers), in seconds: from the
    /// connection's opening for its first request (answered 408), from the end of the previous
    /// response plus `keep_alive_secs` for the next ones (closed).
    pub request_head_timeout_secs: u64,
    /// How long an idle connection stays open for a next request, in seconds; 0 closes every
    /// connection after its response.
    pub keep_alive_secs: u64,
    /// How long the server waits for a request body before answering 408, in seconds, extended
    /// by one second for every `body_min_rate` bytes received. Only time spent waiting for the
    /// client counts.
    pub body_timeout_secs: u64,
    /// The slowest body the server keeps reading, in bytes per second (0: the whole body within
    /// `body_timeout_secs`).
    pub body_min_rate: u64,
    /// Most connections open at once, all workers together; past it new connections wait in
    /// the listen backlog. Lowered at start to what the open-file limit allows.
    pub max_connections: usize,
    /// Connections the kernel holds for the server before it accepts them.
    pub listen_backlog: u32,
    /// On SIGTERM, how long the requests in flight get to finish, in seconds (the background
    /// work then gets 10 more).
    pub shutdown_timeout_secs: u64,
    /// The database writer's page cache, in MiB. More keeps sustained ingestion into a large
    /// database fast (the index pages a write changes stay in memory); each MiB is memory.
    pub db_cache_mib: u32,
    /// When set, `GET /metrics` needs `Authorization: Bearer <this token>`.
    pub metrics_token: Option<SecretString>,
    /// `[store]`: where the CRM's records are kept.
    pub store: StoreConfig,
    /// `[nextcloud]`: the WebDAV client. After [`Config::checked`], `None` unless the url, the
    /// user and the password are all given.
    pub nextcloud: Option<nextcloud_dav::Config>,
    /// Largest file accepted by `POST /api/crm/nextcloud/upload`, in bytes.
    pub max_upload_bytes: u64,
    /// `[whatsapp]`: the Cloud API. After [`Config::checked`], `None` unless the number id,
    /// the access token, the app secret and the verify token are all given.
    pub whatsapp: Option<WhatsAppConfig>,
    /// `[ami]`: the FreePBX/Asterisk Manager Interface. After [`Config::checked`], `None`
    /// unless the host, the user and the secret are all given.
    pub ami: Option<ami_bridge::Config>,
    /// `[mail]`: the e-mail account of the `CRM_IMAP_*` and `CRM_SMTP_*` variables, the first
    /// of [`Config::email_accounts`].
    pub mail: Option<MailAccountConfig>,
    /// `[[mail_accounts]]`: further e-mail accounts (config file only), each with a `name`.
    pub mail_accounts: Vec<MailAccountConfig>,
    /// How often the background sync compares every folder with the server (reconciliation),
    /// in seconds.
    pub mail_verify_secs: u64,
    /// Longest wait for new mail (IDLE or polling) before the next sync anyway, in seconds.
    pub mail_idle_secs: u64,
    /// Largest total of attachments of one outgoing e-mail, in bytes.
    pub mail_max_attachment_bytes: u64,
    /// `[company]`: the issuer printed on quotations and order confirmations.
    pub company: CompanyConfig,
    /// `[llm]`: the OpenAI-compatible chat-completions endpoint of the AI workflow nodes
    /// (`url`, `model`, `api_key`). After [`Config::checked`], `None` unless the url and the
    /// model are both given.
    pub llm: Option<llm_client::Config>,
    /// Hosts and address blocks the `http_request` workflow node may reach although they are
    /// private (loopback, LAN, link-local, CGNAT…); every other private address is refused.
    pub workflow_http_allow: HttpAllow,
    /// `[backup]`: the server's own backups of its database.
    pub backup: BackupConfig,
}

/// `workflow_http_allow`: host names and addresses or CIDR blocks an `http_request` node may
/// reach even when they are private. A list in TOML, or one comma- or space-separated text
/// (`CRM_WORKFLOW_HTTP_ALLOW=127.0.0.1,10.0.0.0/8,erp.local`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpAllow {
    /// Lower case, without a trailing dot.
    hosts: Vec<String>,
    blocks: Vec<crate::throttle::Cidr>,
}

impl HttpAllow {
    /// Whether the URL host `host` (a name, as written in the URL) is allowed by name.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    /// Whether `ip` is in an allowed block.
    pub fn allows_ip(&self, ip: std::net::IpAddr) -> bool {
        self.blocks.iter().any(|b| b.contains(ip))
    }
}

impl std::str::FromStr for HttpAllow {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut allow = Self::default();
        for item in s.split([',', ' ', '\t', '\n']).filter(|i| !i.is_empty()) {
            let looks_like_address = item.contains('/')
                || item.contains(':')
                || item.parse::<std::net::IpAddr>().is_ok();
            if looks_like_address {
                allow.blocks.push(item.parse()?);
            } else {
                let host = item.trim_end_matches('.').to_ascii_lowercase();
                let valid = !host.is_empty()
                    && host.split('.').all(|l| {
                        !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    });
                if !valid {
                    return Err(format!(
                        "`{item}` is not a host name, an address or a CIDR block"
                    ));
                }
                allow.hosts.push(host);
            }
        }
        Ok(allow)
    }
}

impl<'de> Deserialize<'de> for HttpAllow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            List(Vec<String>),
            Text(String),
        }
        let text = match Form::deserialize(d)? {
            Form::List(items) => items.join(","),
            Form::Text(text) => text,
        };
        text.parse().map_err(|e: String| {
            serde::de::Error::custom(format!("must list hosts or CIDR blocks: {e}"))
        })
    }
}

/// `[backup]`: scheduled backups (see `crate::backups`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// The folder backups go to; `backups/` in the data dir when unset.
    pub dir: Option<PathBuf>,
    /// Hours between scheduled backups, counted from the newest backup in `dir`; 0: none.
    pub every_hours: u64,
    /// How many scheduled backups are kept (in `dir`, and in the Nextcloud folder).
    pub keep: usize,
    /// A Nextcloud folder each scheduled backup is also uploaded to (needs `[nextcloud]`).
    pub nextcloud_folder: Option<String>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            dir: None,
            every_hours: 24,
            keep: 14,
            nextcloud_folder: None,
        }
    }
}

/// `[company]`: who issues the CRM's documents, as printed at their top.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompanyConfig {
    /// The trading name, printed in bold.
    pub name: String,
    /// Address lines, as they should print (a config string may hold several, one per line).
    pub address: Option<String>,
    /// ΑΦΜ.
    pub vat_number: Option<String>,
    /// ΔΟΥ.
    pub tax_office: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// How many days a quotation is valid from its date (0: no date printed).
    pub quotation_valid_days: u32,
}

impl Default for CompanyConfig {
    fn default() -> Self {
        Self {
            name: "BellSystems".into(),
            address: None,
            vat_number: None,
            tax_office: None,
            phone: None,
            email: None,
            website: None,
            quotation_valid_days: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// `[store]`: where the CRM's records are kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct StoreConfig {
    pub kind: StoreKind,
    /// `[store.firestore]`: the Firestore database of `kind = "firestore"` (`project_id`,
    /// `database_id`, `credentials_file`, …: see `firestore::Config`).
    pub firestore: firestore::Config,
    /// Put before each Firestore collection's name (`crm_customers` → `{prefix}crm_customers`):
    /// for tests, or two CRMs in one database. Empty in production.
    pub collection_prefix: String,
    /// How often a server on Firestore gives documents written by other programs the fields
    /// the CRM lists and searches by (also once at start), in seconds; 0: only at start.
    pub reindex_secs: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            kind: StoreKind::default(),
            firestore: firestore::Config::default(),
            collection_prefix: String::new(),
            reindex_secs: 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// One SQLite file, `crm.db` in the data dir.
    #[default]
    Sqlite,
    /// Products, customers and orders in Firestore (collections `crm_products`,
    /// `crm_customers`, `crm_orders`); comms, media, users and queues stay in `crm.db`.
    Firestore,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Firestore => "firestore",
        }
    }
}

/// `[whatsapp]`: the Graph API client's keys (`base_url`, `version`, `phone_number_id`,
/// `access_token`) and the webhook's two secrets.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WhatsAppConfig {
    #[serde(flatten)]
    pub graph: wa_bridge::Config,
    /// The app secret that signs webhooks (`X-Hub-Signature-256`).
    pub app_secret: SecretString,
    /// The token Meta's subscription handshake must present.
    pub verify_token: SecretString,
}

/// `[mail]` or one `[[mail_accounts]]`: IMAP to read, SMTP to send; either may be left out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MailAccountConfig {
    /// How the account is named in the status and in `account` of a send (default: the IMAP
    /// user, else the SMTP sender).
    pub name: Option<String>,
    /// `[mail.imap]`: host, port, security, user, password, ca_file.
    pub imap: Option<mail_bridge::ImapConfig>,
    /// Comma-separated folders, each optionally `:inbound` or `:outbound` (default
    /// `INBOX,Sent`; a folder named like Sent is outbound).
    pub folders: Option<String>,
    /// `[mail.smtp]`: host, port, security, user, password, ca_file.
    pub smtp: Option<mail_bridge::SmtpConfig>,
    /// The sender of mail written in the CRM, e.g. `BellSystems <info@bellsystems.gr>`.
    pub from: Option<String>,
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

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            jwt_secret: None,
            token_ttl_secs: 12 * 3600,
            login: crate::throttle::LoginConfig::default(),
            trusted_proxies: crate::throttle::TrustedProxies::default(),
            log: "info".into(),
            log_format: LogFormat::Text,
            max_body_bytes: 1024 * 1024,
            workers: 0,
            request_head_timeout_secs: 5,
            keep_alive_secs: 5,
            body_timeout_secs: 20,
            body_min_rate: 500,
            max_connections: 10_000,
            listen_backlog: 1024,
            shutdown_timeout_secs: 20,
            db_cache_mib: crm_core::db::WRITER_CACHE_MIB,
            metrics_token: None,
            store: StoreConfig::default(),
            nextcloud: None,
            max_upload_bytes: 1 << 30,
            whatsapp: None,
            ami: None,
            mail: None,
            mail_accounts: Vec::new(),
            mail_verify_secs: 3600,
            mail_idle_secs: 600,
            mail_max_attachment_bytes: 25 << 20,
            company: CompanyConfig::default(),
            llm: None,
            workflow_http_allow: HttpAllow::default(),
            backup: BackupConfig::default(),
        }
    }
}

/// How a variable's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Verbatim: a password of digits stays that password.
    Text,
    /// As a number (or boolean) when it looks like one.
    Value,
}

/// Every `CRM_*` variable (without the prefix), the key it sets, and how its value is read.
const ENV: [(&str, &str, Read); 81] = [
    ("BIND", "bind", Read::Text),
    ("DATA_DIR", "data_dir", Read::Text),
    ("JWT_SECRET", "jwt_secret", Read::Text),
    ("TOKEN_TTL_SECS", "token_ttl_secs", Read::Value),
    (
        "LOGIN_LIMIT_PER_ADDRESS",
        "login.limit_per_address",
        Read::Value,
    ),
    ("LOGIN_LIMIT_PER_USER", "login.limit_per_user", Read::Value),
    ("LOGIN_CONCURRENCY", "login.concurrency", Read::Value),
    ("LOGIN_QUEUE", "login.queue", Read::Value),
    ("TRUSTED_PROXIES", "trusted_proxies", Read::Text),
    ("LOG", "log", Read::Text),
    ("LOG_FORMAT", "log_format", Read::Text),
    ("MAX_BODY_BYTES", "max_body_bytes", Read::Value),
    ("WORKERS", "workers", Read::Value),
    (
        "REQUEST_HEAD_TIMEOUT_SECS",
        "request_head_timeout_secs",
        Read::Value,
    ),
    ("KEEP_ALIVE_SECS", "keep_alive_secs", Read::Value),
    ("BODY_TIMEOUT_SECS", "body_timeout_secs", Read::Value),
    ("BODY_MIN_RATE", "body_min_rate", Read::Value),
    ("MAX_CONNECTIONS", "max_connections", Read::Value),
    ("LISTEN_BACKLOG", "listen_backlog", Read::Value),
    (
        "SHUTDOWN_TIMEOUT_SECS",
        "shutdown_timeout_secs",
        Read::Value,
    ),
    ("DB_CACHE_MIB", "db_cache_mib", Read::Value),
    ("METRICS_TOKEN", "metrics_token", Read::Text),
    ("STORE", "store.kind", Read::Text),
    (
        "FIRESTORE_PROJECT",
        "store.firestore.project_id",
        Read::Text,
    ),
    (
        "FIRESTORE_DATABASE",
        "store.firestore.database_id",
        Read::Text,
    ),
    (
        "FIRESTORE_COLLECTION_PREFIX",
        "store.collection_prefix",
        Read::Text,
    ),
    ("FIRESTORE_REINDEX_SECS", "store.reindex_secs", Read::Value),
    ("NEXTCLOUD_URL", "nextcloud.url", Read::Text),
    ("NEXTCLOUD_USER", "nextcloud.user", Read::Text),
    ("NEXTCLOUD_PASSWORD", "nextcloud.password", Read::Text),
    ("NEXTCLOUD_BASE_PATH", "nextcloud.base_path", Read::Text),
    (
        "NEXTCLOUD_TIMEOUT_SECS",
        "nextcloud.timeout_secs",
        Read::Value,
    ),
    ("MAX_UPLOAD_BYTES", "max_upload_bytes", Read::Value),
    ("WA_PHONE_NUMBER_ID", "whatsapp.phone_number_id", Read::Text),
    ("WA_ACCESS_TOKEN", "whatsapp.access_token", Read::Text),
    ("WA_APP_SECRET", "whatsapp.app_secret", Read::Text),
    ("WA_VERIFY_TOKEN", "whatsapp.verify_token", Read::Text),
    ("WA_GRAPH_URL", "whatsapp.base_url", Read::Text),
    ("WA_API_VERSION", "whatsapp.version", Read::Text),
    ("AMI_HOST", "ami.host", Read::Text),
    ("AMI_PORT", "ami.port", Read::Value),
    ("AMI_USER", "ami.username", Read::Text),
    ("AMI_SECRET", "ami.secret", Read::Text),
    ("AMI_TRUNKS", "ami.trunk_patterns", Read::Text),
    ("AMI_EXTENSIONS", "ami.extension_patterns", Read::Text),
    ("AMI_DEFAULT_REGION", "ami.default_region", Read::Text),
    ("AMI_ORIGINATE_CONTEXT", "ami.originate_context", Read::Text),
    ("AMI_ORIGINATE_CHANNEL", "ami.originate_channel", Read::Text),
    ("IMAP_HOST", "mail.imap.host", Read::Text),
    ("IMAP_PORT", "mail.imap.port", Read::Value),
    ("IMAP_USER", "mail.imap.user", Read::Text),
    ("IMAP_PASSWORD", "mail.imap.password", Read::Text),
    ("IMAP_TLS", "mail.imap.security", Read::Text),
    ("IMAP_FOLDERS", "mail.folders", Read::Text),
    ("IMAP_CA_FILE", "mail.imap.ca_file", Read::Text),
    ("SMTP_HOST", "mail.smtp.host", Read::Text),
    ("SMTP_PORT", "mail.smtp.port", Read::Value),
    ("SMTP_USER", "mail.smtp.user", Read::Text),
    ("SMTP_PASSWORD", "mail.smtp.password", Read::Text),
    ("SMTP_TLS", "mail.smtp.security", Read::Text),
    ("SMTP_FROM", "mail.from", Read::Text),
    ("SMTP_CA_FILE", "mail.smtp.ca_file", Read::Text),
    ("MAIL_IDLE_SECS", "mail_idle_secs", Read::Value),
    ("MAIL_VERIFY_SECS", "mail_verify_secs", Read::Value),
    (
        "MAIL_MAX_ATTACHMENT_BYTES",
        "mail_max_attachment_bytes",
        Read::Value,
    ),
    ("COMPANY_NAME", "company.name", Read::Text),
    ("COMPANY_ADDRESS", "company.address", Read::Text),
    ("COMPANY_VAT_NUMBER", "company.vat_number", Read::Text),
    ("COMPANY_TAX_OFFICE", "company.tax_office", Read::Text),
    ("COMPANY_PHONE", "company.phone", Read::Text),
    ("COMPANY_EMAIL", "company.email", Read::Text),
    ("COMPANY_WEBSITE", "company.website", Read::Text),
    (
        "QUOTATION_VALID_DAYS",
        "company.quotation_valid_days",
        Read::Value,
    ),
    ("LLM_URL", "llm.url", Read::Text),
    ("LLM_MODEL", "llm.model", Read::Text),
    ("LLM_API_KEY", "llm.api_key", Read::Text),
    ("WORKFLOW_HTTP_ALLOW", "workflow_http_allow", Read::Text),
    ("BACKUP_DIR", "backup.dir", Read::Text),
    ("BACKUP_EVERY_HOURS", "backup.every_hours", Read::Value),
    ("BACKUP_KEEP", "backup.keep", Read::Value),
    (
        "BACKUP_NEXTCLOUD_FOLDER",
        "backup.nextcloud_folder",
        Read::Text,
    ),
];

impl Config {
    /// Loads defaults ← `file` (if given; it must exist) ← `CRM_*` environment variables,
    /// then [`Config::checked`].
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::new();
        if let Some(file) = file {
            if !file.is_file() {
                bail!("configuration file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        for (var, key, read) in ENV {
            if let Ok(text) = std::env::var(format!("CRM_{var}")) {
                let value = match read {
                    Read::Text => Value::from(text),
                    Read::Value => text.parse().unwrap_or_else(|e| match e {}),
                };
                figment = figment.merge(Serialized::default(key, value));
            }
        }
        let config: Config = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {}", describe(e)))?;
        config.checked()
    }

    /// The configuration as the server uses it: an integration none of whose required keys
    /// is given (a blank value counts as not given) is turned off (`None`), values are
    /// trimmed, and an integration given only in part, or any value out of range, is an error
    /// naming the keys. [`Config::load`] ends with it; `AppState::open` runs it again for a
    /// configuration built in code.
    pub fn checked(mut self) -> anyhow::Result<Self> {
        if self.token_ttl_secs == 0 {
            bail!("token_ttl_secs must be above 0");
        }
        self.login.check()?;
        if self.max_body_bytes < 1024 {
            bail!("max_body_bytes must be at least 1024");
        }
        if let Some(secret) = &self.jwt_secret
            && secret.expose_secret().len() < 16
        {
            bail!("jwt_secret must be at least 16 characters long");
        }
        if self.max_upload_bytes == 0 {
            bail!("max_upload_bytes must be above 0");
        }
        if self.request_head_timeout_secs == 0 || self.body_timeout_secs == 0 {
            bail!("request_head_timeout_secs and body_timeout_secs must be above 0");
        }
        if self.max_connections == 0 || self.listen_backlog == 0 {
            bail!("max_connections and listen_backlog must be above 0");
        }
        self.company.name = self.company.name.trim().to_owned();
        if self.company.name.is_empty() {
            bail!("company.name (CRM_COMPANY_NAME) must not be empty: it heads every quotation");
        }
        if self.company.quotation_valid_days > 3650 {
            bail!("company.quotation_valid_days must be at most 3650");
        }
        self.metrics_token = self
            .metrics_token
            .filter(|t| !t.expose_secret().trim().is_empty());
        if let Some(token) = &self.metrics_token
            && token.expose_secret().len() < 16
        {
            bail!("metrics_token must be at least 16 characters long");
        }
        let prefix = &self.store.collection_prefix;
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            bail!("store.collection_prefix {prefix:?} may hold only letters, digits, `_` and `-`");
        }
        self.nextcloud = self.nextcloud.map(nextcloud).transpose()?.flatten();
        self.whatsapp = self.whatsapp.map(whatsapp).transpose()?.flatten();
        self.ami = self.ami.map(ami).transpose()?.flatten();
        self.mail = self.mail.filter(MailAccountConfig::is_set);
        self.email_accounts()?;
        self.llm = self.llm.map(llm).transpose()?.flatten();
        if self.mail_verify_secs == 0 || self.mail_idle_secs == 0 {
            bail!("mail_verify_secs and mail_idle_secs must be above 0");
        }
        if self.backup.keep == 0 {
            bail!("backup.keep (CRM_BACKUP_KEEP) must be at least 1");
        }
        self.backup.nextcloud_folder = self
            .backup
            .nextcloud_folder
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty());
        if let Some(folder) = &self.backup.nextcloud_folder {
            if self.nextcloud.is_none() {
                bail!(
                    "backup.nextcloud_folder (CRM_BACKUP_NEXTCLOUD_FOLDER) needs [nextcloud] \
                     (CRM_NEXTCLOUD_URL, CRM_NEXTCLOUD_USER, CRM_NEXTCLOUD_PASSWORD)"
                );
            }
            if let Err(e) = nextcloud_dav::DavPath::parse(folder) {
                bail!("backup.nextcloud_folder {folder:?} is not a folder path: {e}");
            }
        }
        Ok(self)
    }

    /// Every configured e-mail account (`[mail]` first, then `[[mail_accounts]]`), with an
    /// error naming what is missing or wrong in any of them.
    pub fn email_accounts(&self) -> anyhow::Result<Vec<MailAccount>> {
        let first = self.mail.iter().filter(|m| m.is_set());
        let mut accounts = Vec::new();
        for settings in first.chain(&self.mail_accounts) {
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

    /// Where backups go: `[backup] dir`, or `backups/` in the data dir.
    pub fn backup_dir(&self) -> PathBuf {
        self.backup
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("backups"))
    }
}

/// `[nextcloud]`: `None` when the url, the user and the password are all unset or blank.
fn nextcloud(mut c: nextcloud_dav::Config) -> anyhow::Result<Option<nextcloud_dav::Config>> {
    c.url = c.url.trim().to_owned();
    c.user = c.user.trim().to_owned();
    let (url, user, password) = (
        !c.url.is_empty(),
        !c.user.is_empty(),
        !c.password.expose_secret().is_empty(),
    );
    if !(url || user || password) {
        return Ok(None);
    }
    if !(url && user && password) {
        bail!(
            "Nextcloud is partly configured, missing: {}. Set the url, the user and the \
             (app) password together, or none of them",
            missing(&[
                ("nextcloud_url", !url),
                ("nextcloud_user", !user),
                ("nextcloud_password", !password),
            ])
        );
    }
    if c.timeout.is_zero() {
        bail!("nextcloud_timeout_secs must be above 0");
    }
    c.base_path = c.base_path.trim().to_owned();
    // a server that does not accept the connection within the timeout is down
    c.connect_timeout = c.connect_timeout.min(c.timeout);
    Ok(Some(c))
}

/// `[whatsapp]`: `None` when the number id and the three secrets are all unset or blank.
fn whatsapp(mut c: WhatsAppConfig) -> anyhow::Result<Option<WhatsAppConfig>> {
    c.graph.phone_number_id = c.graph.phone_number_id.trim().to_owned();
    let given = |s: &SecretString| !s.expose_secret().trim().is_empty();
    let unset = [
        ("wa_phone_number_id", c.graph.phone_number_id.is_empty()),
        ("wa_access_token", !given(&c.graph.access_token)),
        ("wa_app_secret", !given(&c.app_secret)),
        ("wa_verify_token", !given(&c.verify_token)),
    ];
    if unset.iter().all(|(_, unset)| *unset) {
        return Ok(None);
    }
    if unset.iter().any(|(_, unset)| *unset) {
        bail!(
            "WhatsApp is partly configured, missing: {}",
            missing(&unset)
        );
    }
    c.graph.base_url = c.graph.base_url.trim().to_owned();
    c.graph.version = c.graph.version.trim().to_owned();
    Ok(Some(c))
}

/// `[ami]`: `None` when the host, the user and the secret are all unset or blank.
fn ami(mut c: ami_bridge::Config) -> anyhow::Result<Option<ami_bridge::Config>> {
    c.host = c.host.trim().to_owned();
    c.username = c.username.trim().to_owned();
    let (host, user, secret) = (
        !c.host.is_empty(),
        !c.username.is_empty(),
        !c.secret.expose_secret().is_empty(),
    );
    if !(host || user || secret) {
        return Ok(None);
    }
    if !(host && user && secret) {
        bail!(
            "the PBX (AMI) is partly configured, missing: {}",
            missing(&[
                ("ami_host", !host),
                ("ami_user", !user),
                ("ami_secret", !secret),
            ])
        );
    }
    c.default_region = c.default_region.trim().to_owned();
    c.originate_context = c.originate_context.trim().to_owned();
    c.originate_channel = c.originate_channel.trim().to_owned();
    c.validate()
        .map_err(|e| anyhow::anyhow!("invalid AMI settings: {e}"))?;
    Ok(Some(c))
}

/// `[llm]`: `None` when the url, the model and the key are all unset or blank; the url and
/// the model must be given together, and the url be an http(s) URL.
fn llm(mut c: llm_client::Config) -> anyhow::Result<Option<llm_client::Config>> {
    c.url = c.url.trim().to_owned();
    c.model = c.model.trim().to_owned();
    c.api_key = c.api_key.filter(|k| !k.expose_secret().trim().is_empty());
    let (url, model, key) = (!c.url.is_empty(), !c.model.is_empty(), c.api_key.is_some());
    if !(url || model || key) {
        return Ok(None);
    }
    if !(url && model) {
        bail!(
            "the AI endpoint is partly configured, missing: {}. Set llm_url and llm_model \
             together (llm_api_key only when the server wants one)",
            missing(&[("llm_url", !url), ("llm_model", !model)])
        );
    }
    llm_client::Client::new(c.clone()).map_err(|e| anyhow::anyhow!("llm_{e}"))?;
    Ok(Some(c))
}

impl MailAccountConfig {
    /// Whether any key that turns reading or sending on is given.
    fn is_set(&self) -> bool {
        let imap = self.imap.as_ref().is_some_and(|c| {
            given(Some(&c.host)).is_some()
                || given(Some(&c.user)).is_some()
                || !c.password.expose_secret().is_empty()
        });
        let smtp = self
            .smtp
            .as_ref()
            .is_some_and(|c| given(Some(&c.host)).is_some());
        imap || smtp || given(self.from.as_deref()).is_some()
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
        let Some(config) = &self.imap else {
            return Ok(None);
        };
        let (host, user, password) = (
            given(Some(&config.host)).is_some(),
            given(Some(&config.user)).is_some(),
            !config.password.expose_secret().is_empty(),
        );
        if !(host || user || password) {
            return Ok(None);
        }
        if !(host && user && password) {
            bail!(
                "IMAP is partly configured, missing: {}",
                missing(&[
                    ("imap_host", !host),
                    ("imap_user", !user),
                    ("imap_password", !password)
                ])
            );
        }
        let mut config = config.clone();
        config.host = config.host.trim().to_owned();
        config.user = config.user.trim().to_owned();
        let folders = parse_folders(self.folders.as_deref().unwrap_or("INBOX,Sent"))?;
        Ok(Some((config, folders)))
    }

    fn smtp(&self) -> anyhow::Result<Option<(mail_bridge::SmtpConfig, String)>> {
        let host = self.smtp.as_ref().and_then(|c| given(Some(&c.host)));
        let from = given(self.from.as_deref());
        let (config, from) = match (&self.smtp, host, from) {
            (_, None, None) => return Ok(None),
            (Some(config), Some(_), Some(from)) => (config, from),
            (_, h, f) => bail!(
                "SMTP is partly configured, missing: {}",
                missing(&[("smtp_host", h.is_none()), ("smtp_from", f.is_none())])
            ),
        };
        let mut config = config.clone();
        config.host = config.host.trim().to_owned();
        config.user = config
            .user
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        config.password = config.password.filter(|p| !p.expose_secret().is_empty());
        if config.user.is_some() != config.password.is_some() {
            bail!("smtp_user and smtp_password must be set together");
        }
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

/// figment's errors, each naming its key the way the partial-configuration errors do: a key
/// a variable sets by that variable's name without `CRM_` in lower case (`imap_tls`), any
/// other by its path (`mail_accounts.1.imap.port`).
fn describe(errors: figment::Error) -> String {
    errors
        .into_iter()
        .map(|e| {
            if e.path.is_empty() {
                return e.to_string();
            }
            let path = e.path.join(".");
            let key = ENV
                .iter()
                .find(|(_, key, _)| *key == path)
                .map_or(path, |(var, ..)| var.to_ascii_lowercase());
            match &e.kind {
                // our own messages are written to follow the key: "must be …"
                figment::error::Kind::Message(m) if m.starts_with("must ") => {
                    format!("{key} {m}")
                }
                kind => format!("{key}: {kind}"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

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
            jwt_secret: Some("super-secret-value-123".into()),
            ..Config::default()
        };
        let printed = format!("{c:?}");
        assert!(!printed.contains("super-secret"), "{printed}");
        assert!(printed.contains("[REDACTED]"));
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
            assert_eq!(c.store.kind, StoreKind::Sqlite);
            Ok(())
        });
    }

    #[test]
    fn firestore_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CRM_STORE", "firestore");
            jail.set_env("CRM_FIRESTORE_PROJECT", "bellsystems-prod");
            jail.set_env("CRM_FIRESTORE_DATABASE", "crm");
            jail.set_env("CRM_FIRESTORE_COLLECTION_PREFIX", "staging_");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.store.kind, StoreKind::Firestore);
            assert_eq!(c.store.firestore.project_id, "bellsystems-prod");
            assert_eq!(c.store.firestore.database_id, "crm");
            assert_eq!(c.store.collection_prefix, "staging_");
            jail.set_env("CRM_FIRESTORE_COLLECTION_PREFIX", "a/b");
            let e = Config::load(None).unwrap_err().to_string();
            assert!(e.contains("collection_prefix"), "{e}");
            jail.set_env("CRM_FIRESTORE_COLLECTION_PREFIX", "");
            jail.set_env("CRM_STORE", "mongodb");
            let e = Config::load(None).unwrap_err().to_string();
            assert!(e.contains("mongodb") || e.contains("store"), "{e}");
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
            assert!(c.nextcloud.is_none());
            assert_eq!(c.max_upload_bytes, 1 << 30);
            assert_eq!(
                nextcloud_dav::Config::default().timeout,
                std::time::Duration::from_secs(30)
            );

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
            let nc = c.nextcloud.ok_or("not configured")?;
            assert_eq!(nc.url, "https://cloud.example.com");
            assert_eq!(nc.user, "bellsystems");
            assert_eq!(nc.password.expose_secret(), "Abcde-Fghij-Klmno-Pqrst-Uvwxy");
            assert_eq!(nc.base_path, "CRM/Πελάτες");
            assert_eq!(nc.timeout, std::time::Duration::from_secs(7));
            // what configuration does not set keeps the client's defaults
            let defaults = nextcloud_dav::Config::default();
            assert_eq!(nc.connect_timeout, defaults.connect_timeout);
            assert_eq!(nc.retries, defaults.retries);
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
                "max_upload_bytes = 2048\n[nextcloud]\nurl = \"http://127.0.0.1:8081\"\n\
                 user = \"alice\"\npassword = \"from-file\"\n",
            )?;
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            let nc = c.nextcloud.ok_or("not configured")?;
            assert_eq!(nc.password.expose_secret(), "from-file");
            assert_eq!(nc.base_path, "");
            assert_eq!(c.max_upload_bytes, 2048);
            // the environment wins, and a password of digits stays a password
            jail.set_env("CRM_NEXTCLOUD_PASSWORD", "0123456789");
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            let nc = c.nextcloud.ok_or("not configured")?;
            assert_eq!(nc.password.expose_secret(), "0123456789");
            Ok(())
        });
    }

    #[test]
    fn whatsapp_and_ami_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CRM_WA_PHONE_NUMBER_ID", "106540352242922");
            jail.set_env("CRM_WA_ACCESS_TOKEN", "EAAG-token");
            jail.set_env("CRM_WA_APP_SECRET", "app-secret");
            let e = Config::load(None).err().ok_or("accepted")?.to_string();
            assert!(e.contains("missing: wa_verify_token"), "{e}");
            jail.set_env("CRM_WA_VERIFY_TOKEN", "verify");
            jail.set_env("CRM_WA_GRAPH_URL", "http://127.0.0.1:9");
            jail.set_env("CRM_AMI_HOST", "pbx.local");
            jail.set_env("CRM_AMI_USER", "crm");
            jail.set_env("CRM_AMI_SECRET", "1234");
            jail.set_env("CRM_AMI_TRUNKS", "PJSIP/trunk-, SIP/provider");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            let printed = format!("{c:?}");
            assert!(!printed.contains("EAAG-token"), "{printed}");
            assert!(!printed.contains("app-secret"), "{printed}");
            let wa = c.whatsapp.ok_or("no whatsapp")?;
            assert_eq!(wa.graph.phone_number_id, "106540352242922");
            assert_eq!(wa.graph.access_token.expose_secret(), "EAAG-token");
            assert_eq!(wa.graph.base_url, "http://127.0.0.1:9");
            assert_eq!(wa.graph.version, wa_bridge::graph::DEFAULT_VERSION);
            assert_eq!(wa.verify_token.expose_secret(), "verify");
            let ami = c.ami.ok_or("no ami")?;
            assert_eq!((ami.host.as_str(), ami.port), ("pbx.local", 5038));
            assert_eq!(ami.secret.expose_secret(), "1234", "digits stay text");
            assert_eq!(ami.trunk_patterns, ["PJSIP/trunk-", "SIP/provider"]);
            assert_eq!(ami.extension_patterns, ["_XXX", "_XXXX"]);
            Ok(())
        });
    }

    #[test]
    fn mail_accounts_from_the_environment_and_the_file() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert!(c.email_accounts().map_err(|e| e.to_string())?.is_empty());

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
                folders = "INBOX, Απεσταλμένα, Archive:outbound, Sent:inbound"
                [mail_accounts.imap]
                host = "127.0.0.1"
                security = "plain"
                user = "service"
                password = "x"
                "#,
            )?;
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            let printed = format!("{c:?}");
            assert!(!printed.contains("007"), "{printed}");
            let accounts = c.email_accounts().map_err(|e| e.to_string())?;
            assert_eq!(accounts.len(), 2);
            let (imap, folders) = accounts[0].imap.as_ref().ok_or("no imap")?;
            assert_eq!(accounts[0].name, "info@bellsystems.gr");
            assert_eq!(
                (imap.port, imap.security),
                (993, mail_bridge::Security::Tls)
            );
            assert_eq!(imap.password.expose_secret(), "007", "digits stay text");
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
            assert_eq!(c.email_accounts().map_err(|e| e.to_string())?.len(), 1);
            jail.set_env("CRM_SMTP_HOST", "mail.example.com");
            let e = Config::load(None).err().ok_or("accepted 3")?.to_string();
            assert!(e.contains("smtp_from"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn limits_and_the_metrics_token_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!((c.request_head_timeout_secs, c.keep_alive_secs), (5, 5));
            assert_eq!((c.body_timeout_secs, c.body_min_rate), (20, 500));
            assert_eq!((c.max_connections, c.listen_backlog), (10_000, 1024));
            assert!(c.metrics_token.is_none());
            jail.set_env("CRM_REQUEST_HEAD_TIMEOUT_SECS", "3");
            jail.set_env("CRM_KEEP_ALIVE_SECS", "0");
            jail.set_env("CRM_BODY_TIMEOUT_SECS", "7");
            jail.set_env("CRM_BODY_MIN_RATE", "0");
            jail.set_env("CRM_MAX_CONNECTIONS", "300");
            jail.set_env("CRM_LISTEN_BACKLOG", "64");
            jail.set_env("CRM_METRICS_TOKEN", "0123456789012345");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!((c.request_head_timeout_secs, c.keep_alive_secs), (3, 0));
            assert_eq!((c.body_timeout_secs, c.body_min_rate), (7, 0));
            assert_eq!((c.max_connections, c.listen_backlog), (300, 64));
            let token = c.metrics_token.as_ref().ok_or("no token")?;
            assert_eq!(
                token.expose_secret(),
                "0123456789012345",
                "digits stay text"
            );
            assert!(!format!("{c:?}").contains("0123456789012345"));
            // a blank token is no token; a short one, or a zero deadline, is refused
            jail.set_env("CRM_METRICS_TOKEN", " ");
            assert!(
                Config::load(None)
                    .map_err(|e| e.to_string())?
                    .metrics_token
                    .is_none()
            );
            for (var, value) in [
                ("CRM_METRICS_TOKEN", "short"),
                ("CRM_BODY_TIMEOUT_SECS", "0"),
                ("CRM_REQUEST_HEAD_TIMEOUT_SECS", "0"),
                ("CRM_MAX_CONNECTIONS", "0"),
            ] {
                jail.set_env(var, value);
                assert!(Config::load(None).is_err(), "{var}={value} accepted");
                jail.set_env("CRM_METRICS_TOKEN", "");
                jail.set_env("CRM_BODY_TIMEOUT_SECS", "7");
                jail.set_env("CRM_REQUEST_HEAD_TIMEOUT_SECS", "3");
                jail.set_env("CRM_MAX_CONNECTIONS", "300");
            }
            Ok(())
        });
    }

    #[test]
    fn login_limits_and_trusted_proxies_from_file_and_environment() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.login, crate::throttle::LoginConfig::default());
            assert!(c.trusted_proxies.is_empty());
            jail.create_file(
                "crm.toml",
                "trusted_proxies = [\"10.0.0.0/8\"]\n[login]\nlimit_per_user = 3\nqueue = 4\n",
            )?;
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            assert_eq!((c.login.limit_per_user, c.login.queue), (3, 4));
            assert_eq!(c.login.limit_per_address, 30, "the default stays");
            assert!(
                c.trusted_proxies
                    .contains("10.1.2.3".parse().map_err(|_| "ip")?)
            );
            jail.set_env("CRM_LOGIN_LIMIT_PER_ADDRESS", "0");
            jail.set_env("CRM_LOGIN_CONCURRENCY", "2");
            jail.set_env("CRM_TRUSTED_PROXIES", "127.0.0.1, ::1");
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            assert_eq!((c.login.limit_per_address, c.login.concurrency), (0, 2));
            assert!(c.trusted_proxies.contains("::1".parse().map_err(|_| "ip")?));
            assert!(
                !c.trusted_proxies
                    .contains("10.1.2.3".parse().map_err(|_| "ip")?)
            );
            jail.set_env("CRM_TRUSTED_PROXIES", "10.0.0.0/40");
            let e = Config::load(None).err().ok_or("accepted /40")?.to_string();
            assert!(e.contains("prefix length"), "{e}");
            jail.set_env("CRM_TRUSTED_PROXIES", "");
            jail.set_env("CRM_LOGIN_CONCURRENCY", "100000");
            assert!(Config::load(None).is_err(), "absurd concurrency accepted");
            Ok(())
        });
    }

    #[test]
    fn the_ai_endpoint_is_configured_whole_and_its_key_never_prints() {
        figment::Jail::expect_with(|jail| {
            assert!(Config::load(None).map_err(|e| e.to_string())?.llm.is_none());
            jail.set_env("CRM_LLM_URL", "http://127.0.0.1:11434/v1");
            let e = Config::load(None)
                .err()
                .ok_or("accepted a url alone")?
                .to_string();
            assert!(e.contains("missing: llm_model."), "{e}");
            jail.set_env("CRM_LLM_MODEL", " llama3.1:8b ");
            jail.set_env("CRM_LLM_API_KEY", "sk-0123456789");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            let printed = format!("{c:?}");
            assert!(!printed.contains("sk-0123456789"), "{printed}");
            let llm = c.llm.ok_or("no llm")?;
            assert_eq!(
                (llm.url.as_str(), llm.model.as_str()),
                ("http://127.0.0.1:11434/v1", "llama3.1:8b")
            );
            let key = llm.api_key.ok_or("no key")?;
            assert_eq!(key.expose_secret(), "sk-0123456789");
            jail.set_env("CRM_LLM_URL", "ollama");
            let e = Config::load(None)
                .err()
                .ok_or("accepted a bad url")?
                .to_string();
            assert!(e.contains("llm_url"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn the_http_allow_list_reads_hosts_and_blocks_from_text_or_a_list() {
        figment::Jail::expect_with(|jail| {
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.workflow_http_allow, HttpAllow::default());
            jail.set_env(
                "CRM_WORKFLOW_HTTP_ALLOW",
                "127.0.0.1, 10.0.0.0/8 ERP.local.",
            );
            let allow = Config::load(None)
                .map_err(|e| e.to_string())?
                .workflow_http_allow;
            let ip = |s: &str| s.parse::<std::net::IpAddr>().map_err(|_| "ip");
            assert!(allow.allows_ip(ip("10.2.3.4")?) && allow.allows_ip(ip("127.0.0.1")?));
            assert!(allow.allows_ip(ip("::ffff:10.9.9.9")?));
            assert!(!allow.allows_ip(ip("192.168.1.1")?));
            assert!(allow.allows_host("erp.local") && allow.allows_host("erp.LOCAL."));
            assert!(!allow.allows_host("local"));
            for bad in ["10.0.0.0/40", "http://erp.local", "a..b"] {
                jail.set_env("CRM_WORKFLOW_HTTP_ALLOW", bad);
                let e = Config::load(None).err().ok_or("accepted")?.to_string();
                assert!(e.contains("workflow_http_allow"), "{bad}: {e}");
            }
            jail.clear_env();
            jail.create_file(
                "crm.toml",
                "workflow_http_allow = [\"192.168.0.0/16\", \"nas\"]\n",
            )?;
            let c = Config::load(Some(Path::new("crm.toml"))).map_err(|e| e.to_string())?;
            assert!(c.workflow_http_allow.allows_ip(ip("192.168.4.4")?));
            assert!(c.workflow_http_allow.allows_host("nas"));
            Ok(())
        });
    }

    #[test]
    fn every_variable_sets_a_key_of_its_own() {
        let mut keys: Vec<&str> = ENV.iter().map(|(_, key, _)| *key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), ENV.len());
    }
}
