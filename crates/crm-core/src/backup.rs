//! Backups of the database file, and restoring one.
//!
//! **Taking one** ([`create`]) never stops the server: `VACUUM INTO` on a connection of its
//! own writes a consistent snapshot of the database as of one read transaction (SQLite's
//! WAL lets writers go on meanwhile) into a plain, compact file — every write committed before
//! the copy began is in it, none after. The copy is checked (`PRAGMA integrity_check`, its
//! schema version, every table's row count), compressed with zstd into
//! `crm-<stamp>.sqlite.zst` (written as `.part`, synced, renamed, the folder synced), and the
//! compressed file is then read back, decompressed and checked again against the same counts,
//! so a backup that is reported is one that restores.
//!
//! **Restoring** ([`restore`]) decompresses and checks the backup beside the database first;
//! only a good copy replaces it. The files it replaces (the database, its WAL and
//! shared-memory files) are kept beside it as `<name>.before-restore-<stamp>`, so a restore is
//! itself undoable. A server holds [`ServerLock`] for as long as it runs; restoring takes the
//! same lock and refuses while the server holds it.
//!
//! [`prune`] keeps the newest `keep` backups of a folder (the names sort by time).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

/// The extension of a compressed backup.
pub const EXTENSION: &str = "sqlite.zst";

/// How hard zstd works: level 3 compresses a CRM database about 4× at disk speed.
const LEVEL: i32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("sqlite on {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error(
        "a CRM server is running on {path} (it holds {lock}); stop it before restoring over its data"
    )]
    InUse { path: PathBuf, lock: PathBuf },
    #[error("{path} is not a backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn sqlite_at(path: &Path) -> impl FnOnce(rusqlite::Error) -> BackupError + '_ {
    move |source| BackupError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// What a checked copy holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contents {
    /// The schema version (the number of migrations applied).
    pub schema_version: i64,
    /// Every table's row count, by name.
    pub tables: BTreeMap<String, i64>,
}

impl Contents {
    /// The rows of every table together.
    pub fn rows(&self) -> i64 {
        self.tables.values().sum()
    }
}

/// A backup written and verified.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Backup {
    pub path: PathBuf,
    /// The size of the compressed file.
    pub bytes: u64,
    /// The size of the database copy it holds.
    pub database_bytes: u64,
    pub contents: Contents,
}

/// The name of a backup taken at `stamp`: `crm-<stamp>.sqlite.zst` (`stamp` sorts by time,
/// `20261206T114500Z`). [`list`] and [`prune`] see only these.
pub fn file_name(stamp: &str) -> String {
    format!("crm-{stamp}.{EXTENSION}")
}

/// A stamp of `at` that sorts by time: `20261206T114500Z`.
pub fn stamp(at: crate::Timestamp) -> String {
    let now = at.into_inner();
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    now.format(&format)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

/// Checks a database copy: `integrity_check` must answer `ok`; then its contents.
pub fn check(path: &Path) -> Result<Contents, BackupError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(sqlite_at(path))?;
    let verdict: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(sqlite_at(path))?;
    if verdict != ["ok"] {
        return Err(BackupError::Damaged {
            path: path.to_path_buf(),
            reason: verdict.join("; "),
        });
    }
    let schema_version = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sqlite_at(path))?;
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(sqlite_at(path))?;
    let mut tables = BTreeMap::new();
    for name in names {
        let quoted = name.replace('"', "\"\"");
        let count = conn
            .query_row(&format!("SELECT count(*) FROM \"{quoted}\""), [], |r| {
                r.get(0)
            })
            .map_err(sqlite_at(path))?;
        tables.insert(name, count);
    }
    Ok(Contents {
        schema_version,
        tables,
    })
}

/// A temporary file beside `near`, removed when dropped unless kept.
struct Scratch(PathBuf);

