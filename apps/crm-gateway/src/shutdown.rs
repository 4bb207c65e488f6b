//! Stopping cleanly. On SIGTERM (or SIGINT) the HTTP server stops accepting connections and
//! lets the requests in flight finish, for at most `shutdown_timeout_secs`; then every
//! background worker is told to stop ([`Stop`]) and waited for, for at most
//! [`WORKERS_WITHIN`]: each finishes what it is doing — a mail pass, a queued webhook, a
//! workflow step — and leaves its peer properly (IMAP `LOGOUT`, AMI `Logoff`). Last, the
//! database writer is drained ([`crm_core::Db::drain`]): every write queued is committed and
//! synced. The process then exits 0. Nothing acknowledged can be lost on the way — a write is
//! acknowledged only once durable — and work interrupted anyway (a worker past its bound) is
//! in a durable queue or a run that resumes at the next start.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

/// The longest the background workers get to finish once the HTTP server has stopped.
pub const WORKERS_WITHIN: Duration = Duration::from_secs(10);

/// What a background worker watches to know it should stop. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Whether the server is stopping.
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the server is stopping (at once if it is).
    pub async fn wait(&self) {
        let mut seen = self.0.clone();
        let _ = seen.wait_for(|stopped| *stopped).await;
    }
}

/// The background workers, and the signal that stops them.
#[derive(Debug)]
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Default for Workers {
    fn default() -> Self {
        Self {
            stop: watch::channel(false).0,
            tasks: JoinSet::new(),
        }
    }
}

impl Workers {
    /// The signal to give a worker.
    pub fn signal(&self) -> Stop {
        Stop(self.stop.subscribe())
    }

    /// Runs `worker` until it returns; it should return soon after its [`Stop`] fires.
    pub fn spawn(&mut self, worker: impl Future<Output = ()> + Send + 'static) {
        self.tasks.spawn(worker);
    }

    /// Tells every worker to stop and waits for them, for at most `within`; the ones still
    /// running then are aborted. Returns how many were.
    pub async fn stop(mut self, within: Duration) -> usize {
        self.stop.send_replace(true);
        let all_done = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(within, all_done).await.is_ok() {
            return 0;
        }
        let left = self.tasks.len();
        self.tasks.shutdown().await;
        left
    }
}
