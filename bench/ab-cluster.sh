#!/usr/bin/env bash
# A/B of cache hits in front of a Redis Cluster (issue 26): three cluster masters (no replicas, as
# in `make bench`'s cluster rows), `redis-benchmark --cluster` straight at them as the base, and one
# proxy per SPEC in front of them (every key cached), ROUNDS alternating rounds of GET (-c 50,
# -r 10000, 100-byte values) at -P $P, N requests each. Beside each rate: the CPU per request of the
# server side (the proxy's process; for the base, the three redis-servers together) and of
# redis-benchmark itself, from /proc and /usr/bin/time (user + system), which other load on the
# machine inflates less than it does rates. For the standalone side by side, in the same rounds: one
# redis-server of its own (`redis` in the output) and proxies in front of it (`standalone` in a SPEC).
#   bench/ab-cluster.sh ROUNDS P N SPEC... | bench/ab-median.py cluster
# SPEC is a jar, optionally with settings for that proxy only, comma-separated:
#   target/jars/base.jar  target/jars/base.jar,PROXY_RESP_EVENT_LOOPS=2  target/jars/base.jar,standalone
# Ports: the nodes on 17500-17502 (their buses 27500-27502), the standalone redis-server on 17503,
# the proxies' HTTP on 17510+ and RESP on 17520+ (CLUSTER_PORTS moves them all).
set -uo pipefail
cd "$(dirname "$0")/.."
LOGS=target/ab-cluster; mkdir -p $LOGS
ROUNDS=$1; P=$2; N=$3; shift 3
BASE=${CLUSTER_PORTS:-17500}
JVM=${JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC"}
pids=(); nodes=(); node_pids=(); ports=(); names=(); ppids=()
# A port still held (a run before this one still stopping) would leave its load spinning: refuse at once.
for port in $(seq $BASE $((BASE + 3))) $(seq $((BASE + 10000)) $((BASE + 10003))) $(seq $((BASE + 10)) $((BASE + 20 + $# ))); do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is taken; set CLUSTER_PORTS" >&2; exit 1; fi
done
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
for i in 0 1 2; do
  port=$((BASE + i)); dir=$LOGS/node-$port; mkdir -p $dir; rm -f $dir/nodes.conf
  redis-server --bind 127.0.0.1 --port $port --cluster-enabled yes --cluster-config-file nodes.conf \
    --dir "$PWD/$dir" --save "" --appendonly no --daemonize no --logfile "$PWD/$dir/redis.log" &
  pids+=($!); node_pids+=($!); nodes+=(127.0.0.1:$port)
done
SOLO=$((BASE + 3))
redis-server --bind 127.0.0.1 --port $SOLO --save "" --appendonly no --daemonize no --logfile "$PWD/$LOGS/redis.log" &
pids+=($!); solo_pid=$!
for n in "${nodes[@]}" 127.0.0.1:$SOLO; do for _ in $(seq 100); do redis-cli -p ${n#*:} ping >/dev/null 2>&1 && break; sleep 0.1; done; done
redis-cli --cluster create "${nodes[@]}" --cluster-yes >$LOGS/create.log 2>&1
for n in "${nodes[@]}"; do for _ in $(seq 200); do redis-cli -p ${n#*:} cluster info | grep -q cluster_state:ok && break; sleep 0.05; done; done
# The proxy's load reads the plain key names (written with redis-cli -c, following MOVED);
# redis-benchmark --cluster reads names with a hash tag, which it writes itself.
value=$(printf 'x%.0s' $(seq 100))
for i in $(seq 0 9999); do printf 'SET key:%012d %s\n' $i $value; done | redis-cli -c -p $BASE >/dev/null
redis-benchmark --cluster -h 127.0.0.1 -p $BASE -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
redis-benchmark -h 127.0.0.1 -p $SOLO -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
address="redis-cluster://$(IFS=,; echo "${nodes[*]}")"
i=0
for spec in "$@"; do
  IFS=, read -r -a parts <<<"$spec"; jar=${parts[0]}; extra=(); to=$address
  name=$(basename $jar .jar)
  for e in "${parts[@]:1}"; do
    if [ "$e" = standalone ]; then to=127.0.0.1:$SOLO; name="$name@solo"; else extra+=("$e"); name="$name+${e#PROXY_}"; fi
  done
  rport=$((BASE + 20 + i)); hport=$((BASE + 10 + i)); i=$((i + 1)); ports+=($rport); names+=("$name")
  env PROXY_HOST=127.0.0.1 PROXY_PORT=$hport PROXY_RESP_PORT=$rport CACHE_CAPACITY=20000 REDIS_ADDRESS=$to \
    GLOBAL_CACHE_EXPIRY=3600 CACHE_INVALIDATION=none "${extra[@]}" \
    java $JVM -jar $jar >$LOGS/proxy-$rport.log 2>&1 & pids+=($!); ppids+=($!)
done
for p in "${ports[@]}"; do
  for _ in $(seq 600); do [ "$(redis-cli -p $p get key:000000000001 2>/dev/null | wc -c)" = 101 ] && break; sleep 0.1; done
done
cpu() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
tck=$(getconf CLK_TCK)
# One load: prints "req/s p50 p99 bench_ticks" (redis-benchmark's own user + system, from /usr/bin/time).
bench() { # port pipeline requests [--cluster]
  local out
  out=$(timeout 120 /usr/bin/time -f 'TIME %U %S' -o $LOGS/time.txt redis-benchmark ${4:-} -h 127.0.0.1 -p $1 -r 10000 \
      -c 50 -P $2 -n $3 -t get -d 100 --csv 2>/dev/null | tr -d '"\r' | awk -F, '$1 == "GET" { print $2, $5, $7 }')
  echo "$out $(awk -v hz=$tck '$1 == "TIME" { printf "%d", ($2 + $3) * hz }' $LOGS/time.txt)"
}
per_req() { echo "$1 * 1000000 / $tck / $N" | bc -l | cut -c1-5; }
run() { # name port cpu-pids [--cluster]
  local name=$1 port=$2 pidlist=$3 before after out
  before=$(cpu $pidlist); out=$(bench $port $P $N ${4:-}); after=$(cpu $pidlist)
  read -r rate p50 p99 bticks <<<"$out"
  echo "r$r P$P $name $rate $p50 $p99 cpu_us $(per_req $((after - before))) bench_cpu_us $(per_req $bticks)"
}
bench $BASE 16 400000 --cluster >/dev/null; bench $SOLO 16 400000 >/dev/null
for k in "${!ports[@]}"; do bench ${ports[$k]} 16 400000 >/dev/null; bench ${ports[$k]} 1 $((N / 2)) >/dev/null; done
for r in $(seq $ROUNDS); do
  run cluster $BASE "${node_pids[*]}" --cluster
  run redis $SOLO $solo_pid
  for k in "${!ports[@]}"; do run ${names[$k]} ${ports[$k]} ${ppids[$k]}; done
done
