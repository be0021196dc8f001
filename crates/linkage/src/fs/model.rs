//! Comparison settings, comparison vectors and the versioned Fellegi–Sunter model.
//!
//! A *comparison* (Splink's term) is one field with ordered levels, from most to least similar
//! among the non-null levels, plus at most one null level ("missing"). For each level,
//! `m = P(level | match)` and `u = P(level | non-match)`; the null level carries no evidence and
//! so has Bayes factor 1 by construction (Splink: "null levels have no m or u"). Its m and u
//! entries are stored as `1.0` and ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Format version written into every saved model; loading refuses any other value, so a
/// reviewer never sees weights computed with a misread file.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// m, u, λ and term frequencies are clamped to `[ε, 1 − ε]` before taking logarithms, so a
/// level never observed in training yields a large but finite weight (at most
/// `log2((1 − ε)/ε)` ≈ 19.9 bits per field) instead of ±∞. Splink leaves zeros in place and
/// warns; a finite bound keeps totals, probabilities and explanations well defined.
pub const PROBABILITY_EPSILON: f64 = 1e-6;

/// Clamp a probability to `[PROBABILITY_EPSILON, 1 − PROBABILITY_EPSILON]` (NaN → ε).
pub fn clamp_probability(p: f64) -> f64 {
    if p.is_nan() {
        return PROBABILITY_EPSILON;
    }
    p.clamp(PROBABILITY_EPSILON, 1.0 - PROBABILITY_EPSILON)
}

/// One level of a comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelSpec {
    /// Shown to reviewers, e.g. "同音" or "缺失".
    pub label: String,
    /// The null level ("missing" on either side): Bayes factor 1, excluded from estimation.
    #[serde(default)]
    pub is_null: bool,
}

impl LevelSpec {
    /// A level that carries evidence.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            is_null: false,
        }
    }

    /// The null ("missing") level.
    pub fn null(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            is_null: true,
        }
    }
}

/// One compared field and its levels (non-null levels ordered from most to least similar; the
/// order is used only to initialise EM, never to score).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Display name, e.g. "姓名".
    pub name: String,
    pub levels: Vec<LevelSpec>,
}

impl FieldSpec {
    pub fn new(name: impl Into<String>, levels: Vec<LevelSpec>) -> Self {
        Self {
            name: name.into(),
            levels,
        }
    }

    /// Whether level `level` is the null level (out-of-range levels are not).
    pub fn is_null(&self, level: u8) -> bool {
        self.levels
            .get(usize::from(level))
            .is_some_and(|l| l.is_null)
    }
}

/// The comparisons of a model, in the order of the entries of a [`Gamma`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub fields: Vec<FieldSpec>,
}

impl Settings {
    pub fn new(fields: Vec<FieldSpec>) -> Self {
        Self { fields }
    }

