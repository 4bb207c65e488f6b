//! The BellSystems CRM gateway: composes the domain services behind one actix-web app.
//!
//! `main.rs` only parses the command line; [`Application::build`] opens the database, binds
//! the listener and returns a server ready to run, which is what the integration tests drive.

pub mod auth;
pub mod backups;
pub mod channels;
pub mod cli;
pub mod config;
pub mod connection;
pub mod download;
pub mod error;
pub mod extract;
pub mod headers;
pub mod integrations;
pub mod limits;
pub mod openapi;
pub mod routes;
pub mod secrets;
pub mod shutdown;
pub mod state;
pub mod store_copy;
pub mod stores;
pub mod telemetry;
pub mod throttle;
pub mod timeline;
pub mod tokens;
pub mod upload_form;
pub mod users;

use std::net::TcpListener;
use std::sync::Arc;

use actix_http::{HttpService, KeepAlive, error::DispatchError};
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::{AppConfig, Server};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use anyhow::Context;
use crm_core::{Clock, SystemClock};
use tokio::net::TcpStream;

use crate::config::Config;
use crate::connection::Guarded;
use crate::extract::BodyLimit;
use crate::limits::Limits;
use crate::state::AppState;

/// A bound, not yet running server.
#[allow(missing_debug_implementations)] // actix's Server is not Debug
pub struct Application {
    port: u16,
    server: Server,
    /// The background workers, stopped once the server has stopped.
    workers: shutdown::Workers,
    /// Drained last.
    db: crm_core::Db,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let mut state = AppState::open(&config, clock).await?;
        state.metrics = Some(telemetry::metrics_handle()?);
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let address = listener.local_addr()?;
        tracing::info!(
            %address,
            console = %console_url(address),
            database = %config.database_path().display(),
            store = state.records.kind().as_str(),
            "listening"
        );
        let state = web::Data::new(state);
        state
            .workflows
            .outputs()
            .attach(&state.clone().into_inner());
        let mut workers = shutdown::Workers::default();
        // workflows: the ready templates are there (disabled); the runs a stop or a crash left
        // running are read before the first request can start one, then go on in the
        // background, then timers and schedules
        let engine = state.workflows.clone();
        match engine.install_templates().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(templates = n, "workflow templates installed (disabled)"),
            Err(e) => tracing::error!(error = %e, "workflow templates could not be installed"),
        }
        let left = engine
            .left_running()
            .await
            .context("cannot read the workflow runs left running")?;
        let stop = workers.signal();
        workers.spawn(async move {
            match engine.resume(left).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(runs = n, "workflow runs resumed"),
                Err(e) => tracing::error!(error = %e, "workflow runs could not resume"),
            }
            engine.run_scheduler(stop.wait()).await;
        });
        // the channels' background work: a webhook queue worker and the PBX link
        if state.whatsapp.is_some() {
            workers.spawn(channels::whatsapp::run_worker(
                state.clone(),
                workers.signal(),
            ));
        }
        if state.calls.is_some() {
            workers.spawn(channels::calls::run_bridge(state.clone(), workers.signal()));
        }
        // Firestore: documents other programs wrote get their derived fields, now and then;
        // SQLite: a migration's index rows left to write are written now, not by a first list
        let every = (state.records.kind() == config::StoreKind::Firestore
            && config.store.reindex_secs > 0)
            .then(|| std::time::Duration::from_secs(config.store.reindex_secs));
        workers.spawn(state.records().keep_reindexing(every, workers.signal()));
        workers.spawn(backups::run_scheduled(
            state.clone(),
            config.clone(),
            workers.signal(),
        ));
        for i in 0..state.mail.as_ref().map_or(0, |m| m.accounts.len()) {
            workers.spawn(channels::mail::run_account(
                state.clone(),
                i,
                workers.signal(),
            ));
        }
        let server = run(listener, state.clone(), &config)?;
        Ok(Self {
            port,
            server,
            workers,
            db: state.db.clone(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere (tests restart it on the same data dir).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM, SIGINT, or [`Application::handle`]), then stops cleanly:
    /// see [`shutdown`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stopped = self.server.await;
        tracing::info!("the HTTP server has stopped; stopping the background work");
        let aborted = self.workers.stop(shutdown::WORKERS_WITHIN).await;
        if aborted > 0 {
            tracing::warn!(
                workers = aborted,
                "background work still running after {} s was aborted (its queues keep it)",
                shutdown::WORKERS_WITHIN.as_secs()
            );
        }
        if let Err(e) = self.db.drain().await {
            tracing::error!(error = %e, "the database writer could not be drained");
        }
        tracing::info!("stopped");
        stopped
    }
}

