-- Least privilege for the runtime account on Oracle. Run as the schema owner TXN_OWNER.
-- TXN_APP is the account in deployment.toml; give it synonyms (or ALTER SESSION SET CURRENT_SCHEMA = TXN_OWNER
-- in the pool's connection init) so the unqualified table names resolve.
GRANT SELECT, INSERT, UPDATE ON txn_node TO txn_app;
GRANT SELECT, INSERT, UPDATE ON txn_interval TO txn_app;
GRANT SELECT, INSERT, UPDATE ON txn_monthly TO txn_app;
GRANT SELECT, INSERT, UPDATE ON txn_month_close TO txn_app;
GRANT SELECT, INSERT, UPDATE ON txn_adjustment TO txn_app;
GRANT SELECT, INSERT, UPDATE ON txn_span TO txn_app;
GRANT SELECT, INSERT, UPDATE ON txn_quota_alert TO txn_app;
GRANT SELECT, INSERT, UPDATE ON txn_imported TO txn_app;
GRANT SELECT ON txn_archived TO txn_app;
GRANT SELECT ON txn_archived_total TO txn_app;
GRANT SELECT ON "flyway_schema_history" TO txn_app;   -- omit when the schema was applied by hand
