//! Where products, customers and orders are kept — the SQLite file or Firestore, as `[store]`
//! says — and the references that cross from the comms log (always in SQLite) to them.
//!
//! On SQLite everything is one database and its foreign keys check every reference. With
//! Firestore, SQLite's tables of products, customers and orders stay empty and its foreign
//! keys are off; instead the comms store asks Firestore whether a customer or an order an entry
//! names exists ([`FirestoreReferents`]), and the customer store asks the comms log whether
//! anything there refers to a customer it is about to delete ([`CommsReferrers`]).

use std::sync::Arc;

use anyhow::Context;
use crm_core::firestore::Collections;
use crm_core::{Db, DbOptions};
use crm_customers::{AnyCustomerStore, CustomerStore as _, FirestoreCustomerStore};
use crm_orders::{AnyOrderStore, FirestoreOrderStore, OrderStore as _};
use crm_products::{AnyProductStore, FirestoreProductStore};
use uuid::Uuid;

use crate::config::{Config, StoreKind};

/// The record store the server answers from.
#[derive(Debug, Clone)]
pub enum RecordStore {
    /// The tables of `crm.db`.
    Sqlite,
    /// A Firestore database.
    Firestore {
        client: firestore::Client,
        collections: Collections,
    },
}

impl RecordStore {
    /// The store `[store]` names (a client of Firestore's, or of its emulator, for
    /// `firestore`; no request is made yet).
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        Self::of_kind(config, config.store.kind).await
    }

    /// The store of `kind`, configured as `[store]` says (for `crm store copy`, which opens
    /// both).
    pub async fn of_kind(config: &Config, kind: StoreKind) -> anyhow::Result<Self> {
        Ok(match kind {
            StoreKind::Sqlite => RecordStore::Sqlite,
            StoreKind::Firestore => RecordStore::Firestore {
                client: firestore::Client::new(config.store.firestore.clone())
                    .await
                    .context("cannot set up the Firestore client")?,
                collections: Collections::new(config.store.collection_prefix.clone()),
            },
        })
    }

    pub fn kind(&self) -> StoreKind {
        match self {
            RecordStore::Sqlite => StoreKind::Sqlite,
            RecordStore::Firestore { .. } => StoreKind::Firestore,
        }
    }

    /// The SQLite database's options with this store: foreign keys only when the records
    /// they point at are in it.
    pub fn db_options(&self) -> DbOptions {
        DbOptions {
            foreign_keys: matches!(self, RecordStore::Sqlite),
            ..DbOptions::default()
        }
    }

    /// Whether the store answers: the database for SQLite, a read of one document for
    /// Firestore (a missing document is an answer).
    pub async fn ping(&self, db: &Db) -> crm_core::Result<()> {
        match self {
            RecordStore::Sqlite => Ok(db.ping().await?),
            RecordStore::Firestore {
                client,
                collections,
            } => {
                let path = firestore::doc_path(&collections.meta(), "health");
                client.get(&path).await?;
                Ok(())
            }
        }
    }

    /// The three stores over this one, and the comms store with the references across.
    pub fn stores(&self, db: &Db) -> Stores {
        let comms = crm_comms::SqliteCommsStore::new(db.clone());
        match self {
            RecordStore::Sqlite => Stores {
                products: AnyProductStore::Sqlite(crm_products::SqliteProductStore::new(
                    db.clone(),
                )),
                customers: AnyCustomerStore::Sqlite(crm_customers::SqliteCustomerStore::new(
                    db.clone(),
                )),
                orders: AnyOrderStore::Sqlite(crm_orders::SqliteOrderStore::new(db.clone())),
                comms,
            },
            RecordStore::Firestore {
                client,
                collections,
            } => {
                let customers = FirestoreCustomerStore::new(client.clone(), collections.clone());
                let orders = FirestoreOrderStore::new(client.clone(), collections.clone());
                Stores {
                    products: AnyProductStore::Firestore(FirestoreProductStore::new(
                        client.clone(),
                        collections.clone(),
                    )),
                    customers: AnyCustomerStore::Firestore(
                        customers
                            .clone()
                            .with_referrers(Arc::new(CommsReferrers(comms.clone()))),
                    ),
                    orders: AnyOrderStore::Firestore(orders.clone()),
                    comms: comms.with_referents(Arc::new(FirestoreReferents { customers, orders })),
                }
            }
        }
    }
}

/// The stores of one [`RecordStore`].
#[derive(Debug)]
pub struct Stores {
    pub products: AnyProductStore,
    pub customers: AnyCustomerStore,
    pub orders: AnyOrderStore,
    pub comms: crm_comms::SqliteCommsStore,
}

/// The comms log's question to Firestore: does this customer, this order exist?
#[derive(Debug)]
struct FirestoreReferents {
    customers: FirestoreCustomerStore,
    orders: FirestoreOrderStore,
}

