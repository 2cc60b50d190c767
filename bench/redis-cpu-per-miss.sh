#!/usr/bin/env bash
# What a miss costs Redis itself, for each way of asking: the same 320,000 random keys (of 10,000
# 100-byte strings) sent with `redis-cli --pipe` on one connection, as the proxy's batches are, and
# redis-server's CPU (user + system, from /proc) divided by the keys, ROUNDS rounds in turn:
#   pairs    GET k, PTTL k a key (a batch before the sixth round of misses)
#   mget16   MGET of 16 keys, then each one's PTTL
#   mget64   MGET of 64 keys, then each one's PTTL
#   bench/redis-cpu-per-miss.sh ROUNDS [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}; PORT=${2:-17901}
OUT=target/redis-cpu-per-miss; mkdir -p $OUT
redis-server --bind 127.0.0.1 --port $PORT --save "" --appendonly no --daemonize no --logfile $OUT/redis.log & pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do redis-cli -p $PORT ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -p $PORT -t set -r 10000 -d 100 -n 200000 -P 16 -q >/dev/null 2>&1
python3 - $OUT <<'EOF'
import random, sys
def command(*args):
    return b'*%d\r\n' % len(args) + b''.join(b'$%d\r\n%s\r\n' % (len(a), a) for a in (x.encode() for x in args))
random.seed(1)
keys = ['key:%012d' % random.randrange(10000) for _ in range(320000)]
def grouped(size):
    return b''.join(command('MGET', *keys[i:i + size]) + b''.join(command('PTTL', k) for k in keys[i:i + size])
                    for i in range(0, len(keys), size))
open(sys.argv[1] + '/pairs.resp', 'wb').write(b''.join(command('GET', k) + command('PTTL', k) for k in keys))
open(sys.argv[1] + '/mget16.resp', 'wb').write(grouped(16))
open(sys.argv[1] + '/mget64.resp', 'wb').write(grouped(64))
EOF
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
tck=$(getconf CLK_TCK)
for r in $(seq $ROUNDS); do
  for way in pairs mget16 mget64; do
    before=$(cpu); redis-cli -p $PORT --pipe <$OUT/$way.resp >/dev/null; after=$(cpu)
    echo "r$r $way redis_us_per_key $(echo "($after-$before)*1000000/$tck/320000" | bc -l | cut -c1-5)"
  done
done
