//! Ingestion into a fresh database from many producers at once, in process, through the
//! service API. Reports entries/s and how busy the writer and syncer threads were, which
//! tells whether the writer's CPU or the disk is the bound.
//!
//! - Default: 32 producers writing one entry each time, what `POST /api/crm/comms` from 32
//!   clients asks of the store and the writer, without HTTP.
//! - `COMMS_INGEST_PRODUCERS=2 COMMS_INGEST_BATCH=1000`: two bridges ingesting batches.
//!
//!   cargo bench -p crm-comms --bench ingest
//!   (COMMS_INGEST_PRODUCERS, default 32; COMMS_INGEST_BATCH, default 1;
//!   COMMS_INGEST_SECS, default 10; COMMS_INGEST_SQL, SQL run once before, for experiments;
//!   COMMS_INGEST_LIVE=1: entries happen now, as the bridges deliver them, instead of at
//!   random times in 2020–2026, as an import of history does)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crm_comms::seed;
use crm_comms::{Comms, Service, SqliteCommsStore};
use crm_core::testing::{env_usize, insert_row};
use crm_core::{Db, SystemClock};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// What this process's threads named `name` have used so far.
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    /// CPU seconds in user space and in the kernel.
    user: f64,
    sys: f64,
    /// Bytes handed to write(2) and its kin (`wchar`: to the page cache, not the disk).
    written: f64,
}

impl Usage {
    fn of(name: &str) -> Self {
        let ticks = 100.0; // USER_HZ on Linux
        let mut total = Self::default();
        for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
            let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            if comm.trim() != name {
                continue;
            }
            let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            // the fields after the command's closing parenthesis; utime and stime are 14, 15
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            let fields: Vec<&str> = after.split_whitespace().collect();
            let field =
                |i: usize| -> f64 { fields.get(i).and_then(|v| v.parse().ok()).unwrap_or(0.0) };
            total.user += field(11) / ticks;
            total.sys += field(12) / ticks;
            let io = std::fs::read_to_string(task.path().join("io")).unwrap_or_default();
            total.written += io
                .lines()
                .find_map(|l| l.strip_prefix("wchar:"))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
        }
        total
    }

    fn since(self, earlier: Self) -> Self {
        Self {
            user: self.user - earlier.user,
            sys: self.sys - earlier.sys,
            written: self.written - earlier.written,
        }
    }

    fn cpu(self) -> f64 {
        self.user + self.sys
    }
}

fn main() {
    let producers = env_usize("COMMS_INGEST_PRODUCERS", 32);
    let batch = env_usize("COMMS_INGEST_BATCH", 1).max(1);
    let secs = env_usize("COMMS_INGEST_SECS", 10) as u64;
    let live = env_usize("COMMS_INGEST_LIVE", 0) == 1;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("crm.db")).unwrap();
    let comms = Arc::new(Service::new(
        SqliteCommsStore::new(db.clone()),
        Arc::new(SystemClock),
    ));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let customers: Vec<Uuid> = (0..50).map(|_| Uuid::new_v4()).collect();
    let ids = customers.clone();
    rt.block_on(db.write(move |c| {
        for id in &ids {
            insert_row(c, "customers", *id, "Ενορία")?;
        }
        Ok::<_, crm_comms::Error>(())
    }))
    .unwrap();

    // an experiment's setting, e.g. FTS5's merge policy:
    // COMMS_INGEST_SQL="INSERT INTO comms_fts (comms_fts, rank) VALUES ('automerge', 0)"
    if let Ok(sql) = std::env::var("COMMS_INGEST_SQL") {
        rt.block_on(db.write(move |c| {
            Ok::<_, crm_comms::Error>(c.execute_batch(&sql).map_err(crm_core::DbError::from)?)
        }))
        .unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stored = Arc::new(AtomicU64::new(0));
    let (writer0, sync0) = (Usage::of("crm-db-writer"), Usage::of("crm-db-sync"));
    let started = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..producers)
            .map(|p| {
                let (comms, stop, stored) = (comms.clone(), stop.clone(), stored.clone());
                let customers = customers.clone();
                tokio::spawn(async move {
                    let mut rng = StdRng::seed_from_u64(p as u64);
                    while !stop.load(Ordering::Relaxed) {
                        let mut entries = (0..batch).map(|_| {
                            let owner = customers[rng.gen_range(0..customers.len())];
                            let mut entry = seed::entry(&mut rng, Some(owner));
                            if live {
                                entry.occurred_at = None;
                            }
                            entry
                        });
                        if batch == 1 {
                            let one = entries.next().unwrap();
                            comms.ingest(one).await.unwrap();
                        } else {
                            let outcomes = comms.ingest_batch(entries.collect()).await.unwrap();
                            assert!(outcomes.iter().all(Result::is_ok));
                        }
                        stored.fetch_add(batch as u64, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(secs)).await;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.unwrap();
        }
    });
    let took = started.elapsed().as_secs_f64();
    let n = stored.load(Ordering::Relaxed) as f64;
    let writer = Usage::of("crm-db-writer").since(writer0);
    let sync = Usage::of("crm-db-sync").since(sync0);
    println!(
        "ingest: {producers} producers, {batch} entries per write: {:.0} entries/s over {took:.1} s ({n} entries)",
        n / took
    );
    println!(
        "ingest: writer thread CPU {:.0} % ({:.0} µs per entry, {:.0} % of it in the kernel; \
         {:.1} KiB written per entry), syncer thread CPU {:.0} %",
        100.0 * writer.cpu() / took,
        1e6 * writer.cpu() / n,
        100.0 * writer.sys / writer.cpu().max(1e-9),
        writer.written / n / 1024.0,
        100.0 * sync.cpu() / took
    );
}
