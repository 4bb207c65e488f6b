//! Workflow engine throughput and timer idling, on a temporary SQLite file.
//!
//! `cargo bench -p crm-workflows --bench runs` prints:
//! - runs/min of a 5-node workflow (if, set, an output node, set, assert) started 10,000 times
//!   with 64 runs in flight (target: 10,000 runs/min);
//! - with 100,000 timers pending: what reading the earliest costs, the CPU the scheduler uses
//!   while idle for 3 s, and how late 100 timers due 2 s after the start fire (target: < 1 s).
//!
//! `RUNS=… TIMERS=…` change the counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_core::{Clock, Db, Result, SystemClock, Timestamp};
use crm_workflows::{Definition, Engine, Limits, Node, OutputCall, Outputs, RunStatus, Trigger};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy)]
struct Noop;

impl Outputs for Noop {
    async fn perform(&self, call: OutputCall) -> Result<Value> {
        Ok(json!({ "key": call.idempotency_key }))
    }
}

fn node(key: &str, kind: &str, config: Value, next: Option<&str>) -> Node {
    Node {
        key: key.into(),
        kind: kind.into(),
        config: config.as_object().cloned().unwrap_or_default(),
        next: next.map(Into::into),
        branches: Default::default(),
        on_error: None,
    }
}

fn five_nodes() -> Definition {
    let mut check = node("check", "if", json!({"condition": "trigger.n >= 0"}), None);
    check.branches.insert("then".into(), "greet".into());
    Definition {
        trigger: Trigger::Manual,
        nodes: vec![
            check,
            node(
                "greet",
                "set",
                json!({"name": "text", "value": "\"Καλησπέρα \" + trigger.name"}),
                Some("send"),
            ),
            node(
                "send",
                "send_whatsapp",
                json!({"to": "{{ trigger.phone }}", "text": "{{ vars.text }}"}),
                Some("count"),
            ),
            node(
                "count",
                "set",
                json!({"name": "n", "value": "trigger.n + 1"}),
                Some("sure"),
            ),
            node(
                "sure",
                "assert",
                json!({"condition": "vars.n > trigger.n"}),
                None,
            ),
        ],
    }
}

fn count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// utime + stime of this process, in clock ticks (1/100 s).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // fields after the name: state is 0, utime is 11, stime is 12
    field(11) + field(12)
}

async fn start_all(engine: &Engine<Noop>, id: uuid::Uuid, n: usize, in_flight: usize) -> Duration {
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        if set.len() >= in_flight {
            set.join_next().await.unwrap().unwrap();
        }
        let engine = engine.clone();
        set.spawn(async move {
            let run = engine
                .start(
                    id,
                    json!({"n": i, "name": "Γιώργος", "phone": "+30690000000"}),
                    0,
                )
                .await
                .unwrap();
            assert!(
                matches!(run.status, RunStatus::Succeeded | RunStatus::Waiting),
                "{run:?}"
            );
        });
    }
    while let Some(done) = set.join_next().await {
        done.unwrap();
    }
    started.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path().join("crm.db")).unwrap();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let engine = Engine::new(db, Noop, Arc::clone(&clock), Limits::default());

        let runs = count("RUNS", 10_000);
        let wf = engine.create("five nodes", five_nodes()).await.unwrap();
        let took = start_all(&engine, wf.id, runs, 64).await;
        let per_min = runs as f64 / took.as_secs_f64() * 60.0;
        println!(
            "{runs} runs of a 5-node workflow: {:.2} s, {per_min:.0} runs/min (target 10,000)",
            took.as_secs_f64()
        );

        let timers = count("TIMERS", 100_000);
        let far = Definition {
            trigger: Trigger::Manual,
            nodes: vec![node(
                "later",
                "wait",
                json!({"amount": 6, "unit": "months"}),
                None,
            )],
        };
        let far = engine.create("far", far).await.unwrap();
        let took = start_all(&engine, far.id, timers, 256).await;
        println!(
            "{timers} waiting runs started in {:.2} s",
            took.as_secs_f64()
        );

        let t = Instant::now();
        for _ in 0..1_000 {
            engine.next_due().await.unwrap();
        }
        println!(
            "next_due with {timers} timers: {:.1} µs",
            t.elapsed().as_secs_f64() * 1e3
        );

        // 100 runs waiting 1 minute, their timers moved to 2 s from now
        let soon = Definition {
            trigger: Trigger::Manual,
            nodes: vec![
                node(
                    "pause",
                    "wait",
                    json!({"amount": 1, "unit": "minutes"}),
                    Some("done"),
                ),
                node("done", "set", json!({"name": "x", "value": "1"}), None),
            ],
        };
        let soon = engine.create("soon", soon).await.unwrap();
        start_all(&engine, soon.id, 100, 100).await;
        let due = Timestamp::from(clock.now().into_inner() + time::Duration::seconds(2));
        engine
            .store()
            .db()
            .write(move |c| {
                c.execute(
                    "UPDATE workflow_timers SET due_at = ?1 WHERE node = 'pause'",
                    [due],
                )
                .map_err(crm_core::Error::from)
            })
            .await
            .unwrap();

        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let scheduler = {
            let engine = engine.clone();
            tokio::spawn(async move {
                engine
                    .run_scheduler(async {
                        let _ = stopped.await;
                    })
                    .await;
            })
        };
        // idle until the 100 are due (the first 2 s) ... then they fire
        let cpu = cpu_ticks();
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let idle_ticks = cpu_ticks() - cpu;
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        let late = engine
            .store()
            .db()
            .read(|c| {
                c.query_row(
                    "SELECT count(*), max(julianday(finished_at) - julianday(started_at)) * 86400.0
                     FROM workflow_steps WHERE node = 'done'",
                    [],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?)),
                )
                .map_err(crm_core::Error::from)
            })
            .await
            .unwrap();
        let lateness = engine
            .store()
            .db()
            .read(move |c| {
                c.query_row(
                    "SELECT max(julianday(started_at) - julianday(?1)) * 86400.0
                     FROM workflow_steps WHERE node = 'done'",
                    [due],
                    |r| r.get::<_, Option<f64>>(0),
                )
                .map_err(crm_core::Error::from)
            })
            .await
            .unwrap();
        println!(
            "idle with {timers} timers pending: {idle_ticks} CPU ticks (1/100 s) in 1.5 s; \
             {} of 100 due timers fired, the latest {:.3} s after its time (target < 1 s)",
            late.0,
            lateness.unwrap_or(f64::NAN)
        );
        stop.send(()).unwrap();
        scheduler.await.unwrap();
    });
}
