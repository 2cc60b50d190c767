#!/usr/bin/env bash
# Starts or stops a throwaway redis-server for `make run`, taken from the embedded-redis jar on
# Maven Central (so nothing needs installing). Usage: local-redis.sh start|stop PORT, or
# local-redis.sh binary to print the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=target/run
EMBEDDED_REDIS=com.github.codemonstur:embedded-redis:1.4.4
mkdir -p "$RUN_DIR"

binary_name() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo redis-server-6.2.6-v5-linux-amd64 ;;
    Linux-aarch64) echo redis-server-6.2.7-linux-arm64 ;;
    Darwin-x86_64) echo redis-server-6.2.6-v5-darwin-amd64 ;;
    Darwin-arm64) echo redis-server-6.2.6-v5-darwin-arm64 ;;
    *) echo "No embedded redis-server for $(uname -s)-$(uname -m); set REDIS_ADDRESS instead." >&2; exit 1 ;;
  esac
}

extract_binary() {
  local name; name=$(binary_name)
  if [ ! -x "$RUN_DIR/redis-server" ]; then
    mvn -B -q dependency:copy -Dartifact="$EMBEDDED_REDIS" -DoutputDirectory="$RUN_DIR" >/dev/null
    (cd "$RUN_DIR" && jar xf embedded-redis-1.4.4.jar "$name" && mv "$name" redis-server && chmod +x redis-server)
  fi
}

port=${2:-6379}
PID_FILE="$RUN_DIR/redis-$port.pid"
case "${1:-}" in
  start)
    if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      echo "Local Redis already running on 127.0.0.1:$port"; exit 0
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "Port $port is already taken by another process: set LOCAL_REDIS_PORT, or REDIS_ADDRESS to use that Redis." >&2
      exit 1
    fi
    extract_binary
    "$RUN_DIR/redis-server" --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --daemonize yes --pidfile "$PWD/$PID_FILE" --logfile "$PWD/$RUN_DIR/redis-$port.log"
    for _ in $(seq 50); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "Local Redis on 127.0.0.1:$port"; exit 0; fi
      sleep 0.1
    done
    echo "Local Redis did not start on port $port; see $RUN_DIR/redis-$port.log" >&2; exit 1 ;;
  stop)
    if [ -f "$PID_FILE" ]; then
      pid=$(cat "$PID_FILE")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$PID_FILE"; echo "Local Redis stopped"
    fi ;;
  binary) # the redis-server binary's path, extracted if need be (for scripts that start their own)
    extract_binary
    echo "$PWD/$RUN_DIR/redis-server" ;;
  *) echo "usage: $0 start|stop [port] | binary" >&2; exit 2 ;;
esac
