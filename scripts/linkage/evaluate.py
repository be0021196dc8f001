#!/usr/bin/env python3
"""Cross-check evaluator for scored pairs against a truth clustering.

    python evaluate.py --truth TRUTH.csv --pairs PAIRS.csv [--all] [--json OUT.json]

TRUTH.csv: id,cluster_id (one row per record). PAIRS.csv: id_l,id_r,match_probability
(as written by splink_dedupe.py; the pair order and duplicates do not matter, the
highest probability of a pair is used).

For every threshold t in 0.01, 0.02, ..., 0.99:
  pair level:    predicted = distinct pairs with probability >= t;
                 true      = all pairs of records in the same truth cluster.
  cluster level: connected components of the pairs with probability >= t; predicted =
                 all pairs of records in the same component; scored against the same
                 true pairs (pairwise precision/recall/F1 of the clustering).
Prints every 0.05 (every 0.01 with --all) and the best-F1 threshold for each level.
"""
import argparse
import json
import sys

import numpy as np
import pandas as pd

THRESHOLDS = [round(i / 100, 2) for i in range(1, 100)]


def prf(tp, pred, true):
    p = tp / pred if pred else 0.0
    r = tp / true if true else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--all", action="store_true", help="print every threshold, not every 0.05")
    ap.add_argument("--json", help="also write all figures to this JSON file")
    args = ap.parse_args()

    truth = pd.read_csv(args.truth, dtype=str, keep_default_na=False)
    if list(truth.columns[:2]) != ["id", "cluster_id"]:
        sys.exit("truth must have header id,cluster_id")
    if truth["id"].duplicated().any():
        sys.exit("truth has duplicate ids")
    index = {rid: i for i, rid in enumerate(truth["id"])}
    cl_codes, _ = pd.factorize(truth["cluster_id"])
    sizes = np.bincount(cl_codes)
    true_pairs = int((sizes * (sizes - 1) // 2).sum())

    pairs = pd.read_csv(args.pairs, dtype={"id_l": str, "id_r": str}, keep_default_na=False)
    unknown = set(pairs["id_l"]).union(pairs["id_r"]).difference(index)
    if unknown:
        sys.exit(f"{len(unknown)} ids in pairs are not in truth, e.g. {sorted(unknown)[:3]}")
    a = pairs["id_l"].map(index).to_numpy(np.int64)
    b = pairs["id_r"].map(index).to_numpy(np.int64)
    prob = pairs["match_probability"].to_numpy(np.float64)
    self_pairs = a == b
    lo, hi = np.minimum(a, b)[~self_pairs], np.maximum(a, b)[~self_pairs]
    prob = prob[~self_pairs]
    # Distinct pairs, keeping the highest probability.
    df = pd.DataFrame({"lo": lo, "hi": hi, "p": prob}).groupby(["lo", "hi"], sort=False)["p"].max().reset_index()
    lo, hi, prob = df["lo"].to_numpy(), df["hi"].to_numpy(), df["p"].to_numpy()
    is_true = cl_codes[lo] == cl_codes[hi]
    order = np.argsort(-prob, kind="stable")
    lo, hi, prob, is_true = lo[order], hi[order], prob[order], is_true[order]
    cum_tp = np.concatenate([[0], np.cumsum(is_true)])

    # Incremental union-find: thresholds descending, edges added in probability order.
    n = len(index)
    parent = list(range(n))
    size = [1] * n
    comp_truth = [None] * n  # root -> {truth cluster: count}, created lazily
    pred_pairs_c = 0
    tp_c = 0

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def counts(root):
        d = comp_truth[root]
        if d is None:
            d = comp_truth[root] = {int(cl_codes[root]): 1}
        return d

    rows = {}
    k = 0
    for t in sorted(THRESHOLDS, reverse=True):
        while k < len(prob) and prob[k] >= t:
            x, y = find(int(lo[k])), find(int(hi[k]))
            k += 1
            if x == y:
                continue
            if size[x] < size[y]:
                x, y = y, x
            dx, dy = counts(x), counts(y)
            if len(dx) < len(dy):
                dx, dy = dy, dx
            for c, m in dy.items():
                tp_c += m * dx.get(c, 0)
                dx[c] = dx.get(c, 0) + m
            pred_pairs_c += size[x] * size[y]
            parent[y] = x
            size[x] += size[y]
            comp_truth[x], comp_truth[y] = dx, None
        pred_p = k  # prob sorted descending: first k pairs are >= t
        tp_p = int(cum_tp[k])
        rows[t] = {
            "threshold": t,
            "pair": dict(zip(("precision", "recall", "f1"), prf(tp_p, pred_p, true_pairs)), predicted=pred_p, tp=tp_p),
            "cluster": dict(zip(("precision", "recall", "f1"), prf(tp_c, pred_pairs_c, true_pairs)),
                            predicted=pred_pairs_c, tp=tp_c),
        }
    rows = [rows[t] for t in THRESHOLDS]

    floor_recall = int(is_true.sum()) / true_pairs if true_pairs else 0.0
    print(f"records {n}, true pairs {true_pairs}, scored pairs {len(prob)} "
          f"(true among them {int(is_true.sum())}, recall ceiling {floor_recall:.4f})")
    print(f"{'t':>5} | {'pair P':>7} {'pair R':>7} {'pair F1':>7} {'#pred':>9} | "
          f"{'clu P':>7} {'clu R':>7} {'clu F1':>7} {'#pred':>9}")
    for r in rows:
        if args.all or round(r["threshold"] * 100) % 5 == 0 or r["threshold"] == 0.01:
            p, c = r["pair"], r["cluster"]
            print(f"{r['threshold']:5.2f} | {p['precision']:7.4f} {p['recall']:7.4f} {p['f1']:7.4f} {p['predicted']:9d} | "
                  f"{c['precision']:7.4f} {c['recall']:7.4f} {c['f1']:7.4f} {c['predicted']:9d}")
    best = {}
    for level in ("pair", "cluster"):
        b = max(rows, key=lambda r: r[level]["f1"])  # first (lowest t) among ties
        best[level] = {"threshold": b["threshold"], **b[level]}
        print(f"best {level:7s} F1 {b[level]['f1']:.4f} at t={b['threshold']:.2f} "
              f"(P {b[level]['precision']:.4f}, R {b[level]['recall']:.4f})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"records": n, "true_pairs": true_pairs, "scored_pairs": int(len(prob)),
                       "recall_ceiling": floor_recall, "best": best, "thresholds": rows}, f, indent=1)


if __name__ == "__main__":
    main()
