#!/usr/bin/env bash
# Hand-run DICOM benchmark (issue 7; not part of CI), see bench/README.md: a 300-instance CT series
# (pydicom's CT_small.dcm with one study/series UID and new SOP Instance UIDs, made by dcmodify) is
# sent by DCMTK storescu over one association to a fresh server; reports instances/s and how long
# after the association's release the ImagingStudy is complete and searchable.
# Arguments: [instances]. SERVER_JAVA_OPTS as in run.sh. Needs dcmtk and python3-pydicom.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"
N=${1:-300}
JAR=$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-dicom.XXXXXX")
DATA=$WORK/data
SERVER_PID=""
mkdir -p "$ROOT/bench/results" "$DATA" "$WORK/series"
exec > >(tee "$ROOT/bench/results/dicom-$(date +%Y%m%d-%H%M%S).txt") 2>&1
trap 'rc=$?; stop_server; if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -f $JAR ]] || (cd "$ROOT" && mvn -q -B -DskipTests install)
cp "$JAR" "$WORK/server.jar"
echo "$(date -Is), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "JVM options: $(server_java_opts)"

SRC=/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm
STUDY=2.25.$(date +%s%N)1
SERIES=$STUDY.1
echo "making $N instances of study $STUDY"
for i in $(seq 1 "$N"); do
  f=$WORK/series/i$i.dcm
  cp "$SRC" "$f"
  dcmodify -nb -gin -m "(0020,000d)=$STUDY" -m "(0020,000e)=$SERIES" -m "(0020,0013)=$i" -m "(0008,0050)=BENCH1" "$f"
done
du -sh "$WORK/series" | sed 's/^/series size: /'

HTTP=$(free_port 18900)
DICOM=$(free_port 19100)
start_server "$WORK/server.jar" "$HTTP" "$WORK/server.log" --radbridge.dicom.port="$DICOM" \
  --radbridge.network.organizations[0].key=centre-a --radbridge.network.organizations[0].kind=community-centre \
  --radbridge.network.dicom-nodes[0].ae-title=BENCH_CT --radbridge.network.dicom-nodes[0].host=127.0.0.1 \
  --radbridge.network.dicom-nodes[0].port=104 --radbridge.network.dicom-nodes[0].organization=centre-a \
  --radbridge.network.dicom-nodes[0].role=modality
BASE=http://127.0.0.1:$HTTP/fhir
wait_ready "$BASE" "$WORK/server.log"
wait_writable "$BASE" "$WORK/server.log"

t0=$(now_ns)
# DCMTK 3.6.7 leaves Nagle on unless TCP_NODELAY=1 (then ~40 ms per instance waiting for delayed ACKs)
TCP_NODELAY=1 storescu -aet BENCH_CT -aec RADBRIDGE 127.0.0.1 "$DICOM" "$WORK"/series/*.dcm
t1=$(now_ns)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
echo "C-STORE of $N instances over one association: $secs s, $(awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') instances/s"
while :; do
  n=$(auth_curl -s "$BASE/ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:$STUDY" | grep -o '"numberOfInstances":[0-9]*' | head -1 | cut -d: -f2 || true)
  [[ ${n:-0} -ge $N ]] && break
  (( $(now_ns) - t1 < 30000000000 )) || { echo "ImagingStudy incomplete after 30 s: ${n:-none}"; exit 1; }
  sleep 0.02
done
echo "ImagingStudy complete ($N instances) and searchable $(seconds_since "$t1") s after storescu returned"
auth_curl -s "$BASE/ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:$STUDY" | grep -o '"versionId":"[0-9]*"' | head -1 | sed 's/^/ImagingStudy /'
echo "server resident memory: $(rss_mb) MB; load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
