//! Accuracy against ground truth, the same way for every engine's output: scored pairs and the
//! true cluster of each record in, precision / recall / F1 out at every threshold.
//!
//! - *pair level*: the pairs scored at or above the threshold against all true pairs (two
//!   records of one true cluster);
//! - *cluster level*: the connected components of those pairs, each read as all the pairs
//!   inside it (so transitive closure is judged: a wrong link that joins two big clusters costs
//!   every pair it creates), against the true pairs.
use std::collections::HashMap;

/// Precision, recall and F1 with their counts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Prf {
    pub true_positives: u64,
    pub predicted: u64,
    pub actual: u64,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.true_positives as f64 / self.predicted as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.actual == 0 {
            1.0
        } else {
            self.true_positives as f64 / self.actual as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Both levels at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub threshold: f64,
    pub pairs: Prf,
    pub clusters: Prf,
}

fn choose2(k: u64) -> u64 {
    k * k.saturating_sub(1) / 2
}

/// Pair-level metrics of a clustering as it stands (`predicted[i]` is record `i`'s cluster):
/// the pairs inside each predicted cluster against the true pairs.
pub fn clustering(truth: &[u32], predicted: &[u32]) -> Prf {
    let mut pred: HashMap<u32, u64> = HashMap::new();
    let mut real: HashMap<u32, u64> = HashMap::new();
    let mut both: HashMap<(u32, u32), u64> = HashMap::new();
    for (&t, &p) in truth.iter().zip(predicted) {
        *pred.entry(p).or_default() += 1;
        *real.entry(t).or_default() += 1;
        *both.entry((p, t)).or_default() += 1;
    }
    Prf {
        true_positives: both.values().map(|&k| choose2(k)).sum(),
        predicted: pred.values().map(|&k| choose2(k)).sum(),
        actual: real.values().map(|&k| choose2(k)).sum(),
    }
}

/// Metrics at each of `thresholds` (any order). `truth[i]` is record `i`'s true cluster label;
/// `scored` are `(i, j, probability)` with `i != j`, each unordered pair at most once.
pub fn sweep(truth: &[u32], scored: &[(u32, u32, f64)], thresholds: &[f64]) -> Vec<Point> {
    let mut sizes: HashMap<u32, u64> = HashMap::new();
    for &t in truth {
        *sizes.entry(t).or_default() += 1;
    }
    let actual: u64 = sizes.values().map(|&k| choose2(k)).sum();

    let mut order: Vec<&(u32, u32, f64)> = scored.iter().collect();
    order.sort_by(|a, b| b.2.total_cmp(&a.2));
    let mut ts: Vec<f64> = thresholds.to_vec();
    ts.sort_by(|a, b| b.total_cmp(a));

    // Union–find whose components carry their size and the count of each true label, so a
    // merge adds |A|·|B| predicted pairs and Σ_label a_l·b_l true ones.
    let n = truth.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut size: Vec<u64> = vec![1; n];
    let mut labels: Vec<HashMap<u32, u64>> =
        truth.iter().map(|&t| HashMap::from([(t, 1)])).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    let mut pair = Prf {
        actual,
        ..Prf::default()
    };
    let mut cluster = pair;
    let mut out = Vec::with_capacity(ts.len());
    let mut next = 0;
    for t in ts {
        while next < order.len() && order[next].2 >= t {
            let (i, j, _) = *order[next];
            next += 1;
            pair.predicted += 1;
            if truth[i as usize] == truth[j as usize] {
                pair.true_positives += 1;
            }
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri == rj {
                continue;
            }
            let (big, small) = if labels[ri as usize].len() >= labels[rj as usize].len() {
                (ri, rj)
            } else {
                (rj, ri)
            };
            cluster.predicted += size[big as usize] * size[small as usize];
            let moved = std::mem::take(&mut labels[small as usize]);
            let target = &mut labels[big as usize];
            for (l, c) in moved {
                let e = target.entry(l).or_default();
                cluster.true_positives += *e * c;
                *e += c;
            }
            size[big as usize] += size[small as usize];
            parent[small as usize] = big;
        }
        out.push(Point {
            threshold: t,
            pairs: pair,
            clusters: cluster,
        });
    }
    out
}

