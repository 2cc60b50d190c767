#!/usr/bin/env bash
# `make run`: the proxy in the background, with a local demo Redis unless REDIS_ADDRESS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=target/run
mkdir -p "$RUN_DIR"
if [ -f "$RUN_DIR/proxy.pid" ] && kill -0 "$(cat "$RUN_DIR/proxy.pid")" 2>/dev/null; then
  echo "The proxy is already running (PID $(cat "$RUN_DIR/proxy.pid")); 'make stop' first." >&2; exit 1
fi
if [ -z "${REDIS_ADDRESS:-}" ]; then
  port=${LOCAL_REDIS_PORT:-6379}
  scripts/local-redis.sh start "$port"
  export REDIS_ADDRESS="127.0.0.1:$port"
  java -cp target/redis-proxy.jar com.redisproxy.tools.SeedDemoKeys "$REDIS_ADDRESS"
fi
nohup java ${JAVA_OPTS:-} -Dconfig.file=conf/application.conf -Dlogback.configurationFile=conf/logback.xml -jar target/redis-proxy.jar >"$RUN_DIR/proxy.log" 2>&1 &
echo $! >"$RUN_DIR/proxy.pid"
host=${PROXY_HOST:-127.0.0.1}
port=${PROXY_PORT:-8080}
for _ in $(seq 100); do
  if ! kill -0 "$(cat "$RUN_DIR/proxy.pid")" 2>/dev/null; then
    echo "The proxy exited; its log ($RUN_DIR/proxy.log) says:" >&2; cat "$RUN_DIR/proxy.log" >&2; exit 1
  fi
  if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "redis-proxy is running (PID $(cat "$RUN_DIR/proxy.pid"), log in $RUN_DIR/proxy.log). Try:"
    # The variable's name, not its value: the password is not echoed to the terminal.
    credentials=${PROXY_PASSWORD:+' -u "default:$PROXY_PASSWORD"'}
    echo "  curl -i$credentials 'http://$host:$port/proxy?key=seeded_key1'"
    exit 0
  fi
  sleep 0.1
done
echo "The proxy did not start listening on $host:$port within 10s; see $RUN_DIR/proxy.log" >&2; exit 1
