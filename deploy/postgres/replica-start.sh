#!/bin/bash
# Starts a hot standby of postgres-primary: on the first start, copies the
# primary with pg_basebackup (-R writes the standby settings), then runs.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h postgres-primary -U replicator -D "$PGDATA" -R -X stream; do
    echo "waiting for the primary"; sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
