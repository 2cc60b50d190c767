#!/usr/bin/env bash
# Renders docs/dashboard.png: redis-server, the proxy jar and Debian's Prometheus (scraping every
# 2 s) under a few minutes of mixed load, then page.html draws the Grafana dashboard's own
# queries from that Prometheus in headless Chromium. Grafana itself is not in Debian.
# Needs: redis-server, redis-benchmark, wrk, prometheus, chromium, and target/redis-proxy.jar.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/dashboard-snapshot
phase_seconds=${SNAPSHOT_PHASE_SECONDS:-50}
redis_port=${SNAPSHOT_REDIS_PORT:-17379} http_port=${SNAPSHOT_HTTP_PORT:-17080}
resp_port=${SNAPSHOT_RESP_PORT:-17380} prometheus_port=${SNAPSHOT_PROMETHEUS_PORT:-17090}
work=$(mktemp -d)
pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap stop_all EXIT
await() { for _ in $(seq 1 240); do if eval "$1" >/dev/null 2>&1; then return 0; fi; sleep 0.25; done; echo "gave up waiting for: $1" >&2; exit 1; }

redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 & pids+=($!)
await "redis-cli -p $redis_port ping"
redis-benchmark -p "$redis_port" -t set -r 4000 -n 40000 -d 100 -q >/dev/null

# A cache smaller than the key space, a short expiry and a low client limit: evictions,
# expirations and refusals all get something to show.
env REDIS_ADDRESS="127.0.0.1:$redis_port" PROXY_PORT="$http_port" PROXY_RESP_PORT="$resp_port" \
  CACHE_CAPACITY=2000 GLOBAL_CACHE_EXPIRY=20 PROXY_MAX_CLIENTS=40 \
  java -Xmx256m -XX:+UseSerialGC -jar target/redis-proxy.jar >"$work/proxy.log" 2>&1 & pids+=($!)
await "curl -sf http://127.0.0.1:$http_port/ready"

cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 2s, scrape_timeout: 2s, evaluation_interval: 2s}
rule_files: ["$PWD/deploy/prometheus/alerts.yml"]
scrape_configs:
  - job_name: redis-proxy
    static_configs: [{targets: ["127.0.0.1:$http_port"]}]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn >"$work/prometheus.log" 2>&1 & pids+=($!)
await "curl -sf http://127.0.0.1:$prometheus_port/-/ready"

cat >"$work/random-key.lua" <<'LUA'
request = function() return wrk.format("GET", string.format("/proxy?key=key:%012d", math.random(0, 1499))) end
LUA
echo "phase 1 ($phase_seconds s): a hot set that fits the cache, over RESP and HTTP"
timeout "$phase_seconds" redis-benchmark -p "$resp_port" -t get -r 1500 -c 4 -l -q >/dev/null 2>&1 & load=($!)
wrk -t1 -c4 -d"${phase_seconds}s" -s "$work/random-key.lua" "http://127.0.0.1:$http_port" >/dev/null 2>&1 & load+=($!)
wait "${load[@]}" || true
echo "phase 2 ($phase_seconds s): the whole key space (evictions), writes in Redis (invalidations), a burst over the client limit"
timeout "$phase_seconds" redis-benchmark -p "$resp_port" -t get -r 4000 -c 4 -l -q >/dev/null 2>&1 & load=($!)
timeout "$phase_seconds" redis-benchmark -p "$redis_port" -t set -r 4000 -c 1 -l -q >/dev/null 2>&1 & load+=($!)
sleep $((phase_seconds / 2))
redis-benchmark -p "$resp_port" -t get -r 4000 -c 60 -n 3000 -q >/dev/null 2>&1 || true
wait "${load[@]}" || true
sleep 6 # two more scrapes, so the last points are in

mkdir -p docs
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
  --window-size=1400,1420 --virtual-time-budget=30000 --screenshot="$PWD/docs/dashboard.png" \
  "file://$PWD/$here/page.html?prometheus=http://127.0.0.1:$prometheus_port&minutes=$(( (2 * phase_seconds + 30) / 60 + 1 ))" 2>"$work/chromium.log" \
  || { cat "$work/chromium.log" >&2; exit 1; }
echo "wrote docs/dashboard.png"
