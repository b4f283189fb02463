#!/usr/bin/env bash
# Stops the throwaway PostgreSQL cluster that scripts/postgres/start.sh started, and with
# SLUICE_POSTGRES_WIPE=1 removes its state folder too.
# Env: SLUICE_POSTGRES_PORT (55432), SLUICE_POSTGRES_STATE (as start.sh), SLUICE_POSTGRES_WIPE.
set -euo pipefail

PORT="${SLUICE_POSTGRES_PORT:-55432}"
STATE="${SLUICE_POSTGRES_STATE:-${TMPDIR:-/tmp}/sluice-postgres-$PORT}"
DATA="$STATE/data"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

if [[ -z "$BIN" || ! -f "$DATA/PG_VERSION" ]]; then
  echo "postgres: no cluster in $DATA" >&2
else
  if [[ "$(id -u)" == 0 ]]; then as_owner() { runuser -u postgres -- "$@"; }; else as_owner() { "$@"; }; fi
  if as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "postgres: stopped the cluster in $DATA" >&2
  else
    echo "postgres: not running from $DATA" >&2
  fi
fi
if [[ "${SLUICE_POSTGRES_WIPE:-}" == 1 ]]; then rm -rf "$STATE"; fi
