#!/usr/bin/env bash
# Per-thread CPU per hit of a proxy in front of a 3-master cluster at -P 1 (-c 50, every key cached),
# from /proc/PID/task/*/stat over each of 3 rounds of 300,000 GETs, after a warm-up: which threads
# work per hit, and how much of a core the RESP loop gets. Nodes on 17580-17582 (buses 27580-27582),
# the proxy on 17590 (HTTP) and 17591 (RESP). EXTRA adds settings, e.g. EXTRA=PROXY_RESP_EVENT_LOOPS=2.
#   bench/cluster-thread-cpu.sh [jar]
set -u
cd "$(dirname "$0")/.."
J=$(realpath "${1:-target/redis-proxy.jar}"); OUT=target/cluster-threads; mkdir -p $OUT; cd $OUT
# /proc counts in clock ticks of 10 ms (CLK_TCK 100): a tick over 300,000 hits is 0.033 us a hit.
pids=(); trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
nodes=()
for port in 17580 17581 17582; do mkdir -p node-$port; rm -f node-$port/nodes.conf
  redis-server --bind 127.0.0.1 --port $port --cluster-enabled yes --cluster-config-file nodes.conf --dir $PWD/node-$port --save "" --appendonly no --logfile $PWD/node-$port/log & pids+=($!); nodes+=(127.0.0.1:$port); done
sleep 1; redis-cli --cluster create "${nodes[@]}" --cluster-yes >create-t.log 2>&1
for port in 17580 17581 17582; do for _ in $(seq 200); do redis-cli -p $port cluster info | grep -q cluster_state:ok && break; sleep 0.05; done; done
value=$(printf 'x%.0s' $(seq 100))
for i in $(seq 0 9999); do printf 'SET key:%012d %s\n' $i $value; done | redis-cli -c -p 17580 >/dev/null
env PROXY_HOST=127.0.0.1 PROXY_PORT=17590 PROXY_RESP_PORT=17591 CACHE_CAPACITY=20000 GLOBAL_CACHE_EXPIRY=3600 REDIS_ADDRESS=redis-cluster://127.0.0.1:17580 CACHE_INVALIDATION=none ${EXTRA:-} java -Xms1g -Xmx1g -XX:+UseParallelGC -jar $J > t-proxy.log 2>&1 & pids+=($!); pp=$!
for _ in $(seq 600); do [ "$(redis-cli -p 17591 get key:000000000001 2>/dev/null | wc -c)" = 101 ] && break; sleep 0.1; done
redis-benchmark -h 127.0.0.1 -p 17591 -t get -r 10000 -d 100 -c 50 -P 16 -n 1000000 -q >/dev/null 2>&1
redis-benchmark -h 127.0.0.1 -p 17591 -t get -r 10000 -d 100 -c 50 -P 1 -n 300000 -q >/dev/null 2>&1
snap() { for t in /proc/$pp/task/*; do s=$(cat $t/stat); n=${s#*(}; n=${n%%)*}; f=(${s##*) }); echo "$(basename $t) ${n// /_} $((f[11]+f[12]))"; done; }
for r in 1 2 3; do
  snap > a.txt; start=$(date +%s.%N)
  rate=$(redis-benchmark -h 127.0.0.1 -p 17591 -t get -r 10000 -d 100 -c 50 -P 1 -n 300000 --csv 2>/dev/null | tr -d '"' | awk -F, '$1=="GET"{print $2}')
  end=$(date +%s.%N); snap > b.txt
  echo "round $r rate $rate secs $(echo "$end - $start" | bc)"
  join a.txt b.txt | awk -v n=300000 -v secs=$(echo "$end - $start" | bc) '{d=$5-$3; if (d>0) printf "  %-28s %6.2f us/hit  %5.1f%% of a core\n", $2, d*10000/n, d*100/100/secs}' | sort -k2 -nr | head -6
done
