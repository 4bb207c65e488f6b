//! The handles of the configured integrations that `AppState` keeps: the WhatsApp number,
//! the PBX link, the e-mail accounts. What they do is the channels' business
//! (`crate::channels`); here is only what they are and how configuration makes them.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use crm_comms::MailLedger;
use secrecy::SecretString;
use tokio::sync::{Notify, RwLock};

use crate::config::{MailAccount, MailFolder};

/// The configured WhatsApp Business number.
#[derive(Debug)]
pub struct WhatsApp {
    pub client: wa_bridge::Client,
    pub app_secret: SecretString,
    pub verify_token: SecretString,
    /// Wakes the worker when a webhook was stored.
    pub wake: Arc<Notify>,
}

/// The configured PBX and, while logged in, its client.
#[derive(Debug)]
pub struct Calls {
    pub config: ami_bridge::Config,
    pub client: RwLock<Option<ami_bridge::Client>>,
    /// What the bridge last saw of the PBX, for the status page.
    pub link: std::sync::Mutex<PbxLink>,
}

/// The PBX connection as the bridge last saw it.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct PbxLink {
    /// Since when the bridge is logged in; `None` while it is not.
    pub connected_since: Option<crm_core::Timestamp>,
    /// When the last event (of any kind) came from the PBX.
    pub last_event_at: Option<crm_core::Timestamp>,
    /// Why the last connection attempt failed or the link dropped.
    pub last_error: Option<String>,
}

impl Calls {
    /// The shared handle the state keeps.
    pub fn new(config: ami_bridge::Config) -> Arc<Calls> {
        Arc::new(Calls {
            config,
            client: RwLock::new(None),
            link: std::sync::Mutex::new(PbxLink::default()),
        })
    }

    /// Changes what the status page shows of the link.
    pub fn note(&self, change: impl FnOnce(&mut PbxLink)) {
        let mut link = self
            .link
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        change(&mut link);
    }

    /// What the status page shows of the link.
    pub fn link(&self) -> PbxLink {
        self.link
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// The configured accounts and the ledger.
#[derive(Debug)]
pub struct Mail {
    pub accounts: Vec<Account>,
    pub ledger: MailLedger,
    pub verify_every: Duration,
    pub idle: Duration,
    pub max_attachment_bytes: u64,
}

/// One account, ready to use.
#[derive(Debug)]
pub struct Account {
    pub name: String,
    pub imap: Option<mail_bridge::ImapConfig>,
    pub folders: Vec<MailFolder>,
    pub smtp: Option<mail_bridge::SmtpClient>,
    /// The sender of mail written in the CRM.
    pub from: Option<String>,
    /// The account's own addresses (normalised): never matched to a customer.
    pub(crate) own: HashSet<String>,
    /// One pass over the account's folders at a time.
    pub(crate) pass: tokio::sync::Mutex<()>,
}

impl Mail {
    /// `None` when no account is configured.
    pub fn new(
        accounts: Vec<MailAccount>,
        ledger: MailLedger,
        config: &crate::config::Config,
    ) -> anyhow::Result<Option<Self>> {
        if accounts.is_empty() {
            return Ok(None);
        }
        let accounts = accounts
            .into_iter()
            .map(Account::new)
            .collect::<anyhow::Result<_>>()?;
        Ok(Some(Self {
            accounts,
            ledger,
            verify_every: Duration::from_secs(config.mail_verify_secs),
            idle: Duration::from_secs(config.mail_idle_secs),
            max_attachment_bytes: config.mail_max_attachment_bytes,
        }))
    }

    /// The account to send from: the named one, or the first that can send.
    pub fn sender(&self, name: Option<&str>) -> Option<&Account> {
        match name {
            Some(name) => self.accounts.iter().find(|a| a.name == name),
            None => self.accounts.iter().find(|a| a.smtp.is_some()),
        }
    }
}

impl Account {
    fn new(settings: MailAccount) -> anyhow::Result<Self> {
        let (imap, folders) = match settings.imap {
            Some((config, folders)) => (Some(config), folders),
            None => (None, Vec::new()),
        };
        let (smtp, from) = match settings.smtp {
            Some((config, from)) => (
                Some(
                    mail_bridge::SmtpClient::new(&config)
                        .map_err(|e| anyhow::anyhow!("e-mail account {:?}: {e}", settings.name))?,
                ),
                Some(from),
            ),
            None => (None, None),
        };
        let mut own = HashSet::new();
        own.extend(from.as_deref().and_then(bare_address));
        own.extend(imap.as_ref().and_then(|c| bare_address(&c.user)));
        Ok(Self {
            name: settings.name,
            imap,
            folders,
            smtp,
            from,
            own,
            pass: tokio::sync::Mutex::new(()),
        })
    }

    /// The outbound folder mail sent from the CRM is appended to.
    pub fn sent_folder(&self) -> Option<&MailFolder> {
        self.folders.iter().find(|f| f.outbound)
    }
}

/// `Name <a@b>` → `a@b` in the normal form contacts are matched by.
pub(crate) fn bare_address(s: &str) -> Option<String> {
    let s = s.trim();
    let inner = match (s.rfind('<'), s.rfind('>')) {
        (Some(start), Some(end)) if start < end => &s[start + 1..end],
        _ => s,
    };
    crm_core::contact::email_key(inner)
}
