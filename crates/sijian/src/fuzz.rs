//! Fuzzing of what the command line reads from files and QR codes (issue 14, point 21): the CSV
//! input of `sijian match dedupe`, the truth and pair files of `sijian match eval`, the QR
//! content and the offline proof bundle of `sijian verify`. No input panics; every row is
//! either a record or reported; what verifies is what was signed.
//!
//! `cargo test -p sijian --bin sijian fuzz` runs a short pass; the long run is `fuzz_long`
//! (ignored, 1,000,000 inputs per parser, `SJTEST_FUZZ_LONG_CASES`).
use crate::match_cli::{self, DedupeArgs};
use crate::verify_cli;
use clap::Parser;
use proptest::prelude::*;
use sijian_domain::opinion_code::OpinionCode;
use sijian_ledger::bundle::Bundle;
use sijian_ledger::checkpoint::Checkpoint;
use sijian_ledger::commitment::EventEntry;
use sijian_ledger::note::{KeyKind, Note, Signer};
use sijian_ledger::token::{RecordKind, SignedRecord};
use sijian_ledger::tree::MemoryTree;
use sijian_linkage::eval;
use sijian_linkage::person::Layout;
use sijian_testkit::fuzz::{Target, run_long, run_short};
use sijian_testkit::fuzz_tests;
use std::collections::HashSet;
use std::io::Cursor;
use std::path::Path;

#[derive(Parser)]
struct Dedupe {
    #[command(flatten)]
    args: DedupeArgs,
}

/// The mapping of the synthetic data's columns, as the documentation shows it.
fn dedupe_args() -> DedupeArgs {
    Dedupe::try_parse_from([
        "dedupe",
        "--input=-",
        "--id=id",
        "--name=name",
        "--birth=birth",
        "--id-number=id_number",
        "--phone=phone",
        "--address=address",
        "--pairs=-",
        "--clusters=-",
    ])
    .unwrap()
    .args
}

const PEOPLE: &[&str] = &[
    "id,name,birth,id_number,phone,address\n\
     1,张三丰,1980-05-03,11010519491231002X,13812345678,杭州市西湖区\n\
     2,\"张 三丰\",19800503,,+86 138 1234 5678,\"杭州市, 西湖区\"\n\
     3,ZHANG Wei,,110105491231002,0571-88880000,\n",
    "\u{feff}address,phone,id_number,birth,name,id,note\r\n\
     北京市,,,1990/1/2,李四,a-1,\"多行\n备注\"\r\n\
     ,010-12345678,110105199001020011,,\"李\"\"四\"\"\",a-2,\r\n",
    "id,name,birth,id_number,phone,address\n7,不详,,,,\n7,王五,2000-02-30,123,555,x\n,赵六,,,,\n",
];

fn dedupe_csv() -> Target {
    let args = dedupe_args();
    let layout = Layout {
        birth: true,
        id_number: true,
        phone: true,
        address: true,
        sex: false,
        extra: Vec::new(),
    };
    Target::new("match dedupe CSV", move |bytes| {
        let Ok((cols, rows, bad)) = match_cli::read_rows(Cursor::new(bytes), &args) else {
            return Ok(false);
        };
        let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
        let read = rows.len() + bad.len();
        // Records: each row once, by its first unique non-empty identifier.
        let mut seen = HashSet::new();
        let expected = rows
            .iter()
            .filter(|(_, r)| {
                let id = r[cols.id].trim();
                !id.is_empty() && seen.insert(id.to_string())
            })
            .count();
        for bad_values_missing in [false, true] {
            let prepared = rows
                .iter()
                .map(|(line, r)| {
                    match_cli::prepare_row(&layout, &cols, bad_values_missing, *line, r)
                })
                .collect::<Vec<_>>();
            let Ok((_, _, refused)) = match_cli::read_rows(Cursor::new(bytes), &args) else {
                unreachable!("read once, read again");
            };
            let input = match_cli::collect_input(prepared, &rows, &cols, refused);
            prop_assert_eq!(input.ids.len(), input.persons.len());
            prop_assert_eq!(
                input.ids.len() + input.bad.len(),
                read,
                "a row went missing"
            );
            prop_assert!(input.ids.iter().all(|id| !id.is_empty() && id.trim() == id));
            prop_assert!(input.bad.windows(2).all(|w| w[0].line <= w[1].line));
            prop_assert!(input.bad.iter().all(|b| !b.reason.is_empty()));
            if bad_values_missing {
                // Unreadable values are blanked, so only identifiers (and the shape) refuse.
                prop_assert_eq!(input.ids.len(), expected);
            }
        }
        // Data rows start after the header's line and within the input.
        let ends = bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\r' || b == b'\n' && (i == 0 || bytes[i - 1] != b'\r'))
            .count();
        let last = 1 + ends as u64;
        prop_assert!(
            lines.windows(2).all(|w| w[0] < w[1]),
            "line numbers out of order"
        );
        prop_assert!(
            lines.iter().all(|l| (2..=last).contains(l)),
            "lines {:?}",
            lines
        );
        Ok(true)
    })
    .seeds(PEOPLE)
    .dict([
        ",", "\"", "\"\"", "\r\n", "\n", "\u{feff}", "\u{0}", "\u{ff}",
    ])
}

