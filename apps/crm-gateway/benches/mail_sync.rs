//! E-mail into the CRM: the initial sync of a 10,000-message mailbox from the local Dovecot
//! (targets: under 60 s, peak RSS under 200 MB), then an incremental sync that finds one new
//! message (under 1 s). Unlike mail-bridge's `fetch` bench, every message goes the whole way:
//! parsed, matched against 2,000 customers' contacts, stored as comms entries (search index
//! included) and recorded in the ledger — what `crm mail sync` does.
//!
//! Needs the servers of `scripts/infra/start-mail.sh`, as root (it writes into the Maildir):
//!   eval "$(scripts/infra/start-mail.sh)"
//!   cargo bench -p crm-gateway --bench mail_sync      (MAIL_BENCH_MESSAGES=n to change 10,000)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_comms::Comms as _;
use crm_core::SystemClock;
use crm_core::testing::env_usize;
use crm_customers::Customers as _;
use crm_gateway::config::{Config, MailAccountConfig};
use crm_gateway::state::AppState;
use mail_bridge::testing::generate;
use mail_bridge::{ImapConfig, ImapSession, Security};

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run `eval \"$(scripts/infra/start-mail.sh)\"` first")
    })
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let n = env_usize("MAIL_BENCH_MESSAGES", 10_000) as u64;
    let folder = format!("gw-bench-{}-{n}", std::process::id());
    let data = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: data.path().to_path_buf(),
        jwt_secret: Some("mail-sync-bench-secret-0123".into()),
        ..Config::default()
    };
    config.mail = Some(MailAccountConfig {
        imap: Some(ImapConfig::new(
            env("MAIL_HOST"),
            env("MAIL_IMAP_PORT").parse().unwrap(),
            Security::Plain,
            env("MAIL_USER"),
            env("MAIL_PASS"),
        )),
        folders: Some(format!("{folder}:inbound")),
        ..MailAccountConfig::default()
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let imap = ImapConfig::new(
            env("MAIL_HOST"),
            env("MAIL_IMAP_PORT").parse().unwrap(),
            Security::Plain,
            env("MAIL_USER"),
            env("MAIL_PASS"),
        );
        let mut s = ImapSession::connect(&imap).await.unwrap();
        s.create_folder(&folder).await.unwrap();
        let dir = PathBuf::from(env("MAIL_MAILDIR")).join(format!(".{folder}"));
        let bytes = generate::write_maildir(&dir, n)
            .expect("the messages written into the folder's Maildir (Maildir++ layout)");
        s.select(&folder).await.unwrap();
        assert_eq!(s.uids_after(0).await.unwrap().len() as u64, n, "indexed before the clock starts");
        println!("mail_sync: {n} messages ({:.0} MB) in {folder}", bytes as f64 / 1e6);

        let state = AppState::open(&config, Arc::new(SystemClock)).await.unwrap();
        // every fifth sender is a customer's contact; the rest go to the inbox
        for k in (0..n).step_by(5) {
            let c: crm_customers::NewCustomer = serde_json::from_value(serde_json::json!({
                "name": format!("Ενορία {k}"),
                "contacts": [{"type": "email", "value": format!("sender{k}@example.gr")}],
            }))
            .unwrap();
            state.customers.create(c).await.unwrap();
        }
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let rss_before = peak_rss_mb();
        let t = Instant::now();
        let reports = crm_gateway::channels::mail::pass_all(&state, false, &|_, _| {}).await;
        let took = t.elapsed().as_secs_f64();
        let rss = peak_rss_mb();
        assert!(reports.iter().all(|r| r.error.is_none()), "{reports:?}");
        assert_eq!(reports[0].fetched, n);
        let inbox = state.comms.inbox(Some(1), None).await.unwrap().total;
        println!(
            "mail_sync: initial sync into the CRM: {took:.1} s = {:.0} messages/s, {inbox} in the inbox (target < 60 s: {})",
            n as f64 / took,
            if took < 60.0 { "met" } else { "NOT met" }
        );
        println!(
            "mail_sync: peak RSS during the sync {rss:.0} MB (before it {rss_before:.0} MB; target < 200 MB: {})",
            if rss < 200.0 { "met" } else { "NOT met" }
        );

        s.append(&folder, &generate::small("gw-bench-new", n + 1), false, None)
            .await
            .unwrap();
        let t = Instant::now();
        let reports = crm_gateway::channels::mail::pass_all(&state, false, &|_, _| {}).await;
        let took = t.elapsed();
        assert_eq!(reports[0].fetched, 1, "{reports:?}");
        println!(
            "mail_sync: incremental sync finding 1 new message (connect, login, sync, store): {:.1} ms (target < 1 s: {})",
            took.as_secs_f64() * 1e3,
            if took < Duration::from_secs(1) { "met" } else { "NOT met" }
        );
        s.delete_folder(&folder).await.unwrap();
    });
}
