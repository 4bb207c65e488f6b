//! Workflows, runs, steps and timers in SQLite (migrations `23-workflows`, `24-workflow-outputs`,
//! `25-workflow-templates`), over crm-core's
//! [`Db`]: reads on the pool, every write one durable group commit.
//!
//! One store, no trait: workflows live in SQLite only and no second store is in sight.
//! A step's row, the run's new state and cursor, and its timer are written in one
//! transaction (`Store::commit_step`), and only while the run is still `running`: a run
//! cancelled meanwhile takes no further step.

use crm_core::{Connection, Db, Error, Result, Timestamp};
use rusqlite::{OptionalExtension, Row, params};
use serde_json::Value;
use uuid::Uuid;

use crate::model::{Definition, Run, RunStatus, Step, Trigger, Workflow};
use crate::schedule::{Cron, Schedule};

/// The workflow store; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

/// What a step changes in its run, beside its own row.
#[derive(Debug)]
pub(crate) struct StepCommit {
    pub run_id: Uuid,
    pub step: Step,
    pub state: Value,
    pub cursor: Option<String>,
    /// The run's new status: `Running` to go on.
    pub status: RunStatus,
    pub error: Option<String>,
    /// A wait's wake-up: (node, due).
    pub timer: Option<(String, Timestamp)>,
    pub now: Timestamp,
}

fn workflow_not_found(id: Uuid) -> Error {
    Error::not_found("workflow", id)
}

pub(crate) fn run_not_found(id: Uuid) -> Error {
    Error::not_found("workflow run", id)
}

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let s: String = r.get(i)?;
    Uuid::parse_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn json_at<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    serde_json::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn opt_json_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Value>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        serde_json::from_str(&s).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

const RUN_COLUMNS: &str = "id, workflow_id, version, status, depth, trigger, cursor, steps, \
     failed_node, error, started_at, finished_at";

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<Run> {
    let status: String = r.get(3)?;
    Ok(Run {
        id: uuid_at(r, 0)?,
        workflow_id: uuid_at(r, 1)?,
        version: r.get(2)?,
        status: RunStatus::parse(&status).unwrap_or(RunStatus::Failed),
        depth: r.get(4)?,
        trigger: json_at(r, 5)?,
        cursor: r.get(6)?,
        steps: r.get(7)?,
        failed_node: r.get(8)?,
        error: r.get(9)?,
        started_at: r.get(10)?,
        finished_at: r.get(11)?,
    })
}

