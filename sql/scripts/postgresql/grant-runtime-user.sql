-- Least privilege for the runtime account on PostgreSQL. Run as a superuser or the database owner.
-- txn_owner owns the schema and runs migrations; txn_app is the account in deployment.toml.
GRANT CONNECT ON DATABASE transactiondb TO txn_app;
GRANT USAGE ON SCHEMA public TO txn_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON txn_node, txn_interval, txn_monthly, txn_month_close, txn_adjustment, txn_span,
    txn_quota_alert, txn_imported TO txn_app;
GRANT SELECT ON txn_archived, txn_archived_total TO txn_app;   -- removing archived rows is the owner's
GRANT SELECT ON flyway_schema_history TO txn_app;   -- omit when the schema was applied by hand
ALTER DEFAULT PRIVILEGES FOR ROLE txn_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES TO txn_app;
