-- Parts taken out of stock outside an order (crate crm-products, `ProductStore::take_parts`):
-- one row per movement, named by who took them (`visit:{id}`), so that taking again after a
-- lost answer changes nothing and a failed or cancelled visit can put exactly its parts back.
-- A visit completed while products are in SQLite takes its parts in its own write instead;
-- this table is the record of the takes that cannot share that write (products in Firestore
-- keep the same record in their own collection).
CREATE TABLE product_stock_takes (
    key      TEXT PRIMARY KEY NOT NULL,
    parts    TEXT NOT NULL,                 -- JSON [{product_id, quantity}]
    taken_at TEXT NOT NULL
) STRICT;
