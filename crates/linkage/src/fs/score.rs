//! Match weight, probability and per-field explanation of one comparison vector.
//!
//! Formulas (Fellegi & Sunter 1969; Splink documentation, "The Fellegi-Sunter model" and
//! "Term frequency adjustments"):
//!
//! - match weight `w = log2(λ/(1−λ)) + Σ_i log2(m_i/u_i)`, the null level contributing 0;
//! - term-frequency adjustment on the exact level of a field with a table, for shared value x:
//!   `+ weight · log2(u_exact / max(tf(x), tf_min))`, i.e. u_exact is replaced by the value's
//!   frequency (so the field contributes `log2(m_exact/tf(x))` at weight 1); no adjustment
//!   when x is absent from the table (Splink's `ELSE 1`);
//! - probability `p = 2^w / (1 + 2^w)`.

use serde::{Deserialize, Serialize};

use super::model::{Model, ModelError, clamp_probability};

/// One field's share of the evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub field_index: usize,
    pub field: String,
    pub level: u8,
    pub level_label: String,
    pub is_null: bool,
    /// log2(m/u) of the level (0 for the null level).
    pub log2_bayes_factor: f64,
    /// Term-frequency adjustment in bits (0 when none applies).
    pub tf_adjustment_log2: f64,
}

impl Contribution {
    /// Bits this field adds to the match weight, TF adjustment included.
    pub fn total_log2(&self) -> f64 {
        self.log2_bayes_factor + self.tf_adjustment_log2
    }
}

/// Kind of a waterfall bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaterfallKind {
    Prior,
    Field,
    TfAdjustment,
    Total,
}

/// One bar of a waterfall chart (Splink's `waterfall_chart`): prior, each field, each TF
/// adjustment as its own bar, then the total; `cumulative` is the running match weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaterfallStep {
    pub kind: WaterfallKind,
    pub label: String,
    pub log2_bayes_factor: f64,
    pub cumulative: f64,
}

/// The score of one pair with its explanation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// λ the prior came from.
    pub lambda: f64,
    /// log2(λ/(1−λ)).
    pub prior_log2: f64,
    /// Prior plus all contributions, in bits.
    pub match_weight: f64,
    /// 2^w / (1 + 2^w).
    pub probability: f64,
    /// One entry per field, in settings order.
    pub contributions: Vec<Contribution>,
}

/// Bits → probability, `2^w/(1+2^w)`, written as `1/(1+2^−w)` so that large |w| neither
/// overflows nor loses the small tail.
pub fn probability_from_weight(w: f64) -> f64 {
    1.0 / (1.0 + (-w).exp2())
}

fn fmt_bits(x: f64) -> String {
    if x.abs() < 0.05 {
        "0".to_owned()
    } else {
        format!("{x:+.1}")
    }
}

impl Scored {
    /// Reviewer-facing lines: the prior, one line per field ("姓名：同音（+6.2）",
    /// "出生日期：缺失（0）"), then the total with the probability.
    pub fn explain_zh(&self) -> Vec<String> {
        let mut lines = Vec::with_capacity(self.contributions.len() + 2);
        lines.push(format!(
            "先验（随机两条记录为同一人的概率 λ={}）：{}",
            fmt_lambda(self.lambda),
            fmt_bits(self.prior_log2)
        ));
        for c in &self.contributions {
            if c.tf_adjustment_log2 != 0.0 {
                lines.push(format!(
                    "{}：{}（{}，含词频调整 {}）",
                    c.field,
                    c.level_label,
                    fmt_bits(c.total_log2()),
                    fmt_bits(c.tf_adjustment_log2)
                ));
            } else {
                lines.push(format!(
                    "{}：{}（{}）",
                    c.field,
                    c.level_label,
                    fmt_bits(c.log2_bayes_factor)
                ));
            }
        }
        lines.push(format!(
            "合计：匹配权重 {}，匹配概率 {}",
            fmt_bits(self.match_weight),
            fmt_percent(self.probability)
        ));
        lines
    }

