-- The operational pipeline: selection missions and the dossier track, the
-- cases selected on them, country policy, interviews, profiles, orientation,
-- travel and holds on departures.
CREATE TABLE missions (
    id BLOB PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    host_country TEXT,
    starts_on TEXT NOT NULL,
    status TEXT NOT NULL,
    places INTEGER NOT NULL CHECK (places > 0),
    -- Places taken by accepted cases; raised only by a conditional update.
    places_used INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,
    -- The rest of the mission (name, dates, team, modality, populations, reason).
    document TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX missions_starts_on ON missions (starts_on);

-- Every change of a mission: who, when, what.
CREATE TABLE mission_events (
    mission_id BLOB NOT NULL REFERENCES missions (id),
    seq INTEGER NOT NULL,
    change TEXT NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (mission_id, seq)
);

-- A case is selected on one mission (or the dossier track).
CREATE TABLE mission_cases (
    case_id BLOB PRIMARY KEY NOT NULL REFERENCES cases (id),
    mission_id BLOB NOT NULL REFERENCES missions (id),
    -- Persons of the case counted against the mission's places once accepted.
    places_taken INTEGER NOT NULL DEFAULT 0,
    override_reason TEXT,
    linked_by TEXT NOT NULL,
    linked_at TEXT NOT NULL
);
CREATE INDEX mission_cases_mission ON mission_cases (mission_id);

CREATE TABLE policy_notes (
    id BLOB PRIMARY KEY NOT NULL,
    nationality TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    document TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE interviews (
    case_id BLOB NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    document TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE resettlement_profiles (
    case_id BLOB PRIMARY KEY NOT NULL REFERENCES cases (id),
    document TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE orientation_sessions (
    case_id BLOB NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    document TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE travel_plans (
    case_id BLOB PRIMARY KEY NOT NULL REFERENCES cases (id),
    document TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE holds (
    id BLOB PRIMARY KEY NOT NULL,
    mission_id BLOB REFERENCES missions (id),
    programme TEXT,
    starts_on TEXT NOT NULL,
    released_on TEXT,
    document TEXT NOT NULL,
    created_at TEXT NOT NULL
);
