#!/usr/bin/env bash
# Hand-run outbox benchmark (issue 6; not part of CI), see bench/README.md: starts the server jar
# on fresh data, then OutboxBench measures what an outbox row adds to a write and how fast rows
# are delivered to a local HTTP receiver. Arguments: [rows] [keys]. SERVER_JAVA_OPTS as in run.sh;
# M2_REPO is the local Maven repository the JDBC driver is taken from (default ~/.m2/repository).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"
JAR=$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-outbox.XXXXXX")
DATA=$WORK/data
SERVER_PID=""
mkdir -p "$ROOT/bench/results" "$DATA"
exec > >(tee "$ROOT/bench/results/outbox-$(date +%Y%m%d-%H%M%S).txt") 2>&1
trap 'rc=$?; stop_server; if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -f $JAR ]] || (cd "$ROOT" && mvn -q -B -DskipTests install)
cp "$JAR" "$WORK/server.jar"
echo "$(date -Is), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "JVM options: $(server_java_opts) $*"
PORT=$(free_port 18800)
start_server "$WORK/server.jar" "$PORT" "$WORK/server.log" --radbridge.validation.mode=off
wait_ready "http://127.0.0.1:$PORT/fhir" "$WORK/server.log"
PG_PORT=$(sed -n 4p "$DATA/postgres/postmaster.pid")
PGJDBC=$(find "${M2_REPO:-$HOME/.m2/repository}/org/postgresql/postgresql" -name 'postgresql-*.jar' | sort | tail -1)
BENCH_CP="$PGJDBC" bench_java OutboxBench \
  "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?user=postgres&password=$(cat "$DATA/postgres/radbridge-password")" \
  "${1:-20000}" "${2:-50}"
echo "server resident memory: $(rss_mb) MB; load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
