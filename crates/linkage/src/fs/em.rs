//! Estimation without labels, as in Splink's training steps:
//!
//! 1. u from comparison vectors of random (non-blocked) pairs, which are almost all
//!    non-matches (`estimate_u_using_random_sampling`);
//! 2. λ from deterministic rules with an assumed recall
//!    (`estimate_probability_two_random_records_match`): λ = (rule matches / recall) / pairs;
//! 3. m by expectation–maximisation on blocked pairs with u held fixed
//!    (`estimate_parameters_using_expectation_maximisation`), or the classic EM of
//!    Fellegi–Sunter with m, u and λ all free (Winkler 1988; Jaro 1989).
//!
//! EM works on the counts of distinct comparison vectors: pairs with the same γ have the same
//! posterior, so one pass costs O(distinct patterns × fields) however many pairs there are.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use super::model::{Gamma, Model, ModelError, Settings, clamp_probability};

/// FNV-1a: γ keys are a few bytes, for which SipHash costs more than the counting itself.
/// Patterns come from the platform's own comparisons, so hash flooding is not a concern.
#[derive(Clone, Copy, Debug)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Counts of distinct comparison vectors, filled incrementally so a caller can stream pairs
/// without keeping them.
#[derive(Clone, Debug, Default)]
pub struct PatternCounts {
    counts: HashMap<Box<[u8]>, u64, BuildHasherDefault<Fnv>>,
    total: u64,
}

impl PatternCounts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Count a slice of comparison vectors (validated against the settings).
    pub fn from_gammas(settings: &Settings, gammas: &[Gamma]) -> Result<Self, ModelError> {
        let mut c = Self::new();
        for g in gammas {
            c.add(g);
        }
        c.check(settings)?;
        Ok(c)
    }

    /// Add one pair.
    pub fn add(&mut self, gamma: &[u8]) {
        self.add_n(gamma, 1);
    }

    /// Add `n` pairs with the same γ.
    pub fn add_n(&mut self, gamma: &[u8], n: u64) {
        if let Some(c) = self.counts.get_mut(gamma) {
            *c += n;
        } else {
            self.counts.insert(gamma.into(), n);
        }
        self.total += n;
    }

    /// Number of pairs counted.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Number of distinct comparison vectors.
    pub fn distinct(&self) -> usize {
        self.counts.len()
    }

    /// Distinct vectors with their counts, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.counts.iter().map(|(k, &v)| (&**k, v))
    }

    /// Check every distinct vector against the settings.
    pub fn check(&self, settings: &Settings) -> Result<(), ModelError> {
        self.counts.keys().try_for_each(|k| settings.check_gamma(k))
    }
}

/// Per-field level frequencies over the non-null levels; `None` for a field whose every
/// counted pair is null (nothing to estimate from).
pub fn level_frequencies_partial(
    settings: &Settings,
    counts: &PatternCounts,
) -> Result<Vec<Option<Vec<f64>>>, ModelError> {
    counts.check(settings)?;
    let mut acc: Vec<Vec<f64>> = settings
        .fields
        .iter()
        .map(|f| vec![0.0; f.levels.len()])
        .collect();
    for (g, n) in counts.iter() {
        for (f, &l) in g.iter().enumerate() {
            acc[f][usize::from(l)] += n as f64;
        }
    }
    Ok(settings
        .fields
        .iter()
        .zip(acc)
        .map(|(spec, mut freq)| {
            let denom: f64 = (0..spec.levels.len())
                .filter(|&l| !spec.levels[l].is_null)
                .map(|l| freq[l])
                .sum();
            (denom > 0.0).then(|| {
                for (l, lv) in spec.levels.iter().enumerate() {
                    freq[l] = if lv.is_null { 1.0 } else { freq[l] / denom };
                }
                freq
            })
        })
        .collect())
}

/// Per-field level frequencies over the non-null levels; an error names a field with no
/// non-null pair.
fn level_frequencies(
    settings: &Settings,
    counts: &PatternCounts,
) -> Result<Vec<Vec<f64>>, ModelError> {
    level_frequencies_partial(settings, counts)?
        .into_iter()
        .zip(&settings.fields)
        .map(|(freq, spec)| {
            freq.ok_or_else(|| {
                ModelError::Argument(format!("字段“{}”在样本中全部缺失，无法估计 u", spec.name))
            })
        })
        .collect()
}

