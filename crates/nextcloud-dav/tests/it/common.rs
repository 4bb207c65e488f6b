//! Helpers shared by the integration tests.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::StreamExt;
use nextcloud_dav::{Client, Config, DavPath, Download};
use sha2::{Digest, Sha256};

/// A variable the real-server tests need; missing is a failure, never a silent pass.
pub fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start the server with `eval \"$(scripts/infra/start-webdav.sh)\"` (./scripts/test.sh does)")
    })
}

pub fn config() -> Config {
    let mut c = Config::new(env("WEBDAV_URL"), env("WEBDAV_USER"), env("WEBDAV_PASS"));
    c.timeout = Duration::from_secs(30);
    c.connect_timeout = Duration::from_secs(2);
    c.retries = 2;
    c.retry_backoff = Duration::from_millis(50);
    c
}

fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A client whose base folder is a fresh folder of its own (created through the user root).
pub async fn fresh_client(prefix: &str) -> Client {
    let base = unique(prefix);
    let root = Client::new(config()).unwrap();
    root.mkdir_all(&DavPath::parse(&base).unwrap())
        .await
        .unwrap();
    Client::new(config().with_base_path(base)).unwrap()
}

pub fn p(s: &str) -> DavPath {
    DavPath::parse(s).unwrap()
}

/// Reads a whole download into memory (small files only).
pub async fn read_all(mut d: Download) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(chunk) = d.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

/// Hashes a download as it streams: (bytes, sha256).
pub async fn hash_download(mut d: Download) -> (u64, [u8; 32]) {
    let mut h = Sha256::new();
    let mut n = 0u64;
    while let Some(chunk) = d.next().await {
        let chunk = chunk.unwrap();
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
