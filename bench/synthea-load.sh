#!/usr/bin/env bash
# Hand-run Synthea load of the RadBridge FHIR server (not part of CI); see bench/README.md,
# "Transactions and Synthea". Generates a Synthea population offline (FHIR R4 transaction bundles,
# fixed seeds), starts the server on a fresh data directory and a free port, posts the hospital and
# practitioner bundles and then every patient bundle, each as one transaction (bench/SyntheaLoad.java),
# checks per resource type that the server stores as many resources as the bundles hold, and prints
# the load rate. With --tx-bench it then runs bench/TransactionBench.java against the same server.
#
#   bench/synthea-load.sh [options] [-- TransactionBench options]
#     --population N     living patients to generate (default 50; Synthea adds the deceased it meets)
#     --seed N           Synthea seed (default 42; the clinician seed and reference date are fixed too)
#     --synthea-dir DIR  keep Synthea's output there and reuse it when DIR/fhir already has bundles
#                        (default: generated into the temporary work directory)
#     --clients N        patient bundles posted at once (default 1)
#     --prefer P         Prefer: return=minimal (default) or return=representation
#     --resolve-refs     diagnostic: replace the patient bundles' conditional references by the ids
#                        they resolve to before posting them (untimed), to show what resolving costs
#     --tx-bench         also run TransactionBench after the load and check
#     --tx-only          run only TransactionBench on a fresh server (no Synthea)
# The server JVM gets the options `./radbridge serve` uses, with the heap raised to SYNTHEA_HEAP
# (default 2g) when Synthea bundles are loaded: its 320 MB heap cannot parse the biggest patient
# bundles (see bench/README.md). SERVER_JAVA_OPTS replaces all of that; SERVER_JAR runs another
# build of the server. SERVER_ARGS adds server arguments. SyntheaLoad and TransactionBench send the
# bootstrap administrator's token (BenchSupport, RADBRIDGE_ADMIN_CLIENT; see server.sh).
# BUNDLE_LIMITS are server arguments for the bundle limits (default: 50,000 entries, 256 MB; Synthea's
# biggest patient bundles are over the server's defaults of 10,000 entries and 64 MB); BUNDLE_LIMITS=
# (empty) runs with the server's defaults. KEEP=1 keeps the work directory (data, logs, Synthea
# output), which is otherwise kept only on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# bench_compile / bench_cp (the benchmarks' shared sources) and the token helper; this script keeps its
# own server helpers
# shellcheck source=bench/server.sh
. "$ROOT/bench/server.sh"
bench_compile TransactionBench
JAR=${SERVER_JAR:-$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar}
SYNTHEA_VERSION=3.3.0
POPULATION=50
SEED=42
SYNTHEA_DIR=""
CLIENTS=1
PREFER=minimal
TX_BENCH=""
SYNTHEA=1
LOAD_ARGS=()
TX_ARGS=()
BUNDLE_LIMITS=${BUNDLE_LIMITS---radbridge.limits.max-bundle-entries=50000 --radbridge.limits.max-bundle-body=256MB}
while (($#)); do
  case $1 in
    --population) POPULATION=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --synthea-dir) SYNTHEA_DIR=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --prefer) PREFER=$2; shift 2 ;;
    --resolve-refs) LOAD_ARGS+=(--resolve-refs); shift ;;
    --tx-bench) TX_BENCH=1; shift ;;
    --tx-only) TX_BENCH=1; SYNTHEA=""; shift ;;
    --) shift; TX_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (TransactionBench options go after --)" >&2; exit 2 ;;
  esac
done

command -v curl >/dev/null || { echo "synthea-load.sh needs curl" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-synthea.XXXXXX")
DATA=$WORK/data
SERVER_PID=""
CHILD_PID=""

# Everything printed also goes to bench/results/ (ignored by git) for later comparison.
mkdir -p "$ROOT/bench/results"
LOG=$ROOT/bench/results/synthea-$(date +%Y%m%d-%H%M%S).txt
exec > >(tee "$LOG") 2>&1

# Stops the server, then the PostgreSQL it started: pg_ctl detaches PostgreSQL from the JVM, so a
# JVM that dies without its shutdown hook (or is killed here) leaves PostgreSQL running.
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 300); do # graceful shutdown, which also stops PostgreSQL; up to 30 s
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
  local pidfile=$DATA/postgres/postmaster.pid pg
  if [[ -f $pidfile ]]; then
    pg=$(head -n 1 "$pidfile")
    # only if that pid still is our postmaster, not a stale file with a reused pid
    if [[ -n $pg ]] && grep -qaF -- "$DATA/postgres" "/proc/$pg/cmdline" 2>/dev/null; then
      kill -INT "$pg" 2>/dev/null || true # fast shutdown
      for _ in $(seq 300); do
        kill -0 "$pg" 2>/dev/null || break
        sleep 0.1
      done
    fi
  fi
}

