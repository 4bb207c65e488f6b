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
    /// Kinds this CRM cannot run (refused when a definition is saved).
    refused: Mutex<Vec<String>>,
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
    fn refuse(&self, kind: &str) -> Option<String> {
        let refused = self.inner.refused.lock().unwrap();
        refused
            .iter()
            .any(|k| k == kind)
            .then(|| "AI nodes need CRM_LLM_URL and CRM_LLM_MODEL".to_owned())
    }

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
            let out = match call.kind.as_str() {
                // a ticket is touched when the test says so in its id
                "get_ticket" => json!({
                    "ticket_id": call.input["ticket_id"],
                    "touched": call.input["ticket_id"].as_str().is_some_and(|t| t.contains("touched")),
                }),
                _ => json!({ "id": format!("{}-{}", call.kind, done.len() + 1) }),
            };
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
        trigger: Trigger::every(0),
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
                trigger: Trigger::every(60),
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

/// (node, the field `Invalid` names) for the effect kinds' rules.
#[test]
fn effect_nodes_are_checked_against_the_catalogue_with_the_field_named() {
    let one = |kind: &str, config: Value| manual(vec![node("a", kind, config, None)]);
    let cases = [
        (
            one("send_whatsapp", json!({"text": "hi"})),
            "nodes[0].config.to",
        ),
        (
            one(
                "send_whatsapp",
                json!({"to": "+30 210", "customer_id": "{{ trigger.customer_id }}", "text": "hi"}),
            ),
            "nodes[0].config.customer_id",
        ),
        (
            one("send_whatsapp", json!({"to": "+30 210"})),
            "nodes[0].config.text",
        ),
        (
            one(
                "send_whatsapp",
                json!({"to": "+30 210", "template": "thanks", "parameters": "x"}),
            ),
            "nodes[0].config.parameters",
        ),
        (
            one(
                "send_whatsapp",
                json!({"to": "+30 210", "template": "thanks", "parameters": ["{{ ghost }}"]}),
            ),
            "nodes[0].config.parameters[0]",
        ),
        (
            one("send_email", json!({"subject": "s", "body": "b"})),
            "nodes[0].config.to",
        ),
        (one("get_ticket", json!({})), "nodes[0].config.ticket_id"),
        (one("http_request", json!({})), "nodes[0].config.url"),
        (
            one("http_request", json!({"url": "ftp://example.com"})),
            "nodes[0].config.url",
        ),
        (
            one(
                "http_request",
                json!({"url": "https://example.com", "method": "FETCH"}),
            ),
            "nodes[0].config.method",
        ),
        (
            one(
                "http_request",
                json!({"url": "https://example.com", "timeout_seconds": 61}),
            ),
            "nodes[0].config.timeout_seconds",
        ),
        (
            one(
                "http_request",
                json!({"url": "https://example.com", "headers": ["x"]}),
            ),
            "nodes[0].config.headers",
        ),
        (
            one(
                "http_request",
                json!({"url": "https://example.com", "headers": {"X-Count": 3}}),
            ),
            "nodes[0].config.headers.X-Count",
        ),
        (
            one(
                "http_request",
                json!({"url": "https://example.com", "headers": {"X-Id": "{{ nodes.ghost.id }}"}}),
            ),
            "nodes[0].config.headers.X-Id",
        ),
        (
            one("ai_intent", json!({"text": "t"})),
            "nodes[0].config.intents",
        ),
        (one("ai_sentiment", json!({})), "nodes[0].config.text"),
        (
            one("ai_extract", json!({"text": "t"})),
            "nodes[0].config.fields",
        ),
        (
            one("ai_agent", json!({"text": "t"})),
            "nodes[0].config.prompt",
        ),
    ];
    for (d, field) in cases {
        assert_eq!(invalid_field(&d), field, "{:?}", d.nodes[0]);
    }
    let fine = [
        one(
            "send_whatsapp",
            json!({"customer_id": "{{ trigger.customer_id }}", "template": "thanks",
                   "parameters": ["{{ trigger.sender }}"]}),
        ),
        one(
            "send_email",
            json!({"customer_id": "{{ trigger.customer_id }}", "subject": "s", "body": "b"}),
        ),
        one(
            "get_ticket",
            json!({"ticket_id": "{{ trigger.ticket_id }}"}),
        ),
        one(
            "http_request",
            json!({"url": "{{ vars.base }}/hook", "method": "POST", "timeout_seconds": 5,
                   "headers": {"Authorization": "Bearer {{ vars.token }}"}, "body": "{}"}),
        ),
        one(
            "ai_intent",
            json!({"text": "{{ trigger.body }}", "intents": "repair, order"}),
        ),
        one("ai_sentiment", json!({"text": "{{ trigger.body }}"})),
        one(
            "ai_extract",
            json!({"text": "{{ trigger.body }}", "fields": "serial_number, parish"}),
        ),
        one(
            "ai_agent",
            json!({"prompt": "Summarise", "system": "Be brief"}),
        ),
    ];
    for d in fine {
        if let Err(e) = d.validate() {
            panic!("{e:?} for {:?}", d.nodes[0]);
        }
    }
}

