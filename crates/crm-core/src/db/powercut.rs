//! A test-only SQLite VFS, `powercut`, that can cut the power: every write not yet synced is
//! lost, as on a machine whose disk cache never reached the platter.
//!
//! The shim wraps SQLite's default (unix) VFS and delegates every call to it. For the
//! database, WAL and journal files it keeps, per path, an *undo log*: before each `xWrite` or
//! `xTruncate` it reads, through the real file, what the change overwrites (the bytes and the
//! file's size before). An `xSync` makes durable what was logged before it started: those
//! entries are dropped once it returns. The [`Db`](super::Db)'s syncer does its `fdatasync`
//! of the WAL outside SQLite, so it reports through [`wal_synced`] in the same way.
//!
//! [`power_cut`] freezes the database's folder (every later write, truncate, sync or
//! delete there fails with an I/O error, so nothing after the cut is stored or acknowledged),
//! copies the database file and its WAL elsewhere and rolls the copies back through their undo
//! logs, newest first: the files as the machine would find them after the cut. The `-shm`
//! file is not copied; SQLite rebuilds it from the WAL. [`arm`] instead makes the power go
//! by itself at a chosen write: inside a checkpoint, or in the first commit after the WAL
//! started over; nothing changes the files after that, so a later [`power_cut`] finds them
//! as they were at that moment.
//!
//! Limits of the model: creating and deleting files count as durable at once (the unix VFS
//! syncs no directory for the WAL either), and a sync keeps all or nothing of what came
//! before it (no torn pages). The io methods are version 2: SQLite does not memory-map
//! through them, so every change to the files passes through `xWrite` or `xTruncate`.
//!
//! All the unsafe code of the crate is here, compiled only into its tests.

use std::collections::{HashMap, HashSet};
use std::ffi::{CStr, c_char, c_int, c_void};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::ptr::null_mut;
use std::sync::{LazyLock, Mutex, MutexGuard, OnceLock, PoisonError};

use rusqlite::ffi;

/// The name connections open with (`Connection::open_with_flags_and_vfs`, `?vfs=` in a URI).
pub(crate) const NAME: &str = "powercut";
const NAME_C: &CStr = c"powercut";

/// What one unsynced change overwrote: the file's size before it and the bytes from `offset`
/// that existed then. Undone by setting the size back, then writing the bytes back.
struct Undo {
    seq: u64,
    old_size: u64,
    offset: u64,
    old: Vec<u8>,
}

/// What happened to one folder's database since it was opened.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stats {
    /// Syncs of the database file after writes to it: checkpoints that copied pages back.
    pub checkpoints: u32,
    /// Writes of the WAL's header over an existing WAL: the WAL started over.
    pub wal_restarts: u32,
}

/// A moment the power goes by itself (see [`arm`]): the change it names is refused and
/// everything after it fails, as if the power went just before it reached the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// At the n-th write (from 1) to the database file: inside a checkpoint.
    DbWrite(u32),
    /// At the n-th write to the WAL counting its restart's new header as 0: inside the first
    /// commit after a restart.
    WalRestart(u32),
}

#[derive(Default)]
struct State {
    /// The order of every logged change, across files.
    next_seq: u64,
    /// Unsynced changes per file path, oldest first.
    undo: HashMap<PathBuf, Vec<Undo>>,
    /// Folders whose power is off.
    frozen: HashSet<PathBuf>,
    stats: HashMap<PathBuf, Stats>,
    /// Database files written since their last sync.
    dirty: HashSet<PathBuf>,
    /// Folders whose power goes at a moment, and how far they are from it (for a restart:
    /// whether the header was seen, and the WAL writes since).
    armed: HashMap<PathBuf, (Trigger, Option<u32>)>,
}

impl State {
    fn is_frozen(&self, path: &Path) -> bool {
        path.parent().is_some_and(|dir| self.frozen.contains(dir))
    }

