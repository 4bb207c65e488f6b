//! SQLite's own page cache, with one wasted scan taken out of every commit.
//!
//! When a b-tree page splits, SQLite puts the new pages in ascending order by swapping their
//! numbers, and parks one of them for a moment under the number of the lock page (the page
//! holding byte 1 GiB, 262,145 with 4 KiB pages, which no database ever uses). The page cache
//! remembers the highest number it has seen, and at the end of every write transaction it is
//! asked to drop the pages past the database's end: when that highest number is far past the
//! end it walks every page it holds to find none. For a database under 1 GiB that walk came
//! after almost every commit, over the writer's whole cache (8 % of the server's CPU under
//! single-entry writes, and more as the cache fills).
//!
//! This module wraps SQLite's default cache and forwards every call to it, keeping its own
//! highest page number, which ignores the lock page's number: a truncation above that number
//! has nothing to drop and is not forwarded. Nothing else changes. It is installed once per
//! process, before SQLite is first used; if SQLite was already initialised (something opened
//! a connection first), the default cache stays, which is correct, only slower.

use std::ffi::{c_int, c_uint};
use std::sync::OnceLock;

use rusqlite::ffi;

/// The byte SQLite locks on (`PENDING_BYTE`): the page that holds it is never used.
const LOCK_BYTE: c_uint = 0x4000_0000;

/// SQLite's default page cache, which every call is forwarded to.
struct Methods {
    create: unsafe extern "C" fn(c_int, c_int, c_int) -> *mut Pcache,
    cache_size: unsafe extern "C" fn(*mut Pcache, c_int),
    page_count: unsafe extern "C" fn(*mut Pcache) -> c_int,
    fetch: unsafe extern "C" fn(*mut Pcache, c_uint, c_int) -> *mut Page,
    unpin: unsafe extern "C" fn(*mut Pcache, *mut Page, c_int),
    rekey: unsafe extern "C" fn(*mut Pcache, *mut Page, c_uint, c_uint),
    truncate: unsafe extern "C" fn(*mut Pcache, c_uint),
    destroy: unsafe extern "C" fn(*mut Pcache),
    shrink: unsafe extern "C" fn(*mut Pcache),
}

type Pcache = ffi::sqlite3_pcache;
type Page = ffi::sqlite3_pcache_page;

impl Methods {
    fn of(m: &ffi::sqlite3_pcache_methods2) -> Option<Self> {
        Some(Self {
            create: m.xCreate?,
            cache_size: m.xCachesize?,
            page_count: m.xPagecount?,
            fetch: m.xFetch?,
            unpin: m.xUnpin?,
            rekey: m.xRekey?,
            truncate: m.xTruncate?,
            destroy: m.xDestroy?,
            shrink: m.xShrink?,
        })
    }
}

/// Set before the wrapper is handed to SQLite, so that the wrapper always finds it.
static DEFAULT: OnceLock<Methods> = OnceLock::new();
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Installs the wrapper; true when it is in place. Call it before any thread uses SQLite
/// (`sqlite3_config` is not safe beside other SQLite calls): first thing in `main`. If SQLite
/// is already initialised, nothing changes and the answer is false.
pub fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        // SAFETY: the caller keeps every other thread away from SQLite meanwhile; a call after
        // SQLite was initialised fails with SQLITE_MISUSE and changes nothing. SQLite copies
        // the tables it is given.
        unsafe {
            let mut default: ffi::sqlite3_pcache_methods2 = std::mem::zeroed();
            if ffi::sqlite3_config(ffi::SQLITE_CONFIG_GETPCACHE2, &raw mut default)
                != ffi::SQLITE_OK
            {
                return false;
            }
            let Some(methods) = Methods::of(&default) else {
                return false;
            };
            if DEFAULT.set(methods).is_err() {
                return false;
            }
            let wrapper = ffi::sqlite3_pcache_methods2 {
                iVersion: default.iVersion,
                pArg: default.pArg,
                xInit: default.xInit,
                xShutdown: default.xShutdown,
                xCreate: Some(create),
                xCachesize: Some(cache_size),
                xPagecount: Some(page_count),
                xFetch: Some(fetch),
                xUnpin: Some(unpin),
                xRekey: Some(rekey),
                xTruncate: Some(truncate),
                xDestroy: Some(destroy),
                xShrink: Some(shrink),
            };
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_PCACHE2, &raw const wrapper) == ffi::SQLITE_OK
        }
    })
}

