//! The runner and the scheduler.
//!
//! **Durability.** A run executes one node at a time, and each node's step row, the run's new
//! state (variables, node outputs, loop positions) and its cursor (the next node) are committed
//! together before the next node starts. A process killed mid-run leaves the run `running` at
//! the first node whose step was not committed; [`Engine::resume_all`], called at start,
//! continues every such run from there. A `wait` commits a timer and leaves the run `waiting`;
//! the timer lives in SQLite, so a wait of months survives restarts.
//!
//! **Idempotency.** An output node acts on the world through the [`Outputs`] port, which the
//! gateway implements (send a WhatsApp message or an e-mail, create a lead or a ticket, assign
//! a user). Its step can only be committed after the action, so a crash between the two repeats
//! the call on resume. Every call therefore carries a key stable across resumes and retries —
//! `<run id>:<node key>`, plus `:<index>` for each enclosing loop's iteration — and the port
//! must perform each key at most once (the send records keep it), answering a repeated key
//! with the first result.
//!
//! Every string in an effect node's config, inside nested objects and lists too, is rendered
//! as a template before the call; [`Engine::create`] and [`Engine::update`] ask
//! [`Outputs::refuse`] about each node's kind, so a kind this CRM cannot run (an AI node
//! without a language model configured) is refused when saved, not when it runs.
//!
//! **Limits** ([`Limits`]): a run fails after `max_steps` steps (a cycle of `next`s never
//! ends otherwise); a loop over more than `max_loop_iterations` elements fails before the first;
//! a run whose trigger chain is deeper than `max_depth` (a workflow whose output triggers
//! itself) is recorded failed without executing, and logged.
//!
//! **Scheduler.** [`Engine::next_due`] reads the earliest timer (an index), [`Engine::fire_due`]
//! wakes every run due by a given time. [`Engine::run_scheduler`] sleeps until the earliest
//! due time — however many timers are pending, idle costs nothing — and is woken early when a
//! run commits a timer earlier than that. Time comes from the injected [`Clock`]. An enabled
//! workflow with a schedule trigger is due one period after it was enabled, then every period
//! — or, for a cron, at the cron's next time after enabling, then at each next time
//! ([`crate::schedule`]); the scheduler moves its next time past "now" before it starts the
//! run, so a schedule missed while the CRM was down runs once, and a crash in between skips
//! that one run rather than doubling it. Saving a version keeps the next time unless the
//! schedule changed. A timer, by contrast, is never lost: its run is set `running` in the
//! transaction that deletes the timer, and [`Engine::resume_all`] finds it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crm_core::{Clock, Db, Error, Result, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::{Date, Duration, OffsetDateTime};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::model::{Definition, Node, Run, RunStatus, Step, Workflow};
use crate::store::{StepCommit, Store};
use crate::{expr, templates};

#[cfg(test)]
mod tests;

/// One action an output node asks of the CRM.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputCall {
    /// The effect node's kind: `send_whatsapp`, `send_email`, `create_lead`, `create_ticket`,
    /// `assign_user`, `get_ticket`, `http_request`, `ai_intent`, `ai_sentiment`, `ai_extract`,
    /// `ai_agent` (the catalogue's output and AI groups).
    pub kind: String,
    /// Stable across resumes and retries; see the module docs.
    pub idempotency_key: String,
    /// The node's config with its templates filled, in nested objects and lists too.
    pub input: Value,
    pub run_id: Uuid,
    /// The run's trigger depth: an event this action causes starts runs at `depth + 1`.
    pub depth: u32,
}

/// The port through which output nodes act; the gateway implements it.
pub trait Outputs: Send + Sync + 'static {
    /// Performs `call` once per idempotency key; a repeated key answers the first result.
    fn perform(&self, call: OutputCall) -> impl Future<Output = Result<Value>> + Send;

    /// Why this CRM cannot run nodes of `kind` (AI nodes without a language model
    /// configured), or `None` when it can. [`Engine::create`] and [`Engine::update`] ask it
    /// for every node and refuse the definition, naming `nodes[i].kind`.
    fn refuse(&self, kind: &str) -> Option<String> {
        let _ = kind;
        None
    }
}

