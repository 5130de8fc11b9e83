-- An account whose password an administrator reset must choose its own at
-- the next login before it can use any page.
ALTER TABLE users ADD COLUMN password_must_change BOOLEAN NOT NULL DEFAULT FALSE;
