#!/usr/bin/env bash
# The log's figures for docs/BENCHMARKS.md: in-memory append next to raw SHA-256, durable appends
# at batch sizes 1, 100 and 10,000 on both engines, inclusion-proof latency, and commit-to-
# checkpoint latency. Needs a release build (cargo build --release -p sijian) and, for the
# PostgreSQL rows, PostgreSQL on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/sijian
big="${1:-100000000}"   # leaves of the large in-memory proof tree

"$bin" bench ledger memory --entries 10000000
for engine in sqlite postgres; do
  "$bin" bench ledger store --engine "$engine" --batch 1 --entries 5000
  "$bin" bench ledger store --engine "$engine" --batch 100 --entries 100000
  "$bin" bench ledger store --engine "$engine" --batch 10000 --entries 200000
done
"$bin" bench ledger proof --leaves 1000000 --engine sqlite --db-leaves 1000000
"$bin" bench ledger proof --leaves 1000000 --engine postgres --db-leaves 1000000
"$bin" bench ledger proof --leaves "$big" --samples 10000
for engine in sqlite postgres; do
  "$bin" bench ledger latency --engine "$engine" --per-second 200 --seconds 20
done
