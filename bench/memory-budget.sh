#!/usr/bin/env bash
# Peak resident memory of a server under the memory attacks of the
# hardening review: concurrent Flate-bomb uploads to the borrower upload
# handler and to the OCR partner API, and concurrent 40 MB risk events.
# Each attack runs against a fresh server (SQLite, a throwaway data
# folder); the figure is the server's VmHWM less its VmRSS before the
# attack. bench/membomb sends the requests.
#
#   bench/memory-budget.sh [budget, default 512MiB]
#
# CREDITPOCKET_BIN=path runs that server binary instead of building this
# tree (an older build ignores the budget and shows what it guarded
# against). MEMBOMB_ATTACKS overrides the list of attacks, e.g. "app=16".
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${1:-512MiB}
PORT=18183
BIN=${CREDITPOCKET_BIN:-/tmp/creditpocket-membench}
[ -n "${CREDITPOCKET_BIN:-}" ] || go build -o "$BIN" ./cmd/creditpocket
go build -o /tmp/membomb-bench ./bench/membomb
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: $BIN, budget $BUDGET"

attack() { # attack "app=64 ocr=0 risk=0"
  local DIR PID base hwm
  DIR=$(mktemp -d)
  export CREDITPOCKET_DEV=1 CREDITPOCKET_DATA=$DIR CREDITPOCKET_LOG_LEVEL=error CREDITPOCKET_OPS_TOKEN=bench-ops CREDITPOCKET_MEMORY_BUDGET=$BUDGET
  "$BIN" migrate >/dev/null
  CREDS=$("$BIN" partner create --name membench --scopes ocr,risk --rate 100000 --json)
  ID=$(echo "$CREDS" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  SECRET=$(echo "$CREDS" | sed 's/.*"secret":"\([^"]*\)".*/\1/')
  "$BIN" serve --addr 127.0.0.1:$PORT >"$DIR/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  sleep 1
  base=$(awk '/^VmRSS/{print $2}' /proc/$PID/status)
  local args=()
  for kv in $1; do args+=("-${kv%%=*}" "${kv#*=}"); done
  printf '%-22s ' "$1:"
  /tmp/membomb-bench -url "http://127.0.0.1:$PORT" -id "$ID" -secret "$SECRET" -ops-token bench-ops "${args[@]}" | tail -1 | tr -d '\n'
  hwm=$(awk '/^VmHWM/{print $2}' /proc/$PID/status)
  echo " | RSS before $((base / 1024)) MiB, peak $((hwm / 1024)) MiB (+$(((hwm - base) / 1024)) MiB)"
  kill $PID; wait $PID 2>/dev/null || true
  rm -rf "$DIR"
}
for a in ${MEMBOMB_ATTACKS:-"app=64" "app=32" "ocr=16" "risk=16"}; do
  attack "${a//,/ }"
done