cleanup() {
  local rc=$?
  if [[ -n $CHILD_PID ]]; then
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  stop_server
  if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then
    rm -rf "$WORK"
  else
    echo "work directory (data, server log, Synthea output) kept in $WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the background and waits for it, so a TERM to this script is handled at once
# (bash runs traps only between foreground commands).
run_child() {
  "$@" &
  CHILD_PID=$!
  local rc=0
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}

load() { cut -d ' ' -f 1-3 /proc/loadavg; }

# CPU seconds (user + system) used so far by the server JVM, and by its PostgreSQL: the postmaster,
# its live children (the pooled backends live as long as the server, so their time accumulates)
# and the children it has reaped (autovacuum workers and the like: cutime + cstime of the postmaster).
TICKS=$(getconf CLK_TCK)
cpu_of() { awk -v t="$TICKS" '{ s += $14 + $15 } END { printf "%.1f", s / t }' "$@" 2>/dev/null || echo 0; }
server_cpu() { cpu_of "/proc/$SERVER_PID/stat"; }
postgres_cpu() {
  local pg stats=()
  pg=$(head -n 1 "$DATA/postgres/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  for c in $(cat "/proc/$pg/task/$pg/children" 2>/dev/null); do stats+=("/proc/$c/stat"); done
  awk -v t="$TICKS" -v pg="$pg" '{ s += $14 + $15; if ($1 == pg) s += $16 + $17 } END { printf "%.1f", s / t }' \
    "/proc/$pg/stat" "${stats[@]}" 2>/dev/null || echo 0
}
cpu_report() { # $1 = label, $2/$3 = server/PostgreSQL CPU seconds at the start, $4 = wall seconds at the start
  awk -v l="$1" -v s="$(server_cpu)" -v s0="$2" -v p="$(postgres_cpu)" -v p0="$3" -v w="$(now_s)" -v w0="$4" 'BEGIN {
    printf "%s: server JVM %.1f s CPU, PostgreSQL %.1f s CPU in %.1f s (%.2f cores busy on average)\n",
      l, s - s0, p - p0, w - w0, (s - s0 + p - p0) / (w - w0) }'
}
now_s() { awk -v n="$(date +%s%N)" 'BEGIN { printf "%.3f", n / 1e9 }'; }

# ---- Synthea's class path, from the local Maven repository (offline first) ----
# (SyntheaLoad.java needs it too, for Gson.)
SYNTHEA_CP=$WORK/synthea.classpath
if [[ -n $SYNTHEA ]]; then
  mkdir -p "$WORK/cp"
  cat >"$WORK/cp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.bench</groupId><artifactId>synthea-classpath</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.mitre.synthea</groupId><artifactId>synthea</artifactId><version>$SYNTHEA_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  if ! (cd "$WORK/cp" && mvn -q -B -o dependency:build-classpath -Dmdep.outputFile="$SYNTHEA_CP" >"$WORK/cp/mvn.log" 2>&1); then
    echo "org.mitre.synthea:synthea:$SYNTHEA_VERSION is not complete in the local Maven repository; resolving it"
    (cd "$WORK/cp" && mvn -q -B dependency:build-classpath -Dmdep.outputFile="$SYNTHEA_CP")
  fi
fi

# ---- generate (offline: Synthea needs no network) ----
if [[ -n $SYNTHEA ]]; then
  OUT=${SYNTHEA_DIR:-$WORK/synthea}
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  if compgen -G "$OUT/fhir/*.json" >/dev/null; then
    echo "== reusing the Synthea bundles in $OUT/fhir"
  else
    echo "== generating $POPULATION living patients with Synthea $SYNTHEA_VERSION (seed $SEED) into $OUT"
    t0=$SECONDS
    # Fixed seeds and reference date: the same command gives the same population on any day.
    # App (default package) is Synthea's command-line main class (run_synthea).
    run_child env -C "$OUT" java -cp "$(cat "$SYNTHEA_CP")" App -s "$SEED" -cs "$SEED" -r 20250101 \
      -p "$POPULATION" \
      --exporter.baseDirectory="$OUT/" \
      --exporter.fhir.export=true --exporter.fhir.transaction_bundle=true \
      --exporter.hospital.fhir.export=true --exporter.practitioner.fhir.export=true \
      --exporter.fhir.bulk_data=false --exporter.ccda.export=false --exporter.csv.export=false \
      --exporter.text.export=false --exporter.metadata.export=false \
      Massachusetts >"$WORK/synthea.log" 2>&1 || { echo "Synthea failed; see $WORK/synthea.log" >&2; exit 1; }
    grep -E '^Records:' "$WORK/synthea.log" || true
    echo "generated in $((SECONDS - t0)) s"
  fi
fi

# ---- server ----
# A free port from 18600 up (run.sh uses 18080-18199, search-run.sh 18400-18499; 8080 is left alone).
PORT=18600
while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
  PORT=$((PORT + 1))
  ((PORT < 18700)) || { echo "no free port in 18600-18699" >&2; exit 1; }
done
BASE=http://127.0.0.1:$PORT/fhir

if [[ ! -f $JAR && -z ${SERVER_JAR:-} ]]; then
  echo "building $JAR"
  (cd "$ROOT" && mvn -q -B -DskipTests install)
fi
if ! unzip -Z1 "$JAR" 'BOOT-INF/classes/org/radbridge/server/bundle/BundleProcessor.class' >/dev/null 2>&1; then
  echo "$JAR has no transaction support (BundleProcessor); rebuild it: mvn -q -B -DskipTests install" >&2
  exit 1
fi
# A private copy of the jar, so a rebuild during the run cannot pull it away from the server.
cp "$JAR" "$WORK/server.jar"

# The JVM options of `./radbridge serve` (its DEFAULT_JAVA_OPTS), as bench/run.sh uses them, but
# with a heap large enough for the Synthea bundles, unless SERVER_JAVA_OPTS says otherwise.
JAVA_OPTS=${SERVER_JAVA_OPTS:-$(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/radbridge" 2>/dev/null || true)}
if [[ -z ${SERVER_JAVA_OPTS:-} && -n $SYNTHEA ]]; then
  JAVA_OPTS=$(sed -E "s/(^| )-Xmx[^ ]*//" <<<"$JAVA_OPTS")
  JAVA_OPTS="${JAVA_OPTS# } -Xmx${SYNTHEA_HEAP:-2g}"
fi

mkdir -p "$DATA"
echo "== starting the server on port $PORT (data in $DATA)"
# Word splitting of JAVA_OPTS and BUNDLE_LIMITS is intended.
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$WORK/server.jar" --radbridge.data-dir="$DATA" --server.port="$PORT" \
  --radbridge.bind-address=127.0.0.1 $BUNDLE_LIMITS ${SERVER_ARGS:-} >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
deadline=$((SECONDS + 180))
until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$BASE/metadata" || true) == 200 ]]; do
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited during start; see $WORK/server.log" >&2; exit 1; }
  ((SECONDS < deadline)) || { echo "server not ready after 180 s; see $WORK/server.log" >&2; exit 1; }
  sleep 0.05
done
bench_login "http://127.0.0.1:$PORT"
wait_writable "$BASE" "$WORK/server.log"
echo "server ready; JVM options: ${JAVA_OPTS:-none}; bundle limits: ${BUNDLE_LIMITS:-defaults of the server}${SERVER_ARGS:+; server arguments: $SERVER_ARGS}"

rc=0
if [[ -n $SYNTHEA ]]; then
  echo "== Synthea load, $(date -Is), $(nproc) CPUs, load average $(load)"
  c0=$(server_cpu) p0=$(postgres_cpu) w0=$(now_s)
  BENCH_CP=$(cat "$SYNTHEA_CP") bench_compile SyntheaLoad
  run_child env "$(bench_env)" java -cp "$(BENCH_CP=$(cat "$SYNTHEA_CP") bench_cp SyntheaLoad)" SyntheaLoad --base "$BASE" --dir "$OUT/fhir" \
    --clients "$CLIENTS" --prefer "$PREFER" "${LOAD_ARGS[@]}" || rc=$?
  echo "load average after the load: $(load)"
  cpu_report "Synthea load and check" "$c0" "$p0" "$w0"
  echo "server resident memory: $(awk '/^VmRSS:/ { printf "%.0f MB", $2 / 1024 }' "/proc/$SERVER_PID/status")"
fi

if [[ -n $TX_BENCH ]]; then
  echo "== TransactionBench, $(date -Is), load average $(load)"
  c0=$(server_cpu) p0=$(postgres_cpu) w0=$(now_s)
  run_child env "$(bench_env)" java -cp "$(bench_cp TransactionBench)" TransactionBench --base "$BASE" "${TX_ARGS[@]}" || rc=$?
  echo "load average after TransactionBench: $(load)"
  cpu_report "TransactionBench (warmups included)" "$c0" "$p0" "$w0"
fi

echo "output saved in $LOG"
stop_server
exit "$rc"
