-- The identity of every data key that has encrypted something here: its
-- label (stored beside each ciphertext) and its fingerprint (a hash that
-- names the key without revealing it). A start with a missing or different
-- key is refused instead of writing new data under a new key.
CREATE TABLE data_keys (
    label TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    recorded_at TIMESTAMPTZ NOT NULL
);