const EVAL: &[&str] = &[
    "id,cluster_id\n1,a\n2,a\n3,b\n4,b\n\u{c}id_l,id_r,match_probability,match_weight\n\
     1,2,0.99,7.1\n1,3,0.01,-6\n3,4,1,9\n2,1,0.5,0\n",
    "cluster_id,id\nx,\"a,b\"\ny,c\n\u{c}match_probability,id_r,id_l\n0,c,\"a,b\"\n",
];

/// Ground truth and scored pairs, separated by a form feed in the input.
fn eval_csv() -> Target {
    Target::new("match eval CSV", |bytes| {
        let at = bytes.iter().position(|&b| b == 0x0c).unwrap_or(bytes.len());
        let (truth_text, pairs_text) = (&bytes[..at], bytes.get(at + 1..).unwrap_or_default());
        let path = Path::new("input.csv");
        let Ok((index, truth)) = match_cli::read_truth(truth_text, path) else {
            return Ok(false);
        };
        prop_assert_eq!(index.len(), truth.len());
        let Ok(scored) = match_cli::read_pairs(pairs_text, path, &index) else {
            return Ok(false);
        };
        let n = truth.len() as u32;
        let mut pairs = HashSet::new();
        for &(i, j, p) in &scored {
            prop_assert!(i < n && j < n && i != j);
            prop_assert!((0.0..=1.0).contains(&p), "probability {}", p);
            prop_assert!(pairs.insert((i.min(j), i.max(j))), "a pair twice");
        }
        for point in eval::sweep(&truth, &scored, &eval::default_thresholds()) {
            let above = scored.iter().filter(|s| s.2 >= point.threshold).count();
            prop_assert_eq!(point.pairs.predicted, above as u64);
            for m in [point.pairs, point.clusters] {
                for v in [m.precision(), m.recall(), m.f1()] {
                    prop_assert!((0.0..=1.0).contains(&v));
                }
            }
        }
        Ok(true)
    })
    .seeds(EVAL)
    .dict([
        ",", "\"", "\n", "\u{c}", "NaN", "inf", "-0", "1e-400", "2", "0.5",
    ])
}

fn platform_key() -> Signer {
    Signer::from_seed("sijian.example/verify", KeyKind::Ed25519, [3; 32]).unwrap()
}

const CODE: &str = "330000-2026-1-0000001-8";

