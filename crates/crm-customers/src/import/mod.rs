//! CSV import of customers: an old spreadsheet of parishes brought in, dry-run first.
//!
//! The steps, each a call of [`Importer`]:
//!
//! 1. **Read** ([`decode`]): UTF-8 (with or without BOM), Windows-1253 or ISO-8859-7
//!    detected; `,` `;` or tab detected; quoted cells may hold line breaks. Rows are numbered
//!    as a spreadsheet numbers them (the header is row 1).
//! 2. **Map** ([`mapping`]): each column gets a [`Field`]; [`Importer::preview`] suggests them
//!    from the header names (Greek or English, case and accents ignored) and shows the first
//!    rows as the customers they would become.
//! 3. **Plan** ([`Importer::plan`], the dry run): every row gets an [`Outcome`], with
//!    [`Totals`]; the job and its rows are recorded in SQLite, no customer is written.
//! 4. **Run** ([`Importer::run`]): the plan is made again against the customers as they are
//!    now (nothing changed meanwhile: the same outcomes) and written in batches of
//!    [`BATCH_ROWS`] rows — new customers through [`CustomerStore::put_all`], updated ones
//!    through [`CustomerStore::update`] at the version they were merged into. Rows with
//!    nothing to write come first, then rows in the order of the customers' folded names (the
//!    order the stores keep), so that 100,000 new customers append rather than land all over
//!    the indexes. After each batch its rows' outcomes are recorded (`written`) and the
//!    [`RunControl`] is asked whether to stop. A cancelled or failed job has written whole
//!    batches only, and its report says which rows; importing the file again writes the
//!    rest. A job the process died in the middle of stays `running`; the same holds for it.
//!
//! The whole file is held in memory: the caller bounds its size.
//!
//! # The rules
//!
//! - A row's **name** is its `name` column, or else its `organization`; a row with neither is
//!   an error. Every value is validated as a customer's is
//!   ([`NewCustomer`](crate::model::NewCustomer)); the error names the column (its header)
//!   and the reason. Phone, mobile and WhatsApp cells may hold several numbers separated by
//!   `,` or `;` (a mobile is a phone contact labelled `κινητό`), tags are split on `,` `;`
//!   `|`, a notes cell becomes one note by the job's creator.
//! - **Matching** ([`MatchKey::Contacts`], the default): a row is the existing customer that
//!   has one of its phone numbers (E.164: `2101234567`, `+30 210 123 4567`, `0030…` are one
//!   number) or e-mail addresses (any case); a row without contacts is the customer with the
//!   same name and organization (folded). Of several customers, the one created first. With
//!   [`MatchKey::Column`], the chosen column's value decides alone.
//! - **Duplicates inside the file**: a row sharing a key with an earlier row, or matching the
//!   customer an earlier row matched, is `skip` (`duplicate_of` that row) and adds nothing.
//! - **Updates never delete or overwrite**: new contacts are added (a number already there
//!   as phone or WhatsApp is not added again), new tags are added (ignoring case), a note is
//!   added unless one with the same text exists, organization, city and region are filled only
//!   when empty. Name and language are never changed. A row that adds nothing is `unchanged`;
//!   so a second run of the same file is all `unchanged` (and the same skips and errors).
//! - **Concurrent edits win**: an update is written only if the customer is still at the
//!   version the run merged into; a customer someone changed in between is left as they left
//!   it and the row becomes an error (import the file again to add what it brings).
//! - **Errors never stop a job**: bad rows are reported and [`Importer::error_csv`] gives them
//!   back as CSV (their original cells and an `error` column), to fix and import again.

pub mod decode;
mod jobs;
pub mod mapping;
mod plan;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crm_core::{Clock, Db};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::Customer;
use crate::store::{Change, CustomerStore};

pub use decode::{CsvFile, Delimiter, Encoding, Record};
pub use jobs::{Job, JobStatus, RowReport};
pub use mapping::{Field, suggest};
pub use plan::{MatchKey, Outcome, RowPlan, Totals};

/// Rows written per batch: one `put_all` (and the updates) and one record of outcomes.
pub const BATCH_ROWS: usize = 2_000;
/// Customers read per page when the existing ones are indexed.
const SCAN_PAGE: u32 = 1_000;

/// What a user chose for an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportOptions {
    /// The uploaded file's name, for the record.
    pub file_name: String,
    /// The field of each column; absent: the suggested mapping.
    #[serde(default)]
    pub mapping: Option<Vec<Field>>,
    /// How rows are matched to existing customers.
    #[serde(default)]
    pub key: MatchKey,
}