    /// Whether the write of `path` at `offset` (when the file was `old_size` long) is the
    /// moment an armed folder's power goes; if it is, the folder freezes.
    fn trips(&mut self, path: &Path, kind: Kind, offset: u64, old_size: u64) -> bool {
        let Some(dir) = path.parent() else {
            return false;
        };
        let Some((trigger, seen)) = self.armed.get_mut(dir) else {
            return false;
        };
        let tripped = match (*trigger, kind) {
            (Trigger::DbWrite(n), Kind::Db) => {
                let count = seen.get_or_insert(0);
                *count += 1;
                *count >= n
            }
            (Trigger::WalRestart(n), Kind::Wal) => {
                if offset == 0 && old_size > 0 {
                    *seen = Some(0);
                } else if let Some(count) = seen {
                    *count += 1;
                }
                seen.is_some_and(|count| count >= n)
            }
            _ => false,
        };
        if tripped {
            let dir = dir.to_path_buf();
            self.armed.remove(&dir);
            self.frozen.insert(dir);
        }
        tripped
    }

    fn stats(&mut self, path: &Path) -> &mut Stats {
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        self.stats.entry(dir).or_default()
    }

    /// Drops what `path` logged before `before`: a sync that started then has returned.
    fn synced(&mut self, path: &Path, before: u64) {
        if let Some(log) = self.undo.get_mut(path) {
            log.retain(|u| u.seq >= before);
        }
    }
}

fn state() -> MutexGuard<'static, State> {
    static STATE: LazyLock<Mutex<State>> = LazyLock::new(Mutex::default);
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers the `powercut` VFS (once per process); connections choose it by [`NAME`].
pub(crate) fn register() -> Result<(), c_int> {
    static REGISTERED: OnceLock<c_int> = OnceLock::new();
    let rc = *REGISTERED.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find(NULL) initialises SQLite if needed and returns the default
        // VFS, which lives as long as the process (it is never unregistered).
        let real = unsafe { ffi::sqlite3_vfs_find(std::ptr::null()) };
        if real.is_null() {
            return ffi::SQLITE_ERROR;
        }
        // SAFETY: `real` is a valid registered VFS (checked non-null above).
        let (real_size, max_path) = unsafe { ((*real).szOsFile, (*real).mxPathname) };
        let vfs = Box::leak(Box::new(ffi::sqlite3_vfs {
            iVersion: 2,
            szOsFile: c_int::try_from(HEADER).unwrap_or(c_int::MAX) + real_size,
            mxPathname: max_path,
            pNext: null_mut(),
            zName: NAME_C.as_ptr(),
            pAppData: real.cast(),
            xOpen: Some(x_open),
            xDelete: Some(x_delete),
            xAccess: Some(x_access),
            xFullPathname: Some(x_full_pathname),
            xDlOpen: Some(x_dl_open),
            xDlError: Some(x_dl_error),
            xDlSym: Some(x_dl_sym),
            xDlClose: Some(x_dl_close),
            xRandomness: Some(x_randomness),
            xSleep: Some(x_sleep),
            xCurrentTime: Some(x_current_time),
            xGetLastError: Some(x_get_last_error),
            xCurrentTimeInt64: Some(x_current_time_int64),
            xSetSystemCall: None,
            xGetSystemCall: None,
            xNextSystemCall: None,
        }));
        // SAFETY: `vfs` is leaked, so it outlives every connection; its name is 'static and
        // its methods follow the C signatures; pAppData is the real VFS they delegate to.
        unsafe { ffi::sqlite3_vfs_register(vfs, 0) }
    });
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

/// The syncer's hook: `sync` is its `fdatasync` of `wal`. What the WAL logged before the
/// call counts as durable once it returns, unless the power was cut meanwhile; once the power
/// is cut it fails at once, so nothing is acknowledged after the cut.
pub(crate) fn wal_synced(
    wal: &Path,
    sync: &mut dyn FnMut() -> std::io::Result<()>,
) -> std::io::Result<()> {
    let off = || std::io::Error::other("the power is off");
    let before = {
        let state = state();
        if state.is_frozen(wal) {
            return Err(off());
        }
        state.next_seq
    };
    sync()?;
    let mut state = state();
    if state.is_frozen(wal) {
        return Err(off());
    }
    state.synced(wal, before);
    Ok(())
}

/// Makes the power of `db`'s folder go by itself at `trigger`; [`power_cut`] then finds the
/// files as they were at that moment (nothing changes them after it).
pub(crate) fn arm(db: &Path, trigger: Trigger) {
    if let Some(dir) = db.parent() {
        state().armed.insert(dir.to_path_buf(), (trigger, None));
    }
}

/// Whether the power of `db`'s folder is off.
pub(crate) fn is_off(db: &Path) -> bool {
    state().is_frozen(db)
}