/// The bounds of a run; see the module docs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_steps: i64,
    pub max_loop_iterations: i64,
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_steps: 10_000,
            max_loop_iterations: 1_000,
            max_depth: 8,
        }
    }
}

/// Where a loop is, kept in the run's state.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LoopAt {
    index: usize,
    items: Vec<Value>,
}

/// A run's state between steps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    #[serde(default)]
    vars: Map<String, Value>,
    #[serde(default)]
    nodes: Map<String, Value>,
    #[serde(default)]
    loops: HashMap<String, LoopAt>,
    /// The loops the cursor is inside, innermost last.
    #[serde(default)]
    stack: Vec<String>,
    #[serde(default)]
    error: Option<String>,
}

/// What a node did.
enum Go {
    /// Continue at this node, or (none) at the end of the chain.
    Next(Option<String>),
    Wait(Timestamp, Option<String>),
    Stop,
}

struct Done {
    input: Option<Value>,
    output: Option<Value>,
    key: Option<String>,
    go: Go,
}

struct Failed {
    input: Option<Value>,
    key: Option<String>,
    error: String,
}

struct Inner<O> {
    store: Store,
    outputs: O,
    clock: Arc<dyn Clock>,
    limits: Limits,
    definitions: Mutex<HashMap<(Uuid, i64), Arc<Definition>>>,
    wake: Notify,
    /// What the scheduler is doing.
    scheduler: Mutex<Sleeping>,
}

/// The scheduler's state, which tells a new timer whether to wake it.
#[derive(Debug, Clone, Copy)]
enum Sleeping {
    /// Firing or reading timers: a timer written now must wake it again.
    Awake,
    /// Until the earliest timer.
    Until(Timestamp),
    /// No timer pending.
    Idle,
}

/// The workflow engine: definitions, runs, timers. Cheap to clone.
pub struct Engine<O> {
    inner: Arc<Inner<O>>,
}

impl<O> Clone for Engine<O> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<O> std::fmt::Debug for Engine<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.inner.store)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `at` plus `amount` calendar months, the day clamped to the month's last.
fn add_months(at: OffsetDateTime, amount: i64) -> OffsetDateTime {
    let months = i64::from(at.year()) * 12 + i64::from(u8::from(at.month())) - 1 + amount;
    let year = i32::try_from(months.div_euclid(12)).unwrap_or(at.year());
    let month = u8::try_from(months.rem_euclid(12) + 1).unwrap_or(1);
    let month = time::Month::try_from(month).unwrap_or(at.month());
    let day = at.day().min(time::util::days_in_month(month, year));
    match Date::from_calendar_date(year, month, day) {
        Ok(date) => at.replace_date(date),
        Err(_) => at,
    }
}

/// When a wait of `amount` `unit`s from `now` ends.
fn wait_until(now: Timestamp, amount: i64, unit: &str) -> Timestamp {
    let at = now.into_inner();
    Timestamp::from(match unit {
        "minutes" => at + Duration::minutes(amount),
        "hours" => at + Duration::hours(amount),
        "days" => at + Duration::days(amount),
        "weeks" => at + Duration::weeks(amount),
        _ => add_months(at, amount),
    })
}