    /// Bars for a waterfall chart, in settings order, ending with the total.
    pub fn waterfall(&self) -> Vec<WaterfallStep> {
        let mut steps = Vec::with_capacity(self.contributions.len() * 2 + 2);
        let mut acc = self.prior_log2;
        steps.push(WaterfallStep {
            kind: WaterfallKind::Prior,
            label: "先验".to_owned(),
            log2_bayes_factor: self.prior_log2,
            cumulative: acc,
        });
        for c in &self.contributions {
            acc += c.log2_bayes_factor;
            steps.push(WaterfallStep {
                kind: WaterfallKind::Field,
                label: format!("{}：{}", c.field, c.level_label),
                log2_bayes_factor: c.log2_bayes_factor,
                cumulative: acc,
            });
            if c.tf_adjustment_log2 != 0.0 {
                acc += c.tf_adjustment_log2;
                steps.push(WaterfallStep {
                    kind: WaterfallKind::TfAdjustment,
                    label: format!("{}：词频调整", c.field),
                    log2_bayes_factor: c.tf_adjustment_log2,
                    cumulative: acc,
                });
            }
        }
        steps.push(WaterfallStep {
            kind: WaterfallKind::Total,
            label: "合计".to_owned(),
            log2_bayes_factor: self.match_weight,
            cumulative: self.match_weight,
        });
        steps
    }

    /// Contributions ordered by absolute size, largest first (ties keep settings order): the
    /// fields that decided the score.
    pub fn strongest_contributions(&self) -> Vec<&Contribution> {
        let mut v: Vec<&Contribution> = self.contributions.iter().collect();
        v.sort_by(|a, b| b.total_log2().abs().total_cmp(&a.total_log2().abs()));
        v
    }
}

fn fmt_lambda(l: f64) -> String {
    if l >= 0.001 {
        format!("{l:.4}")
    } else {
        format!("{l:.2e}")
    }
}

fn fmt_percent(p: f64) -> String {
    let pct = p * 100.0;
    if pct > 99.99 && pct < 100.0 {
        // Never print a non-certain score as "100.00%".
        format!("{:.4}%", pct.min(99.9999))
    } else {
        format!("{pct:.2}%")
    }
}

/// Term-frequency adjustment in bits for field `f` at `level` with shared value `value`.
fn tf_adjustment(model: &Model, f: usize, level: u8, value: Option<&str>) -> f64 {
    let (Some(table), Some(value)) = (model.tf[f].as_ref(), value) else {
        return 0.0;
    };
    if table.level != level {
        return 0.0;
    }
    let Some(freq) = table.frequency(value) else {
        return 0.0;
    };
    let u_exact = clamp_probability(model.u[f][usize::from(level)]);
    table.weight * (u_exact / freq).log2()
}

/// Score one comparison vector with its explanation. `tf_values[i]` is the value both records
/// share in field `i` (used only on that field's TF level); a shorter slice means "none" for
/// the remaining fields.
pub fn score(
    model: &Model,
    gamma: &[u8],
    tf_values: &[Option<&str>],
) -> Result<Scored, ModelError> {
    model.settings.check_gamma(gamma)?;
    let prior_log2 = model.prior_log2();
    let mut total = prior_log2;
    let mut contributions = Vec::with_capacity(gamma.len());
    for (i, (spec, &g)) in model.settings.fields.iter().zip(gamma).enumerate() {
        let level = &spec.levels[usize::from(g)];
        let dependent = model
            .dependencies
            .iter()
            .find(|d| d.field == i && d.applies(gamma));
        let bf = match dependent {
            Some(d) => {
                (clamp_probability(model.m[i][usize::from(g)]) / clamp_probability(d.u)).log2()
            }
            None => model.level_log2_bayes_factor(i, g),
        };
        let tf = if level.is_null || dependent.is_some() {
            0.0
        } else {
            tf_adjustment(model, i, g, tf_values.get(i).copied().flatten())
        };
        total += bf + tf;
        contributions.push(Contribution {
            field_index: i,
            field: spec.name.clone(),
            level: g,
            level_label: level.label.clone(),
            is_null: level.is_null,
            log2_bayes_factor: bf,
            tf_adjustment_log2: tf,
        });
    }
    Ok(Scored {
        lambda: model.lambda,
        prior_log2,
        match_weight: total,
        probability: probability_from_weight(total),
        contributions,
    })
}

