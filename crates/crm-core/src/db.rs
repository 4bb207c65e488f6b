//! The one SQLite database every domain crate stores into.
//!
//! Reads run on a pool of connections, each inside `spawn_blocking`. Writes go to a single
//! writer thread that owns its own connection and commits in groups: every write that arrives
//! while the previous commit is being synced runs at once into the open transaction, each
//! inside its own savepoint, so one failing write never takes its neighbours down (a write
//! alone in its group runs without one: a savepoint copies every page the write touches). The
//! group commits when the syncer is free to take it: one commit per sync. A write's future
//! resolves only after the `COMMIT` that contains it has returned *and* an `fdatasync` of the
//! WAL that began after that commit has returned, so an acknowledged write survives a crash of
//! the process or the machine.
//!
//! That sync is not the writer's: the writer commits with `synchronous=OFF` (SQLite writes the
//! WAL frames but does not wait for the disk) and hands the commit's completions to a syncer
//! thread, which syncs the WAL once for every commit that reached it meanwhile. The writer
//! goes on with the next group while the disk works, so a commit costs its CPU, not its CPU
//! plus a disk flush (2.6 ms on the virtual disk this was measured on). What a power cut can
//! take is only what nobody was told was stored. The WAL's header on a restart is covered the
//! same way; checkpoints run on their own connection with `synchronous=FULL`, which syncs the
//! WAL before copying it and the database file after.
//!
//! The process's SQLite page cache is the default one behind a thin wrapper (`page_cache`,
//! installed by `main` through [`install_page_cache`]) that skips a scan of the whole cache
//! SQLite made after almost every commit; its module doc says why.
//!
//! The writer never checkpoints the WAL itself (a checkpoint copies every page a commit
//! touched back into the database file and syncs it, which under load cost more than the
//! writes): a checkpointer thread with its own connection runs passive checkpoints beside it,
//! which never block the writer or readers.
//!
//! The tests prove this ordering against a power cut. They open the database through
//! `powercut`, a test-only SQLite VFS (`db/powercut.rs`) that keeps an undo log of every
//! write not yet synced, by SQLite's `xSync` or by the syncer's `fdatasync` (which reports to
//! it through a test-only hook of [`DbOptions`]), and at a cut rolls a copy of the database
//! and its WAL back to what was synced. Tasks write until the power goes at a seeded random
//! moment, inside a checkpoint, or in the first commits after a WAL restart; the copy must
//! pass `integrity_check` and hold every acknowledged write (`db/powercut_tests.rs`). A syncer
//! that acknowledges without syncing fails it (a test keeps that so); so did, tried by hand,
//! a writer acknowledging before the sync and a WAL restart with `synchronous = OFF`.

use std::collections::VecDeque;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use include_dir::{Dir, include_dir};
use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use rusqlite_migration::Migrations;
use tokio::sync::oneshot;

#[allow(
    unsafe_code,
    reason = "a page cache is C callbacks over raw pointers; the module's doc says why it exists"
)]
mod page_cache;
#[cfg(test)]
#[allow(
    unsafe_code,
    reason = "a SQLite VFS is C callbacks over raw pointers; compiled only into the tests"
)]
mod powercut;

pub use page_cache::install as install_page_cache;
#[cfg(test)]
mod powercut_tests;

static MIGRATIONS_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations");

/// How many writes at most share one commit.
const MAX_BATCH: usize = 512;

/// How often the checkpointer copies the WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// The writer's page cache by default, in MiB: index pages of a busy database stay hot, and
/// a batch's changed pages stay in memory until its commit instead of spilling into the WAL
/// halfway (sustained ingestion: 17,673 entries/s with 64 MiB, 19,450 with 256). SQLite
/// fills it only as the database grows, so a small database never takes it all.
pub const WRITER_CACHE_MIB: u32 = 256;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("commit failed: {0}")]
    Commit(Arc<rusqlite::Error>),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migrations: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "upgrading the database from schema version {from} to {to} failed, so it was left as it \
         was at version {from}{}: {source}",
        backup.as_ref().map(|b| format!(" (a backup taken before is {})", b.display())).unwrap_or_default()
    )]
    Upgrade {
        from: i64,
        to: i64,
        backup: Option<PathBuf>,
        #[source]
        source: Box<rusqlite_migration::Error>,
    },
    #[error("the backup before upgrading could not be taken, so nothing was changed: {0}")]
    Backup(#[from] crate::backup::BackupError),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("a database task failed: {0}")]
    Task(String),
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot make {path} private: {source}")]
    Private {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// True when `e` is a constraint violation whose message names `constraint` (an index name,
/// `table.column` for UNIQUE, or `FOREIGN KEY`).
pub fn is_constraint_violation(e: &rusqlite::Error, constraint: &str) -> bool {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) if f.code == ErrorCode::ConstraintViolation => {
            msg.as_deref().is_some_and(|m| m.contains(constraint))
        }
        _ => false,
    }
}

