#!/usr/bin/env bash
# What a connection per Redis user costs Redis: USERS clients, each logged in through the proxy's
# RESP port as a user of its own, and Redis's INFO clients / used_memory before and while they are
# connected, then after they have gone. Needs redis-server, redis-cli, python3, target/redis-proxy.jar.
#   bench/user-connections.sh [USERS]
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-100}; REDIS=17560; RESP=17562
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; redis-cli -p $REDIS shutdown nosave >/dev/null 2>&1 || true' EXIT
redis-server --bind 127.0.0.1 --port $REDIS --save "" --appendonly no --daemonize no --logfile /dev/null & pids+=($!)
for _ in $(seq 100); do redis-cli -p $REDIS ping >/dev/null 2>&1 && break; sleep 0.1; done
for i in $(seq 1 "$USERS"); do redis-cli -p $REDIS ACL SETUSER "u$i" on ">pw$i" '~*' '+@all' >/dev/null; done
env PROXY_HOST=127.0.0.1 PROXY_PORT=17561 PROXY_RESP_PORT=$RESP REDIS_ADDRESS=127.0.0.1:$REDIS \
  java -Xmx512m -jar target/redis-proxy.jar >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 300); do redis-cli -p $RESP ping >/dev/null 2>&1 && break; sleep 0.1; done
figures() { echo "$(redis-cli -p $REDIS info clients | tr -d '\r' | grep '^connected_clients:') $(redis-cli -p $REDIS info memory | tr -d '\r' | grep '^used_memory:')"; }
clients_now() { redis-cli -p $REDIS info clients | tr -d '\r' | grep '^connected_clients:'; }
base=$(clients_now)
echo "before:    $(figures)"
python3 - "$USERS" $RESP <<'PY' &
import socket, sys, time
users, port = int(sys.argv[1]), int(sys.argv[2])
def call(s, *args):
    s.sendall(("*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a), a) for a in args)).encode())
    return s.recv(4096)
held = []
for i in range(1, users + 1):
    s = socket.create_connection(("127.0.0.1", port))
    assert call(s, "AUTH", "u%d" % i, "pw%d" % i) == b"+OK\r\n"
    assert call(s, "SET", "k%d" % i, "v") == b"+OK\r\n"  # a command forwarded as that user
    held.append(s)
open("/tmp/user-connections.ready", "w").close()
while not __import__("os").path.exists("/tmp/user-connections.done"): time.sleep(0.05)
PY
clients=$!
for _ in $(seq 300); do [ -e /tmp/user-connections.ready ] && break; sleep 0.1; done
echo "connected: $(figures)"
touch /tmp/user-connections.done; wait $clients; rm -f /tmp/user-connections.ready /tmp/user-connections.done
for _ in $(seq 100); do [ "$(clients_now)" = "$base" ] && break; sleep 0.1; done
echo "gone:      $(figures)"
