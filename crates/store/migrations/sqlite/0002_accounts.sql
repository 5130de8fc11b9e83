-- Personal accounts, their sessions and API tokens; special-category data
-- (encrypted) and consent per case; the columns that scope cases to organisations.
CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation TEXT,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

ALTER TABLE cases ADD COLUMN submitted_by_org TEXT;
ALTER TABLE cases ADD COLUMN housed_municipality TEXT;
ALTER TABLE cases ADD COLUMN guidance_organisation TEXT;
CREATE INDEX cases_submitted_by_org ON cases (submitted_by_org);
CREATE INDEX cases_housed_municipality ON cases (housed_municipality);
CREATE INDEX cases_guidance_organisation ON cases (guidance_organisation);

CREATE TABLE sensitive_data (
    case_id BLOB NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    member_position INTEGER,
    category TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE consents (
    case_id BLOB NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    recipient TEXT,
    given_on TEXT NOT NULL,
    override_reason TEXT,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
