//! Search latency on 100,000 realistic Greek customers.
//!
//! `cargo bench -p crm-customers` (release profile). Seeds a temporary database through the
//! bulk import, then runs a mix of searches (Greek words with and without accents,
//! Greeklish, nominatives finding genitives and back, 2–4 letter prefixes, phone digits, tag
//! filters) through the service, exactly as the gateway calls it (limit 50, exact total), and
//! prints p50/p99 per query, per kind of query and overall, and the database's size.
//! Targets: p50 < 5 ms, p99 < 20 ms per query.
//!
//! Environment: `CRM_BENCH_CUSTOMERS` (default 100000), `CRM_BENCH_ROUNDS` (default 40).
//! A plain binary rather than criterion: the figures wanted are percentiles over a mix.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_core::testing::{env_usize, ms, percentile};
use crm_core::{Db, SystemClock, Timestamp};
use crm_customers::seed;
use crm_customers::{Customers, ListQuery, Service, SqliteCustomerStore};

const P50_TARGET: Duration = Duration::from_millis(5);
const P99_TARGET: Duration = Duration::from_millis(20);

fn query(search: Option<&str>, tag: Option<&str>) -> ListQuery {
    ListQuery {
        search: search.map(str::to_owned),
        tag: tag.map(str::to_owned),
        limit: Some(50),
        ..ListQuery::default()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = env_usize("CRM_BENCH_CUSTOMERS", 100_000);
    let rounds = env_usize("CRM_BENCH_ROUNDS", 40);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let db = Db::open(dir.path().join("crm.db"))?;
    let store = SqliteCustomerStore::new(db);
    let svc = Service::new(store.clone(), Arc::new(SystemClock));

    let start = Timestamp::parse("2025-01-01T00:00:00Z")?;
    let t = Instant::now();
    let customers = seed::customers(n, 42, start)?;
    let generated = t.elapsed();
    let t = Instant::now();
    rt.block_on(store.import(customers))?;
    let imported = t.elapsed();
    println!(
        "seeded {n} customers: generated in {:.2} s, imported in {:.2} s",
        generated.as_secs_f64(),
        imported.as_secs_f64()
    );

    let mix: Vec<(&str, ListQuery)> = vec![
        ("greek word", query(Some("Παπαδόπουλος"), None)),
        ("greek word", query(Some("Νικολάου"), None)),
        ("greek word", query(Some("Γεώργιος"), None)),
        (
            "greek words",
            query(Some("Ιερός Ναός Αγίου Νικολάου"), None),
        ),
        ("greek words", query(Some("Αγίας Παρασκευής Πατρών"), None)),
        ("accentless", query(Some("παπαδοπουλος"), None)),
        ("accentless", query(Some("ΜΠΙΜΠΗΣ"), None)),
        ("accentless", query(Some("θεσσαλονικης"), None)),
        ("greeklish", query(Some("papadopoulos"), None)),
        ("greeklish", query(Some("giorgos"), None)),
        ("greeklish", query(Some("xristos"), None)),
        ("greeklish", query(Some("dhmhtrhs"), None)),
        ("greeklish", query(Some("bibis"), None)),
        ("greeklish", query(Some("agiou nikolaou"), None)),
        (
            "greeklish",
            query(Some("ieros naos agias paraskevis"), None),
        ),
        ("greeklish", query(Some("thodoris lambrakis"), None)),
        ("nominative", query(Some("Άγιος Νικόλαος"), None)),
        ("nominative", query(Some("agios nikolaos"), None)),
        ("nominative", query(Some("agios nik"), None)),
        ("nominative", query(Some("nikolaos"), None)),
        ("nominative", query(Some("Αγία Παρασκευή"), None)),
        ("nominative", query(Some("Κοίμηση Θεοτόκου"), None)),
        ("genitive", query(Some("Αγίων Αποστόλων"), None)),
        ("genitive", query(Some("Ιερού Ναού Αγίου Γεωργίου"), None)),
        ("greeklish form", query(Some("ayios nikolaos"), None)),
        ("greeklish form", query(Some("aghiou dimitriou"), None)),
        ("greeklish form", query(Some("agia paraskevh"), None)),
        (
            "greeklish form",
            query(Some("ieros naos agios spyridon"), None),
        ),
        ("prefix 2", query(Some("πα"), None)),
        ("prefix 2", query(Some("αγ"), None)),
        ("prefix 2", query(Some("ma"), None)),
        ("prefix 2", query(Some("ni"), None)),
        ("prefix 3", query(Some("γεω"), None)),
        ("prefix 3", query(Some("nik"), None)),
        ("prefix 3", query(Some("μπι"), None)),
        ("prefix 4", query(Some("παρα"), None)),
        ("prefix 4", query(Some("xris"), None)),
        ("prefix 4", query(Some("κωνσ"), None)),
        ("prefixes", query(Some("agiou nik"), None)),
        ("prefixes", query(Some("ιερ να αγ"), None)),
        ("phone", query(Some("6944"), None)),
        ("phone", query(Some("+30 697"), None)),
        ("e-mail", query(Some("gmail"), None)),
        ("tag", query(None, Some("ενορία"))),
        ("tag", query(None, Some("vip"))),
        ("tag + search", query(Some("νικολαου"), Some("ενορία"))),
        ("tag + search", query(Some("πα"), Some("ιερέας"))),
        ("no filter", query(None, None)),
    ];

    // warm up (and record how many each matches)
    let mut totals: Vec<u64> = Vec::with_capacity(mix.len());
    for (_, q) in &mix {
        totals.push(rt.block_on(svc.list(q.clone()))?.total);
    }

    let mut per_query: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); mix.len()];
    let mut all: Vec<Duration> = Vec::with_capacity(rounds * mix.len());
    for _ in 0..rounds {
        for (i, (_, q)) in mix.iter().enumerate() {
            let q = q.clone();
            let t = Instant::now();
            let page = rt.block_on(svc.list(q))?;
            let d = t.elapsed();
            std::hint::black_box(page);
            per_query[i].push(d);
            all.push(d);
        }
    }

    println!(
        "\n{:<14} {:<34} {:>8} {:>9} {:>9} {:>9}",
        "kind", "query", "matches", "p50 ms", "p99 ms", "max ms"
    );
    for (i, (kind, q)) in mix.iter().enumerate() {
        let times = &mut per_query[i];
        times.sort();
        let label = match (&q.search, &q.tag) {
            (Some(s), Some(t)) => format!("{s} [tag {t}]"),
            (Some(s), None) => s.clone(),
            (None, Some(t)) => format!("[tag {t}]"),
            (None, None) => "(all)".to_owned(),
        };
        println!(
            "{:<14} {:<34} {:>8} {:>9} {:>9} {:>9}",
            kind,
            label,
            totals[i],
            ms(percentile(times, 50.0)),
            ms(percentile(times, 99.0)),
            ms(times.last().copied().unwrap_or_default()),
        );
    }
    println!("\n{:<14} {:>9} {:>9}", "kind", "p50 ms", "p99 ms");
    let mut kinds: Vec<&str> = Vec::new();
    for (kind, _) in &mix {
        if !kinds.contains(kind) {
            kinds.push(kind);
        }
    }
    for kind in kinds {
        let mut times: Vec<Duration> = mix
            .iter()
            .zip(&per_query)
            .filter(|((k, _), _)| *k == kind)
            .flat_map(|(_, t)| t.iter().copied())
            .collect();
        times.sort();
        println!(
            "{:<14} {:>9} {:>9}",
            kind,
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 99.0)),
        );
    }
    let bytes: i64 = rt.block_on(store.db().read(|c| {
        c.query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )
        .map_err(crm_core::DbError::from)
    }))?;
    println!(
        "\ndatabase: {:.1} MB (the search index holds keys only: inflections are tried at query time)",
        bytes as f64 / 1e6
    );
    all.sort();
    let (p50, p99) = (percentile(&all, 50.0), percentile(&all, 99.0));
    println!(
        "\noverall over {} queries: p50 {} ms (target < {} ms), p99 {} ms (target < {} ms), max {} ms",
        all.len(),
        ms(p50),
        ms(P50_TARGET),
        ms(p99),
        ms(P99_TARGET),
        ms(all.last().copied().unwrap_or_default()),
    );
    let ok = p50 < P50_TARGET && p99 < P99_TARGET;
    println!("{}", if ok { "targets met" } else { "TARGETS MISSED" });
    Ok(())
}
