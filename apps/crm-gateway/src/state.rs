//! What every handler and channel worker can reach: the services, the clients of the
//! configured integrations and the token keys, built once from the configuration.

use std::sync::Arc;

use anyhow::Context;
use crm_core::{Clock, Db};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Config;
use crate::integrations::{Calls, Mail, WhatsApp};
use crate::secrets;
use crate::stores::{RecordStore, Records, Stores};
use crate::tokens::TokenKeys;
use crate::users::Users;

pub type Products = crm_products::Service<crm_products::AnyProductStore>;
pub type Customers = crm_customers::Service<crm_customers::AnyCustomerStore>;
pub type Orders = crm_orders::Service<crm_orders::AnyOrderStore>;
pub type Comms = crm_comms::Service<crm_comms::SqliteCommsStore>;
/// The service desk: SQLite only, whatever `[store]` says (see `channels::tickets`).
pub type Tickets = crm_tickets::Service<crm_tickets::SqliteTicketStore>;
/// The sales pipeline: SQLite only, whatever `[store]` says (see `channels::sales`).
pub type Sales = crm_sales::Service<crm_sales::SqliteSalesStore>;

/// What every handler can reach.
#[derive(Debug)]
pub struct AppState {
    pub db: Db,
    /// Where products, customers and orders are kept (`[store]`).
    pub records: RecordStore,
    pub products: Products,
    pub customers: Customers,
    /// CSV imports of customers: uploads, jobs (in SQLite), runs in the background.
    pub imports: crate::channels::imports::Imports,
    pub orders: Orders,
    pub comms: Comms,
    pub tickets: Tickets,
    pub sales: Sales,
    /// Workflow automation: SQLite only, whatever `[store]` says (see `channels::workflows`).
    pub workflows: crate::channels::workflows::Workflows,
    pub users: Users,
    /// The limits of `POST /api/auth/login` and who the client is (trusted proxies).
    pub login: crate::throttle::LoginThrottle,
    pub keys: TokenKeys,
    pub clock: Arc<dyn Clock>,
    pub metrics: Option<PrometheusHandle>,
    /// The Nextcloud WebDAV client; `None` when Nextcloud is not configured.
    pub nextcloud: Option<nextcloud_dav::Client>,
    /// Durable queues of inbound webhooks and attachments to fetch.
    pub queues: crm_comms::Queues,
    /// The WhatsApp Business number; `None` when not configured.
    pub whatsapp: Option<WhatsApp>,
    /// The PBX; `None` when not configured.
    pub calls: Option<Arc<Calls>>,
    /// The e-mail accounts; `None` when none is configured.
    pub mail: Option<Mail>,
    /// The issuer of quotations and order confirmations (`[company]`).
    pub company: crate::config::CompanyConfig,
    /// The model of the AI workflow nodes (`[llm]`); `None` when not configured.
    pub llm: Option<llm_client::Client>,
    /// What the `http_request` workflow node may reach although private.
    pub workflow_http_allow: crate::config::HttpAllow,
    /// What the last scheduled backup did.
    pub backups: crate::backups::BackupState,
}

