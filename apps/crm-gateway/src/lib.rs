//! The BellSystems CRM gateway: composes the domain services behind one actix-web app.
//!
//! `main.rs` only parses the command line; [`Application::build`] opens the database, binds
//! the listener and returns a server ready to run, which is what the integration tests drive.

pub mod auth;
pub mod calls;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod mail;
pub mod openapi;
pub mod routes;
pub mod secrets;
pub mod telemetry;
pub mod timeline;
pub mod users;
pub mod whatsapp;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use crm_core::{Clock, Db, SystemClock};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::error::ApiError;
use crate::extract::BodyLimit;
use crate::users::Users;

pub type Products = crm_products::Service<crm_products::SqliteProductStore>;
pub type Customers = crm_customers::Service<crm_customers::SqliteCustomerStore>;
pub type Orders = crm_orders::Service<crm_orders::SqliteOrderStore>;
pub type Comms = crm_comms::Service<crm_comms::SqliteCommsStore>;

/// What every handler can reach.
#[derive(Debug)]
pub struct AppState {
    pub db: Db,
    pub products: Products,
    pub customers: Customers,
    pub orders: Orders,
    pub comms: Comms,
    pub users: Users,
    pub keys: TokenKeys,
    pub clock: Arc<dyn Clock>,
    pub metrics: Option<PrometheusHandle>,
    /// The Nextcloud WebDAV client; `None` when Nextcloud is not configured.
    pub nextcloud: Option<nextcloud_dav::Client>,
    /// Durable queues of inbound webhooks and attachments to fetch.
    pub queues: crm_comms::Queues,
    /// The WhatsApp Business number; `None` when not configured.
    pub whatsapp: Option<whatsapp::WhatsApp>,
    /// The PBX; `None` when not configured.
    pub calls: Option<Arc<calls::Calls>>,
    /// The e-mail accounts; `None` when none is configured.
    pub mail: Option<mail::Mail>,
}

impl AppState {
    /// Opens the database under the data dir (creating both if needed) and builds the services.
    pub fn open(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create the data dir {}", config.data_dir.display()))?;
        let db_path = config.database_path();
        let db = Db::open(&db_path)
            .with_context(|| format!("cannot open the database {}", db_path.display()))?;
        // off the start-up path: the listener binds at once, the first number finds it loaded
        std::thread::spawn(crm_core::contact::warm_up);
        let secret = match &config.jwt_secret {
            Some(s) => s.clone(),
            None => secrets::load_or_generate(&config.data_dir)?,
        };
        let nextcloud = config
            .nextcloud()?
            .map(nextcloud_dav::Client::new)
            .transpose()
            .context("invalid Nextcloud configuration")?;
        let queues = crm_comms::Queues::new(db.clone(), Arc::clone(&clock));
        let mail = mail::Mail::new(
            config.mail_accounts()?,
            crm_comms::MailLedger::new(db.clone(), Arc::clone(&clock)),
            config,
        )?;
        Ok(Self {
            products: crm_products::Service::new(
                crm_products::SqliteProductStore::new(db.clone()),
                clock.clone(),
            ),
            customers: crm_customers::Service::new(
                crm_customers::SqliteCustomerStore::new(db.clone()),
                clock.clone(),
            ),
            orders: crm_orders::Service::new(
                crm_orders::SqliteOrderStore::new(db.clone()),
                clock.clone(),
            ),
            comms: crm_comms::Service::new(
                crm_comms::SqliteCommsStore::new(db.clone()),
                clock.clone(),
            ),
            users: Users::new(db.clone(), clock.clone()),
            keys: TokenKeys::new(&secret, config.token_ttl_secs),
            clock,
            metrics: None,
            nextcloud,
            queues,
            whatsapp: match config.whatsapp()? {
                Some(wa) => Some(whatsapp::WhatsApp {
                    client: wa_bridge::Client::new(wa.graph)
                        .context("cannot set up the WhatsApp client")?,
                    app_secret: wa.app_secret,
                    verify_token: wa.verify_token,
                    wake: Arc::new(tokio::sync::Notify::new()),
                }),
                None => None,
            },
            calls: config.ami()?.map(calls::new),
            mail,
            db,
        })
    }
}

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
            tokio::spawn(whatsapp::run_worker(state.clone()));
        }
        if state.calls.is_some() {
            tokio::spawn(calls::run_bridge(state.clone()));
        }
        for i in 0..state.mail.as_ref().map_or(0, |m| m.accounts.len()) {
            tokio::spawn(mail::run_account(state.clone(), i));
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
