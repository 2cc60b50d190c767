#!/usr/bin/env bash
# `make bench`: the proxy's cache hits side by side with redis-server, twemproxy and Webdis, in one
# run, on this machine. Prints one table (medians of BENCH_ROUNDS alternating rounds) and writes it
# to bench/results/latest.md, the raw rounds to latest.csv and a chart to latest.svg (a BENCH_LOADS
# run: latest-loads.md and .csv).
# Everything binds to 127.0.0.1, every load is bounded, and what the script starts it stops by PID.
# Needs redis-tools (redis-benchmark) and wrk; twemproxy (nutcracker), webdis and gnuplot-nox are
# optional (their bars are skipped when missing):
#   apt-get install redis-tools wrk nutcracker webdis gnuplot-nox
# Knobs: BENCH_ROUNDS (3), BENCH_QUICK=1 (1 round, small loads, no JMH), BENCH_REQUESTS,
# BENCH_WRK_SECONDS, BENCH_HEAP, BENCH_JVM_OPTS (the proxy's JVM options, for A/B runs),
# BENCH_ONLY=cluster (only the Redis Cluster rows; they also run at the end of a full run),
# BENCH_ONLY=http (only the HTTP rows, beside Webdis), BENCH_BURST (400 clients in the burst row),
# BENCH_PORTS (moves every default port by that much, like the A/B scripts' AB_PORTS, so that a
# check of some rows can run beside another bench), BENCH_LOADS (some rows only, see LOADS).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  ROUNDS=1; REQUESTS=${BENCH_REQUESTS:-50000}; WRK_SECONDS=${BENCH_WRK_SECONDS:-2}; ALLOC_SCALE=10
else
  ROUNDS=${BENCH_ROUNDS:-3}; REQUESTS=${BENCH_REQUESTS:-500000}; WRK_SECONDS=${BENCH_WRK_SECONDS:-10}; ALLOC_SCALE=1
fi
CLIENTS=50
OFFSET=${BENCH_PORTS:-0}
REDIS_PORT=${BENCH_REDIS_PORT:-$((16379 + OFFSET))}
HTTP_PORT=${BENCH_HTTP_PORT:-$((18080 + OFFSET))}
RESP_PORT=${BENCH_RESP_PORT:-$((16380 + OFFSET))}
PASS_HTTP_PORT=$((HTTP_PORT + 1)); PASS_RESP_PORT=$((RESP_PORT + 1))
TRACK_HTTP_PORT=$((HTTP_PORT + 2)); TRACK_RESP_PORT=$((RESP_PORT + 2))
MEM_HTTP_PORT=$((HTTP_PORT + 3)); MEM_RESP_PORT=$((RESP_PORT + 3))
TWEMPROXY_PORT=${BENCH_TWEMPROXY_PORT:-$((16390 + OFFSET))}; TWEMPROXY_STATS_PORT=$((TWEMPROXY_PORT + 1))
# Three cluster masters on CLUSTER_PORT..+2; their buses listen 10000 higher (redis-server 6.2).
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-$((17000 + OFFSET))}
CLUSTER_HTTP_PORT=$((HTTP_PORT + 4)); CLUSTER_RESP_PORT=$((RESP_PORT + 4))
CLUSTER_MISS_HTTP_PORT=$((HTTP_PORT + 5)); CLUSTER_MISS_RESP_PORT=$((RESP_PORT + 5))
# A proxy holding 8,000 of the 10,000 keys read uniformly: about 80% hits, the rest misses.
MIX_HTTP_PORT=$((HTTP_PORT + 6)); MIX_RESP_PORT=$((RESP_PORT + 6))
# The HTTP/2 row's proxy: h2c is off by default (it costs every new connection), so one of its own.
H2_HTTP_PORT=$((HTTP_PORT + 7)); H2_RESP_PORT=$((RESP_PORT + 7))
# pekko-http alone (BarePekkoHttp: the proxy's Pekko settings, a prebuilt answer, no routes, no cache):
# the ceiling the connection-per-request and burst rows are held against (issue 25).
BARE_HTTP_PORT=$((HTTP_PORT + 8))
WEBDIS_PORT=${BENCH_WEBDIS_PORT:-$((18090 + OFFSET))}
HEAP=${BENCH_HEAP:-1g}
BENCH_JVM_OPTS=${BENCH_JVM_OPTS:-"-Xms$HEAP -Xmx$HEAP -XX:+UseParallelGC"}
RUN_DIR=target/bench
OUT_DIR=bench/results
RAW_CSV=$RUN_DIR/rounds.csv
PROXY_JAR=$RUN_DIR/redis-proxy.jar
mkdir -p "$RUN_DIR" "$OUT_DIR"

# The load commands, printed verbatim under the table: PORT, P, N and URL are filled in per row.
RESP_LOAD="redis-benchmark -h 127.0.0.1 -p PORT -t get -r 10000 -d 100 -c $CLIENTS -P P -n N --csv"
# Writes, forwarded by the proxy: SET on keys of their own (SET on the GET rows' keys would empty
# the cache those rows read), INCR on redis-benchmark's own counter keys.
WRITE_LOAD="redis-benchmark -h 127.0.0.1 -p PORT -r 10000 -c $CLIENTS -P P -n N --csv"
declare -A WRITE_COMMAND=([set]="SET write:__rand_int__ 0123456789" [incr]="INCR counter:__rand_int__"
  [lpush]="LPUSH list:__rand_int__ 0123456789" [hset]="HSET fields:__rand_int__ f 0123456789")
# The ACL rows log in as this user (made by add_acl_user), whose key patterns cover every family the
# loads touch: each cached hit checks them, as it would for a real application's user.
ACL_LOGIN="--user bench-acl -a bench-acl-password"
# Reads of collections, cached as whole replies (issue 24): 1,000 hashes of 10 fields, 1,000 sorted
# sets of 20 members, seeded by seed_collections.
READ_LOAD="redis-benchmark -h 127.0.0.1 -p PORT -r 1000 -c $CLIENTS -P P -n N --csv"
declare -A READ_COMMAND=([hgetall]="HGETALL hash:__rand_int__" [zrange]="ZRANGE zset:__rand_int__ 0 9 WITHSCORES")
HTTP_LOAD="wrk -t1 -c$CLIENTS -d${WRK_SECONDS}s --latency -s SCRIPT URL"
# A new connection per request: the same wrk with this header (the server closes after each answer).
CLOSE_HEADER="Connection: close"
# BURST clients connecting at the same moment, each one GET with Connection: close (ConnectBurst).
BURST=${BENCH_BURST:-400}
BURST_LOAD="java -cp target/bench/redis-proxy.jar:target/test-classes com.redisproxy.bench.ConnectBurst PORT $BURST PATH"
# HTTP/2 over cleartext (prior knowledge): few connections, many streams each, the 10,000 keys in turn.
H2_CONNECTIONS=5; H2_STREAMS=32
H2_LOAD="h2load -c $H2_CONNECTIONS -m $H2_STREAMS -n N -i $RUN_DIR/h2-uris.txt"

# ---------------------------------------------------------------------------------------------
# Processes: each one started is remembered by PID and stopped on exit, whatever happens.

pids=()
redis_by_script=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$redis_by_script" = 1 ]; then scripts/local-redis.sh stop "$REDIS_PORT" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1200); do port_open "$1" && return 0; sleep 0.05; done; echo "port $1 not up within 60 s" >&2; exit 1; }
require_free() { for p in "$@"; do if port_open "$p"; then echo "port $p is taken; set BENCH_*_PORT" >&2; exit 1; fi; done; }
have() { command -v "$1" >/dev/null; }

