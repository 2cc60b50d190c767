#!/usr/bin/env bash
# A/B of HTTP cache hits: Webdis and one proxy per argument, side by side, ROUNDS alternating
# rounds of wrk (-t1 -c50, SECONDS each), after WARM seconds of warm-up per proxy.
#   bench/ab-http.sh ROUNDS SECONDS A.jar ['B.jar|JVM options' ...] | bench/ab-median.py webdis
# Each line: round, load, name, req/s, p50 ms, p99 ms. HEALTH=1 adds /health on the last proxy.
# Needs redis-server, redis-benchmark, wrk and webdis; ports 16379, 18090, 18100+ and 16400+.
set -uo pipefail
cd "$(dirname "$0")/.."
LOGS=target/ab; mkdir -p $LOGS
ROUNDS=$1; SECS=$2; shift 2
JVM=${JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC"}
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
redis-server --bind 127.0.0.1 --port 16379 --save "" --appendonly no --daemonize no --logfile $LOGS/redis.log & pids+=($!)
for _ in $(seq 100); do redis-cli -p 16379 ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -h 127.0.0.1 -p 16379 -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
cat >$LOGS/webdis.json <<J
{ "redis_host": "127.0.0.1", "redis_port": 16379, "redis_auth": null, "http_host": "127.0.0.1", "http_port": 18090, "threads": 2, "daemonize": false, "database": 0, "verbosity": 1, "logfile": "$LOGS/webdis.log" }
J
webdis $LOGS/webdis.json >/dev/null 2>&1 & pids+=($!)
i=0; ports=(); names=()
for spec in "$@"; do jar=${spec%%|*}; opts=${spec#*|}; [ "$opts" = "$spec" ] && opts=$JVM;
  port=$((18100+i)); rport=$((16400+i)); i=$((i+1)); ports+=($port); names+=("$(basename $jar .jar)$([ "$opts" = "$JVM" ] || echo "+${opts// /}")")
  env PROXY_HOST=127.0.0.1 PROXY_PORT=$port PROXY_RESP_PORT=$rport CACHE_CAPACITY=20000 REDIS_ADDRESS=127.0.0.1:16379 GLOBAL_CACHE_EXPIRY=3600 \
    java $opts -Xlog:gc:file=$LOGS/gc-$port.log -jar $jar >$LOGS/proxy-$port.log 2>&1 & pids+=($!)
done
for p in "${ports[@]}"; do for _ in $(seq 300); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.1; done; done
# warm-up
for p in "${ports[@]}"; do wrk -t1 -c50 -d${WARM:-10}s -s bench/hot-keys.lua http://127.0.0.1:$p >/dev/null; done
wrk -t1 -c50 -d2s -s bench/webdis-keys.lua http://127.0.0.1:18090 >/dev/null
ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000; printf "%.3f", v }' <<<"$1"; }
run() { local out; out=$(wrk -t1 -c50 -d${SECS}s --latency -s $2 $1); echo "r$R HTTP $3 $(awk '/Requests\/sec/{print $2}' <<<"$out") $(ms $(awk '$1=="50%"{print $2}' <<<"$out")) $(ms $(awk '$1=="99%"{print $2}' <<<"$out")) $(grep -E 'Non-2xx|Socket' <<<"$out" | tr '\n' ' ')"; }
for R in $(seq $ROUNDS); do
  run http://127.0.0.1:18090 bench/webdis-keys.lua webdis
  j=0; for p in "${ports[@]}"; do run http://127.0.0.1:$p bench/hot-keys.lua "${names[$j]}"; j=$((j+1)); done
  [ -n "${HEALTH:-}" ] && run http://127.0.0.1:${ports[-1]} bench/health.lua "health:${names[-1]}"
done
for p in "${ports[@]}"; do grep Pause $LOGS/gc-$p.log | grep -o "[0-9.]*ms$" | sort -n | awk -v p=$p "{a[NR]=\$1} END{print \"gc \" p, NR, \"pauses, median\", a[int(NR/2)+1], \"max\", a[NR]}"; done
