#!/usr/bin/env bash
# Public directory search over a large register (5,000 institutions, 100,000 appraisers by
# default) under 64 concurrent connections, on SQLite or PostgreSQL.
# Usage: scripts/bench-directory.sh sqlite|postgres [seconds] [data-dir | database-url]
# Without the third argument a synthetic register is created first (`sijian synth`; about 8 min
# on SQLite, 17 min on PostgreSQL on a 2-core machine). Needs wrk and a release build.
set -euo pipefail
engine="${1:-sqlite}"
secs="${2:-15}"
target="${3:-}"
bin="${SIJIAN_BIN:-target/release/sijian}"
port="${PORT:-18282}"
work="$(mktemp -d)"
cleanup() { kill "${pid:-0}" 2>/dev/null || true; wait "${pid:-0}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

if [ "$engine" = postgres ]; then
  if [ -z "$target" ]; then
    db="sijian_bench_dir_$$"
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" postgres
    target="postgres://postgres@127.0.0.1:5432/$db"
    SIJIAN_LOG__LEVEL=warn "$bin" synth --data-dir "$work" --database-url "$target" 2>/dev/null
  fi
  args=(--data-dir "$work" --database-url "$target")
else
  if [ -z "$target" ]; then
    target="$work/data"
    SIJIAN_LOG__LEVEL=warn "$bin" synth --data-dir "$target" 2>/dev/null
  fi
  args=(--data-dir "$target")
fi
# The per-address limit of the public directory would otherwise answer 429 to the load generator.
SIJIAN_LOG__LEVEL=warn SIJIAN_METRICS_LISTEN="" SIJIAN_SECURITY__PUBLIC_REQUESTS_PER_SECOND=1000000 \
  SIJIAN_SECURITY__PUBLIC_BURST=1000000 "$bin" serve "${args[@]}" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done

base="http://127.0.0.1:$port"
q() { python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$1"; }
urls=(
  "/api/v1/public/institutions"
  "/api/v1/public/institutions?q=$(q 杭州)"
  "/api/v1/public/institutions?item=1.02.01&region=330000"
  "/api/v1/public/appraisers"
  "/api/v1/public/appraisers?q=$(q 王伟)"
  "/api/v1/public/appraisers?q=$(q 陈)"
  "/api/v1/public/appraisers?item=1.02"
  "/api/v1/public/appraisers?item=2.01.03&region=330100"
  "/directory?item=1.02&region=330100"
  "/directory/appraisers?q=$(q 张敏)"
)
for u in "${urls[@]}"; do
  total=$(curl -s "$base$u" | grep -o '"total":[0-9]*' | head -1 || true)
  echo "== $u ${total}"
  wrk -t2 -c64 -d"${secs}s" --latency "$base$u" | grep -E "Requests/sec|  99%|Non-2xx" | tr -s ' ' | tr '\n' ' '
  echo
done
