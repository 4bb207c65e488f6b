//! Engine stories: every node kind, branching, waits on a pinned clock, a crash between an
//! output and its commit, versions, limits, retry and cancel.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crm_core::{Db, Error, FixedClock, Timestamp};
use serde_json::{Value, json};
use tempfile::TempDir;
use time::macros::datetime;
use tokio::sync::Notify;

use super::*;
use crate::model::{Definition, Node, Trigger};

/// The `Outputs` a test sees: every call in order, and each key performed once.
#[derive(Debug, Clone, Default)]
struct Port {
    inner: Arc<PortInner>,
}

#[derive(Debug, Default)]
struct PortInner {
    /// (kind, key, input) of every call, repeats included.
    calls: Mutex<Vec<(String, String, Value)>>,
    /// What each key performed answered: a repeated key gets it again.
    done: Mutex<HashMap<String, Value>>,
    /// Kinds that fail (once each).
    fail_once: Mutex<Vec<String>>,
    /// A kind whose action happens and then the process "dies" before answering.
    hang_after: Mutex<Option<String>>,
    performed: Notify,
    /// Events the actions raised, with the depth they start runs at.
    events: Mutex<Vec<(String, Value, u32)>>,
}

impl Port {
    fn calls(&self) -> Vec<(String, String, Value)> {
        self.inner.calls.lock().unwrap().clone()
    }

    fn performed(&self) -> usize {
        self.inner.done.lock().unwrap().len()
    }
}

impl Outputs for Port {
    async fn perform(&self, call: OutputCall) -> Result<Value> {
        let p = &self.inner;
        p.calls.lock().unwrap().push((
            call.kind.clone(),
            call.idempotency_key.clone(),
            call.input.clone(),
        ));
        {
            let mut fail = p.fail_once.lock().unwrap();
            if let Some(i) = fail.iter().position(|k| *k == call.kind) {
                fail.remove(i);
                return Err(Error::Unavailable {
                    message: format!("{} is down", call.kind),
                });
            }
        }
        let out = {
            let mut done = p.done.lock().unwrap();
            if let Some(first) = done.get(&call.idempotency_key) {
                return Ok(first.clone());
            }
            let out = json!({ "id": format!("{}-{}", call.kind, done.len() + 1) });
            done.insert(call.idempotency_key.clone(), out.clone());
            out
        };
        if call.kind == "create_ticket" {
            p.events.lock().unwrap().push((
                "ticket.created".into(),
                call.input.clone(),
                call.depth + 1,
            ));
        }
        p.performed.notify_one();
        let hang = p.hang_after.lock().unwrap().take_if(|k| *k == call.kind);
        if hang.is_some() {
            std::future::pending::<()>().await;
        }
        Ok(out)
    }
}

fn t0() -> Timestamp {
    Timestamp::from(datetime!(2026-01-31 09:00 UTC))
}

struct Fixture {
    dir: TempDir,
    clock: FixedClock,
    port: Port,
    engine: Engine<Port>,
}

fn engine_on(path: &Path, port: Port, clock: &FixedClock, limits: Limits) -> Engine<Port> {
    let db = Db::open(path).unwrap();
    Engine::new(db, port, Arc::new(clock.clone()), limits)
}

fn fixture_with(limits: Limits) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(t0());
    let port = Port::default();
    let engine = engine_on(&dir.path().join("crm.db"), port.clone(), &clock, limits);
    Fixture {
        dir,
        clock,
        port,
        engine,
    }
}

