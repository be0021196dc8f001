//! Which signatures make a checkpoint trustworthy: a signature by one of the log's keys
//! (current or retired, so old checkpoints stay verifiable after rotation) and cosignatures by
//! at least `quorum` of the trusted witnesses.
use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::note::{KeyKind, Note, NoteError, Verifier, VerifierSet};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error("检查点没有日志密钥的有效签名")]
    NoLogSignature,
    #[error("检查点的来源“{got}”与日志“{want}”不符")]
    WrongOrigin { got: String, want: String },
    #[error("见证人副署不足：需要 {want} 个，实有 {got} 个")]
    NotEnoughWitnesses { want: usize, got: usize },
}

#[derive(Debug, Clone)]
pub struct Policy {
    /// The origin line the checkpoint must carry, when known. (Our log names its key after its
    /// origin; other logs, such as sum.golang.org, do not.)
    pub origin: Option<String>,
    /// The log's keys (type 0x01), current and retired.
    pub log_keys: Vec<Verifier>,
    /// Trusted witnesses (type 0x04).
    pub witnesses: Vec<Verifier>,
    /// How many distinct witnesses must have cosigned.
    pub quorum: usize,
}

/// A checkpoint whose signatures satisfied a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted {
    pub checkpoint: Checkpoint,
    pub note: Note,
    /// Names of the witnesses whose cosignatures verified, with their times.
    pub cosigners: Vec<(String, u64)>,
}

impl Policy {
    /// A policy that trusts only the log's own signature.
    pub fn log_only(log_keys: Vec<Verifier>) -> Policy {
        Policy {
            origin: None,
            log_keys,
            witnesses: Vec::new(),
            quorum: 0,
        }
    }

    /// Parses a signed checkpoint and checks it against the policy.
    pub fn check(&self, signed: &str) -> Result<Trusted, PolicyError> {
        let note = Note::parse(signed)?;
        self.check_note(note)
    }

    pub fn check_note(&self, note: Note) -> Result<Trusted, PolicyError> {
        let checkpoint = Checkpoint::parse(&note.text)?;
        let log = VerifierSet::new(self.log_keys.clone());
        let ok = log.verify(&note).map_err(|e| match e {
            NoteError::NoKnownSignature => PolicyError::NoLogSignature,
            e => e.into(),
        })?;
        debug_assert!(!ok.is_empty());
        if let Some(origin) = &self.origin
            && *origin != checkpoint.origin
        {
            return Err(PolicyError::WrongOrigin {
                got: checkpoint.origin.clone(),
                want: origin.clone(),
            });
        }
        let mut cosigners: Vec<(String, u64)> = Vec::new();
        if !self.witnesses.is_empty() {
            let set = VerifierSet::new(self.witnesses.clone());
            match set.verify(&note) {
                Ok(v) => {
                    for w in v.into_iter().filter(|w| w.kind == KeyKind::CosignatureV1) {
                        if !cosigners.iter().any(|(n, _)| *n == w.name) {
                            cosigners.push((w.name, w.timestamp.unwrap_or(0)));
                        }
                    }
                }
                Err(NoteError::NoKnownSignature) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if cosigners.len() < self.quorum {
            return Err(PolicyError::NotEnoughWitnesses {
                want: self.quorum,
                got: cosigners.len(),
            });
        }
        Ok(Trusted {
            checkpoint,
            note,
            cosigners,
        })
    }
}
