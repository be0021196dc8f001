//! Fuzzing of parsers (issue 14, point 21): every parser is fed random bytes, random strings and,
//! mostly, mutations of valid inputs, and must answer without panicking; each target may check
//! more (a round trip, a signature that never verifies once changed).
//!
//! Mutation matters more than randomness: random text rarely gets past a parser's first check,
//! while a valid input with a few bytes flipped, inserted, deleted, duplicated or cut reaches
//! every later one. Each target gives its valid seeds and a dictionary of tokens that mean
//! something to it (separators, prefixes, full-width digits).
//!
//! The pure crates include this file by path (they must not depend on the test kit's database);
//! the server's tests use it as `sijian_testkit::fuzz`. Only `proptest` is needed.
//!
//! Counts: [`short_cases`] inputs per parser in `cargo test` (default 1,000,
//! `SJTEST_FUZZ_CASES`), [`long_cases`] in the ignored `fuzz_long` tests (default 1,000,000,
//! `SJTEST_FUZZ_LONG_CASES`). A failure reports the shrunk input; `PROPTEST_RNG_SEED` replays a run.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// Inputs per parser in `cargo test` unless `SJTEST_FUZZ_CASES` says otherwise.
pub const SHORT_CASES: u32 = 1000;
/// Inputs per parser in the long run unless `SJTEST_FUZZ_LONG_CASES` says otherwise.
pub const LONG_CASES: u32 = 1_000_000;

fn env_count(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

pub fn short_cases() -> u32 {
    env_count("SJTEST_FUZZ_CASES", SHORT_CASES)
}

pub fn long_cases() -> u32 {
    env_count("SJTEST_FUZZ_LONG_CASES", LONG_CASES)
}

/// What a target says about one input: accepted by the parser or refused. Failing checks
/// return `Err` (with `prop_assert!`); a panic fails too.
pub type Verdict = Result<bool, TestCaseError>;

/// A target's check of one input.
pub type Check = Box<dyn Fn(&[u8]) -> Verdict>;

/// One parser under fuzzing.
pub struct Target {
    pub name: &'static str,
    /// Valid inputs to mutate (at least one).
    pub seeds: Vec<Vec<u8>>,
    /// Tokens that mean something to this parser, inserted or written over by mutations.
    pub dict: Vec<Vec<u8>>,
    pub check: Check,
}

impl Target {
    pub fn new(name: &'static str, check: impl Fn(&[u8]) -> Verdict + 'static) -> Target {
        Target {
            name,
            seeds: Vec::new(),
            dict: Vec::new(),
            check: Box::new(check),
        }
    }

    /// A target over text: inputs that are not UTF-8 are read lossily (U+FFFD), as a body
    /// decoder would.
    pub fn text(name: &'static str, check: impl Fn(&str) -> Verdict + 'static) -> Target {
        Target::new(name, move |b| check(&String::from_utf8_lossy(b)))
    }

    pub fn seeds<S: AsRef<[u8]>>(mut self, seeds: impl IntoIterator<Item = S>) -> Target {
        self.seeds
            .extend(seeds.into_iter().map(|s| s.as_ref().to_vec()));
        self
    }

    pub fn dict<S: AsRef<[u8]>>(mut self, tokens: impl IntoIterator<Item = S>) -> Target {
        self.dict
            .extend(tokens.into_iter().map(|s| s.as_ref().to_vec()));
        self
    }
}

/// What one run did.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub cases: u32,
    pub accepted: u64,
    pub elapsed: Duration,
}