/// One cache: the default's, and the highest page number it holds other than the lock page.
struct Cache {
    methods: &'static Methods,
    inner: *mut Pcache,
    lock_page: c_uint,
    highest: c_uint,
}

/// # Safety
/// `p` is a pointer `create` returned and `destroy` has not freed.
unsafe fn cache<'a>(p: *mut Pcache) -> &'a mut Cache {
    // SAFETY: the caller's contract; SQLite never calls one cache from two threads at once
    unsafe { &mut *p.cast::<Cache>() }
}

unsafe extern "C" fn create(page_size: c_int, extra: c_int, purgeable: c_int) -> *mut Pcache {
    // SQLite calls the wrapper only after `install` kept the default
    let Some(methods) = DEFAULT.get() else {
        return std::ptr::null_mut();
    };
    // SAFETY: forwarded as SQLite made it
    let inner = unsafe { (methods.create)(page_size, extra, purgeable) };
    if inner.is_null() {
        return inner;
    }
    let lock_page = LOCK_BYTE / c_uint::try_from(page_size.max(1)).unwrap_or(1) + 1;
    Box::into_raw(Box::new(Cache {
        methods,
        inner,
        lock_page,
        highest: 0,
    }))
    .cast()
}

unsafe extern "C" fn cache_size(p: *mut Pcache, n: c_int) {
    // SAFETY: `p` came from `create`; forwarded as SQLite made it
    unsafe {
        let c = cache(p);
        (c.methods.cache_size)(c.inner, n);
    }
}

unsafe extern "C" fn page_count(p: *mut Pcache) -> c_int {
    // SAFETY: as above
    unsafe {
        let c = cache(p);
        (c.methods.page_count)(c.inner)
    }
}

unsafe extern "C" fn fetch(p: *mut Pcache, key: c_uint, create: c_int) -> *mut Page {
    // SAFETY: as above
    unsafe {
        let c = cache(p);
        let page = (c.methods.fetch)(c.inner, key, create);
        if !page.is_null() && key != c.lock_page {
            c.highest = c.highest.max(key);
        }
        page
    }
}

unsafe extern "C" fn unpin(p: *mut Pcache, page: *mut Page, discard: c_int) {
    // SAFETY: as above
    unsafe {
        let c = cache(p);
        (c.methods.unpin)(c.inner, page, discard);
    }
}

unsafe extern "C" fn rekey(p: *mut Pcache, page: *mut Page, old: c_uint, new: c_uint) {
    // SAFETY: as above
    unsafe {
        let c = cache(p);
        (c.methods.rekey)(c.inner, page, old, new);
        // the lock page's number is only ever a parking place between two other rekeys
        if new != c.lock_page {
            c.highest = c.highest.max(new);
        }
    }
}

unsafe extern "C" fn truncate(p: *mut Pcache, limit: c_uint) {
    // SAFETY: as above
    unsafe {
        let c = cache(p);
        // every page this cache holds is numbered `highest` or lower
        if limit <= c.highest {
            (c.methods.truncate)(c.inner, limit);
            c.highest = limit.saturating_sub(1);
        }
    }
}

unsafe extern "C" fn destroy(p: *mut Pcache) {
    // SAFETY: `p` came from `create` and SQLite uses it no more after this call
    unsafe {
        let c = Box::from_raw(p.cast::<Cache>());
        (c.methods.destroy)(c.inner);
    }
}

unsafe extern "C" fn shrink(p: *mut Pcache) {
    // SAFETY: as above
    unsafe {
        let c = cache(p);
        (c.methods.shrink)(c.inner);
    }
}
