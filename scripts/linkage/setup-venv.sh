#!/usr/bin/env bash
# Create (or reuse) the Python virtualenv for the Splink side of the record-linkage
# comparison and install scripts/linkage/requirements.txt into it.
#
#   bash scripts/linkage/setup-venv.sh [VENV_DIR]
#
# VENV_DIR defaults to target/linkage-venv under the repository root. Relative paths
# are taken relative to the current directory. Idempotent: the sha256 of
# requirements.txt (plus the Python version) is stored in VENV_DIR/.requirements.sha256
# and nothing is reinstalled when it matches. Needs python3 (>= 3.10) with venv and
# network access to PyPI only on the first run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
venv="${1:-$repo_root/target/linkage-venv}"
req="$here/requirements.txt"
python="${PYTHON:-python3}"

pyver="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
want="$( { cat "$req"; echo "python=$pyver"; } | sha256sum | cut -d' ' -f1)"
stamp="$venv/.requirements.sha256"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "setup-venv: $venv is up to date (requirements $want)"
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup-venv: creating $venv with $python ($pyver)"
    "$python" -m venv "$venv"
fi

rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
# Fail here rather than in the middle of a benchmark if something is off.
"$venv/bin/python" -c 'import splink, duckdb, recordlinkage, pseudopeople, pandas; print("setup-venv: splink", splink.__version__, "duckdb", duckdb.__version__, "recordlinkage", recordlinkage.__version__, "pseudopeople", pseudopeople.__version__, "pandas", pandas.__version__)'
echo "$want" > "$stamp"
echo "setup-venv: $venv ready"
