#!/usr/bin/env bash
# Benchmark: loan applications (apply → risk decision → loan, payout and
# message persisted) through the real HTTP handler on PostgreSQL and
# embedded SQLite, one fresh borrower per application, after 1,000 untimed
# applications and an ANALYZE (CREDITPOCKET_BENCH_WARMUP). Prints applies/s,
# p50/p99 latency, the machine's CPU per application, and on PostgreSQL the
# statements, round trips and commits per application, for each engine,
# with and without the application photo.
#
# On the same PostgreSQL server, with the same settings, it runs pgbench's
# TPC-B-like transaction (16 clients) before and after the applications
# and prints applies/s over TPC-B's transactions/s: a ratio that holds the
# application up to the simplest write transaction this machine's
# PostgreSQL can run, so it means the same on a faster or busier machine.
#
#   bench/loan-apply.sh [applications, default 2000] [in flight, default 16]
#   PG_DURABLE=1 bench/loan-apply.sh …   PostgreSQL with its crash-safe
#                                         defaults (fsync, synchronous_commit,
#                                         full_page_writes on)
#   PGBENCH_SECONDS=20                    length of each pgbench run
#
# The load generator runs in the same process as the server, so both share
# the machine's cores: the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
IN_FLIGHT=${2:-16}
PGBENCH_SECONDS=${PGBENCH_SECONDS:-20}
source scripts/pg-throwaway.sh
start_throwaway_postgres
PGBENCH="$(pg_bin)/pgbench"

# tpcb prints pgbench's transactions/s over 16 clients on the throwaway
# server, in a database of its own so the applications' tables stay apart.
tpcb() {
  "$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -c 16 -j 2 -T "$PGBENCH_SECONDS" pgbench 2>/dev/null |
    awk '/^tps = / {printf "%.0f", $3}'
}
as_pg "$(pg_bin)/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres pgbench
"$PGBENCH" -h 127.0.0.1 -p "$PGPORT" -U postgres -i -q -s 16 pgbench >/dev/null 2>&1

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg), durable: ${PG_DURABLE:-0}"
before=$(tpcb)
echo "pgbench TPC-B before: $before tps"
out=$(mktemp)
for photos in 1 0; do
  echo "== $N applications, $IN_FLIGHT in flight, photo: $photos"
  CREDITPOCKET_BENCH_CONCURRENCY=$IN_FLIGHT CREDITPOCKET_BENCH_PHOTOS=$photos \
    go test ./cmd/creditpocket -run '^$' -bench 'BenchmarkLoanApply' -benchtime "${N}x" -count=1 -timeout 30m |
    grep -E '^BenchmarkLoanApply' | tee -a "$out"
done
after=$(tpcb)
echo "pgbench TPC-B after: $after tps"
# applies/s of PostgreSQL with the photo (the first postgres line) over the
# mean of the two pgbench runs.
awk -v b="$before" -v a="$after" '
  /^BenchmarkLoanApply\/postgres/ && !done {
    for (i = 1; i < NF; i++) if ($(i+1) == "applies/s") r = $i
    done = 1
  }
  END { if (r && b + a > 0) printf "ratio (PostgreSQL applies/s with photo over TPC-B tps): %.2f\n", r / ((b + a) / 2) }' "$out"
rm -f "$out"
