//! The BellSystems CRM gateway: composes the domain services behind one actix-web app.
//!
//! `main.rs` only parses the command line; [`Application::build`] opens the database, binds
//! the listener and returns a server ready to run, which is what the integration tests drive.

pub mod auth;
pub mod channels;
pub mod cli;
pub mod config;
pub mod download;
pub mod error;
pub mod extract;
pub mod integrations;
pub mod openapi;
pub mod routes;
pub mod secrets;
pub mod state;
pub mod telemetry;
pub mod timeline;
pub mod tokens;
pub mod upload_form;
pub mod users;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use crm_core::{Clock, SystemClock};

use crate::config::Config;
use crate::error::ApiError;
use crate::extract::BodyLimit;
use crate::state::AppState;

/// A bound, not yet running server.
#[allow(missing_debug_implementations)] // actix's Server is not Debug
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let mut state = AppState::open(&config, clock)?;
        state.metrics = Some(telemetry::metrics_handle()?);
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        tracing::info!(address = %listener.local_addr()?, database = %config.database_path().display(), "listening");
        let state = web::Data::new(state);
        // the channels' background work: a webhook queue worker and the PBX link
        if state.whatsapp.is_some() {
            tokio::spawn(channels::whatsapp::run_worker(state.clone()));
        }
        if state.calls.is_some() {
            tokio::spawn(channels::calls::run_bridge(state.clone()));
        }
        for i in 0..state.mail.as_ref().map_or(0, |m| m.accounts.len()) {
            tokio::spawn(channels::mail::run_account(state.clone(), i));
        }
        let server = run(listener, state, &config)?;
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere (tests restart it on the same data dir).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Serves the app on `listener` until stopped.
pub fn run(
    listener: TcpListener,
    state: web::Data<AppState>,
    config: &Config,
) -> anyhow::Result<Server> {
    let limit = config.max_body_bytes;
    let upload_limit = routes::nextcloud::UploadLimit(config.max_upload_bytes);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(limit))
            .app_data(BodyLimit(limit))
            .app_data(upload_limit)
            .app_data(web::PathConfig::default().error_handler(|err, _| {
                ApiError::not_found(format!("no such record: {err}")).into()
            }))
            .configure(routes::configure)
            .configure(openapi::configure)
            .default_service(web::to(routes::not_found))
            .wrap(from_fn(routes::json_errors))
            .wrap(from_fn(telemetry::observe))
    })
    .listen(listener)?;
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    Ok(server.run())
}
