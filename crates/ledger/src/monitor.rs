//! Following a log: every new checkpoint must extend the last one seen. Two checkpoints of the
//! same size with different roots, or a larger one that does not extend a smaller one, are two
//! views of history (a fork).
use crate::checkpoint::Checkpoint;
use crate::hash::Hash;
use crate::proof::verify_consistency;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// Nothing seen before: the checkpoint is the starting point.
    First,
    /// Same size, same root.
    Unchanged,
    /// A consistent extension from the previous size.
    Grew { from: u64, to: u64 },
    /// An older checkpoint than the last seen, consistent with it (a lagging server).
    Stale { size: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fork {
    #[error("分叉：同一大小 {size} 有两个不同的根")]
    SplitView { size: u64 },
    #[error("分叉：大小 {from} → {to} 的一致性证明无效（{reason}）")]
    Inconsistent { from: u64, to: u64, reason: String },
    #[error("检查点来源改变：{0}")]
    OriginChanged(String),
}

/// Checks `new` against `prev`. `proof` is the consistency proof between the smaller and the
/// larger of the two sizes.
pub fn observe(
    prev: Option<&Checkpoint>,
    new: &Checkpoint,
    proof: &[Hash],
) -> Result<Observation, Fork> {
    let Some(prev) = prev else {
        return Ok(Observation::First);
    };
    if prev.origin != new.origin {
        return Err(Fork::OriginChanged(new.origin.clone()));
    }
    if new.size == prev.size {
        return if new.root == prev.root {
            Ok(Observation::Unchanged)
        } else {
            Err(Fork::SplitView { size: new.size })
        };
    }
    let (a, b) = if new.size > prev.size {
        (prev, new)
    } else {
        (new, prev)
    };
    if a.size > 0 {
        verify_consistency(a.size, b.size, proof, &a.root, &b.root).map_err(|e| {
            Fork::Inconsistent {
                from: a.size,
                to: b.size,
                reason: e.to_string(),
            }
        })?;
    }
    Ok(if new.size > prev.size {
        Observation::Grew {
            from: prev.size,
            to: new.size,
        }
    } else {
        Observation::Stale { size: new.size }
    })
}