/// Where a browser on this machine finds the console: the listening address, with a wildcard
/// (`0.0.0.0`, `::`) shown as the loopback address.
fn console_url(address: std::net::SocketAddr) -> String {
    let ip = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => std::net::Ipv4Addr::LOCALHOST.into(),
        ip if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("http://{}/", std::net::SocketAddr::new(ip, address.port()))
}

/// Serves the app on `listener` until stopped.
///
/// The server is actix-web's `HttpServer` assembled by hand (actix-server accepting, actix-http
/// speaking HTTP/1.1, the app configured as `HttpServer` does), for one difference: each
/// socket is wrapped in a [`connection::Guarded`] before actix-http reads it. The limits of
/// [`limits`] apply: the open-file limit is raised, the connections capped below it.
pub fn run(
    listener: TcpListener,
    state: web::Data<AppState>,
    config: &Config,
) -> anyhow::Result<Server> {
    let limit = config.max_body_bytes;
    let upload_limit = routes::nextcloud::UploadLimit(config.max_upload_bytes);
    let limits = Limits::new(config);
    let metrics_token = routes::system::MetricsToken(config.metrics_token.clone());
    let workers = match config.workers {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        n => n,
    };
    let open_files = limits::raise_open_files_limit();
    let (per_worker, lowered) =
        limits::connections_per_worker(config.max_connections, workers, open_files);
    if lowered {
        tracing::warn!(
            max_connections = config.max_connections,
            open_files,
            allowed = per_worker * workers,
            "max_connections is above what the open-file limit allows: lowered"
        );
    }
    limits::set_backlog(&listener, config.listen_backlog).context("cannot set the backlog")?;
    let addr = listener.local_addr()?;
    // the first request's head is timed by actix-http; each later one from the end of the
    // previous response, by the connection
    let next_request_within = limits.keep_alive + limits.head_timeout;
    let keep_alive = match limits.keep_alive {
        d if d.is_zero() => KeepAlive::Disabled,
        d => KeepAlive::Timeout(d),
    };
    let builder = actix_server::Server::build();
    let shutdown = builder.graceful_shutdown_signal();
    let server = builder
        .workers(workers)
        .max_concurrent_connections(per_worker)
        // SIGTERM: stop accepting, let the requests in flight finish for this long
        .shutdown_timeout(config.shutdown_timeout_secs)
        .listen("crm", listener, move || {
            let state = state.clone();
            let app = App::new()
                .app_data(state)
                .app_data(web::PayloadConfig::new(limit))
                .app_data(BodyLimit(limit))
                .app_data(upload_limit)
                .app_data(limits)
                .app_data(web::Data::new(metrics_token.clone()))
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|_, req| routes::malformed_id(req).into()),
                )
                .configure(routes::configure)
                .configure(openapi::configure)
                .default_service(web::to(routes::not_found))
                .wrap(from_fn(routes::json_errors))
                .wrap(from_fn(limits::enforce))
                .wrap(from_fn(routes::security_headers))
                // gzip, brotli or zstd as the client accepts (JSON lists, the console's script)
                .wrap(actix_web::middleware::Compress::default())
                .wrap(from_fn(routes::uncompressed_downloads))
                .wrap(from_fn(telemetry::observe));
            let app = app
                .into_factory()
                .map_err(|err: actix_web::Error| err.error_response());
            let shutdown = shutdown.clone();
            let http = HttpService::build()
                .keep_alive(keep_alive)
                .client_request_timeout(limits.head_timeout)
                .client_disconnect_timeout(limits::DISCONNECT_TIMEOUT)
                .local_addr(addr)
                // closes idle kept-alive connections when the server stops, as HttpServer does
                .graceful_shutdown_signal(move || {
                    let shutdown = shutdown.clone();
                    async move { shutdown.notified().await }
                })
                .on_connect_ext(|io: &Guarded<TcpStream>, data| {
                    data.insert(io.conn());
                })
                .h1(map_config(app, |()| AppConfig::default()));
            fn_service(move |io: TcpStream| {
                let peer = io.peer_addr().ok();
                // a streamed body's last small write (the chunked terminator) goes out at once
                // instead of waiting for the client's delayed ACK
                let _ = io.set_nodelay(true);
                std::future::ready(Ok::<_, DispatchError>((
                    Guarded::new(io, next_request_within),
                    peer,
                )))
            })
            .and_then(http)
        })?
        .run();
    Ok(server)
}
