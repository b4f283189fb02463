#!/usr/bin/env bash
# Starts a throwaway MariaDB server for the integration tests, the benchmarks and CI.
#
# Debian's `mariadb-server` package provides the binaries (installed with apt-get when missing).
# The server's data lives in a state folder (mariadb-install-db the first time), it listens on
# 127.0.0.1 only, on a port that is not MySQL's default, with LOAD DATA LOCAL INFILE allowed, and
# has one user `sluice` (password `sluice`) owning database `sluice`: it holds test data only.
# As root the server runs as the `mysql` user. Idempotent: a server already answering from this
# state folder is left alone.
#
# Prints the connection string on stdout: mysql://sluice:sluice@127.0.0.1:<port>/sluice
# Env: SLUICE_MARIADB_PORT (53306), SLUICE_MARIADB_STATE (${TMPDIR:-/tmp}/sluice-mariadb-<port>).
set -euo pipefail

PORT="${SLUICE_MARIADB_PORT:-53306}"
STATE="${SLUICE_MARIADB_STATE:-${TMPDIR:-/tmp}/sluice-mariadb-$PORT}"
DATA="$STATE/data"
SOCKET="$STATE/mariadb.sock"
PID_FILE="$STATE/mariadb.pid"
LOG_FILE="$STATE/server.log"
URL="mysql://sluice:sluice@127.0.0.1:$PORT/sluice"

log() { echo "mariadb: $*" >&2; }

if ! command -v mariadbd >/dev/null 2>&1; then
  log "installing Debian's mariadb-server package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
fi

mkdir -p "$STATE"
run_as=()
if [[ "$(id -u)" == 0 ]]; then
  chown mysql "$STATE"
  run_as=(--user=mysql)
fi
client() { mariadb --socket="$SOCKET" -uroot "$@"; }

if [[ ! -d "$DATA/mysql" ]]; then
  log "mariadb-install-db in $DATA"
  mariadb-install-db "${run_as[@]}" --datadir="$DATA" --auth-root-authentication-method=normal \
    --skip-test-db >"$STATE/install.log" 2>&1 || { cat "$STATE/install.log" >&2; exit 1; }
fi

if client -e "select 1" >/dev/null 2>&1; then
  log "already running from $DATA"
else
  # setsid: the server outlives this script and the terminal or CI step that started it.
  setsid mariadbd --no-defaults "${run_as[@]}" --datadir="$DATA" --port="$PORT" --bind-address=127.0.0.1 \
    --socket="$SOCKET" --pid-file="$PID_FILE" --log-error="$LOG_FILE" --local-infile=1 \
    --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=256M --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_bin --default-time-zone=+00:00 \
    </dev/null >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 60); do
    client -e "select 1" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  client -e "select 1" >/dev/null 2>&1 || { log "did not start; see $LOG_FILE"; tail -20 "$LOG_FILE" >&2; exit 1; }
  log "started on 127.0.0.1:$PORT (log $LOG_FILE)"
fi

client -e "CREATE DATABASE IF NOT EXISTS sluice;
  CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED BY 'sluice';
  GRANT ALL PRIVILEGES ON *.* TO 'sluice'@'%';"
echo "$URL"
