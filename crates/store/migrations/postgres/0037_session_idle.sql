-- When a page session was last used: it ends after a while without use
-- (NULL until the first use counted, then the session's start applies).
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
