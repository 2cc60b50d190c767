#!/usr/bin/env bash
# A/B of RESP cache hits: redis-server and one proxy per jar, side by side, ROUNDS alternating
# rounds of redis-benchmark GET (-c 50, -r 10000, 100-byte values) at -P 1 (N_P1 requests) and
# -P 16 (N_P16), after a warm-up of each. AB_LOAD replaces the GET load, e.g. forwarded writes:
# AB_LOAD='SET write:__rand_int__ 0123456789'.
# AB_CAPACITY sets the proxies' CACHE_CAPACITY (20000; 0 makes every GET a miss).
# AB_ENV adds settings to the proxies' environment, e.g. AB_ENV='CACHE_INVALIDATION=tracking'.
#   bench/ab-resp.sh ROUNDS N_P1 N_P16 A.jar [B.jar ...] | bench/ab-median.py redis
set -uo pipefail
cd "$(dirname "$0")/.."
LOGS=target/ab; mkdir -p $LOGS
ROUNDS=$1; N1=$2; N16=$3; shift 3
# AB_PORTS moves every port by that much, so that two A/B runs can share the machine.
R=$((16379+${AB_PORTS:-0})); RP=$((16400+${AB_PORTS:-0})); HP=$((18100+${AB_PORTS:-0}))
JVM=${JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC"}
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
redis-server --bind 127.0.0.1 --port $R --save "" --appendonly no --daemonize no --logfile $LOGS/redis.log & pids+=($!)
for _ in $(seq 100); do redis-cli -p $R ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -h 127.0.0.1 -p $R -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
i=0; ports=($R); names=(redis)
for jar in "$@"; do
  port=$((HP+i)); rport=$((RP+i)); i=$((i+1)); ports+=($rport); names+=($(basename $jar .jar))
  env PROXY_HOST=127.0.0.1 PROXY_PORT=$port PROXY_RESP_PORT=$rport CACHE_CAPACITY=${AB_CAPACITY:-20000} REDIS_ADDRESS=127.0.0.1:$R GLOBAL_CACHE_EXPIRY=3600 ${AB_ENV:-} \
    java $JVM -jar $jar >$LOGS/proxy-$rport.log 2>&1 & pids+=($!)
done
for p in "${ports[@]}"; do for _ in $(seq 300); do redis-cli -p $p ping >/dev/null 2>&1 && break; sleep 0.1; done; done
LOAD=${AB_LOAD:-"-t get -d 100"}
bench() { timeout 60 redis-benchmark -h 127.0.0.1 -p $1 -r 10000 -c 50 -P $2 -n $3 --csv $LOAD 2>/dev/null | awk -F, 'NR==2{gsub(/"/,""); print $2, $3, $7}'; }
for k in "${!ports[@]}"; do bench ${ports[$k]} 1 100000 >/dev/null; bench ${ports[$k]} 16 400000 >/dev/null; done
for r in $(seq $ROUNDS); do
  for k in "${!ports[@]}"; do echo "r$r P1  ${names[$k]} $(bench ${ports[$k]} 1 $N1)"; done
  for k in "${!ports[@]}"; do echo "r$r P16 ${names[$k]} $(bench ${ports[$k]} 16 $N16)"; done
done
