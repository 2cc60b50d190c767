#!/usr/bin/env bash
# A/B of HTTP cache hits with keep-alive: Webdis and one proxy per argument, side by side, ROUNDS
# alternating rounds (the first target rotating) of wrk (-t1 -c$AB_CLIENTS, 50, SECONDS each), after
# WARM seconds of warm-up per proxy.
#   bench/ab-http.sh ROUNDS SECONDS A.jar ['B.jar|JVM options' ...] | bench/ab-median.py webdis
# Lines: round, load, name, req/s, p50 ms, p99 ms; then HTTP-cpu for Webdis too (and for
# the redis-server behind it); for each proxy, the figures a loaded
# machine moves far less than req/s: HTTP-cpu (us of the proxy's CPU per request, user + system,
# JIT threads included), HTTP-app (the same without the JIT's threads), HTTP-alloc (bytes allocated
# per request: the eden the proxy's GCs found, plus eden in use, before and after) and HTTP-gc (the
# young GCs during the row, their longest pause in ms), and for Webdis too HTTP-wait (us per request its
# threads spent runnable but waiting for a core, then the most any one thread waited, ms per s of the
# row, then the times its threads were put on a core per request: its wake-ups, each of which may
# queue for a core; the machine's share of the tail). HEALTH=1 adds /health on the last proxy.
# Needs redis-server, redis-benchmark, wrk, webdis and jstat. AB_PORTS moves every port by that
# much, so that two A/B runs can share the machine: Redis 16379, Webdis 18090, the proxies' HTTP
# 18100.. and RESP 16400...
set -uo pipefail
cd "$(dirname "$0")/.."
LOGS=target/ab-http; mkdir -p $LOGS
ROUNDS=$1; SECS=$2; shift 2
R=$((16379+${AB_PORTS:-0})); WEBDIS=$((18090+${AB_PORTS:-0})); HP=$((18100+${AB_PORTS:-0})); RP=$((16400+${AB_PORTS:-0}))
CLIENTS=${AB_CLIENTS:-50}
JVM=${JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC"}
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
redis-server --bind 127.0.0.1 --port $R --save "" --appendonly no --daemonize no --logfile $PWD/$LOGS/redis.log & pids+=($!); redis_pid=$!
for _ in $(seq 100); do redis-cli -p $R ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -h 127.0.0.1 -p $R -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
cat >$LOGS/webdis.json <<J
{ "redis_host": "127.0.0.1", "redis_port": $R, "redis_auth": null, "http_host": "127.0.0.1", "http_port": $WEBDIS, "threads": 2, "daemonize": false, "database": 0, "verbosity": 1, "logfile": "$PWD/$LOGS/webdis.log" }
J
webdis $LOGS/webdis.json >/dev/null 2>&1 & pids+=($!)
i=0; ports=($WEBDIS); names=(webdis); procs=($!)
for spec in "$@"; do jar=${spec%%|*}; opts=${spec#*|}; [ "$opts" = "$spec" ] && opts=$JVM;
  port=$((HP+i)); rport=$((RP+i)); i=$((i+1)); ports+=($port); names+=("$(basename $jar .jar)$([ "$opts" = "$JVM" ] || echo "+${opts// /}")")
  # shellcheck disable=SC2086
  env PROXY_HOST=127.0.0.1 PROXY_PORT=$port PROXY_RESP_PORT=$rport CACHE_CAPACITY=20000 REDIS_ADDRESS=127.0.0.1:$R GLOBAL_CACHE_EXPIRY=3600 \
    java $opts -Xlog:gc,gc+heap:file=$LOGS/gc-$port.log -jar $jar >$LOGS/proxy-$port.log 2>&1 & pids+=($!); procs+=($!)
  for _ in $(seq 600); do redis-cli -p $rport ping >/dev/null 2>&1 && break; sleep 0.1; done
  # every key cached through the RESP port first: wrk's warm-up on a loaded machine may not reach them all
  redis-benchmark -h 127.0.0.1 -p $rport -t get -r 10000 -n 100000 -P 16 -q >/dev/null 2>&1
done
for p in "${ports[@]}"; do for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$p/" && break; sleep 0.1; done; done
keys() { [ "$1" = "$WEBDIS" ] && echo bench/webdis-keys.lua || echo bench/hot-keys.lua; }
# warm-up
for p in "${ports[@]}"; do wrk -t1 -c$CLIENTS -d$([ "$p" = "$WEBDIS" ] && echo 2 || echo ${WARM:-10})s -s "$(keys $p)" http://127.0.0.1:$p >/dev/null; done
ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000; printf "%.3f", v }' <<<"$1"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user + system, in clock ticks
app_ticks() { # the same without the JIT compiler's threads (the comm may hold spaces)
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{ c = $0; sub(/^[0-9]+ \(/, "", c); name = substr(c, 1, index(c, ") ") - 1)
    if (name ~ /Compiler|Sweeper/) next; sub(/^.*\) /, "", c); split(c, f, " "); t += f[12] + f[13] } END { print t + 0 }'
}
allocated() { # pid port -> bytes allocated in eden since the JVM started: every GC's eden before it, plus eden in use
  local stat log gcs
  for _ in 1 2 3 4 5; do
    stat=$(jstat -gc "$1" | awk 'NR == 2 { printf "%.0f %d", $6 * 1024, $13 + $15 }') # EU (KB), YGC + FGC
    log=$(awk '/Eden: / { match($0, /Eden: [0-9]+K/); n++; sum += substr($0, RSTART + 6, RLENGTH - 7) * 1024 }
      END { printf "%.0f %d", sum, n }' "$LOGS/gc-$2.log")
    gcs=${stat#* }
    # a GC between the two reads would be counted twice or not at all: read again
    [ "$gcs" = "${log#* }" ] && { echo $((${stat% *} + ${log% *})); return; }
  done
  echo 0
}
# Time the process's threads spent runnable but waiting for a core (the kernel's run-queue delay,
# /proc/PID/task/TID/schedstat's second field, ns): the sum over its threads, and the most any one
# thread waited, by thread id. On a shared machine a request queued behind a waiting thread waits too.
run_waits() { for t in /proc/"$1"/task/*; do echo "${t##*/} $(awk '{ print $2, $3 }' "$t/schedstat" 2>/dev/null)"; done; }
wait_row() { # round name before-file after-file requests seconds -> "HTTP-wait" line
  awk -v r="$1" -v name="$2" -v n="$5" -v secs="$6" 'NR == FNR { before[$1] = $2; ran[$1] = $3; next }
    { d = $2 - before[$1]; total += d; if (d > most) most = d; slices += $3 - ran[$1] }
    END { printf "r%s HTTP-wait %s %.1f %.1f %.2f\n", r, name, total / 1000 / n, most / 1e6 / secs, slices / n }' "$3" "$4"
}
gc_count() { grep -c ' Pause ' "$LOGS/gc-$1.log"; }
gc_max_since() { grep ' Pause ' "$LOGS/gc-$1.log" | tail -n +$(($2 + 1)) | grep -o '[0-9.]*ms$' | tr -d ms | sort -g | tail -1; }
run() { # port name pid
  local out before after app_before app_after alloc_before alloc_after gcs n
  before=$(cpu_ticks $3); redis_before=$(cpu_ticks $redis_pid); run_waits "$3" >$LOGS/wait-before
  if [ "$1" != "$WEBDIS" ]; then app_before=$(app_ticks $3); alloc_before=$(allocated $3 $1); gcs=$(gc_count $1); fi
  out=$(wrk -t1 -c$CLIENTS -d${SECS}s --latency -s "$(keys $1)" http://127.0.0.1:$1)
  echo "r$R HTTP $2 $(awk '/Requests\/sec/{print $2}' <<<"$out") $(ms $(awk '$1=="50%"{print $2}' <<<"$out")) $(ms $(awk '$1=="99%"{print $2}' <<<"$out")) $(grep -E 'Non-2xx|Socket' <<<"$out" | tr '\n' ' ')"
  n=$(awk '/requests in/ { print $1 }' <<<"$out")
  # us of run-queue wait per request over all the process's threads, and its most-waiting thread's ms per s
  run_waits "$3" >$LOGS/wait-after; wait_row "$R" "$2" $LOGS/wait-before $LOGS/wait-after "$n" "$SECS"
  if [ "$1" = "$WEBDIS" ]; then # its CPU per request too (its threads are in the process's figure), the yardstick
    echo "r$R HTTP-cpu $2 $(awk -v t=$(($(cpu_ticks $3) - before)) -v hz="$(getconf CLK_TCK)" -v n=$n 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') 0 0"
    # and the redis-server behind it, which answers every one of Webdis's requests (the proxy's hits need none)
    echo "r$R HTTP-cpu redis-behind-webdis $(awk -v t=$(($(cpu_ticks $redis_pid) - redis_before)) -v hz="$(getconf CLK_TCK)" -v n=$n 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') 0 0"
    return
  fi
  after=$(cpu_ticks $3); app_after=$(app_ticks $3); alloc_after=$(allocated $3 $1)
  echo "r$R HTTP-cpu $2 $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n=$n 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') 0 0"
  echo "r$R HTTP-app $2 $(awk -v t=$((app_after - app_before)) -v hz="$(getconf CLK_TCK)" -v n=$n 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') 0 0"
  echo "r$R HTTP-alloc $2 $(awk -v b=$((alloc_after - alloc_before)) -v n=$n 'BEGIN { printf "%.0f", b / n }') 0 0"
  echo "r$R HTTP-gc $2 $(($(gc_count $1) - gcs)) $(gc_max_since $1 $gcs | sed 's/^$/0/') 0"
}
n=${#ports[@]}
for R in $(seq $ROUNDS); do
  for k in $(seq 0 $((n - 1))); do j=$(((k + R - 1) % n)); run ${ports[$j]} "${names[$j]}" ${procs[$j]}; done
  [ -n "${HEALTH:-}" ] && { out=$(wrk -t1 -c$CLIENTS -d${SECS}s --latency -s bench/health.lua http://127.0.0.1:${ports[-1]});
    echo "r$R HTTP health:${names[-1]} $(awk '/Requests\/sec/{print $2}' <<<"$out") $(ms $(awk '$1=="50%"{print $2}' <<<"$out")) $(ms $(awk '$1=="99%"{print $2}' <<<"$out"))"; }
done
for p in "${ports[@]:1}"; do grep Pause $LOGS/gc-$p.log | grep -o "[0-9.]*ms$" | sort -n | awk -v p=$p "{a[NR]=\$1} END{print \"gc \" p, NR, \"pauses, median\", a[int(NR/2)+1], \"max\", a[NR]}"; done
