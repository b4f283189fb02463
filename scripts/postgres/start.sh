#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the integration tests, the benchmarks and CI.
#
# Debian's `postgresql` package provides the binaries (installed with apt-get when missing). The
# cluster lives in a state folder (a fresh initdb the first time), listens on 127.0.0.1 only, on a
# port that is not PostgreSQL's default, and trusts loopback logins: it holds test data only.
# PostgreSQL refuses to run as root, so as root the cluster is owned by and run as `postgres`.
# Durability is traded for speed (fsync off): a crash loses the cluster, which is a test fixture.
# Idempotent: a server already running from this state folder is left alone.
#
# Prints the connection string on stdout: postgres://sluice@127.0.0.1:<port>/sluice
# Env: SLUICE_POSTGRES_PORT (55432), SLUICE_POSTGRES_STATE (${TMPDIR:-/tmp}/sluice-postgres-<port>).
set -euo pipefail

PORT="${SLUICE_POSTGRES_PORT:-55432}"
STATE="${SLUICE_POSTGRES_STATE:-${TMPDIR:-/tmp}/sluice-postgres-$PORT}"
DATA="$STATE/data"
LOG_FILE="$STATE/server.log"
URL="postgres://sluice@127.0.0.1:$PORT/sluice"

log() { echo "postgres: $*" >&2; }

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [[ -z "$(bin_dir)" ]]; then
  log "installing Debian's postgresql package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN="$(bin_dir)"

mkdir -p "$STATE"
if [[ "$(id -u)" == 0 ]]; then
  chown postgres "$STATE"
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

if [[ ! -f "$DATA/PG_VERSION" ]]; then
  log "initdb in $DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U sluice --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi

if as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "already running from $DATA"
else
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG_FILE" -w -t 60 start \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$STATE -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c TimeZone=UTC" >/dev/null
  log "started on 127.0.0.1:$PORT (log $LOG_FILE)"
fi

if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U sluice -d postgres -tAc "select 1 from pg_database where datname = 'sluice'" | grep -q 1; then
  as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U sluice sluice
fi
echo "$URL"
