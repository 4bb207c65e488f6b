-- Accounts that can be disabled, and the generation every token issued to a user carries:
-- changing a password or disabling the account moves it on, which ends the tokens issued
-- before. Users of migration 01 start at generation 0, which is what a token without a
-- `gen` claim counts as, so their tokens issued before this migration keep working.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
