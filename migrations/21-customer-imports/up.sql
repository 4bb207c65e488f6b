-- CSV imports of customers (crate crm-customers, module `import`): the office's record of each
-- import job and of every row's outcome. Always in SQLite, even when customers live in
-- Firestore. A job is planned (the dry run) and then run; its rows keep the original cells so
-- that the report and the error CSV can be downloaded later.
CREATE TABLE import_jobs (
    id          TEXT PRIMARY KEY NOT NULL,               -- UUID v4
    file_name   TEXT NOT NULL,
    encoding    TEXT NOT NULL
        CHECK (encoding IN ('utf8', 'utf8_bom', 'windows1253', 'iso8859_7')),
    delimiter   TEXT NOT NULL CHECK (delimiter IN ('comma', 'semicolon', 'tab')),
    headers     TEXT NOT NULL,                           -- JSON [str], the header row as read
    mapping     TEXT NOT NULL,                           -- JSON [field], one per column
    match_key   TEXT NOT NULL,                           -- JSON {"by": "contacts"} | {"by": "column", "column": n}
    status      TEXT NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'running', 'done', 'cancelled', 'failed')),
    totals      TEXT NOT NULL,                           -- JSON {rows, create, update, unchanged, skip, error}
    written     INTEGER NOT NULL DEFAULT 0 CHECK (written >= 0), -- rows whose write is durable
    failure     TEXT,                                    -- why a failed job stopped
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    started_at  TEXT,
    finished_at TEXT
) STRICT;
CREATE INDEX import_jobs_newest ON import_jobs (created_at DESC, id);

-- One row per data row of the file, in file order (`row` as a spreadsheet numbers it: the
-- header is row 1). `outcome` and `detail` are the dry run's until the run rewrites them.
CREATE TABLE import_rows (
    job_id      TEXT NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    row         INTEGER NOT NULL CHECK (row >= 2),
    cells       TEXT NOT NULL,                           -- JSON [str], as in the file
    outcome     TEXT NOT NULL
        CHECK (outcome IN ('create', 'update', 'unchanged', 'skip', 'error')),
    detail      TEXT NOT NULL,                           -- JSON, the outcome with its fields
    customer_id TEXT,                                    -- created or matched customer
    written     INTEGER NOT NULL DEFAULT 0 CHECK (written IN (0, 1)),
    PRIMARY KEY (job_id, row)
) STRICT, WITHOUT ROWID;
CREATE INDEX import_rows_outcome ON import_rows (job_id, outcome, row);