/// Runs `cases` inputs through `target`; panics with the shrunk input on a failure.
pub fn run(target: &Target, cases: u32) -> Outcome {
    assert!(!target.seeds.is_empty(), "{}: no seeds", target.name);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let accepted = Cell::new(0u64);
    let started = Instant::now();
    let strategy = inputs(target.seeds.clone(), target.dict.clone());
    let result = runner.run(&strategy, |input| {
        if (target.check)(&input.0)? {
            accepted.set(accepted.get() + 1);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("fuzzing {} failed: {e}", target.name);
    }
    Outcome {
        cases,
        accepted: accepted.get(),
        elapsed: started.elapsed(),
    }
}

/// One target's run in `cargo test`: [`short_cases`] inputs, of which some must be accepted
/// (mutated valid inputs must reach acceptance, or the run tested little).
pub fn run_short(target: &Target) {
    let o = run(target, short_cases());
    assert!(o.accepted > 0, "{}: no input was accepted", target.name);
}

/// A crate's fuzz tests: `test => target` gives each target (a `fn() -> Target`) a test that
/// runs it briefly ([`run_short`]), and `fuzz_long`, ignored, runs them all for the long count
/// ([`run_long`]). `run_short` and `run_long` must be in scope where it is used.
#[macro_export]
macro_rules! fuzz_tests {
    ($($test:ident => $target:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                run_short(&$target());
            }
        )*

        #[test]
        #[ignore = "long run: a million inputs per parser (docs/BENCHMARKS.md)"]
        fn fuzz_long() {
            run_long(vec![$($target()),*]);
        }
    };
}

/// The ignored long run: every target in turn, a line of figures each (for
/// docs/BENCHMARKS.md), then the total.
pub fn run_long(targets: Vec<Target>) {
    let cases = long_cases();
    let started = Instant::now();
    println!("| parser | inputs | accepted | seconds |");
    println!("|---|---:|---:|---:|");
    for t in &targets {
        let o = run(t, cases);
        println!(
            "| {} | {} | {} | {:.1} |",
            t.name,
            o.cases,
            o.accepted,
            o.elapsed.as_secs_f64()
        );
    }
    println!(
        "{} parsers, {} inputs each, {:.1} s in all",
        targets.len(),
        cases,
        started.elapsed().as_secs_f64()
    );
}

/// `n` inputs drawn as [`run`] draws them, for checks that cannot run inside the runner (HTTP
/// requests from an async test).
pub fn samples(seeds: Vec<Vec<u8>>, dict: Vec<Vec<u8>>, n: usize) -> Vec<Vec<u8>> {
    use proptest::strategy::ValueTree;
    assert!(!seeds.is_empty(), "no seeds");
    let mut runner = TestRunner::new(Config::default());
    let strategy = inputs(seeds, dict);
    (0..n)
        .map(|_| {
            let tree = strategy
                .new_tree(&mut runner)
                .expect("inputs are never rejected");
            tree.current().0
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// Tokens worth trying in any text format: separators, line ends, a NUL, a byte-order mark,
/// full-width digits and dashes, characters whose UTF-8 is two, three and four bytes long.
const COMMON_TOKENS: &[&str] = &[
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    " ",
    "\0",
    "\u{7f}",
    "\u{feff}",
    "\u{85}",
    "\u{2028}",
    "—",
    "-",
    "－",
    "０",
    "９",
    "Ｘ",
    "x",
    "X",
    "é",
    "中",
    "𠀀",
    "+",
    "/",
    "=",
    ".",
    "..",
    ",",
    ":",
    "%",
    "\"",
    "'",
    "\\",
    "(",
    ")",
    "（",
    "）",
    "〔",
    "〕",
    "号",
    "0",
    "1",
    "9",
    "00",
    "-1",
    "99999999999999999999",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775808",
    "4294967296",
    "65536",
];

/// Byte values that sit on boundaries.
const INTERESTING_BYTES: &[u8] = &[
    0, 1, b'\t', b'\n', b'\r', b' ', b'+', b'-', b'.', b'/', b'0', b'1', b'9', b':', b'=', b'A',
    b'X', b'Z', b'a', b'x', b'z', 0x7f, 0x80, 0xbf, 0xc0, 0xe2, 0xef, 0xf0, 0xff,
];

/// A mutation: the kind, and where and what (reduced modulo the input's length when applied).
#[derive(Debug, Clone, Copy)]
struct Op {
    kind: u8,
    at: usize,
    arg: usize,
    byte: u8,
}

fn op() -> impl Strategy<Value = Op> {
    (0u8..14, any::<usize>(), any::<usize>(), any::<u8>()).prop_map(|(kind, at, arg, byte)| Op {
        kind,
        at,
        arg,
        byte,
    })
}

/// A quarter random (bytes, or a string of any characters), three quarters valid seeds with one
/// to twelve mutations.
pub fn inputs(seeds: Vec<Vec<u8>>, dict: Vec<Vec<u8>>) -> impl Strategy<Value = Input> {
    let mut tokens: Vec<Vec<u8>> = COMMON_TOKENS
        .iter()
        .map(|t| t.as_bytes().to_vec())
        .collect();
    tokens.extend(dict);
    let n = seeds.len();
    // Mostly one or two changes, which keep an input close to valid; sometimes a dozen.
    let ops = prop_oneof![
        3 => prop::collection::vec(op(), 1..=2),
        1 => prop::collection::vec(op(), 3..=12),
    ];
    let mutated = (0..n, ops).prop_map(move |(i, ops)| {
        let mut b = seeds[i].clone();
        for o in ops {
            apply(&mut b, o, &seeds, &tokens);
        }
        b
    });
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..96),
        1 => any::<String>().prop_map(String::into_bytes),
        6 => mutated,
    ]
    .prop_map(Input)
}

/// One input; a failure shows it as text when it is UTF-8, else as escaped bytes.
#[derive(Clone)]
pub struct Input(pub Vec<u8>);

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(s) => write!(f, "{s:?}"),
            Err(_) => write!(f, "b\"{}\"", self.0.escape_ascii()),
        }
    }
}

