-- VAT (ΦΠΑ) on products and order lines (crates crm-products, crm-orders).
--
-- A product carries the rate its order lines get by default; a line carries its own rate and,
-- at 0 %, the reason it is exempt. An order says whether its unit prices include VAT. Every
-- amount that follows from these (line net and VAT, the breakdown per rate, the totals) is
-- computed by crm_orders::pricing whenever an order is read or written, never stored apart
-- from the two totals the table already had.
--
-- Orders from before VAT: their lines become 24 % and their prices VAT-inclusive, so that what
-- the customer pays stays what it was (up to the rounding of each line to cents, which the
-- totals now follow).
ALTER TABLE products ADD COLUMN vat_rate INTEGER NOT NULL DEFAULT 24
    CHECK (vat_rate IN (24, 13, 6, 0));

ALTER TABLE order_items ADD COLUMN vat_rate INTEGER NOT NULL DEFAULT 24
    CHECK (vat_rate IN (24, 13, 6, 0));
ALTER TABLE order_items ADD COLUMN vat_exemption TEXT
    CHECK ((vat_exemption IS NOT NULL) = (vat_rate = 0));

ALTER TABLE orders ADD COLUMN prices_include_vat INTEGER NOT NULL DEFAULT 0
    CHECK (prices_include_vat IN (0, 1));
UPDATE orders SET prices_include_vat = 1;
