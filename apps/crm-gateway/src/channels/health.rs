//! `/healthz` and the gauges of `/metrics`: one look at everything the CRM depends on.
//!
//! Each check answers `ok`, `off` (not configured), or a problem: `down` (the database or
//! record store, Nextcloud, the PBX link), `failing` (an e-mail folder's last sync, the last
//! scheduled backup), `backlog` (WhatsApp webhooks waiting or set aside as failed), `low` (disk
//! space of the data dir under [`DISK_LOW`]). The report's `status` is `ok` when every check is
//! `ok` or `off`, else `degraded`; the server still serves then, so `/healthz` answers 200. A
//! database or record store (Firestore) that does not answer is a 503: nothing can be served.
//!
//! The same report sets the Prometheus gauges when `/metrics` is scraped (queue depths, disk
//! space, each integration up or not, the last success of each sync), so the two never
//! disagree.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crm_core::Timestamp;
use serde::Serialize;

use crate::channels::ChannelError;
use crate::state::AppState;

/// Below this much free space in the data dir, the disk check is `low`.
pub const DISK_LOW: u64 = 1 << 30;
/// Inbound webhooks waiting beyond this many are a backlog.
pub const QUEUE_BACKLOG: u64 = 1_000;
/// How long the Nextcloud check may take before it counts as down.
const NEXTCLOUD_CHECK: Duration = Duration::from_secs(2);

/// One dependency's state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Check {
    /// `ok`, `off`, `down`, `failing`, `backlog` or `low`.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// What is wrong, when something is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The last time it worked (a sync, an event, a backup), when that is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<Timestamp>,
    /// Figures of the check (queue depths, bytes free, …).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub figures: BTreeMap<&'static str, u64>,
}

impl Check {
    fn new(status: &'static str) -> Self {
        Self {
            status,
            error: None,
            last_success_at: None,
            figures: BTreeMap::new(),
        }
    }

    fn problem(status: &'static str, error: impl Into<String>) -> Self {
        Self {
            error: Some(error.into()),
            ..Self::new(status)
        }
    }

    fn healthy(&self) -> bool {
        matches!(self.status, "ok" | "off")
    }
}

/// What `/healthz` answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HealthReport {
    /// `ok` or `degraded`.
    #[schema(example = "ok")]
    pub status: &'static str,
    pub version: &'static str,
    /// Where products, customers and orders are kept: `sqlite` or `firestore`.
    #[schema(example = "sqlite")]
    pub store: &'static str,
    /// By name: `database`, `store`, `disk`, `nextcloud`, `pbx`, `whatsapp`, `backup`, and
    /// `mail:<account>/<folder>` for each followed folder.
    pub checks: BTreeMap<String, Check>,
}

/// Free and total bytes of the file system holding `path`.
fn disk_space(path: &Path) -> std::io::Result<(u64, u64)> {
    let s = rustix::fs::statvfs(path)?;
    Ok((
        s.f_bavail.saturating_mul(s.f_frsize),
        s.f_blocks.saturating_mul(s.f_frsize),
    ))
}