impl crm_comms::Referents for FirestoreReferents {
    fn customer_exists(&self, id: Uuid) -> crm_comms::BoxFuture<'_, crm_comms::Result<bool>> {
        Box::pin(async move { found(self.customers.get(id).await) })
    }

    fn order_exists(&self, id: Uuid) -> crm_comms::BoxFuture<'_, crm_comms::Result<bool>> {
        Box::pin(async move { found(self.orders.get(id).await) })
    }
}

fn found<T>(r: crm_core::Result<T>) -> crm_core::Result<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(crm_core::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The customer store's question to the comms log: does anything refer to this customer?
#[derive(Debug)]
struct CommsReferrers(crm_comms::SqliteCommsStore);

impl crm_customers::Referrers for CommsReferrers {
    fn referring_to(
        &self,
        customer: Uuid,
    ) -> std::pin::Pin<Box<dyn Future<Output = crm_customers::Result<Option<String>>> + Send + '_>>
    {
        Box::pin(async move {
            Ok(self
                .0
                .referring_to_customer(customer)
                .await?
                .map(str::to_owned))
        })
    }
}

/// The orders list's question to the customers service: which customers does this search
/// text find? By the customers' own search (Greek inflection, accents, Greeklish), capped at
/// [`CustomersBySearch::CAP`] customers, the best matches first: a text that finds more
/// finds the orders of those only (and its order numbers).
#[derive(Debug)]
pub struct CustomersBySearch(pub crm_customers::Service<crm_customers::AnyCustomerStore>);

impl CustomersBySearch {
    /// Most customers one order search looks at (the customers' largest page).
    pub const CAP: u32 = 500;
}

impl crm_orders::service::CustomerMatches for CustomersBySearch {
    fn matching<'a>(
        &'a self,
        text: &'a str,
    ) -> crm_orders::service::BoxFuture<'a, crm_orders::Result<Vec<Uuid>>> {
        use crm_customers::Customers as _;
        Box::pin(async move {
            let page = self
                .0
                .list(crm_customers::ListQuery {
                    search: Some(text.to_owned()),
                    limit: Some(Self::CAP),
                    ..crm_customers::ListQuery::default()
                })
                .await?;
            Ok(page.items.into_iter().map(|c| c.id).collect())
        })
    }
}

/// What [`reindex`] wrote, per collection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reindexed {
    pub products: u64,
    pub customers: u64,
    pub orders: u64,
}

/// The record stores a server answers from, for the work that runs beside the requests.
#[derive(Debug, Clone)]
pub struct Records {
    pub products: AnyProductStore,
    pub customers: AnyCustomerStore,
    pub orders: AnyOrderStore,
}

impl Records {
    /// Gives documents that another program wrote into the Firestore collections
    /// (BellSystems' Python console) the derived fields the CRM lists and searches by —
    /// folded names, search keys, SKU claims, product ids — and fixes stale ones. Until then
    /// such a document is read by id but missing from lists and searches. On SQLite: writes
    /// the search-index rows a migration left to write (the customers' index after migration
    /// 12).
    pub async fn reindex(&self) -> crm_core::Result<Reindexed> {
        Ok(Reindexed {
            products: self.products.reindex().await?,
            customers: self.customers.reindex().await?,
            orders: self.orders.reindex().await?,
        })
    }

    /// In the background of a server: on Firestore, loads the customers' search index (so the
    /// first search does not wait for it); then [`Records::reindex`] now and every `every`
    /// (none: only now), logging what it wrote.
    pub async fn keep_reindexing(
        self,
        every: Option<std::time::Duration>,
        stop: crate::shutdown::Stop,
    ) {
        if let AnyCustomerStore::Firestore(customers) = &self.customers {
            match customers.load_search_index().await {
                Ok(()) => tracing::info!(
                    customers = customers.search_index_stats().customers,
                    "customer search index loaded"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "customer search index: loading failed; the first search tries again")
                }
            }
        }
        loop {
            match self.reindex().await {
                Ok(n) if n == Reindexed::default() => tracing::debug!("reindex: nothing to do"),
                Ok(n) => tracing::info!(
                    products = n.products,
                    customers = n.customers,
                    orders = n.orders,
                    "reindex: derived fields and index rows written"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "reindex failed; trying again at the next round")
                }
            }
            let Some(every) = every else { return };
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = stop.wait() => return,
            }
        }
    }
}

/// Opens the SQLite database for `store` (see [`RecordStore::db_options`]).
pub fn open_db(config: &Config, store: &RecordStore) -> anyhow::Result<Db> {
    let path = config.database_path();
    let options = DbOptions {
        writer_cache_mib: config.db_cache_mib,
        ..store.db_options()
    };
    Db::open_with(&path, &options)
        .with_context(|| format!("cannot open the database {}", path.display()))
}
