#!/usr/bin/env bash
# Hand-run HL7 v2 benchmark (issue 8; not part of CI), see bench/README.md: starts the server jar on
# fresh data with a one-centre network, then Hl7Bench sends ORM^O01 over one MLLP connection.
# Arguments: [messages] [warmup]. SERVER_JAVA_OPTS as in run.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"
JAR=$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-hl7.XXXXXX")
DATA=$WORK/data
SERVER_PID=""
mkdir -p "$ROOT/bench/results" "$DATA"
exec > >(tee "$ROOT/bench/results/hl7-$(date +%Y%m%d-%H%M%S).txt") 2>&1
trap 'rc=$?; stop_server; if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -f $JAR ]] || (cd "$ROOT" && mvn -q -B -DskipTests install)
cp "$JAR" "$WORK/server.jar"
echo "$(date -Is), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "JVM options: $(server_java_opts)"
PORT=$(free_port 18900)
MLLP=$(free_port 19900)
start_server "$WORK/server.jar" "$PORT" "$WORK/server.log" --radbridge.hl7v2.port="$MLLP" --radbridge.dicom.port=0 \
  --radbridge.network.organizations[0].key=centre-a --radbridge.network.organizations[0].kind=community-centre \
  --radbridge.network.organizations[1].key=city-hospital --radbridge.network.organizations[1].kind=reading-hospital \
  --radbridge.network.hl7-applications[0].sending-application=HIS_A \
  --radbridge.network.hl7-applications[0].sending-facility=CENTRE_A \
  --radbridge.network.hl7-applications[0].organization=centre-a \
  --radbridge.network.hl7-applications[0].addresses[0]=127.0.0.1 \
  --radbridge.network.issuers.CENTRE_A_MRN=https://radbridge.org/fhir/sid/centre-a/mrn \
  --radbridge.network.routing.default-reading=city-hospital
wait_ready "http://127.0.0.1:$PORT/fhir" "$WORK/server.log"
# the shipped conformance resources and the validator are made in the background after start
wait_writable "http://127.0.0.1:$PORT/fhir" "$WORK/server.log"
bench_java Hl7Bench "$MLLP" "${1:-5000}" "${2:-1000}"
echo "server resident memory: $(rss_mb) MB; load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
