//! Password hashing on a bounded pool: at most `concurrency` argon2id computations at once,
//! at most `queue` more waiting for a turn (past that a check is refused with
//! [`Error::Busy`]), each computation on a memory buffer the pool keeps and reuses.
//!
//! An argon2id check with the default parameters fills 19 MiB. Allocated afresh for every
//! check, any number at once, a login flood grows the heap by gigabytes that the allocator
//! keeps; here the pool holds at most `concurrency` buffers for its whole life.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// Refuse to check a stored hash that asks for more than this many 1 KiB blocks (256 MiB):
/// the users table only holds hashes made here, with [`Params::default`] (19 MiB).
const MAX_BLOCKS: usize = 256 * 1024;

/// The bounded pool of password computations.
#[derive(Debug, Clone)]
pub struct HashPool {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    permits: Arc<Semaphore>,
    /// Computations running or waiting for a permit.
    pending: AtomicUsize,
    /// Running plus waiting at most.
    capacity: usize,
    /// Buffers not in use right now; never more than `concurrency` exist.
    memory: Mutex<Vec<Vec<Block>>>,
    /// How many buffers were ever allocated (for tests and the bench's sake).
    allocated: AtomicUsize,
}

/// Gives the admission back when dropped: a computation ended, or its caller went away while
/// it waited.
struct Admitted(Arc<Inner>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.pending.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashPool {
    /// At most `concurrency` (at least 1) computations at once and `queue` more waiting.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            inner: Arc::new(Inner {
                permits: Arc::new(Semaphore::new(concurrency)),
                pending: AtomicUsize::new(0),
                capacity: concurrency + queue,
                memory: Mutex::new(Vec::new()),
                allocated: AtomicUsize::new(0),
            }),
        }
    }

    /// [`default_concurrency`] computations at once, and 32 waiting.
    pub fn for_this_machine() -> Self {
        Self::new(default_concurrency(), 32)
    }

    /// How many memory buffers the pool allocated so far.
    pub fn buffers_allocated(&self) -> usize {
        self.inner.allocated.load(Ordering::Acquire)
    }

    /// Runs `work` on a blocking thread with one of the pool's buffers, once a permit is free.
    /// Refused with [`Error::Busy`] when `capacity` computations are already running or waiting.
    ///
    /// The permit, the admission and the buffer travel into the blocking closure: a caller
    /// that goes away mid-computation cannot let another computation start before this one
    /// ended.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    {
        let inner = &self.inner;
        if inner.pending.fetch_add(1, Ordering::AcqRel) >= inner.capacity {
            inner.pending.fetch_sub(1, Ordering::AcqRel);
            return Err(Error::Busy);
        }
        let admitted = Admitted(Arc::clone(inner));
        let permit = Arc::clone(&inner.permits)
            .acquire_owned()
            .await
            .map_err(|e| Error::Hash(e.to_string()))?;
        let inner = Arc::clone(inner);
        tokio::task::spawn_blocking(move || {
            let mut memory = inner
                .memory
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
                .unwrap_or_else(|| {
                    inner.allocated.fetch_add(1, Ordering::AcqRel);
                    Vec::new()
                });
            let out = work(&mut memory);
            inner
                .memory
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(memory);
            drop(permit);
            drop(admitted);
            out
        })
        .await
        .map_err(|e| Error::Hash(e.to_string()))
    }
}

/// Half the cores of this machine, at least 1: a flood of password checks leaves the other
/// half to everything else (measured in docs/performance.md, "Login flood").
pub fn default_concurrency() -> usize {
    (std::thread::available_parallelism().map_or(1, usize::from) / 2).max(1)
}

/// `memory` grown to hold `blocks` blocks (it is never shrunk: the next check reuses it).
fn blocks(memory: &mut Vec<Block>, blocks: usize) -> &mut [Block] {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    &mut memory[..blocks]
}

/// The argon2id hash of `password` with a fresh salt and the default parameters, as a PHC
/// string, computed in `memory`.
pub(crate) fn hash_password(password: &str, memory: &mut Vec<Block>) -> Result<String> {
    let hash_err = |e: &dyn std::fmt::Display| Error::Hash(e.to_string());
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| hash_err(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_raw,
            &mut out,
            blocks(memory, params.block_count()),
        )
        .map_err(|e| hash_err(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| hash_err(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| hash_err(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash`, computed in `memory` (the comparison is
/// constant-time). A hash that cannot be read matches nothing.
pub(crate) fn verify_password(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    if params.block_count() > MAX_BLOCKS {
        return false;
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let count = params.block_count();
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut out,
        blocks(memory, count),
    );
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == expected)
}

/// A hash to verify against when the user does not exist (or cannot log in), so that a wrong
/// name takes as long to refuse as a wrong password.
pub(crate) fn decoy_hash(memory: &mut Vec<Block>) -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password", memory).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use argon2::{PasswordHasher as _, PasswordVerifier as _};

    use super::*;

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        let mut memory = Vec::new();
        let ours = hash_password("correct horse", &mut memory).unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"wrong horse", &parsed)
                .is_err()
        );

        let theirs = Argon2::default()
            .hash_password(b"battery staple", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        // the same buffer, reused: what a previous computation left in it changes nothing
        assert!(verify_password("battery staple", &theirs, &mut memory));
        assert!(!verify_password("battery stapl", &theirs, &mut memory));
        assert!(verify_password("correct horse", &ours, &mut memory));
        assert_eq!(memory.len(), Params::default().block_count());
        assert!(!verify_password("x", "not a hash", &mut memory));
        assert!(!verify_password(
            "x",
            "$argon2id$v=19$m=999999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            &mut memory
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_pool_allocates_one_buffer_per_slot_and_reuses_it() {
        let pool = HashPool::new(2, 64);
        let hash = pool
            .run(|m| hash_password("correct horse", m))
            .await
            .unwrap()
            .unwrap();
        let checks = (0..12).map(|i| {
            let pool = pool.clone();
            let hash = hash.clone();
            tokio::spawn(async move {
                let password = if i % 2 == 0 { "correct horse" } else { "wrong" };
                pool.run(move |m| verify_password(password, &hash, m))
                    .await
                    .unwrap()
            })
        });
        let mut results = Vec::new();
        for c in checks {
            results.push(c.await.unwrap());
        }
        assert_eq!(results.iter().filter(|ok| **ok).count(), 6);
        assert!(
            pool.buffers_allocated() <= 2,
            "{}",
            pool.buffers_allocated()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_running_and_the_waiting_it_refuses() {
        let pool = HashPool::new(1, 1);
        let (release, held) = mpsc::channel::<()>();
        let (started, is_started) = mpsc::channel::<()>();
        let running = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move |_| {
                    started.send(()).unwrap();
                    held.recv().unwrap();
                })
                .await
            }
        });
        is_started.recv().unwrap();
        let waiting = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|_| 1).await }
        });
        // the waiting one is admitted before the third asks
        while pool.inner.pending.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(pool.run(|_| 2).await, Err(Error::Busy)));
        release.send(()).unwrap();
        running.await.unwrap().unwrap();
        assert_eq!(waiting.await.unwrap().unwrap(), 1);
        // and once they are done there is room again
        assert_eq!(pool.run(|_| 3).await.unwrap(), 3);
        assert_eq!(pool.inner.pending.load(Ordering::Acquire), 0);
    }
}
