#!/usr/bin/env bash
# Makes the machine's PostgreSQL and MariaDB ready for the integration tests, idempotently:
#   - starts each server if it does not accept connections, installing it from Debian's packages if absent;
#   - creates the databases transactiondb and transactiondb_test;
#   - creates txn_owner (owns the schema, runs migrations) and txn_app (SELECT, INSERT, UPDATE only: no DDL).
# Safe to run any number of times. Passwords are for local test databases only.
set -euo pipefail

OWNER_PASSWORD=${TXN_OWNER_PASSWORD:-txn_owner_pw}
APP_PASSWORD=${TXN_APP_PASSWORD:-txn_app_pw}
DATABASES=(transactiondb transactiondb_test)

log() { printf '[provision] %s\n' "$*"; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }

apt_updated=0
ensure_packages() {
  local missing=()
  for spec in "$@"; do
    local command=${spec%%:*} package=${spec##*:}
    command -v "$command" >/dev/null 2>&1 || [ -x "$command" ] || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ $apt_updated -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

wait_for() {
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  die "$name did not accept connections within 60 s; see its log under /var/log"
}

pg() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
maria() { mysql -h 127.0.0.1 -uroot --protocol=TCP "$@"; }

# --- PostgreSQL -----------------------------------------------------------------------------------------------
ensure_packages psql:postgresql-client
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  ensure_packages /usr/lib/postgresql:postgresql
fi
if ! pg -c 'SELECT 1' >/dev/null 2>&1; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_for PostgreSQL pg -c 'SELECT 1'
fi

pg <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'txn_owner') THEN CREATE ROLE txn_owner LOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'txn_app') THEN CREATE ROLE txn_app LOGIN; END IF;
END $$;
SQL
pg -c "ALTER ROLE txn_owner LOGIN PASSWORD '${OWNER_PASSWORD}'" -c "ALTER ROLE txn_app LOGIN PASSWORD '${APP_PASSWORD}'"
for db in "${DATABASES[@]}"; do
  if [ -z "$(pg -c "SELECT 1 FROM pg_database WHERE datname = '${db}'")" ]; then
    pg -c "CREATE DATABASE ${db} OWNER txn_owner"
  fi
  pg -d "$db" <<SQL
ALTER DATABASE ${db} OWNER TO txn_owner;
ALTER SCHEMA public OWNER TO txn_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE ${db} FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO txn_app;
GRANT USAGE ON SCHEMA public TO txn_app;
ALTER DEFAULT PRIVILEGES FOR ROLE txn_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES TO txn_app;
ALTER DEFAULT PRIVILEGES FOR ROLE txn_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO txn_app;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO txn_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO txn_app;
SQL
done
log "PostgreSQL ready: databases ${DATABASES[*]}, users txn_owner (DDL) and txn_app (DML only)"

# --- MariaDB --------------------------------------------------------------------------------------------------
ensure_packages mysql:mariadb-client
ensure_packages /usr/sbin/mariadbd:mariadb-server
if ! maria -e 'SELECT 1' >/dev/null 2>&1; then
  log "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for MariaDB maria -e 'SELECT 1'
fi
{
  for db in "${DATABASES[@]}"; do
    echo "CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
  done
  for host in 127.0.0.1 localhost; do
    echo "CREATE USER IF NOT EXISTS 'txn_owner'@'${host}' IDENTIFIED BY '${OWNER_PASSWORD}';"
    echo "ALTER USER 'txn_owner'@'${host}' IDENTIFIED BY '${OWNER_PASSWORD}';"
    echo "CREATE USER IF NOT EXISTS 'txn_app'@'${host}' IDENTIFIED BY '${APP_PASSWORD}';"
    echo "ALTER USER 'txn_app'@'${host}' IDENTIFIED BY '${APP_PASSWORD}';"
    for db in "${DATABASES[@]}"; do
      echo "GRANT ALL PRIVILEGES ON ${db}.* TO 'txn_owner'@'${host}';"
      echo "GRANT SELECT, INSERT, UPDATE ON ${db}.* TO 'txn_app'@'${host}';"
    done
  done
  echo "FLUSH PRIVILEGES;"
} | maria
log "MariaDB ready: databases ${DATABASES[*]}, users txn_owner (DDL) and txn_app (DML only)"
