-- Transaction counter schema for oracle, to apply by hand as the schema owner.
-- Generated from sql/flyway/oracle by sql/scripts/regenerate.sh; do not edit.
-- Prefer 'java -jar txcounter.jar migrate', which also records the schema version.
-- Then grant the runtime account SELECT, INSERT and UPDATE: see grant-runtime-user.sql.

-- ---- V1__interval_ledger.sql ----
-- The interval ledger, the monthly rollup that reports read, and each node's write position (Oracle).
-- Times are UTC. Counts are NUMBER(19), 64-bit: a busy deployment passes 2^31 transactions in a month.

CREATE TABLE txn_node (
    node_id           VARCHAR2(64) NOT NULL,
    registered_at     TIMESTAMP(3) NOT NULL,
    last_seq          NUMBER(19)   NOT NULL,
    last_interval_end TIMESTAMP(3),
    last_flush_at     TIMESTAMP(3),
    CONSTRAINT pk_txn_node PRIMARY KEY (node_id),
    CONSTRAINT ck_txn_node_seq CHECK (last_seq >= 0)
);

CREATE TABLE txn_interval (
    node_id        VARCHAR2(64) NOT NULL,
    seq            NUMBER(19)   NOT NULL,
    transport      VARCHAR2(16) NOT NULL,
    interval_start TIMESTAMP(3) NOT NULL,
    interval_end   TIMESTAMP(3) NOT NULL,
    billing_period NUMBER(10)   NOT NULL,
    txn_count      NUMBER(19)   NOT NULL,
    written_at     TIMESTAMP(3) NOT NULL,
    CONSTRAINT pk_txn_interval PRIMARY KEY (node_id, seq, transport),
    CONSTRAINT fk_txn_interval_node FOREIGN KEY (node_id) REFERENCES txn_node (node_id),
    CONSTRAINT ck_txn_interval_count CHECK (txn_count > 0),
    CONSTRAINT ck_txn_interval_bounds CHECK (interval_end > interval_start)
);

CREATE INDEX ix_txn_interval_period ON txn_interval (billing_period, node_id);

CREATE TABLE txn_monthly (
    billing_period NUMBER(10)   NOT NULL,
    node_id        VARCHAR2(64) NOT NULL,
    transport      VARCHAR2(16) NOT NULL,
    txn_count      NUMBER(19)   NOT NULL,
    updated_at     TIMESTAMP(3) NOT NULL,
    CONSTRAINT pk_txn_monthly PRIMARY KEY (billing_period, node_id, transport),
    CONSTRAINT ck_txn_monthly_count CHECK (txn_count >= 0)
);

-- ---- V2__ledger_macs.sql ----
-- Tamper evidence: each ledger row carries an HMAC-SHA256 over its content and the previous row's MAC, chained per
-- node; the node row keeps the head of its chain, itself signed. Rows written before this version have none.
ALTER TABLE txn_interval ADD (prev_mac VARCHAR2(64), mac VARCHAR2(64));
ALTER TABLE txn_node ADD (last_mac VARCHAR2(64), node_mac VARCHAR2(64));

-- ---- V3__ledger_key_ids.sql ----
-- Ledger keys rotate: each ledger row and each node head records the id of the ledger key that signed its MAC, so
-- that verify checks every row with the key that signed it. Rows written before this version have none: they were
-- signed with [ledger] key or, without one, with the key derived from the stamp secret.
ALTER TABLE txn_interval ADD (key_id VARCHAR2(64));
ALTER TABLE txn_node ADD (key_id VARCHAR2(64));
