-- The heaviest list filter, state and host country together (an officer's
-- "arrived from Egypt"): with both in one index, the capped count and the page
-- are ranges of this index, instead of a walk along one filter's index that
-- reads every row to test the other (bench/RESULTS.md, session 15).
CREATE INDEX cases_state_host_list_order ON cases (state, host_country, submitted_on DESC, case_number);