/// `value` with every string inside it (objects and lists too) rendered as a template; an
/// error names the path of the string that failed (`headers.Authorization: …`).
fn render_all(value: &Value, scope: &Map<String, Value>, path: &str) -> Result<Value, String> {
    Ok(match value {
        Value::String(t) => {
            Value::String(expr::render(t, scope).map_err(|e| format!("{path}: {e}"))?)
        }
        Value::Array(list) => Value::Array(
            list.iter()
                .enumerate()
                .map(|(n, v)| render_all(v, scope, &format!("{path}[{n}]")))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(k, v)| Ok((k.clone(), render_all(v, scope, &format!("{path}.{k}"))?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

impl<O: Outputs> Engine<O> {
    pub fn new(db: Db, outputs: O, clock: Arc<dyn Clock>, limits: Limits) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: Store::new(db),
                outputs,
                clock,
                limits,
                definitions: Mutex::new(HashMap::new()),
                wake: Notify::new(),
                scheduler: Mutex::new(Sleeping::Awake),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn outputs(&self) -> &O {
        &self.inner.outputs
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Validates `definition`, then asks the port whether it can run each node's kind.
    fn check(&self, definition: &Definition) -> Result<()> {
        definition.validate()?;
        for (i, node) in definition.nodes.iter().enumerate() {
            if let Some(reason) = self.inner.outputs.refuse(&node.kind) {
                return Err(Error::invalid(format!("nodes[{i}].kind"), reason));
            }
        }
        Ok(())
    }

    /// Saves a new workflow, disabled, at version 1.
    pub async fn create(&self, name: &str, definition: Definition) -> Result<Workflow> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Error::invalid("name", "from 1 to 200 characters"));
        }
        self.check(&definition)?;
        self.store()
            .insert_workflow(name.to_owned(), definition, self.now())
            .await
    }

    /// Saves an edited definition as the workflow's next version; runs already started keep
    /// theirs.
    pub async fn update(&self, id: Uuid, definition: Definition) -> Result<Workflow> {
        self.check(&definition)?;
        self.store().save_version(id, definition, self.now()).await
    }

    /// Installs the ready-made workflows ([`crate::templates()`]) that no workflow carries the
    /// slug of, disabled; call at start. Answers how many were added: a second call adds none,
    /// and one the office deleted is not put back.
    pub async fn install_templates(&self) -> Result<usize> {
        let mut added = 0;
        for (slug, name, definition) in templates::templates() {
            definition.validate()?;
            if self
                .store()
                .insert_template(slug.into(), name.into(), definition, self.now())
                .await?
            {
                added += 1;
            }
        }
        Ok(added)
    }

    pub async fn set_enabled(&self, id: Uuid, enabled: bool) -> Result<Workflow> {
        self.store().set_enabled(id, enabled, self.now()).await
    }

    async fn definition(&self, id: Uuid, version: i64) -> Result<Arc<Definition>> {
        if let Some(d) = lock(&self.inner.definitions).get(&(id, version)) {
            return Ok(Arc::clone(d));
        }
        let d = Arc::new(self.store().definition(id, version).await?);
        lock(&self.inner.definitions).insert((id, version), Arc::clone(&d));
        Ok(d)
    }

    /// Starts a run of the workflow's current version with `trigger` data, enabled or not
    /// (a test run), and executes it until it ends or waits. `depth` is 0 unless another
    /// run's output caused it ([`OutputCall::depth`] + 1).
    pub async fn start(&self, workflow_id: Uuid, trigger: Value, depth: u32) -> Result<Run> {
        let workflow = self.store().workflow(workflow_id).await?;
        let now = self.now();
        let first = workflow.definition.nodes.first().map(|n| n.key.clone());
        let mut run = Run {
            id: Uuid::now_v7(),
            workflow_id,
            version: workflow.version,
            status: RunStatus::Running,
            depth,
            trigger,
            cursor: first,
            steps: 0,
            failed_node: None,
            error: None,
            started_at: now,
            finished_at: None,
        };
        let max = self.inner.limits.max_depth;
        if depth > max {
            let error = format!(
                "trigger depth limit reached: this run was caused by a chain of {depth} runs \
                 (at most {max}); a workflow that triggers itself is stopped here"
            );
            tracing::warn!(workflow = %workflow_id, name = %workflow.name, depth, "{error}");
            run.status = RunStatus::Failed;
            run.error = Some(error);
            run.finished_at = Some(now);
            return self.store().insert_run(run, json!({})).await;
        }
        let state = serde_json::to_value(State::default())?;
        let run = self.store().insert_run(run, state).await?;
        self.drive(run.id).await?;
        self.store().run(run.id).await
    }

    /// Starts a run of every enabled workflow triggered by the event `name`.
    pub async fn emit(&self, name: &str, data: Value, depth: u32) -> Result<Vec<Run>> {
        let mut runs = Vec::new();
        for id in self.store().listeners(name.to_owned()).await? {
            runs.push(self.start(id, data.clone(), depth).await?);
        }
        Ok(runs)
    }

    /// Continues every run left running by a stop or a crash; call once at start, before
    /// anything can start a run (else a run just started could be driven twice at once: see
    /// [`Engine::left_running`]). Returns how many.
    pub async fn resume_all(&self) -> Result<usize> {
        let ids = self.left_running().await?;
        self.resume(ids).await
    }

    /// The runs a stop or a crash left running. A server reads them before it accepts its
    /// first request, then [`Engine::resume`]s them in the background: a run started after
    /// this read is driven by whoever started it, never also by the resume.
    pub async fn left_running(&self) -> Result<Vec<Uuid>> {
        self.store().running().await
    }

    /// Continues the runs `ids` (from [`Engine::left_running`]); returns how many.
    pub async fn resume(&self, ids: Vec<Uuid>) -> Result<usize> {
        let n = ids.len();
        self.drive_all(ids).await?;
        Ok(n)
    }

    async fn drive_all(&self, ids: Vec<Uuid>) -> Result<()> {
        let mut set = tokio::task::JoinSet::new();
        for id in ids {
            let engine = self.clone();
            set.spawn(async move { engine.drive(id).await });
        }
        while let Some(joined) = set.join_next().await {
            let outcome = joined.map_err(|e| Error::Db(crm_core::DbError::Task(e.to_string())))?;
            if let Err(e) = outcome {
                tracing::error!(error = %e, "a workflow run could not continue");
            }
        }
        Ok(())
    }

    /// Retries a failed run from the node it failed at (an output node gets the same key).
    pub async fn retry(&self, run_id: Uuid) -> Result<Run> {
        self.store().reopen(run_id).await?;
        self.drive(run_id).await?;
        self.store().run(run_id).await
    }

    /// Cancels a running or waiting run: it takes no further step and its timer is dropped.
    pub async fn cancel(&self, run_id: Uuid) -> Result<Run> {
        self.store().cancel(run_id, self.now()).await?;
        self.store().run(run_id).await
    }

    /// The earliest pending timer.
    pub async fn next_due(&self) -> Result<Option<Timestamp>> {
        self.store().next_due().await
    }

    /// Wakes and continues every waiting run whose timer is due at `now`; returns how many.
    /// Scheduled workflows due by then start a run each (trigger data `{"scheduled_at": …}`),
    /// counted too.
    pub async fn fire_due(&self, now: Timestamp) -> Result<usize> {
        let mut fired = self.start_scheduled(now).await?;
        loop {
            let ids = self.store().take_due(now, 1_000).await?;
            if ids.is_empty() {
                return Ok(fired);
            }
            fired += ids.len();
            self.drive_all(ids).await?;
        }
    }

    /// Starts a run of each schedule due at `now`; returns how many.
    async fn start_scheduled(&self, now: Timestamp) -> Result<usize> {
        let due = self.store().take_scheduled(now).await?;
        let n = due.len();
        for (id, at) in due {
            if let Err(e) = self.start(id, json!({ "scheduled_at": at }), 0).await {
                tracing::error!(workflow = %id, error = %e, "a scheduled workflow could not start");
            }
        }
        Ok(n)
    }

    /// [`Engine::fire_due`] without waiting for the runs: each continues in a task of its own,
    /// so that a slow output does not hold back the timers due after it. A crash before a
    /// task's first step leaves its run `running`, for [`Engine::resume_all`].
    async fn spawn_due(&self, now: Timestamp) -> Result<usize> {
        let mut fired = self.start_scheduled(now).await?;
        loop {
            let ids = self.store().take_due(now, 1_000).await?;
            if ids.is_empty() {
                return Ok(fired);
            }
            fired += ids.len();
            for id in ids {
                let engine = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = engine.drive(id).await {
                        tracing::error!(run = %id, error = %e, "a workflow run could not continue");
                    }
                });
            }
        }
    }

    /// Fires timers as they fall due until `shutdown` resolves; see the module docs.
    pub async fn run_scheduler(&self, shutdown: impl Future<Output = ()>) {
        /// The longest sleep, so that a clock set forward is noticed.
        const LONGEST: std::time::Duration = std::time::Duration::from_secs(300);
        tokio::pin!(shutdown);
        loop {
            *lock(&self.inner.scheduler) = Sleeping::Awake;
            if let Err(e) = self.spawn_due(self.now()).await {
                tracing::error!(error = %e, "workflow timers could not fire");
            }
            let next = match self.next_due().await {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!(error = %e, "workflow timers could not be read");
                    None
                }
            };
            let sleep = match next {
                Some(due) => {
                    *lock(&self.inner.scheduler) = Sleeping::Until(due);
                    let ms = (due.into_inner() - self.now().into_inner()).whole_milliseconds();
                    std::time::Duration::from_millis(u64::try_from(ms.max(0)).unwrap_or(0))
                        .min(LONGEST)
                }
                None => {
                    *lock(&self.inner.scheduler) = Sleeping::Idle;
                    LONGEST
                }
            };
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = self.inner.wake.notified() => {}
                () = &mut shutdown => return,
            }
        }
    }

    /// Wakes the scheduler if `due` is earlier than what it sleeps until (or it is awake).
    fn timer_written(&self, due: Timestamp) {
        let wake = match *lock(&self.inner.scheduler) {
            Sleeping::Awake | Sleeping::Idle => true,
            Sleeping::Until(until) => due < until,
        };
        if wake {
            self.inner.wake.notify_one();
        }
    }

    /// Executes the run from its cursor until it ends, waits or is cancelled.
    async fn drive(&self, id: Uuid) -> Result<()> {
        let (mut run, state) = self.store().run_and_state(id).await?;
        if run.status != RunStatus::Running {
            return Ok(());
        }
        let mut state: State = serde_json::from_value(state)?;
        let def = self.definition(run.workflow_id, run.version).await?;
        loop {
            let Some(key) = run.cursor.clone() else {
                return self.store().succeed_run(id, self.now()).await;
            };
            if run.steps >= self.inner.limits.max_steps {
                let error = format!(
                    "step limit reached: {} steps (a cycle of nodes?)",
                    self.inner.limits.max_steps
                );
                tracing::warn!(run = %id, workflow = %run.workflow_id, "{error}");
                return self
                    .store()
                    .fail_run(id, Some(key), error, self.now())
                    .await;
            }
            let Some(node) = def.node(&key) else {
                let error = format!("the definition has no node `{key}`");
                return self
                    .store()
                    .fail_run(id, Some(key), error, self.now())
                    .await;
            };
            let started_at = self.now();
            let clock = Instant::now();
            let outcome = self.execute(&run, node, &mut state).await;
            let duration_us = i64::try_from(clock.elapsed().as_micros()).unwrap_or(i64::MAX);
            let finished_at = self.now();
            let step = |succeeded, input, output, error, key| Step {
                seq: run.steps + 1,
                node: node.key.clone(),
                kind: node.kind.clone(),
                succeeded,
                input,
                output,
                error,
                idempotency_key: key,
                started_at,
                finished_at,
                duration_us,
            };
            let (step, status, cursor, error, timer) = match outcome {
                Ok(done) => {
                    if let Some(out) = &done.output {
                        state.nodes.insert(node.key.clone(), out.clone());
                    }
                    let (cursor, timer) = match done.go {
                        Go::Next(to) => (to.or_else(|| state.stack.last().cloned()), None),
                        Go::Wait(due, to) => (
                            to.or_else(|| state.stack.last().cloned()),
                            Some((node.key.clone(), due)),
                        ),
                        Go::Stop => (None, None),
                    };
                    let status = match (&timer, &cursor) {
                        (Some(_), _) => RunStatus::Waiting,
                        (None, Some(_)) => RunStatus::Running,
                        (None, None) => RunStatus::Succeeded,
                    };
                    let step = step(true, done.input, done.output, None, done.key);
                    (step, status, cursor, None, timer)
                }
                Err(f) => {
                    let step = step(false, f.input, None, Some(f.error.clone()), f.key);
                    match &node.on_error {
                        Some(handler) => {
                            state.error = Some(f.error);
                            (step, RunStatus::Running, Some(handler.clone()), None, None)
                        }
                        None => (step, RunStatus::Failed, Some(key), Some(f.error), None),
                    }
                }
            };
            let due = timer.as_ref().map(|(_, due)| *due);
            let committed = self
                .store()
                .commit_step(StepCommit {
                    run_id: id,
                    step,
                    state: serde_json::to_value(&state)?,
                    cursor: cursor.clone(),
                    status,
                    error,
                    timer,
                    now: finished_at,
                })
                .await?;
            if !committed {
                return Ok(());
            }
            run.steps += 1;
            run.cursor = cursor;
            if let Some(due) = due {
                self.timer_written(due);
            }
            if status != RunStatus::Running {
                return Ok(());
            }
        }
    }

    /// The roots an expression of this run reads.
    fn scope(run: &Run, state: &State) -> Map<String, Value> {
        let mut scope = Map::new();
        scope.insert("trigger".into(), run.trigger.clone());
        scope.insert("vars".into(), Value::Object(state.vars.clone()));
        scope.insert("nodes".into(), Value::Object(state.nodes.clone()));
        if let Some(at) = state.stack.last().and_then(|k| state.loops.get(k)) {
            scope.insert(
                "item".into(),
                at.items.get(at.index).cloned().unwrap_or_default(),
            );
            scope.insert("index".into(), json!(at.index));
        }
        if let Some(e) = &state.error {
            scope.insert("error".into(), json!(e));
        }
        scope
    }

    async fn execute(&self, run: &Run, node: &Node, state: &mut State) -> Result<Done, Failed> {
        let scope = Self::scope(run, state);
        let config = Some(Value::Object(node.config.clone()));
        let fail = |error: String| Failed {
            input: Some(Value::Object(node.config.clone())),
            key: None,
            error,
        };
        let text = |field: &str| node.text(field).unwrap_or_default();
        let done = |output: Option<Value>, go: Go| Done {
            input: config.clone(),
            output,
            key: None,
            go,
        };
        match node.kind.as_str() {
            "if" => {
                let yes = expr::eval_bool(text("condition"), &scope).map_err(fail)?;
                let branch = if yes { "then" } else { "else" };
                let to = node.branches.get(branch).or(node.next.as_ref()).cloned();
                Ok(done(Some(json!({ "branch": branch })), Go::Next(to)))
            }
            "switch" => {
                let value = expr::eval(text("value"), &scope).map_err(fail)?;
                let case = expr::text_of(&value);
                let (branch, to) = match node.branches.get(&case) {
                    Some(to) => (Some(case.as_str()), Some(to)),
                    None => match node.branches.get("default") {
                        Some(to) => (Some("default"), Some(to)),
                        None => (None, node.next.as_ref()),
                    },
                };
                let output = json!({ "value": value, "branch": branch });
                Ok(done(Some(output), Go::Next(to.cloned())))
            }
            "wait" => {
                let amount = node
                    .config
                    .get("amount")
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                let due = wait_until(self.now(), amount, text("unit"));
                Ok(done(
                    Some(json!({ "due_at": due })),
                    Go::Wait(due, node.next.clone()),
                ))
            }
            "loop" => self
                .step_loop(node, state, &scope)
                .map_err(fail)
                .map(|(output, go)| done(Some(output), go)),
            "stop" => Ok(done(None, Go::Stop)),
            "set" => {
                let value = expr::eval(text("value"), &scope).map_err(fail)?;
                state.vars.insert(text("name").to_owned(), value.clone());
                Ok(done(Some(value), Go::Next(node.next.clone())))
            }
            "json_parse" => {
                let source = expr::eval(text("source"), &scope).map_err(fail)?;
                let Value::String(source) = source else {
                    return Err(fail(format!("the source gave {source}, not text")));
                };
                let parsed: Value = serde_json::from_str(&source)
                    .map_err(|e| fail(format!("the source is not JSON: {e}")))?;
                Ok(done(Some(parsed), Go::Next(node.next.clone())))
            }
            "assert" => {
                if expr::eval_bool(text("condition"), &scope).map_err(fail)? {
                    return Ok(done(None, Go::Next(node.next.clone())));
                }
                let message = match node.text("message") {
                    Some(m) => expr::render(m, &scope).map_err(fail)?,
                    None => format!("assertion failed: {}", text("condition")),
                };
                Err(fail(message))
            }
            kind => {
                let mut input = Map::new();
                for (field, value) in &node.config {
                    let value = render_all(value, &scope, field).map_err(fail)?;
                    input.insert(field.clone(), value);
                }
                let mut key = format!("{}:{}", run.id, node.key);
                for l in &state.stack {
                    if let Some(at) = state.loops.get(l) {
                        key.push_str(&format!(":{}", at.index));
                    }
                }
                let input = Value::Object(input);
                let call = OutputCall {
                    kind: kind.to_owned(),
                    idempotency_key: key.clone(),
                    input: input.clone(),
                    run_id: run.id,
                    depth: run.depth,
                };
                match self.inner.outputs.perform(call).await {
                    Ok(output) => Ok(Done {
                        input: Some(input),
                        output: Some(output),
                        key: Some(key),
                        go: Go::Next(node.next.clone()),
                    }),
                    Err(e) => Err(Failed {
                        input: Some(input),
                        key: Some(key),
                        error: e.to_string(),
                    }),
                }
            }
        }
    }

    /// A loop node: enters, moves to the next element, or leaves.
    fn step_loop(
        &self,
        node: &Node,
        state: &mut State,
        scope: &Map<String, Value>,
    ) -> Result<(Value, Go), String> {
        let body = node.branches.get("body").cloned();
        let index = match state.loops.get_mut(&node.key) {
            Some(at) => {
                at.index += 1;
                at.index
            }
            None => {
                let items = match expr::eval(node.text("items").unwrap_or_default(), scope)? {
                    Value::Array(items) => items,
                    Value::Null => Vec::new(),
                    other => return Err(format!("the items gave {other}, not a list")),
                };
                let max = node
                    .config
                    .get("max")
                    .and_then(Value::as_i64)
                    .unwrap_or(i64::MAX)
                    .min(self.inner.limits.max_loop_iterations);
                if i64::try_from(items.len()).unwrap_or(i64::MAX) > max {
                    return Err(format!(
                        "loop limit: the list has {} elements, at most {max} are allowed",
                        items.len()
                    ));
                }
                state
                    .loops
                    .insert(node.key.clone(), LoopAt { index: 0, items });
                state.stack.push(node.key.clone());
                0
            }
        };
        let len = state.loops.get(&node.key).map_or(0, |at| at.items.len());
        if index < len {
            return Ok((json!({ "index": index }), Go::Next(body)));
        }
        state.loops.remove(&node.key);
        if state.stack.last() == Some(&node.key) {
            state.stack.pop();
        }
        Ok((json!({ "iterations": len }), Go::Next(node.next.clone())))
    }
}
