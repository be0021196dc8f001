//! The offline proof bundle: a C2SP `tlog-proof@v1` whose `extra` line carries the leaf entry
//! itself, so the bundle alone proves that this exact entry is in the log.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64 of the leaf entry>
//! index <leaf index>
//! <base64 hash>            (inclusion proof, leaf side first, zero or more lines)
//!
//! <signed checkpoint: log signature and witness cosignatures>
//! ```
//! Verification needs only the log's verifier key (and the witnesses' for a quorum): parse,
//! check the checkpoint's signatures against the policy, hash the entry as an RFC 9162 leaf and
//! check the inclusion proof against the checkpoint's root.
use crate::b64;
use crate::hash::{Hash, leaf_hash};
use crate::policy::{Policy, PolicyError, Trusted};
use crate::proof::{MAX_PROOF_LEN, ProofError, verify_inclusion};

pub const HEADER: &str = "c2sp.org/tlog-proof@v1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("证明包格式错误：{0}")]
    Malformed(&'static str),
    #[error("证明包没有叶数据")]
    NoEntry,
    #[error("检查点不可信：{0}")]
    Checkpoint(#[from] PolicyError),
    #[error("包含证明无效：{0}")]
    Proof(#[from] ProofError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub entry: Option<Vec<u8>>,
    pub index: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, as served.
    pub checkpoint: String,
}

impl Bundle {
    pub fn to_text(&self) -> String {
        let mut s = format!("{HEADER}\n");
        if let Some(e) = &self.entry {
            s.push_str(&format!("extra {}\n", b64::encode(e)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            s.push_str(&b64::encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    pub fn parse(text: &str) -> Result<Bundle, BundleError> {
        let rest = text
            .strip_prefix(HEADER)
            .and_then(|r| r.strip_prefix('\n'))
            .ok_or(BundleError::Malformed("首行应为 c2sp.org/tlog-proof@v1"))?;
        let (head, checkpoint) = rest
            .split_once("\n\n")
            .ok_or(BundleError::Malformed("缺少证明与检查点之间的空行"))?;
        let mut lines = head.split('\n').peekable();
        let mut entry = None;
        if let Some(l) = lines.peek()
            && let Some(e) = l.strip_prefix("extra ")
        {
            entry = Some(b64::decode(e).ok_or(BundleError::Malformed("extra 不是标准 base64"))?);
            lines.next();
        }
        let index = lines
            .next()
            .and_then(|l| l.strip_prefix("index "))
            .and_then(crate::checkpoint::parse_decimal)
            .ok_or(BundleError::Malformed("缺少 index 行"))?;
        let proof = lines
            .map(|l| {
                b64::decode_hash(l).ok_or(BundleError::Malformed("证明行应为 32 字节的标准 base64"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if proof.len() > MAX_PROOF_LEN {
            return Err(BundleError::Malformed("证明过长"));
        }
        Ok(Bundle {
            entry,
            index,
            proof,
            checkpoint: checkpoint.to_string(),
        })
    }

    /// Verifies the bundle offline; returns the trusted checkpoint and the entry.
    pub fn verify(&self, policy: &Policy) -> Result<(Trusted, Vec<u8>), BundleError> {
        let entry = self.entry.clone().ok_or(BundleError::NoEntry)?;
        let trusted = policy.check(&self.checkpoint)?;
        let cp = &trusted.checkpoint;
        verify_inclusion(
            self.index,
            cp.size,
            &leaf_hash(&entry),
            &self.proof,
            &cp.root,
        )?;
        Ok((trusted, entry))
    }
}
