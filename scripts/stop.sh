#!/usr/bin/env bash
# `make stop`: stops what `make run` started, by PID.
set -uo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=target/run
if [ -f "$RUN_DIR/proxy.pid" ]; then
  pid=$(cat "$RUN_DIR/proxy.pid")
  kill "$pid" 2>/dev/null && echo "Proxy stopped (PID $pid)"
  rm -f "$RUN_DIR/proxy.pid"
fi
scripts/local-redis.sh stop "${LOCAL_REDIS_PORT:-6379}"
