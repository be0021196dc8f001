//! `sijian match`: record linkage over any CSV of person records (docs/LINKAGE.md).
//!
//! - `dedupe`: normalise, block, compare, train (or load) a Fellegi–Sunter model, score, cluster;
//!   writes the pairs with a per-field explanation and one cluster per record;
//! - `synth`: a synthetic Chinese population with ground truth;
//! - `eval`: precision, recall and F1 of any engine's pairs against ground truth.
//!
//! Exit codes: 0 done, 1 refused (malformed rows without `--skip-bad-rows`, an unreadable model,
//! unreadable files), 2 usage (a missing column mapping, bad arguments).
use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::{Args, Subcommand};
use sijian_linkage::dedupe::{self, Options};
use sijian_linkage::eval;
use sijian_linkage::fs::{Model, score};
use sijian_linkage::person::{
    FieldError, KeyHasher, Layout, Person, RawPerson, blocking_keys, compare_into, extra_as_sex,
    name_part_fields, sex_field_among_extras, shared_values, without_extras,
};
use sijian_linkage::synth;

#[derive(Subcommand)]
pub enum MatchCommand {
    /// Find the records of one person in a CSV (去重): pairs with explanations, and clusters.
    Dedupe(DedupeArgs),
    /// Write a synthetic Chinese population with ground truth.
    Synth(SynthArgs),
    /// Precision, recall and F1 of scored pairs against ground truth, at every threshold.
    Eval(EvalArgs),
}

#[derive(Args)]
pub struct DedupeArgs {
    /// Input CSV with a header row (UTF-8).
    #[arg(long)]
    input: PathBuf,
    /// Column holding each record's unique identifier.
    #[arg(long)]
    id: String,
    /// Column holding the person's name (Chinese or Latin script).
    #[arg(long)]
    name: String,
    /// Column holding the birth date (YYYY-MM-DD, YYYYMMDD, 1980/5/3, 1980年5月3日).
    #[arg(long)]
    birth: Option<String>,
    /// Column holding the resident identity number (18 or 15 digits).
    #[arg(long)]
    id_number: Option<String>,
    /// Column holding the phone number.
    #[arg(long)]
    phone: Option<String>,
    /// Column holding the address.
    #[arg(long)]
    address: Option<String>,
    /// Column holding the sex (男/女, M/F, male/female, 1/2; anything else counts as not
    /// recorded).
    #[arg(long)]
    sex: Option<String>,
    /// Further columns compared as text (Jaro–Winkler levels); repeatable.
    #[arg(long = "field")]
    fields: Vec<String>,
    /// Output: `id_l,id_r,match_probability,match_weight`, then for every field its level and
    /// its contribution in bits.
    #[arg(long)]
    pairs: PathBuf,
    /// Output: `id,cluster_id`, one row per input record, in input order.
    #[arg(long)]
    clusters: PathBuf,
    /// Match probability at or above which two records are the same person. Default 0.9.
    #[arg(long, default_value_t = 0.9)]
    threshold: f64,
    /// Also write pairs down to this probability (for threshold sweeps); default: the threshold.
    #[arg(long)]
    pairs_floor: Option<f64>,
    /// A trained model (JSON, as written by --save-model) to use instead of training.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Write the trained model here.
    #[arg(long)]
    save_model: Option<PathBuf>,
    /// Skip malformed rows (each still reported with its line number) instead of refusing.
    #[arg(long)]
    skip_bad_rows: bool,
    /// Keep a row whose birth date, identity number, phone or name cannot be read, with that
    /// value treated as missing (each still reported with its line number).
    #[arg(long)]
    bad_values_missing: bool,
    /// A merge of two clusters is refused when any record of one scores below this match
    /// probability against any record of the other (a household chained through one weak
    /// link). Default 0.001.
    #[arg(long, default_value_t = 0.001)]
    cannot_link: f64,
    /// Most records one person may have; larger merges are refused and reported as a sign of
    /// a wrong model. Default 50.
    #[arg(long, default_value_t = 50)]
    max_cluster: usize,
    /// Print why the cluster of this record was formed: its records and every pair inside it
    /// with each field's level and weight.
    #[arg(long)]
    explain_cluster: Option<String>,
    /// Blocks larger than this are skipped and counted. Default 200.
    #[arg(long, default_value_t = 200)]
    max_block: usize,
    /// Random pairs for estimating u. Default: 50 per record, between 250,000 and 2,000,000.
    #[arg(long)]
    u_sample: Option<usize>,
    /// Seed of the random pair sample. Default 1.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Write a JSON run summary (counts, seconds per stage, peak memory) here.
    #[arg(long)]
    summary: Option<PathBuf>,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
pub struct SynthArgs {
    /// Number of persons (each entered once or more).
    #[arg(long)]
    people: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of persons entered more than once. Default 0.3.
    #[arg(long, default_value_t = 0.3)]
    duplicate_share: f64,
    /// Share of children born a twin (hard negatives). Default 0.03.
    #[arg(long, default_value_t = 0.03)]
    twin_share: f64,
    /// Share of persons living with others (households sharing an address, a surname and
    /// often a phone). Default 0.6.
    #[arg(long, default_value_t = 0.6)]
    household_share: f64,
    /// Share of persons with a namesake elsewhere (same name, sex and birth date). Default
    /// 0.005.
    #[arg(long, default_value_t = 0.005)]
    namesake_share: f64,
    /// Names in Latin script (pinyin, surname first; duplicates sometimes given name first or
    /// the surname in capitals).
    #[arg(long)]
    latin: bool,
    /// Records: `id,name,sex,birth,id_number,phone,address`.
    #[arg(long)]
    output: PathBuf,
    /// Ground truth: `id,cluster_id`.
    #[arg(long)]
    truth: PathBuf,
}

#[derive(Args)]
pub struct EvalArgs {
    /// Ground truth `id,cluster_id`, every record once.
    #[arg(long)]
    truth: PathBuf,
    /// Scored pairs: a header with `id_l,id_r,match_probability` (more columns are ignored).
    #[arg(long, required_unless_present = "clusters")]
    pairs: Option<PathBuf>,
    /// Or a clustering `id,cluster_id` (as `dedupe --clusters` writes it), judged by the pairs
    /// inside its clusters.
    #[arg(long, conflicts_with = "pairs")]
    clusters: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// A failure with its exit code.
pub(crate) struct Failure(pub(crate) i32, pub(crate) String);

fn refuse(msg: impl Into<String>) -> Failure {
    Failure(1, msg.into())
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure(2, msg.into())
}

pub fn run(command: MatchCommand) -> i32 {
    let result = match command {
        MatchCommand::Dedupe(a) => run_dedupe(a),
        MatchCommand::Synth(a) => run_synth(a),
        MatchCommand::Eval(a) => run_eval(a),
    };
    match result {
        Ok(()) => 0,
        Err(Failure(code, msg)) => {
            eprintln!("错误：{msg}");
            code
        }
    }
}

/// Progress on stderr: a bar redrawn in place on a terminal, one line per stage otherwise.
struct Progress {
    quiet: bool,
    tty: bool,
    started: Instant,
    stage_started: Instant,
    stages: Vec<(String, f64)>,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Progress {
            quiet,
            tty: std::io::stderr().is_terminal(),
            started: Instant::now(),
            stage_started: Instant::now(),
            stages: Vec::new(),
        }
    }

