#!/usr/bin/env bash
# Hand-run subscription benchmark (issue 9; not part of CI), see bench/README.md: starts the server
# jar on fresh data (rest-hooks allowed to 127.0.0.1), then SubscriptionBench measures notification
# latency at 50 writes/s and write throughput with 0 and 500 active subscriptions.
# Arguments: [seconds]. SERVER_JAVA_OPTS as in run.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"
JAR=$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-subs.XXXXXX")
DATA=$WORK/data
SERVER_PID=""
mkdir -p "$ROOT/bench/results" "$DATA"
exec > >(tee "$ROOT/bench/results/subscriptions-$(date +%Y%m%d-%H%M%S).txt") 2>&1
trap 'rc=$?; stop_server; if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -f $JAR ]] || (cd "$ROOT" && mvn -q -B -DskipTests install)
cp "$JAR" "$WORK/server.jar"
echo "$(date -Is), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "JVM options: $(server_java_opts)"
PORT=$(free_port 18950)
start_server "$WORK/server.jar" "$PORT" "$WORK/server.log" --radbridge.dicom.port=0 --radbridge.hl7v2.port=0 \
  --radbridge.subscriptions.allowed-endpoints[0]=http://127.0.0.1: --radbridge.subscriptions.rate-per-second=1000
wait_ready "http://127.0.0.1:$PORT/fhir" "$WORK/server.log"
# the shipped conformance resources and the validator are made in the background after start
wait_writable "http://127.0.0.1:$PORT/fhir" "$WORK/server.log"
sleep 5
bench_java SubscriptionBench "http://127.0.0.1:$PORT/fhir" "${1:-30}"
echo "server resident memory: $(rss_mb) MB; load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
