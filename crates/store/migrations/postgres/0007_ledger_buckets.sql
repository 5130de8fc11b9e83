-- Persons per bucket of the policy in force: what the reports read. Kept in
-- step with every import and transition, rebuilt when the policy changes.
-- A missing date is stored as 0001-01-01, so the key has no NULLs.
CREATE TABLE ledger_buckets (
    programme TEXT NOT NULL,
    family_reunification BOOLEAN NOT NULL,
    selected_bucket DATE NOT NULL,
    arrived_bucket DATE NOT NULL,
    host_country TEXT NOT NULL,
    nationality TEXT NOT NULL,
    primary_category TEXT NOT NULL,
    priority TEXT NOT NULL,
    track TEXT NOT NULL,
    persons BIGINT NOT NULL,
    PRIMARY KEY (programme, family_reunification, selected_bucket, arrived_bucket, host_country, nationality,
                 primary_category, priority, track)
);
