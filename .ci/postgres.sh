#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 on 127.0.0.1 in a temporary data directory.
# Installs Debian's packages when absent. Prints the DATABASE_URL on stdout; logs go to stderr.
# Usage: .ci/postgres.sh start [PORT]   |   .ci/postgres.sh stop
set -euo pipefail
PORT="${2:-55432}"
STATE=/tmp/baoxue-pg-$PORT
BIN=/usr/lib/postgresql/15/bin

stop() {
  if [ -f "$STATE/data/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "$BIN/pg_ctl -D '$STATE/data' -m fast -w stop" >&2 || true
  fi
  rm -rf "$STATE"
}

start() {
  if [ ! -x "$BIN/initdb" ]; then
    echo "installing PostgreSQL 15 from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql-15 >&2
  fi
  stop
  mkdir -p "$STATE"
  chown postgres:postgres "$STATE"
  # initdb refuses to run as root.
  su postgres -s /bin/sh -c "$BIN/initdb -D '$STATE/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  su postgres -s /bin/sh -c "$BIN/pg_ctl -D '$STATE/data' -l '$STATE/log' -w -o \"-h 127.0.0.1 -p $PORT -k '$STATE' -c fsync=off -c full_page_writes=off -c random_page_cost=1.1\" start" >&2
  echo "postgresql+asyncpg://postgres@127.0.0.1:$PORT/postgres"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start [PORT] | stop [PORT]" >&2; exit 2 ;;
esac
