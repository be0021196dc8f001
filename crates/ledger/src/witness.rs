//! The rules of a C2SP tlog-witness (v1.0.0) `add-checkpoint` request, without I/O: the caller
//! loads the witness's state for the origin, calls [`add_checkpoint`], stores the new state
//! atomically and only then returns the cosignature.
//!
//! Request body: `old <size>\n`, zero to 63 consistency-proof lines, a blank line, then the
//! signed checkpoint note.
use crate::b64;
use crate::checkpoint::{Checkpoint, parse_decimal};
use crate::hash::{Hash, empty_root};
use crate::note::{Note, NoteSignature, Signer, VerifierSet};
use crate::proof::verify_consistency;

pub const MAX_PROOF_LINES: usize = 63;

/// A refusal with its HTTP status as the spec assigns it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    #[error("请求格式错误：{0}")]
    BadRequest(&'static str),
    #[error("未知的日志来源")]
    UnknownLog,
    #[error("检查点签名无效或没有可信的日志签名")]
    Forbidden,
    #[error("旧大小 {old} 大于新检查点大小 {size}")]
    OldBeyondNew { old: u64, size: u64 },
    #[error("见证人已副署的大小是 {0}")]
    Conflict(u64),
    #[error("一致性证明无效：{0}")]
    Unprocessable(String),
}

impl WitnessError {
    pub fn status(&self) -> u16 {
        match self {
            WitnessError::BadRequest(_) | WitnessError::OldBeyondNew { .. } => 400,
            WitnessError::UnknownLog => 404,
            WitnessError::Forbidden => 403,
            WitnessError::Conflict(_) => 409,
            WitnessError::Unprocessable(_) => 422,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old: u64,
    pub proof: Vec<Hash>,
    pub note: Note,
    pub checkpoint: Checkpoint,
}

impl AddCheckpoint {
    pub fn to_body(&self) -> String {
        let mut s = format!("old {}\n", self.old);
        for h in &self.proof {
            s.push_str(&b64::encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.note.to_text());
        s
    }

    pub fn parse(body: &str) -> Result<AddCheckpoint, WitnessError> {
        let (head, note) = body
            .split_once("\n\n")
            .ok_or(WitnessError::BadRequest("缺少空行"))?;
        let mut lines = head.split('\n');
        let old = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(parse_decimal)
            .ok_or(WitnessError::BadRequest("首行应为 old <大小>"))?;
        let proof = lines
            .map(|l| {
                b64::decode_hash(l)
                    .ok_or(WitnessError::BadRequest("证明行应为 32 字节的标准 base64"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if proof.len() > MAX_PROOF_LINES {
            return Err(WitnessError::BadRequest("证明行过多"));
        }
        let note = Note::parse(note).map_err(|_| WitnessError::BadRequest("检查点笔记格式错误"))?;
        let checkpoint = Checkpoint::parse(&note.text)
            .map_err(|_| WitnessError::BadRequest("检查点格式错误"))?;
        Ok(AddCheckpoint {
            old,
            proof,
            note,
            checkpoint,
        })
    }
}

/// What a witness remembers per log: the latest checkpoint it cosigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessState {
    pub size: u64,
    pub root: Hash,
}

impl WitnessState {
    pub fn empty() -> Self {
        WitnessState {
            size: 0,
            root: empty_root(),
        }
    }
}

/// Decides an add-checkpoint request for a log the witness knows (`log_keys`), given its
/// current state for that origin. On success returns the state to store and the cosignature.
pub fn add_checkpoint(
    req: &AddCheckpoint,
    log_keys: &VerifierSet,
    state: &WitnessState,
    signer: &Signer,
    now: u64,
) -> Result<(WitnessState, NoteSignature), WitnessError> {
    let verified = log_keys
        .verify(&req.note)
        .map_err(|_| WitnessError::Forbidden)?;
    if !verified.iter().any(|v| v.name == req.checkpoint.origin) {
        return Err(WitnessError::Forbidden);
    }
    let cp = &req.checkpoint;
    if req.old > cp.size {
        return Err(WitnessError::OldBeyondNew {
            old: req.old,
            size: cp.size,
        });
    }
    if req.old != state.size {
        return Err(WitnessError::Conflict(state.size));
    }
    if cp.size == 0 && cp.root != empty_root() {
        return Err(WitnessError::Unprocessable(
            "空树的根哈希应为 SHA-256(\"\")".into(),
        ));
    }
    if req.old == 0 {
        // The empty tree is consistent with every tree.
        if !req.proof.is_empty() {
            return Err(WitnessError::Unprocessable(
                "从大小 0 出发时证明应为空".into(),
            ));
        }
    } else {
        verify_consistency(req.old, cp.size, &req.proof, &state.root, &cp.root)
            .map_err(|e| WitnessError::Unprocessable(e.to_string()))?;
    }
    let sig = signer.sign(&req.note.text, now.max(1));
    Ok((
        WitnessState {
            size: cp.size,
            root: cp.root,
        },
        sig,
    ))
}
