-- E-mail sync state (crate crm-comms, module `mail`; written by the gateway's mail wiring).
--
-- `mail_folders`: where each account's folder stands. `uidvalidity` + `last_uid` is the
-- checkpoint (everything up to `last_uid` is stored); the rest is what
-- `GET /api/crm/email/status` shows: the last sync and its error, the last verification and
-- the gaps it found and repaired.
CREATE TABLE mail_folders (
    account        TEXT NOT NULL,
    folder         TEXT NOT NULL,
    uidvalidity    INTEGER,
    last_uid       INTEGER NOT NULL DEFAULT 0,
    on_server      INTEGER,
    last_sync_at   TEXT,
    last_error     TEXT,
    last_error_at  TEXT,
    verified_at    TEXT,
    gaps_found     INTEGER NOT NULL DEFAULT 0,
    gaps_repaired  INTEGER NOT NULL DEFAULT 0,
    gaps_failed    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, folder)
) STRICT, WITHOUT ROWID;

-- Every server message the CRM holds, by its place on the server and by its key (the
-- Message-ID, or a digest of the bytes when it has none). The reconciliation pass compares
-- the server's list against this; the sync skips a message whose key is already here.
CREATE TABLE mail_messages (
    account     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    message_key TEXT NOT NULL,
    PRIMARY KEY (account, folder, uidvalidity, uid)
) STRICT, WITHOUT ROWID;
CREATE INDEX mail_messages_key ON mail_messages (account, message_key);
