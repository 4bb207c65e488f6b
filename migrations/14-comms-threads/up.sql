-- The console's thread view and missed-calls list (crate crm-comms).
--
-- An e-mail entry's conversation is the e-mail entries whose `meta.thread` is the same (the
-- first Message-ID of the thread, set by the mail channel); missed calls are call entries
-- whose `meta.missed` is 1, across all customers and the inbox. Both are read by these
-- expression indexes, whose expressions the queries repeat exactly.
CREATE INDEX comms_entries_email_thread
    ON comms_entries (json_extract(meta, '$.thread'), occurred_at, id)
    WHERE type = 'email';

CREATE INDEX comms_entries_missed_calls
    ON comms_entries (occurred_at DESC, id DESC)
    WHERE type = 'call' AND json_extract(meta, '$.missed') = 1;
