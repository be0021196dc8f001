//! `sijian ledger …`: offline checks of proofs, checkpoints and proof bundles, and a monitor that
//! follows a log's checkpoints. Exit codes are a contract for scripts: 0 valid, 1 invalid (one
//! line of reason on stderr), 2 usage error (including input that cannot be read).
use crate::keys::{log_key, witness_key};
use clap::{Args, Subcommand};
use serde::Deserialize;
use sijian_ledger::bundle::Bundle;
use sijian_ledger::monitor::{self, Fork, Observation};
use sijian_ledger::note::{KeyKind, NoteError};
use sijian_ledger::policy::{Policy, PolicyError, Trusted};
use sijian_ledger::{Checkpoint, Hash, Note, Verifier, b64, proof};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Check an RFC 9162 inclusion proof.
    VerifyInclusion {
        /// Leaf hash, standard base64 of 32 bytes.
        #[arg(long, value_name = "B64")]
        leaf_hash: String,
        #[arg(long)]
        index: u64,
        #[arg(long)]
        size: u64,
        #[arg(long)]
        root: String,
        /// Comma-separated base64 hashes, leaf side first; "" for an empty proof.
        #[arg(long)]
        proof: String,
    },
    /// Check an RFC 9162 consistency proof between two tree heads.
    VerifyConsistency {
        #[arg(long)]
        size1: u64,
        #[arg(long)]
        size2: u64,
        #[arg(long)]
        root1: String,
        #[arg(long)]
        root2: String,
        /// Comma-separated base64 hashes; "" for an empty proof.
        #[arg(long)]
        proof: String,
    },
    /// Check a signed checkpoint (from FILE, or stdin when FILE is absent or "-").
    VerifyCheckpoint {
        #[command(flatten)]
        trust: Trust,
        file: Option<PathBuf>,
    },
    /// Check an offline proof bundle (C2SP tlog-proof) without contacting the log.
    VerifyBundle {
        #[command(flatten)]
        trust: Trust,
        file: PathBuf,
    },
    /// Follow a log's checkpoints and report forks.
    Monitor(MonitorArgs),
    /// Recompute every commitment and the whole tree from the database and compare them with
    /// every stored hash and checkpoint; report the first divergent event, leaf or checkpoint.
    Audit(crate::audit::AuditArgs),
}

/// The keys a check trusts.
#[derive(Args)]
pub struct Trust {
    /// Log verifier key (type 0x01); repeat for retired keys.
    #[arg(long = "key", value_name = "VKEY", required = true, value_parser = log_key)]
    keys: Vec<Verifier>,
    /// Trusted witness verifier key (type 0x04); repeatable.
    #[arg(long = "witness", value_name = "VKEY", value_parser = witness_key)]
    witnesses: Vec<Verifier>,
    /// How many distinct trusted witnesses must have cosigned.
    #[arg(long, value_name = "K", default_value_t = 0)]
    quorum: usize,
}

impl Trust {
    fn policy(self) -> Policy {
        Policy {
            origin: None,
            log_keys: self.keys,
            witnesses: self.witnesses,
            quorum: self.quorum,
        }
    }
}

#[derive(Args)]
pub struct MonitorArgs {
    /// Base URL of the platform, e.g. http://127.0.0.1:8080
    url: String,
    /// Log verifier key (type 0x01); without it the keys are fetched from the log once.
    #[arg(long = "key", value_name = "VKEY", value_parser = log_key)]
    keys: Vec<Verifier>,
    /// Where the last checkpoint seen is kept.
    #[arg(long, value_name = "FILE", default_value = "./ledger-monitor.state")]
    state: PathBuf,
    /// Seconds between rounds.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    interval: u64,
    /// One round, then exit (0 when consistent).
    #[arg(long)]
    once: bool,
}

enum Failure {
    Invalid(String),
    Usage(String),
}

impl From<PolicyError> for Failure {
    fn from(e: PolicyError) -> Self {
        Failure::Invalid(e.to_string())
    }
}

/// Keeps a reason on one line, as the contract promises.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn finish(result: Result<Vec<String>, Failure>) -> i32 {
    match result {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            0
        }
        Err(Failure::Invalid(r)) => {
            eprintln!("无效：{}", one_line(&r));
            1
        }
        Err(Failure::Usage(r)) => {
            eprintln!("错误：{}", one_line(&r));
            2
        }
    }
}

