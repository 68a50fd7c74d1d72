# shellcheck shell=bash
# Sourced by scripts/test and bench scripts: starts a throwaway PostgreSQL
# cluster in a temp dir (as the postgres user when run as root, since
# PostgreSQL refuses to run as root), listening on a Unix socket and on
# 127.0.0.1:$PGPORT, and exports CREDITPOCKET_TEST_POSTGRES_URL. The
# cluster is stopped and removed on exit.

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_postgres() {
  if ! pg_bin >/dev/null; then
    echo "== installing PostgreSQL (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
  fi
  pg_bin >/dev/null || { echo "PostgreSQL could not be installed" >&2; return 1; }
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_throwaway_postgres() {
  ensure_postgres
  local bin; bin=$(pg_bin)
  PG_TMP=$(mktemp -d /tmp/creditpocket-pg.XXXXXX)
  export PG_TMP
  trap stop_throwaway_postgres EXIT
  [ "$(id -u)" = 0 ] && chown postgres "$PG_TMP"
  as_pg "$bin/initdb" -D "$PG_TMP/data" -A trust -U postgres --no-sync >/dev/null
  # Ports below Linux's ephemeral range (32768-60999), so no client
  # connection's local port can hold the one picked; retried on collision.
  local fixed=${PGPORT:-} try
  # Tests need no crash safety; PG_DURABLE=1 (benchmarks) keeps PostgreSQL's
  # defaults, so every commit waits for its WAL flush as in production.
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${PG_DURABLE:-0}" = 1 ]; then durability=""; fi
  for try in 1 2 3 4 5; do
    PGPORT=${fixed:-$((20000 + RANDOM % 10000))}
    if as_pg "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w -o "-p $PGPORT -k $PG_TMP -c listen_addresses=127.0.0.1 $durability -c max_connections=300 -c shared_buffers=256MB" start >/dev/null; then
      export PGPORT
      export CREDITPOCKET_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres?sslmode=disable"
      echo "== throwaway PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $PGPORT ($PG_TMP)${durability:+, fsync off}" >&2
      return 0
    fi
    [ -n "$fixed" ] && break
  done
  echo "PostgreSQL did not start; its log:" >&2
  tail -20 "$PG_TMP/log" >&2
  return 1
}

stop_throwaway_postgres() {
  if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP/data" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
  fi
}
