#!/usr/bin/env bash
# Load test: authenticated GET /user/info at 64 concurrent connections, on
# embedded SQLite and on a throwaway PostgreSQL. Prints wrk's req/s and
# latency percentiles for each engine.
#
#   bench/user-info.sh [duration, default 20s] [connections, default 64]
#
# Needs wrk (installed with apt-get when missing). The server runs on this
# machine, so the load generator competes with it for the same cores: the
# figures are a floor, not a ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20s}
CONNS=${2:-64}
source scripts/pg-throwaway.sh

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
go build -o /tmp/creditpocket-bench ./cmd/creditpocket

start_throwaway_postgres

setup_user() { # $1 base URL → prints a session token for a borrower with a full profile
  local base=$1 H='Content-Type: application/json' code tok
  curl -sf -XPOST "$base/sms/code" -H "$H" -d '{"mobile":"07068425023","type":"register"}' >/dev/null
  code=$(curl -sf "$base/sandbox/sms?phone=2347068425023" | grep -o 'code is [0-9]*' | head -1 | awk '{print $3}')
  tok=$(curl -sf -XPOST "$base/user/register" -H "$H" -d "{\"mobile\":\"07068425023\",\"code\":\"$code\",\"password\":\"s3cret-pass\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  local A="Authorization: Bearer $tok"
  curl -sf -XPOST "$base/user/info/basic" -H "$H" -H "$A" -d '{"firstName":"Hussein","lastName":"Sulyman","gender":"male","birthDate":"1990-04-12","maritalStatus":"married","education":"bachelor","idType":"identity_card","idNumber":"22167288734","state":"Lagos","cityCode":"NG-LA-IKJ","address":"12 Allen Avenue, Ikeja"}' >/dev/null
  curl -sf -XPOST "$base/user/info/contacts" -H "$H" -H "$A" -d '{"contacts":[{"name":"Amina Sulyman","mobile":"08031234567","relationship":"spouse"},{"name":"Tunde Bello","mobile":"08059876543","relationship":"friend"}]}' >/dev/null
  curl -sf -XPOST "$base/user/info/work" -H "$H" -H "$A" -d '{"companyName":"Acme Logistics","companyPhone":"08021112222","companyAddress":"5 Broad Street, Lagos","profession":"Driver","incomeCode":"INC3"}' >/dev/null
  curl -sf -XPOST "$base/user/bankcard" -H "$H" -H "$A" -d '{"bankNo":"058","bankAccNo":"0163505447","bankCardNo":"5399834490759214"}' >/dev/null
  echo "$tok"
}

run_engine() { # $1 name, $2 database URL ("" for SQLite)
  local name=$1 url=$2 dir port=18181 pid tok
  dir=$(mktemp -d)
  CREDITPOCKET_LOG_LEVEL=warn /tmp/creditpocket-bench serve --dev --addr 127.0.0.1:$port --data "$dir" --database-url "$url" >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  tok=$(setup_user "http://127.0.0.1:$port")
  wrk -t2 -c"$CONNS" -d3s -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/user/info" >/dev/null # warm up
  echo "== $name: GET /user/info, $CONNS connections, $DURATION"
  wrk -t"${WRK_THREADS:-2}" -c"$CONNS" -d"$DURATION" --latency -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/user/info" |
    grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors'
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
run_engine sqlite ""
run_engine postgres "$CREDITPOCKET_TEST_POSTGRES_URL"