check_tools() {
  for tool in redis-benchmark wrk; do
    have "$tool" || { echo "$tool is missing: apt-get install redis-tools wrk" >&2; exit 1; }
  done
  have nutcracker || echo "nutcracker (twemproxy) is missing: its bars are skipped" >&2
  have webdis || echo "webdis is missing: its bars are skipped" >&2
  have h2load || echo "h2load is missing (apt-get install nghttp2-client): the HTTP/2 row is skipped" >&2
  copy_jar
}

copy_jar() {
  [ -f target/redis-proxy.jar ] && [ -d target/test-classes/com/redisproxy/bench ] || mvn -B -q package -DskipTests
  # A copy: others rebuilding target/ during the run must not change the jar under a running proxy.
  cp target/redis-proxy.jar "$PROXY_JAR"
  JAR_BUILT=$(date -u -r target/redis-proxy.jar '+%Y-%m-%d %H:%M UTC')
}

# The installed redis-server (the version redis-benchmark comes with) when there is one; else the
# embedded-redis binary that `make run` uses, started and stopped through its script.
start_redis() {
  if have redis-server; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize no \
      --logfile "$PWD/$RUN_DIR/redis.log" &
    pids+=($!)
    wait_port "$REDIS_PORT"
  else
    scripts/local-redis.sh start "$REDIS_PORT" >/dev/null
    redis_by_script=1
  fi
  REDIS_VERSION=$(redis-cli -p "$REDIS_PORT" info server | tr -d '\r' | awk -F: '$1 == "redis_version" { print $2 }')
}

seed_keys() {
  echo "Seeding 10,000 keys of 100 bytes (key:000000000000 ... key:000000009999)"
  redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
}

seed_collections() {
  echo "Seeding 1,000 hashes of 10 fields (hash:000000000000 ...) and 1,000 sorted sets of 20 members (zset:...)"
  redis-cli -p "$REDIS_PORT" EVAL "for i = 0, 999 do
      local hash = string.format('hash:%012d', i)
      local zset = string.format('zset:%012d', i)
      for f = 1, 10 do redis.call('HSET', hash, 'field-' .. f, 'value-' .. f .. '-of-' .. i) end
      for m = 1, 20 do redis.call('ZADD', zset, m * 1.5, 'member-' .. m) end
    end
    return 1" 0 >/dev/null
}

# The ACL rows' user: one key pattern per key family the loads touch.
ACL_RULES="bench-acl on >bench-acl-password ~key:* ~write:* ~counter:* ~list:* ~fields:* ~hash:* ~zset:* +@all"
add_acl_user() {
  # shellcheck disable=SC2086
  redis-cli -p "$REDIS_PORT" ACL SETUSER $ACL_RULES >/dev/null
}

# What the proxy weighs its cache at (INFO proxy cache_bytes), for the bytes a cached reply costs.
cache_bytes() { redis-cli -p "$1" INFO proxy | tr -d '\r' | awk -F: '$1 == "cache_bytes" { print $2 }'; }

# Settings the proxy would read from an inherited environment (a password, TLS, another Redis):
# dropped, so every proxy starts only with what start_proxy gives it.
inherited_proxy_env() { compgen -e | grep -E '^(PROXY_|CACHE_|REDIS_|GLOBAL_CACHE_)' | sed 's/^/-u /' || true; }

declare -A PROXY_PID
start_proxy() { # name http-port resp-port capacity [invalidation [redis-address]]
  # shellcheck disable=SC2046,SC2086
  env $(inherited_proxy_env) PROXY_HOST=127.0.0.1 PROXY_PORT=$2 PROXY_RESP_PORT=$3 CACHE_CAPACITY=$4 \
    CACHE_INVALIDATION=${5:-none} REDIS_ADDRESS=${6:-127.0.0.1:$REDIS_PORT} GLOBAL_CACHE_EXPIRY=3600 \
    PROXY_HTTP_H2C=${PROXY_H2C:-off} \
    java $BENCH_JVM_OPTS "-Xlog:gc,gc+heap:file=$RUN_DIR/gc-$1.log" -jar "$PROXY_JAR" \
    >"$RUN_DIR/proxy-$1.log" 2>&1 &
  pids+=($!); PROXY_PID[$1]=$!
  wait_port "$2"; wait_port "$3"
}

start_twemproxy() {
  have nutcracker || return 0
  cat >"$RUN_DIR/twemproxy.yml" <<EOF
bench:
  listen: 127.0.0.1:$TWEMPROXY_PORT
  redis: true
  hash: fnv1a_64
  distribution: ketama
  servers:
    - 127.0.0.1:$REDIS_PORT:1
EOF
  nutcracker -c "$RUN_DIR/twemproxy.yml" -s "$TWEMPROXY_STATS_PORT" -a 127.0.0.1 -v 4 \
    -o "$RUN_DIR/twemproxy.log" -p "$PWD/$RUN_DIR/twemproxy.pid" &
  pids+=($!)
  wait_port "$TWEMPROXY_PORT"
}

start_bare_pekko_http() {
  java $BENCH_JVM_OPTS -cp "$PROXY_JAR":target/test-classes com.redisproxy.bench.BarePekkoHttp "$BARE_HTTP_PORT" \
    >"$RUN_DIR/pekko-http-alone.log" 2>&1 &
  pids+=($!)
  wait_port "$BARE_HTTP_PORT"
}

start_webdis() {
  have webdis || return 0
  # Two threads like Debian's default config; no daemon, so that its PID is ours to stop.
  cat >"$RUN_DIR/webdis.json" <<EOF
{ "redis_host": "127.0.0.1", "redis_port": $REDIS_PORT, "redis_auth": null,
  "http_host": "127.0.0.1", "http_port": $WEBDIS_PORT, "threads": 2,
  "daemonize": false, "database": 0, "verbosity": 1, "logfile": "$PWD/$RUN_DIR/webdis.log" }
EOF
  webdis "$RUN_DIR/webdis.json" >>"$RUN_DIR/webdis.log" 2>&1 &
  pids+=($!)
  wait_port "$WEBDIS_PORT"
}

# One GET through every target before any load: a wrong reply would make its figures meaningless.
check_replies() {
  local port
  for port in "$REDIS_PORT" "$RESP_PORT" ${TARGET_PORT[twemproxy]:-}; do
    [ "$(redis-cli -p "$port" get key:000000000001 | wc -c)" = 101 ] || { echo "no 100-byte GET reply on port $port" >&2; exit 1; }
  done
  # shellcheck disable=SC2086
  [ "$(redis-cli -p "$RESP_PORT" $ACL_LOGIN get key:000000000001 2>/dev/null | wc -c)" = 101 ] ||
    { echo "no 100-byte GET reply as the ACL user on port $RESP_PORT" >&2; exit 1; }
  curl -sf "http://127.0.0.1:$HTTP_PORT/proxy?key=key:000000000001" >/dev/null || { echo "proxy HTTP GET fails" >&2; exit 1; }
  if [ -n "${TARGET_PORT[webdis]:-}" ]; then
    curl -sf "http://127.0.0.1:$WEBDIS_PORT/GET/key:000000000001" | grep -q '"GET"' || { echo "Webdis GET fails" >&2; exit 1; }
  fi
}

# ---------------------------------------------------------------------------------------------
# Loads: each prints "req/s p50_ms p99_ms".

resp_load() { # port pipeline requests [login...]
  local cmd=${RESP_LOAD/PORT/$1}; cmd=${cmd/-P P/-P $2}; cmd=${cmd/-n N/-n $3}
  # --csv: "test","rps","avg","min","p50","p95","p99","max" (ms); CONFIG GET refusals go to stderr.
  # shellcheck disable=SC2068
  $cmd ${@:4} 2>/dev/null | tr -d '"\r' | awk -F, '$1 == "GET" { print $2, $5, $7 }'
}

