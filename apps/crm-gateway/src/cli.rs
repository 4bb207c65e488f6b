//! The `crm` command line: `serve` (the default) and `user add|list`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::config::Config;
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
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user. The password is asked at a prompt, or read from stdin.
    Add {
        name: String,
        /// Comma-separated, e.g. crm:view,crm:edit
        #[arg(long, value_delimiter = ',', default_value = "crm:view")]
        permissions: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users and their permissions.
    List,
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
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!(?config, "starting");
    let app = Application::build(config).await?;
    app.run_until_stopped().await.context("server failed")
}

async fn user(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let state = AppState::open(&config, Arc::new(crm_core::SystemClock))?;
    match cmd {
        UserCommand::Add {
            name,
            permissions,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                if !std::io::stdin().is_terminal() {
                    bail!("no terminal to ask the password at; use --password-stdin");
                }
                let first = rpassword::prompt_password(format!("Password for {name}: "))?;
                let again = rpassword::prompt_password("Again: ")?;
                if first != again {
                    bail!("the passwords differ");
                }
                first
            };
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
                    "{}\t{}\t{}",
                    u.username,
                    u.permissions.join(","),
                    u.created_at
                );
            }
        }
    }
    Ok(())
}
