//! The Merkle tree of RFC 9162 kept as *stored hashes*: the hash of every complete, aligned
//! subtree, numbered in the order an append-only writer produces them (the numbering of Go's
//! `sumdb/tlog`). Appending leaf `n` stores its leaf hash and then one hash for every subtree
//! that leaf completes, so about two hashes per leaf and never a rewrite.
//!
//! Tree heads and proofs for any size are computed from stored hashes alone. Each operation
//! first works out which stored hashes it needs (`*_indexes`), so a database can fetch them in
//! one query, then computes the answer from a [`HashReader`].
use crate::hash::{Hash, empty_root, leaf_hash, node_hash};
use std::collections::HashMap;

/// Errors from reading the tree or asking for an impossible range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("索引 {index} 不在大小为 {size} 的树中")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("一致性证明的范围无效：{from} → {to}")]
    BadRange { from: u64, to: u64 },
    #[error("存储中缺少哈希 {0}")]
    Missing(u64),
    #[error("读取哈希失败：{0}")]
    Storage(String),
}

/// Reads stored hashes by their index. Must return one hash per requested index, in order.
pub trait HashReader {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError>;
}

impl HashReader for HashMap<u64, Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        indexes
            .iter()
            .map(|i| self.get(i).copied().ok_or(TreeError::Missing(*i)))
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        indexes
            .iter()
            .map(|&i| self.get(i as usize).copied().ok_or(TreeError::Missing(i)))
            .collect()
    }
}

/// Index of the stored hash of the `n`th subtree of height `level` (level 0 = leaves).
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    // Level L's n'th hash is written right after level L+1's 2n+1'th hash; work down to level 0.
    let mut n = n;
    for _ in 0..level {
        n = 2 * n + 1;
    }
    // Level 0's n'th hash is written at n + n/2 + n/4 + ….
    let mut i = 0u64;
    while n > 0 {
        i += n;
        n >>= 1;
    }
    i + level as u64
}

/// Inverse of [`stored_hash_index`]: (level, n).
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // Find the leaf n0 whose hashes include `index`: the largest n0 with stored_hash_index(0,n0) <= index.
    let mut n = index / 2;
    let mut at = stored_hash_index(0, n);
    while at > index {
        n -= 1;
        at = stored_hash_index(0, n);
    }
    loop {
        let next = stored_hash_index(0, n + 1);
        if next > index {
            break;
        }
        n += 1;
        at = next;
    }
    // Hashes after leaf n0's: one per trailing one-bit of n0.
    let level = (index - at) as u32;
    (level, n >> level)
}

/// How many hashes a tree of `size` leaves has stored.
pub fn stored_hash_count(size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    let mut count = stored_hash_index(0, size - 1) + 1;
    let mut i = size - 1;
    while i & 1 != 0 {
        count += 1;
        i >>= 1;
    }
    count
}

/// The compact right edge of a tree: the hashes of its maximal complete subtrees, left to right
/// with strictly decreasing heights. Enough to append and to compute the root without reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// (level, hash), left to right.
    nodes: Vec<(u32, Hash)>,
}

impl Frontier {
    pub fn empty() -> Self {
        Frontier::default()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The stored-hash indexes that make up the frontier of a tree of `size` leaves.
    pub fn indexes(size: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            if size & (1u64 << level) != 0 {
                out.push(stored_hash_index(level, start >> level));
                start += 1u64 << level;
            }
        }
        out
    }

    /// Rebuilds the frontier of a tree of `size` leaves from its stored hashes.
    pub fn load(size: u64, reader: &impl HashReader) -> Result<Frontier, TreeError> {
        let idx = Frontier::indexes(size);
        let hashes = reader.read_hashes(&idx)?;
        let levels = (0..64u32).rev().filter(|l| size & (1u64 << l) != 0);
        Ok(Frontier {
            size,
            nodes: levels.zip(hashes).collect(),
        })
    }

    /// Appends one leaf entry; returns the stored hashes it adds with their indexes, in order.
    pub fn append(&mut self, entry: &[u8], out: &mut Vec<(u64, Hash)>) {
        self.append_hash(leaf_hash(entry), out)
    }

