-- Personal accounts, their sessions and API tokens; special-category data
-- (encrypted) and consent per case; the columns that scope cases to organisations.
CREATE TABLE users (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation TEXT,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TIMESTAMPTZ
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

ALTER TABLE cases ADD COLUMN submitted_by_org TEXT;
ALTER TABLE cases ADD COLUMN housed_municipality TEXT;
ALTER TABLE cases ADD COLUMN guidance_organisation TEXT;
CREATE INDEX cases_submitted_by_org ON cases (submitted_by_org);
CREATE INDEX cases_housed_municipality ON cases (housed_municipality);
CREATE INDEX cases_guidance_organisation ON cases (guidance_organisation);

CREATE TABLE sensitive_data (
    case_id UUID NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    member_position BIGINT,
    category TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE consents (
    case_id UUID NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    recipient TEXT,
    given_on DATE NOT NULL,
    override_reason TEXT,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