/// A handle to the database: cheap to clone, shared by every service.
#[derive(Clone)]
pub struct Db {
    pool: Pool<SqliteConnectionManager>,
    writer: Arc<Writer>,
    /// Dropped with the last handle, which stops the checkpointer.
    _checkpointer: mpsc::Sender<()>,
    path: Arc<PathBuf>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

const PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = FULL;
     PRAGMA foreign_keys = ON;
     PRAGMA temp_store = MEMORY;
     PRAGMA cache_size = -16000;";

/// How long a connection waits for a lock another one holds.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(PRAGMAS)?;
    // Plans come from the SQL text alone, never from bound values. Without this, a statement
    // whose plan *could* depend on a bound value (a `LIMIT ?`, a parameter tested against a
    // partial index's WHERE) is parsed and planned again on every execution once a value is
    // bound: 14 % of the CPU of a comms page. Values that must steer the plan, such as a
    // comms type choosing a partial index, are written into the SQL.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.busy_timeout(BUSY_TIMEOUT)
}

/// Makes the database file readable and writable by its owner only (0600), creating it so
/// when it does not exist, and its WAL and shared-memory files when they exist: SQLite creates
/// those two with the database file's mode, so they are born 0600 from then on.
fn make_private(path: &Path) -> Result<(), DbError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let private = |path: PathBuf| move |source| DbError::Private { path, source };
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(private(path.to_path_buf()))?;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = PathBuf::from(file);
        let mode = match std::fs::metadata(&file) {
            Ok(m) => m.permissions().mode() & 0o777,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(private(file)(e)),
        };
        if mode & 0o077 != 0 {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .map_err(private(file.clone()))?;
            tracing::warn!(
                file = %file.display(),
                was = format!("{mode:04o}"),
                "the database file was open to other users: made it 0600"
            );
        }
    }
    Ok(())
}

/// The schema migrations embedded from the repository's `migrations/` folder.
pub fn migrations() -> Result<Migrations<'static>, DbError> {
    Ok(Migrations::from_directory(&MIGRATIONS_DIR)?)
}

/// Where the backups taken before an upgrade go: `backups/` beside the database.
pub fn upgrade_backups(database: &Path) -> PathBuf {
    database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("backups")
}

/// Brings the schema of the database at `path` up to `migrations`' latest. A database that
/// has data (schema version above 0) and migrations to apply is first backed up into
/// [`upgrade_backups`] as `upgrade-from-v<n>-to-v<m>-<stamp>.sqlite.zst`. The pending migrations run
/// in one transaction: one that fails rolls them all back, and the error says the database is
/// as it was.
pub(crate) fn upgrade(
    conn: &mut Connection,
    path: &Path,
    migrations: &Migrations<'_>,
    now: crate::Timestamp,
) -> Result<(), DbError> {
    let from: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let pending = i64::from(migrations.pending_migrations(conn)?);
    if pending <= 0 {
        return Ok(());
    }
    let backup = if from > 0 {
        let name = format!(
            "upgrade-from-v{from}-to-v{}-{}.{}",
            from + pending,
            crate::backup::stamp(now),
            crate::backup::EXTENSION
        );
        let taken = crate::backup::create(path, &upgrade_backups(path), &name)?;
        tracing::info!(
            backup = %taken.path.display(),
            from,
            to = from + pending,
            "backed up the database before upgrading its schema"
        );
        Some(taken.path)
    } else {
        None
    };
    migrations
        .to_latest(conn)
        .map_err(|source| DbError::Upgrade {
            from,
            to: from + pending,
            backup,
            source: Box::new(source),
        })
}

/// How a [`Db`] runs; [`Default`] is what the CRM uses.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// How large the WAL may grow under sustained writes before the writer starts it over
    /// (a passive checkpoint never does while writes keep coming). Each restart holds the writer for a checkpoint's copy and
    /// two syncs, so the bound is set where only a long import reaches it.
    pub wal_limit_bytes: u64,
    /// Whether writes enforce the schema's foreign keys (on by default). Off when products,
    /// customers and orders live in another store (Firestore): their SQLite tables stay empty,
    /// so the comms log's references to them cannot be checked here, and the contexts check
    /// them against that store instead.
    pub foreign_keys: bool,
    /// The writer's page cache, in MiB ([`WRITER_CACHE_MIB`] by default). Writes into large
    /// indexes read the pages they change through it; a cache that holds the hot index pages
    /// keeps sustained ingestion from slowing as the database grows.
    pub writer_cache_mib: u32,
    /// What names the backup taken before an upgrade.
    pub clock: Arc<dyn crate::Clock>,
    /// Tests only: the VFS every connection opens with and a hook around the syncer's sync.
    #[cfg(test)]
    pub(crate) test_vfs: Option<TestVfs>,
}

/// Tests only: the SQLite VFS every connection of a [`Db`] opens with (writer, readers,
/// checkpointer), and what the syncer's `fdatasync` of the WAL goes through: the hook gets
/// the WAL's path and the sync, to run (or, to show a broken ordering, not).
#[cfg(test)]
#[derive(Clone)]
pub(crate) struct TestVfs {
    pub name: &'static str,
    pub wal_sync: WalSyncHook,
}

#[cfg(test)]
pub(crate) type WalSyncHook = Arc<
    dyn Fn(&Path, &mut dyn FnMut() -> std::io::Result<()>) -> std::io::Result<()> + Send + Sync,
>;

