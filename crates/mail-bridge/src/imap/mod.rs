//! One account's IMAP session, async on tokio (async-imap underneath, rustls for TLS).
//!
//! Why async-imap rather than the blocking `imap` crate: its FETCH answer is a stream that
//! yields each message as soon as its literal is complete, so a chunk of 200 messages never
//! sits in memory at once; IDLE is a future that can be raced against a timeout; and the
//! transport is any tokio stream, so rustls (and STARTTLS) plug in without OpenSSL or a
//! thread per connection. The `imap` crate's stable line (2.x) needs native-tls and returns
//! whole FETCH answers as one vector; its 3.x line is still alpha.
//!
//! Every command has a deadline ([`ImapConfig::command_timeout`]): the longest the server may
//! stay silent while an answer is due, so a frozen server is an error within seconds while a
//! large message on a slow link, still arriving, is not. After a timeout or a broken
//! connection the session refuses further commands ([`Error::SessionClosed`]) and the caller
//! connects again.

mod transport;
mod utf7;

use std::sync::Arc;
use std::time::Duration;

use async_imap::error::Error as ImapError;
use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{AttributeValue, MailboxDatum, RequestId, Response, Status};
use async_imap::types::{NameAttribute, UnsolicitedResponse};
use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use time::OffsetDateTime;
use time::macros::format_description;

pub use crate::tls::Security;
use transport::{Live, Metered, Stream};

use crate::error::{Error, Result};
use crate::tls::{check_plain_allowed, read_ca_file};

/// How to reach one IMAP account.
///
/// Deserializes from `host`, `port` (default: 993 with TLS, 143 otherwise), `security`
/// (default `tls`), `user`, `password` and `ca_file` (a PEM file, read then); a key left out
/// is empty. Host and user are trimmed. The timeouts keep their defaults.
#[derive(Clone, Deserialize)]
#[serde(from = "ImapKeys")]
pub struct ImapConfig {
    /// Host name or IP address.
    pub host: String,
    /// Port (993 for TLS, 143 for STARTTLS or plain).
    pub port: u16,
    /// TLS, STARTTLS, or plain (loopback only).
    pub security: Security,
    /// Login name.
    pub user: String,
    /// Password. Redacted in `Debug`.
    pub password: SecretString,
    /// An extra CA certificate (PEM) to trust besides the Mozilla roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Limit for connecting and the TLS handshake (default 10 s).
    pub connect_timeout: Duration,
    /// The longest the server may stay silent while an answer is due (default 20 s): a
    /// command whose answer is still arriving, however slowly, is not cut off.
    pub command_timeout: Duration,
    /// How often to poll when the server lacks IDLE (default 60 s).
    pub poll_interval: Duration,
    /// How often a long wait for new mail checks that the server still answers: IDLE is
    /// ended and begun again, or a NOOP sent (default 15 s). A frozen server is then an
    /// error within this plus [`Self::command_timeout`].
    pub keepalive: Duration,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("ca_pem", &self.ca_pem.as_ref().map(|p| p.len()))
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("poll_interval", &self.poll_interval)
            .field("keepalive", &self.keepalive)
            .finish()
    }
}

impl ImapConfig {
    /// A configuration with the default timeouts.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        security: Security,
        user: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        Self {
            host: host.into(),
            port,
            security,
            user: user.into(),
            password: password.into(),
            ca_pem: None,
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(20),
            poll_interval: Duration::from_secs(60),
            keepalive: Duration::from_secs(15),
        }
    }

    fn validate(&self) -> Result<()> {
        if self.host.trim().is_empty() {
            return Err(Error::InvalidConfig("IMAP host is empty".into()));
        }
        if self.port == 0 {
            return Err(Error::InvalidConfig("IMAP port is 0".into()));
        }
        if self.user.is_empty() {
            return Err(Error::InvalidConfig("IMAP user is empty".into()));
        }
        check_plain_allowed(self.security, &self.host)
    }
}

/// The configuration keys of an [`ImapConfig`].
#[derive(Deserialize)]
#[serde(default)]
struct ImapKeys {
    host: String,
    port: Option<u16>,
    security: Security,
    user: String,
    password: SecretString,
    #[serde(deserialize_with = "read_ca_file")]
    ca_file: Option<Vec<u8>>,
}

impl Default for ImapKeys {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: None,
            security: Security::Tls,
            user: String::new(),
            password: SecretString::default(),
            ca_file: None,
        }
    }
}

impl From<ImapKeys> for ImapConfig {
    fn from(k: ImapKeys) -> Self {
        let port = k.port.unwrap_or(match k.security {
            Security::Tls => 993,
            Security::StartTls | Security::Plain => 143,
        });
        let mut config = Self::new(k.host.trim(), port, k.security, k.user.trim(), k.password);
        config.ca_pem = k.ca_file;
        config
    }
}

/// A folder as LIST reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    /// The name, decoded from modified UTF-7 (`Απεσταλμένα`); pass it as is to other calls.
    pub name: String,
    /// The hierarchy separator (`/` or `.`).
    pub delimiter: Option<String>,
    /// The RFC 6154 role, if the server announces one.
    pub special_use: Option<SpecialUse>,
    /// False for `\Noselect` folders (containers only).
    pub selectable: bool,
}