fn qr_content() -> Target {
    let code = OpinionCode::parse(CODE).unwrap();
    let opinion = SignedRecord::new(
        RecordKind::Opinion,
        vec![
            code.as_str().into(),
            "ab".repeat(32),
            "330112001".into(),
            "2026-11-28".into(),
        ],
    )
    .unwrap();
    let licence = SignedRecord::new(
        RecordKind::Licence,
        vec![
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F".into(),
            "appraiser".into(),
            "张三".into(),
            "33011200100001".into(),
            "2031-12-31".into(),
        ],
    )
    .unwrap();
    let signed_at = "2026-12-07T08:00:00Z";
    let tokens: Vec<String> = [
        opinion.clone(),
        licence.clone(),
        opinion.with_standing("corrected", signed_at).unwrap(),
        licence.with_standing("valid", signed_at).unwrap(),
    ]
    .map(|r| r.sign(&platform_key()).unwrap())
    .to_vec();
    let seeds = [
        format!("https://sj.example/v/{CODE}?key=ABC&t={}", tokens[0]),
        format!(
            "https://sj.example/v/{}/?t={}&lang=en",
            code.as_str(),
            tokens[2]
        ),
        format!("https://sj.example/l/1?t={}", tokens[1]),
        tokens[3].clone(),
    ];
    let keys = vec![platform_key().verifier()];
    Target::text("QR content", move |s| {
        let Ok(lines) = verify_cli::verify_qr(s, &keys) else {
            return Ok(false);
        };
        let signed = tokens.iter().any(|t| s.contains(t.as_str()));
        prop_assert!(signed, "a changed token verified: {s:?}");
        prop_assert!(!lines.is_empty());
        Ok(true)
    })
    .seeds(seeds)
    .dict(["?", "&", "t=", "/v/", "key=", "-", "_"])
}

fn opinion_bundle() -> Target {
    let code = OpinionCode::parse(CODE).unwrap();
    let mut tree = MemoryTree::new();
    let sha = "cd".repeat(32);
    let entry = EventEntry {
        event_id: 7,
        commitment: [5; 32],
        public: Some(format!("opinion {} {sha} 7 2026-11-29", code.grouped())),
    }
    .to_bytes();
    tree.append(b"first");
    tree.append(&entry);
    tree.append(b"third");
    let cp = Checkpoint::new("sijian.example/log", 3, tree.root());
    let log = Signer::from_seed("sijian.example/log", KeyKind::Ed25519, [4; 32]).unwrap();
    let seed = Bundle {
        entry: Some(entry),
        index: 1,
        proof: tree.prove_inclusion(1, 3).unwrap(),
        checkpoint: Note::sign(&cp.to_text(), &[&log], 0).unwrap().to_text(),
    }
    .to_text();
    let keys = vec![log.verifier()];
    Target::new("opinion bundle", move |bytes| {
        if let Ok((lines, logged)) = verify_cli::check_bundle(&code, bytes, keys.clone()) {
            prop_assert_eq!(&logged, &sha, "a changed bundle verified");
            prop_assert!(!lines.is_empty());
        }
        // Accepted: the bundle parsed, so its signature and proof were checked.
        let text = std::str::from_utf8(bytes);
        Ok(text.is_ok_and(|t| Bundle::parse(t).is_ok()))
    })
    .seeds([seed])
    .dict(["extra ", "index ", "\n\n", "\u{2014} "])
}

// Every target with its short test, in the order of the long run's table.
fuzz_tests! {
    fuzz_match_dedupe_csv => dedupe_csv,
    fuzz_match_eval_csv => eval_csv,
    fuzz_qr_content => qr_content,
    fuzz_opinion_bundle => opinion_bundle,
}

/// Line numbers name the line a row starts on, whatever the line ends.
#[test]
fn rows_are_numbered_by_their_lines_whatever_the_line_ends() {
    let row = "1,a,b,c,d,e";
    let head = "id,name,birth,id_number,phone,address";
    for end in ["\n", "\r\n", "\r"] {
        let input = format!("{head}{end}{row}{end}\"2\",\"多{end}行\",b,c,d,e{end}{row}{end}");
        let Ok((_, rows, bad)) = match_cli::read_rows(input.as_bytes(), &dedupe_args()) else {
            panic!("{end:?}: refused");
        };
        assert!(bad.is_empty(), "{end:?}");
        let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 3, 5], "{end:?}");
        assert_eq!(&rows[1].1[1], "多\n行", "{end:?}");
    }
}
