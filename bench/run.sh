#!/usr/bin/env bash
# `make bench`: the proxy's cache hits side by side with redis-server itself, in one run, on this
# machine. Everything binds to 127.0.0.1, every request loop is bounded, and what the script
# starts it stops by PID. Needs redis-tools (redis-benchmark) and wrk:
#   apt-get install redis-tools wrk
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${BENCH_REQUESTS:-500000}        # per redis-benchmark run at -P 1 (x4 at -P 16)
WRK_SECONDS=${BENCH_WRK_SECONDS:-10}
CLIENTS=50
REDIS_PORT=${BENCH_REDIS_PORT:-16379}
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
RESP_PORT=${BENCH_RESP_PORT:-16380}
PASS_HTTP_PORT=$((HTTP_PORT + 1)); PASS_RESP_PORT=$((RESP_PORT + 1))
TRACK_HTTP_PORT=$((HTTP_PORT + 2)); TRACK_RESP_PORT=$((RESP_PORT + 2))
HEAP=${BENCH_HEAP:-1g}
JVM_OPTS="-Xms$HEAP -Xmx$HEAP -XX:+UseParallelGC"
RUN_DIR=target/bench
mkdir -p "$RUN_DIR"

for tool in redis-benchmark wrk; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install redis-tools wrk" >&2; exit 1; }
done
[ -f target/redis-proxy.jar ] && [ -d target/test-classes/com/redisproxy/bench ] || mvn -B -q package -DskipTests

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; scripts/local-redis.sh stop "$REDIS_PORT" >/dev/null 2>&1 || true; }
trap cleanup EXIT

wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 not up" >&2; exit 1; }

start_proxy() { # http-port resp-port capacity [invalidation]
  PROXY_PORT=$1 PROXY_RESP_PORT=$2 CACHE_CAPACITY=$3 CACHE_INVALIDATION=${4:-none} \
    REDIS_ADDRESS=127.0.0.1:$REDIS_PORT GLOBAL_CACHE_EXPIRY=3600 \
    java $JVM_OPTS -jar target/redis-proxy.jar >"$RUN_DIR/proxy-$1.log" 2>&1 &
  pids+=($!)
  wait_port "$1"; wait_port "$2"
}

rps() { tr '\r' '\n' | grep -E '^GET: [0-9]' | tail -1 | sed -E 's/GET: ([0-9.]+) requests per second, p50=([0-9.]+) msec/\1 \2/'; }
bench_get() { # port pipeline requests
  redis-benchmark -h 127.0.0.1 -p "$1" -t get -r 10000 -d 100 -c $CLIENTS -P "$2" -n "$3" -q 2>/dev/null | rps
}

scripts/local-redis.sh start "$REDIS_PORT" >/dev/null
echo "Seeding 10,000 keys of 100 bytes (key:000000000000 ... key:000000009999)"
redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
start_proxy "$HTTP_PORT" "$RESP_PORT" 20000
start_proxy "$PASS_HTTP_PORT" "$PASS_RESP_PORT" 0
start_proxy "$TRACK_HTTP_PORT" "$TRACK_RESP_PORT" 1000 tracking

echo "Warming up (JIT) ..."
bench_get "$RESP_PORT" 16 "$REQUESTS" >/dev/null
bench_get "$RESP_PORT" 1 "$((REQUESTS / 2))" >/dev/null
wrk -t1 -c$CLIENTS -d5s -s bench/hot-keys.lua "http://127.0.0.1:$HTTP_PORT" >/dev/null
bench_get "$PASS_RESP_PORT" 1 50000 >/dev/null

