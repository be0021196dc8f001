#!/usr/bin/env bash
# The public opinion-verification API under load on loopback: a fresh database with the demo data
# and N issued opinions, the server in-process, a keep-alive HTTP/1.1 load generator (one request
# in flight per connection, 10 % of requests with the right verification key), then /healthz with
# the same generator as the floor of the HTTP stack; SQLite then PostgreSQL. Figures for
# docs/BENCHMARKS.md. Needs a release build (cargo build --release -p sijian) and, for PostgreSQL,
# PostgreSQL on 127.0.0.1:5432.
#
#   scripts/bench-verify.sh [opinions] [connections] [seconds]     defaults: 1000000 64 20
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${SIJIAN_BIN:-target/release/sijian}"
opinions="${1:-1000000}"
connections="${2:-64}"
seconds="${3:-20}"

for engine in sqlite postgres; do
  "$bin" bench verify --engine "$engine" --opinions "$opinions" --connections "$connections" \
    --seconds "$seconds" --warmup 3 --keyed-share 0.1
  echo
done
