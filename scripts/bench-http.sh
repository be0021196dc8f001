#!/usr/bin/env bash
# HTTP benchmark on loopback: /healthz and an authenticated list page (/institutions, 20 rows,
# regulator scope) under 64 concurrent connections, on SQLite and on PostgreSQL.
# Usage: scripts/bench-http.sh [sqlite|postgres] [seconds]   (needs wrk and a release build)
set -euo pipefail
engine="${1:-sqlite}"
secs="${2:-20}"
bin="${SIJIAN_BIN:-target/release/sijian}"
port="${PORT:-18181}"
work="$(mktemp -d)"
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

args=(--data-dir "$work" --listen "127.0.0.1:$port")
if [ "$engine" = postgres ]; then
  db="sijian_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" postgres
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres; rm -rf "$work"' EXIT
  args+=(--database-url "postgres://postgres@127.0.0.1:5432/$db")
fi
SIJIAN_LOG__LEVEL=warn SIJIAN_METRICS_LISTEN="" "$bin" demo "${args[@]}" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

jar="$work/cookies"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null -H "Origin: http://127.0.0.1:$port" \
  --data-urlencode "_csrf=$csrf" --data-urlencode "username=zj.reg" --data-urlencode "password=Sijian-Demo-2026" \
  "http://127.0.0.1:$port/login"
session=$(awk '$6=="sijian_session"{print $7}' "$jar")
[ -n "$session" ] || { echo "login failed"; exit 1; }
rows=$(curl -s -H "Cookie: sijian_session=$session" "http://127.0.0.1:$port/institutions" | grep -c '<tr>' || true)
echo "engine=$engine list rows=$rows (plus header)"

echo "== /healthz"
wrk -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|Latency|99%|Non-2xx"
echo "== /institutions (authenticated list page)"
wrk -t2 -c64 -d"${secs}s" --latency -H "Cookie: sijian_session=$session" "http://127.0.0.1:$port/institutions" | grep -E "Requests/sec|Latency|99%|Non-2xx"
echo "== /api/v1/institutions (authenticated JSON list)"
wrk -t2 -c64 -d"${secs}s" --latency -H "Cookie: sijian_session=$session" "http://127.0.0.1:$port/api/v1/institutions" | grep -E "Requests/sec|Latency|99%|Non-2xx"
