-- The audit trail (BIO2): who did what to which object, with which result and
-- from where. Append-only and hash-chained: every entry carries the SHA-256 of
-- its content and of the entry before it (resettle_domain::audit::chain_hash),
-- so edits, deletions and reordering are found by `resettle audit verify`.
-- Holds actions and object identifiers only: no secrets, no personal or
-- special-category values.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    result TEXT NOT NULL,
    origin TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
-- Searches filter on these and list newest first (by seq).
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_result ON audit_log (result, seq);
CREATE INDEX audit_log_at ON audit_log (at);
-- `object` is searched by substring, which no B-tree index serves.

-- The application only ever appends. These triggers stop accidental or
-- casual changes; someone who disables them is still caught by the hash chain.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
