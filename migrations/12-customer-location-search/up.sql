-- Location is searchable, and lists filter by city and region (crate crm-customers).
--
-- customers_fts gets two columns: `location` (the search keys of city, region and country)
-- and `place_ids` (one exact token for the folded city and one for the folded region, for
-- the filters; see crm_customers::search). FTS5 tables cannot gain columns, so the table is
-- made again, empty. Its rows are search keys that only the crate computes (SQL cannot fold
-- Greeklish), so every customer is listed in customers_fts_pending, and the store writes
-- their rows before it answers its first list (SqliteCustomerStore::catch_up), then empties
-- the list. Until then, writes index the customers they touch as always.
DROP TRIGGER customers_fts_delete;
DROP TABLE customers_fts;

CREATE VIRTUAL TABLE customers_fts USING fts5 (
    name, organization, contacts, tags, tag_ids, location, place_ids,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3 4 5 6'
);

CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers
BEGIN
    DELETE FROM customers_fts WHERE rowid = old.doc;
END;

-- Customers whose customers_fts row is still to be written (by id: doc numbers move).
CREATE TABLE customers_fts_pending (
    customer_id TEXT PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO customers_fts_pending (customer_id) SELECT id FROM customers;
