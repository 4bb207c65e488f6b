//! SIGTERM: the real binary stops accepting, finishes what is in flight, leaves its peers
//! properly (AMI `Logoff`, IMAP `LOGOUT`) and exits 0, losing nothing it acknowledged.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::*;

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start the servers with `eval \"$(scripts/infra/start-mail.sh)\"` (./scripts/test.sh does)")
    })
}

/// The binary with the PBX and a mail account; returns it, its address and its log lines.
fn start(data_dir: &Path, pbx: u16, folder: &str) -> (Child, String, Arc<Mutex<Vec<String>>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
        .arg("serve")
        .env("CRM_BIND", "127.0.0.1:0")
        .env("CRM_DATA_DIR", data_dir)
        .env("CRM_JWT_SECRET", SECRET)
        .env("CRM_LOG", "warn,crm_gateway=info")
        .env("CRM_WORKERS", "2")
        .env("CRM_AMI_HOST", "127.0.0.1")
        .env("CRM_AMI_PORT", pbx.to_string())
        .env("CRM_AMI_USER", "crm")
        .env("CRM_AMI_SECRET", "ami-secret-for-tests")
        .env("CRM_AMI_TRUNKS", "PJSIP/trunk-")
        .env("CRM_IMAP_HOST", env("MAIL_HOST"))
        .env("CRM_IMAP_PORT", env("MAIL_IMAP_PORT"))
        .env("CRM_IMAP_TLS", "plain")
        .env("CRM_IMAP_USER", env("MAIL_USER"))
        .env("CRM_IMAP_PASSWORD", env("MAIL_PASS"))
        .env("CRM_IMAP_FOLDERS", format!("{folder}:inbound"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let kept = Arc::clone(&lines);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains("listening")
                && let Some(addr) = line.split("address=").nth(1)
            {
                let _ = tx.send(
                    addr.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
            kept.lock().unwrap().push(line);
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("crm did not start listening");
    (child, format!("http://{addr}"), lines)
}

fn logged(lines: &Mutex<Vec<String>>, what: &str) -> bool {
    lines.lock().unwrap().iter().any(|l| l.contains(what))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_writes_logs_off_the_peers_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let folder = unique("Shutdown");
    let mut imap = mail_bridge::ImapSession::connect(&mail_bridge::ImapConfig::new(
        env("MAIL_HOST"),
        env("MAIL_IMAP_PORT").parse().unwrap(),
        mail_bridge::Security::Plain,
        env("MAIL_USER"),
        env("MAIL_PASS"),
    ))
    .await
    .unwrap();
    imap.create_folder(&folder).await.unwrap();
    let (pbx, mut actions) = scripted_pbx().await;
    let (mut child, base, lines) = start(dir.path(), pbx, &folder);

    // both bridges are up: logged in to the PBX, the mail account waiting for new mail
    let waiting = Instant::now();
    while !(logged(&lines, "logged in to the PBX") || waiting.elapsed() > Duration::from_secs(10)) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    next_action(&mut actions, "Login").await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let client = reqwest::Client::new();
    let token = token(&["crm:view", "crm:edit"]);
    let writers = Writers::start(&base, &token, "/api/crm/comms", 16, comms_entry);
    writers.until_acked(200).await;
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(20),
            "still running 20 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let took = asked.elapsed();
    let (acked, other) = writers.stop().await;
    // an answer other than 201 while stopping is a bug (a 5xx, a 4xx); refused is fine
    assert!(other.is_empty(), "answers while stopping: {other:?}");
    assert!(status.success(), "{status:?}");
    // the mail account's wait was interrupted, not waited out or aborted at 10 s
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(
        logged(&lines, "logged out of the IMAP server"),
        "{:?}",
        lines.lock().unwrap()
    );
    assert!(logged(&lines, "stopped"), "{:?}", lines.lock().unwrap());
    next_action(&mut actions, "Logoff").await;

    let (mut child, base) = crate::durability::start_crm(dir.path());
    let mut missing = 0;
    for Acked { id, .. } in &acked {
        let r = client
            .get(format!("{base}/api/crm/comms/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if r.status() != 200 {
            missing += 1;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        missing,
        0,
        "{missing} of {} acknowledged writes lost",
        acked.len()
    );
}
