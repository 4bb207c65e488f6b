//! Helpers shared by the integration tests.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use mail_bridge::{
    Error, FolderState, ImapConfig, ImapSession, Incoming, Security, ServerEntry, Sink, SmtpConfig,
};

/// A variable the real-server tests need; missing is a failure, never a silent pass.
pub fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: start the servers with `eval \"$(scripts/infra/start-mail.sh)\"` (./scripts/test.sh does)"
        )
    })
}

fn port(var: &str) -> u16 {
    env(var)
        .parse()
        .unwrap_or_else(|_| panic!("{var} is not a port"))
}

pub fn ca() -> Vec<u8> {
    std::fs::read(env("MAIL_CA_CERT")).expect("MAIL_CA_CERT readable")
}

fn imap(port_var: &str, security: Security) -> ImapConfig {
    let mut c = ImapConfig::new(
        env("MAIL_HOST"),
        port(port_var),
        security,
        env("MAIL_USER"),
        env("MAIL_PASS"),
    );
    c.ca_pem = Some(ca());
    c.connect_timeout = Duration::from_secs(5);
    c.command_timeout = Duration::from_secs(30);
    c
}

/// The main Dovecot, plain on loopback.
pub fn imap_plain() -> ImapConfig {
    imap("MAIL_IMAP_PORT", Security::Plain)
}

/// The main Dovecot, STARTTLS.
pub fn imap_starttls() -> ImapConfig {
    let mut c = imap("MAIL_IMAP_PORT", Security::StartTls);
    c.host = "localhost".into();
    c
}

/// The main Dovecot, implicit TLS.
pub fn imap_tls() -> ImapConfig {
    imap("MAIL_IMAPS_PORT", Security::Tls)
}

/// The fault Dovecot (no IDLE; the tests kill and restart it). Hold [`FAULT`] while using it.
pub fn imap_fault() -> ImapConfig {
    imap("MAIL_FAULT_IMAP_PORT", Security::Plain)
}

/// Serialises the tests that use (and kill) the fault instance.
pub static FAULT: LazyLock<tokio::sync::Mutex<()>> = LazyLock::new(|| tokio::sync::Mutex::new(()));

pub fn smtp(security: Security) -> SmtpConfig {
    let port_var = match security {
        Security::Tls => "MAIL_SMTPS_PORT",
        _ => "MAIL_SMTP_PORT",
    };
    let mut c = SmtpConfig::new("localhost", port(port_var), security);
    c.ca_pem = Some(ca());
    c.timeout = Duration::from_secs(30);
    c
}

pub fn smtp_with_login(security: Security) -> SmtpConfig {
    let mut c = smtp(security);
    c.user = Some(env("MAIL_USER"));
    c.password = Some(env("MAIL_PASS").into());
    c
}

/// `crm+Folder@example.test`: Postfix → Dovecot LMTP files it into Folder.
pub fn address_for(folder: &str) -> String {
    let domain = env("MAIL_DOMAIN");
    format!("{}+{folder}@{domain}", env("MAIL_USER"))
}

