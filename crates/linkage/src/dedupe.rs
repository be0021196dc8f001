//! Batch deduplication of person records, in steps a caller can run in parallel over slices:
//! candidate pairs from blocking keys, comparison vectors, unsupervised training (u from random
//! pairs, λ from a deterministic rule, m by EM), match weights with term-frequency adjustment,
//! and clusters at a threshold. Pure: the caller reads files, spreads work over threads and
//! reports progress.
use std::collections::HashMap;

use crate::fs::compare::{date_level, phone_level, resident_id_level, sex_level, string_level};
use crate::fs::em::level_frequencies_partial;
use crate::fs::estimate_lambda_from_rules;
use crate::fs::model::Dependency;
use crate::fs::{EmOptions, EmReport, Model, ModelError, PatternCounts, Scorer, TfTable};
use crate::normalise::NameLevel;
use crate::person::{Layout, Person, compare_into, name_level_index, shared_values};
pub use crate::rng::SplitMix64;

/// Tunable numbers of a run, with documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Blocks with more records than this are skipped (and counted): a key shared by hundreds
    /// of records (a province, a common name on a common date) says little and would make the
    /// work quadratic. Default 200.
    pub max_block: usize,
    /// Random record pairs drawn to estimate u (they are almost all non-matches); `None`: see
    /// [`Options::u_pairs_for`]. Default `None`.
    pub u_sample_pairs: Option<usize>,
    /// Share of all true matches the deterministic rule (same identity number; without that
    /// column, same name and birth date) is assumed to find, for λ. Default 0.7.
    pub rule_recall: f64,
    /// EM iterations at most (default 25) and convergence tolerance (default 1e-4).
    pub em_max_iter: usize,
    pub em_tol: f64,
    /// Seed of the random pair sample, so a run can be repeated exactly. Default 1.
    pub seed: u64,
    /// Most of the matches that may disagree on a name, a birth date or a sex (m of those
    /// levels, see [`crate::fs::EmOptions::m_bounds`]). Default 0.01: clerks' slips in a name
    /// or a date mostly keep it similar (homophones, swapped digits), which other levels catch.
    pub disagreement_bound: f64,
    /// And at most this share of the level's u, so that such a disagreement always counts
    /// against a match (households share surnames: without it "same surname, other given
    /// name" could count for one). Default 0.1: such a disagreement counts at least 3.3 bits
    /// against.
    pub disagreement_ratio: f64,
    /// Most of the matches that may carry two valid, different identity numbers (a number
    /// copied from a relative's record). Default 0.01.
    pub id_conflict_bound: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_block: 200,
            u_sample_pairs: None,
            rule_recall: 0.7,
            em_max_iter: 25,
            em_tol: 1e-4,
            seed: 1,
            disagreement_bound: 0.01,
            disagreement_ratio: 0.1,
            id_conflict_bound: 0.01,
        }
    }
}

impl Options {
    /// Random pairs for u with `records` records: as given, else 50 per record between
    /// 250,000 and 2,000,000 (Splink's `estimate_u_using_random_sampling` is usually run with
    /// 1–10 million; u of a rare level needs many pairs, a small file has few).
    pub fn u_pairs_for(&self, records: usize) -> usize {
        let all = records.saturating_mul(records.saturating_sub(1)) / 2;
        self.u_sample_pairs
            .unwrap_or_else(|| records.saturating_mul(50).clamp(250_000, 2_000_000))
            .min(all)
    }
}

/// What blocking produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockReport {
    pub keys: usize,
    pub blocks: usize,
    pub oversized_blocks: usize,
    pub pairs: usize,
}