#[test]
fn an_event_outside_the_known_list_is_refused_naming_the_trigger() {
    let on = |name: &str| Definition {
        trigger: Trigger::Event { name: name.into() },
        nodes: vec![ticket("a", "x", None)],
    };
    assert_eq!(invalid_field(&on("call.mised")), "trigger.name");
    for e in crate::EVENTS {
        assert!(on(e.name).validate().is_ok(), "{}", e.name);
    }
}

#[tokio::test]
async fn a_kind_the_port_refuses_cannot_be_saved() {
    let f = fixture();
    f.port
        .inner
        .refused
        .lock()
        .unwrap()
        .push("ai_sentiment".into());
    let d = manual(vec![
        ticket("a", "x", Some("b")),
        node(
            "b",
            "ai_sentiment",
            json!({"text": "{{ trigger.body }}"}),
            None,
        ),
    ]);
    let err = f.engine.create("mood", d.clone()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Invalid { field, reason }
            if field == "nodes[1].kind" && reason.contains("CRM_LLM_URL")),
        "{err:?}"
    );
    let wf = f
        .engine
        .create("plain", manual(vec![ticket("a", "x", None)]))
        .await
        .unwrap();
    let err = f.engine.update(wf.id, d).await.unwrap_err();
    assert!(matches!(&err, Error::Invalid { field, .. } if field == "nodes[1].kind"));
}

#[tokio::test]
async fn templates_inside_nested_objects_and_lists_are_rendered() {
    let f = fixture();
    let wf = f
        .engine
        .create(
            "hook",
            manual(vec![
                node(
                    "call",
                    "http_request",
                    json!({
                        "url": "https://example.com/t/{{ trigger.id }}",
                        "method": "POST",
                        "timeout_seconds": 5,
                        "headers": {"X-Ticket": "{{ trigger.id }}"},
                    }),
                    Some("thanks"),
                ),
                node(
                    "thanks",
                    "send_whatsapp",
                    json!({"to": "+302101234567", "template": "thanks",
                       "parameters": ["{{ trigger.tag }}", "{{ nodes.call.id }}"]}),
                    None,
                ),
            ]),
        )
        .await
        .unwrap();
    let run = f
        .engine
        .start(wf.id, json!({"id": "TCK-1", "tag": "bell"}), 0)
        .await
        .unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    let (kind, _, input) = f.port.calls()[0].clone();
    assert_eq!(kind, "http_request");
    assert_eq!(
        input,
        json!({
            "url": "https://example.com/t/TCK-1",
            "method": "POST",
            "timeout_seconds": 5,
            "headers": {"X-Ticket": "TCK-1"},
        })
    );
    let (_, _, input) = f.port.calls()[1].clone();
    assert_eq!(
        input["parameters"],
        json!(["bell", "http_request-1"]),
        "a list, and an earlier node's output"
    );
}

