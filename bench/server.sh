# Shared by the hand-run benchmark scripts (sourced, not run): start and stop a RadBridge server
# jar on a fresh data directory and a free port, wait for it, read its resident memory.
# The caller sets ROOT, WORK, DATA, and SERVER_PID="" before use, and calls stop_server on exit.

# The JVM options of `./radbridge serve` unless SERVER_JAVA_OPTS says otherwise.
server_java_opts() {
  echo "${SERVER_JAVA_OPTS:-$(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/radbridge" 2>/dev/null || true)}"
}

# A free port from $1 up (to $1 + 119), so a server already running elsewhere is left alone.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
    ((port < $1 + 120)) || { echo "no free port from $1" >&2; return 1; }
  done
  echo "$port"
}

# $1 = jar, $2 = port, $3 = log file, further arguments and then SERVER_ARGS (word split) go to the
# application (SERVER_ARGS=--radbridge.security.enabled=false for the on/off comparison, say).
start_server() {
  local jar=$1 port=$2 log=$3
  shift 3
  # shellcheck disable=SC2046,SC2086  # word splitting of the options is intended
  java $(server_java_opts) -jar "$jar" --radbridge.data-dir="$DATA" --server.port="$port" "$@" ${SERVER_ARGS:-} >"$log" 2>&1 &
  SERVER_PID=$!
}

