-- Workflow automation (crate crm-workflows): workflows, their immutable versions, runs with
-- their per-node steps, and the timers of waiting runs. SQLite only.
--
-- A workflow's definition lives in `workflow_versions`, one row per save, never changed or
-- deleted (triggers); `workflows.version` names the current one. A run keeps the version it
-- started on. A run's `cursor` is the node it executes next and `state` (JSON) what it has
-- computed so far; both change in the same transaction as the step row of the node just done,
-- so a run resumed after a crash starts exactly at the first node whose step is not committed.
-- A workflow triggered by a schedule keeps its period and, while enabled, its next run's time
-- (`next_fire_at`); the scheduler wakes for the earliest of those and of the timers.

CREATE TABLE workflows (
    id         TEXT PRIMARY KEY NOT NULL,                  -- UUID v4
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    enabled    INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    version    INTEGER NOT NULL CHECK (version >= 1),       -- the current version
    event      TEXT,                                       -- the trigger's event name, when an event starts it
    every_minutes INTEGER CHECK (every_minutes IS NULL OR every_minutes >= 1), -- a schedule's period
    next_fire_at  TEXT,                                    -- a schedule's next run, while enabled
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (event IS NULL OR every_minutes IS NULL),
    CHECK (next_fire_at IS NULL OR (every_minutes IS NOT NULL AND enabled = 1))
) STRICT;
CREATE INDEX workflows_event ON workflows (event) WHERE event IS NOT NULL AND enabled = 1;
CREATE INDEX workflows_next_fire ON workflows (next_fire_at) WHERE next_fire_at IS NOT NULL;

CREATE TABLE workflow_versions (
    workflow_id TEXT NOT NULL REFERENCES workflows (id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    definition  TEXT NOT NULL CHECK (json_valid(definition)), -- JSON {trigger, nodes}
    created_at  TEXT NOT NULL,
    PRIMARY KEY (workflow_id, version)
) STRICT;
CREATE TRIGGER workflow_versions_no_update BEFORE UPDATE ON workflow_versions
BEGIN
    SELECT RAISE(ABORT, 'workflow_versions is append-only');
END;
CREATE TRIGGER workflow_versions_no_delete BEFORE DELETE ON workflow_versions
BEGIN
    SELECT RAISE(ABORT, 'workflow_versions is append-only');
END;

CREATE TABLE workflow_runs (
    id          TEXT PRIMARY KEY NOT NULL,                 -- UUID v7 (time-ordered)
    workflow_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL
        CHECK (status IN ('running', 'waiting', 'succeeded', 'failed', 'cancelled')),
    depth       INTEGER NOT NULL CHECK (depth >= 0),       -- 0: started by a person or a schedule
    trigger     TEXT NOT NULL CHECK (json_valid(trigger)), -- the trigger's data
    state       TEXT NOT NULL CHECK (json_valid(state)),   -- JSON {vars, nodes, loops, stack}
    cursor      TEXT,                                      -- the next node's key; NULL once finished
    steps       INTEGER NOT NULL DEFAULT 0 CHECK (steps >= 0),
    failed_node TEXT,
    error       TEXT,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    FOREIGN KEY (workflow_id, version) REFERENCES workflow_versions (workflow_id, version),
    CHECK ((status IN ('running', 'waiting')) = (finished_at IS NULL)),
    CHECK ((status = 'failed') = (error IS NOT NULL))
) STRICT;
CREATE INDEX workflow_runs_workflow ON workflow_runs (workflow_id, id);
CREATE INDEX workflow_runs_running ON workflow_runs (status) WHERE status = 'running';

-- One row per node executed (a node in a loop: once per iteration, `seq` orders them).
CREATE TABLE workflow_steps (
    run_id          TEXT NOT NULL REFERENCES workflow_runs (id),
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    node            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    input           TEXT CHECK (input IS NULL OR json_valid(input)),
    output          TEXT CHECK (output IS NULL OR json_valid(output)),
    error           TEXT,
    idempotency_key TEXT,                                  -- an output node's: run + node (+ loop index)
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    duration_us     INTEGER NOT NULL CHECK (duration_us >= 0),
    PRIMARY KEY (run_id, seq),
    CHECK ((status = 'failed') = (error IS NOT NULL))
) STRICT;

-- A waiting run's wake-up: at most one per run. The scheduler reads only the earliest.
CREATE TABLE workflow_timers (
    run_id TEXT PRIMARY KEY NOT NULL REFERENCES workflow_runs (id),
    node   TEXT NOT NULL,                                  -- the wait node
    due_at TEXT NOT NULL
) STRICT;
CREATE INDEX workflow_timers_due ON workflow_timers (due_at);
