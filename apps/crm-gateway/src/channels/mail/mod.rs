//! E-mail wired into the CRM: every message of the followed IMAP folders becomes comms
//! entries (one per customer whose address appears in it, else one in the unassigned inbox),
//! its attachments go to the customers' Nextcloud folders, and mail written in the CRM goes
//! out over SMTP and into the Sent folder.
//!
//! `mail-bridge` does the protocol work and calls back into [`CrmSink`] for each message; the
//! ledger ([`crm_comms::MailLedger`]) remembers each folder's checkpoint and every server
//! message the CRM holds, which is what makes a sync idempotent and a reconciliation possible.
//! One background task per account keeps a connection open, syncs, then waits for new mail
//! (IDLE, or polling), and reconciles every `mail_verify_secs`.
//!
//! When the server renumbers a folder (a new UIDVALIDITY), the sync lists it (UID,
//! Message-ID) and the sink adopts what the CRM holds at its new place — the ledger row, the
//! entries' `meta.imap` and attachment links — so only the messages it does not hold are
//! downloaded; the rows of the old UIDVALIDITY are pruned after.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::web;
use crm_comms::mail::{Checkpoint, Known, Place};
use crm_comms::{Comms as _, CommsType, Direction, MailLedger, NewEntry};
use crm_core::Timestamp;
use crm_customers::{Customer, Customers as _};
use mail_bridge::{
    FolderState, IdleOutcome, ImapSession, Incoming, Progress, ServerEntry, Sink, SyncOptions,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

mod send;

use super::{ChannelError, Integration};
use crate::config::MailFolder;
use crate::integrations::{Account, Mail};
use crate::state::AppState;

pub use send::{SendRequest, SentMail, send, send_text};

/// Who `logged_by` says an entry came from.
const LOGGED_BY: &str = "email";
/// The first wait before connecting again, doubling after each failure up to the next.
const MIN_BACKOFF: Duration = Duration::from_secs(5);
/// Waits between reconnection attempts grow to this.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// While the server refuses connections, how often to look whether it is back (a TCP
/// connect): the next attempt is then at once, not at the end of the back-off.
const PROBE_EVERY: Duration = Duration::from_secs(2);

/// What one pass did to one folder.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct FolderReport {
    pub account: String,
    pub folder: String,
    /// Messages new to the CRM, stored by the sync.
    pub new: u64,
    /// Messages the sync downloaded (new ones, and those it had to read to know them).
    pub fetched: u64,
    /// True when the folder's UIDVALIDITY had changed and it was listed again.
    pub resync: bool,
    /// After a UIDVALIDITY change: messages the CRM held, moved to their new place without
    /// being downloaded.
    pub adopted: u64,
    /// Messages in the folder at the end of the pass.
    pub on_server: u32,
    /// Messages the CRM holds that the server no longer has, found by this pass.
    pub expunged: u64,
    /// Reconciliation (verify passes only): messages missing from the CRM, fetched now, and
    /// those that could not be stored (with why).
    pub missing: u64,
    pub repaired: u64,
    pub failed: Vec<String>,
    /// What stopped this folder, if anything.
    pub error: Option<String>,
}

