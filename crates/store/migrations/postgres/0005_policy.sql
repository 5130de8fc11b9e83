-- Every version of the policy document (frameworks, quotas, EU programmes,
-- allocation plans), with who changed it, when and why.
CREATE TABLE policy_versions (
    version BIGINT PRIMARY KEY,
    document JSONB NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    reason TEXT NOT NULL
);
