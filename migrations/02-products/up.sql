-- Products: what BellSystems sells, builds and services (crate crm-products).
-- Orders reference products through `order_items(product_id REFERENCES products(id))`; deleting a
-- referenced product then fails with a FOREIGN KEY error, which the crate reports as "in use".
CREATE TABLE products (
    id                 TEXT PRIMARY KEY NOT NULL,          -- UUID v4
    name               TEXT NOT NULL,                      -- trimmed, as entered
    name_key           TEXT NOT NULL,                      -- name folded for search/order: lower case, no accents, σ for ς
    sku                TEXT NOT NULL,                      -- trimmed, as entered
    sku_key            TEXT NOT NULL,                      -- sku in lower case: SKUs are unique ignoring case
    category           TEXT NOT NULL
        CHECK (category IN ('controller', 'striker', 'clock', 'part', 'repair_service')),
    description        TEXT,
    price              TEXT NOT NULL DEFAULT '0',          -- exact decimal
    currency           TEXT NOT NULL DEFAULT 'EUR',        -- ISO 4217
    costs              TEXT NOT NULL DEFAULT '{}',         -- JSON {pcb, components, enclosure, labor_hours, labor_rate, shipping_in, total}, exact decimals
    stock_on_hand      INTEGER NOT NULL DEFAULT 0 CHECK (stock_on_hand >= 0),
    stock_reserved     INTEGER NOT NULL DEFAULT 0
        CHECK (stock_reserved >= 0 AND stock_reserved <= stock_on_hand),
    nextcloud_folder   TEXT,                               -- e.g. 02_Products/VESPER
    linked_device_type TEXT,
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX products_sku_key ON products (sku_key);
CREATE INDEX products_name_key ON products (name_key, id);
CREATE INDEX products_category ON products (category, name_key, id);