/// Runs one pass (a sync, and a reconciliation when `verify`) over every account with IMAP,
/// each on a connection of its own. `progress` sees every fetched message.
pub async fn pass_all(
    state: &AppState,
    verify: bool,
    progress: &(dyn Fn(&str, &Progress<'_>) + Sync),
) -> Vec<FolderReport> {
    let Some(mail) = state.mail.as_ref() else {
        return Vec::new();
    };
    let mut reports = Vec::new();
    for account in mail.accounts.iter().filter(|a| a.imap.is_some()) {
        reports.extend(pass_account(state, mail, account, verify, progress).await);
    }
    reports
}

async fn pass_account(
    state: &AppState,
    mail: &Mail,
    account: &Account,
    verify: bool,
    progress: &(dyn Fn(&str, &Progress<'_>) + Sync),
) -> Vec<FolderReport> {
    let Some(imap) = &account.imap else {
        return Vec::new();
    };
    let _one_pass = account.pass.lock().await;
    let mut session = match ImapSession::connect(imap).await {
        Ok(s) => s,
        Err(e) => return record_unreachable(mail, account, &e).await,
    };
    let reports = pass(state, mail, account, &mut session, verify, progress).await;
    if session.is_open() {
        let _ = session.logout().await;
    }
    reports
}

/// The error of a failed connection, on every folder of the account.
async fn record_unreachable(
    mail: &Mail,
    account: &Account,
    e: &mail_bridge::Error,
) -> Vec<FolderReport> {
    tracing::warn!(account = %account.name, error = %e, "cannot reach the IMAP server");
    let mut reports = Vec::new();
    for folder in &account.folders {
        if let Err(db) = mail
            .ledger
            .record_sync(&account.name, &folder.name, Err(e.to_string()))
            .await
        {
            tracing::error!(error = %db, "cannot record a mail sync error");
        }
        reports.push(FolderReport {
            account: account.name.clone(),
            folder: folder.name.clone(),
            error: Some(e.to_string()),
            ..FolderReport::default()
        });
    }
    reports
}

/// Syncs (and reconciles) each folder on an open session. A folder's failure is recorded
/// and the pass goes on with the next folder while the session stays usable.
async fn pass(
    state: &AppState,
    mail: &Mail,
    account: &Account,
    session: &mut ImapSession,
    verify: bool,
    progress: &(dyn Fn(&str, &Progress<'_>) + Sync),
) -> Vec<FolderReport> {
    let mut reports = Vec::new();
    for folder in &account.folders {
        let mut report = FolderReport {
            account: account.name.clone(),
            folder: folder.name.clone(),
            ..FolderReport::default()
        };
        if !session.is_open() {
            report.error = Some(mail_bridge::Error::SessionClosed.to_string());
            reports.push(report);
            continue;
        }
        let outcome = sync_one(
            state,
            mail,
            account,
            folder,
            session,
            verify,
            progress,
            &mut report,
        )
        .await;
        let recorded = match &outcome {
            Ok(()) => Ok(report.on_server),
            Err(e) => {
                tracing::warn!(account = %account.name, folder = %folder.name, error = %e, "mail sync failed");
                report.error = Some(e.to_string());
                Err(e.to_string())
            }
        };
        if let Err(e) = mail
            .ledger
            .record_sync(&account.name, &folder.name, recorded)
            .await
        {
            tracing::error!(error = %e, "cannot record a mail sync");
        }
        reports.push(report);
    }
    reports
}

#[allow(clippy::too_many_arguments)]
async fn sync_one(
    state: &AppState,
    mail: &Mail,
    account: &Account,
    folder: &MailFolder,
    session: &mut ImapSession,
    verify: bool,
    progress: &(dyn Fn(&str, &Progress<'_>) + Sync),
    report: &mut FolderReport,
) -> Result<(), mail_bridge::Error> {
    let sink = CrmSink {
        state,
        ledger: &mail.ledger,
        account,
        folder,
        new: AtomicU64::new(0),
    };
    let before = mail
        .ledger
        .checkpoint(&account.name, &folder.name)
        .await
        .map_err(mail_bridge::Error::sink)?
        .map(|c| FolderState {
            uidvalidity: c.uidvalidity,
            last_uid: c.last_uid,
        });
    let options = SyncOptions::default();
    let synced = mail_bridge::sync_folder(session, &folder.name, before, &sink, &options, |p| {
        progress(&account.name, p)
    })
    .await?;
    report.new = sink.new.load(Ordering::Relaxed);
    report.fetched = synced.fetched;
    report.resync = synced.resync;
    report.adopted = synced.adopted;
    report.on_server = synced.on_server;
    if synced.resync {
        // every message on the server now has its row under the new UIDVALIDITY
        report.expunged = mail
            .ledger
            .prune(&account.name, &folder.name, synced.uidvalidity, None)
            .await
            .map_err(mail_bridge::Error::sink)?;
        tracing::info!(account = %account.name, folder = %folder.name, adopted = synced.adopted, new = report.new, expunged = report.expunged, "UIDVALIDITY changed: folder resynced");
    } else if report.new > 0 {
        tracing::info!(account = %account.name, folder = %folder.name, new = report.new, "mail synced");
    }
    if !verify {
        let held = mail
            .ledger
            .held_at(&account.name, &folder.name, synced.uidvalidity)
            .await
            .map_err(mail_bridge::Error::sink)?;
        if held > u64::from(synced.on_server) {
            // fewer on the server than the CRM holds there: find which went (UIDs only)
            let on_server: Vec<u32> = session
                .uids_after(0)
                .await?
                .into_iter()
                .map(|(uid, _)| uid)
                .collect();
            let listed = Some((on_server, synced.state.last_uid));
            report.expunged += mail
                .ledger
                .prune(&account.name, &folder.name, synced.uidvalidity, listed)
                .await
                .map_err(mail_bridge::Error::sink)?;
        }
        return Ok(());
    }
    let Known { uids, keys } = mail
        .ledger
        .known(&account.name, &folder.name, synced.uidvalidity)
        .await
        .map_err(mail_bridge::Error::sink)?;
    let checked = mail_bridge::reconcile(
        session,
        &folder.name,
        |m| uids.contains(&m.uid) || m.message_id.is_some_and(|id| keys.contains(id)),
        &sink,
        &options,
        |p| progress(&account.name, p),
    )
    .await?;
    report.missing = checked.missing.len() as u64;
    report.repaired = checked.repaired.len() as u64;
    report.failed = checked
        .failed
        .iter()
        .map(|(uid, why)| format!("UID {uid}: {why}"))
        .collect();
    if report.missing > 0 {
        tracing::warn!(account = %account.name, folder = %folder.name, missing = report.missing, repaired = report.repaired, "reconciliation found mail the CRM did not hold");
    }
    if checked.uidvalidity == synced.uidvalidity {
        // what the ledger holds at UIDs the sync passed and the server no longer lists
        let listed = Some((checked.uids.clone(), synced.state.last_uid));
        report.expunged += mail
            .ledger
            .prune(&account.name, &folder.name, checked.uidvalidity, listed)
            .await
            .map_err(mail_bridge::Error::sink)?;
        report.on_server = u32::try_from(checked.on_server).unwrap_or(u32::MAX);
    }
    mail.ledger
        .record_verify(
            &account.name,
            &folder.name,
            report.missing,
            report.repaired,
            report.failed.len() as u64,
        )
        .await
        .map_err(mail_bridge::Error::sink)?;
    Ok(())
}

/// Follows one account until `stop`: connect, sync every folder, wait for new mail on the
/// first inbound folder, again; reconnect with back-off after any failure (and at once when a
/// server that refused connections accepts them again). On `stop` a pass under way finishes,
/// then the session logs out.
pub async fn run_account(state: web::Data<AppState>, index: usize, stop: crate::shutdown::Stop) {
    let Some(mail) = state.mail.as_ref() else {
        return;
    };
    let account = &mail.accounts[index];
    let Some(imap) = &account.imap else {
        return;
    };
    let quiet = |_: &str, _: &Progress<'_>| {};
    let mut backoff = Backoff::default();
    // the first reconciliation comes one period after start: a restart is covered by the
    // checkpoint, and a big mailbox's first sync should not be doubled
    let mut last_verify = Instant::now();
    while !stop.is_stopped() {
        let mut session = match ImapSession::connect(imap).await {
            Ok(s) => s,
            Err(e) => {
                record_unreachable(mail, account, &e).await;
                let refused = matches!(e, mail_bridge::Error::Connect { .. });
                tokio::select! {
                    () = backoff.wait(refused.then_some(imap)) => {}
                    () = stop.wait() => return,
                }
                continue;
            }
        };
        loop {
            if stop.is_stopped() {
                log_out(session, &account.name).await;
                return;
            }
            let verify = last_verify.elapsed() >= mail.verify_every;
            let reports = {
                let _one_pass = account.pass.lock().await;
                pass(&state, mail, account, &mut session, verify, &quiet).await
            };
            if verify {
                last_verify = Instant::now();
            }
            if !session.is_open() {
                break;
            }
            if reports.iter().all(|r| r.error.is_none()) {
                backoff.reset();
            }
            let watch = account
                .folders
                .iter()
                .find(|f| !f.outbound)
                .unwrap_or(&account.folders[0]);
            let until_verify = mail.verify_every.saturating_sub(last_verify.elapsed());
            let wait = mail.idle.min(until_verify).max(Duration::from_secs(1));
            let waited = match session.select(&watch.name).await {
                Ok(_) => session.idle_wait_until(wait, stop.wait()).await,
                Err(e) => Err(e),
            };
            if matches!(waited, Ok(IdleOutcome::Interrupted)) {
                log_out(session, &account.name).await;
                return;
            }
            if let Err(e) = waited {
                tracing::warn!(account = %account.name, error = %e, "waiting for mail failed");
                if !session.is_open() {
                    // the server stopped answering: the status says so until a pass succeeds
                    record_unreachable(mail, account, &e).await;
                    break;
                }
                tokio::time::sleep(wait.min(backoff.current())).await;
            }
        }
        tokio::select! {
            () = backoff.wait(None) => {}
            () = stop.wait() => return,
        }
    }
}

/// Ends a session politely (IMAP `LOGOUT`), for a server stopping.
async fn log_out(session: ImapSession, account: &str) {
    match session.logout().await {
        Ok(()) => tracing::info!(account, "logged out of the IMAP server"),
        Err(e) => tracing::debug!(account, error = %e, "IMAP logout failed"),
    }
}

/// The waits between reconnection attempts: 5 s doubling to 60 s.
#[derive(Debug, Clone, Copy)]
struct Backoff(Duration);

impl Default for Backoff {
    fn default() -> Self {
        Self(MIN_BACKOFF)
    }
}

impl Backoff {
    fn current(self) -> Duration {
        self.0
    }

    fn reset(&mut self) {
        self.0 = MIN_BACKOFF;
    }

    /// The wait to do now; the next one is twice as long, up to [`MAX_BACKOFF`].
    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
        wait
    }

    /// Waits the current back-off and doubles it. With `probe` (the server refused the
    /// connection), looks every [`PROBE_EVERY`] whether it accepts connections again, and
    /// ends the wait when it does.
    async fn wait(&mut self, probe: Option<&mail_bridge::ImapConfig>) {
        let wait = self.next();
        let Some(imap) = probe else {
            tokio::time::sleep(wait).await;
            return;
        };
        let until = tokio::time::Instant::now() + wait;
        loop {
            let now = tokio::time::Instant::now();
            if now >= until {
                return;
            }
            tokio::time::sleep(PROBE_EVERY.min(until - now)).await;
            if accepts_connections(imap).await {
                return;
            }
        }
    }
}

/// Whether the IMAP server accepts a TCP connection now.
async fn accepts_connections(imap: &mail_bridge::ImapConfig) -> bool {
    let host = imap.host.trim_start_matches('[').trim_end_matches(']');
    let connect = tokio::net::TcpStream::connect((host, imap.port));
    matches!(
        tokio::time::timeout(Duration::from_secs(2), connect).await,
        Ok(Ok(_))
    )
}

/// Stores the messages of one folder as comms entries.
struct CrmSink<'a> {
    state: &'a AppState,
    ledger: &'a MailLedger,
    account: &'a Account,
    folder: &'a MailFolder,
    /// Messages stored as new entries.
    new: AtomicU64,
}

impl Sink for CrmSink<'_> {
    async fn store(&self, message: Incoming<'_>) -> mail_bridge::Result<()> {
        let key = message_key(message.parsed, message.raw);
        let held = self
            .ledger
            .has_key(&self.account.name, &key)
            .await
            .map_err(mail_bridge::Error::sink)?;
        if held {
            // known already (another folder, a replayed chunk, a message without Message-ID
            // after a UIDVALIDITY change): its entries follow it to this place
            let place = Place {
                uid: message.uid,
                key,
                source: imap_location(self.account, self.folder, message.uidvalidity, message.uid),
            };
            self.ledger
                .relocate(
                    &self.account.name,
                    &self.folder.name,
                    message.uidvalidity,
                    vec![place],
                )
                .await
                .map_err(mail_bridge::Error::sink)?;
            return Ok(());
        }
        store_message(self.state, self.account, self.folder, &message, &key)
            .await
            .map_err(mail_bridge::Error::sink)?;
        self.new.fetch_add(1, Ordering::Relaxed);
        self.ledger
            .record_message(
                &self.account.name,
                &self.folder.name,
                message.uidvalidity,
                message.uid,
                &key,
            )
            .await
            .map_err(mail_bridge::Error::sink)
    }

    async fn checkpoint(&self, folder: &str, state: FolderState) -> mail_bridge::Result<()> {
        let at = Checkpoint {
            uidvalidity: state.uidvalidity,
            last_uid: state.last_uid,
        };
        self.ledger
            .save_checkpoint(&self.account.name, folder, at)
            .await
            .map_err(mail_bridge::Error::sink)
    }

    async fn adopt(
        &self,
        _folder: &str,
        entries: &[ServerEntry<'_>],
    ) -> mail_bridge::Result<Vec<u32>> {
        let Some(uidvalidity) = entries.first().map(|e| e.uidvalidity) else {
            return Ok(Vec::new());
        };
        let places: Vec<Place> = entries
            .iter()
            .filter_map(|e| {
                let key = e.message_id.and_then(key_of_message_id)?;
                Some(Place {
                    uid: e.uid,
                    key,
                    source: imap_location(self.account, self.folder, e.uidvalidity, e.uid),
                })
            })
            .collect();
        self.ledger
            .relocate(&self.account.name, &self.folder.name, uidvalidity, places)
            .await
            .map_err(mail_bridge::Error::sink)
    }
}

/// The key a message is stored under: its Message-ID, or a digest of its bytes when it has
/// none (the same bytes give the same key after a resync).
pub fn message_key(message: &mail_bridge::Message, raw: &[u8]) -> String {
    message
        .message_id
        .as_deref()
        .and_then(key_of_message_id)
        .unwrap_or_else(|| format!("sha256:{}", hex::encode(Sha256::digest(raw))))
}

/// The key of a message with this Message-ID, when the Message-ID can be one.
fn key_of_message_id(id: &str) -> Option<String> {
    let id = id.trim();
    (!id.is_empty() && id.len() <= 900).then(|| clean_line(id, 900))
}

/// The thread a message belongs to: the first message of its References, else what it
/// replies to, else itself.
fn thread_of(message: &mail_bridge::Message, key: &str) -> String {
    message
        .references
        .first()
        .or(message.in_reply_to.first())
        .map(|id| clean_line(id, 900))
        .unwrap_or_else(|| key.to_owned())
}

/// One line of at most `max` characters: what one-line text refuses (controls, line breaks,
/// bidirectional overrides) turned into spaces or dropped, so that mail is kept, not refused.
pub(crate) fn clean_line(s: &str, max: usize) -> String {
    crm_core::validate::scrub_line(s)
        .chars()
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// An e-mail's subject and text as an entry's subject and body, nothing left out: a subject
/// longer than the log's subject field shows its beginning there (ending in `…`) and is
/// kept whole as the first paragraph of the body; the third value is then its length in
/// characters (for `meta.subject_chars`, with `meta.subject_in_body`).
pub(crate) fn subject_and_body(
    subject: Option<&str>,
    text: Option<&str>,
) -> (Option<String>, Option<String>, Option<usize>) {
    let max = crm_comms::model::SUBJECT_MAX;
    let subject = subject
        .map(|s| clean_line(s, usize::MAX))
        .filter(|s| !s.is_empty());
    let body = |text: Option<&str>| text.map(|t| clean_text(t, crm_comms::model::BODY_MAX));
    match subject {
        Some(whole) if whole.chars().count() > max => {
            let chars = whole.chars().count();
            let mut shown: String = whole.chars().take(max - 1).collect();
            shown.truncate(shown.trim_end().len());
            shown.push('…');
            let full = match text {
                Some(t) => format!("{whole}\n\n{t}"),
                None => whole,
            };
            (Some(shown), body(Some(&full)), Some(chars))
        }
        subject => (subject, body(text), None),
    }
}

/// Free text of at most `max` characters, with what multi-line text refuses (controls other
/// than line breaks and tabs, bidirectional overrides) dropped.
pub(crate) fn clean_text(s: &str, max: usize) -> String {
    crm_core::validate::scrub_text(s)
        .chars()
        .take(max)
        .collect()
}

async fn store_message(
    state: &AppState,
    account: &Account,
    folder: &MailFolder,
    message: &Incoming<'_>,
    key: &str,
) -> Result<(), String> {
    let m = message.parsed;
    let direction = if folder.outbound {
        Direction::Outbound
    } else {
        Direction::Inbound
    };
    // the other side: the sender of what came in, the recipients of what went out
    let parties: Vec<&mail_bridge::Address> = if folder.outbound {
        m.to.iter().chain(&m.cc).collect()
    } else {
        m.from.iter().chain(&m.to).chain(&m.cc).collect()
    };
    let mut customers: Vec<Customer> = Vec::new();
    let mut seen = HashSet::new();
    for address in parties {
        let normalized = address.normalized.as_str();
        if normalized.is_empty() || account.own.contains(normalized) || !seen.insert(normalized) {
            continue;
        }
        if let Some(c) = state
            .customers
            .find_by_contact(normalized)
            .await
            .map_err(|e| e.to_string())?
            && !customers.iter().any(|known| known.id == c.id)
        {
            customers.push(c);
        }
    }
    let counterpart = if folder.outbound {
        m.to.first().or(m.cc.first())
    } else {
        m.from.first()
    };
    let occurred_at = m
        .date
        .or(message.internal_date)
        .map(Timestamp::from)
        .unwrap_or_else(|| state.clock.now());
    let base = base_entry(account, folder, message, key, direction, occurred_at);
    let source = imap_location(account, folder, message.uidvalidity, message.uid);

    let mut entries = Vec::new();
    let mut records = Vec::new();
    let targets: Vec<Option<&Customer>> = if customers.is_empty() {
        vec![None]
    } else {
        customers.iter().map(Some).collect()
    };
    for (i, customer) in targets.into_iter().enumerate() {
        let mut entry = base.clone();
        entry.customer_id = customer.map(|c| c.id);
        entry.sender = match (customer, counterpart) {
            (_, Some(a)) => Some(clean_line(&a.address, 900)),
            (None, None) => Some("(no address)".to_owned()),
            (Some(_), None) => None,
        };
        if i > 0 {
            // one entry per customer, each with a key of its own
            entry.ext_message_id = Some(format!(
                "{key} {}",
                customer.map(|c| c.id).unwrap_or_default()
            ));
        }
        let folder_path = customer.map_or_else(
            || "Unassigned/E-mail".to_owned(),
            crm_customers::Customer::files_folder,
        );
        let (attachments, stored, errors) = attachments(
            state,
            m,
            &folder_path,
            folder.outbound,
            key,
            occurred_at,
            &source,
        )
        .await;
        entry.attachments = attachments;
        if !errors.is_empty()
            && let Some(serde_json::Value::Object(meta)) = entry.meta.as_mut()
        {
            meta.insert("attachment_errors".into(), errors.into());
        }
        if let Some(c) = customer {
            records.extend(stored.into_iter().map(|mut r| {
                r.customer_id = Some(c.id);
                r
            }));
        }
        entries.push(entry);
    }
    // what to keep of each entry if the log refuses it (small: no body, no attachments)
    let reduced: Vec<NewEntry> = entries.iter().map(stripped).collect();
    let outcomes = state
        .comms
        .ingest_batch(entries)
        .await
        .map_err(|e| e.to_string())?;
    for (mut kept, outcome) in reduced.into_iter().zip(outcomes) {
        match outcome {
            Ok(done) if done.created && direction == Direction::Inbound => {
                let data = super::workflows::entry_data(&done.entry);
                super::workflows::emit(state, "email.received", data);
            }
            Ok(_) => {}
            // a message the log refuses must not stall the folder: keep what it is and where
            Err(crm_comms::Error::Invalid { field, reason }) => {
                tracing::warn!(%key, %field, %reason, "e-mail stored without its refused parts");
                if let Some(meta) = kept.meta.as_mut() {
                    meta["refused"] = format!("{field}: {reason}").into();
                }
                state.comms.ingest(kept).await.map_err(|e| e.to_string())?;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    for record in records {
        match state.comms.create_media(record).await {
            Ok(_) | Err(crm_comms::Error::Conflict { .. }) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(())
}

/// An entry reduced to what cannot be refused: who, when, the key and the message's place on
/// the server (in `meta`, where the caller adds why the whole entry was refused).
fn stripped(entry: &NewEntry) -> NewEntry {
    let mut kept = NewEntry::new(entry.kind, entry.direction, entry.customer_id);
    kept.sender.clone_from(&entry.sender);
    kept.ext_message_id.clone_from(&entry.ext_message_id);
    kept.occurred_at = entry.occurred_at;
    kept.logged_by.clone_from(&entry.logged_by);
    kept.subject = Some("(message not readable: see meta.refused)".to_owned());
    let was = entry.meta.as_ref();
    let field = |name: &str| was.map_or(serde_json::Value::Null, |m| m[name].clone());
    kept.meta = Some(serde_json::json!({
        "message_id": field("message_id"),
        "thread": field("thread"),
        "imap": field("imap"),
    }));
    kept
}

/// The entry every customer's copy starts from.
fn base_entry(
    account: &Account,
    folder: &MailFolder,
    message: &Incoming<'_>,
    key: &str,
    direction: Direction,
    occurred_at: Timestamp,
) -> NewEntry {
    let m = message.parsed;
    let mut entry = NewEntry::new(CommsType::Email, direction, None);
    entry.ext_message_id = Some(key.to_owned());
    let (subject, body, subject_in_body) =
        subject_and_body(m.subject.as_deref(), m.text.as_deref());
    entry.subject = subject;
    entry.body = body;
    entry.logged_by = Some(LOGGED_BY.to_owned());
    entry.occurred_at = Some(occurred_at);
    let addresses = |list: &[mail_bridge::Address]| -> serde_json::Value {
        list.iter()
            .map(|a| serde_json::json!({ "name": a.name, "address": a.address }))
            .collect()
    };
    let mut meta = serde_json::json!({
        "message_id": m.message_id,
        "in_reply_to": m.in_reply_to,
        "references": m.references,
        "thread": thread_of(m, key),
        "from": addresses(&m.from),
        "to": addresses(&m.to),
        "cc": addresses(&m.cc),
        "imap": {
            "account": account.name,
            "folder": folder.name,
            "uidvalidity": message.uidvalidity,
            "uid": message.uid,
        },
        "size": m.size,
    });
    if let Some(chars) = subject_in_body {
        meta["subject_in_body"] = true.into();
        meta["subject_chars"] = chars.into();
    }
    if !m.flags.is_empty() {
        meta["flags"] = m.flags.iter().map(|f| f.as_str()).collect();
    }
    if !matches!(m.kind, mail_bridge::MessageKind::Regular) {
        meta["kind"] = format!("{:?}", m.kind).into();
    }
    if !m.forwarded.is_empty() {
        meta["forwarded"] = m
            .forwarded
            .iter()
            .map(|f| serde_json::json!({ "subject": f.subject, "message_id": f.message_id, "attachment": f.attachment }))
            .collect();
    }
    entry.meta = Some(meta);
    entry
}

/// Where a message can be fetched from on the server (RFC 5092 style).
fn imap_location(account: &Account, folder: &MailFolder, uidvalidity: u32, uid: u32) -> String {
    let (user, host) = account
        .imap
        .as_ref()
        .map(|c| (c.user.as_str(), c.host.as_str()))
        .unwrap_or_default();
    let url = format!(
        "imap://{user}@{host}/{};UIDVALIDITY={uidvalidity}/;UID={uid}",
        folder.name
    );
    clean_line(&url, crm_comms::model::PATH_MAX)
}

/// Stores a message's attachments in Nextcloud under `folder` (when configured) and answers
/// the entry's attachment list, the media records to create, and what could not be stored.
/// Inline parts (images of an HTML body) are listed with where to fetch them, not uploaded.
async fn attachments(
    state: &AppState,
    m: &mail_bridge::Message,
    folder: &str,
    outbound: bool,
    key: &str,
    occurred_at: Timestamp,
    source: &str,
) -> (
    Vec<crm_comms::Attachment>,
    Vec<crm_comms::NewMedia>,
    Vec<String>,
) {
    let (sub, direction) = if outbound {
        ("Sent Media", crm_comms::MediaDirection::Sent)
    } else {
        ("Received Media", crm_comms::MediaDirection::Received)
    };
    let date = &occurred_at.to_string()[..10];
    // a short tag of the message keeps same-named files of different mails apart
    let tag = &hex::encode(Sha256::digest(key.as_bytes()))[..6];
    let mut listed = Vec::new();
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for a in &m.attachments {
        let filename = Some(clean_line(&a.filename, 200))
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| "attachment".to_owned());
        let mut item = crm_comms::Attachment {
            filename: filename.clone(),
            nextcloud_path: None,
            mime_type: Some(clean_line(&a.content_type, 200)),
            size: Some(a.size as u64),
            source: Some(source.to_owned()),
        };
        if a.inline {
            listed.push(item);
            continue;
        }
        let Some(nc) = state.nextcloud.as_ref() else {
            listed.push(item);
            continue;
        };
        let name = format!("{date} {tag} {filename}");
        let path = format!("{folder}/{sub}/{name}");
        let stored = match nextcloud_dav::DavPath::parse(&path) {
            Ok(dav_path) => nc
                .upload(
                    &dav_path,
                    nextcloud_dav::UploadBody::from_bytes(a.data.clone())
                        .with_content_type(&a.content_type),
                )
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match stored {
            Ok(_) => {
                item.nextcloud_path = Some(path.clone());
                records.push(crm_comms::NewMedia {
                    customer_id: None,
                    order_id: None,
                    filename: Some(name),
                    nextcloud_path: path,
                    mime_type: item.mime_type.clone(),
                    size: item.size,
                    direction,
                    tags: vec!["email".into()],
                    uploaded_by: Some(LOGGED_BY.into()),
                });
            }
            Err(e) => {
                tracing::warn!(%path, error = %e, "e-mail attachment not stored in Nextcloud; it stays in the mailbox");
                errors.push(format!("{filename}: {e}"));
            }
        }
        listed.push(item);
    }
    (listed, records, errors)
}

/// The configured accounts.
pub fn configured(state: &AppState) -> Result<&Mail, ChannelError> {
    state
        .mail
        .as_ref()
        .ok_or(ChannelError::NotConfigured(Integration::Mail))
}

/// An account and how each of its folders stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountStatus {
    pub name: String,
    /// Whether the account reads mail (IMAP) and can send (SMTP).
    pub imap: bool,
    pub smtp: bool,
    pub folders: Vec<crm_comms::mail::MailFolderStatus>,
}

/// How every followed folder of every account stands (never-synced folders included).
pub async fn status(state: &AppState) -> Result<Vec<AccountStatus>, ChannelError> {
    let mail = configured(state)?;
    let mut known = mail.ledger.status().await?;
    let accounts: Vec<AccountStatus> = mail
        .accounts
        .iter()
        .map(|a| AccountStatus {
            name: a.name.clone(),
            imap: a.imap.is_some(),
            smtp: a.smtp.is_some(),
            folders: a
                .folders
                .iter()
                .map(|f| {
                    match known
                        .iter()
                        .position(|s| s.account == a.name && s.folder == f.name)
                    {
                        Some(i) => known.swap_remove(i),
                        None => crm_comms::mail::MailFolderStatus::never_synced(&a.name, &f.name),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(accounts)
}

/// Syncs every account now, as the background task does, optionally reconciling.
pub async fn sync_now(state: &AppState, verify: bool) -> Result<Vec<FolderReport>, ChannelError> {
    configured(state)?;
    Ok(pass_all(state, verify, &|_, _| {}).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::bare_address;

    #[test]
    fn text_the_log_would_refuse_is_cleaned_not_refused() {
        // a right-to-left override in a subject (a classic spoofing trick) and a vertical tab
        let subject = clean_line("Τιμολόγιο\u{202E}fdp.exe\u{0B}2026", 1000);
        assert_eq!(subject, "Τιμολόγιοfdp.exe 2026");
        assert!(crm_core::validate::single_line("subject", &subject).is_ok());
        let body = clean_text("Καλημέρα,\n\tπάτερ\u{2066}!\u{0}", 1000);
        assert_eq!(body, "Καλημέρα,\n\tπάτερ!");
        assert!(crm_core::validate::multi_line("body", &body).is_ok());
    }

    #[test]
    fn own_addresses_and_cleaning() {
        assert_eq!(
            bare_address("BellSystems <Info@Bell.GR>").as_deref(),
            Some("info@bell.gr")
        );
        assert_eq!(
            bare_address(" info@bell.gr ").as_deref(),
            Some("info@bell.gr")
        );
        assert_eq!(
            bare_address("crm"),
            None,
            "an IMAP login that is no address"
        );
        assert_eq!(clean_line("a\u{0}b\r\nc", 10), "a b  c");
        assert_eq!(clean_line("αβγδ", 2), "αβ");
        assert_eq!(clean_text("a\u{7}b\r\nc\td", 100), "ab\r\nc\td");
    }

    #[test]
    fn a_long_subject_is_kept_whole() {
        let max = crm_comms::model::SUBJECT_MAX;
        let fits = "α".repeat(max);
        let (subject, body, moved) = subject_and_body(Some(&fits), Some("κείμενο"));
        assert_eq!(subject.as_deref(), Some(fits.as_str()));
        assert_eq!((body.as_deref(), moved), (Some("κείμενο"), None));

        let long = format!("{} τέλος", "καμπάνα ".repeat(400));
        let (subject, body, moved) = subject_and_body(Some(&long), Some("κείμενο"));
        let subject = subject.unwrap();
        assert_eq!(subject.chars().count(), max);
        assert!(subject.ends_with('…') && long.starts_with(subject.trim_end_matches('…')));
        assert_eq!(body.unwrap(), format!("{}\n\nκείμενο", long.trim()));
        assert_eq!(moved, Some(long.trim().chars().count()));
        // without a body, the subject is the body
        let (_, body, _) = subject_and_body(Some(&long), None);
        assert_eq!(body.as_deref(), Some(long.trim()));
    }

    #[test]
    fn reconnection_waits_grow_to_a_minute() {
        let mut b = Backoff::default();
        let mut waits = Vec::new();
        for _ in 0..7 {
            waits.push(b.next().as_secs());
        }
        assert_eq!(waits, [5, 10, 20, 40, 60, 60, 60]);
        b.reset();
        assert_eq!(b.current(), MIN_BACKOFF);
    }

    #[tokio::test]
    async fn a_server_that_comes_back_ends_the_wait_at_once() {
        // a port that refuses (nothing listens), then accepts
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let imap = mail_bridge::ImapConfig::new(
            "127.0.0.1",
            port,
            mail_bridge::Security::Plain,
            "crm",
            "secret",
        );
        let mut b = Backoff(Duration::from_secs(3));
        let started = Instant::now();
        b.wait(Some(&imap)).await;
        assert!(
            started.elapsed() >= Duration::from_secs(3),
            "refused all along"
        );
        assert_eq!(b.current(), Duration::from_secs(6));

        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let mut b = Backoff(MAX_BACKOFF);
        let started = Instant::now();
        b.wait(Some(&imap)).await;
        assert!(
            started.elapsed() < PROBE_EVERY + Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        drop(listener);
    }
}
