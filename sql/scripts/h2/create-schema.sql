-- Transaction counter schema for h2, to apply by hand as the schema owner.
-- Generated from sql/flyway/h2 by sql/scripts/regenerate.sh; do not edit.
-- Prefer 'java -jar txcounter.jar migrate', which also records the schema version.
-- Then grant the runtime account SELECT, INSERT and UPDATE: see grant-runtime-user.sql.

-- ---- V1__interval_ledger.sql ----
-- The interval ledger, the monthly rollup that reports read, and each node's write position (H2).
-- Times are UTC. Counts are BIGINT: a busy deployment passes 2^31 transactions in a month.

CREATE TABLE txn_node (
    node_id           VARCHAR(64)  NOT NULL,
    registered_at     TIMESTAMP(3) NOT NULL,
    last_seq          BIGINT       NOT NULL,
    last_interval_end TIMESTAMP(3),
    last_flush_at     TIMESTAMP(3),
    CONSTRAINT pk_txn_node PRIMARY KEY (node_id),
    CONSTRAINT ck_txn_node_seq CHECK (last_seq >= 0)
);

CREATE TABLE txn_interval (
    node_id        VARCHAR(64)  NOT NULL,
    seq            BIGINT       NOT NULL,
    transport      VARCHAR(16)  NOT NULL,
    interval_start TIMESTAMP(3) NOT NULL,
    interval_end   TIMESTAMP(3) NOT NULL,
    billing_period INTEGER      NOT NULL,
    txn_count      BIGINT       NOT NULL,
    written_at     TIMESTAMP(3) NOT NULL,
    CONSTRAINT pk_txn_interval PRIMARY KEY (node_id, seq, transport),
    CONSTRAINT fk_txn_interval_node FOREIGN KEY (node_id) REFERENCES txn_node (node_id),
    CONSTRAINT ck_txn_interval_count CHECK (txn_count > 0),
    CONSTRAINT ck_txn_interval_bounds CHECK (interval_end > interval_start)
);

CREATE INDEX ix_txn_interval_period ON txn_interval (billing_period, node_id);

CREATE TABLE txn_monthly (
    billing_period INTEGER      NOT NULL,
    node_id        VARCHAR(64)  NOT NULL,
    transport      VARCHAR(16)  NOT NULL,
    txn_count      BIGINT       NOT NULL,
    updated_at     TIMESTAMP(3) NOT NULL,
    CONSTRAINT pk_txn_monthly PRIMARY KEY (billing_period, node_id, transport),
    CONSTRAINT ck_txn_monthly_count CHECK (txn_count >= 0)
);

-- ---- V2__ledger_macs.sql ----
-- Tamper evidence: each ledger row carries an HMAC-SHA256 over its content and the previous row's MAC, chained per
-- node; the node row keeps the head of its chain, itself signed. Rows written before this version have none.
ALTER TABLE txn_interval ADD COLUMN prev_mac VARCHAR(64);
ALTER TABLE txn_interval ADD COLUMN mac VARCHAR(64);
ALTER TABLE txn_node ADD COLUMN last_mac VARCHAR(64);
ALTER TABLE txn_node ADD COLUMN node_mac VARCHAR(64);

-- ---- V3__ledger_key_ids.sql ----
-- Ledger keys rotate: each ledger row and each node head records the id of the ledger key that signed its MAC, so
-- that verify checks every row with the key that signed it. Rows written before this version have none: they were
-- signed with [ledger] key or, without one, with the key derived from the stamp secret.
ALTER TABLE txn_interval ADD COLUMN key_id VARCHAR(64);
ALTER TABLE txn_node ADD COLUMN key_id VARCHAR(64);