    fn bar(&self, label: &str, done: usize, total: usize) {
        if self.quiet || !self.tty || total == 0 {
            return;
        }
        let share = done as f64 / total as f64;
        let filled = (share * 30.0) as usize;
        eprint!(
            "\r{label:<8} [{}{}] {:>5.1}%  {done}/{total}   ",
            "█".repeat(filled),
            "·".repeat(30 - filled),
            share * 100.0
        );
        let _ = std::io::stderr().flush();
    }

    fn done(&mut self, label: &str, detail: String) {
        let secs = self.stage_started.elapsed().as_secs_f64();
        self.stages.push((label.to_owned(), secs));
        if !self.quiet {
            if self.tty {
                eprint!("\r{:<80}\r", "");
            }
            eprintln!("{label:<8} {secs:>7.2} 秒  {detail}");
        }
        self.stage_started = Instant::now();
    }
}

/// Run `f` over `items` in contiguous chunks on `threads` threads; results in input order.
/// `counter` counts processed items for the progress bar.
fn par_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    counter: &AtomicUsize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    // Small chunks so that the progress bar moves and uneven work spreads out.
    let chunk = (items.len() / (threads * 16)).clamp(1, 1 << 16);
    let chunks: Vec<&[T]> = items.chunks(chunk).collect();
    let next = AtomicUsize::new(0);
    let mut out: Vec<Option<R>> = (0..chunks.len()).map(|_| None).collect();
    let slots: Vec<std::sync::Mutex<&mut Option<R>>> =
        out.iter_mut().map(std::sync::Mutex::new).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = chunks.get(i) else { break };
                    let r = f(c);
                    **slots[i].lock().expect("no panics while holding") = Some(r);
                    counter.fetch_add(c.len(), Ordering::Relaxed);
                }
            });
        }
    });
    drop(slots);
    out.into_iter()
        .map(|r| r.expect("every chunk ran"))
        .collect()
}

/// Runs `work` on a scoped thread while the calling thread redraws the bar from `counter`.
fn with_bar<R: Send>(
    progress: &Progress,
    label: &str,
    total: usize,
    counter: &AtomicUsize,
    work: impl FnOnce() -> R + Send,
) -> R {
    std::thread::scope(|s| {
        let h = s.spawn(work);
        while !h.is_finished() {
            progress.bar(label, counter.load(Ordering::Relaxed), total);
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        h.join().expect("worker thread")
    })
}

/// One malformed row.
pub(crate) struct BadRow {
    pub(crate) line: u64,
    pub(crate) reason: String,
}

/// The input after reading: ids, prepared persons, malformed rows.
pub(crate) struct Input {
    pub(crate) ids: Vec<String>,
    pub(crate) persons: Vec<Person>,
    pub(crate) bad: Vec<BadRow>,
    /// Values treated as missing under `--bad-values-missing`.
    pub(crate) blanked: Vec<BadRow>,
}

/// Column positions of the mapped fields.
pub(crate) struct Columns {
    pub(crate) id: usize,
    name: usize,
    birth: Option<usize>,
    id_number: Option<usize>,
    phone: Option<usize>,
    address: Option<usize>,
    sex: Option<usize>,
    extra: Vec<usize>,
}

fn columns(header: &csv::StringRecord, a: &DedupeArgs) -> Result<Columns, Failure> {
    let find = |name: &str, flag: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| {
            usage(format!(
                "{flag} 指定的列“{name}”不在输入文件的表头中（表头：{}）",
                header.iter().collect::<Vec<_>>().join(",")
            ))
        })
    };
    let opt = |v: &Option<String>, flag: &str| v.as_deref().map(|n| find(n, flag)).transpose();
    Ok(Columns {
        id: find(&a.id, "--id")?,
        name: find(&a.name, "--name")?,
        birth: opt(&a.birth, "--birth")?,
        id_number: opt(&a.id_number, "--id-number")?,
        phone: opt(&a.phone, "--phone")?,
        address: opt(&a.address, "--address")?,
        sex: opt(&a.sex, "--sex")?,
        extra: a
            .fields
            .iter()
            .map(|f| find(f, "--field"))
            .collect::<Result<_, _>>()?,
    })
}