/// A model compiled into a flat table of per-level weights for bulk scoring (no allocation
/// per pair). Gives the same weights as [`score`].
#[derive(Clone, Debug)]
pub struct Scorer<'a> {
    model: &'a Model,
    prior: f64,
    offsets: Vec<usize>,
    table: Vec<f64>,
}

impl<'a> Scorer<'a> {
    pub fn new(model: &'a Model) -> Self {
        let mut offsets = Vec::with_capacity(model.settings.fields.len());
        let mut table = Vec::new();
        for (i, f) in model.settings.fields.iter().enumerate() {
            offsets.push(table.len());
            for l in 0..f.levels.len() {
                table.push(model.level_log2_bayes_factor(i, l as u8));
            }
        }
        Self {
            model,
            prior: model.prior_log2(),
            offsets,
            table,
        }
    }

    /// Match weight without TF adjustments (field dependencies applied). Panics if a level is out of range; check vectors
    /// from untrusted input with [`super::Settings::check_gamma`] first.
    #[inline]
    pub fn weight(&self, gamma: &[u8]) -> f64 {
        debug_assert_eq!(gamma.len(), self.offsets.len());
        let mut w = self.prior;
        for (&o, &g) in self.offsets.iter().zip(gamma) {
            w += self.table[o + usize::from(g)];
        }
        for d in self.model.dependencies.iter().filter(|d| d.applies(gamma)) {
            let own = clamp_probability(self.model.u[d.field][usize::from(d.level)]);
            w += (own / clamp_probability(d.u)).log2();
        }
        w
    }

    /// Match weight with TF adjustments (see [`score`] for `tf_values`).
    pub fn weight_tf(&self, gamma: &[u8], tf_values: &[Option<&str>]) -> f64 {
        let mut w = self.weight(gamma);
        let deps = &self.model.dependencies;
        for (i, &g) in gamma.iter().enumerate() {
            if self.model.tf[i].is_some() && !deps.iter().any(|d| d.field == i && d.applies(gamma))
            {
                w += tf_adjustment(self.model, i, g, tf_values.get(i).copied().flatten());
            }
        }
        w
    }

