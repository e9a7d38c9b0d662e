-- Tamper evidence: each ledger row carries an HMAC-SHA256 over its content and the previous row's MAC, chained per
-- node; the node row keeps the head of its chain, itself signed. Rows written before this version have none.
ALTER TABLE txn_interval ADD prev_mac VARCHAR(64);
ALTER TABLE txn_interval ADD mac VARCHAR(64);
ALTER TABLE txn_node ADD last_mac VARCHAR(64);
ALTER TABLE txn_node ADD node_mac VARCHAR(64);
