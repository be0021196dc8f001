//! Fuzzing of every parser of the ledger (issue 14, point 21): signed notes, key texts,
//! checkpoints, proofs, offline bundles, QR tokens, witness requests, tile paths, entry bundles,
//! event entries and base64. No input panics; what is accepted is written back the same
//! (every format has one spelling); and a changed signed object never verifies unless what it
//! vouches for is unchanged.
//!
//! `cargo test -p sijian-ledger --test it fuzz` runs a short pass (1,000 inputs per parser);
//! the long run is `fuzz_long` (ignored, 1,000,000 per parser, `SJTEST_FUZZ_LONG_CASES`).
use crate::fuzz_tests;
use crate::fuzzing::{Target, run_long, run_short};
use crate::vectors::testdata;
use proptest::prelude::*;
use serde_json::Value;
use sijian_ledger::b64;
use sijian_ledger::bundle::Bundle;
use sijian_ledger::checkpoint::{Checkpoint, parse_decimal};
use sijian_ledger::commitment::EventEntry;
use sijian_ledger::hash::leaf_hash;
use sijian_ledger::note::{KeyKind, Note, NoteSignature, Signer, Verifier, VerifierSet};
use sijian_ledger::policy::Policy;
use sijian_ledger::proof::{ProofError, verify_consistency, verify_inclusion};
use sijian_ledger::tiles::{Tile, decode_entries, encode_entries};
use sijian_ledger::token::{self, RecordKind, SignedRecord, TokenError};
use sijian_ledger::tree::MemoryTree;
use sijian_ledger::witness::{AddCheckpoint, WitnessState, add_checkpoint};
use std::path::Path;

const ORIGIN: &str = "sijian.example/log";

fn log_key() -> Signer {
    Signer::from_seed(ORIGIN, KeyKind::Ed25519, [1; 32]).unwrap()
}

fn retired_key() -> Signer {
    Signer::from_seed(ORIGIN, KeyKind::Ed25519, [9; 32]).unwrap()
}

fn witness_key() -> Signer {
    Signer::from_seed("court.example/w", KeyKind::CosignatureV1, [2; 32]).unwrap()
}

fn tree(size: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..size {
        t.append(format!("entry {i}").as_bytes());
    }
    t
}

fn json(rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(testdata().join(rel)).unwrap()).unwrap()
}

/// A checkpoint of `size` signed by the log and cosigned by the witness.
fn signed_checkpoint(t: &MemoryTree, size: u64) -> Note {
    let cp = Checkpoint::new(ORIGIN, size, t.root_at(size).unwrap());
    let mut note = Note::sign(&cp.to_text(), &[&log_key()], 0).unwrap();
    note.add_signature(witness_key().sign(&note.text, 1_800_000_000));
    note
}

/// Signed notes: ours (log and cosignature, two keys, an unknown signer) and the C2SP and
/// Go examples of the shared test vectors, with the keys that verify them.
fn note_seeds() -> (Vec<String>, VerifierSet) {
    let v = json("note/vectors.json");
    let mut notes = Vec::new();
    let mut keys = vec![
        log_key().verifier(),
        retired_key().verifier(),
        witness_key().verifier(),
    ];
    for ex in v["signed_note_examples"].as_array().unwrap() {
        keys.push(Verifier::parse(ex["vkey"].as_str().unwrap()).unwrap());
        notes.push(format!(
            "{}\n{}\n",
            ex["text"].as_str().unwrap(),
            ex["signature_line"].as_str().unwrap()
        ));
    }
    let cp = &v["checkpoint_examples"][0];
    keys.push(Verifier::parse(cp["vkey"].as_str().unwrap()).unwrap());
    notes.push(cp["signed_note"].as_str().unwrap().to_string());
    let co = &v["cosignature_regression"];
    keys.push(Verifier::parse(co["log_vkey"].as_str().unwrap()).unwrap());
    keys.push(Verifier::parse(co["witness_vkey_type04"].as_str().unwrap()).unwrap());
    notes.push(co["signed_checkpoint"].as_str().unwrap().to_string());
    let t = tree(13);
    notes.push(signed_checkpoint(&t, 13).to_text());
    let stranger = Signer::from_seed("stranger", KeyKind::Ed25519, [7; 32]).unwrap();
    notes.push(
        Note::sign(
            "two keys\nand a stranger\n",
            &[&log_key(), &retired_key(), &stranger],
            0,
        )
        .unwrap()
        .to_text(),
    );
    (notes, VerifierSet::new(keys))
}

