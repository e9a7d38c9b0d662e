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