    /// Probability of the match weight.
    pub fn probability(&self, gamma: &[u8]) -> f64 {
        probability_from_weight(self.weight(gamma))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::model::TfTable;
    use crate::fs::model::tests::two_field_model;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_weight_and_probability() {
        // λ = 0.01; 姓名 exact m=0.9 u=0.05; 出生日期 different m=0.2 u=0.99.
        let m = two_field_model();
        let s = score(&m, &[0, 1], &[]).unwrap();
        let prior = (0.01f64 / 0.99).log2();
        let w = prior + (0.9f64 / 0.05).log2() + (0.2f64 / 0.99).log2();
        assert!((s.prior_log2 - prior).abs() < 1e-12);
        assert!((s.match_weight - w).abs() < 1e-12);
        // Direct Bayes: odds = λ/(1−λ) · (0.9/0.05) · (0.2/0.99).
        let odds = 0.01 / 0.99 * 18.0 * (0.2 / 0.99);
        assert!((s.probability - odds / (1.0 + odds)).abs() < 1e-12);
        assert!(
            (s.match_weight - (-4.7669)).abs() < 1e-3,
            "{}",
            s.match_weight
        );
        assert_eq!(Scorer::new(&m).weight(&[0, 1]), s.match_weight);
    }

    #[test]
    fn null_level_contributes_zero() {
        let m = two_field_model();
        let s = score(&m, &[0, 2], &[]).unwrap();
        assert_eq!(s.contributions[1].log2_bayes_factor, 0.0);
        assert!(s.contributions[1].is_null);
        let expect = m.prior_log2() + (0.9f64 / 0.05).log2();
        assert!((s.match_weight - expect).abs() < 1e-12);
        assert!(s.explain_zh()[2].contains("出生日期：缺失（0）"));
    }

    /// A household's address and phone: once the first agrees, the second's agreement is
    /// weighed against its rate among non-matches that share the first, in the explanation and
    /// in bulk scoring alike; a saved model keeps the dependency.
    #[test]
    fn a_dependent_field_counts_only_what_it_adds() {
        use crate::fs::model::{Dependency, TfTable};
        let mut m = two_field_model();
        let dates: Vec<String> = (0..98).map(|d| format!("1990{d:04}")).collect();
        m.tf[1] = Some(TfTable::from_values(
            0,
            dates
                .iter()
                .map(String::as_str)
                .chain(["19800503", "19800503"]),
        ));
        let plain = score(&m, &[0, 0], &[None, Some("19800503")]).unwrap();
        m.dependencies = vec![Dependency {
            given: 0,
            given_level: 0,
            field: 1,
            level: 0,
            u: 0.5,
        }];
        m.validate().unwrap();
        let dep = score(&m, &[0, 0], &[None, Some("19800503")]).unwrap();
        let c = &dep.contributions[1];
        assert!((c.log2_bayes_factor - (0.8f64 / 0.5).log2()).abs() < 1e-12);
        assert_eq!(
            c.tf_adjustment_log2, 0.0,
            "no term frequency on a dependent level"
        );
        assert!(dep.match_weight < plain.match_weight);
        let sc = Scorer::new(&m);
        assert!((sc.weight_tf(&[0, 0], &[None, Some("19800503")]) - dep.match_weight).abs() < 1e-9);
        // Where the given field disagrees the field keeps its own u.
        let apart = score(&m, &[1, 0], &[]).unwrap();
        assert!((apart.contributions[1].log2_bayes_factor - (0.8f64 / 0.01).log2()).abs() < 1e-12);
        assert!((sc.weight_tf(&[1, 0], &[]) - apart.match_weight).abs() < 1e-9);
        let back = Model::from_json(&m.to_json().unwrap()).unwrap();
        assert_eq!(back.dependencies, m.dependencies);
        // A dependency on itself or on a null level is refused.
        m.dependencies[0].given = 1;
        assert!(m.validate().is_err());
    }

    #[test]
    fn tf_adjustment_common_value_scores_lower() {
        let mut m = two_field_model();
        let mut names = vec!["王"; 700];
        names.extend(["李"; 290]);
        names.extend(["欧阳"; 10]);
        m.tf[0] = Some(TfTable::from_values(0, names));
        let common = score(&m, &[0, 1], &[Some("王")]).unwrap();
        let rare = score(&m, &[0, 1], &[Some("欧阳")]).unwrap();
        let unknown = score(&m, &[0, 1], &[Some("诸葛")]).unwrap();
        let none = score(&m, &[0, 1], &[]).unwrap();
        assert!(common.match_weight < none.match_weight);
        assert!(rare.match_weight > none.match_weight);
        assert!(common.probability < rare.probability);
        assert_eq!(unknown.match_weight, none.match_weight);
        // At weight 1 the field contributes log2(m_exact / tf(x)).
        let c = &rare.contributions[0];
        assert!((c.total_log2() - (0.9f64 / 0.01).log2()).abs() < 1e-12);
        assert!((c.tf_adjustment_log2 - (0.05f64 / 0.01).log2()).abs() < 1e-12);
        // Not applied on other levels.
        let diff = score(&m, &[1, 1], &[Some("王")]).unwrap();
        assert_eq!(diff.contributions[0].tf_adjustment_log2, 0.0);
        // The floor bounds the bonus of a very rare value.
        m.tf[0].as_mut().unwrap().min_frequency = 0.05;
        let floored = score(&m, &[0, 1], &[Some("欧阳")]).unwrap();
        assert_eq!(floored.contributions[0].tf_adjustment_log2, 0.0);
        // The bulk scorer agrees.
        let sc = Scorer::new(&m);
        assert!(
            (sc.weight_tf(&[0, 1], &[Some("王")])
                - score(&m, &[0, 1], &[Some("王")]).unwrap().match_weight)
                .abs()
                < 1e-12
        );
        let lines = common.explain_zh();
        assert!(lines[1].contains("含词频调整"), "{lines:?}");
    }

    #[test]
    fn explanation_and_waterfall() {
        let m = two_field_model();
        let s = score(&m, &[0, 1], &[]).unwrap();
        let lines = s.explain_zh();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("先验"));
        assert_eq!(lines[1], "姓名：完全相同（+4.2）");
        assert_eq!(lines[2], "出生日期：不同（-2.3）");
        assert!(lines[3].starts_with("合计：匹配权重 -4.8"), "{}", lines[3]);
        let wf = s.waterfall();
        assert_eq!(wf.first().unwrap().kind, WaterfallKind::Prior);
        assert_eq!(wf.last().unwrap().kind, WaterfallKind::Total);
        assert!((wf[wf.len() - 2].cumulative - s.match_weight).abs() < 1e-12);
        assert_eq!(s.strongest_contributions()[0].field, "姓名");
    }

