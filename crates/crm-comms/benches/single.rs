//! One entry per write from many producers at once, in process: what `POST /api/crm/comms`
//! asks of the store and the writer, without HTTP. Reports entries/s and how busy the writer
//! and syncer threads were, which tells whether the writer's CPU or the disk is the bound.
//!
//!   cargo bench -p crm-comms --bench single
//!   (COMMS_SINGLE_PRODUCERS, default 32; COMMS_SINGLE_SECS, default 10)

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

/// CPU seconds (user + system) of this process's threads named `name`.
fn thread_cpu(name: &str) -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    let mut total = 0.0;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // the fields after the command's closing parenthesis; utime and stime are 14 and 15
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        let utime: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        let stime: f64 = fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        total += (utime + stime) / ticks;
    }
    total
}

fn main() {
    let producers = env_usize("COMMS_SINGLE_PRODUCERS", 32);
    let secs = env_usize("COMMS_SINGLE_SECS", 10) as u64;
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
    // COMMS_SINGLE_SQL="INSERT INTO comms_fts (comms_fts, rank) VALUES ('automerge', 0)"
    if let Ok(sql) = std::env::var("COMMS_SINGLE_SQL") {
        rt.block_on(db.write(move |c| {
            Ok::<_, crm_comms::Error>(c.execute_batch(&sql).map_err(crm_core::DbError::from)?)
        }))
        .unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stored = Arc::new(AtomicU64::new(0));
    let (writer0, sync0) = (thread_cpu("crm-db-writer"), thread_cpu("crm-db-sync"));
    let started = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..producers)
            .map(|p| {
                let (comms, stop, stored) = (comms.clone(), stop.clone(), stored.clone());
                let customers = customers.clone();
                tokio::spawn(async move {
                    let mut rng = StdRng::seed_from_u64(p as u64);
                    while !stop.load(Ordering::Relaxed) {
                        let owner = customers[rng.gen_range(0..customers.len())];
                        comms
                            .ingest(seed::entry(&mut rng, Some(owner)))
                            .await
                            .unwrap();
                        stored.fetch_add(1, Ordering::Relaxed);
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
    let writer = thread_cpu("crm-db-writer") - writer0;
    let sync = thread_cpu("crm-db-sync") - sync0;
    println!(
        "single: {producers} producers, one entry per write: {:.0} entries/s over {took:.1} s",
        n / took
    );
    println!(
        "single: writer thread CPU {:.0} % ({:.0} µs per entry), syncer thread CPU {:.0} %",
        100.0 * writer / took,
        1e6 * writer / n,
        100.0 * sync / took
    );
}
