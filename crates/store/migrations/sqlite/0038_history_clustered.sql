-- A case's history is always read whole, in order (the case page, the API,
-- the audit of a case). Stored WITHOUT ROWID, the table is its primary key's
-- B-tree, so the entries of one case lie together and are read in one range
-- scan, instead of one lookup in the key's index and one in the table per entry.
CREATE TABLE case_transitions_clustered (
    case_id BLOB NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    action TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    previous_version INTEGER NOT NULL,
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;

INSERT INTO case_transitions_clustered
    SELECT case_id, seq, from_state, to_state, action, occurred_on, recorded_at, actor, reason, previous_version
    FROM case_transitions;

DROP TABLE case_transitions;

ALTER TABLE case_transitions_clustered RENAME TO case_transitions;
