-- Orders move the stock of the products they sell (crate crm-orders, module stock).
--
-- `stock_state` is what the order holds: 'none', 'reserved' (confirmed, in production) or
-- 'consumed' (shipped, delivered). The products' `stock_reserved` and `stock_on_hand` change
-- in the same transaction as the order's status. Orders from before this moved no stock, so
-- they hold none: their next status change moves only what that change adds.
ALTER TABLE orders ADD COLUMN stock_state TEXT NOT NULL DEFAULT 'none'
    CHECK (stock_state IN ('none', 'reserved', 'consumed'));
