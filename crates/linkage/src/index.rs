//! The online person index: every examined person of every case, searchable while a clerk
//! enters a commission. Pure and in memory: the server fills it from the database at start-up
//! and adds each new person as cases arrive.
//!
//! Compact by design (target ≤ 200 bytes per person at 10 million): identity numbers are held
//! only as keyed hashes (the whole number and its four "one part left out" forms, so a single
//! mistyped digit is still found); names as normalised UTF-8 in one arena; postings as two
//! parallel sorted arrays (a 64-bit key and a 32-bit slot, 12 bytes) plus a small unsorted tail
//! for recent additions, merged when it grows. Persons are clusters of records linked at or
//! above the link threshold, named by their oldest record (so an ID never changes when records
//! join), and a new record that links two persons reports the merge.
use std::collections::HashMap;

use crate::fs::{Model, Scored, Scorer, probability_from_weight, score};
use crate::normalise::{NameKey, compare_names};
use crate::person::{KeyHasher, Layout, Person, RawPerson, blocking_keys, name_level_index};

/// Tunable numbers of the index, with documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexOptions {
    /// Postings of one key beyond this are not scored (a full name shared by thousands says
    /// little); the query reports how many keys were skipped. Default 500.
    pub max_block: usize,
    /// Unsorted postings kept before they are merged into the sorted arrays (or a 32nd of
    /// the sorted postings, if more). Default 65,536.
    pub tail_limit: usize,
    /// Records at or above this probability are the same person. Default 0.9.
    pub link_threshold: f64,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            max_block: 500,
            tail_limit: 1 << 16,
            link_threshold: 0.9,
        }
    }
}

/// The fields the online model compares: the name and the identity number. (The birth date is
/// part of the identity number, so comparing both would count it twice; it is used for
/// blocking.)
pub fn online_layout() -> Layout {
    Layout {
        id_number: true,
        ..Layout::default()
    }
}

/// The default online model (`data/online_model.json`): trained without labels on a synthetic
/// population, as its notes say; a deployment replaces it with one trained on its own records.
pub fn default_online_model() -> Model {
    Model::from_json(include_str!("../data/online_model.json"))
        .expect("the bundled online model is valid")
}

/// One indexed record. 48 bytes.
#[derive(Debug, Clone, Copy)]
struct Slot {
    record: u64,
    case_id: u64,
    id_key: u64,
    /// The low 32 bits of the four quarter keys (enough to tell "one part differs").
    quarters: [u32; 4],
    name_offset: u32,
    name_len: u16,
    has_id: bool,
    /// The identity number's check character holds.
    id_valid: bool,
}

/// A scored record, before its explanation is built.
#[derive(Debug, Clone, Copy)]
struct Hit {
    slot: u32,
    probability: f64,
    gamma: [u8; 2],
    same_name: bool,
}

/// A candidate found for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub record: u64,
    pub case_id: u64,
    /// The person (cluster) the record belongs to: its oldest record.
    pub person: u64,
    pub probability: f64,
    pub scored: Scored,
}

/// What a query did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryReport {
    pub keys: usize,
    pub skipped_keys: usize,
    pub compared: usize,
}

/// A merge of persons caused by an addition: `absorbed` now belong to `kept` (the oldest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub kept: u64,
    pub absorbed: Vec<u64>,
}

/// The outcome of adding one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    pub person: u64,
    pub merge: Option<Merge>,
}

#[derive(Debug)]
pub struct PersonIndex {
    hasher: KeyHasher,
    model: Model,
    opts: IndexOptions,
    slots: Vec<Slot>,
    names: Vec<u8>,
    /// Union–find parent per slot; a root is the oldest (smallest) slot of its person.
    parent: Vec<u32>,
    keys: Vec<u64>,
    values: Vec<u32>,
    /// Bucket starts into `keys` by the top `dir_bits` bits of the key (empty below 1,024
    /// postings).
    dir: Vec<u32>,
    dir_bits: u32,
    tail: HashMap<u64, Vec<u32>>,
    tail_len: usize,
}