/// Line boundaries of `b`: (start, end including its newline).
fn lines(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < b.len() {
        out.push((start, b.len()));
    }
    out
}

fn apply(b: &mut Vec<u8>, o: Op, seeds: &[Vec<u8>], tokens: &[Vec<u8>]) {
    let len = b.len();
    // Insertion points include the end; other positions need a byte there.
    let gap = o.at % (len + 1);
    let span = 1 + o.arg % 16;
    match o.kind {
        // Flip one bit.
        0 if len > 0 => b[o.at % len] ^= 1 << (o.arg % 8),
        // Overwrite a byte: random or a boundary value.
        1 if len > 0 => b[o.at % len] = o.byte,
        2 if len > 0 => b[o.at % len] = INTERESTING_BYTES[o.arg % INTERESTING_BYTES.len()],
        // Insert a byte or a token.
        3 => b.insert(gap, o.byte),
        4 | 5 => {
            insert(b, gap, &tokens[o.arg % tokens.len()]);
        }
        // Delete a run of bytes.
        6 if len > 0 => {
            let at = o.at % len;
            b.drain(at..(at + span).min(len));
        }
        // Duplicate a run of bytes in place.
        7 if len > 0 => {
            let at = o.at % len;
            let run: Vec<u8> = b[at..(at + span).min(len)].to_vec();
            insert(b, at, &run);
        }
        // Cut the input short.
        8 => b.truncate(gap),
        // Swap two bytes.
        9 if len > 1 => b.swap(o.at % len, o.arg % len),
        // Lines: delete, duplicate or swap two.
        10..=12 => {
            let ls = lines(b);
            if ls.is_empty() {
                return;
            }
            let (s, e) = ls[o.at % ls.len()];
            let line = b[s..e].to_vec();
            match o.kind {
                10 => {
                    b.drain(s..e);
                }
                11 => insert(b, s, &line),
                _ => {
                    let (s2, e2) = ls[o.arg % ls.len()];
                    if s2 >= e {
                        let other = b[s2..e2].to_vec();
                        let tail = b.split_off(e2);
                        b.truncate(s2);
                        b.extend_from_slice(&line);
                        b.extend(tail);
                        let tail = b.split_off(e);
                        b.truncate(s);
                        b.extend_from_slice(&other);
                        b.extend(tail);
                    }
                }
            }
        }
        // Splice: this input's head with another seed's tail.
        13 => {
            let other = &seeds[o.arg % seeds.len()];
            let from = o.byte as usize % (other.len() + 1);
            b.truncate(gap);
            b.extend_from_slice(&other[from.min(other.len())..]);
        }
        _ => {}
    }
}

fn insert(b: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    let tail = b.split_off(at);
    b.extend_from_slice(bytes);
    b.extend(tail);
}

/// The verdict of a parser with nothing more to check: accepted or refused, and no panic.
pub fn accepted<T, E>(r: &Result<T, E>) -> Verdict {
    Ok(r.is_ok())
}