-- ---- V5__imported_months.sql ----
-- Monthly totals imported from another counter (WSO2 MI's CURRENT_STATS), kept apart from the interval ledger:
-- they were not counted here. One row per (billing period, source node id). raw_count is what the source's row
-- said (MI's count is cumulative per node id, so its rows over-count), txn_count the traffic of that month alone.
-- mac is an HMAC-SHA256 under the ledger key over the row's content; import-mi writes each row once.
CREATE TABLE txn_imported (
    billing_period INTEGER      NOT NULL,
    node_id        VARCHAR(64)  NOT NULL,
    source         VARCHAR(16)  NOT NULL,
    raw_count      BIGINT       NOT NULL,
    txn_count      BIGINT       NOT NULL,
    imported_at    TIMESTAMP(3) NOT NULL,
    mac            VARCHAR(64)  NOT NULL,
    CONSTRAINT pk_txn_imported PRIMARY KEY (billing_period, node_id, source),
    CONSTRAINT ck_txn_imported_count CHECK (txn_count >= 0 AND raw_count >= txn_count)
);

-- ---- V6__month_close.sql ----
-- Month close: each closed billing month keeps its signed statement and never changes again. An interval that
-- arrives for a closed month (a journal replayed late) is kept as an adjustment on the next open month. Spans of
-- time each node reported (counted or idle) give the statement its coverage. Quota alerts are raised once per
-- threshold and month.

CREATE TABLE txn_month_close (
    billing_period INTEGER NOT NULL,
    closed_at      TIMESTAMP(3) NOT NULL,
    closed_by      VARCHAR(128) NOT NULL,
    statement_json CLOB NOT NULL,
    CONSTRAINT pk_txn_month_close PRIMARY KEY (billing_period)
);

CREATE TABLE txn_adjustment (
    node_id        VARCHAR(64) NOT NULL,
    seq            BIGINT NOT NULL,
    transport      VARCHAR(16) NOT NULL,
    origin_period  INTEGER NOT NULL,
    target_period  INTEGER NOT NULL,
    interval_start TIMESTAMP(3) NOT NULL,
    interval_end   TIMESTAMP(3) NOT NULL,
    txn_count      BIGINT NOT NULL,
    recorded_at    TIMESTAMP(3) NOT NULL,
    CONSTRAINT pk_txn_adjustment PRIMARY KEY (node_id, seq, transport)
);

CREATE INDEX ix_txn_adjustment_target ON txn_adjustment (target_period);

CREATE TABLE txn_span (
    node_id    VARCHAR(64) NOT NULL,
    span_start TIMESTAMP(3) NOT NULL,
    span_end   TIMESTAMP(3) NOT NULL,
    CONSTRAINT pk_txn_span PRIMARY KEY (node_id, span_start)
);

CREATE INDEX ix_txn_span_end ON txn_span (node_id, span_end);

CREATE TABLE txn_quota_alert (
    billing_period INTEGER NOT NULL,
    threshold_pct  INTEGER NOT NULL,
    raised_at      TIMESTAMP(3) NOT NULL,
    used_count     BIGINT NOT NULL,
    quota          BIGINT NOT NULL,
    CONSTRAINT pk_txn_quota_alert PRIMARY KEY (billing_period, threshold_pct)
);

-- ---- V7__ledger_archive.sql ----
-- Ledger retention: the rows of an old closed month can be written to a signed archive file (archive) and then
-- removed from txn_interval by the owner account (remove-archived). What stays keeps the ledger checkable on its
-- own: per month and node, the range of sequence numbers removed, the last row removed exactly as it was (the
-- first row left online links to its MAC), the archive file's SHA-256 and the removed rows summed per transport,
-- all under an HMAC with the ledger key (mac, by key_id). The runtime account only reads these tables.

CREATE TABLE txn_archived (
    billing_period INTEGER NOT NULL,
    node_id        VARCHAR(64) NOT NULL,
    first_seq      BIGINT NOT NULL,
    last_seq       BIGINT NOT NULL,
    row_count      BIGINT NOT NULL,
    last_transport VARCHAR(16) NOT NULL,
    last_start     TIMESTAMP(3) NOT NULL,
    last_end       TIMESTAMP(3) NOT NULL,
    last_count     BIGINT NOT NULL,
    last_prev_mac  VARCHAR(64),
    last_mac       VARCHAR(64) NOT NULL,
    last_key_id    VARCHAR(64),
    archive_sha256 VARCHAR(64) NOT NULL,
    removed_at     TIMESTAMP(3) NOT NULL,
    removed_by     VARCHAR(128) NOT NULL,
    key_id         VARCHAR(64) NOT NULL,
    mac            VARCHAR(64) NOT NULL,
    CONSTRAINT pk_txn_archived PRIMARY KEY (billing_period, node_id)
);

CREATE TABLE txn_archived_total (
    billing_period INTEGER NOT NULL,
    node_id        VARCHAR(64) NOT NULL,
    transport      VARCHAR(16) NOT NULL,
    row_count      BIGINT NOT NULL,
    txn_count      BIGINT NOT NULL,
    CONSTRAINT pk_txn_archived_total PRIMARY KEY (billing_period, node_id, transport)
);