    /// Check that a comparison vector has one valid level per field.
    pub fn check_gamma(&self, gamma: &[u8]) -> Result<(), ModelError> {
        if gamma.len() != self.fields.len() {
            return Err(ModelError::GammaLength {
                expected: self.fields.len(),
                got: gamma.len(),
            });
        }
        for (i, (f, &g)) in self.fields.iter().zip(gamma).enumerate() {
            if usize::from(g) >= f.levels.len() {
                return Err(ModelError::LevelOutOfRange {
                    field: i,
                    level: g,
                    levels: f.levels.len(),
                });
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ModelError> {
        if self.fields.is_empty() {
            return Err(ModelError::Invalid("设置中没有任何比较字段".into()));
        }
        for f in &self.fields {
            if f.levels.is_empty() || f.levels.len() > usize::from(u8::MAX) + 1 {
                return Err(ModelError::Invalid(format!(
                    "字段“{}”的比较级别数 {} 无效",
                    f.name,
                    f.levels.len()
                )));
            }
            if f.levels.iter().filter(|l| l.is_null).count() > 1 {
                return Err(ModelError::Invalid(format!(
                    "字段“{}”有多个缺失级别",
                    f.name
                )));
            }
            if f.levels.iter().all(|l| l.is_null) {
                return Err(ModelError::Invalid(format!(
                    "字段“{}”没有非缺失级别",
                    f.name
                )));
            }
        }
        Ok(())
    }
}

/// A comparison vector γ: one level index per field of the [`Settings`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Gamma(pub Vec<u8>);

impl Gamma {
    pub fn new(levels: Vec<u8>) -> Self {
        Self(levels)
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

impl std::ops::Deref for Gamma {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Gamma {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

/// Term frequencies of one field's values, used for Splink's term-frequency adjustment of an
/// exact match: the u of the exact level is replaced by the frequency of the shared value, so
/// agreeing on "王" is weaker evidence than agreeing on a rare surname.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfTable {
    /// The level the adjustment applies to (the field's exact-match level).
    pub level: u8,
    /// Splink's `tf_adjustment_weight`: the adjustment is multiplied by it (1 = full).
    pub weight: f64,
    /// Splink's `tf_minimum_u_value`: frequencies below it are raised to it, bounding how much
    /// a very rare value can add.
    pub min_frequency: f64,
    /// Value → relative frequency among non-null values (sums to at most 1).
    pub frequencies: BTreeMap<String, f64>,
}

impl TfTable {
    /// Count the caller's values (one per record, already normalised; empty strings skipped)
    /// into relative frequencies for `level`, with weight 1 and no floor beyond ε.
    pub fn from_values<'a, I>(level: u8, values: I) -> Self
    where
        I: IntoIterator<Item = &'a str>,
    {
        Self::counted(level, values, 1)
    }

    /// As [`TfTable::from_values`], keeping only the values held more than once: the table
    /// serves pairs that share a value, and a value held once is shared by no pair (a file of
    /// a million distinct addresses keeps a small table).
    pub fn from_shared_values<'a, I>(level: u8, values: I) -> Self
    where
        I: IntoIterator<Item = &'a str>,
    {
        Self::counted(level, values, 2)
    }

    /// The relative frequencies of the non-empty values held at least `min_count` times.
    fn counted<'a, I>(level: u8, values: I, min_count: u64) -> Self
    where
        I: IntoIterator<Item = &'a str>,
    {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        let mut total = 0u64;
        for v in values.into_iter().filter(|v| !v.is_empty()) {
            *counts.entry(v).or_default() += 1;
            total += 1;
        }
        let frequencies = counts
            .into_iter()
            .filter(|&(_, c)| c >= min_count)
            .map(|(k, c)| (k.to_owned(), c as f64 / total as f64))
            .collect();
        Self {
            level,
            weight: 1.0,
            min_frequency: 0.0,
            frequencies,
        }
    }

    /// The frequency used as the term-specific u for `value`, if the value is known.
    pub fn frequency(&self, value: &str) -> Option<f64> {
        self.frequencies
            .get(value)
            .map(|&f| clamp_probability(f.max(self.min_frequency)))
    }
}

/// Two fields that non-matches agree on together far more often than apart: a household shares
/// its address and often its phone, so a shared phone says little more once the address is
/// shared. When `given` is at `given_level` and `field` at `level`, the field's u at that level
/// is `u` (its rate among non-matches that agree on `given`) instead of its own, and no
/// term-frequency adjustment applies to it: conditional independence, which Fellegi–Sunter
/// assumes, is restored for the pair of fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    pub given: usize,
    pub given_level: u8,
    pub field: usize,
    pub level: u8,
    pub u: f64,
}

impl Dependency {
    /// Whether it applies to the comparison vector `gamma`.
    pub fn applies(&self, gamma: &[u8]) -> bool {
        gamma.get(self.given) == Some(&self.given_level)
            && gamma.get(self.field) == Some(&self.level)
    }
}

/// A trained (or hand-set) Fellegi–Sunter model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// File format version, [`MODEL_FORMAT_VERSION`].
    pub version: u32,
    pub settings: Settings,
    /// λ: prior probability that two records drawn at random refer to the same person.
    pub lambda: f64,
    /// `m[field][level] = P(level | match)`.
    pub m: Vec<Vec<f64>>,
    /// `u[field][level] = P(level | non-match)`.
    pub u: Vec<Vec<f64>>,
    /// Optional term-frequency table per field (same length as the fields).
    pub tf: Vec<Option<TfTable>>,
    /// Number of comparison vectors the last estimation ran on.
    pub trained_on: usize,
    /// Fields whose agreement depends on another's among non-matches (see [`Dependency`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// Free text: data source, blocking rules used in training, date, reviewer.
    pub notes: String,
}

impl Model {
    /// A starting model for EM: u uniform over the non-null levels, m geometric from the most
    /// similar level (mass ∝ 4^−j), no term frequencies. The ordering of levels only matters
    /// here: it breaks the symmetry between the "match" and "non-match" classes.
    pub fn initial(settings: Settings, lambda: f64) -> Self {
        let mut m = Vec::with_capacity(settings.fields.len());
        let mut u = Vec::with_capacity(settings.fields.len());
        for f in &settings.fields {
            let k = f.levels.iter().filter(|l| !l.is_null).count();
            let mut mf = Vec::with_capacity(f.levels.len());
            let mut uf = Vec::with_capacity(f.levels.len());
            let norm: f64 = (0..k).map(|j| 0.25f64.powi(j as i32)).sum();
            let mut j = 0;
            for l in &f.levels {
                if l.is_null {
                    mf.push(1.0);
                    uf.push(1.0);
                } else {
                    mf.push(0.25f64.powi(j) / norm);
                    uf.push(1.0 / k as f64);
                    j += 1;
                }
            }
            m.push(mf);
            u.push(uf);
        }
        let tf = vec![None; settings.fields.len()];
        Self {
            version: MODEL_FORMAT_VERSION,
            settings,
            lambda,
            m,
            u,
            tf,
            trained_on: 0,
            dependencies: Vec::new(),
            notes: String::new(),
        }
    }

    /// log2 of the prior odds λ/(1−λ) (λ clamped).
    pub fn prior_log2(&self) -> f64 {
        let l = clamp_probability(self.lambda);
        (l / (1.0 - l)).log2()
    }

    /// log2(m/u) of one level, 0 for the null level (m and u clamped).
    pub fn level_log2_bayes_factor(&self, field: usize, level: u8) -> f64 {
        let lv = usize::from(level);
        if self.settings.fields[field].levels[lv].is_null {
            return 0.0;
        }
        (clamp_probability(self.m[field][lv]) / clamp_probability(self.u[field][lv])).log2()
    }

    /// Check dimensions and ranges; called by [`Model::from_json`].
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.version != MODEL_FORMAT_VERSION {
            return Err(ModelError::UnsupportedVersion(self.version));
        }
        self.settings.validate()?;
        if !(self.lambda.is_finite() && self.lambda > 0.0 && self.lambda < 1.0) {
            return Err(ModelError::Invalid(format!(
                "先验匹配概率 λ={} 不在 (0, 1) 内",
                self.lambda
            )));
        }
        let n = self.settings.fields.len();
        if self.m.len() != n || self.u.len() != n || self.tf.len() != n {
            return Err(ModelError::Invalid(format!(
                "m、u、词频表的字段数（{}、{}、{}）与设置（{n}）不一致",
                self.m.len(),
                self.u.len(),
                self.tf.len()
            )));
        }
        for (i, f) in self.settings.fields.iter().enumerate() {
            for (name, p) in [("m", &self.m[i]), ("u", &self.u[i])] {
                if p.len() != f.levels.len() {
                    return Err(ModelError::Invalid(format!(
                        "字段“{}”的 {name} 有 {} 个值，应为 {}",
                        f.name,
                        p.len(),
                        f.levels.len()
                    )));
                }
                if p.iter().any(|x| !x.is_finite() || *x < 0.0 || *x > 1.0) {
                    return Err(ModelError::Invalid(format!(
                        "字段“{}”的 {name} 概率不在 [0, 1] 内",
                        f.name
                    )));
                }
            }
            if let Some(t) = &self.tf[i] {
                let lv = usize::from(t.level);
                if lv >= f.levels.len() || f.levels[lv].is_null {
                    return Err(ModelError::Invalid(format!(
                        "字段“{}”的词频表指向无效级别 {}",
                        f.name, t.level
                    )));
                }
                if !(t.weight.is_finite() && t.min_frequency.is_finite())
                    || t.frequencies
                        .values()
                        .any(|x| !x.is_finite() || *x < 0.0 || *x > 1.0)
                {
                    return Err(ModelError::Invalid(format!(
                        "字段“{}”的词频表含无效数值",
                        f.name
                    )));
                }
            }
        }
        for d in &self.dependencies {
            let level_ok = |f: usize, l: u8| {
                self.settings
                    .fields
                    .get(f)
                    .and_then(|spec| spec.levels.get(usize::from(l)))
                    .is_some_and(|lv| !lv.is_null)
            };
            if d.given == d.field
                || !level_ok(d.given, d.given_level)
                || !level_ok(d.field, d.level)
                || !d.u.is_finite()
                || d.u <= 0.0
                || d.u > 1.0
            {
                return Err(ModelError::Invalid(format!(
                    "字段依赖（{} 级 {} → {} 级 {}，u={}）无效",
                    d.given, d.given_level, d.field, d.level, d.u
                )));
            }
        }
        Ok(())
    }

    /// Serialise as pretty JSON (after validation, so a bad model is never written).
    pub fn to_json(&self) -> Result<String, ModelError> {
        self.validate()?;
        serde_json::to_string_pretty(self).map_err(|e| ModelError::Json(e.to_string()))
    }

    /// Parse and validate a saved model. The version is read first so that a file from a
    /// future format is refused with that reason rather than with a field-level parse error.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            version: u32,
        }
        let v: VersionOnly =
            serde_json::from_str(text).map_err(|e| ModelError::Json(e.to_string()))?;
        if v.version != MODEL_FORMAT_VERSION {
            return Err(ModelError::UnsupportedVersion(v.version));
        }
        let model: Model =
            serde_json::from_str(text).map_err(|e| ModelError::Json(e.to_string()))?;
        model.validate()?;
        Ok(model)
    }
}

/// Why a model, comparison vector or estimation input was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("模型文件版本 {0} 不受支持（本程序支持版本 {MODEL_FORMAT_VERSION}）")]
    UnsupportedVersion(u32),
    #[error("模型文件无法解析：{0}")]
    Json(String),
    #[error("模型无效：{0}")]
    Invalid(String),
    #[error("比较向量长度 {got} 与字段数 {expected} 不一致")]
    GammaLength { expected: usize, got: usize },
    #[error("第 {field} 个字段的级别 {level} 超出范围（共 {levels} 个级别）")]
    LevelOutOfRange {
        field: usize,
        level: u8,
        levels: usize,
    },
    #[error("参数无效：{0}")]
    Argument(String),
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn two_field_model() -> Model {
        let settings = Settings::new(vec![
            FieldSpec::new(
                "姓名",
                vec![
                    LevelSpec::new("完全相同"),
                    LevelSpec::new("不同"),
                    LevelSpec::null("缺失"),
                ],
            ),
            FieldSpec::new(
                "出生日期",
                vec![
                    LevelSpec::new("完全相同"),
                    LevelSpec::new("不同"),
                    LevelSpec::null("缺失"),
                ],
            ),
        ]);
        let mut m = Model::initial(settings, 0.01);
        m.m = vec![vec![0.9, 0.1, 1.0], vec![0.8, 0.2, 1.0]];
        m.u = vec![vec![0.05, 0.95, 1.0], vec![0.01, 0.99, 1.0]];
        m
    }

