//! RFC 9162 proof verification (§2.1.3.2 inclusion, §2.1.4.2 consistency), in the closed form of
//! transparency-dev/merkle `proof/verify.go`. Every hash must be exactly 32 bytes: a verifier
//! that compares whatever lengths it is given accepts an empty leaf against an empty root.
use crate::hash::{Hash, node_hash};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("{what}不是 32 字节的 SHA-256 哈希")]
    BadHashLength { what: &'static str },
    #[error("叶索引 {index} 不小于树大小 {size}")]
    IndexBeyondSize { index: u64, size: u64 },
    #[error("证明长度错误：应有 {want} 个哈希，实有 {got} 个")]
    WrongLength { want: usize, got: usize },
    #[error("根哈希不符：证明算出的根与给定的根不同")]
    RootMismatch,
    #[error("第一棵树的根哈希不符")]
    Root1Mismatch,
    #[error("第二棵树的根哈希不符")]
    Root2Mismatch,
    #[error("较新的树（{size2}）小于较旧的树（{size1}）")]
    SizesReversed { size1: u64, size2: u64 },
    #[error("两棵树大小相同，证明应为空且根相同")]
    EqualSizes,
    #[error("从空树出发的一致性证明没有意义")]
    FromEmpty,
    #[error("一致性证明为空")]
    EmptyProof,
}

fn as_hash(b: &[u8], what: &'static str) -> Result<Hash, ProofError> {
    b.try_into().map_err(|_| ProofError::BadHashLength { what })
}

fn as_hashes<T: AsRef<[u8]>>(proof: &[T]) -> Result<Vec<Hash>, ProofError> {
    proof
        .iter()
        .map(|p| as_hash(p.as_ref(), "证明中的元素"))
        .collect()
}

/// (inner, border): how many proof hashes lie below the point where the leaf's path meets the
/// right edge of the tree, and how many lie on that edge.
fn decompose(index: u64, size: u64) -> (usize, usize) {
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    (inner, border)
}

fn chain_inner(mut seed: Hash, proof: &[Hash], index: u64) -> Hash {
    for (i, h) in proof.iter().enumerate() {
        seed = if (index >> i) & 1 == 0 {
            node_hash(&seed, h)
        } else {
            node_hash(h, &seed)
        };
    }
    seed
}

fn chain_inner_right(mut seed: Hash, proof: &[Hash], index: u64) -> Hash {
    for (i, h) in proof.iter().enumerate() {
        if (index >> i) & 1 == 1 {
            seed = node_hash(h, &seed);
        }
    }
    seed
}

fn chain_border_right(mut seed: Hash, proof: &[Hash]) -> Hash {
    for h in proof {
        seed = node_hash(h, &seed);
    }
    seed
}

/// The root that an inclusion proof leads to.
pub fn root_from_inclusion<T: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[T],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexBeyondSize { index, size });
    }
    let leaf = as_hash(leaf_hash, "叶哈希")?;
    let proof = as_hashes(proof)?;
    let (inner, border) = decompose(index, size);
    if proof.len() != inner + border {
        return Err(ProofError::WrongLength {
            want: inner + border,
            got: proof.len(),
        });
    }
    let r = chain_inner(leaf, &proof[..inner], index);
    Ok(chain_border_right(r, &proof[inner..]))
}

/// Checks that the leaf with `leaf_hash` is at `index` in the tree of `size` with `root`.
pub fn verify_inclusion<T: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[T],
    root: &[u8],
) -> Result<(), ProofError> {
    let root = as_hash(root, "根哈希")?;
    let got = root_from_inclusion(index, size, leaf_hash, proof)?;
    if got != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `size2` with `root2` extends the tree of `size1` with `root1`.
/// A proof from size 0 is refused here (it proves nothing); callers that accept "old 0", such
/// as a witness, handle that case before calling.
pub fn verify_consistency<T: AsRef<[u8]>>(
    size1: u64,
    size2: u64,
    proof: &[T],
    root1: &[u8],
    root2: &[u8],
) -> Result<(), ProofError> {
    let r1 = as_hash(root1, "第一棵树的根哈希")?;
    let r2 = as_hash(root2, "第二棵树的根哈希")?;
    let proof = as_hashes(proof)?;
    if size2 < size1 {
        return Err(ProofError::SizesReversed { size1, size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() || r1 != r2 {
            return Err(ProofError::EqualSizes);
        }
        return Ok(());
    }
    if size1 == 0 {
        return Err(ProofError::FromEmpty);
    }
    if proof.is_empty() {
        return Err(ProofError::EmptyProof);
    }
    let (inner, border) = decompose(size1 - 1, size2);
    let shift = size1.trailing_zeros() as usize;
    let inner = inner - shift;
    // The proof starts with the root of the subtree of size 2^shift, unless size1 is exactly that.
    let (seed, rest) = if size1 == 1u64 << shift {
        (r1, &proof[..])
    } else {
        (proof[0], &proof[1..])
    };
    let start = proof.len() - rest.len();
    if rest.len() != inner + border {
        return Err(ProofError::WrongLength {
            want: start + inner + border,
            got: proof.len(),
        });
    }
    let mask = (size1 - 1) >> shift;
    let h1 = chain_border_right(
        chain_inner_right(seed, &rest[..inner], mask),
        &rest[inner..],
    );
    if h1 != r1 {
        return Err(ProofError::Root1Mismatch);
    }
    let h2 = chain_border_right(chain_inner(seed, &rest[..inner], mask), &rest[inner..]);
    if h2 != r2 {
        return Err(ProofError::Root2Mismatch);
    }
    Ok(())
}

pub const MAX_PROOF_LEN: usize = 64;