/// Every pair `(i, j)`, `i < j`, of records sharing a key, each once, ascending. `entries` are
/// `(key hash, record position)`; blocks over `max_block` records are skipped and counted.
pub fn candidate_pairs(
    mut entries: Vec<(u64, u32)>,
    max_block: usize,
) -> (Vec<(u32, u32)>, BlockReport) {
    entries.sort_unstable();
    entries.dedup();
    let mut report = BlockReport {
        keys: entries.len(),
        ..Default::default()
    };
    let mut pairs = Vec::new();
    for block in entries.chunk_by(|a, b| a.0 == b.0) {
        report.blocks += 1;
        if block.len() > max_block {
            report.oversized_blocks += 1;
            continue;
        }
        for (a, &(_, i)) in block.iter().enumerate() {
            for &(_, j) in &block[a + 1..] {
                pairs.push((i.min(j), i.max(j)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    report.pairs = pairs.len();
    (pairs, report)
}

/// Comparison vectors of `pairs`, flattened (`layout.width()` levels per pair) into `out`.
pub fn compare_pairs(layout: &Layout, persons: &[Person], pairs: &[(u32, u32)], out: &mut Vec<u8>) {
    out.reserve(pairs.len() * layout.width());
    for &(i, j) in pairs {
        compare_into(layout, &persons[i as usize], &persons[j as usize], out);
    }
}

/// `count` pairs of distinct records drawn uniformly at random (with replacement) from `n`.
pub fn random_pairs(n: usize, count: usize, seed: u64) -> Vec<(u32, u32)> {
    if n < 2 {
        return Vec::new();
    }
    let mut rng = SplitMix64::new(seed);
    (0..count)
        .map(|_| {
            loop {
                let a = rng.below(n as u64) as u32;
                let b = rng.below(n as u64) as u32;
                if a != b {
                    break (a.min(b), a.max(b));
                }
            }
        })
        .collect()
}

/// What training did, for the run report and the model's notes.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    pub lambda: f64,
    pub lambda_rule: &'static str,
    pub rule_hits: u64,
    pub u_pairs: u64,
    pub em: EmReport,
}

fn counts(width: usize, flat: &[u8]) -> PatternCounts {
    let mut c = PatternCounts::new();
    for g in flat.chunks_exact(width) {
        c.add(g);
    }
    c
}

/// Train a model without labels, as Splink does: u from the random pairs' vectors, λ from a
/// deterministic rule over the candidates (same identity number, else same name and birth
/// date, assumed to find `rule_recall` of all matches among all `n(n−1)/2` pairs), m by EM over
/// the candidates with u fixed, then the global λ restored (the candidates over-represent
/// matches). The name's exact level gets a term-frequency table from all records.
pub fn train(
    layout: &Layout,
    persons: &[Person],
    candidate_vectors: &[u8],
    random_vectors: &[u8],
    opts: &Options,
) -> Result<(Model, TrainReport), ModelError> {
    let width = layout.width();
    let settings = layout.settings();
    let n = persons.len() as u64;
    let total_pairs = n * n.saturating_sub(1) / 2;
    type Rule = Box<dyn Fn(&[u8]) -> bool>;
    let (rule, rule_name): (Rule, &'static str) = match (layout.id_field(), layout.birth_field()) {
        (Some(id), _) => (Box::new(move |g: &[u8]| g[id] == 0), "身份号码完全一致"),
        (None, Some(b)) => (
            Box::new(move |g: &[u8]| g[0] == 0 && g[b] == 0),
            "姓名与出生日期完全一致",
        ),
        (None, None) => (Box::new(|g: &[u8]| g[0] == 0), "姓名完全一致"),
    };
    let hits = candidate_vectors
        .chunks_exact(width)
        .filter(|g| rule(g))
        .count() as u64;
    let lambda = if hits > 0 {
        estimate_lambda_from_rules(hits, total_pairs.max(1), opts.rule_recall)?
    } else {
        // No rule hit at all: assume about one duplicate per hundred records.
        (n as f64 / 100.0 / total_pairs.max(1) as f64).min(0.5)
    };
    let random = counts(width, random_vectors);
    let candidates = counts(width, candidate_vectors);
    let mut init = Model::initial(settings, lambda);
    // A field null in every random pair (a nearly empty column, a tiny file) keeps the
    // uniform u of the initial model; the notes name it.
    let mut u_unestimated = Vec::new();
    if random.total() > 0 {
        for (f, freq) in level_frequencies_partial(&init.settings, &random)?
            .into_iter()
            .enumerate()
        {
            match freq {
                Some(freq) => init.u[f] = freq,
                None => u_unestimated.push(init.settings.fields[f].name.clone()),
            }
        }
    }
    let m_bounds = disagreement_bounds(layout, &init.u, opts);
    // Start m within its bounds, so the first E-step already sees a disagreement as evidence
    // against.
    for f in 0..width {
        let null: Vec<bool> = init.settings.fields[f]
            .levels
            .iter()
            .map(|l| l.is_null)
            .collect();
        crate::fs::em::bound_row(&mut init.m[f], &null, m_bounds.iter().filter(|b| b.0 == f));
    }
    let (mut model, em) = if candidates.total() > 0 {
        crate::fs::em_counts(
            &candidates,
            init,
            &EmOptions {
                fixed_u: true,
                max_iter: opts.em_max_iter,
                tol: opts.em_tol,
                m_bounds,
                ..EmOptions::default()
            },
        )?
    } else {
        let report = EmReport {
            iterations: 0,
            converged: false,
            log_likelihood: Vec::new(),
            max_change: Vec::new(),
            pairs: 0,
            distinct_patterns: 0,
        };
        (init, report)
    };
    model.lambda = lambda;
    model.tf[0] = Some(TfTable::from_shared_values(
        0,
        persons
            .iter()
            .filter_map(|p| p.name.as_ref().map(|k| k.full())),
    ));
    // Exact agreement on a phone, an address or an extra value is weighed by how many records
    // hold that value (a family phone, a household's address, a common surname).
    if let Some(f) = layout.phone_field() {
        model.tf[f] = Some(TfTable::from_shared_values(
            0,
            persons.iter().filter_map(|p| p.phone.as_deref()),
        ));
    }
    if let Some(f) = layout.address_field() {
        model.tf[f] = Some(TfTable::from_shared_values(
            0,
            persons.iter().filter_map(|p| p.address.as_deref()),
        ));
    }
    for (k, f) in (layout.first_extra_field()..width).enumerate() {
        model.tf[f] = Some(TfTable::from_shared_values(
            0,
            persons.iter().filter_map(|p| p.extra[k].as_deref()),
        ));
    }
    model.dependencies = household_dependencies(layout, candidate_vectors, &model);
    model.trained_on = candidates.total() as usize;
    model.notes = format!(
        "无监督训练：u 取自 {} 对随机记录；λ 由规则“{}”命中 {} 对、假定召回率 {} 估计；m 由 {} 对候选记录经 EM 估计（{} 次迭代）",
        random.total(),
        rule_name,
        hits,
        opts.rule_recall,
        candidates.total(),
        em.iterations
    );
    for d in &model.dependencies {
        let name = |f: usize| model.settings.fields[f].name.clone();
        model.notes.push_str(&format!(
            "；{}相同的非同一人中{}相同的比例为 {:.3}，两者同时相同时按此计算",
            name(d.given),
            name(d.field),
            d.u
        ));
    }
    if !u_unestimated.is_empty() {
        model.notes.push_str(&format!(
            "；字段 {} 在随机样本中全部缺失，u 取均匀分布",
            u_unestimated.join("、")
        ));
    }
    Ok((
        model,
        TrainReport {
            lambda,
            lambda_rule: rule_name,
            rule_hits: hits,
            u_pairs: random.total(),
            em,
        },
    ))
}

/// Fields a household shares along with its address (the phone, extra columns), or with its
/// phone when there is no address: their u when the address agrees too, counted among the
/// candidate pairs that are plainly different people — names that disagree outright and, where
/// there is one, birth dates that differ and identity numbers that do not agree (mostly members
/// of one household; a duplicate with a garbled name keeps its birth date). Only where at least 30 such pairs hold the field and the rate exceeds the
/// field's own u.
fn household_dependencies(layout: &Layout, vectors: &[u8], model: &Model) -> Vec<Dependency> {
    let width = layout.width();
    let Some(given) = layout.address_field().or(layout.phone_field()) else {
        return Vec::new();
    };
    let apart = [
        name_level_index(NameLevel::Different),
        name_level_index(NameLevel::SameSurnameGivenDiffers),
    ];
    let mut targets = Vec::new();
    if let (Some(_), Some(phone)) = (layout.address_field(), layout.phone_field()) {
        targets.push((phone, phone_level::EXACT));
    }
    targets.extend(
        (layout.first_extra_field()..width)
            .filter(|&f| f != given)
            .map(|f| (f, string_level::EXACT)),
    );
    let given_level = if Some(given) == layout.address_field() {
        string_level::EXACT
    } else {
        phone_level::EXACT
    };
    targets
        .into_iter()
        .filter_map(|(field, level)| {
            let (mut agree, mut held) = (0u64, 0u64);
            for v in vectors.chunks_exact(width) {
                let different_people = apart.contains(&v[0])
                    && layout
                        .birth_field()
                        .is_none_or(|b| v[b] == date_level::DIFFERENT)
                    && layout
                        .id_field()
                        .is_none_or(|i| v[i] > resident_id_level::ADJACENT_TRANSPOSITION);
                if v[given] != given_level
                    || !different_people
                    || model.settings.fields[field].is_null(v[field])
                {
                    continue;
                }
                held += 1;
                agree += u64::from(v[field] == level);
            }
            let u = (agree as f64 + 1.0) / (held as f64 + 2.0);
            (held >= 30 && u > model.u[field][usize::from(level)]).then_some(Dependency {
                given,
                given_level,
                field,
                level,
                u,
            })
        })
        .collect()
}

/// The bounds on m of the disagreement levels of what a person keeps (see [`Options`]), given
/// the estimated u.
fn disagreement_bounds(layout: &Layout, u: &[Vec<f64>], opts: &Options) -> Vec<(usize, u8, f64)> {
    let mut levels = vec![
        (
            0,
            name_level_index(NameLevel::Different),
            opts.disagreement_bound,
        ),
        (
            0,
            name_level_index(NameLevel::SameSurnameGivenDiffers),
            opts.disagreement_bound,
        ),
    ];
    if let Some(f) = layout.birth_field() {
        levels.push((f, date_level::DIFFERENT, opts.disagreement_bound));
    }
    if let Some(f) = layout.sex_field() {
        levels.push((f, sex_level::DIFFERENT, opts.disagreement_bound));
    }
    if let Some(f) = layout.id_field() {
        levels.push((
            f,
            resident_id_level::BOTH_VALID_DIFFERENT,
            opts.id_conflict_bound,
        ));
    }
    levels
        .into_iter()
        .map(|(f, l, bound)| {
            let relative = opts.disagreement_ratio * u[f][usize::from(l)];
            (
                f,
                l,
                bound.min(relative).max(crate::fs::PROBABILITY_EPSILON),
            )
        })
        .collect()
}

/// Match probability of each pair (term-frequency adjusted), in `pairs` order.
pub fn probabilities(
    layout: &Layout,
    model: &Model,
    persons: &[Person],
    pairs: &[(u32, u32)],
    vectors: &[u8],
) -> Vec<f32> {
    let scorer = Scorer::new(model);
    let width = model.settings.fields.len();
    let mut shared = Vec::with_capacity(width);
    pairs
        .iter()
        .zip(vectors.chunks_exact(width))
        .map(|(&(i, j), g)| {
            shared_values(
                layout,
                &persons[i as usize],
                &persons[j as usize],
                &mut shared,
            );
            let w = scorer.weight_tf(g, &shared);
            crate::fs::probability_from_weight(w) as f32
        })
        .collect()
}

/// Each record's cluster (named by its first record's position) from the pairs at or above
/// `threshold`: connected components, no check (see [`clusters_checked`]).
pub fn clusters(n: usize, pairs: &[(u32, u32)], probabilities: &[f32], threshold: f64) -> Vec<u32> {
    crate::cluster::components(
        n,
        pairs
            .iter()
            .zip(probabilities)
            .filter(|(_, p)| f64::from(**p) >= threshold)
            .map(|(pair, _)| *pair),
    )
}

/// How clusters are checked as a whole, with documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterOptions {
    /// Match probability at or above which a pair is a link. Default 0.9.
    pub threshold: f64,
    /// A record pair across two clusters scoring below this probability says they are
    /// different people; a merge is refused when there are more such pairs than linked ones
    /// across them, or as many and no link far above the threshold (a father and his son
    /// chained through one weak link score near zero against each other's other records; a
    /// person's garbled record is outvoted by the links of the rest). Default 0.001.
    pub cannot_link: f64,
    /// Most records one person may have in a file; a merge beyond it is refused and reported
    /// (one person entered fifty times is a wrong model, not a person). Default 50.
    pub max_cluster: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            threshold: 0.9,
            cannot_link: 0.001,
            max_cluster: 50,
        }
    }
}

/// What checked clustering refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterReport {
    /// Links at or above the threshold.
    pub links: usize,
    /// Merges refused because the two sides held two valid, different identity numbers.
    pub refused_identity: usize,
    /// Merges refused because some record pair across them scored below `cannot_link`.
    pub refused_cannot_link: usize,
    /// Merges refused because the person would have more than `max_cluster` records.
    pub refused_size: usize,
    /// The largest cluster's size.
    pub largest: usize,
}

