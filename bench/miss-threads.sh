#!/usr/bin/env bash
# Per-thread CPU of redis-server, one proxy and redis-benchmark, 4 s into a GET load on the proxy:
# which thread is busy, or whether none is (then the time goes to waiting).
#   bench/miss-threads.sh JAR [PIPELINE=16] [REQUESTS=1500000] [CACHE_CAPACITY=0]
# C sets the clients (50); PROXY_ENV adds settings, e.g. PROXY_ENV='CACHE_HONOUR_REDIS_TTL=off'.
set -uo pipefail
cd "$(dirname "$0")/.."
JAR=$1; P=${2:-16}; N=${3:-1500000}; CAP=${4:-0}
LOGS=target/ab; mkdir -p $LOGS
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
redis-server --bind 127.0.0.1 --port 16379 --save "" --appendonly no --daemonize no --logfile $LOGS/redis.log & RP=$!; pids+=($RP)
for _ in $(seq 100); do redis-cli -p 16379 ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -h 127.0.0.1 -p 16379 -t set -r 10000 -d 100 -n 200000 -P 16 -q >/dev/null 2>&1
env PROXY_HOST=127.0.0.1 PROXY_PORT=18100 PROXY_RESP_PORT=16400 CACHE_CAPACITY=$CAP REDIS_ADDRESS=127.0.0.1:16379 GLOBAL_CACHE_EXPIRY=3600 ${PROXY_ENV:-} \
  java -Xms1g -Xmx1g -XX:+UseParallelGC -jar $JAR > $LOGS/proxy-threads.log 2>&1 & PP=$!; pids+=($PP)
for _ in $(seq 300); do redis-cli -p 16400 ping >/dev/null 2>&1 && break; sleep 0.1; done
timeout 60 redis-benchmark -h 127.0.0.1 -p 16400 -r 10000 -c ${C:-50} -P $P -n 300000 -t get -d 100 -q >/dev/null 2>&1
timeout 60 redis-benchmark -h 127.0.0.1 -p 16400 -r 10000 -c ${C:-50} -P $P -n $N -t get -d 100 -q > $LOGS/threads-bench.out 2>&1 & BP=$!
sleep 3; bench/thread-cpu.py 4 $RP $PP $(pgrep -f 'redis-benchmark -h 127.0.0.1 -p 16400')
wait $BP; grep -a -o '[0-9.]* requests per second' $LOGS/threads-bench.out | tail -1
