-- One index per customer for every listing, instead of two.
--
-- 05 gave comms_entries a (customer, time) index and a (customer, type, time) index, so that a
-- rare type of a big customer is found without walking the others. Every entry paid for the
-- second one: it spreads each group of new entries over six times as many leaves, and it was
-- the most expensive part of ingestion (one live batch: 17 µs and 2.6 KiB of WAL per entry of
-- 59 µs and 8.2 KiB; single entries, as over HTTP: +20–29 % entries/s without it, measured
-- with `cargo bench -p crm-comms --bench ingest`).
--
-- Type and direction now ride at the end of the customer index, so a filtered list walks the
-- customer's entries newest first and skips the others inside the index, without reading a
-- row it does not return. A filter that matches nothing is answered from comms_counts
-- without walking at all (crm-comms' store).
DROP INDEX comms_entries_customer_type;
DROP INDEX comms_entries_customer;
CREATE INDEX comms_entries_customer
    ON comms_entries (customer_id, occurred_at DESC, id DESC, type, direction);