fn read_input(
    a: &DedupeArgs,
    layout: &Layout,
    threads: usize,
    progress: &mut Progress,
) -> Result<Input, Failure> {
    let file = std::fs::File::open(&a.input)
        .map_err(|e| refuse(format!("无法读取输入文件 {}：{e}", a.input.display())))?;
    let (cols, rows, bad) = read_rows(std::io::BufReader::with_capacity(1 << 20, file), a)?;
    progress.done("读取", format!("{} 行", rows.len() + bad.len()));

    let counter = AtomicUsize::new(0);
    let prepared = with_bar(&*progress, "规范化", rows.len(), &counter, || {
        par_chunks(&rows, threads, &counter, |chunk| {
            chunk
                .iter()
                .map(|(line, r)| prepare_row(layout, &cols, a.bad_values_missing, *line, r))
                .collect::<Vec<_>>()
        })
    });
    let input = collect_input(prepared.into_iter().flatten(), &rows, &cols, bad);
    progress.done("规范化", format!("{} 条有效记录", input.persons.len()));
    Ok(input)
}

/// The input CSV read: the mapped columns, the rows of the header's width with their line
/// numbers, and the rows refused for their width or encoding.
pub(crate) type Rows = (Columns, Vec<(u64, csv::StringRecord)>, Vec<BadRow>);

/// Reads the input CSV; a row that is not CSV at all refuses the whole input.
pub(crate) fn read_rows(input: impl std::io::BufRead, a: &DedupeArgs) -> Result<Rows, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(LineEnds {
            inner: input,
            after_cr: false,
        });
    let header = reader
        .headers()
        .map_err(|e| refuse(format!("无法读取表头：{e}")))?
        .clone();
    let cols = columns(&header, a)?;
    let width = header.len();
    let mut rows: Vec<(u64, csv::StringRecord)> = Vec::new();
    let mut bad = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.len() != width {
                    bad.push(BadRow {
                        line,
                        reason: format!("有 {} 列，表头有 {width} 列", record.len()),
                    });
                    continue;
                }
                match csv::StringRecord::from_byte_record(record.clone()) {
                    Ok(r) => rows.push((line, r)),
                    Err(_) => bad.push(BadRow {
                        line,
                        reason: "不是有效的 UTF-8 文本".into(),
                    }),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(refuse(format!("第 {line} 行无法解析为 CSV：{e}")));
            }
        }
    }
    Ok((cols, rows, bad))
}

/// Reads CRLF and CR line ends as LF, so that reported line numbers are right: the csv crate
/// counts lines by LF and reports every record that follows a CRLF one line early
/// (BurntSushi/rust-csv#395; spreadsheet programs on Windows end lines so), and never counts
/// a line that ends in CR alone. Inside a quoted value, a line break becomes LF.
struct LineEnds<R> {
    inner: R,
    /// The last byte read was a CR (written as LF): an LF right after it is the same line end.
    after_cr: bool,
}

impl<R: std::io::BufRead> std::io::Read for LineEnds<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut w = 0;
        while w == 0 && !out.is_empty() {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let mut used = 0;
            for &b in buf {
                if w == out.len() {
                    break;
                }
                used += 1;
                let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
                match b {
                    b'\n' if after_cr => {}
                    b'\r' => {
                        out[w] = b'\n';
                        w += 1;
                    }
                    _ => {
                        out[w] = b;
                        w += 1;
                    }
                }
            }
            self.inner.consume(used);
        }
        Ok(w)
    }
}

/// One row normalised: the person or why not, and the values treated as missing under
/// `--bad-values-missing`.
pub(crate) type Prepared = (u64, Result<Person, FieldError>, Vec<String>);

pub(crate) fn prepare_row(
    layout: &Layout,
    cols: &Columns,
    bad_values_missing: bool,
    line: u64,
    r: &csv::StringRecord,
) -> Prepared {
    let get = |c: Option<usize>| c.map(|c| &r[c]);
    let mut raw = RawPerson {
        name: Some(&r[cols.name]),
        birth: get(cols.birth),
        id_number: get(cols.id_number),
        phone: get(cols.phone),
        address: get(cols.address),
        sex: get(cols.sex),
        extra: cols.extra.iter().map(|&c| Some(&r[c])).collect(),
    };
    let mut blanked = Vec::new();
    let mut result = Person::prepare(layout, &raw);
    // Blank each unreadable value in turn (at most one per field).
    while bad_values_missing && blanked.len() < 4 {
        let Err(e) = &result else { break };
        match e {
            FieldError::Birth(_) => raw.birth = None,
            FieldError::Phone(_) => raw.phone = None,
            FieldError::Name(_) => raw.name = None,
        }
        blanked.push(e.to_string());
        result = Person::prepare(layout, &raw);
    }
    (line, result, blanked)
}

