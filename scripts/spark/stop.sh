#!/usr/bin/env bash
# Stops the local Spark Thrift Server that scripts/spark/start.sh started (by its pid file only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${SLUICE_SPARK_STATE:-$ROOT/.sluice/spark-server}"
PID_FILE="$STATE/thriftserver.pid"

if [[ ! -f "$PID_FILE" ]]; then
  echo "spark: not running (no $PID_FILE)" >&2
  exit 0
fi
pid="$(cat "$PID_FILE")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "spark: pid $pid did not stop after 30 s; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  echo "spark: stopped pid $pid" >&2
else
  echo "spark: pid $pid was not running" >&2
fi
rm -f "$PID_FILE"
