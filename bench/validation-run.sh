#!/usr/bin/env bash
# Hand-run benchmark of validation on write (issue 5; not part of CI), see bench/README.md:
#  1. ValidationCost: HAPI's validator in-process, as the server builds it — warm-up time, heap,
#     and the cost of validating each claimed workflow resource (p50/p90/p99, one thread);
#  2. the server jar twice on fresh data, validation mode enforce and then off: time to
#     /fhir/metadata and to "Validator ready", resident memory, and ValidationBench's write
#     throughput of claimed ServiceRequest / ImagingStudy / DiagnosticReport at 1 and 4 clients.
# Arguments go to ValidationBench (e.g. --seconds 10). KEEP=1 keeps the work directory.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"
JAR=$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-valbench.XXXXXX")
DATA=$WORK/data
SERVER_PID=""
mkdir -p "$ROOT/bench/results"
exec > >(tee "$ROOT/bench/results/validation-$(date +%Y%m%d-%H%M%S).txt") 2>&1
trap 'rc=$?; stop_server; if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -f $JAR ]] || (cd "$ROOT" && mvn -q -B -DskipTests install)
cp "$JAR" "$WORK/server.jar"
echo "$(date -Is), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "server jar built $(date -Is -r "$JAR"), JVM options: $(server_java_opts)"

if [[ -z ${SKIP_COST:-} ]]; then
echo "== 1. validator cost in-process (ValidationCost)"
(cd "$ROOT" && mvn -q -B -o dependency:build-classpath -pl profiles -Dmdep.outputFile="$WORK/cp.txt" >/dev/null)
CP=$ROOT/profiles/target/classes:$ROOT/terminology/target/classes:$(cat "$WORK/cp.txt")
BENCH_CP="$CP" BENCH_JAVA_OPTS=-Xmx448m bench_java ValidationCost "$ROOT/profiles/src/main/resources/radbridge/examples"
fi

for mode in ${MODES:-enforce off}; do
  echo "== 2. server with radbridge.validation.mode=$mode"
  rm -rf "$DATA"
  mkdir -p "$DATA"
  PORT=$(free_port 18700)
  BASE=http://127.0.0.1:$PORT/fhir
  t0=$(now_ns)
  start_server "$WORK/server.jar" "$PORT" "$WORK/server-$mode.log" --radbridge.validation.mode="$mode"
  wait_ready "$BASE" "$WORK/server-$mode.log"
  echo "ready (/fhir/metadata 200) after $(seconds_since "$t0") s; resident memory $(rss_mb) MB"
  for _ in $(seq 600); do
    grep -q "Validator ready" "$WORK/server-$mode.log" && break
    sleep 0.1
  done
  grep -m 1 -o "Validator ready in .*" "$WORK/server-$mode.log" || echo "validator not ready after 60 s"
  echo "resident memory with the validator warm: $(rss_mb) MB"
  wait_writable "$BASE" "$WORK/server-$mode.log"
  bench_java ValidationBench --base "$BASE" \
    --examples "$ROOT/profiles/src/main/resources/radbridge/examples" "$@"
  echo "resident memory after the writes: $(rss_mb) MB"
  stop_server
done
echo "load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