/// The first rows of a file as they would be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Preview {
    pub encoding: Encoding,
    pub delimiter: Delimiter,
    pub headers: Vec<String>,
    /// The mapping suggested from the headers.
    pub suggested: Vec<Field>,
    /// The mapping the rows below were made with.
    pub mapping: Vec<Field>,
    /// Data rows in the file.
    pub total_rows: u64,
    pub rows: Vec<PreviewRow>,
}

/// One row of a preview: the customer it would become (nil id), or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PreviewRow {
    pub row: u32,
    pub customer: Option<Customer>,
    pub error: Option<RowError>,
}

/// A column at fault and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    pub column: String,
    pub reason: String,
}

/// How far a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Progress {
    /// Rows handled (written or with nothing to write).
    pub done: u64,
    pub total: u64,
}

type ProgressFn = dyn Fn(Progress) + Send + Sync;

/// The caller's hold on a run: a cancel flag checked between batches (clones share it) and
/// a progress callback called after each batch (for a progress bar).
#[derive(Clone, Default)]
pub struct RunControl {
    cancelled: Arc<AtomicBool>,
    progress: Option<Arc<ProgressFn>>,
}

impl std::fmt::Debug for RunControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunControl")
            .field("cancelled", &self.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl RunControl {
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `f` after every batch.
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Asks the run to stop after the batch it is writing.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// Imports over a customer store; jobs are kept in `db` (SQLite) whichever store that is.
#[derive(Debug, Clone)]
pub struct Importer<S> {
    store: S,
    db: Db,
    clock: Arc<dyn Clock>,
}

impl<S: CustomerStore> Importer<S> {
    pub fn new(store: S, db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { store, db, clock }
    }

    /// The file read, its suggested mapping, and its first `rows` rows made into customers
    /// with `mapping` (absent: the suggested one; a mapping without a name column gives rows
    /// in error, to be mapped by hand). No store is read.
    pub fn preview(
        &self,
        bytes: &[u8],
        mapping: Option<Vec<Field>>,
        rows: usize,
    ) -> Result<Preview> {
        let file = decode::read(bytes)?;
        let suggested = suggest(&file.headers);
        let mapping = mapping.unwrap_or_else(|| suggested.clone());
        plan::check_mapping(&file.headers, &mapping, MatchKey::Contacts, false)?;
        let now = self.clock.now();
        let preview = file
            .records
            .iter()
            .take(rows)
            .map(
                |r| match plan::draft(&file.headers, &mapping, MatchKey::Contacts, r, now, "") {
                    Ok(d) => PreviewRow {
                        row: r.row,
                        customer: Some(d.customer),
                        error: None,
                    },
                    Err((column, reason)) => PreviewRow {
                        row: r.row,
                        customer: None,
                        error: Some(RowError { column, reason }),
                    },
                },
            )
            .collect();
        Ok(Preview {
            encoding: file.encoding,
            delimiter: file.delimiter,
            headers: file.headers,
            suggested,
            mapping,
            total_rows: file.records.len() as u64,
            rows: preview,
        })
    }

    /// The dry run: reads the file, plans every row against the existing customers and
    /// records the job (`planned`) with its rows. Writes no customer.
    pub async fn plan(&self, bytes: &[u8], options: ImportOptions, by: &str) -> Result<Job> {
        let file = decode::read(bytes)?;
        let mapping = options.mapping.unwrap_or_else(|| suggest(&file.headers));
        plan::check_mapping(&file.headers, &mapping, options.key, true)?;
        let now = self.clock.now();
        let index = self.index(&mapping, options.key).await?;
        let planned = plan::plan(
            &plan::Input {
                headers: &file.headers,
                mapping: &mapping,
                key: options.key,
                now,
                by,
            },
            &file.records,
            &index,
        );
        let job = Job {
            id: Uuid::new_v4(),
            file_name: options.file_name,
            encoding: file.encoding,
            delimiter: file.delimiter,
            headers: file.headers,
            mapping,
            key: options.key,
            status: JobStatus::Planned,
            totals: Totals::of(planned.rows.iter().map(|r| &r.outcome)),
            written: 0,
            failure: None,
            created_by: by.to_owned(),
            created_at: now,
            updated_at: now,
            started_at: None,
            finished_at: None,
        };
        let stored = job.clone();
        let records = file.records;
        self.db
            .write(move |conn| jobs::insert(conn, &stored, &records, &planned.rows))
            .await?;
        Ok(job)
    }

    /// Runs a planned job (else `Error::Conflict`): plans again against the customers as they
    /// are now, writes batch by batch, records each batch's outcomes, and stops after a batch
    /// when `control` is cancelled (`cancelled`). A store failure ends the job `failed` and is
    /// returned; the batches before it stay written.
    pub async fn run(&self, id: Uuid, control: &RunControl) -> Result<Job> {
        let now = self.clock.now();
        let job = self
            .db
            .write(move |conn| {
                let job = jobs::get(conn, id)?;
                if job.status != JobStatus::Planned {
                    return Err(Error::Conflict {
                        message: format!("import job {id} is {}, not planned", job.status.as_str()),
                    });
                }
                jobs::set_status(conn, id, JobStatus::Running, None, now)?;
                Ok(job)
            })
            .await?;
        match self.run_batches(&job, control).await {
            Ok(status) => self.finish(id, status, None).await,
            Err(e) => {
                self.finish(id, JobStatus::Failed, Some(e.to_string()))
                    .await?;
                Err(e)
            }
        }
    }

    async fn finish(&self, id: Uuid, status: JobStatus, failure: Option<String>) -> Result<Job> {
        let now = self.clock.now();
        self.db
            .write(move |conn| {
                jobs::set_status(conn, id, status, failure.as_deref(), now)?;
                jobs::get(conn, id)
            })
            .await
    }

    async fn run_batches(&self, job: &Job, control: &RunControl) -> Result<JobStatus> {
        let id = job.id;
        let records = self.db.read(move |conn| jobs::records(conn, id)).await?;
        let index = self.index(&job.mapping, job.key).await?;
        let now = self.clock.now();
        let planned = plan::plan(
            &plan::Input {
                headers: &job.headers,
                mapping: &job.mapping,
                key: job.key,
                now,
                by: &job.created_by,
            },
            &records,
            &index,
        );
        let mut totals = Totals::of(planned.rows.iter().map(|r| &r.outcome));
        let total = planned.rows.len() as u64;
        let mut writes = planned.writes;
        for w in &mut writes {
            if let Some(c) = w
                && c.id.is_nil()
            {
                c.id = Uuid::new_v4();
            }
        }
        // rows with nothing to write first, then by the name the stores order customers by,
        // so that writes into a store append rather than land all over its indexes
        let names: Vec<Option<String>> = writes
            .iter()
            .map(|w| w.as_ref().map(|c| crm_core::text::fold(&c.name)))
            .collect();
        let mut order: Vec<usize> = (0..writes.len()).collect();
        order.sort_by(|&a, &b| names[a].cmp(&names[b]).then(a.cmp(&b)));
        let mut done = 0u64;
        let mut previous = None;
        for chunk in order.chunks(BATCH_ROWS) {
            let mut creates = Vec::new();
            let mut updates = Vec::new();
            let mut handled = Vec::with_capacity(chunk.len());
            for &i in chunk {
                let (Some(plan), Some(write)) = (planned.rows.get(i), writes.get_mut(i)) else {
                    continue;
                };
                let customer = match (write.take(), &plan.outcome) {
                    (Some(c), Outcome::Create) => {
                        let id = c.id;
                        creates.push(c);
                        Some(id)
                    }
                    (Some(c), _) => {
                        let id = c.id;
                        updates.push((handled.len(), c));
                        Some(id)
                    }
                    (None, Outcome::Unchanged { customer_id }) => Some(*customer_id),
                    (None, _) => None,
                };
                handled.push((plan.clone(), customer));
            }
            // this batch's customers are written while the previous batch's outcomes are
            // recorded: the writer is never idle waiting for the next request
            let (stale, recorded) = tokio::try_join!(
                self.write(creates, updates),
                self.record(id, previous.take(), totals)
            )?;
            for i in stale {
                if let Some((plan, _)) = handled.get_mut(i) {
                    plan.outcome = Outcome::Error {
                        column: "row".to_owned(),
                        reason: "the customer was changed while the file was imported: \
                                 import it again"
                            .to_owned(),
                    };
                    totals.update -= 1;
                    totals.error += 1;
                }
            }
            self.report(control, &mut done, total, recorded);
            previous = Some(handled);
            if control.is_cancelled() && done + (chunk.len() as u64) < total {
                let recorded = self.record(id, previous.take(), totals).await?;
                self.report(control, &mut done, total, recorded);
                return Ok(JobStatus::Cancelled);
            }
        }
        let recorded = self.record(id, previous.take(), totals).await?;
        self.report(control, &mut done, total, recorded);
        Ok(JobStatus::Done)
    }

    /// Writes a batch: the new customers in one `put_all`, the updated ones each checked
    /// against the version the plan merged into (sent together, so that they share commits).
    /// Answers the positions of the updates whose customer had changed (or gone) since: not
    /// written.
    async fn write(
        &self,
        creates: Vec<Customer>,
        updates: Vec<(usize, Customer)>,
    ) -> Result<Vec<usize>> {
        if !creates.is_empty() {
            self.store.put_all(creates).await?;
        }
        let results =
            futures_util::future::join_all(updates.into_iter().map(|(i, c)| async move {
                let id = c.id;
                let planned_on = c.version - 1;
                let c = Box::new(c);
                let r = self
                    .store
                    .update(id, Some(planned_on), move |_| Ok(Change::Save(c.clone())))
                    .await;
                (i, r)
            }))
            .await;
        let mut stale = Vec::new();
        for (i, r) in results {
            match r {
                Ok(_) => {}
                Err(Error::Stale { .. } | Error::NotFound { .. }) => stale.push(i),
                Err(e) => return Err(e),
            }
        }
        Ok(stale)
    }

    /// Records a written batch's rows (durably), and says how many.
    async fn record(
        &self,
        id: Uuid,
        handled: Option<Vec<(RowPlan, Option<Uuid>)>>,
        totals: Totals,
    ) -> Result<u64> {
        let Some(handled) = handled else {
            return Ok(0);
        };
        let n = handled.len() as u64;
        let at = self.clock.now();
        self.db
            .write(move |conn| jobs::record_batch(conn, id, &handled, &totals, at))
            .await?;
        Ok(n)
    }

    fn report(&self, control: &RunControl, done: &mut u64, total: u64, recorded: u64) {
        if recorded == 0 {
            return;
        }
        *done += recorded;
        if let Some(progress) = &control.progress {
            progress(Progress { done: *done, total });
        }
    }

    /// The existing customers, indexed by the keys rows are matched with.
    async fn index(&self, mapping: &[Field], key: MatchKey) -> Result<plan::Index> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.scan(after, SCAN_PAGE).await?;
            let full = page.len() == SCAN_PAGE as usize;
            after = page.last().map(|c| c.id);
            all.extend(page);
            if !full {
                break;
            }
        }
        Ok(plan::Index::new(all, mapping, key))
    }

    /// A job, or `Error::NotFound`.
    pub async fn job(&self, id: Uuid) -> Result<Job> {
        self.db.read(move |conn| jobs::get(conn, id)).await
    }

    /// The newest `limit` jobs.
    pub async fn jobs(&self, limit: u32) -> Result<Vec<Job>> {
        self.db.read(move |conn| jobs::list(conn, limit)).await
    }

    /// A page of a job's report: up to `limit` rows after row `after` (0: from the start),
    /// only those with `outcome` (`create`, `update`, …) when given.
    pub async fn rows(
        &self,
        id: Uuid,
        outcome: Option<String>,
        after: u32,
        limit: u32,
    ) -> Result<Vec<RowReport>> {
        self.db
            .read(move |conn| {
                jobs::get(conn, id)?;
                let rows = jobs::rows(conn, id, outcome.as_deref(), after, limit)?;
                Ok(rows.into_iter().map(|(r, _)| r).collect())
            })
            .await
    }

    /// The rows in error as a CSV to fix and import again: the file's header and each bad
    /// row's cells, plus an `error` column (`column: reason`); the job's delimiter, CRLF line
    /// ends, UTF-8 with a byte-order mark (so that Excel reads the Greek).
    pub async fn error_csv(&self, id: Uuid) -> Result<Vec<u8>> {
        let (job, rows) = self
            .db
            .read(move |conn| {
                let job = jobs::get(conn, id)?;
                let rows = jobs::rows(conn, id, Some("error"), 0, u32::MAX)?;
                Ok::<_, Error>((job, rows))
            })
            .await?;
        let mut out = b"\xEF\xBB\xBF".to_vec();
        {
            let mut w = csv::WriterBuilder::new()
                .delimiter(job.delimiter.byte())
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut out);
            let fail = |e: csv::Error| Error::invalid("file", e.to_string());
            let mut header = job.headers.clone();
            header.push("error".to_owned());
            w.write_record(&header).map_err(fail)?;
            for (report, mut cells) in rows {
                if let Outcome::Error { column, reason } = report.outcome {
                    cells.push(format!("{column}: {reason}"));
                    w.write_record(&cells).map_err(fail)?;
                }
            }
            w.flush()
                .map_err(|e| Error::invalid("file", e.to_string()))?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
