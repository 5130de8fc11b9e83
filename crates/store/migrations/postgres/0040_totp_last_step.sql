-- The time step of the last second-factor code used: a code works once.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
