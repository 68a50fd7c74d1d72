#!/usr/bin/env bash
# Benchmark: the close-of-business overdue job over many owing loans past
# due, on PostgreSQL (and SQLite with --sqlite). The loans are cloned from
# one real disbursed loan; every one of them accrues a penalty (and, on
# the first date, turns overdue and gets a message), which is the job's
# worst case. Two business dates are run: the first turns every loan
# overdue, the second only accrues.
#
#   bench/cob.sh [loans, default 1000000] [--sqlite]
set -euo pipefail
cd "$(dirname "$0")/.."
LOANS=${1:-1000000}
ENGINES='postgres'
[ "${2:-}" = "--sqlite" ] && ENGINES='sqlite|postgres'
source scripts/pg-throwaway.sh
start_throwaway_postgres

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== close of business over $LOANS loans, 2 business dates"
CREDITPOCKET_BENCH_COB_LOANS=$LOANS \
  go test ./cmd/creditpocket -run '^$' -bench "BenchmarkCloseOfBusiness/($ENGINES)\$" -benchtime 2x -count=1 -timeout 60m |
  grep -E '^BenchmarkCloseOfBusiness'
