#!/usr/bin/env bash
# Hand-run benchmark of the RadBridge FHIR server (not part of CI); see bench/README.md.
# Starts the server on a fresh data directory and a free port, runs bench/RestBench.java, restarts
# the server on the same data to time a start on an existing database, reads again, reports the
# server's resident memory and stops everything. Arguments are passed on to RestBench
# (e.g. --quick, --clients 1,8). The server JVM gets the options `./radbridge serve` uses unless
# SERVER_JAVA_OPTS says otherwise; SERVER_ARGS adds server arguments. RestBench sends the bootstrap
# administrator's token (BenchSupport, RADBRIDGE_ADMIN_CLIENT). KEEP=1 keeps the work directory
# (data and logs), which is otherwise kept only on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-bench.XXXXXX")
DATA=$WORK/data
SERVER_PID=""
BENCH_PID=""
# shellcheck source=bench/server.sh
. "$ROOT/bench/server.sh"

command -v curl >/dev/null || { echo "run.sh needs curl" >&2; exit 1; }

# Everything printed also goes to bench/results/ (ignored by git) for later comparison.
mkdir -p "$ROOT/bench/results"
LOG=$ROOT/bench/results/run-$(date +%Y%m%d-%H%M%S).txt
exec > >(tee "$LOG") 2>&1

cleanup() {
  local rc=$?
  if [[ -n $BENCH_PID ]]; then
    kill -TERM "$BENCH_PID" 2>/dev/null || true
  fi
  stop_server
  if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then
    rm -rf "$WORK"
  else
    echo "work directory (data, server logs) kept in $WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free port from 18080 up, so a server already running on 8080 (or another run) is left alone.
PORT=$(free_port 18080)
BASE=http://127.0.0.1:$PORT/fhir

if [[ ! -f $JAR ]]; then
  echo "building $JAR"
  (cd "$ROOT" && mvn -q -B -DskipTests install)
fi

# The same JVM options as `./radbridge serve` (its DEFAULT_JAVA_OPTS), so memory and start time are
# those of the server as it is run, unless SERVER_JAVA_OPTS says otherwise.
JAVA_OPTS=$(server_java_opts)

# A private copy of the jar, so a rebuild during the run cannot pull it away from the server.
cp "$JAR" "$WORK/server.jar"

# Runs RestBench in the background and waits for it, so a TERM to this script is handled at once
# (bash runs traps only between foreground commands).
run_bench() {
  env "$(bench_env)" java -cp "$(bench_cp RestBench)" RestBench --base "$BASE" --ids "$WORK/ids.tsv" "$@" &
  BENCH_PID=$!
  local rc=0
  wait "$BENCH_PID" || rc=$?
  BENCH_PID=""
  return "$rc"
}

# Other work on the machine skews every number here; the load average before the run hints at it.
echo "$(date -Is), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "server jar built $(date -Is -r "$JAR"), JVM options: ${JAVA_OPTS:-none}${SERVER_ARGS:+, server arguments: $SERVER_ARGS}"
mkdir -p "$DATA"
bench_compile RestBench
echo "== first start (initialises PostgreSQL in $DATA) on port $PORT"
t0=$(now_ns)
start_server "$WORK/server.jar" "$PORT" "$WORK/server-1.log"
wait_ready "$BASE" "$WORK/server-1.log"
echo "ready after $(seconds_since "$t0") s (first start, new database)"
wait_writable "$BASE" "$WORK/server-1.log"
echo "takes writes after $(seconds_since "$t0") s (/actuator/health/readiness 200)"

# Errors are counted in the tables; a failed bench still lets the rest of the measurements run.
bench_rc=0
run_bench "$@" || bench_rc=$?
rss_run=$(rss_mb)
echo "server resident memory after the run: $rss_run MB"
audit_size

echo "== restart on the existing database"
stop_server
t0=$(now_ns)
start_server "$WORK/server.jar" "$PORT" "$WORK/server-2.log"
wait_ready "$BASE" "$WORK/server-2.log"
start_s=$(seconds_since "$t0")
echo "server start on an existing database: $start_s s (launch to first 200 of /fhir/metadata)"
# Where that time went, from the server log (best effort: depends on the log format).
grep -m 1 -o 'Started RadBridgeApplication in .*' "$WORK/server-2.log" || true
grep -m 1 -o 'GET /fhir/metadata 200 .*' "$WORK/server-2.log" | sed 's/^/first /' || true

# Short read run on the restarted server, over the ids the first run created; no server warmup, so
# it shows a just-started server (later options win over the user's).
run_bench "$@" --phases read --requests 200 --warmup 20 --server-warmup 0 || bench_rc=$?

rss_restart=$(rss_mb)
echo "== summary (VmRSS of the server JVM; the PostgreSQL processes are not included)"
echo "server start on an existing database: $start_s s"
echo "server resident memory after the run: $rss_run MB"
echo "server resident memory after restart and read run: $rss_restart MB"
echo "load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "output saved in $LOG"

stop_server
exit "$bench_rc"