/// Clusters that check the person as a whole: links are taken strongest first, and two
/// clusters merge only if no record of one carries a valid identity number different from a
/// valid one of the other (beyond one slip), fewer record pairs across them score below
/// `cannot_link` than at or above the threshold (on a tie, one link is within a tenth of the
/// threshold's distance to 1), and the result stays within `max_cluster` records. Connected components at
/// one threshold would instead join a household through its weakest link. Each record's
/// cluster is named by its smallest position.
pub fn clusters_checked(
    layout: &Layout,
    model: &Model,
    persons: &[Person],
    pairs: &[(u32, u32)],
    probabilities: &[f32],
    opts: &ClusterOptions,
) -> (Vec<u32>, ClusterReport) {
    let n = persons.len();
    let mut links: Vec<(f32, u32, u32)> = pairs
        .iter()
        .zip(probabilities)
        .filter(|(_, p)| f64::from(**p) >= opts.threshold)
        .map(|(&(i, j), &p)| (p, i, j))
        .collect();
    // Strongest first; ties in pair order, so a run is repeatable.
    links.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut report = ClusterReport {
        links: links.len(),
        ..ClusterReport::default()
    };
    let mut root: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let scorer = Scorer::new(model);
    let width = layout.width();
    let (mut gamma, mut shared) = (Vec::with_capacity(width), Vec::with_capacity(width));
    for (_, i, j) in links {
        let (a, b) = (root[i as usize], root[j as usize]);
        if a == b {
            continue;
        }
        let (ma, mb) = (&members[a as usize], &members[b as usize]);
        if ma.len() + mb.len() > opts.max_cluster {
            report.refused_size += 1;
            continue;
        }
        let mut identity = false;
        let (mut linked, mut cannot, mut strongest) = (0usize, 0usize, 0f64);
        'check: for &x in ma {
            for &y in mb {
                let (px, py) = (&persons[x as usize], &persons[y as usize]);
                gamma.clear();
                compare_into(layout, px, py, &mut gamma);
                if layout
                    .id_field()
                    .is_some_and(|f| gamma[f] == resident_id_level::BOTH_VALID_DIFFERENT)
                {
                    identity = true;
                    break 'check;
                }
                shared_values(layout, px, py, &mut shared);
                let p = crate::fs::probability_from_weight(scorer.weight_tf(&gamma, &shared));
                strongest = strongest.max(p);
                if p < opts.cannot_link {
                    cannot += 1;
                } else if p >= opts.threshold {
                    linked += 1;
                }
            }
        }
        if identity {
            report.refused_identity += 1;
            continue;
        }
        // A tie is broken by a link far above the threshold (a tenth of its distance to 1).
        let decisive = strongest >= 1.0 - (1.0 - opts.threshold) / 10.0;
        if cannot > linked || (cannot > 0 && cannot == linked && !decisive) {
            report.refused_cannot_link += 1;
            continue;
        }
        // The smaller cluster joins the larger one.
        let (keep, gone) = if ma.len() >= mb.len() { (a, b) } else { (b, a) };
        let moved = std::mem::take(&mut members[gone as usize]);
        for &r in &moved {
            root[r as usize] = keep;
        }
        members[keep as usize].extend(moved);
    }
    let mut cluster_of = vec![0u32; n];
    for m in members.iter().filter(|m| !m.is_empty()) {
        let name = *m.iter().min().expect("not empty");
        report.largest = report.largest.max(m.len());
        for &r in m {
            cluster_of[r as usize] = name;
        }
    }
    (cluster_of, report)
}

