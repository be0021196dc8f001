//! `sijian witness …`: a C2SP tlog-witness (v1.0.0). It cosigns a log's checkpoint only when
//! the checkpoint extends the last one it cosigned for that log, so a log cannot show two
//! histories to parties that require this witness's cosignature.
use crate::keys::log_key;
use crate::ledger_cli::{parent_dir, sync_dir, write_atomic};
use anyhow::{Context, anyhow, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::{Args, Subcommand};
use rand::TryRngCore;
use serde::{Deserialize, Serialize};
use sijian_ledger::b64;
use sijian_ledger::note::{KeyKind, Signer, Verifier, VerifierSet};
use sijian_ledger::witness::{AddCheckpoint, WitnessError, WitnessState, add_checkpoint};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest add-checkpoint body accepted: a note with signatures and 63 proof lines fits easily.
const MAX_BODY: usize = 64 * 1024;

#[derive(Subcommand)]
pub enum WitnessCommand {
    /// Serve POST /add-checkpoint for the given logs.
    Serve(ServeArgs),
    /// Write a new witness signing key (type 0x04) and print its verifier key.
    Keygen {
        /// Key name, e.g. court.example/witness.
        #[arg(long)]
        name: String,
        /// Key file to create (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args)]
pub struct ServeArgs {
    /// Listen address, e.g. 127.0.0.1:7380 (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    listen: String,
    /// Signing key file (PRIVATE+KEY+…, type 0x04); created when missing, which needs --name.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Name for a new key, e.g. court.example/witness.
    #[arg(long)]
    name: Option<String>,
    /// Verifier key of a log to witness; its name is the log's origin. Repeatable.
    #[arg(long = "log", value_name = "VKEY", required = true, value_parser = log_key)]
    logs: Vec<Verifier>,
    /// JSON file with the last cosigned size and root of each log.
    #[arg(long, value_name = "FILE")]
    state: PathBuf,
}

pub async fn run(command: WitnessCommand) -> anyhow::Result<()> {
    match command {
        WitnessCommand::Serve(args) => serve(args).await,
        WitnessCommand::Keygen { name, out } => {
            let signer = new_signer(&name)?;
            write_key(&out, &signer)?;
            println!("{}", signer.verifier().to_text());
            eprintln!("私钥已写入 {}", out.display());
            Ok(())
        }
    }
}

type States = BTreeMap<String, WitnessState>;

struct Witness {
    signer: Signer,
    /// Log keys by origin.
    logs: HashMap<String, VerifierSet>,
    state_path: PathBuf,
    /// One lock for all requests: check, store and answer happen as one step.
    states: tokio::sync::Mutex<States>,
}

#[derive(Serialize, Deserialize)]
struct StateJson {
    size: u64,
    root: String,
}

fn load_states(path: &Path) -> anyhow::Result<States> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(States::new()),
        Err(e) => return Err(e).with_context(|| format!("无法读取状态文件 {}", path.display())),
    };
    let raw: BTreeMap<String, StateJson> = serde_json::from_str(&text)
        .with_context(|| format!("状态文件 {} 不是有效的 JSON", path.display()))?;
    raw.into_iter()
        .map(|(origin, s)| {
            let root = b64::decode_hash(&s.root)
                .with_context(|| format!("状态文件中 {origin} 的根哈希无效"))?;
            Ok((origin, WitnessState { size: s.size, root }))
        })
        .collect()
}

fn states_json(states: &States) -> Vec<u8> {
    let raw: BTreeMap<&str, StateJson> = states
        .iter()
        .map(|(origin, s)| {
            let root = b64::encode(&s.root);
            (origin.as_str(), StateJson { size: s.size, root })
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&raw).expect("a map of strings and numbers");
    out.push(b'\n');
    out
}

fn new_signer(name: &str) -> anyhow::Result<Signer> {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut seed)
        .context("无法从操作系统取得随机数")?;
    Signer::from_seed(name, KeyKind::CosignatureV1, seed)
        .map_err(|e| anyhow!("见证人名称无效：{e}"))
}

/// Creates the key file readable by its owner only; an existing file is never replaced.
fn write_key(path: &Path, signer: &Signer) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("无法创建密钥文件 {}", path.display()))?;
    f.write_all(format!("{}\n", signer.to_text()).as_bytes())?;
    f.sync_all()?;
    sync_dir(parent_dir(path))?;
    Ok(())
}

