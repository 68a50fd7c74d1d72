#!/usr/bin/env bash
# Credit-report parsing speed: a full structured parse of the 32-page
# benchmark fixture against `pdftotext -layout` merely dumping its text,
# peak memory, and batch throughput over every fixture.
#
#   bench/report-parse.sh
#
# Installs poppler-utils and hyperfine with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
need() { command -v "$1" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; }; }
need pdftotext poppler-utils
need hyperfine hyperfine
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }

BIN=/tmp/creditpocket-bench
go build -o "$BIN" ./cmd/creditpocket
FIX=internal/creditreport/testdata/fixtures
THICK=$FIX/thick-gopdf-bench.pdf
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "file: $THICK ($(pdfinfo "$THICK" 2>/dev/null | awk '/^Pages/{print $2}') pages, $(du -k "$THICK" | cut -f1) KB)"

echo "== whole process: creditpocket report parse vs pdftotext -layout"
hyperfine -N --warmup 3 --runs 30 \
  "pdftotext -layout $THICK /dev/null" \
  "$BIN report parse $THICK" 2>/dev/null | grep -E 'Time|±|faster|Benchmark'

echo "== in process (go test -bench)"
go test -run XXX -bench BenchmarkParseThick -benchmem -count 3 ./internal/creditreport/parse | grep Benchmark

echo "== peak resident memory"
printf 'creditpocket: '; /usr/bin/time -f '%M KB' "$BIN" report parse "$THICK" 2>&1 >/dev/null | tail -1
printf 'pdftotext:    '; /usr/bin/time -f '%M KB' pdftotext -layout "$THICK" /dev/null 2>&1 | tail -1

echo "== batch: every fixture ×10 on $(nproc) cores"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/in"
for i in $(seq 10); do for f in "$FIX"/*.pdf; do cp "$f" "$TMP/in/$i-$(basename "$f")"; done; done
n=$(ls "$TMP/in" | wc -l)
start=$(date +%s.%N)
"$BIN" report parse "$TMP/in" --out "$TMP/out" 2>/dev/null
end=$(date +%s.%N)
echo "$n reports in $(echo "$end - $start" | bc) s: $(echo "scale=1; $n / ($end - $start)" | bc) reports/s"