/// Why a model cannot serve the index.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("在线索引的模型应比较“姓名、身份号码”两个字段，而此模型比较：{0}")]
pub struct WrongModel(String);

impl PersonIndex {
    pub fn new(hasher: KeyHasher, model: Model, opts: IndexOptions) -> Result<Self, WrongModel> {
        if model.settings != online_layout().settings() {
            return Err(WrongModel(
                model
                    .settings
                    .fields
                    .iter()
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>()
                    .join("、"),
            ));
        }
        Ok(PersonIndex {
            hasher,
            model,
            opts,
            slots: Vec::new(),
            names: Vec::new(),
            parent: Vec::new(),
            keys: Vec::new(),
            values: Vec::new(),
            dir: Vec::new(),
            dir_bits: 0,
            tail: HashMap::new(),
            tail_len: 0,
        })
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Bytes held on the heap (capacities, not lengths: what the process really pays).
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.names.capacity()
            + self.parent.capacity() * 4
            + self.keys.capacity() * 8
            + self.values.capacity() * 4
            + self.dir.capacity() * 4
            + self.tail.capacity() * (8 + std::mem::size_of::<Vec<u32>>() + 1)
            + self.tail.values().map(|v| v.capacity() * 4).sum::<usize>()
    }

    /// Reserve room for `n` more records (a rebuild knows its count).
    pub fn reserve(&mut self, n: usize) {
        self.slots.reserve_exact(n);
        self.parent.reserve_exact(n);
        self.names.reserve_exact(n * 8);
        self.keys.reserve_exact(n * 8);
        self.values.reserve_exact(n * 8);
    }

    /// The record as the index sees it; a value that cannot be read counts as missing, so an
    /// unreadable identity number does not cost the name.
    fn prepare(name: &str, id_number: Option<&str>) -> Person {
        let raw = |id_number| RawPerson {
            name: Some(name),
            id_number,
            ..RawPerson::default()
        };
        let layout = online_layout();
        Person::prepare(&layout, &raw(id_number))
            .or_else(|_| Person::prepare(&layout, &raw(None)))
            .unwrap_or_default()
    }

    /// A record's blocking keys, and the full name alone: always for indexing (how a query
    /// without an identity number finds anyone of that name), for a query only when it has no
    /// identity number (with one, the name keys that carry the birth date are enough).
    fn keys(&self, p: &Person, full_name: bool) -> Vec<u64> {
        let mut ks = Vec::with_capacity(10);
        blocking_keys(&self.hasher, p, &mut ks);
        if full_name && let Some(n) = &p.name {
            ks.push(self.hasher.full_name(n));
        }
        ks
    }

    /// The range of `key` in the sorted postings: the directory narrows it to the key's bucket
    /// (one or two cache misses instead of a binary search over the whole array).
    fn sorted_range(&self, key: u64) -> std::ops::Range<usize> {
        let (mut lo, mut hi) = (0, self.keys.len());
        if self.dir_bits > 0 {
            let b = (key >> (64 - self.dir_bits)) as usize;
            lo = self.dir[b] as usize;
            hi = self.dir[b + 1] as usize;
        }
        let bucket = &self.keys[lo..hi];
        let start = bucket.partition_point(|&k| k < key);
        let end = start + bucket[start..].partition_point(|&k| k == key);
        lo + start..lo + end
    }

    fn postings(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        self.values[self.sorted_range(key)]
            .iter()
            .copied()
            .chain(self.tail.get(&key).into_iter().flatten().copied())
    }

    fn posting_count(&self, key: u64) -> usize {
        self.sorted_range(key).len() + self.tail.get(&key).map_or(0, Vec::len)
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn find_ro(&self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            x = self.parent[x as usize];
        }
        x
    }

    fn slot_name(&self, s: &Slot) -> &str {
        let start = s.name_offset as usize;
        std::str::from_utf8(&self.names[start..start + usize::from(s.name_len)]).unwrap_or("")
    }

