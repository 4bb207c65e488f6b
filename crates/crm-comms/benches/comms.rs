//! Comms at the size of a busy decade: ingestion rate, a big customer's latest entries, and
//! full-text search.
//!
//! Builds a database of `COMMS_BENCH_TOTAL` entries (default 2,000,000) through the service
//! API in batches of `COMMS_BENCH_BATCH` (default 10,000): one customer has
//! `COMMS_BENCH_BIG` of them (default 200,000), 2 % are unassigned, the rest spread over
//! 10,000 customers, from two concurrent producers (as two bridges would be). Then it times,
//! in process:
//! - ingestion, entries per second (target > 50,000), counting only the time in the service;
//! - the big customer's latest 100 entries, and the page after a cursor (p99 < 5 ms);
//! - searches over all entries (p50 < 20 ms for the mix).
//!
//! A plain binary rather than criterion: the figures wanted are a rate and percentiles over a
//! database that takes a minute to build. `just bench` runs it; the database lives in a
//! temporary directory and is removed afterwards, unless `COMMS_BENCH_DIR` names a directory
//! to keep it in (with `big-customer.txt`, the big customer's id, and 2,000 media records of
//! theirs) for the gateway's timeline benchmark. `COMMS_BENCH_CACHE_MIB` sets the writer's page
//! cache (`CRM_DB_CACHE_MIB`; 64 by default), `COMMS_BENCH_WAL_MIB` the WAL size at which the
//! writer starts it over (`DbOptions::wal_limit_bytes`; 1,024 by default).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_comms::seed;
use crm_comms::{Comms, ListQuery, SearchQuery, Service, SqliteCommsStore};
use crm_core::testing::{env_usize, insert_row, ms, percentile};
use crm_core::{Db, DbOptions, SystemClock};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

