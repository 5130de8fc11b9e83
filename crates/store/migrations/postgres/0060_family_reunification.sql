-- Family reunification (nareis): the relatives a family leaves behind,
-- recorded at selection, and the applications of resettled refugees
-- (sponsors) for their relatives, with every change in their history.
CREATE TABLE relatives_left_behind (
    case_id UUID PRIMARY KEY REFERENCES cases (id),
    -- The list of relatives (name, relationship, whereabouts, why they stay,
    -- whether they are expected to apply).
    document JSONB NOT NULL,
    version BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE reunification_applications (
    id UUID PRIMARY KEY,
    sponsor_case_id UUID NOT NULL REFERENCES cases (id),
    applied_on DATE NOT NULL,
    -- Whether a relative still waits for the IND's decision.
    pending BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    -- The relatives with their status, evidence, decision, travel and arrival.
    document JSONB NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reunification_applications_sponsor ON reunification_applications (sponsor_case_id);
CREATE INDEX reunification_applications_order ON reunification_applications (applied_on, id);

CREATE TABLE reunification_events (
    application_id UUID NOT NULL REFERENCES reunification_applications (id),
    seq BIGINT NOT NULL,
    change JSONB NOT NULL,
    occurred_on DATE NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, seq)
);