    /// Score the query against every record sharing a key with it; the best first. Records of
    /// `exclude_case` are left out. Light results (slot, probability, comparison vector and
    /// whether the names are identical); explanations are built only for what is returned.
    fn search(&self, p: &Person, exclude_case: Option<u64>) -> (Vec<Hit>, QueryReport) {
        let keys = self.keys(p, p.id_number.is_none());
        let mut report = QueryReport {
            keys: keys.len(),
            ..QueryReport::default()
        };
        let mut seen: Vec<u32> = Vec::new();
        for &k in &keys {
            if self.posting_count(k) > self.opts.max_block {
                report.skipped_keys += 1;
                continue;
            }
            seen.extend(self.postings(k));
        }
        seen.sort_unstable();
        seen.dedup();
        let (id_key, quarters) = match p.id_number.as_deref() {
            Some(id) => (Some(self.hasher.id_number(id)), self.quarters(id)),
            None => (None, [0; 4]),
        };
        let scorer = Scorer::new(&self.model);
        let mut out = Vec::new();
        for slot in seen {
            let s = &self.slots[slot as usize];
            if Some(s.case_id) == exclude_case {
                continue;
            }
            report.compared += 1;
            let other = NameKey::from_normalised(self.slot_name(s));
            let name_level = name_level_index(compare_names(p.name.as_ref(), other.as_ref()));
            use crate::fs::compare::resident_id_level as level;
            let id_level = match (id_key, s.has_id) {
                (Some(k), true) if k == s.id_key => level::EXACT,
                // Two valid numbers that differ were issued to two people, however close
                // (twins' numbers differ only in the sequence and check characters).
                (Some(_), true) if p.id_valid && s.id_valid => level::BOTH_VALID_DIFFERENT,
                (Some(_), true) => {
                    // Numbers that differ within one part share exactly the key that leaves
                    // that part out (the nearest the hashes come to "one character differs").
                    let same = quarters.iter().zip(&s.quarters).filter(|(a, b)| a == b);
                    if same.count() == 1 {
                        level::ONE_CHAR_DIFFERENT
                    } else {
                        level::DIFFERENT
                    }
                }
                _ => level::MISSING,
            };
            let gamma = [name_level, id_level];
            let shared = match (&p.name, &other) {
                (Some(a), Some(b)) if a.full() == b.full() => Some(a.full()),
                _ => None,
            };
            let probability = probability_from_weight(scorer.weight_tf(&gamma, &[shared]));
            out.push(Hit {
                slot,
                probability,
                gamma,
                same_name: shared.is_some(),
            });
        }
        out.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then(a.slot.cmp(&b.slot))
        });
        (out, report)
    }

    /// Candidates for a person being entered (name and, if known, resident ID in clear; neither
    /// is kept), best first, at most `limit`, at or above `min_probability`, each with its
    /// explanation.
    pub fn query(
        &self,
        name: &str,
        id_number: Option<&str>,
        exclude_case: Option<u64>,
        min_probability: f64,
        limit: usize,
    ) -> (Vec<Candidate>, QueryReport) {
        let p = Self::prepare(name, id_number);
        let (hits, r) = self.search(&p, exclude_case);
        let shared = p.name.as_ref().map(|n| n.full());
        let out = hits
            .into_iter()
            .filter(|h| h.probability >= min_probability)
            .take(limit)
            .filter_map(|h| {
                let s = &self.slots[h.slot as usize];
                let tf = if h.same_name { shared } else { None };
                let scored = score(&self.model, &h.gamma, &[tf]).ok()?;
                Some(Candidate {
                    record: s.record,
                    case_id: s.case_id,
                    person: self.slots[self.find_ro(h.slot) as usize].record,
                    probability: scored.probability,
                    scored,
                })
            })
            .collect();
        (out, r)
    }

    /// Add one record (records must come in ascending `record` order, as the database numbers
    /// them, so the oldest record of a person is its smallest). Links it to the persons it
    /// matches at or above the link threshold.
    /// The low 32 bits of the quarter keys of an 18-character number (none for a malformed
    /// one, which is compared whole).
    fn quarters(&self, id: &str) -> [u32; 4] {
        if id.len() == 18 && id.is_ascii() {
            self.hasher.id_quarters(id).map(|q| q as u32)
        } else {
            [0; 4]
        }
    }

    pub fn add(&mut self, record: u64, case_id: u64, name: &str, id_number: Option<&str>) -> Added {
        let p = Self::prepare(name, id_number);
        let (found, _) = self.search(&p, None);
        let slot = self.slots.len() as u32;
        let normalised = p.name.as_ref().map_or("", |n| n.full());
        let name_offset = self.names.len() as u32;
        let name_bytes = &normalised.as_bytes()[..normalised.len().min(u16::MAX as usize)];
        self.names.extend_from_slice(name_bytes);
        let (id_key, quarters, has_id) = match p.id_number.as_deref() {
            Some(id) => (self.hasher.id_number(id), self.quarters(id), true),
            None => (0, [0; 4], false),
        };
        self.slots.push(Slot {
            record,
            case_id,
            id_key,
            quarters,
            name_offset,
            name_len: name_bytes.len() as u16,
            has_id,
            id_valid: p.id_valid,
        });
        self.parent.push(slot);
        for k in self.keys(&p, true) {
            self.tail.entry(k).or_default().push(slot);
            self.tail_len += 1;
        }
        // Merge when the tail reaches a thirty-second of the sorted postings (at least the
        // configured limit): merges grow geometrically, so adding n records costs O(n log n).
        if self.tail_len >= self.opts.tail_limit.max(self.keys.len() / 32) {
            self.compact();
        }

        // Link: the persons of every candidate at or above the threshold join; the oldest root
        // wins (roots are the smallest slots).
        let mut roots: Vec<u32> = Vec::new();
        let threshold = self.opts.link_threshold;
        for h in found.iter().filter(|h| h.probability >= threshold) {
            let r = self.find(h.slot);
            roots.push(r);
        }
        roots.sort_unstable();
        roots.dedup();
        let merge = (roots.len() > 1).then(|| Merge {
            kept: self.slots[roots[0] as usize].record,
            absorbed: roots[1..]
                .iter()
                .map(|&r| self.slots[r as usize].record)
                .collect(),
        });
        if let Some(&oldest) = roots.first() {
            for &r in &roots {
                self.parent[r as usize] = oldest;
            }
            self.parent[slot as usize] = oldest;
        }
        let root = self.find(slot);
        Added {
            person: self.slots[root as usize].record,
            merge,
        }
    }

    /// Merge the unsorted tail into the sorted postings.
    pub fn compact(&mut self) {
        if self.tail.is_empty() {
            return;
        }
        let mut fresh: Vec<(u64, u32)> = Vec::with_capacity(self.tail_len);
        for (k, v) in self.tail.drain() {
            fresh.extend(v.into_iter().map(|s| (k, s)));
        }
        self.tail_len = 0;
        fresh.sort_unstable();
        let old_keys = std::mem::take(&mut self.keys);
        let old_values = std::mem::take(&mut self.values);
        let total = old_keys.len() + fresh.len();
        let mut keys = Vec::with_capacity(total);
        let mut values = Vec::with_capacity(total);
        let (mut i, mut j) = (0, 0);
        while i < old_keys.len() || j < fresh.len() {
            let take_old = j == fresh.len()
                || (i < old_keys.len() && (old_keys[i], old_values[i]) <= fresh[j]);
            if take_old {
                keys.push(old_keys[i]);
                values.push(old_values[i]);
                i += 1;
            } else {
                keys.push(fresh[j].0);
                values.push(fresh[j].1);
                j += 1;
            }
        }
        self.keys = keys;
        self.values = values;
        // A directory of about one bucket per four postings: the start of each bucket of keys
        // sharing their top `dir_bits` bits (4 bytes per bucket, 1 byte per posting).
        let bits = (self.keys.len() / 4).max(1).ilog2().min(32);
        self.dir_bits = if self.keys.len() < 1024 { 0 } else { bits };
        self.dir.clear();
        if self.dir_bits > 0 {
            let buckets = 1usize << self.dir_bits;
            self.dir.reserve_exact(buckets + 1);
            let mut i = 0;
            for b in 0..buckets {
                while i < self.keys.len() && ((self.keys[i] >> (64 - self.dir_bits)) as usize) < b {
                    i += 1;
                }
                self.dir.push(i as u32);
            }
            self.dir.push(self.keys.len() as u32);
            self.dir.shrink_to_fit();
        }
    }

    /// The person (oldest record) a record belongs to.
    pub fn person_of(&mut self, record: u64) -> Option<u64> {
        let slot = self
            .slots
            .binary_search_by_key(&record, |s| s.record)
            .ok()?;
        let root = self.find(slot as u32);
        Some(self.slots[root as usize].record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Model;

    /// A hand-set model over (name, ID): the shape a trained one has.
    pub(crate) fn model() -> Model {
        let mut m = Model::initial(online_layout().settings(), 1e-6);
        // 姓名: exact, homophone, shape, transposed, one missing, initials, same surname,
        // different, missing.
        m.m[0] = vec![0.85, 0.05, 0.03, 0.02, 0.02, 0.01, 0.01, 0.01, 1.0];
        m.u[0] = vec![
            0.0005, 0.0002, 0.0001, 0.0001, 0.0005, 0.0001, 0.05, 0.9486, 1.0,
        ];
        // 身份号码: exact, one char, transposed, different, missing.
        m.m[1] = vec![0.9, 0.06, 0.02, 0.02, 1.0];
        m.u[1] = vec![1e-7, 1e-6, 1e-7, 0.9999988, 1.0];
        m
    }

    fn index() -> PersonIndex {
        PersonIndex::new(
            KeyHasher::new([3; 16]),
            model(),
            IndexOptions {
                tail_limit: 4,
                ..IndexOptions::default()
            },
        )
        .unwrap()
    }

    const ID: &str = "110105198005030022";

    #[test]
    fn finds_typos_and_links_persons() {
        let mut ix = index();
        assert_eq!(ix.add(1, 10, "王芳", Some(ID)).person, 1);
        assert_eq!(ix.add(2, 11, "李丽", Some("330106199001011234")).person, 2);
        // Same ID, homophone name: the same person.
        assert_eq!(ix.add(3, 12, "王方", Some(ID)).person, 1);
        // One mistyped digit, traditional form of the name.
        let (c, r) = ix.query("王芳", Some("110105198005030922"), None, 0.5, 10);
        assert!(r.keys >= 5);
        assert_eq!(c.len(), 2, "{c:?}");
        assert!(c.iter().all(|c| c.person == 1));
        assert_eq!(c[0].record, 1, "exact name ranks first");
        assert_eq!(c[0].scored.contributions[1].level_label, "相差一个字符");
        // Without an ID: found by name alone, with a lower probability.
        let (c, _) = ix.query("王芳", None, None, 0.0, 10);
        assert_eq!(c.first().map(|c| c.record), Some(1));
        // Excluding the query's own case.
        let (c, _) = ix.query("王芳", Some(ID), Some(10), 0.5, 10);
        assert!(c.iter().all(|c| c.case_id != 10));
        // Strangers are not candidates.
        let (c, _) = ix.query("赵磊", Some("440106197001012345"), None, 0.0, 10);
        assert!(c.is_empty());
    }

    #[test]
    fn a_record_that_links_two_persons_merges_them_keeping_the_oldest() {
        let mut ix = index();
        // Two records of one person that did not link: their numbers differ in two parts
        // (region and sequence), too far apart to be one typo.
        ix.add(5, 1, "张晓明", Some("110105198005030022"));
        ix.add(7, 2, "张晓明", Some("330106198005030123"));
        assert_eq!(ix.person_of(7), Some(7));
        // A third record one part away from each links both.
        let added = ix.add(9, 3, "张晓明", Some("110105198005030123"));
        assert_eq!(
            added.merge,
            Some(Merge {
                kept: 5,
                absorbed: vec![7]
            })
        );
        assert_eq!(added.person, 5);
        assert_eq!(ix.person_of(7), Some(5));
        assert_eq!(ix.person_of(9), Some(5));
    }

    #[test]
    fn compaction_keeps_every_posting() {
        let mut ix = index();
        for i in 0..50u64 {
            ix.add(i, i, "王芳", None);
        }
        ix.compact();
        let (c, r) = ix.query("王芳", None, None, 0.0, 100);
        assert_eq!(r.skipped_keys, 0);
        assert_eq!(c.len(), 50);
        assert!(ix.heap_bytes() > 0);
    }

    #[test]
    fn the_directory_finds_what_a_plain_search_finds() {
        let mut ix = index();
        let people = crate::synth::generate(&crate::synth::Params {
            people: 3000,
            ..Default::default()
        });
        for (i, r) in people.iter().enumerate() {
            let id = (!r.id_number.is_empty()).then_some(r.id_number.as_str());
            ix.add(i as u64, i as u64, &r.name, id);
        }
        ix.compact();
        assert!(ix.dir_bits > 0, "{} postings", ix.keys.len());
        for (n, &k) in ix.keys.iter().enumerate().step_by(7) {
            let r = ix.sorted_range(k);
            assert!(r.contains(&n));
            let lo = ix.keys.partition_point(|&x| x < k);
            let hi = ix.keys.partition_point(|&x| x <= k);
            assert_eq!(r, lo..hi);
            // A key that is not there has an empty range.
            assert!(ix.sorted_range(k ^ 1).is_empty() || ix.keys.contains(&(k ^ 1)));
        }
    }

    #[test]
    fn the_bundled_model_serves_the_index_and_ranks_as_expected() {
        let mut ix = PersonIndex::new(
            KeyHasher::new([1; 16]),
            default_online_model(),
            IndexOptions::default(),
        )
        .unwrap();
        ix.add(1, 1, "王芳", Some(ID));
        let p = |name: &str, id: Option<&str>| {
            ix.query(name, id, None, 0.0, 1)
                .0
                .first()
                .map_or(0.0, |c| c.probability)
        };
        let exact = p("王芳", Some(ID));
        let homophone = p("王方", Some(ID));
        let typo = p("王芳", Some("110105198005030922"));
        let name_only = p("王芳", None);
        assert!(exact > 0.99, "{exact}");
        assert!(homophone > 0.9 && homophone < exact, "{homophone}");
        assert!(typo > 0.5, "{typo}");
        assert!(name_only < 0.5, "{name_only}");
        assert_eq!(std::mem::size_of::<Slot>(), 48);
    }

    /// A twin (same surname and birth date, a given name sharing a character, a valid number
    /// differing only in its sequence and check characters), a namesake with another valid
    /// number and a household member without a number are not the examined person; the
    /// explanation names the evidence that separates them.
    #[test]
    fn twins_namesakes_and_relatives_are_not_the_person() {
        let mut ix = PersonIndex::new(
            KeyHasher::new([1; 16]),
            default_online_model(),
            IndexOptions::default(),
        )
        .unwrap();
        ix.add(1, 1, "张晓明", Some(ID));
        let best =
            |name: &str, id: Option<&str>| ix.query(name, id, None, 0.0, 1).0.into_iter().next();
        // 110105198005030030: the same birth date, the next sequence number, valid.
        let twin = best("张晓亮", Some("110105198005030030")).expect("found by the number");
        assert!(twin.probability < 0.01, "{}", twin.probability);
        let id = &twin.scored.contributions[1];
        assert_eq!(id.level_label, "不同（均为有效号码）");
        assert!(id.total_log2() < -5.0, "{}", id.total_log2());
        let namesake = best("张晓明", Some("330106198005030011")).expect("found by the name");
        assert!(namesake.probability < 0.01, "{}", namesake.probability);
        assert_eq!(
            namesake.scored.contributions[1].level_label,
            "不同（均为有效号码）"
        );
        let brother = best("张晓东", None).map_or(0.0, |c| c.probability);
        assert!(brother < 0.01, "{brother}");
        // The person himself, with a mistyped number, still is.
        let typo = best("张晓明", Some("110105198005030023")).expect("found");
        assert!(typo.probability > 0.9, "{}", typo.probability);
    }

    #[test]
    fn refuses_a_model_for_other_fields() {
        let m = Model::initial(Layout::default().settings(), 0.01);
        let e = PersonIndex::new(KeyHasher::new([0; 16]), m, IndexOptions::default()).unwrap_err();
        assert!(e.to_string().contains("姓名"));
    }
}
