//! Import jobs and their rows in SQLite (`import_jobs`, `import_rows`, migration 21): the
//! office's record, kept in SQLite whichever store holds the customers.

use crm_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::decode::{Delimiter, Encoding, Record};
use super::mapping::Field;
use super::plan::{MatchKey, Outcome, RowPlan, Totals};
use crate::error::{Error, Result};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Dry-run done, nothing written; can be run.
    Planned,
    /// Writing batches.
    Running,
    /// Every row was handled.
    Done,
    /// Stopped between two batches on request; the batches before are written.
    Cancelled,
    /// The store failed; the batches before are written, `failure` says why.
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Running => "running",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Planned,
            Self::Running,
            Self::Done,
            Self::Cancelled,
            Self::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// An import job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Job {
    pub id: Uuid,
    pub file_name: String,
    pub encoding: Encoding,
    pub delimiter: Delimiter,
    /// The header row as read.
    pub headers: Vec<String>,
    /// The field of each column.
    pub mapping: Vec<Field>,
    pub key: MatchKey,
    pub status: JobStatus,
    /// The dry run's totals, then the run's.
    pub totals: Totals,
    /// Rows the run has handled durably (written or nothing to write).
    pub written: u64,
    /// Why a failed job stopped.
    pub failure: Option<String>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

/// One row of a job's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowReport {
    pub row: u32,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The customer created or matched (after the run).
    pub customer_id: Option<Uuid>,
    /// Whether the run has handled the row.
    pub written: bool,
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(Error::from)
}

fn conv<T, E: std::error::Error + Send + Sync + 'static>(
    idx: usize,
    r: std::result::Result<T, E>,
) -> rusqlite::Result<T> {
    r.map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[derive(Debug)]
struct Unknown(String);
impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown value {:?}", self.0)
    }
}
impl std::error::Error for Unknown {}

fn from_json<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    conv(idx, serde_json::from_str(&s))
}

const JOB_COLUMNS: &str = "id, file_name, encoding, delimiter, headers, mapping, match_key, \
     status, totals, written, failure, created_by, created_at, updated_at, started_at, finished_at";

fn job_row(r: &Row<'_>) -> rusqlite::Result<Job> {
    let text = |i: usize| r.get::<_, String>(i);
    let id = text(0)?;
    let encoding = text(2)?;
    let delimiter = text(3)?;
    let status = text(7)?;
    Ok(Job {
        id: conv(0, Uuid::parse_str(&id))?,
        file_name: text(1)?,
        encoding: conv(
            2,
            Encoding::parse(&encoding).ok_or(Unknown(encoding.clone())),
        )?,
        delimiter: conv(
            3,
            Delimiter::parse(&delimiter).ok_or(Unknown(delimiter.clone())),
        )?,
        headers: from_json(r, 4)?,
        mapping: from_json(r, 5)?,
        key: from_json(r, 6)?,
        status: conv(7, JobStatus::parse(&status).ok_or(Unknown(status.clone())))?,
        totals: from_json(r, 8)?,
        written: u64::try_from(r.get::<_, i64>(9)?).unwrap_or(0),
        failure: r.get(10)?,
        created_by: text(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        started_at: r.get(14)?,
        finished_at: r.get(15)?,
    })
}

/// Stores a planned job with its rows (cells and dry-run outcomes).
pub(crate) fn insert(
    conn: &Connection,
    job: &Job,
    records: &[Record],
    rows: &[RowPlan],
) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO import_jobs ({JOB_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        ),
        params![
            job.id.to_string(),
            job.file_name,
            job.encoding.as_str(),
            job.delimiter.as_str(),
            json(&job.headers)?,
            json(&job.mapping)?,
            json(&job.key)?,
            job.status.as_str(),
            json(&job.totals)?,
            i64::try_from(job.written).unwrap_or(i64::MAX),
            job.failure,
            job.created_by,
            job.created_at,
            job.updated_at,
            job.started_at,
            job.finished_at,
        ],
    )?;
    let mut stmt = conn.prepare(
        "INSERT INTO import_rows (job_id, row, cells, outcome, detail)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let id = job.id.to_string();
    for (record, plan) in records.iter().zip(rows) {
        stmt.execute(params![
            id,
            record.row,
            json(&record.cells)?,
            plan.outcome.kind(),
            json(&plan.outcome)?,
        ])?;
    }
    Ok(())
}

pub(crate) fn get(conn: &Connection, id: Uuid) -> Result<Job> {
    conn.query_row(
        &format!("SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = ?1"),
        [id.to_string()],
        job_row,
    )
    .optional()?
    .ok_or_else(|| Error::not_found("import job", id))
}

/// The newest jobs first.
pub(crate) fn list(conn: &Connection, limit: u32) -> Result<Vec<Job>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {JOB_COLUMNS} FROM import_jobs ORDER BY created_at DESC, id LIMIT ?1"
    ))?;
    let jobs = stmt
        .query_map([limit], job_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(jobs)
}

