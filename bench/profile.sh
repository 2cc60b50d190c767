#!/usr/bin/env bash
# Where the proxy's CPU goes under a redis-benchmark load: async-profiler (from Maven Central,
# tools.profiler:async-profiler:4.1, unpacked once into target/async-profiler) samples every thread
# every millisecond of CPU, and the collapsed stacks are summed per thread and per leaf frame.
#   bench/profile.sh P N [LOAD...]    e.g. bench/profile.sh 16 4000000, or
#   CAPACITY=0 bench/profile.sh 16 4000000 -t get -d 100    (every GET a miss; the default load)
#   bench/profile.sh 16 3000000 SET write:__rand_int__ 0123456789    (a forwarded write)
# WARM requests (1,000,000) warm the JIT first. Writes target/profile/collapsed.txt and prints the summary.
# CLUSTER=1: the proxy in front of a Redis Cluster of three masters instead (nodes on 17540-17542,
# buses 27540-27542), the same keys; PROXY_ENV adds settings, e.g. PROXY_ENV=PROXY_RESP_EVENT_LOOPS=2.
set -euo pipefail
cd "$(dirname "$0")/.."
P=$1; N=$2; shift 2
# AB_PORTS moves the three ports by that much, so that two profiles can share the machine.
RP=$((17379+${AB_PORTS:-0})); HP=$((17380+${AB_PORTS:-0})); PP=$((17381+${AB_PORTS:-0}))
LOAD=("$@"); [ ${#LOAD[@]} -gt 0 ] || LOAD=(-t get -d 100)
OUT=target/profile; mkdir -p "$OUT"
LIB=target/async-profiler/linux-x64/libasyncProfiler.so
if [ ! -e "$LIB" ]; then
  mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.1 -DoutputDirectory="$OUT" >/dev/null
  mkdir -p target/async-profiler && (cd target/async-profiler && unzip -qo "../profile/async-profiler-4.1.jar")
fi
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT
redis-server --bind 127.0.0.1 --port $RP --save "" --appendonly no --daemonize no --logfile "$PWD/$OUT/redis.log" & pids+=($!)
for _ in $(seq 100); do redis-cli -p $RP ping >/dev/null 2>&1 && break; sleep 0.1; done
# REDIS_SETUP: one command redis-cli sends Redis first (an ACL SETUSER for a load that logs in as that user).
[ -z "${REDIS_SETUP:-}" ] || redis-cli -p $RP $REDIS_SETUP >/dev/null
redis-benchmark -h 127.0.0.1 -p $RP -t set -r 10000 -d 100 -n 200000 -P 16 -q >/dev/null 2>&1
ADDRESS=127.0.0.1:$RP
if [ "${CLUSTER:-0}" = 1 ]; then
  nodes=()
  for port in 17540 17541 17542; do
    mkdir -p "$OUT/node-$port"; rm -f "$OUT/node-$port/nodes.conf"; nodes+=(127.0.0.1:$port)
    redis-server --bind 127.0.0.1 --port $port --cluster-enabled yes --cluster-config-file nodes.conf --dir "$PWD/$OUT/node-$port" \
      --save "" --appendonly no --daemonize no --logfile "$PWD/$OUT/node-$port/redis.log" & pids+=($!)
  done
  for port in 17540 17541 17542; do for _ in $(seq 100); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.1; done; done
  redis-cli --cluster create "${nodes[@]}" --cluster-yes >"$OUT/cluster-create.log" 2>&1
  for port in 17540 17541 17542; do for _ in $(seq 200); do redis-cli -p $port cluster info | grep -q cluster_state:ok && break; sleep 0.05; done; done
  value=$(printf 'x%.0s' $(seq 100))
  for i in $(seq 0 9999); do printf 'SET key:%012d %s\n' $i $value; done | redis-cli -c -p 17540 >/dev/null
  ADDRESS="redis-cluster://$(IFS=,; echo "${nodes[*]}")"
fi
env PROXY_HOST=127.0.0.1 PROXY_PORT=$HP PROXY_RESP_PORT=$PP CACHE_CAPACITY="${CAPACITY:-20000}" \
  REDIS_ADDRESS=$ADDRESS GLOBAL_CACHE_EXPIRY=3600 ${PROXY_ENV:-} \
  java -Xms1g -Xmx1g -XX:+UseParallelGC \
  "-agentpath:$PWD/$LIB=start,${AGENT_EVENT:-event=itimer,interval=1ms},threads,cstack=no,file=$PWD/$OUT/collapsed.txt,collapsed" \
  -jar target/redis-proxy.jar >"$OUT/proxy.log" 2>&1 & proxy=$!; pids+=($proxy)
for _ in $(seq 600); do [ "$(redis-cli -p $PP get key:000000000001 2>/dev/null | wc -c)" = 101 ] && break; sleep 0.1; done
redis-benchmark -h 127.0.0.1 -p $PP -r 10000 -c 50 -P "$P" -n "${WARM:-1000000}" -q "${LOAD[@]}" >/dev/null 2>&1
redis-benchmark -h 127.0.0.1 -p $PP -r 10000 -c 50 -P "$P" -n "$N" -q "${LOAD[@]}" 2>&1 | tr '\r' '\n' | tail -1
kill "$proxy"; wait "$proxy" 2>/dev/null || true # the profile is written at exit
python3 - "$OUT/collapsed.txt" <<'PY'
import collections, sys
threads, leaves, total = collections.Counter(), collections.Counter(), 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(' ')
    frames, n = stack.split(';'), int(n)
    total += n
    threads[frames[0][:40]] += n
    leaves[frames[-1]] += n
print(f"{total} samples")
for name, n in threads.most_common(10): print(f"{100 * n / total:5.1f}% thread {name}")
for name, n in leaves.most_common(25): print(f"{100 * n / total:5.1f}% {name}")
PY
