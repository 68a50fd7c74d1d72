#!/usr/bin/env bash
# Load test: the risk-decision API (POST /credit/fraud/v1) at a fixed rate
# (default 1,000 req/s) against a server on a throwaway PostgreSQL, with the
# SQL velocity store, contact index, list look-ups and every decision stored.
# An open-loop Go generator (bench/riskload) sends the events and reports
# the achieved rate and latency percentiles measured from each request's due
# time. Also runs the in-process decision benchmark of internal/risk.
#
#   bench/risk-api.sh [rate, default 1000] [duration, default 30s]
#
# CREDITPOCKET_BIN=path runs that server binary instead of building this
# tree (to compare two versions in the same minutes); RISK_BENCH_GO=0 skips
# the in-process benchmark. Besides latency it prints the CPU the server
# and PostgreSQL used, which shared machines disturb less than latency.
#
# The generator runs on the same machine as the server and PostgreSQL, so
# all three share its cores: the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-1000}
DURATION=${2:-30s}
PORT=18182
source scripts/pg-throwaway.sh

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${RISK_BENCH_GO:-1}" != 0 ]; then
  echo "== in-process decisions, default policy, in-memory sources, one core"
  go test ./internal/risk -run '^$' -bench 'Decide' -benchmem -cpu 1 -count 1 | grep -E '^Benchmark'
fi

BIN=${CREDITPOCKET_BIN:-/tmp/creditpocket-bench}
[ -n "${CREDITPOCKET_BIN:-}" ] || go build -o "$BIN" ./cmd/creditpocket
go build -o /tmp/riskload-bench ./bench/riskload
start_throwaway_postgres
DB="$CREDITPOCKET_TEST_POSTGRES_URL"
DIR=$(mktemp -d)
export CREDITPOCKET_DATA=$DIR CREDITPOCKET_DATABASE_URL=$DB CREDITPOCKET_LOG_LEVEL=warn CREDITPOCKET_DEV=1
"$BIN" migrate >/dev/null
CREDS=$("$BIN" partner create --name riskbench --scopes risk --rate 100000 --json)
ID=$(echo "$CREDS" | sed 's/.*"id":"\([^"]*\)".*/\1/')
SECRET=$(echo "$CREDS" | sed 's/.*"secret":"\([^"]*\)".*/\1/')
"$BIN" serve --addr 127.0.0.1:$PORT >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; stop_throwaway_postgres; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

# cpu_ticks PID… sums the user and system CPU clock ticks the processes used.
cpu_ticks() {
  local total=0 pid f
  for pid in "$@"; do
    f=$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null) || continue
    set -- $f
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
# pg_pids lists this cluster's postmaster and its children (backends).
pg_pids() {
  local pm; pm=$(head -1 "$PG_TMP/data/postmaster.pid")
  echo "$pm $(pgrep -P "$pm" -d' ' || true)"
}
echo "== HTTP API on PostgreSQL, $RATE req/s for $DURATION (after a 5 s warm-up)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
SERVER0=$(cpu_ticks $PID) PG0=$(cpu_ticks $(pg_pids)) T0=$(date +%s.%N)
STATUS=0
TIMEFORMAT='generator cpu: %U s user, %S s system'
time /tmp/riskload-bench -url "http://127.0.0.1:$PORT" -id "$ID" -secret "$SECRET" -rate "$RATE" -duration "$DURATION" || STATUS=$?
SERVER1=$(cpu_ticks $PID) PG1=$(cpu_ticks $(pg_pids)) T1=$(date +%s.%N)
# CPU used over warm-up and run, as cores busy: the generator is not counted.
awk -v s=$((SERVER1 - SERVER0)) -v p=$((PG1 - PG0)) -v t0="$T0" -v t1="$T1" -v hz="$(getconf CLK_TCK)" \
  'BEGIN { d = t1 - t0; printf "cpu: server %.2f cores, PostgreSQL %.2f cores (over %.0f s)\n", s / hz / d, p / hz / d, d }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "stored decisions: $(psql -Atq "$DB" -c 'SELECT COUNT(*) FROM risk_decisions'), velocity rows: $(psql -Atq "$DB" -c 'SELECT COUNT(*) FROM risk_velocity_events')"
exit $STATUS
