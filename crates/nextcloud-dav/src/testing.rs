//! Test support (feature `testing`, off by default), shared by this crate's tests and the
//! gateway's: the real WebDAV server of `scripts/infra/start-webdav.sh` (read from
//! `WEBDAV_URL`, `WEBDAV_USER`, `WEBDAV_PASS`), folders no other test uses, and
//! deterministic content.
//!
//! Helpers panic with a message instead of returning errors: a failed setup is a failed test.

use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::{Client, Config, DavPath, Download};

/// A variable the real-server tests need; missing is a failure, never a silent pass.
pub fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start the server with `eval \"$(scripts/infra/start-webdav.sh)\"` (./scripts/test.sh does)")
    })
}

/// The test server's user root, with short timeouts and a few quick retries.
pub fn config() -> Config {
    let mut c = Config::new(env("WEBDAV_URL"), env("WEBDAV_USER"), env("WEBDAV_PASS"));
    c.timeout = Duration::from_secs(30);
    c.connect_timeout = Duration::from_secs(2);
    c.retries = 2;
    c.retry_backoff = Duration::from_millis(50);
    c
}

/// A name no other test (or run, or process) uses: `{prefix}-{pid}-{random}-{n}`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    static SALT: OnceLock<u64> = OnceLock::new();
    // randomly keyed by the standard library, so two runs with the same pid still differ
    let salt = SALT.get_or_init(|| RandomState::new().hash_one(std::process::id()));
    format!(
        "{prefix}-{}-{salt:016x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A client on the test server's user root (`""`) or on `base` inside it.
pub fn client(base: &str) -> Client {
    Client::new(config().with_base_path(base))
        .unwrap_or_else(|e| panic!("WebDAV client on {base:?}: {e}"))
}

/// A client whose base folder is a fresh folder of its own (created through the user root);
/// answers the client and the folder's name under the root.
pub async fn fresh_folder(prefix: &str) -> (Client, String) {
    let base = unique(prefix);
    client("")
        .mkdir_all(&p(&base))
        .await
        .unwrap_or_else(|e| panic!("creating the test folder {base}: {e}"));
    (client(&base), base)
}

/// A client whose base folder is a fresh folder of its own.
pub async fn fresh_client(prefix: &str) -> Client {
    fresh_folder(prefix).await.0
}

/// A path the test knows to be valid.
pub fn p(s: &str) -> DavPath {
    DavPath::parse(s).unwrap_or_else(|e| panic!("test path {s:?}: {e}"))
}

/// Reads a whole download into memory (small files only).
pub async fn read_all(mut d: Download) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(chunk) = d.next().await {
        out.extend_from_slice(&chunk.unwrap_or_else(|e| panic!("download broke off: {e}")));
    }
    out
}

/// Hashes a download as it streams: (bytes, sha256).
pub async fn hash_download(mut d: Download) -> (u64, [u8; 32]) {
    let mut h = Sha256::new();
    let mut n = 0u64;
    while let Some(chunk) = d.next().await {
        let chunk = chunk.unwrap_or_else(|e| panic!("download broke off: {e}"));
        n += chunk.len() as u64;
        h.update(&chunk);
    }
    (n, h.finalize().into())
}

/// Deterministic pseudo-random content, `total` bytes in `chunk`-sized pieces.
pub fn pseudo_random_chunks(seed: u64, total: u64, chunk: usize) -> impl Iterator<Item = Bytes> {
    let mut state = seed | 1;
    let mut left = total;
    std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let n = left.min(chunk as u64) as usize;
        let mut buf = Vec::with_capacity(n + 8);
        while buf.len() < n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            buf.extend_from_slice(&state.to_le_bytes());
        }
        buf.truncate(n);
        left -= n as u64;
        Some(Bytes::from(buf))
    })
}

/// The same content as [`pseudo_random_chunks`] (64 KiB pieces), in one piece.
pub fn pseudo_random(seed: u64, total: usize) -> Vec<u8> {
    pseudo_random_chunks(seed, total as u64, 64 * 1024)
        .flat_map(|b| b.to_vec())
        .collect()
}

/// Peak resident memory of this process so far (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
