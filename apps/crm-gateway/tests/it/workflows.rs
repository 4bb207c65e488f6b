//! Workflow automation through the running gateway: who may read and write, a definition
//! refused at save naming the node's field, a manual run whose ticket is created once however
//! often the run is retried, and the two routines end to end — a missed call from a scripted
//! AMI peer becomes a call-back ticket, a WhatsApp message from an unknown number a lead.

use std::sync::Arc;
use std::time::Duration;

use ami_bridge::proto::{Decoded, Decoder, Frame, Message};
use crm_tickets::Tickets as _;
use crm_workflows::Outputs as _;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::helpers::*;

/// Polls `check` until it gives a value (runs start on a task of their own).
async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 5 s");
}

async fn workflow(app: &TestApp, name: &str, trigger: Value, nodes: Value) -> Value {
    let body = json!({"name": name, "definition": {"trigger": trigger, "nodes": nodes}});
    expect(app.post("/api/crm/workflows", &body).await, 201).await
}

async fn tickets_of(app: &TestApp, customer: &str) -> Value {
    expect(
        app.get(&format!("/api/crm/tickets?customer_id={customer}"))
            .await,
        200,
    )
    .await
}

#[tokio::test]
async fn viewers_read_workflows_and_only_editors_change_or_run_them() {
    let app = spawn_app().await;
    let w = workflow(
        &app,
        "Test",
        json!({"kind": "manual"}),
        json!([{"key": "done", "kind": "stop"}]),
    )
    .await;
    let id = w["id"].as_str().unwrap();
    let run = expect(
        app.post(&format!("/api/crm/workflows/{id}/runs"), &json!({}))
            .await,
        201,
    )
    .await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["steps"][0]["node"], "done", "{run}");
    let run_id = run["id"].as_str().unwrap();
    let reads = [
        "/api/crm/workflows".to_owned(),
        format!("/api/crm/workflows/{id}"),
        format!("/api/crm/workflows/{id}/runs"),
        format!("/api/crm/workflow-runs/{run_id}"),
    ];
    let writes = [
        (Method::POST, "/api/crm/workflows".to_owned()),
        (Method::PUT, format!("/api/crm/workflows/{id}")),
        (Method::POST, format!("/api/crm/workflows/{id}/enable")),
        (Method::POST, format!("/api/crm/workflows/{id}/disable")),
        (Method::POST, format!("/api/crm/workflows/{id}/runs")),
        (
            Method::POST,
            format!("/api/crm/workflow-runs/{run_id}/retry"),
        ),
        (
            Method::POST,
            format!("/api/crm/workflow-runs/{run_id}/cancel"),
        ),
    ];
    assert_auth_matrix(&app, &reads, &writes).await;
    let list = expect(app.get("/api/crm/workflows").await, 200).await;
    assert_eq!(list["workflows"].as_array().unwrap().len(), 1, "{list}");
    let runs = expect(app.get(&format!("/api/crm/workflows/{id}/runs")).await, 200).await;
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1, "{runs}");
    // a finished run is neither retried nor cancelled
    let path = format!("/api/crm/workflow-runs/{run_id}/retry");
    expect(app.post(&path, &json!({})).await, 409).await;
}