/// The prepared rows (in input order) as the input: unique, non-empty identifiers and their
/// persons; every refused row in line order.
pub(crate) fn collect_input(
    prepared: impl IntoIterator<Item = Prepared>,
    rows: &[(u64, csv::StringRecord)],
    cols: &Columns,
    mut bad: Vec<BadRow>,
) -> Input {
    let mut ids = Vec::with_capacity(rows.len());
    let mut persons = Vec::with_capacity(rows.len());
    let mut seen: HashSet<&str> = HashSet::with_capacity(rows.len());
    let mut blanked_values = Vec::new();
    for ((line, person, blanked), (_, row)) in prepared.into_iter().zip(rows) {
        for reason in blanked {
            blanked_values.push(BadRow {
                line,
                reason: format!("{reason}，按缺失处理"),
            });
        }
        let id = row[cols.id].trim();
        if id.is_empty() {
            bad.push(BadRow {
                line,
                reason: "记录标识为空".into(),
            });
            continue;
        }
        if !seen.insert(id) {
            bad.push(BadRow {
                line,
                reason: format!("记录标识“{id}”重复"),
            });
            continue;
        }
        match person {
            Ok(p) => {
                ids.push(id.to_owned());
                persons.push(p);
            }
            Err(e) => bad.push(BadRow {
                line,
                reason: e.to_string(),
            }),
        }
    }
    bad.sort_by_key(|b| b.line);
    blanked_values.sort_by_key(|b| b.line);
    Input {
        ids,
        persons,
        bad,
        blanked: blanked_values,
    }
}

fn load_model(path: &Path, layout: &Layout) -> Result<Model, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| refuse(format!("无法读取模型文件 {}：{e}", path.display())))?;
    let model = Model::from_json(&text)
        .map_err(|e| refuse(format!("模型文件 {} 无效：{e}", path.display())))?;
    if model.settings != layout.settings() {
        let names = |s: &sijian_linkage::fs::Settings| {
            s.fields
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
                .join("、")
        };
        return Err(refuse(format!(
            "模型文件 {} 比较的字段（{}）与本次映射的字段（{}）不一致",
            path.display(),
            names(&model.settings),
            names(&layout.settings())
        )));
    }
    Ok(model)
}

fn create(path: &Path) -> Result<csv::Writer<std::io::BufWriter<std::fs::File>>, Failure> {
    let f = std::fs::File::create(path)
        .map_err(|e| refuse(format!("无法写入 {}：{e}", path.display())))?;
    Ok(csv::Writer::from_writer(std::io::BufWriter::with_capacity(
        1 << 20,
        f,
    )))
}

fn write_err(path: &Path) -> impl Fn(csv::Error) -> Failure + '_ {
    move |e| refuse(format!("写入 {} 失败：{e}", path.display()))
}

