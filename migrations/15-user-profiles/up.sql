-- A user's profile, set by an administrator (`/api/admin/users`) or `crm user set-extension`:
-- the name shown in the console, the PBX extension click-to-call rings first (2 to 10
-- digits), and the signature put under the e-mails the user writes. All optional.
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN extension TEXT;
ALTER TABLE users ADD COLUMN signature TEXT;