#[tokio::test]
async fn a_bad_expression_is_refused_naming_the_node_and_field_and_an_edit_is_a_new_version() {
    let app = spawn_app().await;
    let nodes = json!([
        {"key": "start", "kind": "stop"},
        {"key": "check", "kind": "if", "config": {"condition": "trigger.total >"}},
    ]);
    let body =
        json!({"name": "Broken", "definition": {"trigger": {"kind": "manual"}, "nodes": nodes}});
    let e = expect_error(
        app.post("/api/crm/workflows", &body).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(
        e["error"]["details"]["field"], "definition.nodes[1].config.condition",
        "{e}"
    );
    let list = expect(app.get("/api/crm/workflows").await, 200).await;
    assert_eq!(list["workflows"], json!([]), "nothing saved");

    let w = workflow(
        &app,
        "Fine",
        json!({"kind": "manual"}),
        json!([{"key": "start", "kind": "stop"}]),
    )
    .await;
    assert_eq!(w["version"], 1);
    assert_eq!(w["enabled"], false, "a new workflow starts disabled");
    let id = w["id"].as_str().unwrap();
    let edited = json!({"trigger": {"kind": "manual"}, "nodes": nodes});
    let e = expect_error(
        app.put(&format!("/api/crm/workflows/{id}"), &edited).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(
        e["error"]["details"]["field"], "nodes[1].config.condition",
        "{e}"
    );
    let fixed = json!({"trigger": {"kind": "manual"}, "nodes": [{"key": "end", "kind": "stop"}]});
    let v2 = expect(
        app.put(&format!("/api/crm/workflows/{id}"), &fixed).await,
        200,
    )
    .await;
    assert_eq!(v2["version"], 2, "{v2}");
}

#[tokio::test]
async fn a_manual_run_creates_its_ticket_once_even_when_retried() {
    let app = spawn_app().await;
    let c = app.customer("Ιερός Ναός Αγίας Σοφίας").await;
    let cid = c["id"].as_str().unwrap();
    let nodes = json!([
        {"key": "ticket", "kind": "create_ticket", "next": "check",
         "config": {"title": "Κουδούνι {{ trigger.bell }}", "customer_id": "{{ trigger.customer_id }}"}},
        {"key": "check", "kind": "assert", "config": {"condition": "trigger.ready", "message": "not ready"}},
    ]);
    let w = workflow(&app, "Test run", json!({"kind": "manual"}), nodes).await;
    let id = w["id"].as_str().unwrap();
    let input = json!({"input": {"customer_id": cid, "bell": "B-12", "ready": false}});
    let run = expect(
        app.post(&format!("/api/crm/workflows/{id}/runs"), &input)
            .await,
        201,
    )
    .await;
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["failed_node"], "check", "{run}");
    assert_eq!(
        run["steps"][0]["output"]["number"]
            .as_str()
            .map(|n| n.starts_with("TCK-")),
        Some(true),
        "{run}"
    );
    assert_eq!(
        run["steps"][1]["error"]
            .as_str()
            .map(|e| e.contains("not ready")),
        Some(true),
        "{run}"
    );
    let run_id = run["id"].as_str().unwrap();
    for _ in 0..2 {
        let again = expect(
            app.post(
                &format!("/api/crm/workflow-runs/{run_id}/retry"),
                &json!({}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(again["status"], "failed", "{again}");
    }
    let ts = tickets_of(&app, cid).await;
    assert_eq!(ts["total"], 1, "{ts}");
    assert_eq!(ts["tickets"][0]["subject"], "Κουδούνι B-12");
    let tid = ts["tickets"][0]["id"].as_str().unwrap();
    let acts = expect(
        app.get(&format!("/api/crm/tickets/{tid}/activities")).await,
        200,
    )
    .await;
    assert_eq!(acts[0]["actor"], "workflow", "{acts}");
    let one = expect(
        app.get(&format!("/api/crm/workflow-runs/{run_id}")).await,
        200,
    )
    .await;
    assert_eq!(one["steps"][0]["input"]["title"], "Κουδούνι B-12", "{one}");
    assert!(one["steps"][0]["duration_us"].as_i64().is_some(), "{one}");
}

#[tokio::test]
async fn an_output_repeated_with_its_key_answers_the_first_ticket() {
    // what a resume after a crash between the action and its step does: the same key again
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    let state = Arc::new(
        crm_gateway::state::AppState::open(&config, Arc::new(crm_core::SystemClock))
            .await
            .unwrap(),
    );
    state.workflows.outputs().attach(&state);
    let customer = crm_customers::Customers::create(
        &state.customers,
        serde_json::from_value(json!({"name": "Ναός Αγίου Νικολάου"})).unwrap(),
    )
    .await
    .unwrap();
    let call = crm_workflows::OutputCall {
        kind: "create_ticket".into(),
        idempotency_key: format!("{}:ticket", uuid::Uuid::now_v7()),
        input: json!({"title": "Call back", "customer_id": customer.id.to_string()}),
        run_id: uuid::Uuid::now_v7(),
        depth: 0,
    };
    let first = state
        .workflows
        .outputs()
        .perform(call.clone())
        .await
        .unwrap();
    let second = state.workflows.outputs().perform(call).await.unwrap();
    assert_eq!(first, second);
    let page = state
        .tickets
        .list(crm_tickets::ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn sending_is_not_wired_yet_and_the_run_says_so_on_its_node() {
    let app = spawn_app().await;
    let nodes = json!([{"key": "mail", "kind": "send_email",
        "config": {"to": "a@example.com", "subject": "Ευχαριστούμε", "body": "…"}}]);
    let w = workflow(&app, "Thanks", json!({"kind": "manual"}), nodes).await;
    let id = w["id"].as_str().unwrap();
    let run = expect(
        app.post(&format!("/api/crm/workflows/{id}/runs"), &json!({}))
            .await,
        201,
    )
    .await;
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["failed_node"], "mail", "{run}");
    assert!(
        run["error"].as_str().unwrap().contains("not wired yet"),
        "{run}"
    );
}

/// An ami-bridge fixture as it goes on the wire (as in `calls.rs`).
fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../crates/ami-bridge/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\r\n"))
        .collect::<String>()
        .into_bytes()
}

/// A scripted PBX: answers every action with Success and writes what `events` brings.
async fn pbx() -> (u16, tokio::sync::mpsc::UnboundedSender<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        stream
            .write_all(b"Asterisk Call Manager/7.0.3\r\n")
            .await
            .unwrap();
        let mut decoder = Decoder::without_banner(ami_bridge::proto::DEFAULT_MAX_FRAME);
        let mut buf = [0u8; 4096];
        let mut logged_in = false;
        loop {
            tokio::select! {
                read = stream.read(&mut buf) => {
                    let n = match read { Ok(0) | Err(_) => return, Ok(n) => n };
                    decoder.feed(&buf[..n]);
                    while let Ok(Decoded::Frame(Frame::Message(action))) = decoder.decode() {
                        let id = action.action_id().unwrap_or_default().to_owned();
                        let answer = Message::new().with("Response", "Success").with("ActionID", &id);
                        if stream.write_all(&answer.to_wire()).await.is_err() {
                            return;
                        }
                        logged_in |= action.get("Action") == Some("Login");
                    }
                }
                Some(bytes) = events.recv(), if logged_in => {
                    if stream.write_all(&bytes).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    (port, tx)
}

#[tokio::test]
async fn a_missed_call_becomes_a_call_back_ticket_for_whoever_is_on_duty() {
    let (port, pbx) = pbx().await;
    let app = spawn_app_with(|c| {
        c.ami = Some(
            ami_bridge::Config::new("127.0.0.1", port, "crm", "ami-secret-for-tests")
                .with_trunks(["PJSIP/trunk-", "SIP/provider"]),
        );
    })
    .await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ιερός Ναός Αγίου Δημητρίου", "contacts": [{"type": "phone", "value": "2310 555666"}]}),
        )
        .await;
    let cid = c["id"].as_str().unwrap().to_owned();
    let nodes = json!([
        {"key": "duty", "kind": "assign_user", "config": {"user": "maria"}, "next": "ticket"},
        {"key": "ticket", "kind": "create_ticket", "config": {
            "title": "Call back {{ trigger.sender }}", "customer_id": "{{ trigger.customer_id }}",
            "kind": "question", "priority": "high", "assignee": "{{ nodes.duty.user }}"}},
    ]);
    let w = workflow(
        &app,
        "Missed call → call-back",
        json!({"kind": "event", "name": "call.missed"}),
        nodes,
    )
    .await;
    let id = w["id"].as_str().unwrap();
    expect(
        app.post(&format!("/api/crm/workflows/{id}/enable"), &json!({}))
            .await,
        200,
    )
    .await;
    // the call comes once the workflow is enabled (the link may still be logging in: the
    // bridge reads the events after its login, in order)
    pbx.send(fixture("inbound_missed.txt")).unwrap();
    let ts = eventually("the call-back ticket", async || {
        let ts = tickets_of(&app, &cid).await;
        (ts["total"] == 1).then_some(ts)
    })
    .await;
    let t = &ts["tickets"][0];
    assert_eq!(t["subject"], "Call back +302310555666", "{t}");
    assert_eq!(t["assignee"], "maria", "{t}");
    assert_eq!(t["priority"], "high", "{t}");
    let runs = expect(app.get(&format!("/api/crm/workflows/{id}/runs")).await, 200).await;
    assert_eq!(runs["runs"][0]["status"], "succeeded", "{runs}");
    assert_eq!(
        runs["runs"][0]["trigger"]["customer_id"],
        cid.as_str(),
        "{runs}"
    );
}

const APP_SECRET: &str = "wa-app-secret-for-tests";

#[tokio::test]
async fn a_whatsapp_message_from_an_unknown_number_becomes_a_lead() {
    let graph = wa_bridge::testing::GraphPeer::start().await.unwrap();
    let app = spawn_app_with(|c| {
        c.whatsapp = Some(crm_gateway::config::WhatsAppConfig {
            graph: wa_bridge::Config {
                base_url: graph.url().to_owned(),
                ..wa_bridge::Config::new(
                    wa_bridge::testing::PHONE_NUMBER_ID,
                    wa_bridge::testing::TOKEN,
                )
            },
            app_secret: APP_SECRET.into(),
            verify_token: "wa-verify-token-for-tests".into(),
        });
    })
    .await;
    app.create(
        "/api/crm/customers",
        json!({"name": "Ιερός Ναός Αγίου Γεωργίου", "contacts": [{"type": "whatsapp", "value": "691 234 5678"}]}),
    )
    .await;
    let nodes = json!([
        {"key": "unknown", "kind": "if", "config": {"condition": "trigger.customer_id == ()"},
         "branches": {"then": "lead"}},
        {"key": "lead", "kind": "create_lead", "config": {
            "title": "WhatsApp: {{ trigger.body }}", "name": "{{ trigger.sender }}",
            "phone": "{{ trigger.sender }}", "source": "whatsapp"}},
    ]);
    let w = workflow(
        &app,
        "WhatsApp from unknown → lead",
        json!({"kind": "event", "name": "whatsapp.received"}),
        nodes,
    )
    .await;
    let id = w["id"].as_str().unwrap();
    expect(
        app.post(&format!("/api/crm/workflows/{id}/enable"), &json!({}))
            .await,
        200,
    )
    .await;
    let message = |id: &str, from: &str, text: &str| json!({"from": from, "id": id, "timestamp": "1764316800", "type": "text", "text": {"body": text}});
    let body = serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "302101234567", "phone_number_id": wa_bridge::testing::PHONE_NUMBER_ID},
            "messages": [message("wamid.K", "306912345678", "Η καμπάνα σταμάτησε"),
                         message("wamid.U", "306977777777", "Θέλουμε νέα καμπάνα")]
        }}]}]
    }))
    .unwrap();
    let signature = wa_bridge::signature::sign(APP_SECRET.as_bytes(), &body);
    for _ in 0..2 {
        // Meta retries the same body: the message is one entry and one lead
        let resp = app
            .client
            .post(format!("{}/api/webhooks/whatsapp", app.base))
            .header("content-type", "application/json")
            .header("X-Hub-Signature-256", &signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let leads = eventually("the lead", async || {
        let leads = expect(app.get("/api/crm/leads").await, 200).await;
        (leads["total"] == 1).then_some(leads)
    })
    .await;
    let lead = &leads["leads"][0];
    assert_eq!(lead["title"], "WhatsApp: Θέλουμε νέα καμπάνα", "{lead}");
    assert_eq!(lead["source"], "whatsapp", "{lead}");
    assert_eq!(
        lead["prospect"]["contacts"][0]["normalized"], "+306977777777",
        "{lead}"
    );
    // both messages ran the workflow; the known customer's took the other branch
    let runs = eventually("both runs", async || {
        let runs = expect(app.get(&format!("/api/crm/workflows/{id}/runs")).await, 200).await;
        (runs["runs"].as_array().unwrap().len() == 2).then_some(runs)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let leads = expect(app.get("/api/crm/leads").await, 200).await;
    assert_eq!(leads["total"], 1, "{leads} {runs}");
}