/// A memory figure of this process in MiB from Linux's `/proc/self/status` (`VmHWM`: peak
/// resident; `VmRSS`: resident now), if known.
pub(crate) fn proc_status_mib(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn run_dedupe(a: DedupeArgs) -> Result<(), Failure> {
    if !(0.0..=1.0).contains(&a.threshold) {
        return Err(usage("--threshold 应在 0 到 1 之间"));
    }
    let floor = a.pairs_floor.unwrap_or(a.threshold);
    if !(0.0..=1.0).contains(&floor) || floor > a.threshold {
        return Err(usage("--pairs-floor 应在 0 与 --threshold 之间"));
    }
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut layout = Layout {
        birth: a.birth.is_some(),
        id_number: a.id_number.is_some(),
        phone: a.phone.is_some(),
        address: a.address.is_some(),
        sex: a.sex.is_some(),
        extra: a.fields.clone(),
    };
    let loaded = a
        .model
        .as_deref()
        .map(|p| load_model(p, &layout))
        .transpose()?;
    let mut progress = Progress::new(a.quiet);
    let input = read_input(&a, &layout, threads, &mut progress)?;
    if !input.blanked.is_empty() {
        for b in input.blanked.iter().take(20) {
            eprintln!("第 {} 行：{}", b.line, b.reason);
        }
        eprintln!("共 {} 个无法识别的值按缺失处理", input.blanked.len());
    }
    if !input.bad.is_empty() {
        let shown = 20;
        for b in input.bad.iter().take(shown) {
            eprintln!("第 {} 行：{}", b.line, b.reason);
        }
        if input.bad.len() > shown {
            eprintln!("……另有 {} 行有误", input.bad.len() - shown);
        }
        if !a.skip_bad_rows {
            return Err(refuse(format!(
                "输入有 {} 行格式有误，未做匹配；更正后重试，或加 --skip-bad-rows 跳过这些行",
                input.bad.len()
            )));
        }
        eprintln!("已跳过 {} 行格式有误的记录", input.bad.len());
    }
    let values_missing = input.blanked.len();
    let Input {
        ids,
        mut persons,
        bad,
        ..
    } = input;
    let n = persons.len();
    // A column that repeats part of the name is not compared again (a saved model was trained
    // on the columns it names and keeps them).
    if loaded.is_none() {
        let parts = name_part_fields(&layout, &persons, 0.8);
        if !parts.is_empty() {
            eprintln!(
                "列 {} 是姓名的一部分，已由姓名比较，不再单独比较（否则同一证据计算两次）",
                parts
                    .iter()
                    .map(|&k| format!("“{}”", layout.extra[k]))
                    .collect::<Vec<_>>()
                    .join("、")
            );
            without_extras(&mut layout, &mut persons, &parts);
        }
        if let Some(k) = sex_field_among_extras(&layout, &persons) {
            eprintln!(
                "列“{}”的值是性别，按性别比较（相同、不同、缺失）；可用 --sex 直接指定",
                layout.extra[k]
            );
            extra_as_sex(&mut layout, &mut persons, k);
        }
    }

    // Blocking. The keys never leave the process; any secret does, the seed's is repeatable.
    let hasher = KeyHasher::new(
        [a.seed.to_le_bytes(), (!a.seed).to_le_bytes()]
            .concat()
            .try_into()
            .expect("16 bytes"),
    );
    let counter = AtomicUsize::new(0);
    let keyed = par_chunks(
        &(0..n as u32).collect::<Vec<u32>>(),
        threads,
        &counter,
        |chunk| {
            let mut out = Vec::with_capacity(chunk.len() * 8);
            let mut ks = Vec::new();
            for &i in chunk {
                ks.clear();
                blocking_keys(&hasher, &persons[i as usize], &mut ks);
                out.extend(ks.iter().map(|&k| (k, i)));
            }
            out
        },
    );
    let (pairs, block) = dedupe::candidate_pairs(keyed.concat(), a.max_block);
    progress.done(
        "分块",
        format!(
            "{} 个块（{} 个超过 {} 条被跳过），{} 对候选记录",
            block.blocks, block.oversized_blocks, a.max_block, block.pairs
        ),
    );

    let counter = AtomicUsize::new(0);
    let vectors: Vec<u8> = with_bar(&progress, "比较", pairs.len(), &counter, || {
        par_chunks(&pairs, threads, &counter, |chunk| {
            let mut v = Vec::new();
            dedupe::compare_pairs(&layout, &persons, chunk, &mut v);
            v
        })
        .concat()
    });
    progress.done("比较", format!("{} 对", pairs.len()));

    let opts = Options {
        max_block: a.max_block,
        u_sample_pairs: a.u_sample,
        seed: a.seed,
        ..Options::default()
    };
    let mut rule = None;
    let model = match loaded {
        Some(m) => {
            progress.done(
                "模型",
                format!(
                    "载入 {}",
                    a.model
                        .as_ref()
                        .map_or(String::new(), |p| p.display().to_string())
                ),
            );
            m
        }
        None => {
            let random = dedupe::random_pairs(n, opts.u_pairs_for(n), opts.seed);
            let counter = AtomicUsize::new(0);
            let random_vectors: Vec<u8> = par_chunks(&random, threads, &counter, |chunk| {
                let mut v = Vec::new();
                dedupe::compare_pairs(&layout, &persons, chunk, &mut v);
                v
            })
            .concat();
            let (m, report) = dedupe::train(&layout, &persons, &vectors, &random_vectors, &opts)
                .map_err(|e| refuse(format!("训练失败：{e}")))?;
            rule = Some((report.rule_hits, opts.rule_recall));
            progress.done(
                "训练",
                format!(
                    "λ={:.3e}（规则“{}”命中 {} 对），EM {} 次迭代{}",
                    report.lambda,
                    report.lambda_rule,
                    report.rule_hits,
                    report.em.iterations,
                    if report.em.converged {
                        "，已收敛"
                    } else {
                        "，未收敛"
                    }
                ),
            );
            m
        }
    };
    if let Some(path) = &a.save_model {
        let json = model
            .to_json()
            .map_err(|e| refuse(format!("模型无法保存：{e}")))?;
        std::fs::write(path, json)
            .map_err(|e| refuse(format!("无法写入 {}：{e}", path.display())))?;
    }

    let counter = AtomicUsize::new(0);
    let index: Vec<usize> = (0..pairs.len()).collect();
    let probabilities: Vec<f32> = par_chunks(&index, threads, &counter, |chunk| {
        let (lo, hi) = (chunk[0], chunk[chunk.len() - 1] + 1);
        let w = layout.width();
        dedupe::probabilities(
            &layout,
            &model,
            &persons,
            &pairs[lo..hi],
            &vectors[lo * w..hi * w],
        )
    })
    .concat();
    let (cluster_of, checked) = dedupe::clusters_checked(
        &layout,
        &model,
        &persons,
        &pairs,
        &probabilities,
        &dedupe::ClusterOptions {
            threshold: a.threshold,
            cannot_link: a.cannot_link,
            max_cluster: a.max_cluster,
        },
    );
    let histogram = dedupe::cluster_size_histogram(&cluster_of);
    let clusters_total: usize = histogram.iter().map(|(_, c)| c).sum();
    let linked = pairs
        .iter()
        .zip(&probabilities)
        .filter(|(_, p)| f64::from(**p) >= a.threshold)
        .count();
    progress.done(
        "评分聚类",
        format!(
            "{linked} 对匹配概率 ≥ {}，{clusters_total} 个人（簇），最大的簇 {} 条；拒绝合并：两个不同的有效身份号码 {} 次，簇内有明显不是同一人的记录 {} 次，超过 {} 条 {} 次",
            a.threshold,
            checked.largest,
            checked.refused_identity,
            checked.refused_cannot_link,
            a.max_cluster,
            checked.refused_size
        ),
    );
    let warnings = model_warnings(linked, rule, &checked, a.max_cluster);
    for w in &warnings {
        eprintln!("警告：{w}");
    }
    if let Some(id) = &a.explain_cluster {
        let at = ids
            .iter()
            .position(|x| x == id)
            .ok_or_else(|| usage(format!("--explain-cluster：输入中没有记录“{id}”")))?;
        let text = explain_cluster(
            &layout,
            &model,
            &ids,
            &persons,
            &cluster_of,
            at,
            a.threshold,
        )
        .map_err(refuse)?;
        print!("{text}");
    }

    // Pairs with explanations.
    let keys = layout.field_keys();
    let mut w = create(&a.pairs)?;
    let mut header = vec![
        "id_l".to_owned(),
        "id_r".into(),
        "match_probability".into(),
        "match_weight".into(),
    ];
    for k in &keys {
        header.push(format!("{k}_level"));
        header.push(format!("{k}_bits"));
    }
    let err = write_err(&a.pairs);
    w.write_record(&header).map_err(&err)?;
    let width = layout.width();
    let mut written = 0usize;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    let mut shared = Vec::with_capacity(width);
    for (k, (&(i, j), &p)) in pairs.iter().zip(&probabilities).enumerate() {
        if f64::from(p) < floor {
            continue;
        }
        let gamma = &vectors[k * width..(k + 1) * width];
        shared_values(
            &layout,
            &persons[i as usize],
            &persons[j as usize],
            &mut shared,
        );
        let scored = score(&model, gamma, &shared).map_err(|e| refuse(e.to_string()))?;
        row.clear();
        row.push(ids[i as usize].clone());
        row.push(ids[j as usize].clone());
        row.push(format!("{:.6}", scored.probability));
        row.push(format!("{:.3}", scored.match_weight));
        for c in &scored.contributions {
            row.push(c.level_label.clone());
            row.push(format!("{:.3}", c.total_log2()));
        }
        w.write_record(&row).map_err(&err)?;
        written += 1;
    }
    w.flush()
        .map_err(|e| refuse(format!("写入 {} 失败：{e}", a.pairs.display())))?;

    let mut w = create(&a.clusters)?;
    let err = write_err(&a.clusters);
    w.write_record(["id", "cluster_id"]).map_err(&err)?;
    for (i, id) in ids.iter().enumerate() {
        w.write_record([id.as_str(), ids[cluster_of[i] as usize].as_str()])
            .map_err(&err)?;
    }
    w.flush()
        .map_err(|e| refuse(format!("写入 {} 失败：{e}", a.clusters.display())))?;
    progress.done("写出", format!("{written} 对、{} 条记录", ids.len()));

    let total = progress.started.elapsed().as_secs_f64();
    let peak = proc_status_mib("VmHWM");
    if !a.quiet {
        eprintln!(
            "完成：{} 条记录，{} 个人，用时 {total:.2} 秒，峰值内存 {}",
            ids.len(),
            clusters_total,
            peak.map_or("未知".into(), |m| format!("{m:.0} MiB"))
        );
    }
    if let Some(path) = &a.summary {
        let summary = serde_json::json!({
            "records": ids.len(),
            "bad_rows": bad.len(),
            "values_treated_as_missing": values_missing,
            "blocks": block.blocks,
            "oversized_blocks": block.oversized_blocks,
            "candidate_pairs": pairs.len(),
            "pairs_written": written,
            "linked_pairs": linked,
            "clusters": clusters_total,
            "largest_cluster": checked.largest,
            "merges_refused": {
                "identity_numbers": checked.refused_identity,
                "cannot_link": checked.refused_cannot_link,
                "size": checked.refused_size,
            },
            "warnings": warnings,
            "threshold": a.threshold,
            "threads": threads,
            "wall_seconds": total,
            "peak_rss_mib": peak,
            "stages": progress.stages.iter().map(|(s, t)| serde_json::json!({"stage": s, "seconds": t})).collect::<Vec<_>>(),
        });
        std::fs::write(
            path,
            serde_json::to_string_pretty(&summary).unwrap_or_default(),
        )
        .map_err(|e| refuse(format!("无法写入 {}：{e}", path.display())))?;
    }
    Ok(())
}

/// A model that looks wrong, said instead of written silently: far more links than the
/// deterministic rule suggests there are duplicates, or persons that would have grown beyond
/// any plausible number of records.
fn model_warnings(
    linked: usize,
    rule: Option<(u64, f64)>,
    checked: &dedupe::ClusterReport,
    max_cluster: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((hits, recall)) = rule {
        let expected = hits as f64 / recall.max(1e-9);
        if linked as f64 > 3.0 * expected + 100.0 {
            out.push(format!(
                "达到阈值的记录对（{linked} 对）是确定性规则估计的重复数（约 {expected:.0} 对）的 {:.1} 倍：模型可能把同户、同址或同名的不同人当作同一人，请用 --explain-cluster 查看最大的簇",
                linked as f64 / expected.max(1.0)
            ));
        }
    }
    if checked.refused_size > 0 {
        out.push(format!(
            "有 {} 次合并会使一人超过 {max_cluster} 条记录而被拒绝：模型可能把同户、同址的不同人当作同一人",
            checked.refused_size
        ));
    }
    out
}

/// Why `at`'s cluster was formed: its records, then every pair inside it with its probability
/// and each field's level and bits (links at or above `threshold` marked).
fn explain_cluster(
    layout: &Layout,
    model: &Model,
    ids: &[String],
    persons: &[Person],
    cluster_of: &[u32],
    at: usize,
    threshold: f64,
) -> Result<String, String> {
    use std::fmt::Write as _;
    let members: Vec<usize> = (0..ids.len())
        .filter(|&i| cluster_of[i] == cluster_of[at])
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "记录“{}”所在的簇有 {} 条记录：{}",
        ids[at],
        members.len(),
        members
            .iter()
            .map(|&i| ids[i].as_str())
            .collect::<Vec<_>>()
            .join("、")
    );
    let (mut gamma, mut shared) = (Vec::new(), Vec::new());
    for (k, &i) in members.iter().enumerate() {
        for &j in &members[k + 1..] {
            gamma.clear();
            compare_into(layout, &persons[i], &persons[j], &mut gamma);
            shared_values(layout, &persons[i], &persons[j], &mut shared);
            let s = score(model, &gamma, &shared).map_err(|e| e.to_string())?;
            let mark = if s.probability >= threshold {
                "链接"
            } else {
                "未达阈值"
            };
            let fields: Vec<String> = s
                .contributions
                .iter()
                .map(|c| {
                    format!(
                        "{}：{}（{:+.1} 比特）",
                        c.field,
                        c.level_label,
                        c.total_log2()
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "{} — {}：概率 {:.4}（{mark}），先验 {:+.1} 比特；{}",
                ids[i],
                ids[j],
                s.probability,
                s.prior_log2,
                fields.join("；")
            );
        }
    }
    Ok(out)
}

fn run_synth(a: SynthArgs) -> Result<(), Failure> {
    if a.people == 0 {
        return Err(usage("--people 应大于 0"));
    }
    for (v, flag) in [
        (a.duplicate_share, "--duplicate-share"),
        (a.twin_share, "--twin-share"),
        (a.household_share, "--household-share"),
        (a.namesake_share, "--namesake-share"),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(usage(format!("{flag} 应在 0 到 1 之间")));
        }
    }
    let records = synth::generate(&synth::Params {
        people: a.people,
        seed: a.seed,
        duplicate_share: a.duplicate_share,
        twin_share: a.twin_share,
        household_share: a.household_share,
        namesake_share: a.namesake_share,
        latin: a.latin,
        ..synth::Params::default()
    });
    let mut out = create(&a.output)?;
    let mut truth = create(&a.truth)?;
    let (e1, e2) = (write_err(&a.output), write_err(&a.truth));
    out.write_record([
        "id",
        "name",
        "sex",
        "birth",
        "id_number",
        "phone",
        "address",
    ])
    .map_err(&e1)?;
    truth.write_record(["id", "cluster_id"]).map_err(&e2)?;
    for r in &records {
        out.write_record([
            &r.id,
            &r.name,
            &r.sex,
            &r.birth,
            &r.id_number,
            &r.phone,
            &r.address,
        ])
        .map_err(&e1)?;
        truth
            .write_record([r.id.as_str(), &format!("p{}", r.person)])
            .map_err(&e2)?;
    }
    out.flush().map_err(|e| refuse(e.to_string()))?;
    truth.flush().map_err(|e| refuse(e.to_string()))?;
    let duplicated: HashMap<u32, usize> = records.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.person).or_default() += 1;
        m
    });
    let true_pairs: usize = duplicated.values().map(|&k| k * (k - 1) / 2).sum();
    eprintln!(
        "已生成 {} 人、{} 条记录（{} 对同一人记录）：{}，真值 {}",
        a.people,
        records.len(),
        true_pairs,
        a.output.display(),
        a.truth.display()
    );
    Ok(())
}