#[tokio::test]
async fn a_cron_schedule_runs_at_its_times_in_athens_across_the_spring_change() {
    let f = fixture();
    // Friday 2026-03-27 12:00 UTC (14:00 Athens, winter time)
    f.clock
        .set(Timestamp::from(datetime!(2026-03-27 12:00 UTC)));
    let wf = f
        .engine
        .create(
            "weekday mornings",
            Definition {
                trigger: Trigger::cron("0 9 * * 1-5"),
                nodes: vec![ticket("check", "tick {{ trigger.scheduled_at }}", None)],
            },
        )
        .await
        .unwrap();
    f.engine.set_enabled(wf.id, true).await.unwrap();
    // the weekend is skipped, and Monday 09:00 is already summer time (UTC+3)
    let monday = Timestamp::from(datetime!(2026-03-30 06:00 UTC));
    assert_eq!(f.engine.next_due().await.unwrap(), Some(monday));
    assert_eq!(
        f.engine
            .fire_due(Timestamp::from(datetime!(2026-03-30 05:59 UTC)))
            .await
            .unwrap(),
        0
    );
    assert_eq!(f.engine.fire_due(monday).await.unwrap(), 1);
    assert_eq!(f.port.calls()[0].2["title"], format!("tick {monday}"));
    let tuesday = Timestamp::from(datetime!(2026-03-31 06:00 UTC));
    assert_eq!(f.engine.next_due().await.unwrap(), Some(tuesday));

    // down from Tuesday morning until Thursday noon: one run, then Friday 09:00
    let thursday_noon = Timestamp::from(datetime!(2026-04-02 09:00 UTC));
    assert_eq!(f.engine.fire_due(thursday_noon).await.unwrap(), 1);
    assert_eq!(f.port.calls().len(), 2);
    assert_eq!(
        f.engine.next_due().await.unwrap(),
        Some(Timestamp::from(datetime!(2026-04-03 06:00 UTC)))
    );

    // an edit that keeps the cron keeps the next run; a new cron moves it
    let mut d = wf.definition.clone();
    d.nodes[0].config.insert("title".into(), json!("edited"));
    f.clock.set(thursday_noon);
    f.engine.update(wf.id, d.clone()).await.unwrap();
    assert_eq!(
        f.engine.next_due().await.unwrap(),
        Some(Timestamp::from(datetime!(2026-04-03 06:00 UTC)))
    );
    d.trigger = Trigger::Schedule {
        every_minutes: None,
        cron: Some("30 14 * * *".into()),
        timezone: Some("UTC".into()),
    };
    f.engine.update(wf.id, d).await.unwrap();
    assert_eq!(
        f.engine.next_due().await.unwrap(),
        Some(Timestamp::from(datetime!(2026-04-02 14:30 UTC)))
    );
    f.engine.set_enabled(wf.id, false).await.unwrap();
    assert_eq!(f.engine.next_due().await.unwrap(), None);
}

#[test]
fn a_schedule_is_a_period_or_a_cron_with_the_field_named() {
    let on = |trigger: Trigger| Definition {
        trigger,
        nodes: vec![ticket("a", "x", None)],
    };
    let schedule = |every: Option<u32>, cron: Option<&str>, zone: Option<&str>| {
        on(Trigger::Schedule {
            every_minutes: every,
            cron: cron.map(Into::into),
            timezone: zone.map(Into::into),
        })
    };
    let cases = [
        (schedule(None, None, None), "trigger.cron"),
        (schedule(Some(5), Some("0 9 * * *"), None), "trigger.cron"),
        (schedule(None, Some("0 9 * *"), None), "trigger.cron"),
        (schedule(None, Some("0 25 * * *"), None), "trigger.cron"),
        (
            schedule(None, Some("0 9 * * *"), Some("Athens")),
            "trigger.timezone",
        ),
        (schedule(Some(5), None, Some("UTC")), "trigger.timezone"),
    ];
    for (d, field) in cases {
        assert_eq!(invalid_field(&d), field, "{:?}", d.trigger);
    }
    assert!(
        on(Trigger::cron("*/15 8-17 * * mon-fri"))
            .validate()
            .is_ok()
    );
    let json: Definition = serde_json::from_value(json!({
        "trigger": {"kind": "schedule", "cron": "0 9 * * 1-5", "timezone": "Europe/Athens"},
        "nodes": [{"key": "a", "kind": "create_ticket", "config": {"title": "x"}}],
    }))
    .unwrap();
    assert!(json.validate().is_ok());
    assert_eq!(
        serde_json::to_value(Trigger::every(60)).unwrap(),
        json!({"kind": "schedule", "every_minutes": 60})
    );
}

