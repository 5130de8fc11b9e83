-- A confirmed placement is a transition of the case: the municipality COA
-- assigned the family to is kept on the case until the assignment is undone.
-- housed_municipality, which scopes what a municipality officer sees, holds
-- from now on the municipality responsible for the family: where it is
-- housed, or else the one it is assigned to.
ALTER TABLE cases ADD COLUMN assigned_municipality TEXT;

-- Assignments confirmed before this change become visible to their municipality.
UPDATE cases SET assigned_municipality = (
    SELECT m.name FROM housing_assignments a JOIN municipalities m ON m.code = a.municipality
    WHERE a.case_id = cases.id
) WHERE id IN (SELECT case_id FROM housing_assignments);
UPDATE cases SET housed_municipality = assigned_municipality
WHERE housed_municipality IS NULL AND assigned_municipality IS NOT NULL;
