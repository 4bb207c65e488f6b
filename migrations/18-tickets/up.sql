-- The service desk (crate crm-tickets): tickets, their on-site visits, notes, activities,
-- tags and macros. SQLite only: tickets have no Firestore store.
--
-- A ticket belongs to a customer (`customer_id REFERENCES customers(id)`, no cascade: a customer
-- with tickets cannot be deleted) and may name an order and an owned item's serial. Activities
-- are appended by the server and can be neither changed nor deleted (triggers), like
-- `order_status_history`.

-- Ticket numbers: one counter per calendar year, bumped inside the write that inserts the
-- ticket, so numbers are gapless and never reused; the UNIQUE indexes back that up.
CREATE TABLE ticket_counters (
    year     INTEGER PRIMARY KEY NOT NULL,
    last_seq INTEGER NOT NULL CHECK (last_seq >= 1)
) STRICT;

CREATE TABLE tickets (
    id                TEXT PRIMARY KEY NOT NULL,           -- UUID v4
    number            TEXT NOT NULL,                       -- TCK-<year>-<seq, at least 4 digits>
    ticket_year       INTEGER NOT NULL,
    ticket_seq        INTEGER NOT NULL CHECK (ticket_seq >= 1),
    customer_id       TEXT NOT NULL REFERENCES customers (id),
    subject           TEXT NOT NULL,
    description       TEXT,
    status            TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'open', 'scheduled', 'in_progress', 'waiting_customer', 'resolved', 'closed')),
    priority          TEXT NOT NULL DEFAULT 'normal'
        CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    kind              TEXT NOT NULL
        CHECK (kind IN ('repair', 'installation', 'maintenance', 'question', 'complaint')),
    assignee          TEXT,                                -- username
    due_at            TEXT,
    owned_item_serial TEXT,
    order_id          TEXT REFERENCES orders (id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX tickets_number ON tickets (number);
CREATE UNIQUE INDEX tickets_year_seq ON tickets (ticket_year, ticket_seq);
-- the queue: newest first, then the higher number first; each filter has its own ordered index
CREATE INDEX tickets_newest ON tickets (created_at DESC, ticket_year DESC, ticket_seq DESC);
CREATE INDEX tickets_status ON tickets (status, created_at DESC, ticket_year DESC, ticket_seq DESC);
CREATE INDEX tickets_status_assignee
    ON tickets (status, assignee, created_at DESC, ticket_year DESC, ticket_seq DESC);
CREATE INDEX tickets_assignee ON tickets (assignee, created_at DESC, ticket_year DESC, ticket_seq DESC);
CREATE INDEX tickets_priority ON tickets (priority, created_at DESC, ticket_year DESC, ticket_seq DESC);
CREATE INDEX tickets_customer
    ON tickets (customer_id, created_at DESC, ticket_year DESC, ticket_seq DESC);
-- `sort=due`
CREATE INDEX tickets_due ON tickets (due_at, ticket_year, ticket_seq) WHERE due_at IS NOT NULL;
-- counting the overdue tickets without reading them (the terms are the list's filter, verbatim)
CREATE INDEX tickets_overdue ON tickets (due_at, status)
    WHERE due_at IS NOT NULL AND status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_serial ON tickets (owned_item_serial) WHERE owned_item_serial IS NOT NULL;
CREATE INDEX tickets_order ON tickets (order_id) WHERE order_id IS NOT NULL;

-- Tags: unique ignoring case (`name_key` is the name in lower case); shown as first entered.
CREATE TABLE ticket_tags (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX ticket_tags_name_key ON ticket_tags (name_key);

CREATE TABLE ticket_tag_assignments (
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag_id    INTEGER NOT NULL REFERENCES ticket_tags (id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ticket_tag_assignments_tag ON ticket_tag_assignments (tag_id, ticket_id);

-- The comms entries a ticket came from or was linked to later.
CREATE TABLE ticket_entries (
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    entry_id  TEXT NOT NULL REFERENCES comms_entries (id) ON DELETE CASCADE,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (ticket_id, entry_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ticket_entries_entry ON ticket_entries (entry_id);

-- On-site visits; `parts` is JSON [{product_id, quantity}].
CREATE TABLE ticket_visits (
    id           TEXT PRIMARY KEY NOT NULL,                -- UUID v4
    ticket_id    TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    technician   TEXT NOT NULL,
    address      TEXT,
    status       TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'completed', 'cancelled')),
    outcome      TEXT,
    parts        TEXT NOT NULL DEFAULT '[]',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX ticket_visits_ticket ON ticket_visits (ticket_id, starts_at);

-- Internal notes and replies the customer was given.
CREATE TABLE ticket_notes (
    id         TEXT PRIMARY KEY NOT NULL,                  -- UUID v4
    ticket_id  TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('internal', 'customer')),
    author     TEXT NOT NULL,
    text       TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket_id, at);

-- What happened to a ticket, written by the server only. `data` is the JSON of the activity
-- ({kind, from, to, …}); `customer_id` is the ticket's (which never changes), for the
-- customer's timeline. Append-only: rows can be neither changed nor deleted, except together
-- with their ticket.
CREATE TABLE ticket_activities (
    seq         INTEGER PRIMARY KEY,                       -- append order
    ticket_id   TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'status_changed', 'assigned',
        'priority_changed', 'visit_scheduled', 'visit_completed', 'visit_cancelled',
        'comment_added', 'entry_linked', 'tag_added', 'tag_removed', 'macro_applied')),
    data        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_activities_ticket ON ticket_activities (ticket_id, seq);
CREATE INDEX ticket_activities_customer ON ticket_activities (customer_id, at DESC, seq DESC)
    WHERE kind IN ('created', 'status_changed', 'visit_scheduled', 'visit_completed', 'visit_cancelled');
CREATE TRIGGER ticket_activities_no_update BEFORE UPDATE ON ticket_activities
BEGIN
    SELECT RAISE(ABORT, 'ticket_activities is append-only');
END;
CREATE TRIGGER ticket_activities_no_delete BEFORE DELETE ON ticket_activities
WHEN EXISTS (SELECT 1 FROM tickets WHERE id = OLD.ticket_id)
BEGIN
    SELECT RAISE(ABORT, 'ticket_activities is append-only');
END;

-- Saved actions applied to a ticket in one call; `actions` is JSON [{action, …}].
CREATE TABLE ticket_macros (
    id         TEXT PRIMARY KEY NOT NULL,                  -- UUID v4
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    actions    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX ticket_macros_name_key ON ticket_macros (name_key);
