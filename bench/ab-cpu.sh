#!/usr/bin/env bash
# A/B of the proxy's own CPU per request (user + system time from /proc, which other load on the
# machine does not inflate the way it does wall-clock rates): redis-server and one proxy per jar,
# ROUNDS alternating rounds of redis-benchmark GET (-c 50, -r 10000, 100-byte values) at -P $P, N
# requests each. AB_CAPACITY as in ab-resp.sh (0: every GET a miss; 8000: about 80% hits).
# AB_LOAD replaces the GET load's redis-benchmark arguments, e.g. AB_LOAD="SET write:__rand_int__ 0123456789"
# for a forwarded write. AB_REDIS_SETUP is one command redis-cli sends Redis first, e.g. an ACL SETUSER
# for a load that logs in as that user (AB_LOAD="-t get -d 100 --user u -a p"). AB_LOAD2: a second
# load every jar also runs in each round, in turn with the first (e.g. the same GETs as an ACL user
# beside the default user's), printed as "jar+2".
# AB_SWITCHES=1: each line also gets the context switches per request of the busiest thread (the
# RESP loop; voluntary ones are its sleeps in epoll_wait) and of the whole process (thread-switches.py).
# The word `twemproxy` in place of a jar measures nutcracker (twemproxy) in front of the same Redis, as
# bench/run.sh starts it, the same way: its CPU per request beside the proxy's.
#   bench/ab-cpu.sh ROUNDS P N A.jar [B.jar ...] [twemproxy]    (a jar may name settings of its own: A.jar,PROXY_X=1)
set -uo pipefail
cd "$(dirname "$0")/.."
LOGS=target/ab; mkdir -p $LOGS
ROUNDS=$1; P=$2; N=$3; shift 3
# AB_PORTS moves every port by that much, so that two A/B runs can share the machine.
R=$((16379+${AB_PORTS:-0})); RP=$((16400+${AB_PORTS:-0})); HP=$((18100+${AB_PORTS:-0}))
JVM=${JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC"}
pids=(); ppids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
redis-server --bind 127.0.0.1 --port $R --save "" --appendonly no --daemonize no --logfile $LOGS/redis.log & pids+=($!)
for _ in $(seq 100); do redis-cli -p $R ping >/dev/null 2>&1 && break; sleep 0.1; done
[ -z "${AB_REDIS_SETUP:-}" ] || redis-cli -p $R $AB_REDIS_SETUP >/dev/null
redis-benchmark -h 127.0.0.1 -p $R -t set -r 10000 -d 100 -n 300000 -P 16 -q >/dev/null 2>&1
i=0; ports=(); names=()
for spec in "$@"; do
  # A jar may carry settings of its own: A.jar,PROXY_X=1,PROXY_Y=2 (named A,PROXY_X=1,... in the output).
  jar=${spec%%,*}; extra=""; [ "$spec" = "$jar" ] || extra=${spec#*,}
  rport=$((RP+i)); i=$((i+1)); ports+=($rport); names+=($(basename $jar .jar)${extra:+,$extra})
  if [ "$jar" = twemproxy ]; then
    printf 'ab:\n  listen: 127.0.0.1:%s\n  redis: true\n  hash: fnv1a_64\n  distribution: ketama\n  servers:\n    - 127.0.0.1:%s:1\n' \
      $rport $R >$LOGS/twemproxy-$rport.yml
    nutcracker -c $LOGS/twemproxy-$rport.yml -s $((HP+i)) -a 127.0.0.1 -o $LOGS/twemproxy-$rport.log & pids+=($!); ppids+=($!)
    continue
  fi
  env PROXY_HOST=127.0.0.1 PROXY_PORT=$((HP+i)) PROXY_RESP_PORT=$rport CACHE_CAPACITY=${AB_CAPACITY:-0} REDIS_ADDRESS=127.0.0.1:$R GLOBAL_CACHE_EXPIRY=3600 ${AB_ENV:-} ${extra//,/ } \
    java $JVM -jar $jar >$LOGS/proxy-$rport.log 2>&1 & pids+=($!); ppids+=($!)
done
for p in "${ports[@]}"; do for _ in $(seq 300); do redis-cli -p $p ping >/dev/null 2>&1 && break; sleep 0.1; done; done
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
loads=("${AB_LOAD:--t get -d 100}"); [ -z "${AB_LOAD2:-}" ] || loads+=("$AB_LOAD2")
bench() { # port requests load
  timeout 120 redis-benchmark -h 127.0.0.1 -p $1 -r 10000 -c 50 -P $P -n $2 --csv $3 2>/dev/null | awk -F, 'NR==2{gsub(/"/,""); print $2}'
}
for k in "${!ports[@]}"; do for l in "${!loads[@]}"; do bench ${ports[$k]} $((N/2)) "${loads[$l]}" >/dev/null; done; done
tck=$(getconf CLK_TCK)
for r in $(seq $ROUNDS); do
  for k in "${!ports[@]}"; do
    for l in "${!loads[@]}"; do
      label=${names[$k]}; [ "$l" = 0 ] || label="${names[$k]}+$((l+1))"
      [ -z "${AB_SWITCHES:-}" ] || bench/thread-switches.py snap ${ppids[$k]} >$LOGS/switches-before
      before=$(cpu ${ppids[$k]}); rate=$(bench ${ports[$k]} $N "${loads[$l]}"); after=$(cpu ${ppids[$k]})
      switches=""; [ -z "${AB_SWITCHES:-}" ] || switches=" $(bench/thread-switches.py diff ${ppids[$k]} $N <$LOGS/switches-before)"
      echo "r$r $label rate $rate cpu_us_per_req $(echo "($after-$before)*1000000/$tck/$N" | bc -l | cut -c1-5)$switches"
    done
  done
done
