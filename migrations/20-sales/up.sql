-- The sales pipeline (crate crm-sales): pipelines and their ordered stages, leads, the stage
-- moves and owner assignments of each lead. SQLite only: leads have no Firestore store.
--
-- A lead names an existing customer (`customer_id`) or a prospect (JSON, with its contacts in
-- their normal forms); once converted it keeps `converted_customer_id` and, when a draft order
-- was opened, `converted_order_id`. Stage moves and assignments are appended by the server and
-- can be neither changed nor deleted (triggers), like `ticket_activities`; leads themselves are
-- never deleted.

CREATE TABLE sales_pipelines (
    id         TEXT PRIMARY KEY NOT NULL,                  -- UUID v4
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,                              -- name folded (crm_core::text::fold)
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX sales_pipelines_name_key ON sales_pipelines (name_key);
-- at most one default pipeline: `ensure_default_pipeline` seeds it once
CREATE UNIQUE INDEX sales_pipelines_default ON sales_pipelines (is_default) WHERE is_default = 1;

-- Stages in board order (`position` 0, 1, …). A stage is open, won or lost, never both.
CREATE TABLE sales_stages (
    id          TEXT PRIMARY KEY NOT NULL,                 -- UUID v4
    pipeline_id TEXT NOT NULL REFERENCES sales_pipelines (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    name        TEXT NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    won         INTEGER NOT NULL CHECK (won IN (0, 1)),
    lost        INTEGER NOT NULL CHECK (lost IN (0, 1)),
    CHECK (won + lost <= 1)
) STRICT;
CREATE INDEX sales_stages_pipeline ON sales_stages (pipeline_id, position);

CREATE TABLE leads (
    id                    TEXT PRIMARY KEY NOT NULL,       -- UUID v4
    title                 TEXT NOT NULL,
    customer_id           TEXT REFERENCES customers (id),
    prospect              TEXT,                            -- JSON {name, organization, contacts}
    search_key            TEXT NOT NULL,                   -- title and prospect name, folded
    source                TEXT NOT NULL
        CHECK (source IN ('phone', 'email', 'whatsapp', 'web', 'fair', 'referral', 'other')),
    estimated_value       TEXT,                            -- exact decimal, EUR
    currency              TEXT NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    expected_close        TEXT,                            -- YYYY-MM-DD
    pipeline_id           TEXT NOT NULL REFERENCES sales_pipelines (id),
    stage_id              TEXT NOT NULL REFERENCES sales_stages (id),
    status                TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    owner                 TEXT,                            -- username
    lost_reason           TEXT,
    tags                  TEXT NOT NULL DEFAULT '[]',      -- JSON [str], as entered
    tag_keys              TEXT NOT NULL DEFAULT '[]',      -- JSON [str], the tags folded (the filter)
    lines                 TEXT NOT NULL DEFAULT '[]',      -- JSON [{product_id, description, quantity, unit_price}]
    converted_customer_id TEXT REFERENCES customers (id),
    converted_order_id    TEXT REFERENCES orders (id),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1,
    CHECK ((customer_id IS NULL) <> (prospect IS NULL)),
    CHECK (status <> 'lost' OR lost_reason IS NOT NULL),
    CHECK (converted_order_id IS NULL OR converted_customer_id IS NOT NULL)
) STRICT;
-- the list: newest first, the id breaking ties (the cursor is `(created_at, id)`)
CREATE INDEX leads_newest ON leads (created_at DESC, id DESC);
CREATE INDEX leads_stage ON leads (stage_id, created_at DESC, id DESC);
CREATE INDEX leads_pipeline ON leads (pipeline_id, status, created_at DESC, id DESC);
CREATE INDEX leads_owner ON leads (owner, created_at DESC, id DESC) WHERE owner IS NOT NULL;
CREATE INDEX leads_customer ON leads (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX leads_converted_customer ON leads (converted_customer_id)
    WHERE converted_customer_id IS NOT NULL;
CREATE INDEX leads_converted_order ON leads (converted_order_id)
    WHERE converted_order_id IS NOT NULL;

-- Every stage a lead entered: `from_stage_id` is NULL for the stage it was created in. The
-- stage ids are history, not references: a stage no lead is in any more can be removed.
CREATE TABLE lead_stage_moves (
    seq           INTEGER PRIMARY KEY,                     -- append order
    lead_id       TEXT NOT NULL REFERENCES leads (id),
    from_stage_id TEXT,
    to_stage_id   TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL
) STRICT;
CREATE INDEX lead_stage_moves_lead ON lead_stage_moves (lead_id, seq);
CREATE TRIGGER lead_stage_moves_no_update BEFORE UPDATE ON lead_stage_moves
BEGIN
    SELECT RAISE(ABORT, 'lead_stage_moves is append-only');
END;
CREATE TRIGGER lead_stage_moves_no_delete BEFORE DELETE ON lead_stage_moves
BEGIN
    SELECT RAISE(ABORT, 'lead_stage_moves is append-only');
END;

-- Who owned a lead from when: one row per change of owner (`owner` NULL: nobody from then
-- on). An assignment lasts until the next row's `at`, which readers compute; rows are
-- never closed in place.
CREATE TABLE lead_assignments (
    seq         INTEGER PRIMARY KEY,                       -- append order
    lead_id     TEXT NOT NULL REFERENCES leads (id),
    owner       TEXT,
    assigned_by TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX lead_assignments_lead ON lead_assignments (lead_id, seq);
CREATE TRIGGER lead_assignments_no_update BEFORE UPDATE ON lead_assignments
BEGIN
    SELECT RAISE(ABORT, 'lead_assignments is append-only');
END;
CREATE TRIGGER lead_assignments_no_delete BEFORE DELETE ON lead_assignments
BEGIN
    SELECT RAISE(ABORT, 'lead_assignments is append-only');
END;
