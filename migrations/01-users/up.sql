-- Local users for standalone deployments (POST /api/auth/login, `crm user add`).
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,               -- argon2id PHC string
    permissions   TEXT NOT NULL DEFAULT '[]',  -- JSON array, e.g. ["crm:view","crm:edit"]
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX users_username ON users (username COLLATE NOCASE);
