#!/usr/bin/env bash
# Hand-run search benchmark of the RadBridge FHIR server (not part of CI); see bench/README.md.
# For each database size: loads a radiology region through the server's own write path
# (bench/SearchLoad.java, no web server), starts the server on that data directory and a free port,
# runs bench/SearchBench.java against it, optionally captures EXPLAIN (ANALYZE, BUFFERS) of the SQL
# the server runs for each search, and stops everything. With both sizes it compares them at the end.
#
#   bench/search-run.sh [options] [-- SearchBench options]
#     --scales LIST  database sizes, comma separated: 1 = 100,000 Patients and 200,000 orders
#                    (ServiceRequest + ImagingStudy + DiagnosticReport each), 0.1 = a tenth (default 1,0.1)
#     --work DIR     work directory (data, values, logs); kept, and a size already loaded there is
#                    reused instead of loaded again (default: a new temporary directory, removed
#                    after a successful run unless KEEP=1)
#     --explain      also capture EXPLAIN (ANALYZE, BUFFERS) of each search's SQL (needs psql)
#     --no-bench     load (and explain) only
# The server JVM gets the options `./radbridge serve` uses unless SERVER_JAVA_OPTS says otherwise;
# SERVER_ARGS adds server arguments; LOAD_JAVA_OPTS adds JVM options to the loader; SERVER_JAR runs
# another build of the server (default fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar).
# SearchBench and the EXPLAIN requests send the bootstrap administrator's token (server.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# bench_compile / bench_cp (the benchmarks' shared sources); this script keeps its own server helpers
# shellcheck source=bench/server.sh
. "$ROOT/bench/server.sh"
bench_compile SearchBench
JAR=${SERVER_JAR:-$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar}
SCALES=1,0.1
WORK=""
EXPLAIN=""
BENCH=1
BENCH_ARGS=()
while (($#)); do
  case $1 in
    --scales) SCALES=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --explain) EXPLAIN=1; shift ;;
    --no-bench) BENCH=""; shift ;;
    --) shift; BENCH_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (SearchBench options go after --)" >&2; exit 2 ;;
  esac
done

command -v curl >/dev/null || { echo "search-run.sh needs curl" >&2; exit 1; }
if [[ -n $EXPLAIN ]]; then
  command -v psql >/dev/null || { echo "--explain needs psql" >&2; exit 1; }
fi
KEEP_WORK=${KEEP:-}
if [[ -z $WORK ]]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-search.XXXXXX")
else
  mkdir -p "$WORK"
  WORK=$(cd "$WORK" && pwd)
  KEEP_WORK=1
fi

# Everything printed also goes to bench/results/ (ignored by git) for later comparison.
mkdir -p "$ROOT/bench/results"
STAMP=$(date +%Y%m%d-%H%M%S)
LOG=$ROOT/bench/results/search-$STAMP.txt
exec > >(tee "$LOG") 2>&1

SERVER_PID=""
CHILD_PID=""
DATA_DIRS=()

# Stops the PostgreSQL of a data directory if it still runs: pg_ctl detaches PostgreSQL from the
# JVM, so a JVM that dies without its shutdown hook (or is killed here) leaves it running.
stop_pg() {
  local pidfile=$1/postgres/postmaster.pid pg
  [[ -f $pidfile ]] || return 0
  pg=$(head -n 1 "$pidfile")
  # only if that pid still is our postmaster, not a stale file with a reused pid
  if [[ -n $pg ]] && grep -qaF -- "$1/postgres" "/proc/$pg/cmdline" 2>/dev/null; then
    kill -INT "$pg" 2>/dev/null || true # fast shutdown
    for _ in $(seq 300); do
      kill -0 "$pg" 2>/dev/null || break
      sleep 0.1
    done
  fi
}

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
}

