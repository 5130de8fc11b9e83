-- A role's own cases in one state (the municipality's incoming families, the
-- liaison's submissions per state, the integration organisation's families
-- to guide): with scope and state in one index, the capped count and the page
-- are ranges of it. With only the scope's index, each such list read every
-- case of the scope to test its state: 22 s for the liaison's worklist and
-- 1.3 s for a municipality's at 1 M cases (bench/RESULTS.md, session 21).
CREATE INDEX cases_submitter_state_list_order ON cases (LOWER(submitted_by_org), state, submitted_on DESC, case_number);
CREATE INDEX cases_municipality_state_list_order ON cases (LOWER(housed_municipality), state, submitted_on DESC, case_number);
CREATE INDEX cases_guidance_state_list_order ON cases (LOWER(guidance_organisation), state, submitted_on DESC, case_number);