impl Scratch {
    fn new(near: &Path, suffix: &str) -> Self {
        let mut name = near.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        let _ = fs::remove_file(&path);
        Self(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes a consistent, checked, compressed copy of the database at `database` into
/// `folder` as `name` (see [`file_name`]); see the module docs.
pub fn create(database: &Path, folder: &Path, name: &str) -> Result<Backup, BackupError> {
    fs::create_dir_all(folder).map_err(io_at(folder))?;
    let target = folder.join(name);
    let copy = Scratch::new(&target, ".copy");
    {
        let conn = Connection::open_with_flags(
            database,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite_at(database))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sqlite_at(database))?;
        let into = copy.0.to_str().ok_or_else(|| BackupError::NotABackup {
            path: copy.0.clone(),
            reason: "the folder's path is not UTF-8".into(),
        })?;
        conn.execute("VACUUM INTO ?1", [into])
            .map_err(sqlite_at(database))?;
    }
    let contents = check(&copy.0)?;
    let database_bytes = fs::metadata(&copy.0).map_err(io_at(&copy.0))?.len();
    let part = Scratch::new(&target, ".part");
    {
        let mut input = File::open(&copy.0).map_err(io_at(&copy.0))?;
        let file = File::create(&part.0).map_err(io_at(&part.0))?;
        let mut encoder =
            zstd::Encoder::new(BufWriter::new(file), LEVEL).map_err(io_at(&part.0))?;
        io::copy(&mut input, &mut encoder).map_err(io_at(&part.0))?;
        let file = encoder
            .finish()
            .and_then(|w| w.into_inner().map_err(io::IntoInnerError::into_error))
            .map_err(io_at(&part.0))?;
        file.sync_all().map_err(io_at(&part.0))?;
    }
    fs::rename(&part.0, &target).map_err(io_at(&target))?;
    sync_dir(folder)?;
    drop(copy);
    // read back what was written: the backup is reported only once it restores
    let unpacked = Scratch::new(&target, ".verify");
    decompress(&target, &unpacked.0)?;
    let again = check(&unpacked.0)?;
    if again != contents {
        return Err(BackupError::Damaged {
            path: target,
            reason: "the compressed copy does not hold what was copied".into(),
        });
    }
    let bytes = fs::metadata(&target).map_err(io_at(&target))?.len();
    Ok(Backup {
        path: target,
        bytes,
        database_bytes,
        contents,
    })
}

/// Writes the database a backup holds to `to` (a `.zst` file is decompressed; a plain SQLite
/// file is copied).
fn decompress(from: &Path, to: &Path) -> Result<(), BackupError> {
    let input = File::open(from).map_err(io_at(from))?;
    let mut output = BufWriter::new(File::create(to).map_err(io_at(to))?);
    if from.to_string_lossy().ends_with(".zst") {
        let mut decoder =
            zstd::Decoder::new(BufReader::new(input)).map_err(|e| BackupError::NotABackup {
                path: from.to_path_buf(),
                reason: e.to_string(),
            })?;
        io::copy(&mut decoder, &mut output).map_err(|e| BackupError::NotABackup {
            path: from.to_path_buf(),
            reason: format!("not a zstd stream: {e}"),
        })?;
    } else {
        io::copy(&mut BufReader::new(input), &mut output).map_err(io_at(from))?;
    }
    let file = output.into_inner().map_err(|e| BackupError::Io {
        path: to.to_path_buf(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(io_at(to))
}

/// What a restore did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Restored {
    pub contents: Contents,
    /// Where the replaced database now is (none: there was none).
    pub previous: Option<PathBuf>,
}

/// Replaces the database at `database` with the one the backup `from` holds; see the module
/// docs. `stamp` names the kept previous files.
pub fn restore(from: &Path, database: &Path, stamp: &str) -> Result<Restored, BackupError> {
    if !from.is_file() {
        return Err(BackupError::NotABackup {
            path: from.to_path_buf(),
            reason: "no such file".into(),
        });
    }
    let _lock = ServerLock::acquire(database)?;
    let incoming = Scratch::new(database, ".restoring");
    decompress(from, &incoming.0)?;
    let contents = check(&incoming.0).map_err(|e| match e {
        BackupError::Sqlite { source, .. } => BackupError::NotABackup {
            path: from.to_path_buf(),
            reason: source.to_string(),
        },
        other => other,
    })?;
    let mut previous = None;
    for suffix in ["", "-wal", "-shm"] {
        let mut current = database.as_os_str().to_owned();
        current.push(suffix);
        let current = PathBuf::from(current);
        if !current.exists() {
            continue;
        }
        let mut kept = database.as_os_str().to_owned();
        kept.push(format!(".before-restore-{stamp}{suffix}"));
        let kept = PathBuf::from(kept);
        fs::rename(&current, &kept).map_err(io_at(&current))?;
        if suffix.is_empty() {
            previous = Some(kept);
        }
    }
    fs::rename(&incoming.0, database).map_err(io_at(database))?;
    sync_dir(parent(database))?;
    Ok(Restored { contents, previous })
}

/// The backups in `folder`, oldest first.
pub fn list(folder: &Path) -> Result<Vec<PathBuf>, BackupError> {
    let entries = match fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_at(folder)(e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(io_at(folder))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("crm-") && name.ends_with(&format!(".{EXTENSION}")) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// Deletes all but the newest `keep` backups of `folder`; returns the deleted ones.
pub fn prune(folder: &Path, keep: usize) -> Result<Vec<PathBuf>, BackupError> {
    let all = list(folder)?;
    let excess = all.len().saturating_sub(keep.max(1));
    let gone: Vec<PathBuf> = all.into_iter().take(excess).collect();
    for path in &gone {
        fs::remove_file(path).map_err(io_at(path))?;
    }
    Ok(gone)
}

/// Held by a server for as long as it serves a database (an exclusive lock on
/// `<database>.lock`); released when dropped or when the process dies.
#[derive(Debug)]
pub struct ServerLock {
    _file: File,
}

impl ServerLock {
    /// Takes the lock, or says that a server holds it.
    pub fn acquire(database: &Path) -> Result<Self, BackupError> {
        let mut lock = database.as_os_str().to_owned();
        lock.push(".lock");
        let lock = PathBuf::from(lock);
        if let Some(dir) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(io_at(dir))?;
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(io_at(&lock))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(BackupError::InUse {
                path: database.to_path_buf(),
                lock,
            }),
            Err(fs::TryLockError::Error(e)) => Err(io_at(&lock)(e)),
        }
    }
}

#[cfg(test)]
mod tests;
