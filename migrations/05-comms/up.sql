-- Communications log and media records (crate crm-comms).
--
-- An entry belongs to a customer, or, while nobody matched its sender, to nobody: then it
-- is in the unassigned inbox and carries the raw `sender` (an address or a number) and its
-- normal form `sender_key` (lower-cased e-mail or E.164), by which every entry of one sender
-- is assigned at once. Nothing is dropped for being unmatched.
--
-- `seq` is the rowid: the append order and the entry's row in `comms_fts`. `id` is the
-- public UUID. Listings walk the indexes in (occurred_at DESC, id DESC) order and stop at
-- the page size; the number of matches comes from `comms_counts`. A direction filter walks
-- the customer's (or type's) index and skips: every direction is common, while a type can
-- be rare, so only types have an index of their own (each index costs every insert).
CREATE TABLE comms_entries (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL,
    customer_id    TEXT REFERENCES customers (id),
    sender         TEXT,
    sender_key     TEXT,
    type           TEXT NOT NULL
        CHECK (type IN ('email', 'whatsapp', 'call', 'sms', 'note', 'in_person')),
    direction      TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    subject        TEXT,
    body           TEXT,
    attachments    TEXT NOT NULL DEFAULT '[]',              -- JSON [{filename, nextcloud_path, …}]
    ext_message_id TEXT,                                    -- Message-ID, WhatsApp id, AMI linkedid
    logged_by      TEXT,
    meta           TEXT NOT NULL DEFAULT '{}',              -- JSON object, per channel
    occurred_at    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    CHECK (customer_id IS NOT NULL OR sender IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX comms_entries_id ON comms_entries (id);
-- idempotent ingestion: one entry per (type, external id), whoever sends it how often
CREATE UNIQUE INDEX comms_entries_ext ON comms_entries (type, ext_message_id)
    WHERE ext_message_id IS NOT NULL;
CREATE INDEX comms_entries_customer ON comms_entries (customer_id, occurred_at DESC, id DESC);
CREATE INDEX comms_entries_customer_type
    ON comms_entries (customer_id, type, occurred_at DESC, id DESC);
CREATE INDEX comms_entries_inbox ON comms_entries (occurred_at DESC, id DESC)
    WHERE customer_id IS NULL;
CREATE INDEX comms_entries_inbox_sender ON comms_entries (sender_key)
    WHERE customer_id IS NULL;

-- How many entries each customer (or, under '', the inbox) has per type and direction. Kept
-- by the store in the same transaction as the entries, one update per key and batch (a
-- trigger would cost more than the insert itself).
CREATE TABLE comms_counts (
    customer_id TEXT NOT NULL,                              -- '' for the unassigned inbox
    type        TEXT NOT NULL,
    direction   TEXT NOT NULL,
    n           INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (customer_id, type, direction)
) STRICT, WITHOUT ROWID;
-- Search keys of subject and body (see crm_core::fts), rowid = comms_entries.seq. `scope`
-- holds one token for the customer (`c` + the id's hex digits, or `cinbox`) and one for
-- the type, matched only through the column filter `scope:`.
CREATE VIRTUAL TABLE comms_fts USING fts5 (
    subject,
    body,
    scope,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER comms_fts_delete AFTER DELETE ON comms_entries
BEGIN
    DELETE FROM comms_fts WHERE rowid = old.seq;
END;

-- Files in Nextcloud that the CRM knows about. Deleting an order keeps its media (the link
-- is cleared); a customer with media cannot be deleted.
CREATE TABLE media_records (
    id             TEXT PRIMARY KEY NOT NULL,
    customer_id    TEXT REFERENCES customers (id),
    order_id       TEXT REFERENCES orders (id) ON DELETE SET NULL,
    filename       TEXT NOT NULL,
    nextcloud_path TEXT NOT NULL,
    mime_type      TEXT,
    size           INTEGER CHECK (size >= 0),
    direction      TEXT NOT NULL CHECK (direction IN ('received', 'sent', 'internal')),
    tags           TEXT NOT NULL DEFAULT '[]',              -- JSON array of strings
    uploaded_by    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX media_records_path ON media_records (nextcloud_path);
CREATE INDEX media_records_customer ON media_records (customer_id, created_at DESC, id DESC);
CREATE INDEX media_records_order ON media_records (order_id, created_at DESC, id DESC);
