-- What workflow output nodes did, by idempotency key (`<run id>:<node key>[:<loop index>]`):
-- the gateway's `Outputs` looks a key up before acting and records the first result after, so
-- a run resumed or retried gets the ticket or lead it already created instead of a second one.
CREATE TABLE workflow_outputs (
    key        TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL,                               -- the node kind: create_ticket, …
    result     TEXT NOT NULL CHECK (json_valid(result)),    -- what the action answered
    created_at TEXT NOT NULL
) STRICT;