/// What happened to the database in `db`'s folder so far.
pub(crate) fn stats(db: &Path) -> Stats {
    *state().stats(db)
}

/// Cuts the power of `db`'s folder and writes into `into` the database file and WAL as they
/// would be found after it; returns the copy's database path. The folder stays frozen.
pub(crate) fn power_cut(db: &Path, into: &Path) -> std::io::Result<PathBuf> {
    let mut state = state();
    if let Some(dir) = db.parent() {
        state.frozen.insert(dir.to_path_buf());
    }
    let name = db
        .file_name()
        .ok_or_else(|| std::io::Error::other("a database path names a file"))?;
    for suffix in ["", "-wal"] {
        let mut file = name.to_owned();
        file.push(suffix);
        let from = db.with_file_name(&file);
        let to = into.join(&file);
        match std::fs::copy(&from, &to) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        }
        let copy = std::fs::OpenOptions::new().write(true).open(&to)?;
        for undo in state.undo.get(&from).into_iter().flatten().rev() {
            copy.set_len(undo.old_size)?;
            copy.write_all_at(&undo.old, undo.offset)?;
        }
        copy.sync_all()?;
    }
    Ok(into.join(name))
}

/// Forgets the logs and statistics of `dir` once its power was cut. Its power stays off: the
/// threads of the [`Db`](super::Db) that used it may still be closing its files.
pub(crate) fn forget(dir: &Path) {
    let mut state = state();
    state.undo.retain(|path, _| path.parent() != Some(dir));
    state.dirty.retain(|path| path.parent() != Some(dir));
    state.stats.remove(dir);
    state.armed.remove(dir);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A main database file: writes to it are checkpoints (in WAL mode).
    Db,
    Wal,
    Journal,
    /// Temporary files: passed through untouched.
    Other,
}

/// What SQLite allocates for each open file (`szOsFile` bytes): this header, then the real
/// VFS's file.
#[repr(C)]
struct ShimFile {
    base: ffi::sqlite3_file,
    real: *mut ffi::sqlite3_file,
    /// The tracked file's path (a leaked `Box`), or null for a file passed through.
    path: *mut PathBuf,
    kind: Kind,
}

/// The header's size, rounded so that the real file after it is aligned as SQLite's
/// allocations are (8 bytes).
const HEADER: usize = std::mem::size_of::<ShimFile>().next_multiple_of(8);

static IO_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 2,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

/// The real VFS behind ours.
///
/// # Safety
/// `vfs` is the VFS [`register`] leaked.
unsafe fn real_vfs(vfs: *mut ffi::sqlite3_vfs) -> *mut ffi::sqlite3_vfs {
    // SAFETY: the caller passes our VFS, whose pAppData is the real one.
    unsafe { (*vfs).pAppData.cast() }
}

/// Calls the real VFS's method `$m` with the real VFS in place of ours.
macro_rules! vfs_delegate {
    ($vfs:expr, $m:ident, $fail:expr $(, $arg:expr)*) => {{
        // SAFETY: SQLite calls our methods with our VFS, which delegates to a valid real one.
        let real = unsafe { real_vfs($vfs) };
        // SAFETY: the real VFS is valid; the arguments are SQLite's, passed on unchanged.
        match unsafe { (*real).$m } {
            Some(f) => unsafe { f(real $(, $arg)*) },
            None => $fail,
        }
    }};
}

/// Calls the real file's io method `$m` with the real file in place of ours.
macro_rules! file_delegate {
    ($file:expr, $m:ident, $fail:expr $(, $arg:expr)*) => {{
        // SAFETY: SQLite passes a file our x_open opened: a ShimFile whose `real` is the
        // real VFS's open file (pMethods non-null, or x_open would have failed).
        let real = unsafe { (*$file.cast::<ShimFile>()).real };
        // SAFETY: as above; the arguments are SQLite's, passed on unchanged.
        match unsafe { (*(*real).pMethods).$m } {
            Some(f) => unsafe { f(real $(, $arg)*) },
            None => $fail,
        }
    }};
}

