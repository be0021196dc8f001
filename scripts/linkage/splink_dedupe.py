#!/usr/bin/env python3
"""Deduplicate one CSV file with Splink 5 (DuckDB backend): the Python side of the
side-by-side comparison with `sijian match dedupe`. Same command-line contract:

    python splink_dedupe.py --input FILE.csv --id COL --name COL [--birth COL]
        [--id-number COL] [--phone COL] [--address COL] [--field COL ...]
        --pairs OUT.csv --clusters OUT.csv [--threshold 0.5] [--pairs-floor 0.01]
        [--summary OUT.json] [--duckdb-memory 8GB] [--threads 2]

Outputs
  --pairs     id_l,id_r,match_probability for every scored pair with probability
              >= --pairs-floor (so that an evaluator can sweep thresholds).
  --clusters  id,cluster_id for every input record: Splink's connected components of
              the pairs with probability >= --threshold.
  --summary   JSON with wall time (whole script, imports and CSV reading included),
              peak RSS, counts, per-phase timings and the configuration used; one line
              with the headline figures also goes to stderr.

Every column is read as text; an empty (or all-blank) value is missing. The model is
unsupervised (no labels are read): see build_model() for the comparisons, blocking
rules and training steps and why they were chosen.
"""
import time

_T0 = time.perf_counter()  # wall time covers the whole script, imports included

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import duckdb  # noqa: E402
import splink  # noqa: E402
import splink.comparison_level_library as cll  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402
from splink.blocking_analysis import count_comparisons_from_blocking_rules  # noqa: E402

ROLE_COLS = ["name", "birth", "id_number", "phone", "address"]
FIELD_KINDS = ("exact", "lev1", "lev2", "jw")
PHASES = {}
# An exact blocking rule on address or a --field is used only when it yields at most
# this many pairs per input record (so it stays linear; a state column never qualifies).
CHEAP_BLOCK_FACTOR = 5


def phase(name, since):
    now = time.perf_counter()
    PHASES[name] = round(now - since, 3)
    return now


def qi(col: str) -> str:
    """Quote an SQL identifier."""
    return '"' + col.replace('"', '""') + '"'


