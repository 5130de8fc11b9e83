-- The relatives of a case (cases for family reunification with it), read on
-- every case page: without an index each page load read the whole cases
-- table. Partial: most cases are no reunification, and the column never
-- changes after import, so transitions do not maintain it.
CREATE INDEX cases_family_reunification_of ON cases (family_reunification_of)
    WHERE family_reunification_of IS NOT NULL;
