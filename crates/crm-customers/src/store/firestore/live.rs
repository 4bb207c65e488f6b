//! The Firestore store's [`SearchIndex`] kept in step with the collection: loaded once on
//! first use, changed by the store's own writes, refreshed from other writers' changes, and
//! reloaded in full now and then (the design and its staleness bound are in the doc of the
//! parent module, section *Search*).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crm_core::Clock;
use crm_core::fts::Group;
use firestore::{Client, Direction, Document, Filter, NAME_FIELD, Query, Timestamp, Value};
use uuid::Uuid;

use super::decode_customer;
use super::index::{Entry, Filters, Observed, SearchIndex};
use crate::error::{Error, Result};

/// What is read of each document to index it (`updated_at` for the delta's cursor).
const PROJECTION: &[&str] = &[
    "name",
    "organization",
    "contacts",
    "tags",
    "location",
    "updated_at",
];

/// Documents per page when (re)loading the index.
const LOAD_PAGE: u32 = 1_000;

/// Documents per page of a delta refresh.
const DELTA_PAGE: u32 = 500;

/// How often, by default, a search first asks Firestore what other writers changed.
pub const DEFAULT_REFRESH_EVERY: Duration = Duration::from_secs(5);

/// How often, by default, the whole index is read again (in the background).
pub const DEFAULT_RELOAD_EVERY: Duration = Duration::from_secs(3600);

/// How far before the start of the previous refresh (on the store's clock) a delta refresh
/// asks for `updated_at`: the clock skew between writers and the time from a writer
/// stamping `updated_at` to its commit landing, both assumed below this.
pub const DELTA_OVERLAP: Duration = Duration::from_secs(30);

/// How the index is kept fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub refresh_every: Duration,
    pub reload_every: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh_every: DEFAULT_REFRESH_EVERY,
            reload_every: DEFAULT_RELOAD_EVERY,
        }
    }
}

/// What the search index holds and has done, for monitoring and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchIndexStats {
    /// Customers in the index.
    pub customers: usize,
    /// A rough size of the index in bytes (see the parent module's doc for a measurement).
    pub approx_bytes: usize,
    /// Completed first loads: 1 once loaded, however many searches asked at once.
    pub loads: u64,
    /// Completed full reloads after the first load.
    pub reloads: u64,
    /// Completed delta refreshes.
    pub refreshes: u64,
}

/// The index and whether (and how) it follows the collection.
#[derive(Debug, Default)]
struct State {
    index: SearchIndex,
    /// Set when the first load starts: before, there is nothing to keep in step.
    active: bool,
    /// While a (re)load reads the collection: every change applied meanwhile, applied again
    /// to the new index before it replaces this one.
    journal: Option<Vec<Observed>>,
}

/// When the last delta refresh and full reload started.
#[derive(Debug)]
struct Schedule {
    refreshed: Instant,
    /// The store's clock when the last refresh (or the first load) started: the next delta
    /// asks for `updated_at >= since - DELTA_OVERLAP`.
    since: crm_core::Timestamp,
    reloaded: Instant,
}

/// The store's search index, shared by its clones (one per store instance: another
/// instance on the same collections is another process as far as the index knows).
pub(crate) struct LiveIndex {
    settings: Settings,
    clock: Arc<dyn Clock>,
    /// Never held across an `.await`.
    state: RwLock<State>,
    /// Set once the first load succeeded; concurrent first searches wait for one loader.
    loaded: tokio::sync::OnceCell<()>,
    /// Held (across the delta query) by the one search that refreshes; the others wait for
    /// it, so that no answer is older than the bound.
    schedule: tokio::sync::Mutex<Schedule>,
    reloading: AtomicBool,
    loads: AtomicU64,
    reloads: AtomicU64,
    refreshes: AtomicU64,
}

