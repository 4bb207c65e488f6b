//! Test support (feature `testing`, off by default), shared by this crate's tests and the
//! stores': the emulator of `scripts/infra/start-firestore.sh` (read from
//! `FIRESTORE_EMULATOR_HOST`), names no other test uses, and a fresh project (an empty
//! database) per test when wanted.
//!
//! Helpers panic with a message instead of returning errors: a failed setup is a failed test.

use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::{Client, Config, EMULATOR_HOST_ENV};

/// The variable naming the project the tests use (default [`DEFAULT_PROJECT`]).
pub const PROJECT_ENV: &str = "FIRESTORE_PROJECT";

/// The tests' project unless `FIRESTORE_PROJECT` says otherwise (`demo-` projects are the
/// emulator-only kind).
pub const DEFAULT_PROJECT: &str = "demo-bellsystems";

/// The emulator's `host:port`; missing is a failure, never a silent pass.
pub fn emulator_host() -> String {
    match std::env::var(EMULATOR_HOST_ENV) {
        Ok(h) if !h.trim().is_empty() => h,
        _ => panic!(
            "{EMULATOR_HOST_ENV} is not set: start the emulator with \
             `eval \"$(scripts/infra/start-firestore.sh)\"` (./scripts/test.sh does)"
        ),
    }
}

/// The tests' project.
pub fn project_id() -> String {
    std::env::var(PROJECT_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_PROJECT.to_owned())
}

/// The emulator's configuration: a short connect timeout, and patience with contention — the
/// emulator resolves two read-write transactions that read the same document by letting one
/// wait out a lock timeout (about 2 s) and abort, so N concurrent read-modify-writes of one
/// document need back-off and many attempts (20 at once: about 10 s, 77 attempts).
pub fn config() -> Config {
    let mut c = Config::emulator(project_id(), emulator_host());
    c.timeout = Duration::from_secs(30);
    c.connect_timeout = Duration::from_secs(2);
    c.transaction_attempts = 25;
    c
}

/// A client on the tests' project (shared with other tests: use [`collection_prefix`]).
pub fn client() -> Client {
    Client::new_emulator(config()).unwrap_or_else(|e| panic!("Firestore emulator client: {e}"))
}

/// A client on a project no other test uses: an empty database of its own.
pub fn isolated_client() -> Client {
    let project = unique("demo-t");
    client()
        .with_project(&project)
        .unwrap_or_else(|e| panic!("Firestore emulator client on {project}: {e}"))
}

/// A name no other test (or run, or process) uses: `{prefix}-{pid}-{random}-{n}`, lower case.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    static SALT: OnceLock<u32> = OnceLock::new();
    // randomly keyed by the standard library, so two runs with the same pid still differ
    let salt = SALT.get_or_init(|| RandomState::new().hash_one(std::process::id()) as u32);
    format!(
        "{prefix}-{}-{salt:08x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A collection-name prefix no other test uses (`t_{name}_{pid}_{random}_{n}_`): put it before
/// every collection a test touches, and tests can share one project.
pub fn collection_prefix(name: &str) -> String {
    format!("{}_", unique(&format!("t_{name}")).replace('-', "_"))
}

/// Deletes every document of the client's database on the emulator (its
/// `/emulator/v1/…/documents` endpoint). Only for a project of the test's own
/// ([`isolated_client`]).
pub async fn clear(client: &Client) {
    let url = format!(
        "http://{}/emulator/v1/projects/{}/databases/{}/documents",
        emulator_host().trim_start_matches("http://"),
        client.project_id(),
        client.database_id()
    );
    let resp = reqwest::Client::new()
        .delete(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("clearing the emulator ({url}): {e}"));
    assert!(
        resp.status().is_success(),
        "clearing the emulator ({url}): {}",
        resp.status()
    );
}