write_load() { # port pipeline set|incr|lpush|hset requests [login...]
  local cmd=${WRITE_LOAD/PORT/$1}; cmd=${cmd/-P P/-P $2}; cmd=${cmd/-n N/-n $4}
  # With a command of its own, redis-benchmark names the CSV row by the whole command.
  # shellcheck disable=SC2086
  $cmd "${@:5}" ${WRITE_COMMAND[$3]} 2>/dev/null | tr -d '"\r' | awk -F, 'NR > 1 && $2 + 0 > 0 { print $2, $5, $7 }'
}

read_load() { # port pipeline requests hgetall|zrange
  local cmd=${READ_LOAD/PORT/$1}; cmd=${cmd/-P P/-P $2}; cmd=${cmd/-n N/-n $3}
  # shellcheck disable=SC2086
  $cmd ${READ_COMMAND[$4]} 2>/dev/null | tr -d '"\r' | awk -F, 'NR > 1 && $2 + 0 > 0 { print $2, $5, $7 }'
}

to_ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000; printf "%.3f\n", v }'; }

WRK_REQUESTS=0
wrk_load() { # url script [seconds [more wrk arguments...]]
  local cmd=${HTTP_LOAD/SCRIPT/$2}; cmd=${cmd/URL/$1}; cmd=${cmd/-d${WRK_SECONDS}s/-d${3:-$WRK_SECONDS}s}
  local out; out=$($cmd "${@:4}")
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then echo "wrk against $1: $(grep -E 'Non-2xx|Socket errors' <<<"$out")" >&2; fi
  WRK_REQUESTS=$(awk '/requests in/ { print $1 }' <<<"$out")
  echo "$(awk '/Requests\/sec/ { print $2 }' <<<"$out") $(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms) $(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)"
}

burst_load() { # port path -> "clients/s p50_ms last_ms": the rate is BURST over the time to the last answer
  local cmd=${BURST_LOAD/PORT/$1}; cmd=${cmd/PATH/$2}
  local p50 last failed; read -r p50 last failed <<<"$($cmd)"
  [ "$failed" = 0 ] || echo "burst against $1: $failed of $BURST connections got no 200" >&2
  awk -v n="$BURST" -v p50="$p50" -v last="$last" 'BEGIN { printf "%.1f %s %s\n", n / (last / 1000), p50, last }'
}

h2_uris() { # the 10,000 keys as h2load -i reads them: the first line's scheme, host and port serve for all
  awk -v port="$H2_HTTP_PORT" 'BEGIN { for (i = 0; i < 10000; i++) printf "http://127.0.0.1:%s/proxy?key=key:%012d\n", port, i }' \
    >"$RUN_DIR/h2-uris.txt"
}

h2_load() { # requests -> "req/s mean_ms -": h2load reports min, max, mean and sd, not percentiles
  local cmd=${H2_LOAD/-n N/-n $1} out
  out=$($cmd)
  grep -qE 'succeeded, 0 failed, 0 errored, 0 timeout' <<<"$out" || echo "h2load: $(grep -E '^requests:' <<<"$out")" >&2
  echo "$(awk '/^finished in/ { print $4 }' <<<"$out") $(awk '/^time for request:/ { print $6 }' <<<"$out" | to_ms) -"
}

# ---------------------------------------------------------------------------------------------
# GC figures from the proxy's unified GC log: GC ids are the marks, "Pause" lines the pauses and
# the gc+heap "Eden: <before>K" lines what was allocated since the GC before.

last_gc_id() { # name -> id of the newest GC in the log, -1 before the first
  { grep -oE 'GC\([0-9]+\)' "$RUN_DIR/gc-$1.log" || true; } | tail -1 | tr -dc '0-9' | sed 's/^$/-1/'
}
gc_pauses_since() { # name id -> "count max_ms"
  awk -v after="$2" '/ Pause / { match($0, /GC\([0-9]+\)/); id = substr($0, RSTART + 3, RLENGTH - 4) + 0
      if (id > after) { n++; ms = $NF; sub(/ms$/, "", ms); if (ms + 0 > max) max = ms + 0 } }
    END { printf "%d %.1f\n", n, max }' "$RUN_DIR/gc-$1.log"
}
eden_bytes_since() { # name id -> bytes allocated in eden by the GCs after id
  awk -v after="$2" '/Eden: / { match($0, /GC\([0-9]+\)/); id = substr($0, RSTART + 3, RLENGTH - 4) + 0
      if (id > after) { match($0, /Eden: [0-9]+K/); sum += substr($0, RSTART + 6, RLENGTH - 7) * 1024 } }
    END { printf "%.0f\n", sum }' "$RUN_DIR/gc-$1.log"
}

# ---------------------------------------------------------------------------------------------
# The measured rounds. A row is one load against one target; each round runs every row once.

LOADS=(resp-p1 resp-p16 resp-miss-p1 resp-miss-p16 resp-mix-p1 resp-mix-p16 http http-close http-burst http2
  resp-hgetall-p1 resp-hgetall-p16 resp-zrange-p1 resp-zrange-p16 resp-acl-p1 resp-acl-p16)
# Forwarded writes, as the default user and as an ACL user, at -P 1 and -P 16 (issue 22).
for write in set incr lpush hset; do
  for p in 1 16; do LOADS+=("resp-$write-p$p" "resp-acl-$write-p$p"); done
done
# BENCH_LOADS="resp-hgetall-p1 resp-zrange-p16" runs only those rows and none of the figures after
# the table (allocation, miss latency, cluster, JMH): a check of some rows, not a whole report.
[ -n "${BENCH_LOADS:-}" ] && read -r -a LOADS <<<"$BENCH_LOADS"
declare -A LOAD_LABEL=([resp-p1]="RESP GET -P 1" [resp-p16]="RESP GET -P 16"
  [resp-miss-p1]="RESP GET -P 1, every GET a miss" [resp-miss-p16]="RESP GET -P 16, every GET a miss"
  [resp-mix-p1]="RESP GET -P 1, about 80% hits" [resp-mix-p16]="RESP GET -P 16, about 80% hits"
  [http]="HTTP GET, 10,000 keys" [http-close]="HTTP GET, a new connection per request"
  [http-burst]="$BURST connects at once, one GET each (req/s: $BURST over the last answer's time; p99: the last)"
  [http2]="HTTP/2 GET (h2c, h2load -c $H2_CONNECTIONS -m $H2_STREAMS; Webdis: HTTP/1.1 keep-alive; p50: mean)" [resp-acl-p1]="RESP GET -P 1, as an ACL user" [resp-acl-p16]="RESP GET -P 16, as an ACL user"
  [resp-hgetall-p1]="RESP HGETALL (10 fields) -P 1" [resp-hgetall-p16]="RESP HGETALL (10 fields) -P 16"
  [resp-zrange-p1]="RESP ZRANGE 0 9 WITHSCORES -P 1" [resp-zrange-p16]="RESP ZRANGE 0 9 WITHSCORES -P 16")
declare -A LOAD_BASE=([resp-p1]=redis-server [resp-p16]=redis-server [resp-miss-p1]=redis-server
  [resp-miss-p16]=redis-server [resp-mix-p1]=redis-server [resp-mix-p16]=redis-server [http]=webdis [http-close]=webdis [http-burst]=webdis [http2]=webdis
  [resp-acl-p1]=redis-server [resp-acl-p16]=redis-server [resp-hgetall-p1]=redis-server [resp-hgetall-p16]=redis-server
  [resp-zrange-p1]=redis-server [resp-zrange-p16]=redis-server)
