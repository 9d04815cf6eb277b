#!/usr/bin/env bash
# Hand-run (issue 22; not part of CI), see bench/README.md: how many audit records of reads a crash
# loses. 8 curl loops read one Patient for a few seconds against a fresh server; the server JVM is
# then killed with SIGKILL mid-load (its PostgreSQL keeps running), and the records of reads that
# reached the database are counted against the 200 answers the clients got. Records of writes are
# in the write's transaction and are not at risk. Arguments: [seconds of load, default 5].
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"
SECONDS_OF_LOAD=${1:-5}
bench_begin audit-crash
HTTP=$(free_port 18950)
start_server "$WORK/server.jar" "$HTTP" "$WORK/server.log"
BASE=http://127.0.0.1:$HTTP/fhir
wait_ready "$BASE" "$WORK/server.log"
wait_writable "$BASE" "$WORK/server.log"

ID=$(auth_curl -s -X POST -H 'Content-Type: application/fhir+json' -d '{"resourceType":"Patient","active":true}' \
  "$BASE/Patient" | json_field id)
bench_token; TOKEN=$BENCH_TOKEN
echo "reading Patient/$ID with 8 clients for $SECONDS_OF_LOAD s, then SIGKILL"
LOOPS=()
for c in $(seq 8); do
  ( end=$(( $(date +%s) + 60 )); ok=0
    while (( $(date +%s) < end )); do
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Accept: application/fhir+json' \
        "$BASE/Patient/$ID") || break
      [[ $code == 200 ]] && ok=$((ok + 1)) && echo "$ok" > "$WORK/ok-$c"
    done ) &
  LOOPS+=($!)
done
sleep "$SECONDS_OF_LOAD"
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
wait "${LOOPS[@]}" 2>/dev/null || true # (a bare wait would also wait for the tee above)
answered=$(cat "$WORK"/ok-* | paste -sd+ | bc)
recorded=$(db_sql "SELECT count(*) FROM audit_record WHERE subtype = 'read' AND 'Patient/$ID' = ANY (entities)")
echo "reads answered 200: $answered; their audit records stored: $recorded; lost: $((answered - recorded))"
awk -v a="$answered" -v s="$SECONDS_OF_LOAD" -v l="$((answered - recorded))" \
  'BEGIN { printf "at %.0f reads/s, the records lost are %.2f s of reads\n", a / s, (a > 0 ? l / (a / s) : 0) }'
# the PostgreSQL the killed server left running: stop_server (trap) stops it