fn open(path: &Path) -> Result<std::fs::File, Failure> {
    std::fs::File::open(path).map_err(|e| refuse(format!("无法读取 {}：{e}", path.display())))
}

fn column(header: &csv::StringRecord, name: &str, path: &Path) -> Result<usize, Failure> {
    header
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| usage(format!("{} 缺少列“{name}”", path.display())))
}

/// Ground truth `id,cluster_id` (named `path` in messages): each record's position by its
/// identifier, and its cluster as a number.
pub(crate) fn read_truth(
    input: impl std::io::Read,
    path: &Path,
) -> Result<(HashMap<String, u32>, Vec<u32>), Failure> {
    let mut r = csv::Reader::from_reader(input);
    let h = r.headers().map_err(|e| refuse(e.to_string()))?.clone();
    let (ci, cc) = (column(&h, "id", path)?, column(&h, "cluster_id", path)?);
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut labels: HashMap<String, u32> = HashMap::new();
    let mut truth = Vec::new();
    for (k, row) in r.records().enumerate() {
        let row = row.map_err(|e| refuse(format!("{} 第 {} 行：{e}", path.display(), k + 2)))?;
        let next = labels.len() as u32;
        let label = *labels.entry(row[cc].to_owned()).or_insert(next);
        if index
            .insert(row[ci].to_owned(), truth.len() as u32)
            .is_some()
        {
            return Err(refuse(format!(
                "{} 第 {} 行：记录“{}”重复",
                path.display(),
                k + 2,
                &row[ci]
            )));
        }
        truth.push(label);
    }
    Ok((index, truth))
}

