#!/usr/bin/env bash
# Stops the throwaway MariaDB server that scripts/mariadb/start.sh started (by its pid file), and
# with SLUICE_MARIADB_WIPE=1 removes its state folder too.
# Env: SLUICE_MARIADB_PORT (53306), SLUICE_MARIADB_STATE (as start.sh), SLUICE_MARIADB_WIPE.
set -euo pipefail

PORT="${SLUICE_MARIADB_PORT:-53306}"
STATE="${SLUICE_MARIADB_STATE:-${TMPDIR:-/tmp}/sluice-mariadb-$PORT}"
PID_FILE="$STATE/mariadb.pid"

if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  pid="$(cat "$PID_FILE")"
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "mariadb: pid $pid did not stop after 30 s; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  echo "mariadb: stopped pid $pid" >&2
else
  echo "mariadb: not running from $STATE" >&2
fi
if [[ "${SLUICE_MARIADB_WIPE:-}" == 1 ]]; then rm -rf "$STATE"; fi
