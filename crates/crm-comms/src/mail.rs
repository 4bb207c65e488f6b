//! What the CRM knows of each mail folder it follows: the sync checkpoint, every server
//! message it stored, and the figures `GET /api/crm/email/status` shows.
//!
//! The mail wiring records a message here right after its entries are stored, so the ledger
//! answers "do we hold this one?" both by place (UIDVALIDITY + UID) and by key (Message-ID).
//! The reconciliation pass compares the server's full list against it; nothing here depends
//! on the mail library.
//!
//! When the server renumbers a folder (a new UIDVALIDITY), [`MailLedger::relocate`] moves
//! what the CRM holds to the new place: the ledger row, and the entries' `meta.imap` and
//! attachment `source` links. [`MailLedger::prune`] then drops the rows of the old
//! UIDVALIDITY, keeping the messages the server no longer has as *expunged*.

use std::collections::HashSet;
use std::sync::Arc;

use crm_core::{Clock, Db, Timestamp};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Result;

/// Where a folder's sync stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub uidvalidity: u32,
    pub last_uid: u32,
}

/// One folder of one account, as `GET /api/crm/email/status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MailFolderStatus {
    pub account: String,
    pub folder: String,
    /// The folder's UIDVALIDITY at the last sync.
    pub uidvalidity: Option<u32>,
    /// Every message up to this UID is stored.
    pub last_uid: u32,
    /// Messages in the folder at the last sync, per the server.
    pub on_server: Option<u32>,
    /// Messages of this folder the CRM holds, under whatever UIDVALIDITY they were stored
    /// (so a resync does not make them look missing), those since expunged included.
    pub stored: u64,
    /// Of `stored`, how many are no longer in the folder on the server (deleted or moved
    /// there), as the last resync or reconciliation found. `stored - expunged` is what the
    /// CRM holds of `on_server`.
    pub expunged: u64,
    pub last_sync_at: Option<Timestamp>,
    /// The last sync's error; cleared by the next sync that succeeds.
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    /// When the last reconciliation pass finished.
    pub verified_at: Option<Timestamp>,
    /// Messages reconciliation passes found missing, repaired, and could not repair (totals).
    pub gaps_found: u64,
    pub gaps_repaired: u64,
    pub gaps_failed: u64,
}

impl MailFolderStatus {
    /// A configured folder the sync has not reached yet.
    pub fn never_synced(account: &str, folder: &str) -> Self {
        Self {
            account: account.to_owned(),
            folder: folder.to_owned(),
            uidvalidity: None,
            last_uid: 0,
            on_server: None,
            stored: 0,
            expunged: 0,
            last_sync_at: None,
            last_error: None,
            last_error_at: None,
            verified_at: None,
            gaps_found: 0,
            gaps_repaired: 0,
            gaps_failed: 0,
        }
    }
}

/// What a folder holds according to the CRM, for one reconciliation pass.
#[derive(Debug, Default, Clone)]
pub struct Known {
    pub uids: HashSet<u32>,
    pub keys: HashSet<String>,
}

/// A message the server holds (again) at a new place, for [`MailLedger::relocate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub uid: u32,
    /// The message's key (its Message-ID, or the digest of its bytes).
    pub key: String,
    /// Its location as attachments link to it (`imap://user@host/Folder;UIDVALIDITY=v/;UID=u`).
    pub source: String,
}

