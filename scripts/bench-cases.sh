#!/usr/bin/env bash
# Complete appraisal-case lifecycles (commission → accept → contract → assign → start → review
# request → review → two signatures → seal → issue → archive: 12 events a case) through the store
# on demo data, on both engines, with the log's integrator running as in the server; then the log
# is drained and audited. Figures for docs/BENCHMARKS.md. Needs a release build
# (cargo build --release -p sijian) and, for PostgreSQL, PostgreSQL on 127.0.0.1:5432.
#
#   scripts/bench-cases.sh [cases] [concurrency…]     defaults: 2000 cases, concurrency 1 and 8
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/sijian
cases="${1:-2000}"
shift || true
levels=("$@")
[ ${#levels[@]} -eq 0 ] && levels=(1 8)

for engine in sqlite postgres; do
  for c in "${levels[@]}"; do
    "$bin" bench cases --engine "$engine" --cases "$cases" --concurrency "$c"
    echo
  done
done