def ql(s: str) -> str:
    """Quote an SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def ex(con, sql):
    """Run a statement to completion. DuckDB 2 refuses further work on a connection
    while a result from execute() is unconsumed, so every statement is fetched."""
    return con.execute(sql).fetchall()


def peak_rss_mib():
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((self_kib + child_kib) / 1024, 1)


def parse_args():
    ap = argparse.ArgumentParser(description="Splink 5 (DuckDB) dedupe with the `sijian match dedupe` contract")
    ap.add_argument("--input", required=True, help="input CSV with a header row")
    ap.add_argument("--id", required=True, help="record id column")
    ap.add_argument("--name", required=True, help="person name column")
    ap.add_argument("--birth", help="date of birth column (YYYY-MM-DD or YYYYMMDD)")
    ap.add_argument("--id-number", help="identity document number column")
    ap.add_argument("--phone", help="phone number column")
    ap.add_argument("--address", help="address column")
    ap.add_argument("--field", action="append", default=[], help="other column to compare (repeatable)")
    ap.add_argument("--field-kind", action="append", default=[], metavar="COL=KIND",
                    help=f"override the automatic comparison for a --field; KIND in {FIELD_KINDS}")
    ap.add_argument("--block", action="append", default=[], metavar="COL[,COL...]",
                    help="extra prediction blocking rule: equality on all listed columns (repeatable)")
    ap.add_argument("--pairs", required=True, help="output CSV id_l,id_r,match_probability")
    ap.add_argument("--clusters", required=True, help="output CSV id,cluster_id")
    ap.add_argument("--threshold", type=float, default=0.5, help="match probability for clustering")
    ap.add_argument("--pairs-floor", type=float, default=0.01, help="lowest probability written to --pairs")
    ap.add_argument("--summary", help="output JSON with time, memory and counts")
    ap.add_argument("--model", help="also save the trained Splink model as JSON here")
    ap.add_argument("--duckdb-memory", default="8GB", help="DuckDB memory_limit")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (the benchmark machine has 2 cores)")
    ap.add_argument("--prior-recall", type=float, default=None,
                    help="stated recall of the deterministic rule used to estimate the prior "
                         "(default 0.7 for id-number exact, 0.6 for name+birth exact)")
    ap.add_argument("--u-max-pairs", type=float, default=1e7, help="max_pairs for u estimation")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--count-blocking", action="store_true",
                    help="log exact comparison counts per blocking rule (extra work, counted in the wall time; leave off for timing runs)")
    ap.add_argument("--verbose", action="store_true", help="show Splink's INFO log")
    a = ap.parse_args()
    a.field_kinds = {}
    for fk in a.field_kind:
        col, _, kind = fk.partition("=")
        if kind not in FIELD_KINDS:
            ap.error(f"--field-kind {fk}: KIND must be one of {FIELD_KINDS}")
        a.field_kinds[col] = kind
    return a


# ---------------------------------------------------------------- data preparation
def load_input(con, args):
    """Read the CSV as text into `raw`, then build the cleaned table `records` with the
    fixed column names unique_id, name, birth, id_number, phone, address, f_<i>.

    Cleaning is the light, standard kind any Splink user does before linking:
    trim / collapse blanks, '' -> NULL, one spelling of the minority-name separator,
    dates parsed from YYYY-MM-DD or YYYYMMDD into ISO text (invalid -> NULL), ID numbers
    upper-cased without blanks, phones reduced to digits without a +86 prefix."""
    ex(con,
        f"CREATE TABLE raw AS SELECT * FROM read_csv({ql(args.input)}, header=true, all_varchar=true, "
        f"auto_detect=true, quote='\"', escape='\"')"
    )
    cols = [r[0] for r in ex(con, "DESCRIBE raw")]
    wanted = [args.id, args.name, args.birth, args.id_number, args.phone, args.address, *args.field]
    missing = [c for c in wanted if c and c not in cols]
    if missing:
        sys.exit(f"columns not in {args.input}: {missing} (have {cols})")

    def txt(col):  # trimmed text, blanks collapsed, '' -> NULL
        return f"NULLIF(trim(regexp_replace({qi(col)}, '\\s+', ' ', 'g')), '')"

    sel = [f"{txt(args.id)} AS unique_id"]
    # Name: lower-case (no-op for Han), unify the separator of minority names.
    # (an ASCII '.' counts as the separator only between two Han characters)
    sep = f"regexp_replace({txt(args.name)}, '\\s*[·•・．‧∙]\\s*', '·', 'g')"
    sel.append(f"NULLIF(lower(regexp_replace({sep}, '(\\p{{Han}})\\s*\\.\\s*(\\p{{Han}})', '\\1·\\2', 'g')), '') AS name")
    if args.birth:
        b = txt(args.birth)
        sel.append(
            f"strftime(COALESCE(try_strptime({b}, '%Y-%m-%d'), try_strptime({b}, '%Y%m%d'), "
            f"try_strptime({b}, '%Y/%m/%d')), '%Y-%m-%d') AS birth"
        )
    if args.id_number:
        sel.append(f"NULLIF(upper(regexp_replace({qi(args.id_number)}, '\\s', '', 'g')), '') AS id_number")
    if args.phone:
        digits = f"regexp_replace({qi(args.phone)}, '\\D', '', 'g')"
        sel.append(
            f"NULLIF(CASE WHEN length({digits}) = 13 AND starts_with({digits}, '86') "
            f"THEN substr({digits}, 3) ELSE {digits} END, '') AS phone"
        )
    if args.address:
        sel.append(f"NULLIF(regexp_replace({txt(args.address)}, '\\s', '', 'g'), '') AS address")
    for i, f in enumerate(args.field):
        sel.append(f"{txt(f)} AS f_{i}")
    ex(con, f"CREATE TABLE records AS SELECT {', '.join(sel)} FROM raw")
    ex(con, "DROP TABLE raw")

    n, n_ids, n_null = ex(con,
        "SELECT count(*), count(DISTINCT unique_id), count(*) - count(unique_id) FROM records"
    )[0]
    if n_null or n_ids != n:
        sys.exit(f"--id {args.id}: {n_null} empty and {n - n_null - n_ids} duplicate ids")
    return n


def exact_pairs(con, col):
    """Number of record pairs that agree exactly on a (non-null) column."""
    return ex(con, f"SELECT COALESCE(sum(k * (k - 1) / 2), 0) FROM "
                   f"(SELECT count(*) AS k FROM records WHERE {col} IS NOT NULL GROUP BY {col})")[0][0]


def field_kinds(con, args, n):
    """Comparison kind for each --field, from a quick profile unless overridden:
    digits-only values of 7+ characters (e.g. social security numbers) -> Levenshtein
    <= 1, <= 2; digits-only 4-6 (postcodes) -> Levenshtein <= 1; shorter numbers
    (street numbers), very short codes or a column with few distinct values (states)
    -> exact match with term-frequency adjustment; other text -> Jaro-Winkler levels.
    Also returns the fields on which an exact blocking rule is cheap: at most
    CHEAP_BLOCK_FACTOR x records pairs agree exactly (identifier-like columns such as a
    social security number or a full address line, but not a state or street number)."""
    kinds, cheap_fields = {}, []
    for i, f in enumerate(args.field):
        c = f"f_{i}"
        nonnull, digits, maxlen, avglen, distinct = ex(con,
            f"SELECT count({c}), count(*) FILTER (WHERE regexp_full_match({c}, '[0-9]+')), "
            f"max(length({c})), avg(length({c})), count(DISTINCT {c}) FROM records"
        )[0]
        if nonnull and exact_pairs(con, c) <= CHEAP_BLOCK_FACTOR * n:
            cheap_fields.append(f)
        if f in args.field_kinds:
            kinds[f] = args.field_kinds[f]
        elif not nonnull:
            kinds[f] = "exact"
        elif digits >= 0.95 * nonnull and avglen >= 6.5:
            kinds[f] = "lev2"
        elif digits >= 0.95 * nonnull and avglen >= 3.5:
            kinds[f] = "lev1"
        elif digits >= 0.95 * nonnull:
            kinds[f] = "exact"
        elif maxlen <= 3 or distinct <= 50:
            kinds[f] = "exact"
        else:
            kinds[f] = "jw"
    return kinds, cheap_fields


# ---------------------------------------------------------------- model
def build_model(args, kinds, cheap_fields, address_cheap):
    comparisons = []
    desc = {}

    # Name. Splink's NameComparison is exact (with TF) + Jaro-Winkler >= 0.92/0.88/0.7.
    # Chinese names are 2-4 characters, where one substituted character (a homophone or
    # a typo) gives JW of only ~0.67-0.82, so a competent user adds an edit-distance
    # level; Splink has no phonetic (pinyin) comparison. Levels: exact (term-frequency
    # adjusted, so 张伟 counts for less than a rare name), Damerau-Levenshtein <= 1,
    # JW >= 0.9, JW >= 0.7, else.
    comparisons.append(cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name").configure(tf_adjustment_column="name"),
            cll.DamerauLevenshteinLevel("name", 1),
            cll.JaroWinklerLevel("name", 0.9),
            cll.JaroWinklerLevel("name", 0.7),
            cll.ElseLevel(),
        ],
    ))
    desc["name"] = "null | exact (TF) | DL<=1 | JW>=0.9 | JW>=0.7 | else"
    if args.birth:
        # Splink's out-of-the-box DOB comparison: exact, Levenshtein <= 1 on the ISO
        # text, within 1 month, within 1 year, within 10 years, else.
        comparisons.append(cl.DateOfBirthComparison("birth", input_is_string=True, datetime_format="%Y-%m-%d"))
        desc["birth"] = "DateOfBirthComparison: exact | lev<=1 | 1 month | 1 year | 10 years | else"
    if args.id_number:
        # Plain Levenshtein, not Damerau-Levenshtein: a transposed digit pair is still
        # <= 2, and DuckDB's damerau_levenshtein is ~6x slower on 18-character strings
        # (u sampling over 1e7 pairs took ~50 s longer with it).
        comparisons.append(cl.LevenshteinAtThresholds("id_number", [1, 2]))
        desc["id_number"] = "exact | lev<=1 | lev<=2 | else"
    if args.phone:
        comparisons.append(cl.LevenshteinAtThresholds("phone", [1]))
        desc["phone"] = "exact | lev<=1 | else"
    if args.address:
        comparisons.append(cl.JaroWinklerAtThresholds("address", [0.95, 0.88, 0.7]))
        desc["address"] = "exact | JW>=0.95 | JW>=0.88 | JW>=0.7 | else"
    for i, f in enumerate(args.field):
        c, k = f"f_{i}", kinds[f]
        if k == "exact":
            comparisons.append(cl.ExactMatch(c).configure(term_frequency_adjustments=True))
            desc[f] = "exact (TF) | else"
        elif k == "lev1":
            comparisons.append(cl.LevenshteinAtThresholds(c, [1]))
            desc[f] = "exact | lev<=1 | else"
        elif k == "lev2":
            comparisons.append(cl.LevenshteinAtThresholds(c, [1, 2]))
            desc[f] = "exact | lev<=1 | lev<=2 | else"
        else:
            comparisons.append(cl.JaroWinklerAtThresholds(c, [0.9, 0.7]))
            desc[f] = "exact | JW>=0.9 | JW>=0.7 | else"

    # Blocking rules for prediction (OR of these; Splink removes pairs already produced
    # by an earlier rule). Chosen so that a duplicate is missed only when it disagrees
    # on every strong key, while every rule stays roughly linear in the input size:
    #  - id number exact, phone exact: near-unique keys, tiny blocks;
    #  - birth exact: ~25k distinct dates over a lifetime, so 100k records give ~0.2M
    #    and 1M records ~20M pairs; catches name variants, traditional characters etc.;
    #  - address exact and each --field exact, but only where that is cheap: at most
    #    CHEAP_BLOCK_FACTOR x records pairs agree exactly (measured on the input);
    #  - name exact: catches dates that are missing or mistyped;
    #  - first character of the name (the surname for Han names) + birth year-month:
    #    a day or day/month typo together with a name variant;
    #  - first + last character of the name + birth year: a month typo together with a
    #    variant in the middle character.
    # block_on(name, birth) is subsumed by block_on(birth). Rules on a first character
    # alone or a birth year alone were tried and rejected: too big at 300k+ records.
    rules = []
    if args.id_number:
        rules.append(block_on("id_number"))
    if args.phone:
        rules.append(block_on("phone"))
    if args.birth:
        rules.append(block_on("birth"))
    if address_cheap:
        rules.append(block_on("address"))
    for i, f in enumerate(args.field):
        if f in cheap_fields:
            rules.append(block_on(f"f_{i}"))
    rules.append(block_on("name"))
    if args.birth:
        rules.append(block_on("substr(name, 1, 1)", "substr(birth, 1, 7)"))
        rules.append(block_on("substr(name, 1, 1)", "right(name, 1)", "substr(birth, 1, 4)"))
    roles = [(args.name, "name"), (args.birth, "birth"), (args.id_number, "id_number"),
             (args.phone, "phone"), (args.address, "address")]
    col_of = {src: dst for src, dst in roles if src}
    col_of.update({f: f"f_{i}" for i, f in enumerate(args.field)})
    for spec in args.block:
        names = [s.strip() for s in spec.split(",") if s.strip()]
        unknown = [s for s in names if s not in col_of]
        if unknown:
            sys.exit(f"--block {spec}: {unknown} is not one of the mapped columns")
        rules.append(block_on(*[col_of[s] for s in names]))

    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    return settings, rules, desc


def train(linker, args):
    """Unsupervised training, as in the Splink tutorials:
    1. prior (probability two random records match) from a deterministic rule with a
       stated recall: id number exact (recall 0.7: ids are missing or mistyped in a
       fair share of duplicates) or, without id numbers, name + birth exact (0.6);
    2. u from random sampling (max_pairs 1e7, seeded);
    3. m by expectation maximisation in two sessions whose blocking rules are on
       different columns, so that every comparison is estimated in at least one:
       birth exact (trains all but birth) and name exact (trains birth); without a
       birth column, name exact and then id number / phone exact."""
    log = {}
    if args.id_number:
        det, recall = [block_on("id_number")], 0.7
        log["prior_rule"] = "id_number exact"
    elif args.birth:
        det, recall = [block_on("name", "birth")], 0.6
        log["prior_rule"] = "name + birth exact"
    else:
        det, recall = [block_on("name")], 0.5
        log["prior_rule"] = "name exact"
    if args.prior_recall is not None:
        recall = args.prior_recall
    log["prior_recall"] = recall
    linker.training.estimate_probability_two_random_records_match(det, recall=recall)
    log["prior"] = linker._settings_obj.core_model_settings.probability_two_random_records_match

    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_max_pairs, seed=args.seed)

    em_rules = []
    if args.birth:
        em_rules = [("birth", block_on("birth")), ("name", block_on("name"))]
    else:
        em_rules = [("name", block_on("name"))]
        if args.id_number:
            em_rules.append(("id_number", block_on("id_number")))
        elif args.phone:
            em_rules.append(("phone", block_on("phone")))
        elif args.address:
            em_rules.append(("address", block_on("address")))
        elif args.field:
            em_rules.append((args.field[0], block_on("f_0")))
    for label, rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    log["em_rules"] = [label for label, _ in em_rules]
    return log


# ---------------------------------------------------------------- main
def main():
    args = parse_args()
    t = time.perf_counter()
    PHASES["startup_imports"] = round(t - _T0, 3)
    if not args.verbose:
        logging.getLogger("splink").setLevel(logging.WARNING)

    tmpdir = tempfile.mkdtemp(prefix="splink-dedupe-")
    con = duckdb.connect(":memory:")
    ex(con, f"SET threads = {int(args.threads)}")
    ex(con, f"SET memory_limit = {ql(args.duckdb_memory)}")
    ex(con, f"SET temp_directory = {ql(tmpdir)}")
    ex(con, "SET preserve_insertion_order = false")
    ex(con, "SET enable_progress_bar = false")
    try:
        n = load_input(con, args)
        kinds, cheap_fields = field_kinds(con, args, n)
        address_cheap = bool(args.address) and exact_pairs(con, "address") <= CHEAP_BLOCK_FACTOR * n
        t = phase("read_prepare", t)

        settings, rules, desc = build_model(args, kinds, cheap_fields, address_cheap)
        db_api = DuckDBAPI(connection=con)
        sdf = db_api.register("records")
        linker = Linker(sdf, settings, log_level=logging.INFO if args.verbose else logging.WARNING)

        blocking_counts = None
        if args.count_blocking:
            recs = count_comparisons_from_blocking_rules(
                sdf, blocking_rules=rules, link_type="dedupe_only", unique_id_column_name="unique_id",
                record_sample_proportion=1.0)
            blocking_counts = [
                {"rule": r["blocking_rule"], "marginal": r["marginal_comparison_count"],
                 "cumulative": r["cumulative_comparison_count"]} for r in recs
            ]
            for b in blocking_counts:
                print(f"blocking: {b['rule']}: +{b['marginal']} = {b['cumulative']}", file=sys.stderr)
            t = phase("count_blocking", t)

        train_log = train(linker, args)
        t = phase("train", t)

        pred = linker.inference.predict(threshold_match_probability=args.pairs_floor)
        t = phase("predict", t)

        ex(con,
            f"COPY (SELECT unique_id_l AS id_l, unique_id_r AS id_r, match_probability "
            f"FROM {pred.physical_name}) TO {ql(args.pairs)} (FORMAT csv, HEADER true)"
        )
        n_pairs = ex(con, f"SELECT count(*) FROM {pred.physical_name}")[0][0]
        per_rule = dict(ex(con,
            f"SELECT match_key, count(*) FROM {pred.physical_name} GROUP BY 1 ORDER BY 1"))
        t = phase("write_pairs", t)

        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            pred, threshold_match_probability=args.threshold)
        ex(con,
            f"COPY (SELECT unique_id AS id, cluster_id FROM {clusters.physical_name}) "
            f"TO {ql(args.clusters)} (FORMAT csv, HEADER true)"
        )
        n_clusters, n_clustered = ex(con,
            f"SELECT count(DISTINCT cluster_id), count(*) FROM {clusters.physical_name}")[0]
        if n_clustered != n:
            print(f"warning: clusters cover {n_clustered} of {n} records", file=sys.stderr)
        t = phase("cluster_write", t)

        if args.model:
            linker.misc.save_model_to_json(args.model, overwrite=True)
    finally:
        con.close()
        shutil.rmtree(tmpdir, ignore_errors=True)

    wall = round(time.perf_counter() - _T0, 3)
    rss = peak_rss_mib()
    summary = {
        "engine": "splink",
        "splink_version": splink.__version__,
        "duckdb_version": duckdb.__version__,
        "python": sys.version.split()[0],
        "input": args.input,
        "records": n,
        "pairs_written": n_pairs,
        "pairs_floor": args.pairs_floor,
        "threshold": args.threshold,
        "clusters": n_clusters,
        "wall_seconds": wall,
        "peak_rss_mib": rss,
        "peak_rss_note": "ru_maxrss of this process plus its largest child, MiB",
        "phases_seconds": PHASES,
        "duckdb_threads": args.threads,
        "duckdb_memory_limit": args.duckdb_memory,
        "comparisons": desc,
        "field_kinds": kinds,
        "cheap_exact_blocking_fields": cheap_fields + (["address"] if address_cheap else []),
        "blocking_rules": [r.get_blocking_rule("duckdb").blocking_rule_sql for r in rules],
        "column_map": {"unique_id": args.id, "name": args.name, "birth": args.birth, "id_number": args.id_number,
                       "phone": args.phone, "address": args.address,
                       **{f"f_{i}": f for i, f in enumerate(args.field)}},
        "pairs_per_blocking_rule_above_floor": {str(k): v for k, v in per_rule.items()},
        "blocking_counts": blocking_counts,
        "training": train_log,
    }
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=1, ensure_ascii=False)
    print(
        f"splink {splink.__version__}: {n} records, {n_pairs} pairs >= {args.pairs_floor}, "
        f"{n_clusters} clusters at {args.threshold}, wall {wall:.2f} s, peak RSS {rss:.0f} MiB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
