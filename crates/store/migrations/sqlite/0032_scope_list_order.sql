-- Municipality officers, integration organisations and UNHCR liaisons list only
-- their own cases, compared case-insensitively: indexes on the lowered column
-- in list order serve that filter and the order together instead of scanning
-- every case.
CREATE INDEX cases_municipality_list_order ON cases (LOWER(housed_municipality), submitted_on DESC, case_number);
CREATE INDEX cases_guidance_list_order ON cases (LOWER(guidance_organisation), submitted_on DESC, case_number);
CREATE INDEX cases_submitter_list_order ON cases (LOWER(submitted_by_org), submitted_on DESC, case_number);
-- Indexes no query can use any more: the scope columns are only compared
-- lowered, and state, host country and submission day are the leading columns
-- of the list-order indexes. Each costs every import and every transition.
DROP INDEX cases_submitted_by_org;
DROP INDEX cases_housed_municipality;
DROP INDEX cases_guidance_organisation;
DROP INDEX cases_state;
DROP INDEX cases_host_country;
DROP INDEX cases_submitted_on;