impl AppState {
    /// Opens the database under the data dir (creating both if needed), sets up the record
    /// store (no request is made to Firestore yet) and builds the services.
    pub async fn open(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        // a configuration built in code is checked as a loaded one is
        let config = &config.clone().checked()?;
        if let Some(mode) = private_dir(&config.data_dir)? {
            tracing::warn!(
                data_dir = %config.data_dir.display(),
                mode = format!("{mode:04o}"),
                "the data dir is open to other users of this machine: `chmod 700` it"
            );
        }
        let records = RecordStore::open(config).await?;
        let db = crate::stores::open_db(config, &records)?;
        let Stores {
            products,
            customers,
            orders,
            comms,
        } = records.stores(&db);
        // off the start-up path: the listener binds at once, the first number finds it loaded
        std::thread::spawn(crm_core::contact::warm_up);
        let secret = match &config.jwt_secret {
            Some(s) => s.clone(),
            None => secrets::load_or_generate(&config.data_dir)?,
        };
        let nextcloud = config
            .nextcloud
            .clone()
            .map(nextcloud_dav::Client::new)
            .transpose()
            .context("invalid Nextcloud configuration")?;
        let queues = crm_comms::Queues::new(db.clone(), Arc::clone(&clock));
        let mail = Mail::new(
            config.email_accounts()?,
            crm_comms::MailLedger::new(db.clone(), Arc::clone(&clock)),
            config,
        )?;
        let customers = crm_customers::Service::new(customers, clock.clone());
        let orders = crm_orders::Service::new(orders, clock.clone()).with_customer_matches(
            Arc::new(crate::stores::CustomersBySearch(customers.clone())),
        );
        let sales =
            crm_sales::Service::new(crm_sales::SqliteSalesStore::new(db.clone()), clock.clone());
        crm_sales::Sales::ensure_default_pipeline(&sales)
            .await
            .context("cannot seed the default sales pipeline")?;
        let imports = crate::channels::imports::Imports::new(crm_customers::import::Importer::new(
            customers.store().clone(),
            db.clone(),
            clock.clone(),
        ));
        Ok(Self {
            imports,
            products: crm_products::Service::new(products, clock.clone()),
            customers,
            orders,
            comms: crm_comms::Service::new(comms, clock.clone()),
            tickets: crm_tickets::Service::new(
                crm_tickets::SqliteTicketStore::new(db.clone()),
                clock.clone(),
            ),
            sales,
            workflows: crate::channels::workflows::Workflows::new(
                db.clone(),
                crate::channels::workflows::Port::default(),
                clock.clone(),
                crm_workflows::Limits::default(),
            ),
            records,
            users: crate::users::open(db.clone(), clock.clone(), &config.login),
            login: crate::throttle::LoginThrottle::new(
                &config.login,
                config.trusted_proxies.clone(),
            ),
            keys: TokenKeys::new(&secret, config.token_ttl_secs),
            clock,
            metrics: None,
            nextcloud,
            queues,
            whatsapp: match config.whatsapp.clone() {
                Some(wa) => Some(WhatsApp {
                    client: wa_bridge::Client::new(wa.graph)
                        .context("cannot set up the WhatsApp client")?,
                    app_secret: wa.app_secret,
                    verify_token: wa.verify_token,
                    wake: Arc::new(tokio::sync::Notify::new()),
                }),
                None => None,
            },
            calls: config.ami.clone().map(Calls::new),
            mail,
            company: config.company.clone(),
            llm: config
                .llm
                .clone()
                .map(llm_client::Client::new)
                .transpose()
                .context("cannot set up the AI endpoint's client")?,
            workflow_http_allow: config.workflow_http_allow.clone(),
            backups: crate::backups::BackupState::default(),
            db,
        })
    }
}

impl AppState {
    /// The product, customer and order stores, for work beside the requests (reindexing).
    pub fn records(&self) -> Records {
        Records {
            products: self.products.store().clone(),
            customers: self.customers.store().clone(),
            orders: self.orders.store().clone(),
        }
    }
}

/// Creates the data dir readable by its owner only (0700); returns the mode of an existing one
/// that is open to others (it holds every customer and every password hash).
fn private_dir(dir: &std::path::Path) -> anyhow::Result<Option<u32>> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the data dir {}", dir.display()))?;
    let mode = std::fs::metadata(dir)
        .with_context(|| format!("cannot read the data dir {}", dir.display()))?
        .permissions()
        .mode()
        & 0o777;
    Ok((mode & 0o077 != 0).then_some(mode))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_data_dir_is_created_private_and_a_looser_one_is_named() {
        let root = tempfile::tempdir().unwrap();
        let fresh = root.path().join("a/data");
        assert_eq!(private_dir(&fresh).unwrap(), None);
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let open = root.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(private_dir(&open).unwrap(), Some(0o755));
    }
}