/// RFC 6154 special-use roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecialUse {
    /// `\Sent`
    Sent,
    /// `\Drafts`
    Drafts,
    /// `\Trash`
    Trash,
    /// `\Junk`
    Junk,
    /// `\Archive`
    Archive,
    /// `\All`
    All,
    /// `\Flagged`
    Flagged,
}

/// The folder that holds sent mail: the one marked `\Sent`, else a usual name
/// (`Sent`, `Sent Items`, `Sent Messages`, `Απεσταλμένα`, `INBOX.Sent`, …).
pub fn find_sent_folder(folders: &[FolderInfo]) -> Option<&FolderInfo> {
    const NAMES: &[&str] = &[
        "sent",
        "sent items",
        "sent messages",
        "sent mail",
        "απεσταλμένα",
        "inbox.sent",
        "inbox/sent",
        "[gmail]/sent mail",
    ];
    folders
        .iter()
        .find(|f| f.special_use == Some(SpecialUse::Sent))
        .or_else(|| {
            folders
                .iter()
                .find(|f| f.selectable && NAMES.contains(&f.name.to_lowercase().as_str()))
        })
}

/// UIDVALIDITY, UIDNEXT and the message count of a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderStatus {
    /// Changes when the server renumbers the folder: every stored UID is then void.
    pub uidvalidity: u32,
    /// The UID the next message will get (absent on some servers).
    pub uidnext: Option<u32>,
    /// Number of messages.
    pub exists: u32,
}

/// One message of a folder, as [`ImapSession::list_messages`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its UID.
    pub uid: u32,
    /// Its size in bytes (RFC822.SIZE).
    pub size: u32,
    /// Its Message-ID, normalised like [`crate::parse`] does.
    pub message_id: Option<String>,
}

/// What [`ImapSession::idle_wait`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleOutcome {
    /// The folder changed (new mail, usually): sync it.
    Changed,
    /// Nothing happened within the timeout.
    TimedOut,
    /// The wait was interrupted ([`ImapSession::idle_wait_until`]); the session is usable
    /// (IDLE was ended with DONE), e.g. to log out.
    Interrupted,
}

/// One message of a FETCH answer.
#[derive(Debug, Clone)]
pub struct FetchedMessage {
    uid: u32,
    raw: Vec<u8>,
    internal_date: Option<OffsetDateTime>,
    seen: bool,
}

impl FetchedMessage {
    /// The message's UID.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The raw RFC 5322 bytes, exactly as stored on the server.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The raw bytes, owned.
    pub fn into_raw(self) -> Vec<u8> {
        self.raw
    }

    /// Whether the message is marked read (`\Seen`).
    pub fn seen(&self) -> bool {
        self.seen
    }

    /// When the server received the message (INTERNALDATE).
    pub fn internal_date(&self) -> Option<OffsetDateTime> {
        self.internal_date
    }

    fn from_attributes(attrs: &[AttributeValue<'_>]) -> Option<Self> {
        let mut uid = None;
        let mut raw = None;
        let mut internal_date = None;
        let mut seen = false;
        for a in attrs {
            match a {
                AttributeValue::Uid(u) => uid = Some(*u),
                AttributeValue::BodySection {
                    section: None,
                    data: Some(d),
                    ..
                }
                | AttributeValue::Rfc822(Some(d)) => raw = Some(d.to_vec()),
                AttributeValue::InternalDate(d) => internal_date = parse_internal_date(d),
                AttributeValue::Flags(f) => {
                    seen = f.iter().any(|f| f.eq_ignore_ascii_case("\\Seen"));
                }
                _ => {}
            }
        }
        Some(Self {
            uid: uid?,
            raw: raw?,
            internal_date,
            seen,
        })
    }
}

type ImapInner = async_imap::Session<Metered<Stream>>;

/// An authenticated IMAP session for one account.
pub struct ImapSession {
    inner: Option<ImapInner>,
    /// Set when a FETCH stream was dropped before its end or failed: the connection holds
    /// answers nobody will read, so it is closed.
    poisoned: bool,
    idle: bool,
    selected: Option<(String, FolderStatus)>,
    command_timeout: Duration,
    poll_interval: Duration,
    keepalive: Duration,
    live: Arc<Live>,
}

impl std::fmt::Debug for ImapSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSession")
            .field("open", &(self.inner.is_some() && !self.poisoned))
            .field("idle", &self.idle)
            .field("selected", &self.selected)
            .finish()
    }
}

/// How long a wait for the server may last: as long as bytes keep coming, and no longer
/// than `silence` without one.
#[derive(Debug, Clone)]
struct Deadline {
    silence: Duration,
    live: Arc<Live>,
}

impl Deadline {
    /// `fut`'s output, or `None` when the server sent nothing for `silence`.
    async fn patient<F: Future>(&self, fut: F) -> Option<F::Output> {
        let mut fut = std::pin::pin!(fut);
        let mut seen = self.live.bytes_read();
        loop {
            match tokio::time::timeout(self.silence, fut.as_mut()).await {
                Ok(v) => return Some(v),
                Err(_) => {
                    let now = self.live.bytes_read();
                    if now == seen {
                        return None;
                    }
                    seen = now;
                }
            }
        }
    }

