-- A narrow projection of cases for the ledger: one row per case and
-- nationality with the number of persons, kept up to date with every import
-- and every selection or arrival, so reports scan this and not every member.
CREATE TABLE ledger_facts (
    case_id UUID NOT NULL REFERENCES cases (id),
    nationality TEXT NOT NULL,
    programme TEXT NOT NULL,
    family_reunification BOOLEAN NOT NULL,
    selected_on DATE,
    arrived_on DATE,
    host_country TEXT NOT NULL,
    primary_category TEXT NOT NULL,
    priority TEXT NOT NULL,
    track TEXT NOT NULL,
    persons BIGINT NOT NULL,
    PRIMARY KEY (case_id, nationality)
);
INSERT INTO ledger_facts
SELECT c.id, m.nationality, c.programme, c.family_reunification_of IS NOT NULL, c.selected_on, c.arrived_on,
       c.host_country, c.primary_category, c.priority, c.track, COUNT(*)
FROM cases c JOIN members m ON m.case_id = c.id
GROUP BY c.id, m.nationality, c.programme, c.family_reunification_of, c.selected_on, c.arrived_on,
         c.host_country, c.primary_category, c.priority, c.track;
