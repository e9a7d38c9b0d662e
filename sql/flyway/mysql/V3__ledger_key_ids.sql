-- Ledger keys rotate: each ledger row and each node head records the id of the ledger key that signed its MAC, so
-- that verify checks every row with the key that signed it. Rows written before this version have none: they were
-- signed with [ledger] key or, without one, with the key derived from the stamp secret.
ALTER TABLE txn_interval ADD COLUMN key_id VARCHAR(64);
ALTER TABLE txn_node ADD COLUMN key_id VARCHAR(64);
