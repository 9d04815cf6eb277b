#!/usr/bin/env bash
# Hand-run loop benchmark (issue 10; not part of CI), see bench/README.md: starts the server jar on
# fresh data with one centre HIS and one hospital RIS (both with outbound MLLP to LoopBench's local
# receivers), then LoopBench runs N concurrent loops for S seconds. Arguments: [loops] [seconds].
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"
JAR=$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-loop.XXXXXX")
DATA=$WORK/data
SERVER_PID=""
mkdir -p "$ROOT/bench/results" "$DATA"
exec > >(tee "$ROOT/bench/results/loop-$(date +%Y%m%d-%H%M%S).txt") 2>&1
trap 'rc=$?; stop_server; if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -f $JAR ]] || (cd "$ROOT" && mvn -q -B -DskipTests install)
cp "$JAR" "$WORK/server.jar"
echo "$(date -Is), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "JVM options: $(server_java_opts)"
PORT=$(free_port 18960)
MLLP=$(free_port 19960)
RIS=$(free_port 20960)
HIS=$(free_port 21960)
start_server "$WORK/server.jar" "$PORT" "$WORK/server.log" --radbridge.hl7v2.port="$MLLP" --radbridge.dicom.port=0 \
  --radbridge.outbox.initial-backoff=100ms --radbridge.outbox.poll-interval=100ms \
  --radbridge.network.organizations[0].key=centre-a --radbridge.network.organizations[0].kind=community-centre \
  --radbridge.network.organizations[1].key=city-hospital --radbridge.network.organizations[1].kind=reading-hospital \
  --radbridge.network.hl7-applications[0].sending-application=HIS_A \
  --radbridge.network.hl7-applications[0].sending-facility=CENTRE_A \
  --radbridge.network.hl7-applications[0].organization=centre-a \
  --radbridge.network.hl7-applications[0].outbound=127.0.0.1:$HIS \
  --radbridge.network.hl7-applications[1].sending-application=RIS_CITY \
  --radbridge.network.hl7-applications[1].sending-facility=CITY_HOSP \
  --radbridge.network.hl7-applications[1].organization=city-hospital \
  --radbridge.network.hl7-applications[1].outbound=127.0.0.1:$RIS \
  --radbridge.network.issuers.CENTRE_A_MRN=https://radbridge.org/fhir/sid/centre-a/mrn \
  --radbridge.network.routing.default-reading=city-hospital
wait_ready "http://127.0.0.1:$PORT/fhir" "$WORK/server.log"
# the shipped conformance resources and the validator are made in the background after start
wait_writable "http://127.0.0.1:$PORT/fhir" "$WORK/server.log"
sleep 5
bench_java LoopBench "$PORT" "$MLLP" "$RIS" "$HIS" "${1:-50}" "${2:-60}"
echo "server resident memory: $(rss_mb) MB; load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