cleanup() {
  local rc=$?
  if [[ -n $CHILD_PID ]]; then
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  stop_server
  for d in "${DATA_DIRS[@]}"; do
    stop_pg "$d"
  done
  if [[ $rc -eq 0 && -z $KEEP_WORK ]]; then
    rm -rf "$WORK"
  else
    echo "work directory (data, values, logs) kept in $WORK" >&2
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

# A free port from 18400 up (run.sh uses 18080-18199; 8080 is left alone).
free_port() {
  local port=18400
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
    ((port < 18500)) || { echo "no free port in 18400-18499" >&2; return 1; }
  done
  echo "$port"
}

if [[ ! -f $JAR && -z ${SERVER_JAR:-} ]]; then
  echo "building $JAR"
  (cd "$ROOT" && mvn -q -B -DskipTests install)
fi

# A private copy of the jar, so a rebuild during the run cannot pull it away; the loader needs the
# application classes on a plain class path, which the extracted form gives (app jar + lib/).
if [[ ! -f $WORK/server.jar ]] || ! cmp -s "$JAR" "$WORK/server.jar"; then
  cp "$JAR" "$WORK/server.jar"
  rm -rf "$WORK/app"
fi
if [[ ! -d $WORK/app ]]; then
  java -Djarmode=tools -jar "$WORK/server.jar" extract --destination "$WORK/app" >/dev/null
fi
CLASSPATH_APP=$WORK/app/server.jar # its manifest's Class-Path names lib/*.jar

load_avg() { cut -d ' ' -f 1-3 /proc/loadavg; }

# The same JVM options as `./radbridge serve` (its DEFAULT_JAVA_OPTS), as bench/run.sh does, so the
# server is measured as it is run, unless SERVER_JAVA_OPTS says otherwise.
SERVER_OPTS=${SERVER_JAVA_OPTS:-$(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/radbridge" 2>/dev/null || true)}

# $1 = data dir, $2 = log file; DATA names the data directory of the running server (its admin client)
start_server() {
  PORT=$(free_port)
  BASE=http://127.0.0.1:$PORT/fhir
  DATA=$1
  # zonky logs PostgreSQL's own output at INFO; the server's default (WARN) would hide the
  # statement log that --explain turns on
  # shellcheck disable=SC2086
  java $SERVER_OPTS -jar "$WORK/server.jar" --radbridge.data-dir="$1" --server.port="$PORT" \
    --logging.level.io.zonky.test.db.postgres=INFO ${SERVER_ARGS:-} >"$2" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 300)) code
  while ((SECONDS < deadline)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$BASE/metadata" || true)
    [[ $code == 200 ]] && { bench_login "http://127.0.0.1:$PORT"; return; }
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited during start; see $2" >&2; return 1; }
    sleep 0.2
  done
  echo "server not ready after 300 s; see $2" >&2
  return 1
}

# $1 = psql port, $2... = psql arguments
pg() {
  local port=$1
  shift
  psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
}

# Captures EXPLAIN (ANALYZE, BUFFERS) of the SQL the server runs for each search.
# PostgreSQL's own log cannot be read from the server's output: zonky reads it from pg_ctl's pipe,
# which the JVM closes once pg_ctl has exited, so later log lines (statement logs among them) are
# lost. So this turns on PostgreSQL's logging collector (a file under the data directory) with
# ALTER SYSTEM and restarts the server; then, for each search, it sends a few untimed requests,
# turns statement logging on (log_min_duration_statement = 0) around one request fenced by marker
# statements, turns it off, and runs EXPLAIN (ANALYZE, BUFFERS) of each logged statement with its
# parameters substituted. The settings are reset at the end (effective at the next start).
# $1 = data dir, $2 = server log, $3 = values dir, $4 = output file
explain() {
  local data=$1 log=$2 values=$3 out=$4 pgport urls
  pgport=$(grep -o 'Embedded PostgreSQL ready on port [0-9]*' "$log" | tail -n 1 | awk '{print $NF}')
  [[ -n $pgport ]] || { echo "no PostgreSQL port in $log" >&2; return 1; }
  # every connection to the embedded PostgreSQL needs its password (kept in the cluster directory)
  PGPASSWORD=$(cat "$data/postgres/radbridge-password")
  export PGPASSWORD
  pg "$pgport" -c "ALTER SYSTEM SET logging_collector = on" -c "ALTER SYSTEM SET log_directory = 'log'" \
    -c "ALTER SYSTEM SET log_filename = 'explain.log'"
  stop_server
  stop_pg "$data"
  rm -f "$data/postgres/log/explain.log"
  start_server "$data" "$log.explain"
  pgport=$(grep -o 'Embedded PostgreSQL ready on port [0-9]*' "$log.explain" | tail -n 1 | awk '{print $NF}')
  # SearchBench options given after -- apply here too (--searches picks the searches to explain)
  urls=$(java -cp "$(bench_cp SearchBench)" SearchBench --values "$values" --base "$BASE" "${BENCH_ARGS[@]}" --urls)
  {
    echo "EXPLAIN (ANALYZE, BUFFERS) of the statements the server ran for one request of each search,"
    echo "captured $(date -Is), load average $(load_avg)."
    echo
  } >"$out"
  while IFS=$'\t' read -r name url; do
    # untimed requests first: the JIT, and pgjdbc's server-side prepare after prepareThreshold (5)
    for _ in $(seq 20); do auth_curl -s -o /dev/null -H 'Accept: application/fhir+json' "$url"; done
    local mark="radbridge-explain-$name-$RANDOM$RANDOM"
    pg "$pgport" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    # the marker statements fence this search's statements in the log
    pg "$pgport" -c "SELECT '$mark-begin'" >/dev/null
    auth_curl -s -o /dev/null -H 'Accept: application/fhir+json' "$url"
    pg "$pgport" -c "SELECT '$mark-end'" >/dev/null
    pg "$pgport" -c "ALTER SYSTEM SET log_min_duration_statement = -1" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    {
      echo "### $name: \`GET ${url#"$BASE"}\`"
      echo
    } >>"$out"
    # SearchBench turns the logged statements between the markers into runnable EXPLAIN statements
    java -cp "$(bench_cp SearchBench)" SearchBench --explain-sql "$data/postgres/log/explain.log" "$mark" \
      >"$WORK/explain-$name.sql"
    while IFS= read -r stmt; do
      [[ -n $stmt ]] || continue
      {
        echo '```sql'
        echo "${stmt#EXPLAIN (ANALYZE, BUFFERS) }"
        echo '```'
        echo
        echo '```'
        pg "$pgport" -A -t -c "$stmt"
        echo '```'
        echo
      } >>"$out"
    done <"$WORK/explain-$name.sql"
  done <<<"$urls"
  pg "$pgport" -c "ALTER SYSTEM RESET ALL"
  echo "EXPLAIN output in $out"
}

echo "$(date -Is), $(nproc) CPUs, load average $(load_avg)"
echo "server jar $JAR built $(date -Is -r "$JAR"), server JVM options: ${SERVER_OPTS:-none}${SERVER_ARGS:+, server arguments: $SERVER_ARGS}"
IFS=',' read -r -a scale_list <<<"$SCALES"
saved=()
bench_rc=0
for scale in "${scale_list[@]}"; do
  dir=$WORK/scale-$scale
  data=$dir/data
  values=$dir/values
  mkdir -p "$dir"
  DATA_DIRS+=("$data")
  if [[ -f $values/load.txt ]]; then
    echo "== scale $scale: database already loaded in $data"
    cat "$values/load.txt"
  else
    rm -rf "$data" "$values"
    echo "== scale $scale: loading into $data (load average $(load_avg))"
    # shellcheck disable=SC2086
    run_child java ${LOAD_JAVA_OPTS:-} -cp "$CLASSPATH_APP" "$ROOT/bench/SearchLoad.java" \
      --data-dir "$data" --out "$values" --scale "$scale" --logging.level.root=WARN
    stop_pg "$data" # normally stopped by the loader already
  fi
  echo "== scale $scale: starting the server (load average $(load_avg))"
  start_server "$data" "$dir/server.log"
  echo "server ready on port $PORT"
  if [[ -n $BENCH ]]; then
    out=$ROOT/bench/results/search-$STAMP-scale-$scale.tsv
    run_child env "$(bench_env)" java -cp "$(bench_cp SearchBench)" SearchBench --base "$BASE" --values "$values" \
      --server-pid "$SERVER_PID" --postgres-pid "$(head -n 1 "$data/postgres/postmaster.pid")" \
      --label "scale $scale ($(tr '\n' ' ' <"$values/load.txt" | sed 's/ $//'))" --out "$out" \
      "${BENCH_ARGS[@]}" || bench_rc=$?
    saved+=("$out")
  fi
  if [[ -n $EXPLAIN ]]; then
    explain "$data" "$dir/server.log" "$values" "$ROOT/bench/results/search-$STAMP-scale-$scale-explain.md"
  fi
  stop_server
  stop_pg "$data"
done

if ((${#saved[@]} >= 2)); then
  echo "== full database (${scale_list[0]}) against the smaller one (${scale_list[1]})"
  java -cp "$(bench_cp SearchBench)" SearchBench --compare "${saved[0]}" "${saved[1]}"
fi
echo "load average at the end: $(load_avg)"
echo "output saved in $LOG"
exit "$bench_rc"
