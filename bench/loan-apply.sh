#!/usr/bin/env bash
# Benchmark: loan applications (apply → risk decision → loan, payout and
# message persisted) through the real HTTP handler on PostgreSQL and
# embedded SQLite, one fresh borrower per application, after 1,000 untimed
# applications and an ANALYZE (CREDITPOCKET_BENCH_WARMUP). Prints applies/s,
# p50/p99 latency and the machine's CPU per application for each engine,
# with and without the application photo.
#
#   bench/loan-apply.sh [applications, default 2000] [in flight, default 16]
#   PG_DURABLE=1 bench/loan-apply.sh …   PostgreSQL with its crash-safe
#                                         defaults (fsync, synchronous_commit,
#                                         full_page_writes on)
#
# The load generator runs in the same process as the server, so both share
# the machine's cores: the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
IN_FLIGHT=${2:-16}
source scripts/pg-throwaway.sh
start_throwaway_postgres

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
for photos in 1 0; do
  echo "== $N applications, $IN_FLIGHT in flight, photo: $photos"
  CREDITPOCKET_BENCH_CONCURRENCY=$IN_FLIGHT CREDITPOCKET_BENCH_PHOTOS=$photos \
    go test ./cmd/creditpocket -run '^$' -bench 'BenchmarkLoanApply' -benchtime "${N}x" -count=1 -timeout 30m |
    grep -E '^BenchmarkLoanApply'
done