    #[test]
    fn clamping_keeps_weights_finite() {
        let mut m = two_field_model();
        m.m[0][0] = 1.0;
        m.u[0][0] = 0.0;
        let s = score(&m, &[0, 1], &[]).unwrap();
        assert!(s.match_weight.is_finite());
        assert!(s.contributions[0].log2_bayes_factor < 20.0);
        assert!(score(&m, &[0], &[]).is_err());
    }

    proptest! {
        /// With a field's log2(m/u) ordered by level, raising that field's level (all else fixed)
        /// never lowers the probability.
        #[test]
        fn probability_monotone_in_level(
            lambda in 0.0001f64..0.5,
            raw in proptest::collection::vec(proptest::collection::vec(0.001f64..1.0, 4), 3),
            gamma in proptest::collection::vec(0u8..4, 3),
            field in 0usize..3,
        ) {
            use crate::fs::model::{FieldSpec, LevelSpec, Settings};
            let settings = Settings::new((0..3).map(|i| FieldSpec::new(
                format!("f{i}"),
                (0..4).map(|l| LevelSpec::new(format!("l{l}"))).collect(),
            )).collect());
            let mut model = Model::initial(settings, lambda);
            for (f, r) in raw.iter().enumerate() {
                // Sort m ascending and u descending so m/u increases with the level index.
                let (mut mf, mut uf) = (r.clone(), r.clone());
                mf.sort_by(f64::total_cmp);
                uf.sort_by(|a, b| b.total_cmp(a));
                let (sm, su): (f64, f64) = (mf.iter().sum(), uf.iter().sum());
                model.m[f] = mf.iter().map(|x| x / sm).collect();
                model.u[f] = uf.iter().map(|x| x / su).collect();
            }
            let mut prev = -1.0;
            for l in 0..4u8 {
                let mut g = gamma.clone();
                g[field] = l;
                let p = score(&model, &g, &[]).unwrap().probability;
                prop_assert!(p >= prev - 1e-15);
                prev = p;
            }
        }

        #[test]
        fn probability_is_logistic_of_weight(w in -60.0f64..60.0) {
            let p = probability_from_weight(w);
            prop_assert!((0.0..=1.0).contains(&p));
            let direct = w.exp2() / (1.0 + w.exp2());
            prop_assert!((p - direct).abs() < 1e-12);
        }
    }
}
