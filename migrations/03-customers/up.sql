-- Customers: parishes, priests, people and companies (crate crm-customers).
-- Orders reference customers through `orders(customer_id REFERENCES customers(id))`; deleting a
-- referenced customer then fails with a FOREIGN KEY error, which the crate reports as "in use".
CREATE TABLE customers (
    id               TEXT PRIMARY KEY NOT NULL,      -- UUID v4
    doc              INTEGER NOT NULL,               -- rowid in customers_fts; doc order = (sort_key, id) order
    name             TEXT NOT NULL,                  -- trimmed, as entered
    sort_key         TEXT NOT NULL,                  -- name folded: NFKD, no accents, lower case, σ for ς
    organization     TEXT,
    contacts         TEXT NOT NULL DEFAULT '[]',     -- JSON [{type, label, value, primary, e164?}]
    notes            TEXT NOT NULL DEFAULT '[]',     -- JSON [{text, by, at}]
    city             TEXT,
    country          TEXT,
    region           TEXT,
    language         TEXT NOT NULL DEFAULT 'el',
    tags             TEXT NOT NULL DEFAULT '[]',     -- JSON [str], as entered (see customer_tags)
    owned_items      TEXT NOT NULL DEFAULT '[]',     -- JSON, stored as given
    linked_user_ids  TEXT NOT NULL DEFAULT '[]',     -- JSON [str]
    nextcloud_folder TEXT,                           -- e.g. 05_Customers/ΕΝΟΡΙΑ_ΑΓ_ΝΙΚΟΛΑΟΥ
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
) STRICT;
-- `doc` numbers are kept in the order of (sort_key, id), with gaps for new names (see
-- store/sqlite.rs), so that FTS5, which returns hits in rowid order, returns them by name.
CREATE UNIQUE INDEX customers_doc ON customers (doc);
-- list without search, and finding the neighbours of a new name
CREATE INDEX customers_sort ON customers (sort_key, id, doc);

-- Every contact in its comparable form (lower-cased e-mail, E.164 number), for lookups
-- such as "which customer wrote from this address / called from this number".
-- Rewritten whenever a customer's contacts change.
CREATE TABLE customer_contacts (
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,                   -- index in customers.contacts
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'whatsapp', 'other')),
    value       TEXT NOT NULL,                      -- as entered
    normalized  TEXT NOT NULL,
    PRIMARY KEY (customer_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_contacts_normalized ON customer_contacts (normalized, kind);

-- Tags in lower case, with the owner's sort key, so that "customers with tag T, by name"
-- is one index range.
CREATE TABLE customer_tags (
    tag         TEXT NOT NULL,                      -- NFC, lower case
    sort_key    TEXT NOT NULL,                      -- = customers.sort_key
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, sort_key, customer_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_tags_customer ON customer_tags (customer_id);

-- Full-text search over name, organization, contacts and tags. The text is not the raw text
-- but the search keys computed by crm_customers::search (Greek and Greeklish folded to one
-- Latin skeleton), so the table is contentless; tag_ids holds one exact token per tag for the
-- tag filter. Prefix indexes for 1-6 characters make a typed prefix (and most whole words, which are
-- prefixes too) one doclist read instead of a merge of every term that starts with it.
CREATE VIRTUAL TABLE customers_fts USING fts5 (
    name, organization, contacts, tags, tag_ids,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3 4 5 6'
);

CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers
BEGIN
    DELETE FROM customers_fts WHERE rowid = old.doc;
END;