/// Runs a ledger command and returns the process exit code.
pub async fn run(command: LedgerCommand) -> i32 {
    let result = match command {
        LedgerCommand::VerifyInclusion {
            leaf_hash,
            index,
            size,
            root,
            proof,
        } => verify_inclusion(&leaf_hash, index, size, &root, &proof),
        LedgerCommand::VerifyConsistency {
            size1,
            size2,
            root1,
            root2,
            proof,
        } => verify_consistency(size1, size2, &root1, &root2, &proof),
        LedgerCommand::VerifyCheckpoint { trust, file } => verify_checkpoint(trust, file),
        LedgerCommand::VerifyBundle { trust, file } => verify_bundle(trust, &file),
        LedgerCommand::Monitor(args) => return run_monitor(args).await,
        LedgerCommand::Audit(args) => return crate::audit::run(args).await,
    };
    finish(result)
}

fn hash_arg(what: &str, text: &str) -> Result<Hash, Failure> {
    if text.is_empty() {
        return Err(Failure::Invalid(format!("{what}为空")));
    }
    let raw = b64::decode(text)
        .ok_or_else(|| Failure::Invalid(format!("{what}不是标准 base64：“{text}”")))?;
    raw.try_into().map_err(|v: Vec<u8>| {
        Failure::Invalid(format!("{what}应为 32 字节，实为 {} 字节", v.len()))
    })
}

/// "" is the empty proof; otherwise every comma-separated element must be a hash, so a stray
/// comma is an invalid (empty) element rather than silently dropped.
fn proof_arg(text: &str) -> Result<Vec<Hash>, Failure> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, p)| hash_arg(&format!("证明的第 {} 个哈希", i + 1), p))
        .collect()
}

fn verify_inclusion(
    leaf: &str,
    index: u64,
    size: u64,
    root: &str,
    proof_text: &str,
) -> Result<Vec<String>, Failure> {
    let leaf = hash_arg("叶哈希", leaf)?;
    let root = hash_arg("根哈希", root)?;
    let p = proof_arg(proof_text)?;
    proof::verify_inclusion(index, size, &leaf, &p, &root)
        .map_err(|e| Failure::Invalid(e.to_string()))?;
    Ok(vec![format!("有效：叶 {index} 包含在大小 {size} 的树中")])
}

fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &str,
    root2: &str,
    proof_text: &str,
) -> Result<Vec<String>, Failure> {
    let r1 = hash_arg("第一棵树的根哈希", root1)?;
    let r2 = hash_arg("第二棵树的根哈希", root2)?;
    let p = proof_arg(proof_text)?;
    proof::verify_consistency(size1, size2, &p, &r1, &r2)
        .map_err(|e| Failure::Invalid(e.to_string()))?;
    Ok(vec![format!(
        "有效：大小 {size2} 的树是大小 {size1} 的树的延续"
    )])
}

/// Reads FILE, or stdin for None and "-".
fn read_input(file: Option<&Path>) -> Result<String, Failure> {
    let (name, read) = match file {
        Some(p) if p != Path::new("-") => (p.display().to_string(), std::fs::read(p)),
        _ => ("标准输入".to_string(), read_stdin()),
    };
    let bytes = read.map_err(|e| Failure::Usage(format!("无法读取 {name}：{e}")))?;
    String::from_utf8(bytes).map_err(|_| Failure::Invalid(format!("{name} 不是 UTF-8 文本")))
}

fn read_stdin() -> std::io::Result<Vec<u8>> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("从标准输入读取（按 Ctrl-D 结束）…");
    }
    let mut bytes = Vec::new();
    stdin.read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn describe_trusted(t: &Trusted, out: &mut Vec<String>) {
    let cp = &t.checkpoint;
    out.push(format!("来源：{}", cp.origin));
    out.push(format!("大小：{}", cp.size));
    out.push(format!("根哈希：{}", b64::encode(&cp.root)));
    if t.cosigners.is_empty() {
        out.push("见证人副署：无".into());
    }
    for (name, time) in &t.cosigners {
        out.push(format!("见证人副署：{name}（时间戳 {time}）"));
    }
}

fn verify_checkpoint(trust: Trust, file: Option<PathBuf>) -> Result<Vec<String>, Failure> {
    let text = read_input(file.as_deref())?;
    let trusted = trust.policy().check(&text)?;
    let mut out = vec!["有效：检查点的签名可信".to_string()];
    describe_trusted(&trusted, &mut out);
    Ok(out)
}

