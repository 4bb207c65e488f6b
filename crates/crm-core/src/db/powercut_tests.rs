//! The writer's durability ordering against a power cut (see [`super::powercut`]): several
//! tasks write through [`Db::write`] on a database opened through the `powercut` VFS, the
//! power goes at a seeded random moment, and the files the machine would find must open as
//! a sound database holding every write that was acknowledged. A small WAL limit and large
//! rows make checkpoints and WAL restarts happen before the cuts; the test counts them.
//!
//! `POWERCUT_SEED=<n>` replays other cut moments.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::powercut::{self, Stats, Trigger};
use super::{Db, DbError, DbOptions, TestVfs, WalSyncHook, uri};
use rusqlite::{Connection, OpenFlags};

/// Tasks writing at once: enough that the writer forms groups.
const WRITERS: i64 = 4;

/// Restarts at 16 pages of WAL: several per second under these writes.
const WAL_LIMIT: u64 = 64 * 1024;

/// A small seeded generator (splitmix64), so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A delay of `from` to `to` milliseconds.
    fn millis(&mut self, from: u64, to: u64) -> Duration {
        Duration::from_millis(from + self.next() % (to - from))
    }
}

fn seed() -> u64 {
    std::env::var("POWERCUT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(22)
}

/// When the power goes.
#[derive(Debug, Clone, Copy)]
enum Moment {
    After(Duration),
    /// By itself, at a write the shim watches for (see [`powercut::arm`]).
    At(Trigger),
}

/// What one power cut left.
#[derive(Debug)]
struct Cut {
    acknowledged: usize,
    /// Whether the probe table (created by an acknowledged write) was there.
    probe_table: bool,
    /// Acknowledged writes the database did not have after the cut.
    lost: Vec<i64>,
    integrity: String,
    /// Checkpoints and WAL restarts between the probe table's creation and the cut.
    before_cut: Stats,
}

/// Opens a database through the shim in a fresh folder (the syncer's sync going through
/// `wal_sync`), lets [`WRITERS`] tasks insert probe rows until the power goes at `moment`,
/// and opens what the machine would find with a plain [`Db::open`].
async fn run_once(moment: Moment, wal_sync: WalSyncHook) -> Cut {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().canonicalize().unwrap();
    let path = folder.join("crm.db");
    let options = DbOptions {
        wal_limit_bytes: WAL_LIMIT,
        test_vfs: Some(TestVfs {
            name: powercut::NAME,
            wal_sync,
        }),
        ..DbOptions::default()
    };
    let db = Db::open_with(&path, &options).unwrap();
    db.write(|c| {
        c.execute_batch("CREATE TABLE probe (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .map_err(DbError::from)
    })
    .await
    .unwrap();
    let baseline = powercut::stats(&path);
    if let Moment::At(trigger) = moment {
        powercut::arm(&path, trigger);
    }

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let cut = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (db, acknowledged, cut) = (db.clone(), Arc::clone(&acknowledged), Arc::clone(&cut));
            let watched = path.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    let id = w * 1_000_000 + i;
                    let insert = db
                        .write(move |c| {
                            c.execute(
                                "INSERT INTO probe (id, body) VALUES (?1, randomblob(1500))",
                                [id],
                            )
                            .map_err(DbError::from)
                        })
                        .await;
                    match insert {
                        Ok(_) => acknowledged.lock().unwrap().push(id),
                        Err(e) => {
                            // after the cut every write fails: the disk is gone
                            let off = cut.load(Ordering::SeqCst) || powercut::is_off(&watched);
                            assert!(off, "write {id} failed: {e}");
                            break;
                        }
                    }
                }
            })
        })
        .collect();
    let watched = path.clone();
    tokio::task::spawn_blocking(move || match moment {
        Moment::After(delay) => std::thread::sleep(delay),
        Moment::At(trigger) => {
            let mut waited = Duration::ZERO;
            while !powercut::is_off(&watched) {
                assert!(waited < Duration::from_secs(10), "{trigger:?} never came");
                std::thread::sleep(Duration::from_millis(5));
                waited += Duration::from_millis(5);
            }
        }
    })
    .await
    .unwrap();

    let after = tempfile::tempdir().unwrap();
    cut.store(true, Ordering::SeqCst);
    let found = powercut::power_cut(&path, after.path()).unwrap();
    let at_cut = powercut::stats(&path);
    for w in writers {
        w.await.unwrap();
    }
    drop(db);
    powercut::forget(&folder);

    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    let (integrity, present) = read_back(&found).await;
    Cut {
        acknowledged: acknowledged.len(),
        probe_table: present.is_some(),
        lost: acknowledged
            .into_iter()
            .filter(|id| !present.as_ref().is_some_and(|p| p.contains(id)))
            .collect(),
        integrity,
        before_cut: Stats {
            checkpoints: at_cut.checkpoints - baseline.checkpoints,
            wal_restarts: at_cut.wal_restarts - baseline.wal_restarts,
        },
    }
}

