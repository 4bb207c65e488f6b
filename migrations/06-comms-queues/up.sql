-- Durable queues of the comms log (crate crm-comms).
--
-- `comms_inbound`: webhook bodies exactly as received and verified, written before the
-- webhook is acknowledged; a worker turns them into entries afterwards and marks them done.
-- A crash between the two loses nothing: pending rows are processed at the next start, and
-- processing is idempotent (entries are unique per external id).
CREATE TABLE comms_inbound (
    id          INTEGER PRIMARY KEY,                        -- arrival order
    channel     TEXT NOT NULL,                              -- e.g. 'whatsapp'
    body        BLOB NOT NULL,
    received_at TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    done_at     TEXT
) STRICT;
CREATE INDEX comms_inbound_pending ON comms_inbound (channel, id) WHERE state = 'pending';

-- Files an entry refers to that still have to be fetched (a WhatsApp media id) and stored
-- (in Nextcloud). One job per (entry, source); retried with back-off until done or failed,
-- separately from the entry, which is stored at once.
CREATE TABLE comms_attachment_jobs (
    id              INTEGER PRIMARY KEY,
    entry_id        TEXT NOT NULL REFERENCES comms_entries (id) ON DELETE CASCADE,
    source          TEXT NOT NULL,                          -- e.g. 'whatsapp:<media id>'
    filename        TEXT,
    mime_type       TEXT,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    nextcloud_path  TEXT,
    UNIQUE (entry_id, source)
) STRICT;
CREATE INDEX comms_attachment_jobs_due ON comms_attachment_jobs (next_attempt_at)
    WHERE state = 'pending';
