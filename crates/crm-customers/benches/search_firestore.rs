//! Search latency of the Firestore store on 10,000 realistic Greek customers in the emulator.
//!
//! `source <emulator env> && cargo bench -p crm-customers --bench search_firestore` (the
//! emulator of `FIRESTORE_EMULATOR_HOST`; a project of its own, emptied at the end, also when
//! the run fails). Seeds the customers through `put_all`, loads the store's search index
//! (timed, with its size: the index's own estimate and the process's resident memory before
//! and after), then runs typical searches (a surname prefix, a Greeklish word, a phone
//! fragment, one letter, a tag filter) through the service as the gateway calls it (limit 50, exact
//! total) and prints p50/p99 per query and overall. Target: p50 < 50 ms. The index refreshes
//! every 5 s (the default) during the run, so the slowest answers include delta queries.
//!
//! Environment: `CRM_BENCH_CUSTOMERS` (default 10000), `CRM_BENCH_ROUNDS` (default 20).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_core::firestore::Collections;
use crm_core::testing::{env_usize, ms, percentile};
use crm_core::{SystemClock, Timestamp};
use crm_customers::seed;
use crm_customers::{CustomerStore, Customers, FirestoreCustomerStore, ListQuery, Service};

const P50_TARGET: Duration = Duration::from_millis(50);

fn query(search: &str) -> ListQuery {
    ListQuery {
        search: Some(search.to_owned()),
        tag: None,
        limit: Some(50),
        ..ListQuery::default()
    }
}

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The process's resident memory in bytes (Linux; 0 elsewhere).
fn resident_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn tagged(tag: &str) -> ListQuery {
    ListQuery {
        search: None,
        tag: Some(tag.to_owned()),
        limit: Some(50),
        ..ListQuery::default()
    }
}

fn main() -> BenchResult<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // a project of its own: the emulator's queries slow down with every document it holds
    let client = firestore::testing::isolated_client();
    let result = run(&rt, &client);
    rt.block_on(firestore::testing::clear(&client));
    println!("emptied the emulator project {}", client.project_id());
    result
}

fn run(rt: &tokio::runtime::Runtime, client: &firestore::Client) -> BenchResult<()> {
    let n = env_usize("CRM_BENCH_CUSTOMERS", 10_000);
    let rounds = env_usize("CRM_BENCH_ROUNDS", 20);
    let store = FirestoreCustomerStore::new(client.clone(), Collections::new(""));
    let svc = Service::new(store.clone(), Arc::new(SystemClock));

    let customers = seed::customers(n, 42, Timestamp::parse("2025-01-01T00:00:00Z")?)?;
    let t = Instant::now();
    rt.block_on(store.put_all(customers))?;
    let seeded = t.elapsed();
    println!(
        "seeded {n} customers into the emulator in {:.2} s ({:.0} docs/s)",
        seeded.as_secs_f64(),
        n as f64 / seeded.as_secs_f64()
    );

    let rss = resident_bytes();
    let t = Instant::now();
    rt.block_on(store.load_search_index())?;
    let loaded = t.elapsed();
    let stats = store.search_index_stats();
    let grown = resident_bytes().saturating_sub(rss);
    println!(
        "search index: {} customers loaded in {:.2} s; about {} bytes per customer by its \
         estimate, {} by resident memory growth ({:.1} MB)",
        stats.customers,
        loaded.as_secs_f64(),
        stats.approx_bytes / stats.customers.max(1),
        grown / stats.customers.max(1),
        grown as f64 / 1e6,
    );

    let mix: Vec<(&str, ListQuery)> = vec![
        ("surname prefix", query("Παπαδ")),
        ("surname prefix", query("Μπίμπ")),
        ("surname prefix", query("Λαμπρ")),
        ("greeklish", query("papadopoulos")),
        ("greeklish", query("giorgos")),
        ("greeklish", query("xristodoulou")),
        ("greeklish", query("agiou nikolaou")),
        ("phone", query("6944")),
        ("phone", query("+30 697")),
        ("phone", query("210 41")),
        ("broad", query("π")),
        ("broad", query("a")),
        ("tag", tagged("vip")),
        ("tag", tagged("ΚΑΜΠΑΝΑΡΙΌ")),
    ];

    let mut totals: Vec<u64> = Vec::with_capacity(mix.len());
    for (_, q) in &mix {
        totals.push(rt.block_on(svc.list(q.clone()))?.total);
    }
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); mix.len()];
    let mut all: Vec<Duration> = Vec::with_capacity(rounds * mix.len());
    for _ in 0..rounds {
        for (i, (_, q)) in mix.iter().enumerate() {
            let t = Instant::now();
            let page = rt.block_on(svc.list(q.clone()))?;
            let d = t.elapsed();
            std::hint::black_box(page);
            per_query[i].push(d);
            all.push(d);
        }
    }
    println!(
        "\n{:<16} {:<24} {:>8} {:>9} {:>9}",
        "kind", "query", "matches", "p50 ms", "p99 ms"
    );
    for (i, (kind, q)) in mix.iter().enumerate() {
        let times = &mut per_query[i];
        times.sort();
        println!(
            "{:<16} {:<24} {:>8} {:>9} {:>9}",
            kind,
            q.search.as_deref().or(q.tag.as_deref()).unwrap_or(""),
            totals[i],
            ms(percentile(times, 50.0)),
            ms(percentile(times, 99.0)),
        );
    }
    all.sort();
    let p50 = percentile(&all, 50.0);
    println!(
        "\noverall over {} queries: p50 {} ms (target < {} ms), p99 {} ms",
        all.len(),
        ms(p50),
        ms(P50_TARGET),
        ms(percentile(&all, 99.0)),
    );
    let stats = store.search_index_stats();
    println!(
        "index refreshes during the run: {} (every 5 s), reloads: {}",
        stats.refreshes, stats.reloads
    );
    println!(
        "{}",
        if p50 < P50_TARGET {
            "target met"
        } else {
            "TARGET MISSED"
        }
    );
    Ok(())
}