    /// Appends one leaf by its leaf hash.
    pub fn append_hash(&mut self, leaf: Hash, out: &mut Vec<(u64, Hash)>) {
        let n = self.size;
        out.push((stored_hash_index(0, n), leaf));
        let mut level = 0u32;
        let mut h = leaf;
        while let Some(&(l, left)) = self.nodes.last() {
            if l != level {
                break;
            }
            self.nodes.pop();
            h = node_hash(&left, &h);
            level += 1;
            out.push((stored_hash_index(level, n >> level), h));
        }
        self.nodes.push((level, h));
        self.size += 1;
    }

    /// The RFC 9162 root of the tree so far.
    pub fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        match it.next() {
            None => empty_root(),
            Some(&(_, last)) => it.fold(last, |acc, (_, left)| node_hash(left, &acc)),
        }
    }
}

/// Records which stored hashes a computation asks for, answering with placeholders.
struct Recorder(Vec<u64>);
/// Answers from hashes fetched in one batch.
struct Fetched(HashMap<u64, Hash>);

trait Lookup {
    fn get(&mut self, index: u64) -> Result<Hash, TreeError>;
}
impl Lookup for Recorder {
    fn get(&mut self, index: u64) -> Result<Hash, TreeError> {
        if !self.0.contains(&index) {
            self.0.push(index);
        }
        Ok([0; 32])
    }
}
impl Lookup for Fetched {
    fn get(&mut self, index: u64) -> Result<Hash, TreeError> {
        self.0.get(&index).copied().ok_or(TreeError::Missing(index))
    }
}

/// Largest power of two strictly below `n` (n > 1).
fn split_point(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// MTH(D[lo:hi]) for a range that RFC 9162's recursion produces: its left parts are always
/// complete aligned subtrees, so this reads at most one stored hash per level.
fn subtree(lo: u64, hi: u64, r: &mut impl Lookup) -> Result<Hash, TreeError> {
    let n = hi - lo;
    if n.is_power_of_two() {
        let level = n.trailing_zeros();
        return r.get(stored_hash_index(level, lo >> level));
    }
    let k = split_point(n);
    let left = subtree(lo, lo + k, r)?;
    let right = subtree(lo + k, hi, r)?;
    Ok(node_hash(&left, &right))
}

fn inclusion_path(
    m: u64,
    lo: u64,
    hi: u64,
    r: &mut impl Lookup,
    out: &mut Vec<Hash>,
) -> Result<(), TreeError> {
    if hi - lo <= 1 {
        return Ok(());
    }
    let k = split_point(hi - lo);
    if m < lo + k {
        inclusion_path(m, lo, lo + k, r, out)?;
        out.push(subtree(lo + k, hi, r)?);
    } else {
        inclusion_path(m, lo + k, hi, r, out)?;
        out.push(subtree(lo, lo + k, r)?);
    }
    Ok(())
}

fn consistency_path(
    m: u64,
    lo: u64,
    hi: u64,
    whole: bool,
    r: &mut impl Lookup,
    out: &mut Vec<Hash>,
) -> Result<(), TreeError> {
    if m == hi {
        if !whole {
            out.push(subtree(lo, hi, r)?);
        }
        return Ok(());
    }
    let k = split_point(hi - lo);
    if m <= lo + k {
        consistency_path(m, lo, lo + k, whole, r, out)?;
        out.push(subtree(lo + k, hi, r)?);
    } else {
        consistency_path(m, lo + k, hi, false, r, out)?;
        out.push(subtree(lo, lo + k, r)?);
    }
    Ok(())
}

/// Runs `f` once to learn the hashes it needs, fetches them in one batch, then runs it for real.
fn two_pass<T>(
    reader: &impl HashReader,
    f: impl Fn(&mut dyn FnMut(u64) -> Result<Hash, TreeError>) -> Result<T, TreeError>,
) -> Result<T, TreeError> {
    let idx = plan(&f)?;
    let hashes = reader.read_hashes(&idx)?;
    let mut fetched = Fetched(idx.into_iter().zip(hashes).collect());
    f(&mut |i| fetched.get(i))
}

fn plan<T>(
    f: &impl Fn(&mut dyn FnMut(u64) -> Result<Hash, TreeError>) -> Result<T, TreeError>,
) -> Result<Vec<u64>, TreeError> {
    let mut rec = Recorder(Vec::new());
    f(&mut |i| rec.get(i))?;
    Ok(rec.0)
}

struct Dyn<'a>(&'a mut dyn FnMut(u64) -> Result<Hash, TreeError>);
impl Lookup for Dyn<'_> {
    fn get(&mut self, index: u64) -> Result<Hash, TreeError> {
        (self.0)(index)
    }
}

