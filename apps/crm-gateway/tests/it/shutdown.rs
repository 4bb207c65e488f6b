//! SIGTERM: the real binary stops accepting, finishes what is in flight, leaves its peers
//! properly (AMI `Logoff`, IMAP `LOGOUT`) and exits 0, losing nothing it acknowledged.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ami_bridge::proto::{Decoded, Decoder, Frame, Message};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::helpers::*;

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start the servers with `eval \"$(scripts/infra/start-mail.sh)\"` (./scripts/test.sh does)")
    })
}

/// A PBX that accepts the login and every action, and reports each action's name.
async fn scripted_pbx() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (actions, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        stream
            .write_all(b"Asterisk Call Manager/7.0.3\r\n")
            .await
            .unwrap();
        let mut decoder = Decoder::without_banner(ami_bridge::proto::DEFAULT_MAX_FRAME);
        let mut buf = [0u8; 4096];
        loop {
            let n = match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            decoder.feed(&buf[..n]);
            while let Ok(Decoded::Frame(Frame::Message(action))) = decoder.decode() {
                let _ = actions.send(action.get("Action").unwrap_or_default().to_owned());
                let answer = Message::new()
                    .with("Response", "Success")
                    .with("ActionID", action.action_id().unwrap_or_default());
                if stream.write_all(&answer.to_wire()).await.is_err() {
                    return;
                }
            }
        }
    });
    (port, rx)
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
    assert_eq!(actions.recv().await.as_deref(), Some("Login"));
    tokio::time::sleep(Duration::from_millis(500)).await;

    let client = reqwest::Client::new();
    let token = token(&["crm:view", "crm:edit"]);
    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..16 {
        let (client, base, token, stop, acks) = (
            client.clone(),
            base.clone(),
            token.clone(),
            stop.clone(),
            acks.clone(),
        );
        writers.push(tokio::spawn(async move {
            let (mut acked, mut failed) = (Vec::new(), Vec::new());
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = json!({ "sender": format!("69{w:02}{n:06}"), "type": "whatsapp",
                    "direction": "inbound", "ext_message_id": format!("wamid.t.{w}.{n}"),
                    "body": "Καλησπέρα" });
                match client
                    .post(format!("{base}/api/crm/comms"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 201 => {
                        let v: serde_json::Value = r.json().await.unwrap();
                        acked.push(v["id"].as_str().unwrap().to_owned());
                        acks.fetch_add(1, Ordering::Relaxed);
                    }
                    // an answer other than 201 while stopping is a bug (a 5xx, a 4xx)
                    Ok(r) => failed.push(r.status().as_u16()),
                    // refused or closed: the server no longer accepts
                    Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                }
            }
            (acked, failed)
        }));
    }
    while acks.load(Ordering::Relaxed) < 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
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
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    for w in writers {
        let (a, failed) = w.await.unwrap();
        assert!(failed.is_empty(), "answers while stopping: {failed:?}");
        acked.extend(a);
    }
    assert!(status.success(), "{status:?}");
    // the mail account's wait was interrupted, not waited out or aborted at 10 s
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(
        logged(&lines, "logged out of the IMAP server"),
        "{:?}",
        lines.lock().unwrap()
    );
    assert!(logged(&lines, "stopped"), "{:?}", lines.lock().unwrap());
    let mut seen = Vec::new();
    while let Ok(a) = actions.try_recv() {
        seen.push(a);
    }
    assert!(seen.contains(&"Logoff".to_owned()), "{seen:?}");

    let (mut child, base) = crate::durability::start_crm(dir.path());
    let mut missing = 0;
    for id in &acked {
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
