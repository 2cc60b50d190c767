#!/usr/bin/env bash
# A/B of HTTP with a new connection per request: Webdis and one proxy per argument, side by
# side, ROUNDS alternating rounds (the first target rotating) of
#   cpr    wrk -t1 -c50 -H 'Connection: close' over 10,000 cached keys (Webdis: its GET of the same keys)
#   health the same on /health (Webdis: /PING): the HTTP front end without the cache
#   burst  BURST (400) clients connecting at once, each one GET /health (Webdis: /PING), ConnectBurst
# after a warm-up of each proxy. Each spec is a jar, optionally with settings: 'B.jar|PROXY_HTTP_H2C=off',
# or 'bare' (pekko-http alone answering a prebuilt response: its ceiling; 'bare|VARIANT' binds it
# another way: h2c (HTTP/2 on), async, source, source-cache, flow, see BarePekkoHttp;
# 'bare|JAVA_TOOL_OPTIONS=-Dpekko.x=y' with a Pekko setting, as a proxy's JAVA_TOOL_OPTIONS does).
#   bench/ab-connect.sh ROUNDS SECONDS A.jar ['B.jar|ENV=value ...' ...] | bench/ab-median.py webdis
# Lines: round load name req/s p50_ms p99_ms; for LOAD-cpu: round LOAD-cpu name us_of_cpu_per_request
# 0 0 (the server process's user+system time over the requests), LOAD-app the same without the JIT
# compiler's threads (the figure a change moves: see app_ticks); for burst: round burst name
# last_ms p50_ms failures. The "ratio" of a -cpu or burst row is then its figure over Webdis's.
# JVM_OPTS: the proxies' JVM options.
# Needs redis-server, redis-benchmark, wrk, webdis and target/test-classes (mvn test-compile);
# ports from 17300 + AB_PORTS: +10 Redis, +90 Webdis, +100.. the proxies' HTTP, +130.. their RESP.
set -uo pipefail
cd "$(dirname "$0")/.."
LOGS=target/ab-connect; mkdir -p $LOGS
ROUNDS=$1; SECS=$2; shift 2
BURST=${BURST:-400}
# AB_PORTS moves every port by that much, as in the other A/B scripts (before, it was the base itself).
BASE=$((17300 + ${AB_PORTS:-0})); REDIS=$((BASE + 10)); WEBDIS=$((BASE + 90))
JVM=${JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC"}
CP=$(ls target/redis-proxy.jar):target/test-classes
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
redis-server --bind 127.0.0.1 --port $REDIS --save "" --appendonly no --daemonize no --logfile $PWD/$LOGS/redis.log & pids+=($!)
for _ in $(seq 100); do redis-cli -p $REDIS ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -h 127.0.0.1 -p $REDIS -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
cat >$LOGS/webdis.json <<J
{ "redis_host": "127.0.0.1", "redis_port": $REDIS, "redis_auth": null, "http_host": "127.0.0.1", "http_port": $WEBDIS, "threads": 2, "daemonize": false, "database": 0, "verbosity": 1, "logfile": "$PWD/$LOGS/webdis.log" }
J
webdis $LOGS/webdis.json >/dev/null 2>&1 & pids+=($!)
i=0; ports=($WEBDIS); rports=(); names=(webdis); procs=($!)
for spec in "$@"; do jar=${spec%%|*}; settings=${spec#*|}; [ "$settings" = "$spec" ] && settings=
  port=$((BASE + 100 + i)); rport=$((BASE + 130 + i)); i=$((i+1)); ports+=($port)
  [ "$jar" = bare ] || rports+=($rport)
  names+=("$(basename $jar .jar)${settings:+:${settings// /,}}")
  if [ "$jar" = bare ]; then # pekko-http alone (BarePekkoHttp), its ceiling; 'bare|h2c' with HTTP/2
    # words with '=' are its environment ('bare|JAVA_TOOL_OPTIONS=-Dpekko...'), the rest its arguments
    # shellcheck disable=SC2046
    env $(tr ' ' '\n' <<<"$settings" | grep =) java $JVM -cp "$CP" com.redisproxy.bench.BarePekkoHttp "$port" \
      $(tr ' ' '\n' <<<"$settings" | grep -v =) >$LOGS/bare-$port.log 2>&1 & pids+=($!); procs+=($!)
    continue
  fi
  # shellcheck disable=SC2086
  env PROXY_HOST=127.0.0.1 PROXY_PORT=$port PROXY_RESP_PORT=$rport CACHE_CAPACITY=20000 REDIS_ADDRESS=127.0.0.1:$REDIS \
    GLOBAL_CACHE_EXPIRY=3600 $settings java $JVM -jar $jar >$LOGS/proxy-$port.log 2>&1 & pids+=($!); procs+=($!)
done
for p in "${ports[@]}"; do for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$p/" && break; sleep 0.1; done; done
keys() { [ "$1" = "$WEBDIS" ] && echo bench/webdis-keys.lua || echo bench/hot-keys.lua; }
health() { [ "$1" = "$WEBDIS" ] && echo /PING || echo /health; }
# warm-up: JIT, every key cached (through the RESP port first: on a loaded machine wrk's seconds
# of warm-up may reach only part of the 10,000 keys, and the rows would then time misses)
for rp in "${rports[@]}"; do redis-benchmark -h 127.0.0.1 -p "$rp" -t get -r 10000 -n 100000 -P 16 -q >/dev/null 2>&1; done
for p in "${ports[@]}"; do
  wrk -t1 -c50 -d5s -s "$(keys $p)" "http://127.0.0.1:$p" >/dev/null
  # a new connection per request runs code keep-alive never does: without its own warm-up (WARM,
  # 20 s) the first rounds measure the JIT (half the rate, in one run here)
  wrk -t1 -c50 -d${WARM:-20}s -H 'Connection: close' -s "$(keys $p)" "http://127.0.0.1:$p" >/dev/null
  java -cp "$CP" com.redisproxy.bench.ConnectBurst "$p" "$BURST" "$(health $p)" >/dev/null
done
ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000; printf "%.3f", v }' <<<"$1"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user + system, in clock ticks
# The same without the JIT compiler's threads: on a loaded machine the JIT is still compiling
# connection set-up minutes in, which moves the total from round to round more than any change.
app_ticks() { # the comm may hold spaces: fields counted after its closing parenthesis
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{ c = $0; sub(/^[0-9]+ \(/, "", c); name = substr(c, 1, index(c, ") ") - 1)
    if (name ~ /Compiler|Sweeper/) next; sub(/^.*\) /, "", c); split(c, f, " "); t += f[12] + f[13] } END { print t + 0 }'
}
wrk_row() { # round load name pid url [script]
  local out before after app_before app_after; before=$(cpu_ticks "$4"); app_before=$(app_ticks "$4")
  out=$(wrk -t1 -c50 -d${SECS}s --latency -H 'Connection: close' ${6:+-s $6} "$5")
  after=$(cpu_ticks "$4"); app_after=$(app_ticks "$4")
  echo "r$1 $2 $3 $(awk '/Requests\/sec/{print $2}' <<<"$out") $(ms "$(awk '$1=="50%"{print $2}' <<<"$out")") $(ms "$(awk '$1=="99%"{print $2}' <<<"$out")") $(grep -E 'Non-2xx|Socket' <<<"$out" | tr '\n' ' ')"
  # the server's own CPU per request, which the machine's other load moves far less than req/s
  echo "r$1 $2-cpu $3 $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '/requests in/ { printf "%.1f", t / hz * 1e6 / $1 }' <<<"$out") 0 0"
  echo "r$1 $2-app $3 $(awk -v t=$((app_after - app_before)) -v hz="$(getconf CLK_TCK)" '/requests in/ { printf "%.1f", t / hz * 1e6 / $1 }' <<<"$out") 0 0"
}
n=${#ports[@]}
for R in $(seq "$ROUNDS"); do
  for k in $(seq 0 $((n - 1))); do j=$(((k + R - 1) % n)); p=${ports[$j]}
    wrk_row "$R" cpr "${names[$j]}" "${procs[$j]}" "http://127.0.0.1:$p" "$(keys $p)"
    wrk_row "$R" health "${names[$j]}" "${procs[$j]}" "http://127.0.0.1:$p$(health $p)"
    read -r p50 last failed <<<"$(java -cp "$CP" com.redisproxy.bench.ConnectBurst "$p" "$BURST" "$(health $p)")"
    echo "r$R burst ${names[$j]} $last $p50 $failed"
  done
done