/// Group sizes of a clustering: how many clusters of each size (for the run report).
pub fn cluster_size_histogram(cluster_of: &[u32]) -> Vec<(usize, usize)> {
    let mut size: HashMap<u32, usize> = HashMap::new();
    for &c in cluster_of {
        *size.entry(c).or_default() += 1;
    }
    let mut hist: HashMap<usize, usize> = HashMap::new();
    for s in size.values() {
        *hist.entry(*s).or_default() += 1;
    }
    let mut out: Vec<(usize, usize)> = hist.into_iter().collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::RawPerson;

    #[test]
    fn blocking_gives_each_pair_once_and_skips_crowds() {
        let entries = vec![(7, 0), (7, 1), (9, 0), (9, 1), (9, 2), (5, 3)];
        let (pairs, r) = candidate_pairs(entries.clone(), 10);
        assert_eq!(pairs, vec![(0, 1), (0, 2), (1, 2)]);
        assert_eq!((r.blocks, r.oversized_blocks, r.pairs), (3, 0, 3));
        let (pairs, r) = candidate_pairs(entries, 2);
        assert_eq!(pairs, vec![(0, 1)]);
        assert_eq!(r.oversized_blocks, 1);
    }

    /// A hand-set model over name, birth date, address and identity number.
    fn household_model(layout: &Layout) -> Model {
        let mut m = Model::initial(layout.settings(), 1e-5);
        m.m = vec![
            vec![0.8, 0.1, 0.02, 0.03, 0.03, 0.0, 0.005, 0.005, 1.0],
            vec![0.9, 0.02, 0.03, 0.03, 0.02, 1.0],
            vec![0.9, 0.05, 0.03, 0.01, 0.01, 1.0],
            vec![0.7, 0.05, 0.05, 0.2, 1.0],
        ];
        m.u = vec![
            vec![1e-4, 1e-4, 1e-5, 1e-5, 1e-4, 1e-5, 0.04, 0.9597, 1.0],
            vec![1e-4, 1e-5, 1e-3, 0.01, 0.9889, 1.0],
            vec![1e-6, 1e-6, 1e-6, 0.9, 0.1, 1.0],
            vec![1e-4, 1e-4, 1e-3, 0.9989, 1.0],
        ];
        m.validate().unwrap();
        m
    }

    #[test]
    fn checked_clusters_do_not_chain_a_household() {
        let layout = Layout {
            birth: true,
            id_number: true,
            address: true,
            ..Layout::default()
        };
        let model = household_model(&layout);
        let person = |name: &'static str, birth: &'static str, id: Option<&'static str>| {
            Person::prepare(
                &layout,
                &RawPerson {
                    name: Some(name),
                    birth: Some(birth),
                    id_number: id,
                    address: Some("杭州市西湖区文三路1号"),
                    ..RawPerson::default()
                },
            )
            .unwrap()
        };
        let persons = vec![
            person("张伟", "1970-01-01", None),
            person("张伟", "1970-01-01", None),
            person("张强", "2000-05-05", None),
            // Twins with valid, different numbers.
            person("李娜", "1980-05-03", Some("110105198005030022")),
            person("李娜", "1980-05-03", Some("110105198005030030")),
        ];
        // The father's two records, and one weak link from his first record to his son; the
        // twins linked by name, date and address.
        let pairs = vec![(0, 1), (0, 2), (3, 4)];
        let probs = vec![0.99, 0.95, 0.999];
        let opts = ClusterOptions::default();
        let (cl, report) = clusters_checked(&layout, &model, &persons, &pairs, &probs, &opts);
        assert_eq!(cl, vec![0, 0, 2, 3, 4]);
        assert_eq!(report.refused_cannot_link, 1);
        assert_eq!(report.refused_identity, 1);
        assert_eq!(report.largest, 2);
        // Components at the same threshold chain the son in and join the twins.
        assert_eq!(clusters(5, &pairs, &probs, 0.9), vec![0, 0, 0, 3, 3]);
        // The size bound.
        let small = ClusterOptions {
            max_cluster: 1,
            ..ClusterOptions::default()
        };
        let (cl, report) = clusters_checked(&layout, &model, &persons, &pairs, &probs, &small);
        assert_eq!(cl, vec![0, 1, 2, 3, 4]);
        assert_eq!(report.refused_size, 3);
    }

    #[test]
    fn u_sample_scales_with_the_file() {
        let o = Options::default();
        assert_eq!(o.u_pairs_for(100), 4950, "never more than all pairs");
        assert_eq!(o.u_pairs_for(5_000), 250_000);
        assert_eq!(o.u_pairs_for(20_000), 1_000_000);
        assert_eq!(o.u_pairs_for(1_000_000), 2_000_000);
        let fixed = Options {
            u_sample_pairs: Some(300),
            ..o
        };
        assert_eq!(fixed.u_pairs_for(1_000_000), 300);
    }

    #[test]
    fn random_pairs_are_reproducible_and_distinct() {
        let a = random_pairs(50, 1000, 3);
        assert_eq!(a, random_pairs(50, 1000, 3));
        assert_ne!(a, random_pairs(50, 1000, 4));
        assert!(a.iter().all(|(i, j)| i < j && *j < 50));
        assert!(random_pairs(1, 10, 1).is_empty());
    }

    fn opt(s: &str) -> Option<&str> {
        (!s.is_empty()).then_some(s)
    }

    /// The whole chain on a synthetic population: what `sijian match dedupe` runs.
    #[test]
    fn unsupervised_run_finds_the_duplicates_of_a_synthetic_population() {
        let records = crate::synth::generate(&crate::synth::Params {
            people: 4000,
            ..Default::default()
        });
        let layout = Layout {
            birth: true,
            id_number: true,
            phone: true,
            address: true,
            sex: true,
            extra: Vec::new(),
        };
        let persons: Vec<Person> = records
            .iter()
            .map(|r| {
                Person::prepare(
                    &layout,
                    &RawPerson {
                        name: Some(&r.name),
                        birth: opt(&r.birth),
                        id_number: opt(&r.id_number),
                        phone: opt(&r.phone),
                        address: opt(&r.address),
                        sex: opt(&r.sex),
                        extra: Vec::new(),
                    },
                )
                .unwrap()
            })
            .collect();
        let mut entries = Vec::new();
        let mut ks = Vec::new();
        for (i, p) in persons.iter().enumerate() {
            ks.clear();
            crate::person::blocking_keys(&crate::person::KeyHasher::new([7; 16]), p, &mut ks);
            entries.extend(ks.iter().map(|&k| (k, i as u32)));
        }
        let (pairs, _) = candidate_pairs(entries, Options::default().max_block);
        let mut vectors = Vec::new();
        compare_pairs(&layout, &persons, &pairs, &mut vectors);
        let random = random_pairs(persons.len(), 200_000, 1);
        let mut rv = Vec::new();
        compare_pairs(&layout, &persons, &random, &mut rv);
        let (model, report) = train(&layout, &persons, &vectors, &rv, &Options::default()).unwrap();
        assert!(report.rule_hits > 0);
        model.validate().unwrap();
        let probs = probabilities(&layout, &model, &persons, &pairs, &vectors);
        let truth: Vec<u32> = records.iter().map(|r| r.person).collect();
        let scored: Vec<(u32, u32, f64)> = pairs
            .iter()
            .zip(&probs)
            .map(|(&(i, j), &p)| (i, j, f64::from(p)))
            .collect();
        let points = crate::eval::sweep(&truth, &scored, &crate::eval::default_thresholds());
        let (bp, bc) = crate::eval::best(&points).unwrap();
        eprintln!(
            "best pair {bp:?} f1 {}\nbest cluster {bc:?} f1 {}",
            bp.pairs.f1(),
            bc.clusters.f1()
        );
        assert!(bp.pairs.f1() > 0.95, "{}", bp.pairs.f1());
        assert!(bc.clusters.f1() > 0.95, "{}", bc.clusters.f1());
        // Clusters at the best threshold agree with the evaluator's count.
        let cl = clusters(persons.len(), &pairs, &probs, bc.threshold);
        let in_clusters: u64 = cluster_size_histogram(&cl)
            .iter()
            .map(|&(size, count)| (size * (size - 1) / 2 * count) as u64)
            .sum();
        assert_eq!(in_clusters, bc.clusters.predicted);
    }
}
