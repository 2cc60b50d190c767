#!/usr/bin/env bash
# A CPU profile of one HTTP server under a new connection per request, for issue 25's question
# "where does a connection's CPU go": async-profiler (itimer, 1 ms) started with the JVM, dumping
# every 10 s; the files written while the measured load ran are merged into OUT.collapsed.
#   bench/profile-connect.sh OUT SPEC [SECONDS]    SPEC: a proxy jar (with 'jar|ENV=v ...') or 'bare'
# Then: bench/profile-share.py OUT.collapsed (the shares by what a connection's CPU is spent on).
# AP_EVENT=alloc profiles allocation instead (bytes, which a loaded machine does not move): the
# last line then also gives the bytes allocated per request. KEEP_ALIVE=1 profiles keep-alive hits
# (wrk's 50 connections held open) instead of a new connection per request.
# Needs async-profiler's libasyncProfiler.so (AP_LIB; Maven tools.profiler:async-profiler), wrk,
# redis-server, target/test-classes. Ports: PROF_PORTS (17450) +0 HTTP, +1 RESP, +10 Redis.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=$1; SPEC=$2; SECS=${3:-30}
AP_LIB=${AP_LIB:-/tmp/ap/linux-x64/libasyncProfiler.so}
BASE=${PROF_PORTS:-17450}; HTTP=$BASE; RESP=$((BASE + 1)); REDIS=$((BASE + 10))
jar=${SPEC%%|*}; settings=${SPEC#*|}; [ "$settings" = "$SPEC" ] && settings=
dumps=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$dumps"' EXIT
redis-server --bind 127.0.0.1 --port $REDIS --save "" --appendonly no --daemonize no --logfile /dev/null & pids+=($!)
for _ in $(seq 100); do redis-cli -p $REDIS ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -h 127.0.0.1 -p $REDIS -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
EVENT=${AP_EVENT:-itimer}
if [ "$EVENT" = alloc ]; then sampling="event=alloc,total"; else sampling="event=$EVENT,interval=1ms"; fi
JVM="-Xms1g -Xmx1g -XX:+UseParallelGC -agentpath:$AP_LIB=start,$sampling,threads,loop=10s,collapsed,file=$dumps/%t.collapsed"
if [ "$jar" = bare ]; then
  # shellcheck disable=SC2086
  java $JVM -cp "$(ls target/redis-proxy.jar):target/test-classes" com.redisproxy.bench.BarePekkoHttp $HTTP $settings >"$OUT.log" 2>&1 & pids+=($!)
else
  # shellcheck disable=SC2086
  env PROXY_HOST=127.0.0.1 PROXY_PORT=$HTTP PROXY_RESP_PORT=$RESP CACHE_CAPACITY=20000 REDIS_ADDRESS=127.0.0.1:$REDIS \
    GLOBAL_CACHE_EXPIRY=3600 $settings java $JVM -jar "$jar" >"$OUT.log" 2>&1 & pids+=($!)
fi
server=$!
for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$HTTP/" && break; sleep 0.1; done
# every key cached (through RESP), then the JIT warmed on both kinds of connection
[ "$jar" = bare ] || redis-benchmark -h 127.0.0.1 -p $RESP -t get -r 10000 -n 300000 -P 16 -q >/dev/null 2>&1
wrk -t1 -c50 -d5s -s bench/hot-keys.lua "http://127.0.0.1:$HTTP" >/dev/null
CLOSE=(-H 'Connection: close'); [ -n "${KEEP_ALIVE:-}" ] && CLOSE=()
wrk -t1 -c50 -d20s "${CLOSE[@]}" -s bench/hot-keys.lua "http://127.0.0.1:$HTTP" >/dev/null
start=$(date +%s); before=$(awk '{ print $14 + $15 }' /proc/$server/stat)
out=$(wrk -t1 -c50 -d${SECS}s "${CLOSE[@]}" -s bench/hot-keys.lua "http://127.0.0.1:$HTTP")
after=$(awk '{ print $14 + $15 }' /proc/$server/stat); end=$(date +%s)
sleep 11 # the last dump
# the dumps whose 10 s began within the measured load (file names are their start times)
first=
for f in "$dumps"/*.collapsed; do
  t=$(date -d "$(basename "$f" .collapsed | sed -E 's/(....)(..)(..)-(..)(..)(..)/\1-\2-\3 \4:\5:\6/')" +%s)
  if [ "$t" -ge "$start" ] && [ "$t" -lt "$end" ]; then cat "$f"; first=${first:-$t}; fi
done >"$OUT.collapsed"
requests=$(awk '/requests in/ { print $1 }' <<<"$out")
echo "$SPEC: $(awk '/Requests\/sec/ { print $2 }' <<<"$out") req/s, $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
  -v n="$requests" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }') us of CPU per request; profile: $OUT.collapsed (the dumps of $start-$end)"
# the requests served in the whole 10 s intervals the dumps cover, for bench/profile-diff.py
echo "covered: $((end - ${first:-$end})) s, about $(awk -v rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$out")" \
  -v covered=$((end - ${first:-$end})) 'BEGIN { printf "%.0f", rps * covered }') requests"
if [ "$EVENT" = alloc ]; then
  # the dumps cover whole 10 s intervals: bytes per request over the requests of those intervals
  awk -v rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$out")" -v covered=$((end - ${first:-$end})) '{ b += $NF }
    END { if (covered > 0) printf "allocated: %.0f bytes in the %d s of load the dumps cover: %.0f bytes per request\n", b, covered, b / (rps * covered) }' "$OUT.collapsed"
fi