fn fixture() -> Fixture {
    fixture_with(Limits::default())
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

fn branch(mut n: Node, name: &str, to: &str) -> Node {
    n.branches.insert(name.into(), to.into());
    n
}

fn manual(nodes: Vec<Node>) -> Definition {
    Definition {
        trigger: Trigger::Manual,
        nodes,
    }
}

fn ticket(key: &str, title: &str, next: Option<&str>) -> Node {
    node(key, "create_ticket", json!({ "title": title }), next)
}

/// The field `Invalid` names.
fn invalid_field(d: &Definition) -> String {
    match d.validate() {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn a_definition_is_checked_when_saved_and_the_field_named() {
    let ok = ticket("a", "x", None);
    let cases = [
        (
            vec![node("a", "teleport", json!({}), None)],
            "nodes[0].kind",
        ),
        (vec![ticket("a", "x", Some("nowhere"))], "nodes[0].next"),
        (
            vec![ok.clone(), node("b", "if", json!({}), None)],
            "nodes[1].config.condition",
        ),
        (
            vec![node("a", "if", json!({"condition": "trigger.x =="}), None)],
            "nodes[0].config.condition",
        ),
        (
            vec![node("a", "if", json!({"condition": "nodes.ghost.x"}), None)],
            "nodes[0].config.condition",
        ),
        (
            vec![node(
                "a",
                "send_email",
                json!({"to": "{{trigger.email}}", "subject": "s"}),
                None,
            )],
            "nodes[0].config.body",
        ),
        (
            vec![node(
                "a",
                "create_lead",
                json!({"title": "{{ customer.name }}"}),
                None,
            )],
            "nodes[0].config.title",
        ),
        (
            vec![node(
                "a",
                "wait",
                json!({"amount": 3, "unit": "fortnights"}),
                None,
            )],
            "nodes[0].config.unit",
        ),
        (
            vec![node(
                "a",
                "wait",
                json!({"amount": 0, "unit": "days"}),
                None,
            )],
            "nodes[0].config.amount",
        ),
        (
            vec![node("a", "loop", json!({"items": "trigger.list"}), None)],
            "nodes[0].branches.body",
        ),
        (vec![ok.clone(), ok.clone()], "nodes[1].key"),
        (
            vec![branch(ok.clone(), "then", "a")],
            "nodes[0].branches.then",
        ),
        (vec![], "nodes"),
    ];
    for (nodes, field) in cases {
        assert_eq!(invalid_field(&manual(nodes.clone())), field, "{nodes:?}");
    }
    let bad_event = Definition {
        trigger: Trigger::Event {
            name: "Call Missed".into(),
        },
        nodes: vec![ok],
    };
    assert_eq!(invalid_field(&bad_event), "trigger.name");
    let never = Definition {
        trigger: Trigger::Schedule { every_minutes: 0 },
        nodes: vec![ticket("a", "x", None)],
    };
    assert_eq!(invalid_field(&never), "trigger.every_minutes");
}

#[tokio::test]
async fn saving_a_bad_definition_stores_nothing() {
    let f = fixture();
    let err = f
        .engine
        .create("x", manual(vec![ticket("a", "x", Some("b"))]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { ref field, .. } if field == "nodes[0].next"));
}

#[tokio::test]
async fn if_else_takes_the_branch_its_condition_chooses() {
    let f = fixture();
    let wf = f
        .engine
        .create(
            "urgent tickets",
            manual(vec![
                branch(
                    branch(
                        node(
                            "check",
                            "if",
                            json!({"condition": "trigger.priority == \"urgent\""}),
                            None,
                        ),
                        "then",
                        "alert",
                    ),
                    "else",
                    "note",
                ),
                node(
                    "alert",
                    "send_whatsapp",
                    json!({"to": "manager", "text": "Επείγον: {{ trigger.title }}"}),
                    None,
                ),
                node(
                    "note",
                    "send_email",
                    json!({"to": "desk", "subject": "{{trigger.title}}", "body": "-"}),
                    None,
                ),
            ]),
        )
        .await
        .unwrap();
    let urgent = f
        .engine
        .start(wf.id, json!({"priority": "urgent", "title": "Καμπάνα"}), 0)
        .await
        .unwrap();
    let normal = f
        .engine
        .start(wf.id, json!({"priority": "low", "title": "Ρολόι"}), 0)
        .await
        .unwrap();
    assert_eq!(urgent.status, RunStatus::Succeeded);
    assert_eq!(normal.status, RunStatus::Succeeded);
    let calls = f.port.calls();
    assert_eq!(calls[0].0, "send_whatsapp");
    assert_eq!(calls[0].2["text"], "Επείγον: Καμπάνα");
    assert_eq!(calls[0].1, format!("{}:alert", urgent.id));
    assert_eq!(calls[1].0, "send_email");
    assert_eq!(calls[1].2["subject"], "Ρολόι");
    let steps = f.engine.store().steps(urgent.id).await.unwrap();
    let nodes: Vec<&str> = steps.iter().map(|s| s.node.as_str()).collect();
    assert_eq!(nodes, ["check", "alert"]);
    assert_eq!(steps[0].output, Some(json!({"branch": "then"})));
    assert_eq!(
        steps[1].idempotency_key.as_deref(),
        Some(calls[0].1.as_str())
    );
}

#[tokio::test]
async fn switch_follows_the_matching_case_or_the_default() {
    let f = fixture();
    let sw = node("route", "switch", json!({"value": "trigger.channel"}), None);
    let sw = branch(
        branch(branch(sw, "whatsapp", "wa"), "email", "mail"),
        "default",
        "other",
    );
    let wf = f
        .engine
        .create(
            "route",
            manual(vec![
                sw,
                node(
                    "wa",
                    "set",
                    json!({"name": "via", "value": "\"wa\""}),
                    Some("done"),
                ),
                node(
                    "mail",
                    "set",
                    json!({"name": "via", "value": "\"mail\""}),
                    Some("done"),
                ),
                node(
                    "other",
                    "set",
                    json!({"name": "via", "value": "\"other\""}),
                    Some("done"),
                ),
                ticket("done", "via {{ vars.via }}", None),
            ]),
        )
        .await
        .unwrap();
    for channel in ["email", "whatsapp", "fax"] {
        f.engine
            .start(wf.id, json!({"channel": channel}), 0)
            .await
            .unwrap();
    }
    let titles: Vec<Value> = f
        .port
        .calls()
        .into_iter()
        .map(|c| c.2["title"].clone())
        .collect();
    assert_eq!(
        titles,
        [json!("via mail"), json!("via wa"), json!("via other")]
    );
}

#[tokio::test]
async fn set_json_parse_and_assert_compute_over_earlier_outputs() {
    let f = fixture();
    let wf = f
        .engine
        .create(
            "parse",
            manual(vec![
                node(
                    "parse",
                    "json_parse",
                    json!({"source": "trigger.body"}),
                    Some("total"),
                ),
                node(
                    "total",
                    "set",
                    json!({"name": "total", "value": "nodes.parse.qty * 2"}),
                    Some("check"),
                ),
                node(
                    "check",
                    "assert",
                    json!({"condition": "vars.total > 2", "message": "too few: {{ vars.total }}"}),
                    Some("out"),
                ),
                ticket("out", "{{ nodes.parse.name }} × {{ vars.total }}", None),
            ]),
        )
        .await
        .unwrap();
    let ok = f
        .engine
        .start(
            wf.id,
            json!({"body": "{\"name\": \"Καμπάνα\", \"qty\": 3}"}),
            0,
        )
        .await
        .unwrap();
    assert_eq!(ok.status, RunStatus::Succeeded);
    assert_eq!(f.port.calls()[0].2["title"], "Καμπάνα × 6");

    let few = f
        .engine
        .start(wf.id, json!({"body": "{\"name\": \"x\", \"qty\": 1}"}), 0)
        .await
        .unwrap();
    assert_eq!(few.status, RunStatus::Failed);
    assert_eq!(few.failed_node.as_deref(), Some("check"));
    assert_eq!(few.error.as_deref(), Some("too few: 2"));

    let garbage = f
        .engine
        .start(wf.id, json!({"body": "{nope"}), 0)
        .await
        .unwrap();
    assert_eq!(garbage.status, RunStatus::Failed);
    assert_eq!(garbage.failed_node.as_deref(), Some("parse"));
    assert!(garbage.error.unwrap().contains("not JSON"));
    let steps = f.engine.store().steps(garbage.id).await.unwrap();
    assert!(!steps[0].succeeded);
    assert_eq!(f.port.performed(), 1);
}

#[tokio::test]
async fn a_failing_node_with_an_error_handler_continues_there() {
    let f = fixture();
    let mut check = node(
        "check",
        "assert",
        json!({"condition": "trigger.phone != ()", "message": "no phone"}),
        Some("send"),
    );
    check.on_error = Some("fallback".into());
    let wf = f
        .engine
        .create(
            "call back",
            manual(vec![
                check,
                node(
                    "send",
                    "send_whatsapp",
                    json!({"to": "{{trigger.phone}}", "text": "hi"}),
                    None,
                ),
                ticket("fallback", "call back failed: {{ error }}", Some("end")),
                node("end", "stop", json!({}), Some("send")),
            ]),
        )
        .await
        .unwrap();
    let run = f.engine.start(wf.id, json!({}), 0).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    let calls = f.port.calls();
    assert_eq!(calls.len(), 1, "stop ends the run before `send`");
    assert_eq!(calls[0].2["title"], "call back failed: no phone");
    let steps = f.engine.store().steps(run.id).await.unwrap();
    assert_eq!(steps[0].error.as_deref(), Some("no phone"));
    assert_eq!(steps.len(), 3);
}

#[tokio::test]
async fn a_loop_runs_its_body_per_element_with_a_key_per_iteration() {
    let f = fixture();
    let looped = branch(
        node(
            "each",
            "loop",
            json!({"items": "trigger.customers", "max": 5}),
            Some("done"),
        ),
        "body",
        "mail",
    );
    let wf = f
        .engine
        .create(
            "reminders",
            manual(vec![
                looped,
                node(
                    "mail",
                    "send_email",
                    json!({"to": "{{ item }}", "subject": "#{{ index }}", "body": "."}),
                    None,
                ),
                node(
                    "done",
                    "set",
                    json!({"name": "finished", "value": "true"}),
                    None,
                ),
            ]),
        )
        .await
        .unwrap();
    let run = f
        .engine
        .start(
            wf.id,
            json!({"customers": ["a@x.gr", "b@x.gr", "c@x.gr"]}),
            0,
        )
        .await
        .unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    let calls = f.port.calls();
    let to: Vec<&Value> = calls.iter().map(|c| &c.2["to"]).collect();
    assert_eq!(to, [&json!("a@x.gr"), &json!("b@x.gr"), &json!("c@x.gr")]);
    let keys: Vec<String> = calls.iter().map(|c| c.1.clone()).collect();
    assert_eq!(keys, [0, 1, 2].map(|i| format!("{}:mail:{i}", run.id)));
    let steps = f.engine.store().steps(run.id).await.unwrap();
    assert_eq!(steps.last().unwrap().node, "done");

    let too_many = f
        .engine
        .start(wf.id, json!({"customers": [1, 2, 3, 4, 5, 6]}), 0)
        .await
        .unwrap();
    assert_eq!(too_many.status, RunStatus::Failed);
    assert!(too_many.error.unwrap().contains("loop limit"));
}

#[tokio::test]
async fn a_cycle_stops_at_the_step_limit() {
    let f = fixture_with(Limits {
        max_steps: 10,
        ..Limits::default()
    });
    let wf = f
        .engine
        .create(
            "cycle",
            manual(vec![
                node("a", "set", json!({"name": "n", "value": "1"}), Some("b")),
                node("b", "set", json!({"name": "n", "value": "2"}), Some("a")),
            ]),
        )
        .await
        .unwrap();
    let run = f.engine.start(wf.id, json!({}), 0).await.unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.steps, 10);
    assert!(run.error.unwrap().contains("step limit"));
}

fn reminder() -> Definition {
    manual(vec![
        node(
            "thanks",
            "send_email",
            json!({"to": "{{trigger.email}}", "subject": "Ευχαριστούμε", "body": "."}),
            Some("year"),
        ),
        node(
            "year",
            "wait",
            json!({"amount": 12, "unit": "months"}),
            Some("remind"),
        ),
        node(
            "remind",
            "send_email",
            json!({"to": "{{trigger.email}}", "subject": "Συντήρηση", "body": "."}),
            None,
        ),
    ])
}

#[tokio::test]
async fn a_wait_survives_a_restart_and_fires_on_the_injected_clock() {
    let f = fixture();
    let wf = f.engine.create("maintenance", reminder()).await.unwrap();
    let run = f
        .engine
        .start(wf.id, json!({"email": "a@x.gr"}), 0)
        .await
        .unwrap();
    assert_eq!(run.status, RunStatus::Waiting);
    let due = Timestamp::from(datetime!(2027-01-31 09:00 UTC));
    assert_eq!(f.engine.next_due().await.unwrap(), Some(due));

    // the process restarts
    let Fixture {
        dir,
        clock,
        port,
        engine,
    } = f;
    drop(engine);
    let engine = engine_on(
        &dir.path().join("crm.db"),
        port.clone(),
        &clock,
        Limits::default(),
    );
    assert_eq!(engine.resume_all().await.unwrap(), 0);

    clock.set(Timestamp::from(datetime!(2027-01-31 08:59:59 UTC)));
    assert_eq!(engine.fire_due(clock.now()).await.unwrap(), 0);
    assert_eq!(
        engine.store().run(run.id).await.unwrap().status,
        RunStatus::Waiting
    );
    clock.set(due);
    assert_eq!(engine.fire_due(clock.now()).await.unwrap(), 1);
    let run = engine.store().run(run.id).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    let subjects: Vec<Value> = port
        .calls()
        .into_iter()
        .map(|c| c.2["subject"].clone())
        .collect();
    assert_eq!(subjects, [json!("Ευχαριστούμε"), json!("Συντήρηση")]);
    assert_eq!(engine.next_due().await.unwrap(), None);
}

#[test]
fn months_are_calendar_months_clamped_to_the_last_day() {
    let at = Timestamp::from(datetime!(2026-01-31 09:00 UTC));
    assert_eq!(
        wait_until(at, 1, "months"),
        Timestamp::from(datetime!(2026-02-28 09:00 UTC))
    );
    assert_eq!(
        wait_until(at, 13, "months"),
        Timestamp::from(datetime!(2027-02-28 09:00 UTC))
    );
    assert_eq!(
        wait_until(at, 90, "minutes"),
        Timestamp::from(datetime!(2026-01-31 10:30 UTC))
    );
    assert_eq!(
        wait_until(at, 2, "weeks"),
        Timestamp::from(datetime!(2026-02-14 09:00 UTC))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_after_an_output_resumes_without_repeating_it() {
    let f = fixture();
    let wf = f
        .engine
        .create(
            "missed call",
            manual(vec![
                ticket("ticket", "Κλήση από {{ trigger.phone }}", Some("notify")),
                node(
                    "notify",
                    "send_whatsapp",
                    json!({"to": "duty", "text": "call back"}),
                    None,
                ),
            ]),
        )
        .await
        .unwrap();
    *f.port.inner.hang_after.lock().unwrap() = Some("create_ticket".into());
    let engine = f.engine.clone();
    let running = tokio::spawn(async move {
        engine
            .start(wf.id, json!({"phone": "+302101234567"}), 0)
            .await
    });
    // the ticket was created; the process dies before the step is committed
    f.port.inner.performed.notified().await;
    running.abort();
    let _ = running.await;
    let Fixture {
        dir,
        clock,
        port,
        engine,
    } = f;
    drop(engine);

    let engine = engine_on(
        &dir.path().join("crm.db"),
        port.clone(),
        &clock,
        Limits::default(),
    );
    let runs = engine.store().runs(wf.id, 10).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Running);
    assert_eq!(runs[0].cursor.as_deref(), Some("ticket"));
    assert_eq!(engine.resume_all().await.unwrap(), 1);
    let run = engine.store().run(runs[0].id).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);

    let calls = port.calls();
    let key = format!("{}:ticket", run.id);
    let ticket_calls: Vec<_> = calls.iter().filter(|c| c.0 == "create_ticket").collect();
    assert_eq!(ticket_calls.len(), 2, "the resumed run asks again ...");
    assert!(
        ticket_calls.iter().all(|c| c.1 == key),
        "... with the same key"
    );
    assert_eq!(port.performed(), 2, "one ticket, one message");
    let steps = engine.store().steps(run.id).await.unwrap();
    let nodes: Vec<&str> = steps.iter().map(|s| s.node.as_str()).collect();
    assert_eq!(nodes, ["ticket", "notify"]);
}

#[tokio::test]
async fn editing_makes_a_new_version_and_runs_keep_theirs() {
    let f = fixture();
    let wf = f.engine.create("maintenance", reminder()).await.unwrap();
    assert_eq!(wf.version, 1);
    let old = f
        .engine
        .start(wf.id, json!({"email": "a@x.gr"}), 0)
        .await
        .unwrap();

    let mut edited = reminder();
    edited.nodes[2]
        .config
        .insert("subject".into(), json!("Ετήσιος έλεγχος"));
    let wf2 = f.engine.update(wf.id, edited.clone()).await.unwrap();
    assert_eq!(wf2.version, 2);
    assert_eq!(
        f.engine.store().workflow(wf.id).await.unwrap().definition,
        edited
    );
    assert_eq!(
        f.engine.store().definition(wf.id, 1).await.unwrap(),
        reminder()
    );
    let new = f
        .engine
        .start(wf.id, json!({"email": "b@x.gr"}), 0)
        .await
        .unwrap();
    assert_eq!((old.version, new.version), (1, 2));

    f.clock.advance(time::Duration::days(400));
    assert_eq!(f.engine.fire_due(f.clock.now()).await.unwrap(), 2);
    let reminders: HashMap<String, String> = f
        .port
        .calls()
        .into_iter()
        .filter(|c| c.1.ends_with(":remind"))
        .map(|c| {
            (
                c.2["to"].as_str().unwrap().to_owned(),
                c.2["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(reminders["a@x.gr"], "Συντήρηση");
    assert_eq!(reminders["b@x.gr"], "Ετήσιος έλεγχος");
}

#[tokio::test]
async fn a_workflow_that_triggers_itself_stops_at_the_depth_limit() {
    let f = fixture_with(Limits {
        max_depth: 3,
        ..Limits::default()
    });
    let wf = f
        .engine
        .create(
            "loops on tickets",
            Definition {
                trigger: Trigger::Event {
                    name: "ticket.created".into(),
                },
                nodes: vec![ticket("again", "follow-up of {{ trigger.title }}", None)],
            },
        )
        .await
        .unwrap();
    assert!(
        f.engine
            .emit("ticket.created", json!({"title": "t"}), 0)
            .await
            .unwrap()
            .is_empty(),
        "disabled"
    );
    f.engine.set_enabled(wf.id, true).await.unwrap();
    assert!(
        f.engine
            .emit("call.missed", json!({}), 0)
            .await
            .unwrap()
            .is_empty(),
        "not its event"
    );

    // what the gateway does: each created ticket emits `ticket.created` one level deeper
    let mut runs = f
        .engine
        .emit("ticket.created", json!({"title": "t"}), 0)
        .await
        .unwrap();
    loop {
        let event = f.port.inner.events.lock().unwrap().pop();
        let Some((name, data, depth)) = event else {
            break;
        };
        runs.extend(f.engine.emit(&name, data, depth).await.unwrap());
    }
    let statuses: Vec<(u32, RunStatus)> = runs.iter().map(|r| (r.depth, r.status)).collect();
    assert_eq!(
        statuses,
        [
            (0, RunStatus::Succeeded),
            (1, RunStatus::Succeeded),
            (2, RunStatus::Succeeded),
            (3, RunStatus::Succeeded),
            (4, RunStatus::Failed)
        ]
    );
    let last = runs.last().unwrap();
    assert!(
        last.error.as_ref().unwrap().contains("trigger depth limit"),
        "{last:?}"
    );
    assert_eq!(f.port.performed(), 4);
}

#[tokio::test]
async fn a_failed_run_is_retried_from_the_failed_node_with_the_same_key() {
    let f = fixture();
    let wf = f
        .engine
        .create(
            "lead",
            manual(vec![
                node(
                    "first",
                    "set",
                    json!({"name": "a", "value": "1"}),
                    Some("lead"),
                ),
                node(
                    "lead",
                    "create_lead",
                    json!({"title": "WhatsApp {{ trigger.from }}"}),
                    None,
                ),
            ]),
        )
        .await
        .unwrap();
    f.port
        .inner
        .fail_once
        .lock()
        .unwrap()
        .push("create_lead".into());
    let run = f
        .engine
        .start(wf.id, json!({"from": "+30690"}), 0)
        .await
        .unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.failed_node.as_deref(), Some("lead"));
    assert_eq!(
        run.error.as_deref(),
        Some("the store is unavailable: create_lead is down")
    );

    let retried = f.engine.retry(run.id).await.unwrap();
    assert_eq!(retried.status, RunStatus::Succeeded);
    let keys: Vec<String> = f.port.calls().into_iter().map(|c| c.1).collect();
    assert_eq!(
        keys,
        [format!("{}:lead", run.id), format!("{}:lead", run.id)]
    );
    let steps = f.engine.store().steps(run.id).await.unwrap();
    let log: Vec<(&str, bool)> = steps
        .iter()
        .map(|s| (s.node.as_str(), s.succeeded))
        .collect();
    assert_eq!(log, [("first", true), ("lead", false), ("lead", true)]);
    assert!(matches!(
        f.engine.retry(run.id).await,
        Err(Error::Conflict { .. })
    ));
}

#[tokio::test]
async fn a_cancelled_run_drops_its_timer_and_never_continues() {
    let f = fixture();
    let wf = f.engine.create("maintenance", reminder()).await.unwrap();
    let run = f
        .engine
        .start(wf.id, json!({"email": "a@x.gr"}), 0)
        .await
        .unwrap();
    let cancelled = f.engine.cancel(run.id).await.unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert!(cancelled.finished_at.is_some());
    assert_eq!(f.engine.next_due().await.unwrap(), None);
    f.clock.advance(time::Duration::days(400));
    assert_eq!(f.engine.fire_due(f.clock.now()).await.unwrap(), 0);
    assert_eq!(f.port.calls().len(), 1);
    assert!(matches!(
        f.engine.cancel(run.id).await,
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        f.engine.cancel(Uuid::new_v4()).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_fires_due_timers_and_stops_on_shutdown() {
    let f = fixture();
    let wf = f.engine.create("maintenance", reminder()).await.unwrap();
    let run = f
        .engine
        .start(wf.id, json!({"email": "a@x.gr"}), 0)
        .await
        .unwrap();
    f.clock.advance(time::Duration::days(366));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let engine = f.engine.clone();
    let scheduler = tokio::spawn(async move {
        engine
            .run_scheduler(async {
                let _ = stopped.await;
            })
            .await;
    });
    let mut status = RunStatus::Waiting;
    for _ in 0..500 {
        status = f.engine.store().run(run.id).await.unwrap().status;
        if status == RunStatus::Succeeded {
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(status, RunStatus::Succeeded);
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), scheduler)
        .await
        .unwrap()
        .unwrap();
}

#[test]
fn a_new_timer_wakes_the_scheduler_only_when_earlier() {
    let clock = FixedClock::new(t0());
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let engine = engine_on(
            &dir.path().join("crm.db"),
            Port::default(),
            &clock,
            Limits::default(),
        );
        let later = Timestamp::from(datetime!(2026-02-01 00:00 UTC));
        *lock(&engine.inner.scheduler) = Sleeping::Until(later);
        engine.timer_written(Timestamp::from(datetime!(2026-03-01 00:00 UTC)));
        let woken = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            engine.inner.wake.notified(),
        )
        .await;
        assert!(woken.is_err(), "a later timer lets it sleep");
        engine.timer_written(Timestamp::from(datetime!(2026-01-31 12:00 UTC)));
        let woken = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            engine.inner.wake.notified(),
        )
        .await;
        assert!(woken.is_ok(), "an earlier timer wakes it");
    });
}

#[tokio::test]
async fn a_schedule_runs_once_per_period_while_enabled() {
    let f = fixture();
    let wf = f
        .engine
        .create(
            "hourly",
            Definition {
                trigger: Trigger::Schedule { every_minutes: 60 },
                nodes: vec![ticket("check", "tick {{ trigger.scheduled_at }}", None)],
            },
        )
        .await
        .unwrap();
    assert_eq!(f.engine.next_due().await.unwrap(), None, "disabled");
    f.engine.set_enabled(wf.id, true).await.unwrap();
    let at =
        |h: i64, m: i64| Timestamp::from(t0().into_inner() + time::Duration::minutes(h * 60 + m));
    assert_eq!(f.engine.next_due().await.unwrap(), Some(at(1, 0)));
    assert_eq!(f.engine.fire_due(at(0, 59)).await.unwrap(), 0);
    assert_eq!(f.engine.fire_due(at(1, 0)).await.unwrap(), 1);
    assert_eq!(f.port.calls()[0].2["title"], format!("tick {}", at(1, 0)));
    assert_eq!(f.engine.next_due().await.unwrap(), Some(at(2, 0)));

    // down for hours: one run, not one per missed hour, and the hours keep their minute
    assert_eq!(f.engine.fire_due(at(5, 30)).await.unwrap(), 1);
    assert_eq!(f.engine.next_due().await.unwrap(), Some(at(6, 0)));
    assert_eq!(f.port.calls().len(), 2);

    f.engine.set_enabled(wf.id, false).await.unwrap();
    assert_eq!(f.engine.next_due().await.unwrap(), None);
    assert_eq!(f.engine.fire_due(at(9, 0)).await.unwrap(), 0);
}
