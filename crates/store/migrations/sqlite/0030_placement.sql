-- Municipalities that house resettled families: their room for the current
-- half-year (the housing task, large dwellings, school places) and the
-- features the placement model reads. And the housing assignments COA
-- confirmed, with the room each family takes.
CREATE TABLE municipalities (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    partner INTEGER NOT NULL,
    persons INTEGER NOT NULL CHECK (persons >= 0),
    large_dwellings INTEGER NOT NULL CHECK (large_dwellings >= 0),
    school_places INTEGER NOT NULL CHECK (school_places >= 0),
    features TEXT NOT NULL
);

CREATE TABLE housing_assignments (
    case_id BLOB PRIMARY KEY NOT NULL REFERENCES cases (id),
    municipality TEXT NOT NULL REFERENCES municipalities (code),
    persons INTEGER NOT NULL,
    large_dwellings INTEGER NOT NULL,
    school_places INTEGER NOT NULL,
    score REAL NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL
);
CREATE INDEX housing_assignments_municipality ON housing_assignments (municipality);