const INGEST_TARGET: f64 = 50_000.0;
const LATEST_P99_TARGET: Duration = Duration::from_millis(5);
const SEARCH_P50_TARGET: Duration = Duration::from_millis(20);
const CUSTOMERS: usize = 10_000;
/// Concurrent producers of batches.
const STREAMS: usize = 2;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // as the server's main does, before SQLite is first used
    crm_core::db::install_page_cache();
    let total = env_usize("COMMS_BENCH_TOTAL", 2_000_000);
    let big_share = env_usize("COMMS_BENCH_BIG", 200_000);
    let batch = env_usize("COMMS_BENCH_BATCH", 10_000).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()?;
    // COMMS_BENCH_DIR keeps the database for the gateway's timeline benchmark
    let temp = tempfile::tempdir()?;
    let dir =
        std::env::var_os("COMMS_BENCH_DIR").map_or_else(|| temp.path().to_owned(), Into::into);
    std::fs::create_dir_all(&dir)?;
    // COMMS_BENCH_REUSE=1: measure the queries again on the database a previous run left
    let reuse = std::env::var("COMMS_BENCH_REUSE").is_ok_and(|v| v == "1")
        && dir.join("big-customer.txt").is_file();
    if !reuse {
        let _ = std::fs::remove_file(dir.join("crm.db"));
    }
    let options = DbOptions {
        writer_cache_mib: u32::try_from(env_usize(
            "COMMS_BENCH_CACHE_MIB",
            crm_core::db::WRITER_CACHE_MIB as usize,
        ))?,
        wal_limit_bytes: u64::try_from(env_usize("COMMS_BENCH_WAL_MIB", 1024))? * 1024 * 1024,
        ..DbOptions::default()
    };
    let db = Db::open_with(dir.join("crm.db"), &options)?;
    let comms = Arc::new(Service::new(
        SqliteCommsStore::new(db.clone()),
        Arc::new(SystemClock),
    ));

    let (big, other) = if reuse {
        let big: Uuid = std::fs::read_to_string(dir.join("big-customer.txt"))?
            .trim()
            .parse()?;
        let other = rt
            .block_on(db.read(move |c| {
                c.query_row(
                    "SELECT customer_id FROM comms_entries WHERE customer_id <> ?1 LIMIT 1",
                    [big.to_string()],
                    |r| r.get::<_, String>(0),
                )
                .map_err(crm_comms::Error::from)
            }))?
            .parse()?;
        println!("reusing the database in {}", dir.display());
        (big, other)
    } else {
        ingest(&rt, &db, &comms, &dir, total, big_share, batch)?
    };

    // the big customer's newest 100, and the page after a cursor half-way down
    let mut latest = Vec::new();
    let mut after = Vec::new();
    let page = rt.block_on(comms.list(ListQuery {
        limit: Some(1000),
        ..ListQuery::customer(big)
    }))?;
    println!("big customer: {} entries", page.total);
    let cursor = page.items.last().map(crm_comms::Entry::position);
    for _ in 0..1_000 {
        let t = Instant::now();
        let p = rt.block_on(comms.list(ListQuery {
            limit: Some(100),
            ..ListQuery::customer(big)
        }))?;
        latest.push(t.elapsed());
        assert_eq!(p.items.len(), 100);
        let t = Instant::now();
        let p = rt.block_on(comms.list(ListQuery {
            limit: Some(100),
            before: cursor,
            ..ListQuery::customer(big)
        }))?;
        after.push(t.elapsed());
        assert_eq!(p.items.len(), 100);
    }
    // filtered first pages, one common type and a rarer pair (one entry in twenty), skipped
    // over inside the customer's index
    let filtered = |kind, direction| -> Result<Vec<Duration>, crm_comms::Error> {
        (0..1_000)
            .map(|_| {
                let t = Instant::now();
                rt.block_on(comms.list(ListQuery {
                    limit: Some(100),
                    kind: Some(kind),
                    direction,
                    ..ListQuery::customer(big)
                }))?;
                Ok(t.elapsed())
            })
            .collect()
    };
    let mut typed = filtered(crm_comms::CommsType::Call, None)?;
    let mut rare = filtered(
        crm_comms::CommsType::Sms,
        Some(crm_comms::Direction::Outbound),
    )?;
    let mut latest_ok = true;
    println!(
        "\n{:<42} {:>9} {:>9} {:>9}",
        "latest 100 of the big customer", "p50 ms", "p99 ms", "max ms"
    );
    for (name, times) in [
        ("first page", &mut latest),
        ("page after a cursor", &mut after),
        ("first page, type=call", &mut typed),
        ("first page, type=sms, direction=outbound", &mut rare),
    ] {
        times.sort();
        let p99 = percentile(times, 99.0);
        latest_ok &= p99 < LATEST_P99_TARGET;
        println!(
            "{name:<42} {:>9} {:>9} {:>9}",
            ms(percentile(times, 50.0)),
            ms(p99),
            ms(times.last().copied().unwrap_or_default())
        );
    }

    let queries: &[(&str, Option<Uuid>)] = &[
        ("καμπάνα", None),
        ("ρολοι", None),
        ("συντηρηση", None),
        ("kampanario", None),
        ("αλεξικεραυνο", None),
        ("σεισμος ζημια", None),
        ("Δεκαπενταυγουστος", None),
        ("mhxanismos", None),
        ("ψαλτης νεωκορος", None),
        ("καμπάνα", Some(big)),
        ("γειωση", Some(big)),
        ("τηλεχειρ", Some(other)),
    ];
    let mut all = Vec::new();
    println!(
        "\n{:<36} {:>9} {:>9} {:>9} {:>9}",
        "search", "hits", "p50 ms", "p99 ms", "max ms"
    );
    for (q, customer) in queries {
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..30 {
            let t = Instant::now();
            let page = rt.block_on(comms.search(SearchQuery {
                q: (*q).to_owned(),
                customer_id: *customer,
                limit: Some(50),
                ..SearchQuery::default()
            }))?;
            times.push(t.elapsed());
            hits = page.total;
        }
        times.sort();
        all.extend_from_slice(&times);
        let label = if customer.is_some() {
            format!("{q} (one customer)")
        } else {
            (*q).to_owned()
        };
        println!(
            "{label:<36} {hits:>9} {:>9} {:>9} {:>9}",
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 99.0)),
            ms(times.last().copied().unwrap_or_default())
        );
    }
    all.sort();
    let search_p50 = percentile(&all, 50.0);
    println!(
        "search overall: p50 {} ms (target < {} ms), p99 {} ms",
        ms(search_p50),
        ms(SEARCH_P50_TARGET),
        ms(percentile(&all, 99.0))
    );

    // the ingest target is judged from the rate printed above
    let ok = latest_ok && search_p50 < SEARCH_P50_TARGET;
    println!(
        "\nquery targets {} (ingest: compare the rate above with {INGEST_TARGET:.0}/s)",
        if ok { "met" } else { "MISSED" }
    );
    Ok(())
}

