-- When a closed case's personal data was pseudonymised after its retention period.
ALTER TABLE cases ADD COLUMN pseudonymised_at TEXT;