fn load_workflow(conn: &Connection, id: Uuid) -> Result<Workflow> {
    conn.query_row(
        "SELECT w.id, w.name, w.enabled, w.version, v.definition, w.created_at, w.updated_at
         FROM workflows w JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.version
         WHERE w.id = ?1",
        [id.to_string()],
        |r| {
            Ok(Workflow {
                id: uuid_at(r, 0)?,
                name: r.get(1)?,
                enabled: r.get(2)?,
                version: r.get(3)?,
                definition: json_at(r, 4)?,
                created_at: r.get(5)?,
                updated_at: r.get(6)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| workflow_not_found(id))
}

fn event_of(d: &Definition) -> Option<&str> {
    match &d.trigger {
        Trigger::Event { name } => Some(name),
        _ => None,
    }
}

/// A schedule trigger's columns: (every_minutes, cron, timezone).
type ScheduleColumns = (Option<u32>, Option<String>, Option<String>);

fn schedule_of(d: &Definition) -> ScheduleColumns {
    match &d.trigger {
        Trigger::Schedule {
            every_minutes,
            cron,
            timezone,
        } => (*every_minutes, cron.clone(), timezone.clone()),
        _ => (None, None, None),
    }
}

/// The schedule the columns describe; a cron stored before it stopped parsing (a zone
/// renamed in a later tz database) is logged and reads as no schedule.
fn schedule_from(columns: &ScheduleColumns, id: Uuid) -> Option<Schedule> {
    match columns {
        (Some(minutes), _, _) => Some(Schedule::Every { minutes: *minutes }),
        (None, Some(cron), zone) => match Cron::parse(cron, zone.as_deref()) {
            Ok(cron) => Some(Schedule::Cron(Box::new(cron))),
            Err((field, reason)) => {
                tracing::error!(workflow = %id, field, "a stored schedule no longer parses: {reason}");
                None
            }
        },
        _ => None,
    }
}

fn insert_version(
    conn: &Connection,
    id: Uuid,
    version: i64,
    d: &Definition,
    now: Timestamp,
) -> Result<()> {
    conn.execute(
        "INSERT INTO workflow_versions (workflow_id, version, definition, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![id.to_string(), version, serde_json::to_string(d)?, now],
    )?;
    Ok(())
}

fn next_fire_at(conn: &Connection, id: Uuid) -> Result<Option<Timestamp>> {
    Ok(conn.query_row(
        "SELECT next_fire_at FROM workflows WHERE id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )?)
}

/// Inserts a workflow, disabled, at version 1.
fn insert(
    conn: &Connection,
    name: &str,
    template: Option<&str>,
    definition: &Definition,
    now: Timestamp,
) -> Result<Workflow> {
    let id = Uuid::new_v4();
    let (every, cron, zone) = schedule_of(definition);
    conn.execute(
        "INSERT INTO workflows (id, name, enabled, version, event, every_minutes, cron, timezone,
            template, created_at, updated_at)
         VALUES (?1, ?2, 0, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            id.to_string(),
            name,
            event_of(definition),
            every,
            cron,
            zone,
            template,
            now
        ],
    )?;
    insert_version(conn, id, 1, definition, now)?;
    load_workflow(conn, id)
}

impl Store {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Adds a workflow (disabled) at version 1.
    pub async fn insert_workflow(
        &self,
        name: String,
        definition: Definition,
        now: Timestamp,
    ) -> Result<Workflow> {
        self.db
            .write(move |conn| insert(conn, &name, None, &definition, now))
            .await
    }

    /// Adds a ready-made workflow (disabled) unless one with the slug `template` exists
    /// (migration `25-workflow-templates`); answers whether it was added.
    pub async fn insert_template(
        &self,
        template: String,
        name: String,
        definition: Definition,
        now: Timestamp,
    ) -> Result<bool> {
        self.db
            .write(move |conn| {
                let exists: bool = conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM workflows WHERE template = ?1)",
                    [&template],
                    |r| r.get(0),
                )?;
                if !exists {
                    insert(conn, &name, Some(&template), &definition, now)?;
                }
                Ok(!exists)
            })
            .await
    }

    /// Adds the next version of `id` and makes it current.
    pub async fn save_version(
        &self,
        id: Uuid,
        definition: Definition,
        now: Timestamp,
    ) -> Result<Workflow> {
        self.db
            .write(move |conn| {
                let current = load_workflow(conn, id)?;
                let version = current.version + 1;
                insert_version(conn, id, version, &definition, now)?;
                // a schedule keeps its next run unless it changed
                let columns = schedule_of(&definition);
                let unchanged = columns == schedule_of(&current.definition);
                let next = match schedule_from(&columns, id) {
                    Some(schedule) if current.enabled => match (unchanged, next_fire_at(conn, id)?)
                    {
                        (true, Some(next)) => Some(next),
                        _ => schedule.next_after(now),
                    },
                    _ => None,
                };
                let (every, cron, zone) = columns;
                conn.execute(
                    "UPDATE workflows SET version = ?2, event = ?3, every_minutes = ?4,
                        cron = ?5, timezone = ?6, next_fire_at = ?7, updated_at = ?8
                     WHERE id = ?1",
                    params![
                        id.to_string(),
                        version,
                        event_of(&definition),
                        every,
                        cron,
                        zone,
                        next,
                        now
                    ],
                )?;
                load_workflow(conn, id)
            })
            .await
    }

    pub async fn set_enabled(&self, id: Uuid, enabled: bool, now: Timestamp) -> Result<Workflow> {
        self.db
            .write(move |conn| {
                let current = load_workflow(conn, id)?;
                // a schedule enabled runs first at its next time from now
                let next = match schedule_from(&schedule_of(&current.definition), id) {
                    Some(schedule) if enabled => match next_fire_at(conn, id)? {
                        Some(next) => Some(next),
                        None => schedule.next_after(now),
                    },
                    _ => None,
                };
                conn.execute(
                    "UPDATE workflows SET enabled = ?2, next_fire_at = ?3, updated_at = ?4 WHERE id = ?1",
                    params![id.to_string(), enabled, next, now],
                )?;
                load_workflow(conn, id)
            })
            .await
    }

    pub async fn workflow(&self, id: Uuid) -> Result<Workflow> {
        self.db.read(move |conn| load_workflow(conn, id)).await
    }

    /// The definition of one version.
    pub async fn definition(&self, id: Uuid, version: i64) -> Result<Definition> {
        self.db
            .read(move |conn| {
                let d: Option<String> = conn
                    .query_row(
                        "SELECT definition FROM workflow_versions WHERE workflow_id = ?1 AND version = ?2",
                        params![id.to_string(), version],
                        |r| r.get(0),
                    )
                    .optional()?;
                let d = d.ok_or_else(|| workflow_not_found(id))?;
                Ok(serde_json::from_str(&d)?)
            })
            .await
    }

    /// Every workflow with its current version, by name.
    pub async fn workflows(&self) -> Result<Vec<Workflow>> {
        self.db
            .read(|conn| {
                let ids = {
                    let mut stmt =
                        conn.prepare_cached("SELECT id FROM workflows ORDER BY name, id")?;
                    stmt.query_map([], |r| uuid_at(r, 0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?
                };
                ids.into_iter().map(|id| load_workflow(conn, id)).collect()
            })
            .await
    }

    /// The result an output recorded under `key` (migration `24-workflow-outputs`), if any.
    pub async fn output(&self, key: String) -> Result<Option<Value>> {
        self.db
            .read(move |conn| {
                let s: Option<String> = conn
                    .query_row(
                        "SELECT result FROM workflow_outputs WHERE key = ?1",
                        [key],
                        |r| r.get(0),
                    )
                    .optional()?;
                Ok(s.map(|s| serde_json::from_str(&s)).transpose()?)
            })
            .await
    }

    /// Records an output's result under `key` and answers the key's first result: a key
    /// already recorded keeps what it had.
    pub async fn record_output(
        &self,
        key: String,
        kind: String,
        result: Value,
        now: Timestamp,
    ) -> Result<Value> {
        self.db
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO workflow_outputs (key, kind, result, created_at)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO NOTHING",
                    params![key, kind, serde_json::to_string(&result)?, now],
                )?;
                let s: String = conn.query_row(
                    "SELECT result FROM workflow_outputs WHERE key = ?1",
                    [&key],
                    |r| r.get(0),
                )?;
                Ok(serde_json::from_str(&s)?)
            })
            .await
    }

    /// The enabled workflows started by the event `name`.
    pub async fn listeners(&self, name: String) -> Result<Vec<Uuid>> {
        self.db
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id FROM workflows WHERE event = ?1 AND enabled = 1 ORDER BY id",
                )?;
                let ids = stmt
                    .query_map([name], |r| uuid_at(r, 0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(ids)
            })
            .await
    }

    /// Records a new run; a run refused at its start is inserted already failed.
    pub(crate) async fn insert_run(&self, run: Run, state: Value) -> Result<Run> {
        self.db
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO workflow_runs (id, workflow_id, version, status, depth, trigger, state,
                        cursor, steps, failed_node, error, started_at, finished_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, ?11, ?12)",
                    params![
                        run.id.to_string(),
                        run.workflow_id.to_string(),
                        run.version,
                        run.status.as_str(),
                        run.depth,
                        serde_json::to_string(&run.trigger)?,
                        serde_json::to_string(&state)?,
                        run.cursor,
                        run.failed_node,
                        run.error,
                        run.started_at,
                        run.finished_at,
                    ],
                )?;
                Ok(run)
            })
            .await
    }

    pub async fn run(&self, id: Uuid) -> Result<Run> {
        Ok(self.run_and_state(id).await?.0)
    }

    /// A run with its state (variables, node outputs, loops).
    pub(crate) async fn run_and_state(&self, id: Uuid) -> Result<(Run, Value)> {
        self.db
            .read(move |conn| {
                conn.query_row(
                    &format!("SELECT {RUN_COLUMNS}, state FROM workflow_runs WHERE id = ?1"),
                    [id.to_string()],
                    |r| Ok((run_from_row(r)?, json_at(r, 12)?)),
                )
                .optional()?
                .ok_or_else(|| run_not_found(id))
            })
            .await
    }

    /// A workflow's runs, newest first.
    pub async fn runs(&self, workflow_id: Uuid, limit: u32) -> Result<Vec<Run>> {
        self.db
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {RUN_COLUMNS} FROM workflow_runs WHERE workflow_id = ?1 ORDER BY id DESC LIMIT ?2"
                ))?;
                let runs = stmt
                    .query_map(params![workflow_id.to_string(), limit], run_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(runs)
            })
            .await
    }

    /// The ids of the runs left `running` (by a stop or a crash).
    pub async fn running(&self) -> Result<Vec<Uuid>> {
        self.db
            .read(|conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id FROM workflow_runs WHERE status = 'running' ORDER BY id",
                )?;
                let ids = stmt
                    .query_map([], |r| uuid_at(r, 0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(ids)
            })
            .await
    }

    /// A run's per-node log, in order.
    pub async fn steps(&self, run_id: Uuid) -> Result<Vec<Step>> {
        self.db
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT seq, node, kind, status, input, output, error, idempotency_key,
                            started_at, finished_at, duration_us
                     FROM workflow_steps WHERE run_id = ?1 ORDER BY seq",
                )?;
                let steps = stmt
                    .query_map([run_id.to_string()], |r| {
                        Ok(Step {
                            seq: r.get(0)?,
                            node: r.get(1)?,
                            kind: r.get(2)?,
                            succeeded: r.get::<_, String>(3)? == "succeeded",
                            input: opt_json_at(r, 4)?,
                            output: opt_json_at(r, 5)?,
                            error: r.get(6)?,
                            idempotency_key: r.get(7)?,
                            started_at: r.get(8)?,
                            finished_at: r.get(9)?,
                            duration_us: r.get(10)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(steps)
            })
            .await
    }

    /// Writes a step and what it did to its run, if the run is still running; `false` when
    /// it is not (cancelled meanwhile): nothing was written.
    pub(crate) async fn commit_step(&self, c: StepCommit) -> Result<bool> {
        self.db
            .write(move |conn| {
                let id = c.run_id.to_string();
                let finished = !matches!(c.status, RunStatus::Running | RunStatus::Waiting);
                let failed_node = (c.status == RunStatus::Failed).then_some(&c.step.node);
                let n = conn
                    .prepare_cached(
                        "UPDATE workflow_runs SET status = ?2, state = ?3, cursor = ?4,
                            steps = steps + 1, failed_node = ?5, error = ?6, finished_at = ?7
                         WHERE id = ?1 AND status = 'running'",
                    )?
                    .execute(params![
                        id,
                        c.status.as_str(),
                        serde_json::to_string(&c.state)?,
                        c.cursor,
                        failed_node,
                        c.error,
                        finished.then_some(c.now),
                    ])?;
                if n == 0 {
                    return Ok(false);
                }
                let s = &c.step;
                conn.prepare_cached(
                    "INSERT INTO workflow_steps (run_id, seq, node, kind, status, input, output, error,
                        idempotency_key, started_at, finished_at, duration_us)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    id,
                    s.seq,
                    s.node,
                    s.kind,
                    if s.succeeded { "succeeded" } else { "failed" },
                    s.input.as_ref().map(Value::to_string),
                    s.output.as_ref().map(Value::to_string),
                    s.error,
                    s.idempotency_key,
                    s.started_at,
                    s.finished_at,
                    s.duration_us,
                ])?;
                if let Some((node, due)) = &c.timer {
                    conn.prepare_cached(
                        "INSERT INTO workflow_timers (run_id, node, due_at) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![id, node, due])?;
                }
                Ok(true)
            })
            .await
    }

    /// Ends a run that is running (a limit reached before a step): failed with `error`.
    pub(crate) async fn fail_run(
        &self,
        id: Uuid,
        node: Option<String>,
        error: String,
        now: Timestamp,
    ) -> Result<()> {
        self.db
            .write(move |conn| {
                conn.execute(
                    "UPDATE workflow_runs SET status = 'failed', failed_node = ?2, error = ?3, finished_at = ?4
                     WHERE id = ?1 AND status = 'running'",
                    params![id.to_string(), node, error, now],
                )?;
                Ok(())
            })
            .await
    }

    /// Ends a running run whose cursor is past the last node.
    pub(crate) async fn succeed_run(&self, id: Uuid, now: Timestamp) -> Result<()> {
        self.db
            .write(move |conn| {
                conn.execute(
                    "UPDATE workflow_runs SET status = 'succeeded', finished_at = ?2
                     WHERE id = ?1 AND status = 'running'",
                    params![id.to_string(), now],
                )?;
                Ok(())
            })
            .await
    }

    /// The earliest timer's due time, or a schedule's next run if earlier.
    pub async fn next_due(&self) -> Result<Option<Timestamp>> {
        self.db
            .read(|conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT min(at) FROM (
                            SELECT min(due_at) AS at FROM workflow_timers
                            UNION ALL
                            SELECT min(next_fire_at) FROM workflows WHERE next_fire_at IS NOT NULL)",
                    )?
                    .query_row([], |r| r.get(0))?)
            })
            .await
    }

    /// Takes the schedules due at `now`: moves each one's next run past `now` (a schedule
    /// missed while the CRM was down runs once, not once per missed period; a cron's next run
    /// is its next time after `now`) and answers the workflows with the time each was due.
    pub(crate) async fn take_scheduled(&self, now: Timestamp) -> Result<Vec<(Uuid, Timestamp)>> {
        self.db
            .write(move |conn| {
                let due = conn
                    .prepare_cached(
                        "SELECT id, every_minutes, cron, timezone, next_fire_at FROM workflows
                         WHERE next_fire_at IS NOT NULL AND next_fire_at <= ?1 ORDER BY next_fire_at",
                    )?
                    .query_map([now], |r| {
                        Ok((
                            uuid_at(r, 0)?,
                            (r.get(1)?, r.get(2)?, r.get(3)?),
                            r.get::<_, Timestamp>(4)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<(Uuid, ScheduleColumns, Timestamp)>>>()?;
                let mut out = Vec::with_capacity(due.len());
                for (id, columns, at) in due {
                    let next = schedule_from(&columns, id).and_then(|s| s.next_past(at, now));
                    conn.prepare_cached("UPDATE workflows SET next_fire_at = ?2 WHERE id = ?1")?
                        .execute(params![id.to_string(), next])?;
                    out.push((id, at));
                }
                Ok(out)
            })
            .await
    }

    /// Takes up to `limit` timers due at `now`: deletes them and sets their runs running again.
    pub(crate) async fn take_due(&self, now: Timestamp, limit: u32) -> Result<Vec<Uuid>> {
        self.db
            .write(move |conn| {
                let ids = conn
                    .prepare_cached(
                        "SELECT run_id FROM workflow_timers WHERE due_at <= ?1 ORDER BY due_at LIMIT ?2",
                    )?
                    .query_map(params![now, limit], |r| uuid_at(r, 0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for id in &ids {
                    conn.prepare_cached("DELETE FROM workflow_timers WHERE run_id = ?1")?
                        .execute([id.to_string()])?;
                    conn.prepare_cached(
                        "UPDATE workflow_runs SET status = 'running' WHERE id = ?1 AND status = 'waiting'",
                    )?
                    .execute([id.to_string()])?;
                }
                Ok(ids)
            })
            .await
    }

    /// Sets a failed run running again from its failed node.
    pub(crate) async fn reopen(&self, id: Uuid) -> Result<()> {
        self.db
            .write(move |conn| {
                let n = conn.execute(
                    "UPDATE workflow_runs SET status = 'running', error = NULL, failed_node = NULL,
                        finished_at = NULL
                     WHERE id = ?1 AND status = 'failed'",
                    [id.to_string()],
                )?;
                if n == 1 {
                    return Ok(());
                }
                let status: Option<String> = conn
                    .query_row(
                        "SELECT status FROM workflow_runs WHERE id = ?1",
                        [id.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?;
                match status {
                    None => Err(run_not_found(id)),
                    Some(s) => Err(Error::Conflict {
                        message: format!("only a failed run can be retried; this one is {s}"),
                    }),
                }
            })
            .await
    }

    /// Cancels a running or waiting run, with its timer.
    pub(crate) async fn cancel(&self, id: Uuid, now: Timestamp) -> Result<()> {
        self.db
            .write(move |conn| {
                let n = conn.execute(
                    "UPDATE workflow_runs SET status = 'cancelled', finished_at = ?2
                     WHERE id = ?1 AND status IN ('running', 'waiting')",
                    params![id.to_string(), now],
                )?;
                if n == 0 {
                    let status: Option<String> = conn
                        .query_row(
                            "SELECT status FROM workflow_runs WHERE id = ?1",
                            [id.to_string()],
                            |r| r.get(0),
                        )
                        .optional()?;
                    return match status {
                        None => Err(run_not_found(id)),
                        Some(s) => Err(Error::Conflict {
                            message: format!("the run is already {s}"),
                        }),
                    };
                }
                conn.execute(
                    "DELETE FROM workflow_timers WHERE run_id = ?1",
                    [id.to_string()],
                )?;
                Ok(())
            })
            .await
    }
}