#[cfg(test)]
impl std::fmt::Debug for TestVfs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestVfs").field("name", &self.name).finish()
    }
}

/// How the syncer makes the WAL durable: `fdatasync`, or in tests through a [`TestVfs`]'s hook.
#[derive(Clone)]
enum WalSync {
    Fdatasync,
    #[cfg(test)]
    Hook(WalSyncHook),
}

impl WalSync {
    fn sync(&self, wal: &Path, file: &File) -> std::io::Result<()> {
        match self {
            Self::Fdatasync => {
                let _ = wal;
                file.sync_data()
            }
            #[cfg(test)]
            Self::Hook(hook) => hook(wal, &mut || file.sync_data()),
        }
    }
}

/// Opens `path` through the VFS named `vfs`, or SQLite's default one.
fn connect(path: &Path, flags: OpenFlags, vfs: Option<&str>) -> Result<Connection, DbError> {
    match vfs {
        None => Connection::open_with_flags(path, flags),
        Some(vfs) => Connection::open_with_flags_and_vfs(path, flags, vfs),
    }
    .map_err(|source| DbError::Open {
        path: path.to_path_buf(),
        source,
    })
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            wal_limit_bytes: 1024 * 1024 * 1024,
            foreign_keys: true,
            writer_cache_mib: WRITER_CACHE_MIB,
            clock: Arc::new(crate::SystemClock),
            #[cfg(test)]
            test_vfs: None,
        }
    }
}

impl Db {
    /// Opens (creating if needed) the database file, brings its schema up to date and starts
    /// the writer. Running it again on an up-to-date file changes nothing.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        Self::open_with(path, &DbOptions::default())
    }

    /// [`Db::open`] with other [`DbOptions`].
    pub fn open_with(path: impl AsRef<Path>, options: &DbOptions) -> Result<Self, DbError> {
        let path = path.as_ref().to_path_buf();
        make_private(&path)?;
        let wal_limit = i64::try_from(options.wal_limit_bytes).unwrap_or(i64::MAX);
        #[cfg(test)]
        let (vfs, wal_sync) = match &options.test_vfs {
            Some(t) => (Some(t.name), WalSync::Hook(Arc::clone(&t.wal_sync))),
            None => (None, WalSync::Fdatasync),
        };
        #[cfg(not(test))]
        let (vfs, wal_sync): (Option<&str>, _) = (None, WalSync::Fdatasync);
        let open = || {
            connect(
                &path,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                vfs,
            )
        };
        {
            let mut migrating = open()?;
            configure(&migrating)?;
            upgrade(&mut migrating, &path, &migrations()?, options.clock.now())?;
        }
        // a fresh connection: a migration that edits the schema's text in place (as 08 does)
        // leaves the migrating connection with the schema it had parsed before
        let conn = open()?;
        configure(&conn)?;
        conn.execute_batch(&format!(
            "PRAGMA cache_size = -{};",
            u64::from(options.writer_cache_mib.max(1)) * 1024
        ))?;
        if !options.foreign_keys {
            conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
        }
        // the checkpointer does it, off the writer's path
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        // A WAL that one huge write made larger is cut back when it is started over, but
        // not to the limit itself: the WAL passes the limit by what is written before the
        // restart, and cutting that part off every time had the next pass allocate and zero
        // it again (13 % of the writer's time in sustained ingestion).
        conn.execute_batch(&format!(
            "PRAGMA journal_size_limit = {};",
            wal_limit.saturating_mul(2)
        ))?;
        // the syncer thread makes each commit durable before it is acknowledged
        conn.execute_batch("PRAGMA synchronous = OFF;")?;
        let checkpoints = connect(&path, OpenFlags::default(), vfs)?;
        configure(&checkpoints)?;

        let manager = match vfs {
            None => SqliteConnectionManager::file(&path),
            // r2d2_sqlite names no VFS: a URI does
            Some(vfs) => SqliteConnectionManager::file(uri(&path, vfs))
                .with_flags(OpenFlags::default() | OpenFlags::SQLITE_OPEN_URI),
        }
        .with_init(|c| configure(c));
        let pool = Pool::builder()
            .max_size(8)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)?;

        let (tx, rx) = mpsc::channel::<ToWriter>();
        let (to_sync, syncs) = mpsc::channel::<Vec<Completion>>();
        // set once the writer's connection is closed: only then may the WAL be gone
        let writer_closed = Arc::new(AtomicBool::new(false));
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        std::thread::Builder::new()
            .name("crm-db-sync".into())
            .spawn({
                let writer_closed = Arc::clone(&writer_closed);
                let writer = tx.clone();
                move || syncer_loop(&wal, &syncs, &writer, &writer_closed, &wal_sync)
            })
            .map_err(|e| DbError::Task(e.to_string()))?;
        // raised by the checkpointer when the WAL should be started over
        let restart = Arc::new(AtomicBool::new(false));
        std::thread::Builder::new()
            .name("crm-db-writer".into())
            .spawn({
                let restart = Arc::clone(&restart);
                move || {
                    writer_loop(conn, &rx, &to_sync, &restart);
                    writer_closed.store(true, Ordering::Release);
                }
            })
            .map_err(|e| DbError::Task(e.to_string()))?;
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("crm-db-checkpt".into())
            .spawn(move || checkpointer_loop(&checkpoints, &stopped, &restart, wal_limit))
            .map_err(|e| DbError::Task(e.to_string()))?;

        Ok(Self {
            pool,
            writer: Arc::new(Writer(tx)),
            _checkpointer: stop,
            path: Arc::new(path),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits until every write queued before this call is committed and synced: the writer
    /// takes its jobs in order, and this is one more (an empty one). For a clean stop.
    pub async fn drain(&self) -> Result<(), DbError> {
        self.write(|_| Ok::<(), DbError>(())).await
    }

    /// Checks that a pooled connection answers.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.read(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(DbError::from)
        })
        .await
    }

    /// Runs `f` on a pooled connection, off the async workers.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.get().map_err(DbError::from)?;
            f(&conn)
        })
        .await
        .map_err(|e| DbError::Task(e.to_string()))?
    }

    /// [`Db::read`] inside one read transaction: everything `f` reads comes from one snapshot
    /// (a count and its page, an order and its items), however writes interleave.
    pub async fn snapshot<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<rusqlite::Error> + Send + 'static,
    {
        self.read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    /// A point read (one row by its key, and its few children): runs `f` right here, on the
    /// calling thread, when a pooled connection is free — no hop to the blocking pool, whose
    /// wake-up and context switches cost more than the read itself (a few microseconds from
    /// the page cache) — and through [`Db::read`] when none is. Only for reads that stay short
    /// whatever the data: it holds an async worker for as long as `f` runs.
    pub async fn point<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        match self.pool.try_get() {
            Some(conn) => f(&conn),
            None => self.read(f).await,
        }
    }

    /// [`Db::point`] inside one read transaction (an order and its items from one snapshot).
    pub async fn point_snapshot<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<rusqlite::Error> + Send + 'static,
    {
        self.point(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    /// Runs `hook` in every group's transaction after its writes and before `COMMIT`, outside
    /// their savepoints; `setup` runs once first, outside any transaction, on the writer's
    /// connection (to create the TEMP tables the hook and the writes share). A failing hook
    /// fails its whole group. For work that is cheap once per commit and costly once per
    /// write, such as feeding FTS5, which writes a segment at every savepoint it sees. The
    /// same `setup` registered again (a store opened twice) is ignored.
    pub fn before_commit(&self, setup: &'static str, hook: Hook) -> Result<(), DbError> {
        self.writer
            .0
            .send(ToWriter::Hook(setup, hook))
            .map_err(|_| DbError::WriterGone)
    }

    /// Runs `f` inside the next group commit and resolves once that commit is durable.
    /// If `f` fails, its changes are rolled back and the error returned; other writes in the
    /// same group are unaffected.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (done, outcome) = oneshot::channel();
        self.writer
            .0
            .send(ToWriter::Job(Box::new(WriteJob {
                f: Some(f),
                done: Some(done),
            })))
            .map_err(|_| DbError::WriterGone)?;
        outcome.await.map_err(|_| DbError::WriterGone)?
    }
}

