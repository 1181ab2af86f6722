#!/bin/sh
# Entrypoint of the compose services that run f1lake commands against the ledger: its DSN (with
# the generated PostgreSQL password) from the secrets volume, then the service's command.
set -eu
F1LAKE_LEDGER_DSN="$(cat "${SECRETS_DIR:-/var/lib/f1lake-secrets}/ledger_dsn")"
export F1LAKE_LEDGER_DSN
exec "$@"
