//! `crm store copy --from sqlite --to firestore` (and back): every product, customer and
//! order of one record store into the other, then a verification pass.
//!
//! - **Exact.** Records are copied as they are — ids, versions, timestamps, order numbers,
//!   status histories — through each store's `scan` (pages in id order) and `put_all`.
//! - **Idempotent.** Each page of the source is compared with the target's records of the
//!   same ids; only records that differ are written. A second run writes nothing. (Into an
//!   empty target there is nothing to compare: a first copy only reads and writes.)
//! - **Resumable.** After each page the last id copied is saved in
//!   `{data_dir}/store-copy-{from}-{to}.json`; a run killed half-way starts after it. The file
//!   is removed when the copy is complete.
//! - **Verified.** Afterwards both stores are read side by side: counts and every record's
//!   JSON must match. Any difference is listed, and the command fails.
//!
//! Products come first, then customers, then orders (which name both).

use std::collections::HashMap;
use std::future::Future;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, bail};
use crm_core::Db;
use serde::Serialize;
use uuid::Uuid;

use crate::config::{Config, StoreKind};
use crate::stores::{RecordStore, Stores};

/// How many records one page of the copy carries: several of Firestore's batched writes
/// (500 writes each), which the Firestore stores send a few at a time.
pub const PAGE: u32 = 5_000;

/// One context's records, as the copy sees them.
trait Records: Sync {
    type Record: Serialize + Send + Sync + 'static;
    fn id(record: &Self::Record) -> Uuid;
    fn count(&self) -> impl Future<Output = crm_core::Result<u64>> + Send;
    fn scan(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> impl Future<Output = crm_core::Result<Vec<Self::Record>>> + Send;
    fn put_all(
        &self,
        records: Vec<Self::Record>,
    ) -> impl Future<Output = crm_core::Result<()>> + Send;
}

macro_rules! records {
    ($store:ty, $record:ty, $trait:path, $query:ty) => {
        impl Records for $store {
            type Record = $record;
            fn id(record: &$record) -> Uuid {
                record.id
            }
            async fn count(&self) -> crm_core::Result<u64> {
                use $trait as _;
                let mut query = <$query>::default();
                query.limit = Some(0);
                Ok(self.list(query).await?.total)
            }
            async fn scan(
                &self,
                after: Option<Uuid>,
                limit: u32,
            ) -> crm_core::Result<Vec<$record>> {
                <$store as $trait>::scan(self, after, limit).await
            }
            async fn put_all(&self, records: Vec<$record>) -> crm_core::Result<()> {
                <$store as $trait>::put_all(self, records).await
            }
        }
    };
}

records!(
    crm_products::AnyProductStore,
    crm_products::Product,
    crm_products::ProductStore,
    crm_products::ListQuery
);
records!(
    crm_customers::AnyCustomerStore,
    crm_customers::Customer,
    crm_customers::CustomerStore,
    crm_customers::ListQuery
);
records!(
    crm_orders::AnyOrderStore,
    crm_orders::Order,
    crm_orders::OrderStore,
    crm_orders::ListQuery
);

/// What a copy did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// Records read from the source.
    pub read: u64,
    /// Records written into the target (the others were there already, the same).
    pub written: u64,
}

/// A difference the verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    Missing { context: &'static str, id: Uuid },
    Extra { context: &'static str, id: Uuid },
    Differs { context: &'static str, id: Uuid },
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::Missing { context, id } => write!(f, "{context} {id}: not in the target"),
            Difference::Extra { context, id } => write!(f, "{context} {id}: only in the target"),
            Difference::Differs { context, id } => write!(f, "{context} {id}: differs"),
        }
    }
}

/// The two sides of a copy, opened from the configuration.
#[derive(Debug)]
pub struct Copy {
    from: Stores,
    to: Stores,
    checkpoint: PathBuf,
    page: u32,
    progress: indicatif::ProgressBar,
    // keeps the database's writer running while the stores use it
    _db: Db,
}

