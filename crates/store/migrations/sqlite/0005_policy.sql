-- Every version of the policy document (frameworks, quotas, EU programmes,
-- allocation plans), with who changed it, when and why.
CREATE TABLE policy_versions (
    version INTEGER PRIMARY KEY NOT NULL,
    document TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
