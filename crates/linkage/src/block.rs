//! Blocking: which pairs of person records are worth scoring. Comparing every record with every
//! other is quadratic; records that share at least one blocking key — the same resident ID, the
//! same phone, the same surname reading and birth date, the same court case number — are the
//! candidates (reference §4.2 item 7 and §7). Keys are hashed with a secret key before they
//! leave the caller (reference §5.2: a plain hash of an ID is reversible by enumeration).
use crate::fs::Ymd;
use crate::normalise::NameKey;
use hmac::{KeyInit, Mac};
use sha2::Sha256;
use std::collections::HashMap;

/// The fields blocking looks at, already normalised (`normalise::resident_id`, `phone`,
/// `case_number`, `NameKey::new`).
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonFields<'a> {
    pub name: Option<&'a NameKey>,
    pub birth: Option<Ymd>,
    pub resident_id: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub case_number: Option<&'a str>,
}

/// One blocking key, before hashing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BlockKey {
    ResidentId(String),
    Phone(String),
    /// Surname and given name readings (toneless pinyin) with the birth date: catches
    /// homophone typos and missing or mistyped IDs.
    ReadingBirth(String),
    /// The same court case number: one matter, whoever the person is.
    CaseNumber(String),
}

impl BlockKey {
    /// The key's domain-separated text, what is hashed.
    fn text(&self) -> String {
        match self {
            BlockKey::ResidentId(v) => format!("v1|id|{v}"),
            BlockKey::Phone(v) => format!("v1|phone|{v}"),
            BlockKey::ReadingBirth(v) => format!("v1|reading-birth|{v}"),
            BlockKey::CaseNumber(v) => format!("v1|case|{v}"),
        }
    }

    /// HMAC-SHA256 of the key under `secret`: what an index stores.
    pub fn hashed(&self, secret: &[u8]) -> [u8; 32] {
        let mut m =
            <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key");
        m.update(self.text().as_bytes());
        m.finalize().into_bytes().into()
    }
}

/// A record's blocking keys (none for a field that is missing).
pub fn keys(p: &PersonFields) -> Vec<BlockKey> {
    let mut out = Vec::with_capacity(4);
    if let Some(id) = p.resident_id.filter(|v| !v.is_empty()) {
        out.push(BlockKey::ResidentId(id.to_string()));
    }
    if let Some(phone) = p.phone.filter(|v| !v.is_empty()) {
        out.push(BlockKey::Phone(phone.to_string()));
    }
    if let (Some(name), Some(b)) = (p.name, p.birth)
        && !name.pinyin_key().is_empty()
    {
        out.push(BlockKey::ReadingBirth(format!(
            "{}|{:04}{:02}{:02}",
            name.pinyin_key(),
            b.year,
            b.month,
            b.day
        )));
    }
    if let Some(c) = p.case_number.filter(|v| !v.is_empty()) {
        out.push(BlockKey::CaseNumber(c.to_string()));
    }
    out
}

/// What candidate generation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockStats {
    pub blocks: usize,
    /// Blocks larger than the cap, left out (a key shared by too many records says little and
    /// would make the work quadratic again); counted so the caller can report them.
    pub oversized: usize,
    pub pairs: usize,
}

/// Every pair `(i, j)`, `i < j`, of records (by position) sharing at least one key, each pair
/// once, in ascending order. Blocks with more than `max_block` records are skipped.
pub fn candidate_pairs<K: std::hash::Hash + Eq>(
    records: &[Vec<K>],
    max_block: usize,
) -> (Vec<(u32, u32)>, BlockStats) {
    let mut index: HashMap<&K, Vec<u32>> = HashMap::new();
    for (i, ks) in records.iter().enumerate() {
        for k in ks {
            let v = index.entry(k).or_default();
            if v.last() != Some(&(i as u32)) {
                v.push(i as u32);
            }
        }
    }
    let mut stats = BlockStats {
        blocks: index.len(),
        ..Default::default()
    };
    let mut pairs = Vec::new();
    for members in index.values() {
        if members.len() > max_block {
            stats.oversized += 1;
            continue;
        }
        for (a, &i) in members.iter().enumerate() {
            for &j in &members[a + 1..] {
                pairs.push((i, j));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    stats.pairs = pairs.len();
    (pairs, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person<'a>(name: &'a NameKey, birth: &str, id: Option<&'a str>) -> PersonFields<'a> {
        PersonFields {
            name: Some(name),
            birth: Ymd::parse(birth),
            resident_id: id,
            ..Default::default()
        }
    }

    #[test]
    fn shared_keys_make_candidates_and_nothing_else_does() {
        let wang = NameKey::new("王芳").unwrap();
        let wang_typo = NameKey::new("王方").unwrap();
        let li = NameKey::new("李丽").unwrap();
        let records = [
            keys(&person(&wang, "1980-05-03", Some("11010519800503002X"))),
            // A homophone typo and no ID: found through reading + birth date.
            keys(&person(&wang_typo, "19800503", None)),
            // Same ID, different name spelling.
            keys(&person(&li, "1990-01-01", Some("11010519800503002X"))),
            keys(&person(&li, "1991-01-01", None)),
        ];
        let (pairs, stats) = candidate_pairs(&records, 100);
        assert_eq!(pairs, vec![(0, 1), (0, 2)]);
        assert_eq!(stats.pairs, 2);
        assert_eq!(stats.oversized, 0);
        // A block over the cap is skipped and counted.
        let crowd: Vec<Vec<BlockKey>> = (0..5)
            .map(|_| vec![BlockKey::Phone("13800000000".into())])
            .collect();
        let (pairs, stats) = candidate_pairs(&crowd, 4);
        assert!(pairs.is_empty());
        assert_eq!(stats.oversized, 1);
        let (pairs, _) = candidate_pairs(&crowd, 5);
        assert_eq!(pairs.len(), 10);
    }

    #[test]
    fn hashed_keys_depend_on_the_secret_and_the_kind() {
        let id = BlockKey::ResidentId("11010519800503002X".into());
        assert_eq!(id.hashed(b"k1"), id.hashed(b"k1"));
        assert_ne!(id.hashed(b"k1"), id.hashed(b"k2"));
        let phone = BlockKey::Phone("11010519800503002X".into());
        assert_ne!(id.hashed(b"k1"), phone.hashed(b"k1"));
    }
}