for write in set incr lpush hset; do
  for p in 1 16; do
    LOAD_LABEL[resp-$write-p$p]="RESP ${write^^} -P $p, forwarded"
    LOAD_LABEL[resp-acl-$write-p$p]="RESP ${write^^} -P $p, forwarded, as an ACL user"
    LOAD_BASE[resp-$write-p$p]=redis-server; LOAD_BASE[resp-acl-$write-p$p]=redis-server
  done
done
declare -A TARGET_PORT
declare -A SERVER_LABEL=([redis-server]="redis-server" [proxy]="proxy, cache hits" [twemproxy]="twemproxy" [webdis]="Webdis"
  [proxy-miss]="proxy, capacity 0" [proxy-mix]="proxy, capacity 8,000" [pekko-http]="pekko-http alone, a prebuilt answer"
  [proxy-default]="proxy, cache hits, default user")

targets_of() { # load -> the targets present for it, in the order of the first round
  case $1 in
    resp-miss-*) echo redis-server proxy-miss ${TARGET_PORT[twemproxy]:+twemproxy} ;;
    resp-mix-*) echo redis-server proxy-mix ${TARGET_PORT[twemproxy]:+twemproxy} ;;
    # The ACL user's hits beside the default user's on the same proxy, in turn: the goal compares these two.
    resp-acl-p1 | resp-acl-p16) echo redis-server proxy proxy-default ;;
    resp-acl-*) echo redis-server proxy ;; # twemproxy logs in with one password, never as a user
    resp-*) echo redis-server proxy ${TARGET_PORT[twemproxy]:+twemproxy} ;;
    http2) have h2load && echo proxy ${TARGET_PORT[webdis]:+webdis} ;;
    http-close | http-burst) echo proxy pekko-http ${TARGET_PORT[webdis]:+webdis} ;;
    http*) echo proxy ${TARGET_PORT[webdis]:+webdis} ;;
  esac
}

rotate() { # k words... -> the words rotated left by k, so that no target always goes first
  local k=$1; shift; local n=$#; local words=("$@")
  for i in $(seq 0 $((n - 1))); do printf '%s ' "${words[$(((i + k) % n))]}"; done
}

write_of() { # resp-acl-lpush-p16 -> lpush
  local w=${1#resp-}; w=${w#acl-}; echo "${w%-p*}"
}

run_row() { # round load target -> appends one CSV line
  local round=$1 load=$2 target=$3 port=${TARGET_PORT[$3]} figures mark gc proxy_log=hits login=$ACL_LOGIN
  [ "$load" = http2 ] && proxy_log=h2 # its own proxy, with h2c on
  [ "$target" = proxy-default ] && login="" # the ACL rows' other proxy target: the same proxy, never logged in
  [[ $target == proxy || $target == proxy-default ]] && mark=$(last_gc_id "$proxy_log")
  case $load in
    resp-p1) figures=$(resp_load "$port" 1 "$REQUESTS") ;;
    resp-p16) figures=$(resp_load "$port" 16 "$((REQUESTS * 4))") ;;
    resp-miss-p1 | resp-mix-p1) figures=$(resp_load "$port" 1 "$REQUESTS") ;;
    resp-miss-p16 | resp-mix-p16) figures=$(resp_load "$port" 16 "$((REQUESTS * 2))") ;;
    resp-hgetall-p1) figures=$(read_load "$port" 1 "$REQUESTS" hgetall) ;;
    resp-hgetall-p16) figures=$(read_load "$port" 16 "$((REQUESTS * 2))" hgetall) ;;
    resp-zrange-p1) figures=$(read_load "$port" 1 "$REQUESTS" zrange) ;;
    resp-zrange-p16) figures=$(read_load "$port" 16 "$((REQUESTS * 2))" zrange) ;;
    resp-acl-p1) figures=$(resp_load "$port" 1 "$REQUESTS" $login) ;;
    resp-acl-p16) figures=$(resp_load "$port" 16 "$((REQUESTS * 4))" $login) ;;
    resp-acl-*-p1) figures=$(write_load "$port" 1 "$(write_of "$load")" "$((REQUESTS / 2))" $ACL_LOGIN) ;;
    resp-acl-*-p16) figures=$(write_load "$port" 16 "$(write_of "$load")" "$((REQUESTS * 2))" $ACL_LOGIN) ;;
    resp-*-p1) figures=$(write_load "$port" 1 "$(write_of "$load")" "$((REQUESTS / 2))") ;;
    resp-*-p16) figures=$(write_load "$port" 16 "$(write_of "$load")" "$((REQUESTS * 2))") ;;
    http)
      if [ "$target" = proxy ]; then figures=$(wrk_load "http://127.0.0.1:$HTTP_PORT" bench/hot-keys.lua)
      else figures=$(wrk_load "http://127.0.0.1:$port" bench/webdis-keys.lua); fi ;;
    http-close)
      case $target in
        proxy) figures=$(wrk_load "http://127.0.0.1:$HTTP_PORT" bench/hot-keys.lua "" -H "$CLOSE_HEADER") ;;
        pekko-http) figures=$(wrk_load "http://127.0.0.1:$port" bench/hot-keys.lua "" -H "$CLOSE_HEADER") ;;
        *) figures=$(wrk_load "http://127.0.0.1:$port" bench/webdis-keys.lua "" -H "$CLOSE_HEADER") ;;
      esac ;;
    http-burst)
      case $target in
        proxy) figures=$(burst_load "$HTTP_PORT" /health) ;;
        pekko-http) figures=$(burst_load "$port" /health) ;;
        *) figures=$(burst_load "$port" /PING) ;;
      esac ;;
    http2)
      if [ "$target" = proxy ]; then figures=$(h2_load "$REQUESTS")
      else figures=$(wrk_load "http://127.0.0.1:$port" bench/webdis-keys.lua); fi ;;
  esac
  [ -n "$figures" ] || { echo "no figures from $target for $load (see $RUN_DIR)" >&2; exit 1; }
  if [[ $target == proxy || $target == proxy-default ]]; then gc=$(gc_pauses_since "$proxy_log" "$mark"); else gc="- -"; fi
  echo "$round,$load,$target,${figures// /,},${gc// /,}" >>"$RAW_CSV"
}

run_rounds() {
  echo "round,load,server,req_per_s,p50_ms,p99_ms,gc_pauses,gc_max_pause_ms" >"$RAW_CSV"
  GC_MARK_BEFORE=$(last_gc_id hits)
  for round in $(seq "$ROUNDS"); do
    echo "Round $round of $ROUNDS ..."
    for load in "${LOADS[@]}"; do
      # shellcheck disable=SC2046
      for target in $(rotate $((round - 1)) $(targets_of "$load")); do run_row "$round" "$load" "$target"; done
    done
  done
}

# A proxy's JIT is still compiling millions of requests into a load, taking a core's share from
# the row it runs beside, and the rate keeps rising meanwhile (docs/benchmarks.md, "The JIT's
# warm-up"): a proxy is warmed with each kind of load until one pass of it compiles fewer than
# WARM_SETTLED methods (jstat -compiler), at most WARM_MAX passes, and the notes say how it went.
WARM_SETTLED=${BENCH_WARM_SETTLED:-25}
WARM_MAX=${BENCH_WARM_MAX:-8}
declare -A WARMED
compiled_methods() { jstat -compiler "$1" 2>/dev/null | awk 'NR == 2 { print $1 }'; }
warm_until_settled() { # proxy-name label load-function arguments...
  local pid=${PROXY_PID[$1]} pass before after
  for pass in $(seq "$WARM_MAX"); do
    before=$(compiled_methods "$pid"); "${@:3}" >/dev/null; after=$(compiled_methods "$pid")
    if [ -z "$before" ] || [ -z "$after" ]; then WARMED[$1]="one pass (no jstat)"; return 0; fi
    ((after - before < WARM_SETTLED)) && break
  done
  WARMED[$1]="${WARMED[$1]:+${WARMED[$1]}, }$2 x$pass (the last compiling $((after - before)) methods)"
}