const NOTE_TOKENS: &[&str] = &["\u{2014} ", "\u{2014}", " ", "\n\n", "AAAA", "===", "+/"];

fn note_target() -> Target {
    let (seeds, keys) = note_seeds();
    let originals: Vec<Note> = seeds.iter().map(|s| Note::parse(s).unwrap()).collect();
    Target::text("note", move |s| {
        let Ok(note) = Note::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(note.to_text(), s, "a note has one spelling");
        if let Ok(verified) = keys.verify(&note) {
            // Whatever verifies is a signed text of a seed, with signature lines of that seed.
            let orig = originals.iter().find(|o| o.text == note.text);
            prop_assert!(orig.is_some(), "changed text verified: {:?}", note.text);
            let orig = orig.unwrap();
            for v in &verified {
                let line = note
                    .signatures
                    .iter()
                    .find(|g| g.name == v.name && g.key_id == v.key_id)
                    .unwrap();
                prop_assert!(orig.signatures.contains(line), "changed signature verified");
            }
        }
        Ok(true)
    })
    .seeds(&seeds)
    .dict(NOTE_TOKENS)
}

fn key_texts() -> (Vec<String>, Vec<String>) {
    let v = json("note/vectors.json");
    let mut vkeys = vec![
        log_key().verifier().to_text(),
        witness_key().verifier().to_text(),
    ];
    let mut skeys = vec![log_key().to_text(), witness_key().to_text()];
    for ex in v["signed_note_examples"].as_array().unwrap() {
        vkeys.push(ex["vkey"].as_str().unwrap().to_string());
        if let Some(s) = ex["skey"].as_str() {
            skeys.push(s.to_string());
        }
    }
    vkeys.push(
        v["checkpoint_examples"][0]["vkey"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    skeys.push(
        v["cosignature_regression"]["log_skey"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    (vkeys, skeys)
}

fn verifier_target() -> Target {
    Target::text("verifier key", |s| {
        let Ok(v) = Verifier::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(v.to_text(), s.trim());
        Ok(true)
    })
    .seeds(key_texts().0)
    .dict(["+", "PRIVATE+KEY+", "Aa", "BA", "00000000", "ffffffff"])
}

fn signer_target() -> Target {
    Target::text("signer key", |s| {
        let Ok(k) = Signer::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(k.to_text(), s.trim());
        prop_assert_eq!(Verifier::parse(&k.verifier().to_text()), Ok(k.verifier()));
        Ok(true)
    })
    .seeds(key_texts().1)
    .dict(["+", "PRIVATE+KEY+", "Aa", "BA", "00000000"])
}

fn signature_line_target() -> Target {
    let (notes, _) = note_seeds();
    let lines: Vec<String> = notes
        .iter()
        .flat_map(|n| {
            let n = Note::parse(n).unwrap();
            n.signatures.into_iter().map(|s| s.to_line())
        })
        .map(|l| l.trim_end_matches('\n').to_string())
        .collect();
    Target::text("signature line", |s| {
        let Ok(sig) = NoteSignature::parse_line(s) else {
            return Ok(false);
        };
        prop_assert_eq!(sig.to_line(), format!("{s}\n"));
        Ok(true)
    })
    .seeds(lines)
    .dict(NOTE_TOKENS)
}

fn checkpoint_target() -> Target {
    let (notes, _) = note_seeds();
    let mut seeds: Vec<String> = notes
        .iter()
        .map(|n| Note::parse(n).unwrap().text)
        .filter(|t| Checkpoint::parse(t).is_ok())
        .collect();
    seeds.push("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n".into());
    Target::text("checkpoint", |s| {
        let Ok(c) = Checkpoint::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(c.to_text(), s);
        Ok(true)
    })
    .seeds(seeds)
}

fn decimal_target() -> Target {
    Target::text("decimal", |s| {
        let Some(n) = parse_decimal(s) else {
            return Ok(false);
        };
        prop_assert_eq!(n.to_string(), s);
        Ok(true)
    })
    .seeds(["0", "7", "6476701", "18446744073709551615"])
}

fn base64_target() -> Target {
    Target::text("base64", |s| {
        let Some(b) = b64::decode(s) else {
            return Ok(false);
        };
        prop_assert_eq!(b64::encode(&b), s, "one spelling per byte string");
        Ok(true)
    })
    .seeds([
        "",
        "AA==",
        "AAA=",
        "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=",
        "Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
    ])
    .dict(["=", "==", "+", "/", "-", "_"])
}

// ---------------------------------------------------------------------------------------------
// Proofs
// ---------------------------------------------------------------------------------------------

/// A proof written as text so that mutations shift lines and sizes: a first line of two
/// decimals, then base64 lines (hashes of any length; a line that is not base64 is taken as its
/// raw bytes).
fn proof_text(a: u64, b: u64, hashes: &[Vec<u8>]) -> String {
    let mut s = format!("{a} {b}\n");
    for h in hashes {
        s.push_str(&b64::encode(h));
        s.push('\n');
    }
    s
}

type ProofInput = (u64, u64, Vec<Vec<u8>>);

fn read_proof(s: &str) -> Option<ProofInput> {
    let mut lines = s.split('\n');
    let (a, b) = lines.next()?.split_once(' ')?;
    let hashes = lines
        .filter(|l| !l.is_empty())
        .map(|l| b64::decode(l).unwrap_or_else(|| l.as_bytes().to_vec()))
        .collect();
    Some((a.parse().ok()?, b.parse().ok()?, hashes))
}

fn bytes(v: &Value) -> Vec<u8> {
    v.as_str()
        .map_or_else(Vec::new, |s| b64::decode(s).unwrap())
}

fn vector_files(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(vector_files(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap());
        }
    }
    out
}

/// The roots (second hash line) of the seeds that verify.
fn verified_roots(seeds: &[String], verifies: impl Fn(&ProofInput) -> bool) -> Vec<Vec<u8>> {
    seeds
        .iter()
        .filter_map(|s| read_proof(s))
        .filter(|p| p.2.len() >= 2 && verifies(p))
        .map(|(_, _, h)| h[1].clone())
        .collect()
}

/// Inclusion inputs as `index size`, leaf, root, proof…: our trees and every vector of
/// transparency-dev/merkle (the refused ones too, as starting points).
fn inclusion_target() -> Target {
    let mut seeds = Vec::new();
    for (index, size) in [(0, 1), (0, 2), (3, 7), (6, 7), (4, 8), (12, 13), (31, 70)] {
        let t = tree(size);
        let mut h = vec![leaf_hash(format!("entry {index}").as_bytes()).to_vec()];
        h.push(t.root().to_vec());
        h.extend(
            t.prove_inclusion(index, size)
                .unwrap()
                .iter()
                .map(|x| x.to_vec()),
        );
        seeds.push(proof_text(index, size, &h));
    }
    for v in vector_files(&testdata().join("merkle/inclusion")) {
        let mut h = vec![bytes(&v["leafHash"]), bytes(&v["root"])];
        h.extend(v["proof"].as_array().into_iter().flatten().map(bytes));
        let (i, n) = (
            v["leafIdx"].as_u64().unwrap(),
            v["treeSize"].as_u64().unwrap(),
        );
        seeds.push(proof_text(i, n, &h));
    }
    // The roots that anything may verify against: those of the seeds that verify. A changed
    // proof may still be true (the leaf swapped with its sibling proves the sibling), but never
    // against a root nobody computed, and our trees' leaves only at their own index.
    let roots = verified_roots(&seeds, |(i, n, h)| {
        verify_inclusion(*i, *n, &h[0], &h[2..], &h[1]).is_ok()
    });
    assert!(roots.len() >= 7, "{} valid inclusion seeds", roots.len());
    let entries: Vec<Vec<u8>> = (0..70)
        .map(|k| leaf_hash(format!("entry {k}").as_bytes()).to_vec())
        .collect();
    Target::text("inclusion proof", move |s| {
        let Some((i, n, h)) = read_proof(s) else {
            return Ok(false);
        };
        if h.len() < 2 {
            return Ok(false);
        }
        match verify_inclusion(i, n, &h[0], &h[2..], &h[1]) {
            Ok(()) => {
                // A one-leaf tree's root is its leaf, whatever the hash.
                let one_leaf = h.len() == 2 && h[0] == h[1];
                prop_assert!(one_leaf || roots.contains(&h[1]), "forged root: {s:?}");
                if let Some(k) = entries.iter().position(|e| *e == h[0]) {
                    prop_assert!(one_leaf || k as u64 == i, "entry {k} proved at {i}: {s:?}");
                }
                Ok(true)
            }
            // Well formed, refused only by the final comparison: as deep as a proof goes.
            Err(ProofError::RootMismatch) => Ok(true),
            Err(_) => Ok(false),
        }
    })
    .seeds(seeds)
}

/// Consistency inputs as `size1 size2`, root1, root2, proof…
fn consistency_target() -> Target {
    let mut seeds = Vec::new();
    let t = tree(70);
    for (m, n) in [(1, 2), (3, 7), (4, 8), (6, 13), (7, 70), (64, 70), (70, 70)] {
        let mut h = vec![
            t.root_at(m).unwrap().to_vec(),
            t.root_at(n).unwrap().to_vec(),
        ];
        h.extend(
            t.prove_consistency(m, n)
                .unwrap()
                .iter()
                .map(|x| x.to_vec()),
        );
        seeds.push(proof_text(m, n, &h));
    }
    for v in vector_files(&testdata().join("merkle/consistency")) {
        let mut h = vec![bytes(&v["root1"]), bytes(&v["root2"])];
        h.extend(v["proof"].as_array().into_iter().flatten().map(bytes));
        let (m, n) = (v["size1"].as_u64().unwrap(), v["size2"].as_u64().unwrap());
        seeds.push(proof_text(m, n, &h));
    }
    let check = |(m, n, h): &ProofInput| {
        if h.len() < 2 {
            return Err(ProofError::EmptyProof);
        }
        verify_consistency(*m, *n, &h[2..], &h[0], &h[1])
    };
    let verifies = move |p: &ProofInput| check(p).is_ok();
    // Both roots must be ones a seed proved consistent (in either place: a proof from a tree to
    // itself is a proof too).
    let mut roots = verified_roots(&seeds, verifies);
    roots.extend(
        seeds
            .iter()
            .filter_map(|s| read_proof(s))
            .filter(|p| verifies(p))
            .map(|(_, _, h)| h[0].clone()),
    );
    assert!(
        roots.len() >= 14,
        "{} valid consistency seeds",
        roots.len() / 2
    );
    Target::text("consistency proof", move |s| {
        let Some(input) = read_proof(s) else {
            return Ok(false);
        };
        match check(&input) {
            Ok(()) => {
                // Two trees of one size are consistent when their roots are the same, whatever
                // the root; otherwise only what a seed proved verifies.
                let (m, n, h) = &input;
                let same_tree = m == n && h.len() == 2 && h[0] == h[1];
                let known = roots.contains(&h[0]) && roots.contains(&h[1]);
                prop_assert!(same_tree || known, "forged root: {s:?}");
                Ok(true)
            }
            Err(ProofError::Root1Mismatch | ProofError::Root2Mismatch) => Ok(true),
            Err(_) => Ok(false),
        }
    })
    .seeds(seeds)
}

// ---------------------------------------------------------------------------------------------
// Bundles, tokens, witness requests
// ---------------------------------------------------------------------------------------------

fn bundle_target() -> Target {
    let mut seeds = Vec::new();
    for (index, size) in [(0, 1), (2, 5), (12, 13), (40, 70)] {
        let t = tree(size);
        seeds.push(
            Bundle {
                entry: Some(format!("entry {index}").into_bytes()),
                index,
                proof: t.prove_inclusion(index, size).unwrap(),
                checkpoint: signed_checkpoint(&t, size).to_text(),
            }
            .to_text(),
        );
    }
    let originals: Vec<Bundle> = seeds.iter().map(|s| Bundle::parse(s).unwrap()).collect();
    let policy = Policy {
        origin: Some(ORIGIN.into()),
        log_keys: vec![log_key().verifier(), retired_key().verifier()],
        witnesses: vec![witness_key().verifier()],
        quorum: 1,
    };
    Target::text("proof bundle", move |s| {
        let Ok(b) = Bundle::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(b.to_text(), s);
        if let Ok((trusted, entry)) = b.verify(&policy) {
            let same = originals.iter().any(|o| {
                o.entry.as_ref() == Some(&entry)
                    && o.index == b.index
                    && Note::parse(&o.checkpoint).unwrap().text == trusted.note.text
            });
            prop_assert!(same, "a changed bundle verified: {s:?}");
        }
        Ok(true)
    })
    .seeds(seeds)
    .dict(["extra ", "index ", "c2sp.org/tlog-proof@v1\n", "\u{2014} "])
}

/// Opinion and licence records, each as a version 1 token carries it and with a standing
/// (version 2).
fn records() -> Vec<SignedRecord> {
    let v1 = vec![
        SignedRecord::new(
            RecordKind::Opinion,
            vec![
                "3300002026100000018".into(),
                "ab".repeat(32),
                "330112001".into(),
                "2026-11-28".into(),
            ],
        )
        .unwrap(),
        SignedRecord::new(
            RecordKind::Licence,
            vec![
                "1.2.156.3005.2.11100000000013338W032.11330000002482061X.0000001.001.7".into(),
                "institution".into(),
                "浙江某司法鉴定中心".into(),
                "330112001".into(),
                "2031-12-31".into(),
            ],
        )
        .unwrap(),
    ];
    let v2: Vec<SignedRecord> = v1
        .iter()
        .map(|r| {
            r.clone()
                .with_standing("valid", "2026-12-07T08:00:00Z")
                .unwrap()
        })
        .collect();
    v1.into_iter().chain(v2).collect()
}

fn token_target() -> Target {
    let records = records();
    let seeds: Vec<String> = records
        .iter()
        .flat_map(|r| [r.sign(&log_key()).unwrap(), r.sign(&retired_key()).unwrap()])
        .collect();
    let keys = vec![log_key().verifier(), retired_key().verifier()];
    let tokens = seeds.clone();
    Target::text("QR token", move |s| {
        match token::verify(s, &keys) {
            Ok(r) => {
                prop_assert!(records.contains(&r), "a changed record verified: {r:?}");
                prop_assert!(
                    tokens.iter().any(|t| t == s.trim()),
                    "a changed token verified"
                );
                Ok(true)
            }
            // Well formed, from a known key or not: refused only by the signature.
            Err(TokenError::BadSignature | TokenError::UnknownKey(_)) => Ok(true),
            Err(_) => Ok(false),
        }
    })
    .seeds(seeds)
    .dict(["-", "_", "A", "Q", "\n"])
}

fn witness_target() -> Target {
    let t = tree(14);
    let state = WitnessState {
        size: 5,
        root: t.root_at(5).unwrap(),
    };
    let mut seeds = Vec::new();
    for (old, size) in [(5, 5), (5, 9), (5, 14), (0, 14)] {
        let cp = Checkpoint::new(ORIGIN, size, t.root_at(size).unwrap());
        let note = Note::sign(&cp.to_text(), &[&log_key()], 0).unwrap();
        seeds.push(
            AddCheckpoint {
                old,
                proof: if old == 0 {
                    Vec::new()
                } else {
                    t.prove_consistency(old, size).unwrap()
                },
                checkpoint: cp,
                note,
            }
            .to_body(),
        );
    }
    let originals: Vec<AddCheckpoint> = seeds
        .iter()
        .map(|s| AddCheckpoint::parse(s).unwrap())
        .collect();
    let keys = VerifierSet::new(vec![log_key().verifier()]);
    Target::text("witness request", move |s| {
        let Ok(req) = AddCheckpoint::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(req.to_body(), s);
        if let Ok((next, _)) = add_checkpoint(&req, &keys, &state, &witness_key(), 1) {
            let same = originals
                .iter()
                .any(|o| o.old == req.old && o.checkpoint == req.checkpoint);
            prop_assert!(same, "a changed request was cosigned: {s:?}");
            prop_assert_eq!(next.root, req.checkpoint.root);
        }
        Ok(true)
    })
    .seeds(seeds)
    .dict(["old ", "\u{2014} "])
}

// ---------------------------------------------------------------------------------------------
// Tiles and entries
// ---------------------------------------------------------------------------------------------

fn tile_target() -> Target {
    Target::text("tile path", |s| {
        let Ok(t) = Tile::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(t.path(), format!("tile/{s}"));
        // Every question a served tile is asked, against small and huge trees (up to 2^62
        // leaves: the stored hashes of a larger tree would not have 64-bit indexes).
        for size in [0, 1, 70_000, 1 << 40, 1 << 62] {
            if t.check_within(size).is_ok() {
                if matches!(t.kind, sijian_ledger::tiles::TileKind::Entries) {
                    let r = t.entry_range();
                    prop_assert!(r.end <= size);
                } else {
                    prop_assert_eq!(t.hash_indexes().len(), usize::from(t.width));
                }
            }
        }
        Ok(true)
    })
    .seeds([
        "0/000",
        "0/x001/x234/067",
        "1/017.p/17",
        "entries/000.p/3",
        // The last tiles a 64-bit tree could have, and one index beyond.
        "entries/x072/x057/x594/x037/x927/935",
        "0/x072/x057/x594/x037/x927/935.p/255",
        "0/x018/x446/x744/x073/x709/x551/615",
    ])
    .dict(["x", ".p/", "/", "entries", "000", "999", "255", "256"])
}

fn entries_target() -> Target {
    let a: Vec<&[u8]> = vec![b"", b"a", &[0u8; 300]];
    let e = EventEntry {
        event_id: 42,
        commitment: [9; 32],
        public: Some("opinion 3300002026100000018 ab 7 2026-11-29".into()),
    }
    .to_bytes();
    Target::new("entry bundle", |b| {
        let Some(entries) = decode_entries(b) else {
            return Ok(false);
        };
        prop_assert_eq!(encode_entries(entries.iter().map(Vec::as_slice)), b);
        Ok(true)
    })
    .seeds([
        encode_entries(a),
        encode_entries([e.as_slice(), e.as_slice()]),
        Vec::new(),
    ])
}

fn event_entry_target() -> Target {
    let seeds = [
        EventEntry {
            event_id: 42,
            commitment: [9; 32],
            public: None,
        },
        EventEntry {
            event_id: i64::MAX,
            commitment: [0; 32],
            public: Some("opinion 3300002026100000018 ab 7 2026-11-29".into()),
        },
    ]
    .map(|e| e.to_bytes());
    Target::new("event entry", |b| {
        let Some(e) = EventEntry::parse(b) else {
            return Ok(false);
        };
        prop_assert_eq!(e.to_bytes(), b);
        Ok(true)
    })
    .seeds(seeds)
    .dict(["sijian/event/v1\n", "9223372036854775807"])
}

fn policy_target() -> Target {
    let (notes, _) = note_seeds();
    let co = &json("note/vectors.json")["cosignature_regression"];
    let vectors = Policy {
        origin: None,
        log_keys: vec![Verifier::parse(co["log_vkey"].as_str().unwrap()).unwrap()],
        witnesses: vec![Verifier::parse(co["witness_vkey_type04"].as_str().unwrap()).unwrap()],
        quorum: 1,
    };
    let ours = Policy {
        origin: Some(ORIGIN.into()),
        log_keys: vec![log_key().verifier()],
        witnesses: vec![witness_key().verifier()],
        quorum: 1,
    };
    let texts: Vec<String> = notes.iter().map(|n| Note::parse(n).unwrap().text).collect();
    Target::text("signed checkpoint", move |s| {
        let mut any = false;
        for p in [&vectors, &ours] {
            if let Ok(t) = p.check(s) {
                prop_assert!(texts.contains(&t.note.text), "changed checkpoint trusted");
                prop_assert_eq!(t.cosigners.len(), 1);
                any = true;
            }
        }
        Ok(any)
    })
    .seeds(notes)
    .dict(NOTE_TOKENS)
}

// Every target with its short test, in the order of the long run's table.
fuzz_tests! {
    fuzz_note => note_target,
    fuzz_verifier_key => verifier_target,
    fuzz_signer_key => signer_target,
    fuzz_signature_line => signature_line_target,
    fuzz_checkpoint => checkpoint_target,
    fuzz_signed_checkpoint => policy_target,
    fuzz_decimal => decimal_target,
    fuzz_base64 => base64_target,
    fuzz_inclusion_proof => inclusion_target,
    fuzz_consistency_proof => consistency_target,
    fuzz_bundle => bundle_target,
    fuzz_token => token_target,
    fuzz_witness_request => witness_target,
    fuzz_tile_path => tile_target,
    fuzz_entry_bundle => entries_target,
    fuzz_event_entry => event_entry_target,
}
