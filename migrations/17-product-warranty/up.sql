-- How long a product is under warranty, in months from delivery (crate crm-products). A
-- delivered order's serials become the customer's owned items with their warranty end.
ALTER TABLE products ADD COLUMN warranty_months INTEGER NOT NULL DEFAULT 24
    CHECK (warranty_months BETWEEN 0 AND 240);
