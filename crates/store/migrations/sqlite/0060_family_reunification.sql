-- Family reunification (nareis): the relatives a family leaves behind,
-- recorded at selection, and the applications of resettled refugees
-- (sponsors) for their relatives, with every change in their history.
CREATE TABLE relatives_left_behind (
    case_id BLOB PRIMARY KEY NOT NULL REFERENCES cases (id),
    -- The list of relatives (name, relationship, whereabouts, why they stay,
    -- whether they are expected to apply).
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE reunification_applications (
    id BLOB PRIMARY KEY NOT NULL,
    sponsor_case_id BLOB NOT NULL REFERENCES cases (id),
    applied_on TEXT NOT NULL,
    -- Whether a relative still waits for the IND's decision.
    pending INTEGER NOT NULL,
    version INTEGER NOT NULL,
    -- The relatives with their status, evidence, decision, travel and arrival.
    document TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX reunification_applications_sponsor ON reunification_applications (sponsor_case_id);
CREATE INDEX reunification_applications_order ON reunification_applications (applied_on, id);

CREATE TABLE reunification_events (
    application_id BLOB NOT NULL REFERENCES reunification_applications (id),
    seq INTEGER NOT NULL,
    change TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (application_id, seq)
);
