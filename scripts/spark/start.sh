#!/usr/bin/env bash
# Starts a local Spark Thrift Server (HiveServer2 protocol) for the lake's integration tests and CI.
#
# pyspark comes from the Python package index into a project-local virtualenv (.venv-spark/); its
# wheel bundles spark-hive and spark-hive-thriftserver jars, so nothing else is fetched. The server
# uses an embedded Derby metastore and a warehouse under .sluice/spark-server/, binds to 127.0.0.1 only,
# and by default accepts NOSASL over the binary transport. Idempotent: a server already answering on
# the port (in the same mode) is left alone. Waits until a real query succeeds, or fails after
# SLUICE_SPARK_START_TIMEOUT s.
#
# Other modes, for the transport and auth tests (one mode per server; each server needs its own
# SLUICE_SPARK_STATE, because an embedded Derby metastore cannot be shared, and its own port):
#   SLUICE_SPARK_TRANSPORT=binary|http  http serves Thrift over HTTP on the port, path /cliservice.
#   SLUICE_SPARK_AUTH=NOSASL|NONE       NONE is HiveServer2's SASL PLAIN (binary) or HTTP Basic
#                                       login that accepts any user and password.
#
# Env: SLUICE_SPARK_PORT (10000), SLUICE_SPARK_TRANSPORT (binary), SLUICE_SPARK_AUTH (NOSASL),
#      SLUICE_SPARK_START_TIMEOUT (180), SLUICE_SPARK_DRIVER_MEMORY (1g),
#      SLUICE_SPARK_STATE (.sluice/spark-server), PYTHON (python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${SLUICE_SPARK_PORT:-10000}"
TIMEOUT="${SLUICE_SPARK_START_TIMEOUT:-180}"
STATE="${SLUICE_SPARK_STATE:-$ROOT/.sluice/spark-server}"
# Absolute, because the server runs in it and is handed paths inside it (a relative one would nest).
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
VENV="$ROOT/.venv-spark"
PYSPARK_SPEC="pyspark==3.5.*"
TRANSPORT="$(echo "${SLUICE_SPARK_TRANSPORT:-binary}" | tr '[:upper:]' '[:lower:]')"
AUTH="$(echo "${SLUICE_SPARK_AUTH:-NOSASL}" | tr '[:lower:]' '[:upper:]')"
HTTP_PATH=cliservice
PID_FILE="$STATE/thriftserver.pid"
LOG_FILE="$STATE/thriftserver.log"
started_at=$(date +%s)

log() { echo "spark: $*" >&2; }

case "$TRANSPORT" in
  binary) transport_conf=(--hiveconf "hive.server2.thrift.port=$PORT" --hiveconf hive.server2.transport.mode=binary) ;;
  http)
    transport_conf=(--hiveconf "hive.server2.thrift.http.port=$PORT" --hiveconf hive.server2.transport.mode=http
      --hiveconf "hive.server2.thrift.http.path=$HTTP_PATH")
    ;;
  *) log "SLUICE_SPARK_TRANSPORT must be binary or http, not '$TRANSPORT'"; exit 1 ;;
esac
case "$AUTH" in
  NOSASL | NONE) ;;
  *) log "SLUICE_SPARK_AUTH must be NOSASL or NONE, not '$AUTH'"; exit 1 ;;
esac
MODE="$TRANSPORT, auth $AUTH"

probe_query() {
  # A real round trip through the same driver sluice uses: open session, run a query, read a row.
  (cd "$ROOT" && node "$ROOT/scripts/spark/probe.mjs" 127.0.0.1 "$PORT" "$TRANSPORT" "$AUTH" "$HTTP_PATH") >/dev/null 2>&1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if probe_query; then
  log "already running on 127.0.0.1:$PORT ($MODE)"
  exit 0
fi

if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  log "process $(cat "$PID_FILE") is starting already; waiting for it"
else
  if port_open; then
    log "port $PORT is taken by something that does not answer HiveServer2 queries in this mode ($MODE); set SLUICE_SPARK_PORT"
    exit 1
  fi

  if [[ -z "${JAVA_HOME:-}" ]]; then
    java_bin="$(command -v java || true)"
    if [[ -z "$java_bin" ]]; then
      log "java not found: install a JDK 17 (e.g. apt-get install openjdk-17-jre-headless)"
      exit 1
    fi
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"
    export JAVA_HOME
  fi

  if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
  fi
  if ! "$VENV/bin/python" -c 'import pyspark, sys; sys.exit(0 if pyspark.__version__.startswith("3.5.") else 1)' 2>/dev/null; then
    log "installing $PYSPARK_SPEC"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "$PYSPARK_SPEC"
  fi
  SPARK_HOME="$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
  export SPARK_HOME
  if ! ls "$SPARK_HOME/jars"/spark-hive-thriftserver_*.jar >/dev/null 2>&1; then
    log "the pyspark wheel lacks spark-hive-thriftserver jars; cannot start the Thrift server"
    exit 1
  fi

  mkdir -p "$STATE/warehouse" "$STATE/tmp"
  cd "$STATE"  # Derby and Spark drop files (derby.log, metastore_db) in the working directory
  log "starting HiveThriftServer2 on 127.0.0.1:$PORT ($MODE; log: $LOG_FILE)"
  nohup "$SPARK_HOME/bin/spark-submit" \
    --master 'local[2]' \
    --driver-memory "${SLUICE_SPARK_DRIVER_MEMORY:-1g}" \
    --name sluice-spark-thrift \
    --class org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 \
    --conf spark.ui.enabled=false \
    --conf spark.sql.shuffle.partitions=2 \
    --conf spark.sql.session.timeZone=UTC \
    --conf spark.sql.catalogImplementation=hive \
    --conf "spark.sql.warehouse.dir=$STATE/warehouse" \
    --conf "spark.local.dir=$STATE/tmp" \
    --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$STATE -Djava.io.tmpdir=$STATE/tmp" \
    --conf "spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=$STATE/metastore_db;create=true" \
    --conf spark.hadoop.hive.exec.dynamic.partition=true \
    --conf spark.hadoop.hive.exec.dynamic.partition.mode=nonstrict \
    --hiveconf hive.server2.thrift.bind.host=127.0.0.1 \
    "${transport_conf[@]}" \
    --hiveconf "hive.server2.authentication=$AUTH" \
    --hiveconf hive.server2.enable.doAs=false \
    --hiveconf hive.exec.dynamic.partition.mode=nonstrict \
    spark-internal \
    </dev/null >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
fi

pid="$(cat "$PID_FILE")"
deadline=$((started_at + TIMEOUT))
while true; do
  if ! kill -0 "$pid" 2>/dev/null; then
    log "the server exited during start-up; last lines of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" >&2 || true
    rm -f "$PID_FILE"
    exit 1
  fi
  if probe_query; then
    log "ready on 127.0.0.1:$PORT ($MODE) after $(( $(date +%s) - started_at )) s (pid $pid)"
    exit 0
  fi
  if (( $(date +%s) >= deadline )); then
    log "not ready after ${TIMEOUT} s; last lines of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" >&2 || true
    exit 1
  fi
  sleep 2
done