/// u from comparison vectors of pairs drawn at random (not through blocking), which are almost
/// all non-matches: `u[f][l]` = share of level `l` among the non-null levels of field `f`.
/// Null entries are set to 1.0 (ignored). Levels never seen get u = 0, later clamped to ε.
pub fn estimate_u(settings: &Settings, sample: &[Gamma]) -> Result<Vec<Vec<f64>>, ModelError> {
    level_frequencies(settings, &PatternCounts::from_gammas(settings, sample)?)
}

/// [`estimate_u`] from already counted random pairs.
pub fn estimate_u_from_counts(
    settings: &Settings,
    counts: &PatternCounts,
) -> Result<Vec<Vec<f64>>, ModelError> {
    level_frequencies(settings, counts)
}

/// Splink's `estimate_probability_two_random_records_match`: if deterministic rules (e.g.
/// "same resident ID") find `rule_matches` pairs among `total_pairs` possible pairs and are
/// believed to find a share `recall` of all true matches, λ = rule_matches / recall /
/// total_pairs.
pub fn estimate_lambda_from_rules(
    rule_matches: u64,
    total_pairs: u64,
    recall: f64,
) -> Result<f64, ModelError> {
    if !(recall > 0.0 && recall <= 1.0) {
        return Err(ModelError::Argument(format!(
            "召回率 {recall} 不在 (0, 1] 内"
        )));
    }
    if total_pairs == 0 || rule_matches == 0 {
        return Err(ModelError::Argument(
            "规则命中数或记录对总数为零，无法估计先验匹配概率".into(),
        ));
    }
    let lambda = rule_matches as f64 / recall / total_pairs as f64;
    if lambda >= 1.0 {
        return Err(ModelError::Argument(format!(
            "估计的先验匹配概率 {lambda} 不小于 1：召回率或记录对总数有误"
        )));
    }
    Ok(lambda)
}

/// λ from a random sample of pairs: the share satisfying a deterministic rule (e.g. equal ID
/// level), divided by the rule's assumed recall.
pub fn estimate_lambda_from_sample(
    sample: &[Gamma],
    recall: f64,
    rule: impl Fn(&[u8]) -> bool,
) -> Result<f64, ModelError> {
    let hits = sample.iter().filter(|g| rule(g)).count() as u64;
    estimate_lambda_from_rules(hits, sample.len() as u64, recall)
}

/// Options for [`em_counts`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmOptions {
    /// Keep u as given (Splink's default: u comes from random sampling and EM only moves m and
    /// λ). `false` runs the classic EM with u free as well.
    pub fixed_u: bool,
    /// Keep λ as given. Off by default: λ is re-estimated within the training pairs, which,
    /// being blocked, over-represent matches; Splink likewise does not carry the
    /// session's λ over to the global prior, so callers usually restore it afterwards.
    pub fixed_lambda: bool,
    /// Fields left out of this session entirely (neither in the E-step nor updated): those in
    /// the session's blocking rule, whose levels are forced by blocking and so cannot be
    /// estimated from these pairs (Splink "deactivates" them the same way).
    pub frozen_fields: Vec<usize>,
    /// Upper bounds on m: `(field, level, bound)`. A disagreement on what a person does not
    /// change (a different name, birth date, sex or identity number) is bounded so that EM
    /// cannot learn it to be common among matches, which it otherwise does when many
    /// candidate pairs are households sharing an address, a surname and a phone: the mass
    /// above a bound goes to the field's other levels in proportion.
    #[serde(default)]
    pub m_bounds: Vec<(usize, u8, f64)>,
    pub max_iter: usize,
    /// Stop when no parameter (λ, m, u) moves by more than this (Splink's `em_convergence`,
    /// default 0.0001).
    pub tol: f64,
}

impl Default for EmOptions {
    fn default() -> Self {
        Self {
            fixed_u: true,
            fixed_lambda: false,
            frozen_fields: Vec::new(),
            m_bounds: Vec::new(),
            max_iter: 25,
            tol: 1e-4,
        }
    }
}

