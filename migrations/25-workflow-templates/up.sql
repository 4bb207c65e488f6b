-- Workflow automation, second step: cron schedules and the ready-made workflows.
--
-- A schedule is now either a period (`every_minutes`) or a 5-field `cron` read in `timezone`
-- (NULL: Europe/Athens); `next_fire_at` is its next run while enabled, whichever it is.
-- `template` is the slug of a ready-made workflow the CRM installed (NULL for the office's
-- own): each is installed once, so a template deleted or edited by the office is not put back
-- beside it. SQLite cannot add a UNIQUE column, so a partial unique index keeps it unique.
ALTER TABLE workflows ADD COLUMN cron TEXT;
ALTER TABLE workflows ADD COLUMN timezone TEXT;
ALTER TABLE workflows ADD COLUMN template TEXT;
CREATE UNIQUE INDEX workflows_template ON workflows (template) WHERE template IS NOT NULL;

-- The CHECKs of 23-workflows that name `every_minutes` alone, widened to a cron. Only
-- widened, so no stored row can fail them, and the table is not rebuilt (its versions and
-- runs reference it). The schema text is edited in place, as SQLite documents for changing a
-- CHECK (https://www.sqlite.org/lang_altertable.html, "making other kinds of table schema
-- changes") and as 08-comms-checks does; creating and dropping a table then bumps the schema
-- cookie, so every connection reloads the schema.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(
        replace(
            sql,
            'CHECK (event IS NULL OR every_minutes IS NULL)',
            'CHECK (event IS NULL OR (every_minutes IS NULL AND cron IS NULL)),
    CHECK (every_minutes IS NULL OR cron IS NULL),
    CHECK (timezone IS NULL OR cron IS NOT NULL)'
        ),
        'CHECK (next_fire_at IS NULL OR (every_minutes IS NOT NULL AND enabled = 1))',
        'CHECK (next_fire_at IS NULL OR ((every_minutes IS NOT NULL OR cron IS NOT NULL) AND enabled = 1))'
    )
WHERE type = 'table' AND name = 'workflows';
PRAGMA writable_schema = OFF;
CREATE TABLE workflows_schema_bump (x);
DROP TABLE workflows_schema_bump;