unsafe extern "C" fn x_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let shim = file.cast::<ShimFile>();
    // SAFETY: SQLite allocated szOsFile = HEADER + the real size bytes at `file`, 8-aligned.
    let real = unsafe { file.cast::<u8>().add(HEADER).cast::<ffi::sqlite3_file>() };
    // SAFETY: our VFS; the real xOpen gets its own VFS and the memory after our header.
    let real_vfs = unsafe { real_vfs(vfs) };
    let rc = match unsafe { (*real_vfs).xOpen } {
        // SAFETY: the real file's memory is its szOsFile bytes; name/flags are SQLite's.
        Some(open) => unsafe { open(real_vfs, name, real, flags, out_flags) },
        None => ffi::SQLITE_CANTOPEN,
    };
    let kind = if flags & ffi::SQLITE_OPEN_MAIN_DB != 0 {
        Kind::Db
    } else if flags & ffi::SQLITE_OPEN_WAL != 0 {
        Kind::Wal
    } else if flags & ffi::SQLITE_OPEN_MAIN_JOURNAL != 0 {
        Kind::Journal
    } else {
        Kind::Other
    };
    let path = if name.is_null() || kind == Kind::Other {
        null_mut()
    } else {
        // SAFETY: a non-null name is a NUL-terminated path that SQLite keeps while open.
        let name = unsafe { CStr::from_ptr(name) };
        use std::os::unix::ffi::OsStrExt;
        Box::into_raw(Box::new(PathBuf::from(std::ffi::OsStr::from_bytes(
            name.to_bytes(),
        ))))
    };
    // SAFETY: `shim` is the start of SQLite's allocation for this file, at least HEADER long;
    // the real xOpen has set the real pMethods (valid or null) whatever its outcome.
    unsafe {
        let opened = !(*real).pMethods.is_null();
        shim.write(ShimFile {
            base: ffi::sqlite3_file {
                pMethods: if opened {
                    &IO_METHODS
                } else {
                    std::ptr::null()
                },
            },
            real,
            path: if opened { path } else { null_mut() },
            kind,
        });
        if !opened && !path.is_null() {
            drop(Box::from_raw(path));
        }
    }
    rc
}

unsafe extern "C" fn x_delete(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync_dir: c_int,
) -> c_int {
    if !name.is_null() {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: SQLite passes a NUL-terminated path.
        let path = Path::new(std::ffi::OsStr::from_bytes(
            unsafe { CStr::from_ptr(name) }.to_bytes(),
        ));
        let mut state = state();
        if state.is_frozen(path) {
            return ffi::SQLITE_IOERR_DELETE;
        }
        state.undo.remove(path);
    }
    vfs_delegate!(vfs, xDelete, ffi::SQLITE_IOERR_DELETE, name, sync_dir)
}

unsafe extern "C" fn x_access(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    flags: c_int,
    out: *mut c_int,
) -> c_int {
    vfs_delegate!(vfs, xAccess, ffi::SQLITE_IOERR_ACCESS, name, flags, out)
}

unsafe extern "C" fn x_full_pathname(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    vfs_delegate!(vfs, xFullPathname, ffi::SQLITE_CANTOPEN, name, n, out)
}

unsafe extern "C" fn x_dl_open(vfs: *mut ffi::sqlite3_vfs, name: *const c_char) -> *mut c_void {
    vfs_delegate!(vfs, xDlOpen, null_mut(), name)
}

unsafe extern "C" fn x_dl_error(vfs: *mut ffi::sqlite3_vfs, n: c_int, out: *mut c_char) {
    vfs_delegate!(vfs, xDlError, (), n, out)
}

type DlSym = Option<unsafe extern "C" fn(*mut ffi::sqlite3_vfs, *mut c_void, *const c_char)>;

unsafe extern "C" fn x_dl_sym(
    vfs: *mut ffi::sqlite3_vfs,
    handle: *mut c_void,
    symbol: *const c_char,
) -> DlSym {
    vfs_delegate!(vfs, xDlSym, None, handle, symbol)
}

unsafe extern "C" fn x_dl_close(vfs: *mut ffi::sqlite3_vfs, handle: *mut c_void) {
    vfs_delegate!(vfs, xDlClose, (), handle)
}

unsafe extern "C" fn x_randomness(vfs: *mut ffi::sqlite3_vfs, n: c_int, out: *mut c_char) -> c_int {
    vfs_delegate!(vfs, xRandomness, 0, n, out)
}

unsafe extern "C" fn x_sleep(vfs: *mut ffi::sqlite3_vfs, micros: c_int) -> c_int {
    vfs_delegate!(vfs, xSleep, 0, micros)
}