    #[test]
    fn json_round_trip() {
        let mut m = two_field_model();
        m.tf[0] = Some(TfTable::from_values(0, ["王", "王", "李", "欧阳"]));
        m.notes = "测试".into();
        m.trained_on = 42;
        let text = m.to_json().unwrap();
        let back = Model::from_json(&text).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn wrong_version_is_refused_with_reason() {
        let m = two_field_model();
        let text = m
            .to_json()
            .unwrap()
            .replace("\"version\": 1", "\"version\": 7");
        let err = Model::from_json(&text).unwrap_err();
        assert_eq!(err, ModelError::UnsupportedVersion(7));
        assert!(err.to_string().contains("模型文件版本 7 不受支持"));
        // Refused even when the rest of the file is unreadable by this version.
        let err = Model::from_json(r#"{"version": 2, "future": true}"#).unwrap_err();
        assert_eq!(err, ModelError::UnsupportedVersion(2));
    }

    #[test]
    fn invalid_models_are_refused() {
        let mut m = two_field_model();
        m.m[0].pop();
        assert!(matches!(m.validate(), Err(ModelError::Invalid(_))));
        let mut m = two_field_model();
        m.lambda = 1.0;
        assert!(matches!(m.validate(), Err(ModelError::Invalid(_))));
        let mut m = two_field_model();
        m.tf[1] = Some(TfTable::from_values(2, ["x"]));
        assert!(matches!(m.validate(), Err(ModelError::Invalid(_))));
        assert!(Model::from_json("not json").is_err());
    }

    #[test]
    fn gamma_checks() {
        let m = two_field_model();
        assert!(m.settings.check_gamma(&[0, 2]).is_ok());
        assert!(m.settings.check_gamma(&[0]).is_err());
        assert!(m.settings.check_gamma(&[0, 3]).is_err());
    }

    #[test]
    fn tf_table_frequencies() {
        let t = TfTable::from_values(0, ["王", "王", "李", "", "欧阳"]);
        assert_eq!(t.frequency("王"), Some(0.5));
        assert_eq!(t.frequency("欧阳"), Some(0.25));
        assert_eq!(t.frequency("张"), None);
    }

    #[test]
    fn initial_model_is_normalised() {
        let m = two_field_model();
        let init = Model::initial(m.settings.clone(), 0.1);
        for (f, spec) in init.settings.fields.iter().enumerate() {
            let sm: f64 = (0..spec.levels.len())
                .filter(|&l| !spec.levels[l].is_null)
                .map(|l| init.m[f][l])
                .sum();
            assert!((sm - 1.0).abs() < 1e-12);
        }
        assert!(init.validate().is_ok());
    }
}