/// The ledger, over the shared database.
#[derive(Debug, Clone)]
pub struct MailLedger {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl MailLedger {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// The folder's checkpoint; `None` before its first sync.
    pub async fn checkpoint(&self, account: &str, folder: &str) -> Result<Option<Checkpoint>> {
        let (account, folder) = (account.to_owned(), folder.to_owned());
        self.db
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT uidvalidity, last_uid FROM mail_folders
                     WHERE account = ?1 AND folder = ?2 AND uidvalidity IS NOT NULL",
                )?
                .query_row(params![account, folder], |r| {
                    Ok(Checkpoint {
                        uidvalidity: r.get(0)?,
                        last_uid: r.get(1)?,
                    })
                })
                .optional()?)
            })
            .await
    }

    /// Records that everything up to `at.last_uid` is stored.
    pub async fn save_checkpoint(&self, account: &str, folder: &str, at: Checkpoint) -> Result<()> {
        let (account, folder) = (account.to_owned(), folder.to_owned());
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO mail_folders (account, folder, uidvalidity, last_uid)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (account, folder)
                     DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
                )?
                .execute(params![account, folder, at.uidvalidity, at.last_uid])?;
                Ok(())
            })
            .await
    }

    /// Whether a message with this key is already held for the account (in any folder, on
    /// the server or expunged since).
    pub async fn has_key(&self, account: &str, key: &str) -> Result<bool> {
        let (account, key) = (account.to_owned(), key.to_owned());
        self.db.read(move |c| Ok(held(c, &account, &key)?)).await
    }

    /// Records that the server message at this place is held (again: idempotent).
    pub async fn record_message(
        &self,
        account: &str,
        folder: &str,
        uidvalidity: u32,
        uid: u32,
        key: &str,
    ) -> Result<()> {
        let (account, folder, key) = (account.to_owned(), folder.to_owned(), key.to_owned());
        self.db
            .write(move |c| {
                record(c, &account, &folder, uidvalidity, uid, &key)?;
                Ok(())
            })
            .await
    }

    /// Messages the server holds at a new place (after a UIDVALIDITY change, or found again):
    /// for each whose key the CRM already holds, records the place and moves the email
    /// entries that pointed into this folder there (`meta.imap.uidvalidity`/`uid`, every
    /// `imap://` attachment `source`). Answers the UIDs it held; the others are unknown here
    /// and need fetching. One transaction.
    pub async fn relocate(
        &self,
        account: &str,
        folder: &str,
        uidvalidity: u32,
        places: Vec<Place>,
    ) -> Result<Vec<u32>> {
        let (account, folder, now) = (account.to_owned(), folder.to_owned(), self.clock.now());
        self.db
            .write(move |c| {
                let mut held_uids = Vec::new();
                for place in places {
                    if !held(c, &account, &place.key)? {
                        continue;
                    }
                    record(c, &account, &folder, uidvalidity, place.uid, &place.key)?;
                    move_entries(c, &account, &folder, uidvalidity, &place, now)?;
                    held_uids.push(place.uid);
                }
                Ok(held_uids)
            })
            .await
    }

    /// Drops the folder's rows of other UIDVALIDITYs than `uidvalidity` (a message also held
    /// under it needs them no more; one that is not is expunged), and, given the server's
    /// `uids` of `uidvalidity` as a reconciliation listed them, marks expunged what the ledger
    /// holds at a UID up to `up_to` that the server no longer has. Answers how many messages
    /// it found expunged.
    pub async fn prune(
        &self,
        account: &str,
        folder: &str,
        uidvalidity: u32,
        listed: Option<(Vec<u32>, u32)>,
    ) -> Result<u64> {
        let (account, folder, now) = (account.to_owned(), folder.to_owned(), self.clock.now());
        self.db
            .write(move |c| {
                let mut gone: Vec<(u32, u32, String)> = Vec::new();
                {
                    let mut stmt = c.prepare_cached(
                        "SELECT o.uidvalidity, o.uid, o.message_key FROM mail_messages o
                         WHERE o.account = ?1 AND o.folder = ?2 AND o.uidvalidity != ?3
                           AND NOT EXISTS (SELECT 1 FROM mail_messages n
                               WHERE n.account = o.account AND n.message_key = o.message_key
                                 AND n.folder = o.folder AND n.uidvalidity = ?3)",
                    )?;
                    let rows = stmt.query_map(params![account, folder, uidvalidity], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })?;
                    for row in rows {
                        gone.push(row?);
                    }
                }
                c.prepare_cached(
                    "DELETE FROM mail_messages
                     WHERE account = ?1 AND folder = ?2 AND uidvalidity != ?3",
                )?
                .execute(params![account, folder, uidvalidity])?;
                if let Some((uids, up_to)) = listed {
                    let on_server: HashSet<u32> = uids.into_iter().collect();
                    let mut vanished: Vec<(u32, String)> = Vec::new();
                    {
                        let mut stmt = c.prepare_cached(
                            "SELECT uid, message_key FROM mail_messages
                             WHERE account = ?1 AND folder = ?2 AND uidvalidity = ?3
                               AND uid <= ?4",
                        )?;
                        let rows = stmt
                            .query_map(params![account, folder, uidvalidity, up_to], |r| {
                                Ok((r.get(0)?, r.get(1)?))
                            })?;
                        for row in rows {
                            let (uid, key): (u32, String) = row?;
                            if !on_server.contains(&uid) {
                                vanished.push((uid, key));
                            }
                        }
                    }
                    let mut delete = c.prepare_cached(
                        "DELETE FROM mail_messages
                         WHERE account = ?1 AND folder = ?2 AND uidvalidity = ?3 AND uid = ?4",
                    )?;
                    for (uid, key) in vanished {
                        delete.execute(params![account, folder, uidvalidity, uid])?;
                        gone.push((uidvalidity, uid, key));
                    }
                }
                let mut found = 0;
                let mut still_here = c.prepare_cached(
                    "SELECT 1 FROM mail_messages
                     WHERE account = ?1 AND message_key = ?2 AND folder = ?3 LIMIT 1",
                )?;
                let mut keep = c.prepare_cached(
                    "INSERT INTO mail_expunged
                         (account, folder, message_key, uidvalidity, uid, expunged_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT DO UPDATE SET uidvalidity = excluded.uidvalidity,
                         uid = excluded.uid, expunged_at = excluded.expunged_at",
                )?;
                for (old_validity, uid, key) in gone {
                    // another copy of the same message is still in the folder
                    if still_here.exists(params![account, key, folder])? {
                        continue;
                    }
                    keep.execute(params![account, folder, key, old_validity, uid, now])?;
                    found += 1;
                }
                Ok(found)
            })
            .await
    }

    /// The UIDs (of `uidvalidity`) and the keys the CRM holds for a folder's account.
    pub async fn known(&self, account: &str, folder: &str, uidvalidity: u32) -> Result<Known> {
        let (account, folder) = (account.to_owned(), folder.to_owned());
        self.db
            .read(move |c| {
                let mut known = Known::default();
                let mut stmt = c.prepare_cached(
                    "SELECT uid FROM mail_messages
                     WHERE account = ?1 AND folder = ?2 AND uidvalidity = ?3",
                )?;
                for uid in stmt.query_map(params![account, folder, uidvalidity], |r| r.get(0))? {
                    known.uids.insert(uid?);
                }
                let mut stmt = c.prepare_cached(
                    "SELECT DISTINCT message_key FROM mail_messages WHERE account = ?1",
                )?;
                for key in stmt.query_map(params![account], |r| r.get(0))? {
                    known.keys.insert(key?);
                }
                Ok(known)
            })
            .await
    }

    /// How many messages the ledger has at their place under `uidvalidity` in the folder
    /// (more than the server counts: some were expunged there).
    pub async fn held_at(&self, account: &str, folder: &str, uidvalidity: u32) -> Result<u64> {
        let (account, folder) = (account.to_owned(), folder.to_owned());
        self.db
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT count(*) FROM mail_messages
                     WHERE account = ?1 AND folder = ?2 AND uidvalidity = ?3",
                )?
                .query_row(params![account, folder, uidvalidity], |r| r.get(0))?)
            })
            .await
    }

    /// Records the end of a sync of the folder: its size on the server, or the error that
    /// stopped it.
    pub async fn record_sync(
        &self,
        account: &str,
        folder: &str,
        outcome: std::result::Result<u32, String>,
    ) -> Result<()> {
        let (account, folder, now) = (account.to_owned(), folder.to_owned(), self.clock.now());
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "INSERT OR IGNORE INTO mail_folders (account, folder) VALUES (?1, ?2)",
                )?
                .execute(params![account, folder])?;
                match outcome {
                    Ok(on_server) => c
                        .prepare_cached(
                            "UPDATE mail_folders SET on_server = ?3, last_sync_at = ?4,
                                 last_error = NULL, last_error_at = NULL
                             WHERE account = ?1 AND folder = ?2",
                        )?
                        .execute(params![account, folder, on_server, now])?,
                    Err(error) => c
                        .prepare_cached(
                            "UPDATE mail_folders SET last_error = ?3, last_error_at = ?4
                             WHERE account = ?1 AND folder = ?2",
                        )?
                        .execute(params![account, folder, error, now])?,
                };
                Ok(())
            })
            .await
    }

    /// Adds a reconciliation pass's figures to the folder's totals.
    pub async fn record_verify(
        &self,
        account: &str,
        folder: &str,
        found: u64,
        repaired: u64,
        failed: u64,
    ) -> Result<()> {
        let (account, folder, now) = (account.to_owned(), folder.to_owned(), self.clock.now());
        let [found, repaired, failed] = [found, repaired, failed].map(|n| n as i64);
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO mail_folders (account, folder, verified_at, gaps_found,
                         gaps_repaired, gaps_failed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (account, folder) DO UPDATE SET
                         verified_at = excluded.verified_at,
                         gaps_found = gaps_found + excluded.gaps_found,
                         gaps_repaired = gaps_repaired + excluded.gaps_repaired,
                         gaps_failed = gaps_failed + excluded.gaps_failed",
                )?
                .execute(params![account, folder, now, found, repaired, failed])?;
                Ok(())
            })
            .await
    }

    /// Every folder of every account, with how many of its messages are stored.
    pub async fn status(&self) -> Result<Vec<MailFolderStatus>> {
        self.db
            .read(move |c| {
                // held: the rows of the current UIDVALIDITY, plus the messages only an older
                // one holds (a resync under way), plus the expunged
                let mut stmt = c.prepare_cached(
                    "SELECT f.account, f.folder, f.uidvalidity, f.last_uid, f.on_server,
                         (SELECT count(*) FROM mail_messages m WHERE m.account = f.account
                             AND m.folder = f.folder AND m.uidvalidity = f.uidvalidity)
                         + (SELECT count(DISTINCT o.message_key) FROM mail_messages o
                             WHERE o.account = f.account AND o.folder = f.folder
                               AND o.uidvalidity IS NOT f.uidvalidity
                               AND NOT EXISTS (SELECT 1 FROM mail_messages n
                                   WHERE n.account = o.account
                                     AND n.message_key = o.message_key
                                     AND n.folder = o.folder
                                     AND n.uidvalidity = f.uidvalidity)),
                         (SELECT count(*) FROM mail_expunged e WHERE e.account = f.account
                             AND e.folder = f.folder),
                         f.last_sync_at, f.last_error, f.last_error_at, f.verified_at,
                         f.gaps_found, f.gaps_repaired, f.gaps_failed
                     FROM mail_folders f ORDER BY f.account, f.folder",
                )?;
                let rows = stmt.query_map([], |r| {
                    let held: u64 = r.get(5)?;
                    let expunged: u64 = r.get(6)?;
                    Ok(MailFolderStatus {
                        account: r.get(0)?,
                        folder: r.get(1)?,
                        uidvalidity: r.get(2)?,
                        last_uid: r.get(3)?,
                        on_server: r.get(4)?,
                        stored: held + expunged,
                        expunged,
                        last_sync_at: r.get(7)?,
                        last_error: r.get(8)?,
                        last_error_at: r.get(9)?,
                        verified_at: r.get(10)?,
                        gaps_found: r.get(11)?,
                        gaps_repaired: r.get(12)?,
                        gaps_failed: r.get(13)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }
}

/// Whether the account holds a message with this key (on the server or expunged since).
fn held(c: &rusqlite::Connection, account: &str, key: &str) -> rusqlite::Result<bool> {
    c.prepare_cached(
        "SELECT 1 FROM mail_messages WHERE account = ?1 AND message_key = ?2
         UNION ALL
         SELECT 1 FROM mail_expunged WHERE account = ?1 AND message_key = ?2
         LIMIT 1",
    )?
    .exists(params![account, key])
}

/// The row of a message at its place on the server; it is no longer expunged from there.
fn record(
    c: &rusqlite::Connection,
    account: &str,
    folder: &str,
    uidvalidity: u32,
    uid: u32,
    key: &str,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO mail_messages (account, folder, uidvalidity, uid, message_key)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO UPDATE SET message_key = excluded.message_key",
    )?
    .execute(params![account, folder, uidvalidity, uid, key])?;
    c.prepare_cached(
        "DELETE FROM mail_expunged WHERE account = ?1 AND folder = ?2 AND message_key = ?3",
    )?
    .execute(params![account, folder, key])?;
    Ok(())
}

/// Points the email entries of `place.key` that were stored from this account's `folder` at
/// the message's new place. The entries of one message are the one with its key and those
/// with the key, a space and a customer id (a copy per matched customer).
fn move_entries(
    c: &rusqlite::Connection,
    account: &str,
    folder: &str,
    uidvalidity: u32,
    place: &Place,
    now: Timestamp,
) -> Result<()> {
    let mut moved: Vec<(i64, String, String)> = Vec::new();
    {
        let mut stmt = c.prepare_cached(
            "SELECT seq, meta, attachments FROM comms_entries
             WHERE type = 'email' AND (ext_message_id = ?1
                 OR (ext_message_id >= ?1 || ' ' AND ext_message_id < ?1 || '!'))",
        )?;
        let rows = stmt.query_map(params![place.key], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (seq, meta, attachments) = row?;
            let mut meta: serde_json::Value = serde_json::from_str(&meta)?;
            let imap = &mut meta["imap"];
            if imap["account"] != account
                || imap["folder"] != folder
                || (imap["uidvalidity"] == uidvalidity && imap["uid"] == place.uid)
            {
                continue;
            }
            imap["uidvalidity"] = uidvalidity.into();
            imap["uid"] = place.uid.into();
            let mut attachments: serde_json::Value = serde_json::from_str(&attachments)?;
            if let Some(list) = attachments.as_array_mut() {
                for a in list {
                    if a["source"]
                        .as_str()
                        .is_some_and(|s| s.starts_with("imap://"))
                    {
                        a["source"] = place.source.clone().into();
                    }
                }
            }
            moved.push((
                seq,
                serde_json::to_string(&meta)?,
                serde_json::to_string(&attachments)?,
            ));
        }
    }
    let mut update = c.prepare_cached(
        "UPDATE comms_entries SET meta = ?2, attachments = ?3, updated_at = ?4,
             version = version + 1
         WHERE seq = ?1",
    )?;
    for (seq, meta, attachments) in moved {
        update.execute(params![seq, meta, attachments, now])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::{FixedClock, SystemClock};

    fn ledger() -> (tempfile::TempDir, MailLedger) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        (
            dir,
            MailLedger::new(db, Arc::new(FixedClock::new(SystemClock.now()))),
        )
    }

    #[tokio::test]
    async fn checkpoint_known_messages_and_status() {
        let (_dir, ledger) = ledger();
        assert_eq!(ledger.checkpoint("a", "INBOX").await.unwrap(), None);
        let at = Checkpoint {
            uidvalidity: 7,
            last_uid: 3,
        };
        ledger.save_checkpoint("a", "INBOX", at).await.unwrap();
        assert_eq!(ledger.checkpoint("a", "INBOX").await.unwrap(), Some(at));

        for uid in 1..=3 {
            ledger
                .record_message("a", "INBOX", 7, uid, &format!("m{uid}@x"))
                .await
                .unwrap();
        }
        // again (a crash replayed the chunk), and an older UIDVALIDITY's row
        ledger
            .record_message("a", "INBOX", 7, 3, "m3@x")
            .await
            .unwrap();
        ledger
            .record_message("a", "INBOX", 6, 9, "old@x")
            .await
            .unwrap();
        assert!(ledger.has_key("a", "m2@x").await.unwrap());
        assert!(!ledger.has_key("b", "m2@x").await.unwrap());

        let known = ledger.known("a", "INBOX", 7).await.unwrap();
        assert_eq!(known.uids, HashSet::from([1, 2, 3]));
        assert!(known.keys.contains("old@x"));

        ledger.record_sync("a", "INBOX", Ok(4)).await.unwrap();
        ledger.record_verify("a", "INBOX", 1, 1, 0).await.unwrap();
        ledger.record_verify("a", "INBOX", 2, 1, 1).await.unwrap();
        ledger
            .record_sync("a", "Sent", Err("login refused".into()))
            .await
            .unwrap();
        let status = ledger.status().await.unwrap();
        assert_eq!(status.len(), 2);
        let inbox = &status[0];
        assert_eq!(inbox.folder, "INBOX");
        // the row of the older UIDVALIDITY is a message held too, until a resync prunes it
        assert_eq!((inbox.on_server, inbox.stored), (Some(4), 4));
        assert_eq!(
            (inbox.gaps_found, inbox.gaps_repaired, inbox.gaps_failed),
            (3, 2, 1)
        );
        assert!(inbox.last_error.is_none() && inbox.verified_at.is_some());
        assert_eq!(status[1].last_error.as_deref(), Some("login refused"));
        assert_eq!(status[1].stored, 0);

        // a successful sync clears the error
        ledger.record_sync("a", "Sent", Ok(0)).await.unwrap();
        assert!(ledger.status().await.unwrap()[1].last_error.is_none());
    }
}

#[cfg(test)]
mod resync_tests {
    use super::*;
    use crate::model::{Attachment, CommsType, Direction, NewEntry};
    use crate::service::{Comms, Service};
    use crate::store::sqlite::SqliteCommsStore;
    use crm_core::{FixedClock, SystemClock};

    fn source(v: u32, uid: u32) -> String {
        format!("imap://crm@mail.example/INBOX;UIDVALIDITY={v}/;UID={uid}")
    }

    /// An inbound mail's entry as the mail wiring stores it from INBOX at (v, uid).
    fn mail_entry(key: &str, v: u32, uid: u32) -> NewEntry {
        let mut e = NewEntry::new(CommsType::Email, Direction::Inbound, None);
        e.sender = Some("someone@example.org".into());
        e.ext_message_id = Some(key.into());
        e.subject = Some("Ερώτηση".into());
        e.meta = Some(serde_json::json!({
            "message_id": key,
            "imap": {"account": "a", "folder": "INBOX", "uidvalidity": v, "uid": uid},
        }));
        e.attachments = vec![Attachment {
            filename: "σχέδιο.pdf".into(),
            nextcloud_path: None,
            mime_type: Some("application/pdf".into()),
            size: Some(10),
            source: Some(source(v, uid)),
        }];
        e
    }

    fn place(uid: u32, key: &str, v: u32) -> Place {
        Place {
            uid,
            key: key.into(),
            source: source(v, uid),
        }
    }

    #[tokio::test]
    async fn a_new_uidvalidity_moves_held_mail_and_prunes_the_old_rows() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(SystemClock.now()));
        let ledger = MailLedger::new(db.clone(), Arc::clone(&clock));
        let comms = Service::new(SqliteCommsStore::new(db.clone()), clock);

        // three mails held under UIDVALIDITY 7; the second one also for a second customer
        for (uid, key) in [(1, "m1@x"), (2, "m2@x"), (3, "m3@x")] {
            comms.ingest(mail_entry(key, 7, uid)).await.unwrap();
            ledger
                .record_message("a", "INBOX", 7, uid, key)
                .await
                .unwrap();
        }
        let mut copy = mail_entry("m2@x", 7, 2);
        copy.ext_message_id = Some("m2@x 6f1c0b52-0d5e-4c59-a6a1-3c3b1c9a3b11".into());
        comms.ingest(copy).await.unwrap();
        // a message of the same key stored from another folder stays where it is
        let mut sent = mail_entry("m1@x-sent", 3, 1);
        sent.meta.as_mut().unwrap()["imap"]["folder"] = "Sent".into();
        comms.ingest(sent).await.unwrap();
        ledger
            .save_checkpoint(
                "a",
                "INBOX",
                Checkpoint {
                    uidvalidity: 7,
                    last_uid: 3,
                },
            )
            .await
            .unwrap();

        // the server renumbered INBOX (UIDVALIDITY 9): m2 and m1 are there, m3 is gone, and
        // a message nobody knows
        ledger
            .save_checkpoint(
                "a",
                "INBOX",
                Checkpoint {
                    uidvalidity: 9,
                    last_uid: 0,
                },
            )
            .await
            .unwrap();
        let status = ledger.status().await.unwrap();
        assert_eq!(status[0].stored, 3, "mid-resync the held mail still counts");
        let held = ledger
            .relocate(
                "a",
                "INBOX",
                9,
                vec![
                    place(1, "m2@x", 9),
                    place(2, "m1@x", 9),
                    place(3, "new@x", 9),
                ],
            )
            .await
            .unwrap();
        assert_eq!(held, [1, 2], "the unknown one needs fetching");
        assert_eq!(ledger.status().await.unwrap()[0].stored, 3);

        let entries: Vec<crate::model::Entry> = comms.inbox(Some(100), None).await.unwrap().items;
        let by_ext = |ext: &str| {
            entries
                .iter()
                .find(|e| e.ext_message_id.as_deref() == Some(ext))
                .unwrap_or_else(|| panic!("{ext}"))
                .clone()
        };
        for (ext, uid) in [
            ("m2@x", 1),
            ("m2@x 6f1c0b52-0d5e-4c59-a6a1-3c3b1c9a3b11", 1),
            ("m1@x", 2),
        ] {
            let e = by_ext(ext);
            assert_eq!(e.meta["imap"]["uidvalidity"], 9, "{ext}");
            assert_eq!(e.meta["imap"]["uid"], uid, "{ext}");
            assert_eq!(e.attachments[0].source.as_deref(), Some(&*source(9, uid)));
            assert_eq!(e.version, 2, "a change like any other");
        }
        let untouched = by_ext("m3@x");
        assert_eq!(untouched.meta["imap"]["uidvalidity"], 7);
        let other_folder = by_ext("m1@x-sent");
        assert_eq!(other_folder.meta["imap"]["uidvalidity"], 3);
        assert_eq!(other_folder.version, 1);

        // the resync is done: old rows go, m3 is kept as expunged
        assert_eq!(ledger.prune("a", "INBOX", 9, None).await.unwrap(), 1);
        let old_rows: i64 = db
            .read(|c| {
                Ok::<_, crate::Error>(c.query_row(
                    "SELECT count(*) FROM mail_messages WHERE uidvalidity = 7",
                    [],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap();
        assert_eq!(old_rows, 0);
        let inbox = &ledger.status().await.unwrap()[0];
        assert_eq!((inbox.stored, inbox.expunged), (3, 1), "{inbox:?}");
        assert_eq!(ledger.held_at("a", "INBOX", 9).await.unwrap(), 2);
        assert!(ledger.has_key("a", "m3@x").await.unwrap(), "still held");
        // (if the server lists it again, a reconciliation fetches and re-adopts it)
        assert!(
            !ledger
                .known("a", "INBOX", 9)
                .await
                .unwrap()
                .keys
                .contains("m3@x")
        );

        // a reconciliation lists UID 1 only: m1 (UID 2, below the checkpoint) was deleted;
        // UID 5, above what the sync passed, is left alone
        ledger
            .record_message("a", "INBOX", 9, 5, "late@x")
            .await
            .unwrap();
        assert_eq!(
            ledger
                .prune("a", "INBOX", 9, Some((vec![1], 2)))
                .await
                .unwrap(),
            1
        );
        let inbox = &ledger.status().await.unwrap()[0];
        assert_eq!((inbox.stored, inbox.expunged), (4, 2), "{inbox:?}");

        // m3 comes back (moved back into the folder): no longer expunged
        ledger
            .relocate("a", "INBOX", 9, vec![place(6, "m3@x", 9)])
            .await
            .unwrap();
        let inbox = &ledger.status().await.unwrap()[0];
        assert_eq!((inbox.stored, inbox.expunged), (4, 1), "{inbox:?}");
        assert_eq!(
            by_ext("m3@x").meta["imap"]["uidvalidity"],
            7,
            "(the old list)"
        );
    }
}