fn root_with(
    size: u64,
    get: &mut dyn FnMut(u64) -> Result<Hash, TreeError>,
) -> Result<Hash, TreeError> {
    if size == 0 {
        return Ok(empty_root());
    }
    subtree(0, size, &mut Dyn(get))
}

fn inclusion_with(
    index: u64,
    size: u64,
    get: &mut dyn FnMut(u64) -> Result<Hash, TreeError>,
) -> Result<Vec<Hash>, TreeError> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let mut out = Vec::new();
    inclusion_path(index, 0, size, &mut Dyn(get), &mut out)?;
    Ok(out)
}

fn consistency_with(
    from: u64,
    to: u64,
    get: &mut dyn FnMut(u64) -> Result<Hash, TreeError>,
) -> Result<Vec<Hash>, TreeError> {
    if from > to {
        return Err(TreeError::BadRange { from, to });
    }
    let mut out = Vec::new();
    if from == 0 || from == to {
        return Ok(out);
    }
    consistency_path(from, 0, to, true, &mut Dyn(get), &mut out)?;
    Ok(out)
}

/// Stored hashes needed for the root of a tree of `size` leaves.
pub fn tree_hash_indexes(size: u64) -> Vec<u64> {
    plan(&|g: &mut dyn FnMut(u64) -> Result<Hash, TreeError>| root_with(size, g))
        .unwrap_or_default()
}

/// The RFC 9162 root of the first `size` leaves.
pub fn tree_hash(size: u64, reader: &impl HashReader) -> Result<Hash, TreeError> {
    two_pass(reader, |g| root_with(size, g))
}

/// Stored hashes needed for the inclusion proof of leaf `index` in a tree of `size`.
pub fn inclusion_indexes(index: u64, size: u64) -> Result<Vec<u64>, TreeError> {
    plan(&|g: &mut dyn FnMut(u64) -> Result<Hash, TreeError>| inclusion_with(index, size, g))
}

/// RFC 9162 §2.1.3.1 inclusion proof (audit path), leaf side first.
pub fn prove_inclusion(
    index: u64,
    size: u64,
    reader: &impl HashReader,
) -> Result<Vec<Hash>, TreeError> {
    two_pass(reader, |g| inclusion_with(index, size, g))
}

/// Stored hashes needed for the consistency proof from `from` to `to`.
pub fn consistency_indexes(from: u64, to: u64) -> Result<Vec<u64>, TreeError> {
    plan(&|g: &mut dyn FnMut(u64) -> Result<Hash, TreeError>| consistency_with(from, to, g))
}

/// RFC 9162 §2.1.4.1 consistency proof from size `from` to size `to`. Empty when `from` is 0
/// or equal to `to` (the empty tree is consistent with every tree; equal sizes need equal roots).
pub fn prove_consistency(
    from: u64,
    to: u64,
    reader: &impl HashReader,
) -> Result<Vec<Hash>, TreeError> {
    two_pass(reader, |g| consistency_with(from, to, g))
}

/// An in-memory tree: stored hashes and leaf entries in vectors. For tests, tools and
/// benchmarks; the store keeps the same hashes in the database.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    pub hashes: Vec<Hash>,
    frontier: Frontier,
    scratch: Vec<(u64, Hash)>,
}

impl MemoryTree {
    pub fn new() -> Self {
        MemoryTree::default()
    }

    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    pub fn append(&mut self, entry: &[u8]) {
        self.append_hash(leaf_hash(entry));
    }

