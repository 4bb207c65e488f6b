use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_restart_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_in(dir.path()).await;
    let c = app.customer("Μητρόπολη Θεσσαλονίκης").await;
    let p = app.product("KEEP-1", "3.10").await;
    let o = app
        .create("/api/crm/orders", json!({ "customer_id": c["id"], "items": [{ "product_id": p["id"], "quantity": 1, "unit_price": "3.10" }] }))
        .await;
    app.stop().await;

    let again = spawn_app_in(dir.path()).await;
    for (kind, v) in [("customers", &c), ("products", &p), ("orders", &o)] {
        let got = expect(
            again
                .get(&format!("/api/crm/{kind}/{}", v["id"].as_str().unwrap()))
                .await,
            200,
        )
        .await;
        assert_eq!(&got, v, "{kind} changed across a restart");
    }
    // the order sequence continues rather than restarting
    let next = again
        .create(
            "/api/crm/orders",
            json!({ "customer_id": c["id"], "items": [] }),
        )
        .await;
    assert!(
        next["order_number"].as_str().unwrap().ends_with("-002"),
        "{next}"
    );
}

/// Starts the real `crm` binary and returns it with the address it listens on.
pub(crate) fn start_crm(data_dir: &Path) -> (Child, String) {
    start_crm_with(data_dir, &[])
}

/// [`start_crm`] with more environment variables.
fn start_crm_with(data_dir: &Path, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
        .arg("serve")
        .envs(env.iter().copied())
        .env("CRM_BIND", "127.0.0.1:0")
        .env("CRM_DATA_DIR", data_dir)
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "warn,crm_gateway=info")
        .env("CRM_WORKERS", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent
                && line.contains("listening")
                && let Some(addr) = line.split("address=").nth(1)
            {
                {
                    let addr = addr
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = tx.send(addr);
                    sent = true;
                }
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("crm did not start listening");
    (child, format!("http://{addr}"))
}

/// Posts from `writers` concurrent clients (`body(writer, n)` to `path`) to the real binary,
/// kills it with SIGKILL mid-stream, restarts it and checks that every write answered 201
/// can be read back at `path/{id}`.
async fn acknowledged_writes_survive_kill_9(
    path: &'static str,
    writers: usize,
    body: fn(usize, usize) -> serde_json::Value,
) {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = start_crm(dir.path());
    let client = reqwest::Client::new();
    let token = token(&["crm:view", "crm:edit"]);
    let writers = Writers::start(&base, &token, path, writers, body);
    // kill mid-stream: once writes are being acknowledged, plus a while
    writers.until_acked(1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    child.wait().unwrap();
    let (acked, _) = writers.stop().await;
    let acked: Vec<String> = acked.into_iter().map(|a| a.id).collect();
    assert!(
        acked.len() > 100,
        "too few writes acknowledged before the kill: {}",
        acked.len()
    );

    let (mut child, base) = start_crm(dir.path());
    let mut missing = Vec::new();
    for id in &acked {
        let r = client
            .get(format!("{base}{path}/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if r.status() != 200 {
            missing.push(id.clone());
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes lost",
        missing.len(),
        acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_customers_survive_kill_9() {
    acknowledged_writes_survive_kill_9(
        "/api/crm/customers",
        16,
        |w, n| json!({ "name": format!("Ενορία {w}-{n}") }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_comms_entries_survive_kill_9() {
    acknowledged_writes_survive_kill_9("/api/crm/comms", 32, comms_entry).await;
}

const WA_SECRET: &str = "wa-app-secret-durability";

fn wa_env() -> [(&'static str, &'static str); 5] {
    [
        ("CRM_WA_PHONE_NUMBER_ID", "106540352242922"),
        ("CRM_WA_ACCESS_TOKEN", "token"),
        ("CRM_WA_APP_SECRET", WA_SECRET),
        ("CRM_WA_VERIFY_TOKEN", "verify"),
        // nothing listens there: these messages carry no media
        ("CRM_WA_GRAPH_URL", "http://127.0.0.1:9"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_acknowledged_just_before_kill_9_is_processed_once() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let token = token(&["crm:view", "crm:edit"]);
    let body = serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "1", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "302101234567", "phone_number_id": "106540352242922" },
            "contacts": [{ "profile": { "name": "Ψάλτης" }, "wa_id": "306955555555" }],
            "messages": [
                { "from": "306955555555", "id": "wamid.kill.1", "timestamp": "1764316800", "type": "text", "text": { "body": "πρώτο" } },
                { "from": "306955555555", "id": "wamid.kill.2", "timestamp": "1764316801", "type": "text", "text": { "body": "δεύτερο" } }
            ]
        }}]}]
    }))
    .unwrap();
    let signature = wa_bridge::signature::sign(WA_SECRET.as_bytes(), &body);

    let (mut child, base) = start_crm_with(dir.path(), &wa_env());
    let resp = client
        .post(format!("{base}/api/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", &signature)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    child.kill().unwrap(); // right after the 200: the worker may or may not have run
    child.wait().unwrap();

    let (mut child, base) = start_crm_with(dir.path(), &wa_env());
    // Meta retries the same delivery after the outage
    let resp = client
        .post(format!("{base}/api/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", &signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut inbox = serde_json::Value::Null;
    for _ in 0..100 {
        inbox = client
            .get(format!("{base}/api/crm/inbox"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if inbox["total"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again: serde_json::Value = client
        .get(format!("{base}/api/crm/inbox"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(inbox["total"], 2, "{inbox}");
    assert_eq!(again["total"], 2, "each message exactly once: {again}");
}

#[test]
fn the_start_up_log_says_where_the_console_is_before_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
        .arg("serve")
        .env("CRM_BIND", "0.0.0.0:0")
        .env("CRM_DATA_DIR", dir.path())
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "info")
        .env("CRM_LOG_FORMAT", "text")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("configuration");
        seen.push(line);
        if done || seen.len() > 50 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let listening = seen
        .iter()
        .position(|l| l.contains("listening") && l.contains("console=http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no console address in {seen:#?}"));
    let configuration = seen
        .iter()
        .position(|l| l.contains("configuration"))
        .unwrap_or_else(|| panic!("no configuration in {seen:#?}"));
    assert!(listening < configuration, "{seen:#?}");
    // secrets stay out of it
    assert!(!seen.join("\n").contains(SECRET));
}