# $1 = base URL, $2 = log file. Polls /metadata every 50 ms until 200, then gets a token (bench_login);
# fails if the server exits or after 180 s.
wait_ready() {
  local deadline=$((SECONDS + 180)) code
  while ((SECONDS < deadline)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$1/metadata" || true)
    [[ $code == 200 ]] && { bench_login "${1%/fhir}"; return; }
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited during start; see $2" >&2; return 1; }
    sleep 0.05
  done
  echo "server not ready after 180 s; see $2" >&2
  return 1
}

# $1 = base URL, $2 = log file. Waits until the server takes writes: /actuator/health/readiness
# answers 200 once its start-up work (shipped conformance resources, validator, directory) is done;
# before that, FHIR writes answer 503, HL7 v2 AR and C-STORE a transient failure. Up to 300 s.
wait_writable() {
  local deadline=$((SECONDS + 300))
  while ((SECONDS < deadline)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${1%/fhir}/actuator/health/readiness" || true) == 200 ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited during start; see $2" >&2; return 1; }
    sleep 0.1
  done
  echo "server not ready for writes after 300 s; see $2" >&2
  return 1
}

# Stops the server, then the PostgreSQL it started (pg_ctl detaches it from the JVM).
stop_server() {
  if [[ -n ${SERVER_PID:-} ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 300); do
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
    if [[ -n $pg ]] && grep -qaF -- "$DATA/postgres" "/proc/$pg/cmdline" 2>/dev/null; then
      kill -INT "$pg" 2>/dev/null || true
      for _ in $(seq 300); do
        kill -0 "$pg" 2>/dev/null || break
        sleep 0.1
      done
    fi
  fi
}

# What a hand-run bench script begins with (bench_begin NAME, after ROOT is set): a work directory
# ($WORK, $DATA), its output also in bench/results/NAME-<time>.txt, the server stopped and the work
# directory removed on exit (kept on failure or with KEEP=1), the server jar built when missing and
# copied to $WORK/server.jar, and the machine's state printed. (The older scripts still spell it out.)
bench_begin() {
  JAR=$ROOT/fhir-server/target/radbridge-fhir-server-0.1.0-SNAPSHOT.jar
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/radbridge-$1.XXXXXX")
  DATA=$WORK/data
  SERVER_PID=""
  mkdir -p "$ROOT/bench/results" "$DATA"
  exec > >(tee "$ROOT/bench/results/$1-$(date +%Y%m%d-%H%M%S).txt") 2>&1
  trap 'rc=$?; stop_server; if [[ $rc -eq 0 && -z ${KEEP:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  [[ -f $JAR ]] || (cd "$ROOT" && mvn -q -B -DskipTests install)
  cp "$JAR" "$WORK/server.jar"
  echo "$(date -Is), $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
  echo "JVM options: $(server_java_opts)"
}

# SQL against the running server's embedded PostgreSQL (its port from postmaster.pid, its password
# from the file the first start wrote): db_sql "SELECT …" prints the unaligned result.
db_sql() {
  local port
  port=$(sed -n 4p "$DATA/postgres/postmaster.pid")
  PGPASSWORD=$(cat "$DATA/postgres/radbridge-password") psql -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -At -F ' ' -c "$1"
}

# The audit trail's size: records, bytes on disk (tables and indexes of every month), bytes per
# record, and what a million requests would take (one record per request).
audit_size() {
  local rows bytes
  db_sql "SELECT 1 FROM audit_record LIMIT 1" >/dev/null 2>&1 || { echo "audit trail: not measured"; return 0; }
  rows=$(db_sql "SELECT count(*) FROM audit_record")
  bytes=$(db_sql "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'audit_record'::regclass")
  awk -v r="$rows" -v b="$bytes" 'BEGIN { printf "audit trail: %d records, %.1f MB on disk, %s bytes per record, %.0f MB per million requests\n",
    r, b / 1048576, (r > 0 ? sprintf("%.0f", b / r) : "-"), (r > 0 ? b / r : 0) }'
}

# The scripts' one token helper (security is on in every benchmark). The first start of a server
# writes its bootstrap administrator client to $DATA/admin-client.json; bench_login ORIGIN
# (http://127.0.0.1:PORT; wait_ready calls it) gets an access token of that client with
# client_secret_basic from the server at ORIGIN, and bench_token renews it a minute before it
# expires; auth_curl is curl with it. Without the file, RADBRIDGE_TOKEN is used as it is. The Java
# benches get the file as RADBRIDGE_ADMIN_CLIENT (bench_java, bench_env) and do the same
# themselves: BenchSupport.http(). A renewal inside $(...) is not kept, but is correct.
BENCH_TOKEN="" BENCH_TOKEN_UNTIL=0 BENCH_ORIGIN=""
bench_login() {
  BENCH_ORIGIN=$1 BENCH_TOKEN="" BENCH_TOKEN_UNTIL=0
  bench_token
}
bench_token() {
  [[ -n $BENCH_TOKEN ]] && ((SECONDS < BENCH_TOKEN_UNTIL)) && return 0
  local file=$DATA/admin-client.json answer
  if [[ ! -r $file ]]; then
    [[ -n ${RADBRIDGE_TOKEN:-} ]] || { echo "no $file and no RADBRIDGE_TOKEN: no token for $BENCH_ORIGIN" >&2; return 1; }
    BENCH_TOKEN=$RADBRIDGE_TOKEN BENCH_TOKEN_UNTIL=$((SECONDS + 86400))
    return 0
  fi
  # client_secret_basic; the secret goes to curl on stdin, not on its command line
  answer=$(printf 'user = "%s:%s"\n' "$(json_field client_id <"$file")" "$(json_field client_secret <"$file")" |
    curl -s --max-time 30 -K - -d grant_type=client_credentials --data-urlencode "scope=$(json_field scope <"$file")" \
      "$BENCH_ORIGIN$(json_field token_endpoint <"$file")" || true)
  BENCH_TOKEN=$(json_field access_token <<<"$answer" 2>/dev/null || true)
  [[ -n $BENCH_TOKEN ]] || { echo "no token from $BENCH_ORIGIN: $answer" >&2; return 1; }
  BENCH_TOKEN_UNTIL=$((SECONDS + $(json_field expires_in <<<"$answer") - 60))
}
auth_curl() {
  bench_token || return
  curl -H "Authorization: Bearer $BENCH_TOKEN" "$@"
}
# A top-level member ($1) of the JSON object on stdin; jq when installed, else python3.
json_field() {
  if command -v jq >/dev/null; then
    jq -r --arg f "$1" '.[$f] // empty'
  else
    python3 -c 'import json, sys; v = json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$1"
  fi
}
# Environment of a Java bench talking to the server on $DATA: the admin client file (BenchSupport).
bench_env() {
  echo "RADBRIDGE_ADMIN_CLIENT=$DATA/admin-client.json"
}

now_ns() { date +%s%N; }
seconds_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
rss_mb() {
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server is no longer running" >&2; return 1; }
  awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

# Compiles bench/$1.java with the benchmarks' shared sources (BenchSupport.java) into
# bench/target/$1; BENCH_CP adds a class path (the JDBC driver, the server's classes). Needs ROOT.
bench_compile() {
  local out="$ROOT/bench/target/$1"
  rm -rf "$out" && mkdir -p "$out"
  javac -nowarn -encoding UTF-8 -d "$out" ${BENCH_CP:+-cp "$BENCH_CP"} "$ROOT/bench/BenchSupport.java" "$ROOT/bench/$1.java" \
    2> >(grep -v '^Note:' >&2)
}

# The class path of a benchmark compiled by bench_compile.
bench_cp() {
  echo "$ROOT/bench/target/$1${BENCH_CP:+:$BENCH_CP}"
}

# Compiles and runs bench/$1.java with the remaining arguments (BENCH_JAVA_OPTS: JVM options).
bench_java() {
  local cls=$1
  shift
  bench_compile "$cls"
  # shellcheck disable=SC2086  # word splitting of the options is intended
  env "$(bench_env)" java ${BENCH_JAVA_OPTS:-} -cp "$(bench_cp "$cls")" "$cls" "$@"
}
