//! Clustering linked records into persons with stable IDs: the connected components of the
//! accepted links, each keeping the oldest person ID among its records (so an ID handed to a
//! regulator or written into an alert never changes when more records join), and every merge
//! and split reported so the caller can record it as an event.
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A record (a person as entered in one case).
pub type RecordId = u64;
/// A person: a cluster of records. IDs grow with time, so the smallest is the oldest.
pub type PersonId = u64;

/// What changed between two clusterings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Persons `absorbed` are now part of `kept` (the oldest of them).
    Merge {
        kept: PersonId,
        absorbed: Vec<PersonId>,
    },
    /// Some of `from`'s records now form `new` (links were withdrawn, e.g. a regulator split).
    Split { from: PersonId, new: PersonId },
    /// A record seen for the first time started person `new`.
    New { new: PersonId },
}

/// The result of [`cluster`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clustering {
    pub person_of: BTreeMap<RecordId, PersonId>,
    pub changes: Vec<Change>,
    /// The next unused person ID.
    pub next_id: PersonId,
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Connected components of `n` records (by position) under `links`: each record's component is
/// named by its smallest member, so a component's name does not depend on link order. For batch
/// runs where positions are the record identity; [`cluster`] keeps IDs stable across runs.
pub fn components(n: usize, links: impl IntoIterator<Item = (u32, u32)>) -> Vec<u32> {
    let mut uf = UnionFind::new(n);
    for (a, b) in links {
        uf.union(a as usize, b as usize);
    }
    (0..n).map(|i| uf.find(i) as u32).collect()
}

