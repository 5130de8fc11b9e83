-- Cases as UNHCR submitted them, their members and their full history.
CREATE TABLE cases (
    id BLOB PRIMARY KEY NOT NULL,
    case_number TEXT NOT NULL UNIQUE,
    unhcr_reference TEXT NOT NULL,
    host_country TEXT NOT NULL,
    priority TEXT NOT NULL,
    primary_category TEXT NOT NULL,
    secondary_category TEXT,
    programme TEXT NOT NULL,
    track TEXT NOT NULL,
    family_reunification_of TEXT,
    linked_cases TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_event_on TEXT NOT NULL,
    selected_on TEXT,
    departed_on TEXT,
    arrived_on TEXT,
    permit TEXT,
    housing TEXT,
    guidance TEXT,
    closed_on TEXT,
    persons INTEGER NOT NULL
);
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_host_country ON cases (host_country);
CREATE INDEX cases_submitted_on ON cases (submitted_on);
CREATE INDEX cases_arrived_on ON cases (arrived_on);

CREATE TABLE members (
    id BLOB PRIMARY KEY NOT NULL,
    case_id BLOB NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    sex TEXT NOT NULL,
    nationality TEXT NOT NULL,
    relationship TEXT NOT NULL,
    documents TEXT NOT NULL,
    UNIQUE (case_id, position)
);

CREATE TABLE case_transitions (
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
);
