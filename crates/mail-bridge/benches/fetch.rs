//! Initial sync of a 10,000-message folder from the local Dovecot into a sink that keeps
//! nothing (every message is still fetched, parsed and handed over), then an incremental sync
//! that finds one new message. Targets: under 60 s and 200 MB peak RSS; under 1 s.
//!
//! Needs the servers of `scripts/infra/start-mail.sh` (fails without them):
//!   eval "$(scripts/infra/start-mail.sh)"
//!   cargo bench -p mail-bridge --bench fetch          (MAIL_BENCH_MESSAGES=n to change 10,000)
//!
//! The folder is filled once by writing the messages straight into Dovecot's Maildir (much
//! faster than 10,000 APPENDs) and indexed before the clock starts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mail_bridge::testing::generate;
use mail_bridge::{
    Error, FolderState, ImapConfig, ImapSession, Incoming, Security, Sink, SyncOptions, sync_folder,
};

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run `eval \"$(scripts/infra/start-mail.sh)\"` first")
    })
}

#[derive(Default)]
struct NullSink {
    messages: AtomicU64,
    bytes: AtomicU64,
}

impl Sink for NullSink {
    async fn store(&self, m: Incoming<'_>) -> Result<(), Error> {
        self.messages.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(m.raw.len() as u64, Ordering::Relaxed);
        Ok(())
    }
    async fn checkpoint(&self, _folder: &str, _state: FolderState) -> Result<(), Error> {
        Ok(())
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn config() -> ImapConfig {
    let mut c = ImapConfig::new(
        env("MAIL_HOST"),
        env("MAIL_IMAP_PORT").parse().unwrap(),
        Security::Plain,
        env("MAIL_USER"),
        env("MAIL_PASS"),
    );
    c.command_timeout = Duration::from_secs(120);
    c
}

/// Fills `folder` with `n` typical messages unless it already holds them (plus the few that
/// earlier incremental runs added); returns how many it holds.
async fn fill(folder: &str, n: u64) -> u64 {
    let mut s = ImapSession::connect(&config()).await.unwrap();
    if let Ok(st) = s.status(folder).await
        && (n..n + 100).contains(&u64::from(st.exists))
    {
        println!("fetch: {folder} already holds {} messages", st.exists);
        return u64::from(st.exists);
    }
    let _ = s.delete_folder(folder).await;
    s.create_folder(folder).await.unwrap();
    let dir = PathBuf::from(env("MAIL_MAILDIR")).join(format!(".{folder}"));
    let t = Instant::now();
    let bytes = generate::write_maildir(&dir, n)
        .expect("the messages written into the folder's Maildir (Maildir++ layout)");
    println!(
        "fetch: wrote {n} messages ({:.0} MB) into {dir:?} in {:.1} s",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    // Let Dovecot index them now, not inside the timed sync.
    let t = Instant::now();
    s.select(folder).await.unwrap();
    let listed = s.uids_after(0).await.unwrap();
    assert_eq!(listed.len() as u64, n);
    println!(
        "fetch: Dovecot indexed them in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    n
}

fn main() {
    let n: u64 = std::env::var("MAIL_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let folder = format!("bench-{n}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let n = fill(&folder, n).await;
        // Peak RSS from here on only (the filling above is not part of the sync).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let rss_before = peak_rss_mb();
        let sink = NullSink::default();
        let t = Instant::now();
        let mut s = ImapSession::connect(&config()).await.unwrap();
        let report = sync_folder(&mut s, &folder, None, &sink, &SyncOptions::default(), |_| {})
            .await
            .unwrap();
        let took = t.elapsed().as_secs_f64();
        assert_eq!(report.fetched, n);
        assert_eq!(sink.messages.load(Ordering::Relaxed), n);
        let mb = sink.bytes.load(Ordering::Relaxed) as f64 / 1e6;
        let rss = peak_rss_mb();
        println!(
            "fetch: initial sync of {n} messages ({mb:.0} MB): {took:.1} s = {:.0} messages/s, {:.0} MB/s (target < 60 s: {})",
            n as f64 / took,
            mb / took,
            if took < 60.0 { "met" } else { "NOT met" }
        );
        println!(
            "fetch: peak RSS during the sync {rss:.0} MB (at its start {rss_before:.0} MB; target < 200 MB: {})",
            if rss < 200.0 { "met" } else { "NOT met" }
        );

        // One new message, then the incremental sync a timer or IDLE would run.
        let mut w = ImapSession::connect(&config()).await.unwrap();
        w.append(&folder, &generate::small("bench-new", n + 1), false, None)
            .await
            .unwrap();
        let t = Instant::now();
        let mut s = ImapSession::connect(&config()).await.unwrap();
        let inc = sync_folder(&mut s, &folder, Some(report.state), &sink, &SyncOptions::default(), |_| {})
            .await
            .unwrap();
        let took = t.elapsed();
        assert_eq!(inc.fetched, 1);
        println!(
            "fetch: incremental sync finding 1 new message (new connection + login + sync): {:.1} ms (target < 1 s: {})",
            took.as_secs_f64() * 1e3,
            if took < Duration::from_secs(1) { "met" } else { "NOT met" }
        );
    });
}
