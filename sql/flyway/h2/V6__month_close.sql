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
