//! The `crm` command line: `serve` (the default),
//! `user add|list|disable|enable|remove|passwd|set-extension`,
//! `mail sync|verify`, `store copy`, `import customers`, `backup` and `restore`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use crm_users::Users as _;

use crate::config::{Config, StoreKind};
use crate::{AppState, Application, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "crm",
    version,
    about = "BellSystems CRM: API and console on one SQLite file"
)]
pub struct Cli {
    /// TOML configuration file; `CRM_*` environment variables override it.
    #[arg(long, global = true, env = "CRM_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Manage local users (for standalone deployments).
    #[command(subcommand)]
    User(UserCommand),
    /// E-mail: one pass over every configured account, as the server does in the background.
    #[command(subcommand)]
    Mail(MailCommand),
    /// The record store (products, customers, orders).
    #[command(subcommand)]
    Store(StoreCommand),
    /// Bring records in from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a consistent, verified, compressed copy of the database while the server keeps
    /// serving (`crm-<time>.sqlite.zst`), into DEST or `[backup] dir`.
    Backup {
        /// The folder to write into (default: `[backup] dir`, or `backups/` in the data dir).
        dest: Option<PathBuf>,
    },
    /// Replace the database with a backup's, after checking it; the replaced files are kept
    /// beside it as `crm.db.before-restore-<time>`. Refused while a server runs on the data
    /// dir: stop it first.
    Restore {
        /// A `crm-….sqlite.zst` backup (or a plain SQLite file).
        src: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import customers from a CSV file (UTF-8, Windows-1253 or ISO-8859-7; `,` `;` or tab,
    /// detected): prints how it was read, the mapping, the dry run's totals and the rows in
    /// error, then writes them with a progress bar (Ctrl-C stops after the current batch).
    /// A second run of the same file changes nothing.
    Customers {
        file: PathBuf,
        /// COLUMN=FIELD: the column with this header (or 1-based number) holds FIELD (name,
        /// organization, phone, mobile, email, whatsapp, city, region, tags, notes, language,
        /// ignore); the other columns keep the mapping suggested from their headers.
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        map: Vec<String>,
        /// Match rows to existing customers by this column (header or 1-based number) alone,
        /// instead of by phone or e-mail.
        #[arg(long, value_name = "COLUMN")]
        key: Option<String>,
        /// Plan only: print what would happen and write no customer.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Copy every product, customer and order from one store into the other, then verify
    /// the two hold the same records (exit status 1 on any difference). Idempotent, and
    /// resumes where a killed run stopped. SQLite is `crm.db` in the data dir; Firestore is
    /// `[store.firestore]` (`CRM_FIRESTORE_PROJECT`, …).
    Copy {
        #[arg(long, value_enum)]
        from: StoreKind,
        #[arg(long, value_enum)]
        to: StoreKind,
        /// Records per page (read, compared and written together; the checkpoint is saved
        /// after each).
        #[arg(long, default_value_t = crate::store_copy::PAGE)]
        page_size: u32,
    },
    /// Give documents other programs wrote into the Firestore collections the fields the CRM
    /// lists and searches by (a server on Firestore does it at start and every
    /// `store.reindex_secs`).
    Reindex,
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Fetch what is new in every followed folder (everything, on a first sync).
    Sync,
    /// Sync, then compare every message on the server with what the CRM holds, fetch what is
    /// missing, and report what could not be repaired (exit status 1 then).
    Verify,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user. The password is asked at a prompt, or read from stdin.
    Add {
        name: String,
        /// Comma-separated, e.g. crm:view,crm:edit (crm:admin administers users and implies
        /// neither of the others)
        #[arg(long, value_delimiter = ',', default_value = "crm:view")]
        permissions: Vec<String>,
        /// Also give crm:admin: the first administrator of a new installation.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users, their permissions, whether they are disabled, when they were created and
    /// their PBX extension.
    List,
    /// Set the PBX extension click-to-call rings for a user (2 to 10 digits; "" clears it).
    SetExtension { name: String, extension: String },
    /// Disable a user: it cannot log in, and its tokens stop working (within a second for a
    /// running server).
    Disable { name: String },
    /// Enable a disabled user again (it logs in anew: its old tokens stay refused).
    Enable { name: String },
    /// Delete a user; its tokens stop working.
    Remove { name: String },
    /// Set a user's password (asked at a prompt, or read from stdin); this ends the user's
    /// sessions: every token issued before stops working.
    Passwd {
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

impl Cli {
    pub fn run(self) -> anyhow::Result<()> {
        let config = Config::load(self.config.as_deref())?;
        telemetry::init_logging(&config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        match self.command.unwrap_or(Command::Serve) {
            Command::Serve => runtime.block_on(serve(config)),
            Command::User(cmd) => runtime.block_on(user(config, cmd)),
            Command::Mail(cmd) => runtime.block_on(mail(config, cmd)),
            Command::Store(cmd) => runtime.block_on(store(config, cmd)),
            Command::Import(cmd) => runtime.block_on(import(config, cmd)),
            Command::Backup { dest } => runtime.block_on(backup(config, dest)),
            Command::Restore { src } => restore(&config, &src),
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let shown = format!("{config:?}");
    // `crm restore` refuses while this is held
    let _serving = crate::backups::ServerLock::acquire(&config.database_path())?;
    let app = Application::build(config).await?;
    // after "listening" (where the console is), the configuration, secrets redacted
    tracing::info!(config = %shown, "configuration");
    app.run_until_stopped().await.context("server failed")
}

async fn backup(config: Config, dest: Option<PathBuf>) -> anyhow::Result<()> {
    let database = config.database_path();
    if !database.is_file() {
        bail!("there is no database at {} to back up", database.display());
    }
    let folder = dest.unwrap_or_else(|| config.backup_dir());
    let now = crm_core::Clock::now(&crm_core::SystemClock);
    let taken = crate::backups::take(database, folder, now).await?;
    println!(
        "{}: {} bytes ({} bytes of database), schema version {}, {} rows in {} tables; verified",
        taken.path.display(),
        taken.bytes,
        taken.database_bytes,
        taken.contents.schema_version,
        taken.contents.rows(),
        taken.contents.tables.len()
    );
    Ok(())
}

fn restore(config: &Config, src: &std::path::Path) -> anyhow::Result<()> {
    let now = crm_core::Clock::now(&crm_core::SystemClock);
    let restored = crate::backups::restore(config, src, now)?;
    println!(
        "restored {} into {}: schema version {}, {} rows in {} tables",
        src.display(),
        config.database_path().display(),
        restored.contents.schema_version,
        restored.contents.rows(),
        restored.contents.tables.len()
    );
    if let Some(previous) = restored.previous {
        println!("the replaced database is kept as {}", previous.display());
    }
    Ok(())
}

async fn user(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let state = AppState::open(&config, Arc::new(crm_core::SystemClock)).await?;
    match cmd {
        UserCommand::Add {
            name,
            mut permissions,
            admin,
            password_stdin,
        } => {
            if admin && !permissions.iter().any(|p| p == crm_users::ADMIN) {
                permissions.push(crm_users::ADMIN.to_owned());
            }
            let password = read_password(&name, password_stdin)?;
            let user = state.users.add(&name, &password, &permissions).await?;
            println!(
                "created user {} with permissions {}",
                user.username,
                user.permissions.join(",")
            );
        }
        UserCommand::List => {
            for u in state.users.list().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.permissions.join(","),
                    if u.disabled { "disabled" } else { "enabled" },
                    u.created_at,
                    u.profile.extension.as_deref().unwrap_or("-")
                );
            }
        }
        UserCommand::SetExtension { name, extension } => {
            let update = crm_users::Update {
                extension: Some(Some(extension)),
                ..crm_users::Update::default()
            };
            let user = state.users.update(&name, update, None).await?;
            match user.profile.extension {
                Some(e) => println!("set the extension of {} to {e}", user.username),
                None => println!("cleared the extension of {}", user.username),
            }
        }
        UserCommand::Disable { name } => {
            let user = state.users.disable(&name).await?;
            println!("disabled user {}", user.username);
        }
        UserCommand::Enable { name } => {
            let user = state.users.enable(&name).await?;
            println!("enabled user {}", user.username);
        }
        UserCommand::Remove { name } => {
            state.users.remove(&name).await?;
            println!("removed user {}", name.trim());
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let password = read_password(&name, password_stdin)?;
            state.users.set_password(&name, &password).await?;
            println!(
                "changed the password of {}; its other sessions are ended",
                name.trim()
            );
        }
    }
    Ok(())
}

/// A new password: the first line of stdin, or asked twice at the terminal.
fn read_password(name: &str, from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask the password at; use --password-stdin");
    }
    let first = rpassword::prompt_password(format!("Password for {name}: "))?;
    let again = rpassword::prompt_password("Again: ")?;
    if first != again {
        bail!("the passwords differ");
    }
    Ok(first)
}

async fn store(config: Config, cmd: StoreCommand) -> anyhow::Result<()> {
    let (from, to, page_size) = match cmd {
        StoreCommand::Copy {
            from,
            to,
            page_size,
        } => (from, to, page_size.max(1)),
        StoreCommand::Reindex => {
            let state = AppState::open(&config, Arc::new(crm_core::SystemClock)).await?;
            if state.records.kind() != StoreKind::Firestore {
                bail!("the store is SQLite (CRM_STORE): it keeps its indexes itself");
            }
            let n = state.records().reindex().await?;
            println!(
                "reindexed: {} products, {} customers, {} orders written",
                n.products, n.customers, n.orders
            );
            return Ok(());
        }
    };
    let copy = crate::store_copy::Copy::open(&config, from, to, page_size).await?;
    let started = std::time::Instant::now();
    let copied = copy.run().await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "copied {} → {}: {} records read, {} written in {secs:.1} s ({:.0} records/s)",
        from.as_str(),
        to.as_str(),
        copied.read,
        copied.written,
        copied.read as f64 / secs.max(1e-3)
    );
    let started = std::time::Instant::now();
    let differences = copy.verify().await?;
    let secs = started.elapsed().as_secs_f64();
    if differences.is_empty() {
        println!("verified in {secs:.1} s: both stores hold the same records");
        return Ok(());
    }
    for d in differences.iter().take(20) {
        eprintln!("{d}");
    }
    bail!(
        "verification failed: {} records differ between the stores",
        differences.len()
    )
}

async fn mail(config: Config, cmd: MailCommand) -> anyhow::Result<()> {
    let state = AppState::open(&config, Arc::new(crm_core::SystemClock)).await?;
    if state.mail.is_none() {
        bail!("no e-mail account is configured (CRM_IMAP_HOST, CRM_IMAP_USER, CRM_IMAP_PASSWORD)");
    }
    let verify = matches!(cmd, MailCommand::Verify);
    let bar = indicatif::ProgressBar::hidden();
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} messages, {per_sec}, {eta} left",
        )?
        .progress_chars("=> "),
    );
    let progress = |account: &str, p: &mail_bridge::Progress<'_>| {
        bar.set_message(format!("{account} {}", p.folder));
        bar.set_length(p.total);
        bar.set_position(p.done);
    };
    let reports = crate::channels::mail::pass_all(&state, verify, &progress).await;
    bar.finish_and_clear();
    let mut trouble = false;
    for r in &reports {
        let mut line = format!(
            "{}\t{}\t{} new{}, {} on the server",
            r.account,
            r.folder,
            r.new,
            if r.resync {
                format!(
                    " (UIDVALIDITY changed: {} already held, moved to their new place)",
                    r.adopted
                )
            } else {
                String::new()
            },
            r.on_server
        );
        if r.expunged > 0 {
            line += &format!(", {} no longer on the server", r.expunged);
        }
        if verify {
            line += &format!(", {} missing, {} repaired", r.missing, r.repaired);
        }
        println!("{line}");
        for failed in &r.failed {
            println!("  not repaired: {failed}");
        }
        if let Some(e) = &r.error {
            println!("  error: {e}");
        }
        trouble |= r.error.is_some() || !r.failed.is_empty();
    }
    if trouble {
        bail!("e-mail: some folders could not be synced or repaired (see above)");
    }
    Ok(())
}

/// The column a `--map`/`--key` argument names: its header (ignoring case and surrounding
/// spaces) or its 1-based number.
fn column_of(headers: &[String], name: &str) -> anyhow::Result<usize> {
    let name = name.trim();
    if let Some(i) = headers
        .iter()
        .position(|h| h.trim().to_lowercase() == name.to_lowercase())
    {
        return Ok(i);
    }
    match name.parse::<usize>() {
        Ok(n) if (1..=headers.len()).contains(&n) => Ok(n - 1),
        _ => bail!(
            "the file has no column `{name}`; its columns are: {}",
            headers.join(", ")
        ),
    }
}

async fn import(config: Config, cmd: ImportCommand) -> anyhow::Result<()> {
    use crm_customers::import::{Field, ImportOptions, JobStatus, MatchKey, RunControl};
    let ImportCommand::Customers {
        file,
        map,
        key,
        dry_run,
    } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let file_name = file
        .file_name()
        .map_or_else(|| "import.csv".into(), |n| n.to_string_lossy().into_owned());
    let state = AppState::open(&config, Arc::new(crm_core::SystemClock)).await?;
    let importer = state.imports.importer();
    let read = importer
        .preview(&bytes, None, 0)
        .with_context(|| format!("cannot read {} as CSV", file.display()))?;
    let mut mapping = read.suggested.clone();
    for m in &map {
        let Some((column, field)) = m.rsplit_once('=') else {
            bail!("--map {m}: expected COLUMN=FIELD");
        };
        let i = column_of(&read.headers, column)?;
        let field: Field = serde_json::from_value(serde_json::Value::String(
            field.trim().to_lowercase(),
        ))
        .map_err(|_| {
            anyhow::anyhow!(
                "--map {m}: `{field}` is not a field (name, organization, phone, mobile, email, \
                 whatsapp, city, region, tags, notes, language, ignore)"
            )
        })?;
        if let Some(slot) = mapping.get_mut(i) {
            *slot = field;
        }
    }
    let key = match key {
        Some(k) => MatchKey::Column {
            column: column_of(&read.headers, &k)?,
        },
        None => MatchKey::Contacts,
    };
    println!(
        "{}: {}, {} separated, {} rows",
        file.display(),
        read.encoding.as_str(),
        read.delimiter.as_str(),
        read.total_rows
    );
    for (header, field) in read.headers.iter().zip(&mapping) {
        println!("  {header} → {}", field.as_str());
    }
    let options = ImportOptions {
        file_name,
        mapping: Some(mapping),
        key,
    };
    let job = importer.plan(&bytes, options, "crm-cli").await?;
    let t = job.totals;
    println!(
        "dry run: {} rows: {} create, {} update, {} unchanged, {} skip, {} error",
        t.rows, t.create, t.update, t.unchanged, t.skip, t.error
    );
    for r in importer.rows(job.id, Some("error".into()), 0, 50).await? {
        if let crm_customers::import::Outcome::Error { column, reason } = r.outcome {
            println!("  row {}: {column}: {reason}", r.row);
        }
    }
    if t.error > 50 {
        println!("  … and {} more rows in error", t.error - 50);
    }
    if dry_run {
        println!("dry run only: nothing written (job {})", job.id);
        return Ok(());
    }
    let bar = indicatif::ProgressBar::hidden();
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "importing [{bar:30}] {pos}/{len} rows, {per_sec}, {eta} left",
        )?
        .progress_chars("=> "),
    );
    bar.set_length(t.rows);
    let shown = bar.clone();
    let control = RunControl::new().on_progress(move |p| {
        shown.set_length(p.total);
        shown.set_position(p.done);
    });
    let stop = control.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.cancel();
        }
    });
    let result = importer.run(job.id, &control).await;
    ctrl_c.abort();
    bar.finish_and_clear();
    let done = result.context("the import failed; the batches before the failure are written")?;
    let t = done.totals;
    println!(
        "{}: {} of {} rows handled: {} created, {} updated, {} unchanged, {} skipped, {} in error",
        done.status.as_str(),
        done.written,
        t.rows,
        t.create,
        t.update,
        t.unchanged,
        t.skip,
        t.error
    );
    if done.status != JobStatus::Done {
        bail!(
            "the import stopped ({}): import the file again to write the rest",
            done.status.as_str()
        );
    }
    Ok(())
}