#[tokio::test]
async fn the_templates_are_installed_once_and_disabled() {
    let f = fixture();
    assert_eq!(f.engine.install_templates().await.unwrap(), 5);
    assert_eq!(f.engine.install_templates().await.unwrap(), 0);
    let all = f.engine.store().workflows().await.unwrap();
    assert_eq!(all.len(), 5, "twice is still five");
    assert!(all.iter().all(|w| !w.enabled));
    assert!(
        all.iter()
            .any(|w| w.name == "Αναπάντητη κλήση → ticket επανάκλησης")
    );
}

#[tokio::test]
async fn the_missed_call_template_opens_a_ticket_for_a_customer_and_a_lead_otherwise() {
    let f = fixture();
    f.engine.install_templates().await.unwrap();
    let all = f.engine.store().workflows().await.unwrap();
    let wf = all
        .iter()
        .find(|w| w.name.starts_with("Αναπάντητη κλήση"))
        .unwrap();
    f.engine.set_enabled(wf.id, true).await.unwrap();
    let known = json!({"entry_id": "e1", "customer_id": "c-1", "sender": "+302101234567",
                       "subject": null, "body": null});
    let unknown = json!({"entry_id": "e2", "customer_id": null, "sender": "+306900000000",
                         "subject": null, "body": null});
    for data in [known, unknown] {
        let runs = f.engine.emit("call.missed", data, 0).await.unwrap();
        assert_eq!(runs[0].status, RunStatus::Succeeded);
    }
    let kinds: Vec<(String, Value)> = f
        .port
        .calls()
        .into_iter()
        .map(|(kind, _, input)| (kind, input))
        .collect();
    assert_eq!(kinds[1].0, "create_ticket");
    assert_eq!(kinds[1].1["title"], "Επανάκληση: +302101234567");
    assert_eq!(kinds[1].1["customer_id"], "c-1");
    assert_eq!(kinds[3].0, "create_lead");
    assert_eq!(kinds[3].1["phone"], "+306900000000");
}

#[tokio::test]
async fn the_urgent_ticket_template_tells_the_manager_after_four_untouched_hours() {
    let f = fixture();
    f.engine.install_templates().await.unwrap();
    let all = f.engine.store().workflows().await.unwrap();
    let wf = all
        .iter()
        .find(|w| w.name.starts_with("Επείγον ticket"))
        .unwrap();
    f.engine.set_enabled(wf.id, true).await.unwrap();
    let ticket = |id: &str, priority: &str| {
        json!({"ticket_id": id, "number": format!("TCK-2026-{id}"), "customer_id": "c-1",
               "title": "Ράγισε η καμπάνα", "priority": priority, "kind": "repair",
               "assignee": null})
    };
    let runs = [
        ticket("0001", "urgent"),
        ticket("0002-touched", "urgent"),
        ticket("0003", "normal"),
    ];
    let mut ids = Vec::new();
    for data in runs {
        ids.push(f.engine.emit("ticket.created", data, 0).await.unwrap()[0].id);
    }
    let status = |i: usize| {
        let engine = f.engine.clone();
        let id = ids[i];
        async move { engine.store().run(id).await.unwrap().status }
    };
    assert_eq!(status(0).await, RunStatus::Waiting);
    assert_eq!(
        status(2).await,
        RunStatus::Succeeded,
        "not urgent: nothing to do"
    );
    let later = Timestamp::from(t0().into_inner() + time::Duration::hours(4));
    f.clock.set(later);
    assert_eq!(f.engine.fire_due(later).await.unwrap(), 2);
    let sent: Vec<Value> = f
        .port
        .calls()
        .into_iter()
        .filter(|(kind, _, _)| kind == "send_email")
        .map(|(_, _, input)| input)
        .collect();
    assert_eq!(sent.len(), 1, "only the untouched ticket");
    assert_eq!(sent[0]["to"], "manager@example.com");
    assert_eq!(
        sent[0]["subject"],
        "Επείγον ticket TCK-2026-0001 χωρίς ενέργεια 4 ώρες"
    );
}
