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

# $1 = jar, $2 = port, $3 = log file, further arguments go to the application.
start_server() {
  local jar=$1 port=$2 log=$3
  shift 3
  # shellcheck disable=SC2046  # word splitting of the options is intended
  java $(server_java_opts) -jar "$jar" --radbridge.data-dir="$DATA" --server.port="$port" "$@" >"$log" 2>&1 &
  SERVER_PID=$!
}

# $1 = base URL, $2 = log file. Polls /metadata every 50 ms until 200; fails if the server exits or after 180 s.
wait_ready() {
  local deadline=$((SECONDS + 180)) code
  while ((SECONDS < deadline)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$1/metadata" || true)
    [[ $code == 200 ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited during start; see $2" >&2; return 1; }
    sleep 0.05
  done
  echo "server not ready after 180 s; see $2" >&2
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
  java ${BENCH_JAVA_OPTS:-} -cp "$(bench_cp "$cls")" "$cls" "$@"
}
