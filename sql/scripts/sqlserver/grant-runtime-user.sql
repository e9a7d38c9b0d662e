-- Least privilege for the runtime account on SQL Server. Run as the database owner in transactiondb.
-- txn_owner (db_owner or db_ddladmin) runs migrations; txn_app is the account in deployment.toml.
GRANT SELECT, INSERT, UPDATE ON dbo.txn_node TO txn_app;
GRANT SELECT, INSERT, UPDATE ON dbo.txn_interval TO txn_app;
GRANT SELECT, INSERT, UPDATE ON dbo.txn_monthly TO txn_app;
GRANT SELECT, INSERT, UPDATE ON dbo.txn_month_close TO txn_app;
GRANT SELECT, INSERT, UPDATE ON dbo.txn_adjustment TO txn_app;
GRANT SELECT, INSERT, UPDATE ON dbo.txn_span TO txn_app;
GRANT SELECT, INSERT, UPDATE ON dbo.txn_quota_alert TO txn_app;
GRANT SELECT, INSERT, UPDATE ON dbo.txn_imported TO txn_app;
GRANT SELECT ON dbo.txn_archived TO txn_app;
GRANT SELECT ON dbo.txn_archived_total TO txn_app;
GRANT SELECT ON dbo.flyway_schema_history TO txn_app;   -- omit when the schema was applied by hand
