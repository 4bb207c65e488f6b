//! CSV import speed on 100,000 generated rows, in process, on a durable SQLite database.
//!
//! `cargo bench -p crm-customers --bench import` (release profile). Writes a Windows-style
//! file (UTF-8 with BOM, `;`, CRLF) of realistic Greek customers from the seed generator —
//! phones written in several forms, a few duplicates and bad e-mails among them — then times
//! through [`Importer`]: the dry run (read, decode, plan every row against the customers,
//! record the job and its rows), the real run (batches through `put_all`, each acknowledged
//! after its commit is synced, and the rows' outcomes), and a second dry run of the same file
//! against the 100,000 customers now stored (all `unchanged`). Prints rows/s.
//! Targets: dry run ≥ 10,000 rows/s, real run ≥ 5,000 rows/s.
//!
//! Environment: `CRM_BENCH_ROWS` (default 100000).
//! A plain binary rather than criterion: one long run per figure is what is measured.

use std::sync::Arc;
use std::time::Instant;

use crm_core::testing::env_usize;
use crm_core::{Db, SystemClock};
use crm_customers::import::{ImportOptions, Importer, JobStatus, MatchKey, RunControl};
use crm_customers::{ContactType, SqliteCustomerStore, seed};

const DRY_TARGET: f64 = 10_000.0;
const RUN_TARGET: f64 = 5_000.0;

fn cell(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The file: one row per generated customer; every 500th row repeats an earlier one's phone
/// and every 1000th has a broken e-mail.
fn file(n: usize) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice("Επωνυμία;Ενορία;Τηλέφωνο;Email;Πόλη;Νομός;Ετικέτες\r\n".as_bytes());
    let people = seed::new_customers(n, 42);
    let mut first_phone = String::new();
    for (i, c) in people.iter().enumerate() {
        let phone = c
            .contacts
            .iter()
            .find(|k| matches!(k.kind, ContactType::Phone | ContactType::Whatsapp))
            .map(|k| k.value.clone())
            .unwrap_or_default();
        let phone = if i > 0 && i % 500 == 0 {
            first_phone.clone()
        } else {
            phone
        };
        if i == 0 {
            first_phone = phone.clone();
        }
        let email = c
            .contacts
            .iter()
            .find(|k| k.kind == ContactType::Email)
            .map(|k| k.value.clone())
            .unwrap_or_default();
        let email = if i % 1000 == 999 {
            "όχι-email".to_owned()
        } else {
            email
        };
        let row = [
            cell(&c.name),
            cell(c.organization.as_deref().unwrap_or("")),
            cell(&phone),
            cell(&email),
            cell(c.location.city.as_deref().unwrap_or("")),
            cell(c.location.region.as_deref().unwrap_or("")),
            cell(&c.tags.join("|")),
        ]
        .join(";");
        out.extend_from_slice(row.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = env_usize("CRM_BENCH_ROWS", 100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let db = Db::open(dir.path().join("crm.db"))?;
    let store = SqliteCustomerStore::new(db.clone());
    let importer = Importer::new(store, db, Arc::new(SystemClock));
    crm_core::contact::warm_up();

    let t = Instant::now();
    let bytes = file(n);
    println!(
        "generated {n} rows ({:.1} MB) in {:.2} s",
        bytes.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let options = || ImportOptions {
        file_name: "bench.csv".into(),
        mapping: None,
        key: MatchKey::Contacts,
    };

    let t = Instant::now();
    let job = rt.block_on(importer.plan(&bytes, options(), "bench"))?;
    let dry = t.elapsed().as_secs_f64();
    let dry_rate = n as f64 / dry;
    println!(
        "dry run:        {dry:>6.2} s  {dry_rate:>9.0} rows/s  (target {DRY_TARGET:.0})  {:?}",
        job.totals
    );

    let t = Instant::now();
    let done = rt.block_on(importer.run(job.id, &RunControl::new()))?;
    let run = t.elapsed().as_secs_f64();
    let run_rate = n as f64 / run;
    println!(
        "real run:       {run:>6.2} s  {run_rate:>9.0} rows/s  (target {RUN_TARGET:.0})  {:?}",
        done.status
    );
    assert_eq!(done.status, JobStatus::Done);

    let t = Instant::now();
    let again = rt.block_on(importer.plan(&bytes, options(), "bench"))?;
    let rerun = t.elapsed().as_secs_f64();
    println!(
        "dry run again:  {rerun:>6.2} s  {:>9.0} rows/s  {:?}",
        n as f64 / rerun,
        again.totals
    );
    assert_eq!(again.totals.create + again.totals.update, 0);

    if std::env::var_os("CRM_BENCH_BASELINE").is_some() {
        // the store's own bulk path (no lookups, no job records) on a fresh database: the floor
        let dir = tempfile::tempdir()?;
        let store = SqliteCustomerStore::new(Db::open(dir.path().join("crm.db"))?);
        let customers =
            seed::customers(n, 42, crm_core::Timestamp::parse("2025-01-01T00:00:00Z")?)?;
        let t = Instant::now();
        rt.block_on(store.import(customers))?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "store.import:   {secs:>6.2} s  {:>9.0} rows/s  (reference)",
            n as f64 / secs
        );
        let customers =
            seed::customers(n, 43, crm_core::Timestamp::parse("2025-01-01T00:00:00Z")?)?;
        let dir = tempfile::tempdir()?;
        let store = SqliteCustomerStore::new(Db::open(dir.path().join("crm.db"))?);
        let t = Instant::now();
        for chunk in customers.chunks(2_000) {
            rt.block_on(crm_customers::CustomerStore::put_all(
                &store,
                chunk.to_vec(),
            ))?;
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "store.put_all:  {secs:>6.2} s  {:>9.0} rows/s  (reference)",
            n as f64 / secs
        );
    }

    let ok = dry_rate >= DRY_TARGET && run_rate >= RUN_TARGET;
    println!("{}", if ok { "targets met" } else { "TARGETS MISSED" });
    Ok(())
}
