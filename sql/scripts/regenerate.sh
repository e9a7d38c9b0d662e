#!/usr/bin/env bash
# Rebuilds sql/scripts/<vendor>/create-schema.sql from the Flyway migrations in sql/flyway/<vendor>/, so that a DBA
# can read and apply the whole schema by hand. DbaScriptsTest fails when a script is out of step: run this then.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in flyway/*/; do
  vendor=$(basename "$dir")
  mkdir -p "scripts/$vendor"
  out="scripts/$vendor/create-schema.sql"
  {
    echo "-- Transaction counter schema for $vendor, to apply by hand as the schema owner."
    echo "-- Generated from sql/flyway/$vendor by sql/scripts/regenerate.sh; do not edit."
    echo "-- Prefer 'java -jar txcounter.jar migrate', which also records the schema version."
    echo "-- Then grant the runtime account SELECT, INSERT and UPDATE: see grant-runtime-user.sql."
    for migration in $(ls "$dir" | sort -V); do
      echo
      echo "-- ---- $migration ----"
      cat "$dir$migration"
    done
  } > "$out"
done
