-- The workflow output that created a ticket or a lead (its idempotency key, `<run id>:<node
-- key>[:<loop index>]`), written in the creating transaction: a run resumed after a crash
-- between the creation and its record in `workflow_outputs` finds the ticket or lead by this
-- key instead of creating a second one. NULL for what a person created.
ALTER TABLE tickets ADD COLUMN origin_key TEXT;
CREATE UNIQUE INDEX tickets_origin_key ON tickets (origin_key) WHERE origin_key IS NOT NULL;
ALTER TABLE leads ADD COLUMN origin_key TEXT;
CREATE UNIQUE INDEX leads_origin_key ON leads (origin_key) WHERE origin_key IS NOT NULL;