/// Fills the database; answers the big customer and another one.
fn ingest(
    rt: &tokio::runtime::Runtime,
    db: &Db,
    comms: &Arc<Service<SqliteCommsStore>>,
    dir: &std::path::Path,
    total: usize,
    big_share: usize,
    batch: usize,
) -> Result<(Uuid, Uuid), Box<dyn std::error::Error>> {
    let customers: Vec<Uuid> = (0..=CUSTOMERS).map(|_| Uuid::new_v4()).collect();
    let big = customers[0];
    let ids = customers.clone();
    rt.block_on(db.write(move |c| {
        for id in &ids {
            insert_row(c, "customers", *id, "Ενορία")?;
        }
        Ok::<_, crm_comms::Error>(())
    }))?;

    println!("ingesting {total} entries in batches of {batch} ({big_share} for one customer)");
    let mut rng = StdRng::seed_from_u64(7);
    let big_p = big_share as f64 / total as f64;
    let started = Instant::now();
    let mut done = 0usize;
    let mut stored = 0usize;
    let mut first_rate = None;
    let mut in_service = Duration::ZERO;
    while done < total {
        // a round of batches, generated first so that only ingestion is timed
        let mut round = Vec::new();
        while done < total && round.len() < 2 * STREAMS {
            let n = batch.min(total - done);
            let entries: Vec<_> = (0..n)
                .map(|_| {
                    let owner = if rng.gen_bool(big_p) {
                        Some(big)
                    } else if rng.gen_bool(0.02) {
                        None
                    } else {
                        Some(customers[rng.gen_range(1..customers.len())])
                    };
                    seed::entry(&mut rng, owner)
                })
                .collect();
            round.push(entries);
            done += n;
        }
        let t = Instant::now();
        // STREAMS producers at once, as several bridges would be
        let mut streams: Vec<Vec<_>> = (0..STREAMS).map(|_| Vec::new()).collect();
        for (i, b) in round.into_iter().enumerate() {
            streams[i % STREAMS].push(b);
        }
        let tasks: Vec<_> = streams
            .into_iter()
            .map(|batches| {
                let comms = Arc::clone(comms);
                rt.spawn(async move {
                    let mut ok = 0;
                    for b in batches {
                        ok += comms
                            .ingest_batch(b)
                            .await?
                            .iter()
                            .filter(|o| o.is_ok())
                            .count();
                    }
                    Ok::<_, crm_comms::Error>(ok)
                })
            })
            .collect();
        for task in tasks {
            stored += rt.block_on(task)??;
        }
        in_service += t.elapsed();
        if first_rate.is_none() && done >= 100_000.min(total) {
            first_rate = Some(done as f64 / in_service.as_secs_f64());
        }
    }
    let elapsed = started.elapsed();
    // the time spent in the service, not generating the entries
    let rate = total as f64 / in_service.as_secs_f64();
    println!(
        "ingest: {stored} stored in {:.1} s: {rate:.0} entries/s overall, {:.0}/s over the first 100,000 (target > {INGEST_TARGET:.0})",
        elapsed.as_secs_f64(),
        first_rate.unwrap_or(rate),
    );
    let size = std::fs::metadata(dir.join("crm.db"))?.len();
    std::fs::write(dir.join("big-customer.txt"), big.to_string())?;
    // media records for the big customer, for the timeline
    for i in 0..2_000 {
        rt.block_on(comms.create_media(crm_comms::NewMedia {
            customer_id: Some(big),
            order_id: None,
            filename: None,
            nextcloud_path: format!("Πελάτες/Μεγάλος/Received Media/photo-{i}.jpg"),
            mime_type: Some("image/jpeg".into()),
            size: Some(250_000),
            direction: crm_comms::MediaDirection::Received,
            tags: Vec::new(),
            uploaded_by: None,
        }))?;
    }
    println!("database: {:.0} MB", size as f64 / 1e6);

    Ok((big, customers[1]))
}