unsafe extern "C" fn x_current_time(vfs: *mut ffi::sqlite3_vfs, out: *mut f64) -> c_int {
    vfs_delegate!(vfs, xCurrentTime, ffi::SQLITE_ERROR, out)
}

unsafe extern "C" fn x_get_last_error(
    vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    vfs_delegate!(vfs, xGetLastError, 0, n, out)
}

unsafe extern "C" fn x_current_time_int64(
    vfs: *mut ffi::sqlite3_vfs,
    out: *mut ffi::sqlite3_int64,
) -> c_int {
    vfs_delegate!(vfs, xCurrentTimeInt64, ffi::SQLITE_ERROR, out)
}

/// The tracked path and kind of an open file, or `None` for one passed through.
///
/// # Safety
/// `file` is a file our [`x_open`] opened and SQLite has not closed.
unsafe fn tracked<'a>(file: *mut ffi::sqlite3_file) -> Option<(&'a Path, Kind)> {
    // SAFETY: per the contract, a ShimFile whose path is null or a live leaked Box.
    unsafe {
        let shim = &*file.cast::<ShimFile>();
        shim.path.as_ref().map(|p| (p.as_path(), shim.kind))
    }
}

/// The real file's size, through its own xFileSize.
fn real_size(file: *mut ffi::sqlite3_file) -> Result<u64, c_int> {
    let mut size: ffi::sqlite3_int64 = 0;
    let rc = file_delegate!(file, xFileSize, ffi::SQLITE_IOERR_FSTAT, &mut size);
    if rc == ffi::SQLITE_OK {
        Ok(u64::try_from(size).unwrap_or(0))
    } else {
        Err(rc)
    }
}

/// Logs what a change of `path` from `offset` (to `end`, or to the end of the file for a
/// truncation) will overwrite, reading it through the real file.
fn log_undo(
    state: &mut State,
    file: *mut ffi::sqlite3_file,
    path: &Path,
    offset: u64,
    end: Option<u64>,
) -> Result<u64, c_int> {
    let old_size = real_size(file)?;
    let until = end.unwrap_or(old_size).min(old_size);
    let mut old = vec![0u8; usize::try_from(until.saturating_sub(offset)).unwrap_or(0)];
    if !old.is_empty() {
        let (Ok(n), Ok(at)) = (c_int::try_from(old.len()), i64::try_from(offset)) else {
            return Err(ffi::SQLITE_IOERR_READ);
        };
        let rc = file_delegate!(
            file,
            xRead,
            ffi::SQLITE_IOERR_READ,
            old.as_mut_ptr().cast(),
            n,
            at
        );
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
    }
    let seq = state.next_seq;
    state.next_seq += 1;
    state
        .undo
        .entry(path.to_path_buf())
        .or_default()
        .push(Undo {
            seq,
            old_size,
            offset,
            old,
        });
    Ok(old_size)
}

unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let rc = file_delegate!(file, xClose, ffi::SQLITE_IOERR_CLOSE);
    // SAFETY: SQLite closes a file once; its path Box is freed here and nowhere else.
    unsafe {
        let shim = &mut *file.cast::<ShimFile>();
        if !shim.path.is_null() {
            drop(Box::from_raw(shim.path));
            shim.path = null_mut();
        }
    }
    rc
}

unsafe extern "C" fn x_read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    n: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    file_delegate!(file, xRead, ffi::SQLITE_IOERR_READ, buf, n, offset)
}

unsafe extern "C" fn x_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    n: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: SQLite calls io methods only on files x_open opened.
    let Some((path, kind)) = (unsafe { tracked(file) }) else {
        return file_delegate!(file, xWrite, ffi::SQLITE_IOERR_WRITE, buf, n, offset);
    };
    let mut state = state();
    if state.is_frozen(path) {
        return ffi::SQLITE_IOERR_WRITE;
    }
    let start = u64::try_from(offset).unwrap_or(0);
    let end = start + u64::try_from(n).unwrap_or(0);
    if !state.armed.is_empty() {
        match real_size(file) {
            Ok(size) if state.trips(path, kind, start, size) => return ffi::SQLITE_IOERR_WRITE,
            Ok(_) => {}
            Err(rc) => return rc,
        }
    }
    let old_size = match log_undo(&mut state, file, path, start, Some(end)) {
        Ok(size) => size,
        Err(rc) => return rc,
    };
    match kind {
        Kind::Db => {
            state.dirty.insert(path.to_path_buf());
        }
        Kind::Wal if start == 0 && old_size > 0 => state.stats(path).wal_restarts += 1,
        _ => {}
    }
    // the write happens under the lock, so a cut sees it whole or not at all
    file_delegate!(file, xWrite, ffi::SQLITE_IOERR_WRITE, buf, n, offset)
}

