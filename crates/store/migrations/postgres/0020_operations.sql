-- The operational pipeline: selection missions and the dossier track, the
-- cases selected on them, country policy, interviews, profiles, orientation,
-- travel and holds on departures.
CREATE TABLE missions (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    host_country TEXT,
    starts_on DATE NOT NULL,
    status TEXT NOT NULL,
    places BIGINT NOT NULL CHECK (places > 0),
    -- Places taken by accepted cases; raised only by a conditional update.
    places_used BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    -- The rest of the mission (name, dates, team, modality, populations, reason).
    document JSONB NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX missions_starts_on ON missions (starts_on);

-- Every change of a mission: who, when, what.
CREATE TABLE mission_events (
    mission_id UUID NOT NULL REFERENCES missions (id),
    seq BIGINT NOT NULL,
    change JSONB NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (mission_id, seq)
);

-- A case is selected on one mission (or the dossier track).
CREATE TABLE mission_cases (
    case_id UUID PRIMARY KEY REFERENCES cases (id),
    mission_id UUID NOT NULL REFERENCES missions (id),
    -- Persons of the case counted against the mission's places once accepted.
    places_taken BIGINT NOT NULL DEFAULT 0,
    override_reason TEXT,
    linked_by TEXT NOT NULL,
    linked_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX mission_cases_mission ON mission_cases (mission_id);

CREATE TABLE policy_notes (
    id UUID PRIMARY KEY,
    nationality TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE,
    document JSONB NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE interviews (
    case_id UUID NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    document JSONB NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE resettlement_profiles (
    case_id UUID PRIMARY KEY REFERENCES cases (id),
    document JSONB NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE orientation_sessions (
    case_id UUID NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    document JSONB NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE travel_plans (
    case_id UUID PRIMARY KEY REFERENCES cases (id),
    document JSONB NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE holds (
    id UUID PRIMARY KEY,
    mission_id UUID REFERENCES missions (id),
    programme TEXT,
    starts_on DATE NOT NULL,
    released_on DATE,
    document JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
