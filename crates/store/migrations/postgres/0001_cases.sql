-- Cases as UNHCR submitted them, their members and their full history.
CREATE TABLE cases (
    id UUID PRIMARY KEY,
    case_number TEXT NOT NULL UNIQUE,
    unhcr_reference TEXT NOT NULL,
    host_country TEXT NOT NULL,
    priority TEXT NOT NULL,
    primary_category TEXT NOT NULL,
    secondary_category TEXT,
    programme TEXT NOT NULL,
    track TEXT NOT NULL,
    family_reunification_of TEXT,
    linked_cases JSONB NOT NULL,
    submitted_on DATE NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    last_event_on DATE NOT NULL,
    selected_on DATE,
    departed_on DATE,
    arrived_on DATE,
    permit JSONB,
    housing JSONB,
    guidance JSONB,
    closed_on DATE,
    persons BIGINT NOT NULL
);
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_host_country ON cases (host_country);
CREATE INDEX cases_submitted_on ON cases (submitted_on);
CREATE INDEX cases_arrived_on ON cases (arrived_on);

CREATE TABLE members (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases (id),
    position BIGINT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth DATE NOT NULL,
    sex TEXT NOT NULL,
    nationality TEXT NOT NULL,
    relationship TEXT NOT NULL,
    documents JSONB NOT NULL,
    UNIQUE (case_id, position)
);

CREATE TABLE case_transitions (
    case_id UUID NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    action JSONB NOT NULL,
    occurred_on DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    previous_version BIGINT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
