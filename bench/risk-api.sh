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
# The generator runs on the same machine as the server and PostgreSQL, so
# all three share its cores: the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-1000}
DURATION=${2:-30s}
PORT=18182
source scripts/pg-throwaway.sh

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== in-process decisions, default policy, in-memory sources, one core"
go test ./internal/risk -run '^$' -bench 'Decide' -benchmem -cpu 1 -count 1 | grep -E '^Benchmark'

go build -o /tmp/creditpocket-bench ./cmd/creditpocket
go build -o /tmp/riskload-bench ./bench/riskload
start_throwaway_postgres
DB="$CREDITPOCKET_TEST_POSTGRES_URL"
DIR=$(mktemp -d)
export CREDITPOCKET_DATA=$DIR CREDITPOCKET_DATABASE_URL=$DB CREDITPOCKET_LOG_LEVEL=warn
/tmp/creditpocket-bench migrate >/dev/null
CREDS=$(/tmp/creditpocket-bench partner create --name riskbench --scopes risk --rate 100000 --json)
ID=$(echo "$CREDS" | sed 's/.*"id":"\([^"]*\)".*/\1/')
SECRET=$(echo "$CREDS" | sed 's/.*"secret":"\([^"]*\)".*/\1/')
/tmp/creditpocket-bench serve --addr 127.0.0.1:$PORT >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; stop_throwaway_postgres; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

echo "== HTTP API on PostgreSQL, $RATE req/s for $DURATION (after a 5 s warm-up)"
/tmp/riskload-bench -url "http://127.0.0.1:$PORT" -id "$ID" -secret "$SECRET" -rate "$RATE" -duration "$DURATION"
echo "stored decisions: $(psql -Atq "$DB" -c 'SELECT COUNT(*) FROM risk_decisions'), velocity rows: $(psql -Atq "$DB" -c 'SELECT COUNT(*) FROM risk_velocity_events')"