warm_up() {
  echo "Warming up (JIT) ..."
  warm_until_settled hits "GET -P 16 -n $REQUESTS" resp_load "$RESP_PORT" 16 "$REQUESTS"
  resp_load "$RESP_PORT" 1 "$((REQUESTS / 2))" >/dev/null
  # The forwarded writes' rows run on this proxy too: their path (Forwarder, the shared link) as well.
  warm_until_settled hits "SET -P 16 -n $REQUESTS" write_load "$RESP_PORT" 16 set "$REQUESTS"
  warm_until_settled hits "SET -P 1 -n $((REQUESTS / 5))" write_load "$RESP_PORT" 1 set "$((REQUESTS / 5))"
  wrk_load "http://127.0.0.1:$HTTP_PORT" bench/hot-keys.lua 5 >/dev/null
  # a connection per request runs code keep-alive never does: the JIT needs its own warm-up
  # (bench/ab-connect.sh: half the rate without it)
  wrk_load "http://127.0.0.1:$HTTP_PORT" bench/hot-keys.lua 10 -H "$CLOSE_HEADER" >/dev/null
  wrk_load "http://127.0.0.1:$BARE_HTTP_PORT" bench/hot-keys.lua 10 -H "$CLOSE_HEADER" >/dev/null
  if have h2load; then h2_load "$((REQUESTS / 2))" >/dev/null; fi
  warm_until_settled passthrough "GET -P 16 -n $((REQUESTS * 2))" resp_load "$PASS_RESP_PORT" 16 "$((REQUESTS * 2))"
  warm_until_settled passthrough "GET -P 1 -n $((REQUESTS / 5))" resp_load "$PASS_RESP_PORT" 1 "$((REQUESTS / 5))"
  # also fills its cache
  warm_until_settled mix "GET -P 16 -n $((REQUESTS * 2))" resp_load "$MIX_RESP_PORT" 16 "$((REQUESTS * 2))"
  warm_until_settled mix "GET -P 1 -n $((REQUESTS / 5))" resp_load "$MIX_RESP_PORT" 1 "$((REQUESTS / 5))"
  # The collections' replies, cached once each: what they add to the cache's bytes, a reply each.
  local before; before=$(cache_bytes "$RESP_PORT")
  read_load "$RESP_PORT" 16 20000 hgetall >/dev/null
  HASH_REPLY_BYTES=$(( ($(cache_bytes "$RESP_PORT") - before) / 1000 ))
  read_load "$RESP_PORT" 16 20000 zrange >/dev/null
}

# ---------------------------------------------------------------------------------------------
# The summary: medians over the rounds, and the ratio to the row's base taken per round first.

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { # load server column -> its values, one per round
  awk -F, -v l="$1" -v s="$2" -v c="$3" '$2 == l && $3 == s && $c != "-" { print $c }' "$RAW_CSV"
}
ratios_of() { # load server base -> server/base per round
  awk -F, -v l="$1" -v s="$2" -v b="$3" '$2 == l && $3 == s { x[$1] = $4 } $2 == l && $3 == b { y[$1] = $4 }
    END { for (r in x) if (r in y) printf "%.4f\n", x[r] / y[r] }' "$RAW_CSV"
}
ratios_by_round() { # load server base -> "r1 r2 ...": server/base in each round, in round order
  awk -F, -v l="$1" -v s="$2" -v b="$3" '$2 == l && $3 == s { x[$1] = $4 } $2 == l && $3 == b { y[$1] = $4 }
    END { for (r = 1; r in x || r in y; r++) if (r in x && r in y) printf "%.2f ", x[r] / y[r] }' "$RAW_CSV"
}
thousands() { # 1234567.8 -> 1,234,568
  awk '{ n = sprintf("%.0f", $1); out = ""
    while (length(n) > 3) { out = "," substr(n, length(n) - 2) out; n = substr(n, 1, length(n) - 3) }
    print n out }'
}

write_table() {
  local table=$RUN_DIR/table.md chart=$RUN_DIR/chart.dat
  {
    echo "| load | server | req/s | ratio | p50 ms | p99 ms | GC pauses | max GC pause ms |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
  } >"$table"
  echo "load redis-server proxy twemproxy Webdis" >"$chart"
  local load server base rps ratio p50 p99 pauses maxpause label
  for load in "${LOADS[@]}"; do
    base=${LOAD_BASE[$load]}
    declare -A bar=([redis-server]=- [proxy]=- [twemproxy]=- [webdis]=-)
    for server in $(targets_of "$load"); do
      rps=$(column_of "$load" "$server" 4 | median)
      if [[ $server == proxy-* ]]; then bar[proxy]=$(printf '%.0f' "$rps"); else bar[$server]=$(printf '%.0f' "$rps"); fi
      if [ "$server" = "$base" ]; then ratio="1.00 (base)"
      else ratio=$(ratios_of "$load" "$server" "$base" | median); ratio=${ratio:+$(printf '%.2f' "$ratio")}; ratio=${ratio:--}; fi
      p50=$(column_of "$load" "$server" 5 | median); p99=$(column_of "$load" "$server" 6 | median)
      pauses=$(column_of "$load" "$server" 7 | median)
      maxpause=$(column_of "$load" "$server" 8 | sort -g | tail -1); maxpause=${maxpause:--}
      label=${SERVER_LABEL[$server]}; [[ ${LOAD_LABEL[$load]} == *forwarded* ]] && [ "$server" = proxy ] && label="proxy, forwarded"
      [[ $load == resp-acl-p* ]] && [ "$server" = proxy ] && label="proxy, cache hits, ACL user"
      printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${LOAD_LABEL[$load]}" "$label" \
        "$(thousands <<<"$rps")" "$ratio" "$p50" "$p99" "$pauses" "$maxpause" >>"$table"
    done
    # The chart shows the reads; the writes and the ACL rows are in the table.
    [[ ${LOAD_LABEL[$load]} == *forwarded* || $load == resp-acl-* ]] ||
      echo "\"${LOAD_LABEL[$load]%%,*}\" ${bar[redis-server]} ${bar[proxy]} ${bar[twemproxy]} ${bar[webdis]}" >>"$chart"
    unset bar
  done
}

printed_resp_load() { local cmd=${RESP_LOAD/-P P/-P $1}; echo "${cmd/-n N/-n $2}"; }
printed_http_load() { local cmd=${HTTP_LOAD/SCRIPT/$1}; echo "${cmd/URL/$2}"; }
printed_read_load() { local cmd=${READ_LOAD/-P P/-P $2}; echo "${cmd/-n N/-n $3} ${READ_COMMAND[$1]}"; }
printed_write_load() { local cmd=${WRITE_LOAD/-P P/-P $2}; echo "${cmd/-n N/-n $3} ${WRITE_COMMAND[$1]}"; }

# Issue 22's goal, "ACL hits within 5% of the default user's": the two proxy targets of one ACL row,
# which ran in turn in each round against the same proxy, so the ratio is taken per round, then the median.
acl_vs_default() {
  local load rounds
  for load in resp-acl-p1 resp-acl-p16; do
    [[ " ${LOADS[*]} " == *" $load "* ]] || continue
    rounds=$(ratios_by_round "$load" proxy proxy-default)
    printf '%s: the ACL user'"'"'s hits at %s of the default user'"'"'s (median; rounds: %s)\n' "${LOAD_LABEL[$load]%%,*}" \
      "$(tr ' ' '\n' <<<"$rounds" | grep . | median | xargs printf '%.2f')" "$(sed 's/ $//; s/ /, /g' <<<"$rounds")"
  done
}