/// What EM did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmReport {
    pub iterations: usize,
    pub converged: bool,
    /// Natural-log likelihood of the counted pairs under the parameters each E-step used; EM
    /// never decreases it (up to ε clamping).
    pub log_likelihood: Vec<f64>,
    /// Largest parameter change after each M-step.
    pub max_change: Vec<f64>,
    pub pairs: u64,
    pub distinct_patterns: usize,
}

/// EM over comparison vectors (see [`em_counts`]); `fixed_u` selects Splink's variant.
pub fn em(
    pairs: &[Gamma],
    init: Model,
    fixed_u: bool,
    max_iter: usize,
    tol: f64,
) -> Result<(Model, EmReport), ModelError> {
    let counts = PatternCounts::from_gammas(&init.settings, pairs)?;
    em_counts(
        &counts,
        init,
        &EmOptions {
            fixed_u,
            max_iter,
            tol,
            ..EmOptions::default()
        },
    )
}

/// EM for the two-class mixture of Fellegi–Sunter under conditional independence.
///
/// E-step, per distinct pattern γ: `a = λ Π m_f(γ_f)`, `b = (1−λ) Π u_f(γ_f)` over active,
/// non-null fields (computed in logs), posterior `g = a/(a+b)`.
/// M-step: `λ = Σ n_γ g / N`; `m_f(l) = Σ_{γ_f=l} n_γ g / Σ_{γ_f non-null} n_γ g`, and u the
/// same with `1−g` unless fixed.
pub fn em_counts(
    counts: &PatternCounts,
    init: Model,
    opts: &EmOptions,
) -> Result<(Model, EmReport), ModelError> {
    init.validate()?;
    counts.check(&init.settings)?;
    if counts.total() == 0 {
        return Err(ModelError::Argument("没有记录对，无法运行 EM".into()));
    }
    let nf = init.settings.fields.len();
    if let Some(&f) = opts.frozen_fields.iter().find(|&&f| f >= nf) {
        return Err(ModelError::Argument(format!("冻结字段序号 {f} 超出范围")));
    }
    let active: Vec<bool> = (0..nf).map(|f| !opts.frozen_fields.contains(&f)).collect();
    let null: Vec<Vec<bool>> = init
        .settings
        .fields
        .iter()
        .map(|f| f.levels.iter().map(|l| l.is_null).collect())
        .collect();
    // Flatten the patterns once: EM then streams over contiguous memory.
    let mut flat = Vec::with_capacity(counts.distinct() * nf);
    let mut weights = Vec::with_capacity(counts.distinct());
    for (g, n) in counts.iter() {
        flat.extend_from_slice(g);
        weights.push(n as f64);
    }
    let total = counts.total() as f64;

    let mut model = init;
    let mut report = EmReport {
        iterations: 0,
        converged: false,
        log_likelihood: Vec::new(),
        max_change: Vec::new(),
        pairs: counts.total(),
        distinct_patterns: counts.distinct(),
    };
    let ln_table = |p: &[Vec<f64>]| -> Vec<Vec<f64>> {
        p.iter()
            .enumerate()
            .map(|(f, row)| {
                row.iter()
                    .enumerate()
                    .map(|(l, &x)| {
                        if null[f][l] || !active[f] {
                            0.0
                        } else {
                            clamp_probability(x).ln()
                        }
                    })
                    .collect()
            })
            .collect()
    };
    for _ in 0..opts.max_iter {
        let ln_m = ln_table(&model.m);
        let ln_u = ln_table(&model.u);
        let lam = clamp_probability(model.lambda);
        let (ln_l, ln_nl) = (lam.ln(), (1.0 - lam).ln());
        let mut mm: Vec<Vec<f64>> = model.m.iter().map(|r| vec![0.0; r.len()]).collect();
        let mut uu = mm.clone();
        let (mut sum_g, mut ll) = (0.0, 0.0);
        for (g, &n) in flat.chunks_exact(nf).zip(&weights) {
            let (mut la, mut lb) = (ln_l, ln_nl);
            for (f, &l) in g.iter().enumerate() {
                la += ln_m[f][usize::from(l)];
                lb += ln_u[f][usize::from(l)];
            }
            let hi = la.max(lb);
            let lse = hi + ((la - hi).exp() + (lb - hi).exp()).ln();
            ll += n * lse;
            let post = (la - lse).exp();
            sum_g += n * post;
            for (f, &l) in g.iter().enumerate() {
                mm[f][usize::from(l)] += n * post;
                uu[f][usize::from(l)] += n * (1.0 - post);
            }
        }
        report.log_likelihood.push(ll);
        report.iterations += 1;

        let mut change: f64 = 0.0;
        if !opts.fixed_lambda {
            let new = clamp_probability(sum_g / total);
            change = change.max((new - model.lambda).abs());
            model.lambda = new;
        }
        let mut update =
            |target: &mut Vec<Vec<f64>>, acc: &[Vec<f64>], bounds: &[(usize, u8, f64)]| {
                for f in (0..nf).filter(|&f| active[f]) {
                    let denom: f64 = (0..acc[f].len())
                        .filter(|&l| !null[f][l])
                        .map(|l| acc[f][l])
                        .sum();
                    if denom <= 0.0 {
                        continue;
                    }
                    let mut row: Vec<f64> = (0..acc[f].len())
                        .map(|l| {
                            if null[f][l] {
                                target[f][l]
                            } else {
                                acc[f][l] / denom
                            }
                        })
                        .collect();
                    bound_row(&mut row, &null[f], bounds.iter().filter(|b| b.0 == f));
                    for l in (0..acc[f].len()).filter(|&l| !null[f][l]) {
                        change = change.max((row[l] - target[f][l]).abs());
                        target[f][l] = row[l];
                    }
                }
            };
        update(&mut model.m, &mm, &opts.m_bounds);
        if !opts.fixed_u {
            update(&mut model.u, &uu, &[]);
        }
        report.max_change.push(change);
        if change < opts.tol {
            report.converged = true;
            break;
        }
    }
    model.trained_on = usize::try_from(counts.total()).unwrap_or(usize::MAX);
    Ok((model, report))
}