/// The job's records, in file order.
pub(crate) fn records(conn: &Connection, id: Uuid) -> Result<Vec<Record>> {
    let mut stmt =
        conn.prepare("SELECT row, cells FROM import_rows WHERE job_id = ?1 ORDER BY row")?;
    let rows = stmt
        .query_map([id.to_string()], |r| {
            Ok(Record {
                row: r.get(0)?,
                cells: from_json(r, 1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Moves a job to `status` (setting `started_at` for `running`, `finished_at` for the ends).
pub(crate) fn set_status(
    conn: &Connection,
    id: Uuid,
    status: JobStatus,
    failure: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let (started, finished) = match status {
        JobStatus::Running => (Some(now), None),
        JobStatus::Done | JobStatus::Cancelled | JobStatus::Failed => (None, Some(now)),
        JobStatus::Planned => (None, None),
    };
    conn.execute(
        "UPDATE import_jobs SET status = ?2, failure = coalesce(?3, failure), updated_at = ?4,
             started_at = coalesce(?5, started_at), finished_at = coalesce(?6, finished_at)
         WHERE id = ?1",
        params![
            id.to_string(),
            status.as_str(),
            failure,
            now,
            started,
            finished
        ],
    )?;
    Ok(())
}

/// Records a handled batch: each row's outcome and customer, the job's totals and count.
pub(crate) fn record_batch(
    conn: &Connection,
    id: Uuid,
    rows: &[(RowPlan, Option<Uuid>)],
    totals: &Totals,
    now: Timestamp,
) -> Result<()> {
    let job = id.to_string();
    let mut stmt = conn.prepare_cached(
        "UPDATE import_rows SET outcome = ?3, detail = ?4, customer_id = ?5, written = 1
         WHERE job_id = ?1 AND row = ?2",
    )?;
    for (plan, customer) in rows {
        stmt.execute(params![
            job,
            plan.row,
            plan.outcome.kind(),
            json(&plan.outcome)?,
            customer.map(|c| c.to_string()),
        ])?;
    }
    conn.execute(
        "UPDATE import_jobs SET written = written + ?2, totals = ?3, updated_at = ?4
         WHERE id = ?1",
        params![
            job,
            i64::try_from(rows.len()).unwrap_or(i64::MAX),
            json(totals)?,
            now
        ],
    )?;
    Ok(())
}

/// A page of the report: rows after `after`, with `outcome` of that kind when given.
pub(crate) fn rows(
    conn: &Connection,
    id: Uuid,
    outcome: Option<&str>,
    after: u32,
    limit: u32,
) -> Result<Vec<(RowReport, Vec<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT row, detail, customer_id, written, cells FROM import_rows
         WHERE job_id = ?1 AND row > ?2 AND (?3 IS NULL OR outcome = ?3)
         ORDER BY row LIMIT ?4",
    )?;
    let rows = stmt
        .query_map(params![id.to_string(), after, outcome, limit], |r| {
            let customer: Option<String> = r.get(2)?;
            Ok((
                RowReport {
                    row: r.get(0)?,
                    outcome: from_json(r, 1)?,
                    customer_id: customer.map(|c| conv(2, Uuid::parse_str(&c))).transpose()?,
                    written: r.get::<_, i64>(3)? == 1,
                },
                from_json(r, 4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
