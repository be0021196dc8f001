//! Fellegi–Sunter record linkage scoring (Fellegi & Sunter, "A Theory for Record Linkage",
//! JASA 64(328), 1969), mirroring the way Splink parameterises and trains it so that models,
//! formulas and explanations can be compared with a widely used reference implementation.
//!
//! - [`model`]: comparison settings (fields and their ordered levels), the comparison vector
//!   [`Gamma`], the versioned [`Model`] (λ, m, u, term-frequency tables) and its JSON form;
//! - [`compare`]: generic comparators for dates, identifiers, strings (Jaro–Winkler) and phone
//!   numbers, each with its level list;
//! - [`mod@score`]: match weight, probability and a per-field explanation ([`Scored`]) plus a
//!   precompiled [`Scorer`] for bulk scoring;
//! - [`mod@em`]: parameter estimation without labels — u from random pairs, λ from deterministic
//!   rules, m (and optionally u) by expectation–maximisation over distinct γ patterns.
//!
//! Everything is pure: no I/O, clock or randomness; samples and seeds come from the caller.

pub mod compare;
pub mod em;
pub mod model;
pub mod score;

pub use compare::{
    Ymd, compare_date, compare_id, compare_phone, compare_resident_id, compare_sex, compare_string,
    date_levels, id_levels, jaro_winkler, phone_levels, resident_id_levels, sex_levels,
    string_levels,
};
pub use em::{
    EmOptions, EmReport, PatternCounts, em, em_counts, estimate_lambda_from_rules,
    estimate_lambda_from_sample, estimate_u, estimate_u_from_counts,
};
pub use model::{
    FieldSpec, Gamma, LevelSpec, MODEL_FORMAT_VERSION, Model, ModelError, PROBABILITY_EPSILON,
    Settings, TfTable, clamp_probability,
};
pub use score::{
    Contribution, Scored, Scorer, WaterfallKind, WaterfallStep, probability_from_weight, score,
};
