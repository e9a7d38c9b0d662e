-- Least privilege for the runtime account on DB2. Run as the schema owner.
-- TXN_APP is the account in deployment.toml; set its CURRENT SCHEMA to the owner's schema.
GRANT SELECT, INSERT, UPDATE ON TABLE txn_node TO USER txn_app;
GRANT SELECT, INSERT, UPDATE ON TABLE txn_interval TO USER txn_app;
GRANT SELECT, INSERT, UPDATE ON TABLE txn_monthly TO USER txn_app;
GRANT SELECT, INSERT, UPDATE ON TABLE txn_month_close TO USER txn_app;
GRANT SELECT, INSERT, UPDATE ON TABLE txn_adjustment TO USER txn_app;
GRANT SELECT, INSERT, UPDATE ON TABLE txn_span TO USER txn_app;
GRANT SELECT, INSERT, UPDATE ON TABLE txn_quota_alert TO USER txn_app;
GRANT SELECT, INSERT, UPDATE ON TABLE txn_imported TO USER txn_app;
GRANT SELECT ON TABLE txn_archived TO USER txn_app;
GRANT SELECT ON TABLE txn_archived_total TO USER txn_app;
GRANT SELECT ON TABLE "flyway_schema_history" TO USER txn_app;   -- omit when the schema was applied by hand