fn verify_bundle(trust: Trust, file: &Path) -> Result<Vec<String>, Failure> {
    let text = read_input(Some(file))?;
    let bundle = Bundle::parse(&text).map_err(|e| Failure::Invalid(e.to_string()))?;
    let (trusted, entry) = bundle
        .verify(&trust.policy())
        .map_err(|e| Failure::Invalid(e.to_string()))?;
    let mut out = vec![format!(
        "有效：叶 {} 包含在大小 {} 的树中",
        bundle.index, trusted.checkpoint.size
    )];
    describe_trusted(&trusted, &mut out);
    out.push(match String::from_utf8(entry) {
        Ok(s) => format!("条目：{s}"),
        Err(e) => format!(
            "条目：{} 字节（非 UTF-8），base64：{}",
            e.as_bytes().len(),
            b64::encode(e.as_bytes())
        ),
    });
    Ok(out)
}

/// Writes a file so that a crash leaves either the old or the new content: a temporary file in
/// the same directory, fsync, rename, then fsync of the directory so the rename itself survives.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("路径没有文件名"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    sync_dir(dir)
}

/// The directory holding `path` ("." for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Why a monitor round ended early: `Retry` is transient (network, a malformed answer) and the
/// next round tries again; `Fatal` (a fork, an untrusted signature) stops the monitor.
enum Stop {
    Retry(String),
    Fatal(String),
}

#[derive(Deserialize)]
struct ConsistencyJson {
    from: u64,
    to: u64,
    proof: Vec<String>,
}

struct Monitor {
    client: reqwest::Client,
    base: String,
    keys: Vec<Verifier>,
    state: PathBuf,
    /// The last checkpoint seen, as in the state file.
    prev: Option<Checkpoint>,
}

async fn run_monitor(args: MonitorArgs) -> i32 {
    if !args.url.starts_with("http://") {
        eprintln!("错误：只支持 http:// 地址（此版本不含 TLS）：{}", args.url);
        return 2;
    }
    let mut m = match Monitor::new(&args) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("错误：{}", one_line(&e));
            return 1;
        }
    };
    if args.keys.is_empty() {
        eprintln!("提示：日志公钥取自被监视的服务器本身（首次使用即信任）；可用 --key 固定公钥");
    }
    loop {
        match m.round().await {
            Ok(line) => {
                println!("{line}");
                if args.once {
                    return 0;
                }
            }
            Err(Stop::Fatal(msg)) => {
                eprintln!("{}", one_line(&msg));
                return 1;
            }
            Err(Stop::Retry(msg)) => {
                eprintln!("{}", one_line(&msg));
                if args.once {
                    return 1;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(args.interval)).await;
    }
}

/// An error with its causes; reqwest's own message leaves out why the request failed.
fn causes(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut next = e.source();
    while let Some(c) = next {
        s.push_str(&format!("：{c}"));
        next = c.source();
    }
    s
}

fn load_seen(path: &Path) -> Result<Option<Checkpoint>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("无法读取状态文件 {}：{e}", path.display())),
    };
    let bad = |e: String| format!("状态文件 {} 已损坏：{e}", path.display());
    let note = Note::parse(&text).map_err(|e| bad(e.to_string()))?;
    let checkpoint = Checkpoint::parse(&note.text).map_err(|e| bad(e.to_string()))?;
    Ok(Some(checkpoint))
}

/// The Ed25519 keys in a key listing; comments, blank lines, witness keys and keys of
/// unknown types are skipped.
fn parse_key_list(text: &str) -> Vec<Verifier> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| Verifier::parse(l).ok())
        .filter(|v| v.kind == KeyKind::Ed25519)
        .collect()
}

fn observation_line(obs: &Observation, new: &Checkpoint) -> String {
    match obs {
        Observation::First => format!("首次记录：大小 {}", new.size),
        Observation::Grew { from, to } => format!("一致：{from} → {to}"),
        Observation::Unchanged => format!("未变化：大小 {}", new.size),
        Observation::Stale { size } => format!("落后的检查点：大小 {size}"),
    }
}

fn fork_line(fork: &Fork) -> String {
    let s = fork.to_string();
    if s.starts_with("分叉：") {
        s
    } else {
        format!("分叉：{s}")
    }
}

