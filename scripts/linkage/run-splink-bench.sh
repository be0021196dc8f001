#!/usr/bin/env bash
# Splink half of the record-linkage benchmark: FEBRL3, FEBRL4 and (optionally) synthetic
# data sets written by `sijian match synth`, each through splink_dedupe.py (time, memory)
# and evaluate.py (F1).
#
#   bash scripts/linkage/run-splink-bench.sh OUT_DIR [DATA.csv:TRUTH.csv ...]
#
# Env: VENV (default target/linkage-venv under the repo root; created by setup-venv.sh).
# Synthetic files must have the `sijian match synth` columns id,name,birth,id_number,phone,address.
# Writes OUT_DIR/<set>_{pairs,clusters}.csv, <set>_summary.json (time/memory/counts),
# <set>_eval.json and <set>_eval.txt (threshold sweep, best F1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
out="${1:?usage: run-splink-bench.sh OUT_DIR [DATA.csv:TRUTH.csv ...]}"
shift
venv="${VENV:-$repo_root/target/linkage-venv}"
bash "$here/setup-venv.sh" "$venv"
py="$venv/bin/python"
mkdir -p "$out"

run() {  # name data truth splink-args...
    local name="$1" data="$2" truth="$3"
    shift 3
    echo "== $name ($data)"
    "$py" "$here/splink_dedupe.py" --input "$data" "$@" \
        --pairs "$out/${name}_pairs.csv" --clusters "$out/${name}_clusters.csv" \
        --summary "$out/${name}_summary.json"
    "$py" "$here/evaluate.py" --truth "$truth" --pairs "$out/${name}_pairs.csv" \
        --json "$out/${name}_eval.json" | tee "$out/${name}_eval.txt" | grep -E '^(records|best)'
}

"$py" "$here/febrl.py" --out "$out/data"
febrl_cols=(--id id --name name --birth birth --address address_1 --field street_number
            --field address_2 --field suburb --field postcode --field state --field soc_sec_id)
run febrl3 "$out/data/febrl3.csv" "$out/data/febrl3_truth.csv" "${febrl_cols[@]}"
run febrl4 "$out/data/febrl4.csv" "$out/data/febrl4_truth.csv" "${febrl_cols[@]}"

for spec in "$@"; do
    data="${spec%%:*}" truth="${spec#*:}"
    name="$(basename "$data" .csv)"
    run "$name" "$data" "$truth" --id id --name name --birth birth --id-number id_number \
        --phone phone --address address
done