impl Copy {
    /// Opens both stores: the SQLite one is `crm.db` in the data dir, the Firestore one the
    /// `[store.firestore]` database (whatever `[store] kind` says).
    /// `page`: records per page ([`PAGE`] is a good default).
    pub async fn open(
        config: &Config,
        from: StoreKind,
        to: StoreKind,
        page: u32,
    ) -> anyhow::Result<Self> {
        if from == to {
            bail!(
                "--from and --to are both {}: nothing to copy",
                from.as_str()
            );
        }
        let source = RecordStore::of_kind(config, from).await?;
        let target = RecordStore::of_kind(config, to).await?;
        // foreign keys on: whichever side SQLite is, it holds products, customers and orders
        let db = crate::stores::open_db(config, &RecordStore::Sqlite)?;
        let progress = indicatif::ProgressBar::hidden();
        if std::io::stderr().is_terminal() {
            progress.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        progress.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:>9} [{bar:30}] {pos}/{len}, {per_sec}, {eta} left",
            )?
            .progress_chars("=> "),
        );
        Ok(Self {
            from: source.stores(&db),
            to: target.stores(&db),
            checkpoint: config.data_dir.join(format!(
                "store-copy-{}-{}.json",
                from.as_str(),
                to.as_str()
            )),
            page,
            progress,
            _db: db,
        })
    }

    /// Copies products, customers and orders, resuming after the last saved page.
    pub async fn run(&self) -> anyhow::Result<Copied> {
        let mut done = self.load_checkpoint()?;
        let mut total = Copied::default();
        for (context, copied) in [
            (
                "products",
                self.copy(
                    "products",
                    &self.from.products,
                    &self.to.products,
                    &mut done,
                )
                .await?,
            ),
            (
                "customers",
                self.copy(
                    "customers",
                    &self.from.customers,
                    &self.to.customers,
                    &mut done,
                )
                .await?,
            ),
            (
                "orders",
                self.copy("orders", &self.from.orders, &self.to.orders, &mut done)
                    .await?,
            ),
        ] {
            tracing::info!(
                context,
                read = copied.read,
                written = copied.written,
                "copied"
            );
            total.read += copied.read;
            total.written += copied.written;
        }
        self.progress.finish_and_clear();
        match std::fs::remove_file(&self.checkpoint) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).context("cannot remove the copy's checkpoint");
            }
            _ => {}
        }
        Ok(total)
    }

    /// Reads both stores side by side and lists every record that is missing, extra or
    /// different in the target.
    pub async fn verify(&self) -> anyhow::Result<Vec<Difference>> {
        let mut out = Vec::new();
        out.extend(compare("products", &self.from.products, &self.to.products).await?);
        out.extend(compare("customers", &self.from.customers, &self.to.customers).await?);
        out.extend(compare("orders", &self.from.orders, &self.to.orders).await?);
        Ok(out)
    }

    async fn copy<S: Records>(
        &self,
        context: &'static str,
        from: &S,
        to: &S,
        done: &mut HashMap<String, Uuid>,
    ) -> anyhow::Result<Copied> {
        let mut copied = Copied::default();
        self.progress.set_message(context);
        self.progress.set_length(from.count().await?);
        self.progress.set_position(0);
        let mut after = done.get(context).copied();
        // into an empty target there is nothing to compare with: only writes (a first copy)
        let compare = to.count().await? > 0;
        loop {
            let page = from.scan(after, self.page).await?;
            let Some(last) = page.last().map(S::id) else {
                break;
            };
            let there: HashMap<Uuid, serde_json::Value> = if compare {
                to.scan(after, self.page)
                    .await?
                    .into_iter()
                    .map(|r| Ok((S::id(&r), serde_json::to_value(&r)?)))
                    .collect::<serde_json::Result<_>>()?
            } else {
                HashMap::new()
            };
            copied.read += page.len() as u64;
            self.progress.inc(page.len() as u64);
            let mut changed = Vec::new();
            for record in page {
                let same = there
                    .get(&S::id(&record))
                    .is_some_and(|t| serde_json::to_value(&record).ok().as_ref() == Some(t));
                if !same {
                    changed.push(record);
                }
            }
            if !changed.is_empty() {
                copied.written += changed.len() as u64;
                to.put_all(changed)
                    .await
                    .with_context(|| format!("writing {context} into the target"))?;
            }
            after = Some(last);
            done.insert(context.to_owned(), last);
            self.save_checkpoint(done)?;
        }
        Ok(copied)
    }

    fn load_checkpoint(&self) -> anyhow::Result<HashMap<String, Uuid>> {
        match std::fs::read(&self.checkpoint) {
            Ok(bytes) => {
                let done: HashMap<String, Uuid> = serde_json::from_slice(&bytes)
                    .with_context(|| format!("unreadable {}", self.checkpoint.display()))?;
                tracing::info!(checkpoint = %self.checkpoint.display(), ?done, "resuming a copy");
                Ok(done)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashMap::new()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", self.checkpoint.display())),
        }
    }

    fn save_checkpoint(&self, done: &HashMap<String, Uuid>) -> anyhow::Result<()> {
        let tmp = self.checkpoint.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(done)?)
            .and_then(|()| std::fs::rename(&tmp, &self.checkpoint))
            .with_context(|| format!("cannot write {}", self.checkpoint.display()))
    }
}

/// The differences between two stores of one context, read page by page in id order.
async fn compare<S: Records>(
    context: &'static str,
    a: &S,
    b: &S,
) -> anyhow::Result<Vec<Difference>> {
    let mut out = Vec::new();
    let (mut left, mut right) = (Pages::new(a), Pages::new(b));
    loop {
        match (left.peek().await?, right.peek().await?) {
            (None, None) => return Ok(out),
            (Some((id, _)), None) => {
                out.push(Difference::Missing { context, id });
                left.next();
            }
            (None, Some((id, _))) => {
                out.push(Difference::Extra { context, id });
                right.next();
            }
            (Some((l, lv)), Some((r, rv))) => {
                if l < r {
                    out.push(Difference::Missing { context, id: l });
                    left.next();
                } else if r < l {
                    out.push(Difference::Extra { context, id: r });
                    right.next();
                } else {
                    if lv != rv {
                        out.push(Difference::Differs { context, id: l });
                    }
                    left.next();
                    right.next();
                }
            }
        }
    }
}

/// A store's records in id order, a page at a time, as JSON.
struct Pages<'a, S> {
    store: &'a S,
    page: std::collections::VecDeque<(Uuid, serde_json::Value)>,
    after: Option<Uuid>,
    end: bool,
}

impl<'a, S: Records> Pages<'a, S> {
    fn new(store: &'a S) -> Self {
        Self {
            store,
            page: Default::default(),
            after: None,
            end: false,
        }
    }

    async fn peek(&mut self) -> anyhow::Result<Option<(Uuid, serde_json::Value)>> {
        if self.page.is_empty() && !self.end {
            let records = self.store.scan(self.after, PAGE).await?;
            self.end = records.is_empty();
            for r in records {
                let id = S::id(&r);
                self.after = Some(id);
                self.page.push_back((id, serde_json::to_value(&r)?));
            }
        }
        Ok(self.page.front().cloned())
    }

    fn next(&mut self) {
        self.page.pop_front();
    }
}
