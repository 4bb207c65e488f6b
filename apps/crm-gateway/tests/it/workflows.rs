//! Workflow automation through the running gateway: who may read and write, a definition
//! refused at save naming the node's field, a manual run whose ticket, e-mail (through the
//! real Postfix and Dovecot) and WhatsApp messages (to the scripted Graph API) go out once
//! however often the run is retried, a crash between a creation and its record, `get_ticket`'s
//! `touched`, and the events end to end — a missed call from a scripted AMI peer becomes a
//! call-back ticket, a WhatsApp message or an e-mail from an unknown sender a lead, a new
//! ticket and a delivered order start their workflows.

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

/// [`workflow`], then enabled: its event or schedule starts it.
async fn enabled_workflow(app: &TestApp, name: &str, trigger: Value, nodes: Value) -> Value {
    let w = workflow(app, name, trigger, nodes).await;
    let id = w["id"].as_str().unwrap();
    let path = format!("/api/crm/workflows/{id}/enable");
    expect(app.post(&path, &json!({})).await, 200).await
}

/// The workflows of a list named `name` (the ready templates are installed beside them).
fn named<'a>(list: &'a Value, name: &str) -> Vec<&'a Value> {
    list["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["name"] == name)
        .collect()
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
    assert_eq!(run["step_count"], 1, "{run}");
    assert_eq!(run["trigger"], json!({}), "{run}");
    // trigger data is an object: anything else is refused, naming the field
    for input in [json!(null), json!([1, 2]), json!("x")] {
        let e = expect(
            app.post(
                &format!("/api/crm/workflows/{id}/runs"),
                &json!({ "input": input }),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(e["error"]["details"]["field"], "input", "{e}");
    }
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
    assert_eq!(named(&list, "Test").len(), 1, "{list}");
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
    assert_eq!(named(&list, "Broken"), [] as [&Value; 0], "nothing saved");

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

/// The app state of `config` with the workflows' port attached, as a server has it: what the
/// tests that call the port directly (no HTTP) need.
async fn port_state(config: &crm_gateway::config::Config) -> Arc<crm_gateway::state::AppState> {
    let state = Arc::new(
        crm_gateway::state::AppState::open(config, Arc::new(crm_core::SystemClock))
            .await
            .unwrap(),
    );
    state.workflows.outputs().attach(&state);
    state
}

async fn customer_named(
    state: &crm_gateway::state::AppState,
    name: &str,
) -> crm_customers::Customer {
    crm_customers::Customers::create(
        &state.customers,
        serde_json::from_value(json!({ "name": name })).unwrap(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn an_output_repeated_with_its_key_answers_the_first_ticket() {
    // what a resume after a crash between the action and its step does: the same key again
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    let state = port_state(&config).await;
    let customer = customer_named(&state, "Ναός Αγίου Νικολάου").await;
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
async fn a_crash_between_a_creation_and_its_record_still_leaves_one_ticket_and_one_lead() {
    // the output's record lost (what a crash right after the creation leaves): the ticket and
    // the lead carry the key, written with them, so asking again finds them
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    let state = port_state(&config).await;
    let customer = customer_named(&state, "Ναός Αγίας Ειρήνης").await;
    let run = uuid::Uuid::now_v7();
    let calls = [
        (
            "create_ticket",
            "ticket",
            json!({"title": "Call back", "customer_id": customer.id.to_string()}),
        ),
        (
            "create_lead",
            "lead",
            json!({"title": "Νέα καμπάνα", "name": "π. Ιωάννης"}),
        ),
    ];
    for (kind, node, input) in calls {
        let call = crm_workflows::OutputCall {
            kind: kind.into(),
            idempotency_key: format!("{run}:{node}"),
            input,
            run_id: run,
            depth: 0,
        };
        let first = state
            .workflows
            .outputs()
            .perform(call.clone())
            .await
            .unwrap();
        let key = call.idempotency_key.clone();
        let forgotten = state
            .db
            .write(move |c| {
                c.execute("DELETE FROM workflow_outputs WHERE key = ?1", [key])
                    .map_err(crm_core::DbError::from)
            })
            .await;
        assert_eq!(forgotten.ok(), Some(1), "{kind}: its record was there");
        let again = state.workflows.outputs().perform(call).await.unwrap();
        assert_eq!(first, again, "{kind}");
    }
    let tickets = state
        .tickets
        .list(crm_tickets::ListQuery::default())
        .await
        .unwrap();
    assert_eq!(tickets.total, 1);
    let leads = crm_sales::Sales::list(&state.sales, crm_sales::ListQuery::default())
        .await
        .unwrap();
    assert_eq!(leads.total, 1);
}

#[tokio::test]
async fn an_email_without_mail_configured_fails_on_its_node_and_says_why() {
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
        run["error"].as_str().unwrap().contains("not configured"),
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
    let w = enabled_workflow(
        &app,
        "Missed call → call-back",
        json!({"kind": "event", "name": "call.missed"}),
        nodes,
    )
    .await;
    let id = w["id"].as_str().unwrap();
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
    // the ticket is there a moment before the run records its step
    let runs = eventually("the run's end", async || {
        let runs = expect(app.get(&format!("/api/crm/workflows/{id}/runs")).await, 200).await;
        (runs["runs"][0]["status"] != "running").then_some(runs)
    })
    .await;
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
    let w = enabled_workflow(
        &app,
        "WhatsApp from unknown → lead",
        json!({"kind": "event", "name": "whatsapp.received"}),
        nodes,
    )
    .await;
    let id = w["id"].as_str().unwrap();
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

// ---------------------------------------------------------------------------------------------
// Sending, reading a ticket, and the events of mail and orders

fn mail_env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start the servers with `eval \"$(scripts/infra/start-mail.sh)\"` (./scripts/test.sh does)")
    })
}

fn mail_port(var: &str) -> u16 {
    mail_env(var).parse().expect("a port number")
}

fn imap() -> mail_bridge::ImapConfig {
    mail_bridge::ImapConfig::new(
        mail_env("MAIL_HOST"),
        mail_port("MAIL_IMAP_PORT"),
        mail_bridge::Security::Plain,
        mail_env("MAIL_USER"),
        mail_env("MAIL_PASS"),
    )
}

/// The gateway follows `inbound` and `sent` of the test mailbox and sends through Postfix
/// (as in `mail.rs`).
fn with_mail(c: &mut crm_gateway::config::Config, inbound: &str, sent: &str) {
    let ca = std::fs::read(mail_env("MAIL_CA_CERT")).unwrap();
    let mut imap = imap();
    imap.security = mail_bridge::Security::StartTls;
    imap.ca_pem = Some(ca.clone());
    let mut smtp = mail_bridge::SmtpConfig::new(
        mail_env("MAIL_HOST"),
        mail_port("MAIL_SMTP_PORT"),
        mail_bridge::Security::StartTls,
    );
    smtp.ca_pem = Some(ca);
    c.mail = Some(crm_gateway::config::MailAccountConfig {
        imap: Some(imap),
        folders: Some(format!("{inbound}:inbound, {sent}:outbound")),
        smtp: Some(smtp),
        from: Some(format!("BellSystems <{}>", mail_env("MAIL_ADDRESS"))),
        ..crm_gateway::config::MailAccountConfig::default()
    });
}

/// A session on the test mailbox and new folders named after `prefix`: inbound, sent, and
/// the customer's (where mail to [`address_for`] it lands).
async fn mail_folders(prefix: &str) -> (mail_bridge::ImapSession, String, String, String) {
    let mut s = mail_bridge::ImapSession::connect(&imap()).await.unwrap();
    let inbound = unique(prefix);
    let sent = format!("{inbound}-sent");
    let customer = format!("{inbound}-customer");
    for f in [&inbound, &sent, &customer] {
        s.create_folder(f).await.unwrap();
    }
    (s, inbound, sent, customer)
}

/// `crm+Folder@example.test` is delivered into Folder.
fn address_for(folder: &str) -> String {
    format!(
        "{}+{folder}@{}",
        mail_env("MAIL_USER"),
        mail_env("MAIL_DOMAIN")
    )
}

/// Runs the manual workflow `id` with `input`, then retries it twice (the assert at its end
/// fails each time), and answers the first run.
async fn run_and_retry_twice(app: &TestApp, id: &str, input: Value) -> Value {
    let run = expect(
        app.post(
            &format!("/api/crm/workflows/{id}/runs"),
            &json!({ "input": input }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["failed_node"], "check", "{run}");
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
    run
}

#[tokio::test]
#[ignore = "needs the mail servers: ./scripts/test.sh starts them"]
async fn a_workflow_email_reaches_the_customer_once_however_often_the_run_is_retried() {
    let (mut s, inbound, sent, folder) = mail_folders("wf-mail").await;
    let app = spawn_app_with(|c| with_mail(c, &inbound, &sent)).await;
    let to = address_for(&folder);
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ιερός Ναός Αγίας Παρασκευής", "contacts": [{"type": "email", "value": to}]}),
        )
        .await;
    let cid = c["id"].as_str().unwrap();
    let nodes = json!([
        {"key": "thanks", "kind": "send_email", "next": "check", "config": {
            "customer_id": "{{ trigger.customer_id }}",
            "subject": "Ευχαριστούμε για την παραγγελία {{ trigger.number }}",
            "body": "Η καμπάνα σας παραδόθηκε."}},
        {"key": "check", "kind": "assert", "config": {"condition": "trigger.ready", "message": "not ready"}},
    ]);
    let w = workflow(&app, "Thank-you e-mail", json!({"kind": "manual"}), nodes).await;
    let id = w["id"].as_str().unwrap();
    let input = json!({"customer_id": cid, "number": "ORD-2026-007", "ready": false});
    let run = run_and_retry_twice(&app, id, input).await;
    let output = &run["steps"][0]["output"];
    let message_id = output["message_id"].as_str().expect("a message id");

    // it went out through Postfix into the customer's folder, once
    let start = std::time::Instant::now();
    while s.status(&folder).await.unwrap().exists < 1 {
        assert!(start.elapsed() < Duration::from_secs(20), "never delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    s.select(&folder).await.unwrap();
    let got = s.list_messages().await.unwrap();
    let runs = expect(app.get(&format!("/api/crm/workflows/{id}/runs")).await, 200).await;
    let run_id = run["id"].as_str().unwrap();
    let log = expect(
        app.get(&format!("/api/crm/workflow-runs/{run_id}")).await,
        200,
    )
    .await;
    assert_eq!(got.len(), 1, "delivered once: {got:?} {runs} {log}");
    assert_eq!(got[0].message_id.as_deref(), Some(message_id), "{got:?}");

    // logged once on the customer's timeline, by the workflow
    let page = expect(
        app.get(&format!("/api/crm/comms?type=email&customer_id={cid}"))
            .await,
        200,
    )
    .await;
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{page}");
    assert_eq!(entries[0]["id"], output["entry_id"], "{page}");
    assert_eq!(entries[0]["logged_by"], "workflow", "{page}");
    assert_eq!(
        entries[0]["subject"], "Ευχαριστούμε για την παραγγελία ORD-2026-007",
        "{page}"
    );
}

#[tokio::test]
#[ignore = "needs the mail servers: ./scripts/test.sh starts them"]
async fn an_email_from_an_unknown_sender_starts_the_workflow_once_and_becomes_a_lead() {
    let (mut s, inbound, sent, _) = mail_folders("wf-inbound").await;
    let app = spawn_app_with(|c| with_mail(c, &inbound, &sent)).await;
    let nodes = json!([
        {"key": "unknown", "kind": "if", "config": {"condition": "trigger.customer_id == ()"},
         "branches": {"then": "lead"}},
        {"key": "lead", "kind": "create_lead", "config": {
            "title": "E-mail: {{ trigger.subject }}", "name": "{{ trigger.sender }}",
            "source": "email"}},
    ]);
    let w = enabled_workflow(
        &app,
        "E-mail from unknown → lead",
        json!({"kind": "event", "name": "email.received"}),
        nodes,
    )
    .await;
    let id = w["id"].as_str().unwrap();
    let raw = "From: Πάτερ Γεώργιος <pater.georgios@example.test>\r\nTo: crm@example.test\r\n\
               Subject: Νέα καμπάνα για το παρεκκλήσι\r\nDate: Tue, 02 Apr 2024 10:00:00 +0300\r\n\
               Message-ID: <wf-inbound-1@example.test>\r\nMIME-Version: 1.0\r\n\
               Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
               Θα θέλαμε μια προσφορά.\r\n";
    s.append(&inbound, raw.as_bytes(), false, None)
        .await
        .unwrap();
    for _ in 0..2 {
        // the second pass meets the message again: no second event
        let reports = expect(
            app.post("/api/crm/email/sync", &json!({"verify": true}))
                .await,
            200,
        )
        .await;
        assert!(
            reports
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["error"].is_null()),
            "{reports}"
        );
    }
    let leads = eventually("the lead", async || {
        let leads = expect(app.get("/api/crm/leads").await, 200).await;
        (leads["total"] == 1).then_some(leads)
    })
    .await;
    let lead = &leads["leads"][0];
    assert_eq!(
        lead["title"], "E-mail: Νέα καμπάνα για το παρεκκλήσι",
        "{lead}"
    );
    assert_eq!(lead["source"], "email", "{lead}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let runs = expect(app.get(&format!("/api/crm/workflows/{id}/runs")).await, 200).await;
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(
        runs["runs"][0]["trigger"]["sender"], "pater.georgios@example.test",
        "{runs}"
    );
}

fn with_graph(c: &mut crm_gateway::config::Config, graph: &wa_bridge::testing::GraphPeer) {
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
}

#[tokio::test]
async fn a_workflow_whatsapp_reaches_the_graph_api_once_however_often_the_run_is_retried() {
    let graph = wa_bridge::testing::GraphPeer::start().await.unwrap();
    let app = spawn_app_with(|c| with_graph(c, &graph)).await;
    let c = app
        .create(
            "/api/crm/customers",
            json!({"name": "Ιερός Ναός Αγίου Νικολάου", "contacts": [{"type": "whatsapp", "value": "691 234 5678"}]}),
        )
        .await;
    let cid = c["id"].as_str().unwrap();
    let nodes = json!([
        {"key": "text", "kind": "send_whatsapp", "next": "template", "config": {
            "customer_id": "{{ trigger.customer_id }}", "text": "Η καμπάνα {{ trigger.bell }} είναι έτοιμη."}},
        {"key": "template", "kind": "send_whatsapp", "next": "check", "config": {
            "to": "{{ trigger.phone }}", "template": "order_ready", "parameters": ["{{ trigger.bell }}"]}},
        {"key": "check", "kind": "assert", "config": {"condition": "trigger.ready", "message": "not ready"}},
    ]);
    let w = workflow(&app, "WhatsApp", json!({"kind": "manual"}), nodes).await;
    let id = w["id"].as_str().unwrap();
    let input = json!({"customer_id": cid, "bell": "B-7", "phone": "6977 777777", "ready": false});
    let run = run_and_retry_twice(&app, id, input).await;
    assert!(run["steps"][0]["output"]["message_id"].is_string(), "{run}");
    assert!(run["steps"][0]["output"]["entry_id"].is_string(), "{run}");
    let sends = graph.state().sends.clone();
    assert_eq!(sends.len(), 2, "one text and one template: {sends:?}");
    assert_eq!(sends[0]["to"], "306912345678", "{sends:?}");
    assert_eq!(
        sends[0]["text"]["body"], "Η καμπάνα B-7 είναι έτοιμη.",
        "{sends:?}"
    );
    assert_eq!(sends[1]["to"], "306977777777", "{sends:?}");
    assert_eq!(sends[1]["template"]["name"], "order_ready", "{sends:?}");
    assert_eq!(sends[1]["template"]["language"]["code"], "el", "{sends:?}");
    let page = expect(
        app.get(&format!("/api/crm/comms?type=whatsapp&customer_id={cid}"))
            .await,
        200,
    )
    .await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["entries"][0]["logged_by"], "workflow", "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_performed_twice_at_once_sends_once() {
    // the same run driven twice at the same time (a resume racing a run in progress)
    let graph = wa_bridge::testing::GraphPeer::start().await.unwrap();
    graph.state().delay = Duration::from_millis(300);
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    with_graph(&mut config, &graph);
    let state = port_state(&config).await;
    let run = uuid::Uuid::now_v7();
    let call = crm_workflows::OutputCall {
        kind: "send_whatsapp".into(),
        idempotency_key: format!("{run}:notify"),
        input: json!({"to": "6912345678", "text": "Η καμπάνα είναι έτοιμη."}),
        run_id: run,
        depth: 0,
    };
    let port = state.workflows.outputs();
    let (a, b) = tokio::join!(port.perform(call.clone()), port.perform(call));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    let sends = graph.state().sends.clone();
    assert_eq!(sends.len(), 1, "{sends:?}");
}

#[tokio::test]
async fn get_ticket_says_whether_a_person_touched_the_ticket() {
    let app = spawn_app().await;
    let c = app.customer("Ιερά Μονή Βατοπεδίου").await;
    let cid = c["id"].as_str().unwrap();
    let nodes = json!([
        {"key": "ticket", "kind": "create_ticket", "next": "read", "config": {
            "title": "Επείγον: {{ trigger.title }}", "customer_id": "{{ trigger.customer_id }}",
            "priority": "urgent", "assignee": "maria"}},
        {"key": "read", "kind": "get_ticket", "config": {"ticket_id": "{{ nodes.ticket.ticket_id }}"}},
    ]);
    let w = workflow(&app, "Urgent", json!({"kind": "manual"}), nodes).await;
    let id = w["id"].as_str().unwrap();
    let run = expect(
        app.post(
            &format!("/api/crm/workflows/{id}/runs"),
            &json!({"input": {"customer_id": cid, "title": "σπασμένος γλωσσίδι"}}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let read = &run["steps"][1]["output"];
    let tid = read["ticket_id"].as_str().unwrap();
    assert_eq!(read["number"], run["steps"][0]["output"]["number"], "{run}");
    assert_eq!(read["status"], "new", "{read}");
    assert_eq!(read["priority"], "urgent", "{read}");
    assert_eq!(read["assignee"], "maria", "{read}");
    assert_eq!(read["customer_id"], cid, "{read}");
    assert_eq!(
        read["touched"], false,
        "what the workflow did is no touch: {read}"
    );

    // a person changes the status: touched; the read is not kept, it answers the ticket now
    let read_ticket = json!([{"key": "read", "kind": "get_ticket", "config": {"ticket_id": tid}}]);
    let r = workflow(&app, "Read", json!({"kind": "manual"}), read_ticket).await;
    let rid = r["id"].as_str().unwrap();
    let path = format!("/api/crm/workflows/{rid}/runs");
    let before = expect(app.post(&path, &json!({})).await, 201).await;
    assert_eq!(before["steps"][0]["output"]["touched"], false, "{before}");
    expect(
        app.put(
            &format!("/api/crm/tickets/{tid}"),
            &json!({"status": "open"}),
        )
        .await,
        200,
    )
    .await;
    let after = expect(app.post(&path, &json!({})).await, 201).await;
    assert_eq!(after["steps"][0]["output"]["touched"], true, "{after}");
    assert_eq!(after["steps"][0]["output"]["status"], "open", "{after}");

    // no such ticket: the node fails naming its field
    let nobody = json!([{"key": "read", "kind": "get_ticket",
        "config": {"ticket_id": uuid::Uuid::new_v4().to_string()}}]);
    let n = workflow(&app, "Nobody", json!({"kind": "manual"}), nobody).await;
    let nid = n["id"].as_str().unwrap();
    let failed = expect(
        app.post(&format!("/api/crm/workflows/{nid}/runs"), &json!({}))
            .await,
        201,
    )
    .await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"].as_str().unwrap().contains("ticket_id"),
        "{failed}"
    );
}

#[tokio::test]
async fn a_new_ticket_carries_its_number_priority_and_kind_to_its_workflows() {
    let app = spawn_app().await;
    let c = app.customer("Ιερός Ναός Αγίου Αθανασίου").await;
    let cid = c["id"].as_str().unwrap();
    let nodes = json!([
        {"key": "urgent", "kind": "if", "config": {"condition": "trigger.priority == \"urgent\""},
         "branches": {"then": "lead"}},
        {"key": "lead", "kind": "create_lead", "config": {
            "title": "{{ trigger.number }} {{ trigger.kind }} {{ trigger.assignee }}",
            "customer_id": "{{ trigger.customer_id }}"}},
    ]);
    enabled_workflow(
        &app,
        "Urgent tickets",
        json!({"kind": "event", "name": "ticket.created"}),
        nodes,
    )
    .await;
    let t = app
        .create(
            "/api/crm/tickets",
            json!({"customer_id": cid, "subject": "Δεν χτυπά", "kind": "repair",
                   "priority": "urgent", "assignee": "nikos"}),
        )
        .await;
    let number = t["number"].as_str().unwrap();
    let leads = eventually("the lead", async || {
        let leads = expect(app.get("/api/crm/leads").await, 200).await;
        (leads["total"] == 1).then_some(leads)
    })
    .await;
    assert_eq!(
        leads["leads"][0]["title"],
        format!("{number} repair nikos"),
        "{leads}"
    );
}

#[tokio::test]
async fn delivering_an_order_starts_its_workflows_once() {
    let app = spawn_app().await;
    let c = app.customer("Ιερός Ναός Παναγίας").await;
    let cid = c["id"].as_str().unwrap();
    let nodes = json!([
        {"key": "ticket", "kind": "create_ticket", "config": {
            "title": "Συντήρηση μετά την παράδοση {{ trigger.number }}",
            "customer_id": "{{ trigger.customer_id }}", "kind": "maintenance"}},
    ]);
    let w = enabled_workflow(
        &app,
        "After delivery",
        json!({"kind": "event", "name": "order.delivered"}),
        nodes,
    )
    .await;
    let id = w["id"].as_str().unwrap();
    let bell = app
        .create(
            "/api/crm/products",
            json!({ "name": "Κρουστήρας STRIKER-80", "sku": "STRIKER-80", "category": "striker",
                    "price": 4200, "stock": { "on_hand": 3 } }),
        )
        .await;
    let o = app
        .create(
            "/api/crm/orders",
            json!({ "customer_id": cid, "items": [
                { "product_id": bell["id"], "quantity": 1, "unit_price": 4200 }] }),
        )
        .await;
    let oid = o["id"].as_str().unwrap();
    let number = o["order_number"].as_str().unwrap();
    let put = |body: Value| {
        let app = &app;
        async move { expect(app.put(&format!("/api/crm/orders/{oid}"), &body).await, 200).await }
    };
    for status in ["confirmed", "shipped"] {
        put(json!({ "status": status })).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(tickets_of(&app, cid).await["total"], 0, "not delivered yet");
    put(json!({ "status": "delivered" })).await;
    // a later change of the delivered order is no second delivery
    put(json!({ "notes": "Παραδόθηκε στον π. Ιωάννη" })).await;
    let ts = eventually("the maintenance ticket", async || {
        let ts = tickets_of(&app, cid).await;
        (ts["total"] == 1).then_some(ts)
    })
    .await;
    assert_eq!(
        ts["tickets"][0]["subject"],
        format!("Συντήρηση μετά την παράδοση {number}"),
        "{ts}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let runs = expect(app.get(&format!("/api/crm/workflows/{id}/runs")).await, 200).await;
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(runs["runs"][0]["trigger"]["order_id"], oid, "{runs}");
}

/// Starts the real `crm` binary on `data_dir` (as `durability.rs` does) and answers it with
/// its base URL.
fn start_crm(data_dir: &std::path::Path) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .arg("serve")
        .env("CRM_BIND", "127.0.0.1:0")
        .env("CRM_DATA_DIR", data_dir)
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "warn,crm_gateway=info")
        .env("CRM_WORKERS", "2")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent
                && line.contains("listening")
                && let Some(addr) = line.split("address=").nth(1)
            {
                let addr = addr.split_whitespace().next().unwrap_or_default();
                let _ = tx.send(addr.to_owned());
                sent = true;
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("crm did not start listening");
    (child, format!("http://{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_right_after_its_ticket_waits_after_the_restart_with_one_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let token = token(&["crm:view", "crm:edit"]);
    let (mut child, base) = start_crm(dir.path());
    let call = |method: Method, base: &str, path: &str, body: Option<Value>| {
        let req = client
            .request(method, format!("{base}{path}"))
            .bearer_auth(&token);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let path = path.to_owned();
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let v: Value = resp.json().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {v}");
            v
        }
    };
    let c = call(
        Method::POST,
        &base,
        "/api/crm/customers",
        Some(json!({"name": "Ιερός Ναός Αγίου Σπυρίδωνα"})),
    )
    .await;
    let cid = c["id"].as_str().unwrap().to_owned();
    let nodes = json!([
        {"key": "ticket", "kind": "create_ticket", "next": "later",
         "config": {"title": "Έλεγχος καμπάνας", "customer_id": "{{ trigger.customer_id }}"}},
        {"key": "later", "kind": "wait", "config": {"amount": 1, "unit": "minutes"}},
    ]);
    let w = call(
        Method::POST,
        &base,
        "/api/crm/workflows",
        Some(json!({"name": "Ticket, then wait",
                    "definition": {"trigger": {"kind": "manual"}, "nodes": nodes}})),
    )
    .await;
    let id = w["id"].as_str().unwrap().to_owned();
    // the run starts; the process dies as soon as its ticket can be read, before or after
    // the run recorded it
    let run = client
        .post(format!("{base}/api/crm/workflows/{id}/runs"))
        .bearer_auth(&token)
        .json(&json!({"input": {"customer_id": cid}}))
        .send();
    tokio::spawn(run);
    let tickets = format!("/api/crm/tickets?customer_id={cid}");
    let start = std::time::Instant::now();
    while call(Method::GET, &base, &tickets, None).await["total"] != 1 {
        assert!(start.elapsed() < Duration::from_secs(10), "no ticket");
    }
    child.kill().unwrap(); // SIGKILL: no shutdown
    child.wait().unwrap();

    let (mut child, base) = start_crm(dir.path());
    let runs_path = format!("/api/crm/workflows/{id}/runs");
    let start = std::time::Instant::now();
    let runs = loop {
        let runs = call(Method::GET, &base, &runs_path, None).await;
        if runs["runs"][0]["status"] == "waiting" {
            break runs;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the run never resumed to its wait: {runs}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let ts = call(Method::GET, &base, &tickets, None).await;
    let run_id = runs["runs"][0]["id"].as_str().unwrap();
    let one = call(
        Method::GET,
        &base,
        &format!("/api/crm/workflow-runs/{run_id}"),
        None,
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(ts["total"], 1, "exactly one ticket: {ts}");
    let made: Vec<&Value> = one["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["node"] == "ticket" && s["succeeded"] == true)
        .collect();
    assert_eq!(made.len(), 1, "{one}");
    assert_eq!(
        made[0]["output"]["ticket_id"], ts["tickets"][0]["id"],
        "{one}"
    );
}