    fn timeout(&self, what: &'static str) -> Error {
        Error::Timeout {
            what,
            seconds: self.silence.as_secs(),
        }
    }
}

/// Runs one IMAP future under a deadline, naming the command in the error.
async fn timed<T>(
    limit: &Deadline,
    command: &'static str,
    fut: impl Future<Output = async_imap::error::Result<T>>,
) -> Result<T> {
    match limit.patient(fut).await {
        None => Err(limit.timeout(command)),
        Some(Err(source)) => Err(Error::Imap { command, source }),
        Some(Ok(v)) => Ok(v),
    }
}

/// Errors after which the connection cannot be trusted.
fn is_fatal(e: &Error) -> bool {
    match e {
        Error::Timeout { .. } | Error::SessionClosed => true,
        Error::Imap { source, .. } => !matches!(source, ImapError::No(_) | ImapError::Bad(_)),
        _ => false,
    }
}

fn folder_error(folder: &str, e: Error) -> Error {
    match e {
        Error::Imap {
            source: ImapError::No(reason),
            ..
        } => Error::NoSuchFolder {
            folder: folder.to_owned(),
            reason,
        },
        other => other,
    }
}

/// Compact UID set: `[1,2,3,5,7,8]` → `1:3,5,7:8` (input sorted ascending).
fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end.saturating_add(1) {
            end = uids[i + 1];
            i += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

impl ImapSession {
    /// Connects, protects the connection as configured, and logs in.
    pub async fn connect(config: &ImapConfig) -> Result<Self> {
        config.validate()?;
        let plain = config.security == Security::Plain;
        let tcp = transport::tcp_connect(&config.host, config.port, config.connect_timeout, plain)
            .await?;
        let ca = config.ca_pem.as_deref();
        let limit = config.connect_timeout;
        let live = Live::new();
        let metered = |stream| Metered::new(stream, Arc::clone(&live));
        let client = match config.security {
            Security::Tls => {
                let tls = transport::tls_handshake(tcp, &config.host, ca, limit).await?;
                let mut client = async_imap::Client::new(metered(tls));
                read_greeting(&mut client, limit).await?;
                client
            }
            Security::Plain => {
                let mut client = async_imap::Client::new(metered(Stream::Plain(tcp)));
                read_greeting(&mut client, limit).await?;
                client
            }
            Security::StartTls => {
                let mut client = async_imap::Client::new(metered(Stream::Plain(tcp)));
                read_greeting(&mut client, limit).await?;
                let deadline = Deadline {
                    silence: limit,
                    live: Arc::clone(&live),
                };
                timed(
                    &deadline,
                    "STARTTLS",
                    client.run_command_and_check_ok("STARTTLS", None),
                )
                .await
                .map_err(|e| Error::Tls {
                    host: config.host.clone(),
                    reason: format!("the server refused STARTTLS ({e})"),
                })?;
                let Stream::Plain(tcp) = client.into_inner().into_inner() else {
                    return Err(Error::Protocol("STARTTLS on a TLS stream".into()));
                };
                let tls = transport::tls_handshake(tcp, &config.host, ca, limit).await?;
                async_imap::Client::new(metered(tls))
            }
        };
        let login = tokio::time::timeout(
            config.command_timeout,
            client.login(&config.user, config.password.expose_secret()),
        )
        .await
        .map_err(|_| Error::Timeout {
            what: "LOGIN",
            seconds: config.command_timeout.as_secs(),
        })?;
        let mut session = match login {
            Ok(s) => s,
            Err((ImapError::No(msg) | ImapError::Bad(msg), _)) => return Err(Error::Auth(msg)),
            Err((source, _)) => {
                return Err(Error::Imap {
                    command: "LOGIN",
                    source,
                });
            }
        };
        let deadline = Deadline {
            silence: config.command_timeout,
            live: Arc::clone(&live),
        };
        let caps = timed(&deadline, "CAPABILITY", session.capabilities()).await?;
        Ok(Self {
            idle: caps.has_str("IDLE"),
            inner: Some(session),
            poisoned: false,
            selected: None,
            command_timeout: config.command_timeout,
            poll_interval: config.poll_interval,
            keepalive: config.keepalive,
            live,
        })
    }

    fn deadline(&self) -> Deadline {
        Deadline {
            silence: self.command_timeout,
            live: Arc::clone(&self.live),
        }
    }

    fn session(&mut self) -> Result<&mut ImapInner> {
        if self.poisoned {
            self.inner = None;
        }
        self.inner.as_mut().ok_or(Error::SessionClosed)
    }

    /// Passes a result through, closing the session after a fatal error.
    fn keep<T>(&mut self, r: Result<T>) -> Result<T> {
        if let Err(e) = &r
            && is_fatal(e)
        {
            self.inner = None;
            self.selected = None;
        }
        r
    }

    /// False after a timeout or a broken connection: connect again.
    pub fn is_open(&self) -> bool {
        self.inner.is_some() && !self.poisoned
    }

    /// Whether the server offers IDLE (else [`Self::idle_wait`] polls).
    pub fn supports_idle(&self) -> bool {
        self.idle
    }

    /// Every folder of the account.
    pub async fn list_folders(&mut self) -> Result<Vec<FolderInfo>> {
        let limit = self.deadline();
        let s = self.session()?;
        let fut = async {
            let mut stream = s.list(Some(""), Some("*")).await?;
            let mut out = Vec::new();
            while let Some(name) = stream.next().await {
                let name = name?;
                let mut special_use = None;
                let mut selectable = true;
                for a in name.attributes() {
                    match a {
                        NameAttribute::NoSelect => selectable = false,
                        NameAttribute::Sent => special_use = Some(SpecialUse::Sent),
                        NameAttribute::Drafts => special_use = Some(SpecialUse::Drafts),
                        NameAttribute::Trash => special_use = Some(SpecialUse::Trash),
                        NameAttribute::Junk => special_use = Some(SpecialUse::Junk),
                        NameAttribute::Archive => special_use = Some(SpecialUse::Archive),
                        NameAttribute::All => special_use = Some(SpecialUse::All),
                        NameAttribute::Flagged => special_use = Some(SpecialUse::Flagged),
                        _ => {}
                    }
                }
                out.push(FolderInfo {
                    name: utf7::decode(name.name()),
                    delimiter: name.delimiter().map(str::to_owned),
                    special_use,
                    selectable,
                });
            }
            Ok(out)
        };
        let r = timed(&limit, "LIST", fut).await;
        self.keep(r)
    }

    /// UIDVALIDITY, UIDNEXT and count of a folder without opening it (STATUS): the cheap
    /// "anything new?" check.
    pub async fn status(&mut self, folder: &str) -> Result<FolderStatus> {
        let limit = self.deadline();
        let wire = utf7::encode(folder);
        let s = self.session()?;
        let r = timed(
            &limit,
            "STATUS",
            s.status(&wire, "(MESSAGES UIDNEXT UIDVALIDITY)"),
        )
        .await
        .map_err(|e| folder_error(folder, e));
        let mbox = self.keep(r)?;
        Ok(FolderStatus {
            uidvalidity: mbox
                .uid_validity
                .ok_or_else(|| Error::Protocol(format!("STATUS {folder}: no UIDVALIDITY")))?,
            uidnext: mbox.uid_next,
            exists: mbox.exists,
        })
    }

    /// Opens a folder read-only (EXAMINE: nothing is marked as read), for fetching and IDLE.
    pub async fn select(&mut self, folder: &str) -> Result<FolderStatus> {
        let limit = self.deadline();
        let wire = utf7::encode(folder);
        self.selected = None;
        self.live.forget_exists();
        let s = self.session()?;
        let r = timed(&limit, "EXAMINE", s.examine(&wire))
            .await
            .map_err(|e| folder_error(folder, e));
        let mbox = self.keep(r)?;
        let status = FolderStatus {
            uidvalidity: mbox
                .uid_validity
                .ok_or_else(|| Error::Protocol(format!("EXAMINE {folder}: no UIDVALIDITY")))?,
            uidnext: mbox.uid_next,
            exists: mbox.exists,
        };
        self.drain_unsolicited();
        self.live.set_exists(mbox.exists);
        self.selected = Some((folder.to_owned(), status));
        Ok(status)
    }

    /// The selected folder's message count as the server last announced it (the EXAMINE
    /// answer, then every EXISTS and EXPUNGE it sent since, during fetches too). Send a
    /// [`Self::noop`] first for the count of now.
    pub fn exists(&mut self) -> Option<u32> {
        self.selected.as_ref()?;
        self.drain_unsolicited();
        self.live.exists()
    }

    fn selected(&self, what: &str) -> Result<FolderStatus> {
        self.selected
            .as_ref()
            .map(|(_, s)| *s)
            .ok_or_else(|| Error::Protocol(format!("{what} needs a selected folder")))
    }

    /// UIDs (and sizes) of the selected folder's messages above `after_uid`, ascending.
    pub async fn uids_after(&mut self, after_uid: u32) -> Result<Vec<(u32, u32)>> {
        let status = self.selected("listing UIDs")?;
        if status.exists == 0
            || status
                .uidnext
                .is_some_and(|n| n <= after_uid.saturating_add(1))
        {
            return Ok(Vec::new());
        }
        let limit = self.deadline();
        let set = format!("{}:*", after_uid.saturating_add(1));
        let mut out = Vec::new();
        let s = self.session()?;
        let r = timed(
            &limit,
            "UID FETCH",
            uid_fetch_each(s, &limit.live, &set, "(UID RFC822.SIZE)", |attrs| {
                let mut uid = None;
                let mut size = 0;
                for a in attrs {
                    match a {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::Rfc822Size(n) => size = *n,
                        _ => {}
                    }
                }
                // `n:*` includes the highest UID even when it is below n: filter.
                if let Some(uid) = uid
                    && uid > after_uid
                {
                    out.push((uid, size));
                }
            }),
        )
        .await;
        self.keep(r)?;
        out.sort_unstable();
        out.dedup_by_key(|(uid, _)| *uid);
        Ok(out)
    }

    /// Every message of the selected folder as (UID, Message-ID), fetching only that header
    /// (for reconciliation). Message-IDs are normalised like [`crate::parse`] does.
    pub async fn uids_with_message_ids(&mut self) -> Result<Vec<(u32, Option<String>)>> {
        Ok(self
            .list_messages()
            .await?
            .into_iter()
            .map(|m| (m.uid, m.message_id))
            .collect())
    }

    /// Every message of the selected folder with its size and Message-ID, in UID order,
    /// fetching only that header: what is there, without downloading it.
    pub async fn list_messages(&mut self) -> Result<Vec<Listed>> {
        let status = self.selected("listing Message-IDs")?;
        if status.exists == 0 {
            return Ok(Vec::new());
        }
        let limit = self.deadline();
        let mut out = Vec::new();
        let s = self.session()?;
        let r = timed(
            &limit,
            "UID FETCH",
            uid_fetch_each(
                s,
                &limit.live,
                "1:*",
                "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])",
                |attrs| {
                    let mut uid = None;
                    let mut size = 0;
                    let mut message_id = None;
                    for a in attrs {
                        match a {
                            AttributeValue::Uid(u) => uid = Some(*u),
                            AttributeValue::Rfc822Size(n) => size = *n,
                            AttributeValue::BodySection {
                                section: Some(_),
                                data: Some(d),
                                ..
                            } => message_id = crate::parse::message_id_of_header(d),
                            _ => {}
                        }
                    }
                    if let Some(uid) = uid {
                        out.push(Listed {
                            uid,
                            size,
                            message_id,
                        });
                    }
                },
            ),
        )
        .await;
        self.keep(r)?;
        out.sort_unstable_by_key(|m| m.uid);
        out.dedup_by_key(|m| m.uid);
        Ok(out)
    }

    /// Fetches whole messages (raw bytes, INTERNALDATE, flags, UID) of the selected folder by UID,
    /// without marking them read (`BODY.PEEK[]`). Messages arrive one by one, in UID order,
    /// each as soon as it is complete; read the stream to its end before the next command.
    pub async fn fetch(&mut self, uids: &[u32]) -> Result<FetchStream<'_>> {
        self.selected("fetching")?;
        let mut sorted = uids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let limit = self.deadline();
        if self.poisoned {
            self.inner = None;
        }
        let Self {
            inner, poisoned, ..
        } = self;
        let Some(session) = inner.as_mut() else {
            return Err(Error::SessionClosed);
        };
        if sorted.is_empty() {
            return Ok(FetchStream {
                session,
                tag: None,
                poisoned,
                limit,
                done: true,
            });
        }
        let command = format!(
            "UID FETCH {} (UID FLAGS INTERNALDATE BODY.PEEK[])",
            uid_set(&sorted)
        );
        let tag = match timed(&limit, "UID FETCH", session.run_command(&command)).await {
            Ok(tag) => tag,
            Err(e) => {
                *poisoned = true;
                return Err(e);
            }
        };
        Ok(FetchStream {
            session,
            tag: Some(tag),
            poisoned,
            limit,
            done: false,
        })
    }

    /// Appends a message to a folder (e.g. a sent mail to Sent, with `seen`), keeping its
    /// bytes exactly. `internal_date` defaults to the server's clock. Returns the new
    /// message's UID when the server tells it (UIDPLUS).
    pub async fn append(
        &mut self,
        folder: &str,
        raw: &[u8],
        seen: bool,
        internal_date: Option<OffsetDateTime>,
    ) -> Result<Option<u32>> {
        let limit = self.deadline();
        let wire = utf7::encode(folder);
        let date = internal_date.map(format_internal_date).transpose()?;
        let command = format!(
            "APPEND {}{}{} {{{}}}",
            quote(&wire)?,
            if seen { " (\\Seen)" } else { "" },
            date.map(|d| format!(" {d}")).unwrap_or_default(),
            raw.len()
        );
        let s = self.session()?;
        let r = timed(&limit, "APPEND", append_literal(s, &command, raw)).await;
        match self.keep(r)? {
            Appended::Ok(uid) => Ok(uid),
            Appended::Refused {
                try_create: true,
                text,
            } => Err(Error::NoSuchFolder {
                folder: folder.to_owned(),
                reason: text,
            }),
            Appended::Refused { text, .. } => Err(Error::Imap {
                command: "APPEND",
                source: ImapError::No(text),
            }),
        }
    }

    /// Creates a folder.
    pub async fn create_folder(&mut self, folder: &str) -> Result<()> {
        let limit = self.deadline();
        let wire = utf7::encode(folder);
        let s = self.session()?;
        let r = timed(&limit, "CREATE", s.create(&wire)).await;
        self.keep(r)
    }

    /// Deletes a folder and its messages.
    pub async fn delete_folder(&mut self, folder: &str) -> Result<()> {
        let limit = self.deadline();
        let wire = utf7::encode(folder);
        if self.selected.as_ref().is_some_and(|(f, _)| f == folder) {
            let s = self.session()?;
            let r = timed(&limit, "CLOSE", s.close()).await;
            self.keep(r)?;
            self.selected = None;
        }
        let s = self.session()?;
        let r = timed(&limit, "DELETE", s.delete(&wire))
            .await
            .map_err(|e| folder_error(folder, e));
        self.keep(r)
    }

    /// Keeps the connection alive and collects pending notifications.
    pub async fn noop(&mut self) -> Result<()> {
        let limit = self.deadline();
        let s = self.session()?;
        let r = timed(&limit, "NOOP", s.noop()).await;
        self.keep(r)
    }

    /// Waits until the selected folder changes or `timeout` passes: IDLE when the server
    /// offers it, else NOOP every [`ImapConfig::poll_interval`]. Either way the server is
    /// asked to answer every [`ImapConfig::keepalive`] (IDLE ended and begun again), so a
    /// server that froze is an error soon, not at the end of the wait. Keep `timeout` under
    /// 29 minutes (servers drop idle clients after 30).
    pub async fn idle_wait(&mut self, timeout: Duration) -> Result<IdleOutcome> {
        self.idle_wait_until(timeout, std::future::pending()).await
    }

    /// [`ImapSession::idle_wait`], ended early — IDLE closed properly — when `interrupt`
    /// resolves (a server stopping: then log out).
    pub async fn idle_wait_until(
        &mut self,
        timeout: Duration,
        interrupt: impl std::future::Future<Output = ()>,
    ) -> Result<IdleOutcome> {
        tokio::pin!(interrupt);
        self.selected("waiting for changes")?;
        self.drain_unsolicited();
        if !self.idle {
            return self.poll_wait(timeout, interrupt).await;
        }
        let until = tokio::time::Instant::now() + timeout;
        loop {
            let now = tokio::time::Instant::now();
            if now >= until {
                return Ok(IdleOutcome::TimedOut);
            }
            let slice = self.keepalive.max(Duration::from_secs(1)).min(until - now);
            match self.idle_once(slice, interrupt.as_mut()).await? {
                IdleOutcome::TimedOut => {}
                done => return Ok(done),
            }
        }
    }

    /// One IDLE command, ended after `timeout` at the latest, or when `interrupt` resolves.
    async fn idle_once(
        &mut self,
        timeout: Duration,
        interrupt: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    ) -> Result<IdleOutcome> {
        let limit = self.deadline();
        if self.poisoned {
            self.inner = None;
        }
        let session = self.inner.take().ok_or(Error::SessionClosed)?;
        // From here on, any failure leaves the session closed (inner is None).
        let mut handle = session.idle();
        timed(&limit, "IDLE", handle.init()).await?;
        let outcome = {
            let (wait, _stop) = handle.wait_with_timeout(timeout);
            let waited = tokio::select! {
                waited = tokio::time::timeout(timeout, wait) => waited,
                () = interrupt => Ok(Ok(IdleResponse::ManualInterrupt)),
            };
            match waited {
                Ok(Ok(IdleResponse::ManualInterrupt)) => IdleOutcome::Interrupted,
                Err(_) | Ok(Ok(IdleResponse::Timeout)) => IdleOutcome::TimedOut,
                Ok(Ok(IdleResponse::NewData(resp))) => {
                    note_count(&limit.live, resp.parsed());
                    IdleOutcome::Changed
                }
                Ok(Err(source)) => {
                    return Err(Error::Imap {
                        command: "IDLE",
                        source,
                    });
                }
            }
        };
        let session = timed(&limit, "DONE", handle.done()).await?;
        self.inner = Some(session);
        let changed_meanwhile = self.drain_unsolicited();
        Ok(
            if changed_meanwhile && outcome != IdleOutcome::Interrupted {
                IdleOutcome::Changed
            } else {
                outcome
            },
        )
    }

    async fn poll_wait(
        &mut self,
        timeout: Duration,
        mut interrupt: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    ) -> Result<IdleOutcome> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(IdleOutcome::TimedOut);
            }
            let every = self.poll_interval.min(self.keepalive);
            tokio::select! {
                () = tokio::time::sleep(every.min(deadline - now)) => {}
                () = interrupt.as_mut() => return Ok(IdleOutcome::Interrupted),
            }
            self.noop().await?;
            if self.drain_unsolicited() {
                return Ok(IdleOutcome::Changed);
            }
        }
    }

    /// Empties the notification channel; true if it said the folder changed.
    fn drain_unsolicited(&mut self) -> bool {
        let Some(s) = self.inner.as_mut() else {
            return false;
        };
        let mut changed = false;
        while let Ok(u) = s.unsolicited_responses.try_recv() {
            match u {
                UnsolicitedResponse::Exists(n) => self.live.set_exists(n),
                UnsolicitedResponse::Expunge(_) => self.live.expunged_one(),
                UnsolicitedResponse::Recent(_) => {}
                _ => continue,
            }
            changed = true;
        }
        changed
    }

    /// Says goodbye politely (LOGOUT).
    pub async fn logout(mut self) -> Result<()> {
        let limit = self.deadline();
        let s = self.session()?;
        let r = timed(&limit, "LOGOUT", s.logout()).await;
        self.keep(r)
    }
}

