-- Customer merges (crate crm-customers, module merge; the gateway's merge channel).
--
-- One row per duplicate merged away: the duplicate's whole JSON as it was, the caller's field
-- choices, how many of each kind of record moved, who and when — enough to undo by hand. A
-- duplicate is merged once (`duplicate_id` unique): merging it again finds this row and changes
-- nothing. `state` is `done` once everything moved; with customers and orders in Firestore,
-- whose writes cannot share SQLite's transaction, a merge is `moving` until they are written
-- too, and a retry finishes it.
CREATE TABLE customer_merges (
    id           TEXT PRIMARY KEY NOT NULL,
    kept_id      TEXT NOT NULL,
    duplicate_id TEXT NOT NULL UNIQUE,
    duplicate    TEXT NOT NULL,                -- JSON: the customer merged away
    choices      TEXT NOT NULL,                -- JSON {name, organization, location, language, nextcloud_folder}
    moved        TEXT NOT NULL,                -- JSON counts per kind of record
    merged_by    TEXT NOT NULL,
    merged_at    TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('moving', 'done'))
) STRICT;
CREATE INDEX customer_merges_kept ON customer_merges (kept_id, merged_at);

-- A ticket's activities follow the ticket to the customer it was merged into: their
-- `customer_id` (the timeline's key) may change, nothing else may.
DROP TRIGGER ticket_activities_no_update;
CREATE TRIGGER ticket_activities_no_update BEFORE UPDATE ON ticket_activities
WHEN NEW.seq IS NOT OLD.seq OR NEW.ticket_id IS NOT OLD.ticket_id OR NEW.kind IS NOT OLD.kind
    OR NEW.data IS NOT OLD.data OR NEW.actor IS NOT OLD.actor OR NEW.at IS NOT OLD.at
BEGIN
    SELECT RAISE(ABORT, 'ticket_activities is append-only');
END;
