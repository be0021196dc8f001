//! The `sijian match` contract: synth → dedupe → eval end to end with ground truth; pairs and
//! clusters in the documented format; a saved model loads and gives the same result; malformed
//! rows are reported with line numbers and refused, or skipped by flag; a missing column mapping
//! is a usage error (exit 2); an unreadable or mismatched model is refused (exit 1).
use crate::common;

use common::{code_of, sijian, text};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sijian-match-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

const MAPPING: [&str; 12] = [
    "--id",
    "id",
    "--name",
    "name",
    "--birth",
    "birth",
    "--id-number",
    "id_number",
    "--phone",
    "phone",
    "--address",
    "address",
];

fn dedupe(input: &Path, dir: &Path, extra: &[&str]) -> Output {
    let (pairs, clusters) = (dir.join("pairs.csv"), dir.join("clusters.csv"));
    let mut args = vec!["match", "dedupe", "--input", s(input), "--quiet"];
    args.extend(MAPPING);
    args.extend(["--pairs", s(&pairs), "--clusters", s(&clusters)]);
    args.extend(extra);
    sijian(&args)
}

/// A synthetic population in `dir` (people.csv, truth.csv) from `sijian match synth` with `args`.
fn synth(dir: &Path, args: &[&str]) -> (PathBuf, PathBuf) {
    let (data, truth) = (dir.join("people.csv"), dir.join("truth.csv"));
    let mut all = vec!["match", "synth", "--output", s(&data), "--truth", s(&truth)];
    all.extend(args);
    let o = sijian(&all);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    (data, truth)
}

#[test]
fn synth_dedupe_eval_end_to_end() {
    let dir = workdir("e2e");
    let (data, truth) = synth(&dir, &["--people", "3000"]);
    let input = rows(&data);
    assert_eq!(
        input[0],
        [
            "id",
            "name",
            "sex",
            "birth",
            "id_number",
            "phone",
            "address"
        ]
    );
    let model = dir.join("model.json");
    let summary = dir.join("summary.json");
    let o = dedupe(
        &data,
        &dir,
        &[
            "--pairs-floor",
            "0.01",
            "--u-sample",
            "300000",
            "--save-model",
            s(&model),
            "--summary",
            s(&summary),
        ],
    );
    assert_eq!(code_of(&o), 0, "{}", text(&o));

    // Clusters: a header and one row per input record, in input order.
    let clusters = rows(&dir.join("clusters.csv"));
    assert_eq!(clusters[0], ["id", "cluster_id"]);
    assert_eq!(clusters.len(), input.len());
    for (c, r) in clusters[1..].iter().zip(&input[1..]) {
        assert_eq!(c[0], r[0]);
    }
    // Pairs: probability, weight, then a level and bits per field.
    let pairs = rows(&dir.join("pairs.csv"));
    assert_eq!(
        pairs[0][..6],
        [
            "id_l",
            "id_r",
            "match_probability",
            "match_weight",
            "name_level",
            "name_bits"
        ]
    );
    assert_eq!(pairs[0].len(), 4 + 2 * 5);
    let levels: HashSet<&str> = pairs[1..].iter().map(|r| r[4].as_str()).collect();
    assert!(levels.contains("同音"), "{levels:?}");
    // The pair's weight is the prior plus its fields' bits (rounding aside): an explanation that
    // adds up.
    let prior = {
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
        let l = m["lambda"].as_f64().unwrap();
        (l / (1.0 - l)).log2()
    };
    for r in pairs[1..].iter().take(200) {
        let bits: f64 = (0..5).map(|f| r[5 + 2 * f].parse::<f64>().unwrap()).sum();
        let w: f64 = r[3].parse().unwrap();
        assert!((prior + bits - w).abs() < 0.01, "{r:?}");
    }

    // Evaluation against ground truth.
    let o = sijian(&[
        "match",
        "eval",
        "--truth",
        s(&truth),
        "--pairs",
        s(&dir.join("pairs.csv")),
        "--json",
    ]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f1 = e["best_cluster"]["clusters"]["f1"].as_f64().unwrap();
    assert!(f1 > 0.95, "{e}");
    assert!(e["best_pair"]["pairs"]["f1"].as_f64().unwrap() > 0.95);

    // The clusters written at the default threshold agree with the truth about as well.
    let truth_rows = rows(&truth);
    let t: HashMap<&str, &str> = truth_rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    let mut same_cluster_same_person = 0;
    let mut same_cluster = 0;
    let by_cluster: HashMap<&str, Vec<&str>> =
        clusters[1..].iter().fold(HashMap::new(), |mut m, r| {
            m.entry(r[1].as_str()).or_default().push(r[0].as_str());
            m
        });
    for members in by_cluster.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                same_cluster += 1;
                if t[a] == t[b] {
                    same_cluster_same_person += 1;
                }
            }
        }
    }
    assert!(same_cluster > 500);
    assert!(same_cluster_same_person as f64 / same_cluster as f64 > 0.95);

    // The saved model, loaded, gives the same clusters without training.
    let again = workdir("e2e-again");
    let o = dedupe(&data, &again, &["--model", s(&model)]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    assert_eq!(rows(&again.join("clusters.csv")), clusters);

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(summary["records"], input.len() - 1);
    assert!(summary["wall_seconds"].as_f64().unwrap() > 0.0);
}

