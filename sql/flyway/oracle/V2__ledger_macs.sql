-- Tamper evidence: each ledger row carries an HMAC-SHA256 over its content and the previous row's MAC, chained per
-- node; the node row keeps the head of its chain, itself signed. Rows written before this version have none.
ALTER TABLE txn_interval ADD (prev_mac VARCHAR2(64), mac VARCHAR2(64));
ALTER TABLE txn_node ADD (last_mac VARCHAR2(64), node_mac VARCHAR2(64));