/// Scored pairs `id_l,id_r,match_probability` (named `path` in messages) as positions in the
/// truth, each unordered pair once.
pub(crate) fn read_pairs(
    input: impl std::io::Read,
    path: &Path,
    index: &HashMap<String, u32>,
) -> Result<Vec<(u32, u32, f64)>, Failure> {
    let mut r = csv::Reader::from_reader(input);
    let h = r.headers().map_err(|e| refuse(e.to_string()))?.clone();
    let (pl, pr, pp) = (
        column(&h, "id_l", path)?,
        column(&h, "id_r", path)?,
        column(&h, "match_probability", path)?,
    );
    let mut scored = Vec::new();
    let mut seen = HashSet::new();
    for (k, row) in r.records().enumerate() {
        let line = k + 2;
        let row = row.map_err(|e| refuse(format!("{} 第 {line} 行：{e}", path.display())))?;
        let id = |c: usize| {
            index.get(&row[c]).copied().ok_or_else(|| {
                refuse(format!(
                    "{} 第 {line} 行：记录“{}”不在真值中",
                    path.display(),
                    &row[c]
                ))
            })
        };
        let (i, j) = (id(pl)?, id(pr)?);
        // A probability outside [0, 1] (or NaN, which sorts above every threshold and would
        // stop the sweep) is refused, not scored (issue 14, point 21).
        let p: f64 = row[pp]
            .trim()
            .parse()
            .ok()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| {
                refuse(format!(
                    "{} 第 {line} 行：匹配概率“{}”应为 0 到 1 之间的数",
                    path.display(),
                    &row[pp]
                ))
            })?;
        if i != j && seen.insert((i.min(j), i.max(j))) {
            scored.push((i, j, p));
        }
    }
    Ok(scored)
}

