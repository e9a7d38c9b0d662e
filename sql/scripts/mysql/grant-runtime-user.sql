-- Least privilege for the runtime account on MySQL 8 and MariaDB. Run as an administrator.
-- txn_owner owns the schema and runs migrations; txn_app is the account in deployment.toml.
GRANT SELECT, INSERT, UPDATE ON transactiondb.* TO 'txn_app'@'%';