/// The key in `path`, or a new one written there (the bool says which).
fn load_or_create_key(path: &Path, name: Option<&str>) -> anyhow::Result<(Signer, bool)> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let name = name.context("密钥文件不存在；生成新密钥需要 --name")?;
            let signer = new_signer(name)?;
            write_key(path, &signer)?;
            return Ok((signer, true));
        }
        Err(e) => return Err(e).with_context(|| format!("无法读取密钥文件 {}", path.display())),
    };
    let signer =
        Signer::parse(&text).map_err(|e| anyhow!("密钥文件 {} 无效：{e}", path.display()))?;
    if signer.kind != KeyKind::CosignatureV1 {
        bail!(
            "密钥文件 {} 不是见证人密钥（应为类型 0x04）",
            path.display()
        );
    }
    if let Some(n) = name
        && n != signer.name
    {
        bail!("密钥文件中的名称 {} 与 --name {n} 不符", signer.name);
    }
    Ok((signer, false))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn plain(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The spec's answer to a refusal; a 409 carries the size the witness has, so the log can retry.
fn refusal(e: &WitnessError) -> Response {
    if let WitnessError::Conflict(size) = e {
        let headers = [(CONTENT_TYPE, "text/x.tlog.size")];
        return (StatusCode::CONFLICT, headers, format!("{size}\n")).into_response();
    }
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    plain(status, format!("{e}\n"))
}

impl Witness {
    /// Decides a request; the new state is on disk before the cosignature leaves.
    async fn add(&self, body: &str) -> Result<String, Response> {
        let req = AddCheckpoint::parse(body).map_err(|e| refusal(&e))?;
        let origin = &req.checkpoint.origin;
        let keys = self
            .logs
            .get(origin)
            .ok_or_else(|| refusal(&WitnessError::UnknownLog))?;
        let mut states = self.states.lock().await;
        let current = states
            .get(origin)
            .cloned()
            .unwrap_or_else(WitnessState::empty);
        let (next, sig) = add_checkpoint(&req, keys, &current, &self.signer, unix_now())
            .map_err(|e| refusal(&e))?;
        if next != current {
            let mut updated = states.clone();
            updated.insert(origin.clone(), next);
            self.persist(&updated).await.map_err(|e| {
                eprintln!("错误：无法保存见证人状态：{e}");
                plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "无法保存见证人状态，未副署\n".into(),
                )
            })?;
            *states = updated;
        }
        Ok(sig.to_line())
    }

    async fn persist(&self, states: &States) -> std::io::Result<()> {
        let bytes = states_json(states);
        let path = self.state_path.clone();
        tokio::task::spawn_blocking(move || write_atomic(&path, &bytes))
            .await
            .map_err(std::io::Error::other)?
    }
}

async fn add_handler(
    State(w): State<Arc<Witness>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        let msg = "请求体过大或无法读取（上限 64 KiB）\n".to_string();
        return plain(StatusCode::PAYLOAD_TOO_LARGE, msg);
    };
    let Ok(body) = std::str::from_utf8(&body) else {
        return plain(
            StatusCode::BAD_REQUEST,
            "请求格式错误：请求体不是 UTF-8 文本\n".into(),
        );
    };
    match w.add(body).await {
        Ok(line) => plain(StatusCode::OK, line),
        Err(r) => r,
    }
}

async fn index(State(w): State<Arc<Witness>>) -> Response {
    let mut s = format!(
        "司鉴见证人（C2SP tlog-witness v1）\n公钥：{}\n提交检查点：POST /add-checkpoint\n已知日志：\n",
        w.signer.verifier().to_text()
    );
    let mut origins: Vec<&String> = w.logs.keys().collect();
    origins.sort();
    for o in origins {
        s.push_str(&format!("  {o}\n"));
    }
    plain(StatusCode::OK, s)
}

fn router(w: Arc<Witness>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/add-checkpoint", post(add_handler))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(w)
}

fn logs_by_origin(logs: Vec<Verifier>) -> HashMap<String, VerifierSet> {
    let mut by: HashMap<String, VerifierSet> = HashMap::new();
    for v in logs {
        by.entry(v.name.clone()).or_default().0.push(v);
    }
    by
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let (signer, generated) = load_or_create_key(&args.key, args.name.as_deref())?;
    let states = load_states(&args.state)?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("无法监听 {}", args.listen))?;
    let addr = listener.local_addr()?;
    if generated {
        println!("已生成见证人密钥：{}", args.key.display());
    }
    println!("见证人公钥：{}", signer.verifier().to_text());
    println!("见证人已启动：http://{addr}/");
    std::io::stdout().flush()?;
    let w = Arc::new(Witness {
        signer,
        logs: logs_by_origin(args.logs),
        state_path: args.state,
        states: tokio::sync::Mutex::new(states),
    });
    axum::serve(listener, router(w))
        .with_graceful_shutdown(sijian_server::app::shutdown_signal())
        .await?;
    Ok(())
}