fn run_eval(a: EvalArgs) -> Result<(), Failure> {
    let (index, truth) = read_truth(open(&a.truth)?, &a.truth)?;
    if let Some(path) = &a.clusters {
        let (cindex, labels) = read_truth(open(path)?, path)?;
        let mut predicted = vec![u32::MAX; truth.len()];
        for (id, &pos) in &index {
            let Some(&c) = cindex.get(id) else {
                return Err(refuse(format!("{} 缺少记录“{id}”", path.display())));
            };
            predicted[pos as usize] = labels[c as usize];
        }
        let p = eval::clustering(&truth, &predicted);
        if a.json {
            let out = serde_json::json!({"records": truth.len(), "precision": p.precision(),
                "recall": p.recall(), "f1": p.f1(), "true_positives": p.true_positives,
                "predicted": p.predicted, "actual": p.actual});
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        } else {
            println!(
                "{} 条记录，{} 对真实同一人记录；聚类给出 {} 对，其中 {} 对正确：P {:.4} / R {:.4} / F1 {:.4}",
                truth.len(),
                p.actual,
                p.predicted,
                p.true_positives,
                p.precision(),
                p.recall(),
                p.f1()
            );
        }
        return Ok(());
    }
    let pairs = a
        .pairs
        .as_ref()
        .expect("clap requires --pairs without --clusters");
    let scored = read_pairs(open(pairs)?, pairs, &index)?;
    let points = eval::sweep(&truth, &scored, &eval::default_thresholds());
    let (bp, bc) = eval::best(&points).ok_or_else(|| refuse("没有阈值"))?;
    let prf = |p: &eval::Prf| {
        serde_json::json!({"precision": p.precision(), "recall": p.recall(), "f1": p.f1(),
            "true_positives": p.true_positives, "predicted": p.predicted, "actual": p.actual})
    };
    if a.json {
        let out = serde_json::json!({
            "records": truth.len(),
            "true_pairs": bp.pairs.actual,
            "scored_pairs": scored.len(),
            "best_pair": {"threshold": bp.threshold, "pairs": prf(&bp.pairs), "clusters": prf(&bp.clusters)},
            "best_cluster": {"threshold": bc.threshold, "pairs": prf(&bc.pairs), "clusters": prf(&bc.clusters)},
            "points": points.iter().map(|p| serde_json::json!({"threshold": p.threshold, "pair_f1": p.pairs.f1(), "cluster_f1": p.clusters.f1()})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    println!(
        "{} 条记录，{} 对真实同一人记录，{} 对已评分",
        truth.len(),
        bp.pairs.actual,
        scored.len()
    );
    println!("阈值     记录对 P / R / F1            聚类 P / R / F1");
    let shown = [0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99];
    for p in points
        .iter()
        .filter(|p| shown.iter().any(|s| (s - p.threshold).abs() < 1e-9))
        .chain([&bp, &bc])
    {
        println!(
            "{:<7}  {:.4} / {:.4} / {:.4}     {:.4} / {:.4} / {:.4}",
            p.threshold,
            p.pairs.precision(),
            p.pairs.recall(),
            p.pairs.f1(),
            p.clusters.precision(),
            p.clusters.recall(),
            p.clusters.f1()
        );
    }
    println!(
        "最佳记录对 F1 {:.4}（阈值 {}）；最佳聚类 F1 {:.4}（阈值 {}）",
        bp.pairs.f1(),
        bp.threshold,
        bc.clusters.f1(),
        bc.threshold
    );
    Ok(())
}