/// A signature that fails or is missing means the log (or someone in between) serves what the
/// log did not sign; a malformed answer may be a broken proxy and is retried.
fn classify(e: PolicyError) -> Stop {
    match e {
        PolicyError::Note(NoteError::Malformed(_)) | PolicyError::Checkpoint(_) => {
            Stop::Retry(format!("服务器返回的检查点格式错误：{e}"))
        }
        e => Stop::Fatal(format!("无效：检查点签名不可信：{e}")),
    }
}

impl Monitor {
    fn new(args: &MonitorArgs) -> Result<Monitor, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Monitor {
            client,
            base: args.url.trim_end_matches('/').to_string(),
            keys: args.keys.clone(),
            state: args.state.clone(),
            prev: load_seen(&args.state)?,
        })
    }

    async fn get(&self, path: &str) -> Result<reqwest::Response, Stop> {
        let url = format!("{}{path}", self.base);
        let resp = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| Stop::Retry(format!("网络错误：{url}：{}", causes(&e))))?;
        if !resp.status().is_success() {
            return Err(Stop::Retry(format!("{url} 返回 {}", resp.status())));
        }
        Ok(resp)
    }

    async fn get_text(&self, path: &str) -> Result<String, Stop> {
        self.get(path)
            .await?
            .text()
            .await
            .map_err(|e| Stop::Retry(format!("读取 {path} 的应答失败：{e}")))
    }

    /// The keys given with --key, or fetched once from the log.
    async fn log_keys(&mut self) -> Result<Vec<Verifier>, Stop> {
        if self.keys.is_empty() {
            let list = parse_key_list(&self.get_text("/api/v1/ledger/keys").await?);
            if list.is_empty() {
                return Err(Stop::Retry("服务器的密钥列表中没有日志公钥".into()));
            }
            self.keys = list;
        }
        Ok(self.keys.clone())
    }

    /// The consistency proof between the previous and the new checkpoint, smaller size first;
    /// empty when observe() needs none.
    async fn proof_for(&self, new: &Checkpoint) -> Result<Vec<Hash>, Stop> {
        let Some(prev) = &self.prev else {
            return Ok(Vec::new());
        };
        let (from, to) = (prev.size.min(new.size), prev.size.max(new.size));
        if from == to || from == 0 || prev.origin != new.origin {
            return Ok(Vec::new());
        }
        let path = format!("/api/v1/ledger/proof/consistency?from={from}&to={to}");
        let body: ConsistencyJson = self
            .get(&path)
            .await?
            .json()
            .await
            .map_err(|e| Stop::Retry(format!("一致性证明的应答格式错误：{e}")))?;
        if body.from != from || body.to != to {
            return Err(Stop::Retry("一致性证明的大小与请求不符".into()));
        }
        body.proof
            .iter()
            .map(|p| b64::decode_hash(p))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Stop::Retry("一致性证明含有不是 32 字节 base64 的哈希".into()))
    }

    async fn round(&mut self) -> Result<String, Stop> {
        let keys = self.log_keys().await?;
        let text = self.get_text("/api/v1/ledger/checkpoint").await?;
        let new = Policy::log_only(keys)
            .check(&text)
            .map_err(classify)?
            .checkpoint;
        let proof = self.proof_for(&new).await?;
        let obs = match monitor::observe(self.prev.as_ref(), &new, &proof) {
            Ok(obs) => obs,
            Err(fork) => return Err(Stop::Fatal(self.record_fork(&fork, &text))),
        };
        if matches!(obs, Observation::First | Observation::Grew { .. }) {
            self.save(&text, new.clone())?;
        }
        Ok(observation_line(&obs, &new))
    }

    fn save(&mut self, text: &str, checkpoint: Checkpoint) -> Result<(), Stop> {
        write_atomic(&self.state, text.as_bytes()).map_err(|e| {
            Stop::Fatal(format!(
                "错误：无法写入状态文件 {}：{e}",
                self.state.display()
            ))
        })?;
        self.prev = Some(checkpoint);
        Ok(())
    }

    /// Keeps the conflicting signed checkpoint beside the state: with the state file it is
    /// the evidence of the fork. The state itself stays at the last consistent checkpoint.
    fn record_fork(&self, fork: &Fork, text: &str) -> String {
        let mut evidence = self.state.clone().into_os_string();
        evidence.push(".fork");
        let evidence = PathBuf::from(evidence);
        let line = fork_line(fork);
        match write_atomic(&evidence, text.as_bytes()) {
            Ok(()) => format!("{line}（冲突的检查点已保存到 {}）", evidence.display()),
            Err(_) => line,
        }
    }
}
