-- Orders (crate crm-orders).
--
-- An order belongs to a customer (`customer_id REFERENCES customers(id)`, no cascade: deleting a
-- customer who has orders fails with a FOREIGN KEY error, which crm-customers reports as "in
-- use"). Its lines live in `order_items`, whose `product_id REFERENCES products(id)` (no
-- cascade either: a product that an order line refers to cannot be deleted). Status changes are
-- appended to `order_status_history`, which cannot be edited.

-- Order numbers: one counter per calendar year, bumped inside the same write that inserts the
-- order, so numbers are gapless and unique; the UNIQUE indexes on `orders` back that up.
CREATE TABLE order_counters (
    year     INTEGER PRIMARY KEY NOT NULL,
    last_seq INTEGER NOT NULL CHECK (last_seq >= 1)
) STRICT;

CREATE TABLE orders (
    id              TEXT PRIMARY KEY NOT NULL,              -- UUID v4
    order_number    TEXT NOT NULL,                          -- ORD-<year>-<seq, at least 3 digits>
    order_year      INTEGER NOT NULL,
    order_seq       INTEGER NOT NULL CHECK (order_seq >= 1),
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    status          TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'confirmed', 'in_production', 'shipped', 'delivered', 'cancelled')),
    subtotal        TEXT NOT NULL,                          -- exact decimal, Σ quantity × unit_price
    discount_type   TEXT CHECK (discount_type IN ('percentage', 'fixed')),
    discount_value  TEXT,                                   -- exact decimal
    discount_reason TEXT,
    total_price     TEXT NOT NULL,                          -- exact decimal, rounded to cents
    currency        TEXT NOT NULL DEFAULT 'EUR',            -- ISO 4217
    shipping        TEXT NOT NULL DEFAULT '{}',             -- JSON {method, tracking_number, carrier, shipped_at, delivered_at, destination}
    payment_status  TEXT NOT NULL DEFAULT 'pending'
        CHECK (payment_status IN ('pending', 'partial', 'paid', 'refunded')),
    invoice_path    TEXT,
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    CHECK ((discount_type IS NULL) = (discount_value IS NULL))
) STRICT;
CREATE UNIQUE INDEX orders_order_number ON orders (order_number);
CREATE UNIQUE INDEX orders_year_seq ON orders (order_year, order_seq);
-- list order: newest first, then the higher number first
CREATE INDEX orders_newest ON orders (created_at DESC, order_year DESC, order_seq DESC);
CREATE INDEX orders_customer ON orders (customer_id, created_at DESC, order_year DESC, order_seq DESC);
CREATE INDEX orders_status ON orders (status, created_at DESC, order_year DESC, order_seq DESC);
CREATE INDEX orders_payment_status ON orders (payment_status, created_at DESC, order_year DESC, order_seq DESC);

-- The lines of an order, in the order given.
CREATE TABLE order_items (
    order_id       TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position >= 0),
    type           TEXT NOT NULL CHECK (type IN ('product', 'service', 'freetext')),
    product_id     TEXT REFERENCES products (id),
    product_name   TEXT,
    description    TEXT,
    quantity       TEXT NOT NULL,                           -- exact decimal > 0
    unit_price     TEXT NOT NULL,                           -- exact decimal >= 0
    serial_numbers TEXT NOT NULL DEFAULT '[]',              -- JSON array of strings
    PRIMARY KEY (order_id, position)
) STRICT;
-- also what SQLite scans when a product is deleted
CREATE INDEX order_items_product ON order_items (product_id);

-- Every status an order took, including the first. Append-only: rows can be neither changed nor
-- deleted, except together with their order.
CREATE TABLE order_status_history (
    id          INTEGER PRIMARY KEY,                        -- append order
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status TEXT
        CHECK (from_status IN ('draft', 'confirmed', 'in_production', 'shipped', 'delivered', 'cancelled')),
    to_status   TEXT NOT NULL
        CHECK (to_status IN ('draft', 'confirmed', 'in_production', 'shipped', 'delivered', 'cancelled')),
    at          TEXT NOT NULL,
    "by"        TEXT                                        -- who made the change, when known
) STRICT;
CREATE INDEX order_status_history_order ON order_status_history (order_id, id);
CREATE TRIGGER order_status_history_no_update BEFORE UPDATE ON order_status_history
BEGIN
    SELECT RAISE(ABORT, 'order_status_history is append-only');
END;
CREATE TRIGGER order_status_history_no_delete BEFORE DELETE ON order_status_history
WHEN EXISTS (SELECT 1 FROM orders WHERE id = OLD.order_id)
BEGIN
    SELECT RAISE(ABORT, 'order_status_history is append-only');
END;
