//! Merging a duplicate customer that has 10,000 comms entries (target under 1 s, in process):
//! the write that moves its entries (owner, search scope, counts), orders, tickets and leads,
//! rewrites the kept customer and deletes the duplicate — `channels::merge::merge` as the HTTP
//! handler calls it, on the embedded SQLite store. Five rounds, each on a new pair, in a
//! database that also holds the earlier rounds' records.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_comms::{Comms as _, CommsType, Direction, NewEntry};
use crm_core::SystemClock;
use crm_customers::Customers as _;
use crm_customers::merge::MergeRequest;
use crm_gateway::config::Config;
use crm_gateway::state::AppState;
use crm_tickets::Tickets as _;

const ENTRIES: usize = 10_000;
const ROUNDS: usize = 5;
const TARGET: Duration = Duration::from_secs(1);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let state = rt.block_on(AppState::open(&config, Arc::new(SystemClock)))?;
    let mut times = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (kept, dup) = rt.block_on(async {
            let customer = |name: String, phone: &str| {
                serde_json::from_value::<crm_customers::NewCustomer>(serde_json::json!({
                    "name": name,
                    "contacts": [{"type": "phone", "value": phone}],
                    "tags": ["bench"],
                }))
            };
            let kept = state
                .customers
                .create(customer(format!("Ενορία {round}"), "2101234567")?)
                .await?;
            let dup = state
                .customers
                .create(customer(
                    format!("Ι.Ν. Ενορίας {round}"),
                    "+30 210 123 4567",
                )?)
                .await?;
            for chunk in 0..ENTRIES / 1_000 {
                let batch: Vec<NewEntry> = (0..1_000)
                    .map(|i| {
                        let mut e =
                            NewEntry::new(CommsType::Email, Direction::Inbound, Some(dup.id));
                        e.subject = Some(format!("Προσφορά καμπάνας {chunk}-{i}"));
                        e.body = Some("Καλημέρα σας, στείλτε μας την προσφορά.".to_owned());
                        e
                    })
                    .collect();
                for r in state.comms.ingest_batch(batch).await? {
                    r?;
                }
            }
            for i in 0..20 {
                let t: crm_tickets::NewTicket = serde_json::from_value(serde_json::json!({
                    "customer_id": dup.id, "subject": format!("Βλάβη {i}"), "kind": "repair",
                }))?;
                state.tickets.create(t, "bench").await?;
            }
            Ok::<_, Box<dyn std::error::Error>>((kept, dup))
        })?;
        let request = MergeRequest {
            duplicate_id: dup.id,
            choices: Default::default(),
            dry_run: false,
        };
        let t = Instant::now();
        let outcome = rt
            .block_on(crm_gateway::channels::merge::merge(
                &state, kept.id, request, None, "bench",
            ))
            .map_err(|e| e.to_string())?;
        times.push(t.elapsed());
        assert_eq!(outcome.record.moved.comms_entries, ENTRIES as u64);
        assert_eq!(outcome.record.moved.tickets, 20);
    }
    times.sort();
    let worst = *times.last().unwrap_or(&Duration::ZERO);
    println!(
        "merge of a customer with {ENTRIES} comms entries and 20 tickets: median {:.0} ms, \
         worst {:.0} ms of {ROUNDS} (target < {} ms) {}",
        times[ROUNDS / 2].as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        TARGET.as_millis(),
        if worst < TARGET { "ok" } else { "MISSED" }
    );
    Ok(())
}