row() { printf '| %-44s | %14s | %10s | %s\n' "$1" "$2" "$3" "$4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "redis-benchmark -t get -r 10000 -d 100 -c $CLIENTS; wrk -t1 -c$CLIENTS -d${WRK_SECONDS}s; heap $HEAP; $(nproc) cores"
row "row" "requests/s" "p50 ms" "vs redis-server"
row "--------------------------------------------" "--------------" "----------" "---------------"
for pipeline in 1 16; do
  n=$REQUESTS; [ "$pipeline" = 16 ] && n=$((REQUESTS * 4))
  read -r redis_rps redis_p50 <<<"$(bench_get "$REDIS_PORT" "$pipeline" "$n")"
  read -r proxy_rps proxy_p50 <<<"$(bench_get "$RESP_PORT" "$pipeline" "$n")"
  row "RESP GET -P $pipeline: redis-server" "$redis_rps" "$redis_p50" "1.00"
  row "RESP GET -P $pipeline: proxy, cache hits" "$proxy_rps" "$proxy_p50" "$(ratio "$proxy_rps" "$redis_rps")"
done

wrk_row() { # label url [script]
  local out; out=$(wrk -t1 -c$CLIENTS -d"${WRK_SECONDS}s" --latency ${3:+-s "$3"} "$2")
  local reqs p50 p99
  reqs=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  row "$1" "$reqs" "$p50" "p99 $p99"
}
wrk_row "HTTP GET, one hot key" "http://127.0.0.1:$HTTP_PORT/proxy?key=key:000000000001"
wrk_row "HTTP GET, 10,000 keys" "http://127.0.0.1:$HTTP_PORT" bench/hot-keys.lua

latency() { # port -> p50 of one client, unpipelined
  redis-benchmark -h 127.0.0.1 -p "$1" -t get -r 10000 -d 100 -c 1 -n 20000 -q 2>/dev/null | rps | awk '{print $2}'
}
direct=$(latency "$REDIS_PORT"); missed=$(latency "$PASS_RESP_PORT")
row "miss path, 1 client: redis-server GET" "" "$direct" ""
row "miss path, 1 client: proxy (capacity 0)" "" "$missed" "+$(awk -v a="$missed" -v b="$direct" 'BEGIN { printf "%.3f", a - b }') ms"

read -r stale_p50 stale_p99 stale_max <<<"$(java -cp target/redis-proxy.jar:target/test-classes \
  com.redisproxy.bench.StalenessProbe "$REDIS_PORT" "$TRACK_RESP_PORT" "${BENCH_STALENESS_ROUNDS:-3000}" 2>/dev/null)"
row "staleness after a write, tracking on (us)" "" "$stale_p50" "p99 $stale_p99, max $stale_max"

# Heap per cached entry: fill a proxy of capacity 100,000 with 100-byte values and divide the
# growth of the live heap (after a full GC) by the keys cached.
MEM_HTTP_PORT=$((HTTP_PORT + 3)); MEM_RESP_PORT=$((RESP_PORT + 3))
redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t set -r 100000 -d 100 -n 2000000 -P 16 -q >/dev/null 2>&1
start_proxy "$MEM_HTTP_PORT" "$MEM_RESP_PORT" 100000
mem_pid=${pids[-1]}
heap_used() { # live heap bytes: the class histogram forces a full GC and counts what survives
  jcmd "$mem_pid" GC.class_histogram | awk '$1 == "Total" { print $3 }'
}
before=$(heap_used)
redis-benchmark -h 127.0.0.1 -p "$MEM_RESP_PORT" -t get -r 100000 -d 100 -c $CLIENTS -P 16 -n 2000000 -q >/dev/null 2>&1
after=$(heap_used)
keys=$(curl -s "http://127.0.0.1:$MEM_HTTP_PORT/metrics" | awk '/^proxy_cache_keys / { printf "%d", $2 }')
row "heap per cached entry, 100-byte values" "$keys keys" "$(( (after - before) / keys )) B" "value bytes included"

echo
echo "JMH: the CacheActor alone (a fetcher stub that answers at once) and its LruTtlStore, keys/s"
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main CacheActorBenchmark 2>/dev/null \
  | sed -n '/^Benchmark /,$p'