unsafe extern "C" fn x_truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    // SAFETY: SQLite calls io methods only on files x_open opened.
    let Some((path, _)) = (unsafe { tracked(file) }) else {
        return file_delegate!(file, xTruncate, ffi::SQLITE_IOERR_TRUNCATE, size);
    };
    let mut state = state();
    if state.is_frozen(path) {
        return ffi::SQLITE_IOERR_TRUNCATE;
    }
    if let Err(rc) = log_undo(
        &mut state,
        file,
        path,
        u64::try_from(size).unwrap_or(0),
        None,
    ) {
        return rc;
    }
    file_delegate!(file, xTruncate, ffi::SQLITE_IOERR_TRUNCATE, size)
}

unsafe extern "C" fn x_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    // SAFETY: SQLite calls io methods only on files x_open opened.
    let Some((path, kind)) = (unsafe { tracked(file) }) else {
        return file_delegate!(file, xSync, ffi::SQLITE_IOERR_FSYNC, flags);
    };
    let before = {
        let state = state();
        if state.is_frozen(path) {
            return ffi::SQLITE_IOERR_FSYNC;
        }
        state.next_seq
    };
    let rc = file_delegate!(file, xSync, ffi::SQLITE_IOERR_FSYNC, flags);
    let mut state = state();
    if state.is_frozen(path) {
        // the power went while the disk was flushing: nothing was promised
        return ffi::SQLITE_IOERR_FSYNC;
    }
    if rc == ffi::SQLITE_OK {
        state.synced(path, before);
        if kind == Kind::Db && state.dirty.remove(path) {
            state.stats(path).checkpoints += 1;
        }
    }
    rc
}

unsafe extern "C" fn x_file_size(
    file: *mut ffi::sqlite3_file,
    size: *mut ffi::sqlite3_int64,
) -> c_int {
    file_delegate!(file, xFileSize, ffi::SQLITE_IOERR_FSTAT, size)
}

unsafe extern "C" fn x_lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    file_delegate!(file, xLock, ffi::SQLITE_IOERR_LOCK, level)
}

unsafe extern "C" fn x_unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    file_delegate!(file, xUnlock, ffi::SQLITE_IOERR_UNLOCK, level)
}

unsafe extern "C" fn x_check_reserved_lock(file: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    file_delegate!(
        file,
        xCheckReservedLock,
        ffi::SQLITE_IOERR_CHECKRESERVEDLOCK,
        out
    )
}

unsafe extern "C" fn x_file_control(
    file: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: SQLite calls io methods only on files x_open opened.
    if op == ffi::SQLITE_FCNTL_SIZE_HINT && unsafe { tracked(file) }.is_some() {
        // a hint may grow the file behind xWrite's back (with a chunk size set): not here
        return ffi::SQLITE_OK;
    }
    file_delegate!(file, xFileControl, ffi::SQLITE_NOTFOUND, op, arg)
}

unsafe extern "C" fn x_sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    file_delegate!(file, xSectorSize, 4096)
}

unsafe extern "C" fn x_device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    file_delegate!(file, xDeviceCharacteristics, 0)
}

unsafe extern "C" fn x_shm_map(
    file: *mut ffi::sqlite3_file,
    page: c_int,
    page_size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    file_delegate!(
        file,
        xShmMap,
        ffi::SQLITE_IOERR_SHMMAP,
        page,
        page_size,
        extend,
        out
    )
}

unsafe extern "C" fn x_shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    file_delegate!(file, xShmLock, ffi::SQLITE_IOERR_SHMLOCK, offset, n, flags)
}

unsafe extern "C" fn x_shm_barrier(file: *mut ffi::sqlite3_file) {
    file_delegate!(file, xShmBarrier, ())
}

unsafe extern "C" fn x_shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    file_delegate!(file, xShmUnmap, ffi::SQLITE_IOERR_SHMMAP, delete)
}
