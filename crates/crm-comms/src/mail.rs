//! What the CRM knows of each mail folder it follows: the sync checkpoint, every server
//! message it stored, and the figures `GET /api/crm/email/status` shows.
//!
//! The mail wiring records a message here right after its entries are stored, so the ledger
//! answers "do we hold this one?" both by place (UIDVALIDITY + UID) and by key (Message-ID).
//! The reconciliation pass compares the server's full list against it; nothing here depends
//! on the mail library.

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
    /// Server messages of the current UIDVALIDITY the CRM holds.
    pub stored: u64,
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

    /// Whether a message with this key is already held for the account (in any folder).
    pub async fn has_key(&self, account: &str, key: &str) -> Result<bool> {
        let (account, key) = (account.to_owned(), key.to_owned());
        self.db
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT 1 FROM mail_messages WHERE account = ?1 AND message_key = ?2 LIMIT 1",
                )?
                .exists(params![account, key])?)
            })
            .await
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
                c.prepare_cached(
                    "INSERT INTO mail_messages (account, folder, uidvalidity, uid, message_key)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT DO UPDATE SET message_key = excluded.message_key",
                )?
                .execute(params![account, folder, uidvalidity, uid, key])?;
                Ok(())
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
                let mut stmt = c.prepare_cached(
                    "SELECT f.account, f.folder, f.uidvalidity, f.last_uid, f.on_server,
                         (SELECT count(*) FROM mail_messages m WHERE m.account = f.account
                             AND m.folder = f.folder AND m.uidvalidity = f.uidvalidity),
                         f.last_sync_at, f.last_error, f.last_error_at, f.verified_at,
                         f.gaps_found, f.gaps_repaired, f.gaps_failed
                     FROM mail_folders f ORDER BY f.account, f.folder",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok(MailFolderStatus {
                        account: r.get(0)?,
                        folder: r.get(1)?,
                        uidvalidity: r.get(2)?,
                        last_uid: r.get(3)?,
                        on_server: r.get(4)?,
                        stored: r.get(5)?,
                        last_sync_at: r.get(6)?,
                        last_error: r.get(7)?,
                        last_error_at: r.get(8)?,
                        verified_at: r.get(9)?,
                        gaps_found: r.get(10)?,
                        gaps_repaired: r.get(11)?,
                        gaps_failed: r.get(12)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }
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
        assert_eq!((inbox.on_server, inbox.stored), (Some(4), 3));
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