/// A name no other test (or run, or process) uses: `{prefix}-{pid}-{random}-{n}`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    // randomly keyed by the standard library, so two runs with the same pid still differ
    static SALT: LazyLock<u64> = LazyLock::new(|| RandomState::new().hash_one(std::process::id()));
    format!(
        "{prefix}-{}-{:x}-{}",
        std::process::id(),
        *SALT,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub async fn connect(config: &ImapConfig) -> ImapSession {
    ImapSession::connect(config).await.unwrap()
}

/// A new folder of its own (so tests can run side by side on one mailbox).
pub async fn fresh_folder(s: &mut ImapSession, prefix: &str) -> String {
    let folder = unique(prefix);
    s.create_folder(&folder).await.unwrap();
    folder
}

pub fn corpus(file: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(file);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"))
}

/// Waits until `folder` holds at least `n` messages (mail delivered through Postfix).
pub async fn wait_for_messages(s: &mut ImapSession, folder: &str, n: u32, limit: Duration) {
    let start = Instant::now();
    loop {
        if let Ok(st) = s.status(folder).await
            && st.exists >= n
        {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "{folder} did not get {n} messages within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a [`MemorySink`] holds for one message.
#[derive(Debug, Clone)]
pub struct Stored {
    pub uid: u32,
    pub subject: Option<String>,
    pub raw_len: usize,
    pub stores: u32,
}

#[derive(Debug, Default)]
pub struct SinkState {
    /// By Message-ID: the sink is idempotent on it, like the gateway's.
    pub by_id: HashMap<String, Stored>,
    /// Every `store` call, in order (Message-ID, UID).
    pub calls: Vec<(String, u32)>,
    pub checkpoints: Vec<(String, FolderState)>,
    /// Messages offered to `adopt` (after a UIDVALIDITY change).
    pub offered: usize,
}

/// The test's stand-in for the gateway: keeps messages in memory, idempotent by Message-ID.
/// It can be told to lose one message silently (to create a gap) or to run a hook on each
/// store (to kill the server mid-sync).
#[derive(Default)]
pub struct MemorySink {
    pub state: Mutex<SinkState>,
    pub lose: Mutex<HashSet<String>>,
    #[allow(clippy::type_complexity)]
    pub hook: Option<Box<dyn Fn(usize) + Send + Sync>>,
}

impl MemorySink {
    pub fn ids(&self) -> HashSet<String> {
        self.state.lock().unwrap().by_id.keys().cloned().collect()
    }
    pub fn count(&self) -> usize {
        self.state.lock().unwrap().by_id.len()
    }
    pub fn calls(&self) -> usize {
        self.state.lock().unwrap().calls.len()
    }
    pub fn last_checkpoint(&self) -> Option<FolderState> {
        self.state
            .lock()
            .unwrap()
            .checkpoints
            .last()
            .map(|(_, s)| *s)
    }
    pub fn get(&self, id: &str) -> Option<Stored> {
        self.state.lock().unwrap().by_id.get(id).cloned()
    }
    pub fn contains(&self, id: Option<&str>) -> bool {
        id.is_some_and(|id| self.state.lock().unwrap().by_id.contains_key(id))
    }
}

impl Sink for MemorySink {
    async fn store(&self, m: Incoming<'_>) -> Result<(), Error> {
        let id = m
            .parsed
            .message_id
            .clone()
            .unwrap_or_else(|| format!("uid:{}:{}", m.uidvalidity, m.uid));
        let n = {
            let mut st = self.state.lock().unwrap();
            st.calls.push((id.clone(), m.uid));
            if self.lose.lock().unwrap().remove(&id) {
                // lost on purpose: acknowledged, never stored
                return Ok(());
            }
            let e = st.by_id.entry(id).or_insert_with(|| Stored {
                uid: m.uid,
                subject: m.parsed.subject.clone(),
                raw_len: m.raw.len(),
                stores: 0,
            });
            e.stores += 1;
            st.calls.len()
        };
        if let Some(hook) = &self.hook {
            hook(n);
        }
        Ok(())
    }

    async fn checkpoint(&self, folder: &str, state: FolderState) -> Result<(), Error> {
        self.state
            .lock()
            .unwrap()
            .checkpoints
            .push((folder.to_owned(), state));
        Ok(())
    }

    async fn adopt(&self, _folder: &str, entries: &[ServerEntry<'_>]) -> Result<Vec<u32>, Error> {
        let mut st = self.state.lock().unwrap();
        st.offered += entries.len();
        let mut held = Vec::new();
        for e in entries {
            if let Some(stored) = e.message_id.and_then(|id| st.by_id.get_mut(id)) {
                // known: now at its new place
                stored.uid = e.uid;
                held.push(e.uid);
            }
        }
        Ok(held)
    }
}

/// A sink that keeps the default [`Sink::adopt`] (it holds nothing it could adopt).
pub struct NoAdopt<'a>(pub &'a MemorySink);

impl Sink for NoAdopt<'_> {
    async fn store(&self, m: Incoming<'_>) -> Result<(), Error> {
        self.0.store(m).await
    }

    async fn checkpoint(&self, folder: &str, state: FolderState) -> Result<(), Error> {
        self.0.checkpoint(folder, state).await
    }
}

fn fault_master_pid() -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(env("MAIL_FAULT_PIDFILE"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    std::path::Path::new(&format!("/proc/{pid}"))
        .exists()
        .then_some(pid)
}

/// The processes whose parent is `pid` (read from /proc).
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(child);
        }
    }
    out
}

/// Kills the fault Dovecot as a crash would: SIGKILL to its master and every child (by pid;
/// these are the processes start-mail.sh started), so open connections break mid-answer.
pub fn kill_fault_server() {
    let master = fault_master_pid().expect("the fault dovecot is running");
    let mut pids = children(master);
    pids.push(master);
    for pid in &pids {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    let start = Instant::now();
    while pids
        .iter()
        .any(|p| std::path::Path::new(&format!("/proc/{p}")).exists())
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "dovecot did not die"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts the fault Dovecot again (if it is down) and waits until it answers.
pub fn restart_fault_server() {
    if fault_master_pid().is_some() {
        return;
    }
    // The daemon must not inherit the test's stdout/stderr: whoever reads them (cargo, a
    // pipe) would wait for it forever.
    let status = std::process::Command::new("/usr/sbin/dovecot")
        .arg("-c")
        .arg(env("MAIL_FAULT_DOVECOT_CONF"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "dovecot restart");
    let addr = format!("127.0.0.1:{}", env("MAIL_FAULT_IMAP_PORT"));
    let start = Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "dovecot did not come back"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Brings the fault Dovecot back when a test ends, even a failed one.
pub struct RestartFaultOnDrop;

impl Drop for RestartFaultOnDrop {
    fn drop(&mut self) {
        restart_fault_server();
    }
}