/// What the writer thread is sent.
enum ToWriter {
    Job(Box<dyn Job>),
    /// A before-commit hook to install, with its setup; see [`Db::before_commit`].
    Hook(&'static str, Hook),
    /// The syncer has synced every commit it was handed and waits for the next.
    Synced,
    /// The last [`Db`] handle is gone: commit what is open, then stop.
    Stop,
}

/// The handles' way to the writer. The syncer holds a sender too (to say it is done), so the
/// channel never closes by itself: the last handle to go tells the writer to stop.
struct Writer(mpsc::Sender<ToWriter>);

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.0.send(ToWriter::Stop);
    }
}

/// A type-erased write waiting for the writer thread.
trait Job: Send {
    /// Runs the write, inside a savepoint of its own when `isolated`; returns what to do once
    /// the commit outcome is known, and whether the write succeeded.
    fn run(&mut self, conn: &Connection, isolated: bool) -> (Completion, bool);
    /// Gives up on the write without running it; the completion reports the error.
    fn abandon(&mut self) -> Completion;
}

/// Work run once per group commit, before `COMMIT`; see [`Db::before_commit`].
pub type Hook = fn(&Connection) -> rusqlite::Result<()>;

type Completion = Box<dyn FnOnce(Option<&Arc<rusqlite::Error>>) + Send>;

struct WriteJob<F, T, E> {
    f: Option<F>,
    done: Option<oneshot::Sender<Result<T, E>>>,
}

impl<F, T, E> Job for WriteJob<F, T, E>
where
    F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    fn run(&mut self, conn: &Connection, isolated: bool) -> (Completion, bool) {
        let (Some(f), Some(done)) = (self.f.take(), self.done.take()) else {
            return (Box::new(|_| {}), true);
        };
        let result = if isolated {
            run_in_savepoint(conn, f)
        } else {
            run_caught(conn, f)
        };
        let ok = result.is_ok();
        let complete = Box::new(move |commit_error: Option<&Arc<rusqlite::Error>>| {
            let result = match commit_error {
                Some(e) if result.is_ok() => Err(E::from(DbError::Commit(Arc::clone(e)))),
                _ => result,
            };
            // the caller may have gone away (request cancelled): nothing to tell then
            let _ = done.send(result);
        });
        (complete, ok)
    }

    fn abandon(&mut self) -> Completion {
        self.f = None;
        let done = self.done.take();
        Box::new(move |error| {
            if let (Some(done), Some(e)) = (done, error) {
                let _ = done.send(Err(E::from(DbError::Commit(Arc::clone(e)))));
            }
        })
    }
}

