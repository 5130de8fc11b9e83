-- When each account last logged in: the access review finds dormant accounts.
ALTER TABLE users ADD COLUMN last_login_at TEXT;