/// Clusters `records` by `links` (pairs accepted as the same person; links to unknown records
/// are ignored). `previous` is the last clustering's assignment; `next_id` the first free
/// person ID. Each component keeps the oldest previous person ID of its records; a previous
/// person whose records now fall into several components keeps its ID in the component holding
/// its oldest record, and the others get new IDs (splits). Deterministic for the same input.
pub fn cluster(
    records: &[RecordId],
    links: &[(RecordId, RecordId)],
    previous: &BTreeMap<RecordId, PersonId>,
    next_id: PersonId,
) -> Clustering {
    let ids: BTreeSet<RecordId> = records.iter().copied().collect();
    let ids: Vec<RecordId> = ids.into_iter().collect();
    let index: HashMap<RecordId, usize> = ids.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let mut uf = UnionFind::new(ids.len());
    for (a, b) in links {
        if let (Some(&i), Some(&j)) = (index.get(a), index.get(b)) {
            uf.union(i, j);
        }
    }
    // Components in the order of their smallest record, members ascending.
    let mut components: BTreeMap<usize, Vec<RecordId>> = BTreeMap::new();
    for (i, r) in ids.iter().enumerate() {
        components.entry(uf.find(i)).or_default().push(*r);
    }
    // A previous person's claim on each component: it goes to the component with the person's
    // oldest record; other components holding its records are splits.
    let mut home: HashMap<PersonId, RecordId> = HashMap::new();
    for r in &ids {
        if let Some(&p) = previous.get(r) {
            home.entry(p).or_insert(*r);
        }
    }
    let mut out = Clustering {
        next_id,
        ..Default::default()
    };
    for members in components.values() {
        let claimed: BTreeSet<PersonId> = members
            .iter()
            .filter_map(|r| previous.get(r).map(|p| (*r, *p)))
            .filter(|(r, p)| home.get(p) == Some(r))
            .map(|(_, p)| p)
            .collect();
        let touched: BTreeSet<PersonId> = members
            .iter()
            .filter_map(|r| previous.get(r))
            .copied()
            .collect();
        let person = match claimed.first() {
            Some(&oldest) => {
                let absorbed: Vec<PersonId> = claimed.iter().skip(1).copied().collect();
                if !absorbed.is_empty() {
                    out.changes.push(Change::Merge {
                        kept: oldest,
                        absorbed,
                    });
                }
                oldest
            }
            None => {
                let new = out.next_id;
                out.next_id += 1;
                match touched.first() {
                    Some(&from) => out.changes.push(Change::Split { from, new }),
                    None => out.changes.push(Change::New { new }),
                }
                new
            }
        };
        for r in members {
            out.person_of.insert(*r, person);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn groups(c: &Clustering) -> BTreeMap<PersonId, Vec<RecordId>> {
        let mut g: BTreeMap<PersonId, Vec<RecordId>> = BTreeMap::new();
        for (r, p) in &c.person_of {
            g.entry(*p).or_default().push(*r);
        }
        g
    }

    #[test]
    fn components_get_new_ids_then_keep_the_oldest_on_merge() {
        let first = cluster(&[1, 2, 3, 4], &[(1, 2), (3, 4)], &BTreeMap::new(), 100);
        assert_eq!(
            groups(&first),
            BTreeMap::from([(100, vec![1, 2]), (101, vec![3, 4])])
        );
        assert_eq!(first.next_id, 102);
        assert_eq!(
            first.changes,
            vec![Change::New { new: 100 }, Change::New { new: 101 }]
        );
        // Record 5 links both persons: one person, the oldest ID, the merge reported.
        let second = cluster(
            &[1, 2, 3, 4, 5],
            &[(1, 2), (3, 4), (2, 5), (5, 3)],
            &first.person_of,
            first.next_id,
        );
        assert_eq!(
            groups(&second),
            BTreeMap::from([(100, vec![1, 2, 3, 4, 5])])
        );
        assert_eq!(
            second.changes,
            vec![Change::Merge {
                kept: 100,
                absorbed: vec![101]
            }]
        );
        assert_eq!(second.next_id, 102);
    }

    #[test]
    fn a_withdrawn_link_splits_and_the_oldest_record_keeps_the_id() {
        let merged = cluster(&[1, 2, 3], &[(1, 2), (2, 3)], &BTreeMap::new(), 7);
        let split = cluster(&[1, 2, 3], &[(1, 2)], &merged.person_of, merged.next_id);
        assert_eq!(
            groups(&split),
            BTreeMap::from([(7, vec![1, 2]), (8, vec![3])])
        );
        assert_eq!(split.changes, vec![Change::Split { from: 7, new: 8 }]);
        // Unknown records in links are ignored.
        let c = cluster(&[1], &[(1, 99)], &BTreeMap::new(), 0);
        assert_eq!(groups(&c), BTreeMap::from([(0, vec![1])]));
    }

    proptest! {
        #[test]
        fn clusters_are_the_components_and_ids_are_stable(
            n in 1u64..40,
            links in proptest::collection::vec((0u64..40, 0u64..40), 0..60),
            more in proptest::collection::vec((0u64..40, 0u64..40), 0..20),
        ) {
            let records: Vec<RecordId> = (0..n).collect();
            let links: Vec<_> = links.into_iter().filter(|(a, b)| *a < n && *b < n).collect();
            let first = cluster(&records, &links, &BTreeMap::new(), 1000);
            // Linked records share a person; every record has one.
            for (a, b) in &links {
                prop_assert_eq!(first.person_of[a], first.person_of[b]);
            }
            prop_assert_eq!(first.person_of.len(), n as usize);
            // Adding links only merges: every earlier person ID still names a superset, and
            // each merged person is the oldest of those merged.
            let mut all = links.clone();
            all.extend(more.into_iter().filter(|(a, b)| *a < n && *b < n));
            let second = cluster(&records, &all, &first.person_of, first.next_id);
            for (r, p) in &first.person_of {
                let now = second.person_of[r];
                prop_assert!(now <= *p, "a person's ID never gets younger");
            }
            prop_assert_eq!(second.next_id, first.next_id, "merges never mint IDs");
            // Deterministic.
            prop_assert_eq!(&second, &cluster(&records, &all, &first.person_of, first.next_id));
        }
    }
}