    pub fn append_hash(&mut self, leaf: Hash) {
        self.scratch.clear();
        self.frontier.append_hash(leaf, &mut self.scratch);
        for &(i, h) in &self.scratch {
            debug_assert_eq!(i as usize, self.hashes.len());
            self.hashes.push(h);
        }
    }

    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    pub fn root_at(&self, size: u64) -> Result<Hash, TreeError> {
        tree_hash(size, &self.hashes)
    }

    pub fn prove_inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, TreeError> {
        prove_inclusion(index, size, &self.hashes)
    }

    pub fn prove_consistency(&self, from: u64, to: u64) -> Result<Vec<Hash>, TreeError> {
        prove_consistency(from, to, &self.hashes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::tests::hex;

    /// The eight leaves of transparency-dev/merkle `testonly/constants.go`.
    pub(crate) fn reference_leaves() -> Vec<Vec<u8>> {
        vec![
            vec![],
            vec![0x00],
            vec![0x10],
            vec![0x20, 0x21],
            vec![0x30, 0x31],
            vec![0x40, 0x41, 0x42, 0x43],
            vec![0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            (0x60..=0x6f).collect(),
        ]
    }

    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn roots_of_the_reference_tree_for_every_size() {
        let mut t = MemoryTree::new();
        assert_eq!(hex(&t.root()), ROOTS[0]);
        for (i, leaf) in reference_leaves().iter().enumerate() {
            t.append(leaf);
            assert_eq!(hex(&t.root()), ROOTS[i + 1], "size {}", i + 1);
        }
        for (size, want) in ROOTS.iter().enumerate() {
            assert_eq!(
                hex(&t.root_at(size as u64).unwrap()),
                *want,
                "root_at {size}"
            );
        }
    }

    #[test]
    fn stored_hash_numbering_matches_go_sumdb() {
        // sumdb/tlog: the first hashes are leaf 0, leaf 1, node(0,1), leaf 2, leaf 3, node, node…
        let want = [
            (0, 0),
            (0, 1),
            (1, 0),
            (0, 2),
            (0, 3),
            (1, 1),
            (2, 0),
            (0, 4),
        ];
        for (i, &(l, n)) in want.iter().enumerate() {
            assert_eq!(stored_hash_index(l, n), i as u64);
            assert_eq!(split_stored_hash_index(i as u64), (l, n));
        }
        for size in 0..300u64 {
            let mut t = MemoryTree::new();
            for i in 0..size {
                t.append(&i.to_be_bytes());
            }
            assert_eq!(t.hashes.len() as u64, stored_hash_count(size));
        }
        for i in 0..5000u64 {
            let (l, n) = split_stored_hash_index(i);
            assert_eq!(stored_hash_index(l, n), i);
        }
    }

    #[test]
    fn consistency_six_to_eight_matches_proofgen() {
        let mut t = MemoryTree::new();
        for leaf in reference_leaves() {
            t.append(&leaf);
        }
        let p = t.prove_consistency(6, 8).unwrap();
        let got: Vec<String> = p.iter().map(|h| hex(h)[..8].to_string()).collect();
        assert_eq!(got, ["0ebc5d34", "ca854ea1", "d37ee418"]);
    }

    #[test]
    fn frontier_reload_gives_same_root_and_continues() {
        let mut t = MemoryTree::new();
        for i in 0..1000u32 {
            t.append(&i.to_be_bytes());
            let f = Frontier::load(t.size(), &t.hashes).unwrap();
            assert_eq!(f.root(), t.root());
        }
        let mut f = Frontier::load(1000, &t.hashes).unwrap();
        let mut out = Vec::new();
        f.append(b"next", &mut out);
        t.append(b"next");
        assert_eq!(f.root(), t.root());
        assert_eq!(out.last().unwrap().0 as usize, t.hashes.len() - 1);
    }

    #[test]
    fn proofs_out_of_range_are_refused() {
        let mut t = MemoryTree::new();
        t.append(b"a");
        assert!(matches!(
            t.prove_inclusion(1, 1),
            Err(TreeError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            t.prove_consistency(2, 1),
            Err(TreeError::BadRange { .. })
        ));
        assert!(matches!(
            t.prove_inclusion(0, 2),
            Err(TreeError::Missing(_))
        ));
    }
}