/// Asks everything; only a database or record store that does not answer is an error.
pub async fn report(state: &AppState) -> Result<HealthReport, ChannelError> {
    state.db.ping().await.map_err(crm_core::Error::from)?;
    let mut checks = BTreeMap::new();
    checks.insert("database".to_owned(), Check::new("ok"));
    // without its records the CRM cannot serve: not degraded, unavailable
    state.records.ping(&state.db).await?;
    checks.insert("store".to_owned(), Check::new("ok"));

    let data_dir = state.db.path().parent().unwrap_or(Path::new("."));
    let disk = match disk_space(data_dir) {
        Ok((free, total)) => {
            let mut c = Check::new(if free < DISK_LOW { "low" } else { "ok" });
            if free < DISK_LOW {
                c.error = Some(format!("{} MiB free in the data dir", free >> 20));
            }
            c.figures.insert("free_bytes", free);
            c.figures.insert("total_bytes", total);
            c
        }
        Err(e) => Check::problem("down", format!("cannot read the data dir's disk: {e}")),
    };
    checks.insert("disk".to_owned(), disk);

    let nextcloud = match &state.nextcloud {
        None => Check::new("off"),
        Some(client) => {
            let root = nextcloud_dav::DavPath::root();
            match tokio::time::timeout(NEXTCLOUD_CHECK, client.stat(&root)).await {
                Ok(Ok(_)) => Check::new("ok"),
                Ok(Err(e)) => Check::problem("down", e.to_string()),
                Err(_) => Check::problem(
                    "down",
                    format!("no answer within {} s", NEXTCLOUD_CHECK.as_secs()),
                ),
            }
        }
    };
    checks.insert("nextcloud".to_owned(), nextcloud);

    let pbx = match &state.calls {
        None => Check::new("off"),
        Some(calls) => {
            let link = calls.link();
            let mut c = match link.connected_since {
                Some(_) => Check::new("ok"),
                None => Check::problem(
                    "down",
                    link.last_error
                        .clone()
                        .unwrap_or_else(|| "not logged in to the AMI".into()),
                ),
            };
            c.last_success_at = link.last_event_at;
            c
        }
    };
    checks.insert("pbx".to_owned(), pbx);

    let queues = state.queues.overview(0).await?;
    let wa_queue = queues
        .inbound
        .iter()
        .find(|q| q.channel == super::whatsapp::CHANNEL);
    let whatsapp = match (&state.whatsapp, wa_queue) {
        (None, _) => Check::new("off"),
        (Some(_), queue) => {
            let (pending, failed) = queue.map_or((0, 0), |q| (q.pending, q.failed));
            let mut c = if failed > 0 {
                Check::problem(
                    "backlog",
                    format!(
                        "{failed} webhooks set aside as failed (retry them on the status page)"
                    ),
                )
            } else if pending > QUEUE_BACKLOG {
                Check::problem("backlog", format!("{pending} webhooks waiting"))
            } else {
                Check::new("ok")
            };
            c.last_success_at = queue.and_then(|q| q.last_received_at);
            c.figures.insert("queue_depth", pending);
            c.figures.insert("failed", failed);
            c.figures
                .insert("attachments_pending", queues.attachments_pending);
            c
        }
    };
    checks.insert("whatsapp".to_owned(), whatsapp);

    match super::mail::status(state).await {
        Ok(accounts) => {
            for account in accounts {
                for f in account.folders {
                    let mut c = match &f.last_error {
                        Some(e) => Check::problem("failing", e.clone()),
                        None => Check::new("ok"),
                    };
                    c.last_success_at = f.last_sync_at;
                    c.figures.insert("stored", f.stored);
                    checks.insert(format!("mail:{}/{}", account.name, f.folder), c);
                }
            }
        }
        Err(ChannelError::NotConfigured(_)) => {
            checks.insert("mail".to_owned(), Check::new("off"));
        }
        Err(e) => return Err(e),
    }

    let backups = state.backups.status();
    let mut backup = match &backups.last_error {
        _ if !backups.scheduled => Check::new("off"),
        Some(e) => Check::problem("failing", e.clone()),
        None => Check::new("ok"),
    };
    backup.last_success_at = backups.last_success_at;
    checks.insert("backup".to_owned(), backup);

    let healthy = checks.values().all(Check::healthy);
    Ok(HealthReport {
        status: if healthy { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        store: state.records.kind().as_str(),
        checks,
    })
}

/// Sets the gauges `/metrics` renders from a report.
pub fn export(report: &HealthReport) {
    metrics::gauge!("crm_healthy").set(if report.status == "ok" { 1.0 } else { 0.0 });
    for (name, check) in &report.checks {
        let labels = [("check", name.clone())];
        metrics::gauge!("crm_check_ok", &labels).set(if check.healthy() { 1.0 } else { 0.0 });
        if let Some(at) = check.last_success_at {
            metrics::gauge!("crm_check_last_success_timestamp_seconds", &labels)
                .set(at.into_inner().unix_timestamp() as f64);
        }
        for (figure, value) in &check.figures {
            let labels = [("check", name.clone()), ("figure", (*figure).to_owned())];
            metrics::gauge!("crm_check_figure", &labels).set(*value as f64);
        }
    }
}