impl std::fmt::Debug for LiveIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveIndex")
            .field("settings", &self.settings)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl LiveIndex {
    pub(crate) fn new(settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let now = Instant::now();
        let since = clock.now();
        Self {
            settings,
            clock,
            state: RwLock::default(),
            loaded: tokio::sync::OnceCell::new(),
            schedule: tokio::sync::Mutex::new(Schedule {
                refreshed: now,
                since,
                reloaded: now,
            }),
            reloading: AtomicBool::new(false),
            loads: AtomicU64::new(0),
            reloads: AtomicU64::new(0),
            refreshes: AtomicU64::new(0),
        }
    }

    pub(crate) fn settings(&self) -> Settings {
        self.settings
    }

    pub(crate) fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the index follows the collection (its first load has started): before, what
    /// the store writes need not be told.
    pub(crate) fn active(&self) -> bool {
        self.read().active
    }

    pub(crate) fn stats(&self) -> SearchIndexStats {
        let state = self.read();
        SearchIndexStats {
            customers: state.index.len(),
            approx_bytes: state.index.approx_bytes(),
            loads: self.loads.load(Ordering::Relaxed),
            reloads: self.reloads.load(Ordering::Relaxed),
            refreshes: self.refreshes.load(Ordering::Relaxed),
        }
    }

    /// Applies what the store saw (its own writes, the documents of a page): nothing before
    /// the first load starts (that load reads them).
    pub(crate) fn observe(&self, changes: impl IntoIterator<Item = Observed>) {
        let mut state = self.write();
        if !state.active {
            return;
        }
        for o in changes {
            if let Some(journal) = &mut state.journal {
                journal.push(o.clone());
            }
            state.index.apply(o);
        }
    }

    /// See [`SearchIndex::page`].
    pub(crate) fn page(
        &self,
        groups: &[Group],
        filters: Filters<'_>,
        offset: usize,
        limit: usize,
    ) -> (u64, Vec<(Uuid, Option<Timestamp>)>) {
        let state = self.read();
        let (total, ids) = state.index.page(groups, filters, offset, limit);
        let ids = ids
            .into_iter()
            .map(|id| (id, state.index.seen(id)))
            .collect();
        (total, ids)
    }

    /// Makes the index ready to answer: loaded (once, however many ask at once), refreshed
    /// from other writers' changes when the last refresh is older than `refresh_every`, and a
    /// full reload started in the background when the last one is older than `reload_every`.
    pub(crate) async fn ready(self: &Arc<Self>, client: &Client, collection: &str) -> Result<()> {
        self.loaded
            .get_or_try_init(|| self.first_load(client, collection))
            .await?;
        let mut schedule = self.schedule.lock().await;
        if schedule.reloaded.elapsed() >= self.settings.reload_every
            && !self.reloading.swap(true, Ordering::AcqRel)
        {
            let (live, client, collection) =
                (Arc::clone(self), client.clone(), collection.to_owned());
            tokio::spawn(async move { live.reload(&client, &collection).await });
        }
        if schedule.refreshed.elapsed() >= self.settings.refresh_every {
            let (started, since) = (Instant::now(), self.clock.now());
            self.delta(client, collection, schedule.since).await?;
            schedule.refreshed = started;
            schedule.since = since;
            self.refreshes.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn first_load(&self, client: &Client, collection: &str) -> Result<()> {
        let (started, since) = (Instant::now(), self.clock.now());
        let customers = self.load(client, collection).await?;
        tracing::info!(
            customers,
            ms = started.elapsed().as_millis(),
            "customer search index loaded"
        );
        let mut schedule = self.schedule.lock().await;
        *schedule = Schedule {
            refreshed: started,
            since,
            reloaded: started,
        };
        self.loads.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// A full reload (spawned by [`LiveIndex::ready`]); on failure the old index stays and
    /// the next reload is due after `reload_every` again.
    async fn reload(&self, client: &Client, collection: &str) {
        let started = Instant::now();
        match self.load(client, collection).await {
            Ok(_) => {
                self.reloads.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => tracing::warn!(error = %e, "customer search index: full reload failed"),
        }
        self.schedule.lock().await.reloaded = started;
        self.reloading.store(false, Ordering::Release);
    }

    /// Reads every document (projections, page by page) into a new index, which then
    /// replaces the current one with the changes applied meanwhile. Answers how many
    /// customers it holds.
    async fn load(&self, client: &Client, collection: &str) -> Result<usize> {
        {
            let mut state = self.write();
            state.active = true;
            state.journal = Some(Vec::new());
        }
        let read = read_all(client, collection).await;
        let mut state = self.write();
        let journal = state.journal.take().unwrap_or_default();
        let mut index = read?;
        for o in journal {
            index.apply(o);
        }
        let customers = index.len();
        let old = std::mem::replace(&mut state.index, index);
        drop(state);
        // freed outside the lock
        drop(old);
        Ok(customers)
    }

    /// Applies every document with `updated_at >= since - DELTA_OVERLAP`, oldest first,
    /// page by page.
    async fn delta(
        &self,
        client: &Client,
        collection: &str,
        since: crm_core::Timestamp,
    ) -> Result<()> {
        let from = overlap_before(since)?;
        let mut after: Option<(Value, String)> = None;
        loop {
            let mut query = Query::collection(collection)
                .filter(Filter::ge("updated_at", Value::Timestamp(from)))
                .order_by("updated_at", Direction::Ascending)
                .order_by(NAME_FIELD, Direction::Ascending)
                .select(PROJECTION.iter().copied())
                .limit(DELTA_PAGE);
            if let Some((updated_at, path)) = &after {
                query = query.start_after(vec![updated_at.clone(), client.reference(path)]);
            }
            let docs = client.run_query(&query).await?;
            self.observe(docs.iter().filter_map(observed));
            if docs.len() < page_len(DELTA_PAGE) {
                return Ok(());
            }
            after = docs.last().and_then(|d| {
                let updated_at = d.fields.get("updated_at")?.clone();
                Some((updated_at, d.path().to_owned()))
            });
            if after.is_none() {
                return Ok(());
            }
        }
    }
}

fn page_len(page: u32) -> usize {
    usize::try_from(page).unwrap_or(usize::MAX)
}

/// `since` minus [`DELTA_OVERLAP`], as a Firestore timestamp.
fn overlap_before(since: crm_core::Timestamp) -> Result<Timestamp> {
    let invalid = |e: firestore::ValueError| Error::Store {
        message: format!("the search index's refresh time is out of range: {e}"),
    };
    let t = Timestamp::try_from(since.into_inner()).map_err(invalid)?;
    let overlap = i64::try_from(DELTA_OVERLAP.as_secs()).unwrap_or(i64::MAX);
    Timestamp::new(t.seconds().saturating_sub(overlap), t.nanos()).map_err(invalid)
}

/// Every document of the collection, as index entries.
async fn read_all(client: &Client, collection: &str) -> Result<SearchIndex> {
    let mut index = SearchIndex::default();
    let mut after: Option<String> = None;
    loop {
        let mut query = Query::collection(collection)
            .order_by(NAME_FIELD, Direction::Ascending)
            .select(PROJECTION.iter().copied())
            .limit(LOAD_PAGE);
        if let Some(path) = &after {
            query = query.start_after(vec![client.reference(path)]);
        }
        let docs = client.run_query(&query).await?;
        for o in docs.iter().filter_map(observed) {
            index.apply(o);
        }
        match docs.last() {
            Some(last) if docs.len() >= page_len(LOAD_PAGE) => after = Some(last.path().to_owned()),
            _ => return Ok(index),
        }
    }
}

/// A document (or its projection) as the index sees it. `None` (left out) when its id is no
/// customer id or it has no update time; a document that is not readable as a customer is
/// observed gone (and logged).
pub(crate) fn observed(doc: &Document) -> Option<Observed> {
    let id = Uuid::parse_str(doc.id())
        .ok()
        .filter(|id| id.to_string() == doc.id());
    let (Some(id), Some(seen)) = (id, doc.update_time) else {
        tracing::warn!(
            document = doc.path(),
            "customer search index: skipped (no customer id)"
        );
        return None;
    };
    let entry = match decode_customer(doc) {
        Ok(c) => Some(Entry::of(&c)),
        Err(e) => {
            tracing::warn!(document = doc.path(), error = %e, "customer search index: unreadable");
            None
        }
    };
    Some(Observed { id, seen, entry })
}