/// Households, twins and namesakes (the generator's defaults) with and without identity
/// numbers: the clusters written at the default threshold keep their precision, a household
/// never becomes one person, and --explain-cluster shows why records were put together.
#[test]
fn households_twins_and_namesakes_stay_apart() {
    let dir = workdir("households");
    let (data, truth) = synth(&dir, &["--people", "6000", "--seed", "3"]);
    let judge = |clusters: &Path| -> serde_json::Value {
        let o = sijian(&[
            "match",
            "eval",
            "--truth",
            s(&truth),
            "--clusters",
            s(clusters),
            "--json",
        ]);
        assert_eq!(code_of(&o), 0, "{}", text(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let o = dedupe(&data, &dir, &["--sex", "sex"]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    let e = judge(&dir.join("clusters.csv"));
    assert!(e["precision"].as_f64().unwrap() > 0.98, "{e}");
    assert!(e["f1"].as_f64().unwrap() > 0.95, "{e}");

    // No identity numbers at all: names, dates, sex, phones and addresses only.
    let bare = workdir("households-bare");
    let (pairs, clusters) = (bare.join("pairs.csv"), bare.join("clusters.csv"));
    let o = sijian(&[
        "match",
        "dedupe",
        "--input",
        s(&data),
        "--quiet",
        "--id",
        "id",
        "--name",
        "name",
        "--birth",
        "birth",
        "--phone",
        "phone",
        "--address",
        "address",
        "--sex",
        "sex",
        "--pairs",
        s(&pairs),
        "--clusters",
        s(&clusters),
        "--summary",
        s(&bare.join("summary.json")),
    ]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    let e = judge(&clusters);
    assert!(e["precision"].as_f64().unwrap() > 0.9, "{e}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bare.join("summary.json")).unwrap()).unwrap();
    assert!(
        summary["largest_cluster"].as_u64().unwrap() <= 50,
        "{summary}"
    );

    // The explanation of the largest cluster names its records and every pair's fields.
    let ids = rows(&clusters);
    let mut size: HashMap<&str, usize> = HashMap::new();
    for r in &ids[1..] {
        *size.entry(r[1].as_str()).or_default() += 1;
    }
    let (&largest, &n) = size.iter().max_by_key(|(c, n)| (**n, *c)).unwrap();
    assert!(n >= 2);
    let o = dedupe(&data, &dir, &["--sex", "sex", "--explain-cluster", largest]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains(&format!("记录“{largest}”所在的簇有")), "{out}");
    assert!(out.contains("身份号码：") && out.contains("比特"), "{out}");
    let o = dedupe(&data, &dir, &["--explain-cluster", "no-such-record"]);
    assert_eq!(code_of(&o), 2, "{}", text(&o));
}

#[test]
fn bad_rows_are_named_and_refused_or_skipped() {
    let dir = workdir("bad");
    let data = dir.join("in.csv");
    std::fs::write(
        &data,
        "id,name,birth,id_number,phone,address\n\
         a1,王芳,1980-05-03,110105198005030022,13812345678,杭州\n\
         a2,王方,19800503,,13812345678,杭州\n\
         a3,李丽,1980-13-45,,,\n\
         a4,赵磊,1975-01-01,12345,,\n\
         a5,钱多\n\
         a1,孙悦,1990-01-01,,,\n\
         ,周杰,1990-01-01,,,\n\
         a8,吴涛,1991-02-03,,电话,\n",
    )
    .unwrap();
    let o = dedupe(&data, &dir, &[]);
    assert_eq!(code_of(&o), 1, "{}", text(&o));
    let out = text(&o);
    for expected in [
        "第 4 行：出生日期“1980-13-45”无法识别",
        "第 6 行：有 2 列，表头有 6 列",
        "第 7 行：记录标识“a1”重复",
        "第 8 行：记录标识为空",
        "第 9 行：电话号码“电话”无法识别",
        "输入有 5 行格式有误",
        "--skip-bad-rows",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in {out}");
    }
    assert!(
        !dir.join("clusters.csv").exists(),
        "nothing written on refusal"
    );

    let o = dedupe(&data, &dir, &["--skip-bad-rows", "--threshold", "0.5"]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("已跳过 5 行"));
    let clusters = rows(&dir.join("clusters.csv"));
    let ids: Vec<&str> = clusters[1..].iter().map(|r| r[0].as_str()).collect();
    // A malformed identity number is no reason to drop a row: it is compared as text.
    assert_eq!(ids, ["a1", "a2", "a4"]);

    // Unreadable values treated as missing: those rows stay, each value reported; rows that are
    // broken as rows are still skipped.
    let o = dedupe(&data, &dir, &["--skip-bad-rows", "--bad-values-missing"]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains(
            "第 4 行：出生日期“1980-13-45”无法识别（应为 YYYY-MM-DD 或 YYYYMMDD），按缺失处理"
        ),
        "{out}"
    );
    assert!(out.contains("共 2 个无法识别的值按缺失处理"), "{out}");
    assert!(out.contains("已跳过 3 行"), "{out}");
    let clusters = rows(&dir.join("clusters.csv"));
    let ids: Vec<&str> = clusters[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["a1", "a2", "a3", "a4", "a8"]);
}

#[test]
fn usage_errors_and_unreadable_models() {
    let dir = workdir("usage");
    let data = dir.join("in.csv");
    std::fs::write(
        &data,
        "id,name,birth\na1,王芳,1980-05-03\na2,李丽,1990-01-01\n",
    )
    .unwrap();
    // A mapped column that is not in the header: usage error naming it.
    let o = sijian(&[
        "match",
        "dedupe",
        "--input",
        s(&data),
        "--id",
        "id",
        "--name",
        "name",
        "--phone",
        "mobile",
        "--pairs",
        s(&dir.join("p.csv")),
        "--clusters",
        s(&dir.join("c.csv")),
    ]);
    assert_eq!(code_of(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("--phone 指定的列“mobile”不在输入文件的表头中"));
    // No name mapping at all: clap's usage error.
    let o = sijian(&["match", "dedupe", "--input", s(&data), "--id", "id"]);
    assert_eq!(code_of(&o), 2);

    let base = [
        "match",
        "dedupe",
        "--input",
        s(&data),
        "--id",
        "id",
        "--name",
        "name",
        "--birth",
        "birth",
        "--quiet",
    ];
    let outs = ["--pairs", "p.csv", "--clusters", "c.csv"];
    let outs: Vec<String> = outs
        .iter()
        .map(|a| {
            if a.ends_with(".csv") {
                dir.join(a).to_str().unwrap().to_owned()
            } else {
                (*a).to_owned()
            }
        })
        .collect();
    let run = |model: &Path| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(outs.iter().map(String::as_str));
        args.extend(["--model", s(model)]);
        sijian(&args)
    };
    // Missing, garbled, or trained on other fields.
    let o = run(&dir.join("none.json"));
    assert_eq!(code_of(&o), 1);
    assert!(text(&o).contains("无法读取模型文件"), "{}", text(&o));
    let garbled = dir.join("garbled.json");
    std::fs::write(&garbled, "{\"version\": 1, \"settings\": ").unwrap();
    let o = run(&garbled);
    assert_eq!(code_of(&o), 1);
    assert!(text(&o).contains("无效"), "{}", text(&o));
    let other = dir.join("other.json");
    let mut args: Vec<&str> = base.to_vec();
    args.truncate(base.len() - 3); // drop --birth birth --quiet
    args.push("--quiet");
    args.extend(outs.iter().map(String::as_str));
    args.extend(["--save-model", s(&other)]);
    let o = sijian(&args);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    let o = run(&other);
    assert_eq!(code_of(&o), 1);
    assert!(text(&o).contains("不一致"), "{}", text(&o));
}