enum Appended {
    Ok(Option<u32>),
    Refused { try_create: bool, text: String },
}

/// APPEND with a synchronising literal, keeping the server's answer (async-imap's own
/// `append` drops the NO text and the APPENDUID).
async fn append_literal(
    s: &mut ImapInner,
    command: &str,
    raw: &[u8],
) -> async_imap::error::Result<Appended> {
    use async_imap::imap_proto::ResponseCode;
    use tokio::io::AsyncWriteExt;

    let id = s.run_command(command).await?;
    let mut sent = false;
    loop {
        let Some(resp) = s.read_response().await? else {
            return Err(ImapError::ConnectionLost);
        };
        match resp.parsed() {
            Response::Continue { .. } if !sent => {
                let stream = s.get_mut();
                stream.write_all(raw).await?;
                stream.write_all(b"\r\n").await?;
                stream.flush().await?;
                sent = true;
            }
            Response::Done {
                tag,
                status,
                outcome,
            } if *tag == id => {
                let code = &outcome.code;
                let text = outcome.information.as_deref().unwrap_or("").to_owned();
                return Ok(match status {
                    Status::Ok => Appended::Ok(match code {
                        Some(ResponseCode::AppendUid(_, uids)) => uids.first().map(|m| match m {
                            async_imap::imap_proto::rfc4315::UidSetMember::Uid(u) => *u,
                            async_imap::imap_proto::rfc4315::UidSetMember::UidRange(r) => {
                                *r.start()
                            }
                        }),
                        _ => None,
                    }),
                    _ => Appended::Refused {
                        try_create: matches!(code, Some(ResponseCode::TryCreate)),
                        text,
                    },
                });
            }
            // EXISTS and the like for a selected folder: nothing to do here.
            _ => {}
        }
    }
}