/// Runs `f`, a panic becoming an error.
fn run_caught<T, E, F>(conn: &Connection, f: F) -> Result<T, E>
where
    F: FnOnce(&Connection) -> Result<T, E>,
    E: From<DbError>,
{
    catch_unwind(AssertUnwindSafe(|| f(conn)))
        .unwrap_or_else(|_| Err(E::from(DbError::Task("a write panicked".into()))))
}

fn run_in_savepoint<T, E, F>(conn: &Connection, f: F) -> Result<T, E>
where
    F: FnOnce(&Connection) -> Result<T, E>,
    E: From<DbError>,
{
    conn.execute_batch("SAVEPOINT job").map_err(DbError::from)?;
    let result = run_caught(conn, f);
    let end = if result.is_ok() {
        "RELEASE job"
    } else {
        "ROLLBACK TO job; RELEASE job"
    };
    conn.execute_batch(end).map_err(DbError::from)?;
    result
}

/// Runs passive checkpoints until every [`Db`] handle is gone; then a last full one.
///
/// A passive checkpoint copies frames back but never starts the WAL over: only a commit that
/// finds every frame copied back and no reader in the WAL rewrites it from the beginning. A
/// writer that keeps committing never finds that, so under sustained writes the WAL grew
/// without bound (1 GiB in 8 s of batched ingestion). A `RESTART` checkpoint from this thread
/// does not help: it waits for the writer lock, which the writer takes again at once. So once
/// the WAL is past `wal_limit` bytes this thread raises `restart`, and the writer starts the
/// WAL over itself between two groups (see [`restart_wal`]).
fn checkpointer_loop(
    conn: &Connection,
    stopped: &mpsc::Receiver<()>,
    restart: &AtomicBool,
    wal_limit: i64,
) {
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap_or(4096);
    let restart_frames = wal_limit / page_size.max(512);
    // the number of frames in the WAL
    let checkpoint = |mode: &str| {
        conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
            r.get::<_, i64>(1)
        })
        .inspect_err(|e| tracing::warn!(error = %e, mode, "WAL checkpoint failed"))
        .ok()
    };
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
        if checkpoint("PASSIVE").is_some_and(|frames| frames > restart_frames) {
            restart.store(true, Ordering::Relaxed);
        }
    }
    let _ = checkpoint("TRUNCATE");
}

/// Starts the WAL over, on the writer's connection between two groups: copies back what the
/// checkpointer has not yet, waits (briefly) for readers to leave the WAL, and lets the next
/// commit write from the WAL's beginning, over pages the file system already has. With
/// `synchronous = FULL` the checkpoint syncs the WAL before copying it and the database file
/// after, so nothing a later commit overwrites exists only in the WAL. If readers stay, it
/// gives up and the checkpointer asks again later.
fn restart_wal(conn: &Connection) {
    let outcome = conn
        .execute_batch("PRAGMA synchronous = FULL;")
        .and_then(|()| conn.busy_timeout(Duration::from_millis(100)))
        .and_then(|()| {
            conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0))
        });
    match outcome {
        Ok(0) => {}
        Ok(_) => tracing::debug!("WAL restart postponed: readers still in it"),
        Err(e) => tracing::warn!(error = %e, "WAL restart failed"),
    }
    let reset = conn
        .execute_batch("PRAGMA synchronous = OFF;")
        .and_then(|()| conn.busy_timeout(BUSY_TIMEOUT));
    if let Err(e) = reset {
        tracing::error!(error = %e, "cannot reset the writer's settings after a WAL restart");
    }
}

/// What the writer has been sent and not yet acted on, and what it knows of the syncer.
struct Inbox<'a> {
    rx: &'a mpsc::Receiver<ToWriter>,
    jobs: VecDeque<Box<dyn Job>>,
    /// Hooks sent since the last group began: installed before the next one, outside any
    /// transaction (their setup creates tables, which a rolled-back group would take along).
    hooks: Vec<(&'static str, Hook)>,
    /// False from a hand-over to the syncer until the syncer says it has synced.
    syncer_idle: bool,
    stopping: bool,
}

impl Inbox<'_> {
    /// Takes one message, waiting for it when `wait`; false when none was there.
    fn pull(&mut self, wait: bool) -> bool {
        let message = if wait {
            self.rx.recv().map_err(|_| mpsc::TryRecvError::Disconnected)
        } else {
            self.rx.try_recv()
        };
        match message {
            Ok(ToWriter::Job(job)) => self.jobs.push_back(job),
            Ok(ToWriter::Hook(setup, hook)) => self.hooks.push((setup, hook)),
            Ok(ToWriter::Synced) => self.syncer_idle = true,
            Ok(ToWriter::Stop) | Err(mpsc::TryRecvError::Disconnected) => self.stopping = true,
            Err(mpsc::TryRecvError::Empty) => return false,
        }
        true
    }

    /// Takes what is already queued, without waiting.
    fn take_queued(&mut self) {
        while !self.stopping && self.jobs.len() < MAX_BATCH && self.pull(false) {}
    }
}

