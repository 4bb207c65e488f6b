//! Backups of the CRM's database: `crm backup`, `crm restore`, and the server's scheduled
//! ones (`[backup]`).
//!
//! The copy itself is `crm_core::backup` (online, consistent, verified, zstd-compressed). A
//! scheduled backup is due `every_hours` after the newest backup in the folder — so a server
//! restarted daily still backs up daily — and never sooner than [`FIRST_AFTER`] after start;
//! after each, the folder keeps the newest `keep`. With `nextcloud_folder` each backup is also
//! uploaded there (and the same number kept). The outcome is logged and exported as the
//! metrics `crm_backup_last_success_timestamp_seconds`, `crm_backup_last_bytes` and
//! `crm_backup_failures_total`, and answered by `/healthz`.
//!
//! A restore replaces the database file; the server holds [`ServerLock`] on it for as long as
//! it runs, and `crm restore` refuses while it does.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use crm_core::Timestamp;
pub use crm_core::backup::ServerLock;
use crm_core::backup::{self, Backup, Restored};
use nextcloud_dav::{DavPath, UploadBody};

use crate::config::Config;
use crate::state::AppState;

/// The earliest a scheduled backup runs after the server starts.
pub const FIRST_AFTER: Duration = Duration::from_secs(5 * 60);

/// What the last scheduled backup did, for `/healthz`.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct BackupStatus {
    /// Whether scheduled backups run (`[backup] every_hours` above 0).
    pub scheduled: bool,
    /// When the last backup succeeded.
    pub last_success_at: Option<Timestamp>,
    /// Its file.
    pub last_file: Option<String>,
    /// The last failure's message, cleared by a success.
    pub last_error: Option<String>,
}

/// Shared between the scheduler and `/healthz`.
#[derive(Debug, Default)]
pub struct BackupState(Mutex<BackupStatus>);

impl BackupState {
    pub fn status(&self) -> BackupStatus {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, f: impl FnOnce(&mut BackupStatus)) {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// Takes a backup of the database at `database` into `folder`, named by `at`.
pub async fn take(database: PathBuf, folder: PathBuf, at: Timestamp) -> anyhow::Result<Backup> {
    let name = backup::file_name(&backup::stamp(at));
    tokio::task::spawn_blocking(move || backup::create(&database, &folder, &name))
        .await
        .context("the backup task failed")?
        .context("the backup failed")
}

/// Restores the backup `from` over the configured database; refused while a server runs on it.
pub fn restore(config: &Config, from: &Path, at: Timestamp) -> anyhow::Result<Restored> {
    backup::restore(from, &config.database_path(), &backup::stamp(at))
        .with_context(|| format!("cannot restore {}", from.display()))
}

/// When the next scheduled backup is due: `every` after the newest backup in `folder`, and not
/// before `earliest`.
fn next_due(
    folder: &Path,
    every: Duration,
    earliest: std::time::SystemTime,
) -> std::time::SystemTime {
    let newest = backup::list(folder)
        .ok()
        .and_then(|all| all.last().cloned())
        .and_then(|p| std::fs::metadata(p).ok())
        .and_then(|m| m.modified().ok());
    match newest {
        Some(at) => (at + every).max(earliest),
        None => earliest,
    }
}

/// Takes the scheduled backups until `stop` is notified; see the module docs.
pub async fn run_scheduled(
    state: actix_web::web::Data<AppState>,
    config: Config,
    stop: crate::shutdown::Stop,
) {
    let every = Duration::from_secs(config.backup.every_hours.saturating_mul(3600));
    if every.is_zero() {
        return;
    }
    state.backups.set(|s| s.scheduled = true);
    let folder = config.backup_dir();
    let now = || std::time::SystemTime::from(state.clock.now().into_inner());
    let earliest = now() + FIRST_AFTER;
    loop {
        let due = next_due(&folder, every, earliest);
        let now = now();
        let wait = due.duration_since(now).unwrap_or(Duration::ZERO);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stop.wait() => return,
        }
        scheduled_once(&state, &config, &folder).await;
    }
}

/// One scheduled backup, its pruning and upload; the outcome goes to the log, the metrics and
/// [`BackupState`].
pub async fn scheduled_once(state: &AppState, config: &Config, folder: &Path) {
    let outcome = async {
        let taken = take(
            config.database_path(),
            folder.to_path_buf(),
            state.clock.now(),
        )
        .await?;
        let keep = config.backup.keep;
        let dir = folder.to_path_buf();
        tokio::task::spawn_blocking(move || backup::prune(&dir, keep))
            .await
            .context("the pruning task failed")??;
        if let (Some(remote), Some(client)) = (&config.backup.nextcloud_folder, &state.nextcloud) {
            upload(client, remote, &taken.path, keep)
                .await
                .with_context(|| format!("the backup was taken but not uploaded to {remote}"))?;
        }
        anyhow::Ok(taken)
    }
    .await;
    match outcome {
        Ok(taken) => {
            let at = state.clock.now();
            tracing::info!(
                file = %taken.path.display(),
                bytes = taken.bytes,
                rows = taken.contents.rows(),
                "backup taken"
            );
            metrics::gauge!("crm_backup_last_success_timestamp_seconds")
                .set(at.into_inner().unix_timestamp() as f64);
            metrics::gauge!("crm_backup_last_bytes").set(taken.bytes as f64);
            state.backups.set(|s| {
                s.last_success_at = Some(at);
                s.last_file = Some(taken.path.display().to_string());
                s.last_error = None;
            });
        }
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "scheduled backup failed");
            metrics::counter!("crm_backup_failures_total").increment(1);
            state.backups.set(|s| s.last_error = Some(format!("{e:#}")));
        }
    }
}

/// Uploads `file` into the Nextcloud folder `remote` and keeps the newest `keep` backups there.
async fn upload(
    client: &nextcloud_dav::Client,
    remote: &str,
    file: &Path,
    keep: usize,
) -> anyhow::Result<()> {
    let folder = DavPath::parse(remote)?;
    client.mkdir_all(&folder).await?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .context("a backup's name is UTF-8")?;
    let target = DavPath::parse(&format!("{remote}/{name}"))?;
    client
        .upload(&target, UploadBody::from_file(file.to_path_buf()))
        .await?;
    let mut there: Vec<_> = client
        .list(&folder)
        .await?
        .into_iter()
        .filter(|e| !e.is_dir && e.name.starts_with("crm-") && e.name.ends_with(backup::EXTENSION))
        .collect();
    there.sort_by(|a, b| a.name.cmp(&b.name));
    let excess = there.len().saturating_sub(keep);
    for old in there.into_iter().take(excess) {
        client.delete(&old.path).await?;
    }
    Ok(())
}