/// An IMAP quoted string.
fn quote(s: &str) -> Result<String> {
    if s.contains(['\r', '\n']) {
        return Err(Error::Invalid {
            field: "folder",
            reason: format!("{s:?} contains a line break"),
        });
    }
    Ok(format!(
        "\"{}\"",
        s.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

async fn read_greeting(
    client: &mut async_imap::Client<Metered<Stream>>,
    limit: Duration,
) -> Result<()> {
    let greeting = tokio::time::timeout(limit, client.read_response())
        .await
        .map_err(|_| Error::Timeout {
            what: "server greeting",
            seconds: limit.as_secs(),
        })?
        .map_err(|e| Error::Imap {
            command: "greeting",
            source: ImapError::Io(e),
        })?;
    match greeting.as_ref().map(|g| g.parsed()) {
        Some(Response::Data {
            status: Status::Ok | Status::PreAuth,
            ..
        }) => Ok(()),
        Some(other) => Err(Error::Protocol(format!(
            "the server did not greet with OK: {other:?}"
        ))),
        None => Err(Error::Imap {
            command: "greeting",
            source: ImapError::ConnectionLost,
        }),
    }
}

fn format_internal_date(d: OffsetDateTime) -> Result<String> {
    let f = format_description!(
        "\"[day]-[month repr:short]-[year] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]\""
    );
    d.format(f)
        .map_err(|e| Error::Protocol(format!("cannot format INTERNALDATE: {e}")))
}

/// Runs `UID FETCH set items` and hands each FETCH answer's attributes to `on`, until the
/// tagged answer, which must be OK. (async-imap's own FETCH stream ends quietly on a NO, a BAD
/// or a closed connection; a sync must tell those from "no more messages".)
async fn uid_fetch_each(
    s: &mut ImapInner,
    live: &Live,
    set: &str,
    items: &str,
    mut on: impl FnMut(&[AttributeValue<'_>]),
) -> async_imap::error::Result<()> {
    let tag = s.run_command(format!("UID FETCH {set} {items}")).await?;
    loop {
        let Some(resp) = s.read_response().await? else {
            return Err(ImapError::ConnectionLost);
        };
        if note_count(live, resp.parsed()) {
            continue;
        }
        match resp.parsed() {
            Response::Fetch(_, attrs) => on(attrs),
            Response::Done {
                tag: t,
                status,
                outcome,
            } if *t == tag => return done_status(status, outcome),
            _ => {}
        }
    }
}

/// Keeps the folder's message count up to date from an EXISTS or EXPUNGE answer; true when
/// `resp` was one.
fn note_count(live: &Live, resp: &Response<'_>) -> bool {
    match resp {
        Response::MailboxData(MailboxDatum::Exists(n)) => live.set_exists(*n),
        Response::Expunge(_) => live.expunged_one(),
        _ => return false,
    }
    true
}

fn done_status(
    status: &Status,
    outcome: &async_imap::imap_proto::rfc3501::Outcome<'_>,
) -> async_imap::error::Result<()> {
    let text = || outcome.information.as_deref().unwrap_or("").to_owned();
    match status {
        Status::Ok => Ok(()),
        Status::No => Err(ImapError::No(text())),
        _ => Err(ImapError::Bad(text())),
    }
}

/// `17-Jul-1996 02:44:25 -0700` (the day may be space-padded).
fn parse_internal_date(s: &str) -> Option<OffsetDateTime> {
    let f = format_description!(
        "[day padding:none]-[month repr:short case_sensitive:false]-[year] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(s.trim(), f).ok()
}

/// The messages of one FETCH, as they arrive. Read it to the end (`next` returning `None`);
/// dropping it earlier closes the session, since the connection still carries the rest.
pub struct FetchStream<'a> {
    session: &'a mut ImapInner,
    tag: Option<RequestId>,
    poisoned: &'a mut bool,
    limit: Deadline,
    done: bool,
}

impl std::fmt::Debug for FetchStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchStream")
            .field("done", &self.done)
            .finish()
    }
}

impl FetchStream<'_> {
    /// The next message; `None` once the server confirmed the end of the answer. Waits as
    /// long as the message keeps arriving, and at most the command timeout of silence. A NO,
    /// a BAD or a connection closed before the end is an error, never a silent end.
    pub async fn next(&mut self) -> Option<Result<FetchedMessage>> {
        loop {
            if self.done {
                return None;
            }
            let limit = self.limit.clone();
            let read = limit.patient(self.session.read_response()).await;
            let resp = match read {
                None => {
                    let e = limit.timeout("UID FETCH (next message)");
                    return Some(Err(self.fail_with(e)));
                }
                Some(Err(e)) => return Some(Err(self.fail(ImapError::Io(e)))),
                Some(Ok(None)) => return Some(Err(self.fail(ImapError::ConnectionLost))),
                Some(Ok(Some(resp))) => resp,
            };
            if note_count(&limit.live, resp.parsed()) {
                continue;
            }
            match resp.parsed() {
                // Unsolicited FETCH answers (flag changes) carry no body: skipped.
                Response::Fetch(_, attrs) => {
                    if let Some(m) = FetchedMessage::from_attributes(attrs) {
                        return Some(Ok(m));
                    }
                }
                Response::Done {
                    tag,
                    status,
                    outcome,
                } if Some(tag) == self.tag.as_ref() => {
                    self.done = true;
                    return match done_status(status, outcome) {
                        Ok(()) => None,
                        // A NO/BAD ends the command cleanly: the session stays usable.
                        Err(source) => Some(Err(Error::Imap {
                            command: "UID FETCH",
                            source,
                        })),
                    };
                }
                _ => {}
            }
        }
    }

    fn fail(&mut self, source: ImapError) -> Error {
        self.fail_with(Error::Imap {
            command: "UID FETCH",
            source,
        })
    }

    fn fail_with(&mut self, e: Error) -> Error {
        self.done = true;
        *self.poisoned = true;
        e
    }
}

impl Drop for FetchStream<'_> {
    fn drop(&mut self) {
        if !self.done {
            *self.poisoned = true;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn quoted_strings_escape_quotes_and_backslashes() {
        assert_eq!(quote("Sent").unwrap(), "\"Sent\"");
        assert_eq!(quote(r#"a"b\c"#).unwrap(), r#""a\"b\\c""#);
        assert!(quote("a\r\nb").is_err());
    }

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[42]), "42");
        assert_eq!(uid_set(&[]), "");
        assert_eq!(uid_set(&[u32::MAX - 1, u32::MAX]), "4294967294:4294967295");
    }

    #[test]
    fn internal_dates_are_read_back() {
        let d = parse_internal_date(" 5-Mar-2024 09:07:01 +0200").unwrap();
        assert_eq!(d, time::macros::datetime!(2024-03-05 09:07:01 +02:00));
        assert_eq!(d.offset().whole_hours(), 2);
        let d = parse_internal_date("25-dec-2024 23:00:00 -0530").unwrap();
        assert_eq!(d, time::macros::datetime!(2024-12-25 23:00:00 -05:30));
        assert!(parse_internal_date("yesterday").is_none());
    }

    #[test]
    fn internal_dates_use_the_imap_format() {
        let d = time::macros::datetime!(2024-03-05 09:07:01 +02:00);
        assert_eq!(
            format_internal_date(d).unwrap(),
            "\"05-Mar-2024 09:07:01 +0200\""
        );
        let d = time::macros::datetime!(2024-12-25 23:00:00 -05:30);
        assert_eq!(
            format_internal_date(d).unwrap(),
            "\"25-Dec-2024 23:00:00 -0530\""
        );
    }

    #[test]
    fn the_sent_folder_is_found_by_role_then_by_name() {
        let f = |name: &str, special_use| FolderInfo {
            name: name.into(),
            delimiter: Some("/".into()),
            special_use,
            selectable: true,
        };
        let by_role = [f("INBOX", None), f("Σταλμένα", Some(SpecialUse::Sent))];
        assert_eq!(find_sent_folder(&by_role).unwrap().name, "Σταλμένα");
        let by_name = [f("INBOX", None), f("Απεσταλμένα", None)];
        assert_eq!(find_sent_folder(&by_name).unwrap().name, "Απεσταλμένα");
        assert!(find_sent_folder(&[f("INBOX", None)]).is_none());
    }

    #[test]
    fn passwords_never_print() {
        let c = ImapConfig::new("127.0.0.1", 143, Security::Plain, "u", "hunter2");
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("hunter2") && dbg.contains("[REDACTED]"),
            "{dbg}"
        );
    }

    #[test]
    fn a_frozen_server_is_noticed_well_before_a_minute_by_default() {
        let c = ImapConfig::new("127.0.0.1", 143, Security::Plain, "u", "p");
        assert_eq!(c.command_timeout, Duration::from_secs(20));
        assert_eq!(c.keepalive, Duration::from_secs(15));
        assert!(c.command_timeout + c.keepalive < Duration::from_secs(60));
    }

    #[test]
    fn plain_to_a_remote_host_is_refused_before_connecting() {
        let c = ImapConfig::new("imap.example.com", 143, Security::Plain, "u", "p");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let e = rt.block_on(ImapSession::connect(&c)).unwrap_err();
        assert!(matches!(e, Error::PlainNotLoopback { .. }), "{e}");
    }
}
