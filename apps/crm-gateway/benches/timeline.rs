//! The first page of a customer's timeline in a database of 2,000,000 comms entries, for the
//! customer who has 200,000 of them (target p50 and p99 under 10 ms, in process).
//!
//! Runs on the database the comms benchmark leaves in `COMMS_BENCH_DIR` (`just bench` runs
//! that first); it adds 20 orders with status changes and 50 notes to the big customer, then
//! times `timeline::page` as the HTTP handler calls it: the customer, the comms page, the
//! media page and the order events, merged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_core::SystemClock;
use crm_core::testing::{ms, percentile};
use crm_customers::Customers as _;
use crm_gateway::config::Config;
use crm_gateway::state::AppState;
use crm_orders::Orders as _;
use uuid::Uuid;

const TARGET: Duration = Duration::from_millis(10);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(dir) = std::env::var("COMMS_BENCH_DIR") else {
        eprintln!("set COMMS_BENCH_DIR to the directory the comms benchmark filled (just bench)");
        return Ok(());
    };
    let dir = std::path::PathBuf::from(dir);
    let big: Uuid = std::fs::read_to_string(dir.join("big-customer.txt"))?
        .trim()
        .parse()?;
    let config = Config {
        data_dir: dir,
        ..Config::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let state = rt.block_on(AppState::open(&config, Arc::new(SystemClock)))?;
    rt.block_on(async {
        for i in 0..20 {
            let mut new = crm_orders::NewOrder::new(big);
            new.notes = Some(format!("παραγγελία {i}"));
            let o = state.orders.create(new).await?;
            let patch: crm_orders::OrderPatch =
                serde_json::from_value(serde_json::json!({"status": "confirmed"}))?;
            state.orders.update(o.id, patch, None).await?;
        }
        for i in 0..50 {
            state
                .customers
                .add_note(big, format!("σημείωση {i}"), "bench".into())
                .await?;
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;

    let mut first = Vec::new();
    let mut second = Vec::new();
    for _ in 0..500 {
        let t = Instant::now();
        let page = rt
            .block_on(crm_gateway::timeline::page(&state, big, None, Some(50)))
            .map_err(|e| e.to_string())?;
        first.push(t.elapsed());
        assert_eq!(page.items.len(), 50);
        let t = Instant::now();
        let next = rt
            .block_on(crm_gateway::timeline::page(
                &state,
                big,
                page.next,
                Some(50),
            ))
            .map_err(|e| e.to_string())?;
        second.push(t.elapsed());
        assert_eq!(next.items.len(), 50);
    }
    println!(
        "{:<40} {:>9} {:>9} {:>9}",
        "timeline of the big customer", "p50 ms", "p99 ms", "max ms"
    );
    let mut ok = true;
    for (name, times) in [
        ("first page (50 items)", &mut first),
        ("second page", &mut second),
    ] {
        times.sort();
        let p99 = percentile(times, 99.0);
        ok &= p99 < TARGET;
        println!(
            "{name:<40} {:>9} {:>9} {:>9}",
            ms(percentile(times, 50.0)),
            ms(p99),
            ms(times.last().copied().unwrap_or_default())
        );
    }
    println!(
        "target (p99 < {} ms) {}",
        ms(TARGET),
        if ok { "met" } else { "MISSED" }
    );
    Ok(())
}
