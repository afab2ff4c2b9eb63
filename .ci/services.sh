#!/usr/bin/env bash
# Installs (if needed) and starts PostgreSQL and Redis on private ports for the test suite;
# `stop` shuts them down. Writes the connection URLs to .ci/services.env.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT="${CI_PG_PORT:-55432}"
REDIS_PORT="${CI_REDIS_PORT:-56379}"
RUN_DIR="${CI_RUN_DIR:-/tmp/hotline-ci}"
PG_DATA="$RUN_DIR/pgdata"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "PostgreSQL binaries not found" >&2; exit 1; }
  echo "$dir"
}

install_packages() {
  local missing=()
  ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

start() {
  install_packages
  local bin
  bin=$(pg_bin)
  mkdir -p "$RUN_DIR"
  chown postgres:postgres "$RUN_DIR"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    runuser -u postgres -- "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    echo "PostgreSQL already running on $PG_DATA; reusing it"
  else
    runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -l "$RUN_DIR/postgres.log" -w \
      -o "-p $PG_PORT -k $RUN_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
      || { cat "$RUN_DIR/postgres.log" >&2; exit 1; }
  fi
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    echo "Redis already running on $REDIS_PORT; reusing it"
  else
    redis-server --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no --bind 127.0.0.1 \
      --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
  fi
  for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  cat > .ci/services.env <<ENV
CI_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres
CI_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
ENV
  echo "PostgreSQL on $PG_PORT, Redis on $REDIS_PORT"
}

stop() {
  local bin
  bin=$(pg_bin 2>/dev/null) || true
  if [ -n "${bin:-}" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null || true
  fi
  if [ -f "$RUN_DIR/redis.pid" ]; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
  rm -f .ci/services.env
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