/// Runs the writes in groups, one transaction each, and hands every commit to the syncer.
///
/// A group stays open while the syncer is busy with the previous commit: writes that arrive
/// meanwhile run into it at once (each in its savepoint), and it commits as soon as the syncer
/// is free — or at [`MAX_BATCH`] writes. A write acknowledged after the next sync anyway loses
/// nothing by waiting for it inside the transaction, and one commit per sync (there were 2–3
/// under load) pays a commit's fixed work — the hooks, the WAL frames of pages the group
/// shares, the end-of-transaction bookkeeping — once per sync. With the syncer idle a group
/// commits as soon as the queue is empty, so a lone write waits for nobody.
fn writer_loop(
    conn: Connection,
    rx: &mpsc::Receiver<ToWriter>,
    to_sync: &mpsc::Sender<Vec<Completion>>,
    restart: &AtomicBool,
) {
    let mut hooks: Vec<(&'static str, Hook)> = Vec::new();
    let mut inbox = Inbox {
        rx,
        jobs: VecDeque::new(),
        hooks: Vec::new(),
        syncer_idle: true,
        stopping: false,
    };
    loop {
        while inbox.jobs.is_empty() && !inbox.stopping {
            inbox.pull(true);
        }
        for (setup, hook) in inbox.hooks.drain(..) {
            // one store opened twice over the same database installs its hook once
            if hooks.iter().any(|(known, _)| *known == setup) {
                continue;
            }
            if let Err(e) = conn.execute_batch(setup) {
                tracing::error!(error = %e, "a before-commit hook's setup failed");
            }
            hooks.push((setup, hook));
        }
        let Some(mut first) = inbox.jobs.pop_front() else {
            break; // stopping, and nothing left
        };
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            let e = Arc::new(e);
            tracing::error!(error = %e, "cannot begin a write transaction");
            first.abandon()(Some(&e));
            continue;
        }
        inbox.take_queued();
        // a write alone in its group needs no savepoint (whose page journal costs a copy of
        // every page it touches): if it fails, the whole transaction is rolled back instead
        let alone = inbox.syncer_idle && inbox.jobs.is_empty() && inbox.hooks.is_empty();
        let (complete, ok) = first.run(&conn, !alone);
        if alone && !ok {
            if let Err(e) = conn.execute_batch("ROLLBACK") {
                tracing::error!(error = %e, "cannot roll back a failed write");
            }
            complete(None);
            continue;
        }
        let mut completions = vec![complete];
        while !alone && completions.len() < MAX_BATCH && inbox.hooks.is_empty() {
            if let Some(mut job) = inbox.jobs.pop_front() {
                completions.push(job.run(&conn, true).0);
            } else if inbox.syncer_idle || inbox.stopping {
                break;
            } else {
                inbox.pull(true);
                inbox.take_queued();
            }
        }
        let committed = hooks
            .iter()
            .try_for_each(|(_, hook)| hook(&conn))
            .and_then(|()| conn.execute_batch("COMMIT"));
        if let Err(e) = committed {
            let e = Arc::new(e);
            tracing::error!(error = %e, writes = completions.len(), "group commit failed");
            let _ = conn.execute_batch("ROLLBACK");
            for complete in completions {
                complete(Some(&e));
            }
            continue;
        }
        // durable once the syncer's next fdatasync returns
        inbox.syncer_idle = false;
        if let Err(mpsc::SendError(completions)) = to_sync.send(completions) {
            let e = Arc::new(io_error("the WAL syncer has stopped"));
            for complete in completions {
                complete(Some(&e));
            }
            // no "synced" will come: nothing to wait for
            inbox.syncer_idle = true;
        }
        if restart.swap(false, Ordering::Relaxed) {
            restart_wal(&conn);
        }
    }
    // the last connection to close checkpoints: that one must sync
    let _ = conn.execute_batch("PRAGMA synchronous = FULL;");
}

/// Syncs the WAL for every commit that reached it since the last sync, then tells them.
fn syncer_loop(
    wal: &Path,
    commits: &mpsc::Receiver<Vec<Completion>>,
    writer: &mpsc::Sender<ToWriter>,
    writer_closed: &AtomicBool,
    how: &WalSync,
) {
    let mut file: Option<File> = None;
    let mut next = commits.recv().ok();
    while let Some(mut waiting) = next.take() {
        while let Ok(more) = commits.try_recv() {
            waiting.extend(more);
        }
        let error = sync_wal(&mut file, wal, writer_closed, how).err().map(|e| {
            tracing::error!(error = %e, wal = %wal.display(), "cannot sync the WAL");
            file = None;
            Arc::new(io_error(&format!("syncing {}: {e}", wal.display())))
        });
        for complete in waiting {
            complete(error.as_ref());
        }
        // a commit that came meanwhile is synced at once; else the writer hears that the
        // syncer is free, and commits the group it kept open (it may have stopped: no matter)
        next = commits.try_recv().ok();
        if next.is_none() {
            let _ = writer.send(ToWriter::Synced);
            next = commits.recv().ok();
        }
    }
}

