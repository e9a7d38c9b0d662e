-- Ledger retention: the rows of an old closed month can be written to a signed archive file (archive) and then
-- removed from txn_interval by the owner account (remove-archived). What stays keeps the ledger checkable on its
-- own: per month and node, the range of sequence numbers removed, the last row removed exactly as it was (the
-- first row left online links to its MAC), the archive file's SHA-256 and the removed rows summed per transport,
-- all under an HMAC with the ledger key (mac, by key_id). The runtime account only reads these tables.

CREATE TABLE txn_archived (
    billing_period NUMBER(10) NOT NULL,
    node_id        VARCHAR2(64) NOT NULL,
    first_seq      NUMBER(19) NOT NULL,
    last_seq       NUMBER(19) NOT NULL,
    row_count      NUMBER(19) NOT NULL,
    last_transport VARCHAR2(16) NOT NULL,
    last_start     TIMESTAMP(3) NOT NULL,
    last_end       TIMESTAMP(3) NOT NULL,
    last_count     NUMBER(19) NOT NULL,
    last_prev_mac  VARCHAR2(64),
    last_mac       VARCHAR2(64) NOT NULL,
    last_key_id    VARCHAR2(64),
    archive_sha256 VARCHAR2(64) NOT NULL,
    removed_at     TIMESTAMP(3) NOT NULL,
    removed_by     VARCHAR2(128) NOT NULL,
    key_id         VARCHAR2(64) NOT NULL,
    mac            VARCHAR2(64) NOT NULL,
    CONSTRAINT pk_txn_archived PRIMARY KEY (billing_period, node_id)
);

CREATE TABLE txn_archived_total (
    billing_period NUMBER(10) NOT NULL,
    node_id        VARCHAR2(64) NOT NULL,
    transport      VARCHAR2(16) NOT NULL,
    row_count      NUMBER(19) NOT NULL,
    txn_count      NUMBER(19) NOT NULL,
    CONSTRAINT pk_txn_archived_total PRIMARY KEY (billing_period, node_id, transport)
);