/// Opens the database as the machine finds it after the cut: its integrity check and the
/// probe rows' ids (`None` without a probe table).
async fn read_back(path: &Path) -> (String, Option<HashSet<i64>>) {
    let db = Db::open(path).unwrap();
    db.read(|c| {
        let integrity: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let tables: i64 = c.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'probe'",
            [],
            |r| r.get(0),
        )?;
        if tables == 0 {
            return Ok((integrity, None));
        }
        let mut ids = c.prepare("SELECT id FROM probe")?;
        let ids = ids
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<HashSet<i64>>>()?;
        Ok::<_, DbError>((integrity, Some(ids)))
    })
    .await
    .unwrap()
}

#[test]
fn a_power_cut_keeps_what_was_synced_and_loses_what_was_not() {
    powercut::register().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().canonicalize().unwrap();
    let path = folder.join("crm.db");
    let conn = Connection::open_with_flags(
        uri(&path, powercut::NAME),
        OpenFlags::default() | OpenFlags::SQLITE_OPEN_URI,
    )
    .unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         CREATE TABLE t (n INTEGER NOT NULL);
         INSERT INTO t VALUES (1);
         PRAGMA synchronous = OFF;
         INSERT INTO t VALUES (2);",
    )
    .unwrap();
    let after = tempfile::tempdir().unwrap();
    let found = powercut::power_cut(&path, after.path()).unwrap();
    // the disk is gone: nothing more is stored
    assert!(conn.execute("INSERT INTO t VALUES (3)", []).is_err());
    drop(conn);
    powercut::forget(&folder);

    let copy = Connection::open(&found).unwrap();
    let rows: Vec<i64> = copy
        .prepare("SELECT n FROM t ORDER BY n")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        rows,
        [1],
        "the synced commit stays, the unsynced one is lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_a_power_cut_across_checkpoints_and_wal_restarts() {
    powercut::register().unwrap();
    let seed = seed();
    let mut rng = Rng(seed);
    let (mut checkpointed, mut restarted) = (0, 0);
    for iteration in 0..12 {
        // some cuts before the first checkpoint (every 500 ms), most after a few
        let delay = rng.millis(30, 1400);
        let cut = run_once(Moment::After(delay), Arc::new(powercut::wal_synced)).await;
        let context = format!("iteration {iteration}, seed {seed}, cut after {delay:?}: {cut:?}");
        assert_eq!(cut.integrity, "ok", "{context}");
        assert!(cut.probe_table, "the probe table was lost: {context}");
        assert!(cut.lost.is_empty(), "acknowledged writes lost: {context}");
        assert!(cut.acknowledged > 0, "nothing was written: {context}");
        eprintln!("{context}");
        checkpointed += usize::from(cut.before_cut.checkpoints > 0);
        restarted += usize::from(cut.before_cut.wal_restarts > 0);
    }
    assert!(
        checkpointed > 0 && restarted > 0,
        "cuts after a checkpoint: {checkpointed}, after a WAL restart: {restarted}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_a_power_cut_inside_a_checkpoint_or_a_wal_restart() {
    powercut::register().unwrap();
    // the first checkpoint's first page, one in its middle; the restart's new header, the
    // first frame after it, and a few commits later
    let moments = [
        Trigger::DbWrite(1),
        Trigger::DbWrite(4),
        Trigger::WalRestart(0),
        Trigger::WalRestart(1),
        Trigger::WalRestart(9),
    ];
    for trigger in moments {
        let cut = run_once(Moment::At(trigger), Arc::new(powercut::wal_synced)).await;
        let context = format!("cut at {trigger:?}: {cut:?}");
        eprintln!("{context}");
        assert_eq!(cut.integrity, "ok", "{context}");
        assert!(cut.probe_table, "the probe table was lost: {context}");
        assert!(cut.lost.is_empty(), "acknowledged writes lost: {context}");
        assert!(cut.acknowledged > 0, "nothing was written: {context}");
        if let Trigger::WalRestart(1..) = trigger {
            assert_eq!(cut.before_cut.wal_restarts, 1, "{context}");
        }
    }
}

/// The tests above can fail: a syncer that acknowledges without syncing the WAL loses
/// acknowledged writes at the first cuts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_syncer_that_acknowledges_without_syncing_is_caught_by_a_power_cut() {
    powercut::register().unwrap();
    let mut rng = Rng(seed());
    let skip_sync: WalSyncHook = Arc::new(|_, _| Ok(()));
    for _ in 0..6 {
        let cut = run_once(Moment::After(rng.millis(100, 450)), Arc::clone(&skip_sync)).await;
        assert_eq!(cut.integrity, "ok", "{cut:?}");
        eprintln!("{cut:?}");
        if !cut.probe_table || !cut.lost.is_empty() {
            return;
        }
    }
    panic!("no acknowledged write was lost although none was synced by the syncer");
}
