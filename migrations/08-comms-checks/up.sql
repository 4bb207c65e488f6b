-- The type and direction CHECKs of comms_entries as chains of `=`, the same rule as before.
--
-- SQLite evaluates `x IN ('a', 'b', 'c')` with more than two values by building a temporary
-- b-tree of the list, and a CHECK is evaluated at every insert: two such b-trees were built
-- and freed for every entry, ~10 % of an ingest's CPU. A chain of `=` is a few comparisons.
--
-- The constraint means the same, so no stored row can fail it, and the table is not rebuilt
-- (a rebuild would fire the ON DELETE CASCADE of the queues that reference it). The schema
-- text is edited in place, the procedure SQLite documents for changing CHECK constraints
-- (https://www.sqlite.org/lang_altertable.html, "making other kinds of table schema
-- changes"); creating and dropping a table then bumps the schema cookie, so every
-- connection reloads the schema.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(
        replace(
            sql,
            'type IN (''email'', ''whatsapp'', ''call'', ''sms'', ''note'', ''in_person'')',
            'type = ''email'' OR type = ''whatsapp'' OR type = ''call'' OR type = ''sms''
               OR type = ''note'' OR type = ''in_person'''
        ),
        'direction IN (''inbound'', ''outbound'', ''internal'')',
        'direction = ''inbound'' OR direction = ''outbound'' OR direction = ''internal'''
    )
WHERE type = 'table' AND name = 'comms_entries';
PRAGMA writable_schema = OFF;
CREATE TABLE comms_schema_bump (x);
DROP TABLE comms_schema_bump;