write_notes() { # what the table means and how it was made, under it
  local gc_all; gc_all=$(gc_pauses_since hits "$GC_MARK_BEFORE")
  local acl; acl=$(acl_vs_default)
  [ -z "$acl" ] || printf '\n%s\n' "$acl"
  cat <<EOF

Median of $ROUNDS round(s); in each round every row ran once, the targets in turn (the first one
rotating), so machine noise hits all. ratio: req/s over the row's base (redis-server for RESP,
Webdis for HTTP), taken per round, then the median. GC: pauses of the proxy JVM during that row
(median per run) and the longest of all rounds; over all measured rows: ${gc_all% *} pauses, max
${gc_all#* } ms. $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, redis-server $REDIS_VERSION,
proxy jar built $JAR_BUILT, proxy JVM \`$BENCH_JVM_OPTS\`, 10,000 keys of 100 bytes.
JIT warm-up before the rounds (passes until one compiles fewer than $WARM_SETTLED methods, at most
$WARM_MAX): $(for name in hits passthrough mix; do [ -z "${WARMED[$name]:-}" ] || printf '%s: %s; ' "$name" "${WARMED[$name]}"; done)

Load commands (PORT: redis-server $REDIS_PORT, proxy $RESP_PORT / HTTP $HTTP_PORT, the proxy with
capacity 0 $PASS_RESP_PORT, the proxy with capacity 8,000 $MIX_RESP_PORT, twemproxy $TWEMPROXY_PORT,
Webdis $WEBDIS_PORT); the miss and 80% rows run the GET load with -n $((REQUESTS * 2)) at -P 16:

    $(printed_resp_load 1 "$REQUESTS")
    $(printed_resp_load 16 $((REQUESTS * 4)))
    $(printed_write_load set 1 $((REQUESTS / 2))) (-P 16: -n $((REQUESTS * 2)))
    $(printed_write_load incr 1 $((REQUESTS / 2))) (likewise)
    $(printed_write_load lpush 1 $((REQUESTS / 2))) (likewise)
    $(printed_write_load hset 1 $((REQUESTS / 2))) (likewise)
    The ACL rows add \`$ACL_LOGIN\` (the user: \`ACL SETUSER $ACL_RULES\`), but for
    the hit rows' "default user" target: the same proxy and load, without a login
    $(printed_read_load hgetall 1 "$REQUESTS") (-P 16: -n $((REQUESTS * 2)))
    $(printed_read_load zrange 1 "$REQUESTS") (-P 16: -n $((REQUESTS * 2)))
    $(printed_http_load bench/hot-keys.lua "http://127.0.0.1:$HTTP_PORT")
    $(printed_http_load bench/webdis-keys.lua "http://127.0.0.1:$WEBDIS_PORT")
    $(printed_http_load bench/hot-keys.lua "http://127.0.0.1:$HTTP_PORT") -H '$CLOSE_HEADER'    (and Webdis's, likewise)
    ${BURST_LOAD/PORT/$HTTP_PORT}    (PATH: /health; Webdis: /PING on $WEBDIS_PORT)
    pekko-http alone: java -cp target/bench/redis-proxy.jar:target/test-classes com.redisproxy.bench.BarePekkoHttp $BARE_HTTP_PORT, the same two loads on that port
    ${H2_LOAD/-n N/-n $REQUESTS}    ($RUN_DIR/h2-uris.txt: the 10,000 keys on port $H2_HTTP_PORT, a proxy with PROXY_HTTP_H2C=on)

A cached HGETALL of 10 fields weighs ${HASH_REPLY_BYTES:-?} bytes in the proxy's own count (INFO proxy
cache_bytes over the 1,000 hashes; CacheEntries' overhead was measured against a class histogram).
EOF
}

write_chart() {
  if ! have gnuplot; then echo "gnuplot is missing (apt-get install gnuplot-nox): no chart"; return 0; fi
  gnuplot <<EOF
set terminal svg size 900,520 dynamic font 'sans,12' background '#ffffff'
set output '$OUT_DIR/latest.svg'
set title "GET req/s, median of $ROUNDS round(s), 50 connections, 10,000 keys of 100 bytes\n$(date -u +%Y-%m-%d), $(nproc) cores, shared machine"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [10000:*]
set ylabel 'requests/s (log scale)'
set format y '%.0s%c'
set datafile missing '-'
set key autotitle columnheader  # every plot, the labels too, skips the header line
set key top left
set grid ytics
set xtics nomirror
plot for [i=2:5] '$RUN_DIR/chart.dat' using i:xtic(1), \
     for [i=2:5] '' using (\$0 + (i - 3.5) / 5.0):(column(i)):(sprintf('%.0fk', column(i) / 1000)) \
       with labels offset 0,0.7 font 'sans,9' notitle
EOF
  echo "Chart: $OUT_DIR/latest.svg"
}

# ---------------------------------------------------------------------------------------------
# Allocation per hit: a forced GC empties eden, a fixed load runs, a second forced GC ends it; what
# the GCs in between found in eden is what the proxy allocated (TLAB-granular, plus ~50 connection
# set-ups and redis-benchmark's two CONFIG GETs, which fixed loads of this size make negligible).

alloc_per_hit() { # label command... (the load, against the hits proxy) -> one table line
  local label=$1; shift
  local pid=${PROXY_PID[hits]} mark requests
  jcmd "$pid" GC.run >/dev/null; mark=$(last_gc_id hits)
  "$@" >/dev/null
  jcmd "$pid" GC.run >/dev/null
  case $label in HTTP*) requests=$WRK_REQUESTS ;; *) requests=$ALLOC_REQUESTS ;; esac
  printf '| %s | %s | %s |\n' "$label" "$(thousands <<<"$requests")" \
    "$(awk -v b="$(eden_bytes_since hits "$mark")" -v n="$requests" 'BEGIN { printf "%.0f", b / n }')"
}

measure_allocation() {
  echo
  echo "| front end (proxy, cache hits) | requests | bytes allocated per hit |"
  echo "|---|---:|---:|"
  ALLOC_REQUESTS=$((1000000 / ALLOC_SCALE)); alloc_per_hit "RESP GET -P 1" resp_load "$RESP_PORT" 1 "$ALLOC_REQUESTS"
  ALLOC_REQUESTS=$((4000000 / ALLOC_SCALE)); alloc_per_hit "RESP GET -P 16" resp_load "$RESP_PORT" 16 "$ALLOC_REQUESTS"
  # wrk_load runs in this shell (not a subshell) so that WRK_REQUESTS is its count.
  alloc_http() { wrk_load "http://127.0.0.1:$HTTP_PORT" bench/hot-keys.lua "$1" >"$RUN_DIR/alloc-wrk.txt"; }
  alloc_per_hit "HTTP GET" alloc_http "$((10 / ALLOC_SCALE + 2))"
  echo
  echo "Allocation: eden bytes found by the proxy's GCs (gc+heap log) between two jcmd GC.run, over the requests."
}

# ---------------------------------------------------------------------------------------------
# After the main table, as before: the miss path, staleness with tracking, heap per entry, JMH.

row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }

miss_latency() { # port -> p50 of one client, unpipelined
  redis-benchmark -h 127.0.0.1 -p "$1" -t get -r 10000 -d 100 -c 1 -n $((20000 / ALLOC_SCALE)) --csv 2>/dev/null \
    | tr -d '"\r' | awk -F, '$1 == "GET" { print $5 }'
}

other_rows() {
  echo
  row "other figures" "" "value" "note"
  row "---" "---:" "---:" "---"
  local direct missed; direct=$(miss_latency "$REDIS_PORT"); missed=$(miss_latency "$PASS_RESP_PORT")
  row "miss path, 1 client: redis-server GET" "" "$direct ms" "p50"
  row "miss path, 1 client: proxy (capacity 0)" "" "$missed ms" "+$(awk -v a="$missed" -v b="$direct" 'BEGIN { printf "%.3f", a - b }') ms"
  local stale_p50 stale_p99 stale_max
  read -r stale_p50 stale_p99 stale_max <<<"$(java -cp "$PROXY_JAR":target/test-classes \
    com.redisproxy.bench.StalenessProbe "$REDIS_PORT" "$TRACK_RESP_PORT" "${BENCH_STALENESS_ROUNDS:-3000}" 2>/dev/null)"
  row "staleness after a write, tracking on" "" "$stale_p50 us" "p50; p99 $stale_p99 us, max $stale_max us"
  heap_per_entry
}

# Heap per cached entry: fill a proxy of capacity 100,000 with 100-byte values and divide the
# growth of the live heap (after a full GC) by the keys cached.
heap_per_entry() {
  redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t set -r 100000 -d 100 -n 2000000 -P 16 -q >/dev/null 2>&1
  start_proxy mem "$MEM_HTTP_PORT" "$MEM_RESP_PORT" 100000
  local before after keys
  before=$(heap_used "${PROXY_PID[mem]}")
  redis-benchmark -h 127.0.0.1 -p "$MEM_RESP_PORT" -t get -r 100000 -d 100 -c $CLIENTS -P 16 -n 2000000 -q >/dev/null 2>&1
  after=$(heap_used "${PROXY_PID[mem]}")
  keys=$(curl -s "http://127.0.0.1:$MEM_HTTP_PORT/metrics" | awk '/^proxy_cache_keys / { printf "%d", $2 }')
  row "heap per cached entry, 100-byte values" "$keys keys" "$(( (after - before) / keys )) B" "value bytes included"
}
heap_used() { # pid -> live heap bytes: the class histogram forces a full GC and counts what survives
  jcmd "$1" GC.class_histogram | awk '$1 == "Total" { print $3 }'
}

jmh() {
  if [ "${BENCH_QUICK:-0}" = 1 ]; then echo; echo "JMH skipped (BENCH_QUICK=1)"; return 0; fi
  echo
  echo "JMH: the CacheActor alone (a fetcher stub that answers at once) and its LruTtlStore, keys/s"
  mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
  java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main CacheActorBenchmark 2>/dev/null \
    | sed -n '/^Benchmark /,$p'
}

# ---------------------------------------------------------------------------------------------
# Redis Cluster: three masters (no replicas: the rows measure the read path, not failover), the
# proxy in front of them for hits and for misses (capacity 0), and redis-benchmark --cluster
# straight at the nodes as the base.

start_cluster() {
  local binary port ports=() nodes=()
  if have redis-server; then binary=$(command -v redis-server); else binary=$(scripts/local-redis.sh binary); fi
  for i in 0 1 2; do
    port=$((CLUSTER_PORT + i)); ports+=("$port" "$((port + 10000))"); nodes+=("127.0.0.1:$port")
  done
  require_free "${ports[@]}" "$CLUSTER_HTTP_PORT" "$CLUSTER_RESP_PORT" "$CLUSTER_MISS_HTTP_PORT" "$CLUSTER_MISS_RESP_PORT"
  for node in "${nodes[@]}"; do
    port=${node#*:}; mkdir -p "$RUN_DIR/cluster-$port"; rm -f "$RUN_DIR/cluster-$port/nodes.conf"
    "$binary" --bind 127.0.0.1 --port "$port" --cluster-enabled yes --cluster-config-file nodes.conf \
      --dir "$PWD/$RUN_DIR/cluster-$port" --save "" --appendonly no --daemonize no \
      --logfile "$PWD/$RUN_DIR/cluster-$port/redis.log" &
    pids+=($!)
    wait_port "$port"
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-yes >"$RUN_DIR/cluster-create.log" 2>&1
  for node in "${nodes[@]}"; do
    for _ in $(seq 200); do
      redis-cli -p "${node#*:}" cluster info | grep -q cluster_state:ok && break; sleep 0.05
    done
  done
  CLUSTER_ADDRESS="redis-cluster://$(IFS=,; echo "${nodes[*]}")"
  echo "Seeding the cluster with the same 10,000 keys, and redis-benchmark --cluster's own" >&2
  # --cluster puts a hash tag in its key names: the proxy's load reads the plain names, which
  # redis-cli -c writes (following MOVED); the base reads the tagged ones
  local value; value=$(printf 'x%.0s' $(seq 100))
  for i in $(seq 0 9999); do printf 'SET key:%012d %s\n' "$i" "$value"; done \
    | redis-cli -c -p "$CLUSTER_PORT" >/dev/null
  redis-benchmark --cluster -h 127.0.0.1 -p "$CLUSTER_PORT" -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
}

cluster_load() { # port pipeline requests [--cluster] -> "req/s p50_ms"
  redis-benchmark ${4:-} -h 127.0.0.1 -p "$1" -t get -r 10000 -d 100 -c $CLIENTS -P "$2" -n "$3" --csv 2>/dev/null \
    | tr -d '"\r' | awk -F, '$1 == "GET" { print $2, $5 }'
}

cluster_rows() {
  start_cluster
  start_proxy cluster-hits "$CLUSTER_HTTP_PORT" "$CLUSTER_RESP_PORT" 20000 none "$CLUSTER_ADDRESS"
  start_proxy cluster-misses "$CLUSTER_MISS_HTTP_PORT" "$CLUSTER_MISS_RESP_PORT" 0 none "$CLUSTER_ADDRESS"
  # the ports open before the proxy has the cluster's topology: wait for a first answer
  local tries
  for tries in $(seq 200); do
    [ "$(redis-cli -p "$CLUSTER_RESP_PORT" get key:000000000001 | wc -c)" = 101 ] && break
    [ "$tries" = 200 ] && { echo "no 100-byte GET reply through the cluster proxy (see $RUN_DIR)" >&2; exit 1; }
    sleep 0.1
  done
  cluster_load "$CLUSTER_RESP_PORT" 16 "$REQUESTS" >/dev/null # warm-up: JIT, and every key cached
  cluster_load "$CLUSTER_MISS_RESP_PORT" 1 "$((REQUESTS / 4))" >/dev/null
  # ROUNDS rounds, as the other rows: in each, the base and the proxy in turn (who goes first
  # alternates), the ratio taken per round, then the median. Raw figures: $RUN_DIR/cluster-rounds.csv.
  local round p direct hits misses csv=$RUN_DIR/cluster-rounds.csv
  echo "round,row,pipeline,req_per_s,p50_ms" >"$csv"
  for round in $(seq "$ROUNDS"); do
    for p in 1 16; do
      if [ $(((round + p) % 2)) = 0 ]; then
        read -r -a direct <<<"$(cluster_load "$CLUSTER_PORT" "$p" "$REQUESTS" --cluster)"
        read -r -a hits <<<"$(cluster_load "$CLUSTER_RESP_PORT" "$p" "$REQUESTS")"
      else
        read -r -a hits <<<"$(cluster_load "$CLUSTER_RESP_PORT" "$p" "$REQUESTS")"
        read -r -a direct <<<"$(cluster_load "$CLUSTER_PORT" "$p" "$REQUESTS" --cluster)"
      fi
      echo "$round,direct,$p,${direct[0]},${direct[1]}" >>"$csv"
      echo "$round,hits,$p,${hits[0]},${hits[1]}" >>"$csv"
    done
    read -r -a misses <<<"$(cluster_load "$CLUSTER_MISS_RESP_PORT" 1 "$((REQUESTS / 2))")"
    echo "$round,misses,1,${misses[0]},${misses[1]}" >>"$csv"
  done
  echo
  row "Redis Cluster, 3 masters (RESP GET, 100-byte values; medians of $ROUNDS rounds, ratio per round)" "-P" "req/s (ratio to the base)" "p50 ms"
  row "---" "---:" "---:" "---:"
  for p in 1 16; do
    row "redis-benchmark --cluster, straight at the nodes (the base)" "$p" \
      "$(cluster_column direct "$p" 4 | median | thousands)" "$(cluster_column direct "$p" 5 | median)"
    row "proxy, cache hits" "$p" "$(cluster_column hits "$p" 4 | median | thousands) ($(cluster_ratio hits "$p"))" \
      "$(cluster_column hits "$p" 5 | median)"
  done
  row "proxy, every GET a miss (capacity 0), against the -P 1 base" 1 \
    "$(cluster_column misses 1 4 | median | thousands) ($(cluster_ratio misses 1))" "$(cluster_column misses 1 5 | median)"
}

cluster_column() { # row pipeline column -> that column of every round
  awk -F, -v r="$1" -v p="$2" -v c="$3" '$2 == r && $3 == p { print $c }' "$RUN_DIR/cluster-rounds.csv"
}

cluster_ratio() { # row pipeline -> "0.79x; rounds 0.78, 0.79, 0.81": over the same round's base at that -P
  local rounds
  rounds=$(awk -F, -v r="$1" -v p="$2" '$3 == p && $2 == "direct" { base[$1] = $4 } $3 == p && $2 == r { own[$1] = $4 }
    END { for (i in own) if (base[i] > 0) printf "%d %.2f\n", i, own[i] / base[i] }' "$RUN_DIR/cluster-rounds.csv" | sort -n | cut -d' ' -f2)
  printf '%.2fx; rounds %s' "$(median <<<"$rounds")" "$(paste -sd, <<<"$rounds" | sed 's/,/, /g')"
}

main_cluster_only() {
  have redis-benchmark || { echo "redis-benchmark is missing: apt-get install redis-tools" >&2; exit 1; }
  copy_jar
  cluster_rows >"$RUN_DIR/cluster.md" # redirected, not piped: see main
  cat "$RUN_DIR/cluster.md"
}

main() {
  check_tools
  require_free "$REDIS_PORT" "$HTTP_PORT" "$RESP_PORT" "$PASS_HTTP_PORT" "$PASS_RESP_PORT" "$TRACK_HTTP_PORT" \
    "$TRACK_RESP_PORT" "$MEM_HTTP_PORT" "$MEM_RESP_PORT" "$TWEMPROXY_PORT" "$TWEMPROXY_STATS_PORT" "$WEBDIS_PORT" \
    "$MIX_HTTP_PORT" "$MIX_RESP_PORT" "$H2_HTTP_PORT" "$H2_RESP_PORT" "$BARE_HTTP_PORT"
  rm -f "$RUN_DIR"/gc-*.log
  start_redis
  seed_keys
  seed_collections
  add_acl_user
  start_proxy hits "$HTTP_PORT" "$RESP_PORT" 20000
  start_proxy passthrough "$PASS_HTTP_PORT" "$PASS_RESP_PORT" 0
  start_proxy tracking "$TRACK_HTTP_PORT" "$TRACK_RESP_PORT" 1000 tracking
  start_proxy mix "$MIX_HTTP_PORT" "$MIX_RESP_PORT" 8000
  if have h2load; then PROXY_H2C=on start_proxy h2 "$H2_HTTP_PORT" "$H2_RESP_PORT" 20000; fi
  start_twemproxy
  start_webdis
  start_bare_pekko_http
  TARGET_PORT=([redis-server]=$REDIS_PORT [proxy]=$RESP_PORT [proxy-default]=$RESP_PORT [proxy-miss]=$PASS_RESP_PORT
    [proxy-mix]=$MIX_RESP_PORT [pekko-http]=$BARE_HTTP_PORT)
  have nutcracker && TARGET_PORT[twemproxy]=$TWEMPROXY_PORT
  have webdis && TARGET_PORT[webdis]=$WEBDIS_PORT
  check_replies
  h2_uris
  warm_up
  run_rounds
  write_table
  # BENCH_LOADS checks some rows: written beside the whole run's results, not over them, and the
  # figures after the table are left out.
  if [ -n "${BENCH_LOADS:-}" ]; then
    { cat "$RUN_DIR/table.md"; write_notes; } >"$OUT_DIR/latest-loads.md"
    cp "$RAW_CSV" "$OUT_DIR/latest-loads.csv"
    echo; cat "$OUT_DIR/latest-loads.md"
    return 0
  fi
  { cat "$RUN_DIR/table.md"; write_notes; } >"$OUT_DIR/latest.md"
  cp "$RAW_CSV" "$OUT_DIR/latest.csv"
  echo; cat "$OUT_DIR/latest.md"
  # Redirected, not piped: a pipe would run them in a subshell, and a proxy started there would
  # escape the cleanup's PID list.
  measure_allocation >"$RUN_DIR/alloc.md"; tee -a "$OUT_DIR/latest.md" <"$RUN_DIR/alloc.md"
  write_chart
  other_rows >"$RUN_DIR/other.md"; tee -a "$OUT_DIR/latest.md" <"$RUN_DIR/other.md"
  cluster_rows >"$RUN_DIR/cluster.md"; tee -a "$OUT_DIR/latest.md" <"$RUN_DIR/cluster.md"
  jmh
}

# BENCH_ONLY=http: only the HTTP rows (keep-alive, a connection per request, the burst, HTTP/2),
# the proxy beside Webdis; a few minutes instead of the whole run.
main_http_only() {
  check_tools
  require_free "$REDIS_PORT" "$HTTP_PORT" "$RESP_PORT" "$WEBDIS_PORT" "$H2_HTTP_PORT" "$H2_RESP_PORT" "$BARE_HTTP_PORT"
  rm -f "$RUN_DIR"/gc-*.log
  start_redis
  seed_keys
  add_acl_user
  start_proxy hits "$HTTP_PORT" "$RESP_PORT" 20000
  if have h2load; then PROXY_H2C=on start_proxy h2 "$H2_HTTP_PORT" "$H2_RESP_PORT" 20000; fi
  start_webdis
  start_bare_pekko_http
  TARGET_PORT=([redis-server]=$REDIS_PORT [proxy]=$RESP_PORT [pekko-http]=$BARE_HTTP_PORT)
  have webdis && TARGET_PORT[webdis]=$WEBDIS_PORT
  check_replies
  h2_uris
  echo "Warming up (JIT) ..."
  # every key cached first, through the RESP port: on a loaded machine seconds of wrk may not reach them all
  resp_load "$RESP_PORT" 16 "$REQUESTS" >/dev/null
  wrk_load "http://127.0.0.1:$HTTP_PORT" bench/hot-keys.lua 5 >/dev/null
  wrk_load "http://127.0.0.1:$HTTP_PORT" bench/hot-keys.lua 10 -H "$CLOSE_HEADER" >/dev/null
  wrk_load "http://127.0.0.1:$BARE_HTTP_PORT" bench/hot-keys.lua 10 -H "$CLOSE_HEADER" >/dev/null
  if have h2load; then h2_load "$((REQUESTS / 2))" >/dev/null; fi
  LOADS=(http http-close http-burst http2)
  run_rounds
  write_table
  { cat "$RUN_DIR/table.md"; write_notes; } >"$OUT_DIR/latest-http.md"
  echo; cat "$OUT_DIR/latest-http.md"
}

case "${BENCH_ONLY:-}" in
  cluster) main_cluster_only ;;
  http) main_http_only ;;
  *) main "$@" ;;
esac
