-- What the mail ledger keeps when the server changes under it (crate crm-comms, module `mail`).
--
-- `mail_expunged`: messages the CRM holds whose copy is no longer in the folder on the
-- server (deleted there, or moved away), as a resync after a UIDVALIDITY change or a
-- reconciliation found them, with the last place they had. `GET /api/crm/email/status` counts
-- them in `stored` and shows them as `expunged`. A message that comes back leaves the table.
--
-- `mail_messages` holds the messages on the server at their current place: the rows of an
-- old UIDVALIDITY are pruned by the next resync or reconciliation of their folder (a message
-- found again has its row under the new UIDVALIDITY; one not found moves here).
CREATE TABLE mail_expunged (
    account     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    message_key TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    expunged_at TEXT NOT NULL,
    PRIMARY KEY (account, folder, message_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX mail_expunged_key ON mail_expunged (account, message_key);
