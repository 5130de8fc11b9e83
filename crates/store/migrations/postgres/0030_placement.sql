-- Municipalities that house resettled families: their room for the current
-- half-year (the housing task, large dwellings, school places) and the
-- features the placement model reads. And the housing assignments COA
-- confirmed, with the room each family takes.
CREATE TABLE municipalities (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    partner BOOLEAN NOT NULL,
    persons BIGINT NOT NULL CHECK (persons >= 0),
    large_dwellings BIGINT NOT NULL CHECK (large_dwellings >= 0),
    school_places BIGINT NOT NULL CHECK (school_places >= 0),
    features JSONB NOT NULL
);

CREATE TABLE housing_assignments (
    case_id UUID PRIMARY KEY REFERENCES cases (id),
    municipality TEXT NOT NULL REFERENCES municipalities (code),
    persons BIGINT NOT NULL,
    large_dwellings BIGINT NOT NULL,
    school_places BIGINT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX housing_assignments_municipality ON housing_assignments (municipality);