/// The thresholds usually swept: 0.01 to 0.99 in steps of 0.01, then 0.995 and 0.999.
pub fn default_thresholds() -> Vec<f64> {
    let mut t: Vec<f64> = (1..100).map(|k| f64::from(k) / 100.0).collect();
    t.extend([0.995, 0.999]);
    t
}

/// The point with the best pair-level F1 and the one with the best cluster-level F1 (the
/// higher threshold on ties).
pub fn best(points: &[Point]) -> Option<(Point, Point)> {
    let by = |f: fn(&Point) -> f64| {
        points.iter().copied().max_by(|a, b| {
            f(a).total_cmp(&f(b))
                .then(a.threshold.total_cmp(&b.threshold))
        })
    };
    Some((by(|p| p.pairs.f1())?, by(|p| p.clusters.f1())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clustering_is_judged_by_its_pairs() {
        // Truth: {0,1,2} {3}; predicted: {0,1} {2,3}.
        let p = clustering(&[0, 0, 0, 1], &[0, 0, 2, 2]);
        assert_eq!((p.true_positives, p.predicted, p.actual), (1, 2, 3));
        let perfect = clustering(&[5, 5, 7], &[1, 1, 0]);
        assert_eq!(perfect.f1(), 1.0);
    }
    use proptest::prelude::*;

    #[test]
    fn hand_computed_example() {
        // True clusters {0,1,2} and {3,4}: 3 + 1 = 4 true pairs.
        let truth = [0, 0, 0, 1, 1];
        let scored = [(0, 1, 0.9), (1, 2, 0.6), (2, 3, 0.4), (3, 4, 0.95)];
        let pts = sweep(&truth, &scored, &[0.5, 0.3, 0.99]);
        let at = |t: f64| pts.iter().find(|p| p.threshold == t).unwrap();
        // 0.99: nothing predicted.
        assert_eq!(at(0.99).pairs.predicted, 0);
        assert_eq!(at(0.99).pairs.recall(), 0.0);
        // 0.5: three correct links; clusters {0,1,2},{3,4} exactly.
        assert_eq!(at(0.5).pairs.true_positives, 3);
        assert_eq!(at(0.5).pairs.predicted, 3);
        assert_eq!(at(0.5).clusters.true_positives, 4);
        assert_eq!(at(0.5).clusters.predicted, 4);
        assert_eq!(at(0.5).clusters.f1(), 1.0);
        // 0.3: the wrong link 2–3 joins everything: 10 predicted pairs, 4 true.
        assert_eq!(at(0.3).pairs.predicted, 4);
        assert_eq!(at(0.3).pairs.true_positives, 3);
        assert_eq!(at(0.3).clusters.predicted, 10);
        assert_eq!(at(0.3).clusters.true_positives, 4);
        let (bp, bc) = best(&pts).unwrap();
        assert_eq!(bp.threshold, 0.5);
        assert_eq!(bc.threshold, 0.5);
    }

    proptest! {
        /// The incremental cluster counts equal a direct recount of the components.
        #[test]
        fn incremental_matches_recount(
            truth in proptest::collection::vec(0u32..6, 2..30),
            raw in proptest::collection::vec((0u32..30, 0u32..30, 0.0f64..1.0), 0..60),
            t in 0.0f64..1.0,
        ) {
            let n = truth.len() as u32;
            let mut seen = std::collections::HashSet::new();
            let scored: Vec<(u32, u32, f64)> = raw
                .into_iter()
                .map(|(a, b, p)| (a % n, b % n, p))
                .filter(|(a, b, _)| a != b && seen.insert(((*a).min(*b), (*a).max(*b))))
                .collect();
            let pt = sweep(&truth, &scored, &[t])[0];
            let comp = crate::cluster::components(
                truth.len(),
                scored.iter().filter(|s| s.2 >= t).map(|s| (s.0, s.1)),
            );
            let (mut pred, mut tp) = (0u64, 0u64);
            for i in 0..truth.len() {
                for j in i + 1..truth.len() {
                    if comp[i] == comp[j] {
                        pred += 1;
                        if truth[i] == truth[j] {
                            tp += 1;
                        }
                    }
                }
            }
            prop_assert_eq!(pt.clusters.predicted, pred);
            prop_assert_eq!(pt.clusters.true_positives, tp);
        }
    }
}