/// Hold each bounded level of one field's row at or below its bound, the excess spread over the
/// row's other non-null, unbounded levels in proportion to them (evenly when they are all 0).
pub(crate) fn bound_row<'a>(
    row: &mut [f64],
    null: &[bool],
    bounds: impl Iterator<Item = &'a (usize, u8, f64)> + Clone,
) {
    let capped: Vec<usize> = bounds.clone().map(|b| usize::from(b.1)).collect();
    if capped.is_empty() {
        return;
    }
    let mut excess = 0.0;
    for &(_, l, bound) in bounds {
        let l = usize::from(l);
        if l < row.len() && !null[l] && row[l] > bound {
            excess += row[l] - bound;
            row[l] = bound;
        }
    }
    if excess <= 0.0 {
        return;
    }
    let free: Vec<usize> = (0..row.len())
        .filter(|l| !null[*l] && !capped.contains(l))
        .collect();
    let mass: f64 = free.iter().map(|&l| row[l]).sum();
    for &l in &free {
        row[l] += if mass > 0.0 {
            excess * row[l] / mass
        } else {
            excess / free.len() as f64
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::compare::{date_levels, id_levels, phone_levels, string_levels};
    use crate::fs::model::FieldSpec;
    use crate::fs::score::{Scorer, score};

    /// splitmix64 (Steele, Lea & Flood 2014): a deterministic generator for simulated data.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
        fn pick(&mut self, probs: &[f64]) -> u8 {
            let mut x = self.unit();
            for (i, p) in probs.iter().enumerate() {
                if x < *p {
                    return i as u8;
                }
                x -= p;
            }
            (probs.len() - 1) as u8
        }
    }

    /// True model for simulation: four fields with realistic shapes; the null level is the last
    /// level of each field and is drawn with probability 5 % regardless of class.
    fn truth(lambda: f64) -> Model {
        let settings = Settings::new(vec![
            FieldSpec::new("姓名", string_levels()),
            FieldSpec::new("出生日期", date_levels()),
            FieldSpec::new("身份证号", id_levels()),
            FieldSpec::new("电话", phone_levels()),
        ]);
        let mut m = Model::initial(settings, lambda);
        m.m = vec![
            vec![0.85, 0.08, 0.04, 0.03, 1.0],
            vec![0.85, 0.03, 0.04, 0.03, 0.05, 1.0],
            vec![0.90, 0.04, 0.02, 0.04, 1.0],
            vec![0.70, 0.10, 0.20, 1.0],
        ];
        m.u = vec![
            vec![0.005, 0.015, 0.08, 0.90, 1.0],
            vec![0.0005, 0.0005, 0.008, 0.09, 0.901, 1.0],
            vec![0.0001, 0.0004, 0.0005, 0.999, 1.0],
            vec![0.001, 0.002, 0.997, 1.0],
        ];
        m
    }

    /// Simulate `n` pairs; returns the vectors and the true match flags.
    fn simulate(model: &Model, n: usize, seed: u64) -> (Vec<Gamma>, Vec<bool>) {
        let mut rng = SplitMix(seed);
        let mut out = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let is_match = rng.unit() < model.lambda;
            let g: Vec<u8> = (0..model.settings.fields.len())
                .map(|f| {
                    let k = model.settings.fields[f].levels.len();
                    if rng.unit() < 0.05 {
                        return (k - 1) as u8;
                    }
                    let p = if is_match { &model.m[f] } else { &model.u[f] };
                    rng.pick(&p[..k - 1])
                })
                .collect();
            out.push(Gamma(g));
            labels.push(is_match);
        }
        (out, labels)
    }

    /// m as observed among the simulated true matches (the best any estimator can do).
    fn empirical_m(model: &Model, gammas: &[Gamma], labels: &[bool]) -> Vec<Vec<f64>> {
        let matches: Vec<Gamma> = gammas
            .iter()
            .zip(labels)
            .filter(|&(_, &l)| l)
            .map(|(g, _)| g.clone())
            .collect();
        estimate_u(&model.settings, &matches).unwrap()
    }

    fn max_m_error(a: &Model, b: &[Vec<f64>]) -> f64 {
        let mut worst: f64 = 0.0;
        for (f, spec) in a.settings.fields.iter().enumerate() {
            for (l, lv) in spec.levels.iter().enumerate() {
                if !lv.is_null {
                    worst = worst.max((a.m[f][l] - b[f][l]).abs());
                }
            }
        }
        worst
    }

    #[test]
    fn free_em_recovers_parameters() {
        let t = truth(0.01);
        let (pairs, labels) = simulate(&t, 200_000, 1);
        let init = Model::initial(t.settings.clone(), 0.05);
        let (fit, rep) = em(&pairs, init, false, 200, 1e-7).unwrap();
        assert!(rep.converged, "{rep:?}");
        let true_share = labels.iter().filter(|&&l| l).count() as f64 / labels.len() as f64;
        assert!(
            (fit.lambda - true_share).abs() < 0.001,
            "λ {} vs {true_share}",
            fit.lambda
        );
        let emp = empirical_m(&t, &pairs, &labels);
        println!(
            "free EM: {} iterations, λ {:.5} (true share {true_share:.5}), max |Δm| {:.4} vs observed, {:.4} vs generating",
            rep.iterations,
            fit.lambda,
            max_m_error(&fit, &emp),
            max_m_error(&fit, &t.m)
        );
        assert!(max_m_error(&fit, &emp) < 0.02, "{:?} vs {emp:?}", fit.m);
        assert!(max_m_error(&fit, &t.m) < 0.03, "{:?} vs {:?}", fit.m, t.m);
        for (f, row) in fit.u.iter().enumerate() {
            for (l, x) in row.iter().enumerate() {
                assert!((x - t.u[f][l]).abs() < 0.01, "u[{f}][{l}] {x}");
            }
        }
        assert!(rep.distinct_patterns < 2_000);
        assert_eq!(fit.trained_on, 200_000);
        for w in rep.log_likelihood.windows(2) {
            assert!(w[1] >= w[0] - 1e-6 * w[0].abs(), "{:?}", rep.log_likelihood);
        }
    }

    #[test]
    fn em_with_u_from_random_sampling() {
        let t = truth(0.01);
        // Random pairs: matches are very rare among them.
        let (random, _) = simulate(
            &Model {
                lambda: 0.0001,
                ..t.clone()
            },
            200_000,
            2,
        );
        let u = estimate_u(&t.settings, &random).unwrap();
        let (pairs, labels) = simulate(&t, 200_000, 3);
        let mut init = Model::initial(t.settings.clone(), 0.05);
        init.u = u;
        let (fit, rep) = em(&pairs, init, true, 200, 1e-7).unwrap();
        assert!(rep.converged);
        for w in rep.log_likelihood.windows(2) {
            assert!(w[1] >= w[0] - 1e-9 * w[0].abs(), "{:?}", rep.log_likelihood);
        }
        let true_share = labels.iter().filter(|&&l| l).count() as f64 / labels.len() as f64;
        assert!((fit.lambda - true_share).abs() < 0.001);
        let emp = empirical_m(&t, &pairs, &labels);
        println!(
            "fixed-u EM: {} iterations, λ {:.5} (true share {true_share:.5}), max |Δm| {:.4} vs observed, {:.4} vs generating",
            rep.iterations,
            fit.lambda,
            max_m_error(&fit, &emp),
            max_m_error(&fit, &t.m)
        );
        assert!(max_m_error(&fit, &emp) < 0.02, "{:?} vs {emp:?}", fit.m);
        // The fitted model separates the classes: true matches mostly score above 0.5.
        let sc = Scorer::new(&fit);
        let (tp, pos) = pairs
            .iter()
            .zip(&labels)
            .filter(|&(_, &l)| l)
            .fold((0, 0), |(tp, pos), (g, _)| {
                (tp + usize::from(sc.probability(g) > 0.5), pos + 1)
            });
        assert!(tp as f64 / pos as f64 > 0.9, "{tp}/{pos}");
    }

    #[test]
    fn frozen_fields_and_fixed_lambda_are_kept() {
        let t = truth(0.01);
        let (pairs, _) = simulate(&t, 20_000, 4);
        let counts = PatternCounts::from_gammas(&t.settings, &pairs).unwrap();
        let init = Model::initial(t.settings.clone(), 0.02);
        let opts = EmOptions {
            fixed_u: false,
            fixed_lambda: true,
            frozen_fields: vec![2],
            max_iter: 10,
            m_bounds: Vec::new(),
            tol: 1e-6,
        };
        let (fit, _) = em_counts(&counts, init.clone(), &opts).unwrap();
        assert_eq!(fit.lambda, init.lambda);
        assert_eq!(fit.m[2], init.m[2]);
        assert_eq!(fit.u[2], init.u[2]);
        assert_ne!(fit.m[0], init.m[0]);
        let bad = EmOptions {
            frozen_fields: vec![9],
            ..opts
        };
        assert!(em_counts(&counts, init, &bad).is_err());
    }

    #[test]
    fn u_and_lambda_estimates() {
        let t = truth(0.01);
        let sample = vec![
            Gamma(vec![0, 5, 4, 3]),
            Gamma(vec![3, 4, 3, 2]),
            Gamma(vec![3, 4, 3, 2]),
        ];
        let u = estimate_u(&t.settings, &sample).unwrap();
        assert!((u[0][0] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(u[1][4], 1.0); // only non-null levels count: 2 of 2
        assert!(estimate_u(&t.settings, &sample[..1]).is_err()); // 出生日期、身份证号 all missing
        assert!(estimate_u(&t.settings, &[Gamma(vec![0, 0, 0])]).is_err());
        let l = estimate_lambda_from_rules(1_000, 10_000_000, 0.8).unwrap();
        assert!((l - 1.25e-4).abs() < 1e-12);
        assert!(estimate_lambda_from_rules(0, 10, 0.8).is_err());
        assert!(estimate_lambda_from_rules(10, 10, 0.5).is_err());
        assert!(estimate_lambda_from_rules(1, 10, 0.0).is_err());
        let l = estimate_lambda_from_sample(&sample, 1.0, |g| g[0] == 0).unwrap();
        assert!((l - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn pattern_counts() {
        let mut c = PatternCounts::new();
        c.add(&[1, 2]);
        c.add(&[1, 2]);
        c.add_n(&[0, 0], 5);
        assert_eq!(c.total(), 7);
        assert_eq!(c.distinct(), 2);
        let mut v: Vec<_> = c.iter().map(|(g, n)| (g.to_vec(), n)).collect();
        v.sort();
        assert_eq!(v, vec![(vec![0, 0], 5), (vec![1, 2], 2)]);
    }

    proptest::proptest! {
        /// EM is monotone in the likelihood for any data and starting point (fixed or free u).
        #[test]
        fn em_log_likelihood_never_decreases(
            patterns in proptest::collection::vec(
                (proptest::collection::vec(0u8..3, 3), 1u64..500), 1..30),
            lambda in 0.01f64..0.6,
            fixed_u in proptest::bool::ANY,
        ) {
            use crate::fs::model::LevelSpec;
            let levels = || vec![LevelSpec::new("相同"), LevelSpec::new("不同"), LevelSpec::null("缺失")];
            let settings = Settings::new(
                (0..3).map(|i| FieldSpec::new(format!("f{i}"), levels())).collect(),
            );
            let mut counts = PatternCounts::new();
            for (g, n) in &patterns {
                counts.add_n(g, *n);
            }
            let opts = EmOptions { fixed_u, max_iter: 30, tol: 0.0, ..EmOptions::default() };
            let (_, rep) = em_counts(&counts, Model::initial(settings, lambda), &opts).unwrap();
            for w in rep.log_likelihood.windows(2) {
                proptest::prop_assert!(w[1] >= w[0] - 1e-6 * (1.0 + w[0].abs()), "{:?}", rep.log_likelihood);
            }
        }
    }

    /// Throughput figures; run in release:
    /// `cargo test --release -p sijian-linkage fs -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_scoring_and_em_1m() {
        use std::time::Instant;
        let t = truth(0.01);
        let n = 1_000_000;
        let (pairs, _) = simulate(&t, n, 5);

        let sc = Scorer::new(&t);
        let start = Instant::now();
        let mut acc = 0.0;
        for g in &pairs {
            acc += sc.weight(g);
        }
        let dt = start.elapsed().as_secs_f64();
        println!(
            "Scorer::weight: {n} pairs in {dt:.3} s = {:.1} M pairs/s (checksum {acc:.1})",
            n as f64 / dt / 1e6
        );

        let start = Instant::now();
        let mut acc = 0.0;
        for g in &pairs {
            acc += score(&t, g, &[]).unwrap().probability;
        }
        let dt = start.elapsed().as_secs_f64();
        println!(
            "score() with explanation: {n} pairs in {dt:.3} s = {:.2} M pairs/s (checksum {acc:.1})",
            n as f64 / dt / 1e6
        );

        let mut with_tf = t.clone();
        let names: Vec<String> = (0..10_000).map(|i| format!("姓{}", i % 500)).collect();
        with_tf.tf[0] = Some(crate::fs::model::TfTable::from_values(
            0,
            names.iter().map(String::as_str),
        ));
        let sc = Scorer::new(&with_tf);
        let start = Instant::now();
        let mut acc = 0.0;
        for (i, g) in pairs.iter().enumerate() {
            acc += sc.weight_tf(g, &[Some(names[i % names.len()].as_str())]);
        }
        let dt = start.elapsed().as_secs_f64();
        println!(
            "Scorer::weight_tf (500-value table): {n} pairs in {dt:.3} s = {:.1} M pairs/s (checksum {acc:.1})",
            n as f64 / dt / 1e6
        );

        let start = Instant::now();
        let counts = PatternCounts::from_gammas(&t.settings, &pairs).unwrap();
        let t_count = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let opts = EmOptions {
            fixed_u: false,
            max_iter: 100,
            tol: 1e-6,
            ..EmOptions::default()
        };
        let (_, rep) = em_counts(&counts, Model::initial(t.settings.clone(), 0.05), &opts).unwrap();
        let t_em = start.elapsed().as_secs_f64();
        println!(
            "EM over {n} pairs: counting {t_count:.3} s ({} distinct patterns), {} iterations {t_em:.4} s (converged {})",
            rep.distinct_patterns, rep.iterations, rep.converged
        );
    }
}