/// `fdatasync` of the WAL, reopened if it is not the file it was (or not open yet).
///
/// No WAL after the writer's connection has closed means the database's last connection has
/// closed too: SQLite removes the WAL only after checkpointing every frame into the database
/// file, and the last connection to close does so with `synchronous = FULL` — the commits are
/// durable there. (A short command such as `crm user list` closes before its syncer wakes.)
/// A WAL gone while the writer is open is an error: it vanished under the database.
fn sync_wal(
    file: &mut Option<File>,
    wal: &Path,
    writer_closed: &AtomicBool,
    how: &WalSync,
) -> std::io::Result<()> {
    let current = match std::fs::metadata(wal) {
        Ok(m) => m.ino(),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && writer_closed.load(Ordering::Acquire) =>
        {
            *file = None;
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let open = match file.take() {
        Some(f) if f.metadata()?.ino() == current => f,
        _ => File::open(wal)?,
    };
    let synced = how.sync(wal, &open);
    *file = Some(open);
    synced
}

/// `path` as a `file:` URI that opens it through `vfs`.
fn uri(path: &Path, vfs: &str) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?vfs=");
    uri.push_str(vfs);
    uri
}

fn io_error(message: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_FSYNC),
        Some(message.to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum TestError {
        #[error(transparent)]
        Db(#[from] DbError),
        #[error("refused")]
        Refused,
    }

    #[test]
    fn a_wal_checkpointed_away_at_close_counts_as_synced() {
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("crm.db-wal");
        let (open, closed) = (AtomicBool::new(false), AtomicBool::new(true));
        let mut file = None;
        // the writer's connection closed, then the last one: SQLite checkpointed and removed it
        assert!(sync_wal(&mut file, &wal, &closed, &WalSync::Fdatasync).is_ok());
        assert!(file.is_none());
        // gone while the database is open: it vanished, nothing is durable
        assert!(sync_wal(&mut file, &wal, &open, &WalSync::Fdatasync).is_err());
        std::fs::write(&wal, b"frames").unwrap();
        sync_wal(&mut file, &wal, &open, &WalSync::Fdatasync).unwrap();
        assert!(file.is_some());
        // any other failure is still one
        let not_a_dir = dir.path().join("crm.db-wal/x");
        assert!(sync_wal(&mut None, &not_a_dir, &closed, &WalSync::Fdatasync).is_err());
    }

    fn temp_db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        db_setup(&db);
        (dir, db)
    }

    fn db_setup(db: &Db) {
        let conn = db.pool.get().unwrap();
        conn.execute_batch("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY)")
            .unwrap();
    }

    async fn count(db: &Db) -> i64 {
        db.read(|c| {
            c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .map_err(|e| TestError::Db(e.into()))
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_cached_statement_is_planned_once_whatever_is_bound() {
        let (_dir, db) = temp_db();
        db.write(|c| {
            c.execute_batch("INSERT INTO t (n) VALUES (1), (2), (3), (4)")
                .map_err(|e| TestError::Db(e.into()))
        })
        .await
        .unwrap();
        let runs = |c: &Connection| -> rusqlite::Result<i32> {
            let sql = "SELECT n FROM t WHERE n > ?1 ORDER BY n LIMIT ?2";
            for limit in 1..=3i64 {
                let got: Vec<i64> = c
                    .prepare_cached(sql)?
                    .query_map([0, limit], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                assert_eq!(got.len(), usize::try_from(limit).unwrap());
            }
            let stmt = c.prepare_cached(sql)?;
            Ok(stmt.get_status(rusqlite::StatementStatus::RePrepare))
        };
        let replans = db
            .read(move |c| runs(c).map_err(|e| TestError::Db(e.into())))
            .await
            .unwrap();
        // a bound LIMIT would otherwise have the statement parsed again at every run
        assert_eq!(replans, 0);
    }

    #[test]
    fn migrations_are_valid() {
        migrations().unwrap().validate().unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_all_land_and_failures_are_isolated() {
        let (_dir, db) = temp_db();
        let mut tasks = Vec::new();
        for n in 0..400i64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.write(move |c| {
                    c.execute("INSERT INTO t (n) VALUES (?1)", [n])
                        .map_err(|e| TestError::Db(e.into()))?;
                    if n % 10 == 0 {
                        return Err(TestError::Refused);
                    }
                    Ok(n)
                })
                .await
            }));
        }
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => {}
                Err(TestError::Refused) => refused += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(refused, 40);
        // the refused writes were rolled back, every other one is there
        assert_eq!(count(&db).await, 360);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_stays_bounded_under_writes_that_never_pause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        let limit = 2 * 1024 * 1024;
        let db = Db::open_with(
            &path,
            &DbOptions {
                wal_limit_bytes: limit,
                ..DbOptions::default()
            },
        )
        .unwrap();
        db.write(|c| {
            c.execute_batch("CREATE TABLE blobs (n INTEGER PRIMARY KEY, b BLOB NOT NULL)")
                .map_err(|e| TestError::Db(e.into()))
        })
        .await
        .unwrap();
        // four producers keep the writer busy for ~190 MB of WAL
        let wal = dir.path().join("crm.db-wal");
        let mut producers = Vec::new();
        for p in 0..4i64 {
            let db = db.clone();
            producers.push(tokio::spawn(async move {
                for i in 0..500i64 {
                    db.write(move |c| {
                        let mut insert = c
                            .prepare_cached(
                                "INSERT INTO blobs (n, b) VALUES (?1, randomblob(1024))",
                            )
                            .map_err(|e| TestError::Db(e.into()))?;
                        for k in 0..60 {
                            insert
                                .execute([(p * 500 + i) * 60 + k])
                                .map_err(|e| TestError::Db(e.into()))?;
                        }
                        Ok::<_, TestError>(())
                    })
                    .await
                    .unwrap();
                }
            }));
        }
        let done = Arc::new(AtomicBool::new(false));
        let watcher = std::thread::spawn({
            let done = Arc::clone(&done);
            move || {
                let mut largest = 0;
                while !done.load(Ordering::Relaxed) {
                    largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
                    std::thread::sleep(Duration::from_millis(5));
                }
                largest
            }
        });
        for p in producers {
            p.await.unwrap();
        }
        done.store(true, Ordering::Relaxed);
        let largest = watcher.join().unwrap();
        let rows: i64 = db
            .read(|c| {
                c.query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
                    .map_err(|e| TestError::Db(e.into()))
            })
            .await
            .unwrap();
        assert_eq!(rows, 4 * 500 * 60, "every write landed");
        // the checkpointer looks every CHECKPOINT_EVERY, so the WAL passes the limit by what
        // that long of writing adds (~35 MB here); without restarts it holds all ~190 MB
        assert!(
            largest < 100 * 1024 * 1024,
            "the WAL grew to {} MiB with a {} MiB limit",
            largest >> 20,
            limit >> 20
        );
    }

    #[tokio::test]
    async fn a_lone_failing_write_leaves_nothing_behind() {
        let (_dir, db) = temp_db();
        // alone in its group, it runs without a savepoint: its transaction is rolled back
        let r: Result<(), TestError> = db
            .write(|c| {
                c.execute("INSERT INTO t (n) VALUES (1)", [])
                    .map_err(|e| TestError::Db(e.into()))?;
                Err(TestError::Refused)
            })
            .await;
        assert!(matches!(r, Err(TestError::Refused)));
        assert_eq!(count(&db).await, 0);
        db.write(|c| {
            c.execute("INSERT INTO t (n) VALUES (2)", [])
                .map_err(|e| TestError::Db(e.into()))
        })
        .await
        .unwrap();
        assert_eq!(count(&db).await, 1);
    }

    #[tokio::test]
    async fn a_panicking_write_is_an_error_and_the_writer_survives() {
        let (_dir, db) = temp_db();
        let r: Result<(), TestError> = db.write(|_| panic!("boom")).await;
        assert!(matches!(r, Err(TestError::Db(DbError::Task(_)))));
        db.write(|c| {
            c.execute("INSERT INTO t (n) VALUES (1)", [])
                .map_err(|e| TestError::Db(e.into()))
        })
        .await
        .unwrap();
        assert_eq!(count(&db).await, 1);
    }

    #[tokio::test]
    async fn reopening_is_a_no_op_and_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        {
            let db = Db::open(&path).unwrap();
            db_setup(&db);
            db.write(|c| {
                c.execute("INSERT INTO t (n) VALUES (7)", [])
                    .map_err(|e| TestError::Db(e.into()))
            })
            .await
            .unwrap();
        }
        let db = Db::open(&path).unwrap();
        assert_eq!(count(&db).await, 1);
    }

    #[tokio::test]
    async fn a_write_whose_wal_cannot_be_synced_is_not_acknowledged() {
        let (dir, db) = temp_db();
        let insert = |n: i64| {
            move |c: &Connection| {
                c.execute("INSERT INTO t (n) VALUES (?1)", [n])
                    .map_err(|e| TestError::Db(e.into()))
            }
        };
        db.write(insert(1)).await.unwrap();
        // the WAL vanishes under the database (a broken disk, an operator's rm): SQLite
        // writes on into its open file, but nothing can be made durable any more
        std::fs::remove_file(dir.path().join("crm.db-wal")).unwrap();
        let r = db.write(insert(2)).await;
        match r {
            Err(TestError::Db(DbError::Commit(e))) => {
                assert!(e.to_string().contains("crm.db-wal"), "{e}")
            }
            other => panic!("acknowledged without a sync: {other:?}"),
        }
    }

    #[test]
    fn the_database_and_its_wal_and_shared_memory_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        let files = ["crm.db", "crm.db-wal", "crm.db-shm"].map(|f| dir.path().join(f));
        // a fresh database: every file born 0600, whatever the umask lets through
        let db = Db::open(&path).unwrap();
        db_setup(&db);
        for file in &files {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
        drop(db);
        // an existing one left readable by others is closed to them
        for file in &files {
            if file.exists() {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        let db = Db::open(&path).unwrap();
        db_setup(&db);
        for file in &files {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
    }
}
